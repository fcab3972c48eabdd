#include "kube.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fsutil.h"
#include "json.h"
#include "log.h"
#include "oauth.h"

#define FORKLIFT "forklift.konveyor.io"

/* A CA bundle is a few KiB; the cap only stops a wrong path (a disk image). */
#define KUBE_CA_FILE_MAX (16u * 1024 * 1024)

const struct kube_type KUBE_NAMESPACES = { "", "v1", "namespaces", "Namespace", false };
const struct kube_type KUBE_SECRETS = { "", "v1", "secrets", "Secret", true };
const struct kube_type KUBE_CONFIGMAPS = { "", "v1", "configmaps", "ConfigMap", true };
const struct kube_type KUBE_PODS = { "", "v1", "pods", "Pod", true };
const struct kube_type KUBE_EVENTS = { "", "v1", "events", "Event", true };
const struct kube_type KUBE_NODES = { "", "v1", "nodes", "Node", false };
const struct kube_type KUBE_PVCS = { "", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true };
const struct kube_type KUBE_PVS = { "", "v1", "persistentvolumes", "PersistentVolume", false };
const struct kube_type KUBE_STORAGECLASSES = { "storage.k8s.io", "v1", "storageclasses", "StorageClass", false };
const struct kube_type KUBE_ROUTES = { "route.openshift.io", "v1", "routes", "Route", true };
const struct kube_type KUBE_NADS = { "k8s.cni.cncf.io", "v1", "network-attachment-definitions",
				     "NetworkAttachmentDefinition", true };
const struct kube_type KUBE_VMS = { "kubevirt.io", "v1", "virtualmachines", "VirtualMachine", true };
const struct kube_type KUBE_VMIS = { "kubevirt.io", "v1", "virtualmachineinstances",
				     "VirtualMachineInstance", true };
const struct kube_type KUBE_DATAVOLUMES = { "cdi.kubevirt.io", "v1beta1", "datavolumes", "DataVolume", true };
const struct kube_type KUBE_JOBS = { "batch", "v1", "jobs", "Job", true };
const struct kube_type KUBE_SERVICEACCOUNTS = { "", "v1", "serviceaccounts", "ServiceAccount", true };
const struct kube_type KUBE_ROLES = { "rbac.authorization.k8s.io", "v1", "roles", "Role", true };
const struct kube_type KUBE_ROLEBINDINGS = { "rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true };
const struct kube_type KUBE_CLUSTERROLEBINDINGS = { "rbac.authorization.k8s.io", "v1", "clusterrolebindings",
						     "ClusterRoleBinding", false };
const struct kube_type KUBE_PROVIDERS = { FORKLIFT, "v1beta1", "providers", "Provider", true };
const struct kube_type KUBE_STORAGEMAPS = { FORKLIFT, "v1beta1", "storagemaps", "StorageMap", true };
const struct kube_type KUBE_NETWORKMAPS = { FORKLIFT, "v1beta1", "networkmaps", "NetworkMap", true };
const struct kube_type KUBE_PLANS = { FORKLIFT, "v1beta1", "plans", "Plan", true };
const struct kube_type KUBE_MIGRATIONS = { FORKLIFT, "v1beta1", "migrations", "Migration", true };
const struct kube_type KUBE_HOOKS = { FORKLIFT, "v1beta1", "hooks", "Hook", true };
const struct kube_type KUBE_HOSTS = { FORKLIFT, "v1beta1", "hosts", "Host", true };
const struct kube_type KUBE_FORKLIFTCONTROLLERS = { FORKLIFT, "v1beta1", "forkliftcontrollers",
						    "ForkliftController", true };

static const struct {
	const struct kube_type *t;
	const char *shortname;
} types[] = {
	{ &KUBE_NAMESPACES, "ns" }, { &KUBE_SECRETS, NULL }, { &KUBE_CONFIGMAPS, "cm" },
	{ &KUBE_PODS, "po" }, { &KUBE_EVENTS, "ev" }, { &KUBE_NODES, "no" },
	{ &KUBE_PVCS, "pvc" }, { &KUBE_PVS, "pv" }, { &KUBE_STORAGECLASSES, "sc" },
	{ &KUBE_ROUTES, NULL }, { &KUBE_NADS, "nad" }, { &KUBE_VMS, "vm" }, { &KUBE_VMIS, "vmi" },
	{ &KUBE_DATAVOLUMES, "dv" }, { &KUBE_JOBS, NULL }, { &KUBE_PROVIDERS, NULL },
	{ &KUBE_STORAGEMAPS, NULL }, { &KUBE_NETWORKMAPS, NULL }, { &KUBE_PLANS, NULL },
	{ &KUBE_MIGRATIONS, NULL }, { &KUBE_HOOKS, NULL }, { &KUBE_HOSTS, NULL },
	{ &KUBE_FORKLIFTCONTROLLERS, NULL }, { &KUBE_SERVICEACCOUNTS, "sa" }, { &KUBE_ROLES, NULL },
	{ &KUBE_ROLEBINDINGS, NULL }, { &KUBE_CLUSTERROLEBINDINGS, NULL },
};

const struct kube_type *kube_type_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const struct kube_type *t = types[i].t;
		size_t pl = strlen(t->plural);

		if (!strcmp(name, t->plural) || !strcasecmp(name, t->kind) ||
		    (types[i].shortname && !strcmp(name, types[i].shortname)))
			return t;
		if (!strncmp(name, t->plural, pl) && name[pl] == '.' && *t->group &&
		    !strcmp(name + pl + 1, t->group))
			return t;
	}
	return NULL;
}

