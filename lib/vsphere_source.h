/* A logged-in vim25 client for the steps that read or clean the source
 * after create-provider (check-vms, teardown), with the credentials and TLS
 * the session's source Provider uses (contract 5 of issue 13):
 *
 *   - URL, user and password from the .providers.json entry create-provider
 *     used (its key is mtv-providers.json source.key);
 *   - TLS as the Provider Secret says: its `ca.crt` (else the legacy
 *     `cacert`), or no verification when insecureSkipVerify is "true";
 *     neither: the system trust store.
 *
 * Teardown deletes that Secret before it cleans the source, and may be run
 * again after a partial teardown, so whoever reads the Secret can keep a
 * copy of its TLS settings in $SHARED_DIR/mtv-source-tls.json (a CA is no
 * secret); when the Secret is gone the copy is used.
 */
#ifndef MTV_VSPHERE_SOURCE_H
#define MTV_VSPHERE_SOURCE_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "err.h"
#include "kube.h"
#include "state.h"
#include "vsphere.h"

#define SOURCE_TLS_STATE "mtv-source-tls.json"

struct vsphere_source_tls {
	char *ca_pem;			/* NULL: no CA in the Secret */
	bool insecure;
	char from[4400];		/* where it came from, for messages */
};

void vsphere_source_tls_release(struct vsphere_source_tls *t);

/* The TLS settings of a Provider Secret object (data base64). */
int vsphere_source_tls_from_secret(const cJSON *secret, struct vsphere_source_tls *out, struct mtv_err *err);

/* The TLS settings of the source Provider named in providers_state
 * (mtv-providers.json: source.name, source.namespace): from its Secret when
 * it exists (and then, when save, copied to SOURCE_TLS_STATE), else from
 * that copy.  Neither: MTV_EXIT_ENV naming both. */
int vsphere_source_tls_get(struct kube_client *kc, const struct state *st, const cJSON *providers_state,
			   bool save, struct vsphere_source_tls *out, struct mtv_err *err);

/* Only the copy in SOURCE_TLS_STATE (no cluster): 0 with out->from empty
 * when there is none. */
int vsphere_source_tls_saved(const struct state *st, struct vsphere_source_tls *out, struct mtv_err *err);

/* Load providers_file, pick key (a vsphere entry), connect to its URL with
 * tls and log in.  interrupt (may be NULL) ends a wait at once.  On failure
 * the client is released; the message never holds the password. */
int vsphere_source_connect(const char *providers_file, const char *key, const struct vsphere_source_tls *tls,
			   volatile sig_atomic_t *interrupt, struct vsphere_client *vc, struct mtv_err *err);

#endif
