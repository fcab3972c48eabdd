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
 *     ReconfigVM_Task, CreateSnapshot_Task, RemoveSnapshot_Task return a
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
	int key;			/* device key, with controller_key and unit the disk order */
	int controller_key, unit;
	char *disk_mode;		/* backing.diskMode: persistent, independent_persistent, ... */
	char *provisioning;		/* "thin", "thick-lazy" or "thick-eager" (thinProvisioned, eagerlyScrub);
					 * NULL for a raw device mapping */
};

struct vsphere_nic {
	char *label;
	char *mac;
	char *network;			/* backing deviceName, or the port group's name (read in the same
					 * RetrievePropertiesEx through the VM's "network") */
	struct vsphere_moref network_ref;	/* backing.network / the DVS port group; may be empty */
};

struct vsphere_guest_ip {
	char *address;
	char *origin;			/* ipConfig origin: dhcp, manual, linklayer, random, other; NULL when unknown */
};

struct vsphere_guest_nic {
	char *network;
	char *mac;
	char **ips;			/* guest.net[].ipAddress */
	size_t nips;
	struct vsphere_guest_ip *ip_config;	/* guest.net[].ipConfig.ipAddress, with origins */
	size_t nip_config;
};

struct vsphere_snapshot_info {
	char *name;
	struct vsphere_moref ref;	/* VirtualMachineSnapshot, for RemoveSnapshot_Task */
};

struct vsphere_vm {
	struct vsphere_moref ref;
	struct vsphere_moref parent;	/* the folder holding it (clones go there) */
	char *name;
	int num_cpu, cores_per_socket;
	long memory_mb;
	char *firmware;			/* "bios" or "efi" */
	bool secure_boot;		/* config.bootOptions.efiSecureBootEnabled */
	char *uuid;			/* config.uuid, the BIOS UUID */
	char *bios_serial;		/* "VMware-42 1c ... 3f-9a ...", derived from uuid as the VM's BIOS shows it
					 * (vsphere_bios_serial); NULL without a uuid */
	char *guest_id;			/* config.guestId ("rhel8_64Guest", "windows2019srv_64Guest") */
	char *annotation;		/* config.annotation, "" when none */
	char *session;			/* extraConfig "mtv-steps.session", NULL when absent */
	bool cbt;			/* config.changeTrackingEnabled */
	bool template_;			/* config.template */
	char *power_state;		/* poweredOn, poweredOff, suspended */
	struct vsphere_disk *disks;
	size_t ndisks;
	struct vsphere_nic *nics;
	size_t nnics;
	struct vsphere_guest_nic *guest_nics;
	size_t nguest_nics;
	char **snapshots;		/* names, depth first */
	struct vsphere_snapshot_info *snapshot_refs;	/* the same, with morefs */
	size_t nsnapshots;
};

/* The facts of the VMs named names[0..n-1], out[i] for names[i].  A name
 * that no VM has fails the whole call (MTV_EXIT_USAGE, reason "NotFound",
 * the message 'vSphere: no VM named "x"; close names: a, b' lists up to
 * five VM names close to it, nearest first: same name in another case, one
 * a prefix of the other (either way, ignoring case), or an edit distance of
 * at most 3; without any, the message ends after the name).  Two VMs of
 * one name fail too (MTV_EXIT_USAGE, reason "Ambiguous").
 * Cost: CreateContainerView, RetrievePropertiesEx (every VM's name) and
 * DestroyView, then one RetrievePropertiesEx for the facts (+Continue
 * pages).  *out is calloc'd; free with vsphere_vms_free. */
int vsphere_vms_get(struct vsphere_client *c, const char *const *names, size_t n,
		    struct vsphere_vm **out, struct mtv_err *err);
void vsphere_vms_free(struct vsphere_vm *vms, size_t n);

/* Like vsphere_vms_get for one name, but a missing VM is not an error:
 * *out = NULL and 0 (then after one RetrievePropertiesEx only).  Two VMs of
 * that name fail (reason "Ambiguous").  Free *out with vsphere_vms_free(*out, 1). */
int vsphere_vm_find(struct vsphere_client *c, const char *name, struct vsphere_vm **out,
		    struct mtv_err *err);

/* Every VM whose name starts with prefix ("" = all; case matters), with
 * name, ref, power_state, session and annotation filled (the rest left
 * empty), in one container view and one property read: what teardown
 * sweeps.  *out calloc'd (even when *n is 0); free with vsphere_vms_free. */
int vsphere_vms_list(struct vsphere_client *c, const char *prefix, struct vsphere_vm **out,
		     size_t *n, struct mtv_err *err);

