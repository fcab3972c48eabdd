/* The facts of VMs by name: two bulk property reads through a container
 * view, whatever the number of VMs; and the one-read listing teardown
 * sweeps with. */
#include "vsphere.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "vsphere_int.h"

#define SESSION_KEY "mtv-steps.session"
#define MAX_CLOSE 5

/* ---- pass 1: names to morefs ---- */

struct name_scan {
	const char *const *names;
	size_t n;
	struct vsphere_vm *vms;
	struct vsphere_moref *dup;	/* dup[i]: a second VM named names[i] */
	char **all;			/* every VM name seen, for "close names" */
	size_t nall, capall;
};

static int on_name(xmlNodePtr oc, void *arg, struct mtv_err *err)
{
	struct name_scan *s = arg;
	xmlNodePtr ps = vsphere_child(oc, "propSet");
	char *name = vsphere_child_text(ps, "val");

	if (!name)
		return 0;
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(name, s->names[i]))
			vsphere_moref_from(vsphere_child(oc, "obj"),
					   s->vms[i].ref.value[0] ? &s->dup[i] : &s->vms[i].ref);
	if (s->nall == s->capall) {
		size_t cap = s->capall ? 2 * s->capall : 64;
		char **na = realloc(s->all, cap * sizeof(*na));

		if (!na) {
			free(name);
			return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
		}
		s->all = na;
		s->capall = cap;
	}
	s->all[s->nall++] = name;
	return 0;
}

/* Levenshtein distance of a and b ignoring case, or limit+1 once it is
 * certain to exceed limit (names are short; the rows are on the stack). */
static size_t edit_distance(const char *a, const char *b, size_t limit)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[257], prev[257];

	if (la > 256 || lb > 256)
		return limit + 1;
	if ((la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t best;

		row[0] = best = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
			size_t del = prev[j] + 1, ins = row[j - 1] + 1;

			row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
			if (row[j] < best)
				best = row[j];
		}
		if (best > limit)
			return limit + 1;
		memcpy(prev, row, (lb + 1) * sizeof(row[0]));
	}
	return prev[lb];
}

static bool prefix_ci(const char *p, const char *s)
{
	return *p && !strncasecmp(p, s, strlen(p));
}

/* "vSphere: no VM named "x"" and, when some exist, up to MAX_CLOSE names
 * near it, nearest first: the same name in another case, one name a
 * prefix of the other, or at most three edits apart.  A typo in a
 * scenario is then a one-look fix. */
static int not_found(const char *name, char **all, size_t nall, struct mtv_err *err)
{
	const char *close[MAX_CLOSE];
	size_t dist[MAX_CLOSE], nclose = 0;
	struct buf m = BUF_INIT(4096);

	for (size_t i = 0; i < nall; i++) {
		size_t d;

		if (!strcasecmp(all[i], name))
			d = 0;
		else if (prefix_ci(name, all[i]) || prefix_ci(all[i], name))
			d = 1;
		else if ((d = edit_distance(name, all[i], 3)) > 3)
			continue;
		/* insertion sort into the nearest MAX_CLOSE, first seen first */
		{
			size_t at = nclose;

			while (at > 0 && dist[at - 1] > d)
				at--;
			if (at >= MAX_CLOSE)
				continue;
			if (nclose < MAX_CLOSE)
				nclose++;
			for (size_t k = nclose - 1; k > at; k--) {
				close[k] = close[k - 1];
				dist[k] = dist[k - 1];
			}
			close[at] = all[i];
			dist[at] = d;
		}
	}
	buf_addf(&m, "vSphere: no VM named \"%s\"", name);
	for (size_t i = 0; i < nclose; i++)
		buf_addf(&m, "%s%s", i ? ", " : "; close names: ", close[i]);
	mtv_err_set(err, MTV_EXIT_USAGE, "%s", buf_str(&m));
	snprintf(err->reason, sizeof(err->reason), "NotFound");
	buf_release(&m);
	return -1;
}

