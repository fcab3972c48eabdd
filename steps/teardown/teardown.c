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
#include "json.h"
#include "kube.h"
#include "log.h"
#include "step.h"
#include "stepctx.h"
#include "teardown.h"
#include "wait.h"

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
	  "      PVs) and keep the session's providers, maps and plans (and source clones) for the next test",
	  STEP_PARAM_BOOL, NULL },
	STEP_PROVIDERS_FILE_PARAMS(" create-provider used: the vCenter\n"
				   "      credentials for the source side"),
};

static struct step step = {
	.name = "mtv-teardown",
	.summary = "Delete every object in the ledger (mtv-resources.json) in a safe order: cancel a running\n"
		   "Migration, archive Plans, then Migration, Plan, Provider, Host, Secret, NAD, StorageMap,\n"
		   "NetworkMap, Hook, VirtualMachine, Pod, DataVolume, PVC (plus the destination objects\n"
		   "labelled with the session or the plan), and Namespaces last; wait until each is gone.\n"
		   "Then the source side (ledger entries with apiVersion vim25, made by mtv-prepare-vms):\n"
		   "remove the snapshots it made, power off and destroy its clones, and sweep the vCenter for\n"
		   "VMs named \"<session>-...\": one carrying our mtv-steps.session mark is destroyed, one\n"
		   "without it is never touched and reported.  Objects still there at the end are leftovers:\n"
		   "listed in a table, exit 1; a vCenter that cannot be reached is exit 3, its objects listed.",
	.params = params,
	.nparams = sizeof(params) / sizeof(params[0]),
	.writes = true,
};

/* Kinds the migration made on the destination. */
static bool migrated_kind(const struct item *i)
{
	return i->type == &KUBE_VMS || i->type == &KUBE_PODS || i->type == &KUBE_DATAVOLUMES ||
	       i->type == &KUBE_PVCS || i->type == &KUBE_PVS;
}

static int run(struct teardown *r, struct mtv_err *err)
{
	bool vms_only = step_get_bool(&step, "MTV_TEARDOWN_MIGRATED_VMS_ONLY");
	bool edits_ok;
	size_t left;

	if (step_get_seconds(&step, "MTV_TEARDOWN_TIMEOUT", &r->timeout_s, err) < 0)
		return -1;
	if (teardown_load_ledger(r, err) < 0)
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
			teardown_print_json(r);
		return 0;
	}
	if (teardown_write_artifact(r, err) < 0) {
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
	    step_ctx_open(r->c, CTX_SESSION_IF_ANY, err) < 0)
		return -1;
	if (!r->items.n && !r->c->have_session) {
		log_info("nothing to delete");
		return 0;
	}
	if (step_ctx_open(r->c, CTX_CLUSTER, err) < 0)
		return -1;

	/* before anything is deleted: the source side needs the Provider
	 * Secret's TLS settings */
	if (!vms_only && teardown_source_prepare(r, err) < 0)
		return -1;
	if (teardown_expand_prefixes(r, err) < 0 || teardown_prepare(r, vms_only, err) < 0 || teardown_sweep(r, err) < 0 ||
	    teardown_sweep_pvs(r, err) < 0)
		return -1;
	if (vms_only) {
		/* Keep the rest for the tests that follow, as mtv-api-tests'
		 * per-class cleanup does. */
		size_t kept = 0;

		for (size_t k = 0; k < r->items.n; k++)
			if (migrated_kind(&r->items.v[k]))
				r->items.v[kept++] = r->items.v[k];
		r->items.n = kept;
		items_reindex(&r->items);
	}
	items_sort(&r->items);
	log_info("deleting %zu objects (waiting up to %lds per kind)", r->items.n, r->timeout_s);
	for (size_t from = 0; from < r->items.n && !r->items.v[from].source;) {
		size_t to = from + 1;

		while (to < r->items.n && !strcmp(r->items.v[to].kind, r->items.v[from].kind))
			to++;
		if (teardown_delete_group(r, from, to, err) < 0)
			return -1;
		from = to;
	}
	if (teardown_source(r, err) < 0)
		return -1;
	if (step_output_doc(&step))
		teardown_print_json(r);
	left = teardown_print_leftovers(r) + r->strays_left;
	teardown_report(r);
	/* A replayed ledger belongs to another run, whose edits are not ours
	 * to undo; the migrated-VMs-only mode keeps the session going. */
	edits_ok = vms_only || *step_get(&step, "MTV_TEARDOWN_RESOURCES") || teardown_restore_edits(r) == 0;
	if (r->source_err.code)
		return mtv_err_set(err, MTV_EXIT_ENV, "the source side was not cleaned (its objects are in the table above): %s",
				   r->source_err.msg);
	if (left)
		return mtv_err_set(err, MTV_EXIT_FAILED, "%zu objects are still there after teardown (see the table above)",
				   left);
	if (!edits_ok)
		return mtv_err_set(err, MTV_EXIT_FAILED, "cluster-wide edits recorded in %s were not all restored",
				   EDITS_STATE);
	log_info("teardown complete: everything is gone");
	return 0;
}

static int teardown(struct step_ctx *c, struct mtv_err *err)
{
	struct teardown r = { .c = c };
	int rc;

	rc = run(&r, err);
	free(r.sweeps);
	teardown_batches_release(&r);
	items_release(&r.items);
	cJSON_Delete(r.ledger);
	cJSON_Delete(r.providers_state);
	vsphere_source_tls_release(&r.tls);
	return rc;
}

int main(int argc, char **argv)
{
	return step_ctx_main(&step, argc, argv, teardown);
}

