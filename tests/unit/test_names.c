#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "names.h"

static void test_session_id_shape(void **state)
{
	(void)state;
	char id[16], other[16];
	struct mtv_err err;

	assert_int_equal(names_session_id(id, sizeof(id), &err), 0);
	assert_int_equal(strlen(id), NAMES_SESSION_LEN);
	assert_memory_equal(id, "auto-", 5);
	for (int i = 5; i < 9; i++)
		assert_true((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9'));
	assert_true(names_is_dns1123_label(id));
	/* 36^4 ids: twenty draws that all collide would mean no randomness. */
	int differs = 0;
	for (int i = 0; i < 20 && !differs; i++) {
		assert_int_equal(names_session_id(other, sizeof(other), &err), 0);
		differs = strcmp(id, other) != 0;
	}
	assert_true(differs);
	assert_int_equal(names_session_id(id, 9, &err), -1);
}

static void test_dns1123_sanitising(void **state)
{
	(void)state;
	char out[64];

	assert_int_equal(names_dns1123("MTV_Tests.RHEL8", out, sizeof(out)), 0);
	assert_string_equal(out, "mtv-tests-rhel8");
	assert_int_equal(names_dns1123("__Win 2019!!__", out, sizeof(out)), 0);
	assert_string_equal(out, "win-2019");
	assert_int_equal(names_dns1123("___", out, sizeof(out)), -1);
	/* 70 characters cut to 63, and a '-' left at the cut is stripped. */
	assert_int_equal(names_dns1123("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbb",
				       out, sizeof(out)), 0);
	assert_int_equal(strlen(out), 62);
	assert_true(names_is_dns1123_label(out));
	assert_int_equal(names_dns1123("abc", out, 3), -1);
}

static void test_keep_last_63(void **state)
{
	(void)state;
	char name[128] = "auto-ab12-source-vsphere-8-0-1-mtv-tests-rhel8-4f2a9c1d-e2b1-cold";
	char shorter[] = "auto-ab12-plan-cold";
	size_t len = strlen(name);

	assert_int_equal(names_keep_last63(shorter), 0);
	assert_string_equal(shorter, "auto-ab12-plan-cold");
	assert_int_equal(names_keep_last63(name), 1);
	assert_int_equal(strlen(name), 63);
	assert_string_equal(name + 63 - 5, "-cold");
	assert_true(len > 63);
	/* The cut may land on '-': a name cannot start with one. */
	char dash[80];
	memset(dash, 'x', 10);
	dash[10] = '-';
	memset(dash + 11, 'y', 62);
	dash[73] = '\0';
	assert_int_equal(names_keep_last63(dash), 1);
	assert_int_equal(dash[0], 'y');
	assert_true(names_is_dns1123_label(dash));
}

static void test_label_validation(void **state)
{
	(void)state;
	assert_true(names_is_dns1123_label("a"));
	assert_true(names_is_dns1123_label("auto-x1-cold"));
	assert_false(names_is_dns1123_label(""));
	assert_false(names_is_dns1123_label("-a"));
	assert_false(names_is_dns1123_label("a-"));
	assert_false(names_is_dns1123_label("A"));
	assert_false(names_is_dns1123_label("a.b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_id_shape),
		cmocka_unit_test(test_dns1123_sanitising),
		cmocka_unit_test(test_keep_last_63),
		cmocka_unit_test(test_label_validation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
