/* mtv-teardown: before anything is deleted, a running Migration is
 * canceled and every Plan archived, so no controller works on what goes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "teardown.h"
#include "wait.h"

/* ---- cancel and archive ---- */

static bool cond_true(const cJSON *obj, const char *type)
{
	return json_condition_is(json_get(obj, "status.conditions"), type, "True");
}

static bool migration_finished(const cJSON *m)
{
	return json_get(m, "status.completed") || cond_true(m, "Succeeded") || cond_true(m, "Failed") ||
	       cond_true(m, "Canceled");
}

static enum wait_verdict pred_finished(const cJSON *obj, bool deleted, void *arg, struct buf *why)
{
	(void)arg;
	if (deleted || !obj || migration_finished(obj))
		return WAIT_DONE;
	buf_reset(why);
	buf_addstr(why, "still running");
	return WAIT_NOT_YET;
}

/* Wait for w and record the JUnit case `name` (from t0): 0 when done, -1
 * when not (a warning, or an interrupt copied to err). */
static int wait_case(struct teardown *r, const struct wait_spec *w, const char *name, double t0,
		     struct mtv_err *err)
{
	struct mtv_err e = { 0 };

	if (wait_for(&r->c->kc, w, NULL, &e) == 0) {
		step_case(r->c->step, name, step_now() - t0, JUNIT_PASSED, NULL, NULL);
		return 0;
	}
	if (e.code >= 128) {
		*err = e;
		return -1;
	}
	log_warn("%s", e.msg);
	step_case(r->c->step, name, step_now() - t0, JUNIT_FAILED, e.msg, NULL);
	return -1;
}

static void cancel_migration(struct teardown *r, struct item *i, struct mtv_err *err)
{
	cJSON *m = NULL, *plan = NULL, *patch = NULL, *cancel, *vm;
	struct mtv_err e = { 0 };
	char what[600], *text = NULL;
	double t0 = step_now();
	const char *pname, *pns;

	item_describe(i, what, sizeof(what));
	if (kube_get(&r->c->kc, i->type, i->ns, i->name, &m, &e) < 0 || teardown_not_ours(r, m) ||
	    migration_finished(m) || !(json_get(m, "status.started") || cond_true(m, "Running")))
		goto out;
	pname = json_str(m, "spec.plan.name", "");
	pns = json_str(m, "spec.plan.namespace", i->ns);
	if (kube_get(&r->c->kc, &KUBE_PLANS, pns, pname, &plan, &e) < 0) {
		log_warn("%s is running but its Plan %s/%s cannot be read (%s); deleting it cancels it",
			 what, pns, pname, e.msg);
		goto out;
	}
	patch = cJSON_CreateObject();
	cancel = cJSON_AddArrayToObject(cJSON_AddObjectToObject(patch, "spec"), "cancel");
	cJSON_ArrayForEach(vm, json_get(plan, "spec.vms")) {
		cJSON *ref = cJSON_CreateObject();

		if (json_str(vm, "id", NULL))
			cJSON_AddStringToObject(ref, "id", json_str(vm, "id", ""));
		if (json_str(vm, "name", NULL))
			cJSON_AddStringToObject(ref, "name", json_str(vm, "name", ""));
		cJSON_AddItemToArray(cancel, ref);
	}
	text = cJSON_PrintUnformatted(patch);
	log_info("%s is still running: canceling its %d VMs", what, cJSON_GetArraySize(cancel));
	if (kube_patch(&r->c->kc, i->type, i->ns, i->name, KUBE_PATCH_MERGE, text, NULL, &e) < 0) {
		log_warn("cannot cancel %s: %s", what, e.msg);
		step_case(r->c->step, "cancel running Migration", step_now() - t0, JUNIT_FAILED, e.msg, NULL);
		goto out;
	}
	struct wait_spec w = {
		.type = i->type, .ns = i->ns, .name = i->name, .what = "to end after cancel",
		.timeout_ms = r->timeout_s * 1000, .pred = pred_finished,
	};
	if (wait_case(r, &w, "cancel running Migration", t0, err) == 0)
		log_info("%s canceled", what);
out:
	free(text);
	cJSON_Delete(patch);
	cJSON_Delete(plan);
	cJSON_Delete(m);
}

