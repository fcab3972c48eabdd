/* The Forklift inventory service: /providers/<type>/<provider uid>/...,
 * rendered from the world (and, for OpenShift providers, from the store)
 * in the JSON shapes of forklift-api.md section 5.  Served both on the
 * Route host and through the API server's service-proxy path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sim.h"

#define GIB (1024.0 * 1024.0 * 1024.0)

static void add_resource(cJSON *o, const char *type, const char *puid, const char *coll, const char *id,
			 const char *name)
{
	char link[600];

	snprintf(link, sizeof(link), "providers/%s/%s/%s/%s", type, puid, coll, id);
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "selfLink", link);
	cJSON_AddNumberToObject(o, "revision", 1);
}

/* A stable UUID-looking string derived from an id. */
static void fake_uuid(const char *seed, const char *salt, char *out, size_t outsz)
{
	unsigned long h = 5381, g = 7;

	for (const char *p = seed; *p; p++)
		h = h * 33 + (unsigned char)*p;
	for (const char *p = salt; *p; p++)
		g = g * 31 + (unsigned char)*p;
	snprintf(out, outsz, "42%06lx-%04lx-%04lx-%04lx-%012lx", h & 0xffffff, (h >> 24) & 0xffff, g & 0xffff,
		 (h ^ g) & 0xffff, (h * g) & 0xffffffffffffUL);
}

static const char *net_name(const cJSON *wprov, const char *id)
{
	int n;
	const cJSON *net = src_find_by(json_get(wprov, "networks"), id, NULL, &n);
	return net ? json_str(net, "name", id) : id;
}

/* A vSphere network's variant as the inventory reports it: the world's
 * `variant`, else DvPortGroup for a dvportgroup-… id, else Standard. */
static const char *net_variant(const cJSON *nets, const char *id)
{
	int n;
	const cJSON *net = src_find_by(nets, id, NULL, &n);
	const char *v = json_str(net, "variant", NULL);

	if (v)
		return v;
	return !strncmp(id, "dvportgroup", 11) ? "DvPortGroup" : "Standard";
}

/* What a vSphere NIC's network.id holds: the portgroup key of a distributed
 * portgroup, the OpaqueNetworkId of an NSX opaque network (the network's
 * `key`), the network's MoRef id otherwise (Forklift's collectNICs). */
static const char *nic_network_ref(const cJSON *nets, const char *id)
{
	int n;
	const cJSON *net = src_find_by(nets, id, NULL, &n);
	const char *variant = net_variant(nets, id);

	if (!strcmp(variant, "DvPortGroup") || !strcmp(variant, "OpaqueNetwork"))
		return json_str(net, "key", id);
	return id;
}

static const char *storage_name(const cJSON *wprov, const char *id)
{
	int n;
	const cJSON *s = src_find_by(json_get(wprov, "storages"), id, NULL, &n);
	return s ? json_str(s, "name", id) : id;
}

static double num(const cJSON *o, const char *path, double def)
{
	const cJSON *v = json_get(o, path);
	return cJSON_IsNumber(v) ? v->valuedouble : def;
}

/* ---- vSphere ---- */

