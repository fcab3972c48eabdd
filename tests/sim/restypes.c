/* The resource types the sim serves, and API discovery over them. */
#include <string.h>
#include <stdio.h>
#include "sim.h"

#define FK "forklift.konveyor.io"
#define FKV "v1beta1"
#define FKCRD(p) "forklift.konveyor.io_" p ".yaml"

static const struct restype types[] = {
	{ "", "v1", "namespaces", "namespace", "Namespace", "ns", false, true, NULL },
	{ "", "v1", "secrets", "secret", "Secret", NULL, true, false, NULL },
	{ "", "v1", "configmaps", "configmap", "ConfigMap", "cm", true, false, NULL },
	{ "", "v1", "nodes", "node", "Node", "no", false, true, NULL },
	{ "", "v1", "pods", "pod", "Pod", "po", true, true, NULL },
	{ "", "v1", "events", "event", "Event", "ev", true, false, NULL },
	{ "", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", "pvc", true, true, NULL },
	{ "", "v1", "persistentvolumes", "persistentvolume", "PersistentVolume", "pv", false, true, NULL },
	{ "", "v1", "services", "service", "Service", "svc", true, true, NULL },
	{ "", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", "sa", true, false, NULL },
	{ "apps", "v1", "deployments", "deployment", "Deployment", "deploy", true, true, NULL },
	{ "batch", "v1", "jobs", "job", "Job", NULL, true, true, NULL },
	{ "storage.k8s.io", "v1", "storageclasses", "storageclass", "StorageClass", "sc", false, false, NULL },
	{ "route.openshift.io", "v1", "routes", "route", "Route", NULL, true, true, NULL },
	{ "k8s.cni.cncf.io", "v1", "network-attachment-definitions", "network-attachment-definition",
	  "NetworkAttachmentDefinition", "net-attach-def", true, false, NULL },
	{ "kubevirt.io", "v1", "virtualmachines", "virtualmachine", "VirtualMachine", "vm,vms", true, true, NULL },
	{ "kubevirt.io", "v1", "virtualmachineinstances", "virtualmachineinstance", "VirtualMachineInstance",
	  "vmi,vmis", true, true, NULL },
	{ "cdi.kubevirt.io", "v1beta1", "datavolumes", "datavolume", "DataVolume", "dv,dvs", true, true, NULL },
	{ "operators.coreos.com", "v1alpha1", "subscriptions", "subscription", "Subscription", "sub,subs", true, true, NULL },
	{ "operators.coreos.com", "v1alpha1", "clusterserviceversions", "clusterserviceversion",
	  "ClusterServiceVersion", "csv,csvs", true, true, NULL },
	/* RBAC, which the inventory's SubjectAccessReview (and the API server,
	 * for service account tokens) evaluate: see auth.c. */
	{ "rbac.authorization.k8s.io", "v1", "roles", "role", "Role", NULL, true, false, NULL },
	{ "rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding", NULL, true, false, NULL },
	{ "rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", NULL, false, false, NULL },
	{ "rbac.authorization.k8s.io", "v1", "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", NULL,
	  false, false, NULL },
	{ "config.openshift.io", "v1", "clusterversions", "clusterversion", "ClusterVersion", NULL, false, true, NULL },
	{ FK, FKV, "providers", "provider", "Provider", NULL, true, true, FKCRD("providers") },
	{ FK, FKV, "plans", "plan", "Plan", NULL, true, true, FKCRD("plans") },
	{ FK, FKV, "migrations", "migration", "Migration", NULL, true, true, FKCRD("migrations") },
	{ FK, FKV, "storagemaps", "storagemap", "StorageMap", NULL, true, true, FKCRD("storagemaps") },
	{ FK, FKV, "networkmaps", "networkmap", "NetworkMap", NULL, true, true, FKCRD("networkmaps") },
	{ FK, FKV, "hooks", "hook", "Hook", NULL, true, true, FKCRD("hooks") },
	{ FK, FKV, "hosts", "host", "Host", NULL, true, true, FKCRD("hosts") },
	{ FK, FKV, "forkliftcontrollers", "forkliftcontroller", "ForkliftController", NULL, true, true,
	  FKCRD("forkliftcontrollers") },
	{ FK, FKV, "ovaproviderservers", "ovaproviderserver", "OVAProviderServer", NULL, true, true,
	  FKCRD("ovaproviderservers") },
	{ FK, FKV, "hypervproviderservers", "hypervproviderserver", "HyperVProviderServer", NULL, true, true,
	  FKCRD("hypervproviderservers") },
	{ FK, FKV, "conversions", "conversion", "Conversion", NULL, true, true, FKCRD("conversions") },
	{ FK, FKV, "ovirtvolumepopulators", "ovirtvolumepopulator", "OvirtVolumePopulator", "ovvp,ovvps", true,
	  false, FKCRD("ovirtvolumepopulators") },
	{ FK, FKV, "openstackvolumepopulators", "openstackvolumepopulator", "OpenstackVolumePopulator",
	  "osvp,osvps", true, false, FKCRD("openstackvolumepopulators") },
	{ FK, FKV, "vspherexcopyvolumepopulators", "vspherexcopyvolumepopulator", "VSphereXcopyVolumePopulator",
	  "vxvp,vxvps", true, false, FKCRD("vspherexcopyvolumepopulators") },
};

#define NTYPES (sizeof(types) / sizeof(types[0]))

const struct restype *restype_at(size_t i)
{
	return i < NTYPES ? &types[i] : NULL;
}

const struct restype *restype_find(const char *group, const char *version, const char *plural)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (!strcmp(types[i].group, group) && !strcmp(types[i].version, version) &&
		    !strcmp(types[i].plural, plural))
			return &types[i];
	return NULL;
}

void restype_apiversion(const struct restype *rt, char *out, size_t outsz)
{
	if (rt->group[0])
		snprintf(out, outsz, "%s/%s", rt->group, rt->version);
	else
		snprintf(out, outsz, "%s", rt->version);
}

const struct restype *restype_by_kind(const char *apiversion, const char *kind)
{
	char av[128];

	for (size_t i = 0; i < NTYPES; i++) {
		restype_apiversion(&types[i], av, sizeof(av));
		if (!strcmp(av, apiversion) && !strcmp(types[i].kind, kind))
			return &types[i];
	}
	return NULL;
}

/* The types a real cluster puts in the "all" category (what `kubectl get
 * all` lists): Kubernetes' pods, services, deployments and jobs (among
 * those the sim serves), OpenShift's routes, KubeVirt's VMs and VMIs and
 * CDI's DataVolumes (kubebuilder categories=all in its types.go).  The
 * Forklift CRDs declare no category. */
static bool in_category_all(const struct restype *rt)
{
	static const char *const all[][2] = {
		{ "", "pods" }, { "", "services" }, { "apps", "deployments" }, { "batch", "jobs" },
		{ "route.openshift.io", "routes" }, { "kubevirt.io", "virtualmachines" },
		{ "kubevirt.io", "virtualmachineinstances" }, { "cdi.kubevirt.io", "datavolumes" },
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(rt->group, all[i][0]) && !strcmp(rt->plural, all[i][1]))
			return true;
	return false;
}

static cJSON *resource_list(const char *gv)
{
	cJSON *l = cJSON_CreateObject();
	cJSON *arr;
	char av[128];

	cJSON_AddStringToObject(l, "kind", "APIResourceList");
	cJSON_AddStringToObject(l, "apiVersion", "v1");
	cJSON_AddStringToObject(l, "groupVersion", gv);
	arr = cJSON_AddArrayToObject(l, "resources");
	for (size_t i = 0; i < NTYPES; i++) {
		const struct restype *rt = &types[i];
		cJSON *r, *verbs, *sn;

		restype_apiversion(rt, av, sizeof(av));
		if (strcmp(av, gv))
			continue;
		r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "name", rt->plural);
		cJSON_AddStringToObject(r, "singularName", rt->singular);
		cJSON_AddBoolToObject(r, "namespaced", rt->namespaced);
		cJSON_AddStringToObject(r, "kind", rt->kind);
		verbs = cJSON_AddArrayToObject(r, "verbs");
		{
			static const char *const v[] = { "create", "delete", "deletecollection", "get", "list",
							  "patch", "update", "watch" };
			/* the namespace REST storage has no DeleteCollection */
			bool ns = !rt->group[0] && !strcmp(rt->plural, "namespaces");
			for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++)
				if (!ns || strcmp(v[k], "deletecollection"))
					cJSON_AddItemToArray(verbs, cJSON_CreateString(v[k]));
		}
		if (rt->shortnames) {
			const char *s = rt->shortnames;

			sn = cJSON_AddArrayToObject(r, "shortNames");
			while (*s) {
				size_t len = strcspn(s, ",");
				char tok[64];

				snprintf(tok, sizeof(tok), "%.*s", (int)len, s);
				cJSON_AddItemToArray(sn, cJSON_CreateString(tok));
				s += len;
				if (*s == ',')
					s++;
			}
		}
		if (in_category_all(rt))
			cJSON_AddItemToArray(cJSON_AddArrayToObject(r, "categories"), cJSON_CreateString("all"));
		cJSON_AddItemToArray(arr, r);
		if (rt->has_status) {
			char sub[160];

			r = cJSON_CreateObject();
			snprintf(sub, sizeof(sub), "%s/status", rt->plural);
			cJSON_AddStringToObject(r, "name", sub);
			cJSON_AddStringToObject(r, "singularName", "");
			cJSON_AddBoolToObject(r, "namespaced", rt->namespaced);
			cJSON_AddStringToObject(r, "kind", rt->kind);
			verbs = cJSON_AddArrayToObject(r, "verbs");
			cJSON_AddItemToArray(verbs, cJSON_CreateString("get"));
			cJSON_AddItemToArray(verbs, cJSON_CreateString("patch"));
			cJSON_AddItemToArray(verbs, cJSON_CreateString("update"));
			cJSON_AddItemToArray(arr, r);
		}
		if (!strcmp(rt->plural, "pods") && !rt->group[0]) {
			r = cJSON_CreateObject();
			cJSON_AddStringToObject(r, "name", "pods/log");
			cJSON_AddStringToObject(r, "singularName", "");
			cJSON_AddBoolToObject(r, "namespaced", true);
			cJSON_AddStringToObject(r, "kind", "Pod");
			verbs = cJSON_AddArrayToObject(r, "verbs");
			cJSON_AddItemToArray(verbs, cJSON_CreateString("get"));
			cJSON_AddItemToArray(arr, r);
		}
		if (!strcmp(rt->plural, "serviceaccounts") && !rt->group[0]) {
			/* the TokenRequest API (kubectl create token) */
			r = cJSON_CreateObject();
			cJSON_AddStringToObject(r, "name", "serviceaccounts/token");
			cJSON_AddStringToObject(r, "singularName", "");
			cJSON_AddBoolToObject(r, "namespaced", true);
			cJSON_AddStringToObject(r, "group", "authentication.k8s.io");
			cJSON_AddStringToObject(r, "version", "v1");
			cJSON_AddStringToObject(r, "kind", "TokenRequest");
			verbs = cJSON_AddArrayToObject(r, "verbs");
			cJSON_AddItemToArray(verbs, cJSON_CreateString("create"));
			cJSON_AddItemToArray(arr, r);
		}
	}
	return l;
}

