/* Authentication and authorization, as far as the steps meet them on a real
 * cluster:
 *
 * - the API server's authenticators: a client certificate signed by the
 *   cluster CA (the installer's admin kubeconfig: CN=system:admin,
 *   O=system:masters), the kubeadmin bearer token (what `oc login` gets),
 *   and service account tokens made by the TokenRequest API, bound to the
 *   account: they stop working when it is deleted or they expire;
 * - RBAC over Roles, ClusterRoles and their bindings, for everyone but
 *   system:masters and kubeadmin (cluster-admin);
 * - the Forklift inventory's Auth.Permit (forklift
 *   pkg/controller/provider/web/base/auth.go): only `Authorization: Bearer`
 *   counts, a TokenReview authenticates it (401 otherwise) and a
 *   SubjectAccessReview asks for `get` on the request's Provider in its
 *   namespace, or `list` providers in ?namespace= for the provider lists
 *   (403 otherwise).  A client certificate is worth nothing there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <openssl/rand.h>
#include "sim.h"

#define SA_TOKEN_PREFIX "sim-sa."

static void add_group(struct principal *p, const char *g)
{
	if (p->ngroups < (int)(sizeof(p->groups) / sizeof(p->groups[0])))
		snprintf(p->groups[p->ngroups++], sizeof(p->groups[0]), "%s", g);
}

/* The peer certificate, verified against the CA given to libmicrohttpd as
 * MHD_OPTION_HTTPS_MEM_TRUST: CN is the user, O the groups. */
static bool cert_principal(struct MHD_Connection *c, struct principal *p)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	gnutls_session_t s;
	const gnutls_datum_t *peers;
	gnutls_x509_crt_t crt;
	unsigned int status = 0, n = 0;
	char cn[256], org[256];
	size_t cnlen = sizeof(cn), orglen = sizeof(org);
	bool ok = false;

	if (!ci || !ci->tls_session)
		return false;
	s = (gnutls_session_t)ci->tls_session;
	peers = gnutls_certificate_get_peers(s, &n);
	if (!peers || n == 0)
		return false;
	if (gnutls_certificate_verify_peers2(s, &status) < 0 || status != 0)
		return false;
	if (gnutls_x509_crt_init(&crt) < 0)
		return false;
	if (gnutls_x509_crt_import(crt, &peers[0], GNUTLS_X509_FMT_DER) >= 0 &&
	    gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &cnlen) >= 0) {
		memset(p, 0, sizeof(*p));
		snprintf(p->user, sizeof(p->user), "%s", cn);
		for (unsigned int i = 0; i < 3; i++) {
			orglen = sizeof(org);
			if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, i, 0, org,
							  &orglen) < 0)
				break;
			add_group(p, org);
			if (!strcmp(org, "system:masters"))
				p->admin = true;
		}
		add_group(p, "system:authenticated");
		ok = true;
	}
	gnutls_x509_crt_deinit(crt);
	return ok;
}

/* A bearer token: the kubeadmin token or a live service account token. */
static bool token_principal(struct sim *sim, const char *authz, struct principal *p)
{
	const char *tok;
	const cJSON *t;

	if (!authz || strncmp(authz, "Bearer ", 7))
		return false;
	tok = authz + 7;
	memset(p, 0, sizeof(*p));
	if (!strcmp(tok, sim->token)) {
		/* OpenShift names the kubeadmin user kube:admin; it is cluster-admin. */
		snprintf(p->user, sizeof(p->user), "kube:admin");
		add_group(p, "system:cluster-admins");
		add_group(p, "system:authenticated");
		p->admin = true;
		return true;
	}
	cJSON_ArrayForEach(t, sim->sa_tokens) {
		const struct restype *rt = restype_find("", "v1", "serviceaccounts");
		const char *ns = json_str(t, "ns", ""), *name = json_str(t, "name", "");
		struct sobj *sa;

		if (strcmp(json_str(t, "token", ""), tok))
			continue;
		/* Bound tokens: the account must still be the one the token was
		 * made for, and the token unexpired (wall clock, as a JWT's exp). */
		sa = store_find(&sim->store, rt, ns, name);
		if (!sa || strcmp(json_str(sa->o, "metadata.uid", ""), json_str(t, "uid", "")) ||
		    (double)time(NULL) >= cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(t, "exp")))
			return false;
		snprintf(p->user, sizeof(p->user), "system:serviceaccount:%s:%s", ns, name);
		snprintf(p->sa_ns, sizeof(p->sa_ns), "%s", ns);
		snprintf(p->sa_name, sizeof(p->sa_name), "%s", name);
		add_group(p, "system:serviceaccounts");
		{
			char g[300];
			snprintf(g, sizeof(g), "system:serviceaccounts:%s", ns);
			add_group(p, g);
		}
		add_group(p, "system:authenticated");
		return true;
	}
	return false;
}

