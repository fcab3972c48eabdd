/* Resolution of a test into flat literal steps (ci-tools pkg/registry:
 * resolver.go + stack.go semantics).
 *
 * A stack of records (test/<T>, workflow/<W>, chain/<C>...) is kept while
 * the phases are expanded depth first.  A parameter a step declares takes
 * its value from the outermost record that sets it (test > workflow >
 * outer chain > inner chain), else the step's own default; values reach
 * only the steps that declare the name.  Names a record sets that no
 * descendant step declares are errors, with ci-operator's wording. */
#ifndef MTV_RUN_RESOLVE_H
#define MTV_RUN_RESOLVE_H

#include "model.h"

struct rstep {
	const struct lstep *s;
	struct param *params;	/* resolved values, in declaration order */
	size_t nparams;
};

struct resolved {
	const char *test;	/* T: the test name */
	struct rstep *phase[PHASE_N];
	size_t n[PHASE_N];
	bool allow_skip_on_success;
	bool allow_best_effort_post_steps;
};

/* Resolve test T (its `steps:` in conf, possibly naming a workflow).
 * Problems go to errs; returns -1 when there were any. */
int resolve_test(struct registry *r, const char *test, const struct msconf *conf,
		 struct resolved *out, struct errlist *errs);

/* registry.Validate for one chain / workflow (partial resolution: missing
 * values are not errors, unused overrides and duplicates are). */
void resolve_validate_chain(struct registry *r, const struct chain *c);
void resolve_validate_workflow(struct registry *r, const struct workflow *w);

#endif
