/* The scenario's VM-level keys as a list of things to do, every one checked
 * before the source is touched: a bad add_disks entry or an unknown
 * datastore must not leave half the VMs cloned. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "prepare_vms.h"

#define SNAPSHOTS_MAX 32	/* vSphere's limit on a snapshot chain */

static const char *catalog(void)
{
	const char *f = step_get(&prepare_step, "MTV_TESTS_PARAMS");

	return *f ? f : "shipped tests_params.json";
}

static int plan_disks(struct prep_vm *v, const cJSON *list, const char *where, struct mtv_err *err)
{
	const cJSON *d;
	size_t i = 0;

	v->ndisks = (size_t)cJSON_GetArraySize(list);
	if (!v->ndisks)
		return 0;
	v->disks = calloc(v->ndisks, sizeof(*v->disks));
	if (!v->disks)
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	cJSON_ArrayForEach(d, list) {
		struct prep_disk *pd = &v->disks[i];
		const cJSON *size = cJSON_GetObjectItemCaseSensitive(d, "size_gb");

		if (!cJSON_IsNumber(size) || size->valuedouble <= 0)
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s.add_disks[%zu].size_gb: %s", where, i,
					   size ? "must be more than 0" : "required (GiB, more than 0)");
		/* RDM disks and explicit paths need storage this step cannot
		 * make (a LUN, a file on the datastore). */
		if (json_get(d, "rdm_type") || json_get(d, "datastore_path"))
			return mtv_err_set(err, MTV_EXIT_USAGE,
					   "%s.add_disks[%zu]: %s is not supported by mtv-prepare-vms", where, i,
					   json_get(d, "rdm_type") ? "rdm_type" : "datastore_path");
		pd->size_gb = (long long)size->valuedouble;
		pd->provisioning = json_str(d, "provision_type", "thin");
		pd->mode = json_str(d, "disk_mode", "persistent");
		pd->datastore_id = json_str(d, "datastore_id", "");
		i++;
	}
	return 0;
}

int prep_plan(struct prep *p, struct mtv_err *err)
{
	const struct scenario *sc = &p->c->scenario;
	const char *session = p->c->session.id;
	bool skip = cJSON_IsTrue(scenario_key(sc, "skip_clone")) || step_get_bool(&prepare_step, "MTV_SKIP_CLONE");

	p->warm = sc->warm;
	p->n = sc->nvms;
	p->vms = calloc(p->n, sizeof(*p->vms));
	if (!p->vms)
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	for (size_t i = 0; i < p->n; i++) {
		struct prep_vm *v = &p->vms[i];
		const cJSON *spec = sc->vms[i].spec, *snap;
		const char *base = json_str(spec, "clone_name", sc->vms[i].source_name);
		char where[700];
		int len;

		snprintf(where, sizeof(where), "%s: %s.virtual_machines[%zu]", catalog(), sc->name, i);
		v->source = sc->vms[i].source_name;
		/* mtv-api-tests clones every source VM for the session; the plan's
		 * skip_clone (or MTV_SKIP_CLONE) and a VM's "clone": false use
		 * the VM itself. */
		v->action = skip || cJSON_IsFalse(json_get(spec, "clone")) ? PREP_USE : PREP_CLONE;
		if (v->action == PREP_CLONE) {
			len = snprintf(v->name, sizeof(v->name), "%s-%s", session, base);
			if (len > CLONE_NAME_MAX)
				return mtv_err_set(err, MTV_EXIT_USAGE,
						   "%s: the clone name \"%s-%s\" has %d characters; vSphere allows %d "
						   "(set a shorter clone_name)", where, session, base, len, CLONE_NAME_MAX);
			p->any_clone = true;
		} else {
			snprintf(v->name, sizeof(v->name), "%s", v->source);
		}
		v->disk_type = json_str(spec, "disk_type", "");
		v->datastore_id = json_str(spec, "target_datastore_id", "");
		snap = json_get(spec, "snapshots");
		v->snapshots = snap ? (long)snap->valuedouble : 0;
		if (v->snapshots > SNAPSHOTS_MAX)
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s.snapshots: %ld; vSphere allows %d in a chain",
					   where, v->snapshots, SNAPSHOTS_MAX);
		v->power = sc->vms[i].source_vm_power;
		if (plan_disks(v, json_get(spec, "add_disks"), where, err) < 0)
			return -1;
		if (v->action == PREP_USE && v->ndisks)
			/* Disks added to the user's own VM would outlive the session:
			 * nothing records them for teardown. */
			return mtv_err_set(err, MTV_EXIT_USAGE,
					   "%s.add_disks: needs a clone, but the VM is not cloned (%s)", where,
					   skip ? "skip_clone" : "clone: false");
		if (v->action == PREP_USE && (*v->disk_type || *v->datastore_id))
			log_warn("%s: %s applies to clones only; VM %s is used as it is", where,
				 *v->disk_type ? "disk_type" : "target_datastore_id", v->source);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(p->vms[j].name, v->name))
				return mtv_err_set(err, MTV_EXIT_USAGE,
						   "%s: VMs %zu and %zu would both be \"%s\" (give one a clone_name)",
						   where, j, i, v->name);
	}
	return 0;
}

