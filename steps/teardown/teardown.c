/* mtv-teardown: delete everything the session created, in a safe order,
 * and prove it is gone.
 *
 * mtv-api-tests only logs what it could not delete; on a CI cluster shared
 * by many jobs a silent leak is the worst outcome, so every object that is
 * still there at the end is a leftover, printed in a table and exit 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_edits.h"
#include "fsutil.h"
#include "json.h"
#include "kube.h"
#include "log.h"
#include "session.h"
#include "step.h"
#include "teardown.h"
#include "wait.h"

#define RESOURCES_ARTIFACT "resources.json"
#define LEDGER_READ_MAX (16u << 20)

static struct step_param params[] = {
	{ "MTV_TEARDOWN_TIMEOUT", "timeout", "300",
	  "seconds to wait for the objects of one kind to be gone (also bounds cancel and archive)",
	  0, NULL },
	{ "MTV_SKIP_TEARDOWN", "skip-teardown", "false",
	  "delete nothing; only copy the ledger to $ARTIFACT_DIR/resources.json for a later --resources run",
	  STEP_PARAM_BOOL, NULL },
	{ "MTV_TEARDOWN_RESOURCES", "resources", NULL,
	  "replay this ledger (a resources.json) instead of $SHARED_DIR/mtv-resources.json", 0, NULL },
	{ "MTV_TEARDOWN_MIGRATED_VMS_ONLY", "migrated-vms-only", "false",
	  "delete only what the migration made (destination VMs, their pods, DataVolumes, PVCs and\n"
	  "      PVs) and keep the session's providers, maps and plans for the next test",
	  STEP_PARAM_BOOL, NULL },
};

static struct step step = {
	.name = "mtv-teardown",
	.summary = "Delete every object in the ledger (mtv-resources.json) in a safe order: cancel a running\n"
		   "Migration, archive Plans, then Migration, Plan, Provider, Host, Secret, NAD, StorageMap,\n"
		   "NetworkMap, Hook, VirtualMachine, Pod, DataVolume, PVC (plus the destination objects\n"
		   "labelled with the session or the plan), and Namespaces last; wait until each is gone.\n"
		   "Objects still there at the end are leftovers: listed in a table, exit 1.",
	.params = params,
	.nparams = sizeof(params) / sizeof(params[0]),
	.writes = true,
};

struct run {
	struct kube_client kc;
	bool connected;
	struct items items;
	struct session session;
	int have_session;
	cJSON *ledger;
	const char *ledger_what;
	long timeout_s;
	/* Destination label scopes to sweep: "ns\tselector" strings. */
	char **sweeps;
	size_t nsweeps;
};

/* ---- loading ---- */

static int load_ledger(struct run *r, struct mtv_err *err)
{
	const char *file = step_get(&step, "MTV_TEARDOWN_RESOURCES");

	if (*file) {
		struct buf b = BUF_INIT(LEDGER_READ_MAX);
		int rc = fs_read_file(file, &b, LEDGER_READ_MAX, err);

		if (rc == 0)
			rc = json_parse(buf_str(&b), b.len, file, &r->ledger, err);
		buf_release(&b);
		if (rc < 0) {
			err->code = MTV_EXIT_USAGE;
			return -1;
		}
		r->ledger_what = file;
		return 0;
	}
	if (state_read_json(&step.state, LEDGER_FILE, &r->ledger, err) < 0)
		return -1;
	r->ledger_what = LEDGER_FILE;
	if (!r->ledger) {
		log_info("%s/%s does not exist: no step created anything", step.state.dir, LEDGER_FILE);
		r->ledger = cJSON_CreateObject();
	}
	return 0;
}

static int write_resources_artifact(struct run *r, struct mtv_err *err)
{
	char path[4400];
	char *text = cJSON_Print(r->ledger);
	int rc;

	snprintf(path, sizeof(path), "%s/%s", step.artifact_dir, RESOURCES_ARTIFACT);
	rc = fs_write_atomic(path, text, strlen(text), 0644, err);
	free(text);
	if (rc < 0)
		err->code = MTV_EXIT_ENV;
	return rc;
}

/* ---- ownership ---- */

