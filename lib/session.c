#include "session.h"

#include <stdio.h>
#include <string.h>

#include "json.h"
#include "names.h"

static int copy_field(const cJSON *doc, const char *key, char *dst, size_t dstsz,
		      struct mtv_err *err)
{
	const char *v;

	if (json_get_string(doc, key, &v, err) < 0)
		return mtv_err_prefix(err, "%s", SESSION_FILE);
	if (snprintf(dst, dstsz, "%s", v) >= (int)dstsz)
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: too long", SESSION_FILE, key);
	return 0;
}

int session_load(const struct state *st, struct session *s, int *found, struct mtv_err *err)
{
	cJSON *doc = NULL;
	int r;

	memset(s, 0, sizeof(*s));
	*found = 0;
	if (state_read_json(st, SESSION_FILE, &doc, err) < 0)
		return -1;
	if (!doc)
		return 0;
	r = copy_field(doc, "id", s->id, sizeof(s->id), err) < 0 ||
	    copy_field(doc, "targetNamespace", s->target_namespace, sizeof(s->target_namespace), err) < 0 ||
	    copy_field(doc, "baseName", s->base_name, sizeof(s->base_name), err) < 0 ||
	    copy_field(doc, "mtvNamespace", s->mtv_namespace, sizeof(s->mtv_namespace), err) < 0 ||
	    copy_field(doc, "sourceType", s->source_type, sizeof(s->source_type), err) < 0 ? -1 : 0;
	cJSON_Delete(doc);
	if (r == 0 && !names_is_dns1123_label(s->target_namespace))
		r = mtv_err_set(err, MTV_EXIT_USAGE, "%s: targetNamespace \"%s\" is not a DNS-1123 label",
				SESSION_FILE, s->target_namespace);
	*found = r == 0;
	return r;
}

int session_require(const struct state *st, struct session *s, struct mtv_err *err)
{
	int found;

	if (session_load(st, s, &found, err) < 0)
		return -1;
	if (!found)
		return mtv_err_set(err, MTV_EXIT_USAGE,
				   "%s/%s: no session; run mtv-create-provider first", st->dir, SESSION_FILE);
	return 0;
}

int session_new(struct session *s, const char *ns_prefix, const char *mtv_namespace,
		const char *source_type, const char *version, struct mtv_err *err)
{
	char suffix[64] = "", ver[64], ns[256];
	const char *auto_at;

	memset(s, 0, sizeof(*s));
	if (names_session_id(s->id, sizeof(s->id), err) < 0)
		return -1;
	/* mtv-api-tests: the prefix with "auto" removed is appended to the id. */
	auto_at = ns_prefix ? strstr(ns_prefix, "auto") : NULL;
	if (ns_prefix && auto_at)
		snprintf(suffix, sizeof(suffix), "%.*s%s", (int)(auto_at - ns_prefix), ns_prefix,
			 auto_at + 4);
	else if (ns_prefix)
		snprintf(suffix, sizeof(suffix), "%s", ns_prefix);
	snprintf(ns, sizeof(ns), "%s%s", s->id, suffix);
	if (names_dns1123(ns, s->target_namespace, sizeof(s->target_namespace)) < 0)
		return mtv_err_set(err, MTV_EXIT_USAGE,
				   "MTV_TARGET_NAMESPACE_PREFIX \"%s\" does not make a valid namespace name",
				   ns_prefix);
	for (size_t i = 0; version[i] && i + 1 < sizeof(ver); i++) {
		ver[i] = version[i] == '.' ? '-' : version[i];
		ver[i + 1] = '\0';
	}
	if (!*version)
		ver[0] = '\0';
	snprintf(ns, sizeof(ns), "%s-source-%s%s%s", s->id, source_type, *ver ? "-" : "", ver);
	if (names_dns1123(ns, s->base_name, sizeof(s->base_name)) < 0)
		return mtv_err_set(err, MTV_EXIT_USAGE, "cannot build a resource name from version \"%s\"",
				   version);
	snprintf(s->mtv_namespace, sizeof(s->mtv_namespace), "%s", mtv_namespace);
	snprintf(s->source_type, sizeof(s->source_type), "%s", source_type);
	return 0;
}

int session_save(const struct state *st, const struct session *s, struct mtv_err *err)
{
	cJSON *doc = cJSON_CreateObject();
	int r;

	cJSON_AddStringToObject(doc, "id", s->id);
	cJSON_AddStringToObject(doc, "targetNamespace", s->target_namespace);
	cJSON_AddStringToObject(doc, "baseName", s->base_name);
	cJSON_AddStringToObject(doc, "mtvNamespace", s->mtv_namespace);
	cJSON_AddStringToObject(doc, "sourceType", s->source_type);
	r = state_write_json(st, SESSION_FILE, doc, err);
	cJSON_Delete(doc);
	return r;
}

cJSON *session_labels(const struct session *s)
{
	cJSON *labels = cJSON_CreateObject();

	cJSON_AddStringToObject(labels, LABEL_MANAGED_BY, MANAGED_BY);
	cJSON_AddStringToObject(labels, LABEL_SESSION, s->id);
	return labels;
}
