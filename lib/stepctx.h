/* The one context every step runs in: the step itself, the session, the
 * providers mtv-create-provider created, the scenario, a cluster connection
 * and the source inventory.  step_ctx_main makes it, step_ctx_open loads
 * what a step asks for (with one set of error messages) and step_ctx_main
 * releases whatever was opened; steps receive it and never re-derive any
 * of it.  A step-specific struct embeds or points to it. */
#ifndef MTV_STEPCTX_H
#define MTV_STEPCTX_H

#include <cjson/cJSON.h>

#include "ensure.h"
#include "inventory.h"
#include "kube.h"
#include "maps.h"
#include "plan_objects.h"
#include "scenario.h"
#include "session.h"
#include "source_vms.h"
#include "step.h"

#define PROVIDERS_STATE "mtv-providers.json"
#define MAPS_STATE "mtv-maps.json"
#define PLAN_STATE "mtv-plan.json"
#define MIGRATION_STATE "mtv-migration.json"

enum {
	CTX_SESSION = 1 << 0,	/* mtv-session.json, which must exist */
	CTX_SCENARIO = 1 << 1,	/* MTV_TESTS_PARAMS + MTV_SCENARIO (+ mtv-source-vms.json) */
	CTX_PROVIDERS = 1 << 2,	/* mtv-providers.json (implies CTX_SESSION) */
	CTX_CLUSTER = 1 << 3,	/* a kube client */
	CTX_INVENTORY = 1 << 4,	/* the inventory (implies the three above) */
	/* The session when there is one (have_session says): for the steps
	 * that run before it exists or must run whatever state it is in. */
	CTX_SESSION_IF_ANY = 1 << 5,
};

struct step_ctx {
	struct step *step;		/* the step being run */
	/* Filled by create-provider, or loaded by CTX_SESSION(_IF_ANY). */
	struct session session;
	int have_session;
	struct scenario scenario;
	struct kube_client kc;
	struct ensure_ctx ensure;
	struct inventory inv;
	struct source_ctx source;
	cJSON *providers;		/* mtv-providers.json */
	/* mtv-source-vms.json when mtv-prepare-vms wrote it: CTX_SCENARIO
	 * then names its VMs (lib/source_facts.h) unless keep_source_names
	 * (mtv-prepare-vms itself, which works from the scenario's names). */
	cJSON *source_vms;
	bool keep_source_names;
	const char *source_name;	/* source Provider */
	const char *source_uid;
	const char *dest_name;		/* destination Provider */
	const char *ns;			/* target namespace (maps, plan) */
	enum provider_type type;
	unsigned opened;		/* CTX_* loaded so far */
};

/* The scenario parameters every scenario-driven step declares. */
#define STEP_SCENARIO_PARAMS \
	{ "MTV_TESTS_PARAMS", "tests-params", NULL, \
	  "scenario catalog: mtv-api-tests tests_params as JSON [default: the shipped catalog]", 0, NULL }, \
	{ "MTV_SCENARIO", "scenario", "test_sanity_cold_mtv_migration", \
	  "the scenario (a key of the catalog)", 0, NULL }

/* Where the .providers.json comes from, for the steps that read it (why
 * they read it goes in use, e.g. " for the vCenter credentials"); see
 * lib/providers.h providers_path_in for the order of the places. */
#define STEP_PROVIDERS_FILE_PARAMS(use) \
	{ "MTV_PROVIDERS_FILE", "providers-file", NULL, \
	  "the .providers.json file (mtv-api-tests format)" use " [default: the one in\n" \
	  "      MTV_CREDENTIALS_DIR, else in $CLUSTER_PROFILE_DIR, whichever exists first, else\n" \
	  "      ./.providers.json]", 0, NULL }, \
	{ "MTV_CREDENTIALS_DIR", "credentials-dir", PROVIDERS_CREDENTIALS_DIR, \
	  "where the ref's credentials mount holds .providers.json (the CI secret\n" \
	  "      test-credentials/mtv-providers)", 0, NULL }

/* The providers file the step's STEP_PROVIDERS_FILE_PARAMS name; buf holds
 * the path when it is composed. */
const char *step_providers_path(struct step *s, char *buf, size_t bufsz);

/* Load what `needs` asks for and is not loaded yet (a step may open more
 * later, e.g. the cluster only once its input is checked).  Input problems
 * (no session, corrupt state, unknown scenario) fail with MTV_EXIT_USAGE
 * before the cluster is touched.  A part that fails is not opened. */
int step_ctx_open(struct step_ctx *c, unsigned needs, struct mtv_err *err);

/* Read a state file that an earlier step must have written. */
int step_ctx_require_state(struct step_ctx *c, const char *file, const char *writer, cJSON **out,
			   struct mtv_err *err);

/* step_main for every step: run gets a context holding the step (the
 * ensure context already points at its session and client, which fill in
 * as they are opened) and everything opened is released whatever run
 * returns. */
typedef int (*step_ctx_run_fn)(struct step_ctx *c, struct mtv_err *err);
int step_ctx_main(struct step *s, int argc, char **argv, step_ctx_run_fn run);

/* The inputs of the lib builders (maps.h, plan_objects.h), pointing into c. */
struct map_in step_ctx_map_in(const struct step_ctx *c);
struct plan_in step_ctx_plan_in(const struct step_ctx *c);

/* Print doc on stdout in the step's -o format; with no format, `names`
 * (one per line), or doc as JSON when names is NULL (--dry-run). */
void step_ctx_print(struct step_ctx *c, const cJSON *doc, const char *names);

#endif
