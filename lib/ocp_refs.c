#include "ocp_refs.h"

#include <stdio.h>
#include <string.h>

#include "json.h"

/* Take ref unless an equal one is in refs. */
static void add_unique(cJSON *refs, cJSON *ref)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, refs) {
		if (cJSON_Compare(it, ref, 1)) {
			cJSON_Delete(ref);
			return;
		}
	}
	cJSON_AddItemToArray(refs, ref);
}

static const cJSON *find_pvc(const cJSON *pvcs, const char *ns, const char *name)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, pvcs)
		if (!strcmp(json_str(p, "object.metadata.name", json_str(p, "name", "")), name) &&
		    !strcmp(json_str(p, "object.metadata.namespace", json_str(p, "namespace", "")), ns))
			return p;
	return NULL;
}

int ocp_storage_refs(const cJSON *vms, const cJSON *pvcs, cJSON *refs, struct mtv_err *err)
{
	const cJSON *vm, *vol;

	cJSON_ArrayForEach(vm, vms) {
		const char *ns = json_str(vm, "object.metadata.namespace", json_str(vm, "namespace", ""));
		const char *vm_name = json_str(vm, "name", "?");

		cJSON_ArrayForEach(vol, json_get(vm, "object.spec.template.spec.volumes")) {
			const char *claim = json_str(vol, "persistentVolumeClaim.claimName", NULL);
			const cJSON *pvc;
			const char *sc;
			cJSON *ref;

			if (!claim)
				claim = json_str(vol, "dataVolume.name", NULL);
			if (!claim)
				continue;	/* cloud-init, container disks: nothing to map */
			pvc = find_pvc(pvcs, ns, claim);
			if (!pvc)
				return mtv_err_set(err, MTV_EXIT_ENV,
						   "VM %s/%s: PVC %s/%s of volume %s is not in the inventory", ns,
						   vm_name, ns, claim, json_str(vol, "name", "?"));
			sc = json_str(pvc, "object.spec.storageClassName", NULL);
			if (!sc || !*sc)
				return mtv_err_set(err, MTV_EXIT_ENV,
						   "VM %s/%s: PVC %s/%s has no storageClassName, so no StorageMap can map it",
						   ns, vm_name, ns, claim);
			ref = cJSON_CreateObject();
			cJSON_AddStringToObject(ref, "name", sc);
			add_unique(refs, ref);
		}
	}
	return 0;
}

int ocp_network_refs(const cJSON *vm, cJSON *refs)
{
	const char *vm_ns = json_str(vm, "object.metadata.namespace", json_str(vm, "namespace", ""));
	const cJSON *net;
	int count = 0;

	cJSON_ArrayForEach(net, json_get(vm, "object.spec.template.spec.networks")) {
		const char *multus = json_str(net, "multus.networkName", NULL);
		cJSON *ref;

		if (json_get(net, "pod")) {
			ref = cJSON_CreateObject();
			cJSON_AddStringToObject(ref, "type", "pod");
		} else if (multus) {
			/* ocpclient.GetNetworkNameAndNamespace: "ns/name", else
			 * the VM's namespace */
			const char *slash = strchr(multus, '/');
			char ns[254];

			ref = cJSON_CreateObject();
			if (slash) {
				snprintf(ns, sizeof(ns), "%.*s", (int)(slash - multus), multus);
				cJSON_AddStringToObject(ref, "name", slash + 1);
				cJSON_AddStringToObject(ref, "namespace", ns);
			} else {
				cJSON_AddStringToObject(ref, "name", multus);
				cJSON_AddStringToObject(ref, "namespace", vm_ns);
			}
		} else {
			continue;
		}
		add_unique(refs, ref);
		count++;
	}
	return count;
}
