#include "resolve.h"

#include <string.h>

#include "buf.h"
#include "registry.h"

struct record {
	const char *name;
	const struct param *env;
	size_t nenv;
	bool *used;
};

#define STACK_MAX 64

struct flat {
	struct registry *r;
	struct arena *a;
	struct errlist *errs;
	bool partial;		/* registry validation: no unresolved errors */
	bool quiet;		/* only mark used names (overridden phases) */
	struct record recs[STACK_MAX];
	size_t nrecs;
	const char **seen;	/* step names of the current phase */
	size_t nseen;
	struct rstep *out;
	size_t nout;
};

/* "test/t: workflow/w: chain/c: " for messages. */
static const char *stack_prefix(struct flat *f)
{
	struct buf b = BUF_INIT(64 * 1024);
	const char *s;

	for (size_t i = 0; i < f->nrecs; i++)
		buf_addf(&b, "%s: ", f->recs[i].name);
	s = arena_strdup(f->a, buf_str(&b));
	buf_release(&b);
	return s;
}

static void err(struct flat *f, const char *msg)
{
	if (!f->quiet)
		errlist_add(f->errs, "%s%s", stack_prefix(f), msg);
}

static int push(struct flat *f, const char *name, const struct param *env, size_t nenv)
{
	struct record *rec;

	if (f->nrecs == STACK_MAX) {
		err(f, arena_printf(f->a, "%s: chains nested too deep", name));
		return -1;
	}
	rec = &f->recs[f->nrecs++];
	rec->name = name;
	rec->env = env;
	rec->nenv = nenv;
	rec->used = arena_alloc(f->a, (nenv ? nenv : 1) * sizeof(bool));
	return 0;
}

/* Report the names the top record sets that no step declared, then pop. */
static void pop_checked(struct flat *f)
{
	struct record *rec = &f->recs[f->nrecs - 1];

	for (size_t i = 0; i < rec->nenv; i++)
		if (!rec->used[i])
			err(f, arena_printf(f->a, "parameter \"%s\" is overridden in [%s] but not declared in any step",
					    rec->env[i].name, rec->name));
	f->nrecs--;
}

/* Value for a declared name: the outermost record that names it wins,
 * even when it names it without a default -- then NULL, and the step's own
 * default applies (ci-tools pkg/registry/stack.go, stack.resolve: an inner
 * chain's default is not consulted).  Every record naming it counts as
 * used. */
static const char *stack_resolve(struct flat *f, const char *name)
{
	const char *val = NULL;
	bool found = false;

	for (size_t i = 0; i < f->nrecs; i++) {
		struct record *rec = &f->recs[i];

		for (size_t j = 0; j < rec->nenv; j++) {
			if (strcmp(rec->env[j].name, name))
				continue;
			rec->used[j] = true;
			if (!found) {
				found = true;
				val = rec->env[j].value;
			}
		}
	}
	return val;
}

static void add_step(struct flat *f, const struct lstep *s)
{
	struct rstep *rs;
	const char *as = s->as ? s->as : "";

	for (size_t i = 0; i < f->nseen; i++) {
		if (!strcmp(f->seen[i], as)) {
			err(f, arena_printf(f->a, "duplicate name: %s", as));
			return;
		}
	}
	*(const char **)arena_push(f->a, &f->seen, &f->nseen, sizeof(char *)) = as;
	rs = arena_alloc(f->a, sizeof(*rs));
	rs->s = s;
	for (size_t i = 0; i < s->nenv; i++) {
		const char *v = stack_resolve(f, s->env[i].name);
		struct param *p;

		if (!v)
			v = s->env[i].value;
		if (!v) {
			if (!f->partial)
				err(f, arena_printf(f->a, "step/%s: unresolved parameter: %s", as,
						    s->env[i].name));
			continue;
		}
		p = arena_push(f->a, &rs->params, &rs->nparams, sizeof(*p));
		p->name = s->env[i].name;
		p->value = v;
	}
	*(struct rstep *)arena_push(f->a, &f->out, &f->nout, sizeof(*rs)) = *rs;
}

static void flatten(struct flat *f, const struct tstep *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct tstep *t = &items[i];

		if (t->kind == TSTEP_LITERAL) {
			add_step(f, t->lit);
		} else if (t->kind == TSTEP_REF) {
			const struct lstep *s = registry_ref(f->r, t->name);

			if (!s)
				err(f, arena_printf(f->a, "invalid step reference: %s", t->name));
			else
				add_step(f, s);
		} else {
			const struct chain *c = registry_chain(f->r, t->name);

			if (!c) {
				err(f, arena_printf(f->a, "unknown step chain: %s", t->name));
				continue;
			}
			if (push(f, arena_printf(f->a, "chain/%s", c->as), c->env, c->nenv) < 0)
				continue;
			flatten(f, c->steps, c->nsteps);
			pop_checked(f);
		}
	}
}

static void flat_init(struct flat *f, struct registry *r, struct errlist *errs)
{
	memset(f, 0, sizeof(*f));
	f->r = r;
	f->a = r->a;
	f->errs = errs;
}

