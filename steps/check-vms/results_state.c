/* mtv-check-results.json: the check results for mtv-gather's report.
 *
 * The JUnit file goes to this step's own ARTIFACT_DIR, which later steps do
 * not see in ci-operator (only SHARED_DIR is shared), so the results are
 * also kept as a small state file.  They are collected from the step's
 * JUnit suite at the end, so every case is there (the VM checks, the guest
 * checks, a missing destination VM) without a hook in each check.  Case
 * names are "<source VM>: <check>"; the VM is found by the planned names
 * (a VM name may hold ": " itself).  A failed VM check's message is
 * "expected X, got Y": split back into its two values.
 *
 * Compact, and bounded under STATE_FILE_MAX for 1000 VMs: passes are a list
 * of check names, messages are cut; when that is still too large the
 * passes become counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_vms.h"
#include "json.h"
#include "log.h"
#include "report.h"
#include "state.h"

#define MSG_CUT 300
#define MSG_CUT_SMALL 60

static cJSON *cut(const char *s, size_t max, bool *truncated)
{
	char tmp[MSG_CUT + 8];
	size_t n = strlen(s);

	if (n <= max)
		return cJSON_CreateString(s);
	while (max && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	snprintf(tmp, sizeof(tmp), "%.*s…", (int)max, s);
	*truncated = true;
	return cJSON_CreateString(tmp);
}

/* The planned VM that prefixes a case name ("vm: check"); longest first. */
static const char *vm_of(const cJSON *plan_state, const char *tc, const char **check)
{
	const cJSON *vm;
	const char *best = NULL;
	size_t bl = 0;

	cJSON_ArrayForEach(vm, json_get(plan_state, "vms")) {
		const char *n = json_str(vm, "name", json_str(vm, "id", ""));
		size_t l = strlen(n);

		if (l > bl && !strncmp(tc, n, l) && !strncmp(tc + l, ": ", 2)) {
			best = n;
			bl = l;
		}
	}
	*check = best ? tc + bl + 2 : tc;
	return best ? best : "";
}

static cJSON *vm_entry(cJSON *vms, const char *name, const cJSON *planned_state)
{
	cJSON *v;
	const cJSON *p;

	cJSON_ArrayForEach(v, vms)
		if (!strcmp(json_str(v, "vm", ""), name))
			return v;
	v = cJSON_CreateObject();
	cJSON_AddStringToObject(v, "vm", name);
	cJSON_ArrayForEach(p, json_get(planned_state, "vms"))
		if (!strcmp(json_str(p, "name", ""), name) && json_get(p, "plan")) {
			cJSON_AddStringToObject(v, "plan", json_str(p, "plan", ""));
			break;
		}
	cJSON_AddItemToArray(vms, v);
	return v;
}

static cJSON *build(const struct junit_suite *s, const cJSON *plan_state, size_t max, bool counts)
{
	cJSON *doc = cJSON_CreateObject(), *vms = cJSON_AddArrayToObject(doc, "vms");
	cJSON *total = cJSON_AddObjectToObject(doc, "total");
	size_t n[3] = { 0 };
	bool truncated = counts;

	for (size_t i = 0; i < s->ncases; i++) {
		const struct junit_case *jc = &s->cases[i];
		const char *check, *vm = vm_of(plan_state, jc->name, &check);
		const char *msg = jc->message ? jc->message : "";
		cJSON *v = vm_entry(vms, vm, plan_state), *c, *list;

		n[jc->result]++;
		if (jc->result == JUNIT_PASSED) {
			if (counts) {
				cJSON *k = cJSON_GetObjectItemCaseSensitive(v, "passed");

				if (k)
					cJSON_SetNumberValue(k, k->valuedouble + 1);
				else
					cJSON_AddNumberToObject(v, "passed", 1);
				continue;
			}
			list = json_get(v, "pass");
			if (!list)
				list = cJSON_AddArrayToObject(v, "pass");
			cJSON_AddItemToArray(list, cut(check, max, &truncated));
			continue;
		}
		c = cJSON_CreateObject();
		cJSON_AddItemToObject(c, "c", cut(check, max, &truncated));
		if (jc->result == JUNIT_FAILED && !strncmp(msg, "expected ", 9) && strstr(msg, ", got ")) {
			const char *got = strstr(msg, ", got ");
			char exp[MSG_CUT + 1];

			snprintf(exp, sizeof(exp), "%.*s", (int)(got - msg - 9), msg + 9);
			cJSON_AddItemToObject(c, "exp", cut(exp, max, &truncated));
			cJSON_AddItemToObject(c, "act", cut(got + 6, max, &truncated));
		} else if (*msg) {
			cJSON_AddItemToObject(c, "m", cut(msg, max, &truncated));
		}
		list = json_get(v, jc->result == JUNIT_FAILED ? "fail" : "skip");
		if (!list)
			list = cJSON_AddArrayToObject(v, jc->result == JUNIT_FAILED ? "fail" : "skip");
		cJSON_AddItemToArray(list, c);
	}
	cJSON_AddNumberToObject(total, "pass", (double)n[JUNIT_PASSED]);
	cJSON_AddNumberToObject(total, "fail", (double)n[JUNIT_FAILED]);
	cJSON_AddNumberToObject(total, "skip", (double)n[JUNIT_SKIPPED]);
	if (truncated)
		cJSON_AddBoolToObject(doc, "truncated", true);
	return doc;
}

void check_results_write(const struct step *s, const cJSON *plan_state)
{
	struct mtv_err e = { 0 };
	cJSON *doc;
	char *text;

	if (!s->junit.ncases)
		return;	/* nothing was checked: no file, rather than an empty one */
	doc = build(&s->junit, plan_state, MSG_CUT, false);
	text = cJSON_Print(doc);	/* as state_write_json writes it */

	/* the margin: state_write_json's own framing */
	if (!text || strlen(text) > STATE_FILE_MAX - 4096) {
		cJSON_Delete(doc);
		doc = build(&s->junit, plan_state, MSG_CUT_SMALL, true);
	}
	free(text);
	if (state_write_json(&s->state, CHECK_RESULTS_STATE, doc, &e) < 0)
		log_warn("the check results for the report: %s", e.msg);
	cJSON_Delete(doc);
}
