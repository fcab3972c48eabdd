/* The world file: the source providers with their VMs, and the cluster's
 * nodes and storage classes.  Loading checks every field the sim relies on
 * and names the JSON path of the first bad one; seeding creates what a
 * cluster with MTV installed holds before any test runs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"
#include "log.h"
#include "fsutil.h"

/* The largest world a test writes is well under a MiB. */
#define WORLD_FILE_MAX (64u * 1024 * 1024)

static const char *const known_types[] = { "vsphere", "ovirt", "openstack", "openshift", "ova", NULL };

static int req_str(const cJSON *root, const char *file, const char *path, struct mtv_err *err)
{
	const char *s;

	if (json_get_string(root, path, &s, err))
		return mtv_err_prefix(err, "%s", file);
	return 0;
}

static int req_num(const cJSON *root, const char *file, const char *path, struct mtv_err *err)
{
	long long v;

	if (json_get_int(root, path, &v, err))
		return mtv_err_prefix(err, "%s", file);
	if (v < 0)
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: must not be negative", file, path);
	return 0;
}

static int opt_type(const cJSON *root, const char *file, const char *path, int type, const char *tname,
		    struct mtv_err *err)
{
	const cJSON *v = json_get(root, path);

	if (v && !(v->type & type))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: expected %s, got %s", file, path, tname,
				   json_type_name(v));
	return 0;
}

static bool id_in(const cJSON *arr, const char *id)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, arr)
		if (!strcmp(json_str(e, "id", ""), id))
			return true;
	return false;
}

/* seeded: a vcsim provider's VM, which vcsim names (no id, no disk file). */
static int check_vm(const cJSON *root, const char *file, int pi, int vi, const char *type, bool seeded,
		    struct mtv_err *err)
{
	char p[256], q[320];
	const cJSON *vm, *arr, *e;
	int i;
	static const char *const steps[] = { "Initialize", "PreHook", "DiskAllocation", "DiskTransfer",
		"DiskTransferV2v", "Cutover", "ImageConversion", "ConvertOpenstackSnapshot",
		"VirtualMachineCreation", "WaitForGuestReboots", "PostHook", "PreflightInspection",
		"WaitForFinalSnapshotConsolidation", NULL };

