/* The scenario's source VMs as the Forklift inventory describes them, and
 * the source storages and networks they use, per provider type — what the
 * StorageMap, NetworkMap and Plan refer to.
 *
 * Every lookup is a bulk list (`?detail=4`), so the number of requests does
 * not grow with the number of VMs.
 */
#ifndef MTV_SOURCE_VMS_H
#define MTV_SOURCE_VMS_H

#include <cjson/cJSON.h>

#include "err.h"
#include "inventory.h"
#include "providers.h"
#include "scenario.h"

struct source_ctx {
	struct inventory *inv;
	enum provider_type type;
	const char *type_name;
	const char *uid;		/* the source Provider's metadata.uid */
};

/* Wait (polling every second, up to timeout_ms) until every VM the
 * scenario names is in the inventory; *vms is a new array of the inventory
 * VMs in scenario order.  A VM still missing at the deadline fails naming it
 * (MTV_EXIT_TIMEOUT). */
int source_vms_find(const struct source_ctx *c, const struct scenario *sc, long timeout_ms,
		    volatile sig_atomic_t *interrupt, cJSON **vms, struct mtv_err *err);

/* OpenStack syncs volumes apart from servers, so a new VM can be listed
 * before its volumes: wait (polling every second, up to timeout_ms) until
 * each VM of *vms has a disk (an attached volume, or the image it booted
 * from) and each attached volume is in the volumes collection, refreshing
 * *vms.  A volume still missing at the deadline fails naming it
 * (MTV_EXIT_TIMEOUT); a VM still without disks is left for
 * source_storages to report.  Other provider types return at once. */
int source_vms_wait_disks(const struct source_ctx *c, long timeout_ms, volatile sig_atomic_t *interrupt,
			  cJSON *vms, struct mtv_err *err);

/* Distinct source storage refs ({"name": …} or {"id": …}) used by vms.
 * None at all (no VM has a disk on a storage) fails naming the VMs
 * (MTV_EXIT_FAILED): an empty StorageMap only resurfaces later as the
 * Plan's VMStorageNotMapped. */
int source_storages(const struct source_ctx *c, const cJSON *vms, cJSON **refs,
		    struct mtv_err *err);

/* Distinct source network refs used by vms, in order of first use (the
 * first becomes the pod network).  A VM without NICs fails naming it. */
int source_networks(const struct source_ctx *c, const cJSON *vms, cJSON **refs,
		    struct mtv_err *err);

#endif
