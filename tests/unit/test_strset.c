/* lib/strset: membership survives growth, duplicates are refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "strset.h"

static void test_add_and_has(void **state)
{
	struct strset s = STRSET_INIT;
	char key[64];

	(void)state;
	assert_false(strset_has(&s, "x"));	/* an empty set has no table yet */
	/* Enough keys to grow the table several times. */
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "pods/ns-%d/vm-%d", i % 7, i);
		assert_int_equal(strset_add(&s, key), 1);
	}
	assert_int_equal(s.n, 5000);
	assert_true(s.cap >= 2 * s.n);
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "pods/ns-%d/vm-%d", i % 7, i);
		assert_true(strset_has(&s, key));
		assert_int_equal(strset_add(&s, key), 0);
		snprintf(key, sizeof(key), "pods/ns-%d/vm-%d", (i + 1) % 7, i);
		assert_false(strset_has(&s, key));
	}
	assert_int_equal(s.n, 5000);
	assert_int_equal(strset_add(&s, ""), 1);	/* the empty string is a key like any */
	assert_true(strset_has(&s, ""));
	strset_release(&s);
	assert_int_equal(s.n, 0);
	assert_false(strset_has(&s, "pods/ns-0/vm-0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_has),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
