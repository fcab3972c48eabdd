/* mtv-plan: the Plan for the scenario's VMs, wired to the session's
 * providers and maps, waited on until Ready. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "cluster_edits.h"
#include "hooks.h"
#include "json.h"
#include "log.h"
#include "maps.h"
#include "names.h"
#include "plan_objects.h"
#include "provider_objects.h"
#include "stepctx.h"
#include "vm_checks.h"
#include "wait.h"

static struct step_param params[] = {
	STEP_SCENARIO_PARAMS,
	{ "MTV_INVENTORY_TIMEOUT", "inventory-timeout", "300",
	  "seconds to wait for the scenario's VMs to appear in the inventory", 0, NULL },
	{ "MTV_PLAN_READY_TIMEOUT", "plan-ready-timeout", "360", "seconds to wait for the Plan to be Ready", 0, NULL },
	{ "MTV_HOOK_IMAGE", "hook-image", HOOK_DEFAULT_IMAGE,
	  "the image that runs the scenario's hook playbooks", 0, NULL },
	{ "MTV_SNAPSHOTS_INTERVAL", "snapshots-interval", "2",
	  "warm: minutes between precopies (ForkliftController controller_precopy_interval; restored by mtv-teardown)",
	  0, NULL },
	{ "MTV_PLAN_COUNT", "plan-count", "1",
	  "split the scenario's VMs into this many Plans, in scenario order (mtv-api-tests' simultaneous "
	  "migrations: 2 plans of one VM each)", 0, NULL },
};

/* More Plans than this is a typo, not a test. */
#define PLAN_COUNT_MAX 64

static struct step step = {
	.name = "mtv-plan",
	.summary = "Create the Plan for the scenario's VMs (ids from the inventory, the plan fields the\n"
		   "scenario sets) on the session's providers and maps; wait until Ready.  On timeout\n"
		   "prints every blocking condition of the Plan and of its providers.  A pvc_name_template\n"
		   "that does not render to a DNS-1123 label for every disk is refused (exit 2) before\n"
		   "anything is created.  Writes mtv-plan.json, with each VM's expectedPower (Forklift starts\n"
		   "a Windows guest unless the target power is off).  MTV_PLAN_COUNT > 1 splits the VMs into\n"
		   "that many Plans (the first keeps the single Plan's name, the others add -2, -3 ...),\n"
		   "all waited on; mtv-plan.json lists them in \"plans\" and each VM's \"plan\".",
	.params = params,
	.nparams = sizeof(params) / sizeof(params[0]),
	.writes = true,
};

/* The plan's name: the one chosen by an earlier run, else a new one. */
static int choose_name(struct step_ctx *c, char *name, size_t namesz, struct mtv_err *err)
{
	struct plan_in in;
	cJSON *prev = NULL;
	const char *n;

	if (state_read_json(&step.state, PLAN_STATE, &prev, err) < 0)
		return -1;
	n = json_str(prev, "name", NULL);
	if (n && snprintf(name, namesz, "%s", n) < (int)namesz) {
		cJSON_Delete(prev);
		return 0;
	}
	cJSON_Delete(prev);
	in = step_ctx_plan_in(c);
	return plan_name(&in, name, namesz, err);
}

/* After a timeout, tell what blocks: the providers' conditions too. */
static void explain_providers(struct step_ctx *c, struct mtv_err *err)
{
	const char *names[] = { c->source_name, c->dest_name };
	struct buf why = BUF_INIT(8192);
	struct mtv_err ignored;

	for (size_t i = 0; i < 2; i++) {
		cJSON *p = NULL;

		if (kube_get(&c->kc, &KUBE_PROVIDERS, c->ns, names[i], &p, &ignored) < 0)
			continue;
		buf_addf(&why, "; Provider %s: ", names[i]);
		conditions_describe(p, &why, false);
		cJSON_Delete(p);
	}
	if (why.len) {
		size_t n = strlen(err->msg);

		snprintf(err->msg + n, sizeof(err->msg) - n, "%s", buf_str(&why));
	}
	buf_release(&why);
}

/* mtv-api-tests' warm fixture: the ForkliftController takes a precopy every
 * MTV_SNAPSHOTS_INTERVAL minutes instead of its default 60, and the operator
 * must have rolled that out before the migration starts.  The CRD declares
 * the field an int32 of at least 1: a string (what mtv-api-tests patches)
 * is refused with 422 by a current cluster. */