	snprintf(p, sizeof(p), "providers[%d].vms[%d]", pi, vi);
	vm = json_get(root, p);
	if (!cJSON_IsObject(vm))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: expected object, got %s", file, p, json_type_name(vm));
#define STR(f) do { snprintf(q, sizeof(q), "%s." f, p); if (req_str(root, file, q, err)) return -1; } while (0)
#define NUM(f) do { snprintf(q, sizeof(q), "%s." f, p); if (req_num(root, file, q, err)) return -1; } while (0)
	if (strcmp(type, "openshift") && !seeded)
		STR("id");
	STR("name");
	STR("power");
	NUM("cpuSockets");
	NUM("cpuCores");
	NUM("memoryMB");
	snprintf(q, sizeof(q), "%s.power", p);
	if (strcmp(json_str(root, q, ""), "on") && strcmp(json_str(root, q, ""), "off"))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: must be \"on\" or \"off\", not \"%s\"", file, q,
				   json_str(root, q, ""));
	snprintf(q, sizeof(q), "%s.firmware", p);
	if (opt_type(root, file, q, cJSON_String, "string", err))
		return -1;
	if (json_get(root, q) && strcmp(json_str(root, q, ""), "bios") && strcmp(json_str(root, q, ""), "efi"))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: must be \"bios\" or \"efi\"", file, q);
	snprintf(q, sizeof(q), "%s.guestTools", p);
	if (opt_type(root, file, q, cJSON_True | cJSON_False, "boolean", err))
		return -1;
	snprintf(q, sizeof(q), "%s.sshGuest", p);
	if (opt_type(root, file, q, cJSON_String, "string", err))
		return -1;
	/* a directory name under <state-dir>/guests/ */
	if (json_get(root, q) && (!*json_str(root, q, "") || strchr(json_str(root, q, ""), '/') ||
				  !strcmp(json_str(root, q, ""), ".") || !strcmp(json_str(root, q, ""), "..")))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: must be a file name (no '/'), not \"%s\"", file, q,
				   json_str(root, q, ""));
	snprintf(q, sizeof(q), "%s.windows", p);
	if (opt_type(root, file, q, cJSON_True | cJSON_False, "boolean", err))
		return -1;
	snprintf(q, sizeof(q), "%s.disks", p);
	arr = json_get(root, q);
	if (!cJSON_IsArray(arr))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: expected array, got %s", file, q, json_type_name(arr));
	i = 0;
	cJSON_ArrayForEach(e, arr) {
		char d[400];
		snprintf(d, sizeof(d), "%s.disks[%d].capacityGiB", p, i);
		if (req_num(root, file, d, err))
			return -1;
		if (strcmp(type, "ova")) {
			const char *st;
			char sp[64];
			snprintf(d, sizeof(d), "%s.disks[%d].storage", p, i);
			if (req_str(root, file, d, err))
				return -1;
			st = json_str(root, d, "");
			snprintf(sp, sizeof(sp), "providers[%d].storages", pi);
			if (strcmp(type, "openshift") && !id_in(json_get(root, sp), st))
				return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: no storage with id \"%s\" in %s", file, d,
						   st, sp);
		}
		if (!strcmp(type, "vsphere")) {
			static const char *const nums[] = { "controllerKey", "unitNumber", "key" };
			const char *bus;

			snprintf(d, sizeof(d), "%s.disks[%d].file", p, i);
			if (!seeded && req_str(root, file, d, err))
				return -1;
			for (int k = 0; k < 3; k++) {
				snprintf(d, sizeof(d), "%s.disks[%d].%s", p, i, nums[k]);
				if (opt_type(root, file, d, cJSON_Number, "number", err))
					return -1;
			}
			/* the buses Forklift's inventory reports (model.SATA, IDE, SCSI, NVME) */
			snprintf(d, sizeof(d), "%s.disks[%d].bus", p, i);
			if (opt_type(root, file, d, cJSON_String, "string", err))
				return -1;
			bus = json_str(root, d, "scsi");
			if (strcmp(bus, "sata") && strcmp(bus, "ide") && strcmp(bus, "scsi") && strcmp(bus, "nvme"))
				return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: must be sata, ide, scsi or nvme, not \"%s\"",
						   file, d, bus);
		}
		i++;
	}
	if (!strcmp(type, "openstack")) {
		/* an image-booted server: the image Forklift copies as one more disk */
		snprintf(q, sizeof(q), "%s.image", p);
		if (opt_type(root, file, q, cJSON_Object, "object", err))
			return -1;
		if (json_get(root, q)) {
			snprintf(q, sizeof(q), "%s.image.id", p);
			if (req_str(root, file, q, err))
				return -1;
			snprintf(q, sizeof(q), "%s.image.capacityGiB", p);
			if (req_num(root, file, q, err))
				return -1;
		}
		snprintf(q, sizeof(q), "%s.volumesSyncSeconds", p);
		if (opt_type(root, file, q, cJSON_Number, "number", err))
			return -1;
	}
	snprintf(q, sizeof(q), "%s.nics", p);
	arr = json_get(root, q);
	if (!cJSON_IsArray(arr))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: expected array, got %s", file, q, json_type_name(arr));
	i = 0;
	cJSON_ArrayForEach(e, arr) {
		char d[400], np[64];
		const char *net;
		snprintf(d, sizeof(d), "%s.nics[%d].mac", p, i);
		if (req_str(root, file, d, err))
			return -1;
		snprintf(d, sizeof(d), "%s.nics[%d].network", p, i);
		if (req_str(root, file, d, err))
			return -1;
		net = json_str(root, d, "");
		snprintf(np, sizeof(np), "providers[%d].networks", pi);
		if (strcmp(type, "openshift") && !id_in(json_get(root, np), net))
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: no network with id \"%s\" in %s", file, d, net, np);
		snprintf(d, sizeof(d), "%s.nics[%d].ips", p, i);
		if (opt_type(root, file, d, cJSON_Array, "array", err))
			return -1;
		i++;
	}
	snprintf(q, sizeof(q), "%s.fail", p);
	if (opt_type(root, file, q, cJSON_Object, "object", err))
		return -1;
	if (json_get(root, q)) {
		const char *st;
		bool ok = false;
		snprintf(q, sizeof(q), "%s.fail.step", p);
		if (req_str(root, file, q, err))
			return -1;
		st = json_str(root, q, "");
		for (int k = 0; steps[k]; k++)
			if (!strcmp(steps[k], st))
				ok = true;
		if (!ok)
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: \"%s\" is not a pipeline step name", file, q, st);
	}
	snprintf(q, sizeof(q), "%s.differ", p);
	if (opt_type(root, file, q, cJSON_Object, "object", err))
		return -1;
	snprintf(q, sizeof(q), "%s.stepSeconds", p);
	if (opt_type(root, file, q, cJSON_Object, "object", err))
		return -1;
#undef STR
#undef NUM
	return 0;
}

/* vSphere networks may say what they are: a Standard network, a
 * DvPortGroup (its NICs refer to it by its portgroup `key`, default the
 * id) or an NSX OpaqueNetwork (NICs refer to its OpaqueNetworkId, the
 * `key`, which it must have). */
static int check_networks(const cJSON *root, const char *file, int pi, const char *type, struct mtv_err *err)
{
	static const char *const variants[] = { "Standard", "DvPortGroup", "OpaqueNetwork", NULL };
	const cJSON *e;
	char q[128];
	int i = 0;

	snprintf(q, sizeof(q), "providers[%d].networks", pi);
	cJSON_ArrayForEach(e, json_get(root, q)) {
		const char *variant;
		bool ok = false;

		snprintf(q, sizeof(q), "providers[%d].networks[%d].key", pi, i);
		if (opt_type(root, file, q, cJSON_String, "string", err))
			return -1;
		snprintf(q, sizeof(q), "providers[%d].networks[%d].variant", pi, i++);
		if (opt_type(root, file, q, cJSON_String, "string", err))
			return -1;
		variant = json_str(root, q, NULL);
		if (!variant)
			continue;
		if (strcmp(type, "vsphere"))
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: only vSphere networks have a variant", file, q);
		for (int k = 0; variants[k]; k++)
			if (!strcmp(variants[k], variant))
				ok = true;
		if (!ok)
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: \"%s\" is not one of Standard, DvPortGroup, OpaqueNetwork",
					   file, q, variant);
		if (!strcmp(variant, "OpaqueNetwork") && !cJSON_IsString(json_get(e, "key")))
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: an OpaqueNetwork needs a key (its OpaqueNetworkId)",
					   file, q);
	}
	return 0;
}

