/* Provider, StorageMap, NetworkMap and Hook reconcilers, with the
 * condition types, categories, reasons and messages of the real
 * controllers (forklift-api.md section 2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"

/* Simulated seconds a provider's inventory takes to load (world
 * providers[].inventorySeconds overrides). */
#define INVENTORY_SECONDS 5.0

static cJSON *sync_started;	/* provider uid -> simulated time the connection test passed */

#define CA_MAX (256 * 1024)
#define UNKNOWN_AUTHORITY "tls: failed to verify certificate: x509: certificate signed by unknown authority"

/* With verification on, the Secret's CA must verify the certificate the
 * provider's endpoint serves, as Forklift's clients check it; false (with
 * the ConnectionTestFailed message in msg) when it does not.  The CA is
 * util.GetCACert's: `ca.crt` when non-empty, else the legacy `cacert`. */
static bool tls_verified(struct sim *sim, const cJSON *wprov, const cJSON *secret, const char *type, const char *url,
			 char *msg, size_t msgsz)
{
	const struct sim_endpoint *ep = endpoint_of(sim, wprov);
	char *ca = malloc(CA_MAX), host[256], hostport[300], why[32] = "parse";
	const char *h = strstr(url, "://");
	bool ok;

	if (!ca)
		abort();
	if (!ep) {
		free(ca);
		return true;
	}
	h = h ? h + 3 : url;
	snprintf(hostport, sizeof(hostport), "%.*s", (int)strcspn(h, "/"), h);
	snprintf(host, sizeof(host), "%.*s", (int)strcspn(h, "/:"), h);
	if ((!ctl_secret_value(secret, "ca.crt", ca, CA_MAX) || !*ca) &&
	    (!ctl_secret_value(secret, "cacert", ca, CA_MAX) || !*ca))
		*ca = '\0';
	/* No CA at all: the system pool, which knows no simulated CA. */
	ok = *ca && !tls_verify_pem(ca, ep->tls.cert_pem, host, why, sizeof(why));
	if (!ok && !strcmp(type, "vsphere")) {
		/* validateTLSConnection -> base.VerifyTLSConnection */
		if (!strcmp(why, "parse"))
			snprintf(msg, msgsz, "failed to get TLS certificate: failed to parse the specified certificate");
		else
			snprintf(msg, msgsz, "failed to create a secure TLS connection: %s", UNKNOWN_AUTHORITY);
	} else if (!ok && !strcmp(type, "ovirt")) {
		/* the connection test's token request (ovirt/client.go connect) */
		if (!strcmp(why, "parse"))
			snprintf(msg, msgsz, "Connection test, failed: failed to parse CA certificate");
		else
			snprintf(msg, msgsz, "Connection test, failed: Post \"https://%s/ovirt-engine/sso/oauth/token\": %s",
				 hostport, UNKNOWN_AUTHORITY);
	} else if (!ok) {
		/* OpenStack (lib/client/openstack getTLSConfig, then Keystone) */
		if (*ca && !strcmp(why, "parse"))
			snprintf(msg, msgsz, "Connection test, failed: CA certificate is malformed, failed to configure the CA cert pool");
		else
			snprintf(msg, msgsz, "Connection test, failed: Post \"%.*s/auth/tokens\": %s",
				 (int)(strlen(url) - (url[strlen(url) - 1] == '/')), url, UNKNOWN_AUTHORITY);
	}
	free(ca);
	return ok;
}

/* A vcsim provider's connection test, asked of its collector thread and
 * remembered for this Provider generation, Secret version and url. */
static int vcsim_test(struct sim *sim, const struct sobj *so, const cJSON *wprov, const cJSON *secret, const char *user,
		      const char *pass, bool insecure, char *msg, size_t msgsz)
{
	char key[512], *ca = malloc(CA_MAX);
	int r;

	if (!ca)
		abort();
	snprintf(key, sizeof(key), "%s/%lld/%s/%s", json_str(so->o, "metadata.uid", ""),
		 (long long)cJSON_GetNumberValue(json_get(so->o, "metadata.generation")),
		 json_str(secret, "metadata.resourceVersion", ""), json_str(so->o, "spec.url", ""));
	/* util.GetCACert: ca.crt when non-empty, else cacert */
	if ((!ctl_secret_value(secret, "ca.crt", ca, CA_MAX) || !*ca) &&
	    (!ctl_secret_value(secret, "cacert", ca, CA_MAX) || !*ca))
		*ca = '\0';
	r = vcsim_connection_test(sim, wprov, key, user, pass, *ca ? ca : NULL, insecure, msg, msgsz);
	free(ca);
	return r;
}

