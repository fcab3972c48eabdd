/* mtv-create-provider: the session, the target namespace, the source
 * Provider with its Secret, and the local destination Provider. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ensure.h"
#include "inventory.h"
#include "json.h"
#include "kube.h"
#include "log.h"
#include "preflight.h"
#include "provider_objects.h"
#include "providers.h"
#include "satoken.h"
#include "scenario.h"
#include "session.h"
#include "step.h"
#include "stepctx.h"
#include "tlsfetch.h"
#include "wait.h"

static struct step_param params[] = {
	STEP_PROVIDERS_FILE_PARAMS(""),
	{ "MTV_SOURCE_PROVIDER", "source-provider", NULL,
	  "the key of the source provider entry in the providers file", STEP_PARAM_REQUIRED, NULL },
	{ "MTV_NAMESPACE", "mtv-namespace", "openshift-mtv", "namespace MTV is installed in", 0, NULL },
	{ "MTV_TARGET_NAMESPACE_PREFIX", "target-namespace-prefix", "auto",
	  "target namespace = <session id><prefix without \"auto\">", 0, NULL },
	{ "MTV_SOURCE_PROVIDER_INSECURE_SKIP_VERIFY", "insecure-skip-verify", "false",
	  "skip TLS verification of the source provider (else its certificate chain is fetched\n"
	  "      from fqdn, port 443 unless fqdn is host:port, into the Secret's ca.crt and cacert)",
	  STEP_PARAM_BOOL, NULL },
	{ "MTV_PROVIDER_READY_TIMEOUT", "provider-ready-timeout", "600",
	  "seconds to wait for the source Provider to be Ready", 0, NULL },
	{ "MTV_INVENTORY_TIMEOUT", "inventory-timeout", "300",
	  "seconds to wait for the inventory to list the source provider", 0, NULL },
	{ "MTV_PREFLIGHT_TIMEOUT", "preflight-timeout", "300",
	  "seconds to wait for the forklift pods to be healthy", 0, NULL },
	STEP_SCENARIO_PARAMS,
};

static struct step step = {
	.name = "mtv-create-provider",
	.summary = "Create the session's target namespace, the source Provider and its Secret from\n"
		   ".providers.json, and the local destination Provider; wait until the source is\n"
		   "Ready and its inventory is synced.  Writes mtv-session.json and mtv-providers.json.\n"
		   "A kubeconfig with a client certificate and no token (the installer's admin\n"
		   "kubeconfig) also gets the ServiceAccount <session>-mtv-steps in the target namespace,\n"
		   "with a Role to read providers: the inventory accepts bearer tokens only, and the\n"
		   "steps ask the TokenRequest API for tokens of it.  For an OpenShift source it is\n"
		   "bound to cluster-admin and its token goes into the Provider Secret.",
	.params = params,
	.nparams = sizeof(params) / sizeof(params[0]),
	.writes = true,
};

struct run {
	struct step_ctx *c;	/* session, cluster, scenario */
	struct provider_entry provider;
	char source_name[128], dest_name[128];
	char *cacert;
	char *source_token;	/* an OpenShift source's token when the kubeconfig has none */
	const char *providers_file;
	cJSON *objects;		/* what we create, for --dry-run and artifacts */
};

static cJSON *namespace_build(const struct ensure_ctx *c, const char *name)
{
	cJSON *ns = ensure_skeleton(c, &KUBE_NAMESPACES, NULL, name);
	cJSON *labels = json_get(ns, "metadata.labels");

	/* mtv-api-tests' namespace labels: restricted pod security and no
	 * kubemacpool MAC rewriting, so migrated VMs keep their source MACs. */
	cJSON_AddStringToObject(labels, "pod-security.kubernetes.io/enforce", "restricted");
	cJSON_AddStringToObject(labels, "pod-security.kubernetes.io/enforce-version", "latest");
	cJSON_AddStringToObject(labels, "mutatevirtualmachines.kubemacpool.io", "ignore");
	return ns;
}

