/* mtv-teardown: the source side.  mtv-prepare-vms clones the scenario's VMs
 * on the vCenter and snapshots the ones it does not clone, recording each in
 * the ledger (apiVersion vim25) before the call that makes it.  Teardown
 * destroys those clones and removes those snapshots after the destination
 * side, and sweeps for clones of the session the ledger lost: VMs named
 * "<session>-..." that carry our ownership mark (extraConfig
 * mtv-steps.session).  A VM without our mark is never touched, whatever its
 * name: it is reported as a leftover, so a person decides.
 *
 * Cost: one container view + property read lists the session's VMs (name,
 * power, mark) for the ledger entries and the sweep together; a clone then
 * costs its PowerOffVM_Task (when on) and Destroy_Task, each waited with
 * one WaitForUpdatesEx.  Only a ledger name outside the session prefix, or
 * a snapshot's VM, is looked up on its own (vsphere_vm_find).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "log.h"
#include "source_facts.h"
#include "teardown.h"

#define KIND_VM "SourceVirtualMachine"
#define KIND_SNAPSHOT "SourceVirtualMachineSnapshot"

int teardown_source_prepare(struct teardown *r, struct mtv_err *err)
{
	const struct state *st = &r->c->step->state;
	struct mtv_err e = { 0 };
	cJSON *facts = NULL;

	for (size_t k = 0; k < r->items.n; k++)
		r->source_wanted |= r->items.v[k].source;
	/* The ledger may have lost an entry; the source facts file says
	 * prepare-vms ran all the same. */
	if (!r->source_wanted && state_read_json(st, SOURCE_VMS_STATE, &facts, &e) == 0 && facts)
		r->source_wanted = true;
	cJSON_Delete(facts);
	if (!r->source_wanted)
		return 0;
	mtv_err_clear(&e);
	if (state_read_json(st, PROVIDERS_STATE, &r->providers_state, &e) < 0 || !r->providers_state) {
		if (!e.code)
			mtv_err_set(&e, MTV_EXIT_ENV, "%s/%s does not exist: which vCenter the session used is unknown",
				    st->dir, PROVIDERS_STATE);
		r->source_err = e;
		r->source_err.code = MTV_EXIT_ENV;
		return 0;
	}
	/* now, while the Provider Secret still exists: the destination side
	 * deletes it; the copy serves a re-run */
	if (vsphere_source_tls_get(&r->c->kc, st, r->providers_state, true, &r->tls, &e) < 0) {
		if (e.code >= 128)
			return *err = e, -1;
		r->source_err = e;
		r->source_err.code = MTV_EXIT_ENV;
	}
	return 0;
}

/* ---- ownership ---- */

/* NULL when vm is ours to destroy, else why not (in buf).  Without a
 * session (a replayed ledger) the mark must name the session the VM's name
 * starts with. */
static const char *not_ours(const struct teardown *r, const struct vsphere_vm *vm, char *buf, size_t bufsz)
{
	const char *mark = vm->session;

	if (!mark || !*mark) {
		snprintf(buf, bufsz, "not ours: no extraConfig mtv-steps.session mark; not destroyed");
		return buf;
	}
	if (r->c->have_session ? strcmp(mark, r->c->session.id) != 0
			       : strncmp(vm->name, mark, strlen(mark)) || vm->name[strlen(mark)] != '-') {
		snprintf(buf, bufsz, "not ours: extraConfig mtv-steps.session is %s; not destroyed", mark);
		return buf;
	}
	return NULL;
}

/* ---- the work ---- */

static int failed(struct item *i, const char *verb, const struct mtv_err *e, struct mtv_err *err)
{
	if (e->code >= 128) {
		*err = *e;
		return -1;
	}
	i->state = ITEM_LEFT;
	snprintf(i->why, sizeof(i->why), "error: cannot %s (%s)", verb, e->msg);
	return 0;
}

static int destroy_vm(struct teardown *r, struct vsphere_client *vc, struct item *i, const struct vsphere_vm *vm,
		      struct mtv_err *err)
{
	struct mtv_err e = { 0 };
	char why[300];