void ctl_provider(struct sim *sim, struct sobj *so)
{
	static const char *const types[] = { "openshift", "vsphere", "ovirt", "openstack", "ova", "ec2", "hyperv", "nutanix", NULL };
	const cJSON *old = json_get(so->o, "status.conditions");
	cJSON *st = cJSON_CreateObject(), *conds = cJSON_AddArrayToObject(st, "conditions");
	const char *type = json_str(so->o, "spec.type", ""), *url = json_str(so->o, "spec.url", "");
	const char *phase = "Staging";
	const char *uid = json_str(so->o, "metadata.uid", "");
	bool known = false, connected = false, pending = false;
	cJSON *wprov = NULL;
	char buf[512];

	if (!sync_started)
		sync_started = cJSON_CreateObject();
	for (int i = 0; types[i]; i++)
		if (!strcmp(types[i], type))
			known = true;
	if (!known) {
		cond_add(conds, old, "ProviderTypeNotSupported", "Critical", "NotSupported",
			 "The `type` must be: [openshift vsphere ovirt openstack ova ec2 hyperv nutanix]", NULL, false);
		phase = "ValidationFailed";
	} else if (!strcmp(type, "openshift") && !*url) {
		connected = true;
	} else if (!*url) {
		cond_add(conds, old, "UrlNotValid", "Critical", "NotSet", "The `url` is not valid.", NULL, false);
		phase = "ValidationFailed";
	} else {
		const cJSON *ref = json_get(so->o, "spec.secret");
		struct sobj *sec = ctl_ref(sim, rt_of("", "v1", "secrets"), ref, so->ns);
		static const char *const vs_keys[] = { "user", "password", NULL };
		static const char *const os_keys[] = { "username", "password", NULL };
		static const char *const ocp_keys[] = { "token", NULL };
		static const char *const ova_keys[] = { "url", NULL };
		const char *const *need = !strcmp(type, "openstack") ? os_keys : !strcmp(type, "openshift") ? ocp_keys
					  : !strcmp(type, "ova") ? ova_keys : vs_keys;

		if (!*json_str(ref, "name", "")) {
			cond_add(conds, old, "SecretNotValid", "Critical", "NotSet", "The `secret` is not valid.", NULL, false);
			phase = "ValidationFailed";
		} else if (!sec) {
			cond_add(conds, old, "SecretNotValid", "Critical", "NotFound", "The `secret` is not valid.", NULL, false);
			phase = "ValidationFailed";
		} else {
			cJSON *missing = cJSON_CreateArray();
			char insecure[16] = "", ca[8];

			for (int i = 0; need[i]; i++)
				if (!ctl_secret_value(sec->o, need[i], buf, sizeof(buf)))
					cJSON_AddItemToArray(missing, cJSON_CreateString(need[i]));
			ctl_secret_value(sec->o, "insecureSkipVerify", insecure, sizeof(insecure));
			if ((!strcmp(type, "vsphere") || !strcmp(type, "ovirt")) && strcmp(insecure, "true") &&
			    (!ctl_secret_value(sec->o, "ca.crt", buf, sizeof(buf)) || !*buf) &&
			    (!ctl_secret_value(sec->o, "cacert", ca, sizeof(ca)) || !*ca))
				/* util.HasCACert: either key, non-empty */
				cJSON_AddItemToArray(missing, cJSON_CreateString("ca.crt"));
			if (cJSON_GetArraySize(missing)) {
				cond_add(conds, old, "SecretNotValid", "Critical", "DataErr", "The `secret` is not valid.", missing, false);
				phase = "ValidationFailed";
			} else {
				cJSON_Delete(missing);
				wprov = world_provider_by_url(sim, type, url);
				if (!wprov && !strcmp(type, "openshift")) {
					/* the sim's own API server: the local cluster, reached
					 * with the Secret's token */
					char self[64];

					snprintf(self, sizeof(self), "https://127.0.0.1:%d", sim->port);
					if (!strcmp(url, self))
						wprov = world_provider_by_url(sim, type, "");
				}
				if (!wprov) {
					char host[256];
					const char *h = strstr(url, "://");
					h = h ? h + 3 : url;
					snprintf(host, sizeof(host), "%.*s", (int)strcspn(h, "/:"), h);
					snprintf(buf, sizeof(buf), "Connection test, failed: dial tcp: lookup %s: no such host", host);
					cond_add(conds, old, "ConnectionTestFailed", "Critical", "Tested", buf, NULL, false);
					phase = "ConnectionFailed";
				} else {
					char user[256] = "", pass[256] = "", tok[512] = "";
					bool ok;

					ctl_secret_value(sec->o, !strcmp(type, "openstack") ? "username" : "user", user, sizeof(user));
					ctl_secret_value(sec->o, "password", pass, sizeof(pass));
					ctl_secret_value(sec->o, "token", tok, sizeof(tok));
					if (vcsim_backend(wprov))
						/* decided by the real test below */
						ok = true;
					else if (!strcmp(type, "ova"))
						ok = true;
					else if (!strcmp(type, "openshift") && *json_str(wprov, "token", ""))
						ok = !strcmp(tok, json_str(wprov, "token", ""));
					else if (!strcmp(type, "openshift"))
						/* this cluster: Forklift's connection test lists
						 * with the token, which must authenticate and
						 * may read VMs cluster-wide */
						ok = auth_token_allows(sim, tok, "list", "kubevirt.io", "virtualmachines", NULL);
					else
						ok = !strcmp(user, json_str(wprov, "user", "")) && !strcmp(pass, json_str(wprov, "password", ""));
					if (vcsim_backend(wprov)) {
						int r = vcsim_test(sim, so, wprov, sec->o, user, pass, !strcmp(insecure, "true"),
								   buf, sizeof(buf));

						if (r == VCSIM_TEST_PENDING) {
							pending = true;
						} else if (r == VCSIM_TEST_FAILED) {
							cond_add(conds, old, "ConnectionTestFailed", "Critical", "Tested", buf, NULL, false);
							phase = "ConnectionFailed";
						} else if (r == VCSIM_TEST_AUTH) {
							cond_add(conds, old, "ConnectionAuthFailed", "Critical", "Tested", buf, NULL, false);
							phase = "ConnectionFailed";
						} else {
							connected = true;
							if (!strcmp(insecure, "true"))
								cond_add(conds, old, "ConnectionInsecure", "Warn", "SkipTLSVerification",
									 "TLS is susceptible to machine-in-the-middle attacks when certificate verification is skipped.",
									 NULL, false);
						}
					} else if (strcmp(insecure, "true") && !tls_verified(sim, wprov, sec->o, type, url, buf, sizeof(buf))) {
						/* The handshake comes before any credential is sent. */
						cond_add(conds, old, "ConnectionTestFailed", "Critical", "Tested", buf, NULL, false);
						phase = "ConnectionFailed";
					} else if (!ok) {
						cond_add(conds, old, "ConnectionAuthFailed", "Critical", "Tested",
							 "Connection auth failed, error: 401 Unauthorized: incorrect user name or password.",
							 NULL, false);
						phase = "ConnectionFailed";
					} else {
						connected = true;
						if (!strcmp(insecure, "true"))
							cond_add(conds, old, "ConnectionInsecure", "Warn", "SkipTLSVerification",
								 "TLS is susceptible to machine-in-the-middle attacks when certificate verification is skipped.",
								 NULL, false);
					}
				}
			}
		}
	}
	if (pending) {
		/* the vcsim test has not run yet: no verdict to show */
		cJSON_Delete(st);
		return;
	}
	if (connected) {
		const cJSON *t0 = cJSON_GetObjectItemCaseSensitive(sync_started, uid);
		double need = cJSON_IsNumber(json_get(wprov, "inventorySeconds")) ?
			json_get(wprov, "inventorySeconds")->valuedouble : INVENTORY_SECONDS;

		cond_add(conds, old, "ConnectionTestSucceeded", "Required", "Tested", "Connection test, succeeded.", NULL, false);
		if (!t0) {
			cJSON_AddNumberToObject(sync_started, uid, sim_now(sim));
			t0 = cJSON_GetObjectItemCaseSensitive(sync_started, uid);
		}
		if (cond_has(old, "InventoryCreated") || sim->speed == 0 || sim_now(sim) - t0->valuedouble >= need)
			cond_add(conds, old, "InventoryCreated", "Required", "Completed", "The inventory has been loaded.", NULL, false);
		else
			cond_add(conds, old, "LoadInventory", "Advisory", "Started", "Loading the inventory.", NULL, false);
	} else {
		cJSON_DeleteItemFromObjectCaseSensitive(sync_started, uid);
	}
	if (!cond_blocked(conds)) {
		cond_add(conds, old, "Validated", "Advisory", "Completed", "Validation has been completed.", NULL, false);
		if (cond_has(conds, "ConnectionTestSucceeded") && cond_has(conds, "InventoryCreated")) {
			cond_add(conds, old, "Ready", "Required", NULL, "The provider is ready.", NULL, false);
			phase = "Ready";
		}
	}
	cJSON_AddStringToObject(st, "phase", phase);
	cJSON_AddNumberToObject(st, "observedGeneration", cJSON_GetNumberValue(json_get(so->o, "metadata.generation")));
	if (!strcmp(type, "vsphere") && connected)
		cJSON_AddStringToObject(st, "fingerprint", "5A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9:0A:1B:2C:3D");
	ctl_put_status(sim, so, st);
}