static int check_world(const cJSON *root, const char *file, struct mtv_err *err)
{
	const cJSON *provs, *e;
	int pi = 0;
	char q[256];

	if (!cJSON_IsObject(root))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: the world must be a JSON object", file);
	if (!cJSON_IsObject(json_get(root, "cluster")))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: cluster: expected object, got %s", file,
				   json_type_name(json_get(root, "cluster")));
	if (!cJSON_IsArray(json_get(root, "cluster.nodes")) || !cJSON_GetArraySize(json_get(root, "cluster.nodes")))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: cluster.nodes: expected a non-empty array", file);
	cJSON_ArrayForEach(e, json_get(root, "cluster.nodes")) {
		snprintf(q, sizeof(q), "cluster.nodes[%d].name", pi++);
		if (req_str(root, file, q, err))
			return -1;
	}
	pi = 0;
	if (!cJSON_IsArray(json_get(root, "cluster.storageClasses")))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: cluster.storageClasses: expected array, got %s", file,
				   json_type_name(json_get(root, "cluster.storageClasses")));
	cJSON_ArrayForEach(e, json_get(root, "cluster.storageClasses")) {
		snprintf(q, sizeof(q), "cluster.storageClasses[%d].name", pi++);
		if (req_str(root, file, q, err))
			return -1;
	}
	provs = json_get(root, "providers");
	if (!cJSON_IsArray(provs))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: providers: expected array, got %s", file, json_type_name(provs));
	pi = 0;
	cJSON_ArrayForEach(e, provs) {
		const char *type;
		bool known = false, seeded;
		int vi = 0;
		const cJSON *vm;

		snprintf(q, sizeof(q), "providers[%d].name", pi);
		if (req_str(root, file, q, err))
			return -1;
		snprintf(q, sizeof(q), "providers[%d].type", pi);
		if (req_str(root, file, q, err))
			return -1;
		type = json_str(root, q, "");
		for (int k = 0; known_types[k]; k++)
			if (!strcmp(known_types[k], type))
				known = true;
		if (!known)
			return mtv_err_set(err, MTV_EXIT_USAGE,
					   "%s: %s: \"%s\" is not one of vsphere, ovirt, openstack, openshift, ova", file, q, type);
		snprintf(q, sizeof(q), "providers[%d].backend", pi);
		if (opt_type(root, file, q, cJSON_String, "string", err))
			return -1;
		seeded = json_get(root, q) != NULL;
		if (seeded && strcmp(json_str(root, q, ""), "vcsim"))
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: \"%s\" is not a backend (only \"vcsim\")", file, q,
					   json_str(root, q, ""));
		if (seeded && strcmp(type, "vsphere"))
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: only vSphere providers have a vcsim backend", file, q);
		if (seeded) {
			/* the url is vcsim's, read from this file at start */
			snprintf(q, sizeof(q), "providers[%d].urlFile", pi);
			if (req_str(root, file, q, err))
				return -1;
			snprintf(q, sizeof(q), "providers[%d].caFile", pi);
			if (opt_type(root, file, q, cJSON_String, "string", err))
				return -1;
		}
		snprintf(q, sizeof(q), "providers[%d].url", pi);
		if (!seeded && req_str(root, file, q, err))
			return -1;
		if (seeded && opt_type(root, file, q, cJSON_String, "string", err))
			return -1;
		if (strcmp(type, "openshift") && strcmp(type, "ova")) {
			snprintf(q, sizeof(q), "providers[%d].user", pi);
			if (req_str(root, file, q, err))
				return -1;
			snprintf(q, sizeof(q), "providers[%d].password", pi);
			if (req_str(root, file, q, err))
				return -1;
		}
		snprintf(q, sizeof(q), "providers[%d].networks", pi);
		if (!cJSON_IsArray(json_get(root, q)))
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: expected array, got %s", file, q,
					   json_type_name(json_get(root, q)));
		if (check_networks(root, file, pi, type, err))
			return -1;
		snprintf(q, sizeof(q), "providers[%d].storages", pi);
		if (!cJSON_IsArray(json_get(root, q)))
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: expected array, got %s", file, q,
					   json_type_name(json_get(root, q)));
		snprintf(q, sizeof(q), "providers[%d].vms", pi);
		if (!cJSON_IsArray(json_get(root, q)))
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: expected array, got %s", file, q,
					   json_type_name(json_get(root, q)));
		cJSON_ArrayForEach(vm, json_get(root, q))
			if (check_vm(root, file, pi, vi++, type, seeded, err))
				return -1;
		pi++;
	}
	return 0;
}

int world_load(struct sim *sim, const char *path, struct mtv_err *err)
{
	struct buf b = BUF_INIT(WORLD_FILE_MAX);
	cJSON *root;

	if (fs_read_file(path, &b, WORLD_FILE_MAX, NULL) < 0) {
		int e = errno;

		buf_release(&b);
		if (e == EFBIG)
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s: too large", path);
		return mtv_err_set(err, MTV_EXIT_USAGE, "--world %s: cannot open", path);
	}
	if (json_parse(buf_str(&b), b.len, path, &root, err)) {
		buf_release(&b);
		err->code = MTV_EXIT_USAGE;
		return -1;
	}
	buf_release(&b);
	if (check_world(root, path, err)) {
		cJSON_Delete(root);
		err->code = MTV_EXIT_USAGE;
		return -1;
	}
	sim->world = root;
	sim->world_path = path;
	return 0;
}

