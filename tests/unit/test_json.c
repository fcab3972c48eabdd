#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "json.h"

static cJSON *parse(const char *s)
{
	struct mtv_err err;
	cJSON *root = NULL;

	assert_int_equal(json_parse(s, strlen(s), "test", &root, &err), 0);
	return root;
}

static void test_dotted_paths(void **state)
{
	(void)state;
	cJSON *root = parse("{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"},"
			    "{\"type\":\"Critical\"}]},\"metadata\":{\"labels\":"
			    "{\"app.kubernetes.io/name\":\"x\"}}}");

	assert_string_equal(json_str(root, "status.conditions[1].type", NULL), "Critical");
	assert_string_equal(json_str(root, "metadata.labels[\"app.kubernetes.io/name\"]", NULL), "x");
	assert_null(json_get(root, "status.conditions[2]"));
	assert_null(json_get(root, "status.missing.deeper"));
	assert_null(json_get(root, "status..conditions"));
	assert_null(json_get(root, "status.conditions[-1]"));
	assert_non_null(json_condition(json_get(root, "status.conditions"), "Ready"));
	assert_null(json_condition(json_get(root, "status.conditions"), "Failed"));
	assert_true(json_condition_is(json_get(root, "status.conditions"), "Ready", "True"));
	assert_false(json_condition_is(json_get(root, "status.conditions"), "Ready", "False"));
	/* A condition without a status is not True; a missing one is not anything. */
	assert_false(json_condition_is(json_get(root, "status.conditions"), "Critical", "True"));
	assert_false(json_condition_is(json_get(root, "status.conditions"), "Failed", "True"));
	assert_false(json_condition_is(NULL, "Ready", "True"));
	cJSON_Delete(root);
}

static void test_typed_getters_name_path_and_type(void **state)
{
	(void)state;
	cJSON *root = parse("{\"spec\":{\"url\":5,\"warm\":true,\"n\":2.5,\"m\":7}}");
	struct mtv_err err;
	const char *s = "unset";
	long long n;
	bool b;

	assert_int_equal(json_get_string(root, "spec.url", &s, &err), -1);
	assert_string_equal(err.msg, "spec.url: expected string, got number");
	assert_int_equal(err.code, MTV_EXIT_USAGE);
	assert_int_equal(json_get_string(root, "spec.name", &s, &err), -1);
	assert_string_equal(err.msg, "spec.name: missing");
	assert_int_equal(json_get_string_opt(root, "spec.name", &s, &err), 0);
	assert_string_equal(s, "unset");
	assert_int_equal(json_get_bool(root, "spec.warm", &b, &err), 0);
	assert_true(b);
	assert_int_equal(json_get_int(root, "spec.n", &n, &err), -1);
	assert_string_equal(err.msg, "spec.n: expected integer, got 2.5");
	assert_int_equal(json_get_int(root, "spec.m", &n, &err), 0);
	assert_int_equal(n, 7);
	assert_int_equal(json_get_bool(root, "spec.m", &b, &err), -1);
	assert_string_equal(err.msg, "spec.m: expected boolean, got number");
	cJSON_Delete(root);
}

static void test_parse_errors_have_line_and_column(void **state)
{
	(void)state;
	struct mtv_err err;
	cJSON *root = NULL;
	const char *bad = "{\n  \"a\": 1,\n  \"b\": tru\n}";

	assert_int_equal(json_parse(bad, strlen(bad), ".providers.json", &root, &err), -1);
	assert_string_equal(err.msg, ".providers.json:3:8: invalid JSON");
	assert_int_equal(json_parse("{} x", 4, "f", &root, &err), -1);
	assert_string_equal(err.msg, "f:1:4: invalid JSON");
	assert_int_equal(json_parse("", 0, "f", &root, &err), -1);
	assert_string_equal(err.msg, "f: empty, expected JSON");
}

static void test_set_creates_intermediate_objects(void **state)
{
	(void)state;
	cJSON *root = cJSON_CreateObject();
	struct mtv_err err;

	assert_int_equal(json_set(root, "metadata.labels[\"mtv-steps/session\"]",
				  cJSON_CreateString("auto-ab12"), &err), 0);
	assert_int_equal(json_set(root, "metadata.name", cJSON_CreateString("p"), &err), 0);
	assert_int_equal(json_set(root, "metadata.name", cJSON_CreateString("q"), &err), 0);
	assert_string_equal(json_str(root, "metadata.labels[\"mtv-steps/session\"]", NULL), "auto-ab12");
	assert_string_equal(json_str(root, "metadata.name", NULL), "q");
	assert_int_equal(json_set(root, "metadata.name.x", cJSON_CreateString("r"), &err), -1);
	cJSON_Delete(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dotted_paths),
		cmocka_unit_test(test_typed_getters_name_path_and_type),
		cmocka_unit_test(test_parse_errors_have_line_and_column),
		cmocka_unit_test(test_set_creates_intermediate_objects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
