/* Placeholders for the lib/vsphere API being written (issue 13); each fails
 * so nothing can mistake it for the real call.  Deleted as they land. */
#include "vsphere.h"

static int todo(const char *what, struct mtv_err *err)
{
	return mtv_err_set(err, MTV_EXIT_ENV, "vSphere %s: not implemented yet", what);
}

int vsphere_vm_find(struct vsphere_client *c, const char *name, struct vsphere_vm **out,
		    struct mtv_err *err)
{
	(void)c; (void)name; *out = NULL;
	return todo("vm_find", err);
}

int vsphere_vms_list(struct vsphere_client *c, const char *prefix, struct vsphere_vm **out,
		     size_t *n, struct mtv_err *err)
{
	(void)c; (void)prefix; *out = NULL; *n = 0;
	return todo("vms_list", err);
}

int vsphere_datastores(struct vsphere_client *c, struct vsphere_datastore **out, size_t *n,
		       struct mtv_err *err)
{
	(void)c; *out = NULL; *n = 0;
	return todo("datastores", err);
}

void vsphere_datastores_free(struct vsphere_datastore *ds, size_t n)
{
	(void)ds; (void)n;
}

int vsphere_clone_vm(struct vsphere_client *c, const struct vsphere_vm *vm,
		     const struct vsphere_clone_opts *opts, struct vsphere_moref *new_vm,
		     struct mtv_err *err)
{
	return vsphere_clone(c, vm, opts->name, opts->power_on, new_vm, err);
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

int vsphere_client_tls(struct vsphere_client *c, const char *ca_pem, bool insecure,
		       struct mtv_err *err)
{
	(void)c; (void)ca_pem; (void)insecure;
	return todo("client_tls", err);
}
