/* Splitting a scenario's VMs into several Plans (lib/plan_objects.c
 * plan_split, plan_part_name): mtv-api-tests' prepared_plan_1/_2 layout
 * when there are as many VMs as plans, contiguous even runs otherwise. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "plan_objects.h"

/* "first+len" of every plan of a split, "0+1 1+1". */
static void layout(size_t nvms, size_t count, char *out, size_t outsz)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < count; i++) {
		size_t first, len;

		plan_split(nvms, count, i, &first, &len);
		used += (size_t)snprintf(out + used, outsz - used, "%s%zu+%zu", i ? " " : "", first, len);
	}
}

static void test_one_vm_per_plan_as_mtv_api_tests(void **state)
{
	char got[256];

	(void)state;
	/* prepared_plan_1 = VM 0, prepared_plan_2 = VM 1 */
	layout(2, 2, got, sizeof(got));
	assert_string_equal(got, "0+1 1+1");
	layout(3, 3, got, sizeof(got));
	assert_string_equal(got, "0+1 1+1 2+1");
}

static void test_one_plan_takes_every_vm(void **state)
{
	char got[256];

	(void)state;
	layout(1, 1, got, sizeof(got));
	assert_string_equal(got, "0+1");
	layout(7, 1, got, sizeof(got));
	assert_string_equal(got, "0+7");
}

static void test_uneven_splits_front_load(void **state)
{
	char got[256];

	(void)state;
	layout(5, 2, got, sizeof(got));
	assert_string_equal(got, "0+3 3+2");
	layout(7, 3, got, sizeof(got));
	assert_string_equal(got, "0+3 3+2 5+2");
	layout(20, 2, got, sizeof(got));
	assert_string_equal(got, "0+10 10+10");
}

/* Every VM in exactly one plan, in order, for every small n and count. */
static void test_split_covers_every_vm_once(void **state)
{
	(void)state;
	for (size_t n = 1; n <= 40; n++) {
		for (size_t k = 1; k <= n; k++) {
			size_t next = 0, minlen = n, maxlen = 0;

			for (size_t i = 0; i < k; i++) {
				size_t first, len;

				plan_split(n, k, i, &first, &len);
				assert_int_equal(first, next);
				assert_true(len >= 1);
				next = first + len;
				minlen = len < minlen ? len : minlen;
				maxlen = len > maxlen ? len : maxlen;
			}
			assert_int_equal(next, n);
			assert_true(maxlen - minlen <= 1);
		}
	}
}

static void test_part_names(void **state)
{
	char out[128], long_first[64];
	struct mtv_err err;

	(void)state;
	assert_int_equal(plan_part_name("auto-ab12-x9y8-cold", 0, out, sizeof(out), &err), 0);
	assert_string_equal(out, "auto-ab12-x9y8-cold");
	assert_int_equal(plan_part_name("auto-ab12-x9y8-cold", 1, out, sizeof(out), &err), 0);
	assert_string_equal(out, "auto-ab12-x9y8-cold-2");
	assert_int_equal(plan_part_name("auto-ab12-x9y8-cold", 9, out, sizeof(out), &err), 0);
	assert_string_equal(out, "auto-ab12-x9y8-cold-10");
	/* a 63-character first name: the suffix stays, the front goes */
	memset(long_first, 'a', 63);
	long_first[63] = '\0';
	assert_int_equal(plan_part_name(long_first, 1, out, sizeof(out), &err), 0);
	assert_int_equal(strlen(out), 63);
	assert_true(names_is_dns1123_label(out));
	assert_string_equal(out + 61, "-2");
	/* too long for the buffer: refused, not cut */
	assert_int_equal(plan_part_name("auto-ab12-x9y8-cold", 1, out, 10, &err), -1);
	assert_int_equal(err.code, MTV_EXIT_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_vm_per_plan_as_mtv_api_tests),
		cmocka_unit_test(test_one_plan_takes_every_vm),
		cmocka_unit_test(test_uneven_splits_front_load),
		cmocka_unit_test(test_split_covers_every_vm_once),
		cmocka_unit_test(test_part_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
