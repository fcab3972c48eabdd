/* mtv-migrate: start the Plan's Migration and follow it to the end. */
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "json.h"
#include "log.h"
#include "migration_watch.h"
#include "session.h"
#include "stepctx.h"
#include "wait.h"

static struct step_param params[] = {
	{ "MTV_PLAN_WAIT_TIMEOUT", "plan-wait-timeout", "3600",
	  "seconds to wait for the migration to end (Succeeded, Failed or Canceled)", 0, NULL },
	{ "MTV_MINS_BEFORE_CUTOVER", "mins-before-cutover", "5",
	  "warm: the cutover is this many minutes after the Migration is created", 0, NULL },
	{ "MTV_MIGRATE_PLAN", "plan", "",
	  "follow only this Plan of mtv-plan.json (another mtv-migrate can follow the others) [default: every Plan]",
	  0, NULL },
	{ "MTV_CONCURRENT_TIMEOUT", "concurrent-timeout", "120",
	  "with several Plans: seconds within which all must be Executing at once, none finished before "
	  "(mtv-api-tests' simultaneous migrations); 0: no check", 0, NULL },
};

/* mtv-plan makes at most this many */
#define PLANS_MAX 64

static struct step step = {
	.name = "mtv-migrate",
	.summary = "Create the Migration for the session's Plan and wait (watching the Plan) until it\n"
		   "Succeeded, Failed or was Canceled, logging every VM's phase and pipeline step as it\n"
		   "changes.  Writes mtv-migration.json.  Exit 1 when the migration did not succeed.\n"
		   "Several Plans (mtv-plan MTV_PLAN_COUNT): one Migration each, all followed through one\n"
		   "watch, which fails unless every Plan is Executing at once before any finishes (within\n"
		   "MTV_CONCURRENT_TIMEOUT).  --plan follows one of them; each process merges its own\n"
		   "result into mtv-migration.json under the state lock.",
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

/* The Plans of mtv-plan.json ("plans", else the one top-level name). */
static int plan_names(const cJSON *plan_state, const char **names, size_t max, size_t *n, struct mtv_err *err)
{
	const cJSON *p;

	*n = 0;
	cJSON_ArrayForEach(p, json_get(plan_state, "plans")) {
		const char *name = json_str(p, "name", "");

		if (!*name)
			continue;
		if (*n == max)
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s: more than %zu plans", PLAN_STATE, max);
		names[(*n)++] = name;
	}
	if (*n)
		return 0;
	if (json_get_string(plan_state, "name", &names[0], err) < 0)
		return -1;
	*n = 1;
	return 0;
}

static cJSON *migration_build(struct step_ctx *c, const char *plan_name, const char *cutover)
{
	cJSON *obj = ensure_skeleton(&c->ensure, &KUBE_MIGRATIONS, c->ns, plan_name);
	cJSON *spec = cJSON_AddObjectToObject(obj, "spec");
	cJSON *plan_ref = cJSON_AddObjectToObject(spec, "plan");

	cJSON_AddStringToObject(plan_ref, "name", plan_name);
	cJSON_AddStringToObject(plan_ref, "namespace", c->ns);
	if (cutover)
		cJSON_AddStringToObject(spec, "cutover", cutover);
	return obj;
}

/* Follow the set to the end: first, when the concurrency check is on,
 * until it is decided (within its bound), then until every Plan finished. */
static int follow(struct step_ctx *c, struct migration_set *set, long timeout, long concurrent, struct mtv_err *err)
{
	char selector[200];
	double t0 = step_now();
	struct wait_spec w = {
		.type = &KUBE_PLANS, .ns = c->ns, .name = set->n == 1 ? set->plans[0].name : NULL,
		.what = "to finish (Succeeded, Failed or Canceled)", .pred = migration_set_pred, .arg = set,
	};

	if (set->n > 1) {
		snprintf(selector, sizeof(selector), LABEL_SESSION "=%s", c->session.id);
		w.label_selector = selector;
	}
	if (set->concurrency == CONCURRENCY_PENDING) {
		w.timeout_ms = (concurrent < timeout ? concurrent : timeout) * 1000;
		w.what = "to be Executing at once";
		set->until_concurrent = true;
		if (wait_for(&c->kc, &w, NULL, err) < 0) {
			if (err->code != MTV_EXIT_TIMEOUT || concurrent >= timeout)
				return -1;
			migration_set_concurrency_timeout(set, concurrent);
		}
		set->until_concurrent = false;
		w.what = "to finish (Succeeded, Failed or Canceled)";
		if (migration_set_done(set))
			return 0;
	}
	w.timeout_ms = timeout * 1000 - (long)((step_now() - t0) * 1000);
	if (w.timeout_ms < 1)
		w.timeout_ms = 1;
	return wait_for(&c->kc, &w, NULL, err);
}

/* One finished Plan, judged; adds its mtv-migration.json entry (with its
 * VMs) to mine and what went wrong to failures.  Returns 1 when it is a
 * failure of the step. */
static int judge_plan(struct step_ctx *c, const cJSON *plan_state, struct migration_follow *f, bool one,
		      double t0, cJSON *mine, struct buf *failures)
{
	cJSON *results = migration_vm_results(f->last), *vm;
	struct buf why = BUF_INIT(1 << 16);
	char tc[300];
	int failed = 0;
	bool record = true, check_vms = false, expect_fail = !strcmp(json_str(plan_state, "expectedResult", ""), "fail");

	cJSON_ArrayForEach(vm, results)
		cJSON_AddStringToObject(vm, "plan", f->name);
	migration_failures_describe(results, &why);
	if (expect_fail) {
		struct buf verdict = BUF_INIT(1 << 16);
		int ok = judge_expected_failure(plan_state, &f->w, results, &check_vms, &verdict) == 0;

		record = ok;
		snprintf(tc, sizeof(tc), one ? "migration failed as expected" : "migration %s failed as expected", f->name);
		step_case(&step, tc, step_now() - t0, ok ? JUNIT_PASSED : JUNIT_FAILED, ok ? NULL : buf_str(&verdict),
			  ok ? NULL : buf_str(&why));
		if (ok) {
			log_info("Plan %s/%s: %s (%s)", c->ns, f->name, buf_str(&verdict), buf_str(&why));
		} else {
			buf_addf(failures, "%sPlan %s/%s: %s%s%s", failures->len ? "\n" : "", c->ns, f->name,
				 buf_str(&verdict), why.len ? "\n" : "", buf_str(&why));
			failed = 1;
		}
		buf_release(&verdict);
	} else {
		cJSON_ArrayForEach(vm, results) {
			const char *res = json_str(vm, "result", "");
			int ok = !strcmp(res, "Succeeded");

			snprintf(tc, sizeof(tc), "%s: migrated", json_str(vm, "name", "?"));
			step_case(&step, tc, step_now() - t0, ok ? JUNIT_PASSED : JUNIT_FAILED,
				  ok ? NULL : res, ok ? NULL : json_str(vm, "error", ""));
		}
		snprintf(tc, sizeof(tc), one ? "migration succeeded" : "migration %s succeeded", f->name);
		if (strcmp(f->w.result, "Succeeded")) {
			step_case(&step, tc, step_now() - t0, JUNIT_FAILED, f->w.result, buf_str(&why));
			buf_addf(failures, "%sPlan %s/%s: migration %s%s%s", failures->len ? "\n" : "", c->ns, f->name,
				 f->w.result, why.len ? "\n" : "", buf_str(&why));
			failed = 1;
		} else {
			step_case(&step, tc, step_now() - t0, JUNIT_PASSED, NULL, NULL);
			log_info("Plan %s/%s: migration Succeeded (%d VMs) in %.0fs", c->ns, f->name,
				 cJSON_GetArraySize(results), step_now() - t0);
		}
	}
	if (record) {
		cJSON *e = cJSON_CreateObject(), *m = cJSON_CreateObject();

		cJSON_AddStringToObject(m, "name", f->name);
		cJSON_AddStringToObject(m, "plan", f->name);
		cJSON_AddStringToObject(m, "result", f->w.result);
		cJSON_AddStringToObject(m, "started", json_str(f->last, "status.migration.started", ""));
		cJSON_AddStringToObject(m, "completed", json_str(f->last, "status.migration.completed", ""));
		if (expect_fail) {
			cJSON_AddBoolToObject(m, "expectedFailure", true);
			cJSON_AddBoolToObject(m, "checkVms", check_vms);
		}
		cJSON_AddItemToObject(e, "migration", m);
		cJSON_AddItemToObject(e, "vms", results);
		cJSON_AddItemToArray(mine, e);
		results = NULL;
	}
	cJSON_Delete(results);
	buf_release(&why);
	return failed;
}

/* ---- mtv-migration.json: this run's Plans merged with what others wrote ---- */

struct merge {
	struct step_ctx *c;
	const char **plans;	/* of mtv-plan.json, in order */
	size_t nplans;
	const cJSON *mine;	/* [{migration, vms}] */
	cJSON *written;		/* a copy of the result, for stdout */
};

static const cJSON *mine_for(const cJSON *mine, const char *plan)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, mine)
		if (!strcmp(json_str(e, "migration.plan", ""), plan))
			return e;
	return NULL;
}