	if (not_ours(r, vm, why, sizeof(why))) {
		i->state = ITEM_LEFT;
		snprintf(i->why, sizeof(i->why), "%s", why);
		log_warn("%s %s: %s", KIND_VM, vm->name, why);
		return 0;
	}
	/* Destroy_Task refuses a running VM (InvalidPowerState) */
	if (vm->power_state && !strcmp(vm->power_state, "poweredOn") && vsphere_power_off(vc, vm, &e) < 0 &&
	    strcmp(e.reason, "InvalidPowerState"))
		return failed(i, "power off", &e, err);
	mtv_err_clear(&e);
	if (vsphere_destroy(vc, vm, &e) < 0)
		return failed(i, "destroy", &e, err);
	log_info("destroyed %s %s (%s)", KIND_VM, vm->name, vm->ref.value);
	i->state = ITEM_DELETED;
	return 0;
}

/* A VM by name: from the session's list when the name has its prefix (the
 * list holds every such VM, so absence there is proof), else looked up. */
static int find_vm(struct vsphere_client *vc, const char *prefix, struct vsphere_vm *list, size_t n, bool *claimed,
		   const char *name, struct vsphere_vm **found, struct vsphere_vm **owned, struct mtv_err *err)
{
	*found = *owned = NULL;
	if (list && *prefix && !strncmp(name, prefix, strlen(prefix))) {
		for (size_t k = 0; k < n; k++) {
			if (!claimed[k] && list[k].name && !strcmp(list[k].name, name)) {
				claimed[k] = true;
				*found = &list[k];
				return 0;
			}
		}
		return 0;
	}
	if (vsphere_vm_find(vc, name, owned, err) < 0)
		return -1;
	*found = *owned;
	return 0;
}

static void free_one(struct vsphere_vm *vm)
{
	if (vm) {
		vsphere_vms_free(vm, 1);
	}
}

static int remove_snapshot(struct vsphere_client *vc, struct item *i, struct mtv_err *err)
{
	char vmname[254];
	const char *slash = strchr(i->name, '/'), *snap;
	struct vsphere_vm *vm = NULL;
	struct mtv_err e = { 0 };
	const struct vsphere_snapshot_info *hit = NULL;
	int rc = 0;

	if (!slash || slash == i->name || !slash[1]) {
		i->state = ITEM_LEFT;
		snprintf(i->why, sizeof(i->why), "bad ledger name: expected \"<vm>/<snapshot>\"");
		return 0;
	}
	snprintf(vmname, sizeof(vmname), "%.*s", (int)(slash - i->name), i->name);
	snap = slash + 1;
	if (vsphere_vm_find(vc, vmname, &vm, &e) < 0)
		return failed(i, "find its VM", &e, err);
	for (size_t k = 0; vm && k < vm->nsnapshots && !hit; k++)
		if (vm->snapshot_refs[k].name && !strcmp(vm->snapshot_refs[k].name, snap))
			hit = &vm->snapshot_refs[k];
	if (!hit) {
		i->state = ITEM_GONE;
	} else if (vsphere_snapshot_remove(vc, vm, &hit->ref, &e) < 0) {
		rc = failed(i, "remove", &e, err);
	} else {
		log_info("removed snapshot %s of VM %s", snap, vmname);
		i->state = ITEM_DELETED;
	}
	free_one(vm);
	return rc;
}

/* Every pending source item becomes a leftover: the vCenter could not be
 * reached, so nothing is known about them. */
static void all_left(struct teardown *r, size_t from)
{
	for (size_t k = from; k < r->items.n; k++) {
		struct item *i = &r->items.v[k];

		if (i->source && i->state == ITEM_PENDING) {
			i->state = ITEM_LEFT;
			snprintf(i->why, sizeof(i->why), "source not cleaned: %s", r->source_err.msg);
		}
	}
}

static void log_calls(const struct vsphere_client *vc)
{
	struct buf b = BUF_INIT(4096);

	for (size_t k = 0; k < vc->nstats; k++)
		buf_addf(&b, " %s=%lu", vc->stats[k].method, vc->stats[k].count);
	log_info("source side: %lu vim25 calls:%s", vc->calls, buf_str(&b));
	buf_release(&b);
}

