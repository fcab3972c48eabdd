/* The vSphere side of mtv-prepare-vms: connect as the Provider Secret says,
 * survey what exists, then clone, add disks, snapshot and power. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "prepare_vms.h"
#include "vsphere_source.h"

int prep_connect(struct prep *p, struct mtv_err *err)
{
	struct vsphere_source_tls tls;
	long task_s;
	int rc;

	if (step_get_seconds(&prepare_step, "MTV_VSPHERE_TASK_TIMEOUT", &task_s, err) < 0)
		return -1;
	/* TLS as the Provider Secret says; a copy is kept in SHARED_DIR for
	 * teardown, which deletes the Secret before it cleans the source. */
	if (vsphere_source_tls_get(&p->c->kc, &prepare_step.state, p->c->providers, true, &tls, err) < 0)
		return -1;
	log_debug("source TLS from %s: %s", tls.from,
		  tls.insecure ? "insecureSkipVerify" : tls.ca_pem ? "its CA certificate" : "the system trust store");
	/* The password goes only into the Login body, which lib/vsphere never
	 * traces; messages name the URL and user. */
	rc = vsphere_source_connect(p->providers_file, p->provider.key, &tls, step_interrupt_flag(), &p->vc, err);
	vsphere_source_tls_release(&tls);
	if (rc < 0)
		return -1;
	p->vc_open = p->logged_in = true;
	p->vc.task_timeout_s = (int)task_s;
	log_info("logged in to vSphere %s as %s", p->provider.url, p->provider.username);
	return 0;
}

void prep_logout(struct prep *p)
{
	if (p->logged_in)
		vsphere_logout(&p->vc, &(struct mtv_err){ 0 });
	p->logged_in = false;
}

void prep_release(struct prep *p)
{
	prep_logout(p);
	if (p->vc_open)
		vsphere_client_release(&p->vc);
	p->vc_open = false;
}

static const char **names_of(const struct prep *p, bool source)
{
	const char **names = calloc(p->n, sizeof(*names));

	for (size_t i = 0; names && i < p->n; i++)
		names[i] = source ? p->vms[i].source : p->vms[i].name;
	return names;
}

/* The clone names taken: ours from an earlier run are adopted, anyone
 * else's stops the run before the first clone. */