cJSON *world_provider_by_url(struct sim *sim, const char *type, const char *url)
{
	cJSON *p;
	char self[64], self2[64];

	/* An OpenShift source at this sim's own API server is the local
	 * cluster (world url ""): mtv-api-tests points the source Provider at
	 * the cluster's API URL with the destination's token. */
	snprintf(self, sizeof(self), "https://127.0.0.1:%d", sim->port);
	snprintf(self2, sizeof(self2), "https://localhost:%d", sim->port);
	if (url && !strcmp(type, "openshift") && (!strcmp(url, self) || !strcmp(url, self2)))
		url = "";
	cJSON_ArrayForEach(p, json_get(sim->world, "providers")) {
		const struct sim_endpoint *ep = endpoint_of(sim, p);

		if (strcmp(json_str(p, "type", ""), type))
			continue;
		/* The world url is an alias of the provider's TLS endpoint. */
		if (!strcmp(json_str(p, "url", ""), url ? url : "") || (ep && url && !strcmp(ep->url, url)))
			return p;
	}
	return NULL;
}

static void host_of(const char *url, char *out, size_t outsz)
{
	const char *p = strstr(url, "://");
	size_t len;

	p = p ? p + 3 : url;
	len = strcspn(p, "/:");
	snprintf(out, outsz, "%.*s", (int)len, p);
}

static void hostport_of(const char *url, char *out, size_t outsz)
{
	const char *p = strstr(url, "://");

	p = p ? p + 3 : url;
	snprintf(out, outsz, "%.*s", (int)strcspn(p, "/"), p);
}

int world_write_providers_json(struct sim *sim, const char *path, struct mtv_err *err)
{
	cJSON *out = cJSON_CreateObject(), *p;
	char *s;
	FILE *f;

	cJSON_ArrayForEach(p, json_get(sim->world, "providers")) {
		cJSON *e = cJSON_CreateObject();
		const char *type = json_str(p, "type", "");
		char host[256];

		const struct sim_endpoint *ep = endpoint_of(sim, p);

		/* fqdn and url name the provider's TLS endpoint, so that the CA
		 * fetched from fqdn is the one its url presents. */
		if (ep)
			snprintf(host, sizeof(host), "127.0.0.1:%d", ep->port);
		else if (vcsim_backend(p))
			/* vcsim's own address: its url's host:port */
			hostport_of(json_str(p, "url", ""), host, sizeof(host));
		else
			host_of(json_str(p, "url", ""), host, sizeof(host));
		cJSON_AddStringToObject(e, "type", type);
		cJSON_AddStringToObject(e, "version", json_str(p, "version", ""));
		cJSON_AddStringToObject(e, "fqdn", !strcmp(type, "openshift") ? "" : host);
		cJSON_AddStringToObject(e, "api_url", ep ? ep->url : json_str(p, "url", ""));
		cJSON_AddStringToObject(e, "username", json_str(p, "user", ""));
		cJSON_AddStringToObject(e, "password", json_str(p, "password", ""));
		cJSON_AddStringToObject(e, "guest_vm_linux_user", json_str(p, "guest.linuxUser", ""));
		cJSON_AddStringToObject(e, "guest_vm_linux_password", json_str(p, "guest.linuxPassword", ""));
		if (!strcmp(type, "vsphere")) {
			cJSON_AddStringToObject(e, "guest_vm_win_user", json_str(p, "guest.windowsUser", ""));
			cJSON_AddStringToObject(e, "guest_vm_win_password", json_str(p, "guest.windowsPassword", ""));
			cJSON_AddStringToObject(e, "vddk_init_image", json_str(p, "vddkInitImage", ""));
		}
		if (!strcmp(type, "openstack")) {
			cJSON_AddStringToObject(e, "project_name", json_str(p, "project", "admin"));
			cJSON_AddStringToObject(e, "user_domain_name", json_str(p, "domain", "default"));
			cJSON_AddStringToObject(e, "region_name", json_str(p, "region", "RegionOne"));
			cJSON_AddStringToObject(e, "user_domain_id", json_str(p, "domain", "default"));
			cJSON_AddStringToObject(e, "project_domain_id", json_str(p, "domain", "default"));
		}
		cJSON_AddItemToObject(out, json_str(p, "name", type), e);
	}
	s = cJSON_Print(out);
	cJSON_Delete(out);
	f = fopen(path, "w");
	if (!f) {
		free(s);
		return mtv_err_set(err, MTV_EXIT_ENV, "%s: cannot write", path);
	}
	fputs(s, f);
	fputc('\n', f);
	free(s);
	if (fclose(f))
		return mtv_err_set(err, MTV_EXIT_ENV, "%s: write failed", path);
	return 0;
}

/* ---- seeding ---- */

static struct sobj *put(struct sim *sim, const char *group, const char *version, const char *plural,
			const char *ns, cJSON *o)
{
	const struct restype *rt = restype_find(group, version, plural);
	struct sobj *so;

	so = api_create_internal(sim, rt, ns ? ns : "", o);
	if (!so)
		log_warn("world: %s %s already exists", plural, "object");
	return so;
}

static cJSON *meta(const char *name, const char *ns)
{
	cJSON *o = cJSON_CreateObject(), *md = cJSON_AddObjectToObject(o, "metadata");

	cJSON_AddStringToObject(md, "name", name);
	if (ns)
		cJSON_AddStringToObject(md, "namespace", ns);
	return o;
}

static void label(cJSON *o, const char *k, const char *v)
{
	cJSON *md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
	cJSON *l = cJSON_GetObjectItemCaseSensitive(md, "labels");

	if (!l)
		l = cJSON_AddObjectToObject(md, "labels");
	cJSON_AddStringToObject(l, k, v);
}