static cJSON *vsphere_vm(struct sim *sim, const cJSON *wprov, const cJSON *vm, const char *puid)
{
	cJSON *o = cJSON_CreateObject(), *nets, *disks, *nics, *gn, *devs, *d;
	const cJSON *e;
	char path[512], uuid[64], iuuid[64];
	const char *id = src_vm_id(sim, wprov, vm);
	bool on = !strcmp(json_str(vm, "power", "off"), "on");
	bool tools = cJSON_IsTrue(json_get(vm, "guestTools"));
	bool cbt = cJSON_IsTrue(json_get(vm, "changeTracking"));
	int i = 0;
	const char *ip = "";

	add_resource(o, "vsphere", puid, "vms", id, json_str(vm, "name", ""));
	/* A vcsim provider's VMs say where they are; simulated ones sit in
	 * the datacenter's vm folder. */
	d = cJSON_AddObjectToObject(o, "parent");
	cJSON_AddStringToObject(d, "kind", json_str(vm, "parent.kind", "Folder"));
	cJSON_AddStringToObject(d, "id", json_str(vm, "parent.id", "group-v3"));
	snprintf(path, sizeof(path), "/%s/vm/%s", json_str(wprov, "datacenter", "Datacenter"), json_str(vm, "name", ""));
	cJSON_AddStringToObject(o, "path", json_str(vm, "path", path));
	cJSON_AddNumberToObject(o, "revisionValidated", 1);
	cJSON_AddBoolToObject(o, "isTemplate", cJSON_IsTrue(json_get(vm, "template")));
	cJSON_AddStringToObject(o, "powerState", on ? "poweredOn" : "poweredOff");
	cJSON_AddStringToObject(o, "host", json_str(vm, "host", ""));
	nets = cJSON_AddArrayToObject(o, "networks");
	cJSON_ArrayForEach(e, json_get(vm, "nics")) {
		cJSON *r = cJSON_CreateObject();
		bool dup = false;
		const cJSON *x;
		cJSON_ArrayForEach(x, nets)
			if (!strcmp(json_str(x, "id", ""), json_str(e, "network", "")))
				dup = true;
		if (dup) {
			cJSON_Delete(r);
			continue;
		}
		/* Forklift's Ref kind: "Network" for networks and portgroups, the
		 * MoRef type itself for an opaque network. */
		cJSON_AddStringToObject(r, "kind", !strcmp(net_variant(json_get(wprov, "networks"), json_str(e, "network", "")), "OpaqueNetwork")
							   ? "OpaqueNetwork" : "Network");
		cJSON_AddStringToObject(r, "id", json_str(e, "network", ""));
		cJSON_AddItemToArray(nets, r);
	}
	disks = cJSON_AddArrayToObject(o, "disks");
	cJSON_ArrayForEach(e, json_get(vm, "disks")) {
		cJSON *dk = cJSON_CreateObject(), *ds;
		char serial[64];
		cJSON_AddNumberToObject(dk, "key", num(e, "key", 2000 + i));
		cJSON_AddNumberToObject(dk, "unitNumber", num(e, "unitNumber", i));
		cJSON_AddNumberToObject(dk, "controllerKey", num(e, "controllerKey", 1000));
		cJSON_AddStringToObject(dk, "file", json_str(e, "file", ""));
		ds = cJSON_AddObjectToObject(dk, "datastore");
		cJSON_AddStringToObject(ds, "kind", "Datastore");
		cJSON_AddStringToObject(ds, "id", json_str(e, "storage", ""));
		cJSON_AddNumberToObject(dk, "capacity", num(e, "capacityGiB", 0) * GIB);
		cJSON_AddBoolToObject(dk, "shared", cJSON_IsTrue(json_get(e, "shared")));
		cJSON_AddBoolToObject(dk, "rdm", false);
		cJSON_AddStringToObject(dk, "bus", json_str(e, "bus", "scsi"));
		cJSON_AddStringToObject(dk, "mode", json_str(e, "mode", "persistent"));
		fake_uuid(json_str(e, "file", ""), "serial", serial, sizeof(serial));
		cJSON_AddStringToObject(dk, "serial", serial);
		cJSON_AddBoolToObject(dk, "changeTrackingEnabled", cbt);
		cJSON_AddStringToObject(dk, "parent", "");
		cJSON_AddItemToArray(disks, dk);
		i++;
	}
	cJSON_AddArrayToObject(o, "concerns");
	cJSON_AddNumberToObject(o, "policyVersion", 1);
	fake_uuid(id, "uuid", uuid, sizeof(uuid));
	fake_uuid(id, "instance", iuuid, sizeof(iuuid));
	cJSON_AddStringToObject(o, "uuid", json_str(vm, "uuid", uuid));
	cJSON_AddStringToObject(o, "instanceUuid", iuuid);
	cJSON_AddStringToObject(o, "firmware", json_str(vm, "firmware", "bios"));
	cJSON_AddStringToObject(o, "connectionState", "connected");
	d = cJSON_AddObjectToObject(o, "snapshot");
	cJSON_AddStringToObject(d, "kind", "");
	cJSON_AddStringToObject(d, "id", "");
	cJSON_AddBoolToObject(o, "changeTrackingEnabled", cbt);
	cJSON_AddBoolToObject(o, "consolidationNeeded", false);
	cJSON_AddArrayToObject(o, "cpuAffinity");
	cJSON_AddBoolToObject(o, "cpuHotAddEnabled", false);
	cJSON_AddBoolToObject(o, "cpuHotRemoveEnabled", false);
	cJSON_AddBoolToObject(o, "memoryHotAddEnabled", false);
	cJSON_AddBoolToObject(o, "faultToleranceEnabled", false);
	cJSON_AddNumberToObject(o, "cpuCount", num(vm, "cpuSockets", 1) * num(vm, "cpuCores", 1));
	cJSON_AddNumberToObject(o, "coresPerSocket", num(vm, "cpuCores", 1));
	cJSON_AddNumberToObject(o, "memoryMB", num(vm, "memoryMB", 1024));
	cJSON_AddStringToObject(o, "guestName", json_str(vm, "guestName", json_str(vm, "guestOS", "")));
	cJSON_AddStringToObject(o, "guestNameFromVmwareTools", tools ? json_str(vm, "guestName", json_str(vm, "guestOS", "")) : "");
	cJSON_AddStringToObject(o, "hostName", tools && on ? json_str(vm, "name", "") : "");
	cJSON_AddStringToObject(o, "guestId", json_str(vm, "guestOS", "otherGuest"));
	cJSON_AddNumberToObject(o, "balloonedMemory", 0);
	cJSON_AddNumberToObject(o, "storageUsed", 0);
	cJSON_AddBoolToObject(o, "tpmEnabled", false);
	cJSON_AddArrayToObject(o, "numaNodeAffinity");
	devs = cJSON_AddArrayToObject(o, "devices");
	nics = cJSON_AddArrayToObject(o, "nics");
	gn = cJSON_AddArrayToObject(o, "guestNetworks");
	i = 0;
	cJSON_ArrayForEach(e, json_get(vm, "nics")) {
		cJSON *n = cJSON_CreateObject(), *r, *dev = cJSON_CreateObject();
		const cJSON *ipo;
		cJSON_AddStringToObject(dev, "kind", "VirtualVmxnet3");
		cJSON_AddItemToArray(devs, dev);
		r = cJSON_AddObjectToObject(n, "network");
		cJSON_AddStringToObject(r, "kind", "Network");
		cJSON_AddStringToObject(r, "id", nic_network_ref(json_get(wprov, "networks"), json_str(e, "network", "")));
		cJSON_AddStringToObject(n, "mac", json_str(e, "mac", ""));
		cJSON_AddNumberToObject(n, "order", i);
		cJSON_AddNumberToObject(n, "deviceKey", 4000 + i);
		cJSON_AddStringToObject(n, "pciAddress", "");
		cJSON_AddBoolToObject(n, "startConnected", true);
		cJSON_AddItemToArray(nics, n);
		if (tools && on)
			cJSON_ArrayForEach(ipo, json_get(e, "ips")) {
				cJSON *g = cJSON_CreateObject(), *dns;
				const cJSON *x;
				char dev_name[16];
				snprintf(dev_name, sizeof(dev_name), "eth%d", i);
				cJSON_AddStringToObject(g, "device", dev_name);
				cJSON_AddNumberToObject(g, "deviceConfigId", 4000 + i);
				cJSON_AddStringToObject(g, "mac", json_str(e, "mac", ""));
				cJSON_AddStringToObject(g, "ip", json_str(ipo, "ip", ""));
				cJSON_AddStringToObject(g, "origin", json_str(ipo, "origin", "dhcp"));
				cJSON_AddNumberToObject(g, "prefix", num(ipo, "prefix", 24));
				dns = cJSON_AddArrayToObject(g, "dns");
				cJSON_ArrayForEach(x, json_get(ipo, "dns"))
					cJSON_AddItemToArray(dns, cJSON_Duplicate(x, 0));
				cJSON_AddStringToObject(g, "network", net_name(wprov, json_str(e, "network", "")));
				cJSON_AddItemToArray(gn, g);
				if (!*ip)
					ip = json_str(ipo, "ip", "");
			}
		i++;
	}
	cJSON_AddStringToObject(o, "ipAddress", ip);
	cJSON_AddArrayToObject(o, "guestDisks");
	cJSON_AddArrayToObject(o, "guestIpStacks");
	cJSON_AddBoolToObject(o, "secureBoot", false);
	cJSON_AddStringToObject(o, "toolsStatus", tools ? "toolsOk" : "toolsNotInstalled");
	cJSON_AddStringToObject(o, "toolsRunningStatus", tools && on ? "guestToolsRunning" : "guestToolsNotRunning");
	cJSON_AddStringToObject(o, "toolsVersionStatus2", tools ? "guestToolsCurrent" : "guestToolsNotInstalled");
	cJSON_AddBoolToObject(o, "diskEnableUuid", false);
	cJSON_AddBoolToObject(o, "nestedHVEnabled", false);
	cJSON_AddArrayToObject(o, "tags");
	return o;
}

