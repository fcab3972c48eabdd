/* Migration execution (forklift-api.md 3.1-3.6): a pipeline per VM with
 * the real step names for the source type and migration type, steps that
 * take simulated time (--speed), warm precopies until cutover, cancel,
 * failure injection from the world, and the plan's start and end.  The
 * objects the steps create live in ctl_dest.c and ctl_hooks.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exec.h"
#include "log.h"

#define MIB_PER_GIB 1024.0

struct stepdef {
	const char *name;
	const char *desc;
	const char *phase;	/* the VM phase shown while the step runs */
	bool disk;		/* has per-disk tasks and MB progress */
	double secs;		/* default simulated duration (per disk for disk steps) */
};

static const struct stepdef steps[] = {
	{ "Initialize", "Initialize migration.", "StorePowerState", false, 10 },
	{ "PreHook", "Run pre-migration hook.", "PreHook", false, 30 },
	{ "PreflightInspection", "Inspect VM before migration.", "PreflightInspection", false, 30 },
	{ "DiskAllocation", "Allocate disks.", "AllocateDisks", true, 5 },
	{ "DiskTransfer", "Transfer disks.", "CopyDisks", true, 120 },
	{ "ConvertOpenstackSnapshot", "Convert OpenStack snapshot.", "ConvertOpenstackSnapshot", false, 30 },
	{ "Cutover", "Finalize disk transfer.", "Finalize", true, 30 },
	{ "ImageConversion", "Convert image to kubevirt.", "ConvertGuest", false, 120 },
	{ "DiskTransferV2v", "Copy disks.", "CopyDisksVirtV2V", true, 120 },
	{ "VirtualMachineCreation", "Create VM.", "CreateVM", false, 10 },
	{ "WaitForGuestReboots", "Wait for Windows guest reboot after conversion.", "WaitForGuestReboots", false, 60 },
	{ "PostHook", "Run post-migration hook.", "PostHook", false, 30 },
	{ "WaitForFinalSnapshotConsolidation", "Waiting for final snapshot removal and consolidation",
	  "WaitForFinalSnapshotRemoval", false, 10 },
};

static const struct stepdef *stepdef(const char *name)
{
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (!strcmp(steps[i].name, name))
			return &steps[i];
	return &steps[0];
}


static struct vmrun *runs;
static size_t nruns, capruns;

static struct vmrun *run_get(const char *plan_uid, const char *vmid)
{
	char key[300];

	snprintf(key, sizeof(key), "%s/%s", plan_uid, vmid);
	for (size_t i = 0; i < nruns; i++)
		if (!strcmp(runs[i].key, key))
			return &runs[i];
	if (nruns == capruns) {
		capruns = capruns ? capruns * 2 : 64;
		runs = realloc(runs, capruns * sizeof(*runs));
		if (!runs)
			abort();
	}
	memset(&runs[nruns], 0, sizeof(runs[nruns]));
	snprintf(runs[nruns].key, sizeof(runs[nruns].key), "%s", key);
	return &runs[nruns++];
}


static double step_secs(struct ctx *c, const cJSON *vm, const char *name)
{
	const cJSON *o = json_get(vm, "stepSeconds");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	const struct stepdef *d = stepdef(name);
	int ndisks = cJSON_GetArraySize(json_get(vm, "disks"));

	(void)c;
	if (cJSON_IsNumber(v))
		return v->valuedouble;
	return d->disk ? d->secs * (ndisks ? ndisks : 1) : d->secs;
}

static bool reached(struct ctx *c, double start, double secs)
{
	return c->sim->speed == 0 || sim_now(c->sim) - start >= secs;
}

static time_t sim_wall(struct sim *sim)
{
	return sim->start_wall + (time_t)sim_now(sim);
}

/* ---- the pipeline ---- */

bool exec_windows_reboot(struct ctx *c, const cJSON *vm, const cJSON *pvm)
{
	/* the WaitForGuestReboots step also needs a guest conversion */
	return dest_windows_starts(c, vm, pvm) && (!strcmp(c->type, "vsphere") || !strcmp(c->type, "ova"));
}

static bool has_hook(const cJSON *pvm, const char *step)
{
	const cJSON *h;

	cJSON_ArrayForEach(h, json_get(pvm, "hooks"))
		if (!strcmp(json_str(h, "step", ""), step))
			return true;
	return false;
}

