#include "stepctx.h"

#include <stdio.h>
#include <string.h>

#include "json.h"

int step_ctx_require_state(struct step_ctx *c, const char *file, const char *writer, cJSON **out,
			   struct mtv_err *err)
{
	if (state_read_json(&c->step->state, file, out, err) < 0)
		return -1;
	if (!*out)
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s/%s: missing; run %s first",
				   c->step->state.dir, file, writer);
	return 0;
}

static int load_providers(struct step_ctx *c, struct mtv_err *err)
{
	const char *type;

	if (step_ctx_require_state(c, PROVIDERS_STATE, "mtv-create-provider", &c->providers, err) < 0)
		return -1;
	if (json_get_string(c->providers, "source.name", &c->source_name, err) < 0 ||
	    json_get_string(c->providers, "source.uid", &c->source_uid, err) < 0 ||
	    json_get_string(c->providers, "source.type", &type, err) < 0 ||
	    json_get_string(c->providers, "destination.name", &c->dest_name, err) < 0)
		return mtv_err_prefix(err, "%s/%s", c->step->state.dir, PROVIDERS_STATE);
	if (provider_type_parse(type, &c->type) < 0)
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s/%s: source.type: unknown provider type \"%s\"",
				   c->step->state.dir, PROVIDERS_STATE, type);
	return 0;
}

int step_ctx_open(struct step_ctx *c, struct step *s, unsigned needs, struct mtv_err *err)
{
	memset(c, 0, sizeof(*c));
	c->step = s;
	if (needs & CTX_INVENTORY)
		needs |= CTX_CLUSTER | CTX_PROVIDERS;
	if (session_require(&s->state, &c->session, err) < 0)
		return -1;
	c->ns = c->session.target_namespace;
	/* Objects can be built (and shown by --dry-run) without a connection. */
	c->ensure = (struct ensure_ctx){ &c->kc, &s->state, &c->session, s->name };
	if ((needs & CTX_SCENARIO) &&
	    scenario_load(step_get(s, "MTV_TESTS_PARAMS"), step_get(s, "MTV_SCENARIO"), &c->scenario, err) < 0)
		return -1;
	c->opened |= needs & CTX_SCENARIO;
	if ((needs & CTX_PROVIDERS) && load_providers(c, err) < 0)
		return -1;
	if (needs & CTX_CLUSTER) {
		if (kube_client_from_env(&c->kc, s->context, err) < 0)
			return -1;
		c->opened |= CTX_CLUSTER;
		kube_client_set_interrupt(&c->kc, step_interrupt_flag());
	}
	if (needs & CTX_INVENTORY) {
		if (inventory_open(&c->inv, &c->kc, &c->session, err) < 0)
			return -1;
		c->opened |= CTX_INVENTORY;
		c->source = (struct source_ctx){ &c->inv, c->type, provider_type_name(c->type), c->source_uid };
	}
	return 0;
}

void step_ctx_release(struct step_ctx *c)
{
	if (c->opened & CTX_INVENTORY)
		inventory_release(&c->inv);
	if (c->opened & CTX_CLUSTER)
		kube_client_release(&c->kc);
	if (c->opened & CTX_SCENARIO)
		scenario_release(&c->scenario);
	cJSON_Delete(c->providers);
	memset(c, 0, sizeof(*c));
}

void step_ctx_print(struct step_ctx *c, const cJSON *doc, const char *names)
{
	step_print(c->step, doc, names);
}

static int run_in_ctx(struct step *s, void *arg, struct mtv_err *err)
{
	step_ctx_run_fn run = *(step_ctx_run_fn *)arg;
	struct step_ctx c = { 0 };
	int rc;

	c.step = s;
	rc = run(&c, err);
	step_ctx_release(&c);
	return rc;
}

int step_ctx_main(struct step *s, int argc, char **argv, step_ctx_run_fn run)
{
	return step_main(s, argc, argv, run_in_ctx, &run);
}