/* ---- oVirt ---- */

static cJSON *ovirt_vm(struct sim *sim, const cJSON *wprov, const cJSON *vm, const char *puid, int detail)
{
	cJSON *o = cJSON_CreateObject(), *nics, *atts, *g;
	const cJSON *e;
	const char *id = src_vm_id(sim, wprov, vm);
	bool on = !strcmp(json_str(vm, "power", "off"), "on");
	int i = 0;

	add_resource(o, "ovirt", puid, "vms", id, json_str(vm, "name", ""));
	cJSON_AddStringToObject(o, "description", "");
	if (detail < 1)
		return o;
	cJSON_AddStringToObject(o, "cluster", "cluster-1");
	cJSON_AddStringToObject(o, "status", on ? "up" : "down");
	cJSON_AddStringToObject(o, "host", json_str(vm, "host", ""));
	cJSON_AddNumberToObject(o, "revisionValidated", 1);
	nics = cJSON_AddArrayToObject(o, "nics");
	cJSON_ArrayForEach(e, json_get(vm, "nics")) {
		cJSON *n = cJSON_CreateObject(), *ips = NULL;
		const cJSON *ipo;
		char nid[128], nname[16], prof[160];
		snprintf(nid, sizeof(nid), "%s-nic%d", id, i);
		snprintf(nname, sizeof(nname), "nic%d", i + 1);
		snprintf(prof, sizeof(prof), "np-%s", json_str(e, "network", ""));
		cJSON_AddStringToObject(n, "id", nid);
		cJSON_AddStringToObject(n, "name", nname);
		cJSON_AddStringToObject(n, "interface", "virtio");
		cJSON_AddBoolToObject(n, "plugged", true);
		ips = cJSON_AddArrayToObject(n, "ipAddress");
		cJSON_ArrayForEach(ipo, json_get(e, "ips")) {
			cJSON *a = cJSON_CreateObject();
			cJSON_AddStringToObject(a, "address", json_str(ipo, "ip", ""));
			cJSON_AddStringToObject(a, "version", "v4");
			cJSON_AddItemToArray(ips, a);
		}
		cJSON_AddStringToObject(n, "profile", prof);
		cJSON_AddStringToObject(n, "mac", json_str(e, "mac", ""));
		cJSON_AddItemToArray(nics, n);
		i++;
	}
	atts = cJSON_AddArrayToObject(o, "diskAttachments");
	i = 0;
	cJSON_ArrayForEach(e, json_get(vm, "disks")) {
		cJSON *a = cJSON_CreateObject();
		char aid[160];
		snprintf(aid, sizeof(aid), "%s", json_str(e, "id", ""));
		cJSON_AddStringToObject(a, "id", aid);
		cJSON_AddStringToObject(a, "interface", "virtio_scsi");
		cJSON_AddBoolToObject(a, "scsiReservation", false);
		cJSON_AddStringToObject(a, "disk", json_str(e, "id", ""));
		cJSON_AddBoolToObject(a, "bootable", i == 0);
		cJSON_AddItemToArray(atts, a);
		i++;
	}
	cJSON_AddArrayToObject(o, "concerns");
	if (detail < 2)
		return o;
	cJSON_AddNumberToObject(o, "policyVersion", 1);
	cJSON_AddStringToObject(o, "guestName", json_str(vm, "guestOS", ""));
	cJSON_AddNumberToObject(o, "cpuSockets", num(vm, "cpuSockets", 1));
	cJSON_AddNumberToObject(o, "cpuCores", num(vm, "cpuCores", 1));
	cJSON_AddNumberToObject(o, "cpuThreads", 1);
	cJSON_AddNumberToObject(o, "memory", num(vm, "memoryMB", 1024) * 1024 * 1024);
	cJSON_AddNumberToObject(o, "balloonedMemory", 0);
	cJSON_AddStringToObject(o, "bios", !strcmp(json_str(vm, "firmware", "bios"), "efi") ? "q35_ovmf" : "q35_sea_bios");
	cJSON_AddStringToObject(o, "serialNumber", id);
	cJSON_AddStringToObject(o, "osType", json_str(vm, "guestOS", "other"));
	g = cJSON_AddObjectToObject(o, "guest");
	cJSON_AddStringToObject(g, "distribution", json_str(vm, "guestOS", ""));
	cJSON_AddStringToObject(g, "fullVersion", "");
	return o;
}

/* ---- OpenStack ---- */

/* Forklift's OpenStack collector syncs volumes apart from servers, so a
 * new server can be listed before its volumes (mtv-api-tests waits for
 * attachedVolumes for this reason).  World VMs with volumesSyncSeconds show
 * no volumes until that many simulated seconds after the provider's
 * InventoryCreated (real seconds at --speed 0). */
