/* Several Plans followed through one watch (lib/migration_watch.c
 * migration_set_pred): when it is done, and mtv-api-tests' concurrency
 * check (every Plan Executing before any finished). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "migration_watch.h"

static const char *const names[] = { "p1", "p2" };

/* A Plan named name in state "pending", "executing" or a final condition. */
static cJSON *plan(const char *name, const char *state)
{
	char text[1024];
	const char *cond = !strcmp(state, "pending") ? ""
			 : !strcmp(state, "executing") ? "{\"type\":\"Executing\",\"status\":\"True\"}"
			 : NULL;
	char final[128];
	cJSON *o;

	if (!cond) {
		snprintf(final, sizeof(final), "{\"type\":\"%s\",\"status\":\"True\"}", state);
		cond = final;
	}
	snprintf(text, sizeof(text),
		 "{\"metadata\":{\"name\":\"%s\"},\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}%s%s],"
		 "\"migration\":{\"vms\":[{\"id\":\"vm-%s\",\"name\":\"vm-%s\",\"phase\":\"%s\"}]}}}",
		 name, *cond ? "," : "", cond, name, name, state);
	o = cJSON_Parse(text);
	assert_non_null(o);
	return o;
}

/* Feed one state; returns the verdict. */
static enum wait_verdict see(struct migration_set *s, const char *name, const char *state)
{
	struct buf why = BUF_INIT(1 << 16);
	cJSON *p = plan(name, state);
	enum wait_verdict v = migration_set_pred(p, false, s, &why);

	cJSON_Delete(p);
	buf_release(&why);
	return v;
}

static void test_both_executing_then_done(void **state)
{
	struct migration_set s;

	(void)state;
	migration_set_init(&s, names, 2, true);
	assert_int_equal(see(&s, "p1", "pending"), WAIT_NOT_YET);
	assert_int_equal(see(&s, "p2", "pending"), WAIT_NOT_YET);
	assert_int_equal(see(&s, "p1", "executing"), WAIT_NOT_YET);
	assert_int_equal(s.concurrency, CONCURRENCY_PENDING);
	/* p1 counted: its finishing after p2 started does not matter */
	assert_int_equal(see(&s, "p2", "executing"), WAIT_NOT_YET);
	assert_int_equal(s.concurrency, CONCURRENCY_OK);
	assert_int_equal(see(&s, "p1", "Succeeded"), WAIT_NOT_YET);
	assert_int_equal(see(&s, "p2", "Failed"), WAIT_DONE);
	assert_string_equal(s.plans[0].w.result, "Succeeded");
	assert_string_equal(s.plans[1].w.result, "Failed");
	assert_int_equal(s.concurrency, CONCURRENCY_OK);
	migration_set_release(&s);
}

static void test_finished_before_the_other_started(void **state)
{
	struct migration_set s;

	(void)state;
	migration_set_init(&s, names, 2, true);
	see(&s, "p1", "executing");
	see(&s, "p2", "pending");
	see(&s, "p1", "Succeeded");
	assert_int_equal(s.concurrency, CONCURRENCY_FAILED);
	assert_non_null(strstr(s.concurrency_msg, "Plan p1 reached Succeeded before all Plans were Executing at once"));
	assert_non_null(strstr(s.concurrency_msg, "p2 not started"));
	/* followed to the end all the same */
	assert_int_equal(see(&s, "p2", "executing"), WAIT_NOT_YET);
	assert_int_equal(see(&s, "p2", "Succeeded"), WAIT_DONE);
	assert_int_equal(s.concurrency, CONCURRENCY_FAILED);
	migration_set_release(&s);
}

/* The first list may show a finished Plan before its partner: judged only
 * once both were seen. */
static void test_judged_once_every_plan_was_seen(void **state)
{
	struct migration_set s;

	(void)state;
	migration_set_init(&s, names, 2, true);
	see(&s, "p2", "Succeeded");
	assert_int_equal(s.concurrency, CONCURRENCY_PENDING);
	see(&s, "p1", "executing");
	assert_int_equal(s.concurrency, CONCURRENCY_FAILED);
	assert_non_null(strstr(s.concurrency_msg, "Plan p2 reached Succeeded"));
	migration_set_release(&s);

	/* both finished when first seen: a re-run, not judged */
	migration_set_init(&s, names, 2, true);
	see(&s, "p1", "Succeeded");
	assert_int_equal(see(&s, "p2", "Succeeded"), WAIT_DONE);
	assert_int_equal(s.concurrency, CONCURRENCY_UNJUDGED);
	migration_set_release(&s);
}

static void test_until_concurrent_and_timeout(void **state)
{
	struct migration_set s;

	(void)state;
	migration_set_init(&s, names, 2, true);
	s.until_concurrent = true;
	assert_int_equal(see(&s, "p1", "executing"), WAIT_NOT_YET);
	assert_int_equal(see(&s, "p2", "executing"), WAIT_DONE);
	migration_set_release(&s);

	migration_set_init(&s, names, 2, true);
	see(&s, "p1", "executing");
	migration_set_concurrency_timeout(&s, 120);
	assert_int_equal(s.concurrency, CONCURRENCY_FAILED);
	assert_string_equal(s.concurrency_msg, "not every Plan was Executing within 120s (p1 Executing, p2 not started)");
	/* decided: a later state changes nothing */
	see(&s, "p2", "executing");
	assert_int_equal(s.concurrency, CONCURRENCY_FAILED);
	migration_set_release(&s);
}

static void test_unchecked_others_ignored_deleted_fails(void **state)
{
	struct migration_set s;
	struct buf why = BUF_INIT(1 << 16);
	cJSON *p;

	(void)state;
	migration_set_init(&s, names, 2, false);
	see(&s, "p1", "Succeeded");
	assert_int_equal(s.concurrency, CONCURRENCY_UNCHECKED);
	/* another Plan of the session is not followed */
	assert_int_equal(see(&s, "p3", "Failed"), WAIT_NOT_YET);
	p = plan("p2", "executing");
	assert_int_equal(migration_set_pred(p, true, &s, &why), WAIT_FAILED);
	assert_string_equal(buf_str(&why), "the Plan p2 is gone");
	cJSON_Delete(p);
	buf_release(&why);
	migration_set_release(&s);
}

/* One Plan: exactly migration_watch_pred, its messages included. */
static void test_one_plan_is_the_single_watch(void **state)
{
	struct migration_set s;
	struct buf why = BUF_INIT(1 << 16);
	cJSON *p = plan("p1", "executing");

	(void)state;
	migration_set_init(&s, names, 1, true);
	assert_int_equal(migration_set_pred(p, false, &s, &why), WAIT_NOT_YET);
	assert_string_equal(buf_str(&why), "Executing; VM vm-p1 phase executing");
	cJSON_Delete(p);
	assert_int_equal(see(&s, "p1", "Canceled"), WAIT_DONE);
	assert_string_equal(s.plans[0].w.result, "Canceled");
	assert_non_null(s.plans[0].last);
	buf_release(&why);
	migration_set_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_executing_then_done),
		cmocka_unit_test(test_finished_before_the_other_started),
		cmocka_unit_test(test_judged_once_every_plan_was_seen),
		cmocka_unit_test(test_until_concurrent_and_timeout),
		cmocka_unit_test(test_unchecked_others_ignored_deleted_fails),
		cmocka_unit_test(test_one_plan_is_the_single_watch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