int kube_path(struct buf *out, const struct kube_type *t, const char *ns, const char *name,
	      const char *subresource)
{
	int r;

	if (*t->group)
		r = buf_addf(out, "/apis/%s/%s", t->group, t->version);
	else
		r = buf_addf(out, "/api/%s", t->version);
	if (!r && t->namespaced && ns && *ns) {
		r = buf_addstr(out, "/namespaces/");
		r = r ? r : http_query_escape(out, ns);
	}
	r = r ? r : buf_addf(out, "/%s", t->plural);
	if (!r && name) {
		r = buf_addch(out, '/');
		r = r ? r : http_query_escape(out, name);
	}
	if (!r && subresource)
		r = buf_addf(out, "/%s", subresource);
	return r;
}

void kube_describe(char *dst, size_t dstsz, const struct kube_type *t, const char *ns,
		   const char *name)
{
	if (t->namespaced && ns && *ns)
		snprintf(dst, dstsz, "%s %s/%s", t->kind, ns, name ? name : "*");
	else
		snprintf(dst, dstsz, "%s %s", t->kind, name ? name : "*");
}

/* ---- client setup ---- */

int kube_client_init(struct kube_client *kc, struct kubeconfig *cfg, struct mtv_err *err)
{
	memset(kc, 0, sizeof(*kc));
	kc->cfg = *cfg;
	kubeconfig_init(cfg);
	if (http_client_init(&kc->http, kc->cfg.server, err) < 0) {
		kubeconfig_release(&kc->cfg);
		return -1;
	}
	http_client_set_insecure(&kc->http, kc->cfg.insecure);
	if (http_client_set_ca(&kc->http, kc->cfg.ca_pem, kc->cfg.ca_len) < 0 ||
	    http_client_set_cert(&kc->http, kc->cfg.cert_pem, kc->cfg.cert_len, kc->cfg.key_pem,
				 kc->cfg.key_len) < 0 ||
	    http_client_set_token(&kc->http, kc->cfg.token) < 0) {
		kube_client_release(kc);
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	}
	log_debug("API server %s (%s)", kc->cfg.server, kc->cfg.source ? kc->cfg.source : "?");
	return 0;
}

