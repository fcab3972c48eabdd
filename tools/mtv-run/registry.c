#include "registry.h"
#include "credentials.h"
#include "resources.h"

#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "decode.h"
#include "fsutil.h"
#include "resolve.h"
#include "yamltree.h"

void errlist_add(struct errlist *e, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	msg = arena_alloc(e->a, (size_t)(n < 0 ? 0 : n) + 1);
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < e->n; i++)
		if (!strcmp(e->v[i], msg))
			return;
	*(const char **)arena_push(e->a, &e->v, &e->n, sizeof(*e->v)) = msg;
}

struct lstep *registry_ref(const struct registry *r, const char *name)
{
	for (size_t i = 0; i < r->nrefs; i++)
		if (r->refs[i]->as && !strcmp(r->refs[i]->as, name))
			return r->refs[i];
	return NULL;
}

struct chain *registry_chain(const struct registry *r, const char *name)
{
	for (size_t i = 0; i < r->nchains; i++)
		if (r->chains[i]->as && !strcmp(r->chains[i]->as, name))
			return r->chains[i];
	return NULL;
}

struct workflow *registry_workflow(const struct registry *r, const char *name)
{
	for (size_t i = 0; i < r->nworkflows; i++)
		if (r->workflows[i]->as && !strcmp(r->workflows[i]->as, name))
			return r->workflows[i];
	return NULL;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* The same regular expression ci-operator applies to find trap commands. */
static bool has_trap(const char *commands)
{
	regex_t re;
	bool found;

	if (regcomp(&re, "(^|[^[:alnum:]_])[[:space:]]*trap[[:space:]]*['\"]?[[:alnum:]_]*['\"]?[[:space:]]*[[:alnum:]_]*",
		    REG_EXTENDED | REG_NOSUB | REG_NEWLINE))
		return false;
	found = !regexec(&re, commands, 0, NULL, 0);
	regfree(&re);
	return found;
}

void lstep_validate(const struct lstep *s, const char *where, struct errlist *e)
{
	if (!s->as || !s->as[0])
		errlist_add(e, "%s: `as` is required", where);
	if (!s->from && !s->has_from_image)
		errlist_add(e, "%s: `from` or `from_image` is required", where);
	else if (s->from && s->has_from_image)
		errlist_add(e, "%s: `from` and `from_image` cannot be set together", where);
	if (!s->commands || !s->commands[0])
		errlist_add(e, "%s: `commands` is required", where);
	else if (has_trap(s->commands) && !s->grace_str)
		errlist_add(e, "%s: test `%s` has `commands` containing `trap` command, but test step is missing grace_period",
			    where, s->as ? s->as : "");
	if (s->best_effort && !s->timeout_str)
		errlist_add(e, "%s: test %s contains best_effort without timeout", where,
			    s->as ? s->as : "");
	credentials_validate(s->creds, s->ncreds, s->as ? s->as : where, e);
}

struct loader {
	struct registry *r;
	struct arena *a;
};

/* The top-level key of a registry file: `ref:`, `chain:`, `workflow:`. */
static struct ynode *load_component(struct loader *l, const char *path, const char *key)
{
	const char *allowed[2] = { key, NULL };
	struct mtv_err err = { 0 };
	struct ynode *root, *n;
	struct dec d = { l->a, path, arena_printf(l->a, "failed to load registry file %s", path), &err };

