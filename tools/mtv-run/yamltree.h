/* YAML documents as a small tree (libyaml events -> nodes in an arena).
 *
 * ci-operator reads its YAML through sigs.k8s.io/yaml, i.e. as JSON values,
 * so the tree keeps exactly that: maps, sequences and scalars, with the
 * line of every node for messages.  Anchors and aliases are refused: no
 * registry file needs them and they make "unknown field" checks ambiguous.
 */
#ifndef MTV_RUN_YAMLTREE_H
#define MTV_RUN_YAMLTREE_H

#include <stdbool.h>
#include <stddef.h>
#include "arena.h"
#include "err.h"

enum ynode_type {
	Y_SCALAR,
	Y_MAP,
	Y_SEQ,
};

struct ynode {
	enum ynode_type type;
	const char *value;	/* scalars; "" for null */
	bool plain;		/* unquoted scalar (true/false/null/numbers) */
	bool is_null;		/* ~, null or nothing at all */
	int line;		/* 1-based */
	size_t n;
	struct ynode **keys;	/* maps: key scalars */
	struct ynode **vals;	/* maps: values; sequences: items */
};

/* Parse the first document of text.  An empty document gives a null
 * scalar.  Errors name `what` with line and column. */
int ytree_parse(struct arena *a, const char *text, size_t len, const char *what,
		struct ynode **out, struct mtv_err *err);

/* Read and parse a file (capped at 4 MiB). */
int ytree_load(struct arena *a, const char *path, struct ynode **out, struct mtv_err *err);

/* The value under key in a map, or NULL. */
struct ynode *ymap_get(const struct ynode *map, const char *key);

/* "map", "sequence", "string", "null" for messages. */
const char *ynode_kind(const struct ynode *n);

#endif