void ctl_validate_provider_pair(struct sim *sim, const cJSON *obj, cJSON *conds, const cJSON *old,
				struct sobj **src, struct sobj **dst)
{
	const struct restype *prt = rt_of("forklift.konveyor.io", "v1beta1", "providers");
	const cJSON *sref = json_get(obj, "spec.provider.source"), *dref = json_get(obj, "spec.provider.destination");
	const char *ns = sim_obj_ns(obj);

	*src = ctl_ref(sim, prt, sref, ns);
	*dst = ctl_ref(sim, prt, dref, ns);
	if (!*src)
		cond_add(conds, old, "SourceProviderNotValid", "Critical", *json_str(sref, "name", "") ? "NotFound" : "NotSet",
			 "The source provider is not valid.", NULL, false);
	else if (!cond_has(json_get((*src)->o, "status.conditions"), "Ready"))
		cond_add(conds, old, "SourceProviderNotReady", "Critical", NULL,
			 "The source provider does not have the Ready condition.", NULL, false);
	if (!*dst)
		cond_add(conds, old, "DestinationProviderNotValid", "Critical", *json_str(dref, "name", "") ? "NotFound" : "NotSet",
			 "The destination provider is not valid.", NULL, false);
	else if (strcmp(json_str((*dst)->o, "spec.type", ""), "openshift"))
		cond_add(conds, old, "DestinationProviderNotValid", "Critical", "TypeNotValid",
			 "The destination provider is not valid.", NULL, false);
	else if (!cond_has(json_get((*dst)->o, "status.conditions"), "Ready"))
		cond_add(conds, old, "DestinationProviderNotReady", "Critical", NULL,
			 "The destination provider does not have the Ready condition.", NULL, false);
}

