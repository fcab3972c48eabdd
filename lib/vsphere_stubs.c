/* Placeholders for the lib/vsphere API being written (issue 13); each fails
 * so nothing can mistake it for the real call.  Deleted as they land. */
#include "vsphere.h"

static int todo(const char *what, struct mtv_err *err)
{
	return mtv_err_set(err, MTV_EXIT_ENV, "vSphere %s: not implemented yet", what);
}

int vsphere_add_disks(struct vsphere_client *c, const struct vsphere_vm *vm,
		      const struct vsphere_new_disk *disks, size_t n, struct mtv_err *err)
{
	(void)c; (void)vm; (void)disks; (void)n;
	return todo("add_disks", err);
}

int vsphere_snapshot_remove(struct vsphere_client *c, const struct vsphere_vm *vm,
			    const struct vsphere_moref *snap, struct mtv_err *err)
{
	(void)c; (void)vm; (void)snap;
	return todo("snapshot_remove", err);
}

