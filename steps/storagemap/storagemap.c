/* mtv-storagemap: a StorageMap sending every datastore (storage domain,
 * volume type, ...) the scenario's VMs use to MTV_STORAGE_CLASS. */
#include <stdio.h>

#include "json.h"
#include "log.h"
#include "maps.h"
#include "stepctx.h"
#include "wait.h"

static struct step_param params[] = {
	{ "MTV_STORAGE_CLASS", "storage-class", NULL, "the target storage class", STEP_PARAM_REQUIRED, NULL },
	STEP_SCENARIO_PARAMS,
	{ "MTV_INVENTORY_TIMEOUT", "inventory-timeout", "300",
	  "seconds to wait for the scenario's VMs (and, for OpenStack, their volumes) to appear in the inventory",
	  0, NULL },
	{ "MTV_MAP_READY_TIMEOUT", "map-ready-timeout", "300", "seconds to wait for the map to be Ready", 0, NULL },
};

static struct step step = {
	.name = "mtv-storagemap",
	.summary = "Create the StorageMap for the scenario's VMs: every source storage they use goes to\n"
		   "MTV_STORAGE_CLASS (an OpenShift source: the storage classes of its VMs' PVCs and\n"
		   "DataVolumes).  Waits until it is Ready; records it in mtv-maps.json.  Exits 1,\n"
		   "creating nothing, when the VMs have no disks on any storage.",
	.params = params,
	.nparams = sizeof(params) / sizeof(params[0]),
	.writes = true,
};

static int run(struct step_ctx *c, struct mtv_err *err)
{
	long inv_timeout, ready_timeout;
	cJSON *vms = NULL, *storages = NULL, *obj = NULL, *entry;
	char name[160];
	struct map_in in;
	double t0 = step_now();
	int rc = -1;

	if (step_get_seconds(&step, "MTV_INVENTORY_TIMEOUT", &inv_timeout, err) < 0 ||
	    step_get_seconds(&step, "MTV_MAP_READY_TIMEOUT", &ready_timeout, err) < 0 ||
	    step_ctx_open(c, CTX_SESSION | CTX_SCENARIO | CTX_INVENTORY, err) < 0)
		return -1;
	/* one deadline for the VMs and then (OpenStack) their volumes */
	if (source_vms_find(&c->source, &c->scenario, inv_timeout * 1000, step_interrupt_flag(), &vms, err) < 0 ||
	    source_vms_wait_disks(&c->source, inv_timeout * 1000 - (long)((step_now() - t0) * 1000),
				  step_interrupt_flag(), vms, err) < 0 ||
	    source_storages(&c->source, vms, &storages, err) < 0)
		goto out;
	snprintf(name, sizeof(name), "%s-storagemap", c->session.base_name);
	in = step_ctx_map_in(c);
	obj = storage_map_build(&in, name, storages, step_get(&step, "MTV_STORAGE_CLASS"));
	if (step.dry_run) {
		step_ctx_print(c, obj, NULL);
		rc = 0;
		goto out;
	}
	if (ensure_object(&c->ensure, &KUBE_STORAGEMAPS, c->ns, obj, NULL, NULL, err) < 0)
		goto out;
	struct wait_spec w = {
		.type = &KUBE_STORAGEMAPS, .ns = c->ns, .name = name, .what = "to be Ready",
		.timeout_ms = ready_timeout * 1000, .pred = forklift_ready_pred,
	};
	if (wait_for(&c->kc, &w, NULL, err) < 0) {
		step_case(&step, "storage map is Ready", step_now() - t0, JUNIT_FAILED, err->msg, NULL);
		goto out;
	}
	step_case(&step, "storage map is Ready", step_now() - t0, JUNIT_PASSED, NULL, NULL);
	log_info("StorageMap %s/%s is Ready (%d source storages → %s)", c->ns, name,
		 cJSON_GetArraySize(storages), step_get(&step, "MTV_STORAGE_CLASS"));
	entry = cJSON_CreateObject();
	cJSON_AddStringToObject(entry, "name", name);
	cJSON_AddStringToObject(entry, "namespace", c->ns);
	cJSON_AddStringToObject(entry, "storageClass", step_get(&step, "MTV_STORAGE_CLASS"));
	if (maps_state_set(&c->step->state, "storageMap", entry, err) < 0)
		goto out;
	{
		char line[200];

		snprintf(line, sizeof(line), "storagemap/%s\n", name);
		step_ctx_print(c, obj, line);
	}
	rc = 0;
out:
	cJSON_Delete(vms);
	cJSON_Delete(storages);
	cJSON_Delete(obj);
	return rc;
}

int main(int argc, char **argv)
{
	return step_ctx_main(&step, argc, argv, run);
}
