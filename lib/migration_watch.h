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

/* Several Plans of one namespace followed through one watch (name NULL,
 * the session's label selector), each with its own migration_watch, and
 * mtv-api-tests' concurrency check (wait_for_concurrent_migration_execution):
 * every Plan must be seen Executing before any is seen Succeeded, Failed or
 * Canceled.  The watch sees every state the Plans go through, where the
 * suite samples every 2 s, so a Plan that ran for less than a poll period
 * can only fail here. */
enum migration_concurrency {
	CONCURRENCY_UNCHECKED,	/* not asked for */
	CONCURRENCY_PENDING,
	CONCURRENCY_OK,
	CONCURRENCY_FAILED,
	CONCURRENCY_UNJUDGED,	/* every Plan had already finished when first seen (a re-run) */
};

struct migration_follow {
	const char *name;	/* borrowed */
	struct migration_watch w;
	cJSON *last;		/* the latest state seen, NULL before */
	bool executing;		/* seen Executing (and not finished) at least once */
	bool final_first;	/* finished already when first seen */
	unsigned final_seq;	/* order in which the Plans were seen finished, from 1 */
};

struct migration_set {
	struct migration_follow *plans;
	size_t n;
	unsigned nfinal;
	enum migration_concurrency concurrency;
	char concurrency_msg[1024];
	bool until_concurrent;	/* the predicate is done once the concurrency check is decided */
};

void migration_set_init(struct migration_set *s, const char *const *names, size_t n, bool check_concurrency);
void migration_set_release(struct migration_set *s);

/* wait_predicate_fn over the Plans of a namespace; arg is a struct
 * migration_set.  Done when every Plan finished (or, with until_concurrent,
 * when the concurrency check is decided); failed when one is deleted.  One
 * Plan: exactly migration_watch_pred. */
enum wait_verdict migration_set_pred(const cJSON *plan, bool deleted, void *arg, struct buf *why);

/* The bound for the concurrency check passed while it was pending. */
void migration_set_concurrency_timeout(struct migration_set *s, long seconds);

/* Every followed Plan has a final result. */
bool migration_set_done(const struct migration_set *s);

#endif