static cJSON *group_obj(const char *group)
{
	cJSON *g = cJSON_CreateObject(), *vs, *v;
	const char *ver = NULL;
	char gv[128];

	for (size_t i = 0; i < NTYPES; i++)
		if (!strcmp(types[i].group, group)) {
			ver = types[i].version;
			break;
		}
	snprintf(gv, sizeof(gv), "%s/%s", group, ver ? ver : "v1");
	cJSON_AddStringToObject(g, "name", group);
	vs = cJSON_AddArrayToObject(g, "versions");
	v = cJSON_CreateObject();
	cJSON_AddStringToObject(v, "groupVersion", gv);
	cJSON_AddStringToObject(v, "version", ver ? ver : "v1");
	cJSON_AddItemToArray(vs, v);
	v = cJSON_AddObjectToObject(g, "preferredVersion");
	cJSON_AddStringToObject(v, "groupVersion", gv);
	cJSON_AddStringToObject(v, "version", ver ? ver : "v1");
	return g;
}

static bool group_known(const char *group)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (types[i].group[0] && !strcmp(types[i].group, group))
			return true;
	return false;
}

void discovery_handle(struct sim *sim, struct request *r, struct response *resp, bool *handled)
{
	const char *p = r->path;
	char group[128], version[64], extra[8];

	(void)sim;
	*handled = true;
	if (!strcmp(p, "/version")) {
		cJSON *v = cJSON_CreateObject();
		cJSON_AddStringToObject(v, "major", "1");
		cJSON_AddStringToObject(v, "minor", "31");
		cJSON_AddStringToObject(v, "gitVersion", "v1.31.6");
		cJSON_AddStringToObject(v, "gitCommit", "0000000000000000000000000000000000000000");
		cJSON_AddStringToObject(v, "gitTreeState", "clean");
		cJSON_AddStringToObject(v, "buildDate", "2026-01-01T00:00:00Z");
		cJSON_AddStringToObject(v, "goVersion", "go1.23.6");
		cJSON_AddStringToObject(v, "compiler", "gc");
		cJSON_AddStringToObject(v, "platform", "linux/amd64");
		resp_json(resp, 200, v);
		return;
	}
	if (!strcmp(p, "/api")) {
		cJSON *v = cJSON_CreateObject(), *a, *s, *sa;
		cJSON_AddStringToObject(v, "kind", "APIVersions");
		a = cJSON_AddArrayToObject(v, "versions");
		cJSON_AddItemToArray(a, cJSON_CreateString("v1"));
		s = cJSON_AddArrayToObject(v, "serverAddressByClientCIDRs");
		sa = cJSON_CreateObject();
		cJSON_AddStringToObject(sa, "clientCIDR", "0.0.0.0/0");
		cJSON_AddStringToObject(sa, "serverAddress", "127.0.0.1");
		cJSON_AddItemToArray(s, sa);
		resp_json(resp, 200, v);
		return;
	}
	if (!strcmp(p, "/api/v1")) {
		resp_json(resp, 200, resource_list("v1"));
		return;
	}
	if (!strcmp(p, "/apis")) {
		cJSON *v = cJSON_CreateObject(), *gs;
		cJSON_AddStringToObject(v, "kind", "APIGroupList");
		cJSON_AddStringToObject(v, "apiVersion", "v1");
		gs = cJSON_AddArrayToObject(v, "groups");
		for (size_t i = 0; i < NTYPES; i++) {
			bool seen = false;

			if (!types[i].group[0])
				continue;
			for (size_t k = 0; k < i; k++)
				if (!strcmp(types[k].group, types[i].group))
					seen = true;
			if (!seen)
				cJSON_AddItemToArray(gs, group_obj(types[i].group));
		}
		resp_json(resp, 200, v);
		return;
	}
	if (sscanf(p, "/apis/%127[^/]/%63[^/]%7s", group, version, extra) == 2) {
		char gv[200];
		bool found = false;

		for (size_t i = 0; i < NTYPES; i++)
			if (!strcmp(types[i].group, group) && !strcmp(types[i].version, version))
				found = true;
		if (!found) {
			resp_status(resp, 404, "NotFound", "the server could not find the requested resource",
				    NULL, NULL, NULL);
			return;
		}
		snprintf(gv, sizeof(gv), "%s/%s", group, version);
		resp_json(resp, 200, resource_list(gv));
		return;
	}
	if (sscanf(p, "/apis/%127[^/]%7s", group, extra) == 1) {
		if (!group_known(group)) {
			resp_status(resp, 404, "NotFound", "the server could not find the requested resource",
				    NULL, NULL, NULL);
			return;
		}
		{
			cJSON *g = group_obj(group);
			cJSON_AddStringToObject(g, "kind", "APIGroup");
			cJSON_AddStringToObject(g, "apiVersion", "v1");
			resp_json(resp, 200, g);
		}
		return;
	}
	*handled = false;
}
