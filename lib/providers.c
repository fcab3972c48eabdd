#include "providers.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "json.h"
#include "redact.h"

#define PROVIDERS_FILE_MAX (4 * 1024 * 1024)

static const char *const type_names[] = {
	[PROVIDER_VSPHERE] = "vsphere",
	[PROVIDER_OVIRT] = "ovirt",
	[PROVIDER_OPENSTACK] = "openstack",
	[PROVIDER_OPENSHIFT] = "openshift",
	[PROVIDER_OVA] = "ova",
};

/* dir/.providers.json into buf, when dir is set and that file exists. */
static bool providers_file_in(const char *dir, char *buf, size_t bufsz)
{
	return dir && *dir && snprintf(buf, bufsz, "%s/.providers.json", dir) < (int)bufsz &&
	       access(buf, F_OK) == 0;
}

const char *providers_path_in(const char *explicit_file, const char *credentials_dir, char *buf,
			      size_t bufsz)
{
	if (explicit_file && *explicit_file)
		return explicit_file;
	if (providers_file_in(credentials_dir && *credentials_dir ? credentials_dir
								  : PROVIDERS_CREDENTIALS_DIR, buf, bufsz) ||
	    providers_file_in(getenv("CLUSTER_PROFILE_DIR"), buf, bufsz))
		return buf;
	return "./.providers.json";
}

const char *providers_path(const char *explicit_file, char *buf, size_t bufsz)
{
	return providers_path_in(explicit_file, getenv("MTV_CREDENTIALS_DIR"), buf, bufsz);
}

const char *provider_type_name(enum provider_type t)
{
	return type_names[t];
}

int provider_type_parse(const char *s, enum provider_type *out)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
		if (!strcmp(s, type_names[i])) {
			*out = (enum provider_type)i;
			return 0;
		}
	}
	return -1;
}

int provider_supports_warm(enum provider_type t)
{
	return t == PROVIDER_VSPHERE || t == PROVIDER_OVIRT;
}

void provider_entry_release(struct provider_entry *p)
{
	free(p->key);
	free(p->url);
	cJSON_Delete(p->doc);
	memset(p, 0, sizeof(*p));
}

/* An optional string field: "" when absent, an error when not a string. */
static int field(const char *path, const char *key, const cJSON *entry, const char *name,
		 const char **out, struct mtv_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(entry, name);

	*out = "";
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: \"%s\".%s: expected string, got %s",
				   path, key, name, json_type_name(v));
	*out = v->valuestring;
	return 0;
}

static int require(const char *path, const struct provider_entry *p, const char *name,
		   const char *value, struct mtv_err *err)
{
	if (*value)
		return 0;
	return mtv_err_set(err, MTV_EXIT_USAGE, "%s: \"%s\".%s: required for type %s", path,
			   p->key, name, p->type_name);
}

static int list_keys(const cJSON *doc, struct buf *out)
{
	const cJSON *it;
	int n = 0;

	cJSON_ArrayForEach(it, doc) {
		buf_addf(out, "%s%s", n++ ? ", " : "", it->string);
	}
	return n;
}

static int build_url(struct provider_entry *p)
{
	struct buf b = BUF_INIT(8192);

	if (p->type == PROVIDER_OPENSHIFT) {
		/* The local cluster: Forklift's "host" convention is an empty url. */
	} else if (p->type == PROVIDER_OVA || strstr(p->api_url, "://")) {
		buf_addstr(&b, p->api_url);
	} else {
		buf_addf(&b, "https://%s%s", p->fqdn, p->api_url);
	}
	p->url = buf_take(&b);
	return p->url ? 0 : -1;
}

int providers_load(const char *path, const char *key, struct provider_entry *out,
		   struct mtv_err *err)
{
	struct buf text = BUF_INIT(PROVIDERS_FILE_MAX);
	int r;

	memset(out, 0, sizeof(*out));
	if (!key || !*key)
		return mtv_err_set(err, MTV_EXIT_USAGE,
				   "MTV_SOURCE_PROVIDER is not set (the key of %s to use)", path);
	if (fs_read_file(path, &text, PROVIDERS_FILE_MAX, err) < 0) {
		buf_release(&text);
		return mtv_err_prefix(err, "providers file");
	}
	r = providers_load_buffer(buf_str(&text), text.len, path, key, out, err);
	buf_release(&text);
	return r;
}

