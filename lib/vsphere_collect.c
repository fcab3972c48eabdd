/* The inventory objects around the VMs (datacenters, folders, clusters,
 * hosts, datastores, networks) and the VMs' names and placement, in one
 * container view and one property read, whatever their number: what an
 * inventory collector re-reads on every pass.  The VM facts themselves come
 * from vsphere_vms_get. */
#include "vsphere.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere_int.h"

/* The kinds of the view.  Network also brings its subtypes
 * (DistributedVirtualPortgroup, OpaqueNetwork), as in vCenter. */
static const char *const kinds[] = {
	"Datacenter", "Folder", "ClusterComputeResource", "HostSystem", "Datastore", "Network",
	"VirtualMachine",
};

/* What is read of each type.  A propSet names a type and applies to its
 * subtypes too, so a portgroup gets the Network paths and its own. */
static const struct {
	const char *type;
	const char *paths;
} propsets[] = {
	{ "Datacenter", "<pathSet>name</pathSet><pathSet>parent</pathSet><pathSet>vmFolder</pathSet>" },
	{ "Folder", "<pathSet>name</pathSet><pathSet>parent</pathSet>" },
	{ "ClusterComputeResource", "<pathSet>name</pathSet><pathSet>parent</pathSet>" },
	{ "HostSystem", "<pathSet>name</pathSet><pathSet>parent</pathSet><pathSet>runtime.inMaintenanceMode</pathSet>" },
	{ "Datastore", "<pathSet>name</pathSet><pathSet>parent</pathSet><pathSet>summary.type</pathSet>"
		       "<pathSet>summary.capacity</pathSet><pathSet>summary.freeSpace</pathSet>"
		       "<pathSet>summary.maintenanceMode</pathSet>" },
	{ "Network", "<pathSet>name</pathSet><pathSet>parent</pathSet>" },
	{ "DistributedVirtualPortgroup", "<pathSet>config.key</pathSet><pathSet>config.distributedVirtualSwitch</pathSet>" },
	{ "OpaqueNetwork", "<pathSet>summary.opaqueNetworkId</pathSet>" },
	{ "VirtualMachine", "<pathSet>name</pathSet><pathSet>parent</pathSet><pathSet>runtime.host</pathSet>"
			    "<pathSet>config.guestId</pathSet><pathSet>config.template</pathSet>"
			    "<pathSet>config.changeTrackingEnabled</pathSet><pathSet>guest.toolsRunningStatus</pathSet>" },
};

struct scan {
	struct vsphere_object *objs;
	size_t n, cap;
};

static bool is_true(xmlNodePtr val)
{
	char *t = vsphere_node_text(val);
	bool r = t && !strcmp(t, "true");

	free(t);
	return r;
}

static void set_prop(struct vsphere_object *o, const char *prop, xmlNodePtr val)
{
	if (!strcmp(prop, "name")) {
		free(o->name);
		o->name = vsphere_node_text(val);
	} else if (!strcmp(prop, "parent")) {
		vsphere_moref_from(val, &o->parent);
	} else if (!strcmp(prop, "vmFolder")) {
		vsphere_moref_from(val, &o->vm_folder);
	} else if (!strcmp(prop, "runtime.host")) {
		vsphere_moref_from(val, &o->host);
	} else if (!strcmp(prop, "runtime.inMaintenanceMode")) {
		o->maintenance = is_true(val);
	} else if (!strcmp(prop, "summary.type")) {
		free(o->ds_type);
		o->ds_type = vsphere_node_text(val);
	} else if (!strcmp(prop, "summary.capacity")) {
		char *t = vsphere_node_text(val);
		o->capacity = t ? strtoll(t, NULL, 10) : 0;
		free(t);
	} else if (!strcmp(prop, "summary.freeSpace")) {
		char *t = vsphere_node_text(val);
		o->free_space = t ? strtoll(t, NULL, 10) : 0;
		free(t);
	} else if (!strcmp(prop, "summary.maintenanceMode")) {
		char *t = vsphere_node_text(val);
		o->maintenance = t && strcmp(t, "normal");
		free(t);
	} else if (!strcmp(prop, "config.key") || !strcmp(prop, "summary.opaqueNetworkId")) {
		free(o->key);
		o->key = vsphere_node_text(val);
	} else if (!strcmp(prop, "config.distributedVirtualSwitch")) {
		vsphere_moref_from(val, &o->dvs);
	} else if (!strcmp(prop, "config.guestId")) {
		free(o->guest_id);
		o->guest_id = vsphere_node_text(val);
	} else if (!strcmp(prop, "config.template")) {
		o->template_ = is_true(val);
	} else if (!strcmp(prop, "config.changeTrackingEnabled")) {
		o->cbt = is_true(val);
	} else if (!strcmp(prop, "guest.toolsRunningStatus")) {
		free(o->tools_running);
		o->tools_running = vsphere_node_text(val);
	}
}

