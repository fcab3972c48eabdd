/* `mtv-run export DIR`: this repository's registry (steps/, chains/,
 * workflows/) written in openshift/release's step-registry layout, under
 * DIR/mtv/<x>/, with OWNERS and the .metadata.json files `make update`
 * would generate, so DIR/mtv can be dropped into ci-operator/step-registry. */
#ifndef MTV_RUN_EXPORT_H
#define MTV_RUN_EXPORT_H

#include "model.h"

int export_registry(struct arena *a, const struct registry *r, const char *dest,
		    struct mtv_err *err);

#endif