int providers_load_buffer(const char *text, size_t len, const char *path, const char *key,
			  struct provider_entry *out, struct mtv_err *err)
{
	const cJSON *entry;
	const char *type = "";
	struct {
		const char *name;
		const char **dst;
	} fields[] = {
		{ "version", &out->version },
		{ "fqdn", &out->fqdn },
		{ "api_url", &out->api_url },
		{ "username", &out->username },
		{ "password", &out->password },
		{ "guest_vm_linux_user", &out->guest_linux_user },
		{ "guest_vm_linux_password", &out->guest_linux_password },
		{ "guest_vm_win_user", &out->guest_win_user },
		{ "guest_vm_win_password", &out->guest_win_password },
		{ "vddk_init_image", &out->vddk_init_image },
		{ "project_name", &out->project_name },
		{ "user_domain_name", &out->user_domain_name },
		{ "region_name", &out->region_name },
		{ "user_domain_id", &out->user_domain_id },
		{ "project_domain_id", &out->project_domain_id },
	};

	memset(out, 0, sizeof(*out));
	if (!key || !*key)
		return mtv_err_set(err, MTV_EXIT_USAGE,
				   "MTV_SOURCE_PROVIDER is not set (the key of %s to use)", path);
	if (json_parse(text, len, path, &out->doc, err) < 0)
		return -1;
	if (!cJSON_IsObject(out->doc)) {
		mtv_err_set(err, MTV_EXIT_USAGE, "%s: expected a JSON object keyed by provider name, got %s",
			    path, json_type_name(out->doc));
		goto fail;
	}
	if (!out->doc->child) {
		mtv_err_set(err, MTV_EXIT_USAGE, "%s: no providers in the file", path);
		goto fail;
	}
	entry = cJSON_GetObjectItemCaseSensitive(out->doc, key);
	if (!entry) {
		struct buf keys = BUF_INIT(8192);

		list_keys(out->doc, &keys);
		mtv_err_set(err, MTV_EXIT_USAGE, "%s: no provider \"%s\" (MTV_SOURCE_PROVIDER); keys: %s",
			    path, key, buf_str(&keys));
		buf_release(&keys);
		goto fail;
	}
	out->key = strdup(key);
	out->entry = entry;
	if (!cJSON_IsObject(entry)) {
		mtv_err_set(err, MTV_EXIT_USAGE, "%s: \"%s\": expected object, got %s", path, key,
			    json_type_name(entry));
		goto fail;
	}
	if (field(path, key, entry, "type", &type, err) < 0)
		goto fail;
	if (!*type) {
		mtv_err_set(err, MTV_EXIT_USAGE, "%s: \"%s\".type: missing", path, key);
		goto fail;
	}
	if (provider_type_parse(type, &out->type) < 0) {
		mtv_err_set(err, MTV_EXIT_USAGE,
			    "%s: \"%s\".type: unknown provider type \"%s\" (expected vsphere, ovirt, openstack, openshift or ova)",
			    path, key, type);
		goto fail;
	}
	out->type_name = type_names[out->type];
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (field(path, key, entry, fields[i].name, fields[i].dst, err) < 0)
			goto fail;

	switch (out->type) {
	case PROVIDER_OPENSTACK:
		if (require(path, out, "project_name", out->project_name, err) < 0 ||
		    require(path, out, "user_domain_name", out->user_domain_name, err) < 0 ||
		    require(path, out, "region_name", out->region_name, err) < 0)
			goto fail;
		/* also needs the common connection fields */
		__attribute__((fallthrough));
	case PROVIDER_VSPHERE:
	case PROVIDER_OVIRT:
		if (require(path, out, "api_url", out->api_url, err) < 0 ||
		    (!strstr(out->api_url, "://") && require(path, out, "fqdn", out->fqdn, err) < 0) ||
		    require(path, out, "username", out->username, err) < 0 ||
		    require(path, out, "password", out->password, err) < 0)
			goto fail;
		break;
	case PROVIDER_OVA:
		if (require(path, out, "api_url", out->api_url, err) < 0)
			goto fail;
		break;
	case PROVIDER_OPENSHIFT:
		break;
	}
	if (build_url(out) < 0) {
		mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
		goto fail;
	}
	return 0;
fail:
	provider_entry_release(out);
	return -1;
}

static void collect_secrets(const cJSON *node, const char **out, size_t max, size_t *n)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, node) {
		if (*n + 1 >= max)
			return;
		if (cJSON_IsString(it) && *it->valuestring && it->string && redact_key_is_secret(it->string))
			out[(*n)++] = it->valuestring;
		else if (cJSON_IsObject(it) || cJSON_IsArray(it))
			collect_secrets(it, out, max, n);
	}
}

size_t provider_secrets(const struct provider_entry *p, const char **out, size_t max)
{
	size_t n = 0;

	if (!max)
		return 0;
	if (p->entry)
		collect_secrets(p->entry, out, max, &n);
	out[n] = NULL;
	return n;
}
