#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

static char catalog[4096];

static cJSON *parse(const char *s)
{
	cJSON *j = cJSON_Parse(s);

	assert_non_null(j);
	return j;
}

/* Validate a raw plan and return the message ("" when valid). */
static const char *check(const char *plan)
{
	static struct mtv_err err;
	cJSON *j = parse(plan);
	int r = scenario_validate(j, "f: s", &err);

	cJSON_Delete(j);
	if (r == 0)
		return "";
	assert_int_equal(err.code, MTV_EXIT_USAGE);
	return err.msg;
}

static void test_shipped_catalog_loads_every_tier0_scenario(void **state)
{
	(void)state;
	const char *names[] = { "test_sanity_cold_mtv_migration", "test_sanity_warm_mtv_migration",
				"test_mtv_migration_warm_2disks2nics", "test_cold_migration_comprehensive",
				"test_warm_migration_comprehensive", "test_post_hook_retain_failed_vm" };
	struct scenario s;
	struct mtv_err err;

	snprintf(catalog, sizeof(catalog), "%s/shared/tests_params.json", getenv("MTV_SRC_DIR") ? getenv("MTV_SRC_DIR") : ".");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (scenario_load(catalog, names[i], &s, &err) < 0)
			fail_msg("%s: %s", names[i], err.msg);
		scenario_release(&s);
	}
	assert_int_equal(scenario_load(catalog, "test_sanity_cold_mtv_migration", &s, &err), 0);
	assert_int_equal(s.nvms, 1);
	assert_string_equal(s.vms[0].name, "mtv-tests-rhel8");
	assert_true(s.vms[0].guest_agent);
	assert_false(s.warm);
	scenario_release(&s);
	assert_int_equal(scenario_load(catalog, "test_post_hook_retain_failed_vm", &s, &err), 0);
	assert_string_equal(s.expected_migration_result, "fail");
	assert_string_equal(s.target_power_state, "off");
	scenario_release(&s);
	assert_int_equal(scenario_load(catalog, "test_nope", &s, &err), -1);
	assert_non_null(strstr(err.msg, "no scenario \"test_nope\" (MTV_SCENARIO)"));
}

static void test_builtin_catalog_matches_shipped_file(void **state)
{
	(void)state;
	struct scenario s;
	struct mtv_err err;
	size_t len;

	assert_true(strstr(scenario_builtin_catalog(&len), "test_sanity_cold_mtv_migration") != NULL);
	assert_true(len > 100);
	assert_int_equal(scenario_load("", "test_sanity_warm_mtv_migration", &s, &err), 0);
	assert_true(s.warm);
	assert_string_equal(s.vms[0].source_vm_power, "on");
	scenario_release(&s);
	assert_int_equal(scenario_load(NULL, "", &s, &err), -1);
	assert_string_equal(err.msg, "MTV_SCENARIO is not set (a key of shipped tests_params.json)");
}

static void test_validation_messages_name_key_paths(void **state)
{
	(void)state;
	assert_string_equal(check("{\"virtual_machines\": [{\"name\": \"a\"}], \"warm_migration\": false}"), "");
	assert_string_equal(check("{\"virtual_machines\": [{\"name\": \"a\"}], \"warm_migraton\": false}"),
			    "f: s: unknown key \"warm_migraton\"");
	assert_string_equal(check("{\"virtual_machines\": [{\"name\": \"a\"}], \"warm_migration\": \"yes\"}"),
			    "f: s.warm_migration: expected boolean, got string");
	assert_string_equal(check("{\"virtual_machines\": [{\"name\": \"a\", \"source_vm_power\": \"up\"}]}"),
			    "f: s.virtual_machines[0].source_vm_power: \"up\" is not one of on, off");
	assert_string_equal(check("{\"virtual_machines\": [{\"name\": \"a\", \"colour\": 1}]}"),
			    "f: s.virtual_machines[0]: unknown key \"colour\"");
	assert_string_equal(check("{\"virtual_machines\": []}"), "f: s.virtual_machines: empty list");
	assert_string_equal(check("{\"virtual_machines\": [{\"guest_agent\": true}]}"),
			    "f: s.virtual_machines: every VM needs a \"name\"");
	assert_string_equal(check("{\"warm_migration\": true}"), "f: s: missing \"virtual_machines\"");
	assert_string_equal(check("{\"virtual_machines\": [{\"name\": \"a\"}], \"target_labels\": {\"k\": null, \"n\": 5}}"),
			    "f: s.target_labels.n: expected string or null, got number");
	assert_string_equal(check("{\"virtual_machines\": [{\"name\": \"a\"}], \"pvc_name_template\": {\"vsphere\": \"x\"}}"), "");
	assert_string_equal(check("{\"virtual_machines\": [{\"name\": \"a\"}], \"pvc_name_template\": 3}"),
			    "f: s.pvc_name_template: expected string or object, got number");
	assert_string_equal(check("{\"virtual_machines\": [{\"name\": \"a\"}], \"inventory_timeout\": 2.5}"),
			    "f: s.inventory_timeout: expected integer, got a fraction");
}