void kube_client_release(struct kube_client *kc)
{
	http_client_release(&kc->http);
	kubeconfig_release(&kc->cfg);
}

const char *kube_client_namespace(const struct kube_client *kc)
{
	return kc->cfg.namespace && *kc->cfg.namespace ? kc->cfg.namespace : "default";
}

void kube_client_set_interrupt(struct kube_client *kc, volatile sig_atomic_t *flag)
{
	http_client_set_interrupt(&kc->http, flag);
}

static bool env_true(const char *name)
{
	const char *v = getenv(name);

	return v && (!strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes"));
}

static int from_oauth(struct kubeconfig *cfg, const char *host, struct mtv_err *err)
{
	struct oauth_login in = {
		.api_url = host,
		.username = getenv("MTV_CLUSTER_USERNAME"),
		.password = getenv("MTV_CLUSTER_PASSWORD"),
		.insecure = env_true("MTV_INSECURE_SKIP_VERIFY"),
	};
	const char *ca_file = getenv("MTV_CLUSTER_CA_FILE");
	struct buf server = BUF_INIT(4096);
	char *ca = NULL;
	size_t calen = 0;
	int ret = -1;

	kubeconfig_init(cfg);
	if (ca_file && *ca_file) {
		struct buf b = BUF_INIT(KUBE_CA_FILE_MAX);

		/* Past the cap is an error, not a CA bundle cut short. */
		if (fs_read_file(ca_file, &b, KUBE_CA_FILE_MAX, NULL) < 0) {
			int e = errno;

			buf_release(&b);
			return mtv_err_set(err, MTV_EXIT_USAGE, "MTV_CLUSTER_CA_FILE %s: %s", ca_file,
					   e == EFBIG ? "larger than 16 MiB" : strerror(e));
		}
		if (!b.len) {
			buf_release(&b);
			return mtv_err_set(err, MTV_EXIT_USAGE, "MTV_CLUSTER_CA_FILE %s: is empty",
					   ca_file);
		}
		calen = b.len;
		ca = buf_take(&b);
		in.ca_pem = ca;
		in.ca_len = calen;
	}
	if (oauth_login_token(&in, &cfg->token, err) < 0)
		goto out;
	if (!strstr(host, "://"))
		buf_addstr(&server, "https://");
	buf_addstr(&server, host);
	cfg->server = buf_take(&server);
	cfg->context = strdup("oauth");
	cfg->source = malloc(strlen(host) + 64);
	if (cfg->source)
		snprintf(cfg->source, strlen(host) + 64, "OpenShift login as %s at %s", in.username,
			 host);
	cfg->insecure = in.insecure;
	cfg->ca_pem = ca;
	cfg->ca_len = calen;
	ca = NULL;
	cfg->namespace = NULL;
	ret = 0;
out:
	free(ca);
	buf_release(&server);
	if (ret < 0)
		kubeconfig_release(cfg);
	return ret;
}

int kube_client_from_env(struct kube_client *kc, const char *context_override,
			 struct mtv_err *err)
{
	const char *host = getenv("MTV_CLUSTER_HOST");
	const char *user = getenv("MTV_CLUSTER_USERNAME");
	const char *pass = getenv("MTV_CLUSTER_PASSWORD");
	struct kubeconfig cfg;
	char *paths;
	int r;

	memset(kc, 0, sizeof(*kc));
	if (host && *host && user && *user && pass && *pass) {
		r = from_oauth(&cfg, host, err);
	} else if ((paths = kubeconfig_default_paths()) != NULL) {
		r = kubeconfig_load(&cfg, paths, context_override, err);
		free(paths);
	} else if (host && *host) {
		return mtv_err_set(err, MTV_EXIT_USAGE,
				   "MTV_CLUSTER_HOST is set but MTV_CLUSTER_USERNAME or MTV_CLUSTER_PASSWORD is missing");
	} else {
		r = kubeconfig_load_incluster(&cfg, err);
	}
	if (r < 0)
		return -1;
	return kube_client_init(kc, &cfg, err);
}

/* ---- errors ---- */

int kube_status_error(struct mtv_err *err, const char *what, long status, const char *body,
		      size_t len)
{
	cJSON *st = body && len ? cJSON_ParseWithLength(body, len) : NULL;
	const char *reason = json_str(st, "reason", NULL);
	const char *message = json_str(st, "message", NULL);
	char snippet[200];

	if (!reason || !*reason) {
		switch (status) {
		case 400: reason = "BadRequest"; break;
		case 401: reason = "Unauthorized"; break;
		case 403: reason = "Forbidden"; break;
		case 404: reason = "NotFound"; break;
		case 405: reason = "MethodNotAllowed"; break;
		case 409: reason = "Conflict"; break;
		case 410: reason = "Gone"; break;
		case 422: reason = "Invalid"; break;
		case 429: reason = "TooManyRequests"; break;
		case 500: reason = "InternalError"; break;
		case 503: reason = "ServiceUnavailable"; break;
		case 504: reason = "Timeout"; break;
		default: reason = "";
		}
	}
	if (!message || !*message) {
		/* Not a Status: quote the start of whatever came back. */
		size_t n = len < sizeof(snippet) - 1 ? len : sizeof(snippet) - 1;

		memcpy(snippet, body ? body : "", body ? n : 0);
		snippet[body ? n : 0] = '\0';
		for (size_t i = 0; snippet[i]; i++)
			if (snippet[i] == '\n' || snippet[i] == '\r')
				snippet[i] = ' ';
		message = snippet;
	}
	if (status == 401)
		mtv_err_set(err, MTV_EXIT_ENV, "%s: 401 unauthorized: the API server rejected the credentials%s%s",
			    what, *message ? ": " : "", message);
	else if (status == 403)
		mtv_err_set(err, MTV_EXIT_ENV, "%s: 403 forbidden%s%s", what, *message ? ": " : "",
			    message);
	else
		mtv_err_set(err, MTV_EXIT_ENV, "%s: %ld %s%s%s", what, status,
			    *reason ? reason : "error", *message ? ": " : "", message);
	if (err) {
		err->http_status = (int)status;
		snprintf(err->reason, sizeof(err->reason), "%s", reason);
	}
	cJSON_Delete(st);
	return -1;
}

/* ---- requests ---- */

/* repeatable: see struct http_request; kube_request decides it for merge
 * patches, kube_create for named creates. */
static int request(struct kube_client *kc, const char *method, const char *path, const char *content_type,
		   const char *body, const char *what, bool sensitive, bool repeatable, cJSON **out,
		   struct mtv_err *err)
{
	struct http_request req = {
		.method = method,
		.path = path,
		.content_type = body ? content_type : NULL,
		.body = body,
		.body_len = body ? strlen(body) : 0,
		.sensitive = sensitive,
		.repeatable = repeatable,
	};
	struct http_response resp;
	int ret = -1;

	if (out)
		*out = NULL;
	http_response_init(&resp);
	for (int tries = 0;; tries++) {
		if (http_do(&kc->http, &req, &resp, err) < 0) {
			mtv_err_prefix(err, "%s", what);
			goto out;
		}
		/* A rotated service-account token: read it again, once. */
		if (resp.status == 401 && !tries && kc->cfg.token_file) {
			struct mtv_err e2;
			int changed = kubeconfig_reload_token(&kc->cfg, &e2);

			if (changed > 0 && http_client_set_token(&kc->http, kc->cfg.token) == 0) {
				log_info("%s: 401, retrying with the re-read token from %s", what,
					 kc->cfg.token_file);
				continue;
			}
		}
		break;
	}
	if (resp.status < 200 || resp.status >= 300) {
		kube_status_error(err, what, resp.status, resp.body.data, resp.body.len);
		/* An internal or gateway error or a timeout on a create or
		 * patch that could not be repeated leaves its outcome
		 * unknown: say so, so the caller re-reads. */
		if (!http_verb_idempotent(method) && !repeatable &&
		    (resp.status == 500 || resp.status == 502 || resp.status == 504) && err) {
			size_t n = strlen(err->msg);

			snprintf(err->msg + n, sizeof(err->msg) - n,
				 "; the request may or may not have been applied, re-read before retrying");
			snprintf(err->reason, sizeof(err->reason), "Ambiguous");
		}
		goto out;
	}
	if (out) {
		*out = cJSON_ParseWithLength(resp.body.data ? resp.body.data : "", resp.body.len);
		if (!*out) {
			mtv_err_set(err, MTV_EXIT_ENV, "%s: %s %s: HTTP %ld with a body that is not JSON",
				    what, method, path, resp.status);
			goto out;
		}
	}
	ret = 0;
out:
	http_response_release(&resp);
	return ret;
}

static const char *obj_name(const cJSON *obj)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(md, "name");

	return cJSON_IsString(n) ? n->valuestring : NULL;
}

