/* Loading a step registry with ci-operator's loader rules (pkg/load):
 * the directory gives every file's prefix, the file suffix its kind, and
 * names, file names and commands files must agree with the prefix.
 *
 * Two layouts: ci-operator's own (a step-registry directory: prefix = the
 * relative directory with '/' turned into '-') and this repository's
 * (steps/<x>/, chains/<x>/, workflows/<x>/, which stand for mtv/<x>/, so
 * the prefix is mtv-<x>).  Problems are collected in r->errs; loading goes
 * on so lint can report them all. */
#ifndef MTV_RUN_REGISTRY_H
#define MTV_RUN_REGISTRY_H

#include "model.h"

/* Load root.  Fails (-1, err) only when root itself is unusable. */
int registry_load(struct arena *a, const char *root, bool repo_layout, struct registry *r,
		  struct mtv_err *err);

/* The checks that need the whole registry: unknown references, cycles,
 * then registry.Validate (duplicate names, unused parameters). */
void registry_check(struct registry *r);

/* IsValidReference for one literal step; `where` prefixes messages. */
void lstep_validate(const struct lstep *s, const char *where, struct errlist *e);

#endif
