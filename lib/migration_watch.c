#include "migration_watch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "progress_tty.h"

static const char *const final_conditions[] = { "Succeeded", "Failed", "Canceled" };

void migration_watch_init(struct migration_watch *w)
{
	w->seen = cJSON_CreateObject();
	w->result[0] = '\0';
}

void migration_watch_release(struct migration_watch *w)
{
	cJSON_Delete(w->seen);
	w->seen = NULL;
}

/* Remember key=value for a VM; 1 when it changed. */
static int changed(cJSON *vm_seen, const char *key, const char *value)
{
	const char *old = json_str(vm_seen, key, NULL);

	if (old && !strcmp(old, value))
		return 0;
	if (old)
		cJSON_ReplaceItemInObjectCaseSensitive(vm_seen, key, cJSON_CreateString(value));
	else
		cJSON_AddStringToObject(vm_seen, key, value);
	return 1;
}

static void report_transitions(struct migration_watch *w, const cJSON *plan)
{
	const cJSON *vm, *st;

	cJSON_ArrayForEach(vm, json_get(plan, "status.migration.vms")) {
		const char *id = json_str(vm, "id", "?");
		const char *name = json_str(vm, "name", id);
		cJSON *vm_seen = cJSON_GetObjectItemCaseSensitive(w->seen, id);

		if (!vm_seen)
			vm_seen = cJSON_AddObjectToObject(w->seen, id);
		if (changed(vm_seen, "phase", json_str(vm, "phase", "")))
			log_info("VM %s: phase %s", name, json_str(vm, "phase", "?"));
		cJSON_ArrayForEach(st, json_get(vm, "pipeline")) {
			const char *step = json_str(st, "name", "?");
			const char *phase = json_str(st, "phase", "Pending");
			char key[160];

			snprintf(key, sizeof(key), "step:%s", step);
			if (!strcmp(phase, "Pending") || !changed(vm_seen, key, phase))
				continue;
			if (json_get(st, "error"))
				log_warn("VM %s: step %s %s with error: %s", name, step, phase,
					 json_str(st, "error.reasons[0]", "(no reason given)"));
			else
				log_info("VM %s: step %s %s", name, step, phase);
		}
		/* Warm: each finished precopy. */
		long long n = 0;
		char count[32];

		json_get_int_opt(vm, "warm.successes", &n, NULL);
		snprintf(count, sizeof(count), "%lld", n);
		if (json_get(vm, "warm") && changed(vm_seen, "precopies", count) && n > 0)
			log_info("VM %s: precopy %lld done", name, n);
	}
}

/* "Executing; VM a phase X; ..." */
static void describe(const cJSON *plan, struct buf *why)
{
	const cJSON *exec = json_condition(json_get(plan, "status.conditions"), "Executing");
	const cJSON *vm;

	buf_addstr(why, exec ? "Executing" : "not started");
	cJSON_ArrayForEach(vm, json_get(plan, "status.migration.vms"))
		buf_addf(why, "; VM %s phase %s", json_str(vm, "name", "?"), json_str(vm, "phase", "?"));
}

enum wait_verdict migration_watch_pred(const cJSON *plan, bool deleted, void *arg, struct buf *why)
{
	struct migration_watch *w = arg;
	const cJSON *conds = json_get(plan, "status.conditions");

	if (!plan || deleted) {
		buf_addstr(why, "the Plan is gone");
		return deleted && plan ? WAIT_FAILED : WAIT_NOT_YET;
	}
	if (!progress_tty_show(plan))	/* a terminal gets the live view instead */
		report_transitions(w, plan);
	for (size_t i = 0; i < sizeof(final_conditions) / sizeof(final_conditions[0]); i++) {
		if (json_condition_is(conds, final_conditions[i], "True")) {
			snprintf(w->result, sizeof(w->result), "%s", final_conditions[i]);
			return WAIT_DONE;
		}
	}
	describe(plan, why);
	return WAIT_NOT_YET;
}

