/* mtv-prepare-vms, private: what the step works out per scenario VM
 * (input.c), the vSphere side (source.c) and the run (prepare_vms.c). */
#ifndef MTV_PREPARE_VMS_H
#define MTV_PREPARE_VMS_H

#include <stdbool.h>

#include "providers.h"
#include "stepctx.h"
#include "vsphere.h"

#define CLONE_NAME_MAX 80	/* vSphere's limit on an entity name */

extern struct step prepare_step;

struct prep_disk {
	long long size_gb;
	const char *provisioning;	/* thin, thick-lazy, thick-eager */
	const char *mode;		/* persistent, independent_* */
	const char *datastore_id;	/* "" = the VM's first disk's */
	struct vsphere_moref datastore;
};

enum prep_action {
	PREP_CLONE,			/* clone it now */
	PREP_ADOPT,			/* our clone from an earlier run */
	PREP_USE,			/* no clone: the source VM itself */
};

struct prep_vm {
	const char *source;		/* the scenario's name */
	char name[CLONE_NAME_MAX + 1];	/* the clone's name, or source */
	enum prep_action action;
	const char *disk_type;		/* "" = as the source */
	const char *datastore_id;	/* "" = the source's */
	struct vsphere_moref datastore;
	struct prep_disk *disks;	/* add_disks */
	size_t ndisks;
	long snapshots;
	const char *power;		/* "on", "off" or "" */
	/* What the preparation did, for the dry-run document and the logs. */
	size_t disks_added, snapshots_made;
	bool powered;
	double seconds;
};

struct prep {
	struct step_ctx *c;
	struct provider_entry provider;
	const char *providers_file;
	char providers_path[4200];
	bool warm, any_clone;
	struct prep_vm *vms;
	size_t n;
	/* the vSphere side */
	struct vsphere_client vc;
	bool vc_open, logged_in;
	struct vsphere_vm *src;		/* n source VMs, as vms */
	struct vsphere_vm *now;		/* n VMs worked on (clones or sources) */
	struct vsphere_datastore *ds;
	size_t nds;
};

/* input.c: the scenario's VM keys into p->vms, checked (MTV_EXIT_USAGE)
 * before anything is read from or written to the source. */
int prep_plan(struct prep *p, struct mtv_err *err);
/* The target_datastore_id and add_disks datastore ids against p->ds. */
int prep_check_datastores(struct prep *p, struct mtv_err *err);
/* What would be done, for --dry-run: for VMs that exist (p->now[i].name
 * set) only what is still missing on them. */
cJSON *prep_actions_doc(const struct prep *p);

/* source.c: the vSphere side. */
int prep_connect(struct prep *p, struct mtv_err *err);
/* Log out (the client's call counts stay readable), then release it. */
void prep_logout(struct prep *p);
void prep_release(struct prep *p);
/* Read the source VMs, the datastores and our earlier clones; decide
 * clone/adopt; a clone name held by a VM that is not ours fails
 * (MTV_EXIT_FAILED) before anything is cloned. */
int prep_survey(struct prep *p, struct mtv_err *err);
/* Clone, add disks, snapshot and power, VM by VM (JUnit case each). */
int prep_apply(struct prep *p, struct mtv_err *err);
/* Re-read every VM worked on (one bulk read) into p->now. */
int prep_reread(struct prep *p, struct mtv_err *err);
/* For --dry-run: p->now[i] for the VMs that exist already (adopted clones,
 * VMs used as they are); zeroed entries for the clones still to make. */
int prep_read_existing(struct prep *p, struct mtv_err *err);

/* What is already done on vm (src its source): how many of add_disks are
 * there (the disks beyond the source's count), whether it has a snapshot,
 * and the power change still needed ("on", "off" or NULL). */
size_t prep_disks_present(const struct vsphere_vm *src, const struct vsphere_vm *vm);
bool prep_has_snapshot(const struct vsphere_vm *vm, const char *name);
const char *prep_power_change(const struct prep_vm *v, const struct vsphere_vm *vm);

#endif
