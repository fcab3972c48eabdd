/* Generic Kubernetes REST client: (group, version, resource, namespace, name).
 *
 * Objects go in and come out as cJSON.  A failed call fills struct mtv_err
 * with a readable message built from the Kubernetes Status body, e.g.
 *   Plan ns/x: 409 AlreadyExists: plans.forklift.konveyor.io "x" already exists
 * and sets err->http_status and err->reason ("NotFound", "AlreadyExists",
 * "Conflict", "Invalid", ...) so callers can branch: a 404 on delete or a 409
 * on create of our own object is usually fine.  err->code is MTV_EXIT_ENV for
 * every API failure (401 "unauthorized", 403 "forbidden", unreachable after
 * retries, and 4xx/5xx by default); callers that treat a 400/422 as bad input
 * change it to MTV_EXIT_USAGE themselves.
 *
 * Requests that can be sent twice are retried like GETs after a 500, a
 * gateway error or a lost answer: merge patches (they set values) and named
 * creates (a repeat is a 409 the caller handles).  For the others
 * (generateName creates, JSON patches) reason "Ambiguous" (http_status 0,
 * or 500/502/504) means the request may or may not have been applied:
 * re-read before trying again.
 *
 * A 401 with a token read from a file (in-cluster service account, tokenFile)
 * re-reads the file once and retries, so rotated tokens keep working.
 */
#ifndef MTV_KUBE_H
#define MTV_KUBE_H

#include <signal.h>
#include <stdbool.h>
#include <cjson/cJSON.h>

#include "err.h"
#include "http.h"
#include "kubeconfig.h"

/* A resource type: enough to build its URL and name it in messages. */
struct kube_type {
	const char *group;	/* "" for the core group */
	const char *version;	/* "v1", "v1beta1" */
	const char *plural;	/* "plans" */
	const char *kind;	/* "Plan" */
	bool namespaced;
};

/* Well-known types. */
extern const struct kube_type KUBE_NAMESPACES, KUBE_SECRETS, KUBE_CONFIGMAPS, KUBE_PODS,
	KUBE_EVENTS, KUBE_NODES, KUBE_PVCS, KUBE_PVS, KUBE_STORAGECLASSES, KUBE_ROUTES,
	KUBE_NADS, KUBE_VMS, KUBE_VMIS, KUBE_DATAVOLUMES, KUBE_JOBS,
	KUBE_PROVIDERS, KUBE_STORAGEMAPS, KUBE_NETWORKMAPS, KUBE_PLANS, KUBE_MIGRATIONS,
	KUBE_HOOKS, KUBE_HOSTS, KUBE_FORKLIFTCONTROLLERS, KUBE_SERVICEACCOUNTS, KUBE_ROLES,
	KUBE_ROLEBINDINGS, KUBE_CLUSTERROLEBINDINGS;

/* Find a well-known type by plural ("plans"), kind ("Plan", any case),
 * plural.group ("plans.forklift.konveyor.io") or a short name ("pvc", "vm",
 * "nad", "dv"); NULL when unknown. */
const struct kube_type *kube_type_lookup(const char *name);

/* The API path of a type, namespace (ignored for cluster-scoped types; NULL
 * for all namespaces) and name (NULL for the collection), plus an optional
 * subresource ("status"), appended to out. */
int kube_path(struct buf *out, const struct kube_type *t, const char *ns, const char *name,
	      const char *subresource);

struct kube_client {
	struct http_client http;
	struct kubeconfig cfg;
};

/* Pick the connection as described in kubeconfig.h (OAuth login from
 * MTV_CLUSTER_*, else kubeconfig, else in-cluster) and set up the client.
 * context_override is --context (NULL: MTV_KUBE_CONTEXT / current-context).
 * Bad configuration → MTV_EXIT_USAGE; a failed OAuth login → MTV_EXIT_ENV. */
int kube_client_from_env(struct kube_client *kc, const char *context_override,
			 struct mtv_err *err);

/* Set up a client from a resolved configuration; takes ownership of *cfg
 * (which is left empty). */
int kube_client_init(struct kube_client *kc, struct kubeconfig *cfg, struct mtv_err *err);
void kube_client_release(struct kube_client *kc);

/* The context namespace, or "default". */
const char *kube_client_namespace(const struct kube_client *kc);

