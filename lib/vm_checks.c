#include "vm_checks.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json.h"

void vm_check_add(cJSON *results, const char *check, bool ok, const char *expected, const char *actual)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "check", check);
	cJSON_AddBoolToObject(r, "ok", ok);
	cJSON_AddStringToObject(r, "expected", expected);
	cJSON_AddStringToObject(r, "actual", actual);
	cJSON_AddItemToArray(results, r);
}

void vm_check_add_number(cJSON *results, const char *check, long long expected, long long actual)
{
	char e[32], a[32];

	snprintf(e, sizeof(e), "%lld", expected);
	if (actual < 0)
		snprintf(a, sizeof(a), "unset");
	else
		snprintf(a, sizeof(a), "%lld", actual);
	vm_check_add(results, check, expected == actual, e, a);
}

void vm_check_skip(cJSON *results, const char *check, const char *why)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "check", check);
	cJSON_AddStringToObject(r, "skipped", why);
	cJSON_AddItemToArray(results, r);
}

const char *vm_source_power(enum provider_type type, const cJSON *source)
{
	const char *s;

	switch (type) {
	case PROVIDER_VSPHERE:
		s = json_str(source, "powerState", "");
		return !strcmp(s, "poweredOn") ? "on" : *s ? "off" : "";
	case PROVIDER_OVIRT:
		s = json_str(source, "status", "");
		return !strcmp(s, "up") ? "on" : *s ? "off" : "";
	case PROVIDER_OPENSTACK:
		s = json_str(source, "status", "");
		return !strcmp(s, "ACTIVE") ? "on" : *s ? "off" : "";
	case PROVIDER_OPENSHIFT:
		s = json_str(source, "object.status.printableStatus", "");
		return !strcmp(s, "Running") ? "on" : *s ? "off" : "";
	case PROVIDER_OVA:
		return "off";
	}
	return "";
}

static bool has_win(const char *s)
{
	return s && strcasestr(s, "win") != NULL;
}

bool vm_source_is_windows(enum provider_type type, const cJSON *source)
{
	switch (type) {
	case PROVIDER_VSPHERE:
		return has_win(json_str(source, "guestId", "")) || has_win(json_str(source, "guestName", ""));
	case PROVIDER_OVIRT:
		return has_win(json_str(source, "osType", "")) || has_win(json_str(source, "guestName", ""));
	case PROVIDER_OVA:
		return has_win(json_str(source, "osType", ""));
	case PROVIDER_OPENSTACK:
		return has_win(json_str(source, "image.properties.os_distro", ""));
	case PROVIDER_OPENSHIFT:
		return false;
	}
	return false;
}

const char *vm_expected_power(enum provider_type type, const cJSON *source, const char *target_power,
			      const char *source_power, bool windows_wait_for_reboot)
{
	if (windows_wait_for_reboot && strcmp(target_power, "off") && vm_source_is_windows(type, source))
		return "on";
	if (!strcmp(target_power, "on") || !strcmp(target_power, "off"))
		return target_power;
	return source_power;
}

/* A Kubernetes quantity ("10Gi", "1073741824", "500M") as an amount of
 * base units, not rounded; -1 when it cannot be read. */
static double quantity_amount(const char *q)
{
	static const struct {
		const char *suffix;
		double mult;
	} units[] = {
		{ "Ki", 1024.0 }, { "Mi", 1048576.0 }, { "Gi", 1073741824.0 }, { "Ti", 1099511627776.0 },
		{ "Pi", 1125899906842624.0 }, { "k", 1e3 }, { "M", 1e6 }, { "G", 1e9 }, { "T", 1e12 },
		{ "P", 1e15 }, { "", 1 },
	};
	char *end;
	double v;

	if (!q || !*q)
		return -1;
	errno = 0;
	v = strtod(q, &end);
	if (errno || end == q || v < 0)
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].suffix))
			return v * units[i].mult;
	return -1;
}

