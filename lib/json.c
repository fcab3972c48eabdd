#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One path segment: a key or an index.  Keys longer than this are refused;
 * no Kubernetes key comes close (label keys are at most 317 bytes). */
#define SEG_MAX 512

struct segment {
	int is_index;
	long index;
	char key[SEG_MAX];
};

/* Read the segment at *p and advance past it (and a following '.').
 * Returns 1 on a segment, 0 at the end, -1 on a malformed path. */
static int next_segment(const char **p, struct segment *seg)
{
	const char *s = *p;
	size_t n = 0;

	if (!*s)
		return 0;
	seg->is_index = 0;
	if (*s == '[') {
		s++;
		if (*s == '"') {
			s++;
			while (*s && *s != '"') {
				if (n + 1 >= SEG_MAX)
					return -1;
				seg->key[n++] = *s++;
			}
			if (s[0] != '"' || s[1] != ']')
				return -1;
			s += 2;
		} else {
			char *end;

			errno = 0;
			seg->index = strtol(s, &end, 10);
			if (end == s || *end != ']' || errno || seg->index < 0)
				return -1;
			seg->is_index = 1;
			s = end + 1;
		}
	} else {
		while (*s && *s != '.' && *s != '[') {
			if (n + 1 >= SEG_MAX)
				return -1;
			seg->key[n++] = *s++;
		}
		if (!n)
			return -1;
	}
	seg->key[n] = '\0';
	if (*s == '.') {
		s++;
		if (!*s || *s == '.')
			return -1;
	}
	*p = s;
	return 1;
}

cJSON *json_get(const cJSON *root, const char *path)
{
	struct segment seg;
	const cJSON *cur = root;
	const char *p = path;
	int r;

	if (!root || !path)
		return NULL;
	while ((r = next_segment(&p, &seg)) > 0) {
		if (seg.is_index) {
			if (!cJSON_IsArray(cur) || seg.index >= cJSON_GetArraySize(cur))
				return NULL;
			cur = cJSON_GetArrayItem(cur, (int)seg.index);
		} else {
			if (!cJSON_IsObject(cur))
				return NULL;
			cur = cJSON_GetObjectItemCaseSensitive(cur, seg.key);
		}
		if (!cur)
			return NULL;
	}
	return r < 0 ? NULL : (cJSON *)cur;
}

const char *json_type_name(const cJSON *node)
{
	if (!node)
		return "nothing";
	if (cJSON_IsString(node))
		return "string";
	if (cJSON_IsNumber(node))
		return "number";
	if (cJSON_IsBool(node))
		return "boolean";
	if (cJSON_IsNull(node))
		return "null";
	if (cJSON_IsArray(node))
		return "array";
	if (cJSON_IsObject(node))
		return "object";
	return "invalid";
}

/* Shared lookup for the typed getters: 1 found, 0 missing and optional,
 * -1 error. */
static int lookup(const cJSON *root, const char *path, int optional, cJSON **node,
		  struct mtv_err *err)
{
	*node = json_get(root, path);
	if (*node)
		return 1;
	if (optional)
		return 0;
	return mtv_err_set(err, MTV_EXIT_USAGE, "%s: missing", path);
}

static int wrong_type(const char *path, const char *want, const cJSON *node, struct mtv_err *err)
{
	return mtv_err_set(err, MTV_EXIT_USAGE, "%s: expected %s, got %s", path, want,
			   json_type_name(node));
}

static int get_string(const cJSON *root, const char *path, int optional, const char **out,
		      struct mtv_err *err)
{
	cJSON *node;
	int r = lookup(root, path, optional, &node, err);

	if (r <= 0)
		return r;
	if (!cJSON_IsString(node))
		return wrong_type(path, "string", node, err);
	*out = node->valuestring;
	return 0;
}

int json_get_string(const cJSON *root, const char *path, const char **out, struct mtv_err *err)
{
	return get_string(root, path, 0, out, err);
}

int json_get_string_opt(const cJSON *root, const char *path, const char **out, struct mtv_err *err)
{
	return get_string(root, path, 1, out, err);
}

