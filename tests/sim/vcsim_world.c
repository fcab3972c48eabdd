/* vcsim's objects and VM facts, as read with lib/vsphere, turned into a
 * world provider: the JSON shape (tests/sim/README.md, "The world file") a
 * simulated vSphere provider has, with vcsim's morefs as ids, so the
 * inventory, the controller and the destination builder read it as they
 * read any world provider. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "sim.h"
#include "vcsim.h"

#define GIB (1024.0 * 1024.0 * 1024.0)

static const struct vsphere_object *obj_by_ref(const struct vsphere_object *objs, size_t n, const char *value)
{
	for (size_t i = 0; value && *value && i < n; i++)
		if (!strcmp(objs[i].ref.value, value))
			return &objs[i];
	return NULL;
}

static bool is_network(const char *type)
{
	return !strcmp(type, "Network") || !strcmp(type, "DistributedVirtualPortgroup") || !strcmp(type, "OpaqueNetwork");
}

/* "/DC0/vm/sub/NAME": the names from the VM up to, not including, the
 * root folder, as Forklift's inventory paths read. */
static void vm_path(const struct vsphere_object *objs, size_t n, const struct vsphere_object *vm, char *out, size_t outsz)
{
	const char *names[32];
	int depth = 0;
	size_t len = 0;

	for (const struct vsphere_object *o = vm; o && o->parent.value[0] && depth < 32;
	     o = obj_by_ref(objs, n, o->parent.value))
		names[depth++] = o->name ? o->name : o->ref.value;
	*out = '\0';
	for (int i = depth - 1; i >= 0; i--)
		len += (size_t)snprintf(out + len, len < outsz ? outsz - len : 0, "/%s", names[i]);
}

static cJSON *ref_obj(const char *kind, const char *id)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "kind", kind);
	cJSON_AddStringToObject(r, "id", id);
	return r;
}

/* The world network id a NIC is on: its backing's network moref, or for a
 * portgroup backing (which names the portgroup key) the portgroup with that
 * key; else the network the guest reports by name. */
static const char *nic_network(const struct vsphere_object *objs, size_t n, const struct vsphere_vm *vm,
			       const struct vsphere_nic *nic)
{
	for (size_t i = 0; i < n; i++) {
		if (!is_network(objs[i].ref.type))
			continue;
		if (nic->network_ref.value[0] &&
		    (!strcmp(objs[i].ref.value, nic->network_ref.value) ||
		     (objs[i].key && !strcmp(objs[i].key, nic->network_ref.value))))
			return objs[i].ref.value;
	}
	for (size_t g = 0; g < vm->nguest_nics; g++)
		if (vm->guest_nics[g].mac && nic->mac && !strcasecmp(vm->guest_nics[g].mac, nic->mac) &&
		    vm->guest_nics[g].network && *vm->guest_nics[g].network)
			for (size_t i = 0; i < n; i++)
				if (is_network(objs[i].ref.type) && objs[i].name &&
				    !strcmp(objs[i].name, vm->guest_nics[g].network))
					return objs[i].ref.value;
	return nic->network ? nic->network : "";
}

static void add_ips(cJSON *nicj, const struct vsphere_vm *vm, const char *mac)
{
	cJSON *ips = cJSON_AddArrayToObject(nicj, "ips");

	for (size_t g = 0; g < vm->nguest_nics; g++) {
		const struct vsphere_guest_nic *gn = &vm->guest_nics[g];

		if (!gn->mac || !mac || strcasecmp(gn->mac, mac))
			continue;
		for (size_t k = 0; k < gn->nips; k++) {
			cJSON *ip = cJSON_CreateObject();
			const char *origin = NULL;

			for (size_t m = 0; m < gn->nip_config; m++)
				if (gn->ip_config[m].address && !strcmp(gn->ip_config[m].address, gn->ips[k]))
					origin = gn->ip_config[m].origin;
			cJSON_AddStringToObject(ip, "ip", gn->ips[k]);
			if (origin)
				cJSON_AddStringToObject(ip, "origin", origin);
			cJSON_AddItemToArray(ips, ip);
		}
	}
}

/* The simulated-behaviour keys of the seeded VM of that name (step
 * durations, injected failures, destination differences) carry over: vcsim
 * has no notion of them. */
