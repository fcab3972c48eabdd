/* The destination objects Forklift creates for a migrated VM
 * (forklift-api.md section 6): DataVolumes and PVCs named by the PVC name
 * template, the conversion pod, the KubeVirt VirtualMachine and its
 * VirtualMachineInstance, all labelled with the plan, migration and VM. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "exec.h"

cJSON *dest_vm_labels(struct ctx *c, const char *vmid)
{
	cJSON *l = cJSON_CreateObject();

	cJSON_AddStringToObject(l, "migration", c->mig_uid);
	cJSON_AddStringToObject(l, "plan", c->plan_uid);
	cJSON_AddStringToObject(l, "plan-name", c->plan->name);
	cJSON_AddStringToObject(l, "plan-namespace", c->plan->ns);
	cJSON_AddStringToObject(l, "vmID", vmid);
	return l;
}

cJSON *dest_meta(const char *name, const char *gen, const char *ns, cJSON *labels)
{
	cJSON *o = cJSON_CreateObject(), *md = cJSON_AddObjectToObject(o, "metadata");

	if (name)
		cJSON_AddStringToObject(md, "name", name);
	if (gen)
		cJSON_AddStringToObject(md, "generateName", gen);
	cJSON_AddStringToObject(md, "namespace", ns);
	if (labels)
		cJSON_AddItemToObject(md, "labels", labels);
	return o;
}

void dest_owner_ref(cJSON *o, const cJSON *owner, bool controller)
{
	cJSON *md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
	cJSON *arr = cJSON_AddArrayToObject(md, "ownerReferences"), *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "apiVersion", json_str(owner, "apiVersion", ""));
	cJSON_AddStringToObject(r, "kind", json_str(owner, "kind", ""));
	cJSON_AddStringToObject(r, "name", sim_obj_name(owner));
	cJSON_AddStringToObject(r, "uid", json_str(owner, "metadata.uid", ""));
	if (controller) {
		cJSON_AddBoolToObject(r, "controller", true);
		cJSON_AddBoolToObject(r, "blockOwnerDeletion", true);
	}
	cJSON_AddItemToArray(arr, r);
}

void dest_lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

const cJSON *dest_map_entry(const cJSON *map, const char *id, const char *name)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, json_get(map, "spec.map")) {
		const char *sid = json_str(e, "source.id", ""), *sname = json_str(e, "source.name", "");
		if ((*sid && !strcmp(sid, id)) || (*sname && (!strcmp(sname, name) || !strcmp(sname, id))))
			return e;
	}
	return NULL;
}

/* The NetworkMap entry a source NIC goes by.  Forklift's OpenStack builder
 * (mapNetworks) takes the entry whose source.id is the network's id and
 * nothing else; the other builders resolve the entry's id or name. */
static const cJSON *nic_map_entry(struct ctx *c, const cJSON *nic)
{
	const char *netid = json_str(nic, "network", "");
	const cJSON *e;

	if (strcmp(c->type, "openstack"))
		return dest_map_entry(c->nmap, netid, dest_src_name(c, "networks", netid));
	cJSON_ArrayForEach(e, json_get(c->nmap, "spec.map"))
		if (!strcmp(json_str(e, "source.id", ""), netid))
			return e;
	return NULL;
}

/* Whether a source NIC becomes an interface at all: OpenStack VMs get one
 * per network in the server's addresses (a port without an address is not
 * there), from the first address (Forklift's mapNetworks). */
static bool nic_interfaced(struct ctx *c, const cJSON *vm, const cJSON *nic)
{
	const cJSON *e;

	if (strcmp(c->type, "openstack"))
		return true;
	if (!cJSON_GetArraySize(json_get(nic, "ips")))
		return false;
	cJSON_ArrayForEach(e, json_get(vm, "nics")) {
		if (e == nic)
			return true;
		if (!strcmp(json_str(e, "network", ""), json_str(nic, "network", "")) &&
		    cJSON_GetArraySize(json_get(e, "ips")))
			return false;
	}
	return true;
}

const char *dest_network_error(struct ctx *c, const cJSON *vm)
{
	static char msg[300];
	const cJSON *e;

	cJSON_ArrayForEach(e, json_get(vm, "nics")) {
		if (!nic_interfaced(c, vm, e) || nic_map_entry(c, e) || strcmp(c->type, "openstack"))
			continue;
		snprintf(msg, sizeof(msg), "no network map for vm network. network=%s", json_str(e, "network", ""));
		return msg;
	}
	return NULL;
}

