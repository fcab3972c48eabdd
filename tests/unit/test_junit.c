#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "junit.h"

static char *escaped(const char *in)
{
	struct buf b = BUF_INIT(4096);

	assert_int_equal(junit_escape(&b, in), 0);
	return buf_take(&b);
}

static void test_escapes_xml_specials(void **state)
{
	(void)state;
	char *s = escaped("<a href=\"x\">Tom & Jerry's</a>");

	assert_string_equal(s, "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;");
	free(s);
}

static void test_control_characters_cannot_break_the_document(void **state)
{
	(void)state;
	/* ESC, BEL, NUL-adjacent bytes and invalid UTF-8 from a server log. */
	char *s = escaped("ok\x1b[31mred\x07\nline2\ttab\xff\xfe end é");

	assert_string_equal(s, "ok?[31mred?&#10;line2&#9;tab?? end é");
	free(s);
}

static void test_render_counts_and_elements(void **state)
{
	(void)state;
	struct junit_suite s;
	char *doc;

	junit_suite_init(&s, "mtv-check-vms");
	junit_add(&s, NULL, "vm mtv-tests-rhel8: cpu", 0.5, JUNIT_PASSED, NULL, NULL, NULL);
	junit_add(&s, NULL, "vm mtv-tests-rhel8: memory", 1.25, JUNIT_FAILED,
		  "memory 2048Mi != 4096Mi", "source 4096Mi\ndestination 2048Mi", NULL);
	junit_add(&s, "ssh", "vm mtv-tests-rhel8: ssh", 0, JUNIT_SKIPPED, "no guest credentials",
		  NULL, "log <tail>");
	assert_int_equal(junit_count(&s, JUNIT_FAILED), 1);
	doc = junit_render(&s);
	assert_non_null(strstr(doc, "<testsuites tests=\"3\" failures=\"1\" skipped=\"1\" time=\"1.750\">"));
	assert_non_null(strstr(doc, "<testsuite name=\"mtv-check-vms\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""));
	assert_non_null(strstr(doc, "<testcase name=\"vm mtv-tests-rhel8: cpu\" classname=\"mtv-check-vms\" time=\"0.500\"/>"));
	assert_non_null(strstr(doc, "<failure message=\"memory 2048Mi != 4096Mi\">source 4096Mi&#10;destination 2048Mi</failure>"));
	assert_non_null(strstr(doc, "<skipped message=\"no guest credentials\"/>"));
	assert_non_null(strstr(doc, "<system-out>log &lt;tail&gt;</system-out>"));
	free(doc);
	junit_suite_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes_xml_specials),
		cmocka_unit_test(test_control_characters_cannot_break_the_document),
		cmocka_unit_test(test_render_counts_and_elements),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