bool auth_token_allows(struct sim *sim, const char *token, const char *verb, const char *group,
		       const char *resource, const char *ns)
{
	char authz[600];
	struct principal p;

	snprintf(authz, sizeof(authz), "Bearer %s", token);
	return token_principal(sim, authz, &p) && auth_allowed(sim, &p, verb, group, resource, NULL, ns, NULL);
}

int auth_authenticate(struct sim *sim, struct MHD_Connection *c, const char *authz, struct principal *p)
{
	/* kube-apiserver's union authenticator asks the x509 authenticator
	 * before the token authenticators. */
	if (c && cert_principal(c, p))
		return 0;
	return token_principal(sim, authz, p) ? 0 : -1;
}

static bool list_has(const cJSON *arr, const char *v)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, arr) {
		const char *s = cJSON_GetStringValue(e);
		if (s && (!strcmp(s, "*") || !strcmp(s, v)))
			return true;
	}
	return false;
}

static bool rule_allows(const cJSON *rule, const char *verb, const char *group, const char *resource,
			const char *name)
{
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(rule, "resourceNames");

	if (!list_has(cJSON_GetObjectItemCaseSensitive(rule, "verbs"), verb) ||
	    !list_has(cJSON_GetObjectItemCaseSensitive(rule, "apiGroups"), group) ||
	    !list_has(cJSON_GetObjectItemCaseSensitive(rule, "resources"), resource))
		return false;
	return cJSON_GetArraySize(names) == 0 || (name && *name && list_has(names, name));
}

static bool subject_is(const cJSON *subj, const struct principal *p, const char *binding_ns)
{
	const char *kind = json_str(subj, "kind", ""), *name = json_str(subj, "name", "");

	if (!strcmp(kind, "ServiceAccount"))
		return *p->sa_name && !strcmp(name, p->sa_name) &&
		       !strcmp(json_str(subj, "namespace", binding_ns), p->sa_ns);
	if (!strcmp(kind, "User"))
		return !strcmp(name, p->user);
	if (!strcmp(kind, "Group"))
		for (int i = 0; i < p->ngroups; i++)
			if (!strcmp(name, p->groups[i]))
				return true;
	return false;
}

static bool binding_allows(struct sim *sim, const cJSON *b, const char *bns, const struct principal *p,
			   const char *verb, const char *group, const char *resource, const char *name)
{
	const cJSON *subj, *rule;
	const char *rkind = json_str(b, "roleRef.kind", ""), *rname = json_str(b, "roleRef.name", "");
	const struct restype *rt;
	struct sobj *role;
	bool bound = false;

	cJSON_ArrayForEach(subj, cJSON_GetObjectItemCaseSensitive(b, "subjects"))
		bound = bound || subject_is(subj, p, bns);
	if (!bound)
		return false;
	if (!strcmp(rkind, "Role") && *bns)
		rt = restype_find("rbac.authorization.k8s.io", "v1", "roles");
	else if (!strcmp(rkind, "ClusterRole"))
		rt = restype_find("rbac.authorization.k8s.io", "v1", "clusterroles");
	else
		return false;
	role = store_find(&sim->store, rt, rt->namespaced ? bns : "", rname);
	if (!role)
		return false;
	cJSON_ArrayForEach(rule, cJSON_GetObjectItemCaseSensitive(role->o, "rules"))
		if (rule_allows(rule, verb, group, resource, name))
			return true;
	return false;
}