static void join_reasons(const cJSON *error, struct buf *out)
{
	const cJSON *r;
	int n = 0;

	cJSON_ArrayForEach(r, json_get(error, "reasons")) {
		if (cJSON_IsString(r))
			buf_addf(out, "%s%s", n++ ? "; " : "", r->valuestring);
	}
}

cJSON *migration_vm_results(const cJSON *plan)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *vm, *st;

	cJSON_ArrayForEach(vm, json_get(plan, "status.migration.vms")) {
		cJSON *e = cJSON_CreateObject();
		const char *failed_step = "";
		struct buf reasons = BUF_INIT(1 << 16);
		const char *result = "Succeeded";

		cJSON_ArrayForEach(st, json_get(vm, "pipeline")) {
			if (json_get(st, "error") && !*failed_step) {
				failed_step = json_str(st, "name", "");
				join_reasons(json_get(st, "error"), &reasons);
			}
		}
		if (json_get(vm, "error")) {
			result = "Failed";
			if (!*failed_step)
				failed_step = json_str(vm, "error.phase", "");
			if (!reasons.len)
				join_reasons(json_get(vm, "error"), &reasons);
		}
		if (json_condition(json_get(vm, "conditions"), "Canceled"))
			result = "Canceled";
		else if (*failed_step)
			result = "Failed";
		else if (!json_get(vm, "completed"))
			result = "Incomplete";
		cJSON_AddStringToObject(e, "id", json_str(vm, "id", ""));
		cJSON_AddStringToObject(e, "name", json_str(vm, "name", ""));
		cJSON_AddStringToObject(e, "phase", json_str(vm, "phase", ""));
		cJSON_AddStringToObject(e, "result", result);
		cJSON_AddStringToObject(e, "failedStep", failed_step);
		cJSON_AddStringToObject(e, "error", buf_str(&reasons));
		if (json_get(vm, "newName"))
			cJSON_AddStringToObject(e, "newName", json_str(vm, "newName", ""));
		cJSON_AddItemToArray(out, e);
		buf_release(&reasons);
	}
	return out;
}

void migration_failures_describe(const cJSON *vm_results, struct buf *out)
{
	const cJSON *vm;

	cJSON_ArrayForEach(vm, vm_results) {
		const char *result = json_str(vm, "result", "");

		if (!strcmp(result, "Succeeded"))
			continue;
		buf_addf(out, "%sVM %s %s", out->len ? "\n" : "", json_str(vm, "name", "?"),
			 !strcmp(result, "Failed") ? "failed" : !strcmp(result, "Canceled") ? "was canceled" : "did not complete");
		if (*json_str(vm, "failedStep", ""))
			buf_addf(out, " at %s", json_str(vm, "failedStep", ""));
		if (*json_str(vm, "error", ""))
			buf_addf(out, ": %s", json_str(vm, "error", ""));
	}
}

void migration_set_init(struct migration_set *s, const char *const *names, size_t n, bool check_concurrency)
{
	s->plans = calloc(n ? n : 1, sizeof(*s->plans));
	s->n = s->plans ? n : 0;
	s->nfinal = 0;
	s->concurrency = check_concurrency ? CONCURRENCY_PENDING : CONCURRENCY_UNCHECKED;
	s->concurrency_msg[0] = '\0';
	s->until_concurrent = false;
	for (size_t i = 0; i < s->n; i++) {
		s->plans[i].name = names[i];
		migration_watch_init(&s->plans[i].w);
	}
}

void migration_set_release(struct migration_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		migration_watch_release(&s->plans[i].w);
		cJSON_Delete(s->plans[i].last);
	}
	free(s->plans);
	s->plans = NULL;
	s->n = 0;
}

bool migration_set_done(const struct migration_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (!s->plans[i].w.result[0])
			return false;
	return true;
}

static void describe_all(const struct migration_set *s, struct buf *why)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct migration_follow *f = &s->plans[i];

		buf_addf(why, "%sPlan %s: ", i ? "; " : "", f->name);
		if (f->w.result[0])
			buf_addstr(why, f->w.result);
		else if (f->last)
			describe(f->last, why);
		else
			buf_addstr(why, "not seen");
	}
}

