/* The datastores a vCenter has: where clones and new disks may go, and the
 * ids a storage map's target_datastore_id names. */
#include "vsphere.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere_int.h"

struct ds_scan {
	struct vsphere_datastore *ds;
	size_t n, cap;
};

static int on_datastore(xmlNodePtr oc, void *arg, struct mtv_err *err)
{
	struct ds_scan *s = arg;
	struct vsphere_datastore *d;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		struct vsphere_datastore *nd = realloc(s->ds, cap * sizeof(*nd));

		if (!nd)
			return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
		s->ds = nd;
		s->cap = cap;
	}
	d = &s->ds[s->n++];
	memset(d, 0, sizeof(*d));
	vsphere_moref_from(vsphere_child(oc, "obj"), &d->ref);
	for (xmlNodePtr ps = oc->children; ps; ps = ps->next) {
		char *prop;
		xmlNodePtr val;

		if (!vsphere_named(ps, "propSet"))
			continue;
		prop = vsphere_child_text(ps, "name");
		val = vsphere_child(ps, "val");
		if (prop && val && !strcmp(prop, "name"))
			d->name = vsphere_node_text(val);
		else if (prop && !strcmp(prop, "summary.capacity"))
			d->capacity_bytes = vsphere_child_ll(ps, "val", 0);
		else if (prop && !strcmp(prop, "summary.freeSpace"))
			d->free_bytes = vsphere_child_ll(ps, "val", 0);
		free(prop);
	}
	return 0;
}

int vsphere_datastores(struct vsphere_client *c, struct vsphere_datastore **out, size_t *n,
		       struct mtv_err *err)
{
	struct ds_scan s = { NULL, 0, 0 };
	int r;

	*out = NULL;
	*n = 0;
	r = vsphere_retrieve_view(c, "Datastore",
				  "<propSet><type>Datastore</type><pathSet>name</pathSet>"
				  "<pathSet>summary.capacity</pathSet><pathSet>summary.freeSpace</pathSet></propSet>",
				  on_datastore, &s, err);
	if (r < 0) {
		vsphere_datastores_free(s.ds, s.n);
		return -1;
	}
	if (!s.ds && !(s.ds = calloc(1, sizeof(*s.ds))))
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	*out = s.ds;
	*n = s.n;
	return 0;
}

void vsphere_datastores_free(struct vsphere_datastore *ds, size_t n)
{
	if (!ds)
		return;
	for (size_t i = 0; i < n; i++)
		free(ds[i].name);
	free(ds);
}