/* ---- pass 2: the facts ---- */

static bool child_bool(xmlNodePtr node, const char *name)
{
	char *t = vsphere_child_text(node, name);
	bool v = t && !strcmp(t, "true");

	free(t);
	return v;
}

static const char *provisioning_of(xmlNodePtr backing)
{
	char type[64];

	vsphere_xsi_type(backing, type, sizeof(type));
	if (strstr(type, "RawDiskMapping"))
		return NULL;	/* a LUN: no provisioning of its own */
	if (child_bool(backing, "thinProvisioned") || strstr(type, "Sparse"))
		return "thin";
	return child_bool(backing, "eagerlyScrub") ? "thick-eager" : "thick-lazy";
}

static int read_disk(struct vsphere_vm *vm, xmlNodePtr d, xmlNodePtr info, xmlNodePtr backing)
{
	struct vsphere_disk *nd = realloc(vm->disks, (vm->ndisks + 1) * sizeof(*nd));
	const char *prov = provisioning_of(backing);

	if (!nd)
		return -1;
	vm->disks = nd;
	nd += vm->ndisks++;
	memset(nd, 0, sizeof(*nd));
	nd->label = vsphere_child_text(info, "label");
	nd->file = vsphere_child_text(backing, "fileName");
	vsphere_moref_from(vsphere_child(backing, "datastore"), &nd->datastore);
	nd->capacity_bytes = vsphere_child_ll(d, "capacityInBytes", -1);
	if (nd->capacity_bytes < 0)
		nd->capacity_bytes = vsphere_child_ll(d, "capacityInKB", 0) * 1024;
	nd->key = (int)vsphere_child_ll(d, "key", 0);
	nd->controller_key = (int)vsphere_child_ll(d, "controllerKey", 0);
	nd->unit = (int)vsphere_child_ll(d, "unitNumber", -1);
	nd->disk_mode = vsphere_child_text(backing, "diskMode");
	nd->provisioning = prov ? strdup(prov) : NULL;
	return 0;
}

static int read_nic(struct vsphere_vm *vm, xmlNodePtr d, xmlNodePtr info, xmlNodePtr backing)
{
	struct vsphere_nic *nn = realloc(vm->nics, (vm->nnics + 1) * sizeof(*nn));
	xmlNodePtr port = vsphere_child(backing, "port");

	if (!nn)
		return -1;
	vm->nics = nn;
	nn += vm->nnics++;
	memset(nn, 0, sizeof(*nn));
	nn->label = vsphere_child_text(info, "label");
	nn->mac = vsphere_child_text(d, "macAddress");
	if (port) {
		/* a distributed port group: named by its key; the name comes
		 * from the Network objects read alongside (fill_network_names) */
		char *key = vsphere_child_text(port, "portgroupKey");

		snprintf(nn->network_ref.type, sizeof(nn->network_ref.type), "DistributedVirtualPortgroup");
		snprintf(nn->network_ref.value, sizeof(nn->network_ref.value), "%s", key ? key : "");
		free(key);
	} else {
		xmlNodePtr opaque = vsphere_child(backing, "opaqueNetworkId");

		vsphere_moref_from(vsphere_child(backing, "network"), &nn->network_ref);
		nn->network = vsphere_child_text(backing, "deviceName");
		if (!nn->network && opaque)
			nn->network = vsphere_node_text(opaque);
	}
	return 0;
}