static void cond(cJSON *arr, const char *type, const char *status, const char *reason, const char *msg)
{
	cJSON *c = cJSON_CreateObject();
	char ts[32];

	sim_now_rfc3339(ts, sizeof(ts));
	cJSON_AddStringToObject(c, "type", type);
	cJSON_AddStringToObject(c, "status", status);
	if (reason)
		cJSON_AddStringToObject(c, "reason", reason);
	if (msg)
		cJSON_AddStringToObject(c, "message", msg);
	cJSON_AddStringToObject(c, "lastTransitionTime", ts);
	cJSON_AddItemToArray(arr, c);
}

static void ensure_ns(struct sim *sim, const char *name)
{
	if (!store_ns_exists(&sim->store, name, NULL))
		put(sim, "", "v1", "namespaces", NULL, meta(name, NULL));
}

static void seed_pod(struct sim *sim, const char *name, const char *app, const char *node)
{
	cJSON *o = meta(name, "openshift-mtv"), *spec, *st, *cs, *c, *conds;

	label(o, "app", "forklift");
	label(o, "service", app);
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddStringToObject(spec, "nodeName", node);
	c = cJSON_AddArrayToObject(spec, "containers");
	cs = cJSON_CreateObject();
	cJSON_AddStringToObject(cs, "name", "main");
	cJSON_AddStringToObject(cs, "image", "registry.redhat.io/migration-toolkit-virtualization/mtv-controller-rhel9:2.9.3");
	cJSON_AddItemToArray(c, cs);
	st = cJSON_AddObjectToObject(o, "status");
	cJSON_AddStringToObject(st, "phase", "Running");
	conds = cJSON_AddArrayToObject(st, "conditions");
	cond(conds, "Initialized", "True", NULL, NULL);
	cond(conds, "Ready", "True", NULL, NULL);
	cond(conds, "ContainersReady", "True", NULL, NULL);
	cond(conds, "PodScheduled", "True", NULL, NULL);
	c = cJSON_AddArrayToObject(st, "containerStatuses");
	cs = cJSON_CreateObject();
	cJSON_AddStringToObject(cs, "name", "main");
	cJSON_AddBoolToObject(cs, "ready", true);
	cJSON_AddNumberToObject(cs, "restartCount", 0);
	cJSON_AddBoolToObject(cs, "started", true);
	cJSON_AddObjectToObject(cJSON_AddObjectToObject(cs, "state"), "running");
	cJSON_AddItemToArray(c, cs);
	if (put(sim, "", "v1", "pods", "openshift-mtv", o)) {
		/* something for `kubectl logs` and must-gather to collect */
		char key[300], log[1024], ts[32];

		sim_now_rfc3339(ts, sizeof(ts));
		snprintf(key, sizeof(key), "openshift-mtv/%s", name);
		snprintf(log, sizeof(log),
			 "{\"level\":\"info\",\"ts\":\"%s\",\"logger\":\"%s\",\"msg\":\"Starting workers\"}\n"
			 "{\"level\":\"info\",\"ts\":\"%s\",\"logger\":\"%s\",\"msg\":\"mtv-sim: simulated %s is running\"}\n",
			 ts, app, ts, app, app);
		cJSON_AddStringToObject(sim->logs, key, log);
	}
}

static void seed_deployment(struct sim *sim, const char *name)
{
	cJSON *o = meta(name, "openshift-mtv"), *st, *conds, *spec, *ml, *tl;

	label(o, "app", "forklift");
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddNumberToObject(spec, "replicas", 1);
	ml = cJSON_AddObjectToObject(cJSON_AddObjectToObject(spec, "selector"), "matchLabels");
	cJSON_AddStringToObject(ml, "app", "forklift");
	cJSON_AddStringToObject(ml, "service", name);
	tl = cJSON_AddObjectToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(spec, "template"), "metadata"), "labels");
	cJSON_AddStringToObject(tl, "app", "forklift");
	cJSON_AddStringToObject(tl, "service", name);
	st = cJSON_AddObjectToObject(o, "status");
	cJSON_AddNumberToObject(st, "replicas", 1);
	cJSON_AddNumberToObject(st, "readyReplicas", 1);
	cJSON_AddNumberToObject(st, "availableReplicas", 1);
	cJSON_AddNumberToObject(st, "updatedReplicas", 1);
	conds = cJSON_AddArrayToObject(st, "conditions");
	cond(conds, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.");
	put(sim, "apps", "v1", "deployments", "openshift-mtv", o);
}

