#include "vm_source_checks.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "json.h"

static long long fact_int(const cJSON *facts, const char *key)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(facts, key);

	return cJSON_IsNumber(n) ? (long long)n->valuedouble : -1;
}

/* ---- CPU and memory ---- */

static void check_cpu_memory(const struct vm_check_input *in, const cJSON *facts, cJSON *results)
{
	long long cpu = fact_int(facts, "cpu"), per = fact_int(facts, "cores_per_socket");
	long long mem = fact_int(facts, "memory_mb");
	long long dsockets = -1, dcores = -1;

	json_get_int_opt(in->vm, "spec.template.spec.domain.cpu.sockets", &dsockets, NULL);
	json_get_int_opt(in->vm, "spec.template.spec.domain.cpu.cores", &dcores, NULL);
	if (cpu > 0) {
		/* vSphere numCPU counts cores; Forklift makes numCPU /
		 * coresPerSocket sockets of coresPerSocket cores. */
		if (per <= 0)
			per = 1;
		vm_check_add_number(results, "source cpu sockets", cpu / per, dsockets);
		vm_check_add_number(results, "source cpu cores", per, dcores);
	} else {
		vm_check_skip(results, "source cpu", "no cpu recorded at prepare time");
	}
	if (mem > 0) {
		const char *q = json_str(in->vm, "spec.template.spec.domain.memory.guest", NULL);

		if (!q)
			q = json_str(in->vm, "spec.template.spec.domain.resources.requests.memory", NULL);
		vm_check_add_number(results, "source memory MiB", mem, quantity_mib(q));
	} else {
		vm_check_skip(results, "source memory MiB", "no memory_mb recorded at prepare time");
	}
}

/* ---- NICs ---- */

/* Does the NetworkMap send the NIC's network nowhere (destination
 * "ignored")?  Entries name the source by id, else by name. */
static bool network_ignored(const cJSON *map, const cJSON *nic)
{
	const char *id = json_str(nic, "network.id", ""), *name = json_str(nic, "network.name", "");
	const cJSON *e;

	cJSON_ArrayForEach(e, json_get(map, "spec.map")) {
		const char *sid = json_str(e, "source.id", ""), *sname = json_str(e, "source.name", "");
		bool hit = *sid ? (*id && !strcmp(sid, id)) : (*sname && *name && !strcmp(sname, name));

		if (hit)
			return !strcmp(json_str(e, "destination.type", ""), "ignored");
	}
	return false;
}

static void check_nics(const struct vm_check_input *in, const cJSON *facts, cJSON *results)
{
	const cJSON *ifaces = json_get(in->vm, "spec.template.spec.domain.devices.interfaces");
	const cJSON *nic, *iface;
	int i = 0;

	cJSON_ArrayForEach(nic, json_get(facts, "nics")) {
		const char *mac = json_str(nic, "mac", "");
		const char *label = json_str(nic, "label", "");
		bool present = false, ignored = in->network_map && network_ignored(in->network_map, nic);
		struct buf have = BUF_INIT(4096);
		char check[300];

		if (*label)
			snprintf(check, sizeof(check), "source nic %s mac", label);
		else
			snprintf(check, sizeof(check), "source nic %d mac", i);
		i++;
		if (!*mac) {
			vm_check_skip(results, check, "no MAC recorded at prepare time");
			continue;
		}
		cJSON_ArrayForEach(iface, ifaces) {
			const char *m = json_str(iface, "macAddress", "");

			present |= !strcasecmp(m, mac);
			if (*m)
				buf_addf(&have, "%s%s", have.len ? ", " : "", m);
		}
		if (ignored) {
			vm_check_add(results, check, !present, "absent (its network is ignored by the NetworkMap)",
			    present ? mac : "absent");
		} else if (present) {
			vm_check_add(results, check, true, mac, mac);
		} else {
			char a[4200];

			snprintf(a, sizeof(a), "absent (destination MACs: %s)", have.len ? buf_str(&have) : "none");
			vm_check_add(results, check, false, mac, a);
		}
		buf_release(&have);
	}
}

/* ---- disks ---- */

static const cJSON *pvc_named(const cJSON *pvcs, const char *name)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, pvcs)
		if (!strcmp(json_str(p, "metadata.name", ""), name))
			return p;
	return NULL;
}

/* The destination VM's PVCs, in volume order. */
static size_t vm_pvcs(const struct vm_check_input *in, const cJSON **out, const char **names, size_t max)
{
	const cJSON *vol;
	size_t n = 0;

	cJSON_ArrayForEach(vol, json_get(in->vm, "spec.template.spec.volumes")) {
		const char *name = json_str(vol, "persistentVolumeClaim.claimName", NULL);

		if (!name)
			name = json_str(vol, "dataVolume.name", NULL);
		if (!name || n >= max)
			continue;
		names[n] = name;
		out[n++] = pvc_named(in->pvcs, name);
	}
	return n;
}