static cJSON *ref_item(const cJSON *src)
{
	char s[600];
	const char *id = json_str(src, "id", ""), *name = json_str(src, "name", "");

	snprintf(s, sizeof(s), " id:%s name:'%s' ", id, name);
	return cJSON_CreateString(s);
}

/* Resolve a map's source refs against the source inventory. */
static void resolve_sources(struct sim *sim, struct sobj *srcp, const cJSON *map, bool storage, cJSON *conds,
			    const cJSON *old, cJSON *refs)
{
	cJSON *wprov = srcp ? src_world_provider(sim, srcp->o) : NULL;
	const char *type = srcp ? json_str(srcp->o, "spec.type", "") : "";
	cJSON *notfound = cJSON_CreateArray(), *pool;
	const cJSON *e;
	bool notset = false, ambiguous = false;
	const char *what = storage ? "SourceStorageNotValid" : "SourceNetworkNotValid";

	if (storage)
		pool = wprov ? src_storages(wprov) : cJSON_CreateArray();
	else
		pool = cJSON_Duplicate(json_get(wprov, "networks"), 1);
	if (!pool)
		pool = cJSON_CreateArray();
	cJSON_ArrayForEach(e, map) {
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(e, "source");
		const char *id = json_str(s, "id", ""), *name = json_str(s, "name", ""), *stype = json_str(s, "type", "");
		cJSON *r;
		int n = 0;
		const cJSON *hit;

		if (!*id && !*name && !*stype) {
			notset = true;
			continue;
		}
		r = cJSON_CreateObject();
		if (!strcmp(type, "openshift")) {
			/* OpenShift sources name storage classes, the pod network or NADs. */
			if (*id)
				cJSON_AddStringToObject(r, "id", id);
			if (*name)
				cJSON_AddStringToObject(r, "name", name);
			if (*stype)
				cJSON_AddStringToObject(r, "type", stype);
			cJSON_AddItemToArray(refs, r);
			continue;
		}
		if (storage && !strcmp(type, "openstack") && !strcmp(name, "glance")) {
			cJSON_AddStringToObject(r, "id", "glance");
			cJSON_AddStringToObject(r, "name", "glance");
			cJSON_AddItemToArray(refs, r);
			continue;
		}
		hit = src_find_by(pool, id, name, &n);
		if (n > 1) {
			ambiguous = true;
			cJSON_Delete(r);
		} else if (!hit) {
			cJSON_AddItemToArray(notfound, ref_item(s));
			cJSON_Delete(r);
		} else {
			cJSON_AddStringToObject(r, "id", json_str(hit, "id", ""));
			cJSON_AddStringToObject(r, "name", json_str(hit, "name", ""));
			cJSON_AddItemToArray(refs, r);
		}
	}
	cJSON_Delete(pool);
	if (notset)
		cond_add(conds, old, what, "Critical", "NotSet",
			 storage ? "Source storage: either `ID` or `Name` required." : "Source network: either `ID` or `Name` required.",
			 NULL, false);
	if (ambiguous)
		cond_add(conds, old, what, "Critical", "Ambiguous",
			 storage ? "Source storage has ambiguous ref." : "Source network has ambiguous ref.", NULL, false);
	if (cJSON_GetArraySize(notfound))
		cond_add(conds, old, what, "Warn", "NotFound", storage ? "Source storage not found." : "Source network not found.",
			 notfound, false);
	else
		cJSON_Delete(notfound);
}

