/* The migrated VM against what the source API said about it when
 * mtv-prepare-vms made it (mtv-source-vms.json, lib/source_facts.h), not
 * only against the Forklift inventory: the inventory is Forklift's own view
 * of the source, so a fact Forklift got wrong would agree with itself.
 *
 * Pure functions over the KubeVirt objects and the recorded facts, like
 * vm_checks.h.  Each check appends {check, ok, expected, actual} to
 * results; a check that cannot run appends {check, skipped: reason}.
 * Check names start with "source " so a JUnit case says which comparison
 * failed: "source memory MiB", "source nic Network adapter 1 mac",
 * "source disk Hard disk 1 size", "source firmware", "source bios serial",
 * "source snapshots".
 */
#ifndef MTV_VM_SOURCE_CHECKS_H
#define MTV_VM_SOURCE_CHECKS_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "vm_checks.h"

/* CPU sockets and cores, memory, each NIC's MAC (absent when the
 * NetworkMap ignores its network), disk count and each disk's PVC request
 * (at least the source capacity), firmware and secure boot, and for vSphere
 * the BIOS serial.  in->vm and in->pvcs (and in->network_map, may be NULL)
 * are used; facts is one element of the file's "vms". */
void vm_source_checks_run(const struct vm_check_input *in, const cJSON *facts, cJSON *results);

/* vSphere only: the snapshots recorded on the source VM at prepare time are
 * all still on it (now: the names it has now, n of them).  Forklift's warm
 * migration makes and removes its own snapshots; it must not take ours.
 * Nothing is appended when none were recorded. */
void vm_source_snapshots_check(const cJSON *facts, const char *const *now, size_t n, cJSON *results);

/* The BIOS serial a VMware guest sees for a config.uuid, the form Forklift
 * writes on OpenShift 4.20 and later ("VMware-42 1c 6a 2a 5e a9 10 83-39 f3
 * 3b 14 0f ff b4 44", lower case); -1 when uuid is not a UUID. */
int vm_vmware_serial(const char *uuid, char *out, size_t outsz);

#endif