int kube_request(struct kube_client *kc, const char *method, const char *path,
		 const char *content_type, const char *body, const char *what, bool sensitive,
		 cJSON **out, struct mtv_err *err)
{
	/* A merge patch may be sent again: it sets values, so a second
	 * application changes nothing. */
	bool merge = content_type && !strcmp(method, "PATCH") &&
		     !strcmp(content_type, "application/merge-patch+json");

	return request(kc, method, path, content_type, body, what, sensitive, merge, out, err);
}

static int simple(struct kube_client *kc, const char *method, const struct kube_type *t,
		  const char *ns, const char *name, const char *sub, const char *ctype,
		  const char *body, cJSON **out, struct mtv_err *err)
{
	struct buf path = BUF_INIT(16 * 1024);
	char what[512];
	int r;

	kube_describe(what, sizeof(what), t, ns, name);
	if (sub) {
		size_t n = strlen(what);

		snprintf(what + n, sizeof(what) - n, " (%s)", sub);
	}
	if (kube_path(&path, t, ns, name, sub) < 0) {
		buf_release(&path);
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: name too long", what);
	}
	r = kube_request(kc, method, buf_str(&path), ctype, body, what, t == &KUBE_SECRETS, out, err);
	buf_release(&path);
	return r;
}

int kube_get(struct kube_client *kc, const struct kube_type *t, const char *ns, const char *name,
	     cJSON **out, struct mtv_err *err)
{
	return simple(kc, "GET", t, ns, name, NULL, NULL, NULL, out, err);
}

