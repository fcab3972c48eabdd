#include "scenario.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fsutil.h"
#include "hooks.h"
#include "json.h"

#define CATALOG_MAX (8 * 1024 * 1024)

enum key_type {
	T_STRING,
	T_BOOL,
	T_INT,
	T_OBJECT,
	T_ARRAY,
	T_STRING_MAP_NULLABLE,	/* {"k": "v" | null}: null means the session id */
	T_STRING_OR_STRING_MAP,	/* pvc_name_template: str or {providerType: str} */
	T_HOOK,
	T_VMS,
	T_DISKS,
};

struct key_rule {
	const char *key;
	enum key_type type;
	const char *const *values;	/* allowed strings, NULL-terminated; NULL = any */
};

static const char *const on_off[] = { "on", "off", NULL };
static const char *const power_states[] = { "on", "off", "auto", NULL };
static const char *const disk_types[] = { "thin", "thick-lazy", "thick-eager", NULL };
static const char *const migration_results[] = { "fail", "succeed", NULL };
static const char *const hook_results[] = { "succeed", "fail", NULL };
static const char *const disk_modes[] = { "persistent", "independent_persistent",
					  "independent_nonpersistent", NULL };
static const char *const rdm_types[] = { "virtual", "physical", NULL };

static const struct key_rule plan_rules[] = {
	{ "virtual_machines", T_VMS, NULL },
	{ "warm_migration", T_BOOL, NULL },
	{ "copyoffload", T_BOOL, NULL },
	{ "target_power_state", T_STRING, power_states },
	{ "preserve_static_ips", T_BOOL, NULL },
	{ "guest_agent_timeout", T_INT, NULL },
	{ "migrate_shared_disks", T_BOOL, NULL },
	{ "xfs_compatibility", T_BOOL, NULL },
	{ "xfs_check", T_OBJECT, NULL },
	{ "rdm_as_lun", T_BOOL, NULL },
	{ "enable_nested_virtualization", T_BOOL, NULL },
	{ "run_preflight_inspection", T_BOOL, NULL },
	{ "vm_target_namespace", T_STRING, NULL },
	{ "multus_namespace", T_STRING, NULL },
	{ "pvc_name_template", T_STRING_OR_STRING_MAP, NULL },
	{ "pvc_name_template_use_generate_name", T_BOOL, NULL },
	{ "target_node_selector", T_STRING_MAP_NULLABLE, NULL },
	{ "target_labels", T_STRING_MAP_NULLABLE, NULL },
	{ "target_affinity", T_OBJECT, NULL },
	{ "inventory_timeout", T_INT, NULL },
	{ "clone_to_same_host", T_BOOL, NULL },
	{ "pin_to_non_dedicated_host", T_BOOL, NULL },
	{ "disable_drs_for_vms", T_BOOL, NULL },
	{ "skip_clone", T_BOOL, NULL },
	{ "per_nic_network_map", T_BOOL, NULL },
	{ "pre_hook", T_HOOK, NULL },
	{ "post_hook", T_HOOK, NULL },
	{ "expected_migration_result", T_STRING, migration_results },
	{ "check_vms_signals", T_BOOL, NULL },
	{ NULL, 0, NULL },
};

static const struct key_rule vm_rules[] = {
	{ "name", T_STRING, NULL },
	{ "source_vm_power", T_STRING, on_off },
	{ "guest_agent", T_BOOL, NULL },
	{ "clone", T_BOOL, NULL },
	{ "clone_name", T_STRING, NULL },
	{ "preserve_name_format", T_BOOL, NULL },
	{ "disk_type", T_STRING, disk_types },
	{ "add_disks", T_DISKS, NULL },
	{ "snapshots", T_INT, NULL },
	{ "target_datastore_id", T_STRING, NULL },
	{ "target_esxi_host", T_STRING, NULL },
	{ "luks", T_BOOL, NULL },
	{ "luks_passphrase", T_STRING, NULL },
	{ "migrate_shared_disks", T_BOOL, NULL },
	{ "add_nic", T_BOOL, NULL },
	{ "add_nic_start_connected", T_BOOL, NULL },
	{ "win_os", T_BOOL, NULL },
	{ NULL, 0, NULL },
};

static const struct key_rule disk_rules[] = {
	{ "size_gb", T_INT, NULL },
	{ "provision_type", T_STRING, disk_types },
	{ "disk_mode", T_STRING, disk_modes },
	{ "datastore_id", T_STRING, NULL },
	{ "datastore_path", T_STRING, NULL },
	{ "rdm_type", T_STRING, rdm_types },
	{ NULL, 0, NULL },
};

static const struct key_rule hook_rules[] = {
	{ "expected_result", T_STRING, hook_results },
	{ "playbook_base64", T_STRING, NULL },
	{ "aap_job_template_id", T_INT, NULL },
	{ NULL, 0, NULL },
};

static int check_object(const cJSON *obj, const struct key_rule *rules, const char *where,
			struct mtv_err *err);

