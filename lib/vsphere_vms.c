/* The facts of VMs by name: two bulk property reads through a container
 * view, whatever the number of VMs. */
#include "vsphere.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "vsphere_int.h"

struct name_scan {
	const char *const *names;
	size_t n;
	struct vsphere_vm *vms;
	struct vsphere_moref *dup;	/* dup[i]: a second VM named names[i] */
};

static int on_name(xmlNodePtr oc, void *arg, struct mtv_err *err)
{
	struct name_scan *s = arg;
	xmlNodePtr ps = vsphere_child(oc, "propSet");
	char *name = vsphere_child_text(ps, "val");

	(void)err;
	for (size_t i = 0; name && i < s->n; i++)
		if (!strcmp(name, s->names[i]))
			vsphere_moref_from(vsphere_child(oc, "obj"),
				   s->vms[i].ref.value[0] ? &s->dup[i] : &s->vms[i].ref);
	free(name);
	return 0;
}

static void read_hardware(struct vsphere_vm *vm, xmlNodePtr hw)
{
	vm->num_cpu = (int)vsphere_child_ll(hw, "numCPU", 0);
	vm->cores_per_socket = (int)vsphere_child_ll(hw, "numCoresPerSocket", 1);
	vm->memory_mb = (long)vsphere_child_ll(hw, "memoryMB", 0);
	for (xmlNodePtr d = hw->children; d; d = d->next) {
		char type[64];
		xmlNodePtr info, backing;

		if (!vsphere_named(d, "device"))
			continue;
		vsphere_xsi_type(d, type, sizeof(type));
		info = vsphere_child(d, "deviceInfo");
		backing = vsphere_child(d, "backing");
		if (!strcmp(type, "VirtualDisk")) {
			struct vsphere_disk *nd = realloc(vm->disks, (vm->ndisks + 1) * sizeof(*nd));

			if (!nd)
				return;
			vm->disks = nd;
			nd += vm->ndisks++;
			memset(nd, 0, sizeof(*nd));
			nd->label = vsphere_child_text(info, "label");
			nd->file = vsphere_child_text(backing, "fileName");
			vsphere_moref_from(vsphere_child(backing, "datastore"), &nd->datastore);
			nd->capacity_bytes = vsphere_child_ll(d, "capacityInBytes", -1);
			if (nd->capacity_bytes < 0)
				nd->capacity_bytes = vsphere_child_ll(d, "capacityInKB", 0) * 1024;
		} else if (vsphere_child(d, "macAddress")) {
			/* every VirtualEthernetCard subtype (E1000, Vmxnet3, ...)
			 * and only those carry a macAddress */
			struct vsphere_nic *nn = realloc(vm->nics, (vm->nnics + 1) * sizeof(*nn));

			if (!nn)
				return;
			vm->nics = nn;
			nn += vm->nnics++;
			nn->label = vsphere_child_text(info, "label");
			nn->mac = vsphere_child_text(d, "macAddress");
		}
	}
}

static void read_guest_net(struct vsphere_vm *vm, xmlNodePtr val)
{
	for (xmlNodePtr g = val->children; g; g = g->next) {
		struct vsphere_guest_nic *ng;

		if (!vsphere_named(g, "GuestNicInfo"))
			continue;
		ng = realloc(vm->guest_nics, (vm->nguest_nics + 1) * sizeof(*ng));
		if (!ng)
			return;
		vm->guest_nics = ng;
		ng += vm->nguest_nics++;
		memset(ng, 0, sizeof(*ng));
		ng->network = vsphere_child_text(g, "network");
		ng->mac = vsphere_child_text(g, "macAddress");
		for (xmlNodePtr ip = g->children; ip; ip = ip->next) {
			char **ni;

			if (!vsphere_named(ip, "ipAddress"))
				continue;
			ni = realloc(ng->ips, (ng->nips + 1) * sizeof(*ni));
			if (!ni)
				return;
			ng->ips = ni;
			ng->ips[ng->nips++] = vsphere_node_text(ip);
		}
	}
}

static void read_snapshot_tree(struct vsphere_vm *vm, xmlNodePtr list_parent, const char *elem)
{
	for (xmlNodePtr s = list_parent->children; s; s = s->next) {
		char **ns;

		if (!vsphere_named(s, elem))
			continue;
		ns = realloc(vm->snapshots, (vm->nsnapshots + 1) * sizeof(*ns));
		if (!ns)
			return;
		vm->snapshots = ns;
		vm->snapshots[vm->nsnapshots++] = vsphere_child_text(s, "name");
		read_snapshot_tree(vm, s, "childSnapshotList");
	}
}

struct fact_scan {
	struct vsphere_vm *vms;
	size_t n;
};

static int on_facts(xmlNodePtr oc, void *arg, struct mtv_err *err)
{
	struct fact_scan *s = arg;
	struct vsphere_moref ref;
	struct vsphere_vm *vm = NULL;

	(void)err;
	vsphere_moref_from(vsphere_child(oc, "obj"), &ref);
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->vms[i].ref.value, ref.value) && !s->vms[i].name)
			vm = &s->vms[i];
	if (!vm)
		return 0;
	for (xmlNodePtr ps = oc->children; ps; ps = ps->next) {
		char *prop;
		xmlNodePtr val;

		if (!vsphere_named(ps, "propSet"))
			continue;
		prop = vsphere_child_text(ps, "name");
		val = vsphere_child(ps, "val");
		if (!prop || !val) {
			free(prop);
			continue;
		}
		if (!strcmp(prop, "name"))
			vm->name = vsphere_node_text(val);
		else if (!strcmp(prop, "parent"))
			vsphere_moref_from(val, &vm->parent);
		else if (!strcmp(prop, "config.hardware"))
			read_hardware(vm, val);
		else if (!strcmp(prop, "config.firmware"))
			vm->firmware = vsphere_node_text(val);
		else if (!strcmp(prop, "config.uuid"))
			vm->uuid = vsphere_node_text(val);
		else if (!strcmp(prop, "runtime.powerState"))
			vm->power_state = vsphere_node_text(val);
		else if (!strcmp(prop, "guest.net"))
			read_guest_net(vm, val);
		else if (!strcmp(prop, "snapshot"))
			read_snapshot_tree(vm, val, "rootSnapshotList");
		free(prop);
	}
	return 0;
}