/* The world name of a network or storage id, for maps that name their sources. */
const char *dest_src_name(struct ctx *c, const char *coll, const char *id)
{
	int n;
	cJSON *pool = !strcmp(coll, "storages") ? src_storages(c->wprov) : cJSON_Duplicate(json_get(c->wprov, coll), 1);
	const cJSON *hit = src_find_by(pool, id, NULL, &n);
	static char name[256];

	snprintf(name, sizeof(name), "%s", hit ? json_str(hit, "name", id) : id);
	cJSON_Delete(pool);
	return name;
}

const char *dest_target_name(const cJSON *vmst)
{
	return json_str(vmst, "newName", json_str(vmst, "name", ""));
}

/* One disk Forklift migrates, in its DiskIndex order. */
struct ddisk {
	const cJSON *disk;	/* the world disk, or the OpenStack image */
	int pos;		/* its place in the world's disks (-1: the image) */
	char source[600];	/* the forklift.konveyor.io/disk-source Forklift sets */
};

static int bus_rank(const char *bus)
{
	static const char *const buses[] = { "sata", "ide", "scsi", "nvme" };

	for (int i = 0; i < 4; i++)
		if (!strcmp(bus, buses[i]))
			return i;
	return 4;
}

/* SortedDisksAsVmware: bus (SATA, IDE, SCSI, NVMe), then controller key,
 * unit number, key — with the defaults the inventory reports. */
static int vsphere_order(const void *a, const void *b)
{
	const struct ddisk *x = a, *y = b;
	double kx[4] = { bus_rank(json_str(x->disk, "bus", "scsi")), 1000, x->pos, 2000 + x->pos };
	double ky[4] = { bus_rank(json_str(y->disk, "bus", "scsi")), 1000, y->pos, 2000 + y->pos };
	static const char *const f[] = { NULL, "controllerKey", "unitNumber", "key" };

	for (int i = 1; i < 4; i++) {
		if (cJSON_IsNumber(json_get(x->disk, f[i])))
			kx[i] = cJSON_GetNumberValue(json_get(x->disk, f[i]));
		if (cJSON_IsNumber(json_get(y->disk, f[i])))
			ky[i] = cJSON_GetNumberValue(json_get(y->disk, f[i]));
	}
	for (int i = 0; i < 4; i++)
		if (kx[i] != ky[i])
			return kx[i] < ky[i] ? -1 : 1;
	return 0;
}

/* The VM's disks as Forklift numbers them (DiskIndex = array position):
 * vSphere sorted by bus; OpenStack the attached volumes, then the image of
 * an image-booted server (PopulatorVolumes); the rest in source order. */
static int dest_disks(struct ctx *c, const cJSON *vm, struct ddisk *out, int max)
{
	const cJSON *d;
	int n = 0;

	cJSON_ArrayForEach(d, json_get(vm, "disks")) {
		struct ddisk *e = &out[n];

		if (n >= max)
			break;
		e->disk = d;
		e->pos = n;
		if (!strcmp(c->type, "vsphere"))
			snprintf(e->source, sizeof(e->source), "%s", json_str(d, "file", ""));
		else if (!strcmp(c->type, "ova"))	/* getDiskFullPath: FilePath::Name */
			snprintf(e->source, sizeof(e->source), "%s::%s", json_str(d, "file", ""), json_str(d, "file", ""));
		else if (!strcmp(c->type, "openshift"))
			snprintf(e->source, sizeof(e->source), "%s/%s-disk-%d", json_str(c->wprov, "namespace", "mtv-source-vms"),
				 json_str(vm, "name", ""), n);
		else
			snprintf(e->source, sizeof(e->source), "%s", json_str(d, "id", ""));
		n++;
	}
	if (!strcmp(c->type, "vsphere"))
		qsort(out, (size_t)n, sizeof(*out), vsphere_order);
	if (!strcmp(c->type, "openstack") && json_get(vm, "image") && n < max) {
		out[n].disk = json_get(vm, "image");
		out[n].pos = -1;
		snprintf(out[n].source, sizeof(out[n].source), "%s", json_str(vm, "image.id", ""));
		n++;
	}
	return n;
}

/* The disk's PVC (DataVolume) name, or -1 when the template is invalid:
 * Forklift's SetPVCNameOnObject fails then, it invents no other name. */