long long quantity_bytes(const char *q)
{
	double v = quantity_amount(q);

	return v < 0 ? -1 : (long long)(v + 0.5);
}

long long quantity_mib(const char *q)
{
	double v = quantity_amount(q);

	return v < 0 ? -1 : (long long)(v / 1048576.0 + 0.5);
}

/* Source CPU topology per type: sockets and cores per socket. */
static void source_cpu(enum provider_type type, const cJSON *s, long long *sockets, long long *cores)
{
	long long count = 0, per = 0;

	*sockets = *cores = -1;
	switch (type) {
	case PROVIDER_VSPHERE:
	case PROVIDER_OVA:
		json_get_int_opt(s, "cpuCount", &count, NULL);
		json_get_int_opt(s, "coresPerSocket", &per, NULL);
		if (per <= 0)
			per = 1;
		if (count > 0) {
			*cores = per;
			*sockets = count / per;
		}
		break;
	case PROVIDER_OVIRT:
		json_get_int_opt(s, "cpuSockets", sockets, NULL);
		json_get_int_opt(s, "cpuCores", cores, NULL);
		break;
	default:
		break;
	}
}

static long long source_memory_mib(enum provider_type type, const cJSON *s)
{
	long long v = -1;

	if (type == PROVIDER_OVIRT) {
		if (json_get_int_opt(s, "memory", &v, NULL) == 0 && v > 0)
			return v / (1024 * 1024);
		return -1;
	}
	json_get_int_opt(s, "memoryMB", &v, NULL);
	return v;
}

static long long dest_memory_mib(const cJSON *vm)
{
	const char *q = json_str(vm, "spec.template.spec.domain.memory.guest", NULL);

	if (!q)
		q = json_str(vm, "spec.template.spec.domain.resources.requests.memory", NULL);
	return quantity_mib(q);
}

static void check_power(const struct vm_check_input *in, cJSON *results)
{
	const char *strategy = json_str(in->vm, "spec.runStrategy", "");
	const cJSON *running = json_get(in->vm, "spec.running");
	const char *phase = json_str(in->vmi, "status.phase", "");
	const char *actual;

	if (!*in->expected_power)
		return;
	if (!strcmp(strategy, "Always") || !strcmp(strategy, "RerunOnFailure") || cJSON_IsTrue(running))
		actual = !strcmp(phase, "Running") ? "on" : "on (VMI not Running)";
	else
		actual = "off";
	vm_check_add(results, "power state", !strcmp(actual, in->expected_power), in->expected_power, actual);
}

static void check_cpu_memory(const struct vm_check_input *in, cJSON *results)
{
	long long sockets, cores, dsockets = -1, dcores = -1, mem;

	source_cpu(in->type, in->source, &sockets, &cores);
	json_get_int_opt(in->vm, "spec.template.spec.domain.cpu.sockets", &dsockets, NULL);
	json_get_int_opt(in->vm, "spec.template.spec.domain.cpu.cores", &dcores, NULL);
	if (sockets > 0)
		vm_check_add_number(results, "cpu sockets", sockets, dsockets);
	if (cores > 0)
		vm_check_add_number(results, "cpu cores", cores, dcores);
	mem = source_memory_mib(in->type, in->source);
	if (mem > 0)
		vm_check_add_number(results, "memory MiB", mem, dest_memory_mib(in->vm));
}

/* The inventory network whose `field` equals value, or NULL. */
static const cJSON *network_by(const cJSON *networks, const char *field, const char *value)
{
	const cJSON *n;

	cJSON_ArrayForEach(n, networks)
		if (value && !strcmp(json_str(n, field, "\x01"), value))
			return n;
	return NULL;
}

