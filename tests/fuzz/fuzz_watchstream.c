/* lib/watchstream's framer: the input fed in chunks whose sizes come from
 * the input itself (its first byte), with a small event cap so the
 * oversized-line path is reached, and a reset after an error as the
 * watchers do before reopening a stream. */
#include "fuzz.h"

#include "watchstream.h"

static int on_event(const char *type, cJSON *object, void *arg, struct mtv_err *err)
{
	unsigned long *n = arg;

	(void)err;
	/* Touch what a watcher reads. */
	if (type && object && cJSON_GetObjectItemCaseSensitive(object, "metadata"))
		(*n)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct watchstream ws;
	unsigned long seen = 0;
	size_t chunk, off = 1;

	if (size < 1)
		return 0;
	chunk = (size_t)(data[0] % 64) + 1;
	watchstream_init(&ws, 4096, on_event, &seen);
	while (off < size) {
		struct mtv_err err = { 0 };
		size_t n = size - off < chunk ? size - off : chunk;

		if (watchstream_feed(&ws, (const char *)data + off, n, &err) < 0)
			watchstream_reset(&ws);
		off += n;
		(void)watchstream_pending(&ws);
	}
	watchstream_release(&ws);
	return 0;
}