static int find_ds(const struct prep *p, const char *id, struct vsphere_moref *out)
{
	for (size_t i = 0; i < p->nds; i++)
		if (!strcmp(p->ds[i].ref.value, id)) {
			*out = p->ds[i].ref;
			return 0;
		}
	return -1;
}

static int unknown_ds(const struct prep *p, const char *key, const char *id, struct mtv_err *err)
{
	struct buf b = BUF_INIT(4096);

	for (size_t i = 0; i < p->nds && i < 10; i++)
		buf_addf(&b, "%s%s (%s)", i ? ", " : "", p->ds[i].ref.value, p->ds[i].name ? p->ds[i].name : "");
	mtv_err_set(err, MTV_EXIT_USAGE, "%s: datastore \"%s\" does not exist on the source; it has %s", key, id,
		    b.len ? buf_str(&b) : "no datastores");
	buf_release(&b);
	return -1;
}

int prep_check_datastores(struct prep *p, struct mtv_err *err)
{
	char key[800];

	for (size_t i = 0; i < p->n; i++) {
		struct prep_vm *v = &p->vms[i];

		snprintf(key, sizeof(key), "%s: %s.virtual_machines[%zu].target_datastore_id", catalog(),
			 p->c->scenario.name, i);
		if (*v->datastore_id && v->action != PREP_USE && find_ds(p, v->datastore_id, &v->datastore) < 0)
			return unknown_ds(p, key, v->datastore_id, err);
		for (size_t j = 0; j < v->ndisks; j++) {
			snprintf(key, sizeof(key), "%s: %s.virtual_machines[%zu].add_disks[%zu].datastore_id",
				 catalog(), p->c->scenario.name, i, j);
			if (*v->disks[j].datastore_id && find_ds(p, v->disks[j].datastore_id, &v->disks[j].datastore) < 0)
				return unknown_ds(p, key, v->disks[j].datastore_id, err);
		}
	}
	return 0;
}

static const char *action_name(enum prep_action a)
{
	return a == PREP_CLONE ? "clone" : a == PREP_ADOPT ? "adopt" : "use";
}

cJSON *prep_actions_doc(const struct prep *p)
{
	cJSON *doc = cJSON_CreateObject(), *vms = cJSON_AddArrayToObject(doc, "vms");

	cJSON_AddStringToObject(doc, "provider", p->c->source_name);
	cJSON_AddStringToObject(doc, "session", p->c->session.id);
	for (size_t i = 0; i < p->n; i++) {
		const struct prep_vm *v = &p->vms[i];
		cJSON *e = cJSON_CreateObject(), *arr;

		cJSON_AddStringToObject(e, "source", v->source);
		cJSON_AddStringToObject(e, "name", v->name);
		cJSON_AddStringToObject(e, "action", action_name(v->action));
		if (v->action == PREP_CLONE) {
			cJSON_AddStringToObject(e, "disk_type", *v->disk_type ? v->disk_type : "as source");
			cJSON_AddStringToObject(e, "datastore", *v->datastore_id ? v->datastore_id : "as source");
			cJSON_AddBoolToObject(e, "cbt", p->warm);
		}
		const struct vsphere_vm *now = p->now && p->now[i].name ? &p->now[i] : NULL;
		size_t have = now && p->src ? prep_disks_present(&p->src[i], now) : 0;
		const char *power = now ? prep_power_change(v, now) : *v->power ? v->power : NULL;

		arr = cJSON_AddArrayToObject(e, "add_disks");
		for (size_t j = have; j < v->ndisks; j++) {
			cJSON *d = cJSON_CreateObject();

			cJSON_AddNumberToObject(d, "size_gb", (double)v->disks[j].size_gb);
			cJSON_AddStringToObject(d, "provisioning", v->disks[j].provisioning);
			cJSON_AddStringToObject(d, "mode", v->disks[j].mode);
			if (*v->disks[j].datastore_id)
				cJSON_AddStringToObject(d, "datastore", v->disks[j].datastore_id);
			cJSON_AddItemToArray(arr, d);
		}
		arr = cJSON_AddArrayToObject(e, "snapshots");
		for (long k = 1; k <= v->snapshots; k++) {
			char name[96];

			snprintf(name, sizeof(name), "%s-snapshot-%ld", p->c->session.id, k);
			if (!now || !prep_has_snapshot(now, name))
				cJSON_AddItemToArray(arr, cJSON_CreateString(name));
		}
		cJSON_AddStringToObject(e, "power", power ? power : "unchanged");
		cJSON_AddItemToArray(vms, e);
	}
	return doc;
}