static int set_precopy_interval(struct step_ctx *c, long minutes, struct mtv_err *err)
{
	struct wait_condition done = { "Successful", "True", NULL };

	if (cluster_edit(&c->kc, &step.state, &KUBE_FORKLIFTCONTROLLERS, c->session.mtv_namespace,
			 "forklift-controller", "spec.controller_precopy_interval", cJSON_CreateNumber((double)minutes),
			 step.name, err) < 0)
		return mtv_err_prefix(err, "setting the precopy interval");
	log_info("ForkliftController %s/forklift-controller: controller_precopy_interval=%ld",
		 c->session.mtv_namespace, minutes);
	struct wait_spec w = {
		.type = &KUBE_FORKLIFTCONTROLLERS, .ns = c->session.mtv_namespace, .name = "forklift-controller",
		.what = "to reconcile (Successful)", .timeout_ms = 300000,
		.pred = wait_pred_condition, .arg = &done,
	};
	return wait_for(&c->kc, &w, NULL, err);
}

/* Forklift copies a warm vSphere plan's disks through VDDK and, without an
 * image on the Provider (settings.vddkInitImage) or a global one
 * (ForkliftController spec.vddk_image), leaves the Plan with the Critical
 * VDDKInitImageUnavailable for ever (validateVddkImage).  Say so before
 * anything is created. */
static int require_vddk_image(struct step_ctx *c, struct mtv_err *err)
{
	cJSON *provider = NULL, *fc = NULL;
	int found;

	if (kube_get(&c->kc, &KUBE_PROVIDERS, c->ns, c->source_name, &provider, err) < 0)
		return mtv_err_prefix(err, "reading the source Provider");
	found = *json_str(provider, "spec.settings.vddkInitImage", "") != '\0';
	cJSON_Delete(provider);
	if (found)
		return 0;
	if (kube_get(&c->kc, &KUBE_FORKLIFTCONTROLLERS, c->session.mtv_namespace, "forklift-controller", &fc,
		     err) < 0)
		return mtv_err_prefix(err, "reading the global VDDK image");
	found = *json_str(fc, "spec.vddk_image", "") != '\0';
	cJSON_Delete(fc);
	if (found)
		return 0;
	return mtv_err_set(err, MTV_EXIT_USAGE,
			   "scenario %s is a warm vSphere migration, which needs a VDDK image: set \"vddk_init_image\" "
			   "of \"%s\" in the providers file (and re-run mtv-create-provider) or spec.vddk_image of "
			   "ForkliftController %s/forklift-controller",
			   c->scenario.name, json_str(c->providers, "source.key", c->source_name),
			   c->session.mtv_namespace);
}

/* mtv-api-tests labels a worker with target_node_selector (null values:
 * the session id) so the migrated VM has somewhere to go; the label is a
 * cluster edit that mtv-teardown takes back.  Returns the node's name. */
static int label_node(struct step_ctx *c, char *node, size_t nodesz, struct mtv_err *err)
{
	const cJSON *sel = scenario_key(&c->scenario, "target_node_selector"), *it;
	cJSON *nodes = NULL, *wanted;
	const cJSON *chosen = NULL, *n;
	char path[512];

	node[0] = '\0';
	if (!cJSON_IsObject(sel) || !sel->child)
		return 0;
	if (kube_list(&c->kc, &KUBE_NODES, NULL, NULL, &nodes, NULL, err) < 0)
		return -1;
	/* A worker, by name order, so re-runs pick the same one. */
	cJSON_ArrayForEach(n, nodes) {
		const char *name = json_str(n, "metadata.name", "");

		if (json_get(n, "metadata.labels[\"node-role.kubernetes.io/master\"]") ||
		    json_get(n, "metadata.labels[\"node-role.kubernetes.io/control-plane\"]"))
			continue;
		if (!chosen || strcmp(name, json_str(chosen, "metadata.name", "")) < 0)
			chosen = n;
	}
	if (!chosen) {
		cJSON_Delete(nodes);
		return mtv_err_set(err, MTV_EXIT_ENV, "no worker node to label for target_node_selector");
	}
	snprintf(node, nodesz, "%s", json_str(chosen, "metadata.name", ""));
	cJSON_Delete(nodes);
	wanted = plan_session_map(sel, c->session.id);
	cJSON_ArrayForEach(it, wanted) {
		snprintf(path, sizeof(path), "metadata.labels[\"%s\"]", it->string);
		if (cluster_edit(&c->kc, &step.state, &KUBE_NODES, NULL, node, path,
				 cJSON_CreateString(it->valuestring), step.name, err) < 0) {
			cJSON_Delete(wanted);
			return mtv_err_prefix(err, "labelling node %s", node);
		}
		log_info("labelled node %s with %s=%s", node, it->string, it->valuestring);
	}
	cJSON_Delete(wanted);
	return 0;
}

