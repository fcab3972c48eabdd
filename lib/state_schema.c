#include "state_schema.h"

#include <string.h>

#include "json_schema.h"

/* Required is what a reader cannot do without; the rest is checked for its
 * type when present.  Keep these tables beside the writers' documents:
 * create-provider (providers), storagemap/networkmap (maps), plan,
 * migrate (migration), lib/cluster_edits (edits), lib/state (ledger). */

#define S(k, req) { k, JSON_STRING, req, NULL, JSON_ANY }
#define B(k) { k, JSON_BOOL, false, NULL, JSON_ANY }
#define O(k, req, f) { k, JSON_OBJECT, req, f, JSON_ANY }
#define A(k, req, f) { k, JSON_ARRAY, req, f, JSON_ANY }
#define A_OF(k, req, kind) { k, JSON_ARRAY, req, NULL, kind }
#define ANY(k) { k, JSON_ANY, false, NULL, JSON_ANY }

static const struct json_key provider_source[] = {
	S("name", true), S("namespace", false), S("uid", true), S("type", true), S("key", false),
	JSON_KEYS_END,
};
static const struct json_key provider_destination[] = {
	S("name", true), S("namespace", false), S("type", false), JSON_KEYS_END,
};
static const struct json_key providers[] = {
	O("source", true, provider_source), O("destination", true, provider_destination),
	S("session", false), JSON_KEYS_END,
};

static const struct json_key storage_map[] = {
	S("name", true), S("namespace", true), S("storageClass", false), JSON_KEYS_END,
};
static const struct json_key network_map[] = {
	S("name", true), S("namespace", true), S("nadNamespace", false),
	A_OF("nads", false, JSON_STRING), JSON_KEYS_END,
};
static const struct json_key maps[] = {
	O("storageMap", false, storage_map), O("networkMap", false, network_map), JSON_KEYS_END,
};

static const struct json_key plan_vm[] = {
	S("id", false), S("name", true), S("sourcePower", false), S("expectedPower", false),
	S("plan", false), JSON_KEYS_END,
};
static const struct json_key plan_ref[] = {
	S("name", true), S("uid", false), JSON_KEYS_END,
};
static const struct json_key plan[] = {
	S("name", true), S("namespace", true), S("uid", false), S("vmNamespace", false),
	S("scenario", false), B("warm"), S("selectedNode", false), S("expectedResult", false),
	S("expectedFailedStep", false), A("vms", true, plan_vm), A("plans", false, plan_ref), JSON_KEYS_END,
};

static const struct json_key migration_vm[] = {
	S("id", false), S("name", false), S("phase", false), S("result", false),
	S("failedStep", false), S("error", false), S("plan", false), JSON_KEYS_END,
};
/* one per Plan when mtv-plan made several */
static const struct json_key migration_entry[] = {
	S("name", true), S("plan", true), S("result", true), S("started", false), S("completed", false),
	B("expectedFailure"), B("checkVms"), JSON_KEYS_END,
};
static const struct json_key migration[] = {
	S("name", true), S("namespace", true), S("plan", false), S("result", true),
	S("started", false), S("completed", false), B("expectedFailure"), B("checkVms"),
	A("vms", false, migration_vm), A("migrations", false, migration_entry), JSON_KEYS_END,
};

static const struct json_key edit[] = {
	S("kind", true), S("apiVersion", true), S("name", true), S("namespace", false),
	S("path", true), ANY("previous"), ANY("value"), S("step", false), JSON_KEYS_END,
};
static const struct json_key edits[] = {
	A("edits", true, edit), JSON_KEYS_END,
};

/* mtv-guest-checks.json (check-vms, for gather; lib/guest_checks.h) */
static const struct json_key guest_command[] = {
	S("command", true), ANY("exitStatus"), S("stdout", false), S("stderr", false), B("truncated"),
	S("error", false), JSON_KEYS_END,
};
static const struct json_key guest_vm[] = {
	S("name", true), S("destination", false), B("failed"), S("hostKey", false), S("error", false),
	A("commands", false, guest_command), JSON_KEYS_END,
};
static const struct json_key guest_checks[] = {
	A("vms", true, guest_vm), JSON_KEYS_END,
};

/* mtv-check-results.json (check-vms, for the report; steps/check-vms/results_state.c) */
#define N(k) { k, JSON_NUMBER, false, NULL, JSON_ANY }
static const struct json_key check_result[] = {
	S("c", true), S("exp", false), S("act", false), S("m", false), JSON_KEYS_END,
};
static const struct json_key check_vm[] = {
	S("vm", true), S("plan", false), A_OF("pass", false, JSON_STRING), N("passed"),
	A("fail", false, check_result), A("skip", false, check_result), JSON_KEYS_END,
};
static const struct json_key check_total[] = {
	N("pass"), N("fail"), N("skip"), JSON_KEYS_END,
};
static const struct json_key check_results[] = {
	A("vms", true, check_vm), O("total", false, check_total), B("truncated"), JSON_KEYS_END,
};

/* mtv-teardown-leftovers.json (teardown; steps/teardown/report.c) */
static const struct json_key leftover[] = {
	S("kind", true), S("namespace", false), S("name", true), S("result", false), S("why", false),
	JSON_KEYS_END,
};
static const struct json_key leftovers[] = {
	A("objects", true, leftover), N("leftovers"), JSON_KEYS_END,
};

/* mtv-report.json (gather, for teardown; lib/report.h) */
static const struct json_key report_step[] = {
	S("n", true), S("p", false), S("s", false), S("c", false), S("e", false), N("pc"), N("pt"),
	JSON_KEYS_END,
};
static const struct json_key report_vm[] = {
	S("name", true), S("id", false), S("phase", false), B("failed"), S("started", false),
	S("completed", false), N("seconds"), S("failedStep", false), S("error", false),
	A("steps", false, report_step), A_OF("pre", false, JSON_ARRAY), JSON_KEYS_END,
};
static const struct json_key report_plan[] = {
	S("name", true), S("namespace", false), S("source", false), S("destination", false),
	S("targetNamespace", false), B("warm"), S("phase", false), S("migration", false), S("started", false),
	S("completed", false), N("vmCount"), N("failedCount"), N("omitted"), A("vms", false, report_vm),
	JSON_KEYS_END,
};
static const struct json_key report[] = {
	N("version"), S("session", false), A("plans", true, report_plan), O("checks", false, check_results),
	A_OF("logs", false, JSON_STRING), JSON_KEYS_END,
};

/* mtv-resources.json: {"<Kind>": [entry...], ...} */
static const struct json_key ledger_entry[] = {
	S("name", true), S("namespace", false), S("apiVersion", false), S("step", false),
	JSON_KEYS_END,
};
static const struct json_key ledger[] = {
	A("*", false, ledger_entry), JSON_KEYS_END,
};

static const struct {
	const char *file;
	const struct json_key *schema;
} files[] = {
	{ "mtv-providers.json", providers },
	{ "mtv-maps.json", maps },
	{ "mtv-plan.json", plan },
	{ "mtv-migration.json", migration },
	{ "mtv-edits.json", edits },
	{ "mtv-resources.json", ledger },
	{ "mtv-guest-checks.json", guest_checks },
	{ "mtv-check-results.json", check_results },
	{ "mtv-teardown-leftovers.json", leftovers },
	{ "mtv-report.json", report },
};

int state_schema_check(const char *name, const cJSON *doc, const char *what, struct mtv_err *err)
{
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (!strcmp(files[i].file, name))
			return json_schema_check(doc, files[i].schema, what, err);
	return 0;
}