static void test_hook_keys_are_mutually_exclusive(void **state)
{
	(void)state;
	assert_string_equal(check("{\"virtual_machines\": [{\"name\": \"a\"}], \"pre_hook\": {\"expected_result\": \"fail\"}}"), "");
	assert_string_equal(check("{\"virtual_machines\": [{\"name\": \"a\"}], \"pre_hook\": {\"expected_result\": \"fail\", \"playbook_base64\": \"LS0t\"}}"),
			    "f: s.pre_hook: needs exactly one of expected_result, playbook_base64, aap_job_template_id");
	assert_string_equal(check("{\"virtual_machines\": [{\"name\": \"a\"}], \"post_hook\": {\"expected_result\": \"maybe\"}}"),
			    "f: s.post_hook.expected_result: \"maybe\" is not one of succeed, fail");
}

static void test_custom_playbooks_are_checked_deeply(void **state)
{
	(void)state;
	char plan[512];
	/* "- hosts: localhost\n  tasks: []\n" */
	const char *good = "LSBob3N0czogbG9jYWxob3N0CiAgdGFza3M6IFtdCg==";

	snprintf(plan, sizeof(plan), "{\"virtual_machines\": [{\"name\": \"a\"}], \"post_hook\": {\"playbook_base64\": \"%s\"}}", good);
	assert_string_equal(check(plan), "");
	assert_string_equal(check("{\"virtual_machines\": [{\"name\": \"a\"}], \"pre_hook\": {\"playbook_base64\": \"not base64!\"}}"),
			    "f: s.pre_hook.playbook_base64: not valid base64");
	/* "{}" — YAML, but a mapping, not a list of plays */
	assert_string_equal(check("{\"virtual_machines\": [{\"name\": \"a\"}], \"pre_hook\": {\"playbook_base64\": \"e30=\"}}"),
			    "f: s.pre_hook.playbook_base64: an Ansible playbook must be a non-empty list of plays");
	/* "[]" */
	assert_string_equal(check("{\"virtual_machines\": [{\"name\": \"a\"}], \"pre_hook\": {\"playbook_base64\": \"W10=\"}}"),
			    "f: s.pre_hook.playbook_base64: an Ansible playbook must be a non-empty list of plays");
	/* "\xff\xfe" */
	assert_string_equal(check("{\"virtual_machines\": [{\"name\": \"a\"}], \"pre_hook\": {\"playbook_base64\": \"//4=\"}}"),
			    "f: s.pre_hook.playbook_base64: decodes to text that is not UTF-8");
	/* "- [" */
	assert_non_null(strstr(check("{\"virtual_machines\": [{\"name\": \"a\"}], \"pre_hook\": {\"playbook_base64\": \"LSBb\"}}"),
			       "f: s.pre_hook.playbook_base64: not YAML: "));
	assert_string_equal(check("{\"virtual_machines\": [{\"name\": \"a\"}], \"pre_hook\": {\"playbook_base64\": \"  \"}}"),
			    "f: s.pre_hook.playbook_base64: empty");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_catalog_loads_every_tier0_scenario),
		cmocka_unit_test(test_builtin_catalog_matches_shipped_file),
		cmocka_unit_test(test_validation_messages_name_key_paths),
		cmocka_unit_test(test_hook_keys_are_mutually_exclusive),
		cmocka_unit_test(test_custom_playbooks_are_checked_deeply),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