static void read_hardware(struct vsphere_vm *vm, xmlNodePtr hw)
{
	vm->num_cpu = (int)vsphere_child_ll(hw, "numCPU", 0);
	vm->cores_per_socket = (int)vsphere_child_ll(hw, "numCoresPerSocket", 1);
	vm->memory_mb = (long)vsphere_child_ll(hw, "memoryMB", 0);
	for (xmlNodePtr d = hw->children; d; d = d->next) {
		char type[64];
		xmlNodePtr info, backing;

		if (!vsphere_named(d, "device"))
			continue;
		vsphere_xsi_type(d, type, sizeof(type));
		info = vsphere_child(d, "deviceInfo");
		backing = vsphere_child(d, "backing");
		if (!strcmp(type, "VirtualDisk")) {
			if (read_disk(vm, d, info, backing) < 0)
				return;
		} else if (vsphere_child(d, "macAddress")) {
			/* every VirtualEthernetCard subtype (E1000, Vmxnet3, ...)
			 * and only those carry a macAddress */
			if (read_nic(vm, d, info, backing) < 0)
				return;
		}
	}
}

static void read_ip_config(struct vsphere_guest_nic *ng, xmlNodePtr cfg)
{
	for (xmlNodePtr a = cfg ? cfg->children : NULL; a; a = a->next) {
		struct vsphere_guest_ip *ni;

		if (!vsphere_named(a, "ipAddress"))
			continue;
		ni = realloc(ng->ip_config, (ng->nip_config + 1) * sizeof(*ni));
		if (!ni)
			return;
		ng->ip_config = ni;
		ni += ng->nip_config++;
		ni->address = vsphere_child_text(a, "ipAddress");
		ni->origin = vsphere_child_text(a, "origin");
	}
}

static void read_guest_net(struct vsphere_vm *vm, xmlNodePtr val)
{
	for (xmlNodePtr g = val->children; g; g = g->next) {
		struct vsphere_guest_nic *ng;

		if (!vsphere_named(g, "GuestNicInfo"))
			continue;
		ng = realloc(vm->guest_nics, (vm->nguest_nics + 1) * sizeof(*ng));
		if (!ng)
			return;
		vm->guest_nics = ng;
		ng += vm->nguest_nics++;
		memset(ng, 0, sizeof(*ng));
		ng->network = vsphere_child_text(g, "network");
		ng->mac = vsphere_child_text(g, "macAddress");
		for (xmlNodePtr ip = g->children; ip; ip = ip->next) {
			char **ni;

			if (!vsphere_named(ip, "ipAddress"))
				continue;
			ni = realloc(ng->ips, (ng->nips + 1) * sizeof(*ni));
			if (!ni)
				return;
			ng->ips = ni;
			ng->ips[ng->nips++] = vsphere_node_text(ip);
		}
		read_ip_config(ng, vsphere_child(g, "ipConfig"));
	}
}

static void read_snapshot_tree(struct vsphere_vm *vm, xmlNodePtr list_parent, const char *elem)
{
	for (xmlNodePtr s = list_parent->children; s; s = s->next) {
		char **ns;
		struct vsphere_snapshot_info *nr;

		if (!vsphere_named(s, elem))
			continue;
		ns = realloc(vm->snapshots, (vm->nsnapshots + 1) * sizeof(*ns));
		if (!ns)
			return;
		vm->snapshots = ns;
		nr = realloc(vm->snapshot_refs, (vm->nsnapshots + 1) * sizeof(*nr));
		if (!nr)
			return;
		vm->snapshot_refs = nr;
		vm->snapshots[vm->nsnapshots] = vsphere_child_text(s, "name");
		nr[vm->nsnapshots].name = vsphere_child_text(s, "name");
		vsphere_moref_from(vsphere_child(s, "snapshot"), &nr[vm->nsnapshots].ref);
		vm->nsnapshots++;
		read_snapshot_tree(vm, s, "childSnapshotList");
	}
}

/* extraConfig's mtv-steps.session value, NULL when the key is absent */
static char *read_session(xmlNodePtr val)
{
	for (xmlNodePtr o = val->children; o; o = o->next) {
		char *key;

		if (!vsphere_named(o, "OptionValue"))
			continue;
		key = vsphere_child_text(o, "key");
		if (key && !strcmp(key, SESSION_KEY)) {
			char *v = vsphere_child_text(o, "value");

			free(key);
			return v ? v : strdup("");
		}
		free(key);
	}
	return NULL;
}

