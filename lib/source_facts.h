/* mtv-source-vms.json: the source VMs mtv-prepare-vms made ready (clones of
 * the scenario's VMs, or the VMs themselves) and their facts as the source
 * API reported them after preparation.
 *
 *   {"provider": "<source Provider>", "type": "vsphere", "session": "auto-x",
 *    "vms": [ {"source": "<scenario name>", "name": "<clone>", "cloned": true,
 *              "moref", "uuid", "bios_serial", "firmware", "secure_boot", "cpu",
 *              "cores_per_socket", "memory_mb", "power_state", "guest_id", "cbt",
 *              "disks": [...], "nics": [...], "snapshots": [...], "guest_ips": [...],
 *              "guestMarker": {"path", "content"} (optional: a file written into the
 *              guest before the migration, read back by check-vms)} ]}
 *
 * Every later step that names VMs works on "name": after loading the
 * scenario, lib/stepctx calls source_facts_apply, which replaces each
 * scenario VM's name (keeping the scenario's in source_name), so the maps,
 * the plan and the checks use the clones without knowing about them.  The
 * facts are what check-vms compares the destination with.
 */
#ifndef MTV_SOURCE_FACTS_H
#define MTV_SOURCE_FACTS_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "err.h"
#include "scenario.h"
#include "vsphere.h"

#define SOURCE_VMS_STATE "mtv-source-vms.json"

/* The document's head: provider, type, session and an empty "vms". */
cJSON *source_facts_new(const char *provider, const char *type, const char *session);

/* One "vms" entry for vm (its facts as read from vSphere); source is the
 * scenario's name for it.  Datastore names are looked up in ds (the
 * datastores of the source; an unknown id gets name ""). */
cJSON *source_facts_vsphere_vm(const struct vsphere_vm *vm, const char *source, bool cloned,
			       const struct vsphere_datastore *ds, size_t nds);

/* Check doc (read from file, for messages) and point each VM of sc at its
 * "name" (source_name keeps the scenario's).  session, when not NULL, must
 * be the document's.  A malformed document, a session mismatch or a
 * scenario VM the document has no entry for fail with MTV_EXIT_USAGE naming
 * the file and the key.  sc->vms[].name then points into doc, which must
 * outlive sc's use. */
int source_facts_apply(const cJSON *doc, const char *file, const char *session, struct scenario *sc,
		       struct mtv_err *err);

/* The entry of doc whose "name" (or, failing that, "source") is name; NULL
 * when none. */
const cJSON *source_facts_find(const cJSON *doc, const char *name);

#endif