static cJSON *vm_namespace_build(struct step_ctx *c, const char *name)
{
	cJSON *ns = ensure_skeleton(&c->ensure, &KUBE_NAMESPACES, NULL, name);
	cJSON *labels = json_get(ns, "metadata.labels");

	cJSON_AddStringToObject(labels, "mutatevirtualmachines.kubemacpool.io", "ignore");
	return ns;
}

/* Forklift's FEATURE_WINDOWS_WAIT_FOR_REBOOT, from the ForkliftController's
 * feature_windows_wait_for_reboot ("true" by default in its CRD; the
 * operator reads it with Ansible's bool filter).  Unreadable: the default. */
static bool windows_wait_for_reboot(struct step_ctx *c)
{
	static const char *const no[] = { "false", "no", "off", "0", "n", NULL };
	struct mtv_err e;
	cJSON *fc = NULL;
	bool on = true;

	if (kube_get(&c->kc, &KUBE_FORKLIFTCONTROLLERS, c->session.mtv_namespace, "forklift-controller", &fc, &e) < 0) {
		log_warn("ForkliftController %s/forklift-controller: %s; taking Windows wait-for-reboot as on (the default)",
			 c->session.mtv_namespace, e.msg);
		return true;
	}
	for (int i = 0; no[i]; i++)
		if (!strcasecmp(json_str(fc, "spec.feature_windows_wait_for_reboot", "true"), no[i]))
			on = false;
	cJSON_Delete(fc);
	return on;
}

/* created: the Plans made so far, in split order; the VMs of those only. */
static int write_state(struct step_ctx *c, const cJSON *created, size_t count, const cJSON *vms,
		       const char *vm_ns, const char *node, struct mtv_err *err)
{
	bool win_reboot = windows_wait_for_reboot(c);
	const cJSON *plan = cJSON_GetArrayItem(created, 0), *p;
	cJSON *doc = cJSON_CreateObject(), *list, *plans;
	size_t nvms = (size_t)cJSON_GetArraySize(vms), ncreated = (size_t)cJSON_GetArraySize(created);
	const cJSON *vm;
	size_t i = 0;
	int r;

	cJSON_AddStringToObject(doc, "name", json_str(plan, "metadata.name", ""));
	cJSON_AddStringToObject(doc, "namespace", c->ns);
	cJSON_AddStringToObject(doc, "uid", json_str(plan, "metadata.uid", ""));
	plans = cJSON_AddArrayToObject(doc, "plans");
	cJSON_ArrayForEach(p, created) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "name", json_str(p, "metadata.name", ""));
		cJSON_AddStringToObject(e, "uid", json_str(p, "metadata.uid", ""));
		cJSON_AddItemToArray(plans, e);
	}
	list = cJSON_AddArrayToObject(doc, "vms");
	cJSON_AddStringToObject(doc, "vmNamespace", vm_ns);
	cJSON_AddStringToObject(doc, "scenario", c->scenario.name);
	cJSON_AddBoolToObject(doc, "warm", c->scenario.warm);
	if (*node)
		cJSON_AddStringToObject(doc, "selectedNode", node);
	/* What mtv-migrate must accept as success. */
	if (!strcmp(c->scenario.expected_migration_result, "fail")) {
		const char *step_name = hook_expected_failed_step(c->scenario.plan);

		cJSON_AddStringToObject(doc, "expectedResult", "fail");
		cJSON_AddStringToObject(doc, "expectedFailedStep", step_name ? step_name : "");
	}
	cJSON_ArrayForEach(vm, vms) {
		size_t part = 0, first, len;
		cJSON *e;

		for (; part < count; part++) {
			plan_split(nvms, count, part, &first, &len);
			if (i < first + len)
				break;
		}
		if (part >= ncreated) {
			i++;
			continue;
		}
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "id", json_str(vm, "id", ""));
		cJSON_AddStringToObject(e, "name", json_str(vm, "name", ""));
		/* The power the scenario asked for, else what the inventory said
		 * before the migration changed it: what check-vms expects back. */
		const char *src_power = *c->scenario.vms[i].source_vm_power ? c->scenario.vms[i].source_vm_power
									   : vm_source_power(c->type, vm);

		cJSON_AddStringToObject(e, "sourcePower", src_power);
		/* What the destination VM's run strategy will be: Forklift
		 * starts a Windows guest unless the target is "off". */
		cJSON_AddStringToObject(e, "expectedPower",
					vm_expected_power(c->type, vm, c->scenario.target_power_state, src_power, win_reboot));
		cJSON_AddStringToObject(e, "plan", json_str(cJSON_GetArrayItem(created, (int)part), "metadata.name", ""));
		i++;
		cJSON_AddItemToArray(list, e);
	}
	r = state_write_json(&step.state, PLAN_STATE, doc, err);
	cJSON_Delete(doc);
	return r;
}