static void add_step(cJSON *pipe, const char *name, struct ctx *c, const cJSON *vm)
{
	const struct stepdef *d = stepdef(name);
	cJSON *s = cJSON_CreateObject(), *p;
	const cJSON *disk;
	double total = 0;
	int i = 0;

	cJSON_AddStringToObject(s, "name", name);
	cJSON_AddStringToObject(s, "description", d->desc);
	cJSON_AddStringToObject(s, "phase", "Pending");
	p = cJSON_AddObjectToObject(s, "progress");
	if (d->disk) {
		cJSON *tasks = cJSON_AddArrayToObject(s, "tasks"), *an;
		cJSON_ArrayForEach(disk, json_get(vm, "disks")) {
			cJSON *t = cJSON_CreateObject(), *tp, *ta;
			double mb = ceil(cJSON_GetNumberValue(json_get(disk, "capacityGiB")) * MIB_PER_GIB);
			char tname[512];
			if (!strcmp(c->type, "vsphere") || !strcmp(c->type, "ova"))
				snprintf(tname, sizeof(tname), "%s", json_str(disk, "file", ""));
			else if (!strcmp(c->type, "openshift"))
				snprintf(tname, sizeof(tname), "%s/%s-disk-%d", json_str(c->wprov, "namespace", "mtv-source-vms"),
					 json_str(vm, "name", ""), i);
			else
				snprintf(tname, sizeof(tname), "%s", json_str(disk, "id", ""));
			cJSON_AddStringToObject(t, "name", tname);
			cJSON_AddStringToObject(t, "phase", "Pending");
			tp = cJSON_AddObjectToObject(t, "progress");
			cJSON_AddNumberToObject(tp, "completed", 0);
			cJSON_AddNumberToObject(tp, "total", mb);
			ta = cJSON_AddObjectToObject(t, "annotations");
			cJSON_AddStringToObject(ta, "unit", "MB");
			cJSON_AddItemToArray(tasks, t);
			total += mb;
			i++;
		}
		an = cJSON_AddObjectToObject(s, "annotations");
		cJSON_AddStringToObject(an, "unit", "MB");
	} else {
		total = 1;
	}
	cJSON_AddNumberToObject(p, "completed", 0);
	cJSON_AddNumberToObject(p, "total", total);
	cJSON_AddItemToArray(pipe, s);
}

static cJSON *build_pipeline(struct ctx *c, const cJSON *vm, const cJSON *pvm)
{
	cJSON *p = cJSON_CreateArray();
	bool pre = has_hook(pvm, "PreHook"), post = has_hook(pvm, "PostHook");
	const char *t = c->type;

	add_step(p, "Initialize", c, vm);
	if (pre)
		add_step(p, "PreHook", c, vm);
	if (!strcmp(t, "vsphere") && c->warm) {
		add_step(p, "PreflightInspection", c, vm);
		add_step(p, "DiskTransfer", c, vm);
		add_step(p, "Cutover", c, vm);
		add_step(p, "ImageConversion", c, vm);
		add_step(p, "VirtualMachineCreation", c, vm);
		if (exec_windows_reboot(c, vm, pvm))
			add_step(p, "WaitForGuestReboots", c, vm);
		if (post)
			add_step(p, "PostHook", c, vm);
		add_step(p, "WaitForFinalSnapshotConsolidation", c, vm);
		return p;
	}
	if (!strcmp(t, "vsphere") || !strcmp(t, "ova")) {
		add_step(p, "DiskAllocation", c, vm);
		add_step(p, "ImageConversion", c, vm);
		add_step(p, "DiskTransferV2v", c, vm);
		add_step(p, "VirtualMachineCreation", c, vm);
		if (exec_windows_reboot(c, vm, pvm))
			add_step(p, "WaitForGuestReboots", c, vm);
	} else {
		add_step(p, "DiskTransfer", c, vm);
		if (c->warm && !strcmp(t, "ovirt"))
			add_step(p, "Cutover", c, vm);
		if (!strcmp(t, "openstack"))
			add_step(p, "ConvertOpenstackSnapshot", c, vm);
		add_step(p, "VirtualMachineCreation", c, vm);
	}
	if (post)
		add_step(p, "PostHook", c, vm);
	return p;
}

/* ---- VM state machine ---- */

static cJSON *step_at(cJSON *vmst, int i)
{
	return cJSON_GetArrayItem(json_get(vmst, "pipeline"), i);
}

static int current_step(cJSON *vmst)
{
	cJSON *s;
	int i = 0;

	cJSON_ArrayForEach(s, json_get(vmst, "pipeline")) {
		if (strcmp(json_str(s, "phase", ""), "Completed"))
			return i;
		i++;
	}
	return -1;
}

static void set_str(cJSON *o, const char *key, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	cJSON_AddStringToObject(o, key, v);
}