static int bad(struct mtv_err *err, const char *where, const char *key, const char *fmt, ...)
	MTV_PRINTF(4, 5);

/* "<file>: <scenario>.<key>: <problem>" */
static int bad(struct mtv_err *err, const char *where, const char *key, const char *fmt, ...)
{
	char msg[MTV_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mtv_err_set(err, MTV_EXIT_USAGE, "%s.%s: %.700s", where, key, msg);
}

static int one_of(const char *v, const char *const *values)
{
	for (; *values; values++)
		if (!strcmp(v, *values))
			return 1;
	return 0;
}

static void join(struct buf *b, const char *const *values)
{
	for (size_t i = 0; values[i]; i++)
		buf_addf(b, "%s%s", i ? ", " : "", values[i]);
}

/* Is v an integer-valued JSON number (Python ints exported by json.dumps)? */
static int is_int(const cJSON *v)
{
	return cJSON_IsNumber(v) && v->valuedouble == (double)(long long)v->valuedouble;
}

static int check_list(const cJSON *v, const struct key_rule *rules, const char *where,
		      const char *key, int nonempty, struct mtv_err *err)
{
	char sub[512];
	const cJSON *it;
	int i = 0;

	if (!cJSON_IsArray(v))
		return bad(err, where, key, "expected list, got %s", json_type_name(v));
	if (nonempty && !cJSON_GetArraySize(v))
		return bad(err, where, key, "empty list");
	cJSON_ArrayForEach(it, v) {
		snprintf(sub, sizeof(sub), "%s.%s[%d]", where, key, i++);
		if (!cJSON_IsObject(it))
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s: expected object, got %s", sub,
					   json_type_name(it));
		if (check_object(it, rules, sub, err) < 0)
			return -1;
	}
	return 0;
}

static int check_value(const cJSON *v, const struct key_rule *r, const char *where,
		       struct mtv_err *err)
{
	const cJSON *it;
	char sub[512];

	switch (r->type) {
	case T_STRING:
		if (!cJSON_IsString(v))
			return bad(err, where, r->key, "expected string, got %s", json_type_name(v));
		if (r->values && !one_of(v->valuestring, r->values)) {
			struct buf b = BUF_INIT(1024);

			join(&b, r->values);
			bad(err, where, r->key, "\"%.200s\" is not one of %s", v->valuestring, buf_str(&b));
			buf_release(&b);
			return -1;
		}
		return 0;
	case T_BOOL:
		return cJSON_IsBool(v) ? 0 : bad(err, where, r->key, "expected boolean, got %s",
						 json_type_name(v));
	case T_INT:
		if (!is_int(v))
			return bad(err, where, r->key, "expected integer, got %s",
				   cJSON_IsNumber(v) ? "a fraction" : json_type_name(v));
		if (v->valuedouble < 0)
			return bad(err, where, r->key, "must not be negative");
		return 0;
	case T_OBJECT:
		return cJSON_IsObject(v) ? 0 : bad(err, where, r->key, "expected object, got %s",
						   json_type_name(v));
	case T_ARRAY:
		return cJSON_IsArray(v) ? 0 : bad(err, where, r->key, "expected list, got %s",
						  json_type_name(v));
	case T_STRING_MAP_NULLABLE:
	case T_STRING_OR_STRING_MAP:
		if (r->type == T_STRING_OR_STRING_MAP && cJSON_IsString(v))
			return 0;
		if (!cJSON_IsObject(v))
			return bad(err, where, r->key,
				   r->type == T_STRING_OR_STRING_MAP ? "expected string or object, got %s"
								     : "expected object, got %s",
				   json_type_name(v));
		cJSON_ArrayForEach(it, v) {
			if (cJSON_IsString(it) || (r->type == T_STRING_MAP_NULLABLE && cJSON_IsNull(it)))
				continue;
			snprintf(sub, sizeof(sub), "%s.%s", r->key, it->string);
			return bad(err, where, sub,
				   r->type == T_STRING_MAP_NULLABLE ? "expected string or null, got %s"
								    : "expected string, got %s",
				   json_type_name(it));
		}
		return 0;
	case T_HOOK: {
		int set = 0;

		if (!cJSON_IsObject(v))
			return bad(err, where, r->key, "expected object, got %s", json_type_name(v));
		snprintf(sub, sizeof(sub), "%s.%s", where, r->key);
		if (check_object(v, hook_rules, sub, err) < 0)
			return -1;
		for (const struct key_rule *h = hook_rules; h->key; h++)
			set += cJSON_GetObjectItemCaseSensitive(v, h->key) != NULL;
		if (set != 1)
			return bad(err, where, r->key,
				   "needs exactly one of expected_result, playbook_base64, aap_job_template_id");
		return 0;
	}
	case T_VMS:
		if (check_list(v, vm_rules, where, r->key, 1, err) < 0)
			return -1;
		cJSON_ArrayForEach(it, v) {
			const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");

			if (!cJSON_IsString(name) || !*name->valuestring)
				return bad(err, where, r->key, "every VM needs a \"name\"");
		}
		return 0;
	case T_DISKS:
		return check_list(v, disk_rules, where, r->key, 0, err);
	}
	return 0;
}