static void map_common(struct sim *sim, struct sobj *so, bool storage)
{
	const cJSON *old = json_get(so->o, "status.conditions");
	cJSON *st = cJSON_CreateObject(), *conds = cJSON_AddArrayToObject(st, "conditions");
	cJSON *refs = cJSON_CreateArray();
	struct sobj *src, *dst;
	const cJSON *map = json_get(so->o, "spec.map"), *e;

	ctl_validate_provider_pair(sim, so->o, conds, old, &src, &dst);
	if (src && cond_has(json_get(src->o, "status.conditions"), "Ready"))
		resolve_sources(sim, src, map, storage, conds, old, refs);
	cJSON_ArrayForEach(e, map) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(e, "destination");
		if (storage) {
			const char *sc = json_str(d, "storageClass", "");
			if (!store_find(&sim->store, rt_of("storage.k8s.io", "v1", "storageclasses"), "", sc))
				cond_add(conds, old, "DestinationStorageNotValid", "Critical", "NotFound",
					 "Destination storage not valid.", NULL, false);
		} else if (!strcmp(json_str(d, "type", ""), "multus")) {
			const char *ns = json_str(d, "namespace", ""), *name = json_str(d, "name", "");
			if (!*ns)
				cond_add(conds, old, "DestinationNetworkNotValid", "Critical", "Ambiguous",
					 "Destination network (NAD) namespace required.", NULL, false);
			else if (!store_find(&sim->store, rt_of("k8s.cni.cncf.io", "v1", "network-attachment-definitions"), ns, name))
				cond_add(conds, old, "DestinationNetworkNotValid", "Critical", "NotFound",
					 "Destination network (NAD) not found.", NULL, false);
		}
	}
	if (!cond_blocked(conds))
		cond_add(conds, old, "Ready", "Required", NULL,
			 storage ? "The storage map is ready." : "The network map is ready.", NULL, false);
	cJSON_AddNumberToObject(st, "observedGeneration", cJSON_GetNumberValue(json_get(so->o, "metadata.generation")));
	if (cJSON_GetArraySize(refs))
		cJSON_AddItemToObject(st, "references", refs);
	else
		cJSON_Delete(refs);
	ctl_put_status(sim, so, st);
}

void ctl_storagemap(struct sim *sim, struct sobj *so)
{
	map_common(sim, so, true);
}

void ctl_networkmap(struct sim *sim, struct sobj *so)
{
	map_common(sim, so, false);
}