static bool volumes_synced(struct sim *sim, const cJSON *prov, const cJSON *vm)
{
	const cJSON *n = json_get(vm, "volumesSyncSeconds");
	const cJSON *c = json_condition(json_get(prov, "status.conditions"), "InventoryCreated");
	struct tm tm = { 0 };
	const char *t = json_str(c, "lastTransitionTime", "");
	double elapsed;

	if (!cJSON_IsNumber(n))
		return true;
	if (!c || !strptime(t, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return false;
	elapsed = difftime(time(NULL), timegm(&tm));
	return (sim->speed > 0 ? elapsed * sim->speed : elapsed) >= n->valuedouble;
}

/* The image of an image-booted server, as the inventory's images collection
 * and a workload's "image" show it. */
static cJSON *openstack_image(const cJSON *vm, const char *puid)
{
	const cJSON *img = json_get(vm, "image");
	cJSON *o = cJSON_CreateObject();
	double bytes = num(img, "capacityGiB", 0) * GIB;

	add_resource(o, "openstack", puid, "images", json_str(img, "id", ""), json_str(img, "name", json_str(img, "id", "")));
	cJSON_AddStringToObject(o, "status", "active");
	cJSON_AddStringToObject(o, "diskFormat", json_str(img, "format", "qcow2"));
	cJSON_AddStringToObject(o, "containerFormat", "bare");
	cJSON_AddNumberToObject(o, "sizeBytes", bytes);
	cJSON_AddNumberToObject(o, "virtualSize", bytes);
	cJSON_AddObjectToObject(o, "properties");
	return o;
}

static cJSON *openstack_vm(struct sim *sim, const cJSON *prov, const cJSON *wprov, const cJSON *vm, const char *puid,
			   int detail)
{
	cJSON *o = cJSON_CreateObject(), *addrs, *vols;
	const cJSON *e;
	const char *id = src_vm_id(sim, wprov, vm);
	char flavor[160];

	add_resource(o, "openstack", puid, "vms", id, json_str(vm, "name", ""));
	if (detail < 1)
		return o;
	cJSON_AddStringToObject(o, "tenantID", "project-admin");
	cJSON_AddStringToObject(o, "status", !strcmp(json_str(vm, "power", "off"), "on") ? "ACTIVE" : "SHUTOFF");
	cJSON_AddNumberToObject(o, "revisionValidated", 1);
	snprintf(flavor, sizeof(flavor), "flavor-%s", id);
	cJSON_AddStringToObject(o, "flavorID", flavor);
	/* Nova's server.image.id: empty (omitted) for a volume-booted server */
	if (*json_str(vm, "image.id", ""))
		cJSON_AddStringToObject(o, "imageID", json_str(vm, "image.id", ""));
	addrs = cJSON_AddObjectToObject(o, "addresses");
	cJSON_ArrayForEach(e, json_get(vm, "nics")) {
		const char *nn = net_name(wprov, json_str(e, "network", ""));
		cJSON *arr = cJSON_GetObjectItemCaseSensitive(addrs, nn);
		const cJSON *ipo;
		if (!arr)
			arr = cJSON_AddArrayToObject(addrs, nn);
		cJSON_ArrayForEach(ipo, json_get(e, "ips")) {
			cJSON *a = cJSON_CreateObject();
			cJSON_AddStringToObject(a, "addr", json_str(ipo, "ip", ""));
			cJSON_AddNumberToObject(a, "version", 4);
			cJSON_AddStringToObject(a, "OS-EXT-IPS:type", "fixed");
			cJSON_AddStringToObject(a, "OS-EXT-IPS-MAC:mac_addr", json_str(e, "mac", ""));
			cJSON_AddItemToArray(arr, a);
		}
	}
	vols = cJSON_AddArrayToObject(o, "attachedVolumes");
	cJSON_ArrayForEach(e, (volumes_synced(sim, prov, vm) ? json_get(vm, "disks") : NULL)) {
		cJSON *v = cJSON_CreateObject();
		cJSON_AddStringToObject(v, "ID", json_str(e, "id", ""));
		cJSON_AddItemToArray(vols, v);
	}
	cJSON_AddArrayToObject(o, "concerns");
	return o;
}

/* ---- OVA ---- */

static cJSON *ova_vm(struct sim *sim, const cJSON *wprov, const cJSON *vm, const char *puid, int detail)
{
	cJSON *o = cJSON_CreateObject(), *nets, *disks, *nics;
	const cJSON *e;
	const char *id = src_vm_id(sim, wprov, vm);
	char path[512], uuid[64];

	add_resource(o, "ova", puid, "vms", id, json_str(vm, "name", ""));
	if (detail < 1)
		return o;
	cJSON_AddNumberToObject(o, "revisionValidated", 1);
	nets = cJSON_AddArrayToObject(o, "networks");
	nics = cJSON_CreateArray();
	cJSON_ArrayForEach(e, json_get(vm, "nics")) {
		cJSON *n = cJSON_CreateObject(), *nic = cJSON_CreateObject();
		cJSON_AddStringToObject(n, "ID", json_str(e, "network", ""));
		cJSON_AddStringToObject(n, "Name", net_name(wprov, json_str(e, "network", "")));
		cJSON_AddItemToArray(nets, n);
		cJSON_AddStringToObject(nic, "Name", "Ethernet");
		cJSON_AddStringToObject(nic, "MAC", json_str(e, "mac", ""));
		cJSON_AddStringToObject(nic, "Network", net_name(wprov, json_str(e, "network", "")));
		cJSON_AddItemToArray(nics, nic);
	}
	disks = cJSON_AddArrayToObject(o, "disks");
	cJSON_ArrayForEach(e, json_get(vm, "disks")) {
		cJSON *d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "ID", json_str(e, "id", ""));
		cJSON_AddStringToObject(d, "Name", json_str(e, "file", ""));
		cJSON_AddStringToObject(d, "FilePath", json_str(e, "file", ""));
		cJSON_AddNumberToObject(d, "Capacity", num(e, "capacityGiB", 0) * GIB);
		cJSON_AddStringToObject(d, "CapacityAllocationUnits", "byte");
		cJSON_AddStringToObject(d, "Format", "http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized");
		cJSON_AddItemToArray(disks, d);
	}
	cJSON_AddArrayToObject(o, "concerns");
	if (detail < 2) {
		cJSON_Delete(nics);
		return o;
	}
	snprintf(path, sizeof(path), "/%s/%s.ova", json_str(wprov, "url", ""), json_str(vm, "name", ""));
	cJSON_AddStringToObject(o, "ovfPath", path);
	cJSON_AddStringToObject(o, "exportSource", "VMware");
	cJSON_AddStringToObject(o, "osType", json_str(vm, "guestOS", ""));
	fake_uuid(id, "ova", uuid, sizeof(uuid));
	cJSON_AddStringToObject(o, "uuid", uuid);
	cJSON_AddStringToObject(o, "firmware", json_str(vm, "firmware", "bios"));
	cJSON_AddNumberToObject(o, "cpuCount", num(vm, "cpuSockets", 1) * num(vm, "cpuCores", 1));
	cJSON_AddNumberToObject(o, "coresPerSocket", num(vm, "cpuCores", 1));
	cJSON_AddNumberToObject(o, "memoryMB", num(vm, "memoryMB", 1024));
	cJSON_AddItemToObject(o, "nics", nics);
	return o;
}

/* ---- OpenShift (from the store) ---- */

static cJSON *ocp_resource(const struct sobj *so, const char *puid, const char *coll, int detail)
{
	cJSON *o = cJSON_CreateObject();
	const char *uid = json_str(so->o, "metadata.uid", "");
	char link[600], rv[32], path[600];

	cJSON_AddStringToObject(o, "uid", uid);
	snprintf(rv, sizeof(rv), "%llu", so->rv);
	cJSON_AddStringToObject(o, "version", rv);
	cJSON_AddStringToObject(o, "namespace", so->ns);
	cJSON_AddStringToObject(o, "name", so->name);
	snprintf(link, sizeof(link), "providers/openshift/%s/%s/%s", puid, coll, uid);
	cJSON_AddStringToObject(o, "selfLink", link);
	snprintf(path, sizeof(path), "%s%s%s", so->ns, *so->ns ? "/" : "", so->name);
	cJSON_AddStringToObject(o, "path", path);
	cJSON_AddStringToObject(o, "id", uid);
	if (detail > 0)
		cJSON_AddItemToObject(o, "object", cJSON_Duplicate(so->o, 1));
	return o;
}

static const struct restype *ocp_collection(const char *coll)
{
	if (!strcmp(coll, "vms"))
		return restype_find("kubevirt.io", "v1", "virtualmachines");
	if (!strcmp(coll, "namespaces"))
		return restype_find("", "v1", "namespaces");
	if (!strcmp(coll, "storageclasses"))
		return restype_find("storage.k8s.io", "v1", "storageclasses");
	if (!strcmp(coll, "networkattachmentdefinitions"))
		return restype_find("k8s.cni.cncf.io", "v1", "network-attachment-definitions");
	if (!strcmp(coll, "persistentvolumeclaims"))
		return restype_find("", "v1", "persistentvolumeclaims");
	if (!strcmp(coll, "datavolumes"))
		return restype_find("cdi.kubevirt.io", "v1beta1", "datavolumes");
	return NULL;
}

/* ---- collections ---- */

static cJSON *simple_list(const cJSON *arr, const char *type, const char *puid, const char *coll,
			  const char *what)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *e;

	cJSON_ArrayForEach(e, arr) {
		cJSON *o = cJSON_CreateObject();
		add_resource(o, type, puid, coll, json_str(e, "id", ""), json_str(e, "name", ""));
		if (!strcmp(what, "network")) {
			const char *id = json_str(e, "id", "");
			if (!strcmp(type, "vsphere")) {
				/* Forklift's web Network.With: key only for portgroups
				 * and opaque networks, dvSwitch only for portgroups. */
				const char *variant = net_variant(arr, id);
				cJSON_AddStringToObject(o, "variant", variant);
				cJSON_AddStringToObject(o, "vlanId", json_str(e, "vlan", ""));
				cJSON_AddNullToObject(o, "host");
				if (!strcmp(variant, "DvPortGroup")) {
					cJSON *sw = cJSON_AddObjectToObject(o, "dvSwitch");
					cJSON_AddStringToObject(sw, "kind", "Network");
					cJSON_AddStringToObject(sw, "id", json_str(e, "dvSwitch", "dvs-1"));
				}
				if (!strcmp(variant, "DvPortGroup") || !strcmp(variant, "OpaqueNetwork"))
					cJSON_AddStringToObject(o, "key", nic_network_ref(arr, id));
			} else if (!strcmp(type, "ovirt")) {
				cJSON *np = cJSON_CreateArray();
				char pid[160];
				snprintf(pid, sizeof(pid), "np-%s", id);
				cJSON_AddItemToArray(np, cJSON_CreateString(pid));
				cJSON_AddStringToObject(o, "dataCenter", "datacenter-1");
				cJSON_AddStringToObject(o, "vlan", json_str(e, "vlan", ""));
				cJSON_AddItemToObject(o, "nicProfiles", np);
			} else if (!strcmp(type, "openstack")) {
				cJSON_AddStringToObject(o, "status", "ACTIVE");
				cJSON_AddBoolToObject(o, "shared", false);
				cJSON_AddBoolToObject(o, "adminStateUp", true);
			} else if (!strcmp(type, "ova")) {
				cJSON_AddStringToObject(o, "Description", json_str(e, "name", ""));
			}
		} else if (!strcmp(what, "storage")) {
			if (!strcmp(type, "vsphere")) {
				cJSON_AddStringToObject(o, "type", json_str(e, "type", "VMFS"));
				cJSON_AddNumberToObject(o, "capacity", num(e, "capacityGiB", 0) * GIB);
				cJSON_AddNumberToObject(o, "free", num(e, "freeGiB", 0) * GIB);
				cJSON_AddStringToObject(o, "maintenance", "normal");
			} else if (!strcmp(type, "ovirt")) {
				cJSON *st = cJSON_AddObjectToObject(o, "storage");
				cJSON_AddStringToObject(o, "dataCenter", "datacenter-1");
				cJSON_AddStringToObject(o, "type", "data");
				cJSON_AddNumberToObject(o, "capacity", num(e, "capacityGiB", 0) * GIB);
				cJSON_AddNumberToObject(o, "free", num(e, "freeGiB", 0) * GIB);
				cJSON_AddStringToObject(st, "type", json_str(e, "type", "nfs"));
			} else if (!strcmp(type, "openstack")) {
				cJSON_AddStringToObject(o, "description", "");
				cJSON_AddBoolToObject(o, "isPublic", true);
			}
		} else if (!strcmp(what, "host")) {
			cJSON *na = cJSON_AddArrayToObject(o, "networkAdapters"), *a = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "cluster", json_str(e, "cluster", "domain-c1"));
			cJSON_AddStringToObject(o, "status", "green");
			cJSON_AddBoolToObject(o, "inMaintenance", cJSON_IsTrue(json_get(e, "maintenance")));
			cJSON_AddStringToObject(o, "managementServerIp", json_str(e, "ip", ""));
			cJSON_AddStringToObject(o, "productName", !strcmp(type, "vsphere") ? "VMware ESXi" : "RHEL");
			cJSON_AddStringToObject(o, "productVersion", "8.0.3");
			cJSON_AddNumberToObject(o, "cpuSockets", 2);
			cJSON_AddNumberToObject(o, "cpuCores", 32);
			cJSON_AddStringToObject(a, "name", "vmk0");
			cJSON_AddStringToObject(a, "ipAddress", json_str(e, "ip", ""));
			cJSON_AddStringToObject(a, "subnetMask", "255.255.255.0");
			cJSON_AddNumberToObject(a, "linkSpeed", 10000);
			cJSON_AddNumberToObject(a, "mtu", 1500);
			cJSON_AddItemToArray(na, a);
		}
		cJSON_AddItemToArray(out, o);
	}
	return out;
}