static void overlay_seed(const cJSON *seed_vms, const char *name, cJSON *vmj)
{
	static const char *const keys[] = { "stepSeconds", "fail", "differ", NULL };
	const cJSON *s;

	cJSON_ArrayForEach(s, seed_vms)
		if (!strcmp(json_str(s, "name", ""), name))
			for (int k = 0; keys[k]; k++)
				if (json_get(s, keys[k]))
					cJSON_AddItemToObject(vmj, keys[k], cJSON_Duplicate(json_get(s, keys[k]), 1));
}

static cJSON *vm_json(const cJSON *seed_vms, const struct vsphere_object *objs, size_t n, const struct vsphere_object *o,
		      const struct vsphere_vm *vm)
{
	cJSON *v = cJSON_CreateObject(), *disks, *nics;
	int cores = vm->cores_per_socket > 0 ? vm->cores_per_socket : 1;
	const char *guest = vm->guest_id && *vm->guest_id ? vm->guest_id : o->guest_id ? o->guest_id : "otherGuest";
	char path[1024];

	cJSON_AddStringToObject(v, "id", o->ref.value);
	cJSON_AddStringToObject(v, "name", vm->name);
	cJSON_AddStringToObject(v, "power", vm->power_state && !strcmp(vm->power_state, "poweredOn") ? "on" : "off");
	cJSON_AddNumberToObject(v, "cpuSockets", vm->num_cpu / cores > 0 ? vm->num_cpu / cores : 1);
	cJSON_AddNumberToObject(v, "cpuCores", cores);
	cJSON_AddNumberToObject(v, "memoryMB", (double)vm->memory_mb);
	cJSON_AddStringToObject(v, "firmware", vm->firmware && !strcmp(vm->firmware, "efi") ? "efi" : "bios");
	cJSON_AddStringToObject(v, "guestOS", guest);
	cJSON_AddBoolToObject(v, "windows", strstr(guest, "win") != NULL);
	cJSON_AddBoolToObject(v, "guestTools", o->tools_running && !strcmp(o->tools_running, "guestToolsRunning"));
	cJSON_AddBoolToObject(v, "changeTracking", vm->cbt || o->cbt);
	cJSON_AddBoolToObject(v, "template", vm->template_ || o->template_);
	cJSON_AddStringToObject(v, "host", o->host.value);
	if (vm->uuid)
		cJSON_AddStringToObject(v, "uuid", vm->uuid);
	vm_path(objs, n, o, path, sizeof(path));
	cJSON_AddStringToObject(v, "path", path);
	cJSON_AddItemToObject(v, "parent", ref_obj(o->parent.type[0] ? o->parent.type : "Folder", o->parent.value));
	disks = cJSON_AddArrayToObject(v, "disks");
	for (size_t i = 0; i < vm->ndisks; i++) {
		const struct vsphere_disk *d = &vm->disks[i];
		cJSON *dj = cJSON_CreateObject();

		cJSON_AddStringToObject(dj, "storage", d->datastore.value);
		cJSON_AddStringToObject(dj, "file", d->file ? d->file : "");
		/* exact: a byte count over 2^30 is a binary fraction */
		cJSON_AddNumberToObject(dj, "capacityGiB", (double)d->capacity_bytes / GIB);
		if (d->key)
			cJSON_AddNumberToObject(dj, "key", d->key);
		if (d->controller_key)
			cJSON_AddNumberToObject(dj, "controllerKey", d->controller_key);
		cJSON_AddNumberToObject(dj, "unitNumber", d->unit);
		if (d->disk_mode)
			cJSON_AddStringToObject(dj, "mode", d->disk_mode);
		if (d->provisioning)
			cJSON_AddStringToObject(dj, "provisioning", d->provisioning);
		cJSON_AddItemToArray(disks, dj);
	}
	nics = cJSON_AddArrayToObject(v, "nics");
	for (size_t i = 0; i < vm->nnics; i++) {
		const struct vsphere_nic *nic = &vm->nics[i];
		cJSON *nj = cJSON_CreateObject();

		cJSON_AddStringToObject(nj, "mac", nic->mac ? nic->mac : "");
		cJSON_AddStringToObject(nj, "network", nic_network(objs, n, vm, nic));
		add_ips(nj, vm, nic->mac);
		cJSON_AddItemToArray(nics, nj);
	}
	overlay_seed(seed_vms, vm->name, v);
	return v;
}

