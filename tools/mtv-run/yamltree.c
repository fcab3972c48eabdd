#include "yamltree.h"

#include <string.h>
#include <yaml.h>

#include "buf.h"
#include "fsutil.h"

struct yparse {
	struct arena *a;
	yaml_parser_t p;
	const char *what;
	struct mtv_err *err;
};

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
			if (ymap_get(n, key->value))
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
		return 0;
	}
	case YAML_MAPPING_START_EVENT:
		n = new_node(y, Y_MAP, ev);
		*out = n;
		return parse_children(y, n, depth);
	case YAML_SEQUENCE_START_EVENT:
		n = new_node(y, Y_SEQ, ev);
		*out = n;
		return parse_children(y, n, depth);
	case YAML_ALIAS_EVENT:
		return mtv_err_set(y->err, MTV_EXIT_USAGE, "%s:%zu: YAML aliases are not supported",
				   y->what, ev->start_mark.line + 1);
	default:
		return mtv_err_set(y->err, MTV_EXIT_USAGE, "%s:%zu: unexpected YAML event",
				   y->what, ev->start_mark.line + 1);
	}
}

int ytree_parse(struct arena *a, const char *text, size_t len, const char *what,
		struct ynode **out, struct mtv_err *err)
{
	struct yparse y = { .a = a, .what = what, .err = err };
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
