/* The watch stream parser: events split over chunks, several per chunk,
 * partial lines, oversized and malformed events. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "watchstream.h"

struct seen {
	char log[4096];
	int n;
	int stop_after;
};

static int collect(const char *type, cJSON *object, void *arg, struct mtv_err *err)
{
	struct seen *s = arg;
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(object, "metadata");
	const cJSON *rv = cJSON_GetObjectItemCaseSensitive(md, "resourceVersion");
	size_t len = strlen(s->log);

	(void)err;
	snprintf(s->log + len, sizeof(s->log) - len, "%s%s:%s", len ? " " : "", type,
		 cJSON_IsString(rv) ? rv->valuestring : "-");
	s->n++;
	return s->stop_after && s->n >= s->stop_after;
}

#define EV(type, rv) "{\"type\":\"" type "\",\"object\":{\"metadata\":{\"resourceVersion\":\"" rv "\"}}}"

static void test_split_across_chunks(void **state)
{
	const char *stream = EV("ADDED", "1") "\n" EV("MODIFIED", "2") "\n";
	struct seen s = { 0 };
	struct watchstream ws;
	struct mtv_err err;

	(void)state;
	/* Byte by byte: the worst possible chunking. */
	watchstream_init(&ws, 0, collect, &s);
	for (size_t i = 0; stream[i]; i++)
		assert_int_equal(watchstream_feed(&ws, stream + i, 1, &err), 0);
	assert_string_equal(s.log, "ADDED:1 MODIFIED:2");
	assert_int_equal(watchstream_pending(&ws), 0);
	watchstream_release(&ws);
}

static void test_several_per_chunk_and_partial_tail(void **state)
{
	const char *chunk1 = EV("ADDED", "1") "\n" EV("MODIFIED", "2") "\r\n\n" "{\"type\":\"DEL";
	const char *chunk2 = "ETED\",\"object\":{\"metadata\":{\"resourceVersion\":\"3\"}}}\n" EV("BOOKMARK", "4");
	struct seen s = { 0 };
	struct watchstream ws;
	struct mtv_err err;

	(void)state;
	watchstream_init(&ws, 0, collect, &s);
	assert_int_equal(watchstream_feed(&ws, chunk1, strlen(chunk1), &err), 0);
	assert_string_equal(s.log, "ADDED:1 MODIFIED:2");
	assert_true(watchstream_pending(&ws) > 0);
	assert_int_equal(watchstream_feed(&ws, chunk2, strlen(chunk2), &err), 0);
	/* The last event has no newline yet: not delivered. */
	assert_string_equal(s.log, "ADDED:1 MODIFIED:2 DELETED:3");
	assert_int_equal(watchstream_feed(&ws, "\n", 1, &err), 0);
	assert_string_equal(s.log, "ADDED:1 MODIFIED:2 DELETED:3 BOOKMARK:4");
	assert_int_equal(ws.events, 4);
	watchstream_release(&ws);
}

static void test_reset_drops_partial_event(void **state)
{
	struct seen s = { 0 };
	struct watchstream ws;
	struct mtv_err err;

	(void)state;
	watchstream_init(&ws, 0, collect, &s);
	assert_int_equal(watchstream_feed(&ws, "{\"type\":\"ADD", 12, &err), 0);
	watchstream_reset(&ws);
	assert_int_equal(watchstream_feed(&ws, EV("ADDED", "9") "\n", strlen(EV("ADDED", "9")) + 1,
					  &err), 0);
	assert_string_equal(s.log, "ADDED:9");
	watchstream_release(&ws);
}

static void test_oversized_event(void **state)
{
	char big[300];
	struct seen s = { 0 };
	struct watchstream ws;
	struct mtv_err err;

	(void)state;
	memset(big, 'x', sizeof(big));
	watchstream_init(&ws, 256, collect, &s);
	assert_int_equal(watchstream_feed(&ws, EV("ADDED", "1") "\n", strlen(EV("ADDED", "1")) + 1,
					  &err), 0);
	assert_int_equal(watchstream_feed(&ws, big, 200, &err), 0);
	assert_int_equal(watchstream_feed(&ws, big, 100, &err), -1);
	assert_int_equal(err.code, MTV_EXIT_ENV);
	assert_string_equal(err.msg, "watch stream: event larger than 256 bytes");
	assert_string_equal(s.log, "ADDED:1");
	watchstream_release(&ws);
}

static void test_malformed_event(void **state)
{
	struct seen s = { 0 };
	struct watchstream ws;
	struct mtv_err err;

	(void)state;
	watchstream_init(&ws, 0, collect, &s);
	assert_int_equal(watchstream_feed(&ws, "not json\n", 9, &err), -1);
	assert_non_null(strstr(err.msg, "malformed event"));
	assert_non_null(strstr(err.msg, "not json"));
	assert_int_equal(watchstream_feed(&ws, "{\"type\":\"ADDED\"}\n", 17, &err), -1);
	assert_int_equal(s.n, 0);
	watchstream_release(&ws);
}

static void test_callback_stop(void **state)
{
	const char *chunk = EV("ADDED", "1") "\n" EV("MODIFIED", "2") "\n" EV("MODIFIED", "3") "\n";
	struct seen s = { .stop_after = 2 };
	struct watchstream ws;
	struct mtv_err err;

	(void)state;
	watchstream_init(&ws, 0, collect, &s);
	assert_int_equal(watchstream_feed(&ws, chunk, strlen(chunk), &err), 1);
	assert_string_equal(s.log, "ADDED:1 MODIFIED:2");
	watchstream_release(&ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_across_chunks),
		cmocka_unit_test(test_several_per_chunk_and_partial_tail),
		cmocka_unit_test(test_reset_drops_partial_event),
		cmocka_unit_test(test_oversized_event),
		cmocka_unit_test(test_malformed_event),
		cmocka_unit_test(test_callback_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