static cJSON *named(const struct vsphere_object *o)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "id", o->ref.value);
	cJSON_AddStringToObject(j, "name", o->name ? o->name : o->ref.value);
	return j;
}

/* The world arrays of everything but the VMs. */
static void others_json(const struct vsphere_object *objs, size_t n, cJSON *prov)
{
	cJSON *nets = cJSON_AddArrayToObject(prov, "networks"), *sts = cJSON_AddArrayToObject(prov, "storages");
	cJSON *hosts = cJSON_AddArrayToObject(prov, "hosts"), *folders = cJSON_AddArrayToObject(prov, "folders");
	cJSON *dcs = cJSON_AddArrayToObject(prov, "datacenters"), *cls = cJSON_AddArrayToObject(prov, "clusters");

	for (size_t i = 0; i < n; i++) {
		const struct vsphere_object *o = &objs[i];
		const char *t = o->ref.type;
		cJSON *j;

		if (is_network(t)) {
			j = named(o);
			if (!strcmp(t, "DistributedVirtualPortgroup")) {
				cJSON_AddStringToObject(j, "variant", "DvPortGroup");
				cJSON_AddStringToObject(j, "key", o->key ? o->key : o->ref.value);
				cJSON_AddStringToObject(j, "dvSwitch", o->dvs.value);
			} else if (!strcmp(t, "OpaqueNetwork")) {
				cJSON_AddStringToObject(j, "variant", "OpaqueNetwork");
				cJSON_AddStringToObject(j, "key", o->key ? o->key : o->ref.value);
			} else {
				cJSON_AddStringToObject(j, "variant", "Standard");
			}
			cJSON_AddItemToArray(nets, j);
		} else if (!strcmp(t, "Datastore")) {
			j = named(o);
			cJSON_AddStringToObject(j, "type", o->ds_type ? o->ds_type : "");
			cJSON_AddNumberToObject(j, "capacityGiB", (double)o->capacity / GIB);
			cJSON_AddNumberToObject(j, "freeGiB", (double)o->free_space / GIB);
			cJSON_AddItemToArray(sts, j);
		} else if (!strcmp(t, "HostSystem")) {
			const struct vsphere_object *up = obj_by_ref(objs, n, o->parent.value);

			j = named(o);
			cJSON_AddStringToObject(j, "ip", "");
			cJSON_AddBoolToObject(j, "maintenance", o->maintenance);
			/* a standalone host sits in a ComputeResource, not a cluster */
			cJSON_AddStringToObject(j, "cluster", up && !strcmp(up->ref.type, "ClusterComputeResource") ? up->ref.value : "");
			cJSON_AddItemToArray(hosts, j);
		} else if (!strcmp(t, "Folder")) {
			j = named(o);
			cJSON_AddStringToObject(j, "parent", o->parent.value);
			cJSON_AddItemToArray(folders, j);
		} else if (!strcmp(t, "Datacenter")) {
			j = named(o);
			cJSON_AddStringToObject(j, "vmFolder", o->vm_folder.value);
			cJSON_AddItemToArray(dcs, j);
		} else if (!strcmp(t, "ClusterComputeResource")) {
			cJSON_AddItemToArray(cls, named(o));
		}
	}
}

cJSON *vcsim_world_provider(const struct vsphere_object *objs, size_t n, const struct vsphere_object *const *vobj,
			    const struct vsphere_vm *vms, size_t nvm, const cJSON *seed_vms)
{
	cJSON *prov = cJSON_CreateObject(), *vmarr = cJSON_AddArrayToObject(prov, "vms");
	const cJSON *dc;

	for (size_t i = 0; i < nvm; i++)
		cJSON_AddItemToArray(vmarr, vm_json(seed_vms, objs, n, vobj[i], &vms[i]));
	others_json(objs, n, prov);
	dc = cJSON_GetArrayItem(json_get(prov, "datacenters"), 0);
	cJSON_AddStringToObject(prov, "datacenter", json_str(dc, "name", "DC0"));
	return prov;
}