static void set_progress(cJSON *step, double frac)
{
	cJSON *tasks = cJSON_GetObjectItemCaseSensitive(step, "tasks"), *t;
	cJSON *p = cJSON_GetObjectItemCaseSensitive(step, "progress");
	double total = 0, done = 0;

	/* whole percents: finer progress would rewrite the plan every tick */
	frac = frac >= 1 ? 1 : floor(frac * 100) / 100;
	if (tasks) {
		cJSON_ArrayForEach(t, tasks) {
			cJSON *tp = cJSON_GetObjectItemCaseSensitive(t, "progress");
			double tot = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(tp, "total"));
			double cmp = floor(tot * frac);
			cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(tp, "completed"), cmp);
			set_str(t, "phase", frac >= 1 ? "Completed" : "Running");
			total += tot;
			done += cmp;
		}
		cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(p, "completed"), done);
		cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(p, "total"), total);
	} else {
		cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(p, "completed"), frac >= 1 ? 1 : 0);
	}
}

static void vm_condition(struct ctx *c, cJSON *vmst, const char *type, const char *reason, const char *msg)
{
	cJSON *conds = cJSON_GetObjectItemCaseSensitive(vmst, "conditions");

	if (!conds)
		conds = cJSON_AddArrayToObject(vmst, "conditions");
	(void)c;
	cond_add(conds, NULL, type, "Advisory", reason, msg, NULL, true);
}

static void cleanup_vm(struct ctx *c, const char *vmid, bool dest)
{
	dest_each(c, "", "v1", "pods", vmid, c->tns, dest_delete, NULL);
	if (!dest)
		return;
	dest_each(c, "kubevirt.io", "v1", "virtualmachineinstances", vmid, c->tns, dest_delete, NULL);
	dest_each(c, "kubevirt.io", "v1", "virtualmachines", vmid, c->tns, dest_delete, NULL);
	dest_each(c, "cdi.kubevirt.io", "v1beta1", "datavolumes", vmid, c->tns, dest_delete, NULL);
	dest_each(c, "", "v1", "persistentvolumeclaims", vmid, c->tns, dest_delete, NULL);
}

static bool delete_on_fail(struct ctx *c, const cJSON *pvm)
{
	const cJSON *v = json_get(pvm, "deleteVmOnFailMigration");

	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v);
	v = json_get(c->plan->o, "spec.deleteVmOnFailMigration");
	return !cJSON_IsBool(v) || cJSON_IsTrue(v);
}

/* End the VM: every started step is completed, conditions and cleanup. */
static void finish_vm(struct ctx *c, cJSON *vmst, const cJSON *pvm, const char *vmid, const char *cond,
		      const char *reason, const char *msg)
{
	cJSON *s;

	cJSON_ArrayForEach(s, json_get(vmst, "pipeline"))
		if (!strcmp(json_str(s, "phase", ""), "Running")) {
			set_str(s, "phase", "Completed");
			set_str(s, "completed", c->now);
		}
	set_str(vmst, "phase", "Completed");
	set_str(vmst, "completed", c->now);
	vm_condition(c, vmst, cond, reason, msg);
	if (!strcmp(cond, "Succeeded")) {
		dest_each(c, "", "v1", "pods", vmid, c->tns, dest_pod_phase, "Succeeded");
		if (cJSON_IsTrue(json_get(c->plan->o, "spec.deleteGuestConversionPod")))
			cleanup_vm(c, vmid, false);
	} else {
		bool copied = cJSON_IsTrue(json_get(vmst, "disksCopied"));
		cleanup_vm(c, vmid, delete_on_fail(c, pvm) && !copied);
	}
}

static void fail_vm(struct ctx *c, cJSON *vmst, cJSON *step, const cJSON *pvm, const char *vmid, const char *why)
{
	cJSON *err = cJSON_CreateObject(), *reasons = cJSON_AddArrayToObject(err, "reasons");

	cJSON_AddStringToObject(err, "phase", json_str(vmst, "phase", ""));
	cJSON_AddItemToArray(reasons, cJSON_CreateString(why));
	cJSON_DeleteItemFromObjectCaseSensitive(step, "error");
	cJSON_AddItemToObject(step, "error", cJSON_Duplicate(err, 1));
	cJSON_DeleteItemFromObjectCaseSensitive(vmst, "error");
	cJSON_AddItemToObject(vmst, "error", err);
	finish_vm(c, vmst, pvm, vmid, "Failed", NULL, "The VM migration has FAILED.");
}