/* Load or start the session.  Nothing is written in dry-run mode. */
static int open_session(struct run *r, struct mtv_err *err)
{
	if (step_ctx_open(r->c, CTX_SESSION_IF_ANY, err) < 0)
		return -1;
	if (r->c->have_session) {
		if (strcmp(r->c->session.source_type, r->provider.type_name))
			return mtv_err_set(err, MTV_EXIT_USAGE,
					   "%s/%s: session %s is for a %s source, not %s; use a fresh SHARED_DIR",
					   step.state.dir, SESSION_FILE, r->c->session.id, r->c->session.source_type,
					   r->provider.type_name);
		log_info("continuing session %s", r->c->session.id);
		return 0;
	}
	if (session_new(&r->c->session, step_get(&step, "MTV_TARGET_NAMESPACE_PREFIX"),
			step_get(&step, "MTV_NAMESPACE"), r->provider.type_name, r->provider.version,
			err) < 0)
		return -1;
	r->c->have_session = 1;
	if (step.dry_run)
		return 0;
	log_info("new session %s, target namespace %s", r->c->session.id, r->c->session.target_namespace);
	return session_save(&step.state, &r->c->session, err);
}

static int fetch_ca(struct run *r, struct mtv_err *err)
{
	struct buf pem = BUF_INIT(1 << 20);
	const struct provider_entry *p = &r->provider;
	bool insecure = step_get_bool(&step, "MTV_SOURCE_PROVIDER_INSECURE_SKIP_VERIFY");

	/* oVirt always needs it (the ImageIO path); vSphere and OpenStack only
	 * when they verify. */
	if (p->type == PROVIDER_OVA || p->type == PROVIDER_OPENSHIFT)
		return 0;
	if (insecure && p->type != PROVIDER_OVIRT)
		return 0;
	if (!*p->fqdn)
		return mtv_err_set(err, MTV_EXIT_USAGE,
				   "%s: \"%s\".fqdn: required to fetch the CA certificate (or set MTV_SOURCE_PROVIDER_INSECURE_SKIP_VERIFY=true)",
				   r->providers_file, p->key);
	if (tls_fetch_chain(p->fqdn, 30, &pem, err) < 0) {
		buf_release(&pem);
		return -1;
	}
	r->cacert = buf_take(&pem);
	return 0;
}

static void build_objects(struct run *r)
{
	const char *ns = r->c->session.target_namespace;
	struct source_secret_opts o = {
		.insecure = step_get_bool(&step, "MTV_SOURCE_PROVIDER_INSECURE_SKIP_VERIFY"),
		.cacert = r->cacert,
		.cluster_url = r->c->kc.http.base_url,
		.cluster_token = r->source_token ? r->source_token : r->c->kc.http.token,
	};
	const char *url = r->provider.type == PROVIDER_OPENSHIFT ? r->c->kc.http.base_url : NULL;

	snprintf(r->source_name, sizeof(r->source_name), "%s", r->c->session.base_name);
	snprintf(r->dest_name, sizeof(r->dest_name), "%s-local-ocp-provider", r->c->session.id);
	r->objects = cJSON_CreateArray();
	cJSON_AddItemToArray(r->objects, namespace_build(&r->c->ensure, ns));
	cJSON_AddItemToArray(r->objects, source_secret_build(&r->c->ensure, &r->provider, ns, r->source_name, &o));
	cJSON_AddItemToArray(r->objects, source_provider_build(&r->c->ensure, &r->provider, ns, r->source_name, url));
	cJSON_AddItemToArray(r->objects, destination_provider_build(&r->c->ensure, ns, r->dest_name));
}

static int wait_namespace_active(struct run *r, struct mtv_err *err)
{
	struct wait_spec w = {
		.type = &KUBE_NAMESPACES,
		.name = r->c->session.target_namespace,
		.what = "to be Active",
		.timeout_ms = 120000,
		.pred = wait_pred_phase,
		.arg = (void *)"Active",
	};

	return wait_for(&r->c->kc, &w, NULL, err);
}

/* A client certificate and no token (the installer's admin kubeconfig):
 * the inventory needs a bearer token, and so does an OpenShift source's
 * Provider Secret.  Make the session's service account (satoken.h) and, for
 * an OpenShift source, give the Secret a token of it. */
static int ensure_account(struct run *r, struct mtv_err *err)
{
	bool openshift = r->provider.type == PROVIDER_OPENSHIFT;
	char account[128], *expires = NULL;
	cJSON *secret;

	if (!satoken_needed(&r->c->kc))
		return 0;
	satoken_account(&r->c->session, account, sizeof(account));
	log_info("the kubeconfig has a client certificate and no bearer token: creating ServiceAccount %s/%s "
		 "for the inventory%s", r->c->session.target_namespace, account,
		 openshift ? " and the OpenShift source Provider" : "");
	if (satoken_ensure(&r->c->ensure, openshift, err) < 0)
		return -1;
	if (!openshift)
		return 0;
	if (satoken_request(&r->c->kc, &r->c->session, SATOKEN_PROVIDER_SECONDS, &r->source_token, &expires, err) < 0)
		return mtv_err_prefix(err, "token for the OpenShift source Provider Secret");
	log_info("the OpenShift source Provider Secret gets a TokenRequest token of ServiceAccount %s/%s "
		 "(bound to cluster-admin; expires %s)", r->c->session.target_namespace, account, expires);
	free(expires);
	secret = source_secret_build(&r->c->ensure, &r->provider, r->c->session.target_namespace, r->source_name,
				     &(struct source_secret_opts){
					     .insecure = step_get_bool(&step, "MTV_SOURCE_PROVIDER_INSECURE_SKIP_VERIFY"),
					     .cacert = r->cacert,
					     .cluster_url = r->c->kc.http.base_url,
					     .cluster_token = r->source_token,
				     });
	cJSON_ReplaceItemInArray(r->objects, 1, secret);
	return 0;
}