static cJSON *render_vm(struct sim *sim, const cJSON *prov, const cJSON *wprov, const cJSON *vm, const char *puid,
			int detail)
{
	const char *type = json_str(wprov, "type", "");

	if (!strcmp(type, "vsphere"))
		return vsphere_vm(sim, wprov, vm, puid);
	if (!strcmp(type, "ovirt"))
		return ovirt_vm(sim, wprov, vm, puid, detail);
	if (!strcmp(type, "openstack"))
		return openstack_vm(sim, prov, wprov, vm, puid, detail);
	return ova_vm(sim, wprov, vm, puid, detail);
}

/* Add what a workload carries beyond the VM. */
static void workload_extras(struct sim *sim, const cJSON *prov, const cJSON *wprov, const cJSON *vm, cJSON *o,
			    const char *puid)
{
	const char *type = json_str(wprov, "type", "");
	const cJSON *e;

	if (!strcmp(type, "openstack")) {
		cJSON *nets = cJSON_AddArrayToObject(o, "networks"), *vols = cJSON_AddArrayToObject(o, "volumes");
		cJSON *vts = cJSON_AddArrayToObject(o, "volumeTypes"), *fl = cJSON_AddObjectToObject(o, "flavor");
		cJSON_ArrayForEach(e, json_get(vm, "nics")) {
			cJSON *n = cJSON_CreateObject();
			add_resource(n, type, puid, "networks", json_str(e, "network", ""), net_name(wprov, json_str(e, "network", "")));
			cJSON_AddItemToArray(nets, n);
		}
		if (json_get(vm, "image"))
			cJSON_AddItemToObject(o, "image", openstack_image(vm, puid));
		cJSON_ArrayForEach(e, (volumes_synced(sim, prov, vm) ? json_get(vm, "disks") : NULL)) {
			cJSON *v = cJSON_CreateObject(), *t = cJSON_CreateObject();
			add_resource(v, type, puid, "volumes", json_str(e, "id", ""), json_str(e, "id", ""));
			cJSON_AddNumberToObject(v, "size", num(e, "capacityGiB", 0));
			cJSON_AddStringToObject(v, "volumeType", storage_name(wprov, json_str(e, "storage", "")));
			cJSON_AddItemToArray(vols, v);
			add_resource(t, type, puid, "volumetypes", json_str(e, "storage", ""), storage_name(wprov, json_str(e, "storage", "")));
			cJSON_AddItemToArray(vts, t);
		}
		cJSON_AddNumberToObject(fl, "vcpus", num(vm, "cpuSockets", 1) * num(vm, "cpuCores", 1));
		cJSON_AddNumberToObject(fl, "ram", num(vm, "memoryMB", 1024));
	}
	if (!strcmp(type, "ovirt")) {
		/* nic profiles and disks expanded */
		cJSON *nics = cJSON_GetObjectItemCaseSensitive(o, "nics"), *n;
		cJSON *atts = cJSON_GetObjectItemCaseSensitive(o, "diskAttachments"), *a;
		int i = 0;
		cJSON_ArrayForEach(n, nics) {
			const cJSON *src = cJSON_GetArrayItem(json_get(vm, "nics"), i++);
			cJSON *p = cJSON_CreateObject();
			char pid[160];
			snprintf(pid, sizeof(pid), "np-%s", json_str(src, "network", ""));
			cJSON_AddStringToObject(p, "id", pid);
			cJSON_AddStringToObject(p, "name", net_name(wprov, json_str(src, "network", "")));
			cJSON_AddStringToObject(p, "network", json_str(src, "network", ""));
			cJSON_DeleteItemFromObjectCaseSensitive(n, "profile");
			cJSON_AddItemToObject(n, "profile", p);
		}
		i = 0;
		cJSON_ArrayForEach(a, atts) {
			const cJSON *src = cJSON_GetArrayItem(json_get(vm, "disks"), i++);
			cJSON *d = cJSON_CreateObject();
			cJSON_AddStringToObject(d, "id", json_str(src, "id", ""));
			cJSON_AddStringToObject(d, "storageDomain", json_str(src, "storage", ""));
			cJSON_AddNumberToObject(d, "provisionedSize", num(src, "capacityGiB", 0) * GIB);
			cJSON_AddStringToObject(d, "storageType", "image");
			cJSON_DeleteItemFromObjectCaseSensitive(a, "disk");
			cJSON_AddItemToObject(a, "disk", d);
		}
	}
}

