#include "vm_checks.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json.h"

static void add_result(cJSON *results, const char *check, int ok, const char *expected,
		       const char *actual)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "check", check);
	cJSON_AddBoolToObject(r, "ok", ok);
	cJSON_AddStringToObject(r, "expected", expected);
	cJSON_AddStringToObject(r, "actual", actual);
	cJSON_AddItemToArray(results, r);
}

static void add_number_result(cJSON *results, const char *check, long long expected, long long actual)
{
	char e[32], a[32];

	snprintf(e, sizeof(e), "%lld", expected);
	if (actual < 0)
		snprintf(a, sizeof(a), "unset");
	else
		snprintf(a, sizeof(a), "%lld", actual);
	add_result(results, check, expected == actual, e, a);
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

long long quantity_mib(const char *q)
{
	static const struct {
		const char *suffix;
		double mib;
	} units[] = {
		{ "Ki", 1.0 / 1024 }, { "Mi", 1 }, { "Gi", 1024 }, { "Ti", 1024 * 1024 },
		{ "k", 1000.0 / 1048576 }, { "M", 1e6 / 1048576 }, { "G", 1e9 / 1048576 },
		{ "", 1.0 / 1048576 },
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
			return (long long)(v * units[i].mib + 0.5);
	return -1;
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
	add_result(results, "power state", !strcmp(actual, in->expected_power), in->expected_power, actual);
}

static void check_cpu_memory(const struct vm_check_input *in, cJSON *results)
{
	long long sockets, cores, dsockets = -1, dcores = -1, mem;

	source_cpu(in->type, in->source, &sockets, &cores);
	json_get_int_opt(in->vm, "spec.template.spec.domain.cpu.sockets", &dsockets, NULL);
	json_get_int_opt(in->vm, "spec.template.spec.domain.cpu.cores", &dcores, NULL);
	if (sockets > 0)
		add_number_result(results, "cpu sockets", sockets, dsockets);
	if (cores > 0)
		add_number_result(results, "cpu cores", cores, dcores);
	mem = source_memory_mib(in->type, in->source);
	if (mem > 0)
		add_number_result(results, "memory MiB", mem, dest_memory_mib(in->vm));
}

/* The NetworkMap source key of a NIC: (field "name" or "id", value), or
 * NULL when this provider type's NIC does not say (then only presence is
 * checked). */
static const char *nic_network_key(const struct vm_check_input *in, const cJSON *nic, const char **field)
{
	const cJSON *n;
	const char *id;

	*field = "name";
	switch (in->type) {
	case PROVIDER_VSPHERE:
		id = json_str(nic, "network.id", NULL);
		cJSON_ArrayForEach(n, in->source_networks) {
			if (id && !strcmp(json_str(n, "id", ""), id))
				return json_str(n, "name", NULL);
		}
		*field = "id";
		return id;
	case PROVIDER_OVA:
		return json_str(nic, "Network", NULL);
	default:
		return NULL;
	}
}

/* What the NetworkMap says a source network becomes: "pod", "ignored" or
 * "ns/name" ("unmapped" when it has no entry). */
static void mapped_destination(const cJSON *map, const char *field, const char *key, char *out, size_t outsz)
{
	const char *path = !strcmp(field, "id") ? "source.id" : "source.name";
	const cJSON *e;

	snprintf(out, outsz, "unmapped");
	cJSON_ArrayForEach(e, json_get(map, "spec.map")) {
		const char *v = json_str(e, path, NULL);
		const char *type = json_str(e, "destination.type", "");

		if (!v || strcmp(v, key))
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

static void check_nics(const struct vm_check_input *in, cJSON *results)
{
	const cJSON *nic, *iface;

	cJSON_ArrayForEach(nic, json_get(in->source, "nics")) {
		const char *mac = json_str(nic, in->type == PROVIDER_OVA ? "MAC" : "mac", NULL);
		const char *field, *key;
		char want[300], have[300] = "absent", check[128];

		if (!mac)
			continue;
		key = nic_network_key(in, nic, &field);
		if (key && in->network_map)
			mapped_destination(in->network_map, field, key, want, sizeof(want));
		else
			snprintf(want, sizeof(want), "present");
		cJSON_ArrayForEach(iface, json_get(in->vm, "spec.template.spec.domain.devices.interfaces")) {
			if (!strcasecmp(json_str(iface, "macAddress", ""), mac)) {
				interface_attachment(in->vm, json_str(iface, "name", ""), have, sizeof(have));
				break;
			}
		}
		snprintf(check, sizeof(check), "nic %s", mac);
		if (!strcmp(want, "ignored"))
			add_result(results, check, !strcmp(have, "absent"), "absent (network ignored)", have);
		else if (!strcmp(want, "present"))
			add_result(results, check, strcmp(have, "absent") != 0, want, have);
		else
			add_result(results, check, !strcmp(want, have), want, have);
	}
}

static int source_disk_count(enum provider_type type, const cJSON *s)
{
	switch (type) {
	case PROVIDER_OVIRT:
		return cJSON_GetArraySize(json_get(s, "diskAttachments"));
	case PROVIDER_OPENSTACK:
		return cJSON_GetArraySize(json_get(s, "attachedVolumes"));
	case PROVIDER_OPENSHIFT: {
		/* the KubeVirt VM's PVC and DataVolume volumes: what Forklift copies */
		const cJSON *v;
		int n = 0;

		cJSON_ArrayForEach(v, json_get(s, "object.spec.template.spec.volumes"))
			n += json_get(v, "persistentVolumeClaim") || json_get(v, "dataVolume");
		return n;
	}
	default:
		return cJSON_GetArraySize(json_get(s, "disks"));
	}
}

static const cJSON *find_pvc(const cJSON *pvcs, const char *name)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, pvcs)
		if (!strcmp(json_str(p, "metadata.name", ""), name))
			return p;
	return NULL;
}

static void check_disks(const struct vm_check_input *in, cJSON *results)
{
	const cJSON *vol;
	int count = 0;
	char check[300];

	cJSON_ArrayForEach(vol, json_get(in->vm, "spec.template.spec.volumes")) {
		const char *claim = json_str(vol, "persistentVolumeClaim.claimName", NULL);
		const cJSON *pvc;

		if (!claim)
			claim = json_str(vol, "dataVolume.name", NULL);
		if (!claim)
			continue;	/* cloud-init, config maps: not source disks */
		count++;
		pvc = find_pvc(in->pvcs, claim);
		snprintf(check, sizeof(check), "disk %s storage class", claim);
		add_result(results, check, pvc && !strcmp(json_str(pvc, "spec.storageClassName", ""), in->storage_class),
			   in->storage_class, pvc ? json_str(pvc, "spec.storageClassName", "unset") : "PVC missing");
	}
	add_number_result(results, "disk count", source_disk_count(in->type, in->source), count);
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
	add_result(results, check, ok, e, *a ? a : "none");
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
		add_result(results, "runs on the selected node",
			   !strcmp(json_str(in->vmi, "status.nodeName", ""), in->expected_node),
			   in->expected_node, in->vmi ? json_str(in->vmi, "status.nodeName", "unscheduled") : "no VMI");
	if (in->affinity && in->affinity->child) {
		const cJSON *have = json_get(in->vm, "spec.template.spec.affinity");
		char *e = cJSON_PrintUnformatted(in->affinity), *a = have ? cJSON_PrintUnformatted(have) : NULL;

		add_result(results, "affinity", have && cJSON_Compare(in->affinity, have, 1), e, a ? a : "none");
		cJSON_free(e);
		cJSON_free(a);
	}
}

static void check_guest(const struct vm_check_input *in, cJSON *results)
{
	const cJSON *g, *iface;

	if (in->guest_agent) {
		const cJSON *c = json_condition(json_get(in->vmi, "status.conditions"), "AgentConnected");

		add_result(results, "guest agent connected", c && !strcmp(json_str(c, "status", ""), "True"),
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
		add_result(results, check, !strcmp(have, ip), ip, have);
	}
}

/* PVC names from the plan's pvcNameTemplate: exact, or a generateName
 * prefix, in disk order. */
static void check_pvc_names(const struct vm_check_input *in, cJSON *results)
{
	const cJSON *want, *vol;
	int i = 0;

	cJSON_ArrayForEach(want, in->expected_pvcs) {
		const char *name = json_str(want, "name", NULL), *prefix = json_str(want, "prefix", NULL);
		const char *have = "missing";
		char check[64];
		int k = 0;

		cJSON_ArrayForEach(vol, json_get(in->vm, "spec.template.spec.volumes")) {
			const char *claim = json_str(vol, "persistentVolumeClaim.claimName", NULL);

			if (!claim)
				claim = json_str(vol, "dataVolume.name", NULL);
			if (!claim)
				continue;
			if (k++ == i) {
				have = claim;
				break;
			}
		}
		snprintf(check, sizeof(check), "disk %d pvc name", i);
		if (json_get(want, "invalid"))
			add_result(results, check, 0, "a name from the plan's pvcNameTemplate",
				   json_str(want, "invalid", ""));
		else if (name)
			add_result(results, check, !strcmp(have, name), name, have);
		else {
			char e[128];

			snprintf(e, sizeof(e), "%s*", prefix);
			add_result(results, check, !strncmp(have, prefix, strlen(prefix)) && strlen(have) > strlen(prefix), e, have);
		}
		i++;
	}
}

void vm_checks_run(const struct vm_check_input *in, cJSON *results)
{
	check_power(in, results);
	check_cpu_memory(in, results);
	check_nics(in, results);
	check_disks(in, results);
	check_pvc_names(in, results);
	check_placement(in, results);
	check_guest(in, results);
}
