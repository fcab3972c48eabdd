/* mtv-check-vms: compare every migrated VM with its source. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check_vms.h"
#include "json.h"
#include "log.h"
#include "gotmpl.h"
#include "names.h"
#include "plan_objects.h"
#include "source_facts.h"
#include "source_facts_schema.h"
#include "wait.h"
#include "stepctx.h"
#include "vm_checks.h"
#include "vm_source_checks.h"
#include "vsphere_source.h"

static struct step_param params[] = {
	STEP_SCENARIO_PARAMS,
	{ "MTV_GUEST_AGENT_TIMEOUT", "guest-agent-timeout", "300",
	  "seconds to wait for a running VM's guest agent (the scenario's guest_agent_timeout wins)", 0, NULL },
	STEP_PROVIDERS_FILE_PARAMS(" create-provider used: the vCenter\n"
				   "      credentials for the source snapshot check and the guest credentials\n"
				   "      (guest_vm_linux_user/password, guest_vm_win_user/password)"),
	{ "MTV_GUEST_CHECKS", "guest-checks", "true",
	  "log into every VM expected to run (SSH through the VMI's port-forward) and check its\n"
	  "      hostname, OS, NICs and static IPs from inside; false skips those cases", STEP_PARAM_BOOL, NULL },
	{ "MTV_SSH_TUNNEL", "ssh-tunnel", "native",
	  "the tunnel to the guest's port 22: native (KubeVirt's port-forward subresource over a\n"
	  "      WebSocket) or virtctl (virtctl port-forward, which must be on PATH)", 0, NULL },
	{ "MTV_SSH_RETRIES", "ssh-retries", "5",
	  "attempts at the whole connection (tunnel and login) while the guest boots", 0, NULL },
	{ "MTV_SSH_RETRY_DELAY", "ssh-retry-delay", "20", "seconds between those attempts", 0, NULL },
	{ "MTV_SSH_KEY_FILE", "ssh-key-file", NULL,
	  "a private key for the guest login (public key auth) instead of the password of\n"
	  "      .providers.json; the user is still the providers file's", 0, NULL },
	{ "MTV_GUEST_MARKER", "guest-marker", NULL,
	  "check the data-integrity marker mtv-prepare-vms wrote into each guest (set to any\n"
	  "      value to enable; a VM with no recorded marker is skipped with the reason)", 0, NULL },
};

static struct step step = {
	.name = "mtv-check-vms",
	.summary = "Check every migrated VM against its source: power state (the scenario's\n"
		   "target_power_state, else the source's), CPU sockets and cores, memory, every source\n"
		   "NIC's MAC on the network the NetworkMap names, disk count (an image-booted OpenStack\n"
		   "server has one more: its image), each disk's PVC (found by Forklift's disk-index,\n"
		   "else disk-source, annotation: the right source disk, the storage class, the\n"
		   "pvc_name_template name).  One JUnit test case per check; all failures are reported\n"
		   "together; exit 1 on any.  NICs are matched to networks as Forklift's builders do:\n"
		   "vSphere on the portgroup or opaque network key (else the id), OVA on the network\n"
		   "name, OpenStack per addresses network (its first address; the map entry's\n"
		   "source.id); oVirt NICs are checked for presence.  When mtv-prepare-vms recorded the\n"
		   "source facts ($SHARED_DIR/mtv-source-vms.json), each VM is also compared with what the\n"
		   "source API said then (\"source ...\" cases): CPU, memory, each NIC's MAC, disk count\n"
		   "and sizes, firmware and secure boot, the BIOS serial (the plain config.uuid or the\n"
		   "OpenShift 4.20 \"VMware-42 1c ...\" form), and on vSphere that the snapshots recorded on\n"
		   "the source VM are still there (re-read over vim25, one read for all VMs).  Inside every\n"
		   "VM expected to run (\"ssh login\", \"guest ...\" cases): an SSH login through the VMI's\n"
		   "port-forward, retried while the guest boots, then its hostname (the source guest's),\n"
		   "its OS family, its NICs' MACs and, with preserve_static_ips, every source static IP on\n"
		   "the interface with the source MAC (Linux ip -j addr, Windows Get-NetIPAddress); the\n"
		   "outputs go to $SHARED_DIR/mtv-guest-checks.json for mtv-gather, the host keys to\n"
		   "$ARTIFACT_DIR/guest/<vm>/host-key.",
	.params = params,
	.nparams = sizeof(params) / sizeof(params[0]),
};

/* Everything read from the cluster, once per namespace, and from the
 * source: the facts recorded at prepare time and the VMs as vCenter shows
 * them now (for the snapshot check). */
