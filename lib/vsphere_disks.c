/* New disks on a VM: one ReconfigVM_Task adding VirtualDisks (FlatVer2,
 * created with the device) on the first SCSI controller.  The words of
 * each disk are checked before anything is asked of the server. */
#include "vsphere.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "vsphere_int.h"

#define MAX_DISK_GB (62LL * 1024)	/* vSphere's largest virtual disk, 62 TB */
#define SCSI_UNITS 16			/* units 0..15 on a (non-SAS-extended) SCSI bus */

static const char *const provisionings[] = { "thin", "thick-lazy", "thick-eager", NULL };
static const char *const modes[] = { "persistent", "independent_persistent", "independent_nonpersistent", NULL };

static bool one_of(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(s, *words))
			return true;
	return false;
}

static const char *or_default(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

struct scsi_scan {
	int ctl_key;			/* the first SCSI controller's key, -1 until seen */
	long bus;
	int ctl_unit;			/* its own unit number (7 unless it says) */
	struct { int key, controller, unit; } dev[256];
	size_t ndev;
};

static bool is_scsi_controller(xmlNodePtr d)
{
	char type[64];

	vsphere_xsi_type(d, type, sizeof(type));
	/* VirtualLsiLogicController, VirtualLsiLogicSASController,
	 * ParaVirtualSCSIController, VirtualBusLogicController: all
	 * VirtualSCSIControllers, which alone carry sharedBus */
	return strstr(type, "SCSIController") || strstr(type, "LsiLogic") || strstr(type, "BusLogic") ||
	       vsphere_child(d, "sharedBus");
}

static int on_devices(xmlNodePtr oc, void *arg, struct mtv_err *err)
{
	struct scsi_scan *s = arg;

	(void)err;
	for (xmlNodePtr ps = oc->children; ps; ps = ps->next) {
		xmlNodePtr val = vsphere_child(ps, "val");

		if (!vsphere_named(ps, "propSet") || !val)
			continue;
		for (xmlNodePtr d = val->children; d; d = d->next) {
			if (!vsphere_named(d, "VirtualDevice"))
				continue;
			if (is_scsi_controller(d)) {
				long bus = (long)vsphere_child_ll(d, "busNumber", 0);

				if (s->ctl_key < 0 || bus < s->bus) {
					s->ctl_key = (int)vsphere_child_ll(d, "key", 0);
					s->bus = bus;
					s->ctl_unit = (int)vsphere_child_ll(d, "scsiCtlrUnitNumber", 7);
				}
			}
			if (s->ndev < sizeof(s->dev) / sizeof(s->dev[0]) && vsphere_child(d, "unitNumber")) {
				s->dev[s->ndev].key = (int)vsphere_child_ll(d, "key", 0);
				s->dev[s->ndev].controller = (int)vsphere_child_ll(d, "controllerKey", 0);
				s->dev[s->ndev].unit = (int)vsphere_child_ll(d, "unitNumber", -1);
				s->ndev++;
			}
		}
	}
	return 0;
}

static bool unit_taken(const struct scsi_scan *s, int unit)
{
	if (unit == s->ctl_unit || unit == 7)
		return true;
	for (size_t i = 0; i < s->ndev; i++)
		if (s->dev[i].controller == s->ctl_key && s->dev[i].unit == unit)
			return true;
	return false;
}

/* "LocalDS_0" from "[LocalDS_0] vm/disk.vmdk" into out ("" when not so) */
static void datastore_of_file(const char *file, char *out, size_t outsz)
{
	const char *end = file && file[0] == '[' ? strchr(file, ']') : NULL;

	snprintf(out, outsz, "%.*s", end ? (int)(end - file - 1) : 0, end ? file + 1 : "");
}

int vsphere_add_disks(struct vsphere_client *c, const struct vsphere_vm *vm,
		      const struct vsphere_new_disk *disks, size_t n, struct mtv_err *err)
{
	const char *vname = vm->name ? vm->name : vm->ref.value;
	struct scsi_scan scan = { .ctl_key = -1, .ctl_unit = 7 };
	struct vsphere_datastore *ds = NULL;
	size_t nds = 0;
	char first_ds[256];
	struct buf spec = BUF_INIT(BUF_DEFAULT_MAX);
	int unit = 0, r = -1;
	bool named_ds = false;

	/* Every word checked before the first call. */
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const struct vsphere_new_disk *d = &disks[i];

		if (d->size_gb <= 0 || d->size_gb > MAX_DISK_GB)
			return mtv_err_set(err, MTV_EXIT_USAGE, "VM %s: new disk %zu: size %lld GB is not 1..%lld",
					   vname, i + 1, d->size_gb, MAX_DISK_GB);
		if (!one_of(or_default(d->provisioning, "thin"), provisionings))
			return mtv_err_set(err, MTV_EXIT_USAGE,
					   "VM %s: new disk %zu: provisioning \"%s\" is not thin, thick-lazy or thick-eager",
					   vname, i + 1, d->provisioning);
		if (!one_of(or_default(d->disk_mode, "persistent"), modes))
			return mtv_err_set(err, MTV_EXIT_USAGE,
					   "VM %s: new disk %zu: mode \"%s\" is not persistent, independent_persistent "
					   "or independent_nonpersistent", vname, i + 1, d->disk_mode);
		named_ds |= d->datastore != NULL;
	}
	datastore_of_file(vm->ndisks ? vm->disks[0].file : NULL, first_ds, sizeof(first_ds));
	for (size_t i = 0; i < n && !first_ds[0]; i++)
		if (!disks[i].datastore)
			return mtv_err_set(err, MTV_EXIT_USAGE,
					   "VM %s: new disk %zu: no datastore given and the VM has no disk to take one from",
					   vname, i + 1);

	/* The devices as they are now (the facts may be older): the
	 * controller and the units in use. */
	buf_addstr(&spec, "<specSet><propSet><type>VirtualMachine</type><pathSet>config.hardware.device</pathSet>"
		   "</propSet><objectSet>");
	vsphere_moref_xml(&spec, "obj", &vm->ref);
	buf_addstr(&spec, "</objectSet></specSet>");
	if (vsphere_retrieve(c, buf_str(&spec), on_devices, &scan, err) < 0)
		goto out;
	if (scan.ctl_key < 0) {
		mtv_err_set(err, MTV_EXIT_USAGE, "VM %s: no SCSI controller to add disks on", vname);
		goto out;
	}
	/* A datastore given by moref is placed by name: "[name]" as fileName
	 * is what puts a created disk there. */
	if (named_ds && vsphere_datastores(c, &ds, &nds, err) < 0)
		goto out;

	buf_reset(&spec);
	buf_addstr(&spec, "<spec>");
	for (size_t i = 0; i < n; i++) {
		const struct vsphere_new_disk *d = &disks[i];
		const char *prov = or_default(d->provisioning, "thin");
		const char *place = first_ds;

		if (d->datastore) {
			place = NULL;
			for (size_t k = 0; k < nds; k++)
				if (!strcmp(ds[k].ref.value, d->datastore->value))
					place = ds[k].name;
			if (!place) {
				mtv_err_set(err, MTV_EXIT_USAGE, "VM %s: new disk %zu: no datastore %s", vname, i + 1,
					    d->datastore->value);
				goto out;
			}
		}
		while (unit < SCSI_UNITS && unit_taken(&scan, unit))
			unit++;
		if (unit >= SCSI_UNITS) {
			mtv_err_set(err, MTV_EXIT_USAGE,
				    "VM %s: no free unit on its first SCSI controller for new disk %zu of %zu", vname,
				    i + 1, n);
			goto out;
		}
		/* Negative keys: placeholders the server replaces. */
		buf_addf(&spec, "<deviceChange><operation>add</operation><fileOperation>create</fileOperation>"
			 "<device xsi:type=\"VirtualDisk\"><key>%d</key>"
			 "<backing xsi:type=\"VirtualDiskFlatVer2BackingInfo\"><fileName>[", -(int)(i + 1));
		vsphere_xml_escape(&spec, place);
		buf_addstr(&spec, "]</fileName><diskMode>");
		vsphere_xml_escape(&spec, or_default(d->disk_mode, "persistent"));
		buf_addf(&spec, "</diskMode><thinProvisioned>%s</thinProvisioned><eagerlyScrub>%s</eagerlyScrub>"
			 "</backing><controllerKey>%d</controllerKey><unitNumber>%d</unitNumber>"
			 "<capacityInKB>%lld</capacityInKB><capacityInBytes>%lld</capacityInBytes></device>"
			 "</deviceChange>", !strcmp(prov, "thin") ? "true" : "false",
			 !strcmp(prov, "thick-eager") ? "true" : "false", scan.ctl_key, unit,
			 d->size_gb * 1024 * 1024, d->size_gb * 1024 * 1024 * 1024);
		unit++;
	}
	buf_addstr(&spec, "</spec>");
	r = vsphere_vm_task(c, vm, "ReconfigVM_Task", buf_str(&spec), NULL, err);
out:
	vsphere_datastores_free(ds, nds);
	buf_release(&spec);
	return r;
}
