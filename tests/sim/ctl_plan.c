/* Plan validation and the Migration reconciler (forklift-api.md 2.3, 2.4,
 * 3.3-3.6).  Execution lives in ctl_exec.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "exec.h"

static cJSON *vm_ref_item(const cJSON *v)
{
	char s[600];

	snprintf(s, sizeof(s), " id:%s name:'%s' ", json_str(v, "id", ""), json_str(v, "name", ""));
	return cJSON_CreateString(s);
}

static void add_item(cJSON **items, const cJSON *v)
{
	if (!*items)
		*items = cJSON_CreateArray();
	cJSON_AddItemToArray(*items, vm_ref_item(v));
}

static bool ref_has_id(const cJSON *refs, const char *id)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, refs)
		if (!strcmp(json_str(r, "id", ""), id) || !strcmp(json_str(r, "name", ""), id))
			return true;
	return false;
}

static const cJSON *forklift_controller_spec(struct sim *sim)
{
	const struct restype *rt = rt_of("forklift.konveyor.io", "v1beta1", "forkliftcontrollers");

	for (size_t i = 0; i < sim->store.n; i++)
		if (sim->store.objs[i]->rt == rt)
			return json_get(sim->store.objs[i]->o, "spec");
	return NULL;
}

/* Forklift's Validator.PVCNameTemplate: the VM's template renders, for
 * every disk, to a DNS-1123 label; else an item "<ref> template:<t>
 * error:<why>" of the NotValid condition (validation.go). */
static void validate_pvc_template(struct sim *sim, struct sobj *plan, const cJSON *v, const cJSON *vm,
				  const cJSON *wprov, const char *type, const char *target, cJSON **bad)
{
	const char *tmpl = sim_pvc_template(plan->o, v, forklift_controller_spec(sim), !strcmp(type, "openshift"));
	int n = cJSON_GetArraySize(json_get(vm, "disks"));

	for (int d = 0; d < n; d++) {
		cJSON *data = sim_pvc_template_data(vm, cJSON_GetArrayItem(json_get(vm, "disks"), d), d, wprov, target,
						    plan->name, json_str(v, "id", ""), d);
		char out[400], why[512], item[1500];
		int rc = sim_pvc_name_render(tmpl, data, out, sizeof(out), why, sizeof(why));
		cJSON *ref;

		cJSON_Delete(data);
		if (!rc)
			continue;
		if (!*bad)
			*bad = cJSON_CreateArray();
		ref = vm_ref_item(v);
		snprintf(item, sizeof(item), "%s template:%s error:%s", ref->valuestring, tmpl, why);
		cJSON_Delete(ref);
		cJSON_AddItemToArray(*bad, cJSON_CreateString(item));
		return;
	}
}

/* Forklift's OpenShift validator (adapter/ocp/validator.go): StorageMapped
 * reads the storage class of each PVC or DataVolume volume's PVC on the
 * source cluster and looks it up by name in the StorageMap's sources
 * (smap, nmap: the maps' spec.map); NetworksMapped
 * wants the pod network mapped by type and each multus network by name and
 * namespace ("ns/name", else the VM's namespace). */
static void validate_ocp_maps(struct sim *sim, const cJSON *wprov, const cJSON *vm, const cJSON *smap,
			      const cJSON *nmap, bool *storage_ok, bool *networks_ok)
{
	const char *ns = json_str(wprov, "namespace", "mtv-source-vms");
	struct sobj *kv = store_find(&sim->store, rt_of("kubevirt.io", "v1", "virtualmachines"), ns,
				     json_str(vm, "name", ""));
	const cJSON *e, *r;

	*storage_ok = *networks_ok = true;
	if (!kv)
		return;
	cJSON_ArrayForEach(e, json_get(kv->o, "spec.template.spec.volumes")) {
		const char *claim = json_str(e, "persistentVolumeClaim.claimName", json_str(e, "dataVolume.name", ""));
		struct sobj *pvc;
		const char *sc;
		bool found = false;

		if (!*claim)
			continue;
		pvc = store_find(&sim->store, rt_of("", "v1", "persistentvolumeclaims"), ns, claim);
		sc = pvc ? json_str(pvc->o, "spec.storageClassName", "") : "";
		cJSON_ArrayForEach(r, smap)
			if (*sc && !strcmp(json_str(r, "source.name", ""), sc))
				found = true;
		if (!found)
			*storage_ok = false;
	}
	cJSON_ArrayForEach(e, json_get(kv->o, "spec.template.spec.networks")) {
		const char *mn = json_str(e, "multus.networkName", NULL), *slash;
		char nname[256], nns[256];
		bool found = false;

		if (json_get(e, "pod")) {
			cJSON_ArrayForEach(r, nmap)
				if (!strcmp(json_str(r, "source.type", ""), "pod"))
					found = true;
		} else if (mn) {
			slash = strchr(mn, '/');
			snprintf(nns, sizeof(nns), "%.*s", slash ? (int)(slash - mn) : (int)strlen(ns), slash ? mn : ns);
			snprintf(nname, sizeof(nname), "%s", slash ? slash + 1 : mn);
			cJSON_ArrayForEach(r, nmap)
				if (!strcmp(json_str(r, "source.name", ""), nname) &&
				    !strcmp(json_str(r, "source.namespace", ""), nns))
					found = true;
		} else {
			continue;
		}
		if (!found)
			*networks_ok = false;
	}
}

