/* A minimal OpenAPI v3 surface.
 *
 * kubectl create/apply with --validate=strict (the default) asks
 * /openapi/v3 whether the PATCH operation of a kind accepts the
 * fieldValidation query parameter; when it does, kubectl leaves
 * validation to the server (which the sim does for Forklift kinds from
 * their CRDs), otherwise it demands /openapi/v2 for client-side
 * validation.  So each group-version document lists, per kind, one path
 * with a PATCH operation tagged with its x-kubernetes-group-version-kind
 * and the fieldValidation parameter, and nothing else. */
#include <stdio.h>
#include <string.h>
#include "sim.h"

static cJSON *gv_doc(const char *gv)
{
	cJSON *d = cJSON_CreateObject(), *info, *paths;
	char av[128], path[512];
	const struct restype *rt;

	cJSON_AddStringToObject(d, "openapi", "3.0.0");
	info = cJSON_AddObjectToObject(d, "info");
	cJSON_AddStringToObject(info, "title", "Kubernetes");
	cJSON_AddStringToObject(info, "version", "v1.31.6");
	paths = cJSON_AddObjectToObject(d, "paths");
	for (size_t i = 0; (rt = restype_at(i)); i++) {
		cJSON *p, *op, *gvk, *params, *prm;

		restype_apiversion(rt, av, sizeof(av));
		if (strcmp(av, gv))
			continue;
		snprintf(path, sizeof(path), "/%s/%s/%s%s/{name}", rt->group[0] ? "apis" : "api", av,
			 rt->namespaced ? "namespaces/{namespace}/" : "", rt->plural);
		p = cJSON_AddObjectToObject(paths, path);
		op = cJSON_AddObjectToObject(p, "patch");
		gvk = cJSON_AddObjectToObject(op, "x-kubernetes-group-version-kind");
		cJSON_AddStringToObject(gvk, "group", rt->group);
		cJSON_AddStringToObject(gvk, "version", rt->version);
		cJSON_AddStringToObject(gvk, "kind", rt->kind);
		params = cJSON_AddArrayToObject(op, "parameters");
		prm = cJSON_CreateObject();
		cJSON_AddStringToObject(prm, "name", "fieldValidation");
		cJSON_AddStringToObject(prm, "in", "query");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(prm, "schema"), "type", "string");
		cJSON_AddItemToArray(params, prm);
		cJSON_AddObjectToObject(op, "responses");
	}
	cJSON_AddObjectToObject(cJSON_AddObjectToObject(d, "components"), "schemas");
	return d;
}

void openapi_handle(struct sim *sim, struct request *r, struct response *resp)
{
	const struct restype *rt;
	char av[128], key[200], url[300];

	(void)sim;
	if (!strcmp(r->path, "/openapi/v3")) {
		cJSON *root = cJSON_CreateObject(), *paths = cJSON_AddObjectToObject(root, "paths");

		for (size_t i = 0; (rt = restype_at(i)); i++) {
			restype_apiversion(rt, av, sizeof(av));
			snprintf(key, sizeof(key), "%s/%s", rt->group[0] ? "apis" : "api", av);
			if (cJSON_GetObjectItemCaseSensitive(paths, key))
				continue;
			snprintf(url, sizeof(url), "/openapi/v3/%s?hash=00000000", key);
			cJSON_AddStringToObject(cJSON_AddObjectToObject(paths, key), "serverRelativeURL", url);
		}
		resp_json(resp, 200, root);
		return;
	}
	if (!strncmp(r->path, "/openapi/v3/api/", 16) || !strncmp(r->path, "/openapi/v3/apis/", 17)) {
		const char *gv = r->path + (r->path[15] == '/' ? 16 : 17);
		cJSON *doc = gv_doc(gv);

		if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "paths")) > 0) {
			resp_json(resp, 200, doc);
			return;
		}
		cJSON_Delete(doc);
	}
	resp_status(resp, 404, "NotFound", "the server could not find the requested resource", NULL, NULL, NULL);
}