static bool cutover_due(struct ctx *c, const char *vmid)
{
	const cJSON *e;
	const char *when = NULL;
	struct tm tm;

	cJSON_ArrayForEach(e, json_get(c->mig->o, "spec.vmCutover"))
		if (!strcmp(json_str(e, "id", ""), vmid))
			when = json_str(e, "cutover", NULL);
	if (!when)
		when = json_str(c->mig->o, "spec.cutover", NULL);
	if (!when)
		return false;
	if (c->sim->speed == 0)
		return true;
	memset(&tm, 0, sizeof(tm));
	if (!strptime(when, "%Y-%m-%dT%H:%M:%S", &tm))
		return true;
	return timegm(&tm) <= sim_wall(c->sim);
}

static double precopy_interval(struct ctx *c)
{
	const cJSON *v = json_get(c->fc, "controller_precopy_interval");
	double m = cJSON_IsNumber(v) ? v->valuedouble : cJSON_IsString(v) ? atof(v->valuestring) : 60;

	return m * 60;
}

static void warm_precopy_start(struct ctx *c, struct vmrun *run, cJSON *vmst)
{
	cJSON *warm = cJSON_GetObjectItemCaseSensitive(vmst, "warm"), *pcs, *pc;

	pcs = cJSON_GetObjectItemCaseSensitive(warm, "precopies");
	if (!pcs)
		pcs = cJSON_AddArrayToObject(warm, "precopies");
	pc = cJSON_CreateObject();
	cJSON_AddStringToObject(pc, "start", c->now);
	cJSON_AddItemToArray(pcs, pc);
	run->precopy_running = true;
	run->precopy_start = sim_now(c->sim);
	set_str(vmst, "phase", "CopyDisks");
}

static void warm_precopy_end(struct ctx *c, struct vmrun *run, cJSON *vmst)
{
	cJSON *warm = cJSON_GetObjectItemCaseSensitive(vmst, "warm");
	cJSON *pcs = cJSON_GetObjectItemCaseSensitive(warm, "precopies");
	cJSON *pc = cJSON_GetArrayItem(pcs, cJSON_GetArraySize(pcs) - 1);
	cJSON *succ = cJSON_GetObjectItemCaseSensitive(warm, "successes");
	char next[32];
	double iv = precopy_interval(c);

	set_str(pc, "end", c->now);
	cJSON_SetNumberValue(succ, succ->valuedouble + 1);
	run->precopy_running = false;
	run->next_precopy = sim_now(c->sim) + (c->sim->speed > 0 ? iv : 0);
	/* shown in wall-clock time: the real seconds the interval takes at this speed */
	sim_time_rfc3339(time(NULL) + (time_t)(c->sim->speed > 0 ? iv / c->sim->speed : 0), next, sizeof(next));
	set_str(warm, "nextPrecopyAt", next);
	set_str(vmst, "phase", "CopyingPaused");
}