/* Per-VM validation against the source inventory and the maps. */
static void validate_vms(struct sim *sim, struct sobj *plan, struct sobj *src, struct sobj *nmap, struct sobj *smap,
			 cJSON *conds, const cJSON *old)
{
	cJSON *wprov = src ? src_world_provider(sim, src->o) : NULL;
	const char *type = src ? json_str(src->o, "spec.type", "") : "";
	cJSON *notset = NULL, *notfound = NULL, *dup = NULL, *nets = NULL, *stor = NULL, *exists = NULL;
	cJSON *hooknf = NULL, *hooknr = NULL, *hookstep = NULL, *cbt = NULL, *tname = NULL, *pvcbad = NULL;
	const cJSON *v, *w;
	bool warm = cJSON_IsTrue(json_get(plan->o, "spec.warm")) || !strcmp(json_str(plan->o, "spec.type", ""), "warm");
	const char *tns = json_str(plan->o, "spec.targetNamespace", "");
	const cJSON *nrefs = nmap ? json_get(nmap->o, "status.references") : NULL;
	const cJSON *srefs = smap ? json_get(smap->o, "status.references") : NULL;
	const cJSON *done = json_get(plan->o, "status.migration.vms");

	if (!wprov)
		return;
	cJSON_ArrayForEach(v, json_get(plan->o, "spec.vms")) {
		const char *id = json_str(v, "id", ""), *name = json_str(v, "name", "");
		int count;
		cJSON *vm;
		const cJSON *h, *prev;
		bool skip = false;

		if (!*id && !*name) {
			add_item(&notset, v);
			continue;
		}
		/* VMs that already succeeded are not validated again */
		cJSON_ArrayForEach(prev, done)
			if ((*id && !strcmp(json_str(prev, "id", ""), id)) || (!*id && !strcmp(json_str(prev, "name", ""), name)))
				if (cond_has(json_get(prev, "conditions"), "Succeeded"))
					skip = true;
		if (skip)
			continue;
		vm = src_vm_find(sim, wprov, id, name, &count);
		if (count > 1) {
			add_item(&dup, v);
			continue;
		}
		if (!vm) {
			add_item(&notfound, v);
			continue;
		}
		cJSON_ArrayForEach(w, json_get(plan->o, "spec.vms"))
			if (w != v && ((*id && !strcmp(json_str(w, "id", ""), id)) || (*name && !strcmp(json_str(w, "name", ""), name))))
				skip = true;
		if (skip) {
			add_item(&dup, v);
			continue;
		}
		if (strcmp(type, "openshift")) {
			const cJSON *nic, *d;
			bool miss = false;
			cJSON_ArrayForEach(nic, json_get(vm, "nics"))
				if (!ref_has_id(nrefs, json_str(nic, "network", "")))
					miss = true;
			if (miss)
				add_item(&nets, v);
			miss = false;
			cJSON_ArrayForEach(d, json_get(vm, "disks"))
				if (!ref_has_id(srefs, src_disk_storage(wprov, d)))
					miss = true;
			/* an image-booted OpenStack server needs glance mapped
			 * (openstack Validator.StorageMapped) */
			if (!strcmp(type, "openstack") && json_get(vm, "image") && !ref_has_id(srefs, "glance"))
				miss = true;
			if (miss)
				add_item(&stor, v);
		}
		if (!strcmp(type, "openshift")) {
			bool sok, nok;

			validate_ocp_maps(sim, wprov, vm, smap ? json_get(smap->o, "spec.map") : NULL,
					  nmap ? json_get(nmap->o, "spec.map") : NULL, &sok, &nok);
			if (!nok)
				add_item(&nets, v);
			if (!sok)
				add_item(&stor, v);
		}
		if (warm && !strcmp(type, "vsphere") && !cJSON_IsTrue(json_get(vm, "changeTracking")))
			add_item(&cbt, v);
		{
			char newname[256];
			const char *tn = json_str(v, "targetName", "");
			struct sobj *ex;
			if (*tn && !sim_dns1123_label(tn))
				add_item(&tname, v);
			sim_vm_newname(*tn ? tn : json_str(vm, "name", ""), newname, sizeof(newname));
			validate_pvc_template(sim, plan, v, vm, wprov, type, newname, &pvcbad);
			ex = store_find(&sim->store, rt_of("kubevirt.io", "v1", "virtualmachines"), tns, newname);
			if (ex && strcmp(json_str(ex->o, "metadata.labels.plan", ""), json_str(plan->o, "metadata.uid", "")))
				add_item(&exists, v);
		}
		cJSON_ArrayForEach(h, json_get(v, "hooks")) {
			const char *step = json_str(h, "step", "");
			struct sobj *hk = ctl_ref(sim, rt_of("forklift.konveyor.io", "v1beta1", "hooks"),
						  json_get(h, "hook"), plan->ns);
			if (strcmp(step, "PreHook") && strcmp(step, "PostHook"))
				add_item(&hookstep, v);
			if (!hk)
				add_item(&hooknf, v);
			else if (!cond_has(json_get(hk->o, "status.conditions"), "Ready"))
				add_item(&hooknr, v);
		}
	}
	if (notset)
		cond_add(conds, old, "VMRefNotValid", "Critical", "NotSet", "Either `ID` or `Name` required.", notset, false);
	if (notfound)
		cond_add(conds, old, "VMNotFound", "Critical", "NotFound", "VM not found.", notfound, false);
	if (dup)
		cond_add(conds, old, "DuplicateVM", "Critical", "NotUnique", "Duplicate (source) VM.", dup, false);
	if (nets)
		cond_add(conds, old, "VMNetworksNotMapped", "Critical", "NotValid", "VM has unmapped networks.", nets, false);
	if (stor)
		cond_add(conds, old, "VMStorageNotMapped", "Critical", "NotValid", "VM has unmapped storage.", stor, false);
	if (exists)
		cond_add(conds, old, "VMAlreadyExists", "Critical", "NotUnique",
			 "Target VM already exists.", exists, false);
	/* Both are of type NotValid: Forklift sets the PVC one first and the
	 * TargetName one replaces it. */
	if (tname) {
		cond_add(conds, old, "NotValid", "Critical", NULL, "TargetName is invalid.", tname, false);
		cJSON_Delete(pvcbad);
	} else if (pvcbad) {
		cond_add(conds, old, "NotValid", "Critical", NULL, "VM PVC name template is invalid.", pvcbad, false);
	}
	if (cbt)
		cond_add(conds, old, "VMMissingChangedBlockTracking", "Critical", "MissingChangedBlockTracking",
			 "Changed Block Tracking (CBT) has not been enabled on some VM. This feature is a prerequisite for VM warm migration.",
			 cbt, false);
	if (hookstep)
		cond_add(conds, old, "HookStepNotValid", "Critical", "NotValid", "Hook step not valid.", hookstep, false);
	if (hooknf)
		cond_add(conds, old, "HookNotValid", "Critical", "NotFound", "Hook not found.", hooknf, false);
	if (hooknr)
		cond_add(conds, old, "HookNotReady", "Critical", "NotFound", "Hook does not have `Ready` condition.", hooknr, false);
}

