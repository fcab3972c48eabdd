/* vSphere (vim25) SOAP client: the source side of a migration.
 *
 * vCenter speaks vim25, a SOAP 1.1 API over HTTP POST to /sdk.  Every call
 * is an XML envelope <Body><Method><_this type="T">moref</_this>args...
 * </Method></Body> answered either by <MethodResponse><returnval>... or by a
 * SOAP <Fault> whose <detail> names the vim25 fault type (InvalidLogin,
 * NotAuthenticated, InvalidState, DuplicateName, ...) in xsi:type.  Objects
 * are addressed by managed object references ("morefs": a type and an id
 * such as VirtualMachine vm-42).  The pieces used here, and why:
 *
 *   - RetrieveServiceContent on the well-known ServiceInstance: the morefs
 *     of the singletons (root folder, PropertyCollector, SessionManager,
 *     ViewManager) and the API version, which later calls name in their
 *     SOAPAction header.  Needs no session.
 *   - SessionManager.Login / Logout: a session is the vmware_soap_session
 *     cookie Login sets; every later call sends it back.  Bad credentials
 *     are the InvalidLogin fault (exit class MTV_EXIT_ENV, like a rejected
 *     cluster token).  The Login body holds the password, so it is sent
 *     marked sensitive and traced only through lib/redact.
 *   - ViewManager.CreateContainerView over the root folder (type
 *     VirtualMachine, recursive) + PropertyCollector.RetrievePropertiesEx
 *     with a traversal of the view: the only way to list VMs wherever they
 *     sit in the folder tree without walking it call by call.  Finding N VMs
 *     costs two RetrievePropertiesEx calls whatever N is: one reads just
 *     "name" of every VM in the view (cheap), one reads the facts of the N
 *     wanted VMs by moref in one bulk request.  Results come in pages: a
 *     <token> asks for ContinueRetrievePropertiesEx until none is left.
 *   - PowerOnVM_Task, PowerOffVM_Task, Destroy_Task, CloneVM_Task,
 *     CreateSnapshot_Task return a
 *     Task moref at once; the work happens later.  A task is waited with a
 *     PropertyCollector filter on the Task's info.state/info.error and
 *     WaitForUpdatesEx (a long poll, vSphere's watch), never by sleeping and
 *     re-reading.  A failed task's fault becomes the error message with the
 *     VM, the task and the fault type.
 *
 * Retries: every vim25 call is a POST, so lib/http repeats one only when it
 * cannot have reached the server (connect failure, 503/429).  A SOAP fault
 * arrives as HTTP 500 and is never repeated; a task call that failed
 * ambiguously reports reason "Ambiguous" and the caller re-reads.
 *
 * Errors: struct mtv_err with the call ("vSphere Login") and the fault type in
 * err->reason; code MTV_EXIT_ENV for API and transport failures, a task that
 * ran and failed is MTV_EXIT_FAILED (the source system refused the work).
 */
#ifndef MTV_VSPHERE_H
#define MTV_VSPHERE_H

#include <stdbool.h>
#include <stddef.h>
#include <libxml/tree.h>

#include "err.h"
#include "http.h"

struct vsphere_moref {
	char type[64];
	char value[128];
};

/* SOAP calls made through one client, by method, so tests and benchmarks can
 * show the API cost of an operation. */
#define VSPHERE_STAT_MAX 24
struct vsphere_stat {
	char method[48];
	unsigned long count;
};

struct vsphere_client {
	struct http_client http;
	char *path;			/* "/sdk" */
	char *cookie;			/* "vmware_soap_session=..." while logged in */
	char api_version[16];		/* from ServiceContent.about.apiVersion */
	struct vsphere_moref root_folder, property_collector, session_manager, view_manager;
	int page_size;			/* RetrievePropertiesEx maxObjects; 0 = server's choice */
	int task_timeout_s;		/* how long a task may run (default 600) */
	unsigned long calls;		/* SOAP requests sent */
	struct vsphere_stat stats[VSPHERE_STAT_MAX];
	size_t nstats;
};

/* Connect to url ("https://vcenter/sdk"; a URL without a path gets /sdk) and
 * read the ServiceContent.  TLS settings go on c->http before any call. */
