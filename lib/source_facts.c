#include "source_facts.h"

#include <string.h>

#include "json.h"

static const char *s_(const char *s)
{
	return s ? s : "";
}

cJSON *source_facts_new(const char *provider, const char *type, const char *session)
{
	cJSON *doc = cJSON_CreateObject();

	cJSON_AddStringToObject(doc, "provider", s_(provider));
	cJSON_AddStringToObject(doc, "type", s_(type));
	cJSON_AddStringToObject(doc, "session", s_(session));
	cJSON_AddArrayToObject(doc, "vms");
	return doc;
}

static const char *ds_name(const struct vsphere_datastore *ds, size_t nds, const char *id)
{
	for (size_t i = 0; i < nds; i++)
		if (!strcmp(ds[i].ref.value, id))
			return s_(ds[i].name);
	return "";
}

static cJSON *ref_obj(const char *id, const char *name)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", s_(id));
	cJSON_AddStringToObject(o, "name", s_(name));
	return o;
}

/* guest.net flattened to one list of addresses: with the origin the guest
 * reported (ipConfig) when there is one, else the bare ipAddress list. */
static cJSON *guest_ips(const struct vsphere_vm *vm)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < vm->nguest_nics; i++) {
		const struct vsphere_guest_nic *g = &vm->guest_nics[i];
		size_t n = g->nip_config ? g->nip_config : g->nips;

		for (size_t j = 0; j < n; j++) {
			cJSON *e = cJSON_CreateObject();
			const char *origin = g->nip_config ? g->ip_config[j].origin : NULL;

			cJSON_AddStringToObject(e, "ip", s_(g->nip_config ? g->ip_config[j].address : g->ips[j]));
			if (origin)
				cJSON_AddStringToObject(e, "origin", origin);
			else
				cJSON_AddNullToObject(e, "origin");
			cJSON_AddStringToObject(e, "mac", s_(g->mac));
			cJSON_AddItemToArray(arr, e);
		}
	}
	return arr;
}

cJSON *source_facts_vsphere_vm(const struct vsphere_vm *vm, const char *source, bool cloned,
			       const struct vsphere_datastore *ds, size_t nds)
{
	cJSON *e = cJSON_CreateObject(), *arr;

	cJSON_AddStringToObject(e, "source", s_(source));
	cJSON_AddStringToObject(e, "name", s_(vm->name));
	cJSON_AddBoolToObject(e, "cloned", cloned);
	cJSON_AddStringToObject(e, "moref", vm->ref.value);
	cJSON_AddStringToObject(e, "uuid", s_(vm->uuid));
	cJSON_AddStringToObject(e, "bios_serial", s_(vm->bios_serial));
	cJSON_AddStringToObject(e, "firmware", s_(vm->firmware));
	cJSON_AddBoolToObject(e, "secure_boot", vm->secure_boot);
	cJSON_AddNumberToObject(e, "cpu", vm->num_cpu);
	cJSON_AddNumberToObject(e, "cores_per_socket", vm->cores_per_socket);
	cJSON_AddNumberToObject(e, "memory_mb", (double)vm->memory_mb);
	cJSON_AddStringToObject(e, "power_state", s_(vm->power_state));
	cJSON_AddStringToObject(e, "guest_id", s_(vm->guest_id));
	cJSON_AddBoolToObject(e, "cbt", vm->cbt);
	arr = cJSON_AddArrayToObject(e, "disks");
	for (size_t i = 0; i < vm->ndisks; i++) {
		const struct vsphere_disk *d = &vm->disks[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "label", s_(d->label));
		cJSON_AddStringToObject(o, "file", s_(d->file));
		cJSON_AddItemToObject(o, "datastore",
				      ref_obj(d->datastore.value, ds_name(ds, nds, d->datastore.value)));
		cJSON_AddNumberToObject(o, "capacity_bytes", (double)d->capacity_bytes);
		cJSON_AddStringToObject(o, "mode", s_(d->disk_mode));
		cJSON_AddStringToObject(o, "provisioning", s_(d->provisioning));
		cJSON_AddItemToArray(arr, o);
	}
	arr = cJSON_AddArrayToObject(e, "nics");
	for (size_t i = 0; i < vm->nnics; i++) {
		const struct vsphere_nic *n = &vm->nics[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "label", s_(n->label));
		cJSON_AddStringToObject(o, "mac", s_(n->mac));
		cJSON_AddItemToObject(o, "network", ref_obj(n->network_ref.value, n->network));
		cJSON_AddItemToArray(arr, o);
	}
	arr = cJSON_AddArrayToObject(e, "snapshots");
	for (size_t i = 0; i < vm->nsnapshots; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(s_(vm->snapshots[i])));
	cJSON_AddItemToObject(e, "guest_ips", guest_ips(vm));
	return e;
}