/* Archive the plan (Forklift then releases its pods and PVC mounts) and
 * remember its uid, the key of every destination object it made. */
static void archive_plan(struct teardown *r, struct item *i, bool archive, struct mtv_err *err)
{
	cJSON *p = NULL;
	struct mtv_err e = { 0 };
	char what[600], sel[128];
	const char *uid;
	double t0 = step_now();

	item_describe(i, what, sizeof(what));
	if (kube_get(&r->c->kc, i->type, i->ns, i->name, &p, &e) < 0 || teardown_not_ours(r, p))
		goto out;
	uid = json_str(p, "metadata.uid", "");
	if (*uid) {
		snprintf(sel, sizeof(sel), "plan=%s", uid);
		teardown_add_sweep(r, json_str(p, "spec.targetNamespace", i->ns), sel);
	}
	if (!archive || (cJSON_IsTrue(json_get(p, "spec.archived")) && cond_true(p, "Archived")))
		goto out;
	if (kube_patch(&r->c->kc, i->type, i->ns, i->name, KUBE_PATCH_MERGE,
		       "{\"spec\":{\"archived\":true}}", NULL, &e) < 0) {
		log_warn("cannot archive %s: %s", what, e.msg);
		goto out;
	}
	/* Only a plan that ran has pods and mounts to release; waiting for
	 * the controller on one that never ran would only cost time. */
	if (!json_get(p, "status.migration.started"))
		goto out;
	struct wait_condition c = { "Archived", "True", NULL };
	struct wait_spec w = {
		.type = i->type, .ns = i->ns, .name = i->name, .what = "to be Archived",
		.timeout_ms = r->timeout_s * 1000, .pred = wait_pred_condition, .arg = &c,
	};
	log_info("archiving %s", what);
	wait_case(r, &w, "archive Plan", t0, err);
out:
	cJSON_Delete(p);
}


/* The plans mtv-plan.json names ("plans", else its top-level uid): a Plan
 * already deleted by an earlier, interrupted teardown still has its VMs and
 * disks labelled with its uid.  No request: a uid archive_plan also found
 * is the same sweep. */
static void plans_from_state(struct teardown *r)
{
	struct mtv_err e = { 0 };
	cJSON *st = NULL, *p;
	const cJSON *plans;
	const char *tns;

	if (state_read_json(&r->c->step->state, PLAN_STATE, &st, &e) < 0 || !st) {
		if (e.code)
			log_warn("%s", e.msg);
		return;
	}
	tns = json_str(st, "vmNamespace", r->c->session.target_namespace);
	if (!*tns)
		tns = json_str(st, "namespace", "");
	plans = json_get(st, "plans");
	if (!cJSON_IsArray(plans))
		plans = NULL;
	for (p = plans ? plans->child : st; p; p = plans ? p->next : NULL) {
		const char *uid = json_str(p, "uid", "");
		char sel[128];

		if (*uid && *tns) {
			snprintf(sel, sizeof(sel), "plan=%s", uid);
			teardown_add_sweep(r, tns, sel);
		}
	}
	cJSON_Delete(st);
}

int teardown_prepare(struct teardown *r, bool vms_only, struct mtv_err *err)
{
	err->code = 0;
	for (size_t k = 0; k < r->items.n && !vms_only; k++) {
		if (!strcmp(r->items.v[k].kind, "Migration") && !r->items.v[k].prefix)
			cancel_migration(r, &r->items.v[k], err);
		if (err->code >= 128)
			return -1;
	}
	for (size_t k = 0; k < r->items.n; k++) {
		if (!strcmp(r->items.v[k].kind, "Plan") && !r->items.v[k].prefix)
			archive_plan(r, &r->items.v[k], !vms_only, err);
		if (err->code >= 128)
			return -1;
	}
	if (r->c->have_session)
		plans_from_state(r);
	if (r->c->have_session && *r->c->session.target_namespace) {
		char sel[128];

		snprintf(sel, sizeof(sel), "%s=%s", LABEL_SESSION, r->c->session.id);
		teardown_add_sweep(r, r->c->session.target_namespace, sel);
	}
	return 0;
}