int vsphere_bios_serial(const char *uuid, char *out, size_t outsz)
{
	char hex[33];
	size_t nh = 0;
	struct buf b = BUF_INIT(128);

	for (const char *p = uuid ? uuid : ""; *p; p++) {
		if (*p == '-')
			continue;
		if (!isxdigit((unsigned char)*p) || nh == 32)
			return -1;
		hex[nh++] = (char)tolower((unsigned char)*p);
	}
	if (nh != 32)
		return -1;
	/* The SMBIOS serial a VMware VM's firmware reports: the 16 bytes of
	 * the BIOS UUID in order, blank separated, '-' between the halves. */
	buf_addstr(&b, "VMware-");
	for (int i = 0; i < 16; i++)
		buf_addf(&b, "%s%c%c", i == 0 ? "" : i == 8 ? "-" : " ", hex[2 * i], hex[2 * i + 1]);
	if (b.len + 1 > outsz) {
		buf_release(&b);
		return -1;
	}
	memcpy(out, buf_str(&b), b.len + 1);
	buf_release(&b);
	return 0;
}

struct net_name {
	struct vsphere_moref ref;
	char *name;
};

struct fact_scan {
	struct vsphere_vm *vms;
	size_t n;
	struct net_name *nets;		/* Network objects read through the VMs */
	size_t nnets;
};

/* A property the server sends twice for one VM (none should; a broken or
 * hostile one may) counts once: the first value read is kept, the later
 * ones are not read at all, so nothing is overwritten or doubled. */
static void text_once(char **dst, xmlNodePtr val)
{
	if (!*dst)
		*dst = vsphere_node_text(val);
}

static void read_vm(struct vsphere_vm *vm, xmlNodePtr oc)
{
	for (xmlNodePtr ps = oc->children; ps; ps = ps->next) {
		char *prop;
		xmlNodePtr val;

		if (!vsphere_named(ps, "propSet"))
			continue;
		prop = vsphere_child_text(ps, "name");
		val = vsphere_child(ps, "val");
		if (!prop || !val) {
			free(prop);
			continue;
		}
		if (!strcmp(prop, "name"))
			text_once(&vm->name, val);
		else if (!strcmp(prop, "parent"))
			vsphere_moref_from(val, &vm->parent);
		else if (!strcmp(prop, "config.hardware")) {
			if (!vm->num_cpu && !vm->ndisks && !vm->nnics)
				read_hardware(vm, val);
		} else if (!strcmp(prop, "config.firmware"))
			text_once(&vm->firmware, val);
		else if (!strcmp(prop, "config.uuid"))
			text_once(&vm->uuid, val);
		else if (!strcmp(prop, "config.guestId"))
			text_once(&vm->guest_id, val);
		else if (!strcmp(prop, "config.annotation"))
			text_once(&vm->annotation, val);
		else if (!strcmp(prop, "config.extraConfig")) {
			if (!vm->session)
				vm->session = read_session(val);
		}
		else if (!strcmp(prop, "config.changeTrackingEnabled"))
			vm->cbt = child_bool(ps, "val");
		else if (!strcmp(prop, "config.template"))
			vm->template_ = child_bool(ps, "val");
		else if (!strcmp(prop, "config.bootOptions"))
			vm->secure_boot = child_bool(val, "efiSecureBootEnabled");
		else if (!strcmp(prop, "runtime.powerState"))
			text_once(&vm->power_state, val);
		else if (!strcmp(prop, "guest.net")) {
			if (!vm->nguest_nics)
				read_guest_net(vm, val);
		} else if (!strcmp(prop, "snapshot")) {
			if (!vm->nsnapshots)
				read_snapshot_tree(vm, val, "rootSnapshotList");
		}
		free(prop);
	}
}

