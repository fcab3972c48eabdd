/* mtv-prepare-vms: the scenario's source VMs made ready for the session as
 * mtv-api-tests' prepared_plan does: a clone per VM (or the VM itself),
 * with the disks, snapshots, changed block tracking and power the scenario
 * asks for, listed by the Forklift inventory, and their facts as the source
 * reports them in mtv-source-vms.json for the later steps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "prepare_vms.h"
#include "source_facts.h"

static struct step_param params[] = {
	STEP_PROVIDERS_FILE_PARAMS(": the vCenter credentials"),
	{ "MTV_SOURCE_PROVIDER", "source-provider", NULL,
	  "the key of the source provider entry [default: the one mtv-create-provider used]", 0, NULL },
	STEP_SCENARIO_PARAMS,
	{ "MTV_PREPARE_VMS", "prepare-vms", "true",
	  "false: do nothing (a source that must not be changed, or one that speaks no vim25)",
	  STEP_PARAM_BOOL, NULL },
	{ "MTV_SKIP_CLONE", "skip-clone", "false",
	  "use the scenario's VMs themselves instead of clones (as the plan key skip_clone)", STEP_PARAM_BOOL,
	  NULL },
	{ "MTV_INVENTORY_WAIT_TIMEOUT", "inventory-wait-timeout", "300",
	  "seconds to wait for the inventory to list every prepared VM (the plan's inventory_timeout wins)",
	  0, NULL },
	{ "MTV_INVENTORY_WAIT", "inventory-wait", "true",
	  "test/debug knob: false skips the wait for the inventory (later steps still wait for the VMs)",
	  STEP_PARAM_BOOL, NULL },
	{ "MTV_VSPHERE_TASK_TIMEOUT", "vsphere-task-timeout", "600",
	  "seconds a vSphere task (clone, reconfigure, snapshot, power) may run", 0, NULL },
};

struct step prepare_step = {
	.name = "mtv-prepare-vms",
	.summary = "Prepare the scenario's source VMs as mtv-api-tests does: clone each VM (or its\n"
		   "clone_name) as <session>-<name> on a vSphere source, with the disk type, datastore,\n"
		   "extra disks, snapshots, changed block tracking (warm) and power the scenario asks\n"
		   "for; wait until the inventory lists the clones; write mtv-source-vms.json, whose\n"
		   "names the later steps use.  Clones are recorded in the ledger before they are made\n"
		   "and a re-run adopts them.  The plan's skip_clone, MTV_SKIP_CLONE or a VM's\n"
		   "\"clone\": false use the VM itself (snapshots on it are recorded for teardown).\n"
		   "Other source types: nothing to do yet.",
	.params = params,
	.nparams = sizeof(params) / sizeof(params[0]),
	.writes = true,
};

static int load_provider_entry(struct prep *p, struct mtv_err *err)
{
	const char *key = step_get(&prepare_step, "MTV_SOURCE_PROVIDER");

	if (!*key)
		key = json_str(p->c->providers, "source.key", "");
	if (!*key)
		return mtv_err_set(err, MTV_EXIT_USAGE,
				   "MTV_SOURCE_PROVIDER is not set and %s/%s names no source.key",
				   prepare_step.state.dir, PROVIDERS_STATE);
	p->providers_file = step_providers_path(&prepare_step, p->providers_path, sizeof(p->providers_path));
	if (providers_load(p->providers_file, key, &p->provider, err) < 0)
		return -1;
	if (p->provider.type != PROVIDER_VSPHERE)
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: \"%s\".type: %s, but the session's source is vsphere",
				   p->providers_file, key, p->provider.type_name);
	return 0;
}

static int wait_inventory(struct prep *p, struct mtv_err *err)
{
	struct scenario sc = p->c->scenario;
	struct scenario_vm *vms;
	long long plan_s = 0;
	long timeout_s;
	cJSON *found = NULL;
	int rc;

	if (!step_get_bool(&prepare_step, "MTV_INVENTORY_WAIT")) {
		log_info("not waiting for the inventory (MTV_INVENTORY_WAIT=false)");
		return 0;
	}
	if (step_get_seconds(&prepare_step, "MTV_INVENTORY_WAIT_TIMEOUT", &timeout_s, err) < 0)
		return -1;
	if (json_get_int_opt(sc.plan, "inventory_timeout", &plan_s, err) == 0 && plan_s > 0)
		timeout_s = (long)plan_s;
	if (step_ctx_open(p->c, CTX_INVENTORY, err) < 0)
		return -1;
	vms = calloc(p->n, sizeof(*vms));
	if (!vms)
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	for (size_t i = 0; i < p->n; i++)
		vms[i] = (struct scenario_vm){ .name = p->vms[i].name, .source_name = p->vms[i].source };
	sc.vms = vms;
	log_info("waiting up to %lds for the inventory to list %zu VM%s", timeout_s, p->n, p->n == 1 ? "" : "s");
	rc = source_vms_find(&p->c->source, &sc, timeout_s * 1000, step_interrupt_flag(), &found, err);
	cJSON_Delete(found);
	free(vms);
	return rc;
}

static int write_facts(struct prep *p, struct mtv_err *err)
{
	cJSON *doc = source_facts_new(p->c->source_name, "vsphere", p->c->session.id);
	cJSON *vms = json_get(doc, "vms");
	struct buf names = BUF_INIT(1 << 20);
	int rc;

	for (size_t i = 0; i < p->n; i++) {
		cJSON_AddItemToArray(vms, source_facts_vsphere_vm(&p->now[i], p->vms[i].source,
								  p->vms[i].action != PREP_USE, p->ds, p->nds));
		buf_addf(&names, "source-vm/%s\n", p->vms[i].name);
	}
	rc = state_write_json(&prepare_step.state, SOURCE_VMS_STATE, doc, err);
	if (rc == 0) {
		log_info("wrote %s/%s (%zu VMs)", prepare_step.state.dir, SOURCE_VMS_STATE, p->n);
		step_print(&prepare_step, doc, buf_str(&names));
	}
	buf_release(&names);
	cJSON_Delete(doc);
	return rc;
}

/* The API cost, for the logs and `make bench`: every SOAP call by method. */
static void log_calls(const struct prep *p)
{
	struct buf b = BUF_INIT(4096);

	if (!p->vc_open)
		return;
	for (size_t i = 0; i < p->vc.nstats; i++)
		buf_addf(&b, " %s=%lu", p->vc.stats[i].method, p->vc.stats[i].count);
	log_info("vSphere calls: %lu for %zu VM%s (%.1f per VM):%s", p->vc.calls, p->n, p->n == 1 ? "" : "s",
		 p->n ? (double)p->vc.calls / (double)p->n : 0.0, buf_str(&b));
	buf_release(&b);
}