static int find_clones(struct prep *p, struct mtv_err *err)
{
	struct vsphere_vm *listed = NULL;
	char prefix[64];
	size_t n = 0;
	int rc = 0;

	snprintf(prefix, sizeof(prefix), "%s-", p->c->session.id);
	if (vsphere_vms_list(&p->vc, prefix, &listed, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < p->n && rc == 0; i++) {
		struct prep_vm *v = &p->vms[i];

		for (size_t j = 0; j < n && v->action == PREP_CLONE; j++) {
			if (!listed[j].name || strcmp(listed[j].name, v->name))
				continue;
			if (listed[j].session && !strcmp(listed[j].session, p->c->session.id)) {
				v->action = PREP_ADOPT;
				log_info("VM %s: clone %s (%s) exists from an earlier run of this session; adopting it",
					 v->source, v->name, listed[j].ref.value);
			} else {
				rc = mtv_err_set(err, MTV_EXIT_FAILED,
						 "VM %s: a VM named %s (%s) already exists on the source and is not ours "
						 "(extraConfig mtv-steps.session is %s%s%s); nothing adopted, nothing cloned",
						 v->source, v->name, listed[j].ref.value, listed[j].session ? "\"" : "",
						 listed[j].session ? listed[j].session : "unset", listed[j].session ? "\"" : "");
			}
			break;
		}
	}
	vsphere_vms_free(listed, n);
	return rc;
}

int prep_survey(struct prep *p, struct mtv_err *err)
{
	const char **names = names_of(p, true);
	int rc;

	if (!names)
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	rc = vsphere_vms_get(&p->vc, names, p->n, &p->src, err);
	free(names);
	if (rc < 0)
		return mtv_err_prefix(err, "scenario %s", p->c->scenario.name);
	if (vsphere_datastores(&p->vc, &p->ds, &p->nds, err) < 0 || prep_check_datastores(p, err) < 0)
		return -1;
	return p->any_clone ? find_clones(p, err) : 0;
}

int prep_read_existing(struct prep *p, struct mtv_err *err)
{
	const char **names = calloc(p->n, sizeof(*names));
	struct vsphere_vm *got = NULL;
	size_t k = 0;
	int rc = 0;

	if (!names)
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	for (size_t i = 0; i < p->n; i++)
		if (p->vms[i].action != PREP_CLONE)
			names[k++] = p->vms[i].name;
	if (k)
		rc = vsphere_vms_get(&p->vc, names, k, &got, err);
	free(names);
	if (rc < 0)
		return -1;
	/* p->now is n long: the VMs that exist at their index, the rest empty */
	vsphere_vms_free(p->now, p->n);
	p->now = calloc(p->n, sizeof(*p->now));
	if (!p->now) {
		vsphere_vms_free(got, k);
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	}
	k = 0;
	for (size_t i = 0; i < p->n; i++)
		if (p->vms[i].action != PREP_CLONE)
			p->now[i] = got[k++];
	free(got);
	return 0;
}

int prep_reread(struct prep *p, struct mtv_err *err)
{
	const char **names = names_of(p, false);
	int rc;

	if (!names)
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	vsphere_vms_free(p->now, p->n);
	p->now = NULL;
	rc = vsphere_vms_get(&p->vc, names, p->n, &p->now, err);
	free(names);
	return rc;
}

static int clone_one(struct prep *p, struct prep_vm *v, const struct vsphere_vm *src, struct mtv_err *err)
{
	struct ledger_entry e = { "SourceVirtualMachine", "vim25", NULL, v->name, prepare_step.name };
	char annotation[512];
	struct vsphere_moref ref;
	struct vsphere_clone_opts o = {
		.name = v->name,
		.datastore = *v->datastore_id ? &v->datastore : NULL,
		.disk_type = v->disk_type,
		.power_on = false,
		.enable_cbt = p->warm,
		.session = p->c->session.id,
		.annotation = annotation,
	};

	snprintf(annotation, sizeof(annotation), "Created by mtv-steps session %s for %s", p->c->session.id,
		 p->c->scenario.name);
	/* Recorded first: a clone task interrupted after vSphere started it
	 * leaves a VM that teardown must be able to find. */
	if (ledger_record(&prepare_step.state, &e, err) < 0)
		return -1;
	log_info("cloning VM %s as %s (disks %s, datastore %s%s)", v->source, v->name,
		 *v->disk_type ? v->disk_type : "as the source", *v->datastore_id ? v->datastore_id : "as the source",
		 p->warm ? ", changed block tracking on" : "");
	if (vsphere_clone_vm(&p->vc, src, &o, &ref, err) < 0)
		return -1;
	log_info("VM %s cloned as %s (%s)", v->source, v->name, ref.value);
	return 0;
}

/* add_disks on the clone: the disks beyond the source's count are the ones
 * an earlier run added, so a re-run adds only what is missing. */
static int add_disks(struct prep *p, struct prep_vm *v, const struct vsphere_vm *src,
		     const struct vsphere_vm *vm, struct mtv_err *err)
{
	size_t have = prep_disks_present(src, vm), todo;
	struct vsphere_new_disk *nd;
	int rc;

	if (have >= v->ndisks)
		return 0;
	todo = v->ndisks - have;
	nd = calloc(todo, sizeof(*nd));
	if (!nd)
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	for (size_t i = 0; i < todo; i++) {
		const struct prep_disk *d = &v->disks[have + i];

		nd[i] = (struct vsphere_new_disk){ d->size_gb, d->provisioning, d->mode,
						   *d->datastore_id ? &d->datastore : NULL };
	}
	log_info("VM %s: adding %zu disk%s", v->name, todo, todo == 1 ? "" : "s");
	rc = vsphere_add_disks(&p->vc, vm, nd, todo, err);
	free(nd);
	if (rc == 0)
		v->disks_added = todo;
	return rc;
}

size_t prep_disks_present(const struct vsphere_vm *src, const struct vsphere_vm *vm)
{
	return vm->ndisks > src->ndisks ? vm->ndisks - src->ndisks : 0;
}

bool prep_has_snapshot(const struct vsphere_vm *vm, const char *name)
{
	for (size_t i = 0; i < vm->nsnapshots; i++)
		if (vm->snapshots[i] && !strcmp(vm->snapshots[i], name))
			return true;
	return false;
}

static int snapshots(struct prep *p, struct prep_vm *v, const struct vsphere_vm *vm, struct mtv_err *err)
{
	for (long k = 1; k <= v->snapshots; k++) {
		char name[96], entry[200];
		struct ledger_entry e = { "SourceVirtualMachineSnapshot", "vim25", NULL, entry, prepare_step.name };

		snprintf(name, sizeof(name), "%s-snapshot-%ld", p->c->session.id, k);
		if (prep_has_snapshot(vm, name))
			continue;
		/* A clone's snapshots go with it; one on the user's own VM is
		 * recorded so teardown removes it. */
		snprintf(entry, sizeof(entry), "%s/%s", v->name, name);
		if (v->action == PREP_USE && ledger_record(&prepare_step.state, &e, err) < 0)
			return -1;
		log_info("VM %s: snapshot %s (disk only)", v->name, name);
		if (vsphere_snapshot(&p->vc, vm, name, err) < 0)
			return -1;
		v->snapshots_made++;
	}
	return 0;
}

const char *prep_power_change(const struct prep_vm *v, const struct vsphere_vm *vm)
{
	const char *state = vm->power_state ? vm->power_state : "";

	if (!strcmp(v->power, "on") && strcmp(state, "poweredOn"))
		return "on";
	if (!strcmp(v->power, "off") && strcmp(state, "poweredOff"))
		return "off";
	return NULL;
}

static int power(struct prep *p, struct prep_vm *v, const struct vsphere_vm *vm, struct mtv_err *err)
{
	const char *change = prep_power_change(v, vm);

	if (!change)
		return 0;
	log_info("VM %s: powering %s (was %s)", v->name, change, vm->power_state ? vm->power_state : "");
	v->powered = true;
	return !strcmp(change, "on") ? vsphere_power_on(&p->vc, vm, err) : vsphere_power_off(&p->vc, vm, err);
}

/* One JUnit case per VM: the failed one, the ones done before it, and the
 * ones never reached. */
static void cases(struct prep *p, size_t failed, const char *msg)
{
	for (size_t i = 0; i < p->n; i++) {
		struct prep_vm *v = &p->vms[i];
		char name[300];

		snprintf(name, sizeof(name), "source VM %s is ready as %s", v->source, v->name);
		if (i == failed)
			step_case(&prepare_step, name, v->seconds, JUNIT_FAILED, msg, NULL);
		else if (failed < p->n && i > failed)
			step_case(&prepare_step, name, 0, JUNIT_SKIPPED, "not reached", NULL);
		else
			step_case(&prepare_step, name, v->seconds, JUNIT_PASSED, NULL, NULL);
	}
}

int prep_apply(struct prep *p, struct mtv_err *err)
{
	size_t i;
	double t0;

	for (i = 0; i < p->n; i++) {
		t0 = step_now();
		if (p->vms[i].action == PREP_CLONE && clone_one(p, &p->vms[i], &p->src[i], err) < 0)
			goto fail;
		p->vms[i].seconds += step_now() - t0;
	}
	/* The clones' facts (disks, snapshots, power) in one read. */
	if (prep_reread(p, err) < 0) {
		i = 0;
		t0 = step_now();
		goto fail;
	}
	for (i = 0; i < p->n; i++) {
		struct prep_vm *v = &p->vms[i];

		t0 = step_now();
		if (add_disks(p, v, &p->src[i], &p->now[i], err) < 0 || snapshots(p, v, &p->now[i], err) < 0 ||
		    power(p, v, &p->now[i], err) < 0)
			goto fail;
		v->seconds += step_now() - t0;
	}
	cases(p, p->n, NULL);
	return 0;
fail:
	if (i < p->n)
		p->vms[i].seconds += step_now() - t0;
	cases(p, i, err->msg);
	return -1;
}