/* The VMs of Plan part of a split (references into vms). */
static cJSON *part_vms(const cJSON *vms, size_t count, size_t part)
{
	cJSON *out = cJSON_CreateArray();
	size_t first, len;

	plan_split((size_t)cJSON_GetArraySize(vms), count, part, &first, &len);
	for (size_t i = first; i < first + len; i++)
		cJSON_AddItemReferenceToArray(out, cJSON_GetArrayItem(vms, (int)i));
	return out;
}

static int wait_ready(struct step_ctx *c, const char *name, bool one, long ready_timeout, double t0,
		      struct mtv_err *err)
{
	char tc[200];

	snprintf(tc, sizeof(tc), one ? "plan is Ready" : "plan %s is Ready", name);
	log_info("waiting up to %lds for Plan %s/%s to be Ready", ready_timeout, c->ns, name);
	struct wait_spec w = {
		.type = &KUBE_PLANS, .ns = c->ns, .name = name, .what = "to be Ready",
		.timeout_ms = ready_timeout * 1000, .pred = forklift_ready_pred,
		.arg = (void *)&FORKLIFT_READY_PLAN,
	};
	if (wait_for(&c->kc, &w, NULL, err) < 0) {
		if (err->code == MTV_EXIT_TIMEOUT)
			explain_providers(c, err);
		step_case(&step, tc, step_now() - t0, JUNIT_FAILED, err->msg, NULL);
		return -1;
	}
	step_case(&step, tc, step_now() - t0, JUNIT_PASSED, NULL, NULL);
	return 0;
}

