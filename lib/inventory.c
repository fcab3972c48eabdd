#include "inventory.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "log.h"
#include "satoken.h"

void inventory_release(struct inventory *inv)
{
	http_client_release(&inv->http);
	free(inv->base);
	free(inv->source);
	free(inv->auth);
	memset(inv, 0, sizeof(*inv));
}

/* Find the inventory Route: 0 with *url set, 1 when there is none, -1 on
 * API errors. */
static int route_url(struct kube_client *kc, const char *ns, char **url, struct mtv_err *err)
{
	struct kube_list_opts opts = { .label_selector = "app=forklift,service=forklift-inventory" };
	cJSON *items = NULL, *named = NULL;
	const cJSON *route;
	struct buf b = BUF_INIT(4096);
	const char *host;

	*url = NULL;
	if (kube_list(kc, &KUBE_ROUTES, ns, &opts, &items, NULL, err) < 0)
		/* No route API (plain Kubernetes) or no right to read it. */
		return err->http_status == 404 || err->http_status == 403 ? 1 : -1;
	route = cJSON_GetArrayItem(items, 0);
	if (!route && kube_get(kc, &KUBE_ROUTES, ns, "forklift-inventory", &named, err) == 0)
		route = named;
	host = json_str(route, "spec.host", NULL);
	if (host && *host) {
		buf_addf(&b, "%s://%s", json_get(route, "spec.tls") ? "https" : "http", host);
		*url = buf_take(&b);
	}
	cJSON_Delete(items);
	cJSON_Delete(named);
	buf_release(&b);
	return *url ? 0 : 1;
}

/* The bearer token the inventory gets, and what it is for messages. */
static int pick_token(struct inventory *inv, struct kube_client *kc, const struct session *s,
		      char **token, struct mtv_err *err)
{
	struct buf what = BUF_INIT(1024);
	char account[128], *expires = NULL;

	*token = NULL;
	if (kc->http.token) {
		if (kc->cfg.context && !strcmp(kc->cfg.context, "oauth"))
			buf_addf(&what, "the OAuth token of the %s", kc->cfg.source ? kc->cfg.source : "login");
		else
			buf_addf(&what, "the bearer token of %s", kc->cfg.source ? kc->cfg.source : "the kubeconfig");
		*token = strdup(kc->http.token);
	} else if (satoken_needed(kc)) {
		if (satoken_request(kc, s, SATOKEN_INVENTORY_SECONDS, token, &expires, err) < 0) {
			buf_release(&what);
			return mtv_err_prefix(err, "inventory authentication");
		}
		satoken_account(s, account, sizeof(account));
		buf_addf(&what, "a TokenRequest token of ServiceAccount %s/%s (the kubeconfig has a client "
				"certificate and no token; expires %s)", s->target_namespace, account, expires);
		free(expires);
	} else {
		buf_addstr(&what, "no bearer token (the kubeconfig has none)");
	}
	inv->auth = buf_take(&what);
	return 0;
}

/* The CA a client of an OpenShift Route trusts.  The inventory Route is
 * reencrypt: the client sees the router's certificate (the ingress
 * controller's default certificate), and the router alone sees the
 * inventory's own serving certificate.  The ingress operator publishes the
 * CA of that default certificate in ConfigMap openshift-config-managed/
 * default-ingress-cert, key ca-bundle.crt (what the console and oauth
 * server are given to reach Routes).  The other CA ConfigMaps do not
 * fit: kube-root-ca.crt holds the API server's CA (the kubeconfig's) and
 * openshift-service-ca.crt the service CA, which signs the Service's
 * certificate on the router-to-pod leg.  0 with *pem (malloc'd) when the
 * ConfigMap has one; 1 when there is none or we may not read it (a custom
 * ingress certificate from a public CA is then verified against the
 * system store); -1 on other API errors. */
static int ingress_ca(struct kube_client *kc, char **pem, struct mtv_err *err)
{
	cJSON *cm = NULL;
	const char *ca;

	*pem = NULL;
	if (kube_get(kc, &KUBE_CONFIGMAPS, "openshift-config-managed", "default-ingress-cert", &cm, err) < 0)
		return err->http_status == 404 || err->http_status == 403 ? (mtv_err_clear(err), 1) : -1;
	/* the key holds a dot, so no json_str path lookup */
	ca = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cm, "data"),
								   "ca-bundle.crt"));
	if (ca && *ca)
		*pem = strdup(ca);
	cJSON_Delete(cm);
	return *pem ? 0 : 1;
}

/* Trust for the inventory connection: the ingress CA for the Route (else
 * the system store), the ingress CA and the API server's for
 * MTV_INVENTORY_URL (it may name a Route or a port-forward through the API
 * server). */
static int inventory_trust(struct inventory *inv, struct kube_client *kc, bool from_route, struct mtv_err *err)
{
	struct buf b = BUF_INIT(1 << 20);
	char *ingress = NULL;

	if (ingress_ca(kc, &ingress, err) < 0) {
		buf_release(&b);
		return mtv_err_prefix(err, "reading the ingress CA");
	}
	if (ingress)
		buf_addf(&b, "%s\n", ingress);
	if (kc->http.ca_pem && !from_route)
		buf_add(&b, kc->http.ca_pem, kc->http.ca_len);
	if (b.len)
		http_client_set_ca(&inv->http, b.data, b.len);
	free(ingress);
	buf_release(&b);
	return 0;
}

