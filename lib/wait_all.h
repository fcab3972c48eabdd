/* Waiting until a whole selection of objects is gone: every object of a
 * type in a namespace matching a label and a field selector, as after a
 * deletecollection.
 *
 * Cost: one list, and one watch from its resourceVersion when anything is
 * still there, whatever the number of objects.  (A list rather than a watch
 * from an earlier list: a watch that ends once its condition holds closes
 * an HTTP/1.1 connection, so the next request pays a TLS handshake, while a
 * list needs no watch at all when the deletes took effect at once.)  The
 * set of objects still there is kept from
 * the events (ADDED/MODIFIED keep an object's latest state, DELETED drops
 * it); the wait is over when the set is empty.  A stream that ends is
 * reopened from the last resourceVersion seen; a 410 Gone, an ERROR event or
 * a stream that drops without events in a row lists again; a refused watch
 * (403/405) falls back to listing every poll_interval_ms.  An interrupt flag
 * on the client ends the wait within about a second.
 *
 * Results: 0 nothing matches any more; -1 with err->code
 *   MTV_EXIT_TIMEOUT  deadline passed, *left holds the objects still there
 *   MTV_EXIT_ENV      API errors that persist
 *   130 / 143         interrupted
 */
#ifndef MTV_WAIT_ALL_H
#define MTV_WAIT_ALL_H

#include <cjson/cJSON.h>

#include "kube.h"

struct wait_all_spec {
	const struct kube_type *type;
	const char *ns;			/* NULL: all namespaces */
	const char *label_selector;	/* optional */
	const char *field_selector;	/* optional, e.g. "metadata.name!=theirs" */
	long timeout_ms;		/* required, > 0 */
	long poll_interval_ms;		/* polling fallback period; default 2000 */
};

/* Wait as described above.  *left (may be NULL) receives, on a timeout or
 * an error, a new array of the last state of the objects still there (so
 * their finalizers can be told without a GET each); NULL on success. */
int wait_all_gone(struct kube_client *kc, const struct wait_all_spec *spec, cJSON **left,
		  struct mtv_err *err);

#endif
