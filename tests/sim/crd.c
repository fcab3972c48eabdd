/* Forklift CRD schemas: loaded from --crd-dir (lib/yamltree), used to apply
 * defaults and to validate every Forklift object the API stores (types,
 * required fields, enums, bounds, patterns, and unknown fields, which are
 * rejected unless the schema preserves them). */
#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"
#include "log.h"
#include "yamltree.h"

struct crd {
	char kind[64];
	cJSON *schema;		/* openAPIV3Schema */
	cJSON *columns;		/* additionalPrinterColumns */
};

static struct crd crds[32];
static int ncrds;

bool crd_loaded(void)
{
	return ncrds > 0;
}

/* The CRD file as JSON (lib/yamltree, as kubectl reads it). */
static cJSON *yaml_file(const char *path, struct mtv_err *err)
{
	struct arena a;
	struct ynode *root;
	cJSON *doc = NULL;

	arena_init(&a);
	if (ytree_load(&a, path, &root, err) == 0) {
		if (root->type == Y_MAP)
			doc = ytree_to_json(root);
		else
			mtv_err_set(err, MTV_EXIT_USAGE, "%s: expected a mapping, got %s", path,
				    ynode_kind(root));
	}
	arena_release(&a);
	return doc;
}

int crd_load_dir(const char *dir, struct mtv_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return mtv_err_set(err, MTV_EXIT_USAGE, "--crd-dir %s: cannot open", dir);
	while ((de = readdir(d))) {
		char path[4096];
		cJSON *doc, *v;
		size_t len = strlen(de->d_name);

		if (len < 5 || strcmp(de->d_name + len - 5, ".yaml"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		doc = yaml_file(path, err);
		if (!doc) {
			closedir(d);
			return -1;
		}
		if (strcmp(json_str(doc, "kind", ""), "CustomResourceDefinition") || ncrds == 32) {
			cJSON_Delete(doc);
			continue;
		}
		cJSON_ArrayForEach(v, json_get(doc, "spec.versions")) {
			if (strcmp(json_str(v, "name", ""), "v1beta1"))
				continue;
			snprintf(crds[ncrds].kind, sizeof(crds[ncrds].kind), "%s", json_str(doc, "spec.names.kind", ""));
			crds[ncrds].schema = cJSON_Duplicate(json_get(v, "schema.openAPIV3Schema"), 1);
			crds[ncrds].columns = cJSON_Duplicate(json_get(v, "additionalPrinterColumns"), 1);
			if (!crds[ncrds].schema) {
				cJSON_Delete(doc);
				closedir(d);
				return mtv_err_set(err, MTV_EXIT_USAGE, "%s: spec.versions[v1beta1].schema.openAPIV3Schema: missing",
						   path);
			}
			ncrds++;
		}
		cJSON_Delete(doc);
	}
	closedir(d);
	if (!ncrds)
		return mtv_err_set(err, MTV_EXIT_USAGE, "--crd-dir %s: no CustomResourceDefinition found", dir);
	log_info("loaded %d CRD schemas from %s", ncrds, dir);
	return 0;
}

static const struct crd *crd_for(const struct restype *rt)
{
	for (int i = 0; i < ncrds; i++)
		if (!strcmp(crds[i].kind, rt->kind))
			return &crds[i];
	return NULL;
}

const cJSON *crd_printer_columns(const struct restype *rt)
{
	const struct crd *c = crd_for(rt);

	if (c && c->columns)
		return c->columns;
	return NULL;
}

/* ---- validation ---- */

static void cause(cJSON *causes, const char *reason, const char *field, const char *fmt, const char *a,
		  const char *b)
{
	cJSON *c = cJSON_CreateObject();
	char msg[1024];

	snprintf(msg, sizeof(msg), fmt, a ? a : "", b ? b : "");
	cJSON_AddStringToObject(c, "reason", reason);
	cJSON_AddStringToObject(c, "message", msg);
	cJSON_AddStringToObject(c, "field", field);
	cJSON_AddItemToArray(causes, c);
}

static const char *jtype(const cJSON *v)
{
	if (cJSON_IsNumber(v))
		return v->valuedouble == (double)(long long)v->valuedouble ? "integer" : "number";
	if (cJSON_IsString(v))
		return "string";
	if (cJSON_IsBool(v))
		return "boolean";
	if (cJSON_IsArray(v))
		return "array";
	if (cJSON_IsObject(v))
		return "object";
	return "null";
}

static void validate(const cJSON *s, const cJSON *v, const char *path, cJSON *causes, int depth);

static void validate_object(const cJSON *s, const cJSON *v, const char *path, cJSON *causes, int depth)
{
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
	const cJSON *addl = cJSON_GetObjectItemCaseSensitive(s, "additionalProperties");
	bool preserve = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "x-kubernetes-preserve-unknown-fields"));
	const cJSON *e;
	char sub[1024];

	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(s, "required")) {
		const char *k = cJSON_GetStringValue(e);
		if (k && !cJSON_GetObjectItemCaseSensitive(v, k)) {
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", k);
			cause(causes, "FieldValueRequired", sub, "Required value", NULL, NULL);
		}
	}
	cJSON_ArrayForEach(e, v) {
		const cJSON *ps = cJSON_GetObjectItemCaseSensitive(props, e->string);

		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", e->string);
		if (depth == 0 && (!strcmp(e->string, "metadata") || !strcmp(e->string, "apiVersion") ||
				   !strcmp(e->string, "kind")))
			continue;
		if (ps)
			validate(ps, e, sub, causes, depth + 1);
		else if (cJSON_IsObject(addl))
			validate(addl, e, sub, causes, depth + 1);
		else if (!preserve && !cJSON_IsTrue(addl))
			cause(causes, "FieldValueForbidden", sub, "Forbidden: field not declared in schema", NULL, NULL);
	}
}