/* The inventory network a NIC is on, the way Forklift's builder matches
 * them: vSphere NICs name a portgroup key or an NSX OpaqueNetworkId
 * (buildNICResolver keys DvPortGroup and OpaqueNetwork by `key`, the rest
 * by `id`); OVA NICs (ovfbase buildOvfNICResolver) and OpenStack addresses
 * (mapNetworks) name the network.  *ref is what the NIC said. */
static const cJSON *nic_network(const struct vm_check_input *in, const cJSON *nic, const char **ref)
{
	const cJSON *n;

	switch (in->type) {
	case PROVIDER_VSPHERE:
		*ref = json_str(nic, "network.id", NULL);
		cJSON_ArrayForEach(n, in->source_networks) {
			const char *variant = json_str(n, "variant", "");
			bool keyed = !strcmp(variant, "DvPortGroup") || !strcmp(variant, "OpaqueNetwork");

			if (*ref && !strcmp(json_str(n, keyed ? "key" : "id", "\x01"), *ref))
				return n;
		}
		return NULL;
	case PROVIDER_OVA:
		*ref = json_str(nic, "Network", NULL);
		return network_by(in->source_networks, "name", *ref);
	case PROVIDER_OPENSTACK:
		*ref = nic->string;
		return network_by(in->source_networks, "name", *ref);
	default:
		*ref = NULL;
		return NULL;
	}
}

/* The inventory network a NetworkMap entry's source ref resolves to: by id
 * when it has one, else by name (Forklift's Finder ByRef).  OpenStack's
 * builder compares source.id alone, so there a name-only ref matches
 * nothing. */
static const cJSON *entry_network(const struct vm_check_input *in, const cJSON *entry)
{
	const char *id = json_str(entry, "source.id", ""), *name = json_str(entry, "source.name", "");

	if (*id)
		return network_by(in->source_networks, "id", id);
	if (in->type == PROVIDER_OPENSTACK || !*name)
		return NULL;
	return network_by(in->source_networks, "name", name);
}

/* What the NetworkMap says the network becomes: "pod", "ignored" or
 * "ns/name" ("unmapped" when no entry resolves to it). */
static void mapped_destination(const struct vm_check_input *in, const cJSON *net, char *out, size_t outsz)
{
	const char *id = json_str(net, "id", "");
	const cJSON *e;

	snprintf(out, outsz, "unmapped");
	cJSON_ArrayForEach(e, json_get(in->network_map, "spec.map")) {
		const cJSON *m = entry_network(in, e);
		const char *type = json_str(e, "destination.type", "");

		if (!m || strcmp(json_str(m, "id", ""), id))
			continue;
		if (!strcmp(type, "pod") || !strcmp(type, "ignored"))
			snprintf(out, outsz, "%s", type);
		else
			snprintf(out, outsz, "%s/%s", json_str(e, "destination.namespace", ""),
				 json_str(e, "destination.name", ""));
		return;
	}
}

/* Where a destination interface is attached: "pod" or "ns/name". */
static void interface_attachment(const cJSON *vm, const char *iface, char *out, size_t outsz)
{
	const cJSON *n;

	snprintf(out, outsz, "no network");
	cJSON_ArrayForEach(n, json_get(vm, "spec.template.spec.networks")) {
		if (strcmp(json_str(n, "name", ""), iface))
			continue;
		if (json_get(n, "pod"))
			snprintf(out, outsz, "pod");
		else
			snprintf(out, outsz, "%s", json_str(n, "multus.networkName", "?"));
		return;
	}
}