static bool name_matches(const cJSON *item, const char *name)
{
	const char *n = json_str(item, "name", ""), *p = json_str(item, "path", "");

	if (!name)
		return true;
	if (!strcmp(n, name) || !strcmp(p, name))
		return true;
	if (strchr(name, '/')) {
		const char *last = strrchr(name, '/') + 1;
		return !strcmp(n, last) && (!*p || !strcmp(p, name));
	}
	return false;
}

static cJSON *find_provider(struct sim *sim, const char *type, const char *uid)
{
	const struct restype *rt = restype_find("forklift.konveyor.io", "v1beta1", "providers");

	for (size_t i = 0; i < sim->store.n; i++) {
		struct sobj *so = sim->store.objs[i];
		if (so->rt == rt && !strcmp(json_str(so->o, "metadata.uid", ""), uid) &&
		    !strcmp(json_str(so->o, "spec.type", ""), type))
			return so->o;
	}
	return NULL;
}

static cJSON *provider_resource(struct sim *sim, const cJSON *p, int detail)
{
	cJSON *o = cJSON_CreateObject();
	const char *type = json_str(p, "spec.type", ""), *uid = json_str(p, "metadata.uid", "");
	char link[400];
	cJSON *w = src_world_provider(sim, p);

	cJSON_AddStringToObject(o, "uid", uid);
	cJSON_AddStringToObject(o, "version", json_str(p, "metadata.resourceVersion", ""));
	cJSON_AddStringToObject(o, "namespace", json_str(p, "metadata.namespace", ""));
	cJSON_AddStringToObject(o, "name", json_str(p, "metadata.name", ""));
	snprintf(link, sizeof(link), "providers/%s/%s", type, uid);
	cJSON_AddStringToObject(o, "selfLink", link);
	cJSON_AddStringToObject(o, "id", uid);
	if (detail > 0) {
		cJSON_AddStringToObject(o, "type", type);
		cJSON_AddItemToObject(o, "object", cJSON_Duplicate(p, 1));
		cJSON_AddNumberToObject(o, "vmCount", w ? cJSON_GetArraySize(json_get(w, "vms")) : 0);
		cJSON_AddNumberToObject(o, "networkCount", w ? cJSON_GetArraySize(json_get(w, "networks")) : 0);
		if (!strcmp(type, "vsphere")) {
			cJSON_AddNumberToObject(o, "datastoreCount", w ? cJSON_GetArraySize(json_get(w, "storages")) : 0);
			cJSON_AddNumberToObject(o, "hostCount", w ? cJSON_GetArraySize(json_get(w, "hosts")) : 0);
			cJSON_AddStringToObject(o, "apiVersion", json_str(w, "version", ""));
			cJSON_AddStringToObject(o, "product", "VMware vCenter Server");
		}
	}
	return o;
}