/* Why an existing object is not ours to delete, or NULL.  The ledger is
 * written before the create, so an entry can name an object someone else
 * made when our create met a 409; deleting it would be the worst bug a
 * cleanup can have. */
static const char *not_ours(const struct run *r, const cJSON *obj)
{
	const char *by = json_str(obj, "metadata.labels[\"" LABEL_MANAGED_BY "\"]", NULL);
	const char *sess = json_str(obj, "metadata.labels[\"" LABEL_SESSION "\"]", NULL);

	if (!by || strcmp(by, MANAGED_BY))
		return "not created by mtv-steps (no " LABEL_MANAGED_BY "=" MANAGED_BY " label)";
	if (r->have_session && sess && strcmp(sess, r->session.id))
		return "belongs to another session";
	return NULL;
}

/* ---- API failures ---- */

/* Turn a failed call on item i into a leftover, or into a fatal error
 * (interrupt, unreachable API): -1 then. */
static int item_failed(struct item *i, const char *verb, const struct mtv_err *e, struct mtv_err *err)
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

/* ---- the work list ---- */

/* Replace generateName prefixes by the objects that carry them. */
static int expand_prefixes(struct run *r, struct mtv_err *err)
{
	size_t n = r->items.n;

	for (size_t k = 0; k < n; k++) {
		struct item *i = &r->items.v[k];
		char kind[96], ns[254], prefix[254], api[200];
		cJSON *list = NULL, *o;
		struct mtv_err e = { 0 };

		if (!i->prefix)
			continue;
		snprintf(kind, sizeof(kind), "%s", i->kind);
		snprintf(ns, sizeof(ns), "%s", i->ns);
		snprintf(prefix, sizeof(prefix), "%s", i->name);
		snprintf(api, sizeof(api), "%s%s%s", i->type->group, *i->type->group ? "/" : "",
			 i->type->version);
		if (kube_list(&r->kc, i->type, *ns ? ns : NULL, NULL, &list, NULL, &e) < 0) {
			if (e.http_status == 404)
				continue;
			if (item_failed(i, "list", &e, err) < 0)
				return -1;
			i->prefix = false;	/* report it as a leftover */
			continue;
		}
		cJSON_ArrayForEach(o, list) {
			const char *name = json_str(o, "metadata.name", "");

			if (!strncmp(name, prefix, strlen(prefix)))
				items_add(&r->items, kind, api, ns, name, err);
		}
		cJSON_Delete(list);
	}
	return 0;
}

static int add_sweep(struct run *r, const char *ns, const char *selector)
{
	char line[512], *s, **nv;

	snprintf(line, sizeof(line), "%s\t%s", ns, selector);
	if (!(s = strdup(line)))
		return -1;
	for (size_t k = 0; k < r->nsweeps; k++)
		if (!strcmp(r->sweeps[k], s)) {
			free(s);
			return 0;
		}
	nv = realloc(r->sweeps, (r->nsweeps + 1) * sizeof(*nv));
	if (!nv) {
		free(s);
		return -1;
	}
	r->sweeps = nv;
	r->sweeps[r->nsweeps++] = s;
	return 0;
}

/* The destination objects Forklift made for our plans (labelled
 * plan=<uid>) and anything labelled with our session in the target
 * namespace: they are not in the ledger because we did not create them. */
static int sweep(struct run *r, struct mtv_err *err)
{
	static const struct kube_type *const kinds[] = { &KUBE_VMS, &KUBE_PODS, &KUBE_DATAVOLUMES,
							   &KUBE_PVCS };

	for (size_t s = 0; s < r->nsweeps; s++) {
		char ns[254];
		const char *sel = strchr(r->sweeps[s], '\t') + 1;

		snprintf(ns, sizeof(ns), "%.*s", (int)(sel - 1 - r->sweeps[s]), r->sweeps[s]);
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			struct kube_list_opts o = { .label_selector = sel };
			cJSON *list = NULL, *obj;
			struct mtv_err e = { 0 };
			char api[128];

			if (kube_list(&r->kc, kinds[k], ns, &o, &list, NULL, &e) < 0) {
				if (e.code >= 128)
					return *err = e, -1;
				log_warn("sweep: cannot list %s in %s by %s: %s", kinds[k]->plural, ns, sel, e.msg);
				continue;
			}
			snprintf(api, sizeof(api), "%s%s%s", kinds[k]->group, *kinds[k]->group ? "/" : "",
				 kinds[k]->version);
			cJSON_ArrayForEach(obj, list) {
				struct item *i = items_add(&r->items, kinds[k]->kind, api, ns,
							   json_str(obj, "metadata.name", ""), err);

				if (i) {
					i->swept = true;
					log_info("sweep: %s %s/%s carries %s", kinds[k]->kind, ns, i->name, sel);
				}
			}
			cJSON_Delete(list);
		}
	}
	return 0;
}