int vsphere_client_init(struct vsphere_client *c, const char *url, struct mtv_err *err);
int vsphere_connect(struct vsphere_client *c, struct mtv_err *err);
void vsphere_client_release(struct vsphere_client *c);

int vsphere_login(struct vsphere_client *c, const char *user, const char *password,
		  struct mtv_err *err);
int vsphere_logout(struct vsphere_client *c, struct mtv_err *err);

/* Calls made with this method name so far (0 when none). */
unsigned long vsphere_calls(const struct vsphere_client *c, const char *method);

struct vsphere_disk {
	char *label;
	char *file;			/* "[LocalDS_0] vm/disk.vmdk" */
	struct vsphere_moref datastore;
	long long capacity_bytes;
};

struct vsphere_nic {
	char *label;
	char *mac;
};

struct vsphere_guest_nic {
	char *network;
	char *mac;
	char **ips;
	size_t nips;
};

struct vsphere_vm {
	struct vsphere_moref ref;
	struct vsphere_moref parent;	/* the folder holding it (clones go there) */
	char *name;
	int num_cpu, cores_per_socket;
	long memory_mb;
	char *firmware;			/* "bios" or "efi" */
	char *uuid;			/* config.uuid, the BIOS UUID */
	char *power_state;		/* poweredOn, poweredOff, suspended */
	struct vsphere_disk *disks;
	size_t ndisks;
	struct vsphere_nic *nics;
	size_t nnics;
	struct vsphere_guest_nic *guest_nics;
	size_t nguest_nics;
	char **snapshots;		/* names, depth first */
	size_t nsnapshots;
};

/* The facts of the VMs named names[0..n-1], out[i] for names[i].  A name
 * that no VM has fails the whole call (MTV_EXIT_USAGE, reason "NotFound").
 * Cost: CreateContainerView, two RetrievePropertiesEx (+Continue pages),
 * DestroyView.  *out is calloc'd; free with vsphere_vms_free. */
int vsphere_vms_get(struct vsphere_client *c, const char *const *names, size_t n,
		    struct vsphere_vm **out, struct mtv_err *err);
void vsphere_vms_free(struct vsphere_vm *vms, size_t n);

/* Tasks on one VM, each waited until it succeeds or fails.  vm_name is only
 * for messages.  A clone is a full clone into the source VM's folder, on
 * its resource pool; *new_vm (may be NULL) gets the clone's moref.  With
 * power_on, a PowerOnVM_Task on the clone follows the clone task. */
int vsphere_power_on(struct vsphere_client *c, const struct vsphere_vm *vm, struct mtv_err *err);
int vsphere_power_off(struct vsphere_client *c, const struct vsphere_vm *vm, struct mtv_err *err);
int vsphere_destroy(struct vsphere_client *c, const struct vsphere_vm *vm, struct mtv_err *err);
int vsphere_clone(struct vsphere_client *c, const struct vsphere_vm *vm, const char *clone_name,
		  bool power_on, struct vsphere_moref *new_vm, struct mtv_err *err);
/* A disk-only snapshot (no memory, no quiescing) named name. */
int vsphere_snapshot(struct vsphere_client *c, const struct vsphere_vm *vm, const char *name,
		     struct mtv_err *err);

/* ---- the SOAP layer, exposed for unit tests ---- */

/* Parse a vim25 response body.  On success *doc is the document and *body
 * the <MethodResponse> element (child of soapenv:Body).  A SOAP Fault (or a
 * non-2xx status, or text that is not a SOAP envelope) fails with an error
 * "vSphere <method>: <FaultType>: <faultstring>" and err->reason the fault
 * type.  code is the exit class for faults (MTV_EXIT_ENV). */
int vsphere_soap_parse(const char *xml, size_t len, long http_status, const char *method,
		       xmlDocPtr *doc, xmlNodePtr *body, struct mtv_err *err);

/* First element child of node named name (local name, any namespace), or
 * NULL; its text content (malloc'd) or NULL. */
xmlNodePtr vsphere_child(xmlNodePtr node, const char *name);
char *vsphere_child_text(xmlNodePtr node, const char *name);

/* Append s to out with &, <, >, " escaped (an XML text or attribute). */
int vsphere_xml_escape(struct buf *out, const char *s);

#endif