/* One NIC: its MAC on the destination, attached where the map says. */
static void check_nic(const struct vm_check_input *in, const cJSON *nic, const char *mac, cJSON *results)
{
	const cJSON *iface, *net = NULL;
	const char *ref = NULL;
	char want[300], have[300] = "absent", check[128];

	snprintf(check, sizeof(check), "nic %s", mac);
	if (in->source_networks && in->network_map) {
		net = nic_network(in, nic, &ref);
		if (ref && !net) {
			char e[300];

			snprintf(e, sizeof(e), "network %s in the source inventory", ref);
			vm_check_add(results, check, 0, e, "not found");
			return;
		}
	}
	if (net)
		mapped_destination(in, net, want, sizeof(want));
	else
		snprintf(want, sizeof(want), "present");
	cJSON_ArrayForEach(iface, json_get(in->vm, "spec.template.spec.domain.devices.interfaces")) {
		if (!strcasecmp(json_str(iface, "macAddress", ""), mac)) {
			interface_attachment(in->vm, json_str(iface, "name", ""), have, sizeof(have));
			break;
		}
	}
	if (!strcmp(want, "ignored"))
		vm_check_add(results, check, !strcmp(have, "absent"), "absent (network ignored)", have);
	else if (!strcmp(want, "present"))
		vm_check_add(results, check, strcmp(have, "absent") != 0, want, have);
	else
		vm_check_add(results, check, !strcmp(want, have), want, have);
}

static void check_nics(const struct vm_check_input *in, cJSON *results)
{
	const cJSON *nic;

	if (in->type == PROVIDER_OPENSTACK) {
		/* No nics: addresses maps a network name to its ports'
		 * addresses.  Forklift's mapNetworks makes one interface per
		 * network, from its first address, and none when that one is
		 * a floating IP. */
		cJSON_ArrayForEach(nic, json_get(in->source, "addresses")) {
			const cJSON *first = cJSON_GetArrayItem(nic, 0);
			const char *mac = json_str(first, "OS-EXT-IPS-MAC:mac_addr", NULL);

			if (mac && strcmp(json_str(first, "OS-EXT-IPS:type", ""), "floating"))
				check_nic(in, nic, mac, results);
		}
		return;
	}
	cJSON_ArrayForEach(nic, json_get(in->source, "nics")) {
		const char *mac = json_str(nic, in->type == PROVIDER_OVA ? "MAC" : "mac", NULL);

		if (mac)
			check_nic(in, nic, mac, results);
	}
}

/* Forklift's bus order for DiskIndex (SortedDisksAsVmware): a bus it does
 * not know sorts last, so a disk Forklift would skip still shows up in the
 * disk count instead of silently agreeing. */
static int bus_rank(const cJSON *disk)
{
	static const char *const buses[] = { "sata", "ide", "scsi", "nvme" };
	const char *bus = json_str(disk, "bus", "");

	for (int i = 0; i < 4; i++)
		if (!strcmp(bus, buses[i]))
			return i;
	return 4;
}

static int cmp_ll(long long a, long long b)
{
	return a < b ? -1 : a > b;
}

static int vsphere_disk_order(const void *a, const void *b)
{
	const cJSON *x = ((const struct vm_disk *)a)->disk, *y = ((const struct vm_disk *)b)->disk;
	static const char *const keys[] = { "controllerKey", "unitNumber", "key" };
	int r = bus_rank(x) - bus_rank(y);

	for (int i = 0; i < 3 && !r; i++) {
		long long xv = 0, yv = 0;

		json_get_int_opt(x, keys[i], &xv, NULL);
		json_get_int_opt(y, keys[i], &yv, NULL);
		r = cmp_ll(xv, yv);
	}
	return r;
}

static void add_disk(struct vm_disk *out, size_t max, size_t *n, const cJSON *disk, const char *source)
{
	if (*n < max)
		out[(*n)++] = (struct vm_disk){ disk, source ? source : "" };
}

