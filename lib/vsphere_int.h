/* lib/vsphere's own building blocks, shared by its files (vsphere.c: SOAP,
 * session, property collection, TLS; vsphere_vms.c: VM facts and listing;
 * vsphere_datastores.c; vsphere_tasks.c: tasks; vsphere_clone.c: clones;
 * vsphere_disks.c: new disks) and by nothing outside lib/vsphere*.c. */
#ifndef MTV_VSPHERE_INT_H
#define MTV_VSPHERE_INT_H

#include <stdbool.h>
#include <libxml/tree.h>

#include "buf.h"
#include "vsphere.h"

/* ---- XML ---- */
bool vsphere_named(xmlNodePtr n, const char *name);
char *vsphere_node_text(xmlNodePtr n);		/* malloc'd, NULL when n is */
/* The xsi:type of n without its prefix ("VirtualDisk"); "" when absent. */
void vsphere_xsi_type(xmlNodePtr n, char *out, size_t outsz);
long long vsphere_child_ll(xmlNodePtr node, const char *name, long long dflt);
void vsphere_moref_from(xmlNodePtr n, struct vsphere_moref *m);
/* <elem type="T">value</elem> */
void vsphere_moref_xml(struct buf *b, const char *elem, const struct vsphere_moref *m);

/* ---- calls ---- */

/* One SOAP call of method on this; args is the XML after <_this>.  secret
 * (may be NULL) is a value the body holds that must never reach a log: the
 * body is then not traced at all and wiped after sending.  On success
 * *doc is the answer (xmlFreeDoc it) and *ret its <MethodResponse>. */
int vsphere_soap_call(struct vsphere_client *c, const char *method, const struct vsphere_moref *this,
		      const char *args, const char *secret, xmlDocPtr *doc, xmlNodePtr *ret,
		      struct mtv_err *err);

/* RetrievePropertiesEx with specset (the <specSet> XML) and every
 * ContinueRetrievePropertiesEx page after it; fn sees each ObjectContent. */
typedef int (*vsphere_object_fn)(xmlNodePtr oc, void *arg, struct mtv_err *err);
int vsphere_retrieve(struct vsphere_client *c, const char *specset, vsphere_object_fn fn, void *arg,
		     struct mtv_err *err);

/* A recursive ContainerView of every object of type ("VirtualMachine",
 * "Datastore", "Network", "HostSystem", "Folder") under the root folder. */
int vsphere_container_view(struct vsphere_client *c, const char *type, struct vsphere_moref *view,
			   struct mtv_err *err);
void vsphere_destroy_view(struct vsphere_client *c, const struct vsphere_moref *view);
/* The <objectSet> that walks every object of view (the view itself skipped). */
void vsphere_view_objectset(struct buf *spec, const struct vsphere_moref *view);
/* A view of type, RetrievePropertiesEx of propset (its <propSet> XML) over
 * it with fn for each object, the view destroyed: 3 calls (+Continue pages). */
int vsphere_retrieve_view(struct vsphere_client *c, const char *type, const char *propset,
			  vsphere_object_fn fn, void *arg, struct mtv_err *err);

/* ---- VMs ---- */

/* The facts of the VM ref (one RetrievePropertiesEx, no view): a clone
 * read back.  *out calloc'd, free with vsphere_vms_free(*out, 1). */
int vsphere_vm_read(struct vsphere_client *c, const struct vsphere_moref *ref, struct vsphere_vm **out,
		    struct mtv_err *err);

/* ---- tasks ---- */

/* Wait for task with a filter on its info and WaitForUpdatesEx; label
 * ("PowerOnVM_Task of VM x") prefixes a failure.  *result (may be NULL)
 * gets info.result when it is a moref. */
int vsphere_task_wait(struct vsphere_client *c, const struct vsphere_moref *task, const char *label,
		      struct vsphere_moref *result, struct mtv_err *err);
/* Start method on vm (args after _this) and wait for its task. */
int vsphere_vm_task(struct vsphere_client *c, const struct vsphere_vm *vm, const char *method,
		    const char *args, struct vsphere_moref *result, struct mtv_err *err);

#endif