bool auth_allowed(struct sim *sim, const struct principal *p, const char *verb, const char *group,
		  const char *resource, const char *sub, const char *ns, const char *name)
{
	const struct restype *rb = restype_find("rbac.authorization.k8s.io", "v1", "rolebindings");
	const struct restype *crb = restype_find("rbac.authorization.k8s.io", "v1", "clusterrolebindings");
	char res[300];

	if (p->admin)
		return true;
	if (sub && *sub)
		snprintf(res, sizeof(res), "%s/%s", resource, sub);
	else
		snprintf(res, sizeof(res), "%s", resource);
	for (size_t i = 0; i < sim->store.n; i++) {
		struct sobj *so = sim->store.objs[i];

		if (so->rt == crb && binding_allows(sim, so->o, "", p, verb, group, res, name))
			return true;
		if (so->rt == rb && ns && *ns && !strcmp(so->ns, ns) &&
		    binding_allows(sim, so->o, so->ns, p, verb, group, res, name))
			return true;
	}
	return false;
}

void auth_forbidden(struct response *resp, const struct principal *p, const char *verb, const char *group,
		    const char *resource, const char *ns, const char *name)
{
	char msg[1400], what[400];

	snprintf(what, sizeof(what), "%s%s%s%s%s", resource, *group ? "." : "", group, name && *name ? " \"" : "",
		 name && *name ? name : "");
	if (name && *name)
		snprintf(what + strlen(what), sizeof(what) - strlen(what), "\"");
	if (ns && *ns)
		snprintf(msg, sizeof(msg),
			 "%s is forbidden: User \"%s\" cannot %s resource \"%s\" in API group \"%s\" in the namespace \"%s\"",
			 what, p->user, verb, resource, group, ns);
	else
		snprintf(msg, sizeof(msg),
			 "%s is forbidden: User \"%s\" cannot %s resource \"%s\" in API group \"%s\" at the cluster scope",
			 what, p->user, verb, resource, group);
	resp_status(resp, 403, "Forbidden", msg, resource, name && *name ? name : NULL, NULL);
}

void auth_token_request(struct sim *sim, struct request *r, const char *ns, const cJSON *sa,
			struct response *resp)
{
	cJSON *body = r->body.len ? cJSON_ParseWithLength(r->body.data, r->body.len) : cJSON_CreateObject();
	cJSON *out, *meta, *spec, *st, *aud, *rec;
	const cJSON *exp_item = json_get(body, "spec.expirationSeconds");
	double exp_s;

	unsigned char rnd[24];
	char tok[128], ts[32];
	time_t exp;

	if (!body) {
		resp_status(resp, 400, "BadRequest", "the request body is not a TokenRequest", NULL, NULL, NULL);
		return;
	}
	/* kubectl create token sends null for "the default" (one hour) */
	if (cJSON_IsNull(exp_item))
		exp_item = NULL;
	exp_s = exp_item ? cJSON_GetNumberValue(exp_item) : 3600;
	/* the API server's validation of TokenRequestSpec */
	if (exp_item && (!cJSON_IsNumber(exp_item) || exp_s < 600 || exp_s > 4294967296.0)) {
		cJSON *causes = cJSON_CreateArray(), *c = cJSON_CreateObject();
		char msg[200];

		snprintf(msg, sizeof(msg), "Invalid value: %g: may not specify a duration less than 10 minutes", exp_s);
		cJSON_AddStringToObject(c, "reason", "FieldValueInvalid");
		cJSON_AddStringToObject(c, "message", msg);
		cJSON_AddStringToObject(c, "field", "spec.expirationSeconds");
		cJSON_AddItemToArray(causes, c);
		snprintf(msg, sizeof(msg),
			 "TokenRequest.authentication.k8s.io \"%s\" is invalid: spec.expirationSeconds: Invalid value: %g: "
			 "may not specify a duration less than 10 minutes", json_str(sa, "metadata.name", ""), exp_s);
		resp_status(resp, 422, "Invalid", msg, "TokenRequest", json_str(sa, "metadata.name", ""), causes);
		cJSON_Delete(body);
		return;
	}
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		resp_status(resp, 500, "InternalError", "no randomness", NULL, NULL, NULL);
		cJSON_Delete(body);
		return;
	}
	snprintf(tok, sizeof(tok), "%s", SA_TOKEN_PREFIX);
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(tok + strlen(tok), sizeof(tok) - strlen(tok), "%02x", rnd[i]);
	exp = time(NULL) + (time_t)exp_s;
	if (!sim->sa_tokens)
		sim->sa_tokens = cJSON_CreateArray();
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "token", tok);
	cJSON_AddStringToObject(rec, "ns", ns);
	cJSON_AddStringToObject(rec, "name", json_str(sa, "metadata.name", ""));
	cJSON_AddStringToObject(rec, "uid", json_str(sa, "metadata.uid", ""));
	cJSON_AddNumberToObject(rec, "exp", (double)exp);
	cJSON_AddItemToArray(sim->sa_tokens, rec);

	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "kind", "TokenRequest");
	cJSON_AddStringToObject(out, "apiVersion", "authentication.k8s.io/v1");
	meta = cJSON_AddObjectToObject(out, "metadata");
	cJSON_AddStringToObject(meta, "name", json_str(sa, "metadata.name", ""));
	cJSON_AddStringToObject(meta, "namespace", ns);
	sim_now_rfc3339(ts, sizeof(ts));
	cJSON_AddStringToObject(meta, "creationTimestamp", ts);
	spec = cJSON_AddObjectToObject(out, "spec");
	aud = json_get(body, "spec.audiences");
	if (cJSON_GetArraySize(aud) > 0) {
		cJSON_AddItemToObject(spec, "audiences", cJSON_Duplicate(aud, 1));
	} else {
		cJSON *a = cJSON_AddArrayToObject(spec, "audiences");
		cJSON_AddItemToArray(a, cJSON_CreateString("https://kubernetes.default.svc"));
	}
	cJSON_AddNumberToObject(spec, "expirationSeconds", exp_s);
	cJSON_AddNullToObject(spec, "boundObjectRef");
	st = cJSON_AddObjectToObject(out, "status");
	cJSON_AddStringToObject(st, "token", tok);
	sim_time_rfc3339(exp, ts, sizeof(ts));
	cJSON_AddStringToObject(st, "expirationTimestamp", ts);
	resp_json(resp, 201, out);
	cJSON_Delete(body);
}