static int on_facts(xmlNodePtr oc, void *arg, struct mtv_err *err)
{
	struct fact_scan *s = arg;
	struct vsphere_moref ref;
	struct vsphere_vm *vm = NULL;

	vsphere_moref_from(vsphere_child(oc, "obj"), &ref);
	if (strcmp(ref.type, "VirtualMachine")) {
		/* a Network, DistributedVirtualPortgroup or OpaqueNetwork
		 * reached through a VM's "network": its name */
		struct net_name *nn = realloc(s->nets, (s->nnets + 1) * sizeof(*nn));

		if (!nn)
			return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
		s->nets = nn;
		nn[s->nnets].ref = ref;
		nn[s->nnets].name = vsphere_child_text(vsphere_child(oc, "propSet"), "val");
		s->nnets++;
		return 0;
	}
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->vms[i].ref.value, ref.value) && !s->vms[i].name)
			vm = &s->vms[i];
	if (vm)
		read_vm(vm, oc);
	return 0;
}

/* What needs every object read: port group names, BIOS serials, "" for
 * an absent annotation. */
static void finish_facts(struct fact_scan *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct vsphere_vm *vm = &s->vms[i];
		char serial[64];

		if (!vm->annotation)
			vm->annotation = strdup("");
		if (!vm->bios_serial && vsphere_bios_serial(vm->uuid, serial, sizeof(serial)) == 0)
			vm->bios_serial = strdup(serial);
		for (size_t j = 0; j < vm->nnics; j++) {
			struct vsphere_nic *nic = &vm->nics[j];

			for (size_t k = 0; k < s->nnets; k++)
				if (s->nets[k].name && !strcmp(s->nets[k].ref.value, nic->network_ref.value)) {
					/* the port group's type as the server names it */
					nic->network_ref = s->nets[k].ref;
					if (!nic->network)
						nic->network = strdup(s->nets[k].name);
				}
		}
	}
}

static void free_nets(struct fact_scan *s)
{
	for (size_t k = 0; k < s->nnets; k++)
		free(s->nets[k].name);
	free(s->nets);
	s->nets = NULL;
	s->nnets = 0;
}

int vsphere_vms_parse(xmlNodePtr result, struct vsphere_vm *vms, size_t n, struct mtv_err *err)
{
	struct fact_scan fs = { vms, n, NULL, 0 };
	int r = 0;

	for (xmlNodePtr o = result ? result->children : NULL; o && r == 0; o = o->next)
		if (vsphere_named(o, "objects"))
			r = on_facts(o, &fs, err);
	if (r == 0)
		finish_facts(&fs);
	free_nets(&fs);
	return r;
}

/* The properties pass 2 reads of each VM. */
static const char *const fact_paths[] = {
	"name", "parent", "config.hardware", "config.firmware", "config.uuid", "config.guestId",
	"config.annotation", "config.extraConfig", "config.changeTrackingEnabled", "config.template",
	"config.bootOptions", "runtime.powerState", "guest.net", "snapshot",
};

/* Pass 2's specSet for vms[0..n-1] (by ref): their facts, and the names of
 * the networks their NICs are on, reached through each VM's "network" (a
 * distributed port group is named only there). */
static void fact_spec(struct buf *spec, const struct vsphere_vm *vms, size_t n)
{
	buf_addstr(spec, "<specSet><propSet><type>VirtualMachine</type>");
	for (size_t i = 0; i < sizeof(fact_paths) / sizeof(fact_paths[0]); i++)
		buf_addf(spec, "<pathSet>%s</pathSet>", fact_paths[i]);
	buf_addstr(spec, "</propSet><propSet><type>Network</type><pathSet>name</pathSet></propSet>");
	for (size_t i = 0; i < n; i++) {
		buf_addstr(spec, "<objectSet>");
		vsphere_moref_xml(spec, "obj", &vms[i].ref);
		buf_addstr(spec, "<skip>false</skip><selectSet xsi:type=\"TraversalSpec\"><name>net</name>"
			   "<type>VirtualMachine</type><path>network</path><skip>false</skip></selectSet>"
			   "</objectSet>");
	}
	buf_addstr(spec, "</specSet>");
}