static int check_object(const cJSON *obj, const struct key_rule *rules, const char *where,
			struct mtv_err *err)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, obj) {
		const struct key_rule *r;

		for (r = rules; r->key && strcmp(r->key, it->string); r++)
			;
		if (!r->key)
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s: unknown key \"%s\"", where, it->string);
		if (check_value(it, r, where, err) < 0)
			return -1;
	}
	return 0;
}

int scenario_validate(const cJSON *plan, const char *where, struct mtv_err *err)
{
	if (!cJSON_IsObject(plan))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: expected object, got %s", where,
				   json_type_name(plan));
	if (!cJSON_GetObjectItemCaseSensitive(plan, "virtual_machines"))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: missing \"virtual_machines\"", where);
	if (check_object(plan, plan_rules, where, err) < 0)
		return -1;
	/* A custom playbook is checked as deeply as mtv-api-tests does, so a
	 * bad one stops the run before anything is created. */
	for (size_t i = 0; i < 2; i++) {
		const char *key = i ? "post_hook" : "pre_hook";
		const char *b64 = json_str(json_get(plan, key), "playbook_base64", NULL);
		char sub[600];

		snprintf(sub, sizeof(sub), "%s.%s", where, key);
		if (b64 && hook_playbook_check(b64, sub, err) < 0)
			return -1;
	}
	return 0;
}

void scenario_release(struct scenario *s)
{
	free(s->name);
	free(s->vms);
	cJSON_Delete(s->doc);
	memset(s, 0, sizeof(*s));
}

const cJSON *scenario_key(const struct scenario *s, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(s->plan, key);
}

int scenario_load(const char *path, const char *name, struct scenario *out, struct mtv_err *err)
{
	struct buf text = BUF_INIT(CATALOG_MAX);
	char where[600];
	const cJSON *vms, *it;
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	if (!path || !*path) {
		size_t len;
		const char *builtin = scenario_builtin_catalog(&len);

		path = "shipped tests_params.json";
		buf_add(&text, builtin, len);
	} else if (fs_read_file(path, &text, CATALOG_MAX, err) < 0) {
		buf_release(&text);
		return mtv_err_prefix(err, "scenario catalog");
	}
	if (!name || !*name) {
		buf_release(&text);
		return mtv_err_set(err, MTV_EXIT_USAGE, "MTV_SCENARIO is not set (a key of %s)", path);
	}
	if (json_parse(buf_str(&text), text.len, path, &out->doc, err) < 0) {
		buf_release(&text);
		return -1;
	}
	buf_release(&text);
	/* Accept both the bare dict and {"tests_params": {...}}, the two
	 * shapes a config.py export takes. */
	const cJSON *catalog = out->doc;
	if (cJSON_IsObject(catalog) && cJSON_GetObjectItemCaseSensitive(catalog, "tests_params"))
		catalog = cJSON_GetObjectItemCaseSensitive(catalog, "tests_params");
	if (!cJSON_IsObject(catalog)) {
		mtv_err_set(err, MTV_EXIT_USAGE, "%s: expected an object of scenarios, got %s", path,
			    json_type_name(catalog));
		goto fail;
	}
	out->plan = cJSON_GetObjectItemCaseSensitive(catalog, name);
	if (!out->plan) {
		mtv_err_set(err, MTV_EXIT_USAGE, "%s: no scenario \"%s\" (MTV_SCENARIO); %d scenarios in the file",
			    path, name, cJSON_GetArraySize(catalog));
		goto fail;
	}
	snprintf(where, sizeof(where), "%s: %s", path, name);
	if (scenario_validate(out->plan, where, err) < 0)
		goto fail;
	out->name = strdup(name);
	vms = cJSON_GetObjectItemCaseSensitive(out->plan, "virtual_machines");
	out->nvms = (size_t)cJSON_GetArraySize(vms);
	out->vms = calloc(out->nvms, sizeof(*out->vms));
	if (!out->vms || !out->name) {
		mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
		goto fail;
	}
	cJSON_ArrayForEach(it, vms) {
		out->vms[i].name = json_str(it, "name", "");
		out->vms[i].source_name = out->vms[i].name;
		out->vms[i].spec = it;
		out->vms[i].source_vm_power = json_str(it, "source_vm_power", "");
		out->vms[i].guest_agent = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "guest_agent"));
		i++;
	}
	out->warm = cJSON_IsTrue(scenario_key(out, "warm_migration"));
	out->target_power_state = json_str(out->plan, "target_power_state", "");
	out->expected_migration_result = json_str(out->plan, "expected_migration_result", "");
	return 0;
fail:
	scenario_release(out);
	return -1;
}
