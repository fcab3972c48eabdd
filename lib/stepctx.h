/* What the steps after mtv-create-provider share: the session, the
 * providers it created, the scenario, a cluster connection and the source
 * inventory — loaded in one place with one set of error messages. */
#ifndef MTV_STEPCTX_H
#define MTV_STEPCTX_H

#include <cjson/cJSON.h>

#include "ensure.h"
#include "inventory.h"
#include "kube.h"
#include "scenario.h"
#include "session.h"
#include "source_vms.h"
#include "step.h"

#define PROVIDERS_STATE "mtv-providers.json"
#define MAPS_STATE "mtv-maps.json"
#define PLAN_STATE "mtv-plan.json"
#define MIGRATION_STATE "mtv-migration.json"

enum {
	CTX_SCENARIO = 1 << 0,	/* MTV_TESTS_PARAMS + MTV_SCENARIO */
	CTX_PROVIDERS = 1 << 1,	/* mtv-providers.json */
	CTX_CLUSTER = 1 << 2,	/* a kube client */
	CTX_INVENTORY = 1 << 3,	/* the inventory (implies the two above) */
};

struct step_ctx {
	struct step *step;
	struct session session;
	struct scenario scenario;
	struct kube_client kc;
	struct ensure_ctx ensure;
	struct inventory inv;
	struct source_ctx source;
	cJSON *providers;		/* mtv-providers.json */
	const char *source_name;	/* source Provider */
	const char *source_uid;
	const char *dest_name;		/* destination Provider */
	const char *ns;			/* target namespace (maps, plan) */
	enum provider_type type;
	unsigned opened;
};

/* The scenario parameters every scenario-driven step declares. */
#define STEP_SCENARIO_PARAMS \
	{ "MTV_TESTS_PARAMS", "tests-params", NULL, \
	  "scenario catalog: mtv-api-tests tests_params as JSON [default: the shipped catalog]", 0, NULL }, \
	{ "MTV_SCENARIO", "scenario", "test_sanity_cold_mtv_migration", \
	  "the scenario (a key of the catalog)", 0, NULL }

/* Load what `needs` asks for.  Input problems (no session, corrupt state,
 * unknown scenario) fail with MTV_EXIT_USAGE before the cluster is touched. */
int step_ctx_open(struct step_ctx *c, struct step *s, unsigned needs, struct mtv_err *err);
void step_ctx_release(struct step_ctx *c);

/* Read a state file that an earlier step must have written. */
int step_ctx_require_state(struct step_ctx *c, const char *file, const char *writer, cJSON **out,
			   struct mtv_err *err);

/* step_main for steps that work in a step_ctx: the context starts empty and
 * is released whatever run returns. */
typedef int (*step_ctx_run_fn)(struct step_ctx *c, struct mtv_err *err);
int step_ctx_main(struct step *s, int argc, char **argv, step_ctx_run_fn run);

/* Print doc on stdout in the step's -o format; with no format, `names`
 * (one per line), or doc as JSON when names is NULL (--dry-run). */
void step_ctx_print(struct step_ctx *c, const cJSON *doc, const char *names);

#endif