struct destination {
	cJSON *vms, *vmis, *pvcs, *network_map, *source_vms, *source_networks;
	const cJSON *facts;		/* mtv-source-vms.json (the context's), NULL when absent */
	struct vsphere_vm *now;		/* now[i] for now_names[i] */
	const char **now_names;
	size_t nnow;
	char now_skip[MTV_ERR_MSG_MAX + 64];	/* why the source could not be re-read */
};

static void destination_release(struct destination *d)
{
	vsphere_vms_free(d->now, d->nnow);
	free(d->now_names);
	cJSON_Delete(d->vms);
	cJSON_Delete(d->vmis);
	cJSON_Delete(d->pvcs);
	cJSON_Delete(d->network_map);
	cJSON_Delete(d->source_vms);
	cJSON_Delete(d->source_networks);
}

static const cJSON *find_by_label(const cJSON *items, const char *label, const char *value)
{
	const cJSON *it;
	char path[128];

	snprintf(path, sizeof(path), "metadata.labels[\"%s\"]", label);
	cJSON_ArrayForEach(it, items)
		if (!strcmp(json_str(it, path, ""), value))
			return it;
	return NULL;
}

static const cJSON *find_by_name(const cJSON *items, const char *name)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, items)
		if (!strcmp(json_str(it, "metadata.name", ""), name))
			return it;
	return NULL;
}

static int load_destination(struct step_ctx *c, const cJSON *plan_state, const cJSON *maps,
			    struct destination *d, struct mtv_err *err)
{
	const char *vm_ns = json_str(plan_state, "vmNamespace", c->ns);
	const char *map_name = json_str(maps, "networkMap.name", NULL);
	struct kube_list_opts by_plan = { 0 };
	char selector[4096];
	int r;

	snprintf(selector, sizeof(selector), "plan=%s", json_str(plan_state, "uid", ""));
	/* Several Plans (mtv-plan MTV_PLAN_COUNT): the VMs of every one. */
	if (cJSON_GetArraySize(json_get(plan_state, "plans")) > 1) {
		const cJSON *p;
		size_t used = (size_t)snprintf(selector, sizeof(selector), "plan in (");

		cJSON_ArrayForEach(p, json_get(plan_state, "plans"))
			if (used < sizeof(selector))
				used += (size_t)snprintf(selector + used, sizeof(selector) - used, "%s%s",
							 p == json_get(plan_state, "plans")->child ? "" : ",",
							 json_str(p, "uid", ""));
		if (used + 1 >= sizeof(selector))
			return mtv_err_set(err, MTV_EXIT_USAGE, "too many plans for one label selector");
		snprintf(selector + used, sizeof(selector) - used, ")");
	}
	by_plan.label_selector = selector;
	if (kube_list(&c->kc, &KUBE_VMS, vm_ns, &by_plan, &d->vms, NULL, err) < 0 ||
	    kube_list(&c->kc, &KUBE_VMIS, vm_ns, NULL, &d->vmis, NULL, err) < 0 ||
	    kube_list(&c->kc, &KUBE_PVCS, vm_ns, NULL, &d->pvcs, NULL, err) < 0)
		return -1;
	if (map_name && kube_get(&c->kc, &KUBE_NETWORKMAPS, c->ns, map_name, &d->network_map, err) < 0)
		return -1;
	r = inventory_list(&c->inv, provider_type_name(c->type), c->source_uid, "vms", 4, &d->source_vms, err);
	if (r == INVENTORY_NOT_SYNCED)
		return mtv_err_set(err, MTV_EXIT_ENV, "inventory of %s is not synced", c->source_name);
	if (r < 0)
		return -1;
	/* The networks NICs and map entries resolve to (vm_checks.h). */
	if ((c->type == PROVIDER_VSPHERE || c->type == PROVIDER_OVA || c->type == PROVIDER_OPENSTACK) &&
	    inventory_list(&c->inv, provider_type_name(c->type), c->source_uid, "networks", 1, &d->source_networks,
			   err) != INVENTORY_OK)
		return -1;
	return 0;
}

