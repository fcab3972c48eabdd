/* Where the Kubernetes API is and how to authenticate to it.
 *
 * Sources, in the order kube_client_from_env() tries them (see kube.h):
 *   1. MTV_CLUSTER_HOST + MTV_CLUSTER_USERNAME + MTV_CLUSTER_PASSWORD: an
 *      OpenShift OAuth login (oauth.h), as mtv-api-tests does;
 *   2. a kubeconfig: KUBECONFIG (a colon-separated list merged as kubectl
 *      merges it), else $SHARED_DIR/kubeconfig (the ci-operator convention),
 *      else ~/.kube/config;
 *   3. the in-cluster service account (KUBERNETES_SERVICE_HOST/PORT and
 *      the token, ca.crt and namespace files in MTV_SERVICEACCOUNT_DIR,
 *      default /var/run/secrets/kubernetes.io/serviceaccount).
 *
 * Merging follows kubectl: for clusters, users and contexts the first file
 * that defines a name wins; current-context comes from the first file that
 * sets one; files of the list that do not exist are skipped.  Relative file
 * paths inside a kubeconfig are relative to that kubeconfig's directory.
 *
 * The context is --context (the caller's override), else MTV_KUBE_CONTEXT,
 * else current-context.
 *
 * Every problem with the input (missing or malformed file, unknown context,
 * cluster or user, unreadable CA/cert/key file, empty token file, bad
 * base64) fails with MTV_EXIT_USAGE and one message naming the file and the
 * key, e.g.
 *   kubeconfig /x/config: context "foo" not found (contexts: a, b)
 * Secret values never appear in messages.
 */
#ifndef MTV_KUBECONFIG_H
#define MTV_KUBECONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define KUBECONFIG_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

/* A resolved connection: everything needed to talk to one API server. */
struct kubeconfig {
	char *server;		/* "https://host:port" */
	char *namespace;	/* context namespace, or NULL */
	char *context;		/* chosen context name ("in-cluster", "oauth") */
	char *source;		/* for messages: "kubeconfig /path", "in-cluster service account", ... */
	char *ca_pem;		/* PEM or NULL */
	size_t ca_len;
	char *cert_pem;		/* client certificate PEM or NULL */
	size_t cert_len;
	char *key_pem;		/* client key PEM or NULL */
	size_t key_len;
	char *token;		/* bearer token or NULL */
	char *token_file;	/* where the token came from, re-read after a 401; or NULL */
	bool insecure;		/* insecure-skip-tls-verify */
};

void kubeconfig_init(struct kubeconfig *kc);
void kubeconfig_release(struct kubeconfig *kc);

/* Load and merge the colon-separated list of kubeconfig files `paths` and
 * resolve `context` (NULL: MTV_KUBE_CONTEXT, else current-context). */
int kubeconfig_load(struct kubeconfig *kc, const char *paths, const char *context,
		    struct mtv_err *err);

/* The same from a YAML text in memory; `name` is used in messages and
 * `dir` (may be NULL = cwd) resolves relative file paths. */
int kubeconfig_load_buffer(struct kubeconfig *kc, const char *yaml, size_t len, const char *name,
			   const char *dir, const char *context, struct mtv_err *err);

/* The in-cluster service account.  Fails with MTV_EXIT_USAGE when not
 * running in a pod (KUBERNETES_SERVICE_HOST unset) or the files are bad. */
int kubeconfig_load_incluster(struct kubeconfig *kc, struct mtv_err *err);

/* The kubeconfig list to use: KUBECONFIG, else $SHARED_DIR/kubeconfig when
 * it exists, else ~/.kube/config when it exists; NULL when none.  The
 * result is malloc'd. */
char *kubeconfig_default_paths(void);

/* Re-read kc->token_file into kc->token.  Returns 1 when the token changed,
 * 0 when it is the same (or there is no token file), -1 on error. */
int kubeconfig_reload_token(struct kubeconfig *kc, struct mtv_err *err);

#endif