	if (ytree_load(l->a, path, &root, &err) < 0) {
		errlist_add(&l->r->errs, "failed to load registry file %s: %s", path, err.msg);
		return NULL;
	}
	if (dec_strict_map(&d, root, "RegistryConfig", allowed) < 0) {
		errlist_add(&l->r->errs, "%s", err.msg);
		return NULL;
	}
	n = ymap_get(root, key);
	if (!n || n->type != Y_MAP) {
		errlist_add(&l->r->errs, "failed to load registry file %s: no `%s:` map at the top level",
			    path, key);
		return NULL;
	}
	return n;
}

/* ci-operator's naming rules for a component file: its `as` is the
 * directory prefix, and the file is <as>-<suffix>.yaml. */
static void check_name(struct loader *l, const char *noun, const char *suffix, const char *path,
		       const char *base, const char *prefix, const char *as)
{
	if (!as || strcmp(as, prefix))
		errlist_add(&l->r->errs, "name of %s in file %s should be %s", noun, path, prefix);
	else if (strcmp(base, arena_printf(l->a, "%s-%s.yaml", as, suffix)))
		errlist_add(&l->r->errs,
			    "filename %s does not match name of %s; filename should be %s-%s.yaml",
			    base, noun, prefix, suffix);
}

static void load_ref(struct loader *l, const char *dir, const char *reldir, const char *base,
		     const char *prefix)
{
	const char *path = arena_printf(l->a, "%s/%s", dir, base);
	struct mtv_err err = { 0 };
	struct dec d = { l->a, path, arena_printf(l->a, "failed to load registry file %s", path), &err };
	struct ynode *n = load_component(l, path, "ref");
	struct lstep *s;
	const char *cf;
	size_t pl = strlen(prefix);

	if (!n)
		return;
	if (dec_lstep(&d, n, true, &s) < 0) {
		errlist_add(&l->r->errs, "%s", err.msg);
		return;
	}
	s->reldir = reldir;
	cf = s->commands_file ? s->commands_file : "";
	if (strncmp(cf, prefix, pl) || strncmp(cf + pl, "-commands", 9) ||
	    (cf[pl + 9] && cf[pl + 9] != '.') || strchr(cf, '/')) {
		errlist_add(&l->r->errs,
			    "reference %s has invalid command file path; command should be set to %s-commands (with an optional extension like .sh)",
			    s->as ? s->as : "", prefix);
	} else {
		struct buf b = BUF_INIT(16u * 1024 * 1024);
		const char *cpath = arena_printf(l->a, "%s/%s", dir, cf);

		if (fs_read_file(cpath, &b, 16u * 1024 * 1024, &err) < 0)
			errlist_add(&l->r->errs, "reference %s: open %s: %s", s->as ? s->as : "",
				    cpath, errno == ENOENT ? "no such file or directory" : err.msg);
		else
			s->commands = arena_strndup(l->a, buf_str(&b), b.len);
		buf_release(&b);
	}
	check_name(l, "reference", "ref", path, base, prefix, s->as);
	if (s->commands)
		lstep_validate(s, path, &l->r->errs);
	/* IsValidReference: a ref names its own requests and limits */
	resources_validate(s->resources, s->as, &l->r->errs);
	if (s->as && registry_ref(l->r, s->as)) {
		errlist_add(&l->r->errs, "%s: duplicate reference %s", path, s->as);
		return;
	}
	*(struct lstep **)arena_push(l->a, &l->r->refs, &l->r->nrefs, sizeof(s)) = s;
}

static void load_chain(struct loader *l, const char *dir, const char *reldir, const char *base,
		       const char *prefix)
{
	const char *path = arena_printf(l->a, "%s/%s", dir, base);
	struct mtv_err err = { 0 };
	struct dec d = { l->a, path, arena_printf(l->a, "failed to load registry file %s", path), &err };
	struct ynode *n = load_component(l, path, "chain");
	struct chain *c;

	if (!n)
		return;
	if (dec_chain(&d, n, &c) < 0) {
		errlist_add(&l->r->errs, "%s", err.msg);
		return;
	}
	c->reldir = reldir;
	check_name(l, "chain", "chain", path, base, prefix, c->as);
	for (size_t i = 0; i < c->nsteps; i++)
		if (c->steps[i].kind == TSTEP_LITERAL)
			lstep_validate(c->steps[i].lit, path, &l->r->errs);
	if (c->as && registry_chain(l->r, c->as)) {
		errlist_add(&l->r->errs, "%s: duplicate chain %s", path, c->as);
		return;
	}
	*(struct chain **)arena_push(l->a, &l->r->chains, &l->r->nchains, sizeof(c)) = c;
}

static void load_workflow(struct loader *l, const char *dir, const char *reldir, const char *base,
			  const char *prefix)
{
	const char *path = arena_printf(l->a, "%s/%s", dir, base);
	struct mtv_err err = { 0 };
	struct dec d = { l->a, path, arena_printf(l->a, "failed to load registry file %s", path), &err };
	struct ynode *n = load_component(l, path, "workflow");
	struct workflow *w;

	if (!n)
		return;
	if (dec_workflow(&d, n, &w) < 0) {
		errlist_add(&l->r->errs, "%s", err.msg);
		return;
	}
	w->reldir = reldir;
	check_name(l, "workflow", "workflow", path, base, prefix, w->as);
	if (w->steps.workflow)
		errlist_add(&l->r->errs, "%s: workflows cannot contain other workflows", path);
	for (int p = 0; p < PHASE_N; p++)
		for (size_t i = 0; i < w->steps.phase[p].n; i++)
			if (w->steps.phase[p].items[i].kind == TSTEP_LITERAL)
				lstep_validate(w->steps.phase[p].items[i].lit, path, &l->r->errs);
	if (w->as && registry_workflow(l->r, w->as)) {
		errlist_add(&l->r->errs, "%s: duplicate workflow %s", path, w->as);
		return;
	}
	*(struct workflow **)arena_push(l->a, &l->r->workflows, &l->r->nworkflows, sizeof(w)) = w;
}

/* One file of a registry directory whose prefix is known. */
static void load_file(struct loader *l, const char *dir, const char *reldir, const char *base,
		      const char *prefix)
{
	const char *path = arena_printf(l->a, "%s/%s", dir, base);

	if (!strcmp(base, "OWNERS") || has_suffix(base, ".md") || !strcmp(base, "VERSION"))
		return;
	if (!has_prefix(base, prefix)) {
		errlist_add(&l->r->errs, "file %s has incorrect prefix. Prefix should be %s", path,
			    prefix);
		return;
	}
	if (has_suffix(base, "-ref.yaml"))
		load_ref(l, dir, reldir, base, prefix);
	else if (has_suffix(base, "-chain.yaml"))
		load_chain(l, dir, reldir, base, prefix);
	else if (has_suffix(base, "-workflow.yaml"))
		load_workflow(l, dir, reldir, base, prefix);
	else if (has_suffix(base, "-observer.yaml") || has_suffix(base, ".metadata.json") ||
		 has_prefix(base + strlen(prefix), "-commands"))
		return;	/* observers are not run locally; scripts are read through refs */
	else
		errlist_add(&l->r->errs, "invalid file name: %s", path);
}

/* Only registry files count in our layout: steps/<x>/ also holds main.c,
 * README.md, test data and other sources of the step binary. */
static bool repo_registry_file(const char *base)
{
	return has_suffix(base, ".yaml") || has_suffix(base, ".yml") ||
	       has_suffix(base, ".metadata.json");
}

static int walk(struct loader *l, const char *dir, const char *reldir, const char *prefix_base,
		bool repo, int depth, struct mtv_err *err)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);

	if (n < 0) {
		if (depth == 0)
			return mtv_err_set(err, MTV_EXIT_USAGE, "registry %s: %s", dir, strerror(errno));
		errlist_add(&l->r->errs, "%s: %s", dir, strerror(errno));
		return 0;
	}
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		const char *path, *rel, *prefix;
		struct stat st;

		if (!strcmp(name, ".") || !strcmp(name, "..") || has_prefix(name, "..") ||
		    (repo && name[0] == '.'))
			continue;
		path = arena_printf(l->a, "%s/%s", dir, name);
		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth == 0 && !repo && !strcmp(name, "cluster-profiles"))
				continue;
			if (depth > 32)
				continue;
			rel = reldir[0] ? arena_printf(l->a, "%s/%s", reldir, name) : arena_strdup(l->a, name);
			walk(l, path, rel, prefix_base, repo, depth + 1, err);
			continue;
		}
		if (repo && (depth == 0 || !repo_registry_file(name)))
			continue;
		/* prefix: relative dir with '/' -> '-' ("." in the root) */
		if (!reldir[0]) {
			prefix = ".";
		} else {
			char *p = arena_printf(l->a, "%s%s", prefix_base, reldir);

			for (char *q = p; *q; q++)
				if (*q == '/')
					*q = '-';
			prefix = p;
		}
		load_file(l, dir, reldir, name, prefix);
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return 0;
}