static int pvc_name(struct ctx *c, const cJSON *vm, const cJSON *pvm, const cJSON *vmst, int idx,
		    const struct ddisk *dd, const char *vmid, char *name, size_t namesz, bool *generate)
{
	bool ocp = !strcmp(c->type, "openshift");
	const char *tmpl = sim_pvc_template(c->plan->o, pvm, c->fc, ocp);
	const cJSON *ug = json_get(c->plan->o, "spec.pvcNameTemplateUseGenerateName");
	cJSON *data = sim_pvc_template_data(vm, dd->pos >= 0 ? dd->disk : NULL, dd->pos, c->wprov, dest_target_name(vmst),
					     c->plan->name, vmid, idx);
	char out[400], why[512];
	int rc = sim_pvc_name_render(tmpl, data, out, sizeof(out), why, sizeof(why));

	cJSON_Delete(data);
	if (rc < 0)
		return -1;
	*generate = cJSON_IsBool(ug) ? cJSON_IsTrue(ug) : !ocp;
	if (*generate)
		snprintf(name, namesz, "%s-", out);	/* a label never ends in '-' */
	else
		snprintf(name, namesz, "%s", out);
	return 0;
}

#define DEST_DISKS_MAX 64

void dest_create_disks(struct ctx *c, const cJSON *vm, const cJSON *pvm, const cJSON *vmst, const char *vmid)
{
	struct ddisk dd[DEST_DISKS_MAX];
	int n = dest_disks(c, vm, dd, DEST_DISKS_MAX);
	/* an image-booted server's PVCs all take glance's storage class
	 * (ensureVolumePopulatorPVC looks no further when ImageID is set) */
	const cJSON *glance = !strcmp(c->type, "openstack") && json_get(vm, "image") ?
			      dest_map_entry(c->smap, "glance", "glance") : NULL;

	for (int i = 0; i < n; i++) {
		const cJSON *disk = dd[i].disk;
		char name[512], idx[16], size[32];
		bool gen;
		const char *sid = dd[i].pos >= 0 ? src_disk_storage(c->wprov, disk) : "glance";
		const cJSON *me = glance ? glance : dest_map_entry(c->smap, sid, dest_src_name(c, "storages", sid));
		const char *sc;
		cJSON *dv, *an, *spec, *stor, *st, *pvc, *ps, *am;
		struct sobj *dvso;

		if (!strcmp(c->type, "openshift") && !me)
			me = dest_map_entry(c->smap, json_str(disk, "storage", ""), json_str(disk, "storage", ""));
		sc = json_str(me, "destination.storageClass", "");
		if (pvc_name(c, vm, pvm, vmst, i, &dd[i], vmid, name, sizeof(name), &gen) < 0)
			continue;
		dv = dest_meta(gen ? NULL : name, gen ? name : NULL, c->tns, dest_vm_labels(c, vmid));
		an = dest_vm_labels(c, vmid);
		cJSON_AddStringToObject(an, "cdi.kubevirt.io/storage.deleteAfterCompletion", "false");
		/* Forklift numbers vSphere and OpenShift disks on the objects
		 * (AnnDiskIndex); every builder names the source disk */
		snprintf(idx, sizeof(idx), "%d", i);
		if (!strcmp(c->type, "vsphere") || !strcmp(c->type, "openshift"))
			cJSON_AddStringToObject(an, "forklift.konveyor.io/disk-index", idx);
		cJSON_AddStringToObject(an, "forklift.konveyor.io/disk-source", dd[i].source);
		if (c->warm) {
			cJSON_AddStringToObject(an, "cdi.kubevirt.io/storage.bind.immediate.requested", "true");
			cJSON_AddStringToObject(an, "cdi.kubevirt.io/storage.usePopulator", "false");
		}
		cJSON_AddItemToObject(json_get(dv, "metadata"), "annotations", an);
		spec = cJSON_AddObjectToObject(dv, "spec");
		if (!strcmp(c->type, "vsphere") && c->warm) {
			cJSON *vddk = cJSON_AddObjectToObject(cJSON_AddObjectToObject(spec, "source"), "vddk");
			cJSON_AddStringToObject(vddk, "backingFile", json_str(disk, "file", ""));
			cJSON_AddStringToObject(vddk, "url", json_str(c->src, "spec.url", ""));
			cJSON_AddStringToObject(vddk, "secretRef", "");
		} else {
			cJSON_AddObjectToObject(cJSON_AddObjectToObject(spec, "source"), "blank");
		}
		stor = cJSON_AddObjectToObject(spec, "storage");
		{
			double gib = cJSON_GetNumberValue(json_get(disk, "capacityGiB"));

			/* vcsim's own VMs have 1 MiB disks: a fraction of a GiB
			 * is written in bytes, which %g would round */
			if (gib == floor(gib))
				snprintf(size, sizeof(size), "%gGi", gib);
			else
				snprintf(size, sizeof(size), "%.0f", ceil(gib * 1024.0 * 1024.0 * 1024.0));
		}
		cJSON_AddStringToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(stor, "resources"), "requests"),
					"storage", size);
		cJSON_AddStringToObject(stor, "storageClassName", sc);
		if (*json_str(me, "destination.accessMode", "")) {
			am = cJSON_AddArrayToObject(stor, "accessModes");
			cJSON_AddItemToArray(am, cJSON_CreateString(json_str(me, "destination.accessMode", "")));
		}
		if (*json_str(me, "destination.volumeMode", ""))
			cJSON_AddStringToObject(stor, "volumeMode", json_str(me, "destination.volumeMode", ""));
		st = cJSON_AddObjectToObject(dv, "status");
		cJSON_AddStringToObject(st, "phase", "ImportScheduled");
		cJSON_AddStringToObject(st, "progress", "N/A");
		dvso = ctl_create(c->sim, rt_of("cdi.kubevirt.io", "v1beta1", "datavolumes"), c->tns, dv);
		if (!dvso)
			continue;
		/* CDI names the PVC after the DataVolume and owns it */
		pvc = dest_meta(dvso->name, NULL, c->tns, dest_vm_labels(c, vmid));
		cJSON_AddItemToObject(json_get(pvc, "metadata"), "annotations",
				      cJSON_Duplicate(json_get(dvso->o, "metadata.annotations"), 1));
		dest_owner_ref(pvc, dvso->o, true);
		ps = cJSON_AddObjectToObject(pvc, "spec");
		am = cJSON_AddArrayToObject(ps, "accessModes");
		cJSON_AddItemToArray(am, cJSON_CreateString(*json_str(me, "destination.accessMode", "") ?
							    json_str(me, "destination.accessMode", "") : "ReadWriteOnce"));
		cJSON_AddStringToObject(ps, "storageClassName", sc);
		cJSON_AddStringToObject(ps, "volumeMode", *json_str(me, "destination.volumeMode", "") ?
				       json_str(me, "destination.volumeMode", "") : "Filesystem");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(ps, "resources"), "requests"),
					"storage", size);
		{
			char vol[128];
			snprintf(vol, sizeof(vol), "pvc-%s", json_str(dvso->o, "metadata.uid", ""));
			cJSON_AddStringToObject(ps, "volumeName", vol);
		}
		st = cJSON_AddObjectToObject(pvc, "status");
		cJSON_AddStringToObject(st, "phase", "Bound");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(st, "capacity"), "storage", size);
		ctl_create(c->sim, rt_of("", "v1", "persistentvolumeclaims"), c->tns, pvc);
	}
}