/* Forklift's validateVddkImage: a vSphere source copies disks through
 * VDDK for warm and raw-copy (skipGuestConversion) plans, so without an
 * image on the Provider (settings.vddkInitImage) or a global one (the
 * ForkliftController's vddk_image) such a plan can never be Ready.  The
 * image-pull validation job that runs when an image is set is not
 * simulated. */
static void validate_vddk_image(struct sim *sim, const struct sobj *plan, const struct sobj *src,
				const struct sobj *smap, bool warm, cJSON *conds, const cJSON *old)
{
	const char *image = json_str(src->o, "spec.settings.vddkInitImage", "");
	const cJSON *m;
	bool offload = false;

	if (!*image)
		image = json_str(ctl_forklift_controller_spec(sim), "vddk_image", "");
	if (*image)
		return;
	if (smap)
		cJSON_ArrayForEach(m, json_get(smap->o, "spec.map"))
			if (json_get(m, "offloadPlugin"))
				offload = true;
	/* Both set the same condition type; Forklift's second SetCondition
	 * (raw copy) replaces the first. */
	if (cJSON_IsTrue(json_get(plan->o, "spec.skipGuestConversion")) && !offload)
		cond_add(conds, old, "VDDKInitImageUnavailable", "Critical", "NotSet",
			 "VDDK image is required for raw copy mode migration. Set it on the source provider or "
			 "configure a global VDDK image.", NULL, false);
	else if (warm)
		cond_add(conds, old, "VDDKInitImageUnavailable", "Critical", "NotSet",
			 "VDDK image is required for warm migration. Set it on the source provider or configure a "
			 "global VDDK image.", NULL, false);
}