static int get_int(const cJSON *root, const char *path, int optional, long long *out,
		   struct mtv_err *err)
{
	cJSON *node;
	int r = lookup(root, path, optional, &node, err);
	double v;

	if (r <= 0)
		return r;
	if (!cJSON_IsNumber(node))
		return wrong_type(path, "integer", node, err);
	v = node->valuedouble;
	if (v != floor(v) || v < -9007199254740992.0 || v > 9007199254740992.0)
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: expected integer, got %g", path, v);
	*out = (long long)v;
	return 0;
}

int json_get_int(const cJSON *root, const char *path, long long *out, struct mtv_err *err)
{
	return get_int(root, path, 0, out, err);
}

int json_get_int_opt(const cJSON *root, const char *path, long long *out, struct mtv_err *err)
{
	return get_int(root, path, 1, out, err);
}

static int get_bool(const cJSON *root, const char *path, int optional, bool *out,
		    struct mtv_err *err)
{
	cJSON *node;
	int r = lookup(root, path, optional, &node, err);

	if (r <= 0)
		return r;
	if (!cJSON_IsBool(node))
		return wrong_type(path, "boolean", node, err);
	*out = cJSON_IsTrue(node);
	return 0;
}

int json_get_bool(const cJSON *root, const char *path, bool *out, struct mtv_err *err)
{
	return get_bool(root, path, 0, out, err);
}

const char *json_str(const cJSON *root, const char *path, const char *def)
{
	cJSON *node = json_get(root, path);

	return cJSON_IsString(node) ? node->valuestring : def;
}

int json_parse(const char *text, size_t len, const char *what, cJSON **out, struct mtv_err *err)
{
	const char *end = NULL;
	cJSON *root;
	size_t off, line = 1, col = 1;

	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (root) {
		/* cJSON stops at the end of the first value: anything but
		 * whitespace after it is an error, as in strict parsers. */
		const char *p = end;

		while (p < text + len && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
			p++;
		if (p == text + len || (*p == '\0' && p + 1 == text + len)) {
			*out = root;
			return 0;
		}
		cJSON_Delete(root);
		end = p;
	} else {
		end = cJSON_GetErrorPtr();
	}
	off = end && end >= text && end <= text + len ? (size_t)(end - text) : len;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	if (!len)
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: empty, expected JSON", what);
	return mtv_err_set(err, MTV_EXIT_USAGE, "%s:%zu:%zu: invalid JSON", what, line, col);
}

int json_set(cJSON *root, const char *path, cJSON *value, struct mtv_err *err)
{
	struct segment seg, next;
	const char *p = path;
	cJSON *cur = root;
	int r;

	if (next_segment(&p, &seg) <= 0)
		goto bad;
	for (;;) {
		const char *q = p;

		r = next_segment(&q, &next);
		if (r < 0 || seg.is_index)
			goto bad;
		if (!cJSON_IsObject(cur))
			goto bad;
		if (r == 0) {
			if (cJSON_GetObjectItemCaseSensitive(cur, seg.key))
				cJSON_ReplaceItemInObjectCaseSensitive(cur, seg.key, value);
			else
				cJSON_AddItemToObject(cur, seg.key, value);
			return 0;
		}
		cJSON *child = cJSON_GetObjectItemCaseSensitive(cur, seg.key);

		if (!child)
			child = cJSON_AddObjectToObject(cur, seg.key);
		if (!child)
			goto bad;
		cur = child;
		p = q;
		seg = next;
	}
bad:
	cJSON_Delete(value);
	return mtv_err_set(err, MTV_EXIT_USAGE, "%s: cannot set this path", path);
}

cJSON *json_condition(const cJSON *conditions, const char *type)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, conditions) {
		const char *t = json_str(c, "type", NULL);

		if (t && !strcmp(t, type))
			return (cJSON *)c;
	}
	return NULL;
}

bool json_condition_is(const cJSON *conditions, const char *type, const char *status)
{
	const cJSON *c = json_condition(conditions, type);

	return c && !strcmp(json_str(c, "status", ""), status);
}
