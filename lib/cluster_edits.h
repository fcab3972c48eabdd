/* Cluster-wide edits a session makes (the ForkliftController's precopy
 * interval for warm runs, a worker node's label for node-selector
 * scenarios), recorded in mtv-edits.json with the value they replaced so
 * mtv-teardown can put every one of them back.
 *
 * The first recording of a field wins: a re-run that patches again does not
 * overwrite the original value with our own.
 */
#ifndef MTV_CLUSTER_EDITS_H
#define MTV_CLUSTER_EDITS_H

#include <cjson/cJSON.h>

#include "err.h"
#include "kube.h"
#include "state.h"

#define EDITS_STATE "mtv-edits.json"

/* Set `path` (dotted, e.g. `spec.controller_precopy_interval` or
 * `metadata.labels["k"]`) of the object to value (taken over) by a merge
 * patch, after recording the old value (null when unset). */
int cluster_edit(struct kube_client *kc, const struct state *st, const struct kube_type *t,
		 const char *ns, const char *name, const char *path, cJSON *value,
		 const char *step, struct mtv_err *err);

/* Undo every recorded edit, newest first.  Each undone edit is removed from
 * the file; those that fail stay, and the first error is returned (the
 * others are logged).  *restored counts the successes. */
int cluster_edits_restore(struct kube_client *kc, const struct state *st, int *restored,
			  struct mtv_err *err);

#endif
