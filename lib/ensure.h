/* Create-or-reuse, the way every step creates cluster objects.
 *
 * The object gets our labels, is recorded in the ledger *before* the create
 * call, and a 409 on an object that carries our session label means a
 * re-run: the existing object is reused, so steps converge.  A 409 on an
 * object someone else owns is an error: we never adopt foreign objects.
 * When the create's outcome is unknown (the connection broke after the
 * request was sent), the object is re-read instead of the POST repeated.
 */
#ifndef MTV_ENSURE_H
#define MTV_ENSURE_H

#include <cjson/cJSON.h>

#include "err.h"
#include "kube.h"
#include "session.h"
#include "state.h"

struct ensure_ctx {
	struct kube_client *kc;
	const struct state *st;
	const struct session *session;
	const char *step;		/* recorded in the ledger */
};

/* "forklift.konveyor.io/v1beta1" or "v1" into dst. */
void ensure_api_version(char *dst, size_t dstsz, const struct kube_type *t);

/* Create obj (metadata.name must be set) in ns; *out (may be NULL) gets the
 * object as it is on the cluster; *reused (may be NULL) is set to 1 when it
 * existed already.  obj is modified (labels, apiVersion, kind). */
int ensure_object(const struct ensure_ctx *c, const struct kube_type *t, const char *ns,
		  cJSON *obj, cJSON **out, int *reused, struct mtv_err *err);

/* A new object skeleton {apiVersion, kind, metadata: {name, namespace, labels}}. */
cJSON *ensure_skeleton(const struct ensure_ctx *c, const struct kube_type *t, const char *ns,
		       const char *name);

#endif