int vsphere_vm_read(struct vsphere_client *c, const struct vsphere_moref *ref, struct vsphere_vm **out,
		    struct mtv_err *err)
{
	struct vsphere_vm *vm = calloc(1, sizeof(*vm));
	struct buf spec = BUF_INIT(BUF_DEFAULT_MAX);
	struct fact_scan fs = { vm, 1, NULL, 0 };
	int r;

	*out = NULL;
	if (!vm)
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	vm->ref = *ref;
	fact_spec(&spec, vm, 1);
	r = vsphere_retrieve(c, buf_str(&spec), on_facts, &fs, err);
	buf_release(&spec);
	if (r == 0)
		finish_facts(&fs);
	free_nets(&fs);
	if (r == 0 && !vm->name)
		r = mtv_err_set(err, MTV_EXIT_ENV, "vSphere: VM %s not read (deleted meanwhile?)", ref->value);
	if (r < 0) {
		vsphere_vms_free(vm, 1);
		return -1;
	}
	*out = vm;
	return 0;
}

static void free_names(struct name_scan *ns)
{
	for (size_t i = 0; i < ns->nall; i++)
		free(ns->all[i]);
	free(ns->all);
}

static int vms_get(struct vsphere_client *c, const char *const *names, size_t n, bool missing_ok,
		   struct vsphere_vm **out, struct mtv_err *err)
{
	struct vsphere_vm *vms = calloc(n ? n : 1, sizeof(*vms));
	struct buf spec = BUF_INIT(BUF_DEFAULT_MAX);
	struct vsphere_moref *dup = calloc(n ? n : 1, sizeof(*dup));
	struct name_scan ns = { names, n, vms, dup, NULL, 0, 0 };
	struct fact_scan fs = { vms, n, NULL, 0 };
	int r = -1;

	*out = NULL;
	if (!vms || !dup) {
		free(vms);
		free(dup);
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	}
	/* Pass 1: the name of every VM, to map names to morefs. */
	if (vsphere_retrieve_view(c, "VirtualMachine",
				  "<propSet><type>VirtualMachine</type><pathSet>name</pathSet></propSet>", on_name,
				  &ns, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!vms[i].ref.value[0]) {
			if (missing_ok) {
				r = 0;
				goto out;
			}
			not_found(names[i], ns.all, ns.nall, err);
			goto out;
		} else if (dup[i].value[0]) {
			/* vCenter allows one name in different folders: acting on
			 * either could clone or destroy the wrong VM. */
			mtv_err_set(err, MTV_EXIT_USAGE, "vSphere: more than one VM named \"%s\" (%s, %s)",
				    names[i], vms[i].ref.value, dup[i].value);
			snprintf(err->reason, sizeof(err->reason), "Ambiguous");
			goto out;
		}
	/* Pass 2: the facts of the wanted VMs, all in one request. */
	fact_spec(&spec, vms, n);
	if (vsphere_retrieve(c, buf_str(&spec), on_facts, &fs, err) < 0)
		goto out;
	finish_facts(&fs);
	/* on_facts fills one slot per moref: a name asked for twice leaves
	 * the second slot empty, as does a VM deleted between the passes. */
	for (size_t i = 0; i < n; i++)
		if (!vms[i].name) {
			mtv_err_set(err, MTV_EXIT_ENV, "vSphere: VM \"%s\" (%s) not read (deleted meanwhile, or named twice)",
				    names[i], vms[i].ref.value);
			goto out;
		}
	r = 0;
	*out = vms;
	vms = NULL;
out:
	buf_release(&spec);
	free(dup);
	free_names(&ns);
	free_nets(&fs);
	vsphere_vms_free(vms, n);
	return r;
}

int vsphere_vms_get(struct vsphere_client *c, const char *const *names, size_t n,
		    struct vsphere_vm **out, struct mtv_err *err)
{
	return vms_get(c, names, n, false, out, err);
}

int vsphere_vm_find(struct vsphere_client *c, const char *name, struct vsphere_vm **out,
		    struct mtv_err *err)
{
	return vms_get(c, &name, 1, true, out, err);
}

static void vm_release(struct vsphere_vm *vm);

/* ---- the listing ---- */

struct list_scan {
	const char *prefix;
	struct vsphere_vm *vms;
	size_t n, cap;
};

static int on_listed(xmlNodePtr oc, void *arg, struct mtv_err *err)
{
	struct list_scan *s = arg;
	struct vsphere_vm vm = { 0 };

	vsphere_moref_from(vsphere_child(oc, "obj"), &vm.ref);
	read_vm(&vm, oc);
	if (!vm.name || strncmp(vm.name, s->prefix, strlen(s->prefix))) {
		vm_release(&vm);
		return 0;
	}
	if (!vm.annotation)
		vm.annotation = strdup("");
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct vsphere_vm *nv = realloc(s->vms, cap * sizeof(*nv));

		if (!nv) {
			vm_release(&vm);
			return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
		}
		s->vms = nv;
		s->cap = cap;
	}
	s->vms[s->n++] = vm;
	return 0;
}