void resolve_validate_chain(struct registry *r, const struct chain *c)
{
	struct flat f;
	struct tstep t = { .kind = TSTEP_CHAIN, .name = c->as };

	flat_init(&f, r, &r->errs);
	f.partial = true;
	flatten(&f, &t, 1);
}

void resolve_validate_workflow(struct registry *r, const struct workflow *w)
{
	struct flat f;

	flat_init(&f, r, &r->errs);
	f.partial = true;
	push(&f, arena_printf(r->a, "workflow/%s", w->as), w->steps.env, w->steps.nenv);
	for (int p = 0; p < PHASE_N; p++) {
		f.seen = NULL;
		f.nseen = 0;
		flatten(&f, w->steps.phase[p].items, w->steps.phase[p].n);
	}
	pop_checked(&f);
}

int resolve_test(struct registry *r, const char *test, const struct msconf *conf,
		 struct resolved *out, struct errlist *errs)
{
	const struct workflow *w = NULL;
	const struct steplist *lists[PHASE_N];
	struct param *env = NULL;
	size_t nenv = 0, before = errs->n;
	struct flat f;
	int skip, besteffort;

	memset(out, 0, sizeof(*out));
	out->test = test;
	if (conf->workflow) {
		w = registry_workflow(r, conf->workflow);
		if (!w) {
			errlist_add(errs, "test/%s: no workflow named %s", test, conf->workflow);
			return -1;
		}
	}
	/* mergeWorkflow: phases replaced wholesale, env merged (test wins). */
	for (int p = 0; p < PHASE_N; p++)
		lists[p] = (conf->phase[p].set || !w) ? &conf->phase[p] : &w->steps.phase[p];
	if (w)
		for (size_t i = 0; i < w->steps.nenv; i++) {
			bool overridden = false;

			for (size_t j = 0; j < conf->nenv; j++)
				overridden |= !strcmp(conf->env[j].name, w->steps.env[i].name);
			if (!overridden)
				*(struct param *)arena_push(r->a, &env, &nenv, sizeof(*env)) = w->steps.env[i];
		}
	for (size_t j = 0; j < conf->nenv; j++)
		*(struct param *)arena_push(r->a, &env, &nenv, sizeof(*env)) = conf->env[j];
	skip = conf->allow_skip_on_success >= 0 ? conf->allow_skip_on_success
						: (w ? w->steps.allow_skip_on_success : 0);
	besteffort = conf->allow_best_effort_post_steps >= 0 ? conf->allow_best_effort_post_steps
							     : (w ? w->steps.allow_best_effort_post_steps : 0);
	out->allow_skip_on_success = skip > 0;
	out->allow_best_effort_post_steps = besteffort > 0;

	flat_init(&f, r, errs);
	push(&f, arena_printf(r->a, "test/%s", test), env, nenv);
	if (w)
		push(&f, arena_printf(r->a, "workflow/%s", w->as), NULL, 0);
	for (int p = 0; p < PHASE_N; p++) {
		f.seen = NULL;
		f.nseen = 0;
		f.out = NULL;
		f.nout = 0;
		flatten(&f, lists[p]->items, lists[p]->n);
		out->phase[p] = f.out;
		out->n[p] = f.nout;
		for (size_t i = 0; p != PHASE_POST && i < f.nout; i++)
			if (f.out[i].s->optional_on_success)
				errlist_add(errs, "%sstep/%s: `optional_on_success` is only allowed for Post steps",
					    stack_prefix(&f), f.out[i].s->as);
	}
	/* Parameters only the replaced workflow phases declared are not
	 * "unused": the test chose to drop those steps (ci-tools #2481). */
	if (w) {
		f.quiet = true;
		for (int p = 0; p < PHASE_N; p++) {
			if (!conf->phase[p].set)
				continue;
			f.seen = NULL;
			f.nseen = 0;
			flatten(&f, w->steps.phase[p].items, w->steps.phase[p].n);
		}
		f.quiet = false;
	}
	/* Duplicate names across phases share one namespace (pod names). */
	for (int p = 0; p < PHASE_N; p++)
		for (size_t i = 0; i < out->n[p]; i++)
			for (int q = 0; q <= p; q++)
				for (size_t j = 0; j < (q == p ? i : out->n[q]); j++)
					if (!strcmp(out->phase[p][i].s->as, out->phase[q][j].s->as) && q != p)
						errlist_add(errs, "test/%s: duplicated name \"%s\"", test,
							    out->phase[p][i].s->as);
	/* The unused check on record[0] runs with the workflow record still on
	 * the stack, as in ci-operator's messages. */
	{
		struct record *rec = &f.recs[0];

		for (size_t i = 0; i < rec->nenv; i++)
			if (!rec->used[i])
				errlist_add(errs, "%sparameter \"%s\" is overridden in [%s] but not declared in any step",
					    stack_prefix(&f), rec->env[i].name, rec->name);
	}
	return errs->n == before ? 0 : -1;
}