/* Objects of a kind in the target namespace carrying this VM's labels. */
void dest_each(struct ctx *c, const char *group, const char *version, const char *plural,
			   const char *vmid, const char *ns, void (*fn)(struct ctx *, struct sobj *, void *), void *arg)
{
	const struct restype *rt = rt_of(group, version, plural);
	char names[64][256];
	int n = 0;

	for (struct sobj *so = store_first(&c->sim->store, rt); so && n < 64; so = so->kind_next) {
		if (strcmp(so->ns, ns))
			continue;
		if (strcmp(json_str(so->o, "metadata.labels.plan", ""), c->plan_uid) ||
		    (vmid && strcmp(json_str(so->o, "metadata.labels.vmID", ""), vmid)))
			continue;
		snprintf(names[n++], sizeof(names[0]), "%s", so->name);
	}
	for (int i = 0; i < n; i++) {
		struct sobj *so = store_find(&c->sim->store, rt, ns, names[i]);
		if (so)
			fn(c, so, arg);
	}
}

void dest_dv_progress(struct ctx *c, struct sobj *so, void *arg)
{
	double frac = *(double *)arg;
	cJSON *st = cJSON_Duplicate(json_get(so->o, "status"), 1);
	char p[32];

	(void)c;
	if (!st)
		st = cJSON_CreateObject();
	frac = frac >= 1 ? 1 : floor(frac * 100) / 100;
	snprintf(p, sizeof(p), "%.2f%%", frac * 100);
	cJSON_DeleteItemFromObjectCaseSensitive(st, "phase");
	cJSON_AddStringToObject(st, "phase", frac >= 1 ? "Succeeded" : "ImportInProgress");
	cJSON_DeleteItemFromObjectCaseSensitive(st, "progress");
	cJSON_AddStringToObject(st, "progress", frac >= 1 ? "100.0%" : p);
	ctl_put_status(c->sim, so, st);
}