/* The PersistentVolumes our PVCs were bound to: with a Retain policy they
 * outlive the claim, and they are not labelled by anyone. */
static int sweep_pvs(struct run *r, struct mtv_err *err)
{
	struct mtv_err e = { 0 };
	cJSON *pvs = NULL, *pv;
	bool any = false;

	for (size_t k = 0; k < r->items.n; k++)
		any |= r->items.v[k].type == &KUBE_PVCS;
	if (!any)
		return 0;
	if (kube_list(&r->kc, &KUBE_PVS, NULL, NULL, &pvs, NULL, &e) < 0) {
		if (e.code >= 128)
			return *err = e, -1;
		log_warn("sweep: cannot list persistentvolumes: %s", e.msg);
		return 0;
	}
	cJSON_ArrayForEach(pv, pvs) {
		const char *cns = json_str(pv, "spec.claimRef.namespace", ""), *cname = json_str(pv, "spec.claimRef.name", "");
		size_t n = r->items.n;

		for (size_t k = 0; k < n; k++) {
			struct item *i = &r->items.v[k];

			if (i->type == &KUBE_PVCS && !strcmp(i->ns, cns) && !strcmp(i->name, cname)) {
				struct item *p = items_add(&r->items, "PersistentVolume", "v1", NULL,
							   json_str(pv, "metadata.name", ""), err);

				if (p) {
					p->swept = true;
					log_info("sweep: PersistentVolume %s was bound to %s/%s", p->name, cns, cname);
				}
				break;
			}
		}
	}
	cJSON_Delete(pvs);
	return 0;
}

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