/* The entry another run wrote for plan: its "migrations" entry, or, in a
 * file written before there were several, the top level. */
static cJSON *old_migration(const cJSON *doc, const char *plan)
{
	const cJSON *m;
	cJSON *e;

	cJSON_ArrayForEach(m, json_get(doc, "migrations"))
		if (!strcmp(json_str(m, "plan", ""), plan))
			return cJSON_Duplicate(m, 1);
	if (json_get(doc, "migrations") || strcmp(json_str(doc, "plan", ""), plan))
		return NULL;
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "name", json_str(doc, "name", ""));
	cJSON_AddStringToObject(e, "plan", plan);
	cJSON_AddStringToObject(e, "result", json_str(doc, "result", ""));
	cJSON_AddStringToObject(e, "started", json_str(doc, "started", ""));
	cJSON_AddStringToObject(e, "completed", json_str(doc, "completed", ""));
	if (json_get(doc, "expectedFailure")) {
		cJSON_AddBoolToObject(e, "expectedFailure", cJSON_IsTrue(json_get(doc, "expectedFailure")));
		cJSON_AddBoolToObject(e, "checkVms", cJSON_IsTrue(json_get(doc, "checkVms")));
	}
	return e;
}

static int merge_update(cJSON *doc, void *arg, struct mtv_err *err)
{
	struct merge *m = arg;
	cJSON *out = cJSON_CreateObject(), *migrations = cJSON_CreateArray(), *vms = cJSON_CreateArray(), *it;
	const cJSON *first, *vm;
	const char *result = NULL;
	bool missing = false;

	(void)err;
	for (size_t i = 0; i < m->nplans; i++) {
		const cJSON *e = mine_for(m->mine, m->plans[i]);
		cJSON *entry = e ? cJSON_Duplicate(json_get(e, "migration"), 1) : old_migration(doc, m->plans[i]);

		if (!entry) {
			missing = true;
			continue;
		}
		cJSON_AddItemToArray(migrations, entry);
		if (!result && strcmp(json_str(entry, "result", ""), "Succeeded"))
			result = json_str(entry, "result", "");
		if (e) {
			cJSON_ArrayForEach(vm, json_get(e, "vms"))
				cJSON_AddItemToArray(vms, cJSON_Duplicate(vm, 1));
			continue;
		}
		cJSON_ArrayForEach(vm, json_get(doc, "vms"))
			if (!strcmp(json_str(vm, "plan", json_str(doc, "plan", "")), m->plans[i])) {
				cJSON *copy = cJSON_Duplicate(vm, 1);

				if (!json_get(copy, "plan"))
					cJSON_AddStringToObject(copy, "plan", m->plans[i]);
				cJSON_AddItemToArray(vms, copy);
			}
	}
	/* The top level is the first migration's, as with one Plan; its
	 * result is Succeeded only when every Plan's migration succeeded. */
	first = cJSON_GetArrayItem(migrations, 0);
	if (!result)
		result = missing ? "Incomplete" : "Succeeded";
	cJSON_AddStringToObject(out, "name", json_str(first, "name", ""));
	cJSON_AddStringToObject(out, "namespace", m->c->ns);
	cJSON_AddStringToObject(out, "plan", json_str(first, "plan", ""));
	cJSON_AddStringToObject(out, "result", result);
	cJSON_AddStringToObject(out, "started", json_str(first, "started", ""));
	cJSON_AddStringToObject(out, "completed", json_str(first, "completed", ""));
	cJSON_AddItemToObject(out, "vms", vms);
	if (json_get(first, "expectedFailure")) {
		cJSON_AddBoolToObject(out, "expectedFailure", cJSON_IsTrue(json_get(first, "expectedFailure")));
		cJSON_AddBoolToObject(out, "checkVms", cJSON_IsTrue(json_get(first, "checkVms")));
	}
	cJSON_AddItemToObject(out, "migrations", migrations);
	/* doc becomes out, in place */
	while ((it = doc->child))
		cJSON_Delete(cJSON_DetachItemViaPointer(doc, it));
	while ((it = out->child))
		cJSON_AddItemToObject(doc, it->string, cJSON_DetachItemViaPointer(out, it));
	cJSON_Delete(out);
	cJSON_Delete(m->written);
	m->written = cJSON_Duplicate(doc, 1);
	return 0;
}

