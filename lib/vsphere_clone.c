/* Full clones of source VMs, marked as ours: CloneVM_Task with a
 * RelocateSpec (datastore, per-disk provisioning) and a ConfigSpec (CBT,
 * annotation, the mtv-steps.session mark), read back and completed by a
 * ReconfigVM_Task where the server did not honour the spec; a name that is
 * taken is adopted only when the VM there carries our session. */
#include "vsphere.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "vsphere_int.h"

#define SESSION_KEY "mtv-steps.session"
#define NAME_MAX_LEN 80		/* vSphere's limit on an inventory name */

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static bool disk_type_valid(const char *t)
{
	return !t || !*t || !strcmp(t, "thin") || !strcmp(t, "thick-lazy") || !strcmp(t, "thick-eager");
}

/* <thinProvisioned> and <eagerlyScrub> of a FlatVer2 backing for a type */
static void provisioning_xml(struct buf *b, const char *type)
{
	buf_addf(b, "<thinProvisioned>%s</thinProvisioned><eagerlyScrub>%s</eagerlyScrub>",
		 !strcmp(type, "thin") ? "true" : "false", !strcmp(type, "thick-eager") ? "true" : "false");
}

static void option_xml(struct buf *b, const char *key, const char *value)
{
	buf_addstr(b, "<extraConfig xsi:type=\"OptionValue\"><key>");
	vsphere_xml_escape(b, key);
	buf_addstr(b, "</key><value xsi:type=\"xsd:string\">");
	vsphere_xml_escape(b, value);
	buf_addstr(b, "</value></extraConfig>");
}

/* The CloneVM_Task arguments.  Element order is the WSDL's: vCenter
 * rejects a spec out of sequence. */
static void clone_args(struct buf *a, const struct vsphere_vm *vm, const struct vsphere_clone_opts *o)
{
	bool typed = o->disk_type && *o->disk_type;

	vsphere_moref_xml(a, "folder", &vm->parent);
	buf_addstr(a, "<name>");
	vsphere_xml_escape(a, o->name);
	buf_addstr(a, "</name><spec><location>");
	/* location.datastore takes the VM's files and, unless a locator says
	 * otherwise, every disk; no pool: the source's. */
	if (o->datastore)
		vsphere_moref_xml(a, "datastore", o->datastore);
	/* One locator per source disk to set its provisioning: diskBackingInfo
	 * is how vim25 asks for thin/thick on a clone (the older "transform"
	 * knows only sparse and flat, not eager zeroing). */
	for (size_t i = 0; typed && i < vm->ndisks; i++) {
		const struct vsphere_disk *d = &vm->disks[i];

		buf_addf(a, "<disk><diskId>%d</diskId>", d->key);
		vsphere_moref_xml(a, "datastore", o->datastore ? o->datastore : &d->datastore);
		buf_addstr(a, "<diskBackingInfo xsi:type=\"VirtualDiskFlatVer2BackingInfo\"><fileName></fileName>"
			   "<diskMode>");
		vsphere_xml_escape(a, d->disk_mode ? d->disk_mode : "persistent");
		buf_addstr(a, "</diskMode>");
		provisioning_xml(a, o->disk_type);
		buf_addstr(a, "</diskBackingInfo></disk>");
	}
	/* powerOn stays false: vcsim ignores it, and a power-on of its own
	 * reports a power-on failure apart from a clone failure. */
	buf_addstr(a, "</location><template>false</template><config>");
	if (o->annotation) {
		buf_addstr(a, "<annotation>");
		vsphere_xml_escape(a, o->annotation);
		buf_addstr(a, "</annotation>");
	}
	if (o->session)
		option_xml(a, SESSION_KEY, o->session);
	if (o->enable_cbt) {
		/* ctkEnabled is what the host reads; changeTrackingEnabled is
		 * the API's view of it */
		option_xml(a, "ctkEnabled", "true");
		buf_addstr(a, "<changeTrackingEnabled>true</changeTrackingEnabled>");
	}
	buf_addstr(a, "</config><powerOn>false</powerOn></spec>");
}

