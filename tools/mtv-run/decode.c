#include "decode.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const phase_names[PHASE_N] = { "pre", "test", "post" };

static const char *const lstep_fields[] = {
	"as", "from", "from_image", "commands", "resources", "timeout", "grace_period",
	"credentials", "env", "dependencies", "dnsConfig", "leases", "optional_on_success",
	"best_effort", "no_kubeconfig", "cli", "observers", "run_as_script", "nested_podman",
	"node_architecture", NULL,
};

static const char *const ref_fields[] = {
	"as", "from", "from_image", "commands", "resources", "timeout", "grace_period",
	"credentials", "env", "dependencies", "dnsConfig", "leases", "optional_on_success",
	"best_effort", "no_kubeconfig", "cli", "observers", "run_as_script", "nested_podman",
	"node_architecture", "documentation", NULL,
};

static const char *const msconf_fields[] = {
	"cluster_profile", "pre", "test", "post", "workflow", "env", "dependencies",
	"dependency_overrides", "dnsConfig", "leases", "allow_skip_on_success",
	"allow_best_effort_post_steps", "observers", "node_architecture",
	"node_architecture_overrides", NULL,
};

static const char *json_kind(const struct ynode *n)
{
	if (n->type == Y_MAP)
		return "object";
	if (n->type == Y_SEQ)
		return "array";
	if (n->plain && !n->is_null && (!strcmp(n->value, "true") || !strcmp(n->value, "false")))
		return "bool";
	if (n->plain && n->value[0] && strpbrk(n->value, "0123456789")) {
		char *end;

		strtod(n->value, &end);
		if (!*end && strspn(n->value, "0123456789.-+eE") == strlen(n->value))
			return "number";
	}
	return "string";
}

static int type_error(struct dec *d, const struct ynode *n, const char *type, const char *field,
		      const char *want)
{
	return mtv_err_set(d->err, MTV_EXIT_USAGE,
			   "%s: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal %s into Go struct field %s.%s of type %s",
			   d->ctx, json_kind(n), type, field, want);
}

int dec_strict_map(struct dec *d, const struct ynode *n, const char *type,
		   const char *const *allowed)
{
	if (n->type != Y_MAP)
		return mtv_err_set(d->err, MTV_EXIT_USAGE,
				   "%s: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal %s into Go value of type api.%s",
				   d->ctx, json_kind(n), type);
	for (size_t i = 0; i < n->n; i++) {
		const char *k = n->keys[i]->value;
		size_t j;

		for (j = 0; allowed[j]; j++)
			if (!strcmp(allowed[j], k))
				break;
		if (!allowed[j])
			return mtv_err_set(d->err, MTV_EXIT_USAGE,
					   "%s: error unmarshaling JSON: while decoding JSON: json: unknown field \"%s\"",
					   d->ctx, k);
	}
	return 0;
}

/* A string field; null leaves *out NULL.  Numbers are refused like Go does. */
static int get_str(struct dec *d, const struct ynode *m, const char *type, const char *key,
		   const char **out)
{
	const struct ynode *n = ymap_get(m, key);

	*out = NULL;
	if (!n || n->is_null)
		return 0;
	if (n->type != Y_SCALAR || strcmp(json_kind(n), "string"))
		return type_error(d, n, type, key, "string");
	*out = n->value;
	return 0;
}

static int get_bool(struct dec *d, const struct ynode *m, const char *type, const char *key,
		    int *out)
{
	const struct ynode *n = ymap_get(m, key);

	if (!n || n->is_null)
		return 0;
	if (strcmp(json_kind(n), "bool"))
		return type_error(d, n, type, key, "bool");
	*out = !strcmp(n->value, "true");
	return 0;
}

static int get_duration(struct dec *d, const struct ynode *m, const char *key, const char **str,
			long long *ms, long long def)
{
	*ms = def;
	if (get_str(d, m, "LiteralTestStep", key, str) < 0)
		return -1;
	if (*str && duration_parse(*str, ms) < 0)
		return mtv_err_set(d->err, MTV_EXIT_USAGE,
				   "%s: error unmarshaling JSON: while decoding JSON: time: invalid duration \"%s\"",
				   d->ctx, *str);
	/* Prow's entrypoint treats a zero duration as unset. */
	if (!*ms)
		*ms = def;
	return 0;
}

