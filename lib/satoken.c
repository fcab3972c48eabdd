#include "satoken.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"

bool satoken_needed(const struct kube_client *kc)
{
	return kc->http.cert_pem && !kc->http.token;
}

void satoken_account(const struct session *s, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s-mtv-steps", s->id);
}

static cJSON *str_array(const char *const *v)
{
	cJSON *a = cJSON_CreateArray();

	for (; *v; v++)
		cJSON_AddItemToArray(a, cJSON_CreateString(*v));
	return a;
}

static cJSON *binding(const struct ensure_ctx *c, const struct kube_type *t, const char *name,
		      const char *role_kind, const char *role)
{
	const char *ns = c->session->target_namespace;
	cJSON *obj = ensure_skeleton(c, t, ns, name), *subjects, *subj, *ref;
	char account[128];

	satoken_account(c->session, account, sizeof(account));
	subjects = cJSON_AddArrayToObject(obj, "subjects");
	subj = cJSON_CreateObject();
	cJSON_AddStringToObject(subj, "kind", "ServiceAccount");
	cJSON_AddStringToObject(subj, "name", account);
	cJSON_AddStringToObject(subj, "namespace", ns);
	cJSON_AddItemToArray(subjects, subj);
	ref = cJSON_AddObjectToObject(obj, "roleRef");
	cJSON_AddStringToObject(ref, "apiGroup", "rbac.authorization.k8s.io");
	cJSON_AddStringToObject(ref, "kind", role_kind);
	cJSON_AddStringToObject(ref, "name", role);
	return obj;
}

cJSON *satoken_objects(const struct ensure_ctx *c, bool source_admin)
{
	static const char *const groups[] = { "forklift.konveyor.io", NULL };
	static const char *const resources[] = { "providers", NULL };
	static const char *const verbs[] = { "get", "list", NULL };
	const char *ns = c->session->target_namespace;
	cJSON *objs = cJSON_CreateArray(), *role, *rules, *rule;
	char account[128], name[160];

	satoken_account(c->session, account, sizeof(account));
	cJSON_AddItemToArray(objs, ensure_skeleton(c, &KUBE_SERVICEACCOUNTS, ns, account));
	/* What the inventory's SubjectAccessReview asks for. */
	snprintf(name, sizeof(name), "%s-inventory", account);
	role = ensure_skeleton(c, &KUBE_ROLES, ns, name);
	rules = cJSON_AddArrayToObject(role, "rules");
	rule = cJSON_CreateObject();
	cJSON_AddItemToObject(rule, "apiGroups", str_array(groups));
	cJSON_AddItemToObject(rule, "resources", str_array(resources));
	cJSON_AddItemToObject(rule, "verbs", str_array(verbs));
	cJSON_AddItemToArray(rules, rule);
	cJSON_AddItemToArray(objs, role);
	cJSON_AddItemToArray(objs, binding(c, &KUBE_ROLEBINDINGS, name, "Role", name));
	if (source_admin) {
		snprintf(name, sizeof(name), "%s-source", account);
		cJSON_AddItemToArray(objs, binding(c, &KUBE_CLUSTERROLEBINDINGS, name, "ClusterRole",
						   "cluster-admin"));
	}
	return objs;
}

int satoken_ensure(const struct ensure_ctx *c, bool source_admin, struct mtv_err *err)
{
	static const struct kube_type *const types[] = { &KUBE_SERVICEACCOUNTS, &KUBE_ROLES,
							 &KUBE_ROLEBINDINGS, &KUBE_CLUSTERROLEBINDINGS };
	cJSON *objs = satoken_objects(c, source_admin), *o;
	int i = 0, rc = 0;

	cJSON_ArrayForEach(o, objs) {
		if (ensure_object(c, types[i++], c->session->target_namespace, o, NULL, NULL, err) < 0) {
			rc = -1;
			break;
		}
	}
	cJSON_Delete(objs);
	return rc;
}

int satoken_request(struct kube_client *kc, const struct session *s, long seconds, char **token,
		    char **expires, struct mtv_err *err)
{
	char account[128], what[320], body[256];
	struct buf path = BUF_INIT(4096);
	cJSON *out = NULL;
	const char *tok;
	int rc = -1;

	*token = NULL;
	if (expires)
		*expires = NULL;
	satoken_account(s, account, sizeof(account));
	kube_path(&path, &KUBE_SERVICEACCOUNTS, s->target_namespace, account, "token");
	snprintf(what, sizeof(what), "TokenRequest for ServiceAccount %s/%s", s->target_namespace, account);
	snprintf(body, sizeof(body),
		 "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\","
		 "\"spec\":{\"expirationSeconds\":%ld}}", seconds);
	/* sensitive: the response carries the token, keep it out of traces */
	if (kube_request(kc, "POST", buf_str(&path), "application/json", body, what, true, &out, err) < 0) {
		if (err->http_status == 404)
			mtv_err_prefix(err, "the kubeconfig has a client certificate and no token, and the inventory "
					    "needs one; mtv-create-provider creates ServiceAccount %s/%s for that (re-run it)",
				       s->target_namespace, account);
		goto done;
	}
	tok = json_str(out, "status.token", NULL);
	if (!tok || !*tok) {
		mtv_err_set(err, MTV_EXIT_ENV, "%s: the answer has no status.token", what);
		goto done;
	}
	*token = strdup(tok);
	if (expires)
		*expires = strdup(json_str(out, "status.expirationTimestamp", "?"));
	rc = *token ? 0 : mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
done:
	cJSON_Delete(out);
	buf_release(&path);
	return rc;
}
