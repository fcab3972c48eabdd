#include "source_facts_schema.h"

#include <stdio.h>
#include <string.h>

#include "json.h"

enum fact_type { F_STRING, F_NUMBER, F_BOOL, F_OBJECT, F_ARRAY };

struct fact_key {
	const char *key;
	enum fact_type type;
	const struct fact_key *fields;	/* F_OBJECT: its keys; F_ARRAY: its elements' (objects) */
	enum fact_type elem;		/* F_ARRAY without fields: the elements' type */
};

#define END { NULL, 0, NULL, 0 }

static const struct fact_key ref_keys[] = {
	{ "id", F_STRING, NULL, 0 }, { "name", F_STRING, NULL, 0 }, END,
};

static const struct fact_key disk_keys[] = {
	{ "label", F_STRING, NULL, 0 },
	{ "file", F_STRING, NULL, 0 },
	{ "datastore", F_OBJECT, ref_keys, 0 },
	{ "capacity_bytes", F_NUMBER, NULL, 0 },
	{ "mode", F_STRING, NULL, 0 },
	{ "provisioning", F_STRING, NULL, 0 },
	END,
};

static const struct fact_key nic_keys[] = {
	{ "label", F_STRING, NULL, 0 },
	{ "mac", F_STRING, NULL, 0 },
	{ "network", F_OBJECT, ref_keys, 0 },
	END,
};

static const struct fact_key ip_keys[] = {
	{ "ip", F_STRING, NULL, 0 }, { "origin", F_STRING, NULL, 0 }, { "mac", F_STRING, NULL, 0 }, END,
};

/* the data-integrity marker prepare-vms wrote into the guest (read back by
 * check-vms' "guest marker" case with MTV_GUEST_MARKER) */
static const struct fact_key marker_keys[] = {
	{ "path", F_STRING, NULL, 0 }, { "content", F_STRING, NULL, 0 }, END,
};

static const struct fact_key vm_keys[] = {
	{ "source", F_STRING, NULL, 0 },
	{ "name", F_STRING, NULL, 0 },
	{ "cloned", F_BOOL, NULL, 0 },
	{ "moref", F_STRING, NULL, 0 },
	{ "uuid", F_STRING, NULL, 0 },
	{ "bios_serial", F_STRING, NULL, 0 },
	{ "firmware", F_STRING, NULL, 0 },
	{ "secure_boot", F_BOOL, NULL, 0 },
	{ "cpu", F_NUMBER, NULL, 0 },
	{ "cores_per_socket", F_NUMBER, NULL, 0 },
	{ "memory_mb", F_NUMBER, NULL, 0 },
	{ "power_state", F_STRING, NULL, 0 },
	{ "guest_id", F_STRING, NULL, 0 },
	{ "cbt", F_BOOL, NULL, 0 },
	{ "disks", F_ARRAY, disk_keys, 0 },
	{ "nics", F_ARRAY, nic_keys, 0 },
	{ "guestMarker", F_OBJECT, marker_keys, 0 },
	{ "snapshots", F_ARRAY, NULL, F_STRING },
	{ "guest_ips", F_ARRAY, ip_keys, 0 },
	END,
};

static const struct fact_key top_keys[] = {
	{ "provider", F_STRING, NULL, 0 },
	{ "type", F_STRING, NULL, 0 },
	{ "session", F_STRING, NULL, 0 },
	{ "vms", F_ARRAY, vm_keys, 0 },
	END,
};

static const char *type_word(enum fact_type t)
{
	static const char *const words[] = { "string", "number", "boolean", "object", "array" };

	return words[t];
}

static bool is_type(const cJSON *n, enum fact_type t)
{
	switch (t) {
	case F_STRING: return cJSON_IsString(n);
	case F_NUMBER: return cJSON_IsNumber(n);
	case F_BOOL: return cJSON_IsBool(n);
	case F_OBJECT: return cJSON_IsObject(n);
	case F_ARRAY: return cJSON_IsArray(n);
	}
	return false;
}

static int wrong(const char *what, const char *path, enum fact_type want, const cJSON *n, struct mtv_err *err)
{
	return mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s: expected %s, got %s", what, path, type_word(want),
			   json_type_name(n));
}

/* Check the keys of obj (at path) that keys names; unknown keys are kept
 * for later versions of the file. */
static int check_object(const cJSON *obj, const struct fact_key *keys, const char *what, const char *path,
			struct mtv_err *err)
{
	for (const struct fact_key *k = keys; k->key; k++) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, k->key);
		char sub[512];
		int i = 0;

		if (!n || cJSON_IsNull(n))
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", k->key);
		if (!is_type(n, k->type))
			return wrong(what, sub, k->type, n, err);
		if (k->type == F_OBJECT && k->fields && check_object(n, k->fields, what, sub, err) < 0)
			return -1;
		if (k->type != F_ARRAY)
			continue;
		for (const cJSON *e = n->child; e; e = e->next, i++) {
			char el[560];

			snprintf(el, sizeof(el), "%s[%d]", sub, i);
			if (!is_type(e, k->fields ? F_OBJECT : k->elem))
				return wrong(what, el, k->fields ? F_OBJECT : k->elem, e, err);
			if (k->fields && check_object(e, k->fields, what, el, err) < 0)
				return -1;
		}
	}
	return 0;
}

int source_facts_check_types(const cJSON *doc, const char *what, struct mtv_err *err)
{
	const cJSON *vm;
	int i = 0;

	if (!cJSON_IsObject(doc))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: expected an object, got %s", what, json_type_name(doc));
	if (!cJSON_IsArray(json_get(doc, "vms")))
		return wrong(what, "vms", F_ARRAY, json_get(doc, "vms"), err);
	if (check_object(doc, top_keys, what, "", err) < 0)
		return -1;
	/* name is what every later step looks a VM up by */
	cJSON_ArrayForEach(vm, json_get(doc, "vms")) {
		if (!*json_str(vm, "name", ""))
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s: vms[%d].name: missing", what, i);
		i++;
	}
	return 0;
}