int registry_load(struct arena *a, const char *root, bool repo_layout, struct registry *r,
		  struct mtv_err *err)
{
	struct loader l = { r, a };
	struct stat st;

	memset(r, 0, sizeof(*r));
	r->a = a;
	r->errs.a = a;
	r->root = root;
	r->repo_layout = repo_layout;
	if (stat(root, &st) < 0 || !S_ISDIR(st.st_mode))
		return mtv_err_set(err, MTV_EXIT_USAGE, "registry %s: %s", root,
				   errno ? strerror(errno) : "not a directory");
	if (!repo_layout)
		return walk(&l, root, "", "", false, 0, err);
	/* steps/, chains/ and workflows/ stand for the registry's mtv/ tree. */
	for (int k = 0; k < 3; k++) {
		static const char *const kinds[] = { "steps", "chains", "workflows" };
		const char *dir = arena_printf(a, "%s/%s", root, kinds[k]);

		if (stat(dir, &st) < 0)
			continue;
		if (walk(&l, dir, "", "mtv-", true, 0, err) < 0)
			return -1;
	}
	return 0;
}

/* ---- graph checks ---- */

static void check_refs(struct registry *r, const char *kind, const char *name,
		       const struct tstep *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct tstep *t = &items[i];

		if (t->kind == TSTEP_REF && !registry_ref(r, t->name))
			errlist_add(&r->errs, "%s %s contains non-existent reference %s", kind, name, t->name);
		else if (t->kind == TSTEP_CHAIN && !registry_chain(r, t->name))
			errlist_add(&r->errs, "%s %s contains non-existent chain %s", kind, name, t->name);
	}
}