static int wait_inventory(struct run *r, const char *uid, struct mtv_err *err)
{
	struct inventory inv;
	long timeout_s, waited = 0;
	cJSON *items = NULL;
	int rc;

	if (step_get_seconds(&step, "MTV_INVENTORY_TIMEOUT", &timeout_s, err) < 0)
		return -1;
	if (inventory_open(&inv, &r->c->kc, &r->c->session, err) < 0)
		return -1;
	log_info("waiting for the inventory (%s) to sync provider %s", inv.source, r->source_name);
	for (;;) {
		rc = inventory_list(&inv, r->provider.type_name, uid, "vms", 0, &items, err);
		/* 404: the inventory has not even registered the provider yet. */
		if (rc == INVENTORY_OK || (rc < 0 && err->http_status != 404))
			break;
		if (waited >= timeout_s * 1000) {
			rc = mtv_err_set(err, MTV_EXIT_TIMEOUT,
					 "timed out after %lds waiting for the inventory to sync Provider %s/%s",
					 timeout_s, r->c->session.target_namespace, r->source_name);
			break;
		}
		if ((rc = wait_sleep_ms(1000, r->c->kc.http.interrupt, err)) < 0)
			break;
		waited += 1000;
	}
	if (rc == INVENTORY_OK)
		log_info("inventory lists %d VMs for %s", cJSON_GetArraySize(items), r->source_name);
	cJSON_Delete(items);
	inventory_release(&inv);
	return rc < 0 ? -1 : 0;
}

static int write_providers_state(struct run *r, const cJSON *source, struct mtv_err *err)
{
	cJSON *doc = cJSON_CreateObject(), *src, *dst;
	int rc;

	src = cJSON_AddObjectToObject(doc, "source");
	cJSON_AddStringToObject(src, "name", r->source_name);
	cJSON_AddStringToObject(src, "namespace", r->c->session.target_namespace);
	cJSON_AddStringToObject(src, "uid", json_str(source, "metadata.uid", ""));
	cJSON_AddStringToObject(src, "type", r->provider.type_name);
	cJSON_AddStringToObject(src, "key", r->provider.key);
	dst = cJSON_AddObjectToObject(doc, "destination");
	cJSON_AddStringToObject(dst, "name", r->dest_name);
	cJSON_AddStringToObject(dst, "namespace", r->c->session.target_namespace);
	cJSON_AddStringToObject(dst, "type", "openshift");
	rc = state_write_json(&step.state, PROVIDERS_STATE, doc, err);
	if (rc == 0) {
		char names[600];

		/* Not in the state file (mtv-session.json has it), but in the result. */
		cJSON_AddStringToObject(doc, "session", r->c->session.id);
		snprintf(names, sizeof(names), "provider/%s\nprovider/%s\n", r->source_name,
			 r->dest_name);
		step_print(&step, doc, names);
	}
	cJSON_Delete(doc);
	return rc;
}

