#include "maps.h"

#include <stdio.h>
#include <string.h>

#include "json.h"
#include "ensure.h"
#include "provider_objects.h"
#include "stepctx.h"

/* The builders only label: no client, no state. */
static cJSON *skeleton(const struct session *s, const struct kube_type *t, const char *ns, const char *name)
{
	const struct ensure_ctx e = { .session = s };

	return ensure_skeleton(&e, t, ns, name);
}

static void add_provider_pair(cJSON *spec, const struct map_in *c)
{
	cJSON *provider = cJSON_AddObjectToObject(spec, "provider");
	cJSON *src = cJSON_AddObjectToObject(provider, "source");
	cJSON *dst = cJSON_AddObjectToObject(provider, "destination");

	cJSON_AddStringToObject(src, "name", c->source_name);
	cJSON_AddStringToObject(src, "namespace", c->ns);
	cJSON_AddStringToObject(dst, "name", c->dest_name);
	cJSON_AddStringToObject(dst, "namespace", c->ns);
}

cJSON *storage_map_build(const struct map_in *c, const char *name, const cJSON *storages,
			 const char *storage_class)
{
	cJSON *obj = skeleton(c->session, &KUBE_STORAGEMAPS, c->ns, name);
	cJSON *spec = cJSON_AddObjectToObject(obj, "spec");
	cJSON *map = cJSON_CreateArray();
	const cJSON *s;

	add_provider_pair(spec, c);
	cJSON_ArrayForEach(s, storages) {
		cJSON *entry = cJSON_CreateObject();
		cJSON *dst = cJSON_AddObjectToObject(entry, "destination");

		cJSON_AddStringToObject(dst, "storageClass", storage_class);
		cJSON_AddItemToObject(entry, "source", cJSON_Duplicate(s, 1));
		cJSON_AddItemToArray(map, entry);
	}
	cJSON_AddItemToObject(spec, "map", map);
	return obj;
}

cJSON *network_map_build(const struct map_in *c, const char *name, const cJSON *networks,
			 const cJSON *nads, const char *nad_ns)
{
	cJSON *obj = skeleton(c->session, &KUBE_NETWORKMAPS, c->ns, name);
	cJSON *spec = cJSON_AddObjectToObject(obj, "spec");
	cJSON *map = cJSON_CreateArray();
	const cJSON *n;
	int i = 0;

	add_provider_pair(spec, c);
	cJSON_ArrayForEach(n, networks) {
		cJSON *entry = cJSON_CreateObject();
		cJSON *dst = cJSON_AddObjectToObject(entry, "destination");

		if (i == 0) {
			cJSON_AddStringToObject(dst, "type", "pod");
		} else {
			cJSON_AddStringToObject(dst, "name", cJSON_GetArrayItem(nads, i - 1)->valuestring);
			cJSON_AddStringToObject(dst, "namespace", nad_ns);
			cJSON_AddStringToObject(dst, "type", "multus");
		}
		cJSON_AddItemToObject(entry, "source", cJSON_Duplicate(n, 1));
		cJSON_AddItemToArray(map, entry);
		i++;
	}
	cJSON_AddItemToObject(spec, "map", map);
	return obj;
}

cJSON *nad_names(const struct session *s, int n)
{
	cJSON *names = cJSON_CreateArray();
	char name[32];

	for (int i = 1; i <= n; i++) {
		/* "auto-ab12" → "cb-ab12-1": short enough for a bridge name. */
		snprintf(name, sizeof(name), "cb-%s-%d", s->id + 5, i);
		cJSON_AddItemToArray(names, cJSON_CreateString(name));
	}
	return names;
}

cJSON *nad_build(const struct session *s, const char *ns, const char *name, int index)
{
	cJSON *obj = skeleton(s, &KUBE_NADS, ns, name);
	cJSON *spec = cJSON_AddObjectToObject(obj, "spec");
	char config[256];

	if (index == 0)
		snprintf(config, sizeof(config),
			 "{\"cniVersion\":\"0.3.1\",\"type\":\"cnv-bridge\",\"bridge\":\"cnv-bridge\"}");
	else
		snprintf(config, sizeof(config),
			 "{\"cniVersion\":\"0.3.1\",\"type\":\"bridge\",\"bridge\":\"%s\"}", name);
	cJSON_AddStringToObject(spec, "config", config);
	return obj;
}

const struct forklift_ready FORKLIFT_READY_PLAN = { "the Plan", true };

enum wait_verdict forklift_ready_pred(const cJSON *obj, bool deleted, void *arg, struct buf *why)
{
	static const struct forklift_ready any = { "the object", false };
	const struct forklift_ready *fr = arg ? arg : &any;

	if (!obj || deleted) {
		buf_addf(why, "%s does not exist", fr->what);
		return deleted && obj ? WAIT_FAILED : WAIT_NOT_YET;
	}
	if (json_condition_is(json_get(obj, "status.conditions"), "Ready", "True"))
		return WAIT_DONE;
	conditions_describe(obj, why, fr->critical_only);
	return WAIT_NOT_YET;
}

struct maps_update {
	const char *key;
	cJSON *entry;
};

static int maps_apply(cJSON *doc, void *arg, struct mtv_err *err)
{
	struct maps_update *u = arg;

	(void)err;
	if (cJSON_GetObjectItemCaseSensitive(doc, u->key))
		cJSON_ReplaceItemInObjectCaseSensitive(doc, u->key, u->entry);
	else
		cJSON_AddItemToObject(doc, u->key, u->entry);
	u->entry = NULL;	/* now owned by doc */
	return 0;
}

int maps_state_set(const struct state *st, const char *key, cJSON *entry, struct mtv_err *err)
{
	struct maps_update u = { key, entry };
	int r = state_update_json(st, MAPS_STATE, maps_apply, &u, err);

	cJSON_Delete(u.entry);
	return r;
}
