#include "ensure.h"

#include <stdio.h>
#include <string.h>

#include "json.h"
#include "log.h"

void ensure_api_version(char *dst, size_t dstsz, const struct kube_type *t)
{
	if (*t->group)
		snprintf(dst, dstsz, "%s/%s", t->group, t->version);
	else
		snprintf(dst, dstsz, "%s", t->version);
}

cJSON *ensure_skeleton(const struct ensure_ctx *c, const struct kube_type *t, const char *ns,
		       const char *name)
{
	cJSON *obj = cJSON_CreateObject(), *meta;
	char api[128];

	ensure_api_version(api, sizeof(api), t);
	cJSON_AddStringToObject(obj, "apiVersion", api);
	cJSON_AddStringToObject(obj, "kind", t->kind);
	meta = cJSON_AddObjectToObject(obj, "metadata");
	cJSON_AddStringToObject(meta, "name", name);
	if (t->namespaced && ns)
		cJSON_AddStringToObject(meta, "namespace", ns);
	cJSON_AddItemToObject(meta, "labels", session_labels(c->session));
	return obj;
}

static int ours(const cJSON *obj, const struct session *s)
{
	const char *v = json_str(obj, "metadata.labels[\"" LABEL_SESSION "\"]", NULL);

	return v && !strcmp(v, s->id);
}

/* Read back an existing object and accept it only when it is ours. */
static int adopt_existing(const struct ensure_ctx *c, const struct kube_type *t, const char *ns,
			  const char *name, cJSON **out, struct mtv_err *err)
{
	char what[320];
	cJSON *existing = NULL;

	if (kube_get(c->kc, t, ns, name, &existing, err) < 0)
		return -1;
	if (!ours(existing, c->session)) {
		kube_describe(what, sizeof(what), t, ns, name);
		cJSON_Delete(existing);
		return mtv_err_set(err, MTV_EXIT_ENV,
				   "%s already exists and was not created by session %s; not touching it",
				   what, c->session->id);
	}
	if (out)
		*out = existing;
	else
		cJSON_Delete(existing);
	return 0;
}

int ensure_object(const struct ensure_ctx *c, const struct kube_type *t, const char *ns,
		  cJSON *obj, cJSON **out, int *reused, struct mtv_err *err)
{
	const char *name = json_str(obj, "metadata.name", NULL);
	char api[128], what[320];
	cJSON *labels;
	struct ledger_entry e;

	if (out)
		*out = NULL;
	if (reused)
		*reused = 0;
	if (!name)
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: object without metadata.name", t->kind);
	ensure_api_version(api, sizeof(api), t);
	kube_describe(what, sizeof(what), t, ns, name);
	labels = json_get(obj, "metadata.labels");
	if (!labels)
		json_set(obj, "metadata.labels", session_labels(c->session), NULL);
	else if (!ours(obj, c->session)) {
		cJSON_DeleteItemFromObjectCaseSensitive(labels, LABEL_SESSION);
		cJSON_DeleteItemFromObjectCaseSensitive(labels, LABEL_MANAGED_BY);
		cJSON_AddStringToObject(labels, LABEL_MANAGED_BY, MANAGED_BY);
		cJSON_AddStringToObject(labels, LABEL_SESSION, c->session->id);
	}

	e = (struct ledger_entry){ t->kind, api, t->namespaced ? ns : NULL, name, c->step };
	if (ledger_record(c->st, &e, err) < 0)
		return -1;
	if (kube_create(c->kc, t, ns, obj, out, err) == 0) {
		log_info("created %s", what);
		return 0;
	}
	if (err->http_status == 409 || !strcmp(err->reason, "Ambiguous")) {
		if (adopt_existing(c, t, ns, name, out, err) < 0)
			return -1;
		log_info("%s already exists, reusing it", what);
		if (reused)
			*reused = 1;
		return 0;
	}
	return -1;
}