static int run(struct prep *p, struct mtv_err *err)
{
	struct step_ctx *c = p->c;
	long secs;
	double t0;

	if (!step_get_bool(&prepare_step, "MTV_PREPARE_VMS")) {
		log_info("MTV_PREPARE_VMS=false: the scenario's VMs are used as the inventory lists them; "
			 "nothing cloned or changed, nothing written");
		return 0;
	}
	if (step_get_seconds(&prepare_step, "MTV_INVENTORY_WAIT_TIMEOUT", &secs, err) < 0 ||
	    step_get_seconds(&prepare_step, "MTV_VSPHERE_TASK_TIMEOUT", &secs, err) < 0)
		return -1;
	/* Work from the scenario's own names, not an earlier run's clones. */
	c->keep_source_names = true;
	if (step_ctx_open(c, CTX_SESSION | CTX_SCENARIO | CTX_PROVIDERS, err) < 0)
		return -1;
	if (c->type != PROVIDER_VSPHERE) {
		log_info("source type %s has no source adapter yet (issue 18): its VMs are used as the inventory "
			 "lists them; nothing written", provider_type_name(c->type));
		return 0;
	}
	if (load_provider_entry(p, err) < 0 || prep_plan(p, err) < 0 ||
	    step_ctx_open(c, CTX_CLUSTER, err) < 0)
		return -1;
	if (prep_connect(p, err) < 0 || prep_survey(p, err) < 0)
		return -1;
	if (prepare_step.dry_run) {
		cJSON *doc;

		if (prep_read_existing(p, err) < 0)
			return -1;
		doc = prep_actions_doc(p);

		step_print(&prepare_step, doc, NULL);
		cJSON_Delete(doc);
		return 0;
	}
	if (prep_apply(p, err) < 0)
		return -1;
	t0 = step_now();
	if (wait_inventory(p, err) < 0) {
		step_case(&prepare_step, "the inventory lists the prepared VMs", step_now() - t0, JUNIT_FAILED,
			  err->msg, NULL);
		return -1;
	}
	step_case(&prepare_step, "the inventory lists the prepared VMs", step_now() - t0, JUNIT_PASSED, NULL,
		  NULL);
	/* The facts as the source has them now, after every change. */
	if (prep_reread(p, err) < 0)
		return -1;
	return write_facts(p, err);
}

static int prepare_vms(struct step_ctx *c, struct mtv_err *err)
{
	struct prep p = { .c = c };
	int rc;

	rc = run(&p, err);
	prep_logout(&p);
	log_calls(&p);
	prep_release(&p);
	vsphere_vms_free(p.src, p.n);
	vsphere_vms_free(p.now, p.n);
	vsphere_datastores_free(p.ds, p.nds);
	for (size_t i = 0; p.vms && i < p.n; i++)
		free(p.vms[i].disks);
	free(p.vms);
	provider_entry_release(&p.provider);
	return rc;
}

int main(int argc, char **argv)
{
	return step_ctx_main(&prepare_step, argc, argv, prepare_vms);
}