static void seed_openshift_vms(struct sim *sim, const cJSON *prov)
{
	const char *ns = json_str(prov, "namespace", "mtv-source-vms");
	const cJSON *vm;

	ensure_ns(sim, ns);
	cJSON_ArrayForEach(vm, json_get(prov, "vms")) {
		cJSON *o = meta(json_str(vm, "name", ""), ns), *spec, *tpl, *tspec, *dom, *cpu, *ifs, *nets, *vols, *disks;
		const cJSON *nic, *d;
		int i = 0;
		char mem[32];

		spec = cJSON_AddObjectToObject(o, "spec");
		cJSON_AddStringToObject(spec, "runStrategy", !strcmp(json_str(vm, "power", "off"), "on") ? "Always" : "Halted");
		tpl = cJSON_AddObjectToObject(spec, "template");
		tspec = cJSON_AddObjectToObject(tpl, "spec");
		dom = cJSON_AddObjectToObject(tspec, "domain");
		cpu = cJSON_AddObjectToObject(dom, "cpu");
		cJSON_AddNumberToObject(cpu, "cores", cJSON_GetNumberValue(json_get(vm, "cpuCores")));
		cJSON_AddNumberToObject(cpu, "sockets", cJSON_GetNumberValue(json_get(vm, "cpuSockets")));
		snprintf(mem, sizeof(mem), "%dMi", (int)cJSON_GetNumberValue(json_get(vm, "memoryMB")));
		cJSON_AddStringToObject(cJSON_AddObjectToObject(dom, "memory"), "guest", mem);
		disks = cJSON_AddArrayToObject(cJSON_AddObjectToObject(dom, "devices"), "disks");
		ifs = cJSON_AddArrayToObject(json_get(dom, "devices"), "interfaces");
		nets = cJSON_AddArrayToObject(tspec, "networks");
		vols = cJSON_AddArrayToObject(tspec, "volumes");
		cJSON_ArrayForEach(nic, json_get(vm, "nics")) {
			cJSON *iface = cJSON_CreateObject(), *net = cJSON_CreateObject();
			char nm[32];
			snprintf(nm, sizeof(nm), "net-%d", i++);
			cJSON_AddStringToObject(iface, "name", nm);
			cJSON_AddStringToObject(iface, "macAddress", json_str(nic, "mac", ""));
			cJSON_AddObjectToObject(iface, "masquerade");
			cJSON_AddItemToArray(ifs, iface);
			cJSON_AddStringToObject(net, "name", nm);
			cJSON_AddObjectToObject(net, "pod");
			cJSON_AddItemToArray(nets, net);
		}
		i = 0;
		cJSON_ArrayForEach(d, json_get(vm, "disks")) {
			cJSON *disk = cJSON_CreateObject(), *vol = cJSON_CreateObject(), *pvc;
			char nm[300], pvcname[300], size[32];
			snprintf(nm, sizeof(nm), "disk-%d", i);
			snprintf(pvcname, sizeof(pvcname), "%s-disk-%d", json_str(vm, "name", ""), i);
			cJSON_AddStringToObject(disk, "name", nm);
			cJSON_AddObjectToObject(disk, "disk");
			cJSON_AddItemToArray(disks, disk);
			cJSON_AddStringToObject(vol, "name", nm);
			cJSON_AddStringToObject(cJSON_AddObjectToObject(vol, "persistentVolumeClaim"), "claimName", pvcname);
			cJSON_AddItemToArray(vols, vol);
			pvc = meta(pvcname, ns);
			{
				cJSON *ps = cJSON_AddObjectToObject(pvc, "spec"), *am, *res;
				am = cJSON_AddArrayToObject(ps, "accessModes");
				cJSON_AddItemToArray(am, cJSON_CreateString("ReadWriteOnce"));
				cJSON_AddStringToObject(ps, "storageClassName", json_str(d, "storage", ""));
				res = cJSON_AddObjectToObject(cJSON_AddObjectToObject(ps, "resources"), "requests");
				snprintf(size, sizeof(size), "%dGi", (int)cJSON_GetNumberValue(json_get(d, "capacityGiB")));
				cJSON_AddStringToObject(res, "storage", size);
				cJSON_AddStringToObject(cJSON_AddObjectToObject(pvc, "status"), "phase", "Bound");
			}
			put(sim, "", "v1", "persistentvolumeclaims", ns, pvc);
			i++;
		}
		cJSON_AddObjectToObject(o, "status");
		cJSON_AddStringToObject(json_get(o, "status"), "printableStatus",
					!strcmp(json_str(vm, "power", "off"), "on") ? "Running" : "Stopped");
		put(sim, "kubevirt.io", "v1", "virtualmachines", ns, o);
	}
}

