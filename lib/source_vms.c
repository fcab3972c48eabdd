#include "source_vms.h"

#include <ctype.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "log.h"
#include "ocp_refs.h"
#include "wait.h"

/* List a collection, treating "not synced yet" as an error here: callers
 * run after the provider's inventory was found synced. */
static int list(const struct source_ctx *c, const char *collection, int detail, cJSON **items,
		struct mtv_err *err)
{
	int r = inventory_list(c->inv, c->type_name, c->uid, collection, detail, items, err);

	if (r == INVENTORY_NOT_SYNCED)
		return mtv_err_set(err, MTV_EXIT_ENV, "inventory: %s of provider %s not synced yet",
				   collection, c->uid);
	return r;
}

int source_vms_find(const struct source_ctx *c, const struct scenario *sc, long timeout_ms,
		    volatile sig_atomic_t *interrupt, cJSON **vms, struct mtv_err *err)
{
	long waited = 0;
	cJSON *all = NULL;
	const char *missing = NULL;

	*vms = NULL;
	for (;;) {
		int r = inventory_list(c->inv, c->type_name, c->uid, "vms", 4, &all, err);

		if (r < 0)
			return -1;
		missing = NULL;
		if (r == INVENTORY_OK) {
			for (size_t i = 0; i < sc->nvms && !missing; i++)
				if (!inventory_find(all, sc->vms[i].name))
					missing = sc->vms[i].name;
			if (!missing)
				break;
		}
		cJSON_Delete(all);
		all = NULL;
		if (waited >= timeout_ms)
			return mtv_err_set(err, MTV_EXIT_TIMEOUT,
					   "VM \"%s\" not found in the %s inventory of provider %s after %lds",
					   missing ? missing : sc->vms[0].name, c->type_name, c->uid,
					   timeout_ms / 1000);
		if (waited == 0)
			log_info("waiting for VM %s to appear in the inventory", missing ? missing : "(all)");
		if (wait_sleep_ms(1000, interrupt, err) < 0)
			return -1;
		waited += 1000;
	}
	*vms = cJSON_CreateArray();
	for (size_t i = 0; i < sc->nvms; i++)
		cJSON_AddItemToArray(*vms, cJSON_Duplicate(inventory_find(all, sc->vms[i].name), 1));
	cJSON_Delete(all);
	return 0;
}

enum disks_state { DISKS_SYNCED, DISKS_NONE, DISKS_VOLUME_MISSING };

/* Whether an OpenStack VM's disks are all in the inventory yet, saying in
 * why what is missing: it lists no volume nor boot image, or a volume the
 * volumes collection does not have. */
static enum disks_state openstack_disks(const cJSON *vm, const cJSON *volumes, struct buf *why)
{
	enum disks_state st = DISKS_SYNCED;
	const cJSON *v;

	if (!cJSON_GetArraySize(json_get(vm, "attachedVolumes")) && !*json_str(vm, "imageID", "")) {
		buf_addf(why, "%sVM %s lists no volumes", why->len ? "; " : "", json_str(vm, "name", "?"));
		return DISKS_NONE;
	}
	cJSON_ArrayForEach(v, json_get(vm, "attachedVolumes")) {
		if (inventory_find(volumes, json_str(v, "ID", "")))
			continue;
		buf_addf(why, "%svolume %s of VM %s is not in the inventory", why->len ? "; " : "",
			 json_str(v, "ID", "?"), json_str(vm, "name", "?"));
		st = DISKS_VOLUME_MISSING;
	}
	return st;
}

int source_vms_wait_disks(const struct source_ctx *c, long timeout_ms, volatile sig_atomic_t *interrupt,
			  cJSON *vms, struct mtv_err *err)
{
	long waited = 0;
	struct buf why = BUF_INIT(4096);
	cJSON *volumes = NULL, *fresh = NULL;
	cJSON *vm;
	int r = 0;

	if (c->type != PROVIDER_OPENSTACK)
		return 0;
	for (;;) {
		bool missing_volume = false;

		buf_reset(&why);
		if (list(c, "volumes", 1, &volumes, err) < 0)
			goto fail;
		cJSON_ArrayForEach(vm, vms)
			if (openstack_disks(vm, volumes, &why) == DISKS_VOLUME_MISSING)
				missing_volume = true;
		cJSON_Delete(volumes);
		volumes = NULL;
		if (!why.len)
			break;
		if (waited >= timeout_ms) {
			if (missing_volume) {
				mtv_err_set(err, MTV_EXIT_TIMEOUT, "after %lds in the openstack inventory of provider %s: %s",
					    timeout_ms / 1000, c->uid, buf_str(&why));
				goto fail;
			}
			log_warn("after %lds: %s", timeout_ms / 1000, buf_str(&why));
			break;
		}
		if (waited == 0)
			log_info("waiting for the volumes to sync into the inventory: %s", buf_str(&why));
		if (wait_sleep_ms(1000, interrupt, err) < 0)
			goto fail;
		waited += 1000;
		/* refresh the VMs: attachedVolumes fills in as the collector syncs */
		if (list(c, "vms", 4, &fresh, err) < 0)
			goto fail;
		for (int i = 0; i < cJSON_GetArraySize(vms); i++) {
			const cJSON *now = inventory_find(fresh, json_str(cJSON_GetArrayItem(vms, i), "id", ""));

			if (now)
				cJSON_ReplaceItemInArray(vms, i, cJSON_Duplicate(now, 1));
		}
		cJSON_Delete(fresh);
		fresh = NULL;
	}
	goto out;
fail:
	r = -1;
out:
	cJSON_Delete(volumes);
	cJSON_Delete(fresh);
	buf_release(&why);
	return r;
}

