#include "watchstream.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

void watchstream_init(struct watchstream *ws, size_t max_event, watchstream_event_fn fn,
		      void *arg)
{
	buf_init(&ws->line, max_event ? max_event : WATCHSTREAM_DEFAULT_MAX);
	ws->fn = fn;
	ws->arg = arg;
	ws->events = 0;
}

void watchstream_release(struct watchstream *ws)
{
	buf_release(&ws->line);
}

void watchstream_reset(struct watchstream *ws)
{
	buf_reset(&ws->line);
}

size_t watchstream_pending(const struct watchstream *ws)
{
	return ws->line.len;
}

/* The start of a bad line, made printable, for the error message. */
static void quote_start(char *dst, size_t n, const char *s, size_t len)
{
	char tmp[64];
	size_t k = len < sizeof(tmp) - 1 ? len : sizeof(tmp) - 1;

	memcpy(tmp, s, k);
	tmp[k] = '\0';
	log_sanitize(dst, n, tmp);
}

static int deliver(struct watchstream *ws, const char *line, size_t len, struct mtv_err *err)
{
	cJSON *ev, *type, *obj;
	char q[80];
	int r;

	while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
		len--;
	if (!len)
		return 0;
	ev = cJSON_ParseWithLength(line, len);
	type = cJSON_GetObjectItemCaseSensitive(ev, "type");
	obj = cJSON_GetObjectItemCaseSensitive(ev, "object");
	if (!cJSON_IsString(type) || !cJSON_IsObject(obj)) {
		quote_start(q, sizeof(q), line, len);
		cJSON_Delete(ev);
		return mtv_err_set(err, MTV_EXIT_ENV,
				   "watch stream: malformed event (expected {\"type\":..,\"object\":{..}}): %s%s",
				   q, len > 63 ? "..." : "");
	}
	ws->events++;
	r = ws->fn ? ws->fn(type->valuestring, obj, ws->arg, err) : 0;
	cJSON_Delete(ev);
	return r;
}

int watchstream_feed(struct watchstream *ws, const char *data, size_t len, struct mtv_err *err)
{
	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t take = nl ? (size_t)(nl - data) : len;
		int r;

		if (buf_add(&ws->line, data, take) < 0) {
			buf_reset(&ws->line);
			return mtv_err_set(err, MTV_EXIT_ENV,
					   "watch stream: event larger than %zu bytes", ws->line.max);
		}
		if (!nl)
			return 0;
		data += take + 1;
		len -= take + 1;
		r = deliver(ws, buf_str(&ws->line), ws->line.len, err);
		buf_reset(&ws->line);
		if (r)
			return r;	/* stop (the rest of the chunk is dropped) or error */
	}
	return 0;
}
