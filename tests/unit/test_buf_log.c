#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"

static void test_buffer_cap_is_enforced_and_content_kept(void **state)
{
	(void)state;
	struct buf b;

	buf_init(&b, 8);
	assert_int_equal(buf_addstr(&b, "12345"), 0);
	assert_int_equal(buf_addf(&b, "%d", 678), 0);
	assert_string_equal(buf_str(&b), "12345678");
	assert_int_equal(buf_addch(&b, '9'), -1);
	assert_int_equal(buf_addf(&b, "%s", "more"), -1);
	assert_string_equal(buf_str(&b), "12345678");
	buf_consume(&b, 5);
	assert_string_equal(buf_str(&b), "678");
	assert_int_equal(b.len, 3);
	char *owned = buf_take(&b);
	assert_string_equal(owned, "678");
	assert_null(b.data);
	assert_string_equal(buf_str(&b), "");
	free(owned);
	buf_release(&b);
}

static void test_buffer_grows_across_many_appends(void **state)
{
	(void)state;
	struct buf b = BUF_INIT(1 << 20);

	for (int i = 0; i < 10000; i++)
		assert_int_equal(buf_addf(&b, "%04d", i % 10000), 0);
	assert_int_equal(b.len, 40000);
	assert_memory_equal(b.data + 39996, "9999", 4);
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	buf_release(&b);
}

static void test_sanitize_replaces_control_characters(void **state)
{
	(void)state;
	char out[64];

	log_sanitize(out, sizeof(out), "pod\x1b[2Jlog\r\nFAKE 2026 INFO\tok\x7f");
	assert_string_equal(out, "pod?[2Jlog??FAKE 2026 INFO\tok?");
	log_sanitize(out, 4, "abcdef");
	assert_string_equal(out, "abc");
}

static void test_level_from_environment(void **state)
{
	(void)state;
	struct mtv_err err;

	assert_int_equal(log_level_parse("TRACE"), LOG_TRACE);
	assert_int_equal(log_level_parse("warning"), LOG_WARN);
	assert_int_equal(log_level_parse("verbose"), -1);
	setenv("MTV_LOG_LEVEL", "debug", 1);
	assert_int_equal(log_init("/usr/bin/mtv-plan", &err), 0);
	assert_true(log_enabled(LOG_DEBUG));
	assert_false(log_enabled(LOG_TRACE));
	setenv("MTV_LOG_LEVEL", "loud", 1);
	assert_int_equal(log_init("mtv-plan", &err), -1);
	assert_int_equal(err.code, MTV_EXIT_USAGE);
	assert_non_null(strstr(err.msg, "MTV_LOG_LEVEL: unknown level 'loud'"));
	assert_true(log_enabled(LOG_INFO));
	assert_false(log_enabled(LOG_DEBUG));
	unsetenv("MTV_LOG_LEVEL");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buffer_cap_is_enforced_and_content_kept),
		cmocka_unit_test(test_buffer_grows_across_many_appends),
		cmocka_unit_test(test_sanitize_replaces_control_characters),
		cmocka_unit_test(test_level_from_environment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