int vsphere_vms_get(struct vsphere_client *c, const char *const *names, size_t n,
		    struct vsphere_vm **out, struct mtv_err *err)
{
	struct vsphere_vm *vms = calloc(n ? n : 1, sizeof(*vms));
	struct vsphere_moref view;
	struct buf spec = BUF_INIT(BUF_DEFAULT_MAX);
	struct vsphere_moref *dup = calloc(n ? n : 1, sizeof(*dup));
	struct name_scan ns = { names, n, vms, dup };
	struct fact_scan fs = { vms, n };
	int r = -1;

	*out = NULL;
	if (!vms || !dup) {
		free(vms);
		free(dup);
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	}
	if (vsphere_container_view(c, "VirtualMachine", &view, err) < 0) {
		free(vms);
		free(dup);
		return -1;
	}
	/* Pass 1: the name of every VM in the view, to map names to morefs. */
	buf_addstr(&spec, "<specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet></propSet>"
		   "<objectSet>");
	vsphere_moref_xml(&spec, "obj", &view);
	buf_addstr(&spec, "<skip>true</skip><selectSet xsi:type=\"TraversalSpec\"><name>view</name>"
		   "<type>ContainerView</type><path>view</path><skip>false</skip></selectSet>"
		   "</objectSet></specSet>");
	if (vsphere_retrieve(c, buf_str(&spec), on_name, &ns, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!vms[i].ref.value[0]) {
			mtv_err_set(err, MTV_EXIT_USAGE, "vSphere: no VM named \"%s\"", names[i]);
			snprintf(err->reason, sizeof(err->reason), "NotFound");
			goto out;
		} else if (dup[i].value[0]) {
			/* vCenter allows one name in different folders: acting on
			 * either could clone or destroy the wrong VM. */
			mtv_err_set(err, MTV_EXIT_USAGE, "vSphere: more than one VM named \"%s\" (%s, %s)",
				    names[i], vms[i].ref.value, dup[i].value);
			snprintf(err->reason, sizeof(err->reason), "Ambiguous");
			goto out;
		}
	/* Pass 2: the facts of the wanted VMs, all in one request. */
	buf_reset(&spec);
	buf_addstr(&spec, "<specSet><propSet><type>VirtualMachine</type>");
	{
		static const char *const paths[] = {
			"name", "parent", "config.hardware", "config.firmware", "config.uuid",
			"runtime.powerState", "guest.net", "snapshot",
		};

		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			buf_addf(&spec, "<pathSet>%s</pathSet>", paths[i]);
	}
	buf_addstr(&spec, "</propSet>");
	for (size_t i = 0; i < n; i++) {
		buf_addstr(&spec, "<objectSet>");
		vsphere_moref_xml(&spec, "obj", &vms[i].ref);
		buf_addstr(&spec, "</objectSet>");
	}
	buf_addstr(&spec, "</specSet>");
	if (vsphere_retrieve(c, buf_str(&spec), on_facts, &fs, err) < 0)
		goto out;
	/* on_facts fills one slot per moref: a name asked for twice leaves
	 * the second slot empty, as does a VM deleted between the passes. */
	for (size_t i = 0; i < n; i++)
		if (!vms[i].name) {
			mtv_err_set(err, MTV_EXIT_ENV, "vSphere: VM \"%s\" (%s) not read (deleted meanwhile, or named twice)",
				    names[i], vms[i].ref.value);
			goto out;
		}
	r = 0;
out:
	vsphere_destroy_view(c, &view);
	buf_release(&spec);
	free(dup);
	if (r < 0)
		vsphere_vms_free(vms, n);
	else
		*out = vms;
	return r;
}

void vsphere_vms_free(struct vsphere_vm *vms, size_t n)
{
	if (!vms)
		return;
	for (size_t i = 0; i < n; i++) {
		struct vsphere_vm *vm = &vms[i];

		free(vm->name);
		free(vm->firmware);
		free(vm->uuid);
		free(vm->power_state);
		for (size_t j = 0; j < vm->ndisks; j++) {
			free(vm->disks[j].label);
			free(vm->disks[j].file);
		}
		free(vm->disks);
		for (size_t j = 0; j < vm->nnics; j++) {
			free(vm->nics[j].label);
			free(vm->nics[j].mac);
		}
		free(vm->nics);
		for (size_t j = 0; j < vm->nguest_nics; j++) {
			free(vm->guest_nics[j].network);
			free(vm->guest_nics[j].mac);
			for (size_t k = 0; k < vm->guest_nics[j].nips; k++)
				free(vm->guest_nics[j].ips[k]);
			free(vm->guest_nics[j].ips);
		}
		free(vm->guest_nics);
		for (size_t j = 0; j < vm->nsnapshots; j++)
			free(vm->snapshots[j]);
		free(vm->snapshots);
	}
	free(vms);
}