int world_seed(struct sim *sim, struct mtv_err *err)
{
	const cJSON *e;
	const char *mtv = json_str(sim->world, "cluster.mtvVersion", "2.9.3");
	char csv[128], tmp[256];
	cJSON *o, *spec, *st;
	int i = 0;

	(void)err;
	ensure_ns(sim, "default");
	ensure_ns(sim, "kube-system");
	ensure_ns(sim, "openshift-mtv");
	ensure_ns(sim, "openshift-cnv");
	ensure_ns(sim, "openshift-marketplace");

	cJSON_ArrayForEach(e, json_get(sim->world, "cluster.nodes")) {
		cJSON *conds, *cap, *addr, *a;
		const cJSON *l;
		o = meta(json_str(e, "name", ""), NULL);
		label(o, "kubernetes.io/hostname", json_str(e, "name", ""));
		label(o, "kubernetes.io/os", "linux");
		label(o, "node-role.kubernetes.io/worker", "");
		cJSON_ArrayForEach(l, json_get(e, "labels"))
			if (cJSON_IsString(l))
				label(o, l->string, l->valuestring);
		st = cJSON_AddObjectToObject(o, "status");
		conds = cJSON_AddArrayToObject(st, "conditions");
		cond(conds, "Ready", "True", "KubeletReady", "kubelet is posting ready status");
		cap = cJSON_AddObjectToObject(st, "capacity");
		cJSON_AddStringToObject(cap, "cpu", json_str(e, "cpu", "16"));
		cJSON_AddStringToObject(cap, "memory", json_str(e, "memory", "65536Mi"));
		cJSON_AddItemToObject(st, "allocatable", cJSON_Duplicate(cap, 1));
		addr = cJSON_AddArrayToObject(st, "addresses");
		a = cJSON_CreateObject();
		snprintf(tmp, sizeof(tmp), "10.0.0.%d", 10 + i++);
		cJSON_AddStringToObject(a, "type", "InternalIP");
		cJSON_AddStringToObject(a, "address", tmp);
		cJSON_AddItemToArray(addr, a);
		put(sim, "", "v1", "nodes", NULL, o);
	}
	cJSON_ArrayForEach(e, json_get(sim->world, "cluster.storageClasses")) {
		o = meta(json_str(e, "name", ""), NULL);
		cJSON_AddStringToObject(o, "provisioner", json_str(e, "provisioner", "kubernetes.io/no-provisioner"));
		cJSON_AddStringToObject(o, "reclaimPolicy", "Delete");
		cJSON_AddStringToObject(o, "volumeBindingMode", "Immediate");
		if (cJSON_IsTrue(json_get(e, "default"))) {
			cJSON *an = cJSON_AddObjectToObject(json_get(o, "metadata"), "annotations");
			cJSON_AddStringToObject(an, "storageclass.kubernetes.io/is-default-class", "true");
		}
		put(sim, "storage.k8s.io", "v1", "storageclasses", NULL, o);
	}
	cJSON_ArrayForEach(e, json_get(sim->world, "cluster.networkAttachmentDefinitions")) {
		const char *ns = json_str(e, "namespace", "default");
		ensure_ns(sim, ns);
		o = meta(json_str(e, "name", ""), ns);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "spec"), "config",
					"{\"cniVersion\": \"0.3.1\", \"type\": \"cnv-bridge\", \"bridge\": \"cnv-bridge\"}");
		put(sim, "k8s.cni.cncf.io", "v1", "network-attachment-definitions", ns, o);
	}

	/* The MTV install: operator, pods, CR, inventory service and route. */
	seed_pod(sim, "forklift-controller-7d9c8b6f5-x2k4p", "forklift-controller", "worker-0");
	seed_pod(sim, "forklift-api-6b8d9c7f4-q8m2n", "forklift-api", "worker-1");
	seed_pod(sim, "forklift-inventory-5c7b8d9f6-h3j5k", "forklift-inventory", "worker-0");
	seed_pod(sim, "forklift-validation-8f6d5c4b7-w9r2t", "forklift-validation", "worker-2");
	seed_pod(sim, "forklift-ui-plugin-6d5c4b8f7-z7v6b", "forklift-ui-plugin", "worker-1");
	seed_deployment(sim, "forklift-controller");
	seed_deployment(sim, "forklift-api");
	seed_deployment(sim, "forklift-validation");

	o = meta("forklift-controller", "openshift-mtv");
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddStringToObject(spec, "feature_ui_plugin", "true");
	cJSON_AddStringToObject(spec, "feature_validation", "true");
	cJSON_AddStringToObject(spec, "feature_volume_populator", "true");
	cJSON_AddNumberToObject(spec, "controller_precopy_interval", 60);
	st = cJSON_AddObjectToObject(o, "status");
	cond(cJSON_AddArrayToObject(st, "conditions"), "Successful", "True", "Successful", "Last reconciliation succeeded");
	cond(json_get(st, "conditions"), "Running", "True", "Running", "Running reconciliation");
	put(sim, "forklift.konveyor.io", "v1beta1", "forkliftcontrollers", "openshift-mtv", o);

	o = meta("forklift-inventory", "openshift-mtv");
	label(o, "app", "forklift");
	label(o, "service", "forklift-inventory");
	spec = cJSON_AddObjectToObject(o, "spec");
	{
		cJSON *ports = cJSON_AddArrayToObject(spec, "ports"), *p = cJSON_CreateObject(), *sel;
		cJSON_AddStringToObject(p, "name", "api-https");
		cJSON_AddNumberToObject(p, "port", 8443);
		cJSON_AddStringToObject(p, "protocol", "TCP");
		cJSON_AddNumberToObject(p, "targetPort", 8443);
		cJSON_AddItemToArray(ports, p);
		sel = cJSON_AddObjectToObject(spec, "selector");
		cJSON_AddStringToObject(sel, "app", "forklift");
		cJSON_AddStringToObject(sel, "service", "forklift-inventory");
		cJSON_AddStringToObject(spec, "type", "ClusterIP");
		cJSON_AddStringToObject(spec, "clusterIP", "172.30.12.34");
	}
	put(sim, "", "v1", "services", "openshift-mtv", o);

	o = meta("forklift-inventory", "openshift-mtv");
	label(o, "app", "forklift");
	label(o, "service", "forklift-inventory");
	spec = cJSON_AddObjectToObject(o, "spec");
	/* The Route has its own listener and the router's certificate. */
	snprintf(tmp, sizeof(tmp), "127.0.0.1:%d", sim->route_port ? sim->route_port : sim->port);
	cJSON_AddStringToObject(spec, "host", tmp);
	{
		cJSON *to = cJSON_AddObjectToObject(spec, "to"), *tls, *ing, *in;
		cJSON_AddStringToObject(to, "kind", "Service");
		cJSON_AddStringToObject(to, "name", "forklift-inventory");
		cJSON_AddNumberToObject(to, "weight", 100);
		tls = cJSON_AddObjectToObject(spec, "tls");
		cJSON_AddStringToObject(tls, "termination", "reencrypt");
		cJSON_AddStringToObject(tls, "insecureEdgeTerminationPolicy", "Redirect");
		st = cJSON_AddObjectToObject(o, "status");
		ing = cJSON_AddArrayToObject(st, "ingress");
		in = cJSON_CreateObject();
		cJSON_AddStringToObject(in, "host", tmp);
		cJSON_AddStringToObject(in, "routerName", "default");
		cond(cJSON_AddArrayToObject(in, "conditions"), "Admitted", "True", NULL, NULL);
		cJSON_AddItemToArray(ing, in);
	}
	put(sim, "route.openshift.io", "v1", "routes", "openshift-mtv", o);

	/* Where the ingress operator publishes the CA of the router's default
	 * certificate, for clients of Routes. */
	ensure_ns(sim, "openshift-config-managed");
	o = meta("default-ingress-cert", "openshift-config-managed");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "data"), "ca-bundle.crt",
				sim->ingress.ca_pem ? sim->ingress.ca_pem : "");
	put(sim, "", "v1", "configmaps", "openshift-config-managed", o);

	snprintf(csv, sizeof(csv), "mtv-operator.v%s", mtv);
	o = meta(csv, "openshift-mtv");
	label(o, "operators.coreos.com/mtv-operator.openshift-mtv", "");
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddStringToObject(spec, "version", mtv);
	cJSON_AddStringToObject(spec, "displayName", "Migration Toolkit for Virtualization Operator");
	{
		cJSON *inst = cJSON_AddObjectToObject(spec, "install"), *deps, *dep, *ctrs, *ctr, *env, *ev, *ri, *img;
		const char *mg = json_str(sim->world, "cluster.mustGatherImage",
					  "registry.redhat.io/migration-toolkit-virtualization/mtv-must-gather-rhel8:latest");
		cJSON_AddStringToObject(inst, "strategy", "deployment");
		deps = cJSON_AddArrayToObject(cJSON_AddObjectToObject(inst, "spec"), "deployments");
		dep = cJSON_CreateObject();
		cJSON_AddStringToObject(dep, "name", "forklift-operator");
		ctrs = cJSON_AddArrayToObject(
			cJSON_AddObjectToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(dep, "spec"), "template"), "spec"),
			"containers");
		ctr = cJSON_CreateObject();
		cJSON_AddStringToObject(ctr, "name", "forklift-operator");
		env = cJSON_AddArrayToObject(ctr, "env");
		ev = cJSON_CreateObject();
		cJSON_AddStringToObject(ev, "name", "MUST_GATHER_IMAGE");
		cJSON_AddStringToObject(ev, "value", mg);
		cJSON_AddItemToArray(env, ev);
		cJSON_AddItemToArray(ctrs, ctr);
		cJSON_AddItemToArray(deps, dep);
		ri = cJSON_AddArrayToObject(spec, "relatedImages");
		img = cJSON_CreateObject();
		cJSON_AddStringToObject(img, "name", "must_gather");
		cJSON_AddStringToObject(img, "image", mg);
		cJSON_AddItemToArray(ri, img);
	}
	st = cJSON_AddObjectToObject(o, "status");
	cJSON_AddStringToObject(st, "phase", "Succeeded");
	cJSON_AddStringToObject(st, "reason", "InstallSucceeded");
	put(sim, "operators.coreos.com", "v1alpha1", "clusterserviceversions", "openshift-mtv", o);

	o = meta("mtv-operator", "openshift-mtv");
	spec = cJSON_AddObjectToObject(o, "spec");
	snprintf(tmp, sizeof(tmp), "release-v%.*s", (int)(strrchr(mtv, '.') ? strrchr(mtv, '.') - mtv : (long)strlen(mtv)), mtv);
	cJSON_AddStringToObject(spec, "channel", tmp);
	cJSON_AddStringToObject(spec, "name", "mtv-operator");
	cJSON_AddStringToObject(spec, "source", "redhat-operators");
	cJSON_AddStringToObject(spec, "sourceNamespace", "openshift-marketplace");
	st = cJSON_AddObjectToObject(o, "status");
	cJSON_AddStringToObject(st, "installedCSV", csv);
	cJSON_AddStringToObject(st, "currentCSV", csv);
	cJSON_AddStringToObject(st, "state", "AtLatestKnown");
	put(sim, "operators.coreos.com", "v1alpha1", "subscriptions", "openshift-mtv", o);

	o = meta("version", NULL);
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddStringToObject(spec, "channel", "stable-4.18");
	cJSON_AddStringToObject(spec, "clusterID", "00000000-0000-4000-8000-000000000001");
	st = cJSON_AddObjectToObject(o, "status");
	{
		cJSON *des = cJSON_AddObjectToObject(st, "desired"), *hist, *h;
		const char *v = json_str(sim->world, "cluster.version", "4.18.9");
		cJSON_AddStringToObject(des, "version", v);
		hist = cJSON_AddArrayToObject(st, "history");
		h = cJSON_CreateObject();
		cJSON_AddStringToObject(h, "state", "Completed");
		cJSON_AddStringToObject(h, "version", v);
		cJSON_AddItemToArray(hist, h);
	}
	put(sim, "config.openshift.io", "v1", "clusterversions", NULL, o);

	o = meta("host", "openshift-mtv");
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddStringToObject(spec, "type", "openshift");
	cJSON_AddStringToObject(spec, "url", "");
	cJSON_AddObjectToObject(spec, "secret");
	put(sim, "forklift.konveyor.io", "v1beta1", "providers", "openshift-mtv", o);

	cJSON_ArrayForEach(e, json_get(sim->world, "providers"))
		if (!strcmp(json_str(e, "type", ""), "openshift"))
			seed_openshift_vms(sim, e);
	return 0;
}
