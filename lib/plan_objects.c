#include "plan_objects.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "ensure.h"
#include "gotmpl.h"
#include "hooks.h"
#include "json.h"
#include "names.h"
#include "provider_objects.h"
#include "vm_checks.h"

/* The builders only label: no client, no state. */
static cJSON *skeleton(const struct plan_in *in, const struct kube_type *t, const char *ns, const char *name)
{
	const struct ensure_ctx e = { .session = in->session };

	return ensure_skeleton(&e, t, ns, name);
}

int plan_name(const struct plan_in *c, char *out, size_t outsz, struct mtv_err *err)
{
	char suffix[8];

	if (names_random(suffix, 4, err) < 0)
		return -1;
	if (snprintf(out, outsz, "%s-%s-%s", c->session->base_name, suffix,
		     c->scenario->warm ? "warm" : "cold") >= (int)outsz)
		return mtv_err_set(err, MTV_EXIT_USAGE, "plan name too long");
	names_keep_last63(out);
	return 0;
}

static void add_ref(cJSON *parent, const char *key, const char *name, const char *ns)
{
	cJSON *ref = cJSON_AddObjectToObject(parent, key);

	cJSON_AddStringToObject(ref, "name", name);
	cJSON_AddStringToObject(ref, "namespace", ns);
}

cJSON *plan_session_map(const cJSON *in, const char *session_id)
{
	cJSON *out = cJSON_CreateObject();
	const cJSON *it;

	cJSON_ArrayForEach(it, in)
		cJSON_AddStringToObject(out, it->string, cJSON_IsString(it) ? it->valuestring : session_id);
	return out;
}

/* Copy a boolean scenario key to a Plan field when the scenario sets it. */
static void copy_bool(cJSON *spec, const cJSON *plan, const char *key, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(plan, key);

	if (cJSON_IsBool(v))
		cJSON_AddBoolToObject(spec, field, cJSON_IsTrue(v));
}

cJSON *plan_build(const struct plan_in *c, const char *name, const cJSON *vms, const struct plan_refs *r)
{
	cJSON *obj = skeleton(c, &KUBE_PLANS, c->ns, name);
	cJSON *spec = cJSON_AddObjectToObject(obj, "spec");
	const cJSON *plan = c->scenario->plan, *vm, *v;
	cJSON *provider, *map, *list;

	cJSON_AddStringToObject(spec, "targetNamespace", r->vm_namespace);
	provider = cJSON_AddObjectToObject(spec, "provider");
	add_ref(provider, "source", c->source_name, c->ns);
	add_ref(provider, "destination", c->dest_name, c->ns);
	map = cJSON_AddObjectToObject(spec, "map");
	add_ref(map, "network", r->network_map, c->ns);
	add_ref(map, "storage", r->storage_map, c->ns);
	cJSON_AddBoolToObject(spec, "warm", c->scenario->warm);
	list = cJSON_AddArrayToObject(spec, "vms");
	cJSON_ArrayForEach(vm, vms) {
		cJSON *entry = cJSON_CreateObject();

		cJSON_AddStringToObject(entry, "id", json_str(vm, "id", ""));
		cJSON_AddItemToArray(list, entry);
	}

	if (*c->scenario->target_power_state)
		cJSON_AddStringToObject(spec, "targetPowerState", c->scenario->target_power_state);
	copy_bool(spec, plan, "preserve_static_ips", "preserveStaticIPs");
	copy_bool(spec, plan, "pvc_name_template_use_generate_name", "pvcNameTemplateUseGenerateName");
	copy_bool(spec, plan, "migrate_shared_disks", "migrateSharedDisks");
	copy_bool(spec, plan, "enable_nested_virtualization", "enableNestedVirtualization");
	copy_bool(spec, plan, "run_preflight_inspection", "runPreflightInspection");
	copy_bool(spec, plan, "xfs_compatibility", "xfsCompatibility");
	copy_bool(spec, plan, "rdm_as_lun", "rdmAsLun");
	if (plan_pvc_template(c))
		cJSON_AddStringToObject(spec, "pvcNameTemplate", plan_pvc_template(c));
	v = cJSON_GetObjectItemCaseSensitive(plan, "target_labels");
	if (cJSON_IsObject(v) && v->child)
		cJSON_AddItemToObject(spec, "targetLabels", plan_session_map(v, c->session->id));
	v = cJSON_GetObjectItemCaseSensitive(plan, "target_node_selector");
	if (cJSON_IsObject(v) && v->child)
		cJSON_AddItemToObject(spec, "targetNodeSelector", plan_session_map(v, c->session->id));
	v = cJSON_GetObjectItemCaseSensitive(plan, "target_affinity");
	if (cJSON_IsObject(v) && v->child)
		cJSON_AddItemToObject(spec, "targetAffinity", cJSON_Duplicate(v, 1));
	return obj;
}

int plan_add_hooks(const struct plan_in *c, const char *image, cJSON *objects, cJSON *plan,
		   struct mtv_err *err)
{
	static const struct {
		const char *key, *step, *suffix;
	} kinds[] = { { "pre_hook", "PreHook", "pre-hook" }, { "post_hook", "PostHook", "post-hook" } };
	cJSON *vm;

