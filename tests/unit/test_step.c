#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "step.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mtv-step-test-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	setenv("SHARED_DIR", dir, 1);
	setenv("ARTIFACT_DIR", dir, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

static struct step_param params[] = {
	{ "MTV_STORAGE_CLASS", "storage-class", NULL, "target storage class", STEP_PARAM_REQUIRED, NULL },
	{ "MTV_PLAN_WAIT_TIMEOUT", "plan-wait-timeout", "3600", "seconds to wait", 0, NULL },
	{ "MTV_SKIP_TEARDOWN", "skip-teardown", "false", "keep resources", STEP_PARAM_BOOL, NULL },
	{ "MTV_CLUSTER_PASSWORD", NULL, NULL, "cluster password", STEP_PARAM_SECRET, NULL },
};

static struct step make_step(void)
{
	struct step s = { 0 };

	s.name = "mtv-test";
	s.summary = "A test step.";
	s.params = params;
	s.nparams = sizeof(params) / sizeof(params[0]);
	s.writes = true;
	return s;
}

static void test_option_beats_environment_beats_default(void **state)
{
	(void)state;
	char *argv[] = { "mtv-test", "--storage-class=fast", "--skip-teardown", "-o", "json", NULL };
	struct step s = make_step();
	struct mtv_err err;
	long secs;

	setenv("MTV_STORAGE_CLASS", "slow", 1);
	setenv("MTV_PLAN_WAIT_TIMEOUT", "60", 1);
	assert_int_equal(step_parse(&s, 5, argv, &err), STEP_RUN);
	assert_string_equal(step_get(&s, "MTV_STORAGE_CLASS"), "fast");
	assert_true(step_get_bool(&s, "MTV_SKIP_TEARDOWN"));
	assert_int_equal(step_get_seconds(&s, "MTV_PLAN_WAIT_TIMEOUT", &secs, &err), 0);
	assert_int_equal(secs, 60);
	assert_string_equal(s.output, "json");
	assert_false(s.dry_run);
	assert_int_equal(step_finish(&s, 0), 0);
	unsetenv("MTV_PLAN_WAIT_TIMEOUT");
	unsetenv("MTV_STORAGE_CLASS");
}

static void test_bad_input_is_usage_error(void **state)
{
	(void)state;
	char *missing[] = { "mtv-test", NULL };
	char *unknown[] = { "mtv-test", "--storage-class=x", "--colour=red", NULL };
	char *badbool[] = { "mtv-test", "--storage-class=x", "--skip-teardown=maybe", NULL };
	struct step s = make_step();
	struct mtv_err err;
	long secs;

	assert_int_equal(step_parse(&s, 1, missing, &err), -1);
	assert_string_equal(err.msg, "MTV_STORAGE_CLASS (--storage-class) is required");
	junit_suite_release(&s.junit);
	s = make_step();
	assert_int_equal(step_parse(&s, 3, unknown, &err), -1);
	assert_string_equal(err.msg, "unknown or incomplete option '--colour=red' (see --help)");
	junit_suite_release(&s.junit);
	s = make_step();
	assert_int_equal(step_parse(&s, 3, badbool, &err), -1);
	assert_string_equal(err.msg, "MTV_SKIP_TEARDOWN: expected true or false, got 'maybe'");
	junit_suite_release(&s.junit);
	s = make_step();
	setenv("MTV_PLAN_WAIT_TIMEOUT", "soon", 1);
	assert_int_equal(step_parse(&s, 2, (char *[]){ "mtv-test", "--storage-class=x", NULL }, &err), 0);
	assert_int_equal(step_get_seconds(&s, "MTV_PLAN_WAIT_TIMEOUT", &secs, &err), -1);
	assert_string_equal(err.msg, "MTV_PLAN_WAIT_TIMEOUT: expected a positive number of seconds, got 'soon'");
	unsetenv("MTV_PLAN_WAIT_TIMEOUT");
	step_finish(&s, 0);
}

static void test_help_lists_env_options_defaults_never_secrets(void **state)
{
	(void)state;
	char *argv[] = { "mtv-test", "--help", NULL };
	struct step s = make_step();
	struct mtv_err err;
	char *help;

	setenv("MTV_CLUSTER_PASSWORD", "hunter2", 1);
	assert_int_equal(step_parse(&s, 2, argv, &err), STEP_HELP);
	help = step_usage(&s);
	assert_non_null(strstr(help, "--storage-class=VALUE\n      MTV_STORAGE_CLASS (required)\n"));
	assert_non_null(strstr(help, "MTV_PLAN_WAIT_TIMEOUT\n      seconds to wait [default: 3600]"));
	assert_non_null(strstr(help, "--dry-run"));
	assert_non_null(strstr(help, "(secret: never printed)"));
	assert_null(strstr(help, "hunter2"));
	free(help);
	junit_suite_release(&s.junit);
	unsetenv("MTV_CLUSTER_PASSWORD");
}

static void test_finish_writes_junit_and_maps_signals(void **state)
{
	(void)state;
	char *argv[] = { "mtv-test", "--storage-class=x", NULL };
	struct step s = make_step();
	struct mtv_err err;
	char path[128];

	assert_int_equal(step_parse(&s, 2, argv, &err), STEP_RUN);
	step_case(&s, "plan is Ready", 0.1, JUNIT_PASSED, NULL, NULL);
	*step_interrupt_flag() = 15;
	assert_int_equal(step_finish(&s, 4), 143);
	*step_interrupt_flag() = 0;
	snprintf(path, sizeof(path), "%s/junit_mtv_test.xml", dir);
	assert_int_equal(access(path, R_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_option_beats_environment_beats_default),
		cmocka_unit_test(test_bad_input_is_usage_error),
		cmocka_unit_test(test_help_lists_env_options_defaults_never_secrets),
		cmocka_unit_test(test_finish_writes_junit_and_maps_signals),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