/* A list of StepParameter {name, default, documentation}. */
static int dec_params(struct dec *d, const struct ynode *n, struct param **out, size_t *nout)
{
	static const char *const fields[] = { "name", "default", "documentation", NULL };

	*out = NULL;
	*nout = 0;
	if (!n || n->is_null)
		return 0;
	if (n->type != Y_SEQ)
		return type_error(d, n, "LiteralTestStep", "env", "[]api.StepParameter");
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *it = n->vals[i];
		struct param *p;
		const char *name, *def;

		if (dec_strict_map(d, it, "StepParameter", fields) < 0 ||
		    get_str(d, it, "StepParameter", "name", &name) < 0 ||
		    get_str(d, it, "StepParameter", "default", &def) < 0)
			return -1;
		/* `default: ""` is a default; `default:` (null) is none, as *string in Go. */
		{
			const struct ynode *dn = ymap_get(it, "default");

			if (dn && !dn->is_null && dn->type == Y_SCALAR)
				def = dn->value;
		}
		p = arena_push(d->a, out, nout, sizeof(**out));
		p->name = name ? name : "";
		p->value = def;
	}
	return 0;
}

/* A map NAME: value (a test's or workflow's env). */
static int dec_envmap(struct dec *d, const struct ynode *n, struct param **out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	if (!n || n->is_null)
		return 0;
	if (n->type != Y_MAP)
		return type_error(d, n, "MultiStageTestConfiguration", "env", "api.TestEnvironment");
	for (size_t i = 0; i < n->n; i++) {
		struct param *p;

		if (n->vals[i]->type != Y_SCALAR)
			return type_error(d, n->vals[i], "MultiStageTestConfiguration", "env", "string");
		p = arena_push(d->a, out, nout, sizeof(**out));
		p->name = n->keys[i]->value;
		p->value = n->vals[i]->value;
	}
	return 0;
}

/* credentials: a list of CredentialReference. */
static int dec_credentials(struct dec *d, const struct ynode *n, struct credential **out,
			   size_t *nout)
{
	static const char *const fields[] = {
		"as", "bundle", "collection", "field", "group", "mount_path", "namespace", "name", NULL,
	};

	*out = NULL;
	*nout = 0;
	if (!n || n->is_null)
		return 0;
	if (n->type != Y_SEQ)
		return type_error(d, n, "LiteralTestStep", "credentials", "[]api.CredentialReference");
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *it = n->vals[i];
		struct credential *c;

		if (dec_strict_map(d, it, "CredentialReference", fields) < 0)
			return -1;
		c = arena_push(d->a, out, nout, sizeof(**out));
		if (get_str(d, it, "CredentialReference", "namespace", &c->namespace_) < 0 ||
		    get_str(d, it, "CredentialReference", "name", &c->name) < 0 ||
		    get_str(d, it, "CredentialReference", "mount_path", &c->mount_path) < 0 ||
		    get_str(d, it, "CredentialReference", "collection", &c->collection) < 0 ||
		    get_str(d, it, "CredentialReference", "group", &c->group) < 0 ||
		    get_str(d, it, "CredentialReference", "field", &c->field) < 0 ||
		    get_str(d, it, "CredentialReference", "as", &c->as) < 0 ||
		    get_str(d, it, "CredentialReference", "bundle", &c->bundle) < 0)
			return -1;
	}
	return 0;
}

int dec_lstep(struct dec *d, const struct ynode *n, bool registry_ref, struct lstep **out)
{
	struct lstep *s = arena_alloc(d->a, sizeof(*s));
	const char *type = registry_ref ? "RegistryReference" : "LiteralTestStep";
	int b;

	if (dec_strict_map(d, n, type, registry_ref ? ref_fields : lstep_fields) < 0)
		return -1;
	s->path = d->path;
	s->line = n->line;
	if (get_str(d, n, type, "as", &s->as) < 0 || get_str(d, n, type, "from", &s->from) < 0 ||
	    get_str(d, n, type, "commands", &s->commands) < 0)
		return -1;
	s->resources = ymap_get(n, "resources");
	s->has_from_image = ymap_get(n, "from_image") && !ymap_get(n, "from_image")->is_null;
	if (get_duration(d, n, "timeout", &s->timeout_str, &s->timeout_ms, STEP_DEFAULT_TIMEOUT_MS) < 0 ||
	    get_duration(d, n, "grace_period", &s->grace_str, &s->grace_ms, STEP_DEFAULT_GRACE_MS) < 0)
		return -1;
	b = 0;
	if (get_bool(d, n, type, "best_effort", &b) < 0)
		return -1;
	s->best_effort = b;
	b = 0;
	if (get_bool(d, n, type, "optional_on_success", &b) < 0)
		return -1;
	s->optional_on_success = b;
	b = 0;
	if (get_bool(d, n, type, "no_kubeconfig", &b) < 0)
		return -1;
	s->no_kubeconfig = b;
	b = 0;
	if (get_bool(d, n, type, "run_as_script", &b) < 0)
		return -1;
	s->run_as_script = b;
	if (dec_params(d, ymap_get(n, "env"), &s->env, &s->nenv) < 0 ||
	    dec_credentials(d, ymap_get(n, "credentials"), &s->creds, &s->ncreds) < 0)
		return -1;
	if (registry_ref) {
		s->commands_file = s->commands;
		s->commands = NULL;
	}
	*out = s;
	return 0;
}

