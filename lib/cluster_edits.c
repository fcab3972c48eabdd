#include "cluster_edits.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"

struct record {
	const struct kube_type *t;
	const char *ns, *name, *path, *step;
	const cJSON *previous;
	const cJSON *value;
};

static int same(const cJSON *e, const struct record *r)
{
	return !strcmp(json_str(e, "kind", ""), r->t->kind) &&
	       !strcmp(json_str(e, "namespace", ""), r->ns ? r->ns : "") &&
	       !strcmp(json_str(e, "name", ""), r->name) && !strcmp(json_str(e, "path", ""), r->path);
}

static int add_record(cJSON *doc, void *arg, struct mtv_err *err)
{
	const struct record *r = arg;
	cJSON *edits = cJSON_GetObjectItemCaseSensitive(doc, "edits"), *e;
	const cJSON *it;
	char api[128];

	if (!edits)
		edits = cJSON_AddArrayToObject(doc, "edits");
	if (!cJSON_IsArray(edits))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: edits: expected array", EDITS_STATE);
	cJSON_ArrayForEach(it, edits)
		if (same(it, r))
			return 0;	/* keep the value from before the first edit */
	if (*r->t->group)
		snprintf(api, sizeof(api), "%s/%s", r->t->group, r->t->version);
	else
		snprintf(api, sizeof(api), "%s", r->t->version);
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "kind", r->t->kind);
	cJSON_AddStringToObject(e, "apiVersion", api);
	if (r->ns)
		cJSON_AddStringToObject(e, "namespace", r->ns);
	cJSON_AddStringToObject(e, "name", r->name);
	cJSON_AddStringToObject(e, "path", r->path);
	cJSON_AddItemToObject(e, "previous", r->previous ? cJSON_Duplicate(r->previous, 1) : cJSON_CreateNull());
	cJSON_AddItemToObject(e, "value", cJSON_Duplicate(r->value, 1));
	cJSON_AddStringToObject(e, "step", r->step);
	cJSON_AddItemToArray(edits, e);
	return 0;
}

/* A merge patch setting path to value (value is taken over). */
static char *patch_for(const char *path, cJSON *value, struct mtv_err *err)
{
	cJSON *patch = cJSON_CreateObject();
	char *text;

	if (json_set(patch, path, value, err) < 0) {
		cJSON_Delete(patch);
		return NULL;
	}
	text = cJSON_PrintUnformatted(patch);
	cJSON_Delete(patch);
	return text;
}

int cluster_edit(struct kube_client *kc, const struct state *st, const struct kube_type *t,
		 const char *ns, const char *name, const char *path, cJSON *value,
		 const char *step, struct mtv_err *err)
{
	cJSON *obj = NULL;
	char *patch = NULL;
	struct record r = { t, t->namespaced ? ns : NULL, name, path, step, NULL, value };
	int rc = -1;

	if (kube_get(kc, t, ns, name, &obj, err) < 0)
		goto out;
	r.previous = json_get(obj, path);
	if (state_update_json(st, EDITS_STATE, add_record, &r, err) < 0)
		goto out;
	patch = patch_for(path, value, err);
	value = NULL;	/* taken over by patch_for */
	if (!patch || kube_patch(kc, t, ns, name, KUBE_PATCH_MERGE, patch, NULL, err) < 0)
		goto out;
	rc = 0;
out:
	cJSON_Delete(value);
	cJSON_Delete(obj);
	cJSON_free(patch);
	return rc;
}

static int drop_index(cJSON *doc, void *arg, struct mtv_err *err)
{
	const cJSON *gone = arg;
	cJSON *edits = cJSON_GetObjectItemCaseSensitive(doc, "edits"), *it;
	int i = 0;

	(void)err;
	cJSON_ArrayForEach(it, edits) {
		if (!strcmp(json_str(it, "kind", ""), json_str(gone, "kind", "")) &&
		    !strcmp(json_str(it, "namespace", ""), json_str(gone, "namespace", "")) &&
		    !strcmp(json_str(it, "name", ""), json_str(gone, "name", "")) &&
		    !strcmp(json_str(it, "path", ""), json_str(gone, "path", ""))) {
			cJSON_DeleteItemFromArray(edits, i);
			return 0;
		}
		i++;
	}
	return 0;
}

int cluster_edits_restore(struct kube_client *kc, const struct state *st, int *restored,
			  struct mtv_err *err)
{
	cJSON *doc = NULL, *edits;
	struct mtv_err one;
	int n, rc = 0;

	*restored = 0;
	if (state_read_json(st, EDITS_STATE, &doc, err) < 0)
		return -1;
	edits = json_get(doc, "edits");
	n = cJSON_GetArraySize(edits);
	for (int i = n - 1; i >= 0; i--) {
		const cJSON *e = cJSON_GetArrayItem(edits, i);
		const struct kube_type *t = kube_type_lookup(json_str(e, "kind", ""));
		const char *ns = json_str(e, "namespace", NULL), *name = json_str(e, "name", "");
		const char *path = json_str(e, "path", "");
		const cJSON *prev = json_get(e, "previous");
		char *patch;

		if (!t) {
			log_warn("%s: unknown kind %s; not restored", EDITS_STATE, json_str(e, "kind", "?"));
			continue;
		}
		patch = patch_for(path, prev ? cJSON_Duplicate(prev, 1) : cJSON_CreateNull(), &one);
		if (!patch || (kube_patch(kc, t, ns, name, KUBE_PATCH_MERGE, patch, NULL, &one) < 0 &&
			       one.http_status != 404)) {
			log_warn("restoring %s of %s %s: %s", path, t->kind, name, one.msg);
			if (rc == 0)
				*err = one;
			rc = -1;
		} else {
			log_info("restored %s of %s %s", path, t->kind, name);
			(*restored)++;
			state_update_json(st, EDITS_STATE, drop_index, (void *)e, &one);
		}
		cJSON_free(patch);
	}
	cJSON_Delete(doc);
	return rc;
}
