/* YAML documents as a small tree (libyaml events -> nodes in an arena):
 * the one libyaml front end, for kubeconfig files, hook playbooks, mtv-run's
 * registry and configuration, and the sim's CRDs.
 *
 * Kubernetes and ci-operator read YAML through sigs.k8s.io/yaml, i.e. as
 * JSON values, so the tree keeps exactly that: maps, sequences and scalars,
 * with the line of every node for messages (ytree_to_json gives the JSON).
 * By default anchors and aliases and duplicate keys are refused: no
 * registry file needs them and they make "unknown field" checks ambiguous;
 * YTREE_LENIENT takes a document as libyaml's loader does (aliases
 * resolved, the first of duplicate keys found), for files other tools
 * write, like kubeconfigs.
 */
#ifndef MTV_YAMLTREE_H
#define MTV_YAMLTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>
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
 * scalar.  Errors (MTV_EXIT_USAGE) are "<what>:<line>:<column>: <problem>". */
int ytree_parse(struct arena *a, const char *text, size_t len, const char *what,
		struct ynode **out, struct mtv_err *err);

#define YTREE_LENIENT 1u	/* aliases resolved, duplicate keys allowed */
int ytree_parse_flags(struct arena *a, const char *text, size_t len, const char *what,
		      unsigned flags, struct ynode **out, struct mtv_err *err);

/* Read and parse a file (capped at 4 MiB). */
int ytree_load(struct arena *a, const char *path, struct ynode **out, struct mtv_err *err);

/* The node as JSON, typing plain scalars as sigs.k8s.io/yaml does for the
 * common cases: true/True, false/False, null/~/empty, numbers; the rest
 * (and every quoted scalar) a string.  A new cJSON tree, NULL for NULL. */
cJSON *ytree_to_json(const struct ynode *n);

/* The string of a scalar, NULL when n is absent, null or not a scalar. */
const char *ynode_str(const struct ynode *n);

/* The value under key in a map, or NULL. */
struct ynode *ymap_get(const struct ynode *map, const char *key);

/* "map", "sequence", "string", "null" for messages. */
const char *ynode_kind(const struct ynode *n);

#endif