void dest_delete(struct ctx *c, struct sobj *so, void *arg)
{
	(void)arg;
	cJSON_Delete(store_delete(&c->sim->store, so));
}

void dest_pod_phase(struct ctx *c, struct sobj *so, void *arg)
{
	cJSON *st = cJSON_Duplicate(json_get(so->o, "status"), 1);

	if (!st)
		st = cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(st, "phase");
	cJSON_AddStringToObject(st, "phase", (const char *)arg);
	ctl_put_status(c->sim, so, st);
}

/* The first node whose labels satisfy the node selector, as the scheduler
 * would place the VMI. */
static const char *first_node(struct ctx *c, const cJSON *selector)
{
	const struct restype *rt = rt_of("", "v1", "nodes");

	for (struct sobj *so = store_first(&c->sim->store, rt); so; so = so->kind_next) {
		const cJSON *labels = json_get(so->o, "metadata.labels"), *kv;
		bool ok = true;

		cJSON_ArrayForEach(kv, selector) {
			const char *have = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(labels, kv->string));
			if (!cJSON_IsString(kv) || !have || strcmp(have, kv->valuestring))
				ok = false;
		}
		if (ok)
			return so->name;
	}
	return "worker-0";
}

void dest_set_log(struct sim *sim, const char *ns, const char *name, const char *text)
{
	char key[600];

	snprintf(key, sizeof(key), "%s/%s", ns, name);
	cJSON_DeleteItemFromObjectCaseSensitive(sim->logs, key);
	cJSON_AddStringToObject(sim->logs, key, text);
}

void dest_conversion_pod(struct ctx *c, const cJSON *vm, const char *vmid)
{
	char gn[300], log[2048];
	cJSON *l = dest_vm_labels(c, vmid), *pod, *spec, *ctrs, *ctr, *st;
	struct sobj *so;

	snprintf(gn, sizeof(gn), "%s-%s-", c->plan->name, vmid);
	dest_lower(gn);
	cJSON_AddStringToObject(l, "forklift.app", "virt-v2v");
	pod = dest_meta(NULL, gn, c->tns, l);
	spec = cJSON_AddObjectToObject(pod, "spec");
	cJSON_AddStringToObject(spec, "nodeName", first_node(c, NULL));
	cJSON_AddStringToObject(spec, "restartPolicy", "Never");
	ctrs = cJSON_AddArrayToObject(spec, "containers");
	ctr = cJSON_CreateObject();
	cJSON_AddStringToObject(ctr, "name", "virt-v2v");
	cJSON_AddStringToObject(ctr, "image", "registry.redhat.io/migration-toolkit-virtualization/mtv-virt-v2v-rhel9:2.9.3");
	cJSON_AddItemToArray(ctrs, ctr);
	st = cJSON_AddObjectToObject(pod, "status");
	cJSON_AddStringToObject(st, "phase", "Running");
	so = ctl_create(c->sim, rt_of("", "v1", "pods"), c->tns, pod);
	if (!so)
		return;
	snprintf(log, sizeof(log),
		 "virt-v2v monitoring: Setting up the source: %s\n"
		 "[   0.0] Setting up the source\n"
		 "[   4.2] Opening the source\n"
		 "[  12.9] Inspecting the source\n"
		 "[  20.1] Detecting firmware: %s\n"
		 "[  25.7] Mapping filesystem data to avoid copying unused and blank areas\n"
		 "[  31.4] Closing the overlay\n"
		 "[  31.6] Assigning disks to buses\n"
		 "[  31.7] Checking if the guest needs BIOS or UEFI to boot\n"
		 "[  31.9] Setting up the destination: -o kubevirt\n"
		 "[  35.0] Copying disk 1/%d\n"
		 "[ 120.3] Creating output metadata\n"
		 "[ 120.5] Finishing off\n",
		 json_str(vm, "name", ""), json_str(vm, "firmware", "bios"), cJSON_GetArraySize(json_get(vm, "disks")));
	dest_set_log(c->sim, c->tns, so->name, log);
}

static const cJSON *ip_of(const cJSON *nic)
{
	return cJSON_GetArrayItem(json_get(nic, "ips"), 0);
}