void ctl_hook(struct sim *sim, struct sobj *so)
{
	const cJSON *old = json_get(so->o, "status.conditions");
	cJSON *st = cJSON_CreateObject(), *conds = cJSON_AddArrayToObject(st, "conditions");
	const char *image = json_str(so->o, "spec.image", ""), *pb = json_str(so->o, "spec.playbook", "");
	bool aap = json_get(so->o, "spec.aap") != NULL;

	if (aap && (*image || *pb))
		cond_add(conds, old, "InvalidHookExecute", "Critical", "NotSet",
			 "AAP hooks cannot be combined with local `spec.image` or `spec.playbook`; use either AAP or a local hook.",
			 NULL, false);
	else if (!aap && !*image)
		cond_add(conds, old, "InvalidHookExecute", "Critical", "NotSet",
			 "Local hooks require `image`; `playbook` is optional. Set `spec.image` or configure `spec.aap`.", NULL, false);
	else if (*image && strpbrk(image, " \t"))
		cond_add(conds, old, "InvalidImage", "Critical", "NotSet", "The image name specified in `Image` is invalid.",
			 NULL, false);
	if (*pb) {
		char out[16];
		cJSON *data = cJSON_CreateObject();
		cJSON_AddStringToObject(cJSON_AddObjectToObject(data, "data"), "p", pb);
		if (strlen(pb) % 4 || !ctl_secret_value(data, "p", out, sizeof(out)))
			cond_add(conds, old, "InvalidPlaybook", "Critical", "DataError",
				 "`Playbook` should contain a base64 encoded playbook.", NULL, false);
		cJSON_Delete(data);
	}
	if (!cond_blocked(conds))
		cond_add(conds, old, "Ready", "Required", NULL, "The hook is ready.", NULL, false);
	cJSON_AddNumberToObject(st, "observedGeneration", cJSON_GetNumberValue(json_get(so->o, "metadata.generation")));
	ctl_put_status(sim, so, st);
}

void ctl_host(struct sim *sim, struct sobj *so)
{
	const cJSON *old = json_get(so->o, "status.conditions");
	cJSON *st = cJSON_CreateObject(), *conds = cJSON_AddArrayToObject(st, "conditions");
	struct sobj *prov = ctl_ref(sim, rt_of("forklift.konveyor.io", "v1beta1", "providers"), json_get(so->o, "spec.provider"), so->ns);
	const char *id = json_str(so->o, "spec.id", ""), *name = json_str(so->o, "spec.name", "");

	if (prov && strcmp(json_str(prov->o, "spec.type", ""), "vsphere"))
		cond_add(conds, old, "TypeNotValid", "Critical", "TypeErr", "Provider type not supported.", NULL, false);
	if (!*id && !*name) {
		cond_add(conds, old, "RefNotValid", "Critical", "NotSet", "The `id` is not valid.", NULL, false);
	} else if (prov) {
		cJSON *w = src_world_provider(sim, prov->o);
		int n = 0;
		if (!w || !src_find_by(json_get(w, "hosts"), id, name, &n))
			cond_add(conds, old, "RefNotValid", "Critical", "NotFound", "Referenced host not found.", NULL, false);
		else if (n > 1)
			cond_add(conds, old, "RefNotValid", "Critical", "Ambiguous", "Host reference is ambiguous.", NULL, false);
	}
	if (!*json_str(so->o, "spec.ipAddress", ""))
		cond_add(conds, old, "IpNotValid", "Critical", "NotSet", "The `ipAddress` is not valid.", NULL, false);
	if (!*json_str(so->o, "spec.secret.name", ""))
		cond_add(conds, old, "SecretNotValid", "Critical", "NotSet", "The `secret` is not set.", NULL, false);
	if (!cond_blocked(conds)) {
		cond_add(conds, old, "Validated", "Advisory", "Completed",
			 "The host inventory reference, IP address, and credentials have been validated.", NULL, false);
		cond_add(conds, old, "ConnectionTestSucceeded", "Required", "Tested", "Connection test, succeeded.", NULL, false);
		cond_add(conds, old, "Ready", "Required", NULL, "The host is ready.", NULL, false);
	}
	cJSON_AddNumberToObject(st, "observedGeneration", cJSON_GetNumberValue(json_get(so->o, "metadata.generation")));
	ctl_put_status(sim, so, st);
}