/* Append {key: value} to refs unless an equal ref is there. */
static void add_ref(cJSON *refs, const char *key, const char *value)
{
	const cJSON *it;
	cJSON *ref;

	if (!value || !*value)
		return;
	cJSON_ArrayForEach(it, refs) {
		const char *v = json_str(it, key, NULL);

		if (v && !strcmp(v, value))
			return;
	}
	ref = cJSON_CreateObject();
	cJSON_AddStringToObject(ref, key, value);
	cJSON_AddItemToArray(refs, ref);
}

/* Append {id, name} to refs unless a ref with this id is there. */
static void add_ref_pair(cJSON *refs, const char *id, const char *name)
{
	const cJSON *it;
	cJSON *ref;

	cJSON_ArrayForEach(it, refs)
		if (!strcmp(json_str(it, "id", ""), id))
			return;
	ref = cJSON_CreateObject();
	cJSON_AddStringToObject(ref, "id", id);
	cJSON_AddStringToObject(ref, "name", name);
	cJSON_AddItemToArray(refs, ref);
}

/* The name of the element of collection with this id. */
static const char *name_of(const cJSON *collection, const char *id)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, collection) {
		const char *v = json_str(it, "id", NULL);

		if (v && !strcmp(v, id))
			return json_str(it, "name", NULL);
	}
	return NULL;
}

static const cJSON *by_id(const cJSON *collection, const char *key, const char *id)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, collection) {
		const char *v = json_str(it, key, NULL);

		if (v && !strcmp(v, id))
			return it;
	}
	return NULL;
}

/* vSphere refers to datastores and networks by id; maps want their names.
 * For each element of vm.<list>, the name in coll of the id at id_path is
 * added to refs.  Returns how many elements there were, or -1 when an id is
 * unknown to the inventory. */
static int add_refs_by_name(cJSON *refs, const cJSON *vm, const char *list, const char *id_path,
			    const cJSON *coll, const char *what, struct mtv_err *err)
{
	const cJSON *it;
	int count = 0;

	cJSON_ArrayForEach(it, json_get(vm, list)) {
		const char *id = json_str(it, id_path, "");
		const char *name = name_of(coll, id);

		if (!name)
			return mtv_err_set(err, MTV_EXIT_ENV, "VM %s: %s %s is not in the inventory",
					   json_str(vm, "name", "?"), what, id);
		add_ref(refs, "name", name);
		count++;
	}
	return count;
}

static void no_storages(const struct source_ctx *c, const cJSON *vms, struct mtv_err *err)
{
	struct buf names = BUF_INIT(4096);
	const cJSON *vm;

	cJSON_ArrayForEach(vm, vms)
		buf_addf(&names, "%s%s", names.len ? ", " : "", json_str(vm, "name", "?"));
	mtv_err_set(err, MTV_EXIT_FAILED,
		    "no source storage found for VM(s) %s: the %s inventory of provider %s shows no disks "
		    "on a storage for them, and an empty StorageMap would only fail the Plan later "
		    "(VMStorageNotMapped)", buf_str(&names), c->type_name, c->uid);
	buf_release(&names);
}

/* A failed source_storages/source_networks returns no refs. */
static int drop_refs(cJSON **refs)
{
	cJSON_Delete(*refs);
	*refs = NULL;
	return -1;
}

int source_storages(const struct source_ctx *c, const cJSON *vms, cJSON **refs,
		    struct mtv_err *err)
{
	cJSON *coll = NULL, *coll2 = NULL;
	const cJSON *vm, *d;
	int r = 0;