/* A ReconfigVM_Task spec for what the clone lacks of opts, or "" when it
 * has it all.  Disks whose provisioning differs get an edit of their
 * backing: on vCenter the locators already did it (this never runs); vcsim
 * ignores locators on clone but applies the edit. */
static void fixup_spec(struct buf *b, const struct vsphere_vm *clone, const struct vsphere_clone_opts *o)
{
	bool typed = o->disk_type && *o->disk_type;

	if (o->annotation && !same(clone->annotation, o->annotation)) {
		buf_addstr(b, "<annotation>");
		vsphere_xml_escape(b, o->annotation);
		buf_addstr(b, "</annotation>");
	}
	for (size_t i = 0; typed && i < clone->ndisks; i++) {
		const struct vsphere_disk *d = &clone->disks[i];

		if (!d->provisioning || same(d->provisioning, o->disk_type))
			continue;
		buf_addf(b, "<deviceChange><operation>edit</operation><device xsi:type=\"VirtualDisk\">"
			 "<key>%d</key><deviceInfo><label>", d->key);
		vsphere_xml_escape(b, d->label ? d->label : "");
		buf_addstr(b, "</label><summary></summary></deviceInfo>"
			   "<backing xsi:type=\"VirtualDiskFlatVer2BackingInfo\"><fileName>");
		vsphere_xml_escape(b, d->file ? d->file : "");
		buf_addstr(b, "</fileName>");
		if (d->datastore.value[0])
			vsphere_moref_xml(b, "datastore", &d->datastore);
		buf_addstr(b, "<diskMode>");
		vsphere_xml_escape(b, d->disk_mode ? d->disk_mode : "persistent");
		buf_addstr(b, "</diskMode>");
		provisioning_xml(b, o->disk_type);
		buf_addf(b, "</backing><controllerKey>%d</controllerKey><unitNumber>%d</unitNumber>"
			 "<capacityInKB>%lld</capacityInKB><capacityInBytes>%lld</capacityInBytes>"
			 "</device></deviceChange>", d->controller_key, d->unit, d->capacity_bytes / 1024,
			 d->capacity_bytes);
	}
	if (o->session && !same(clone->session, o->session))
		option_xml(b, SESSION_KEY, o->session);
	if (o->enable_cbt && !clone->cbt) {
		option_xml(b, "ctkEnabled", "true");
		buf_addstr(b, "<changeTrackingEnabled>true</changeTrackingEnabled>");
	}
}

/* Bring the clone (read back, or adopted) to what opts ask: the
 * ReconfigVM_Task of what is missing, then the power-on. */
static int finish_clone(struct vsphere_client *c, const struct vsphere_vm *clone,
			const struct vsphere_clone_opts *o, struct mtv_err *err)
{
	struct buf spec = BUF_INIT(BUF_DEFAULT_MAX);
	int r = 0;

	fixup_spec(&spec, clone, o);
	if (spec.len) {
		struct buf a = BUF_INIT(BUF_DEFAULT_MAX);

		log_debug("VM %s: the clone lacks part of its spec; reconfiguring", o->name);
		buf_addf(&a, "<spec>%s</spec>", buf_str(&spec));
		r = vsphere_vm_task(c, clone, "ReconfigVM_Task", buf_str(&a), NULL, err);
		buf_release(&a);
	}
	buf_release(&spec);
	if (r == 0 && o->power_on && !same(clone->power_state, "poweredOn"))
		r = vsphere_power_on(c, clone, err);
	return r;
}

/* A VM named o->name exists (found): ours when it carries our session
 * mark; anything else is a name we must not take. */
static int adopt_or_refuse(const struct vsphere_vm *found, const struct vsphere_clone_opts *o,
			   struct mtv_err *err)
{
	if (o->session && *o->session && same(found->session, o->session)) {
		log_info("VM %s (%s) exists with session %s: adopted as the clone", o->name, found->ref.value,
			 o->session);
		return 0;
	}
	mtv_err_set(err, MTV_EXIT_FAILED, "VM %s: the name is taken by %s, %s", o->name, found->ref.value,
		    found->session ? "a VM of another mtv-steps session" : "a VM mtv-steps did not make");
	snprintf(err->reason, sizeof(err->reason), "DuplicateName");
	return -1;
}

