/* Waiting for Kubernetes objects, watch-based.
 *
 * wait_for() lists the object(s) to learn the current state and
 * resourceVersion, then watches from there
 * (?watch=1&resourceVersion=..&allowWatchBookmarks=true&timeoutSeconds=..),
 * calling a predicate on every state it sees until the predicate says done
 * or failed, or the deadline passes.  A stream that ends or drops is
 * reopened from the last resourceVersion seen, so no event is lost or seen
 * twice; a 410 Gone (HTTP status or ERROR event) triggers a fresh list; a
 * refused watch (403/405) falls back to polling.  An interrupt flag set on
 * the client (kube_client_set_interrupt) ends the wait within about a second.
 *
 * Results: 0 done; -1 with err->code
 *   MTV_EXIT_FAILED   the predicate said failed (its explanation in the message)
 *   MTV_EXIT_TIMEOUT  deadline passed: "timed out after 30s waiting for Plan
 *                     ns/x to be Ready (last: Ready=False ...)"
 *   MTV_EXIT_ENV      API errors that persist
 *   130 / 143         interrupted
 */
#ifndef MTV_WAIT_H
#define MTV_WAIT_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "buf.h"
#include "kube.h"

enum wait_verdict {
	WAIT_NOT_YET = 0,
	WAIT_DONE = 1,
	WAIT_FAILED = 2,
};

/* Judge one observed state.  obj is the object, or NULL when it does not
 * exist (a named object absent from the list); deleted is true for a
 * DELETED event (obj is then its last state) and for an absent object.
 * Write a short explanation of the state into why (it becomes the "last:"
 * part of a timeout message, or the failure message). */
typedef enum wait_verdict (*wait_predicate_fn)(const cJSON *obj, bool deleted, void *arg,
					       struct buf *why);

struct wait_spec {
	const struct kube_type *type;
	const char *ns;
	const char *name;		/* NULL: every object matching label_selector */
	const char *label_selector;	/* optional */
	const char *what;		/* what is awaited, for messages: "to be Ready" */
	long timeout_ms;		/* overall deadline (required, > 0) */
	long poll_interval_ms;		/* polling fallback period; default 2000 */
	wait_predicate_fn pred;
	void *arg;
};

/* Wait as described above.  On success *obj (may be NULL) receives a copy of
 * the object that satisfied the predicate (NULL when it was a deletion). */
int wait_for(struct kube_client *kc, const struct wait_spec *spec, cJSON **obj,
	     struct mtv_err *err);

/* Ready-made predicates. */

/* arg: struct wait_condition.  Done when status.conditions[type==type] has
 * status == status; failed when a condition of type fail_type (if set) is
 * "True". */
struct wait_condition {
	const char *type;	/* "Ready" */
	const char *status;	/* "True" */
	const char *fail_type;	/* "Failed" or NULL */
};
enum wait_verdict wait_pred_condition(const cJSON *obj, bool deleted, void *arg,
				      struct buf *why);

/* arg: const char * phase.  Done when status.phase equals it. */
enum wait_verdict wait_pred_phase(const cJSON *obj, bool deleted, void *arg, struct buf *why);

/* arg unused.  Done when the object is gone. */
enum wait_verdict wait_pred_gone(const cJSON *obj, bool deleted, void *arg, struct buf *why);

/* Wait until ns/name of type t no longer exists. */
int wait_gone(struct kube_client *kc, const struct kube_type *t, const char *ns,
	      const char *name, long timeout_ms, struct mtv_err *err);

/* Sleep ms, in short slices so an interrupt flag is noticed; returns -1 with
 * err->code 128+signal when *flag became non-zero (flag may be NULL). */
int wait_sleep_ms(long ms, volatile sig_atomic_t *flag, struct mtv_err *err);

#endif