/* Run the VM one step further; returns true when something changed. */
static bool advance(struct ctx *c, cJSON *vmst, const cJSON *pvm, const cJSON *vm, const char *vmid)
{
	struct vmrun *run = run_get(c->plan_uid, vmid);
	int idx = current_step(vmst);
	cJSON *step;
	const char *name;
	double secs;

	if (idx < 0) {
		finish_vm(c, vmst, pvm, vmid, "Succeeded", NULL, "The VM migration has SUCCEEDED.");
		log_info("plan %s/%s: VM %s migrated", c->plan->ns, c->plan->name, vmid);
		return true;
	}
	step = step_at(vmst, idx);
	name = json_str(step, "name", "");
	secs = step_secs(c, vm, name);
	if (!strcmp(json_str(step, "phase", ""), "Pending")) {
		set_str(step, "phase", "Running");
		set_str(step, "started", c->now);
		set_str(vmst, "phase", stepdef(name)->phase);
		run->step_start = sim_now(c->sim);
		if (!strcmp(name, "Initialize") && c->warm)
			set_str(vmst, "phase", "CreateInitialSnapshot");
		if ((!strcmp(name, "DiskAllocation") || !strcmp(name, "DiskTransfer")) && !run->disks_created) {
			dest_create_disks(c, vm, pvm, vmst, vmid);
			run->disks_created = true;
		}
		if (!strcmp(name, "PreHook") || !strcmp(name, "PostHook"))
			exec_hook_start(c, run, pvm, name, vmid);
		if (!strcmp(name, "ImageConversion"))
			dest_conversion_pod(c, vm, vmid);
		if (!strcmp(name, "VirtualMachineCreation")) {
			const char *nerr = dest_network_error(c, vm);

			if (nerr) {
				fail_vm(c, vmst, step, pvm, vmid, nerr);
				return true;
			}
			dest_create_vm(c, vm, pvm, vmst, vmid);
		}
		if (!strcmp(name, "DiskTransfer") && c->warm)
			warm_precopy_start(c, run, vmst);
		return true;
	}
	/* running */
	if (!strcmp(name, "DiskTransfer") && c->warm) {
		double pcs = step_secs(c, vm, "DiskTransfer");
		if (run->precopy_running) {
			double frac = c->sim->speed == 0 ? 1 : (sim_now(c->sim) - run->precopy_start) / pcs;
			set_progress(step, frac);
			dest_each(c, "cdi.kubevirt.io", "v1beta1", "datavolumes", vmid, c->tns, dest_dv_progress, &(double){ frac > 1 ? 1 : frac });
			if (reached(c, run->precopy_start, pcs)) {
				warm_precopy_end(c, run, vmst);
				return true;
			}
			return false;
		}
		if (cutover_due(c, vmid))
			goto done;
		/* With no delays a precopy still waits half a real second, so
		 * clients can see CopyingPaused between precopies. */
		if (sim_now(c->sim) >= run->next_precopy + (c->sim->speed > 0 ? 0 : 0.5)) {
			warm_precopy_start(c, run, vmst);
			return c->sim->speed > 0;
		}
		return false;
	}
	if (stepdef(name)->disk) {
		double frac = c->sim->speed == 0 ? 1 : (sim_now(c->sim) - run->step_start) / (secs > 0 ? secs : 1);
		set_progress(step, frac);
		if (!strcmp(name, "DiskTransfer") || !strcmp(name, "DiskTransferV2v"))
			dest_each(c, "cdi.kubevirt.io", "v1beta1", "datavolumes", vmid, c->tns, dest_dv_progress,
				       &(double){ frac > 1 ? 1 : frac });
	}
	if (!reached(c, run->step_start, secs))
		return false;
done:
	{
		const char *fstep = json_str(vm, "fail.step", "");
		char msg[512];
		const char *hookerr = NULL;

		if (!strcmp(name, "PreHook") || !strcmp(name, "PostHook"))
			hookerr = exec_hook_finish(c, run, pvm, name, msg, sizeof(msg));
		if (hookerr) {
			fail_vm(c, vmst, step, pvm, vmid, hookerr);
			return true;
		}
		if (!strcmp(fstep, name)) {
			const char *m = json_str(vm, "fail.message", "");
			char def[300];
			snprintf(def, sizeof(def), "injected failure at step %s", name);
			fail_vm(c, vmst, step, pvm, vmid, *m ? m : def);
			return true;
		}
	}
	set_progress(step, 1);
	set_str(step, "phase", "Completed");
	set_str(step, "completed", c->now);
	if (!strcmp(name, "DiskTransfer") || !strcmp(name, "DiskTransferV2v") || !strcmp(name, "Cutover")) {
		double one = 1;
		dest_each(c, "cdi.kubevirt.io", "v1beta1", "datavolumes", vmid, c->tns, dest_dv_progress, &one);
		if (strcmp(name, "DiskTransfer") || !c->warm) {
			cJSON_DeleteItemFromObjectCaseSensitive(vmst, "disksCopied");
			cJSON_AddBoolToObject(vmst, "disksCopied", true);
		}
	}
	if (current_step(vmst) < 0) {
		finish_vm(c, vmst, pvm, vmid, "Succeeded", NULL, "The VM migration has SUCCEEDED.");
		return true;
	}
	return true;
}

static const cJSON *plan_vm_for(struct ctx *c, const cJSON *vmst)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, json_get(c->plan->o, "spec.vms"))
		if ((*json_str(v, "id", "") && !strcmp(json_str(v, "id", ""), json_str(vmst, "id", ""))) ||
		    (!*json_str(v, "id", "") && !strcmp(json_str(v, "name", ""), json_str(vmst, "name", ""))))
			return v;
	return NULL;
}

static bool cancel_requested(struct ctx *c, const cJSON *vmst)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, json_get(c->mig->o, "spec.cancel")) {
		const char *id = json_str(e, "id", ""), *name = json_str(e, "name", "");
		if ((*id && !strcmp(id, json_str(vmst, "id", ""))) || (*name && !strcmp(name, json_str(vmst, "name", ""))))
			return true;
	}
	return false;
}

static cJSON *snap_ref(const cJSON *o)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "namespace", json_str(o, "metadata.namespace", ""));
	cJSON_AddStringToObject(r, "name", json_str(o, "metadata.name", ""));
	cJSON_AddStringToObject(r, "uid", json_str(o, "metadata.uid", ""));
	cJSON_AddNumberToObject(r, "generation", cJSON_GetNumberValue(json_get(o, "metadata.generation")));
	return r;
}

static struct sobj *pending_migration(struct sim *sim, struct sobj *plan)
{
	const struct restype *rt = rt_of("forklift.konveyor.io", "v1beta1", "migrations");
	struct sobj *best = NULL;

