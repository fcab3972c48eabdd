#include "owners.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "yamltree.h"

#define OWNERS_MAX (1024u * 1024)

static const char *const list_keys[OWN_N] = {
	"approvers", "reviewers", "required_reviewers", "labels",
};

int owners_parse(struct arena *a, const char *text, const char *what, struct owners *o,
		 struct mtv_err *err)
{
	struct ynode *y;

	memset(o, 0, sizeof(*o));
	o->text = text;
	if (ytree_parse(a, text, strlen(text), what, &y, err) < 0)
		return mtv_err_set(err, MTV_EXIT_USAGE, "failed to unmarshal OWNERS file at %s: %s",
				   what, err->msg);
	if (y->type != Y_MAP && !y->is_null)
		return mtv_err_set(err, MTV_EXIT_USAGE, "failed to unmarshal OWNERS file at %s: not a map",
				   what);
	for (int k = 0; k < OWN_N; k++) {
		const struct ynode *l = y->type == Y_MAP ? ymap_get(y, list_keys[k]) : NULL;

		if (!l || l->is_null)
			continue;
		if (l->type != Y_SEQ)
			return mtv_err_set(err, MTV_EXIT_USAGE,
					   "failed to unmarshal OWNERS file at %s: %s is not a list",
					   what, list_keys[k]);
		for (size_t i = 0; i < l->n; i++) {
			if (l->vals[i]->type != Y_SCALAR)
				return mtv_err_set(err, MTV_EXIT_USAGE,
						   "failed to unmarshal OWNERS file at %s: %s[%zu] is not a string",
						   what, list_keys[k], i);
			*(const char **)arena_push(a, &o->names[k], &o->n[k], sizeof(char *)) =
				l->vals[i]->value;
		}
	}
	return 0;
}

int owners_load(struct arena *a, const char *path, struct owners *o, struct mtv_err *err)
{
	struct buf b = BUF_INIT(OWNERS_MAX);
	const char *text;

	if (fs_read_file(path, &b, OWNERS_MAX, err) < 0) {
		buf_release(&b);
		return -1;
	}
	text = arena_strndup(a, buf_str(&b), b.len);
	buf_release(&b);
	return owners_parse(a, text, path, o, err);
}

/* A GitHub login: letters, digits, '-' (what an OWNERS entry holds; it
 * also keeps the generated YAML free of quoting). */
static bool is_login(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", s[i]))
			return false;
	return true;
}

static int owners_from_setting(struct arena *a, const char *v, struct owners *o,
			       struct mtv_err *err)
{
	struct buf list = BUF_INIT(OWNERS_MAX);
	const char *p = v;
	char *text;
	int r;

	while (*p) {
		size_t n;

		p += strspn(p, ", \t\n");
		n = strcspn(p, ", \t\n");
		if (!n)
			break;
		if (!is_login(p, n)) {
			buf_release(&list);
			return mtv_err_set(err, MTV_EXIT_USAGE,
					   "MTV_OWNERS: \"%.*s\" is not a GitHub login", (int)n, p);
		}
		buf_addf(&list, "- %.*s\n", (int)n, p);
		p += n;
	}
	text = arena_printf(a, "approvers:\n%sreviewers:\n%s", buf_str(&list), buf_str(&list));
	buf_release(&list);
	r = owners_parse(a, text, "MTV_OWNERS", o, err);
	return r;
}

int owners_for_export(struct arena *a, const char *root, struct owners *o, struct mtv_err *err)
{
	const char *env = getenv("MTV_OWNERS");
	const char *what = "MTV_OWNERS";

	if (env && env[strspn(env, ", \t\n")]) {
		if (owners_from_setting(a, env, o, err) < 0)
			return -1;
	} else {
		what = arena_printf(a, "%s/OWNERS", root);
		if (owners_load(a, what, o, err) < 0) {
			const char *msg = arena_strndup(a, err->msg, strlen(err->msg));

			return mtv_err_set(err, MTV_EXIT_USAGE,
					   "%s (set MTV_OWNERS=login,... or add an OWNERS file at the top of the repository)",
					   msg);
		}
	}
	if (!o->n[OWN_APPROVERS] || !o->n[OWN_REVIEWERS])
		return mtv_err_set(err, MTV_EXIT_USAGE,
				   "%s: approvers and reviewers must both name someone; openshift/release takes no unowned component",
				   what);
	return 0;
}

/* encoding/json's string encoding with HTML escaping on (what
 * json.MarshalIndent does): <, >, & and U+2028/U+2029 as \u escapes,
 * \n \r \t \b \f short, other controls \u00XX, invalid UTF-8 as \ufffd. */
static void go_json_string(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;

	buf_addch(b, '"');
	while (*p) {
		unsigned char c = *p;

		if (c < 0x80) {
			switch (c) {
			case '"': buf_addstr(b, "\\\""); break;
			case '\\': buf_addstr(b, "\\\\"); break;
			case '\n': buf_addstr(b, "\\n"); break;
			case '\r': buf_addstr(b, "\\r"); break;
			case '\t': buf_addstr(b, "\\t"); break;
			case '\b': buf_addstr(b, "\\b"); break;
			case '\f': buf_addstr(b, "\\f"); break;
			default:
				if (c < 0x20 || c == '<' || c == '>' || c == '&') {
					buf_addstr(b, "\\u00");
					buf_addch(b, hex[c >> 4]);
					buf_addch(b, hex[c & 15]);
				} else {
					buf_addch(b, (char)c);
				}
			}
			p++;
			continue;
		}
		/* a multi-byte sequence: copy it if valid, else U+FFFD per byte */
		size_t len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
		bool ok = len > 0;

		for (size_t i = 1; ok && i < len; i++)
			ok = (p[i] & 0xc0) == 0x80;
		if (ok && len == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0)))
			ok = false;
		if (ok && len == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90)))
			ok = false;
		if (!ok) {
			buf_addstr(b, "\\ufffd");
			p++;
			continue;
		}
		if (len == 3 && c == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
			buf_addstr(b, p[2] == 0xa8 ? "\\u2028" : "\\u2029");
		else
			buf_add(b, p, len);
		p += len;
	}
	buf_addch(b, '"');
}

int owners_metadata(const struct owners *o, const char *relpath, struct buf *b)
{
	bool any = false;

	buf_addstr(b, "{\n\t\"path\": ");
	go_json_string(b, relpath);
	buf_addstr(b, ",\n\t\"owners\": {");
	for (int k = 0; k < OWN_N; k++) {
		if (!o->n[k])	/* omitempty */
			continue;
		buf_addstr(b, any ? ",\n\t\t\"" : "\n\t\t\"");
		buf_addstr(b, list_keys[k]);
		buf_addstr(b, "\": [");
		for (size_t i = 0; i < o->n[k]; i++) {
			buf_addstr(b, i ? ",\n\t\t\t" : "\n\t\t\t");
			go_json_string(b, o->names[k][i]);
		}
		buf_addstr(b, "\n\t\t]");
		any = true;
	}
	/* an empty struct marshals as {} */
	buf_addstr(b, any ? "\n\t}\n}" : "}\n}");
	return 0;
}
