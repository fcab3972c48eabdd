#include "yamltree.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "buf.h"
#include "fsutil.h"

struct anchor {
	const char *name;
	struct ynode *node;
};

struct yparse {
	struct arena *a;
	yaml_parser_t p;
	const char *what;
	unsigned flags;
	struct anchor *anchors;	/* YTREE_LENIENT: the anchored nodes so far */
	size_t nanchors;
	struct mtv_err *err;
};

/* Remember n under its anchor (once complete, so an alias cannot point
 * into the node it is part of). */
static void add_anchor(struct yparse *y, const yaml_char_t *name, struct ynode *n)
{
	struct anchor *an;

	if (!name || !(y->flags & YTREE_LENIENT))
		return;
	an = arena_push(y->a, &y->anchors, &y->nanchors, sizeof(*an));
	an->name = arena_strdup(y->a, (const char *)name);
	an->node = n;
}

static struct ynode *find_anchor(const struct yparse *y, const char *name)
{
	/* A later anchor of the same name replaces an earlier one. */
	for (size_t i = y->nanchors; i-- > 0;)
		if (!strcmp(y->anchors[i].name, name))
			return y->anchors[i].node;
	return NULL;
}

static int next_event(struct yparse *y, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&y->p, ev)) {
		return mtv_err_set(y->err, MTV_EXIT_USAGE, "%s:%zu:%zu: %s%s%s", y->what,
				   y->p.problem_mark.line + 1, y->p.problem_mark.column + 1,
				   y->p.problem ? y->p.problem : "YAML syntax error",
				   y->p.context ? " " : "", y->p.context ? y->p.context : "");
	}
	return 0;
}

static struct ynode *new_node(struct yparse *y, enum ynode_type t, const yaml_event_t *ev)
{
	struct ynode *n = arena_alloc(y->a, sizeof(*n));

	n->type = t;
	n->line = (int)ev->start_mark.line + 1;
	n->value = "";
	return n;
}

static void add_child(struct yparse *y, struct ynode *parent, struct ynode *key, struct ynode *val)
{
	struct ynode **vals = arena_alloc(y->a, (parent->n + 1) * sizeof(*vals));

	if (parent->n)
		memcpy(vals, parent->vals, parent->n * sizeof(*vals));
	vals[parent->n] = val;
	parent->vals = vals;
	if (parent->type == Y_MAP) {
		struct ynode **keys = arena_alloc(y->a, (parent->n + 1) * sizeof(*keys));

		if (parent->n)
			memcpy(keys, parent->keys, parent->n * sizeof(*keys));
		keys[parent->n] = key;
		parent->keys = keys;
	}
	parent->n++;
}

static int parse_node(struct yparse *y, yaml_event_t *ev, struct ynode **out, int depth);

/* Parse the children of a map or sequence whose start event was consumed. */
static int parse_children(struct yparse *y, struct ynode *n, int depth)
{
	for (;;) {
		yaml_event_t ev;
		struct ynode *key = NULL, *val = NULL;
		int r;

		if (next_event(y, &ev) < 0)
			return -1;
		if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		r = parse_node(y, &ev, n->type == Y_MAP ? &key : &val, depth + 1);
		yaml_event_delete(&ev);
		if (r < 0)
			return -1;
		if (n->type == Y_MAP) {
			if (key->type != Y_SCALAR)
				return mtv_err_set(y->err, MTV_EXIT_USAGE, "%s:%d: map keys must be strings",
						   y->what, key->line);
			if (!(y->flags & YTREE_LENIENT) && ymap_get(n, key->value))
				return mtv_err_set(y->err, MTV_EXIT_USAGE, "%s:%d: duplicate key \"%s\"",
						   y->what, key->line, key->value);
			if (next_event(y, &ev) < 0)
				return -1;
			r = parse_node(y, &ev, &val, depth + 1);
			yaml_event_delete(&ev);
			if (r < 0)
				return -1;
		}
		add_child(y, n, key, val);
	}
}