size_t vm_source_disks(enum provider_type type, const cJSON *s, struct vm_disk *out, size_t max)
{
	const cJSON *d;
	size_t n = 0;

	switch (type) {
	case PROVIDER_VSPHERE:
		cJSON_ArrayForEach(d, json_get(s, "disks"))
			add_disk(out, max, &n, d, json_str(d, "file", ""));
		qsort(out, n, sizeof(*out), vsphere_disk_order);
		break;
	case PROVIDER_OVIRT:
		/* the attachment's disk: an id, or the disk itself in a workload */
		cJSON_ArrayForEach(d, json_get(s, "diskAttachments"))
			add_disk(out, max, &n, d, cJSON_IsString(json_get(d, "disk")) ? json_str(d, "disk", "")
										: json_str(d, "disk.id", ""));
		break;
	case PROVIDER_OPENSTACK:
		/* PopulatorVolumes: one PVC per volume, then one for the image
		 * of an image-booted server (imageID set) */
		cJSON_ArrayForEach(d, json_get(s, "attachedVolumes"))
			add_disk(out, max, &n, d, json_str(d, "ID", ""));
		if (*json_str(s, "imageID", ""))
			add_disk(out, max, &n, NULL, json_str(s, "imageID", ""));
		break;
	case PROVIDER_OVA:
		/* disk-source is FilePath::Name (getDiskFullPath); not kept
		 * here, the pointer must outlive the call */
		cJSON_ArrayForEach(d, json_get(s, "disks"))
			add_disk(out, max, &n, d, "");
		break;
	case PROVIDER_OPENSHIFT:
		cJSON_ArrayForEach(d, json_get(s, "object.spec.template.spec.volumes"))
			if (json_get(d, "persistentVolumeClaim") || json_get(d, "dataVolume"))
				add_disk(out, max, &n, d, "");
		break;
	}
	return n;
}

static const cJSON *find_pvc(const cJSON *pvcs, const char *name)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, pvcs)
		if (!strcmp(json_str(p, "metadata.name", ""), name))
			return p;
	return NULL;
}

/* A vSphere backing file without the snapshot suffix Forklift trims
 * (trimBackingFileName: "disk-000015.vmdk" → "disk.vmdk"). */
void vm_trim_backing(const char *file, char *out, size_t outsz)
{
	size_t len = strlen(file);

	snprintf(out, outsz, "%s", file);
	if (len < 12 || strcmp(file + len - 5, ".vmdk") || file[len - 12] != '-')
		return;
	for (size_t i = len - 11; i < len - 5; i++)
		if (!isdigit((unsigned char)file[i]))
			return;
	if (len - 12 < outsz)
		snprintf(out + (len - 12), outsz - (len - 12), ".vmdk");
}

static bool same_source(enum provider_type type, const char *a, const char *b)
{
	char x[1024], y[1024];

	if (type != PROVIDER_VSPHERE)
		return !strcmp(a, b);
	vm_trim_backing(a, x, sizeof(x));
	vm_trim_backing(b, y, sizeof(y));
	return !strcmp(x, y);
}

/* One PVC the destination VM mounts. */
struct claim {
	const char *name;
	const cJSON *pvc;
	long long index;	/* forklift.konveyor.io/disk-index, -1 when unset */
	const char *source;	/* forklift.konveyor.io/disk-source, "" when unset */
	bool taken;
};

static size_t vm_claims(const struct vm_check_input *in, struct claim *out, size_t max)
{
	const cJSON *vol;
	size_t n = 0;

	cJSON_ArrayForEach(vol, json_get(in->vm, "spec.template.spec.volumes")) {
		const char *name = json_str(vol, "persistentVolumeClaim.claimName", NULL);
		const char *idx;
		char *end;

		if (!name)
			name = json_str(vol, "dataVolume.name", NULL);
		if (!name || n >= max)
			continue;	/* cloud-init, config maps: not source disks */
		out[n] = (struct claim){ .name = name, .pvc = find_pvc(in->pvcs, name), .index = -1 };
		idx = json_str(out[n].pvc, "metadata.annotations[\"forklift.konveyor.io/disk-index\"]", NULL);
		if (idx && *idx) {
			long long v = strtoll(idx, &end, 10);

			if (!*end && v >= 0)
				out[n].index = v;
		}
		out[n].source = json_str(out[n].pvc, "metadata.annotations[\"forklift.konveyor.io/disk-source\"]", "");
		n++;
	}
	return n;
}