static int detail_of(struct request *r)
{
	const char *d = req_query(r, "detail");

	if (!d)
		return 0;
	if (!strcmp(d, "all"))
		return 9;
	return atoi(d);
}

static bool synced(const cJSON *p)
{
	return json_condition(json_get(p, "status.conditions"), "InventoryCreated") != NULL;
}

void inventory_handle(struct sim *sim, struct request *r, const char *subpath, struct response *resp)
{
	char parts[6][256];
	int n = 0;
	const char *p = subpath;
	int detail = detail_of(r);
	const char *qname = req_query(r, "name"), *qns = req_query(r, "namespace");
	cJSON *prov, *wprov, *out = NULL;
	const char *type, *puid, *coll, *id;

	if (strcmp(r->method, "GET")) {
		resp_status(resp, 405, "MethodNotAllowed", "the inventory is read-only", NULL, NULL, NULL);
		return;
	}
	while (*p == '/')
		p++;
	while (*p && n < 6) {
		size_t len = strcspn(p, "/");
		snprintf(parts[n++], sizeof(parts[0]), "%.*s", (int)len, p);
		p += len;
		while (*p == '/')
			p++;
	}
	if (n == 0 || strcmp(parts[0], "providers") || *p) {
		resp_status(resp, 404, "NotFound", "not found", NULL, NULL, NULL);
		return;
	}
	if (n == 1 || n == 2) {
		/* provider lists */
		const struct restype *rt = restype_find("forklift.konveyor.io", "v1beta1", "providers");
		static const char *const types[] = { "openshift", "vsphere", "ovirt", "openstack", "ova", "ec2", "hyperv" };
		cJSON *all = cJSON_CreateObject();
		for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++)
			cJSON_AddArrayToObject(all, types[k]);
		for (size_t i = 0; i < sim->store.n; i++) {
			struct sobj *so = sim->store.objs[i];
			cJSON *arr;
			if (so->rt != rt || (qns && strcmp(so->ns, qns)))
				continue;
			arr = cJSON_GetObjectItemCaseSensitive(all, json_str(so->o, "spec.type", ""));
			if (arr)
				cJSON_AddItemToArray(arr, provider_resource(sim, so->o, detail));
		}
		if (n == 2) {
			cJSON *arr = cJSON_DetachItemFromObjectCaseSensitive(all, parts[1]);
			cJSON_Delete(all);
			if (!arr) {
				resp_status(resp, 404, "NotFound", "unknown provider type", NULL, NULL, NULL);
				return;
			}
			resp_json(resp, 200, arr);
			return;
		}
		resp_json(resp, 200, all);
		return;
	}
	type = parts[1];
	puid = parts[2];
	prov = find_provider(sim, type, puid);
	if (!prov) {
		resp_status(resp, 404, "NotFound", "provider not found", NULL, NULL, NULL);
		resp->extra_header_name = strdup("X-Reason");
		resp->extra_header_value = strdup("ProviderNotFound");
		return;
	}
	if (n == 3) {
		resp_json(resp, 200, provider_resource(sim, prov, 9));
		return;
	}
	if (!synced(prov)) {
		resp->status = 206;
		resp->ctype = "application/json";
		resp->body = strdup("[]");
		return;
	}
	coll = parts[3];
	id = n >= 5 ? parts[4] : NULL;
	if (id)
		detail = 9;
	wprov = src_world_provider(sim, prov);

	if (!strcmp(type, "openshift") && ocp_collection(coll)) {
		const struct restype *rt = ocp_collection(coll);
		out = cJSON_CreateArray();
		for (size_t i = 0; i < sim->store.n; i++) {
			struct sobj *so = sim->store.objs[i];
			if (so->rt != rt)
				continue;
			if (id && strcmp(json_str(so->o, "metadata.uid", ""), id))
				continue;
			if (qns && strcmp(so->ns, qns))
				continue;
			if (qname && strcmp(so->name, qname) &&
			    !(strchr(qname, '/') && !strncmp(qname, so->ns, strlen(so->ns)) && qname[strlen(so->ns)] == '/' &&
			      !strcmp(qname + strlen(so->ns) + 1, so->name)))
				continue;
			{
				cJSON *res = ocp_resource(so, puid, coll, detail);
				if (!strcmp(coll, "vms")) {
					const struct restype *vmi = restype_find("kubevirt.io", "v1", "virtualmachineinstances");
					struct sobj *inst = store_find(&sim->store, vmi, so->ns, so->name);
					if (inst && detail > 0)
						cJSON_AddItemToObject(res, "instance", cJSON_Duplicate(inst->o, 1));
				}
				cJSON_AddItemToArray(out, res);
			}
		}
	} else if (!wprov) {
		out = cJSON_CreateArray();
	} else if (!strcmp(coll, "vms") || !strcmp(coll, "workloads")) {
		const cJSON *vm;
		out = cJSON_CreateArray();
		cJSON_ArrayForEach(vm, json_get(wprov, "vms")) {
			cJSON *o;
			if (id && strcmp(src_vm_id(sim, wprov, vm), id))
				continue;
			o = render_vm(sim, prov, wprov, vm, puid, !strcmp(coll, "workloads") ? 9 : detail);
			if (!name_matches(o, qname)) {
				cJSON_Delete(o);
				continue;
			}
			if (!strcmp(coll, "workloads"))
				workload_extras(sim, prov, wprov, vm, o, puid);
			cJSON_AddItemToArray(out, o);
		}
	} else if (!strcmp(coll, "networks")) {
		out = simple_list(json_get(wprov, "networks"), type, puid, coll, "network");
	} else if (!strcmp(coll, src_storage_collection(type)) || (!strcmp(type, "ova") && !strcmp(coll, "disks"))) {
		cJSON *st = src_storages(wprov);
		out = simple_list(st, type, puid, coll, "storage");
		cJSON_Delete(st);
	} else if (!strcmp(coll, "hosts")) {
		out = simple_list(json_get(wprov, "hosts"), type, puid, coll, "host");
	} else if (!strcmp(coll, "nicprofiles") && !strcmp(type, "ovirt")) {
		const cJSON *e;
		out = cJSON_CreateArray();
		cJSON_ArrayForEach(e, json_get(wprov, "networks")) {
			cJSON *o = cJSON_CreateObject();
			char pid[160];
			snprintf(pid, sizeof(pid), "np-%s", json_str(e, "id", ""));
			add_resource(o, type, puid, coll, pid, json_str(e, "name", ""));
			cJSON_AddStringToObject(o, "network", json_str(e, "id", ""));
			cJSON_AddItemToArray(out, o);
		}
	} else if ((!strcmp(coll, "disks") && !strcmp(type, "ovirt")) || (!strcmp(coll, "volumes") && !strcmp(type, "openstack"))) {
		const cJSON *vm, *d;
		out = cJSON_CreateArray();
		cJSON_ArrayForEach(vm, json_get(wprov, "vms"))
			cJSON_ArrayForEach(d, ((!strcmp(type, "ovirt") || volumes_synced(sim, prov, vm)) ? json_get(vm, "disks") : NULL)) {
				cJSON *o = cJSON_CreateObject();
				add_resource(o, type, puid, coll, json_str(d, "id", ""), json_str(d, "id", ""));
				if (!strcmp(type, "ovirt")) {
					cJSON_AddStringToObject(o, "storageDomain", json_str(d, "storage", ""));
					cJSON_AddNumberToObject(o, "provisionedSize", num(d, "capacityGiB", 0) * GIB);
					cJSON_AddStringToObject(o, "storageType", "image");
					cJSON_AddBoolToObject(o, "shared", false);
				} else {
					cJSON_AddNumberToObject(o, "size", num(d, "capacityGiB", 0));
					cJSON_AddStringToObject(o, "volumeType", storage_name(wprov, json_str(d, "storage", "")));
					cJSON_AddStringToObject(o, "status", "in-use");
				}
				cJSON_AddItemToArray(out, o);
			}
	} else if (!strcmp(coll, "images") && !strcmp(type, "openstack")) {
		const cJSON *vm;
		out = cJSON_CreateArray();
		cJSON_ArrayForEach(vm, json_get(wprov, "vms"))
			if (json_get(vm, "image"))
				cJSON_AddItemToArray(out, openstack_image(vm, puid));
	} else if ((!strcmp(coll, "datacenters") || !strcmp(coll, "clusters") || !strcmp(coll, "folders")) &&
		   cJSON_IsArray(json_get(wprov, coll))) {
		/* collected from vcsim */
		const cJSON *e;
		out = cJSON_CreateArray();
		cJSON_ArrayForEach(e, json_get(wprov, coll)) {
			cJSON *o = cJSON_CreateObject();
			add_resource(o, type, puid, coll, json_str(e, "id", ""), json_str(e, "name", ""));
			if (*json_str(e, "parent", "")) {
				cJSON *ref = cJSON_AddObjectToObject(o, "parent");
				cJSON_AddStringToObject(ref, "kind", "Folder");
				cJSON_AddStringToObject(ref, "id", json_str(e, "parent", ""));
			}
			if (*json_str(e, "vmFolder", "")) {
				cJSON *ref = cJSON_AddObjectToObject(o, "vms");
				cJSON_AddStringToObject(ref, "kind", "Folder");
				cJSON_AddStringToObject(ref, "id", json_str(e, "vmFolder", ""));
			}
			cJSON_AddItemToArray(out, o);
		}
	} else if (!strcmp(coll, "datacenters") || !strcmp(coll, "clusters") || !strcmp(coll, "folders")) {
		cJSON *o = cJSON_CreateObject();
		out = cJSON_CreateArray();
		add_resource(o, type, puid, coll,
			     !strcmp(coll, "datacenters") ? "datacenter-1" : !strcmp(coll, "clusters") ? "domain-c1" : "group-v3",
			     !strcmp(coll, "datacenters") ? json_str(wprov, "datacenter", "Datacenter")
			     : !strcmp(coll, "clusters") ? "Cluster" : "vm");
		cJSON_AddItemToArray(out, o);
	} else {
		resp_status(resp, 404, "NotFound", "unknown inventory collection", NULL, NULL, NULL);
		return;
	}
	/* name filter for the non-VM collections */
	if (qname && strcmp(coll, "vms") && strcmp(coll, "workloads") && !(ocp_collection(coll) && !strcmp(type, "openshift"))) {
		cJSON *f = cJSON_CreateArray(), *e;
		cJSON_ArrayForEach(e, out)
			if (name_matches(e, qname))
				cJSON_AddItemToArray(f, cJSON_Duplicate(e, 1));
		cJSON_Delete(out);
		out = f;
	}
	if (id) {
		cJSON *one = NULL, *e;
		cJSON_ArrayForEach(e, out)
			if (!strcmp(json_str(e, "id", ""), id))
				one = e;
		if (!one) {
			cJSON_Delete(out);
			resp_status(resp, 404, "NotFound", "resource not found", NULL, NULL, NULL);
			return;
		}
		one = cJSON_Duplicate(one, 1);
		cJSON_Delete(out);
		resp_json(resp, 200, one);
		return;
	}
	resp_json(resp, 200, out);
}
