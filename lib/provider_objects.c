#include "provider_objects.h"

#include <string.h>

#include "base64.h"
#include "json.h"

static void add_data(cJSON *data, const char *key, const char *value)
{
	struct buf b = BUF_INIT(1 << 20);

	if (!value)
		return;
	base64_encode(&b, value, strlen(value));
	cJSON_AddStringToObject(data, key, buf_str(&b));
	buf_release(&b);
}

cJSON *source_secret_build(const struct ensure_ctx *c, const struct provider_entry *p,
			   const char *ns, const char *name, const struct source_secret_opts *o)
{
	cJSON *obj = ensure_skeleton(c, &KUBE_SECRETS, ns, name);
	cJSON *labels = json_get(obj, "metadata.labels");
	cJSON *data = cJSON_AddObjectToObject(obj, "data");
	const char *insecure = o->insecure ? "true" : "false";

	cJSON_AddStringToObject(labels, "createdForProviderType", p->type_name);
	cJSON_AddStringToObject(obj, "type", "Opaque");
	switch (p->type) {
	case PROVIDER_VSPHERE:
	case PROVIDER_OVIRT:
		add_data(data, "url", p->url);
		add_data(data, "user", p->username);
		add_data(data, "password", p->password);
		add_data(data, "insecureSkipVerify", insecure);
		break;
	case PROVIDER_OPENSTACK:
		add_data(data, "url", p->url);
		add_data(data, "username", p->username);
		add_data(data, "password", p->password);
		add_data(data, "regionName", p->region_name);
		add_data(data, "projectName", p->project_name);
		add_data(data, "domainName", p->user_domain_name);
		add_data(data, "insecureSkipVerify", insecure);
		break;
	case PROVIDER_OPENSHIFT:
		/* mtv-api-tests reuses the cluster's own connection, unverified. */
		add_data(data, "url", o->cluster_url);
		add_data(data, "token", o->cluster_token);
		add_data(data, "insecureSkipVerify", "true");
		break;
	case PROVIDER_OVA:
		add_data(data, "url", p->url);
		break;
	}
	/* Forklift's util.GetCACert reads `ca.crt` first and falls back to the
	 * legacy `cacert` (deprecated, "will be removed in Forklift v2.14");
	 * releases up to 2.11 read only `cacert`.  Both keys serve every
	 * release. */
	if (o->cacert && *o->cacert && p->type != PROVIDER_OVA && p->type != PROVIDER_OPENSHIFT) {
		add_data(data, "ca.crt", o->cacert);
		add_data(data, "cacert", o->cacert);
	}
	return obj;
}

cJSON *source_provider_build(const struct ensure_ctx *c, const struct provider_entry *p,
			     const char *ns, const char *name, const char *url)
{
	cJSON *obj = ensure_skeleton(c, &KUBE_PROVIDERS, ns, name);
	cJSON *spec = cJSON_AddObjectToObject(obj, "spec");
	cJSON *secret;

	cJSON_AddStringToObject(spec, "type", p->type_name);
	cJSON_AddStringToObject(spec, "url", url ? url : p->url);
	secret = cJSON_AddObjectToObject(spec, "secret");
	cJSON_AddStringToObject(secret, "name", name);
	cJSON_AddStringToObject(secret, "namespace", ns);
	if (p->type == PROVIDER_VSPHERE && *p->vddk_init_image) {
		cJSON *settings = cJSON_AddObjectToObject(spec, "settings");

		cJSON_AddStringToObject(settings, "vddkInitImage", p->vddk_init_image);
	}
	return obj;
}

cJSON *destination_provider_build(const struct ensure_ctx *c, const char *ns, const char *name)
{
	cJSON *obj = ensure_skeleton(c, &KUBE_PROVIDERS, ns, name);
	cJSON *spec = cJSON_AddObjectToObject(obj, "spec");

	cJSON_AddStringToObject(spec, "type", "openshift");
	cJSON_AddStringToObject(spec, "url", "");
	cJSON_AddObjectToObject(spec, "secret");
	return obj;
}

void conditions_describe(const cJSON *obj, struct buf *why, bool critical_only)
{
	const cJSON *c;
	int n = 0;

	cJSON_ArrayForEach(c, json_get(obj, "status.conditions")) {
		const char *cat = json_str(c, "category", "");
		const char *reason = json_str(c, "reason", "");

		if (critical_only && strcmp(cat, "Critical") && strcmp(cat, "Error"))
			continue;
		buf_addf(why, "%s%s=%s", n++ ? "; " : "", json_str(c, "type", "?"),
			 json_str(c, "status", "?"));
		if (*reason)
			buf_addf(why, " (%s)", reason);
		buf_addf(why, ": %s", json_str(c, "message", ""));
	}
	if (!n)
		buf_addstr(why, critical_only ? "no blocking conditions" : "no conditions");
}

enum wait_verdict provider_ready_pred(const cJSON *obj, bool deleted, void *arg, struct buf *why)
{
	const char *phase = json_str(obj, "status.phase", "");
	const cJSON *cond;

	(void)arg;
	if (deleted || !obj) {
		buf_addstr(why, "the Provider does not exist");
		return deleted && obj ? WAIT_FAILED : WAIT_NOT_YET;
	}
	if (!strcmp(phase, "Ready"))
		return WAIT_DONE;
	buf_addf(why, "phase %s; ", *phase ? phase : "(none)");
	if (!strcmp(phase, "ConnectionFailed")) {
		const char *types[] = { "ConnectionTestFailed", "ConnectionAuthFailed" };

		for (size_t i = 0; i < 2; i++) {
			cond = json_condition(json_get(obj, "status.conditions"), types[i]);
			if (cond) {
				buf_addf(why, "%s: %s", types[i], json_str(cond, "message", ""));
				return WAIT_FAILED;
			}
		}
		conditions_describe(obj, why, true);
		return WAIT_FAILED;
	}
	conditions_describe(obj, why, false);
	return WAIT_NOT_YET;
}