int kube_list(struct kube_client *kc, const struct kube_type *t, const char *ns,
	      const struct kube_list_opts *opts, cJSON **items, char **resource_version,
	      struct mtv_err *err)
{
	struct buf path = BUF_INIT(64 * 1024);
	char *cont = NULL;
	char what[512];
	cJSON *all = cJSON_CreateArray();
	int ret = -1;

	*items = NULL;
	if (resource_version)
		*resource_version = NULL;
	kube_describe(what, sizeof(what), t, ns, NULL);
	if (!all)
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	for (;;) {
		cJSON *page = NULL, *pitems, *it;
		const char *c, *rv;
		char sep = '?';

		buf_reset(&path);
		if (kube_path(&path, t, ns, NULL, NULL) < 0)
			goto nomem;
#define QP(key, val)                                                                       \
	do {                                                                               \
		if (buf_addf(&path, "%c%s=", sep, key) < 0 || http_query_escape(&path, val) < 0) \
			goto nomem;                                                        \
		sep = '&';                                                                 \
	} while (0)
		if (opts && opts->label_selector && *opts->label_selector)
			QP("labelSelector", opts->label_selector);
		if (opts && opts->field_selector && *opts->field_selector)
			QP("fieldSelector", opts->field_selector);
		if (opts && opts->limit > 0) {
			if (buf_addf(&path, "%climit=%ld", sep, opts->limit) < 0)
				goto nomem;
			sep = '&';
		}
		if (cont)
			QP("continue", cont);
#undef QP
		if (kube_request(kc, "GET", buf_str(&path), NULL, NULL, what, t == &KUBE_SECRETS,
				 &page, err) < 0)
			goto out;
		pitems = cJSON_GetObjectItemCaseSensitive(page, "items");
		/* Detach each item into the result instead of copying. */
		while (cJSON_IsArray(pitems) && (it = cJSON_DetachItemFromArray(pitems, 0)))
			cJSON_AddItemToArray(all, it);
		rv = json_str(page, "metadata.resourceVersion", NULL);
		if (resource_version && rv) {
			free(*resource_version);
			*resource_version = strdup(rv);
		}
		c = json_str(page, "metadata.continue", NULL);
		free(cont);
		cont = c && *c ? strdup(c) : NULL;
		cJSON_Delete(page);
		if (!cont)
			break;
	}
	*items = all;
	all = NULL;
	ret = 0;
	goto out;
nomem:
	mtv_err_set(err, MTV_EXIT_USAGE, "%s: list request too long", what);
out:
	if (ret < 0 && resource_version) {
		free(*resource_version);
		*resource_version = NULL;
	}
	cJSON_Delete(all);
	free(cont);
	buf_release(&path);
	return ret;
}

