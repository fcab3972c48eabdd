/* openshift/release's own checks of a step registry beyond ci-operator's
 * loader: an OWNERS beside every component (generate-registry-metadata:
 * `missing OWNERS file at <dir>/OWNERS`) and each `.metadata.json` exactly
 * as that tool writes it (the presubmit re-runs `make update` and fails on
 * a diff).  In this repository's layout the export generates both, so the
 * check is that it has owners to write (MTV_OWNERS or OWNERS). */
#ifndef MTV_RUN_RELCHECK_H
#define MTV_RUN_RELCHECK_H

#include "arena.h"
#include "model.h"

void release_check(struct arena *a, struct registry *r);

#endif