	for (struct sobj *so = store_first(&sim->store, rt); so; so = so->kind_next) {
		const cJSON *cs = json_get(so->o, "status.conditions");
		const char *pns = json_str(so->o, "spec.plan.namespace", "");
		if (strcmp(json_str(so->o, "spec.plan.name", ""), plan->name) ||
		    strcmp(*pns ? pns : so->ns, plan->ns) || json_get(so->o, "metadata.deletionTimestamp"))
			continue;
		if (cond_has(cs, "Succeeded") || cond_has(cs, "Failed") || cond_has(cs, "Canceled") ||
		    json_get(so->o, "status.completed"))
			continue;
		if (!best || strcmp(json_str(so->o, "metadata.creationTimestamp", ""), json_str(best->o, "metadata.creationTimestamp", "")) < 0 ||
		    (!strcmp(json_str(so->o, "metadata.creationTimestamp", ""), json_str(best->o, "metadata.creationTimestamp", "")) &&
		     strcmp(so->name, best->name) < 0))
			best = so;
	}
	return best;
}

static void ensure_namespace(struct sim *sim, const char *ns)
{
	if (!store_ns_exists(&sim->store, ns, NULL)) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "metadata"), "name", ns);
		ctl_create(sim, rt_of("", "v1", "namespaces"), "", o);
	}
}

static bool setup_ctx(struct sim *sim, struct sobj *plan, struct ctx *c)
{
	struct sobj *src, *nm, *sm;

	memset(c, 0, sizeof(*c));
	c->sim = sim;
	c->plan = plan;
	src = ctl_ref(sim, rt_of("forklift.konveyor.io", "v1beta1", "providers"), json_get(plan->o, "spec.provider.source"), plan->ns);
	nm = ctl_ref(sim, rt_of("forklift.konveyor.io", "v1beta1", "networkmaps"), json_get(plan->o, "spec.map.network"), plan->ns);
	sm = ctl_ref(sim, rt_of("forklift.konveyor.io", "v1beta1", "storagemaps"), json_get(plan->o, "spec.map.storage"), plan->ns);
	if (!src || !nm || !sm)
		return false;
	c->src = src->o;
	c->wprov = src_world_provider(sim, src->o);
	if (!c->wprov)
		return false;
	c->type = json_str(src->o, "spec.type", "");
	c->warm = cJSON_IsTrue(json_get(plan->o, "spec.warm")) || !strcmp(json_str(plan->o, "spec.type", ""), "warm");
	c->tns = json_str(plan->o, "spec.targetNamespace", "");
	c->plan_uid = json_str(plan->o, "metadata.uid", "");
	c->nmap = nm->o;
	c->smap = sm->o;
	c->fc = ctl_forklift_controller_spec(sim);
	sim_now_rfc3339(c->now, sizeof(c->now));
	return true;
}

static void record_final(struct sim *sim, struct sobj *plan, const char *cond)
{
	cJSON *plans = cJSON_GetObjectItemCaseSensitive(sim->stats, "plans"), *e;
	char key[600], ts[32];

	snprintf(key, sizeof(key), "%s/%s", plan->ns, plan->name);
	sim_now_rfc3339(ts, sizeof(ts));
	cJSON_DeleteItemFromObjectCaseSensitive(plans, key);
	e = cJSON_AddObjectToObject(plans, key);
	cJSON_AddStringToObject(e, "condition", cond);
	cJSON_AddStringToObject(e, "at", ts);
	cJSON_AddNumberToObject(e, "simulatedSeconds", sim_now(sim));
}

