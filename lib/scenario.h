/* Scenarios: mtv-api-tests' `tests_params` dict, as JSON.
 *
 * The catalog maps a scenario name (test_sanity_cold_mtv_migration) to a
 * raw plan: `virtual_machines` plus plan-level keys.  A user's config.py
 * tests_params exported with json.dumps must load unchanged, so key names,
 * types and meanings are mtv-api-tests'.  Every key is checked against a
 * table: unknown keys, wrong types and values outside their set fail with the
 * file, the scenario and the key path in the message.
 */
#ifndef MTV_SCENARIO_H
#define MTV_SCENARIO_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include "err.h"

struct scenario_vm {
	/* The VM the later steps work on: the source VM, or after
	 * mtv-prepare-vms its clone (lib/source_facts.h substitutes it). */
	const char *name;
	const char *source_name;	/* the name the scenario gives */
	const cJSON *spec;		/* its entry in virtual_machines */
	const char *source_vm_power;	/* "on", "off" or "" (leave as is) */
	bool guest_agent;
};

struct scenario {
	char *name;
	cJSON *doc;			/* the whole catalog */
	const cJSON *plan;		/* the selected raw plan inside doc */
	struct scenario_vm *vms;
	size_t nvms;
	bool warm;
	const char *target_power_state;	/* "" when unset */
	const char *expected_migration_result;	/* "" or "fail" */
};

/* Load path and select name; the whole selected scenario is validated.
 * An empty path means the shipped catalog built into the binary. */
int scenario_load(const char *path, const char *name, struct scenario *out, struct mtv_err *err);

/* The shipped catalog (shared/tests_params.json at build time). */
const char *scenario_builtin_catalog(size_t *len);
void scenario_release(struct scenario *s);

/* Validate one raw plan (used by scenario_load; exposed for tests and for
 * `lint`-style checks of a whole catalog).  where prefixes messages. */
int scenario_validate(const cJSON *plan, const char *where, struct mtv_err *err);

/* The plan-level value at key, or NULL. */
const cJSON *scenario_key(const struct scenario *s, const char *key);

#endif