static int on_object(xmlNodePtr oc, void *arg, struct mtv_err *err)
{
	struct scan *s = arg;
	struct vsphere_object *o;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct vsphere_object *no = realloc(s->objs, cap * sizeof(*no));

		if (!no)
			return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
		s->objs = no;
		s->cap = cap;
	}
	o = &s->objs[s->n++];
	memset(o, 0, sizeof(*o));
	vsphere_moref_from(vsphere_child(oc, "obj"), &o->ref);
	for (xmlNodePtr ps = oc->children; ps; ps = ps->next) {
		char *prop;
		xmlNodePtr val;

		if (!vsphere_named(ps, "propSet"))
			continue;
		prop = vsphere_child_text(ps, "name");
		val = vsphere_child(ps, "val");
		if (prop && val)
			set_prop(o, prop, val);
		free(prop);
	}
	return 0;
}

int vsphere_inventory(struct vsphere_client *c, struct vsphere_object **out, size_t *n,
		      struct mtv_err *err)
{
	struct buf a = BUF_INIT(16 * 1024);
	struct scan s = { 0 };
	struct vsphere_moref view;
	xmlDocPtr doc;
	xmlNodePtr ret;
	int r;

	*out = NULL;
	*n = 0;
	/* vsphere_container_view takes one type; this view holds them all. */
	vsphere_moref_xml(&a, "container", &c->root_folder);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		buf_addf(&a, "<type>%s</type>", kinds[i]);
	buf_addstr(&a, "<recursive>true</recursive>");
	r = vsphere_soap_call(c, "CreateContainerView", &c->view_manager, buf_str(&a), NULL, &doc, &ret, err);
	if (r < 0) {
		buf_release(&a);
		return -1;
	}
	vsphere_moref_from(vsphere_child(ret, "returnval"), &view);
	xmlFreeDoc(doc);
	buf_reset(&a);
	buf_addstr(&a, "<specSet>");
	for (size_t i = 0; i < sizeof(propsets) / sizeof(propsets[0]); i++)
		buf_addf(&a, "<propSet><type>%s</type>%s</propSet>", propsets[i].type, propsets[i].paths);
	vsphere_view_objectset(&a, &view);
	buf_addstr(&a, "</specSet>");
	r = vsphere_retrieve(c, buf_str(&a), on_object, &s, err);
	vsphere_destroy_view(c, &view);
	buf_release(&a);
	if (r < 0) {
		vsphere_objects_free(s.objs, s.n);
		return -1;
	}
	*out = s.objs;
	*n = s.n;
	return 0;
}

void vsphere_objects_free(struct vsphere_object *objs, size_t n)
{
	for (size_t i = 0; objs && i < n; i++) {
		free(objs[i].name);
		free(objs[i].key);
		free(objs[i].ds_type);
		free(objs[i].guest_id);
		free(objs[i].tools_running);
	}
	free(objs);
}
