/* The in-process Forklift controller: a thread that, every tick, walks the
 * Forklift objects and moves them toward what the real controllers would
 * make of them.  Status is only written when it changed, so an idle sim
 * emits no watch events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ctl.h"
#include "base64.h"
#include "log.h"

const struct restype *rt_of(const char *group, const char *version, const char *plural)
{
	return restype_find(group, version, plural);
}

static bool same_items(const cJSON *a, const cJSON *b)
{
	/* cJSON_Compare calls two missing items different */
	if (!a || !b)
		return !a && !b;
	return cJSON_Compare(a, b, 1);
}

void cond_add(cJSON *arr, const cJSON *old, const char *type, const char *category, const char *reason,
	      const char *message, cJSON *items, bool durable)
{
	cJSON *c = cJSON_CreateObject();
	const cJSON *prev = json_condition(old, type);
	char ts[32];

	cJSON_AddStringToObject(c, "type", type);
	cJSON_AddStringToObject(c, "status", "True");
	cJSON_AddStringToObject(c, "category", category);
	if (reason && *reason)
		cJSON_AddStringToObject(c, "reason", reason);
	if (message && *message)
		cJSON_AddStringToObject(c, "message", message);
	if (durable)
		cJSON_AddBoolToObject(c, "durable", true);
	if (items)
		cJSON_AddItemToObject(c, "items", items);
	if (prev && !strcmp(json_str(prev, "category", ""), category) && !strcmp(json_str(prev, "reason", ""), reason ? reason : "") &&
	    !strcmp(json_str(prev, "message", ""), message ? message : "") &&
	    same_items(cJSON_GetObjectItemCaseSensitive(prev, "items"), items) &&
	    json_get(prev, "lastTransitionTime"))
		snprintf(ts, sizeof(ts), "%s", json_str(prev, "lastTransitionTime", ""));
	else
		sim_now_rfc3339(ts, sizeof(ts));
	cJSON_AddStringToObject(c, "lastTransitionTime", ts);
	/* replace an existing entry of the same type */
	for (int i = 0; i < cJSON_GetArraySize(arr); i++)
		if (!strcmp(json_str(cJSON_GetArrayItem(arr, i), "type", ""), type)) {
			cJSON_DeleteItemFromArray(arr, i);
			break;
		}
	cJSON_AddItemToArray(arr, c);
}

bool cond_has(const cJSON *arr, const char *type)
{
	return json_condition(arr, type) != NULL;
}

bool cond_blocked(const cJSON *arr)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, arr) {
		const char *cat = json_str(c, "category", "");
		if (!strcmp(cat, "Critical") || !strcmp(cat, "Error"))
			return true;
	}
	return false;
}

void ctl_put_status(struct sim *sim, struct sobj *so, cJSON *status)
{
	const cJSON *old = cJSON_GetObjectItemCaseSensitive(so->o, "status");
	cJSON *o, *causes;

	if (old && cJSON_Compare(old, status, 1)) {
		cJSON_Delete(status);
		return;
	}
	o = cJSON_Duplicate(so->o, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(o, "status");
	cJSON_AddItemToObject(o, "status", status);
	if (crd_loaded() && so->rt->crd_file) {
		/* The sim's own writes must pass the same schema as clients'. */
		causes = cJSON_CreateArray();
		if (crd_validate(so->rt, o, causes)) {
			char *s = cJSON_PrintUnformatted(causes);
			log_warn("controller: %s %s/%s status fails its CRD schema: %s", so->rt->kind, so->ns, so->name, s);
			free(s);
		}
		cJSON_Delete(causes);
	}
	store_update(&sim->store, so, o);
}

struct sobj *ctl_ref(struct sim *sim, const struct restype *rt, const cJSON *ref, const char *defns)
{
	const char *name = json_str(ref, "name", ""), *ns = json_str(ref, "namespace", "");

	if (!*name)
		return NULL;
	return store_find(&sim->store, rt, *ns ? ns : defns, name);
}

const cJSON *ctl_forklift_controller_spec(struct sim *sim)
{
	const struct restype *rt = rt_of(FK, "forkliftcontrollers");

	struct sobj *so = store_first(&sim->store, rt);

	return so ? json_get(so->o, "spec") : NULL;
}

const char *ctl_secret_value(const cJSON *secret, const char *key, char *out, size_t outsz)
{
	/* keys such as "ca.crt" hold dots, so no dotted-path lookup here */
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(secret, "data"), key);
	struct buf dec = BUF_INIT(1u << 30);

	if (!cJSON_IsString(v) ||
	    base64_decode(&dec, v->valuestring, strlen(v->valuestring)) < 0) {
		buf_release(&dec);
		return NULL;
	}
	snprintf(out, outsz, "%.*s", (int)dec.len, buf_str(&dec));
	buf_release(&dec);
	return out;
}