static void validate(const cJSON *s, const cJSON *v, const char *path, cJSON *causes, int depth)
{
	const char *type = json_str(s, "type", NULL);
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(s, "enum");
	const char *vt = jtype(v);
	char tmp[256];

	if (depth > 64)
		return;
	if (cJSON_IsNull(v) && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "nullable")))
		return;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "x-kubernetes-int-or-string"))) {
		if (strcmp(vt, "integer") && strcmp(vt, "string"))
			cause(causes, "FieldValueTypeInvalid", path, "Invalid value: \"%s\": must be an integer or a string",
			      vt, NULL);
		return;
	}
	if (type) {
		bool ok = !strcmp(type, vt) || (!strcmp(type, "number") && !strcmp(vt, "integer"));
		if (!ok) {
			snprintf(tmp, sizeof(tmp), "%s", type);
			cause(causes, "FieldValueTypeInvalid", path, "Invalid value: \"%s\": must be of type %s", vt, tmp);
			return;
		}
	}
	if (cJSON_IsArray(en)) {
		const cJSON *x;
		bool found = false;
		cJSON_ArrayForEach(x, en)
			if (cJSON_Compare(x, v, 1))
				found = true;
		if (!found) {
			struct buf b = BUF_INIT(4096);
			char *val = cJSON_PrintUnformatted(v);
			int n = 0;
			cJSON_ArrayForEach(x, en) {
				char *p = cJSON_PrintUnformatted(x);
				buf_addf(&b, "%s%s", n++ ? ", " : "", p);
				free(p);
			}
			cause(causes, "FieldValueNotSupported", path, "Unsupported value: %s: supported values: %s", val,
			      buf_str(&b));
			free(val);
			buf_release(&b);
			return;
		}
	}
	if (cJSON_IsString(v)) {
		const cJSON *mx = cJSON_GetObjectItemCaseSensitive(s, "maxLength");
		const cJSON *mn = cJSON_GetObjectItemCaseSensitive(s, "minLength");
		const char *pat = json_str(s, "pattern", NULL);
		size_t len = strlen(v->valuestring);

		if (cJSON_IsNumber(mx) && len > (size_t)mx->valuedouble) {
			snprintf(tmp, sizeof(tmp), "%d", (int)mx->valuedouble);
			cause(causes, "FieldValueTooLong", path, "Too long: may not be more than %s bytes%s", tmp, NULL);
		}
		if (cJSON_IsNumber(mn) && len < (size_t)mn->valuedouble) {
			snprintf(tmp, sizeof(tmp), "%d", (int)mn->valuedouble);
			cause(causes, "FieldValueInvalid", path, "Invalid value: should be at least %s chars long%s", tmp, NULL);
		}
		/* Kubernetes patterns are ECMA-262; POSIX ERE agrees with the
		 * simple ones the Forklift CRDs use.  Patterns with escapes
		 * might not mean the same, so they are not enforced. */
		if (pat && !strchr(pat, '\\')) {
			regex_t re;
			if (!regcomp(&re, pat, REG_EXTENDED | REG_NOSUB)) {
				if (regexec(&re, v->valuestring, 0, NULL, 0))
					cause(causes, "FieldValueInvalid", path, "Invalid value: \"%s\": should match '%s'",
					      v->valuestring, pat);
				regfree(&re);
			}
		}
	}
	if (cJSON_IsNumber(v)) {
		const cJSON *mn = cJSON_GetObjectItemCaseSensitive(s, "minimum");
		const cJSON *mx = cJSON_GetObjectItemCaseSensitive(s, "maximum");
		if (cJSON_IsNumber(mn) && v->valuedouble < mn->valuedouble) {
			snprintf(tmp, sizeof(tmp), "%g", mn->valuedouble);
			cause(causes, "FieldValueInvalid", path, "Invalid value: should be greater than or equal to %s%s", tmp,
			      NULL);
		}
		if (cJSON_IsNumber(mx) && v->valuedouble > mx->valuedouble) {
			snprintf(tmp, sizeof(tmp), "%g", mx->valuedouble);
			cause(causes, "FieldValueInvalid", path, "Invalid value: should be less than or equal to %s%s", tmp,
			      NULL);
		}
	}
	if (cJSON_IsArray(v)) {
		const cJSON *items = cJSON_GetObjectItemCaseSensitive(s, "items");
		const cJSON *x;
		int i = 0;
		if (items)
			cJSON_ArrayForEach(x, v) {
				char sub[1024];
				snprintf(sub, sizeof(sub), "%s[%d]", path, i++);
				validate(items, x, sub, causes, depth + 1);
			}
	}
	if (cJSON_IsObject(v))
		validate_object(s, v, path, causes, depth);
}