static int run(struct run *r, struct mtv_err *err)
{
	const char *ns;
	cJSON *source = NULL;
	bool warm;
	long secs;
	int rc = -1;
	double t0;

	/* Bad input fails here, before anything is written anywhere. */
	char path[4200];

	r->providers_file = step_providers_path(&step, path, sizeof(path));
	if (providers_load(r->providers_file, step_get(&step, "MTV_SOURCE_PROVIDER"), &r->provider, err) < 0)
		return -1;
	log_info("source provider %s from %s", r->provider.key, r->providers_file);
	/* The scenario is checked here too, so a run that cannot work (a bad
	 * catalog, warm from a source without warm support) stops before the
	 * first object is created. */
	if (step_ctx_open(r->c, CTX_SCENARIO, err) < 0)
		return -1;
	warm = r->c->scenario.warm;
	if (warm && !provider_supports_warm(r->provider.type))
		return mtv_err_set(err, MTV_EXIT_USAGE,
				   "scenario %s is warm, but a %s source does not support warm migration (vsphere and ovirt do)",
				   step_get(&step, "MTV_SCENARIO"), r->provider.type_name);
	if (step_get_seconds(&step, "MTV_PROVIDER_READY_TIMEOUT", &secs, err) < 0 ||
	    step_get_seconds(&step, "MTV_INVENTORY_TIMEOUT", &secs, err) < 0 ||
	    step_get_seconds(&step, "MTV_PREFLIGHT_TIMEOUT", &secs, err) < 0)
		return -1;
	if (step.dry_run) {
		if (open_session(r, err) < 0)
			return -1;
		/* No cluster connection: an openshift source shows no url/token. */
		build_objects(r);
		step_print(&step, r->objects, NULL);
		return 0;
	}
	if (step_ctx_open(r->c, CTX_CLUSTER, err) < 0)
		return -1;

	t0 = step_now();
	step_get_seconds(&step, "MTV_PREFLIGHT_TIMEOUT", &secs, err);
	if (preflight_forklift(&r->c->kc, step_get(&step, "MTV_NAMESPACE"), secs * 1000, err) < 0) {
		step_case(&step, "MTV is healthy", step_now() - t0, JUNIT_FAILED, err->msg, NULL);
		return -1;
	}
	step_case(&step, "MTV is healthy", step_now() - t0, JUNIT_PASSED, NULL, NULL);
	if (fetch_ca(r, err) < 0)
		return -1;
	/* Only now, with the cluster reachable and healthy, is the session
	 * recorded: a failure before leaves SHARED_DIR untouched. */
	if (open_session(r, err) < 0)
		return -1;
	build_objects(r);
	ns = r->c->session.target_namespace;

	t0 = step_now();
	if (ensure_object(&r->c->ensure, &KUBE_NAMESPACES, NULL, cJSON_GetArrayItem(r->objects, 0), NULL, NULL, err) < 0 ||
	    wait_namespace_active(r, err) < 0 || ensure_account(r, err) < 0 ||
	    ensure_object(&r->c->ensure, &KUBE_SECRETS, ns, cJSON_GetArrayItem(r->objects, 1), NULL, NULL, err) < 0 ||
	    ensure_object(&r->c->ensure, &KUBE_PROVIDERS, ns, cJSON_GetArrayItem(r->objects, 2), NULL, NULL, err) < 0 ||
	    ensure_object(&r->c->ensure, &KUBE_PROVIDERS, ns, cJSON_GetArrayItem(r->objects, 3), NULL, NULL, err) < 0) {
		step_case(&step, "create providers", step_now() - t0, JUNIT_FAILED, err->msg, NULL);
		return -1;
	}

	step_get_seconds(&step, "MTV_PROVIDER_READY_TIMEOUT", &secs, err);
	struct wait_spec w = {
		.type = &KUBE_PROVIDERS,
		.ns = ns,
		.name = r->source_name,
		.what = "to be Ready",
		.timeout_ms = secs * 1000,
		.pred = provider_ready_pred,
	};
	log_info("waiting up to %lds for Provider %s/%s to be Ready", secs, ns, r->source_name);
	if (wait_for(&r->c->kc, &w, &source, err) < 0) {
		step_case(&step, "source provider is Ready", step_now() - t0, JUNIT_FAILED, err->msg, NULL);
		return -1;
	}
	step_case(&step, "source provider is Ready", step_now() - t0, JUNIT_PASSED, NULL, NULL);
	log_info("Provider %s/%s is Ready", ns, r->source_name);

	t0 = step_now();
	if (wait_inventory(r, json_str(source, "metadata.uid", ""), err) < 0) {
		step_case(&step, "inventory is synced", step_now() - t0, JUNIT_FAILED, err->msg, NULL);
		goto out;
	}
	step_case(&step, "inventory is synced", step_now() - t0, JUNIT_PASSED, NULL, NULL);
	rc = write_providers_state(r, source, err);
out:
	cJSON_Delete(source);
	return rc;
}

static int create_provider(struct step_ctx *c, struct mtv_err *err)
{
	struct run r = { .c = c };
	int rc;

	rc = run(&r, err);
	cJSON_Delete(r.objects);
	free(r.cacert);
	free(r.source_token);
	provider_entry_release(&r.provider);
	return rc;
}

int main(int argc, char **argv)
{
	return step_ctx_main(&step, argc, argv, create_provider);
}