int kube_create(struct kube_client *kc, const struct kube_type *t, const char *ns,
		const cJSON *obj, cJSON **out, struct mtv_err *err)
{
	struct buf path = BUF_INIT(16 * 1024);
	const char *name = obj_name(obj);
	const char *gen = json_str(obj, "metadata.generateName", NULL);
	char what[512], label[300];
	char *body;
	int r;

	snprintf(label, sizeof(label), "%s%s", name ? name : gen ? gen : "?", name ? "" : "*");
	kube_describe(what, sizeof(what), t, ns, label);
	if (kube_path(&path, t, ns, NULL, NULL) < 0 || !(body = cJSON_PrintUnformatted(obj))) {
		buf_release(&path);
		return mtv_err_set(err, MTV_EXIT_ENV, "%s: out of memory", what);
	}
	/* A named create may be sent again: if the first one was applied,
	 * the second is a 409 AlreadyExists, which the caller handles
	 * (ensure_object adopts what is its own).  A generateName create
	 * may not: it would make a second object. */
	r = request(kc, "POST", buf_str(&path), "application/json", body, what, t == &KUBE_SECRETS, name != NULL,
		    out, err);
	if (t == &KUBE_SECRETS)
		explicit_bzero(body, strlen(body));
	free(body);
	buf_release(&path);
	return r;
}

static const char *patch_ctype(enum kube_patch_type type)
{
	return type == KUBE_PATCH_JSON ? "application/json-patch+json"
				       : "application/merge-patch+json";
}

int kube_patch(struct kube_client *kc, const struct kube_type *t, const char *ns,
	       const char *name, enum kube_patch_type type, const char *patch, cJSON **out,
	       struct mtv_err *err)
{
	return simple(kc, "PATCH", t, ns, name, NULL, patch_ctype(type), patch, out, err);
}

/* The DeleteOptions body for propagation into dst, or NULL (no body)
 * when propagation is NULL or empty: the server's default. */
static const char *delete_options(char *dst, size_t dstsz, const char *propagation)
{
	if (!propagation || !*propagation)
		return NULL;
	snprintf(dst, dstsz, "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"%s\"}",
		 propagation);
	return dst;
}

/* DELETE of one object; *out (may be NULL) the answer. */
static int delete_one(struct kube_client *kc, const struct kube_type *t, const char *ns, const char *name,
		      const char *propagation, cJSON **out, struct mtv_err *err)
{
	char buf[128];
	const char *body = delete_options(buf, sizeof(buf), propagation);

	return simple(kc, "DELETE", t, ns, name, NULL, body ? "application/json" : NULL, body, out, err);
}

