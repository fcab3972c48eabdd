/* mtv-networkmap: a NetworkMap for the scenario's VMs: the first source
 * network to the pod network, every further one to a multus NAD this step
 * creates (as mtv-api-tests does). */
#include <stdio.h>

#include "json.h"
#include "log.h"
#include "maps.h"
#include "stepctx.h"
#include "wait.h"

static struct step_param params[] = {
	STEP_SCENARIO_PARAMS,
	{ "MTV_INVENTORY_TIMEOUT", "inventory-timeout", "300",
	  "seconds to wait for the scenario's VMs to appear in the inventory", 0, NULL },
	{ "MTV_MAP_READY_TIMEOUT", "map-ready-timeout", "300", "seconds to wait for the map to be Ready", 0, NULL },
};

static struct step step = {
	.name = "mtv-networkmap",
	.summary = "Create the NetworkMap for the scenario's VMs: the first source network → pod, each\n"
		   "further one → a multus NAD (cnv-bridge) created in the target namespace or the\n"
		   "scenario's multus_namespace.  Waits until Ready; records it in mtv-maps.json.\n"
		   "Source networks, as mtv-api-tests finds them: vSphere by name from the VM's\n"
		   "networks[] (NIC network ids are portgroup keys or NSX OpaqueNetworkIds), oVirt by\n"
		   "id through the NIC profiles, OpenStack by id and name from addresses, OVA by id, an\n"
		   "OpenShift source its VMs' pod network ({type: pod}) and multus networks ({name,\n"
		   "namespace}).",
	.params = params,
	.nparams = sizeof(params) / sizeof(params[0]),
	.writes = true,
};

static int run(struct step_ctx *c, struct mtv_err *err)
{
	long inv_timeout, ready_timeout;
	cJSON *vms = NULL, *networks = NULL, *nads = NULL, *objects = cJSON_CreateArray(), *entry;
	const char *nad_ns;
	char name[160];
	struct buf names = BUF_INIT(1 << 16);
	struct map_in in;
	double t0 = step_now();
	int rc = -1, n;

	if (step_get_seconds(&step, "MTV_INVENTORY_TIMEOUT", &inv_timeout, err) < 0 ||
	    step_get_seconds(&step, "MTV_MAP_READY_TIMEOUT", &ready_timeout, err) < 0 ||
	    step_ctx_open(c, CTX_SESSION | CTX_SCENARIO | CTX_INVENTORY, err) < 0)
		goto out;
	if (source_vms_find(&c->source, &c->scenario, inv_timeout * 1000, step_interrupt_flag(), &vms, err) < 0 ||
	    source_networks(&c->source, vms, &networks, err) < 0)
		goto out;
	n = cJSON_GetArraySize(networks);
	nad_ns = json_str(c->scenario.plan, "multus_namespace", c->ns);
	nads = nad_names(&c->session, n - 1);
	for (int i = 0; i < n - 1; i++)
		cJSON_AddItemToArray(objects, nad_build(&c->session, nad_ns, cJSON_GetArrayItem(nads, i)->valuestring, i));
	snprintf(name, sizeof(name), "%s-networkmap", c->session.base_name);
	in = step_ctx_map_in(c);
	cJSON_AddItemToArray(objects, network_map_build(&in, name, networks, nads, nad_ns));
	if (step.dry_run) {
		step_ctx_print(c, objects, NULL);
		rc = 0;
		goto out;
	}
	for (int i = 0; i < n - 1; i++) {
		if (ensure_object(&c->ensure, &KUBE_NADS, nad_ns, cJSON_GetArrayItem(objects, i), NULL, NULL, err) < 0)
			goto out;
		buf_addf(&names, "network-attachment-definition/%s\n", cJSON_GetArrayItem(nads, i)->valuestring);
	}
	if (ensure_object(&c->ensure, &KUBE_NETWORKMAPS, c->ns, cJSON_GetArrayItem(objects, n - 1), NULL, NULL, err) < 0)
		goto out;
	struct wait_spec w = {
		.type = &KUBE_NETWORKMAPS, .ns = c->ns, .name = name, .what = "to be Ready",
		.timeout_ms = ready_timeout * 1000, .pred = forklift_ready_pred,
	};
	if (wait_for(&c->kc, &w, NULL, err) < 0) {
		step_case(&step, "network map is Ready", step_now() - t0, JUNIT_FAILED, err->msg, NULL);
		goto out;
	}
	step_case(&step, "network map is Ready", step_now() - t0, JUNIT_PASSED, NULL, NULL);
	log_info("NetworkMap %s/%s is Ready (%d source networks, %d NADs in %s)", c->ns, name, n, n - 1, nad_ns);
	entry = cJSON_CreateObject();
	cJSON_AddStringToObject(entry, "name", name);
	cJSON_AddStringToObject(entry, "namespace", c->ns);
	cJSON_AddStringToObject(entry, "nadNamespace", nad_ns);
	cJSON_AddItemToObject(entry, "nads", cJSON_Duplicate(nads, 1));
	if (maps_state_set(&c->step->state, "networkMap", entry, err) < 0)
		goto out;
	buf_addf(&names, "networkmap/%s\n", name);
	step_ctx_print(c, objects, buf_str(&names));
	rc = 0;
out:
	buf_release(&names);
	cJSON_Delete(vms);
	cJSON_Delete(networks);
	cJSON_Delete(nads);
	cJSON_Delete(objects);
	return rc;
}

int main(int argc, char **argv)
{
	return step_ctx_main(&step, argc, argv, run);
}