static void inventory_refuse(struct response *resp, int status)
{
	/* gin's ctx.Status(status): no body */
	resp->status = status;
	resp->ctype = "text/plain";
	free(resp->body);
	resp->body = strdup("");
}

bool auth_inventory_permit(struct sim *sim, struct request *r, const char *subpath, const char *authz,
			   struct response *resp)
{
	const struct restype *prt = restype_find("forklift.konveyor.io", "v1beta1", "providers");
	struct principal p;
	char type[64] = "", uid[128] = "";
	const char *s = subpath;
	struct sobj *prov = NULL;

	while (*s == '/')
		s++;
	if (strncmp(s, "providers", 9))
		return true;	/* 404 from the inventory itself */
	s += 9;
	if (*s == '/') {
		size_t n = strcspn(++s, "/");
		snprintf(type, sizeof(type), "%.*s", (int)n, s);
		s += n;
		if (*s == '/') {
			n = strcspn(++s, "/");
			snprintf(uid, sizeof(uid), "%.*s", (int)n, s);
		}
	}
	if (*uid) {
		for (size_t i = 0; i < sim->store.n && !prov; i++)
			if (sim->store.objs[i]->rt == prt &&
			    !strcmp(json_str(sim->store.objs[i]->o, "metadata.uid", ""), uid))
				prov = sim->store.objs[i];
		/* Handler.Prepare looks the provider up (404) before it permits. */
		if (!prov)
			return true;
	}
	if (!token_principal(sim, authz, &p)) {
		stats_count(sim, "denied", "inventory-401");
		inventory_refuse(resp, 401);
		return false;
	}
	if (prov ? !auth_allowed(sim, &p, "get", "forklift.konveyor.io", "providers", NULL, prov->ns, prov->name)
		 : !auth_allowed(sim, &p, "list", "forklift.konveyor.io", "providers", NULL, req_query(r, "namespace"),
				 NULL)) {
		stats_count(sim, "denied", "inventory-403");
		inventory_refuse(resp, 403);
		return false;
	}
	return true;
}

void auth_seed(struct sim *sim)
{
	const struct restype *rt = restype_find("rbac.authorization.k8s.io", "v1", "clusterroles");
	cJSON *o = cJSON_Parse("{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\","
			       "\"metadata\":{\"name\":\"cluster-admin\",\"labels\":"
			       "{\"kubernetes.io/bootstrapping\":\"rbac-defaults\"}},"
			       "\"rules\":[{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]},"
			       "{\"nonResourceURLs\":[\"*\"],\"verbs\":[\"*\"]}]}");

	if (!store_find(&sim->store, rt, "", "cluster-admin"))
		api_create_internal(sim, rt, "", o);
	else
		cJSON_Delete(o);
}
