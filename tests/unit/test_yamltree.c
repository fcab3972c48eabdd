/* lib/yamltree: the one libyaml front end (kubeconfig, hooks, mtv-run, the
 * sim's CRDs). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "yamltree.h"

static void test_to_json_types_scalars_as_kubectl(void **state)
{
	const char *y = "a: 1\nb: -2.5\nc: true\nd: False\ne: ~\nf:\ng: \"3\"\nh: yes\n"
			"i: [x, 'true']\nj: {k: null}\n";
	struct arena a;
	struct ynode *root;
	struct mtv_err err;
	cJSON *j;
	char *s;

	(void)state;
	arena_init(&a);
	assert_int_equal(ytree_parse(&a, y, strlen(y), "t", &root, &err), 0);
	assert_int_equal(root->type, Y_MAP);
	assert_int_equal(ymap_get(root, "c")->line, 3);
	assert_null(ynode_str(ymap_get(root, "e")));
	assert_string_equal(ynode_str(ymap_get(root, "g")), "3");
	j = ytree_to_json(root);
	s = cJSON_PrintUnformatted(j);
	assert_string_equal(s, "{\"a\":1,\"b\":-2.5,\"c\":true,\"d\":false,\"e\":null,\"f\":null,"
			       "\"g\":\"3\",\"h\":\"yes\",\"i\":[\"x\",\"true\"],\"j\":{\"k\":null}}");
	free(s);
	cJSON_Delete(j);
	arena_release(&a);
}

static void test_strict_and_lenient(void **state)
{
	const char *alias = "a: &x {b: 1}\nc: *x\n", *dup = "a: 1\na: 2\n";
	struct arena a;
	struct ynode *root;
	struct mtv_err err;

	(void)state;
	arena_init(&a);
	assert_int_equal(ytree_parse(&a, alias, strlen(alias), "t", &root, &err), -1);
	assert_string_equal(err.msg, "t:2: YAML aliases are not supported");
	assert_int_equal(ytree_parse(&a, dup, strlen(dup), "t", &root, &err), -1);
	assert_string_equal(err.msg, "t:2: duplicate key \"a\"");
	assert_int_equal(ytree_parse_flags(&a, alias, strlen(alias), "t", YTREE_LENIENT, &root, &err), 0);
	assert_string_equal(ynode_str(ymap_get(ymap_get(root, "c"), "b")), "1");
	/* libyaml's loader kept both; the first is the one found. */
	assert_int_equal(ytree_parse_flags(&a, dup, strlen(dup), "t", YTREE_LENIENT, &root, &err), 0);
	assert_string_equal(ynode_str(ymap_get(root, "a")), "1");
	/* An alias inside the node it names is undefined, not a cycle. */
	assert_int_equal(ytree_parse_flags(&a, "a: &x [*x]\n", 11, "t", YTREE_LENIENT, &root, &err), -1);
	assert_string_equal(err.msg, "t:1:8: found undefined alias x");
	assert_int_equal(ytree_parse(&a, "a: [\n", 5, "t", &root, &err), -1);
	assert_non_null(strstr(err.msg, "t:2:1: "));
	assert_int_equal(ytree_parse(&a, "", 0, "t", &root, &err), 0);
	assert_true(root->is_null);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_to_json_types_scalars_as_kubectl),
		cmocka_unit_test(test_strict_and_lenient),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