/* The PVC of recorded disk i: the one whose forklift.konveyor.io/disk-source
 * names the disk's file (Forklift's match, snapshot suffixes trimmed), else
 * the one whose disk-index is i, else — when the PVCs carry neither — the
 * i-th volume. */
static int pvc_of_disk(const cJSON *const *pvcs, size_t n, const char *file, size_t i)
{
	char want[1024], have[1024], idx[24];
	bool annotated = false;

	vm_trim_backing(file, want, sizeof(want));
	snprintf(idx, sizeof(idx), "%zu", i);
	for (size_t k = 0; k < n; k++) {
		const char *src = json_str(pvcs[k], "metadata.annotations[\"forklift.konveyor.io/disk-source\"]", "");

		if (!*src)
			continue;
		annotated = true;
		vm_trim_backing(src, have, sizeof(have));
		if (*want && !strcmp(want, have))
			return (int)k;
	}
	for (size_t k = 0; k < n; k++) {
		const char *di = json_str(pvcs[k], "metadata.annotations[\"forklift.konveyor.io/disk-index\"]", NULL);

		if (di) {
			annotated = true;
			if (!strcmp(di, idx))
				return (int)k;
		}
	}
	return !annotated && i < n ? (int)i : -1;
}

static void check_disks(const struct vm_check_input *in, const cJSON *facts, cJSON *results)
{
	const cJSON *pvcs[VM_DISKS_MAX], *disk;
	const char *names[VM_DISKS_MAX];
	size_t n = vm_pvcs(in, pvcs, names, VM_DISKS_MAX), i = 0;

	if (!cJSON_IsArray(json_get(facts, "disks"))) {
		vm_check_skip(results, "source disk count", "no disks recorded at prepare time");
		return;
	}
	vm_check_add_number(results, "source disk count", cJSON_GetArraySize(json_get(facts, "disks")), (long long)n);
	cJSON_ArrayForEach(disk, json_get(facts, "disks")) {
		long long cap = fact_int(disk, "capacity_bytes"), req;
		const char *label = json_str(disk, "label", "");
		char check[300], e[64], a[400];
		int k;

		if (*label)
			snprintf(check, sizeof(check), "source disk %s size", label);
		else
			snprintf(check, sizeof(check), "source disk %zu size", i);
		k = pvc_of_disk(pvcs, n, json_str(disk, "file", ""), i++);
		if (cap <= 0) {
			vm_check_skip(results, check, "no capacity_bytes recorded at prepare time");
			continue;
		}
		snprintf(e, sizeof(e), ">= %lld bytes", cap);
		if (k < 0 || !pvcs[k]) {
			snprintf(a, sizeof(a), "%s", k < 0 ? "no PVC for this disk" : "PVC missing");
			vm_check_add(results, check, false, e, a);
			continue;
		}
		req = quantity_bytes(json_str(pvcs[k], "spec.resources.requests.storage", NULL));
		if (req < 0)
			snprintf(a, sizeof(a), "PVC %s requests %s", names[k],
				 json_str(pvcs[k], "spec.resources.requests.storage", "nothing"));
		else
			snprintf(a, sizeof(a), "PVC %s requests %lld bytes (%s)", names[k], req,
				 json_str(pvcs[k], "spec.resources.requests.storage", ""));
		vm_check_add(results, check, req >= cap, e, a);
	}
}

/* ---- firmware ---- */

static void check_firmware(const struct vm_check_input *in, const cJSON *facts, cJSON *results)
{
	const cJSON *fw = json_get(in->vm, "spec.template.spec.domain.firmware");
	const char *want = json_str(facts, "firmware", "");
	const cJSON *sb;
	const char *have;

	if (!*want) {
		vm_check_skip(results, "source firmware", "no firmware recorded at prepare time");
		return;
	}
	/* Forklift's mapFirmware: EFI gets bootloader.efi with secureBoot set
	 * from the source; anything else bootloader.bios.  No bootloader at
	 * all boots BIOS (KubeVirt's default). */
	if (json_get(fw, "bootloader.efi"))
		have = "efi";
	else if (json_get(fw, "bootloader.bios"))
		have = "bios";
	else
		have = "bios (no bootloader: KubeVirt's default)";
	vm_check_add(results, "source firmware", !strcmp(have, want) || (!strcmp(want, "bios") && !strncmp(have, "bios", 4)),
	    want, have);
	if (strcmp(want, "efi") || strcmp(have, "efi"))
		return;
	sb = json_get(fw, "bootloader.efi.secureBoot");
	{
		bool want_sb = cJSON_IsTrue(json_get(facts, "secure_boot"));
		/* KubeVirt enables secure boot when efi does not say */
		bool have_sb = sb ? cJSON_IsTrue(sb) : true;

		vm_check_add(results, "source secure boot", want_sb == have_sb, want_sb ? "true" : "false",
		    sb ? (have_sb ? "true" : "false") : "true (secureBoot unset: KubeVirt's default)");
	}
}

