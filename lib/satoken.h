/* The session's service account, for bearer tokens when the kubeconfig has
 * none.
 *
 * The Forklift inventory authenticates bearer tokens only (Auth.Permit in
 * forklift pkg/controller/provider/web/base/auth.go: a TokenReview, then a
 * SubjectAccessReview for `get` on the Provider in its namespace).  The
 * OpenShift installer's admin kubeconfig has a client certificate and no
 * token, so the kubeconfig's credentials do not get us into the inventory.
 * kubectl-mtv (pkg/util/client/token.go, NeedsBearerTokenForInventory)
 * detects the same case — a client certificate and no token — and borrows
 * the forklift-controller's token Secret; clusters since Kubernetes 1.24
 * no longer create such Secrets, and that token is far more powerful than
 * reading providers.  We create our own account instead, labelled and in
 * the ledger like every other object of the session, and ask the
 * TokenRequest API (POST .../serviceaccounts/<name>/token) for short-lived
 * tokens:
 *
 *   ServiceAccount <session>-mtv-steps in the target namespace;
 *   Role + RoleBinding <session>-mtv-steps-inventory: get, list providers
 *     (forklift.konveyor.io) in the target namespace, what Permit asks;
 *   for an OpenShift source only, ClusterRoleBinding
 *     <session>-mtv-steps-source to cluster-admin: the Provider Secret's
 *     token is what Forklift uses to read and export the source VMs, and
 *     mtv-api-tests puts the admin user's own token there.
 *
 * Tokens never reach logs, state files or artifacts.
 */
#ifndef MTV_SATOKEN_H
#define MTV_SATOKEN_H

#include <stdbool.h>

#include "ensure.h"
#include "err.h"
#include "kube.h"
#include "session.h"

/* Lifetime of the inventory token: a step's whole run. */
#define SATOKEN_INVENTORY_SECONDS 86400L
/* Lifetime of the OpenShift source Provider's token: the session's. */
#define SATOKEN_PROVIDER_SECONDS (7L * 86400)

/* The kubeconfig authenticates with a client certificate and carries no
 * bearer token (kubectl-mtv's NeedsBearerTokenForInventory). */
bool satoken_needed(const struct kube_client *kc);

/* "<session id>-mtv-steps" into out. */
void satoken_account(const struct session *s, char *out, size_t outsz);

/* The objects satoken_ensure creates (for --dry-run and artifacts). */
cJSON *satoken_objects(const struct ensure_ctx *c, bool source_admin);

/* Create (or reuse) the account and its RBAC in the target namespace. */
int satoken_ensure(const struct ensure_ctx *c, bool source_admin, struct mtv_err *err);

/* A token for the session's account, valid for `seconds`; *token and
 * *expires (RFC 3339, may be NULL) are malloc'd.  A missing account fails
 * with a message that names it and mtv-create-provider. */
int satoken_request(struct kube_client *kc, const struct session *s, long seconds, char **token,
		    char **expires, struct mtv_err *err);

#endif
