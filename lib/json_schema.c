#include "json_schema.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "json.h"

static const char *kind_name(enum json_kind k)
{
	switch (k) {
	case JSON_STRING: return "string";
	case JSON_NUMBER: return "number";
	case JSON_BOOL: return "boolean";
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_ANY: break;
	}
	return "any value";
}

static bool is_kind(const cJSON *v, enum json_kind k)
{
	switch (k) {
	case JSON_STRING: return cJSON_IsString(v);
	case JSON_NUMBER: return cJSON_IsNumber(v);
	case JSON_BOOL: return cJSON_IsBool(v);
	case JSON_OBJECT: return cJSON_IsObject(v);
	case JSON_ARRAY: return cJSON_IsArray(v);
	case JSON_ANY: break;
	}
	return true;
}

static int bad(const char *what, const char *path, const char *problem, struct mtv_err *err)
{
	return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: %s", what, path, problem);
}

static int check_object(const cJSON *obj, const struct json_key *schema, const char *what,
			const char *path, struct mtv_err *err);

static int check_value(const cJSON *v, const struct json_key *k, const char *what, const char *path,
		       struct mtv_err *err)
{
	char problem[96];

	if (!is_kind(v, k->kind)) {
		snprintf(problem, sizeof(problem), "expected %s, got %s", kind_name(k->kind),
			 json_type_name(v));
		return bad(what, path, problem, err);
	}
	if (k->kind == JSON_OBJECT && k->fields)
		return check_object(v, k->fields, what, path, err);
	if (k->kind == JSON_ARRAY) {
		size_t i = 0;
		const cJSON *e;

		cJSON_ArrayForEach(e, v) {
			char epath[512];

			snprintf(epath, sizeof(epath), "%s[%zu]", path, i++);
			if (k->fields) {
				if (!cJSON_IsObject(e)) {
					snprintf(problem, sizeof(problem), "expected object, got %s",
						 json_type_name(e));
					return bad(what, epath, problem, err);
				}
				if (check_object(e, k->fields, what, epath, err) < 0)
					return -1;
			} else if (!is_kind(e, k->elem)) {
				snprintf(problem, sizeof(problem), "expected %s, got %s", kind_name(k->elem),
					 json_type_name(e));
				return bad(what, epath, problem, err);
			}
		}
	}
	return 0;
}

static int check_object(const cJSON *obj, const struct json_key *schema, const char *what,
			const char *path, struct mtv_err *err)
{
	for (const struct json_key *k = schema; k->key; k++) {
		char kpath[512];

		if (!strcmp(k->key, "*")) {
			const cJSON *m;

			cJSON_ArrayForEach(m, obj) {
				snprintf(kpath, sizeof(kpath), "%s%s%s", path, *path ? "." : "", m->string);
				if (check_value(m, k, what, kpath, err) < 0)
					return -1;
			}
			continue;
		}
		snprintf(kpath, sizeof(kpath), "%s%s%s", path, *path ? "." : "", k->key);
		{
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, k->key);

			if (!v) {
				if (k->required)
					return bad(what, kpath, "missing", err);
				continue;
			}
			if (check_value(v, k, what, kpath, err) < 0)
				return -1;
		}
	}
	return 0;
}

int json_schema_check(const cJSON *doc, const struct json_key *schema, const char *what,
		      struct mtv_err *err)
{
	if (!cJSON_IsObject(doc))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: expected a JSON object, got %s", what,
				   json_type_name(doc));
	return check_object(doc, schema, what, "", err);
}