/* The claim of source disk i: the PVC whose disk-index annotation is i
 * (vSphere, OpenShift: Forklift matches PVCs to disks by it), else the one
 * whose disk-source names the disk (the types without a disk index), else —
 * when the PVCs carry neither — the i-th volume. */
static struct claim *claim_of(enum provider_type type, struct claim *claims, size_t nclaims,
			      const struct vm_disk *disk, size_t i)
{
	bool annotated = false;

	for (size_t k = 0; k < nclaims; k++) {
		if (claims[k].index >= 0 || *claims[k].source)
			annotated = true;
		if (claims[k].index == (long long)i)
			return &claims[k];
	}
	for (size_t k = 0; k < nclaims; k++)
		if (!claims[k].taken && claims[k].index < 0 && *disk->source && *claims[k].source &&
		    same_source(type, claims[k].source, disk->source))
			return &claims[k];
	return !annotated && i < nclaims ? &claims[i] : NULL;
}

/* Disk count, each disk's PVC (the right source disk, the storage class)
 * and, with a pvcNameTemplate, its name. */
static void check_disks(const struct vm_check_input *in, cJSON *results)
{
	struct vm_disk disks[VM_DISKS_MAX];
	struct claim claims[VM_DISKS_MAX];
	size_t ndisks = vm_source_disks(in->type, in->source, disks, VM_DISKS_MAX);
	size_t nclaims = vm_claims(in, claims, VM_DISKS_MAX);
	const cJSON *want;
	char check[300];
	size_t i;

	for (i = 0; i < nclaims; i++) {
		const cJSON *pvc = claims[i].pvc;

		snprintf(check, sizeof(check), "disk %s storage class", claims[i].name);
		vm_check_add(results, check, pvc && !strcmp(json_str(pvc, "spec.storageClassName", ""), in->storage_class),
			   in->storage_class, pvc ? json_str(pvc, "spec.storageClassName", "unset") : "PVC missing");
	}
	vm_check_add_number(results, "disk count", (long long)ndisks, (long long)nclaims);
	for (i = 0; i < ndisks; i++) {
		struct claim *c = claim_of(in->type, claims, nclaims, &disks[i], i);

		if (c)
			c->taken = true;
		if (*disks[i].source) {
			snprintf(check, sizeof(check), "disk %zu source", i);
			vm_check_add(results, check, c && same_source(in->type, c->source, disks[i].source),
				   disks[i].source, !c ? "no PVC for this disk" : *c->source ? c->source : "unset");
		}
		want = cJSON_GetArrayItem(in->expected_pvcs, (int)i);
		if (want) {
			const char *name = json_str(want, "name", NULL), *prefix = json_str(want, "prefix", "");
			const char *have = c ? c->name : "no PVC for this disk";

			snprintf(check, sizeof(check), "disk %zu pvc name", i);
			/* Forklift renders no fallback: the Plan is NotValid */
			if (json_get(want, "invalid")) {
				vm_check_add(results, check, 0, "a name from the plan's pvcNameTemplate",
					   json_str(want, "invalid", ""));
			} else if (name) {
				vm_check_add(results, check, !strcmp(have, name), name, have);
			} else {
				char e[128];

				snprintf(e, sizeof(e), "%s*", prefix);
				vm_check_add(results, check,
					   !strncmp(have, prefix, strlen(prefix)) && strlen(have) > strlen(prefix), e, have);
			}
		}
	}
}

/* {k: v} → "k=v,k2=v2" (sorted as given) for messages. */
static void map_text(const cJSON *map, char *out, size_t outsz)
{
	const cJSON *it;
	size_t n = 0;

	out[0] = '\0';
	cJSON_ArrayForEach(it, map) {
		int w = snprintf(out + n, outsz - n, "%s%s=%s", n ? "," : "", it->string,
				 cJSON_IsString(it) ? it->valuestring : "?");

		if (w < 0 || (size_t)w >= outsz - n)
			break;
		n += (size_t)w;
	}
}