static int run(struct step_ctx *c, struct mtv_err *err)
{
	long inv_timeout, ready_timeout, precopy_minutes, count;
	cJSON *maps = NULL, *vms = NULL, *objects = cJSON_CreateArray(), *item;
	cJSON *plans = cJSON_CreateArray(), *created = cJSON_CreateArray(), *extra_hooks = cJSON_CreateArray();
	struct plan_refs refs;
	struct plan_in in;
	struct buf lines = BUF_INIT(1 << 16);
	char first[128], node[256] = "";
	double t0 = step_now();
	int rc = -1;

	if (step_get_seconds(&step, "MTV_INVENTORY_TIMEOUT", &inv_timeout, err) < 0 ||
	    step_get_seconds(&step, "MTV_PLAN_READY_TIMEOUT", &ready_timeout, err) < 0 ||
	    step_get_positive(&step, "MTV_SNAPSHOTS_INTERVAL", "minutes", INT32_MAX, &precopy_minutes, err) < 0 ||
	    step_get_positive(&step, "MTV_PLAN_COUNT", "plans", PLAN_COUNT_MAX, &count, err) < 0 ||
	    step_ctx_open(c, CTX_SESSION | CTX_SCENARIO | CTX_INVENTORY, err) < 0 ||
	    step_ctx_require_state(c, MAPS_STATE, "mtv-storagemap and mtv-networkmap", &maps, err) < 0)
		goto out;
	if ((size_t)count > c->scenario.nvms) {
		mtv_err_set(err, MTV_EXIT_USAGE, "MTV_PLAN_COUNT=%ld: scenario %s has %zu VM(s), and every Plan needs one",
			    count, c->scenario.name, c->scenario.nvms);
		goto out;
	}
	if (c->scenario.warm && !provider_supports_warm(c->type)) {
		mtv_err_set(err, MTV_EXIT_USAGE, "scenario %s is warm, but a %s source does not support warm migration",
			    c->scenario.name, provider_type_name(c->type));
		goto out;
	}
	if (c->scenario.warm && c->type == PROVIDER_VSPHERE && require_vddk_image(c, err) < 0)
		goto out;
	refs.storage_map = json_str(maps, "storageMap.name", NULL);
	refs.network_map = json_str(maps, "networkMap.name", NULL);
	if (!refs.storage_map || !refs.network_map) {
		mtv_err_set(err, MTV_EXIT_USAGE, "%s/%s: needs storageMap and networkMap; run %s first",
			    step.state.dir, MAPS_STATE, refs.storage_map ? "mtv-networkmap" : "mtv-storagemap");
		goto out;
	}
	refs.vm_namespace = json_str(c->scenario.plan, "vm_target_namespace", c->ns);
	in = step_ctx_plan_in(c);
	if (source_vms_find(&c->source, &c->scenario, inv_timeout * 1000, step_interrupt_flag(), &vms, err) < 0 ||
	    choose_name(c, first, sizeof(first), err) < 0)
		goto out;
	if (strcmp(refs.vm_namespace, c->ns)) {
		struct mtv_err e;
		cJSON *existing = NULL;

		/* A namespace that is already there (someone else's, or
		 * "default") is used as it is, never adopted or deleted. */
		if (kube_get(&c->kc, &KUBE_NAMESPACES, NULL, refs.vm_namespace, &existing, &e) == 0 &&
		    strcmp(json_str(existing, "metadata.labels[\"" LABEL_SESSION "\"]", ""), c->session.id))
			log_info("VMs go to the existing namespace %s", refs.vm_namespace);
		else
			cJSON_AddItemToArray(objects, vm_namespace_build(c, refs.vm_namespace));
		cJSON_Delete(existing);
	}
	for (long p = 0; p < count; p++) {
		cJSON *part = part_vms(vms, (size_t)count, (size_t)p), *obj;
		char name[128];
		int r;

		if (plan_part_name(first, (size_t)p, name, sizeof(name), err) < 0 ||
		    /* Forklift would only mark the Plan NotValid; say so before creating it. */
		    plan_check_pvc_template(&in, name, part, err) < 0) {
			cJSON_Delete(part);
			goto out;
		}
		obj = plan_build(&in, name, part, &refs);
		cJSON_Delete(part);
		/* The Hooks are shared: made once, referred to by every Plan. */
		r = plan_add_hooks(&in, step_get(&step, "MTV_HOOK_IMAGE"), p ? extra_hooks : objects, obj, err);
		cJSON_AddItemToArray(plans, obj);
		if (r < 0)
			goto out;
	}
	/* The Plans last: they refer to everything before them. */
	cJSON_ArrayForEach(item, plans)
		cJSON_AddItemReferenceToArray(objects, item);
	if (step.dry_run) {
		step_ctx_print(c, objects, NULL);
		rc = 0;
		goto out;
	}
	cJSON_ArrayForEach(item, objects) {
		const char *kind = json_str(item, "kind", "");

		if (!strcmp(kind, "Plan"))
			break;
		if (ensure_object(&c->ensure, !strcmp(kind, "Namespace") ? &KUBE_NAMESPACES : &KUBE_HOOKS,
				  !strcmp(kind, "Namespace") ? NULL : c->ns, item, NULL, NULL, err) < 0)
			goto out;
	}
	if (c->scenario.warm && set_precopy_interval(c, precopy_minutes, err) < 0)
		goto out;
	if (label_node(c, node, sizeof(node), err) < 0)
		goto out;
	cJSON_ArrayForEach(item, plans) {
		cJSON *made = NULL;

		if (ensure_object(&c->ensure, &KUBE_PLANS, c->ns, item, &made, NULL, err) < 0)
			goto out;
		cJSON_AddItemToArray(created, made);
		/* Recorded as soon as it exists, so a re-run reuses this name. */
		if (write_state(c, created, (size_t)count, vms, refs.vm_namespace, node, err) < 0)
			goto out;
	}
	cJSON_ArrayForEach(item, created) {
		const char *name = json_str(item, "metadata.name", "");

		if (wait_ready(c, name, count == 1, ready_timeout, t0, err) < 0)
			goto out;
		log_info("Plan %s/%s is Ready (%d VMs → namespace %s)", c->ns, name,
			 cJSON_GetArraySize(json_get(item, "spec.vms")), refs.vm_namespace);
		buf_addf(&lines, "plan/%s\n", name);
	}
	if (count == 1) {
		step_ctx_print(c, cJSON_GetArrayItem(created, 0), buf_str(&lines));
	} else {
		cJSON *list = cJSON_CreateObject();

		cJSON_AddStringToObject(list, "apiVersion", "v1");
		cJSON_AddStringToObject(list, "kind", "List");
		cJSON_AddItemReferenceToObject(list, "items", created);
		step_ctx_print(c, list, buf_str(&lines));
		cJSON_Delete(list);
	}
	rc = 0;
out:
	buf_release(&lines);
	cJSON_Delete(maps);
	cJSON_Delete(vms);
	cJSON_Delete(objects);
	cJSON_Delete(plans);
	cJSON_Delete(created);
	cJSON_Delete(extra_hooks);
	return rc;
}

int main(int argc, char **argv)
{
	return step_ctx_main(&step, argc, argv, run);
}