int crd_validate(const struct restype *rt, const cJSON *obj, cJSON *causes)
{
	const struct crd *c = crd_for(rt);
	int before = cJSON_GetArraySize(causes);

	if (!c)
		return 0;
	validate(c->schema, obj, "", causes, 0);
	return cJSON_GetArraySize(causes) > before ? -1 : 0;
}

/* ---- defaults ---- */

static void apply_defaults(const cJSON *s, cJSON *v, int depth)
{
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties"), *p;

	if (depth > 64)
		return;
	if (cJSON_IsObject(v)) {
		cJSON_ArrayForEach(p, props) {
			cJSON *cur = cJSON_GetObjectItemCaseSensitive(v, p->string);
			const cJSON *def = cJSON_GetObjectItemCaseSensitive(p, "default");
			if (!cur && def && !(depth == 0 && !strcmp(p->string, "metadata"))) {
				cur = cJSON_Duplicate(def, 1);
				cJSON_AddItemToObject(v, p->string, cur);
			}
			if (cur)
				apply_defaults(p, cur, depth + 1);
		}
	} else if (cJSON_IsArray(v)) {
		const cJSON *items = cJSON_GetObjectItemCaseSensitive(s, "items");
		cJSON *x;
		if (items)
			cJSON_ArrayForEach(x, v)
				apply_defaults(items, x, depth + 1);
	}
}

void crd_default(const struct restype *rt, cJSON *obj)
{
	const struct crd *c = crd_for(rt);

	if (c)
		apply_defaults(c->schema, obj, 0);
}