	*refs = cJSON_CreateArray();
	switch (c->type) {
	case PROVIDER_VSPHERE:
		if (list(c, "datastores", 1, &coll, err) < 0)
			goto fail;
		cJSON_ArrayForEach(vm, vms)
			if (add_refs_by_name(*refs, vm, "disks", "datastore.id", coll, "datastore", err) < 0)
				goto fail;
		break;
	case PROVIDER_OVIRT:
		if (list(c, "disks", 1, &coll, err) < 0)
			goto fail;
		cJSON_ArrayForEach(vm, vms) {
			cJSON_ArrayForEach(d, json_get(vm, "diskAttachments")) {
				const cJSON *disk = by_id(coll, "id", json_str(d, "disk", ""));

				if (disk && strcmp(json_str(disk, "storageType", "image"), "lun"))
					add_ref(*refs, "id", json_str(disk, "storageDomain", NULL));
			}
		}
		break;
	case PROVIDER_OPENSTACK:
		if (list(c, "volumes", 1, &coll, err) < 0 || list(c, "volumetypes", 1, &coll2, err) < 0)
			goto fail;
		cJSON_ArrayForEach(vm, vms) {
			cJSON_ArrayForEach(d, json_get(vm, "attachedVolumes")) {
				const cJSON *vol = by_id(coll, "id", json_str(d, "ID", ""));
				const cJSON *vt = vol ? by_id(coll2, "name", json_str(vol, "volumeType", "")) : NULL;

				if (vt)
					add_ref(*refs, "id", json_str(vt, "id", NULL));
			}
			if (*json_str(vm, "imageID", ""))
				add_ref(*refs, "name", "glance");
		}
		break;
	case PROVIDER_OVA:
		cJSON_ArrayForEach(vm, vms) {
			cJSON_ArrayForEach(d, json_get(vm, "disks"))
				add_ref(*refs, "id", json_str(d, "ID", NULL));
		}
		break;
	case PROVIDER_OPENSHIFT:
		/* the storage class of each volume's PVC (lib/ocp_refs.h) */
		if (list(c, "persistentvolumeclaims", 1, &coll, err) < 0 ||
		    ocp_storage_refs(vms, coll, *refs, err) < 0)
			goto fail;
		break;
	}
	if (cJSON_GetArraySize(*refs))
		goto out;
	no_storages(c, vms, err);
fail:
	r = drop_refs(refs);
out:
	cJSON_Delete(coll);
	cJSON_Delete(coll2);
	return r;
}

static int no_nics(const cJSON *vm, struct mtv_err *err)
{
	return mtv_err_set(err, MTV_EXIT_USAGE,
			   "VM %s has no network interfaces: a network map cannot be built for it",
			   json_str(vm, "name", "?"));
}

int source_networks(const struct source_ctx *c, const cJSON *vms, cJSON **refs,
		    struct mtv_err *err)
{
	cJSON *coll = NULL;
	const cJSON *vm, *n;
	int r = 0;

	*refs = cJSON_CreateArray();
	if ((c->type == PROVIDER_VSPHERE || c->type == PROVIDER_OPENSTACK) && list(c, "networks", 1, &coll, err) < 0)
		goto fail;
	if (c->type == PROVIDER_OVIRT && list(c, "nicprofiles", 1, &coll, err) < 0)
		goto fail;
	cJSON_ArrayForEach(vm, vms) {
		int count = 0;

		switch (c->type) {
		case PROVIDER_VSPHERE:
			/* The VM's networks[] holds network ids; a NIC's network.id
			 * is a portgroup key or an NSX OpaqueNetworkId, which is
			 * not an id (Forklift's validator NetworksMapped and
			 * mtv-api-tests' vms_networks_mappings read networks[]). */
			count = add_refs_by_name(*refs, vm, "networks", "id", coll, "network", err);
			if (count < 0)
				goto fail;
			break;
		case PROVIDER_OVIRT:
			cJSON_ArrayForEach(n, json_get(vm, "nics")) {
				const cJSON *profile = by_id(coll, "id", json_str(n, "profile", ""));

				add_ref(*refs, "id", json_str(profile, "network", NULL));
				count++;
			}
			break;
		case PROVIDER_OPENSTACK:
			/* Forklift's OpenStack builder picks the map entry whose
			 * source.id is the network's id, so the ref carries both
			 * (as mtv-api-tests' vms_networks_mappings does). */
			cJSON_ArrayForEach(n, json_get(vm, "addresses")) {
				const cJSON *net = by_id(coll, "name", n->string);

				if (!net) {
					mtv_err_set(err, MTV_EXIT_ENV, "VM %s: network %s is not in the inventory",
						    json_str(vm, "name", "?"), n->string);
					goto fail;
				}
				add_ref_pair(*refs, json_str(net, "id", ""), n->string);
				count++;
			}
			break;
		case PROVIDER_OVA:
			cJSON_ArrayForEach(n, json_get(vm, "networks")) {
				add_ref(*refs, "id", json_str(n, "ID", NULL));
				count++;
			}
			break;
		case PROVIDER_OPENSHIFT:
			count = ocp_network_refs(vm, *refs);	/* pod and multus networks */
			break;
		}
		if (!count) {
			no_nics(vm, err);
			goto fail;
		}
	}
	goto out;
fail:
	r = drop_refs(refs);
out:
	cJSON_Delete(coll);
	return r;
}