/* Depth-first over chain -> chain edges; path holds the current ancestry. */
static bool find_cycle(struct registry *r, const struct chain *c, const char **path, size_t depth)
{
	for (size_t i = 0; i < depth; i++) {
		if (strcmp(path[i], c->as))
			continue;
		{
			struct buf b = BUF_INIT(64 * 1024);

			for (size_t j = 0; j < depth; j++)
				buf_addf(&b, "%s%s", j ? " " : "", path[j]);
			errlist_add(&r->errs, "Cycle detected: %s is an ancestor of itself; traversedPath: [%s %s]",
				    c->as, buf_str(&b), c->as);
			buf_release(&b);
		}
		return true;
	}
	if (depth >= 64)
		return true;
	path[depth] = c->as;
	for (size_t i = 0; i < c->nsteps; i++) {
		const struct chain *sub;

		if (c->steps[i].kind != TSTEP_CHAIN || !(sub = registry_chain(r, c->steps[i].name)))
			continue;
		if (find_cycle(r, sub, path, depth + 1))
			return true;
	}
	return false;
}

void registry_check(struct registry *r)
{
	size_t before = r->errs.n;
	const char *path[65];

	for (size_t i = 0; i < r->nchains; i++)
		check_refs(r, "Chain", r->chains[i]->as, r->chains[i]->steps, r->chains[i]->nsteps);
	for (size_t i = 0; i < r->nworkflows; i++)
		for (int p = 0; p < PHASE_N; p++)
			check_refs(r, "Workflow", r->workflows[i]->as, r->workflows[i]->steps.phase[p].items,
				   r->workflows[i]->steps.phase[p].n);
	for (size_t i = 0; i < r->nchains; i++)
		find_cycle(r, r->chains[i], path, 0);
	/* Flattening a broken graph would only repeat the same problems. */
	if (r->errs.n != before)
		return;
	for (size_t i = 0; i < r->nchains; i++)
		resolve_validate_chain(r, r->chains[i]);
	for (size_t i = 0; i < r->nworkflows; i++)
		resolve_validate_workflow(r, r->workflows[i]);
}