int dec_tstep(struct dec *d, const struct ynode *n, struct tstep *out)
{
	static const char *fields[sizeof(lstep_fields) / sizeof(lstep_fields[0]) + 2];
	const struct ynode *ref, *chain;
	bool literal = false;

	if (!fields[0]) {
		size_t i = 0;

		fields[i++] = "ref";
		fields[i++] = "chain";
		for (size_t j = 0; lstep_fields[j]; j++)
			fields[i++] = lstep_fields[j];
		fields[i] = NULL;
	}
	if (dec_strict_map(d, n, "TestStep", fields) < 0)
		return -1;
	memset(out, 0, sizeof(*out));
	out->line = n->line;
	ref = ymap_get(n, "ref");
	chain = ymap_get(n, "chain");
	for (size_t i = 0; i < n->n; i++)
		if (strcmp(n->keys[i]->value, "ref") && strcmp(n->keys[i]->value, "chain"))
			literal = true;
	if ((ref != NULL) + (chain != NULL) + literal > 1)
		return mtv_err_set(d->err, MTV_EXIT_USAGE,
				   "%s: line %d: only one of `ref`, `chain`, or a literal test step can be set",
				   d->ctx, n->line);
	if (ref || chain) {
		const struct ynode *v = ref ? ref : chain;

		if (v->type != Y_SCALAR)
			return type_error(d, v, "TestStep", ref ? "ref" : "chain", "string");
		if (!v->value[0])
			return mtv_err_set(d->err, MTV_EXIT_USAGE, "%s: line %d: %s: length cannot be 0",
					   d->ctx, n->line, ref ? "ref" : "chain");
		out->kind = ref ? TSTEP_REF : TSTEP_CHAIN;
		out->name = v->value;
		return 0;
	}
	if (!literal)
		return mtv_err_set(d->err, MTV_EXIT_USAGE,
				   "%s: line %d: a reference, chain, or literal test step is required",
				   d->ctx, n->line);
	out->kind = TSTEP_LITERAL;
	if (dec_lstep(d, n, false, &out->lit) < 0)
		return -1;
	out->name = out->lit->as;
	return 0;
}

static int dec_steplist(struct dec *d, const struct ynode *n, const char *field,
			struct tstep **items, size_t *nitems)
{
	*items = NULL;
	*nitems = 0;
	if (!n || n->is_null)
		return 0;
	if (n->type != Y_SEQ)
		return type_error(d, n, "MultiStageTestConfiguration", field, "[]api.TestStep");
	for (size_t i = 0; i < n->n; i++) {
		struct tstep *t = arena_push(d->a, items, nitems, sizeof(**items));

		if (dec_tstep(d, n->vals[i], t) < 0)
			return -1;
	}
	return 0;
}

int dec_msconf(struct dec *d, const struct ynode *n, struct msconf *out)
{
	memset(out, 0, sizeof(*out));
	out->allow_skip_on_success = -1;
	out->allow_best_effort_post_steps = -1;
	if (dec_strict_map(d, n, "MultiStageTestConfiguration", msconf_fields) < 0)
		return -1;
	if (get_str(d, n, "MultiStageTestConfiguration", "workflow", &out->workflow) < 0 ||
	    get_str(d, n, "MultiStageTestConfiguration", "cluster_profile", &out->cluster_profile) < 0 ||
	    get_bool(d, n, "MultiStageTestConfiguration", "allow_skip_on_success",
		     &out->allow_skip_on_success) < 0 ||
	    get_bool(d, n, "MultiStageTestConfiguration", "allow_best_effort_post_steps",
		     &out->allow_best_effort_post_steps) < 0 ||
	    dec_envmap(d, ymap_get(n, "env"), &out->env, &out->nenv) < 0)
		return -1;
	for (int p = 0; p < PHASE_N; p++) {
		const struct ynode *l = ymap_get(n, phase_names[p]);

		out->phase[p].set = l && !l->is_null;
		if (dec_steplist(d, l, phase_names[p], &out->phase[p].items, &out->phase[p].n) < 0)
			return -1;
	}
	return 0;
}

