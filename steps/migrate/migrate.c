/* mtv-migrate: start the Plan's Migration and follow it to the end. */
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "json.h"
#include "log.h"
#include "migration_watch.h"
#include "stepctx.h"
#include "wait.h"

static struct step_param params[] = {
	{ "MTV_PLAN_WAIT_TIMEOUT", "plan-wait-timeout", "3600",
	  "seconds to wait for the migration to end (Succeeded, Failed or Canceled)", 0, NULL },
	{ "MTV_MINS_BEFORE_CUTOVER", "mins-before-cutover", "5",
	  "warm: the cutover is this many minutes after the Migration is created", 0, NULL },
};

static struct step step = {
	.name = "mtv-migrate",
	.summary = "Create the Migration for the session's Plan and wait (watching the Plan) until it\n"
		   "Succeeded, Failed or was Canceled, logging every VM's phase and pipeline step as it\n"
		   "changes.  Writes mtv-migration.json.  Exit 1 when the migration did not succeed.",
	.params = params,
	.nparams = sizeof(params) / sizeof(params[0]),
	.writes = true,
};

/* Now + seconds as RFC 3339 UTC ("2026-11-21T23:10:00Z"). */
static void rfc3339_after(char *out, size_t outsz, long seconds)
{
	time_t t = time(NULL) + seconds;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* An expected failure (expected_migration_result: fail) passes only when
 * every VM failed at the same hook step, the one the scenario names when it
 * names one.  Sets *check_vms: after a PostHook failure the VMs exist and
 * are checked; after a PreHook failure nothing was migrated. */
static int judge_expected_failure(const cJSON *plan_state, const struct migration_watch *w,
				  const cJSON *results, bool *check_vms, struct buf *verdict)
{
	const char *expected = json_str(plan_state, "expectedFailedStep", "");
	const char *step_name = NULL;
	const cJSON *vm;

	*check_vms = false;
	if (strcmp(w->result, "Failed")) {
		buf_addf(verdict, "expected the migration to fail (expected_migration_result: fail), but it %s",
			 w->result);
		return -1;
	}
	cJSON_ArrayForEach(vm, results) {
		const char *s = json_str(vm, "failedStep", "");

		if (!step_name)
			step_name = s;
		if (strcmp(s, step_name)) {
			buf_addf(verdict, "VMs failed at different steps: %s at %s, %s at %s",
				 json_str(cJSON_GetArrayItem(results, 0), "name", "?"), step_name,
				 json_str(vm, "name", "?"), *s ? s : "(none)");
			return -1;
		}
	}
	if (!step_name || (strcmp(step_name, "PreHook") && strcmp(step_name, "PostHook"))) {
		buf_addf(verdict, "the migration failed at %s, not in a hook", step_name && *step_name ? step_name : "an unknown step");
		return -1;
	}
	if (*expected && strcmp(step_name, expected)) {
		buf_addf(verdict, "the migration failed at %s but was expected to fail at %s", step_name, expected);
		return -1;
	}
	*check_vms = !strcmp(step_name, "PostHook");
	buf_addf(verdict, "the migration failed at %s, as expected", step_name);
	return 0;
}

static int write_state(struct step_ctx *c, const char *name, const char *plan_name,
		       const struct migration_watch *w, const cJSON *plan, const cJSON *results,
		       const bool *expected_failure_check_vms, struct mtv_err *err)
{
	cJSON *doc = cJSON_CreateObject();
	int r;

	cJSON_AddStringToObject(doc, "name", name);
	cJSON_AddStringToObject(doc, "namespace", c->ns);
	cJSON_AddStringToObject(doc, "plan", plan_name);
	cJSON_AddStringToObject(doc, "result", w->result);
	cJSON_AddStringToObject(doc, "started", json_str(plan, "status.migration.started", ""));
	cJSON_AddStringToObject(doc, "completed", json_str(plan, "status.migration.completed", ""));
	cJSON_AddItemToObject(doc, "vms", cJSON_Duplicate(results, 1));
	if (expected_failure_check_vms) {
		cJSON_AddBoolToObject(doc, "expectedFailure", true);
		cJSON_AddBoolToObject(doc, "checkVms", *expected_failure_check_vms);
	}
	r = state_write_json(&step.state, MIGRATION_STATE, doc, err);
	if (r == 0) {
		char line[200];

		snprintf(line, sizeof(line), "migration/%s %s\n", name, w->result);
		step_ctx_print(c, doc, line);
	}
	cJSON_Delete(doc);
	return r;
}

static int run(struct step_ctx *c, struct mtv_err *err)
{
	cJSON *plan_state = NULL, *obj = NULL, *plan = NULL, *results = NULL, *spec, *plan_ref;
	struct migration_watch mw;
	const char *plan_name;
	struct buf failures = BUF_INIT(1 << 16);
	long timeout;
	double t0;
	int rc = -1;

	migration_watch_init(&mw);
	if (step_get_seconds(&step, "MTV_PLAN_WAIT_TIMEOUT", &timeout, err) < 0 ||
	    step_ctx_open(c, CTX_SESSION | (step.dry_run ? 0 : CTX_CLUSTER), err) < 0 ||
	    step_ctx_require_state(c, PLAN_STATE, "mtv-plan", &plan_state, err) < 0 ||
	    json_get_string(plan_state, "name", &plan_name, err) < 0)
		goto out;
	obj = ensure_skeleton(&c->ensure, &KUBE_MIGRATIONS, c->ns, plan_name);
	spec = cJSON_AddObjectToObject(obj, "spec");
	plan_ref = cJSON_AddObjectToObject(spec, "plan");
	cJSON_AddStringToObject(plan_ref, "name", plan_name);
	cJSON_AddStringToObject(plan_ref, "namespace", c->ns);
	if (cJSON_IsTrue(json_get(plan_state, "warm"))) {
		char cutover[32];
		long minutes;

		if (step_get_seconds(&step, "MTV_MINS_BEFORE_CUTOVER", &minutes, err) < 0)
			goto out;
		rfc3339_after(cutover, sizeof(cutover), minutes * 60);
		cJSON_AddStringToObject(spec, "cutover", cutover);
		log_info("warm migration: cutover at %s", cutover);
	}
	if (step.dry_run) {
		step_ctx_print(c, obj, NULL);
		rc = 0;
		goto out;
	}
	if (ensure_object(&c->ensure, &KUBE_MIGRATIONS, c->ns, obj, NULL, NULL, err) < 0)
		goto out;

	t0 = step_now();
	log_info("waiting up to %lds for Plan %s/%s to finish", timeout, c->ns, plan_name);
	struct wait_spec w = {
		.type = &KUBE_PLANS, .ns = c->ns, .name = plan_name,
		.what = "to finish (Succeeded, Failed or Canceled)",
		.timeout_ms = timeout * 1000, .pred = migration_watch_pred, .arg = &mw,
	};
	if (wait_for(&c->kc, &w, &plan, err) < 0) {
		step_case(&step, "migration finished", step_now() - t0, JUNIT_FAILED, err->msg, NULL);
		goto out;
	}
	results = migration_vm_results(plan);
	migration_failures_describe(results, &failures);
	if (!strcmp(json_str(plan_state, "expectedResult", ""), "fail")) {
		struct buf verdict = BUF_INIT(1 << 16);
		bool check_vms;
		int ok = judge_expected_failure(plan_state, &mw, results, &check_vms, &verdict) == 0;

		if (ok && write_state(c, plan_name, plan_name, &mw, plan, results, &check_vms, err) < 0) {
			buf_release(&verdict);
			goto out;
		}
		step_case(&step, "migration failed as expected", step_now() - t0, ok ? JUNIT_PASSED : JUNIT_FAILED,
			  ok ? NULL : buf_str(&verdict), ok ? NULL : buf_str(&failures));
		if (ok) {
			log_info("Plan %s/%s: %s (%s)", c->ns, plan_name, buf_str(&verdict), buf_str(&failures));
			rc = 0;
		} else {
			mtv_err_set(err, MTV_EXIT_FAILED, "Plan %s/%s: %s%s%s", c->ns, plan_name, buf_str(&verdict),
				    failures.len ? "\n" : "", buf_str(&failures));
		}
		buf_release(&verdict);
		goto out;
	}
	if (write_state(c, plan_name, plan_name, &mw, plan, results, NULL, err) < 0)
		goto out;
	{
		const cJSON *vm;

		cJSON_ArrayForEach(vm, results) {
			char name[300];
			const char *res = json_str(vm, "result", "");
			int ok = !strcmp(res, "Succeeded");

			snprintf(name, sizeof(name), "%s: migrated", json_str(vm, "name", "?"));
			step_case(&step, name, step_now() - t0, ok ? JUNIT_PASSED : JUNIT_FAILED,
				  ok ? NULL : res, ok ? NULL : json_str(vm, "error", ""));
		}
	}
	if (strcmp(mw.result, "Succeeded")) {
		step_case(&step, "migration succeeded", step_now() - t0, JUNIT_FAILED, mw.result, buf_str(&failures));
		mtv_err_set(err, MTV_EXIT_FAILED, "Plan %s/%s: migration %s%s%s", c->ns, plan_name, mw.result,
			    failures.len ? "\n" : "", buf_str(&failures));
		goto out;
	}
	step_case(&step, "migration succeeded", step_now() - t0, JUNIT_PASSED, NULL, NULL);
	log_info("Plan %s/%s: migration Succeeded (%d VMs) in %.0fs", c->ns, plan_name,
		 cJSON_GetArraySize(results), step_now() - t0);
	rc = 0;
out:
	migration_watch_release(&mw);
	buf_release(&failures);
	cJSON_Delete(plan_state);
	cJSON_Delete(obj);
	cJSON_Delete(plan);
	cJSON_Delete(results);
	return rc;
}

int main(int argc, char **argv)
{
	return step_ctx_main(&step, argc, argv, run);
}