static int run(struct step_ctx *c, struct mtv_err *err)
{
	cJSON *plan_state = NULL, *objs = cJSON_CreateArray(), *mine = cJSON_CreateArray(), *it;
	const char *all[PLANS_MAX], *followed[PLANS_MAX], *only;
	struct migration_set set = { 0 };
	struct merge merged = { 0 };
	struct buf failures = BUF_INIT(1 << 16), lines = BUF_INIT(1 << 16);
	char cutover[32] = "";
	size_t nall = 0, n = 0;
	long timeout, concurrent = 0;
	bool one, followed_ok;
	double t0;
	int rc = -1, failed = 0;

	if (step_get_seconds(&step, "MTV_PLAN_WAIT_TIMEOUT", &timeout, err) < 0 ||
	    (strcmp(step_get(&step, "MTV_CONCURRENT_TIMEOUT"), "0") &&
	     step_get_seconds(&step, "MTV_CONCURRENT_TIMEOUT", &concurrent, err) < 0) ||
	    step_ctx_open(c, CTX_SESSION | (step.dry_run ? 0 : CTX_CLUSTER), err) < 0 ||
	    step_ctx_require_state(c, PLAN_STATE, "mtv-plan", &plan_state, err) < 0 ||
	    plan_names(plan_state, all, PLANS_MAX, &nall, err) < 0)
		goto out;
	only = step_get(&step, "MTV_MIGRATE_PLAN");
	for (size_t i = 0; i < nall; i++)
		if (!*only || !strcmp(only, all[i]))
			followed[n++] = all[i];
	if (!n) {
		mtv_err_set(err, MTV_EXIT_USAGE, "MTV_MIGRATE_PLAN=%s: not a Plan of %s/%s (%s%s)", only, step.state.dir,
			    PLAN_STATE, all[0], nall > 1 ? ", ..." : "");
		goto out;
	}
	one = nall == 1;
	if (cJSON_IsTrue(json_get(plan_state, "warm"))) {
		long minutes;

		if (step_get_seconds(&step, "MTV_MINS_BEFORE_CUTOVER", &minutes, err) < 0)
			goto out;
		rfc3339_after(cutover, sizeof(cutover), minutes * 60);
		log_info("warm migration: cutover at %s", cutover);
	}
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(objs, migration_build(c, followed[i], *cutover ? cutover : NULL));
	if (step.dry_run) {
		if (n == 1) {
			step_ctx_print(c, cJSON_GetArrayItem(objs, 0), NULL);
		} else {
			cJSON *list = cJSON_CreateObject();

			cJSON_AddStringToObject(list, "apiVersion", "v1");
			cJSON_AddStringToObject(list, "kind", "List");
			cJSON_AddItemReferenceToObject(list, "items", objs);
			step_ctx_print(c, list, NULL);
			cJSON_Delete(list);
		}
		rc = 0;
		goto out;
	}
	/* All created before any is followed, so they start together. */
	cJSON_ArrayForEach(it, objs)
		if (ensure_object(&c->ensure, &KUBE_MIGRATIONS, c->ns, it, NULL, NULL, err) < 0)
			goto out;

	t0 = step_now();
	migration_set_init(&set, followed, n, n > 1 && concurrent > 0);
	if (n == 1)
		log_info("waiting up to %lds for Plan %s/%s to finish", timeout, c->ns, followed[0]);
	else
		log_info("waiting up to %lds for %zu Plans in %s to finish%s", timeout, n, c->ns,
			 set.concurrency == CONCURRENCY_PENDING ? ", all Executing at once" : "");
	followed_ok = follow(c, &set, timeout, concurrent, err) == 0;
	/* Decided even when the migrations then did not end in time. */
	if (set.concurrency != CONCURRENCY_UNCHECKED && set.concurrency != CONCURRENCY_PENDING) {
		enum junit_result r = set.concurrency == CONCURRENCY_OK ? JUNIT_PASSED
				    : set.concurrency == CONCURRENCY_UNJUDGED ? JUNIT_SKIPPED : JUNIT_FAILED;

		step_case(&step, "plans executing concurrently", step_now() - t0, r,
			  r == JUNIT_PASSED ? NULL : set.concurrency_msg, NULL);
		if (r == JUNIT_FAILED) {
			buf_addf(&failures, "%s", set.concurrency_msg);
			failed = 1;
		} else {
			log_info("%s", set.concurrency_msg);
		}
	}
	if (!followed_ok) {
		step_case(&step, "migration finished", step_now() - t0, JUNIT_FAILED, err->msg, NULL);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		failed |= judge_plan(c, plan_state, &set.plans[i], one, t0, mine, &failures);
	merged = (struct merge){ c, all, nall, mine, NULL };
	if (cJSON_GetArraySize(mine) &&
	    state_update_json(&step.state, MIGRATION_STATE, merge_update, &merged, err) < 0)
		goto out;
	if (merged.written) {
		cJSON_ArrayForEach(it, mine)
			buf_addf(&lines, "migration/%s %s\n", json_str(it, "migration.name", ""),
				 json_str(it, "migration.result", ""));
		step_ctx_print(c, merged.written, buf_str(&lines));
	}
	if (failed) {
		mtv_err_set(err, MTV_EXIT_FAILED, "%s", buf_str(&failures));
		goto out;
	}
	rc = 0;
out:
	migration_set_release(&set);
	cJSON_Delete(merged.written);
	buf_release(&failures);
	buf_release(&lines);
	cJSON_Delete(plan_state);
	cJSON_Delete(objs);
	cJSON_Delete(mine);
	return rc;
}

int main(int argc, char **argv)
{
	return step_ctx_main(&step, argc, argv, run);
}
