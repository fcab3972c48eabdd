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

void vm_checks_run(const struct vm_check_input *in, cJSON *results)
{
	check_power(in, results);
	check_cpu_memory(in, results);
	check_nics(in, results);
	check_disks(in, results);
}