/* The destination VM's name: what Forklift recorded, else the DNS-1123
 * form of the source name. */
static void destination_name(const cJSON *migration, const char *id, const char *source_name,
			     char *out, size_t outsz)
{
	const cJSON *vm;

	cJSON_ArrayForEach(vm, json_get(migration, "vms")) {
		if (!strcmp(json_str(vm, "id", ""), id) && *json_str(vm, "newName", "")) {
			snprintf(out, outsz, "%s", json_str(vm, "newName", ""));
			return;
		}
	}
	if (names_dns1123(source_name, out, outsz) < 0)
		snprintf(out, outsz, "%s", source_name);
}

static enum wait_verdict agent_connected(const cJSON *vmi, bool deleted, void *arg, struct buf *why)
{
	(void)arg;
	if (!vmi || deleted) {
		buf_addstr(why, "no VirtualMachineInstance");
		return WAIT_NOT_YET;
	}
	if (json_condition_is(json_get(vmi, "status.conditions"), "AgentConnected", "True"))
		return WAIT_DONE;
	buf_addstr(why, "AgentConnected is not True");
	return WAIT_NOT_YET;
}

/* Wait for the guest agent of a running VM; the VMI as it is then (or as it
 * was at the deadline) replaces *vmi.  The check itself reports a timeout. */
static int wait_guest_agent(struct step_ctx *c, const char *ns, const char *name, cJSON **vmi,
			    struct mtv_err *err)
{
	long long timeout = 0;
	struct mtv_err e;
	cJSON *fresh = NULL;

	if (json_get_int_opt(c->scenario.plan, "guest_agent_timeout", &timeout, NULL) < 0 || timeout <= 0) {
		long t;

		if (step_get_seconds(&step, "MTV_GUEST_AGENT_TIMEOUT", &t, err) < 0)
			return -1;
		timeout = t;
	}
	struct wait_spec w = {
		.type = &KUBE_VMIS, .ns = ns, .name = name, .what = "to report AgentConnected",
		.timeout_ms = (long)timeout * 1000, .pred = agent_connected,
	};
	if (wait_for(&c->kc, &w, &fresh, &e) < 0) {
		if (e.code == 130 || e.code == 143) {
			*err = e;
			return -1;
		}
		log_warn("%s", e.msg);
		if (kube_get(&c->kc, &KUBE_VMIS, ns, name, &fresh, &e) < 0)
			return 0;
	}
	cJSON_Delete(*vmi);
	*vmi = fresh;
	return 0;
}

/* The PVC names the plan's pvcNameTemplate gives this VM's disks, as
 * [{"name": exact} | {"prefix": generateName}] in disk order; NULL when the
 * scenario sets no template (the controller's default is version-dependent
 * and not ours to assert). */