int vsphere_vms_list(struct vsphere_client *c, const char *prefix, struct vsphere_vm **out,
		     size_t *n, struct mtv_err *err)
{
	struct list_scan ls = { prefix ? prefix : "", NULL, 0, 0 };
	int r;

	*out = NULL;
	*n = 0;
	/* The prefix is matched here, not by the server: the property
	 * collector has no filter on values. */
	r = vsphere_retrieve_view(c, "VirtualMachine",
				  "<propSet><type>VirtualMachine</type><pathSet>name</pathSet>"
				  "<pathSet>runtime.powerState</pathSet><pathSet>config.annotation</pathSet>"
				  "<pathSet>config.extraConfig</pathSet></propSet>",
				  on_listed, &ls, err);
	if (r < 0) {
		vsphere_vms_free(ls.vms, ls.n);
		return -1;
	}
	if (!ls.vms)
		ls.vms = calloc(1, sizeof(*ls.vms));
	if (!ls.vms)
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	*out = ls.vms;
	*n = ls.n;
	return 0;
}

static void vm_release(struct vsphere_vm *vm)
{
	free(vm->name);
	free(vm->firmware);
	free(vm->uuid);
	free(vm->bios_serial);
	free(vm->guest_id);
	free(vm->annotation);
	free(vm->session);
	free(vm->power_state);
	for (size_t j = 0; j < vm->ndisks; j++) {
		free(vm->disks[j].label);
		free(vm->disks[j].file);
		free(vm->disks[j].disk_mode);
		free(vm->disks[j].provisioning);
	}
	free(vm->disks);
	for (size_t j = 0; j < vm->nnics; j++) {
		free(vm->nics[j].label);
		free(vm->nics[j].mac);
		free(vm->nics[j].network);
	}
	free(vm->nics);
	for (size_t j = 0; j < vm->nguest_nics; j++) {
		struct vsphere_guest_nic *g = &vm->guest_nics[j];

		free(g->network);
		free(g->mac);
		for (size_t k = 0; k < g->nips; k++)
			free(g->ips[k]);
		free(g->ips);
		for (size_t k = 0; k < g->nip_config; k++) {
			free(g->ip_config[k].address);
			free(g->ip_config[k].origin);
		}
		free(g->ip_config);
	}
	free(vm->guest_nics);
	for (size_t j = 0; j < vm->nsnapshots; j++) {
		free(vm->snapshots[j]);
		free(vm->snapshot_refs[j].name);
	}
	free(vm->snapshots);
	free(vm->snapshot_refs);
}

void vsphere_vms_free(struct vsphere_vm *vms, size_t n)
{
	if (!vms)
		return;
	for (size_t i = 0; i < n; i++)
		vm_release(&vms[i]);
	free(vms);
}