static void validate_plan(struct sim *sim, struct sobj *plan, cJSON *conds, const cJSON *old, bool executing)
{
	struct sobj *src, *dst, *nmap, *smap;
	const char *tns = json_str(plan->o, "spec.targetNamespace", "");
	const cJSON *nref = json_get(plan->o, "spec.map.network"), *sref = json_get(plan->o, "spec.map.storage");
	bool warm = cJSON_IsTrue(json_get(plan->o, "spec.warm")) || !strcmp(json_str(plan->o, "spec.type", ""), "warm");

	ctl_validate_provider_pair(sim, plan->o, conds, old, &src, &dst);
	if (!*tns)
		cond_add(conds, old, "NamespaceNotValid", "Critical", "NotSet", "Target namespace is not valid.", NULL, false);
	else if (!sim_dns1123_label(tns))
		cond_add(conds, old, "NamespaceNotValid", "Critical", "NotValid", "Target namespace is not valid.", NULL, false);
	nmap = ctl_ref(sim, rt_of("forklift.konveyor.io", "v1beta1", "networkmaps"), nref, plan->ns);
	smap = ctl_ref(sim, rt_of("forklift.konveyor.io", "v1beta1", "storagemaps"), sref, plan->ns);
	if (!nmap)
		cond_add(conds, old, "NetworkMapRefNotValid", "Critical", *json_str(nref, "name", "") ? "NotFound" : "NotSet",
			 "Map.Network is not valid.", NULL, false);
	else if (!cond_has(json_get(nmap->o, "status.conditions"), "Ready"))
		cond_add(conds, old, "NetworkMapNotReady", "Critical", NULL, "Map.Network does not have Ready condition.", NULL, false);
	if (!smap)
		cond_add(conds, old, "StorageRefNotValid", "Critical", *json_str(sref, "name", "") ? "NotFound" : "NotSet",
			 "Map.Storage is not valid.", NULL, false);
	else if (!cond_has(json_get(smap->o, "status.conditions"), "Ready"))
		cond_add(conds, old, "StorageMapNotReady", "Critical", NULL, "Map.Storage does not have Ready condition.", NULL, false);
	if (src && warm) {
		const char *t = json_str(src->o, "spec.type", "");
		if (strcmp(t, "vsphere") && strcmp(t, "ovirt"))
			cond_add(conds, old, "WarmMigrationNotReady", "Critical", "NotSupported",
				 "Warm migration from the source provider is not supported.", NULL, false);
	}
	if (src && !strcmp(json_str(src->o, "spec.type", ""), "vsphere"))
		validate_vddk_image(sim, plan, src, smap, warm, conds, old);
	if (!executing && src && cond_has(json_get(src->o, "status.conditions"), "Ready"))
		validate_vms(sim, plan, src, nmap, smap, conds, old);
}