static int parse_node(struct yparse *y, yaml_event_t *ev, struct ynode **out, int depth)
{
	struct ynode *n;
	int r;

	if (depth > 64)
		return mtv_err_set(y->err, MTV_EXIT_USAGE, "%s:%zu: nesting too deep", y->what,
				   ev->start_mark.line + 1);
	switch (ev->type) {
	case YAML_SCALAR_EVENT: {
		const char *v = (const char *)ev->data.scalar.value;

		n = new_node(y, Y_SCALAR, ev);
		n->value = arena_strndup(y->a, v, ev->data.scalar.length);
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->is_null = n->plain && (!*v || !strcmp(v, "~") || !strcmp(v, "null") ||
					  !strcmp(v, "Null") || !strcmp(v, "NULL"));
		if (n->is_null)
			n->value = "";
		*out = n;
		add_anchor(y, ev->data.scalar.anchor, n);
		return 0;
	}
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT: {
		bool map = ev->type == YAML_MAPPING_START_EVENT;

		n = new_node(y, map ? Y_MAP : Y_SEQ, ev);
		*out = n;
		r = parse_children(y, n, depth);
		if (r == 0)
			add_anchor(y, map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor,
				   n);
		return r;
	}
	case YAML_ALIAS_EVENT:
		if (!(y->flags & YTREE_LENIENT))
			return mtv_err_set(y->err, MTV_EXIT_USAGE, "%s:%zu: YAML aliases are not supported",
					   y->what, ev->start_mark.line + 1);
		n = find_anchor(y, (const char *)ev->data.alias.anchor);
		if (!n)
			return mtv_err_set(y->err, MTV_EXIT_USAGE, "%s:%zu:%zu: found undefined alias %s",
					   y->what, ev->start_mark.line + 1,
					   ev->start_mark.column + 1,
					   (const char *)ev->data.alias.anchor);
		*out = n;
		return 0;
	default:
		return mtv_err_set(y->err, MTV_EXIT_USAGE, "%s:%zu: unexpected YAML event",
				   y->what, ev->start_mark.line + 1);
	}
}

int ytree_parse(struct arena *a, const char *text, size_t len, const char *what,
		struct ynode **out, struct mtv_err *err)
{
	return ytree_parse_flags(a, text, len, what, 0, out, err);
}

int ytree_parse_flags(struct arena *a, const char *text, size_t len, const char *what,
		      unsigned flags, struct ynode **out, struct mtv_err *err)
{
	struct yparse y = { .a = a, .what = what, .flags = flags, .err = err };
	yaml_event_t ev;
	int r = -1;

	if (!yaml_parser_initialize(&y.p))
		return mtv_err_set(err, MTV_EXIT_ENV, "%s: cannot initialise YAML parser", what);
	yaml_parser_set_input_string(&y.p, (const unsigned char *)text, len);
	/* stream start, then document start or stream end */
	if (next_event(&y, &ev) < 0)
		goto out;
	yaml_event_delete(&ev);
	if (next_event(&y, &ev) < 0)
		goto out;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		*out = arena_alloc(a, sizeof(**out));
		(*out)->type = Y_SCALAR;
		(*out)->value = "";
		(*out)->is_null = true;
		(*out)->line = 1;
		r = 0;
		goto out;
	}
	yaml_event_delete(&ev);
	if (next_event(&y, &ev) < 0)
		goto out;
	r = parse_node(&y, &ev, out, 0);
	yaml_event_delete(&ev);
out:
	yaml_parser_delete(&y.p);
	return r;
}

int ytree_load(struct arena *a, const char *path, struct ynode **out, struct mtv_err *err)
{
	struct buf b = BUF_INIT(4u * 1024 * 1024);
	int r;

	if (fs_read_file(path, &b, 4u * 1024 * 1024, err) < 0) {
		buf_release(&b);
		return -1;
	}
	r = ytree_parse(a, buf_str(&b), b.len, path, out, err);
	buf_release(&b);
	return r;
}

struct ynode *ymap_get(const struct ynode *map, const char *key)
{
	if (!map || map->type != Y_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (!strcmp(map->keys[i]->value, key))
			return map->vals[i];
	return NULL;
}

const char *ynode_kind(const struct ynode *n)
{
	if (!n)
		return "nothing";
	switch (n->type) {
	case Y_MAP: return "map";
	case Y_SEQ: return "sequence";
	default: return n->is_null ? "null" : "string";
	}
}

const char *ynode_str(const struct ynode *n)
{
	return n && n->type == Y_SCALAR && !n->is_null ? n->value : NULL;
}

static cJSON *scalar_json(const struct ynode *n)
{
	const char *v = n->value;
	char *end;
	double d;

	if (n->is_null)
		return cJSON_CreateNull();
	if (!n->plain)
		return cJSON_CreateString(v);
	if (!strcmp(v, "true") || !strcmp(v, "True"))
		return cJSON_CreateTrue();
	if (!strcmp(v, "false") || !strcmp(v, "False"))
		return cJSON_CreateFalse();
	d = strtod(v, &end);
	if (*v && !*end && (v[0] == '-' || (v[0] >= '0' && v[0] <= '9')))
		return cJSON_CreateNumber(d);
	return cJSON_CreateString(v);
}

cJSON *ytree_to_json(const struct ynode *n)
{
	cJSON *out;

	if (!n)
		return NULL;
	if (n->type == Y_SCALAR)
		return scalar_json(n);
	out = n->type == Y_MAP ? cJSON_CreateObject() : cJSON_CreateArray();
	for (size_t i = 0; out && i < n->n; i++) {
		cJSON *v = ytree_to_json(n->vals[i]);

		if (n->type == Y_MAP)
			cJSON_AddItemToObject(out, n->keys[i]->value, v);
		else
			cJSON_AddItemToArray(out, v);
	}
	return out;
}