static void plan_states(const struct migration_set *s, char *out, size_t outsz)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < s->n && used < outsz; i++) {
		const struct migration_follow *f = &s->plans[i];
		const char *st = f->w.result[0] ? f->w.result : f->executing ? "Executing" : "not started";
		int r = snprintf(out + used, outsz - used, "%s%s %s", i ? ", " : "", f->name, st);

		if (r < 0)
			break;
		used += (size_t)r;
	}
}

/* As wait_for_concurrent_migration_execution: a Plan seen Executing stays
 * counted; any Plan finished before every one was counted fails the check.
 * Judged only once every Plan has been seen, so the first list (in any
 * order) cannot fail a Plan whose partner is merely not listed yet. */
static void judge(struct migration_set *s)
{
	const struct migration_follow *first = NULL;
	bool all_exec = true, all_final_first = true;
	char states[768];

	if (s->concurrency != CONCURRENCY_PENDING)
		return;
	for (size_t i = 0; i < s->n; i++) {
		const struct migration_follow *f = &s->plans[i];

		if (!f->last)
			return;
		all_exec = all_exec && f->executing;
		all_final_first = all_final_first && f->final_first;
		if (f->final_seq && (!first || f->final_seq < first->final_seq))
			first = f;
	}
	plan_states(s, states, sizeof(states));
	if (all_final_first) {
		s->concurrency = CONCURRENCY_UNJUDGED;
		snprintf(s->concurrency_msg, sizeof(s->concurrency_msg),
			 "every Plan had finished before it was first seen (%s): concurrency not judged", states);
	} else if (all_exec) {
		s->concurrency = CONCURRENCY_OK;
		snprintf(s->concurrency_msg, sizeof(s->concurrency_msg), "all %zu Plans Executing at once", s->n);
	} else if (first) {
		s->concurrency = CONCURRENCY_FAILED;
		snprintf(s->concurrency_msg, sizeof(s->concurrency_msg),
			 "Plan %s reached %s before all Plans were Executing at once (%s)", first->name,
			 first->w.result, states);
	}
}

void migration_set_concurrency_timeout(struct migration_set *s, long seconds)
{
	char states[768];

	if (s->concurrency != CONCURRENCY_PENDING)
		return;
	plan_states(s, states, sizeof(states));
	s->concurrency = CONCURRENCY_FAILED;
	snprintf(s->concurrency_msg, sizeof(s->concurrency_msg),
		 "not every Plan was Executing within %lds (%s)", seconds, states);
}

enum wait_verdict migration_set_pred(const cJSON *plan, bool deleted, void *arg, struct buf *why)
{
	struct migration_set *s = arg;
	struct migration_follow *f = NULL;
	const char *name = json_str(plan, "metadata.name", "");
	struct buf scratch = BUF_INIT(1 << 16);

	if (s->n == 1) {
		enum wait_verdict v = migration_watch_pred(plan, deleted, &s->plans[0].w, why);

		if (plan && !deleted) {
			cJSON_Delete(s->plans[0].last);
			s->plans[0].last = cJSON_Duplicate(plan, 1);
		}
		return v;
	}
	for (size_t i = 0; i < s->n && plan; i++)
		if (!strcmp(s->plans[i].name, name))
			f = &s->plans[i];
	if (f && deleted) {
		buf_addf(why, "the Plan %s is gone", f->name);
		return WAIT_FAILED;
	}
	if (f) {
		bool first_sight = !f->last;

		migration_watch_pred(plan, false, &f->w, &scratch);
		cJSON_Delete(f->last);
		f->last = cJSON_Duplicate(plan, 1);
		if (f->w.result[0] && !f->final_seq) {
			f->final_seq = ++s->nfinal;
			f->final_first = first_sight;
		} else if (!f->w.result[0] && json_condition_is(json_get(plan, "status.conditions"), "Executing", "True")) {
			f->executing = true;
		}
		judge(s);
	}
	buf_release(&scratch);
	describe_all(s, why);
	if (migration_set_done(s) || (s->until_concurrent && s->concurrency != CONCURRENCY_PENDING))
		return WAIT_DONE;
	return WAIT_NOT_YET;
}