struct sobj *ctl_create(struct sim *sim, const struct restype *rt, const char *ns, cJSON *o)
{
	return api_create_internal(sim, rt, ns, o);
}

void ctl_event(struct sim *sim, const cJSON *about, const char *type, const char *reason, const char *msg)
{
	cJSON *e = cJSON_CreateObject(), *md = cJSON_AddObjectToObject(e, "metadata"), *io;
	char gn[300], ts[32];
	const char *ns = sim_obj_ns(about);

	snprintf(gn, sizeof(gn), "%s.", sim_obj_name(about));
	cJSON_AddStringToObject(md, "generateName", gn);
	io = cJSON_AddObjectToObject(e, "involvedObject");
	cJSON_AddStringToObject(io, "apiVersion", json_str(about, "apiVersion", ""));
	cJSON_AddStringToObject(io, "kind", json_str(about, "kind", ""));
	cJSON_AddStringToObject(io, "name", sim_obj_name(about));
	cJSON_AddStringToObject(io, "namespace", ns ? ns : "");
	cJSON_AddStringToObject(io, "uid", json_str(about, "metadata.uid", ""));
	cJSON_AddStringToObject(e, "type", type);
	cJSON_AddStringToObject(e, "reason", reason);
	cJSON_AddStringToObject(e, "message", msg);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(e, "source"), "component", "forklift-controller");
	sim_now_rfc3339(ts, sizeof(ts));
	cJSON_AddStringToObject(e, "firstTimestamp", ts);
	cJSON_AddStringToObject(e, "lastTimestamp", ts);
	cJSON_AddNumberToObject(e, "count", 1);
	ctl_create(sim, rt_of("", "v1", "events"), ns ? ns : "default", e);
}

/* Snapshot the names first: reconciling creates and deletes objects. */
struct ref {
	const struct restype *rt;
	char ns[256], name[256];
};

static void each(struct sim *sim, const char *plural, void (*fn)(struct sim *, struct sobj *))
{
	const struct restype *rt = rt_of("forklift.konveyor.io", "v1beta1", plural);
	struct ref *refs;
	size_t n = 0;

	refs = calloc(store_count(&sim->store, rt) + 1, sizeof(*refs));
	if (!refs)
		abort();
	for (struct sobj *so = store_first(&sim->store, rt); so; so = so->kind_next) {
		refs[n].rt = rt;
		snprintf(refs[n].ns, sizeof(refs[n].ns), "%s", so->ns);
		snprintf(refs[n].name, sizeof(refs[n].name), "%s", so->name);
		n++;
	}
	for (size_t i = 0; i < n; i++) {
		struct sobj *so = store_find(&sim->store, refs[i].rt, refs[i].ns, refs[i].name);
		if (so && !json_get(so->o, "metadata.deletionTimestamp"))
			fn(sim, so);
	}
	free(refs);
}

void controller_tick(struct sim *sim)
{
	each(sim, "providers", ctl_provider);
	each(sim, "storagemaps", ctl_storagemap);
	each(sim, "networkmaps", ctl_networkmap);
	each(sim, "hooks", ctl_hook);
	each(sim, "hosts", ctl_host);
	each(sim, "plans", ctl_plan);
	each(sim, "migrations", ctl_migration);
	store_gc(&sim->store);
}

void *controller_main(void *arg)
{
	struct sim *sim = arg;

	while (!sim->stopping) {
		sim_wrlock(sim);
		if (!sim->stopping)
			controller_tick(sim);
		sim_unlock(sim);
		usleep(sim->speed > 0 ? 50000 : 20000);
	}
	return NULL;
}