int inventory_open(struct inventory *inv, struct kube_client *kc, const struct session *s,
		   struct mtv_err *err)
{
	const char *env = getenv("MTV_INVENTORY_URL");
	const char *insecure = getenv("MTV_INVENTORY_INSECURE_SKIP_VERIFY");
	struct buf b = BUF_INIT(4096);
	char *route = NULL, *token = NULL;

	memset(inv, 0, sizeof(*inv));
	if (env && *env) {
		buf_addstr(&b, env);
		while (b.len && b.data[b.len - 1] == '/')
			b.data[--b.len] = '\0';
		inv->source = strdup("MTV_INVENTORY_URL");
	} else {
		int found = route_url(kc, s->mtv_namespace, &route, err);

		if (found < 0)
			return mtv_err_prefix(err, "finding the forklift-inventory Route");
		/* No service-proxy fallback: kube-apiserver drops the
		 * Authorization header once it has authenticated a request, so
		 * the inventory behind /services/.../proxy never sees a token
		 * and answers 401 (kubectl-mtv has no such fallback either). */
		if (found == 1)
			return mtv_err_set(err, MTV_EXIT_ENV,
					   "no forklift-inventory Route in namespace %s (label "
					   "app=forklift,service=forklift-inventory, or named forklift-inventory); "
					   "set MTV_INVENTORY_URL to the inventory's URL (e.g. a port-forward to "
					   "service forklift-inventory), or MTV_NAMESPACE if MTV is installed elsewhere",
					   s->mtv_namespace);
		buf_addstr(&b, route);
		free(route);
		inv->source = strdup("Route forklift-inventory");
	}
	inv->base = buf_take(&b);
	if (http_client_init(&inv->http, inv->base, err) < 0)
		goto fail;
	if (pick_token(inv, kc, s, &token, err) < 0)
		goto fail;
	log_info("inventory at %s (%s), authenticated with %s", inv->base, inv->source, inv->auth);
	/* Only the token: the inventory ignores client certificates. */
	if (token)
		http_client_set_token(&inv->http, token);
	free(token);
	if (inventory_trust(inv, kc, env == NULL || !*env, err) < 0)
		goto fail;
	http_client_set_insecure(&inv->http,
				 kc->http.insecure || (insecure && !strcmp(insecure, "true")));
	http_client_set_interrupt(&inv->http, kc->http.interrupt);
	return 0;
fail:
	inventory_release(inv);
	return -1;
}

int inventory_list(struct inventory *inv, const char *type, const char *uid,
		   const char *collection, int detail, cJSON **items, struct mtv_err *err)
{
	struct http_request req = { 0 };
	struct http_response resp;
	struct buf path = BUF_INIT(4096);
	cJSON *doc = NULL;
	int r = -1;

	*items = NULL;
	buf_addf(&path, "/providers/%s/%s/%s", type, uid, collection);
	if (detail > 0)
		buf_addf(&path, "?detail=%d", detail);
	req.path = buf_str(&path);
	http_response_init(&resp);
	if (http_do(&inv->http, &req, &resp, err) < 0) {
		mtv_err_prefix(err, "inventory (%s) GET %s", inv->source, buf_str(&path));
		goto out;
	}
	if (resp.status == 206) {
		r = INVENTORY_NOT_SYNCED;
		goto out;
	}
	if (resp.status != 200) {
		char what[600];

		snprintf(what, sizeof(what), "inventory (%s) GET %s", inv->source, buf_str(&path));
		kube_status_error(err, what, resp.status, buf_str(&resp.body), resp.body.len);
		/* Permit's 401/403 have no body: say what it checks and which
		 * credentials it refused (http_status/reason stay as set). */
		if (resp.status == 401)
			snprintf(err->msg, sizeof(err->msg),
				 "%s: 401 Unauthorized: the inventory accepts bearer tokens only, and did not "
				 "accept %s", what, inv->auth);
		else if (resp.status == 403)
			snprintf(err->msg, sizeof(err->msg),
				 "%s: 403 Forbidden: the inventory needs get on providers.forklift.konveyor.io "
				 "in the Provider's namespace, which %s lacks", what, inv->auth);
		goto out;
	}
	if (resp.body.len == 0 || !strcmp(buf_str(&resp.body), "null") ||
	    !strcmp(buf_str(&resp.body), "null\n")) {
		*items = cJSON_CreateArray();
		r = INVENTORY_OK;
		goto out;
	}
	if (json_parse(buf_str(&resp.body), resp.body.len, buf_str(&path), &doc, err) < 0) {
		err->code = MTV_EXIT_ENV;
		mtv_err_prefix(err, "inventory (%s)", inv->source);
		goto out;
	}
	if (!cJSON_IsArray(doc)) {
		mtv_err_set(err, MTV_EXIT_ENV, "inventory (%s) GET %s: expected a list, got %s",
			    inv->source, buf_str(&path), json_type_name(doc));
		cJSON_Delete(doc);
		goto out;
	}
	*items = doc;
	r = INVENTORY_OK;
out:
	http_response_release(&resp);
	buf_release(&path);
	return r;
}

const cJSON *inventory_find(const cJSON *items, const char *key)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, items) {
		const char *name = json_str(it, "name", NULL), *id = json_str(it, "id", NULL);

		if ((name && !strcmp(name, key)) || (id && !strcmp(id, key)))
			return it;
	}
	return NULL;
}
