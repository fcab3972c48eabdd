/* mtv-teardown: ownership, deletion one kind at a time, and the report
 * (a line per object, the leftovers table, -o json|yaml). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_edits.h"
#include "json.h"
#include "log.h"
#include "teardown.h"
#include "wait.h"

/* ---- ownership ---- */

/* Why an existing object is not ours to delete, or NULL.  The ledger is
 * written before the create, so an entry can name an object someone else
 * made when our create met a 409; deleting it would be the worst bug a
 * cleanup can have. */
const char *teardown_not_ours(const struct teardown *r, const cJSON *obj)
{
	const char *by = json_str(obj, "metadata.labels[\"" LABEL_MANAGED_BY "\"]", NULL);
	const char *sess = json_str(obj, "metadata.labels[\"" LABEL_SESSION "\"]", NULL);

	if (!by || strcmp(by, MANAGED_BY))
		return "not created by mtv-steps (no " LABEL_MANAGED_BY "=" MANAGED_BY " label)";
	if (r->c->have_session && sess && strcmp(sess, r->c->session.id))
		return "belongs to another session";
	return NULL;
}

/* ---- API failures ---- */

/* Turn a failed call on item i into a leftover, or into a fatal error
 * (interrupt, unreachable API): -1 then. */
int teardown_item_failed(struct item *i, const char *verb, const struct mtv_err *e, struct mtv_err *err)
{
	if (e->code >= 128 || e->http_status == 0) {
		*err = *e;
		return -1;
	}
	i->state = ITEM_LEFT;
	if (e->http_status == 403)
		snprintf(i->why, sizeof(i->why), "forbidden: cannot %s (%s)", verb, e->msg);
	else
		snprintf(i->why, sizeof(i->why), "error: cannot %s (%s)", verb, e->msg);
	return 0;
}

/* ---- deletion ---- */

static int delete_item(struct teardown *r, struct item *i, struct mtv_err *err)
{
	cJSON *obj = NULL;
	struct mtv_err e = { 0 };
	const char *why;
	bool gone = false;
	char what[600];

	item_describe(i, what, sizeof(what));
	if (kube_get(&r->c->kc, i->type, i->ns, i->name, &obj, &e) < 0) {
		if (e.http_status == 404) {
			i->state = ITEM_GONE;
			return 0;
		}
		return teardown_item_failed(i, "get", &e, err);
	}
	/* A swept object was selected by our plan's uid or our session label:
	 * that is the proof of ownership (Forklift does not add ours). */
	if (!i->swept && (why = teardown_not_ours(r, obj))) {
		i->state = ITEM_SKIPPED;
		snprintf(i->why, sizeof(i->why), "%s", why);
		log_warn("%s: %s; not deleting it", what, why);
		cJSON_Delete(obj);
		return 0;
	}
	cJSON_Delete(obj);
	if (kube_delete_gone(&r->c->kc, i->type, i->ns, i->name, "Background", &gone, &e) < 0) {
		if (e.http_status == 404) {
			i->state = ITEM_GONE;
			return 0;
		}
		return teardown_item_failed(i, "delete", &e, err);
	}
	log_info("deleting %s", what);
	/* Removed at once: nothing to wait for. */
	i->state = gone ? ITEM_DELETED : ITEM_DELETING;
	return 0;
}

static void leftover_reason(struct teardown *r, struct item *i, const struct mtv_err *e, long waited_s)
{
	cJSON *obj = NULL;
	struct mtv_err e2 = { 0 };

	if (kube_get(&r->c->kc, i->type, i->ns, i->name, &obj, &e2) < 0 && e2.http_status == 404) {
		i->state = ITEM_DELETED;
		return;
	}
	teardown_leftover_from(i, obj, e, waited_s);
	cJSON_Delete(obj);
}

static void report_item(const struct teardown *r, const struct item *i)
{
	char what[600];

	item_describe(i, what, sizeof(what));
	if (step_output_doc(r->c->step))
		return;
	if (i->state == ITEM_DELETED)
		printf("%s deleted\n", what);
	else if (i->state == ITEM_GONE)
		printf("%s already gone\n", what);
}

/* Delete the items [from, to) (one kind): the label-selected ones by their
 * batches (batch.c), the rest one by one; then wait for those together. */
int teardown_delete_group(struct teardown *r, size_t from, size_t to, struct mtv_err *err)
{
	double t0 = step_now(), deadline = t0 + (double)r->timeout_s;
	const char *kind = r->items.v[from].kind;

	if (teardown_batch_delete(r, from, to, deadline, err) < 0)
		return -1;
	for (size_t k = from; k < to; k++)
		if (!r->items.v[k].prefix && r->items.v[k].batch < 0 && r->items.v[k].state == ITEM_PENDING &&
		    delete_item(r, &r->items.v[k], err) < 0)
			return -1;
	for (size_t k = from; k < to; k++) {
		struct item *i = &r->items.v[k];
		struct mtv_err e = { 0 };
		long remaining;

		if (i->state != ITEM_DELETING || i->batch >= 0)
			continue;
		remaining = (long)((deadline - step_now()) * 1000);
		if (remaining < 1000)
			remaining = 1000;
		if (wait_gone(&r->c->kc, i->type, i->ns, i->name, remaining, &e) == 0) {
			i->state = ITEM_DELETED;
			continue;
		}
		if (e.code >= 128) {
			*err = e;
			return -1;
		}
		leftover_reason(r, i, &e, (long)(step_now() - t0 + 0.5));
	}
	teardown_report_group(r, from, to, kind, t0);
	return 0;
}