/* SIGINT/SIGTERM: the step's handler stores the signal number in *flag;
 * any request, watch or wait in progress then returns within about a
 * second with err->code 128 + signal (130/143). */
void kube_client_set_interrupt(struct kube_client *kc, volatile sig_atomic_t *flag);

/* Raw call: method on path (relative to the server), optional JSON body,
 * result parsed into *out (may be NULL to discard).  `what` names the object
 * in messages ("Plan ns/x").  A non-2xx status fails as described above. */
int kube_request(struct kube_client *kc, const char *method, const char *path,
		 const char *content_type, const char *body, const char *what, bool sensitive,
		 cJSON **out, struct mtv_err *err);

int kube_get(struct kube_client *kc, const struct kube_type *t, const char *ns, const char *name,
	     cJSON **out, struct mtv_err *err);

struct kube_list_opts {
	const char *label_selector;	/* "app=x,tier!=y" */
	const char *field_selector;	/* "metadata.name=x" */
	long limit;			/* page size; 0 = server default (one page) */
};

/* List, following `continue` until all pages are read.  *items is a new
 * cJSON array; *resource_version (may be NULL) the list's resourceVersion,
 * malloc'd, for a subsequent watch.  ns NULL lists all namespaces. */
int kube_list(struct kube_client *kc, const struct kube_type *t, const char *ns,
	      const struct kube_list_opts *opts, cJSON **items, char **resource_version,
	      struct mtv_err *err);

/* Create obj (metadata.generateName works); *out the created object. */
int kube_create(struct kube_client *kc, const struct kube_type *t, const char *ns,
		const cJSON *obj, cJSON **out, struct mtv_err *err);

enum kube_patch_type {
	KUBE_PATCH_MERGE,	/* application/merge-patch+json */
	KUBE_PATCH_JSON,	/* application/json-patch+json */
};

int kube_patch(struct kube_client *kc, const struct kube_type *t, const char *ns,
	       const char *name, enum kube_patch_type type, const char *patch, cJSON **out,
	       struct mtv_err *err);

/* propagation: "Foreground", "Background", "Orphan" or NULL (server
 * default).  A missing object fails with http_status 404 / reason NotFound. */
int kube_delete(struct kube_client *kc, const struct kube_type *t, const char *ns,
		const char *name, const char *propagation, struct mtv_err *err);

/* kube_delete (propagation NULL: Background), and *gone tells from the
 * answer whether the object is removed already, so the caller waits only
 * for one a finalizer or a grace period keeps. */
int kube_delete_gone(struct kube_client *kc, const struct kube_type *t, const char *ns, const char *name,
		     const char *propagation, bool *gone, struct mtv_err *err);

/* DELETE on the collection (the API's deletecollection verb): every object
 * of t in ns (NULL: all namespaces) matching opts' label and field
 * selectors (opts->limit is ignored), each deleted as a DELETE of its own
 * would be (finalizers, graceful deletion, garbage collection).  *deleted
 * (may be NULL) receives a new array of the objects the server deleted or
 * marked for deletion, as its List answer names them (empty when it answered
 * with a Status).  RBAC may allow delete but not deletecollection: then a 403
 * with reason Forbidden, for the caller to delete one by one. */
int kube_delete_collection(struct kube_client *kc, const struct kube_type *t, const char *ns,
			   const struct kube_list_opts *opts, const char *propagation, cJSON **deleted,
			   struct mtv_err *err);

/* The status subresource. */
int kube_status_get(struct kube_client *kc, const struct kube_type *t, const char *ns,
		    const char *name, cJSON **out, struct mtv_err *err);
int kube_status_patch(struct kube_client *kc, const struct kube_type *t, const char *ns,
		      const char *name, enum kube_patch_type type, const char *patch, cJSON **out,
		      struct mtv_err *err);

/* "Plan ns/x", "Namespace x", "Plan ns/<all>" into dst for messages. */
void kube_describe(char *dst, size_t dstsz, const struct kube_type *t, const char *ns,
		   const char *name);

/* Turn a non-2xx response into err: message "<what>: <status> <Reason>:
 * <Status message>" (or the start of a non-Status body), http_status and
 * reason filled, code MTV_EXIT_ENV.  Returns -1. */
int kube_status_error(struct mtv_err *err, const char *what, long status, const char *body,
		      size_t len);

#endif
