/* The vcsim backend's own pieces (vcsim_backend.c, vcsim_world.c). */
#ifndef MTV_SIM_VCSIM_H
#define MTV_SIM_VCSIM_H

#include <cjson/cJSON.h>
#include "vsphere.h"

/* A new object holding the world provider arrays (vms, networks, storages,
 * hosts, folders, datacenters, clusters) and "datacenter", from objs (a
 * vsphere_inventory) and the facts vms[i] of the VM vobj[i]; the
 * simulated-behaviour keys of the seeded VM of the same name in seed_vms
 * carry over. */
cJSON *vcsim_world_provider(const struct vsphere_object *objs, size_t n, const struct vsphere_object *const *vobj,
			    const struct vsphere_vm *vms, size_t nvm, const cJSON *seed_vms);

#endif