struct vsphere_datastore {
	struct vsphere_moref ref;	/* ref.value is the id ("datastore-12") target_datastore_id names */
	char *name;
	long long capacity_bytes, free_bytes;
};

/* All datastores (one view, one property read).  *out calloc'd; free with
 * vsphere_datastores_free. */
int vsphere_datastores(struct vsphere_client *c, struct vsphere_datastore **out, size_t *n,
		       struct mtv_err *err);
void vsphere_datastores_free(struct vsphere_datastore *ds, size_t n);

/* Tasks on one VM, each waited until it succeeds or fails.  vm_name is only
 * for messages.  *new_vm (may be NULL) gets the clone's moref. */
int vsphere_power_on(struct vsphere_client *c, const struct vsphere_vm *vm, struct mtv_err *err);
int vsphere_power_off(struct vsphere_client *c, const struct vsphere_vm *vm, struct mtv_err *err);
int vsphere_destroy(struct vsphere_client *c, const struct vsphere_vm *vm, struct mtv_err *err);

struct vsphere_clone_opts {
	const char *name;		/* the clone's name, kept as given (case, underscores) */
	const struct vsphere_moref *datastore;	/* NULL: the source VM's */
	const char *disk_type;		/* NULL/"": as the source; "thin", "thick-lazy", "thick-eager" */
	bool power_on;			/* a PowerOnVM_Task on the clone after the clone task */
	bool enable_cbt;		/* extraConfig ctkEnabled=true + changeTrackingEnabled (warm) */
	const char *session;		/* extraConfig "mtv-steps.session" = this, the ownership mark; may be NULL */
	const char *annotation;		/* config.annotation of the clone; may be NULL */
};

/* A full clone of vm into its folder, on its resource pool, as opts say:
 * spec.location.datastore for the datastore, one disk locator per source
 * disk (diskBackingInfo thinProvisioned/eagerlyScrub) for disk_type, the
 * session mark, ctkEnabled, changeTrackingEnabled and the annotation in
 * spec.config.  A bad name (empty, over 80 characters) or disk_type fails
 * before any call (MTV_EXIT_USAGE).
 * The name is looked up first (vsphere_vm_find): vCenter refuses a second
 * VM of one name in a folder, vcsim does not, and a re-run must find its
 * own clone.  A VM there carrying opts->session is adopted as the clone
 * (no CloneVM_Task); any other fails (MTV_EXIT_FAILED, reason
 * "DuplicateName"), and so does every taken name when opts->session is
 * NULL.  A clone call that failed ambiguously (reason "Ambiguous": sent, no
 * answer) or with DuplicateName is never repeated: the name is looked up
 * again and adopted or refused the same way.
 * When opts ask for CBT, an annotation, a session or a disk type, the
 * clone is read back (one RetrievePropertiesEx) and what the server did not
 * honour on clone (vcsim keeps neither changeTrackingEnabled, the
 * annotation nor the locators' provisioning) is applied by one
 * ReconfigVM_Task, so the result is the same everywhere; an adopted clone
 * is completed the same way.  Then the power-on, when asked and not on.
 * Cost (new clone): CreateContainerView, RetrievePropertiesEx (x1, +1 for
 * the read-back), DestroyView, CloneVM_Task, [ReconfigVM_Task],
 * [PowerOnVM_Task], each task with CreateFilter, WaitForUpdatesEx (one
 * or more), DestroyPropertyFilter. */
int vsphere_clone_vm(struct vsphere_client *c, const struct vsphere_vm *vm,
		     const struct vsphere_clone_opts *opts, struct vsphere_moref *new_vm,
		     struct mtv_err *err);
/* The old form: vsphere_clone_vm with only a name and power_on (no
 * session: it never takes a name that exists). */
int vsphere_clone(struct vsphere_client *c, const struct vsphere_vm *vm, const char *clone_name,
		  bool power_on, struct vsphere_moref *new_vm, struct mtv_err *err);

struct vsphere_new_disk {
	long long size_gb;		/* > 0 */
	const char *provisioning;	/* "thin" (default), "thick-lazy", "thick-eager" */
	const char *disk_mode;		/* "persistent" (default), "independent_persistent", "independent_nonpersistent" */
	const struct vsphere_moref *datastore;	/* NULL: the VM's first disk's datastore */
};