/* Every k=v of want is in have. */
static void check_subset(cJSON *results, const char *check, const cJSON *want, const cJSON *have)
{
	const cJSON *it;
	char e[1024], a[1024];
	int ok = 1;

	cJSON_ArrayForEach(it, want) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(have, it->string);

		if (!cJSON_IsString(v) || !cJSON_IsString(it) || strcmp(v->valuestring, it->valuestring))
			ok = 0;
	}
	map_text(want, e, sizeof(e));
	map_text(have, a, sizeof(a));
	vm_check_add(results, check, ok, e, *a ? a : "none");
}

static void check_placement(const struct vm_check_input *in, cJSON *results)
{
	if (in->target_labels && in->target_labels->child)
		check_subset(results, "target labels", in->target_labels,
			     json_get(in->vm, "spec.template.metadata.labels"));
	if (in->node_selector && in->node_selector->child)
		check_subset(results, "node selector", in->node_selector,
			     json_get(in->vm, "spec.template.spec.nodeSelector"));
	if (in->expected_node && *in->expected_node)
		vm_check_add(results, "runs on the selected node",
			   !strcmp(json_str(in->vmi, "status.nodeName", ""), in->expected_node),
			   in->expected_node, in->vmi ? json_str(in->vmi, "status.nodeName", "unscheduled") : "no VMI");
	if (in->affinity && in->affinity->child) {
		const cJSON *have = json_get(in->vm, "spec.template.spec.affinity");
		char *e = cJSON_PrintUnformatted(in->affinity), *a = have ? cJSON_PrintUnformatted(have) : NULL;

		vm_check_add(results, "affinity", have && cJSON_Compare(in->affinity, have, 1), e, a ? a : "none");
		cJSON_free(e);
		cJSON_free(a);
	}
}

static void check_guest(const struct vm_check_input *in, cJSON *results)
{
	const cJSON *g, *iface;

	if (in->guest_agent) {
		const cJSON *c = json_condition(json_get(in->vmi, "status.conditions"), "AgentConnected");

		vm_check_add(results, "guest agent connected",
			   json_condition_is(json_get(in->vmi, "status.conditions"), "AgentConnected", "True"),
			   "AgentConnected=True",
			   !in->vmi ? "no VMI" : c ? json_str(c, "status", "?") : "no AgentConnected condition");
	}
	if (!in->static_ips)
		return;
	/* vSphere guest info: origin "manual" marks an address set in the guest. */
	cJSON_ArrayForEach(g, json_get(in->source, "guestNetworks")) {
		const char *ip = json_str(g, "ip", ""), *mac = json_str(g, "mac", "");
		char check[128], have[256] = "absent";

		if (strcmp(json_str(g, "origin", ""), "manual") || !*ip)
			continue;
		cJSON_ArrayForEach(iface, json_get(in->vmi, "status.interfaces")) {
			const cJSON *a;

			if (strcasecmp(json_str(iface, "mac", ""), mac))
				continue;
			snprintf(have, sizeof(have), "%s", json_str(iface, "ipAddress", "no address"));
			cJSON_ArrayForEach(a, json_get(iface, "ipAddresses"))
				if (cJSON_IsString(a) && !strcmp(a->valuestring, ip))
					snprintf(have, sizeof(have), "%s", ip);
		}
		snprintf(check, sizeof(check), "static ip %s", ip);
		vm_check_add(results, check, !strcmp(have, ip), ip, have);
	}
}

void vm_checks_run(const struct vm_check_input *in, cJSON *results)
{
	check_power(in, results);
	check_cpu_memory(in, results);
	check_nics(in, results);
	check_disks(in, results);
	check_placement(in, results);
	check_guest(in, results);
}