static cJSON *expected_pvc_names(struct step_ctx *c, const char *plan_name, const cJSON *source,
				 const char *target_name)
{
	const struct plan_in in = step_ctx_plan_in(c);
	const char *tmpl = plan_pvc_template(&in);
	const cJSON *use_gen;
	struct vm_disk disks[VM_DISKS_MAX];
	size_t n;
	cJSON *out;
	bool generate;

	if (!tmpl)
		return NULL;
	use_gen = scenario_key(&c->scenario, "pvc_name_template_use_generate_name");
	generate = use_gen ? cJSON_IsTrue(use_gen) : c->type != PROVIDER_OPENSHIFT;
	/* DiskIndex is the disk's place in Forklift's order */
	n = vm_source_disks(c->type, source, disks, VM_DISKS_MAX);
	out = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		cJSON *e = cJSON_CreateObject();
		struct mtv_err err;
		char name[512];

		if (plan_pvc_name(tmpl, plan_name, source, target_name, disks[i].disk, (int)i,
				  name, sizeof(name), &err) < 0) {
			/* Forklift names no PVC then (the Plan is NotValid): no
			 * name is expected, and the check says why. */
			cJSON_AddStringToObject(e, "invalid", err.msg);
		} else if (generate) {
			/* generateName: the label plus '-', cut to the 58
			 * characters the API server keeps before its suffix. */
			size_t len = strlen(name);

			if (len + 1 < sizeof(name)) {
				name[len] = '-';
				name[len + 1] = '\0';
			}
			name[58] = '\0';
			cJSON_AddStringToObject(e, "prefix", name);
		} else {
			cJSON_AddStringToObject(e, "name", name);
		}
		cJSON_AddItemToArray(out, e);
	}
	return out;
}

/* Re-read, in one vim25 property read, the source VMs whose recorded facts
 * list snapshots, so check_vm can tell whether they are still there.  A
 * source that cannot be read makes that check a skip with the reason (the
 * other checks do not need it); only an interrupt fails. */
static int reread_source(struct step_ctx *c, const cJSON *plan_state, struct destination *d, struct mtv_err *err)
{
	const cJSON *planned, *f;
	char pbuf[4200];
	const char *file = step_providers_path(&step, pbuf, sizeof(pbuf));
	struct vsphere_source_tls tls = { 0 };
	struct vsphere_client vc;
	struct mtv_err e = { 0 };
	size_t n = 0, cap = (size_t)cJSON_GetArraySize(json_get(plan_state, "vms"));

	if (c->type != PROVIDER_VSPHERE)
		return 0;
	d->now_names = calloc(cap + 1, sizeof(*d->now_names));
	if (!d->now_names)
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	cJSON_ArrayForEach(planned, json_get(plan_state, "vms")) {
		f = source_facts_find(d->facts, json_str(planned, "name", ""));
		if (f && cJSON_GetArraySize(json_get(f, "snapshots")) && n < cap)
			d->now_names[n++] = json_str(f, "name", "");
	}
	if (!n)
		return 0;
	if (!*file) {
		snprintf(d->now_skip, sizeof(d->now_skip), "no .providers.json for the vCenter credentials");
		return 0;
	}
	if (vsphere_source_tls_get(&c->kc, &step.state, c->providers, false, &tls, &e) < 0 ||
	    vsphere_source_connect(file, json_str(c->providers, "source.key", ""), &tls, step_interrupt_flag(), &vc,
				   &e) < 0) {
		vsphere_source_tls_release(&tls);
		if (e.code >= 128)
			return *err = e, -1;
		snprintf(d->now_skip, sizeof(d->now_skip), "cannot read the source VMs: %s", e.msg);
		log_warn("%s", d->now_skip);
		return 0;
	}
	vsphere_source_tls_release(&tls);
	if (vsphere_vms_get(&vc, d->now_names, n, &d->now, &e) < 0) {
		d->now = NULL;
		if (e.code >= 128) {
			vsphere_client_release(&vc);
			return *err = e, -1;
		}
		snprintf(d->now_skip, sizeof(d->now_skip), "cannot read the source VMs: %s", e.msg);
		log_warn("%s", d->now_skip);
	} else {
		d->nnow = n;
	}
	vsphere_logout(&vc, &(struct mtv_err){ 0 });
	log_debug("source re-read: %lu vim25 calls", vc.calls);
	vsphere_client_release(&vc);
	return 0;
}

/* The recorded snapshots still on the source VM (or why that is unknown). */
static void check_snapshots(const struct destination *d, const cJSON *facts, cJSON *results)
{
	const char *name = json_str(facts, "name", "");

	if (!cJSON_GetArraySize(json_get(facts, "snapshots")))
		return;
	for (size_t i = 0; i < d->nnow; i++) {
		if (strcmp(d->now_names[i], name))
			continue;
		vm_source_snapshots_check(facts, (const char *const *)d->now[i].snapshots, d->now[i].nsnapshots,
					  results);
		return;
	}
	vm_check_skip(results, "source snapshots", *d->now_skip ? d->now_skip : "the source VM was not re-read");
}

