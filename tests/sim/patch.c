/* JSON merge patch (RFC 7386) and JSON patch (RFC 6902).
 *
 * Strategic merge patches from kubectl are applied as merge patches with
 * their "$..." directives dropped: the sim's objects are plain JSON, and
 * for the fields tests touch (labels, annotations, spec scalars) the two
 * agree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"

cJSON *sim_merge_patch(cJSON *target, const cJSON *patch)
{
	const cJSON *p;

	if (!cJSON_IsObject(patch)) {
		cJSON_Delete(target);
		return cJSON_Duplicate(patch, 1);
	}
	if (!cJSON_IsObject(target)) {
		cJSON_Delete(target);
		target = cJSON_CreateObject();
	}
	cJSON_ArrayForEach(p, patch) {
		if (p->string[0] == '$')
			continue;
		if (cJSON_IsNull(p)) {
			cJSON_DeleteItemFromObjectCaseSensitive(target, p->string);
		} else {
			cJSON *cur = cJSON_DetachItemFromObjectCaseSensitive(target, p->string);
			cJSON *merged = sim_merge_patch(cur, p);
			cJSON_AddItemToObject(target, p->string, merged);
		}
	}
	return target;
}

/* Decode one JSON pointer token (~1 → /, ~0 → ~). */
static void unescape(const char *src, size_t len, char *dst, size_t dstsz)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 1 < dstsz; i++) {
		if (src[i] == '~' && i + 1 < len && (src[i + 1] == '0' || src[i + 1] == '1')) {
			dst[n++] = src[i + 1] == '0' ? '~' : '/';
			i++;
		} else {
			dst[n++] = src[i];
		}
	}
	dst[n] = '\0';
}

/* Resolve a pointer to (parent, last token).  Returns the parent or NULL. */
static cJSON *resolve_parent(cJSON *root, const char *ptr, char *last, size_t lastsz)
{
	cJSON *cur = root;
	const char *p = ptr;

	if (*p != '/')
		return NULL;
	for (;;) {
		const char *tok = p + 1;
		size_t len = strcspn(tok, "/");
		char key[512];

		unescape(tok, len, key, sizeof(key));
		if (tok[len] == '\0') {
			snprintf(last, lastsz, "%s", key);
			return cur;
		}
		if (cJSON_IsArray(cur)) {
			char *end;
			long idx = strtol(key, &end, 10);
			if (*end || idx < 0)
				return NULL;
			cur = cJSON_GetArrayItem(cur, (int)idx);
		} else if (cJSON_IsObject(cur)) {
			cur = cJSON_GetObjectItemCaseSensitive(cur, key);
		} else {
			return NULL;
		}
		if (!cur)
			return NULL;
		p = tok + len;
	}
}

static cJSON *get_ptr(cJSON *root, const char *ptr)
{
	char last[512];
	cJSON *parent;

	if (!*ptr)
		return root;
	parent = resolve_parent(root, ptr, last, sizeof(last));
	if (!parent)
		return NULL;
	if (cJSON_IsArray(parent)) {
		char *end;
		long idx = strtol(last, &end, 10);
		return *end || idx < 0 ? NULL : cJSON_GetArrayItem(parent, (int)idx);
	}
	return cJSON_GetObjectItemCaseSensitive(parent, last);
}

static cJSON *detach_ptr(cJSON *root, const char *ptr)
{
	char last[512];
	cJSON *parent = resolve_parent(root, ptr, last, sizeof(last));

	if (!parent)
		return NULL;
	if (cJSON_IsArray(parent)) {
		char *end;
		long idx = strtol(last, &end, 10);
		if (*end || idx < 0 || idx >= cJSON_GetArraySize(parent))
			return NULL;
		return cJSON_DetachItemFromArray(parent, (int)idx);
	}
	return cJSON_DetachItemFromObjectCaseSensitive(parent, last);
}

static int add_ptr(cJSON *root, const char *ptr, cJSON *val, bool replace)
{
	char last[512];
	cJSON *parent = resolve_parent(root, ptr, last, sizeof(last));

	if (!parent)
		return -1;
	if (cJSON_IsArray(parent)) {
		int n = cJSON_GetArraySize(parent);
		char *end;
		long idx;

		if (!strcmp(last, "-") && !replace) {
			cJSON_AddItemToArray(parent, val);
			return 0;
		}
		idx = strtol(last, &end, 10);
		if (*end || idx < 0 || idx > n || (replace && idx == n))
			return -1;
		if (replace)
			return cJSON_ReplaceItemInArray(parent, (int)idx, val) ? 0 : -1;
		if (idx == n)
			cJSON_AddItemToArray(parent, val);
		else
			cJSON_InsertItemInArray(parent, (int)idx, val);
		return 0;
	}
	if (!cJSON_IsObject(parent))
		return -1;
	if (replace && !cJSON_GetObjectItemCaseSensitive(parent, last))
		return -1;
	cJSON_DeleteItemFromObjectCaseSensitive(parent, last);
	cJSON_AddItemToObject(parent, last, val);
	return 0;
}

int sim_json_patch(cJSON **target, const cJSON *ops, char *errmsg, size_t errsz)
{
	const cJSON *op;
	int i = 0;

	if (!cJSON_IsArray(ops)) {
		snprintf(errmsg, errsz, "json patch must be an array of operations");
		return -1;
	}
	cJSON_ArrayForEach(op, ops) {
		const char *o = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(op, "op"));
		const char *path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(op, "path"));
		const char *from = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(op, "from"));
		const cJSON *value = cJSON_GetObjectItemCaseSensitive(op, "value");
		int rc = 0;

		if (!o || !path) {
			snprintf(errmsg, errsz, "json patch operation %d: missing op or path", i);
			return -1;
		}
		if (!strcmp(o, "add") || !strcmp(o, "replace")) {
			cJSON *v;
			if (!value) {
				snprintf(errmsg, errsz, "json patch operation %d (%s %s): missing value", i, o, path);
				return -1;
			}
			v = cJSON_Duplicate(value, 1);
			if (!*path) {
				cJSON_Delete(*target);
				*target = v;
			} else if (add_ptr(*target, path, v, !strcmp(o, "replace"))) {
				cJSON_Delete(v);
				rc = -1;
			}
		} else if (!strcmp(o, "remove")) {
			cJSON *d = detach_ptr(*target, path);
			if (!d)
				rc = -1;
			cJSON_Delete(d);
		} else if (!strcmp(o, "move") || !strcmp(o, "copy")) {
			cJSON *v;
			if (!from) {
				snprintf(errmsg, errsz, "json patch operation %d (%s %s): missing from", i, o, path);
				return -1;
			}
			v = !strcmp(o, "move") ? detach_ptr(*target, from)
					       : cJSON_Duplicate(get_ptr(*target, from), 1);
			if (!v || add_ptr(*target, path, v, false)) {
				cJSON_Delete(v);
				rc = -1;
			}
		} else if (!strcmp(o, "test")) {
			cJSON *cur = get_ptr(*target, path);
			if (!cur || !value || !cJSON_Compare(cur, value, 1)) {
				snprintf(errmsg, errsz, "json patch operation %d: test failed at %s", i, path);
				return -1;
			}
		} else {
			snprintf(errmsg, errsz, "json patch operation %d: unknown op \"%s\"", i, o);
			return -1;
		}
		if (rc) {
			snprintf(errmsg, errsz, "json patch operation %d (%s %s): path not found", i, o, path);
			return -1;
		}
		i++;
	}
	return 0;
}
