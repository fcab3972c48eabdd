/* The source provider entry of `.providers.json`, as mtv-api-tests reads it.
 *
 * The file is a JSON object keyed by a name the user picks
 * (MTV_SOURCE_PROVIDER, e.g. "vsphere-8.0.3"); each entry has a `type`
 * (vsphere, ovirt, openstack, openshift, ova) and the connection fields that
 * type needs.  Unknown keys are kept and ignored, as mtv-api-tests does, but
 * every key that is read is type-checked and a missing required key is named
 * with the file and entry.
 */
#ifndef MTV_PROVIDERS_H
#define MTV_PROVIDERS_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "err.h"

enum provider_type {
	PROVIDER_VSPHERE,
	PROVIDER_OVIRT,
	PROVIDER_OPENSTACK,
	PROVIDER_OPENSHIFT,
	PROVIDER_OVA,
};

struct provider_entry {
	char *key;			/* the top-level key that selected it */
	enum provider_type type;
	const char *type_name;		/* "vsphere", ... */
	/* The fields below point into `doc` (owned here); "" when absent. */
	const char *version;
	const char *fqdn;
	const char *api_url;
	const char *username;
	const char *password;
	const char *guest_linux_user;
	const char *guest_linux_password;
	const char *guest_win_user;
	const char *guest_win_password;
	const char *vddk_init_image;
	/* OpenStack identity */
	const char *project_name;
	const char *user_domain_name;
	const char *region_name;
	const char *user_domain_id;
	const char *project_domain_id;
	char *url;			/* the Provider spec.url built from fqdn + api_url */
	cJSON *doc;			/* the whole parsed file */
	const cJSON *entry;		/* the selected entry inside doc */
};

/* Where the refs mount the CI secret that holds .providers.json (their
 * `credentials:` entry test-credentials/mtv-providers). */
#define PROVIDERS_CREDENTIALS_DIR "/var/run/mtv-credentials"

/* Where the providers file is, first match wins: explicit_file when set;
 * <credentials_dir>/.providers.json when it exists (the ref's credentials
 * mount; credentials_dir NULL or "" means PROVIDERS_CREDENTIALS_DIR); then
 * $CLUSTER_PROFILE_DIR/.providers.json when it exists (a cluster profile's
 * secret); else ./.providers.json, as with mtv-api-tests.  buf holds the
 * composed path when one is returned from it. */
const char *providers_path_in(const char *explicit_file, const char *credentials_dir, char *buf,
			      size_t bufsz);
/* providers_path_in with credentials_dir from $MTV_CREDENTIALS_DIR. */
const char *providers_path(const char *explicit_file, char *buf, size_t bufsz);

/* Load path and select key.  Errors (exit 2) name the file and the key:
 * missing/empty file, invalid JSON with line:column, unknown key (listing
 * the keys that exist), wrong types, unknown type, missing required fields. */
int providers_load(const char *path, const char *key, struct provider_entry *out,
		   struct mtv_err *err);
/* The same on the file's text in memory (len bytes, not necessarily
 * terminated); path names it in messages. */
int providers_load_buffer(const char *text, size_t len, const char *path, const char *key,
			  struct provider_entry *out, struct mtv_err *err);
void provider_entry_release(struct provider_entry *p);

const char *provider_type_name(enum provider_type t);
int provider_type_parse(const char *s, enum provider_type *out);

/* Does this source type support warm migration (vSphere and oVirt do)? */
int provider_supports_warm(enum provider_type t);

/* Every secret value of the entry, for redaction: the string values of
 * keys redact_key_is_secret names (password, token, client_secret, ...), at
 * any depth (so the copy-offload storage and ESXi passwords are included).  NULL-terminated,
 * pointing into p; at most max - 1 entries. */
size_t provider_secrets(const struct provider_entry *p, const char **out, size_t max);

#endif