/* One ReconfigVM_Task adding n new disks (VirtualDisk, FlatVer2 backing,
 * fileOperation create, fileName "[datastore]" to place it) on the VM's
 * first SCSI controller (lowest bus number), at the next free unit numbers
 * (7, the controller's own, is skipped), as the devices are now (read
 * again: one RetrievePropertiesEx).  A size outside 1..62 TB, a mode or
 * provisioning not listed above, or no datastore to use fail before any
 * call (MTV_EXIT_USAGE); so do a VM without a SCSI controller or without
 * free units, after the read.  A datastore given by moref costs one
 * vsphere_datastores (its name places the file).  n == 0: nothing, no call. */
int vsphere_add_disks(struct vsphere_client *c, const struct vsphere_vm *vm,
		      const struct vsphere_new_disk *disks, size_t n, struct mtv_err *err);

/* A disk-only snapshot (no memory, no quiescing) named name; vsphere_vms_get
 * shows it in snapshots/snapshot_refs. */
int vsphere_snapshot(struct vsphere_client *c, const struct vsphere_vm *vm, const char *name,
		     struct mtv_err *err);
/* RemoveSnapshot_Task of snap (removeChildren false, consolidate true). */
int vsphere_snapshot_remove(struct vsphere_client *c, const struct vsphere_vm *vm,
			    const struct vsphere_moref *snap, struct mtv_err *err);

/* ---- TLS, as a Provider Secret says ---- */

/* Verify the server against ca_pem (PEM, may hold several certificates;
 * it replaces the system trust store), or skip verification when insecure
 * (which wins over a CA); neither (NULL or ""): the system trust store.
 * Sets c->http's CA and insecure flag (lib/http hands them to curl on
 * every request); call before vsphere_connect.  A server that fails the
 * check fails the first call, MTV_EXIT_ENV, with curl's reason ("SSL
 * certificate problem: ...") in the message. */
int vsphere_client_tls(struct vsphere_client *c, const char *ca_pem, bool insecure,
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

/* Fill vms[0..n-1] (whose ref is set) from a RetrieveResult (the
 * <returnval> of RetrievePropertiesEx) holding their ObjectContents and the
 * Network objects their NICs are on: what vsphere_vms_get does with each
 * page of its second read. */
int vsphere_vms_parse(xmlNodePtr result, struct vsphere_vm *vms, size_t n, struct mtv_err *err);

/* The BIOS serial number a VMware VM reports for the BIOS UUID uuid:
 * "VMware-" and the 16 bytes in order as lower-case hex pairs separated by
 * blanks, a '-' between the 8th and the 9th.  -1 when uuid is not 32 hex
 * digits (dashes ignored) or out is too small (it needs 55 bytes). */
int vsphere_bios_serial(const char *uuid, char *out, size_t outsz);

/* ---- inventory collection (lib/vsphere_collect.c) ----
 * What a Forklift-style inventory needs besides the VM facts: every managed
 * object of the kinds Forklift's vSphere collector models, with the few
 * properties it shows, in one container view and one property read. */

struct vsphere_object {
	struct vsphere_moref ref;	/* ref.type: Datacenter, Folder, ClusterComputeResource, HostSystem,
					 * Datastore, Network, DistributedVirtualPortgroup, OpaqueNetwork,
					 * VirtualMachine (or another Network subtype) */
	char *name;
	struct vsphere_moref parent;	/* empty for the root folder */
	char *key;			/* portgroup config.key; opaque network summary.opaqueNetworkId */
	struct vsphere_moref dvs;	/* portgroup config.distributedVirtualSwitch */
	struct vsphere_moref vm_folder;	/* Datacenter vmFolder */
	struct vsphere_moref host;	/* VirtualMachine runtime.host */
	char *ds_type;			/* Datastore summary.type (VMFS, NFS, OTHER, ...) */
	long long capacity, free_space;	/* Datastore summary.capacity/freeSpace, bytes */
	bool maintenance;		/* HostSystem runtime.inMaintenanceMode; Datastore not "normal" */
	char *guest_id;			/* VirtualMachine config.guestId */
	char *tools_running;		/* VirtualMachine guest.toolsRunningStatus */
	bool template_, cbt;		/* VirtualMachine config.template, config.changeTrackingEnabled */
};

/* Every object of those kinds under the root folder: CreateContainerView
 * (all kinds in one view), RetrievePropertiesEx (+Continue pages),
 * DestroyView.  *out calloc'd (NULL with *n 0 when empty); free with
 * vsphere_objects_free. */
int vsphere_inventory(struct vsphere_client *c, struct vsphere_object **out, size_t *n,
		      struct mtv_err *err);
void vsphere_objects_free(struct vsphere_object *objs, size_t n);

#endif