int kube_delete(struct kube_client *kc, const struct kube_type *t, const char *ns,
		const char *name, const char *propagation, struct mtv_err *err)
{
	return delete_one(kc, t, ns, name, propagation, NULL, err);
}

int kube_delete_gone(struct kube_client *kc, const struct kube_type *t, const char *ns, const char *name,
		     const char *propagation, bool *gone, struct mtv_err *err)
{
	cJSON *out = NULL;
	int r = delete_one(kc, t, ns, name, propagation && *propagation ? propagation : "Background", &out, err);

	/* The apiserver answers a removal with a Status Success (core kinds)
	 * or the object as it was (custom resources); an object a finalizer
	 * or a grace period keeps comes back with its deletionTimestamp. */
	*gone = r == 0 && (!strcmp(json_str(out, "kind", ""), "Status")
				   ? !strcmp(json_str(out, "status", ""), "Success")
				   : !json_get(out, "metadata.deletionTimestamp"));
	cJSON_Delete(out);
	return r;
}

int kube_delete_collection(struct kube_client *kc, const struct kube_type *t, const char *ns,
			   const struct kube_list_opts *opts, const char *propagation, cJSON **deleted,
			   struct mtv_err *err)
{
	struct buf path = BUF_INIT(64 * 1024);
	char what[512], buf[128];
	const char *body;
	cJSON *list = NULL, *items = NULL, *it;
	char sep = '?';
	int r = -1;

	if (deleted)
		*deleted = NULL;
	kube_describe(what, sizeof(what), t, ns, NULL);
	if (kube_path(&path, t, ns, NULL, NULL) < 0)
		goto toolong;
	if (opts && opts->label_selector && *opts->label_selector) {
		if (buf_addf(&path, "%clabelSelector=", sep) < 0 || http_query_escape(&path, opts->label_selector) < 0)
			goto toolong;
		sep = '&';
	}
	if (opts && opts->field_selector && *opts->field_selector &&
	    (buf_addf(&path, "%cfieldSelector=", sep) < 0 || http_query_escape(&path, opts->field_selector) < 0))
		goto toolong;
	body = delete_options(buf, sizeof(buf), propagation);
	/* DELETE is idempotent: sent again, it deletes what still matches. */
	r = kube_request(kc, "DELETE", buf_str(&path), body ? "application/json" : NULL, body, what,
			 t == &KUBE_SECRETS, &list, err);
	if (r == 0 && deleted) {
		const cJSON *pitems = cJSON_GetObjectItemCaseSensitive(list, "items");

		items = cJSON_CreateArray();
		if (!items) {
			r = mtv_err_set(err, MTV_EXIT_ENV, "%s: out of memory", what);
		} else {
			while (cJSON_IsArray(pitems) && (it = cJSON_DetachItemFromArray((cJSON *)pitems, 0)))
				cJSON_AddItemToArray(items, it);
			*deleted = items;
		}
	}
	cJSON_Delete(list);
	buf_release(&path);
	return r;
toolong:
	buf_release(&path);
	return mtv_err_set(err, MTV_EXIT_USAGE, "%s: deletecollection request too long", what);
}

int kube_status_get(struct kube_client *kc, const struct kube_type *t, const char *ns,
		    const char *name, cJSON **out, struct mtv_err *err)
{
	return simple(kc, "GET", t, ns, name, "status", NULL, NULL, out, err);
}

int kube_status_patch(struct kube_client *kc, const struct kube_type *t, const char *ns,
		      const char *name, enum kube_patch_type type, const char *patch, cJSON **out,
		      struct mtv_err *err)
{
	return simple(kc, "PATCH", t, ns, name, "status", patch_ctype(type), patch, out, err);
}
