/* Decoding YAML trees into the model with ci-operator's strictness
 * (sigs.k8s.io/yaml UnmarshalStrict): unknown fields and wrong types are
 * errors whose text follows Go's encoding/json, wrapped in a context such
 * as "failed to load registry file <path>". */
#ifndef MTV_RUN_DECODE_H
#define MTV_RUN_DECODE_H

#include "model.h"
#include "yamltree.h"

struct dec {
	struct arena *a;
	const char *path;
	const char *ctx;	/* message prefix */
	struct mtv_err *err;
};

/* Defaults from Prow's entrypoint. */
#define STEP_DEFAULT_TIMEOUT_MS (2LL * 3600 * 1000)
#define STEP_DEFAULT_GRACE_MS (15LL * 1000)

int dec_lstep(struct dec *d, const struct ynode *n, bool registry_ref, struct lstep **out);
int dec_tstep(struct dec *d, const struct ynode *n, struct tstep *out);
int dec_msconf(struct dec *d, const struct ynode *n, struct msconf *out);
int dec_chain(struct dec *d, const struct ynode *n, struct chain **out);
int dec_workflow(struct dec *d, const struct ynode *n, struct workflow **out);

/* Fail unless n is a map whose keys are all in allowed (NULL-terminated);
 * type names the Go struct for messages. */
int dec_strict_map(struct dec *d, const struct ynode *n, const char *type,
		   const char *const *allowed);

/* Go time.ParseDuration subset (ns..h units, decimals) to milliseconds. */
int duration_parse(const char *s, long long *ms);
/* Go time.Duration.String() for whole milliseconds: "1s", "2h0m0s", "500ms". */
const char *duration_format(long long ms, char *buf, size_t sz);

#endif