/* Check one VM; returns the number of failed checks. */
static int check_vm(struct step_ctx *c, const struct destination *d, const cJSON *planned,
		    const cJSON *plan_state, const cJSON *migration, const char *storage_class,
		    size_t index, struct guest_run *g, struct buf *failures, struct mtv_err *err)
{
	const char *id = json_str(planned, "id", ""), *src_name = json_str(planned, "name", id);
	const char *power = json_str(c->scenario.plan, "target_power_state", "");
	const char *vm_ns = json_str(plan_state, "vmNamespace", c->ns);
	const cJSON *vm, *r, *facts;
	cJSON *results = cJSON_CreateArray(), *vmi = NULL, *labels = NULL, *selector = NULL, *pvcs = NULL;
	char dest[128], tc[400];
	int failed = 0;

	/* mtv-plan recorded what Forklift will do (Windows guests are started
	 * unless the target is "off"); a state file from before that: "auto"
	 * and unset mean as the source was before the migration. */
	if (json_get(planned, "expectedPower"))
		power = json_str(planned, "expectedPower", "");
	else if (!*power || !strcmp(power, "auto"))
		power = json_str(planned, "sourcePower", "");
	destination_name(migration, id, src_name, dest, sizeof(dest));
	vm = find_by_label(d->vms, "vmID", id);
	if (!vm) {
		snprintf(tc, sizeof(tc), "%s: destination VM exists", src_name);
		step_case(&step, tc, 0, JUNIT_FAILED, "no VirtualMachine labelled with this VM id",
			  NULL);
		buf_addf(failures, "\nVM %s: no destination VirtualMachine (vmID=%s)", src_name, id);
		cJSON_Delete(results);
		return 1;
	}
	vmi = cJSON_Duplicate(find_by_name(d->vmis, json_str(vm, "metadata.name", dest)), 1);
	bool agent = index < c->scenario.nvms && c->scenario.vms[index].guest_agent && !strcmp(power, "on");

	if (agent && wait_guest_agent(c, vm_ns, json_str(vm, "metadata.name", dest), &vmi, err) < 0) {
		cJSON_Delete(results);
		cJSON_Delete(vmi);
		return -1;
	}
	if (json_get(c->scenario.plan, "target_labels"))
		labels = plan_session_map(json_get(c->scenario.plan, "target_labels"), c->session.id);
	if (json_get(c->scenario.plan, "target_node_selector"))
		selector = plan_session_map(json_get(c->scenario.plan, "target_node_selector"), c->session.id);
	struct vm_check_input in = {
		.type = c->type,
		.source = inventory_find(d->source_vms, id),
		.source_networks = d->source_networks,
		.vm = vm,
		.vmi = vmi,
		.pvcs = d->pvcs,
		.network_map = d->network_map,
		.expected_power = power,
		.storage_class = storage_class,
		.target_labels = labels,
		.node_selector = selector,
		.expected_node = json_str(plan_state, "selectedNode", NULL),
		.affinity = json_get(c->scenario.plan, "target_affinity"),
		.guest_agent = agent,
		.static_ips = cJSON_IsTrue(json_get(c->scenario.plan, "preserve_static_ips")),
	};
	pvcs = expected_pvc_names(c, json_str(planned, "plan", json_str(plan_state, "name", "")), in.source, json_str(vm, "metadata.name", dest));
	in.expected_pvcs = pvcs;
	if (!in.source) {
		snprintf(tc, sizeof(tc), "%s: source VM in inventory", src_name);
		step_case(&step, tc, 0, JUNIT_FAILED, "the source VM is gone from the inventory", NULL);
		buf_addf(failures, "\nVM %s: not in the source inventory any more", src_name);
		failed = 1;
		goto out;
	}
	vm_checks_run(&in, results);
	facts = source_facts_find(d->facts, src_name);
	if (facts) {
		vm_source_checks_run(&in, facts, results);
		check_snapshots(d, facts, results);
	} else if (d->facts) {
		vm_check_skip(results, "source facts", "mtv-source-vms.json has no record of this VM");
	}
	cJSON_ArrayForEach(r, results) {
		int ok = cJSON_IsTrue(json_get(r, "ok"));
		char msg[4500];

		snprintf(tc, sizeof(tc), "%s: %s", src_name, json_str(r, "check", ""));
		if (json_get(r, "skipped")) {
			step_case(&step, tc, 0, JUNIT_SKIPPED, json_str(r, "skipped", ""), NULL);
			continue;
		}
		snprintf(msg, sizeof(msg), "expected %s, got %s", json_str(r, "expected", ""), json_str(r, "actual", ""));
		step_case(&step, tc, 0, ok ? JUNIT_PASSED : JUNIT_FAILED, ok ? NULL : msg, NULL);
		if (!ok) {
			failed++;
			buf_addf(failures, "\nVM %s (%s): %s: %s", src_name, json_str(vm, "metadata.name", "?"),
				 json_str(r, "check", ""), msg);
		}
	}
	log_info("VM %s → %s: %d checks, %d failed", src_name, json_str(vm, "metadata.name", "?"),
		 cJSON_GetArraySize(results), failed);
	struct guest_vm gvm = {
		.name = src_name, .ns = vm_ns, .destination = json_str(vm, "metadata.name", dest),
		.source = in.source, .facts = facts, .power = power, .static_ips = in.static_ips,
	};
	if (guest_check_vm(g, c, &gvm, failures, &failed, err) < 0)
		failed = -1;
out:
	cJSON_Delete(results);
	cJSON_Delete(vmi);
	cJSON_Delete(labels);
	cJSON_Delete(selector);
	cJSON_Delete(pvcs);
	return failed;
}

