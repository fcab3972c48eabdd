/* StorageMap and NetworkMap source refs for an OpenShift (KubeVirt) source,
 * as Forklift's OpenShift validator resolves them
 * (pkg/controller/plan/adapter/ocp/validator.go: StorageMapped,
 * NetworksMapped) and mtv-api-tests' OpenshiftForkliftInventory builds them
 * (libs/forklift_inventory.py: vms_storages_mappings,
 * vms_networks_mappings):
 *   storage: the storage class of the PVC behind each persistentVolumeClaim
 *            or dataVolume volume (a DataVolume's PVC has its name), as
 *            {"name": <class>};
 *   network: {"type": "pod"} for the pod network, {"name", "namespace"}
 *            for a multus network ("ns/name", or "name" in the VM's
 *            namespace).
 * Pure functions over inventory objects (vms and persistentvolumeclaims
 * at detail 1, each with its Kubernetes "object").
 */
#ifndef MTV_OCP_REFS_H
#define MTV_OCP_REFS_H

#include <cjson/cJSON.h>

#include "err.h"

/* Append the distinct storage class refs of vms to refs.  A volume whose
 * PVC is not in pvcs, or has no storage class, fails naming both
 * (MTV_EXIT_ENV: Forklift's validator fails on it the same way). */
int ocp_storage_refs(const cJSON *vms, const cJSON *pvcs, cJSON *refs, struct mtv_err *err);

/* Append the distinct network refs of one VM to refs, in order of first
 * use; returns how many networks the VM has. */
int ocp_network_refs(const cJSON *vm, cJSON *refs);

#endif