/* Forklift's IsWindows, over the fields the sim's inventory serves for
 * this VM: vSphere guestId/guestName, oVirt osType/guestName and OVA
 * osType all come from the world's guestOS (or guestName); the OpenStack
 * image's os_distro and OpenShift have none. */
static bool src_windows(const char *type, const cJSON *vm)
{
	if (strcmp(type, "vsphere") && strcmp(type, "ovirt") && strcmp(type, "ova"))
		return false;
	return strcasestr(json_str(vm, "guestOS", ""), "win") || strcasestr(json_str(vm, "guestName", ""), "win");
}

bool dest_windows_starts(struct ctx *c, const cJSON *vm, const cJSON *pvm)
{
	const char *tps = json_str(pvm, "targetPowerState", json_str(c->plan->o, "spec.targetPowerState", ""));
	const char *feature = json_str(c->fc, "feature_windows_wait_for_reboot", "true");

	return strcasecmp(feature, "false") && strcmp(tps, "off") && src_windows(c->type, vm);
}

void dest_create_vm(struct ctx *c, const cJSON *vm, const cJSON *pvm, cJSON *vmst, const char *vmid)
{
	const char *name = dest_target_name(vmst);
	cJSON *labels = dest_vm_labels(c, vmid), *o, *md, *spec, *tpl, *tmd, *tl, *tspec, *dom, *cpu, *devs, *disks, *ifs,
	      *nets, *vols, *fw, *an;
	const cJSON *differ = json_get(vm, "differ"), *e;
	const cJSON *tps_j = json_get(pvm, "targetPowerState");
	const char *tps = cJSON_IsString(tps_j) ? tps_j->valuestring : json_str(c->plan->o, "spec.targetPowerState", "");
	bool running;
	int i = 0;
	char mem[32];
	struct sobj *vmso;

	if (!strcmp(c->type, "vsphere") || !strcmp(c->type, "ova"))
		cJSON_AddStringToObject(labels, "guestConverted", "true");
	o = dest_meta(name, NULL, c->tns, labels);
	md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
	if (strcmp(name, json_str(vm, "name", ""))) {
		an = cJSON_AddObjectToObject(md, "annotations");
		cJSON_AddStringToObject(an, "openshift.io/display-name", json_str(vm, "name", ""));
		cJSON_AddStringToObject(an, "original-ID", vmid);
	}
	/* determineRunStrategy: a Windows guest is started whatever the
	 * source's power unless the target is "off"; then the target; then
	 * the source's power before the migration. */
	if (dest_windows_starts(c, vm, pvm) || !strcmp(tps, "on"))
		running = true;
	else if (!strcmp(tps, "off"))
		running = false;
	else
		running = !strcmp(json_str(vmst, "restorePowerState", "Off"), "On");
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddStringToObject(spec, "runStrategy", running ? "Always" : "Halted");
	tpl = cJSON_AddObjectToObject(spec, "template");
	tmd = cJSON_AddObjectToObject(tpl, "metadata");
	tl = cJSON_AddObjectToObject(tmd, "labels");
	cJSON_ArrayForEach(e, json_get(c->plan->o, "spec.targetLabels"))
		if (cJSON_IsString(e) && strcmp(e->string, "app"))
			cJSON_AddStringToObject(tl, e->string, e->valuestring);
	cJSON_AddStringToObject(tl, "app", name);
	an = cJSON_AddObjectToObject(tmd, "annotations");
	cJSON_AddStringToObject(an, "vm.kubevirt.io/flavor", "");
	cJSON_AddStringToObject(an, "vm.kubevirt.io/os", "");
	cJSON_AddStringToObject(an, "vm.kubevirt.io/workload", "");
	tspec = cJSON_AddObjectToObject(tpl, "spec");
	dom = cJSON_AddObjectToObject(tspec, "domain");
	cpu = cJSON_AddObjectToObject(dom, "cpu");
	cJSON_AddNumberToObject(cpu, "cores", cJSON_IsNumber(json_get(differ, "cpuCores")) ?
				cJSON_GetNumberValue(json_get(differ, "cpuCores")) : cJSON_GetNumberValue(json_get(vm, "cpuCores")));
	cJSON_AddNumberToObject(cpu, "sockets", cJSON_IsNumber(json_get(differ, "cpuSockets")) ?
				cJSON_GetNumberValue(json_get(differ, "cpuSockets")) : cJSON_GetNumberValue(json_get(vm, "cpuSockets")));
	snprintf(mem, sizeof(mem), "%gMi", cJSON_IsNumber(json_get(differ, "memoryMB")) ?
		 cJSON_GetNumberValue(json_get(differ, "memoryMB")) : cJSON_GetNumberValue(json_get(vm, "memoryMB")));
	cJSON_AddStringToObject(cJSON_AddObjectToObject(dom, "memory"), "guest", mem);
	fw = cJSON_AddObjectToObject(dom, "firmware");
	cJSON_AddObjectToObject(cJSON_AddObjectToObject(fw, "bootloader"),
				!strcmp(json_str(vm, "firmware", "bios"), "efi") ? "efi" : "bios");
	if (!strcmp(c->type, "ovirt"))
		cJSON_AddStringToObject(fw, "uuid", vmid);
	else
		cJSON_AddStringToObject(fw, "serial", json_str(vm, "uuid", vmid));
	devs = cJSON_AddObjectToObject(dom, "devices");
	disks = cJSON_AddArrayToObject(devs, "disks");
	ifs = cJSON_AddArrayToObject(devs, "interfaces");
	nets = cJSON_AddArrayToObject(tspec, "networks");
	vols = cJSON_AddArrayToObject(tspec, "volumes");
	cJSON_ArrayForEach(e, json_get(vm, "nics")) {
		const cJSON *me = nic_map_entry(c, e);
		const char *dtype = json_str(me, "destination.type", "pod");
		cJSON *iface, *net;
		char nm[32], nn[300];
		const char *mac = json_str(e, "mac", "");

		if (!strcmp(dtype, "ignored") || !nic_interfaced(c, vm, e))
			continue;
		if (i == 0 && cJSON_IsString(json_get(differ, "mac")))
			mac = json_str(differ, "mac", mac);
		snprintf(nm, sizeof(nm), "net-%d", i++);
		iface = cJSON_CreateObject();
		cJSON_AddStringToObject(iface, "name", nm);
		cJSON_AddStringToObject(iface, "macAddress", mac);
		cJSON_AddObjectToObject(iface, !strcmp(dtype, "multus") ? "bridge" : "masquerade");
		cJSON_AddStringToObject(iface, "model", "virtio");
		cJSON_AddItemToArray(ifs, iface);
		net = cJSON_CreateObject();
		cJSON_AddStringToObject(net, "name", nm);
		if (!strcmp(dtype, "multus")) {
			snprintf(nn, sizeof(nn), "%s/%s", json_str(me, "destination.namespace", ""), json_str(me, "destination.name", ""));
			cJSON_AddStringToObject(cJSON_AddObjectToObject(net, "multus"), "networkName", nn);
		} else {
			cJSON_AddObjectToObject(net, "pod");
		}
		cJSON_AddItemToArray(nets, net);
	}
	/* the PVCs in DiskIndex order, found as Forklift finds them: by the
	 * disk-index annotation where it sets one, else by disk-source */
	{
		const struct restype *pvcrt = rt_of("", "v1", "persistentvolumeclaims");
		struct ddisk dd[DEST_DISKS_MAX];
		int nd = dest_disks(c, vm, dd, DEST_DISKS_MAX);

		for (int d = 0; d < nd; d++) {
			char idx[16], vn[32];
			snprintf(idx, sizeof(idx), "%d", d);
			for (struct sobj *so = store_first(&c->sim->store, pvcrt); so; so = so->kind_next) {
				const cJSON *ans = json_get(so->o, "metadata.annotations");
				const char *di = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ans, "forklift.konveyor.io/disk-index"));
				const char *ds = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ans, "forklift.konveyor.io/disk-source"));
				cJSON *disk, *vol;
				if (strcmp(so->ns, c->tns) ||
				    strcmp(json_str(so->o, "metadata.labels.plan", ""), c->plan_uid) ||
				    strcmp(json_str(so->o, "metadata.labels.vmID", ""), vmid) ||
				    (di ? strcmp(di, idx) : strcmp(ds ? ds : "", dd[d].source)))
					continue;
				snprintf(vn, sizeof(vn), "vol-%d", d);
				disk = cJSON_CreateObject();
				cJSON_AddStringToObject(disk, "name", vn);
				cJSON_AddStringToObject(cJSON_AddObjectToObject(disk, "disk"), "bus", "virtio");
				cJSON_AddItemToArray(disks, disk);
				vol = cJSON_CreateObject();
				cJSON_AddStringToObject(vol, "name", vn);
				cJSON_AddStringToObject(cJSON_AddObjectToObject(vol, "persistentVolumeClaim"), "claimName", so->name);
				cJSON_AddItemToArray(vols, vol);
				break;
			}
		}
	}
	if (cJSON_IsObject(json_get(c->plan->o, "spec.targetNodeSelector")))
		cJSON_AddItemToObject(tspec, "nodeSelector", cJSON_Duplicate(json_get(c->plan->o, "spec.targetNodeSelector"), 1));
	if (cJSON_IsObject(json_get(c->plan->o, "spec.targetAffinity")))
		cJSON_AddItemToObject(tspec, "affinity", cJSON_Duplicate(json_get(c->plan->o, "spec.targetAffinity"), 1));
	{
		cJSON *st = cJSON_AddObjectToObject(o, "status");
		cJSON_AddBoolToObject(st, "created", true);
		cJSON_AddBoolToObject(st, "ready", running);
		cJSON_AddStringToObject(st, "printableStatus", running ? "Running" : "Stopped");
	}
	vmso = ctl_create(c->sim, rt_of("kubevirt.io", "v1", "virtualmachines"), c->tns, o);
	if (!vmso || !running)
		return;
	/* the running instance */
	{
		cJSON *vmi = dest_meta(name, NULL, c->tns, dest_vm_labels(c, vmid)), *st, *ifaces, *cs, *gi;
		const char *node = first_node(c, json_get(c->plan->o, "spec.targetNodeSelector"));
		int k = 0;

		dest_owner_ref(vmi, vmso->o, true);
		/* the loopback sshd standing for this guest (world "sshGuest"),
		 * where the port-forward subresource leads (portforward.c) */
		if (cJSON_IsString(json_get(vm, "sshGuest")))
			cJSON_AddStringToObject(cJSON_AddObjectToObject(json_get(vmi, "metadata"), "annotations"),
						"mtv-sim/ssh-guest", json_str(vm, "sshGuest", ""));
		cJSON_AddItemToObject(vmi, "spec", cJSON_Duplicate(tspec, 1));
		st = cJSON_AddObjectToObject(vmi, "status");
		cJSON_AddStringToObject(st, "phase", "Running");
		cJSON_AddStringToObject(st, "nodeName", node);
		ifaces = cJSON_AddArrayToObject(st, "interfaces");
		cJSON_ArrayForEach(e, json_get(vm, "nics")) {
			const cJSON *me = nic_map_entry(c, e);
			const cJSON *ip = ip_of(e);
			cJSON *f, *ips;
			char nm[32], ifn[16];
			if (!strcmp(json_str(me, "destination.type", "pod"), "ignored") || !nic_interfaced(c, vm, e))
				continue;
			f = cJSON_CreateObject();
			snprintf(nm, sizeof(nm), "net-%d", k);
			snprintf(ifn, sizeof(ifn), "eth%d", k++);
			cJSON_AddStringToObject(f, "name", nm);
			cJSON_AddStringToObject(f, "interfaceName", ifn);
			cJSON_AddStringToObject(f, "mac", json_str(e, "mac", ""));
			ips = cJSON_AddArrayToObject(f, "ipAddresses");
			if (ip) {
				cJSON_AddStringToObject(f, "ipAddress", json_str(ip, "ip", ""));
				cJSON_AddItemToArray(ips, cJSON_CreateString(json_str(ip, "ip", "")));
			}
			cJSON_AddItemToArray(ifaces, f);
		}
		cs = cJSON_AddArrayToObject(st, "conditions");
		{
			cJSON *r = cJSON_CreateObject();
			cJSON_AddStringToObject(r, "type", "Ready");
			cJSON_AddStringToObject(r, "status", "True");
			cJSON_AddStringToObject(r, "lastTransitionTime", c->now);
			cJSON_AddItemToArray(cs, r);
			if (cJSON_IsTrue(json_get(vm, "guestTools"))) {
				r = cJSON_CreateObject();
				cJSON_AddStringToObject(r, "type", "AgentConnected");
				cJSON_AddStringToObject(r, "status", "True");
				cJSON_AddStringToObject(r, "lastTransitionTime", c->now);
				cJSON_AddItemToArray(cs, r);
			}
		}
		gi = cJSON_AddObjectToObject(st, "guestOSInfo");
		cJSON_AddStringToObject(gi, "id", json_str(vm, "guestOS", ""));
		ctl_create(c->sim, rt_of("kubevirt.io", "v1", "virtualmachineinstances"), c->tns, vmi);
	}
}