	for (size_t i = 0; i < 2; i++) {
		const cJSON *cfg = scenario_key(c->scenario, kinds[i].key);
		struct buf b64 = BUF_INIT(4 << 20);
		char name[160], where[200];
		cJSON *hook;

		if (!cfg)
			continue;
		snprintf(where, sizeof(where), "scenario %s.%s", c->scenario->name, kinds[i].key);
		if (hook_playbook(cfg, where, &b64, err) < 0) {
			buf_release(&b64);
			return -1;
		}
		snprintf(name, sizeof(name), "%s-%s", c->session->base_name, kinds[i].suffix);
		names_keep_last63(name);
		hook = skeleton(c, &KUBE_HOOKS, c->ns, name);
		cJSON_AddItemToObject(hook, "spec", hook_spec(cfg, image, buf_str(&b64)));
		buf_release(&b64);
		cJSON_AddItemToArray(objects, hook);
		cJSON_ArrayForEach(vm, json_get(plan, "spec.vms")) {
			cJSON *hooks = cJSON_GetObjectItemCaseSensitive(vm, "hooks"), *h, *ref;

			if (!hooks)
				hooks = cJSON_AddArrayToObject(vm, "hooks");
			h = cJSON_CreateObject();
			cJSON_AddStringToObject(h, "step", kinds[i].step);
			ref = cJSON_AddObjectToObject(h, "hook");
			cJSON_AddStringToObject(ref, "name", name);
			cJSON_AddStringToObject(ref, "namespace", c->ns);
			cJSON_AddItemToArray(hooks, h);
		}
	}
	return 0;
}

const char *plan_pvc_template(const struct plan_in *c)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->scenario->plan, "pvc_name_template");

	if (cJSON_IsObject(v))	/* {providerType: template, "default": template} */
		v = json_get(v, provider_type_name(c->type)) ? json_get(v, provider_type_name(c->type))
							       : json_get(v, "default");
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int plan_pvc_name(const char *tmpl, const char *plan_name, const cJSON *source, const char *target_name,
		  const cJSON *disk, int index, char *out, size_t outsz, struct mtv_err *err)
{
	cJSON *data = cJSON_CreateObject();
	const char *file = json_str(disk, "file", ""), *base = strrchr(file, '/');
	struct buf name = BUF_INIT(4096);
	const char *s;
	size_t n;
	int rc = 0;

	cJSON_AddStringToObject(data, "VmName", json_str(source, "name", ""));
	cJSON_AddStringToObject(data, "TargetVmName", target_name);
	cJSON_AddStringToObject(data, "PlanName", plan_name);
	cJSON_AddNumberToObject(data, "DiskIndex", (double)index);
	cJSON_AddNumberToObject(data, "RootDiskIndex", 0);
	cJSON_AddStringToObject(data, "VmId", json_str(source, "id", ""));
	cJSON_AddStringToObject(data, "FileName", base ? base + 1 : file);
	cJSON_AddStringToObject(data, "WinDriveLetter", json_str(disk, "winDriveLetter", ""));
	cJSON_AddBoolToObject(data, "Shared", cJSON_IsTrue(json_get(disk, "shared")));
	if (gotmpl_render(tmpl, data, &name, err) < 0) {
		rc = -1;
		goto out;
	}
	/* ValidateAndExecuteTemplate trims; ValidatePVCNameTemplateOutput
	 * wants the whole result to be a label, before any generateName '-'. */
	s = buf_str(&name);
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	snprintf(out, outsz, "%.*s", (int)n, s);
	if (!*out)
		rc = mtv_err_set(err, MTV_EXIT_USAGE, "template %s renders to nothing", tmpl);
	else if (!names_is_dns1123_label(out))
		rc = mtv_err_set(err, MTV_EXIT_USAGE, "template %s renders to \"%s\", not a DNS-1123 label "
				 "(at most 63 of [a-z0-9-], alphanumeric at both ends)", tmpl, out);
out:
	buf_release(&name);
	cJSON_Delete(data);
	return rc;
}

int plan_check_pvc_template(const struct plan_in *c, const char *plan_name, const cJSON *vms,
			    struct mtv_err *err)
{
	const char *tmpl = plan_pvc_template(c);
	const cJSON *vm;

	if (!tmpl)
		return 0;
	cJSON_ArrayForEach(vm, vms) {
		struct vm_disk disks[VM_DISKS_MAX];
		/* DiskIndex is the disk's place in Forklift's order */
		size_t n = vm_source_disks(c->type, vm, disks, VM_DISKS_MAX);
		char target[128], out[512];

		if (names_dns1123(json_str(vm, "name", ""), target, sizeof(target)) < 0)
			snprintf(target, sizeof(target), "%s", json_str(vm, "name", ""));
		/* A VM whose inventory lists no disks still gets the template
		 * checked once, so a syntax error never reaches the cluster. */
		for (size_t i = 0; i < (n ? n : 1); i++) {
			if (plan_pvc_name(tmpl, plan_name, vm, target, n ? disks[i].disk : NULL, (int)i, out,
					  sizeof(out), err) < 0)
				return mtv_err_prefix(err, "scenario %s: pvc_name_template (VM %s, disk %zu)",
						      c->scenario->name, json_str(vm, "name", "?"), i);
		}
	}
	return 0;
}


void plan_split(size_t nvms, size_t count, size_t index, size_t *first, size_t *len)
{
	size_t base = count ? nvms / count : 0, extra = count ? nvms % count : 0;

	*len = base + (index < extra);
	*first = index * base + (index < extra ? index : extra);
}

int plan_part_name(const char *first, size_t index, char *out, size_t outsz, struct mtv_err *err)
{
	int n = index ? snprintf(out, outsz, "%s-%zu", first, index + 1) : snprintf(out, outsz, "%s", first);

	if (n < 0 || (size_t)n >= outsz)
		return mtv_err_set(err, MTV_EXIT_USAGE, "plan name %s-%zu too long", first, index + 1);
	names_keep_last63(out);
	return 0;
}