void exec_plan(struct sim *sim, struct sobj *plan, cJSON *st, cJSON *conds, const cJSON *old)
{
	struct ctx c;
	cJSON *mig = cJSON_GetObjectItemCaseSensitive(st, "migration"), *hist, *snap, *vms, *v;
	bool executing = cond_has(old, "Executing");
	bool all_done = true, any_failed = false, any_ok = false;
	const char *final;

	if (!executing) {
		struct sobj *m;
		const cJSON *pv;
		cJSON *newvms;

		if (cond_has(old, "Succeeded") || cond_blocked(conds) || !cond_has(conds, "Ready"))
			return;
		m = pending_migration(sim, plan);
		if (!m || !setup_ctx(sim, plan, &c))
			return;
		c.mig = m;
		c.mig_uid = json_str(m->o, "metadata.uid", "");
		if (!mig)
			mig = cJSON_AddObjectToObject(st, "migration");
		hist = cJSON_GetObjectItemCaseSensitive(mig, "history");
		if (!hist)
			hist = cJSON_AddArrayToObject(mig, "history");
		snap = cJSON_CreateObject();
		{
			cJSON *sc = cJSON_AddArrayToObject(snap, "conditions"), *pr, *mp;
			struct sobj *dst = ctl_ref(sim, rt_of("forklift.konveyor.io", "v1beta1", "providers"),
						   json_get(plan->o, "spec.provider.destination"), plan->ns);
			cond_add(sc, NULL, "Executing", "Advisory", NULL, "The plan is EXECUTING.", NULL, true);
			pr = cJSON_AddObjectToObject(snap, "provider");
			cJSON_AddItemToObject(pr, "source", snap_ref(c.src));
			cJSON_AddItemToObject(pr, "destination", snap_ref(dst ? dst->o : c.src));
			cJSON_AddItemToObject(snap, "plan", snap_ref(plan->o));
			mp = cJSON_AddObjectToObject(snap, "map");
			cJSON_AddItemToObject(mp, "network", snap_ref(c.nmap));
			cJSON_AddItemToObject(mp, "storage", snap_ref(c.smap));
			cJSON_AddItemToObject(snap, "migration", snap_ref(m->o));
		}
		cJSON_AddItemToArray(hist, snap);
		set_str(mig, "started", c.now);
		cJSON_DeleteItemFromObjectCaseSensitive(mig, "completed");
		for (int i = cJSON_GetArraySize(conds) - 1; i >= 0; i--) {
			const char *t = json_str(cJSON_GetArrayItem(conds, i), "type", "");
			if (!strcmp(t, "Failed") || !strcmp(t, "Canceled") || !strcmp(t, "Succeeded"))
				cJSON_DeleteItemFromArray(conds, i);
		}
		cond_add(conds, old, "Executing", "Advisory", NULL, "The plan is EXECUTING.", NULL, true);
		ensure_namespace(sim, c.tns);
		newvms = cJSON_CreateArray();
		cJSON_ArrayForEach(pv, json_get(plan->o, "spec.vms")) {
			int count;
			cJSON *wvm = src_vm_find(sim, c.wprov, json_str(pv, "id", ""), json_str(pv, "name", ""), &count);
			const char *vmid = wvm ? src_vm_id(sim, c.wprov, wvm) : json_str(pv, "id", "");
			const cJSON *prev;
			cJSON *vs = NULL;
			char nn[256];

			cJSON_ArrayForEach(prev, json_get(mig, "vms"))
				if (!strcmp(json_str(prev, "id", ""), vmid) && cond_has(json_get(prev, "conditions"), "Succeeded"))
					vs = cJSON_Duplicate(prev, 1);
			if (!vs) {
				struct vmrun *run = run_get(c.plan_uid, vmid);
				memset(run->job, 0, sizeof(run->job));
				run->precopy_running = false;
				run->disks_created = false;
				vs = cJSON_Duplicate(pv, 1);
				set_str(vs, "id", vmid);
				set_str(vs, "name", json_str(wvm, "name", json_str(pv, "name", "")));
				if (!strcmp(c.type, "openshift"))
					set_str(vs, "namespace", json_str(c.wprov, "namespace", "mtv-source-vms"));
				set_str(vs, "phase", "Started");
				cJSON_AddItemToObject(vs, "pipeline", build_pipeline(&c, wvm, pv));
				set_str(vs, "started", c.now);
				set_str(vs, "restorePowerState", !strcmp(json_str(wvm, "power", "off"), "on") ? "On" : "Off");
				sim_vm_newname(*json_str(pv, "targetName", "") ? json_str(pv, "targetName", "") : json_str(wvm, "name", ""),
					       nn, sizeof(nn));
				if (strcmp(nn, json_str(wvm, "name", "")) || *json_str(pv, "targetName", ""))
					set_str(vs, "newName", nn);
				if (c.warm) {
					cJSON *w = cJSON_AddObjectToObject(vs, "warm");
					cJSON_AddNumberToObject(w, "successes", 0);
					cJSON_AddNumberToObject(w, "failures", 0);
					cJSON_AddNumberToObject(w, "consecutiveFailures", 0);
				}
			}
			cJSON_AddItemToArray(newvms, vs);
		}
		cJSON_DeleteItemFromObjectCaseSensitive(mig, "vms");
		cJSON_AddItemToObject(mig, "vms", newvms);
		ctl_event(sim, plan->o, "Normal", "MigrationStarted", "The plan is EXECUTING.");
		return;
	}

	/* executing */
	hist = cJSON_GetObjectItemCaseSensitive(mig, "history");
	snap = cJSON_GetArrayItem(hist, cJSON_GetArraySize(hist) - 1);
	if (!setup_ctx(sim, plan, &c))
		return;
	c.mig = store_find(&sim->store, rt_of("forklift.konveyor.io", "v1beta1", "migrations"),
			   json_str(snap, "migration.namespace", ""), json_str(snap, "migration.name", ""));
	vms = cJSON_GetObjectItemCaseSensitive(mig, "vms");
	if (!c.mig || strcmp(json_str(c.mig->o, "metadata.uid", ""), json_str(snap, "migration.uid", ""))) {
		/* the active Migration was deleted */
		c.mig_uid = json_str(snap, "migration.uid", "");
		cJSON_ArrayForEach(v, vms)
			if (!json_get(v, "completed"))
				finish_vm(&c, v, plan_vm_for(&c, v), json_str(v, "id", ""), "Canceled", "Deleted",
					  "The migration has been deleted.");
		cJSON *sc = cJSON_GetObjectItemCaseSensitive(snap, "conditions");
		cJSON_DeleteItemFromObjectCaseSensitive(snap, "conditions");
		sc = cJSON_AddArrayToObject(snap, "conditions");
		cond_add(sc, NULL, "Canceled", "Advisory", "Deleted", "The migration has been deleted.", NULL, true);
		for (int i = cJSON_GetArraySize(conds) - 1; i >= 0; i--)
			if (!strcmp(json_str(cJSON_GetArrayItem(conds, i), "type", ""), "Executing"))
				cJSON_DeleteItemFromArray(conds, i);
		cond_add(conds, old, "Canceled", "Advisory", "Deleted", "The migration has been deleted.", NULL, true);
		set_str(mig, "completed", c.now);
		record_final(sim, plan, "Canceled");
		return;
	}
	c.mig_uid = json_str(c.mig->o, "metadata.uid", "");
	cJSON_ArrayForEach(v, vms) {
		const cJSON *pvm = plan_vm_for(&c, v);
		int count;
		cJSON *wvm = src_vm_find(sim, c.wprov, json_str(v, "id", ""), NULL, &count);
		const char *vmid = json_str(v, "id", "");

		if (json_get(v, "completed"))
			continue;
		if (cancel_requested(&c, v)) {
			finish_vm(&c, v, pvm, vmid, "Canceled", "UserRequested", "The migration has been canceled.");
			continue;
		}
		if (!wvm) {
			finish_vm(&c, v, pvm, vmid, "Canceled", "NotFound", "VM was not found in inventory.");
			continue;
		}
		for (int guard = 0; guard < 64; guard++)
			if (!advance(&c, v, pvm, wvm, vmid) || json_get(v, "completed") || sim->speed > 0)
				break;
	}
	cJSON_ArrayForEach(v, vms) {
		const cJSON *vc = json_get(v, "conditions");
		if (!json_get(v, "completed"))
			all_done = false;
		if (cond_has(vc, "Failed"))
			any_failed = true;
		if (cond_has(vc, "Succeeded"))
			any_ok = true;
	}
	if (!all_done)
		return;
	final = any_failed ? "Failed" : any_ok ? "Succeeded" : "Canceled";
	{
		cJSON *sc;
		const char *msg = any_failed ? "The plan execution has FAILED." : any_ok ? "The plan execution has SUCCEEDED."
							 : "The plan execution has been CANCELED.";
		cJSON_DeleteItemFromObjectCaseSensitive(snap, "conditions");
		sc = cJSON_AddArrayToObject(snap, "conditions");
		cond_add(sc, NULL, final, "Advisory", NULL, msg, NULL, true);
		for (int i = cJSON_GetArraySize(conds) - 1; i >= 0; i--)
			if (!strcmp(json_str(cJSON_GetArrayItem(conds, i), "type", ""), "Executing"))
				cJSON_DeleteItemFromArray(conds, i);
		cond_add(conds, old, final, "Advisory", NULL, msg, NULL, true);
		set_str(mig, "completed", c.now);
		record_final(sim, plan, final);
		ctl_event(sim, plan->o, any_failed ? "Warning" : "Normal", final, msg);
		log_info("plan %s/%s: %s", plan->ns, plan->name, msg);
	}
}

void exec_archive(struct sim *sim, struct sobj *plan)
{
	const struct restype *rt = rt_of("", "v1", "pods");
	const char *uid = json_str(plan->o, "metadata.uid", "");
	struct sobj *so, *next;

	/* store_delete removes at most the pod itself (the collector's work
	 * waits for store_gc), so the walk goes on from its successor */
	for (so = store_first(&sim->store, rt); so; so = next) {
		next = so->kind_next;
		if (!strcmp(json_str(so->o, "metadata.labels.plan", ""), uid) &&
		    !json_get(so->o, "metadata.deletionTimestamp"))
			cJSON_Delete(store_delete(&sim->store, so));
	}
}