/* The sweep: VMs of the session's prefix that no ledger entry claimed. */
static int sweep(struct teardown *r, struct vsphere_client *vc, struct vsphere_vm *list, size_t n, bool *claimed,
		 struct mtv_err *err)
{
	for (size_t k = 0; k < n; k++) {
		char why[300];
		struct item *i;

		if (claimed[k] || !list[k].name)
			continue;
		claimed[k] = true;
		i = items_add(&r->items, KIND_VM, SOURCE_API_VERSION, NULL, list[k].name, err);
		if (!i) {
			if (err->code)
				return -1;
			continue;	/* a second VM of a ledger name: reported with it */
		}
		i->swept = true;
		if (not_ours(r, &list[k], why, sizeof(why))) {
			i->state = ITEM_LEFT;
			snprintf(i->why, sizeof(i->why), "named like this session's clones but %s", why);
			log_warn("%s %s: %s", KIND_VM, list[k].name, i->why);
			continue;
		}
		log_info("sweep: %s %s carries mtv-steps.session=%s", KIND_VM, list[k].name, list[k].session);
		if (destroy_vm(r, vc, i, &list[k], err) < 0)
			return -1;
	}
	return 0;
}

int teardown_source(struct teardown *r, struct mtv_err *err)
{
	struct vsphere_client vc;
	struct vsphere_vm *list = NULL;
	size_t from = r->items.n, n = 0;
	bool *claimed = NULL;
	char prefix[64] = "", pbuf[4200];
	double t0 = step_now();
	const char *file = step_providers_path(r->c->step, pbuf, sizeof(pbuf));
	struct mtv_err e = { 0 };
	int rc = 0;

	if (!r->source_wanted)
		return 0;
	for (size_t k = 0; k < r->items.n; k++)
		if (r->items.v[k].source && k < from)
			from = k;
	if (r->c->have_session)
		snprintf(prefix, sizeof(prefix), "%s-", r->c->session.id);
	if (!r->source_err.code &&
	    vsphere_source_connect(file, json_str(r->providers_state, "source.key", ""), &r->tls,
				   step_interrupt_flag(), &vc, &e) < 0) {
		if (e.code >= 128)
			return *err = e, -1;
		r->source_err = e;
		r->source_err.code = MTV_EXIT_ENV;
	}
	if (r->source_err.code) {
		log_error("the source side is not cleaned: %s", r->source_err.msg);
		all_left(r, from);
		teardown_report_group(r, from, r->items.n, KIND_VM, t0);
		return 0;
	}
	log_info("source side: vCenter %s, TLS from %s", vc.http.base_url, *r->tls.from ? r->tls.from : "the system store");
	if (*prefix && vsphere_vms_list(&vc, prefix, &list, &n, &e) < 0) {
		if (e.code >= 128) {
			rc = -1;
			*err = e;
			goto out;
		}
		r->source_err = e;
		r->source_err.code = MTV_EXIT_ENV;
		mtv_err_prefix(&r->source_err, "listing the VMs named %s*", prefix);
		all_left(r, from);
		goto report;
	}
	claimed = calloc(n + 1, sizeof(*claimed));
	if (!claimed) {
		rc = mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
		goto out;
	}
	/* snapshots first: they are on VMs that are not ours */
	for (size_t k = from; k < r->items.n; k++) {
		struct item *i = &r->items.v[k];

		if (i->source && i->state == ITEM_PENDING && !strcmp(i->kind, KIND_SNAPSHOT) &&
		    remove_snapshot(&vc, i, err) < 0) {
			rc = -1;
			goto out;
		}
	}
	for (size_t k = from; k < r->items.n; k++) {
		struct item *i = &r->items.v[k];
		struct vsphere_vm *vm = NULL, *owned = NULL;

		if (!i->source || i->state != ITEM_PENDING)
			continue;
		if (strcmp(i->kind, KIND_VM)) {
			i->state = ITEM_LEFT;
			snprintf(i->why, sizeof(i->why), "unknown source kind (expected %s or %s)", KIND_VM, KIND_SNAPSHOT);
			continue;
		}
		mtv_err_clear(&e);
		if (find_vm(&vc, prefix, list, n, claimed, i->name, &vm, &owned, &e) < 0) {
			if (failed(i, "find it", &e, err) < 0) {
				rc = -1;
				goto out;
			}
			continue;
		}
		if (!vm) {
			i->state = ITEM_GONE;
			continue;
		}
		rc = destroy_vm(r, &vc, i, vm, err);
		free_one(owned);
		if (rc < 0)
			goto out;
	}
	if (sweep(r, &vc, list, n, claimed, err) < 0) {
		rc = -1;
		goto out;
	}
report:
	teardown_report_group(r, from, r->items.n, KIND_VM, t0);
out:
	vsphere_logout(&vc, &(struct mtv_err){ 0 });
	log_calls(&vc);
	vsphere_client_release(&vc);
	vsphere_vms_free(list, n);
	free(claimed);
	return rc;
}