/* With several Plans each VM is judged by its own Plan's migration
 * (mtv-migration.json "migrations"): NULL when it is to be checked, else
 * why not; *fails says whether that is a failure. */
static const char *vm_unchecked(const cJSON *plan_state, const cJSON *migration, const cJSON *planned,
				char *why, size_t whysz, bool *fails)
{
	const char *plan = json_str(planned, "plan", json_str(plan_state, "name", ""));
	const cJSON *m, *found = NULL;

	cJSON_ArrayForEach(m, json_get(migration, "migrations"))
		if (!strcmp(json_str(m, "plan", ""), plan))
			found = m;
	*fails = true;
	if (!found) {
		snprintf(why, whysz, "the migration of Plan %s has no result", plan);
		return why;
	}
	if (cJSON_IsTrue(json_get(found, "expectedFailure"))) {
		if (cJSON_IsTrue(json_get(found, "checkVms")))
			return NULL;
		*fails = false;
		snprintf(why, whysz, "the migration of Plan %s failed at PreHook as expected: no VM was migrated", plan);
		return why;
	}
	if (strcmp(json_str(found, "result", ""), "Succeeded")) {
		snprintf(why, whysz, "the migration of Plan %s did not succeed (%s)", plan, json_str(found, "result", ""));
		return why;
	}
	return NULL;
}