const cJSON *source_facts_find(const cJSON *doc, const char *name)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, json_get(doc, "vms"))
		if (!strcmp(json_str(it, "name", ""), name))
			return it;
	cJSON_ArrayForEach(it, json_get(doc, "vms"))
		if (!strcmp(json_str(it, "source", ""), name))
			return it;
	return NULL;
}

/* Every entry an object with non-empty strings "source" and "name"; no
 * source twice. */
static int check_vms(const cJSON *vms, const char *file, struct mtv_err *err)
{
	const cJSON *it;
	int i = 0;

	if (!cJSON_IsArray(vms))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: vms: expected list, got %s", file,
				   json_type_name(vms));
	cJSON_ArrayForEach(it, vms) {
		static const char *const keys[] = { "source", "name" };

		if (!cJSON_IsObject(it))
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s: vms[%d]: expected object, got %s", file, i,
					   json_type_name(it));
		for (size_t k = 0; k < 2; k++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, keys[k]);

			if (!cJSON_IsString(v) || !*v->valuestring)
				return mtv_err_set(err, MTV_EXIT_USAGE,
						   "%s: vms[%d].%s: expected a non-empty string, got %s", file, i,
						   keys[k], v ? json_type_name(v) : "nothing");
		}
		for (const cJSON *p = vms->child; p != it; p = p->next)
			if (!strcmp(json_str(p, "source", ""), json_str(it, "source", "")))
				return mtv_err_set(err, MTV_EXIT_USAGE, "%s: vms[%d].source: \"%s\" listed twice",
						   file, i, json_str(it, "source", ""));
		i++;
	}
	return 0;
}

int source_facts_apply(const cJSON *doc, const char *file, const char *session, struct scenario *sc,
		       struct mtv_err *err)
{
	const cJSON *vms = json_get(doc, "vms"), *s = json_get(doc, "session");

	if (!cJSON_IsObject(doc))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: expected object, got %s", file, json_type_name(doc));
	if (!cJSON_IsString(s))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: session: expected string, got %s", file,
				   s ? json_type_name(s) : "nothing");
	if (session && strcmp(s->valuestring, session))
		return mtv_err_set(err, MTV_EXIT_USAGE,
				   "%s: session: \"%.64s\" is not this session (%s); the file is from another run",
				   file, s->valuestring, session);
	if (check_vms(vms, file, err) < 0)
		return -1;
	/* All checked before the first name changes: a failure leaves sc as
	 * the scenario wrote it. */
	for (size_t i = 0; i < sc->nvms; i++) {
		const cJSON *it, *hit = NULL;

		cJSON_ArrayForEach(it, vms)
			if (!strcmp(json_str(it, "source", ""), sc->vms[i].source_name))
				hit = it;
		if (!hit)
			return mtv_err_set(err, MTV_EXIT_USAGE,
					   "%s: vms: no entry for VM \"%s\" of scenario %s (prepared for another scenario?); "
					   "run mtv-prepare-vms again", file, sc->vms[i].source_name, sc->name);
	}
	for (size_t i = 0; i < sc->nvms; i++) {
		const cJSON *it;

		cJSON_ArrayForEach(it, vms)
			if (!strcmp(json_str(it, "source", ""), sc->vms[i].source_name))
				sc->vms[i].name = json_str(it, "name", "");
	}
	return 0;
}
