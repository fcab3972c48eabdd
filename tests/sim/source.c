/* The source side of the world, as the controller and the inventory see
 * it: which world provider a Provider CR points at, and its VMs, networks
 * and storage looked up by id or name. */
#include <stdio.h>
#include <string.h>
#include "sim.h"

const char *src_storage_collection(const char *type)
{
	if (!strcmp(type, "vsphere"))
		return "datastores";
	if (!strcmp(type, "ovirt"))
		return "storagedomains";
	if (!strcmp(type, "openstack"))
		return "volumetypes";
	if (!strcmp(type, "ova"))
		return "storages";
	return "storageclasses";
}

cJSON *src_world_provider(struct sim *sim, const cJSON *provider)
{
	const char *type = json_str(provider, "spec.type", "");
	const char *url = json_str(provider, "spec.url", "");
	cJSON *p;

	if (!strcmp(type, "openshift") && !*url) {
		/* the host cluster: the world's local openshift provider, if any */
		cJSON_ArrayForEach(p, json_get(sim->world, "providers"))
			if (!strcmp(json_str(p, "type", ""), "openshift") && !*json_str(p, "url", ""))
				return p;
		return NULL;
	}
	return world_provider_by_url(sim, type, url);
}

/* The VM's id: the world's, or for OpenShift sources the KubeVirt VM's uid. */
const char *src_vm_id(struct sim *sim, const cJSON *wprov, const cJSON *vm)
{
	const char *id = json_str(vm, "id", "");

	if (!*id && !strcmp(json_str(wprov, "type", ""), "openshift")) {
		const struct restype *rt = restype_find("kubevirt.io", "v1", "virtualmachines");
		struct sobj *so = store_find(&sim->store, rt, json_str(wprov, "namespace", "mtv-source-vms"),
					     json_str(vm, "name", ""));
		return so ? json_str(so->o, "metadata.uid", "") : "";
	}
	return id;
}

/* Find a VM by id, else by name (a vSphere path's last element matches).
 * Sets *count to the number of name matches so callers can report
 * ambiguity. */
cJSON *src_vm_find(struct sim *sim, const cJSON *wprov, const char *id, const char *name, int *count)
{
	cJSON *vm, *found = NULL;

	*count = 0;
	cJSON_ArrayForEach(vm, json_get(wprov, "vms")) {
		if (id && *id) {
			if (!strcmp(src_vm_id(sim, wprov, vm), id)) {
				*count = 1;
				return vm;
			}
			continue;
		}
		if (name && *name) {
			const char *n = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
			if (!strcmp(json_str(vm, "name", ""), n)) {
				(*count)++;
				if (!found)
					found = vm;
			}
		}
	}
	return found;
}

cJSON *src_find_by(const cJSON *arr, const char *id, const char *name, int *count)
{
	cJSON *e, *found = NULL;

	*count = 0;
	cJSON_ArrayForEach(e, arr) {
		if (id && *id) {
			if (!strcmp(json_str(e, "id", ""), id)) {
				*count = 1;
				return e;
			}
		} else if (name && *name && !strcmp(json_str(e, "name", ""), name)) {
			(*count)++;
			if (!found)
				found = e;
		}
	}
	return found;
}

/* The storage id a disk lives on (OVA: one storage per disk, same id). */
const char *src_disk_storage(const cJSON *wprov, const cJSON *disk)
{
	if (!strcmp(json_str(wprov, "type", ""), "ova"))
		return json_str(disk, "id", "");
	return json_str(disk, "storage", "");
}

/* OVA storages are derived from the disks. */
cJSON *src_storages(const cJSON *wprov)
{
	cJSON *out, *vm, *d;

	if (strcmp(json_str(wprov, "type", ""), "ova"))
		return cJSON_Duplicate(json_get(wprov, "storages"), 1);
	out = cJSON_CreateArray();
	cJSON_ArrayForEach(vm, json_get(wprov, "vms"))
		cJSON_ArrayForEach(d, json_get(vm, "disks")) {
			cJSON *s = cJSON_CreateObject();
			cJSON_AddStringToObject(s, "id", json_str(d, "id", ""));
			cJSON_AddStringToObject(s, "name", json_str(d, "file", json_str(d, "id", "")));
			cJSON_AddItemToArray(out, s);
		}
	return out;
}