int dec_chain(struct dec *d, const struct ynode *n, struct chain **out)
{
	static const char *const fields[] = { "as", "steps", "env", "leases", "documentation", NULL };
	struct chain *c = arena_alloc(d->a, sizeof(*c));
	const struct ynode *steps;

	if (dec_strict_map(d, n, "RegistryChain", fields) < 0 ||
	    get_str(d, n, "RegistryChain", "as", &c->as) < 0 ||
	    dec_params(d, ymap_get(n, "env"), &c->env, &c->nenv) < 0)
		return -1;
	c->path = d->path;
	steps = ymap_get(n, "steps");
	if (steps && !steps->is_null) {
		if (steps->type != Y_SEQ)
			return type_error(d, steps, "RegistryChain", "steps", "[]api.TestStep");
		for (size_t i = 0; i < steps->n; i++) {
			struct tstep *t = arena_push(d->a, &c->steps, &c->nsteps, sizeof(*t));

			if (dec_tstep(d, steps->vals[i], t) < 0)
				return -1;
		}
	}
	*out = c;
	return 0;
}

int dec_workflow(struct dec *d, const struct ynode *n, struct workflow **out)
{
	static const char *const fields[] = { "as", "steps", "documentation", NULL };
	struct workflow *w = arena_alloc(d->a, sizeof(*w));
	const struct ynode *steps;

	if (dec_strict_map(d, n, "RegistryWorkflow", fields) < 0 ||
	    get_str(d, n, "RegistryWorkflow", "as", &w->as) < 0)
		return -1;
	w->path = d->path;
	steps = ymap_get(n, "steps");
	if (steps && !steps->is_null) {
		if (dec_msconf(d, steps, &w->steps) < 0)
			return -1;
	} else {
		w->steps.allow_skip_on_success = -1;
		w->steps.allow_best_effort_post_steps = -1;
	}
	*out = w;
	return 0;
}

int duration_parse(const char *s, long long *ms)
{
	static const struct { const char *unit; double ms; } units[] = {
		{ "ns", 1e-6 }, { "us", 1e-3 }, { "\xc2\xb5s", 1e-3 }, { "ms", 1 },
		{ "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
	};
	double total = 0;
	const char *p = s;

	if (!strcmp(s, "0")) {
		*ms = 0;
		return 0;
	}
	if (!*p)
		return -1;
	while (*p) {
		char *end;
		double v;
		size_t i, best = 0, bestlen = 0;

		if (!isdigit((unsigned char)*p) && *p != '.')
			return -1;
		v = strtod(p, &end);
		if (end == p)
			return -1;
		p = end;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t l = strlen(units[i].unit);

			if (!strncmp(p, units[i].unit, l) && l > bestlen) {
				best = i;
				bestlen = l;
			}
		}
		if (!bestlen)
			return -1;
		total += v * units[best].ms;
		p += bestlen;
	}
	*ms = (long long)(total + 0.5);
	return 0;
}

const char *duration_format(long long ms, char *buf, size_t sz)
{
	long long h, m, s, rest;

	if (ms < 1000) {
		snprintf(buf, sz, ms ? "%lldms" : "0s", ms);
		return buf;
	}
	h = ms / 3600000;
	m = ms / 60000 % 60;
	s = ms / 1000 % 60;
	rest = ms % 1000;
	{
		char sec[32];

		if (rest) {
			int n = snprintf(sec, sizeof(sec), "%lld.%03lld", s, rest);

			while (n > 0 && sec[n - 1] == '0')
				sec[--n] = '\0';
		} else {
			snprintf(sec, sizeof(sec), "%lld", s);
		}
		if (h)
			snprintf(buf, sz, "%lldh%lldm%ss", h, m, sec);
		else if (m)
			snprintf(buf, sz, "%lldm%ss", m, sec);
		else
			snprintf(buf, sz, "%ss", sec);
	}
	return buf;
}
