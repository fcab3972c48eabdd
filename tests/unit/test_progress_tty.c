#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "progress_tty.h"

/* A Plan with n VMs: vm-0 at DiskTransferV2v 30/120, the rest pending, and
 * vm-<failed> failed at DiskTransferV2v when failed >= 0. */
static cJSON *plan(int n, int failed)
{
	struct buf b = BUF_INIT(1 << 20);
	cJSON *p;

	buf_addstr(&b, "{\"metadata\":{\"name\":\"p1\"},\"status\":{\"conditions\":[{\"type\":\"Executing\",\"status\":\"True\"}],"
		       "\"migration\":{\"vms\":[");
	for (int i = 0; i < n; i++) {
		if (i == 0)
			buf_addstr(&b, "{\"name\":\"vm-0\",\"phase\":\"CopyDisks\",\"pipeline\":["
				       "{\"name\":\"Initialize\",\"phase\":\"Completed\",\"started\":\"x\"},"
				       "{\"name\":\"DiskTransferV2v\",\"phase\":\"Running\",\"started\":\"x\","
				       "\"progress\":{\"completed\":30,\"total\":120}}]}");
		else if (i == failed)
			buf_addf(&b, ",{\"name\":\"vm-%d\",\"phase\":\"Completed\",\"error\":{},\"pipeline\":["
				     "{\"name\":\"DiskTransferV2v\",\"phase\":\"Completed\",\"error\":{\"reasons\":[\"x\"]},"
				     "\"progress\":{\"completed\":5,\"total\":10}}]}", i);
		else
			buf_addf(&b, ",{\"name\":\"vm-%d\",\"phase\":\"Pending\",\"pipeline\":["
				     "{\"name\":\"Initialize\",\"phase\":\"Pending\"}]}", i);
	}
	buf_addstr(&b, "]}}}");
	p = cJSON_Parse(buf_str(&b));
	buf_release(&b);
	assert_non_null(p);
	return p;
}

static void test_a_line_per_vm(void **state)
{
	struct progress_tty v = { 0 };
	struct buf out = BUF_INIT(1 << 20);
	cJSON *p = plan(3, 2);

	(void)state;
	progress_tty_frame(&v, p, 24, 0, &out);
	assert_int_equal(v.drawn, 4);
	assert_non_null(strstr(buf_str(&out), "Plan p1: Executing, 1/3 VMs done, 1 failed"));
	assert_non_null(strstr(buf_str(&out), "DiskTransferV2v Running  disk  25%"));
	/* the failed VM comes first */
	assert_true(strstr(buf_str(&out), "vm-2") < strstr(buf_str(&out), "vm-0"));
	assert_non_null(strstr(buf_str(&out), "Failed"));
	/* the first frame does not move up; the next goes back over 4 lines */
	assert_null(strstr(buf_str(&out), "A\r"));
	buf_reset(&out);
	progress_tty_frame(&v, p, 24, 0, &out);
	assert_true(strncmp(buf_str(&out), "\033[4A\r\033[J", 8) == 0);
	buf_release(&out);
	cJSON_Delete(p);
	cJSON_Delete(v.plans);
}

static void test_capped_to_the_terminal(void **state)
{
	struct buf out = BUF_INIT(1 << 20);
	cJSON *p = plan(100, -1), *plans = cJSON_CreateObject();
	int n;

	(void)state;
	cJSON_AddItemToObject(plans, "p1", p);
	progress_tty_lines(plans, 10, 40, &out, &n);
	assert_int_equal(n, 10);
	/* header, 8 VMs, and the rest counted */
	assert_non_null(strstr(buf_str(&out), "  ... and 92 more\033[K\n"));
	/* each line cut to 40 columns */
	for (const char *l = buf_str(&out); *l;) {
		const char *e = strstr(l, "\033[K\n");

		assert_non_null(e);
		assert_true(e - l <= 40);
		l = e + 4;
	}
	buf_release(&out);
	cJSON_Delete(plans);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_line_per_vm),
		cmocka_unit_test(test_capped_to_the_terminal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
