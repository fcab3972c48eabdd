/* Source-against-destination checks of one migrated VM, as pure functions
 * over the inventory VM and the KubeVirt objects, so every rule is unit
 * tested without a cluster.
 *
 * Each check appends {check, ok, expected, actual} to results; a failed
 * check names both values so the message alone tells what differs.
 */
#ifndef MTV_VM_CHECKS_H
#define MTV_VM_CHECKS_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "providers.h"

struct vm_check_input {
	enum provider_type type;
	const cJSON *source;		/* inventory VM (detail 4) */
	/* Inventory networks (vSphere, OVA, OpenStack): a NIC and each
	 * NetworkMap entry resolve to one of them, and a NIC is expected
	 * where the entry for its network sends it.  NULL (or another
	 * type): only the NIC's presence is checked. */
	const cJSON *source_networks;
	const cJSON *vm;		/* kubevirt VirtualMachine */
	const cJSON *vmi;		/* VirtualMachineInstance or NULL */
	const cJSON *pvcs;		/* PVCs of the VM's namespace */
	const cJSON *network_map;	/* NetworkMap (spec.map) or NULL */
	const char *expected_power;	/* "on", "off" or "" (no check) */
	const char *storage_class;	/* expected on every disk's PVC */
	/* Comprehensive plan options, each checked only when set. */
	const cJSON *target_labels;	/* {k: v}: a subset of the VM template labels */
	const cJSON *node_selector;	/* {k: v}: in the template's nodeSelector */
	const char *expected_node;	/* the node labelled for node_selector: the VMI runs there */
	const cJSON *affinity;		/* equal to the template's affinity */
	bool guest_agent;		/* the VMI reports AgentConnected */
	bool static_ips;		/* source static (manual) IPs kept on the same MACs */
	const cJSON *expected_pvcs;	/* [{"name"|"prefix": …, "disk": i}] in disk order */
};

/* A source disk as Forklift numbers it: its position in the array
 * vm_source_disks fills is the DiskIndex of the PVC name template and of the
 * forklift.konveyor.io/disk-index annotation; source is what Forklift writes
 * in forklift.konveyor.io/disk-source for it ("" when this type sets none). */
struct vm_disk {
	const cJSON *disk;	/* the inventory disk; NULL for an OpenStack boot image */
	const char *source;
};

#define VM_DISKS_MAX 64

/* The disks Forklift migrates for a source VM, in its DiskIndex order
 * (vSphere: buses SATA, IDE, SCSI, NVMe, then controller key, unit number,
 * key; OpenStack: the attached volumes, then the image the server booted
 * from).  Returns how many were written (at most max). */
size_t vm_source_disks(enum provider_type type, const cJSON *source, struct vm_disk *out, size_t max);

/* A vSphere backing file without the snapshot suffix ("-000015") Forklift
 * trims before it compares files. */
void vm_trim_backing(const char *file, char *out, size_t outsz);

/* Run every check; results is an array to append to. */
void vm_checks_run(const struct vm_check_input *in, cJSON *results);

/* Source power as "on"/"off" from the inventory, "" when unknown. */
const char *vm_source_power(enum provider_type type, const cJSON *source);

/* Does Forklift take this inventory VM for a Windows guest?  Its
 * IsWindows per type (pkg/controller/provider/web/<type>): vSphere guestId
 * or guestName, oVirt osType + guestName, OVA osType contain "win"
 * (case-insensitive); OpenStack reads the image's os_distro
 * (image.properties.os_distro, present on a workload); OpenShift: never. */
bool vm_source_is_windows(enum provider_type type, const cJSON *source);

/* The power the destination VM gets, as Forklift's determineRunStrategy
 * (pkg/controller/plan/kubevirt.go) decides it: with the Windows
 * wait-for-reboot feature on (the default) and a target other than "off",
 * a Windows guest is started; else "on"/"off" as asked; else ("auto" or
 * unset) the source's power before the migration. */
const char *vm_expected_power(enum provider_type type, const cJSON *source, const char *target_power,
			      const char *source_power, bool windows_wait_for_reboot);

/* A Kubernetes quantity ("4Gi", "4096Mi", "4294967296", "500M") in MiB or
 * in bytes, rounded; -1 when it cannot be read. */
long long quantity_mib(const char *q);
long long quantity_bytes(const char *q);

/* Append one result to results: {check, ok, expected, actual}; the number
 * form writes "unset" for an actual below 0; the skip form {check,
 * skipped: why} for a check that cannot run. */
void vm_check_add(cJSON *results, const char *check, bool ok, const char *expected, const char *actual);
void vm_check_add_number(cJSON *results, const char *check, long long expected, long long actual);
void vm_check_skip(cJSON *results, const char *check, const char *why);

#endif