int vsphere_clone_vm(struct vsphere_client *c, const struct vsphere_vm *vm,
		     const struct vsphere_clone_opts *opts, struct vsphere_moref *new_vm,
		     struct mtv_err *err)
{
	const char *src = vm->name ? vm->name : vm->ref.value;
	struct vsphere_vm *found = NULL, *clone = NULL;
	struct vsphere_moref res = { "", "" };
	struct buf a = BUF_INIT(BUF_DEFAULT_MAX);
	bool verify;
	int r = -1;

	/* Everything that can be refused without asking the server. */
	if (!opts->name || !*opts->name || strlen(opts->name) > NAME_MAX_LEN)
		return mtv_err_set(err, MTV_EXIT_USAGE, "clone of VM %s: the name \"%s\" is empty or longer than %d",
				   src, opts->name ? opts->name : "", NAME_MAX_LEN);
	if (!disk_type_valid(opts->disk_type))
		return mtv_err_set(err, MTV_EXIT_USAGE,
				   "clone of VM %s: disk type \"%s\" is not thin, thick-lazy or thick-eager", src,
				   opts->disk_type);
	if (!vm->parent.value[0])
		return mtv_err_set(err, MTV_EXIT_USAGE, "VM %s: no parent folder known to clone into", src);
	/* vCenter refuses a second VM of one name in a folder (DuplicateName);
	 * vcsim does not, and a re-run must find its own clone rather than
	 * make another: look first. */
	if (vsphere_vm_find(c, opts->name, &found, err) < 0)
		return -1;
	if (found) {
		if (adopt_or_refuse(found, opts, err) < 0)
			goto out;
		res = found->ref;
		clone = found;
		found = NULL;
		goto finish;
	}
	clone_args(&a, vm, opts);
	r = vsphere_vm_task(c, vm, "CloneVM_Task", buf_str(&a), &res, err);
	if (r < 0) {
		struct mtv_err e2 = { 0 };

		if (strcmp(err->reason, "Ambiguous") && strcmp(err->reason, "DuplicateName"))
			goto out;
		/* Sent and not answered (or raced by another VM of the name):
		 * the clone may exist.  Never clone again; look. */
		if (vsphere_vm_find(c, opts->name, &found, &e2) < 0 || !found) {
			if (e2.msg[0])
				mtv_err_prefix(err, "(looking the clone up failed too: %s)", e2.msg);
			goto out;
		}
		memset(err, 0, sizeof(*err));
		if ((r = adopt_or_refuse(found, opts, err)) < 0)
			goto out;
		res = found->ref;
		clone = found;
		found = NULL;
		goto finish;
	}
	/* Read the new clone back only when there is something to check. */
	verify = opts->enable_cbt || opts->annotation || opts->session || (opts->disk_type && *opts->disk_type);
	if (verify) {
		if (vsphere_vm_read(c, &res, &clone, err) < 0) {
			r = -1;
			goto out;
		}
	} else {
		/* just made by our spec: powered off, nothing to add */
		clone = calloc(1, sizeof(*clone));
		if (!clone) {
			r = mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
			goto out;
		}
		clone->ref = res;
		clone->name = strdup(opts->name);
		clone->power_state = strdup("poweredOff");
	}
finish:
	r = finish_clone(c, clone, opts, err);
out:
	if (r == 0 && new_vm)
		*new_vm = res;
	vsphere_vms_free(found, 1);
	vsphere_vms_free(clone, 1);
	buf_release(&a);
	return r;
}

int vsphere_clone(struct vsphere_client *c, const struct vsphere_vm *vm, const char *clone_name,
		  bool power_on, struct vsphere_moref *new_vm, struct mtv_err *err)
{
	struct vsphere_clone_opts o = { .name = clone_name, .power_on = power_on };

	return vsphere_clone_vm(c, vm, &o, new_vm, err);
}