/* ---- BIOS serial ---- */

int vm_vmware_serial(const char *uuid, char *out, size_t outsz)
{
	char hex[33];
	size_t n = 0, o;

	/* 8-4-4-4-12 hex digits */
	for (size_t i = 0; uuid[i]; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (i >= 36 || (dash ? uuid[i] != '-' : !isxdigit((unsigned char)uuid[i])))
			return -1;
		if (!dash)
			hex[n++] = (char)tolower((unsigned char)uuid[i]);
	}
	if (n != 32 || outsz < 56)
		return -1;
	o = (size_t)snprintf(out, outsz, "VMware-");
	for (size_t i = 0; i < 16; i++) {
		out[o++] = hex[2 * i];
		out[o++] = hex[2 * i + 1];
		out[o++] = i == 15 ? '\0' : i == 7 ? '-' : ' ';
	}
	return 0;
}

/* Forklift's vSphere builder (pkg/controller/plan/adapter/vsphere/builder.go,
 * getSystemSerial/mapFirmware) writes firmware.serial = config.uuid, or on
 * OpenShift 4.20 and later (its VmwareSystemSerialNumber feature) the UUID
 * in the VMware BIOS form (uuid_to_vmware_serial.go).  mtv-api-tests'
 * check_serial_preservation (utilities/post_migration.py) wants exactly one
 * of the two, by cluster version, compared case-insensitively.  Either is
 * accepted here: both preserve the serial, and which one a cluster writes
 * depends on the feature flag as much as on the version. */
static void check_serial(const struct vm_check_input *in, const cJSON *facts, cJSON *results)
{
	const char *uuid = json_str(facts, "uuid", "");
	const char *have = json_str(in->vm, "spec.template.spec.domain.firmware.serial", NULL);
	char formatted[64], e[200];

	if (in->type != PROVIDER_VSPHERE)
		return;
	if (!*uuid) {
		vm_check_skip(results, "source bios serial", "no uuid recorded at prepare time");
		return;
	}
	if (vm_vmware_serial(uuid, formatted, sizeof(formatted)) < 0)
		snprintf(formatted, sizeof(formatted), "%s", uuid);
	snprintf(e, sizeof(e), "%s (before OpenShift 4.20) or %s (4.20 and later)", uuid, formatted);
	vm_check_add(results, "source bios serial", have && (!strcasecmp(have, uuid) || !strcasecmp(have, formatted)), e,
	    have ? have : "unset");
}

void vm_source_checks_run(const struct vm_check_input *in, const cJSON *facts, cJSON *results)
{
	check_cpu_memory(in, facts, results);
	check_nics(in, facts, results);
	check_disks(in, facts, results);
	check_firmware(in, facts, results);
	check_serial(in, facts, results);
}

/* ---- snapshots ---- */

void vm_source_snapshots_check(const cJSON *facts, const char *const *now, size_t n, cJSON *results)
{
	const cJSON *want = json_get(facts, "snapshots"), *s;
	struct buf e = BUF_INIT(1 << 16), a = BUF_INIT(1 << 16), missing = BUF_INIT(1 << 16);

	if (!cJSON_GetArraySize(want))
		return;
	cJSON_ArrayForEach(s, want) {
		bool found = false;

		for (size_t i = 0; i < n && !found; i++)
			found = !strcmp(now[i], s->valuestring);
		buf_addf(&e, "%s%s", e.len ? ", " : "", s->valuestring);
		if (!found)
			buf_addf(&missing, "%s%s", missing.len ? ", " : "", s->valuestring);
	}
	for (size_t i = 0; i < n; i++)
		buf_addf(&a, "%s%s", a.len ? ", " : "", now[i]);
	if (!a.len)
		buf_addstr(&a, "none");
	if (missing.len) {
		char *text = NULL;
		size_t len = a.len + missing.len + 32;

		text = malloc(len);
		if (text) {
			snprintf(text, len, "%s (missing: %s)", buf_str(&a), buf_str(&missing));
			vm_check_add(results, "source snapshots", false, buf_str(&e), text);
			free(text);
		} else {
			vm_check_add(results, "source snapshots", false, buf_str(&e), buf_str(&a));
		}
	} else {
		vm_check_add(results, "source snapshots", true, buf_str(&e), buf_str(&a));
	}
	buf_release(&e);
	buf_release(&a);
	buf_release(&missing);
}