static int run(struct step_ctx *c, struct mtv_err *err)
{
	cJSON *plan_state = NULL, *migration = NULL, *maps = NULL;
	struct destination d = { 0 };
	struct guest_run g = { 0 };
	struct buf failures = BUF_INIT(1 << 20);
	const cJSON *planned;
	const char *result;
	size_t index = 0;
	int failed = 0, rc = -1;
	bool multi;

	/* bad input (a source facts file of the wrong shape) before the
	 * cluster is touched */
	if (step_ctx_open(c, CTX_SESSION | CTX_SCENARIO, err) < 0)
		goto out;
	d.facts = c->source_vms;
	if (d.facts) {
		char file[4200];

		snprintf(file, sizeof(file), "%s/%s", step.state.dir, SOURCE_VMS_STATE);
		if (source_facts_check_types(d.facts, file, err) < 0)
			goto out;
	}
	if (step_ctx_open(c, CTX_INVENTORY, err) < 0 ||
	    step_ctx_require_state(c, PLAN_STATE, "mtv-plan", &plan_state, err) < 0 ||
	    step_ctx_require_state(c, MIGRATION_STATE, "mtv-migrate", &migration, err) < 0 ||
	    step_ctx_require_state(c, MAPS_STATE, "mtv-storagemap", &maps, err) < 0)
		goto out;
	result = json_str(migration, "result", "");
	multi = cJSON_GetArraySize(json_get(plan_state, "plans")) > 1;
	if (multi)
		goto per_vm;
	if (cJSON_IsTrue(json_get(migration, "expectedFailure")) && !cJSON_IsTrue(json_get(migration, "checkVms"))) {
		/* The scenario expected a PreHook failure: nothing was migrated. */
		cJSON_ArrayForEach(planned, json_get(plan_state, "vms")) {
			char tc[300];

			snprintf(tc, sizeof(tc), "%s: checks", json_str(planned, "name", "?"));
			step_case(&step, tc, 0, JUNIT_SKIPPED,
				  "the migration failed at PreHook as expected: no VM was migrated", NULL);
		}
		log_info("nothing to check: the migration failed at PreHook, as the scenario expects");
		rc = 0;
		goto out;
	}
	if (strcmp(result, "Succeeded") && !cJSON_IsTrue(json_get(migration, "expectedFailure"))) {
		cJSON_ArrayForEach(planned, json_get(plan_state, "vms")) {
			char tc[300];

			snprintf(tc, sizeof(tc), "%s: checks", json_str(planned, "name", "?"));
			step_case(&step, tc, 0, JUNIT_SKIPPED, "the migration did not succeed", NULL);
		}
		mtv_err_set(err, MTV_EXIT_FAILED, "nothing to check: the migration of Plan %s %s",
			    json_str(plan_state, "name", "?"), *result ? result : "has no result");
		goto out;
	}
per_vm:
	if (guest_run_init(&g, &step, c, err) < 0)
		goto out;
	if (load_destination(c, plan_state, maps, &d, err) < 0)
		goto out;
	if (d.facts && reread_source(c, plan_state, &d, err) < 0)
		goto out;
	cJSON_ArrayForEach(planned, json_get(plan_state, "vms")) {
		char why[400], tc[300];
		bool fails;

		if (multi && vm_unchecked(plan_state, migration, planned, why, sizeof(why), &fails)) {
			snprintf(tc, sizeof(tc), "%s: checks", json_str(planned, "name", "?"));
			step_case(&step, tc, 0, JUNIT_SKIPPED, why, NULL);
			if (fails) {
				failed++;
				buf_addf(&failures, "\nVM %s: %s", json_str(planned, "name", "?"), why);
			}
			index++;
			continue;
		}
		int n = check_vm(c, &d, planned, plan_state, migration, json_str(maps, "storageMap.storageClass", ""),
				 index++, &g, &failures, err);

		if (n < 0)
			goto out;
		failed += n;
	}
	if (guest_run_finish(&g, err) < 0)
		goto out;
	if (failed) {
		mtv_err_set(err, MTV_EXIT_FAILED, "%d check(s) failed:%s", failed, buf_str(&failures));
		goto out;
	}
	log_info("all checks passed for %d VM(s)", cJSON_GetArraySize(json_get(plan_state, "vms")));
	rc = 0;
out:
	if (rc < 0 && err->code >= 128)
		/* interrupted: what the guests answered so far still counts */
		guest_run_finish(&g, &(struct mtv_err){ 0 });
	check_results_write(&step, plan_state);
	guest_run_release(&g);
	destination_release(&d);
	buf_release(&failures);
	cJSON_Delete(plan_state);
	cJSON_Delete(migration);
	cJSON_Delete(maps);
	return rc;
}

int main(int argc, char **argv)
{
	return step_ctx_main(&step, argc, argv, run);
}