size_t teardown_report_group(struct teardown *r, size_t from, size_t to, const char *kind, double t0)
{
	size_t left = 0, done = 0;

	for (size_t k = from; k < to; k++) {
		struct item *i = &r->items.v[k];
		char name[600];

		if (i->prefix)
			continue;
		report_item(r, i);
		item_describe(i, name, sizeof(name));
		if (i->state == ITEM_LEFT) {
			left++;
			step_case(r->c->step, name, step_now() - t0, JUNIT_FAILED, i->why, NULL);
			log_error("leftover: %s: %s", name, i->why);
		} else if (i->state == ITEM_SKIPPED) {
			step_case(r->c->step, name, 0, JUNIT_SKIPPED, i->why, NULL);
		} else {
			done++;
		}
	}
	if (done && !left) {
		char name[200];

		snprintf(name, sizeof(name), "delete %s (%zu)", kind, done);
		step_case(r->c->step, name, step_now() - t0, JUNIT_PASSED, NULL, NULL);
	}
	return left;
}

static const char *state_name(enum item_state s)
{
	switch (s) {
	case ITEM_DELETED: return "deleted";
	case ITEM_GONE: return "gone";
	case ITEM_SKIPPED: return "skipped";
	case ITEM_LEFT: return "leftover";
	default: return "pending";
	}
}

static cJSON *items_json(const struct teardown *r)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *objs = cJSON_AddArrayToObject(doc, "objects");
	size_t left = 0;

	for (size_t k = 0; k < r->items.n; k++) {
		const struct item *i = &r->items.v[k];
		cJSON *o;

		if (i->prefix && i->state == ITEM_PENDING)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", i->kind);
		if (*i->ns)
			cJSON_AddStringToObject(o, "namespace", i->ns);
		cJSON_AddStringToObject(o, "name", i->name);
		cJSON_AddStringToObject(o, "result", r->c->step->dry_run ? "would delete" : state_name(i->state));
		if (*i->why)
			cJSON_AddStringToObject(o, "why", i->why);
		if (i->swept)
			cJSON_AddBoolToObject(o, "swept", true);
		cJSON_AddItemToArray(objs, o);
		left += i->state == ITEM_LEFT;
	}
	cJSON_AddNumberToObject(doc, "leftovers", (double)left);
	return doc;
}

void teardown_print_json(const struct teardown *r)
{
	cJSON *doc = items_json(r);

	step_print(r->c->step, doc, NULL);
	cJSON_Delete(doc);
}

size_t teardown_print_leftovers(const struct teardown *r)
{
	size_t n = 0;
	int wk = 4, wn = 9, wo = 4;

	for (size_t k = 0; k < r->items.n; k++) {
		const struct item *i = &r->items.v[k];

		if (i->state != ITEM_LEFT)
			continue;
		n++;
		wk = (int)strlen(i->kind) > wk ? (int)strlen(i->kind) : wk;
		wn = (int)strlen(i->ns) > wn ? (int)strlen(i->ns) : wn;
		wo = (int)strlen(i->name) > wo ? (int)strlen(i->name) : wo;
	}
	if (!n || step_output_doc(r->c->step))
		return n;
	printf("\nLEFTOVERS (%zu):\n%-*s  %-*s  %-*s  %s\n", n, wk, "KIND", wn, "NAMESPACE", wo, "NAME", "WHY");
	for (size_t k = 0; k < r->items.n; k++) {
		const struct item *i = &r->items.v[k];

		if (i->state == ITEM_LEFT)
			printf("%-*s  %-*s  %-*s  %s\n", wk, i->kind, wn, *i->ns ? i->ns : "-", wo, i->name,
			       i->why);
	}
	return n;
}

/* Put back what the session changed cluster-wide (mtv-edits.json); 0 when
 * everything was restored. */
int teardown_restore_edits(struct teardown *r)
{
	struct mtv_err e = { 0 };
	int restored = 0;

	if (cluster_edits_restore(&r->c->kc, &r->c->step->state, &restored, &e) < 0) {
		step_case(r->c->step, "cluster-wide edits restored", 0, JUNIT_FAILED, e.msg, NULL);
		log_error("a cluster-wide edit was not restored: %s", e.msg);
		return -1;
	}
	if (restored)
		step_case(r->c->step, "cluster-wide edits restored", 0, JUNIT_PASSED, NULL, NULL);
	return 0;
}