void ctl_plan(struct sim *sim, struct sobj *so)
{
	const cJSON *old = json_get(so->o, "status.conditions");
	const cJSON *oldst = json_get(so->o, "status");
	cJSON *st = cJSON_CreateObject(), *conds = cJSON_AddArrayToObject(st, "conditions");
	bool executing = cond_has(old, "Executing");
	const char *keep[] = { "Executing", "Succeeded", "Failed", "Canceled", NULL };
	const cJSON *mig = json_get(oldst, "migration");

	/* execution conditions are durable: carry them over */
	for (int i = 0; keep[i]; i++) {
		const cJSON *c = json_condition(old, keep[i]);
		if (c)
			cJSON_AddItemToArray(conds, cJSON_Duplicate(c, 1));
	}
	cJSON_AddNumberToObject(st, "observedGeneration", cJSON_GetNumberValue(json_get(so->o, "metadata.generation")));
	if (mig)
		cJSON_AddItemToObject(st, "migration", cJSON_Duplicate(mig, 1));
	if (cJSON_IsTrue(json_get(so->o, "spec.archived"))) {
		if (!cond_has(old, "Archived"))
			exec_archive(sim, so);
		cond_add(conds, old, "Archived", "Advisory", "UserRequested", "The migration plan has been archived.", NULL, false);
		ctl_put_status(sim, so, st);
		return;
	}
	validate_plan(sim, so, conds, old, executing);
	if (!cond_blocked(conds))
		cond_add(conds, old, "Ready", "Required", NULL, "The migration plan is ready.", NULL, false);
	exec_plan(sim, so, st, conds, old);
	ctl_put_status(sim, so, st);
}

/* The Migration mirrors its snapshot in the Plan's history. */
void ctl_migration(struct sim *sim, struct sobj *so)
{
	const cJSON *old = json_get(so->o, "status.conditions");
	cJSON *st = cJSON_CreateObject(), *conds = cJSON_AddArrayToObject(st, "conditions");
	const cJSON *pref = json_get(so->o, "spec.plan");
	struct sobj *plan = ctl_ref(sim, rt_of("forklift.konveyor.io", "v1beta1", "plans"), pref, so->ns);
	const char *uid = json_str(so->o, "metadata.uid", "");
	const cJSON *snap = NULL, *h;

	/* a finished Migration is not reconciled again */
	if (json_get(so->o, "status.completed")) {
		cJSON_Delete(st);
		return;
	}
	if (!plan) {
		cond_add(conds, old, "PlanNotValid", "Critical", *json_str(pref, "name", "") ? "NotFound" : "NotSet",
			 "The `plan` is not valid.", NULL, false);
	} else {
		cJSON_ArrayForEach(h, json_get(plan->o, "status.migration.history"))
			if (!strcmp(json_str(h, "migration.uid", ""), uid))
				snap = h;
		if (!snap && !cond_has(json_get(plan->o, "status.conditions"), "Ready"))
			cond_add(conds, old, "PlanNotReady", "Critical", "NotFound", "The `plan` does not have Ready condition.",
				 NULL, false);
	}
	if (!cond_blocked(conds))
		cond_add(conds, old, "Ready", "Required", NULL, "The migration is ready.", NULL, false);
	if (snap) {
		const cJSON *sc = json_get(snap, "conditions");
		const cJSON *pm = json_get(plan->o, "status.migration");
		const cJSON *c = json_condition(sc, "Canceled");

		if (cond_has(sc, "Executing"))
			cond_add(conds, old, "Running", "Advisory", NULL, "The migration is RUNNING.", NULL, false);
		if (cond_has(sc, "Succeeded"))
			cond_add(conds, old, "Succeeded", "Advisory", NULL, "The migration has SUCCEEDED.", NULL, true);
		if (cond_has(sc, "Failed"))
			cond_add(conds, old, "Failed", "Advisory", NULL, "The migration has FAILED.", NULL, true);
		if (c)
			cond_add(conds, old, "Canceled", "Advisory", json_str(c, "reason", ""), json_str(c, "message", ""), NULL, true);
		if (json_get(pm, "started"))
			cJSON_AddStringToObject(st, "started", json_str(pm, "started", ""));
		if (!cond_has(sc, "Executing") && json_get(pm, "completed"))
			cJSON_AddStringToObject(st, "completed", json_str(pm, "completed", ""));
		if (json_get(pm, "vms"))
			cJSON_AddItemToObject(st, "vms", cJSON_Duplicate(json_get(pm, "vms"), 1));
	}
	cJSON_AddNumberToObject(st, "observedGeneration", cJSON_GetNumberValue(json_get(so->o, "metadata.generation")));
	ctl_put_status(sim, so, st);
}
