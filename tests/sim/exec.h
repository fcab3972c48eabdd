/* Migration execution: per-VM pipelines (ctl_exec.c), the destination
 * objects (ctl_dest.c) and hook Jobs (ctl_hooks.c). */
#ifndef MTV_SIM_EXEC_H
#define MTV_SIM_EXEC_H

#include "ctl.h"

/* Start, advance or finish the plan's execution.  st is the plan status
 * being built (its "migration" is updated in place), conds its
 * conditions, old the previous ones. */
void exec_plan(struct sim *sim, struct sobj *plan, cJSON *st, cJSON *conds, const cJSON *old);
/* Best-effort cleanup when a plan is archived: its pods go away. */
void exec_archive(struct sim *sim, struct sobj *plan);

/* Runtime state the status does not carry. */
struct vmrun {
	char key[300];
	double step_start;
	double precopy_start;
	double next_precopy;
	bool precopy_running;
	bool disks_created;
	char job[256];
};

/* What one plan's execution works with. */
struct ctx {
	struct sim *sim;
	struct sobj *plan;
	struct sobj *mig;
	cJSON *src;		/* source Provider CR */
	cJSON *wprov;		/* world provider */
	const char *type;	/* source type */
	bool warm;
	const char *tns;
	const char *plan_uid, *mig_uid;
	cJSON *nmap, *smap;	/* the maps' objects */
	const cJSON *fc;	/* ForkliftController spec */
	char now[32];
};

/* ctl_exec.c */
bool exec_windows_reboot(struct ctx *c, const cJSON *vm, const cJSON *pvm);

/* ctl_dest.c: Forklift starts this Windows guest (wait-for-reboot on, the
 * target not "off"), whatever the source's power. */
bool dest_windows_starts(struct ctx *c, const cJSON *vm, const cJSON *pvm);
/* ctl_dest.c: labels, names and the objects Forklift creates (section 6) */
cJSON *dest_vm_labels(struct ctx *c, const char *vmid);
cJSON *dest_meta(const char *name, const char *gen, const char *ns, cJSON *labels);
void dest_owner_ref(cJSON *o, const cJSON *owner, bool controller);
void dest_lower(char *s);
const cJSON *dest_map_entry(const cJSON *map, const char *id, const char *name);
const char *dest_src_name(struct ctx *c, const char *coll, const char *id);
const char *dest_target_name(const cJSON *vmst);
void dest_create_disks(struct ctx *c, const cJSON *vm, const cJSON *pvm, const cJSON *vmst, const char *vmid);
/* Call fn on each object of the kind in ns carrying the plan's (and, when
 * vmid is set, the VM's) labels. */
void dest_each(struct ctx *c, const char *group, const char *version, const char *plural, const char *vmid,
	       const char *ns, void (*fn)(struct ctx *, struct sobj *, void *), void *arg);
void dest_dv_progress(struct ctx *c, struct sobj *so, void *arg);	/* arg: double fraction */
void dest_delete(struct ctx *c, struct sobj *so, void *arg);
void dest_pod_phase(struct ctx *c, struct sobj *so, void *arg);		/* arg: phase string */
void dest_set_log(struct sim *sim, const char *ns, const char *name, const char *text);
void dest_conversion_pod(struct ctx *c, const cJSON *vm, const char *vmid);
void dest_create_vm(struct ctx *c, const cJSON *vm, const cJSON *pvm, cJSON *vmst, const char *vmid);
/* Why Forklift's builder could not map the VM's networks (OpenStack: no
 * map entry with the network's id), or NULL. */
const char *dest_network_error(struct ctx *c, const cJSON *vm);

/* ctl_hooks.c: PreHook/PostHook Jobs */
void exec_hook_start(struct ctx *c, struct vmrun *run, const cJSON *pvm, const char *step, const char *vmid);
/* Finish the hook's Job; the failure message in msg, or NULL on success. */
const char *exec_hook_finish(struct ctx *c, struct vmrun *run, const cJSON *pvm, const char *step, char *msg,
			     size_t msgsz);

#endif
