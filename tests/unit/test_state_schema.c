/* lib/json_schema and the state-file tables of lib/state_schema: every
 * problem is found and named by its key path. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "json.h"
#include "state_schema.h"

/* The message state_schema_check gives for text as file, or "" when none. */
static const char *check(const char *file, const char *text)
{
	static struct mtv_err err;
	cJSON *doc = NULL;
	int r;

	memset(&err, 0, sizeof(err));
	assert_int_equal(json_parse(text, strlen(text), file, &doc, &err), 0);
	r = state_schema_check(file, doc, file, &err);
	cJSON_Delete(doc);
	if (r == 0)
		return "";
	assert_int_equal(err.code, MTV_EXIT_USAGE);
	return err.msg;
}

static void test_plan(void **state)
{
	(void)state;
	assert_string_equal(check("mtv-plan.json", "{\"name\": \"p\", \"namespace\": \"n\", \"warm\": true,"
				  " \"vms\": [{\"id\": \"vm-1\", \"name\": \"a\"}], \"later\": 1}"), "");
	assert_string_equal(check("mtv-plan.json", "[]"), "mtv-plan.json: expected a JSON object, got array");
	assert_string_equal(check("mtv-plan.json", "{\"namespace\": \"n\", \"vms\": []}"),
			    "mtv-plan.json: name: missing");
	assert_string_equal(check("mtv-plan.json", "{\"name\": \"p\", \"namespace\": \"n\", \"warm\": \"yes\", \"vms\": []}"),
			    "mtv-plan.json: warm: expected boolean, got string");
	assert_string_equal(check("mtv-plan.json", "{\"name\": \"p\", \"namespace\": \"n\","
				  " \"vms\": [{\"name\": \"a\"}, {\"name\": 7}]}"),
			    "mtv-plan.json: vms[1].name: expected string, got number");
	assert_string_equal(check("mtv-plan.json", "{\"name\": \"p\", \"namespace\": \"n\", \"vms\": [\"a\"]}"),
			    "mtv-plan.json: vms[0]: expected object, got string");
}

static void test_nested_and_members(void **state)
{
	(void)state;
	assert_string_equal(check("mtv-providers.json", "{\"source\": {\"name\": \"s\", \"type\": \"vsphere\"},"
				  " \"destination\": {\"name\": \"d\"}}"),
			    "mtv-providers.json: source.uid: missing");
	assert_string_equal(check("mtv-maps.json", "{\"networkMap\": {\"name\": \"m\", \"namespace\": \"n\","
				  " \"nads\": [\"a\", null]}}"),
			    "mtv-maps.json: networkMap.nads[1]: expected string, got null");
	/* the ledger: every kind is a list of entries */
	assert_string_equal(check("mtv-resources.json", "{\"Plan\": [{\"name\": \"p\"}], \"Secret\": {}}"),
			    "mtv-resources.json: Secret: expected array, got object");
	assert_string_equal(check("mtv-resources.json", "{\"Plan\": [{\"name\": \"p\", \"namespace\": 1}]}"),
			    "mtv-resources.json: Plan[0].namespace: expected string, got number");
	assert_string_equal(check("mtv-edits.json", "{\"edits\": [{\"kind\": \"ForkliftController\","
				  " \"apiVersion\": \"v1\", \"name\": \"x\", \"path\": \"spec.a\", \"previous\": null}]}"), "");
	assert_string_equal(check("mtv-edits.json", "{\"edits\": [{\"kind\": \"K\", \"name\": \"x\", \"path\": \"p\"}]}"),
			    "mtv-edits.json: edits[0].apiVersion: missing");
	assert_string_equal(check("mtv-guest-checks.json", "{\"vms\": [{\"name\": \"v\", \"failed\": true,"
				  " \"commands\": [{\"command\": \"hostname\", \"exitStatus\": 0, \"stdout\": \"v\\n\"}]}]}"), "");
	assert_string_equal(check("mtv-guest-checks.json", "{\"vms\": [{\"name\": \"v\", \"failed\": \"yes\"}]}"),
			    "mtv-guest-checks.json: vms[0].failed: expected boolean, got string");
	assert_string_equal(check("mtv-guest-checks.json", "{\"vms\": [{\"name\": \"v\", \"commands\": [{\"stdout\": 1}]}]}"),
			    "mtv-guest-checks.json: vms[0].commands[0].command: missing");
	/* a file no table names is not checked */
	assert_string_equal(check("notes.json", "[1, 2]"), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_nested_and_members),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
