#include "stepctx.h"

#include <stdio.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "source_facts.h"

const char *step_providers_path(struct step *s, char *buf, size_t bufsz)
{
	return providers_path_in(step_get(s, "MTV_PROVIDERS_FILE"), step_get(s, "MTV_CREDENTIALS_DIR"), buf,
				 bufsz);
}

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

/* The clones mtv-prepare-vms made stand for the scenario's VMs. */
static int load_source_vms(struct step_ctx *c, struct mtv_err *err)
{
	char file[4200];

	if (c->keep_source_names)
		return 0;
	if (state_read_json(&c->step->state, SOURCE_VMS_STATE, &c->source_vms, err) < 0)
		return -1;
	if (!c->source_vms)
		return 0;
	snprintf(file, sizeof(file), "%s/%s", c->step->state.dir, SOURCE_VMS_STATE);
	if (source_facts_apply(c->source_vms, file, c->have_session ? c->session.id : NULL, &c->scenario,
			       err) < 0)
		return -1;
	for (size_t i = 0; i < c->scenario.nvms; i++)
		if (strcmp(c->scenario.vms[i].name, c->scenario.vms[i].source_name))
			log_debug("VM %s is %s (%s)", c->scenario.vms[i].source_name, c->scenario.vms[i].name,
				  SOURCE_VMS_STATE);
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

int step_ctx_open(struct step_ctx *c, unsigned needs, struct mtv_err *err)
{
	struct step *s = c->step;

	if (needs & CTX_INVENTORY)
		needs |= CTX_CLUSTER | CTX_PROVIDERS;
	if (needs & CTX_PROVIDERS)
		needs |= CTX_SESSION;
	needs &= ~c->opened;
	if (needs & CTX_SESSION) {
		if (session_require(&s->state, &c->session, err) < 0)
			return -1;
		c->have_session = 1;
		c->opened |= CTX_SESSION | CTX_SESSION_IF_ANY;
	} else if (needs & CTX_SESSION_IF_ANY) {
		if (session_load(&s->state, &c->session, &c->have_session, err) < 0)
			return -1;
		c->opened |= CTX_SESSION_IF_ANY;
	}
	if (needs & CTX_SCENARIO) {
		if (scenario_load(step_get(s, "MTV_TESTS_PARAMS"), step_get(s, "MTV_SCENARIO"), &c->scenario,
				  err) < 0)
			return -1;
		if (load_source_vms(c, err) < 0) {
			scenario_release(&c->scenario);
			return -1;
		}
		c->opened |= CTX_SCENARIO;
	}
	if (needs & CTX_PROVIDERS) {
		if (load_providers(c, err) < 0)
			return -1;
		c->opened |= CTX_PROVIDERS;
	}
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

static void step_ctx_release(struct step_ctx *c)
{
	if (c->opened & CTX_INVENTORY)
		inventory_release(&c->inv);
	if (c->opened & CTX_CLUSTER)
		kube_client_release(&c->kc);
	if (c->opened & CTX_SCENARIO)
		scenario_release(&c->scenario);
	cJSON_Delete(c->providers);
	cJSON_Delete(c->source_vms);
	memset(c, 0, sizeof(*c));
}

struct map_in step_ctx_map_in(const struct step_ctx *c)
{
	return (struct map_in){ &c->session, c->ns, c->source_name, c->dest_name };
}

struct plan_in step_ctx_plan_in(const struct step_ctx *c)
{
	return (struct plan_in){ &c->session, c->ns, c->source_name, c->dest_name, c->type, &c->scenario };
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
	c.ns = c.session.target_namespace;
	/* Objects can be built (and shown by --dry-run) before the session
	 * is loaded or the cluster connected: these point at what will be. */
	c.ensure = (struct ensure_ctx){ &c.kc, &s->state, &c.session, s->name };
	rc = run(&c, err);
	step_ctx_release(&c);
	return rc;
}

int step_ctx_main(struct step *s, int argc, char **argv, step_ctx_run_fn run)
{
	return step_main(s, argc, argv, run_in_ctx, &run);
}
