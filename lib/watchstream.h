/* Parser for Kubernetes watch streams: newline-delimited JSON events
 * `{"type":"ADDED","object":{...}}` arriving in arbitrary chunks.
 *
 * Bytes are collected in a capped buffer until a newline completes an event;
 * an event may be split over many chunks and a chunk may hold several events.
 * A line longer than the cap is an error (a broken or hostile server must not
 * make us allocate without bound).  Blank lines and a trailing '\r' are
 * ignored.
 */
#ifndef MTV_WATCHSTREAM_H
#define MTV_WATCHSTREAM_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "buf.h"
#include "err.h"

#define WATCHSTREAM_DEFAULT_MAX (16u * 1024 * 1024)

/* Called once per complete event.  type is "ADDED", "MODIFIED", "DELETED",
 * "BOOKMARK" or "ERROR"; object is the event's object (owned by the parser,
 * valid during the call).  Return 0 to continue, 1 to stop feeding (the
 * rest of the chunk is dropped), -1 to fail (err should be set). */
typedef int (*watchstream_event_fn)(const char *type, cJSON *object, void *arg,
				    struct mtv_err *err);

struct watchstream {
	struct buf line;
	watchstream_event_fn fn;
	void *arg;
	unsigned long events;	/* complete events delivered so far */
};

void watchstream_init(struct watchstream *ws, size_t max_event, watchstream_event_fn fn,
		      void *arg);
void watchstream_release(struct watchstream *ws);

/* Drop a partial event, e.g. after the stream was cut and reopened. */
void watchstream_reset(struct watchstream *ws);

/* Feed a chunk.  Returns 0 when everything was consumed, 1 when the
 * callback asked to stop, -1 on an oversized or malformed event (MTV_EXIT_ENV,
 * message quoting the start of the line) or a callback failure. */
int watchstream_feed(struct watchstream *ws, const char *data, size_t len, struct mtv_err *err);

/* Bytes of an incomplete event waiting for more data. */
size_t watchstream_pending(const struct watchstream *ws);

#endif
