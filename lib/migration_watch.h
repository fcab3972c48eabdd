/* Following a running migration: the wait predicate that reports VM phase
 * and pipeline step transitions as they happen, ends on the Plan's
 * Succeeded/Failed/Canceled, and summarises what failed. */
#ifndef MTV_MIGRATION_WATCH_H
#define MTV_MIGRATION_WATCH_H

#include <cjson/cJSON.h>

#include "buf.h"
#include "wait.h"

struct migration_watch {
	cJSON *seen;		/* {"<vm id>": {"phase": …, "<step>": "<step phase>"}} */
	char result[16];	/* "Succeeded", "Failed", "Canceled" once final */
};

void migration_watch_init(struct migration_watch *w);
void migration_watch_release(struct migration_watch *w);

/* wait_predicate_fn over a Plan; arg is a struct migration_watch. */
enum wait_verdict migration_watch_pred(const cJSON *plan, bool deleted, void *arg, struct buf *why);

/* Per-VM outcome from plan.status.migration.vms: a new array of
 * {id, name, phase, result, failedStep, error} (error = the reasons joined). */
cJSON *migration_vm_results(const cJSON *plan);

/* "VM x failed at DiskTransfer: reason; reason" lines for every failed VM. */
void migration_failures_describe(const cJSON *vm_results, struct buf *out);

#endif