static void cancel_migration(struct run *r, struct item *i, struct mtv_err *err)
{
	cJSON *m = NULL, *plan = NULL, *patch = NULL, *cancel, *vm;
	struct mtv_err e = { 0 };
	char what[600], *text = NULL;
	double t0 = step_now();
	const char *pname, *pns;

	item_describe(i, what, sizeof(what));
	if (kube_get(&r->kc, i->type, i->ns, i->name, &m, &e) < 0 || not_ours(r, m) ||
	    migration_finished(m) || !(json_get(m, "status.started") || cond_true(m, "Running")))
		goto out;
	pname = json_str(m, "spec.plan.name", "");
	pns = json_str(m, "spec.plan.namespace", i->ns);
	if (kube_get(&r->kc, &KUBE_PLANS, pns, pname, &plan, &e) < 0) {
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
	if (kube_patch(&r->kc, i->type, i->ns, i->name, KUBE_PATCH_MERGE, text, NULL, &e) < 0) {
		log_warn("cannot cancel %s: %s", what, e.msg);
		step_case(&step, "cancel running Migration", step_now() - t0, JUNIT_FAILED, e.msg, NULL);
		goto out;
	}
	struct wait_spec w = {
		.type = i->type, .ns = i->ns, .name = i->name, .what = "to end after cancel",
		.timeout_ms = r->timeout_s * 1000, .pred = pred_finished,
	};
	if (wait_for(&r->kc, &w, NULL, &e) < 0) {
		if (e.code >= 128) {
			*err = e;
			goto out;
		}
		log_warn("%s", e.msg);
		step_case(&step, "cancel running Migration", step_now() - t0, JUNIT_FAILED, e.msg, NULL);
		goto out;
	}
	log_info("%s canceled", what);
	step_case(&step, "cancel running Migration", step_now() - t0, JUNIT_PASSED, NULL, NULL);
out:
	free(text);
	cJSON_Delete(patch);
	cJSON_Delete(plan);
	cJSON_Delete(m);
}

/* Archive the plan (Forklift then releases its pods and PVC mounts) and
 * remember its uid, the key of every destination object it made. */
static void archive_plan(struct run *r, struct item *i, bool archive, struct mtv_err *err)
{
	cJSON *p = NULL;
	struct mtv_err e = { 0 };
	char what[600], sel[128];
	const char *uid;
	double t0 = step_now();

	item_describe(i, what, sizeof(what));
	if (kube_get(&r->kc, i->type, i->ns, i->name, &p, &e) < 0 || not_ours(r, p))
		goto out;
	uid = json_str(p, "metadata.uid", "");
	if (*uid) {
		snprintf(sel, sizeof(sel), "plan=%s", uid);
		add_sweep(r, json_str(p, "spec.targetNamespace", i->ns), sel);
	}
	if (!archive || (cJSON_IsTrue(json_get(p, "spec.archived")) && cond_true(p, "Archived")))
		goto out;
	if (kube_patch(&r->kc, i->type, i->ns, i->name, KUBE_PATCH_MERGE,
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
	if (wait_for(&r->kc, &w, NULL, &e) < 0) {
		if (e.code >= 128) {
			*err = e;
			goto out;
		}
		log_warn("%s", e.msg);
		step_case(&step, "archive Plan", step_now() - t0, JUNIT_FAILED, e.msg, NULL);
		goto out;
	}
	step_case(&step, "archive Plan", step_now() - t0, JUNIT_PASSED, NULL, NULL);
out:
	cJSON_Delete(p);
}

/* Kinds the migration made on the destination. */
static bool migrated_kind(const struct item *i)
{
	return i->type == &KUBE_VMS || i->type == &KUBE_PODS || i->type == &KUBE_DATAVOLUMES ||
	       i->type == &KUBE_PVCS || i->type == &KUBE_PVS;
}

static int prepare(struct run *r, bool vms_only, struct mtv_err *err)
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
	if (r->have_session && *r->session.target_namespace) {
		char sel[128];

		snprintf(sel, sizeof(sel), "%s=%s", LABEL_SESSION, r->session.id);
		add_sweep(r, r->session.target_namespace, sel);
	}
	return 0;
}

/* ---- deletion ---- */

static int delete_item(struct run *r, struct item *i, struct mtv_err *err)
{
	cJSON *obj = NULL;
	struct mtv_err e = { 0 };
	const char *why;
	char what[600];

	item_describe(i, what, sizeof(what));
	if (kube_get(&r->kc, i->type, i->ns, i->name, &obj, &e) < 0) {
		if (e.http_status == 404) {
			i->state = ITEM_GONE;
			return 0;
		}
		return item_failed(i, "get", &e, err);
	}
	/* A swept object was selected by our plan's uid or our session label:
	 * that is the proof of ownership (Forklift does not add ours). */
	if (!i->swept && (why = not_ours(r, obj))) {
		i->state = ITEM_SKIPPED;
		snprintf(i->why, sizeof(i->why), "%s", why);
		log_warn("%s: %s; not deleting it", what, why);
		cJSON_Delete(obj);
		return 0;
	}
	cJSON_Delete(obj);
	if (kube_delete(&r->kc, i->type, i->ns, i->name, "Background", &e) < 0) {
		if (e.http_status == 404) {
			i->state = ITEM_GONE;
			return 0;
		}
		return item_failed(i, "delete", &e, err);
	}
	log_info("deleting %s", what);
	i->state = ITEM_DELETING;
	return 0;
}

static void leftover_reason(struct run *r, struct item *i, const struct mtv_err *e, long waited_s)
{
	cJSON *obj = NULL, *f;
	struct mtv_err e2 = { 0 };
	struct buf fin = BUF_INIT(4096);

	if (kube_get(&r->kc, i->type, i->ns, i->name, &obj, &e2) < 0 && e2.http_status == 404) {
		i->state = ITEM_DELETED;
		return;
	}
	i->state = ITEM_LEFT;
	cJSON_ArrayForEach(f, json_get(obj, "metadata.finalizers"))
		if (cJSON_IsString(f))
			buf_addf(&fin, "%s%s", fin.len ? ", " : "", f->valuestring);
	/* A Terminating namespace waits on spec.finalizers: its content. */
	cJSON_ArrayForEach(f, json_get(obj, "spec.finalizers"))
		if (cJSON_IsString(f))
			buf_addf(&fin, "%s%s", fin.len ? ", " : "", f->valuestring);
	if (fin.len)
		snprintf(i->why, sizeof(i->why), "finalizer %s (still there after %lds)", buf_str(&fin),
			 waited_s);
	else if (e->code == MTV_EXIT_TIMEOUT)
		snprintf(i->why, sizeof(i->why), "timeout: still there after %lds", waited_s);
	else
		snprintf(i->why, sizeof(i->why), "error: %s", e->msg);
	buf_release(&fin);
	cJSON_Delete(obj);
}

static void report_item(const struct item *i)
{
	char what[600];

	item_describe(i, what, sizeof(what));
	if (step_output_doc(&step))
		return;
	if (i->state == ITEM_DELETED)
		printf("%s deleted\n", what);
	else if (i->state == ITEM_GONE)
		printf("%s already gone\n", what);
}

/* Delete the items [from, to) (one kind), then wait for them together. */
static int delete_group(struct run *r, size_t from, size_t to, struct mtv_err *err)
{
	double t0 = step_now(), deadline = t0 + (double)r->timeout_s;
	size_t left = 0, done = 0;
	const char *kind = r->items.v[from].kind;

	for (size_t k = from; k < to; k++)
		if (!r->items.v[k].prefix && r->items.v[k].state == ITEM_PENDING &&
		    delete_item(r, &r->items.v[k], err) < 0)
			return -1;
	for (size_t k = from; k < to; k++) {
		struct item *i = &r->items.v[k];
		struct mtv_err e = { 0 };
		long remaining;

		if (i->state != ITEM_DELETING)
			continue;
		remaining = (long)((deadline - step_now()) * 1000);
		if (remaining < 1000)
			remaining = 1000;
		if (wait_gone(&r->kc, i->type, i->ns, i->name, remaining, &e) == 0) {
			i->state = ITEM_DELETED;
			continue;
		}
		if (e.code >= 128) {
			*err = e;
			return -1;
		}
		leftover_reason(r, i, &e, (long)(step_now() - t0 + 0.5));
	}
	for (size_t k = from; k < to; k++) {
		struct item *i = &r->items.v[k];
		char name[600];

		if (i->prefix)
			continue;
		report_item(i);
		item_describe(i, name, sizeof(name));
		if (i->state == ITEM_LEFT) {
			left++;
			step_case(&step, name, step_now() - t0, JUNIT_FAILED, i->why, NULL);
			log_error("leftover: %s: %s", name, i->why);
		} else if (i->state == ITEM_SKIPPED) {
			step_case(&step, name, 0, JUNIT_SKIPPED, i->why, NULL);
		} else {
			done++;
		}
	}
	if (done && !left) {
		char name[200];

		snprintf(name, sizeof(name), "delete %s (%zu)", kind, done);
		step_case(&step, name, step_now() - t0, JUNIT_PASSED, NULL, NULL);
	}
	return 0;
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

static cJSON *items_json(const struct run *r)
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
		cJSON_AddStringToObject(o, "result", step.dry_run ? "would delete" : state_name(i->state));
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

static void print_json(const struct run *r)
{
	cJSON *doc = items_json(r);

	step_print(&step, doc, NULL);
	cJSON_Delete(doc);
}

static size_t print_leftovers(const struct run *r)
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
	if (!n || step_output_doc(&step))
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
static int restore_edits(struct run *r)
{
	struct mtv_err e = { 0 };
	int restored = 0;

	if (cluster_edits_restore(&r->kc, &step.state, &restored, &e) < 0) {
		step_case(&step, "cluster-wide edits restored", 0, JUNIT_FAILED, e.msg, NULL);
		log_error("a cluster-wide edit was not restored: %s", e.msg);
		return -1;
	}
	if (restored)
		step_case(&step, "cluster-wide edits restored", 0, JUNIT_PASSED, NULL, NULL);
	return 0;
}

static int run(struct run *r, struct mtv_err *err)
{
	bool vms_only = step_get_bool(&step, "MTV_TEARDOWN_MIGRATED_VMS_ONLY");
	bool edits_ok;
	size_t left;

	if (step_get_seconds(&step, "MTV_TEARDOWN_TIMEOUT", &r->timeout_s, err) < 0)
		return -1;
	if (load_ledger(r, err) < 0)
		return -1;
	if (items_from_ledger(&r->items, r->ledger, r->ledger_what, err) < 0)
		return -1;
	items_sort(&r->items);
	if (step.dry_run) {
		for (size_t k = 0; k < r->items.n; k++) {
			char what[600];

			if (vms_only && !migrated_kind(&r->items.v[k]))
				continue;
			item_describe(&r->items.v[k], what, sizeof(what));
			if (!*step.output || !strcmp(step.output, "name"))
				printf("%s would be deleted\n", what);
		}
		if (step_output_doc(&step))
			print_json(r);
		return 0;
	}
	if (write_resources_artifact(r, err) < 0) {
		if (step_get_bool(&step, "MTV_SKIP_TEARDOWN"))
			return -1;
		log_warn("%s", err->msg);
	}
	if (step_get_bool(&step, "MTV_SKIP_TEARDOWN")) {
		log_info("MTV_SKIP_TEARDOWN=true: leaving %zu objects in place; clean up later with\n"
			 "  mtv-teardown --resources %s/%s", r->items.n, step.artifact_dir, RESOURCES_ARTIFACT);
		step_case(&step, "teardown", 0, JUNIT_SKIPPED, "MTV_SKIP_TEARDOWN=true", NULL);
		return 0;
	}
	/* A replayed ledger may come from another run: the session in this
	 * SHARED_DIR says nothing about it. */
	if (!*step_get(&step, "MTV_TEARDOWN_RESOURCES") &&
	    session_load(&step.state, &r->session, &r->have_session, err) < 0)
		return -1;
	if (!r->items.n && !r->have_session) {
		log_info("nothing to delete");
		return 0;
	}
	if (kube_client_from_env(&r->kc, step.context, err) < 0)
		return -1;
	r->connected = true;
	kube_client_set_interrupt(&r->kc, step_interrupt_flag());

	if (expand_prefixes(r, err) < 0 || prepare(r, vms_only, err) < 0 || sweep(r, err) < 0 ||
	    sweep_pvs(r, err) < 0)
		return -1;
	if (vms_only) {
		/* Keep the rest for the tests that follow, as mtv-api-tests'
		 * per-class cleanup does. */
		size_t kept = 0;

		for (size_t k = 0; k < r->items.n; k++)
			if (migrated_kind(&r->items.v[k]))
				r->items.v[kept++] = r->items.v[k];
		r->items.n = kept;
	}
	items_sort(&r->items);
	log_info("deleting %zu objects (waiting up to %lds per kind)", r->items.n, r->timeout_s);
	for (size_t from = 0; from < r->items.n;) {
		size_t to = from + 1;

		while (to < r->items.n && !strcmp(r->items.v[to].kind, r->items.v[from].kind))
			to++;
		if (delete_group(r, from, to, err) < 0)
			return -1;
		from = to;
	}
	if (step_output_doc(&step))
		print_json(r);
	left = print_leftovers(r);
	/* A replayed ledger belongs to another run, whose edits are not ours
	 * to undo; the migrated-VMs-only mode keeps the session going. */
	edits_ok = vms_only || *step_get(&step, "MTV_TEARDOWN_RESOURCES") || restore_edits(r) == 0;
	if (left)
		return mtv_err_set(err, MTV_EXIT_FAILED, "%zu objects are still there after teardown (see the table above)",
				   left);
	if (!edits_ok)
		return mtv_err_set(err, MTV_EXIT_FAILED, "cluster-wide edits recorded in %s were not all restored",
				   EDITS_STATE);
	log_info("teardown complete: everything is gone");
	return 0;
}

static int teardown(struct step *s, void *arg, struct mtv_err *err)
{
	struct run r = { 0 };
	int rc;

	(void)s;
	(void)arg;
	rc = run(&r, err);
	if (r.connected)
		kube_client_release(&r.kc);
	for (size_t k = 0; k < r.nsweeps; k++)
		free(r.sweeps[k]);
	free(r.sweeps);
	items_release(&r.items);
	cJSON_Delete(r.ledger);
	return rc;
}

int main(int argc, char **argv)
{
	return step_main(&step, argc, argv, teardown, NULL);
}
