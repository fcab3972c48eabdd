/* Forklift inventory client.
 *
 * The inventory is a REST service of the forklift-controller pod that
 * mirrors each source provider: /providers/<type>/<provider uid>/<collection>.
 * Where it is, in order:
 *   1. MTV_INVENTORY_URL;
 *   2. the Route in the MTV namespace labelled app=forklift,
 *      service=forklift-inventory (or named forklift-inventory).
 * There is no API-server service-proxy fallback: kube-apiserver removes the
 * Authorization header of a request it has authenticated, so the inventory
 * behind /api/v1/namespaces/<ns>/services/.../proxy never gets a token and
 * answers 401.  No Route and no MTV_INVENTORY_URL fails with MTV_EXIT_ENV
 * (the cluster lacks what the step needs; the input may be right).
 *
 * The inventory accepts only bearer tokens (Forklift's Auth.Permit:
 * TokenReview, then a SubjectAccessReview for `get` on the Provider): the
 * kubeconfig's token (or the OAuth login's), else — a client certificate
 * and no token — a TokenRequest token of the session's service account
 * (satoken.h).  Which one is logged, never the token.
 *
 * The Route presents the router's certificate, signed by the cluster's
 * ingress CA, which a kubeconfig does not carry: it is verified against the
 * CA the ingress operator publishes (ConfigMap
 * openshift-config-managed/default-ingress-cert, key ca-bundle.crt), else
 * the system store; MTV_INVENTORY_URL against that CA and the API server's.
 * MTV_INVENTORY_INSECURE_SKIP_VERIFY=true skips verification.
 *
 * Lookups are bulk (`?detail=N` lists), never one request per VM, so the
 * cost of a step stays flat as plans grow.  A 206 means the provider has not
 * synced yet; an empty or `null` body is an empty list.
 */
#ifndef MTV_INVENTORY_H
#define MTV_INVENTORY_H

#include <cjson/cJSON.h>

#include "err.h"
#include "http.h"
#include "kube.h"
#include "session.h"

struct inventory {
	struct http_client http;
	char *base;		/* URL prefix the inventory paths are appended to */
	char *source;		/* how it was found, for messages */
	char *auth;		/* which credentials it gets, for messages (never the token) */
};

/* Find the inventory in s->mtv_namespace and pick its bearer token. */
int inventory_open(struct inventory *inv, struct kube_client *kc, const struct session *s,
		   struct mtv_err *err);
void inventory_release(struct inventory *inv);

enum inventory_result {
	INVENTORY_OK = 0,
	INVENTORY_NOT_SYNCED = 1,	/* 206: ask again later */
};

/* GET <base>/providers/<type>/<uid>/<collection>[?detail=N].  *items is an
 * array (a new one; empty for an empty/null body).  Returns
 * INVENTORY_NOT_SYNCED (and *items = NULL) on 206, -1 on errors (404: the
 * provider uid is unknown to the inventory, http_status 404). */
int inventory_list(struct inventory *inv, const char *type, const char *uid,
		   const char *collection, int detail, cJSON **items, struct mtv_err *err);

/* The element of items whose "name" (or "id") equals key, or NULL. */
const cJSON *inventory_find(const cJSON *items, const char *key);

#endif
