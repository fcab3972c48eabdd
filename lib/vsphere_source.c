#include "vsphere_source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "buf.h"
#include "json.h"
#include "log.h"
#include "providers.h"

void vsphere_source_tls_release(struct vsphere_source_tls *t)
{
	free(t->ca_pem);
	memset(t, 0, sizeof(*t));
}

/* Secret data[key] decoded, or NULL when absent or empty. */
static char *secret_value(const cJSON *secret, const char *key)
{
	char path[128];
	const char *v;
	struct buf b = BUF_INIT(1 << 20);

	snprintf(path, sizeof(path), "data[\"%s\"]", key);
	v = json_str(secret, path, NULL);
	if (!v || !*v || base64_decode(&b, v, strlen(v)) < 0 || !b.len) {
		buf_release(&b);
		return NULL;
	}
	return buf_take(&b);
}

int vsphere_source_tls_from_secret(const cJSON *secret, struct vsphere_source_tls *out, struct mtv_err *err)
{
	char *insecure;

	(void)err;
	memset(out, 0, sizeof(*out));
	/* the keys Forklift's util.GetCACert reads, in its order */
	out->ca_pem = secret_value(secret, "ca.crt");
	if (!out->ca_pem)
		out->ca_pem = secret_value(secret, "cacert");
	insecure = secret_value(secret, "insecureSkipVerify");
	out->insecure = insecure && !strcmp(insecure, "true");
	free(insecure);
	snprintf(out->from, sizeof(out->from), "Secret %s/%s", json_str(secret, "metadata.namespace", "?"),
		 json_str(secret, "metadata.name", "?"));
	return 0;
}

static int save_copy(const struct state *st, const char *provider, const struct vsphere_source_tls *t,
		     struct mtv_err *err)
{
	cJSON *doc = cJSON_CreateObject();
	int rc;

	cJSON_AddStringToObject(doc, "provider", provider);
	cJSON_AddBoolToObject(doc, "insecureSkipVerify", t->insecure);
	if (t->ca_pem)
		cJSON_AddStringToObject(doc, "caCert", t->ca_pem);
	rc = state_write_json(st, SOURCE_TLS_STATE, doc, err);
	cJSON_Delete(doc);
	return rc;
}

int vsphere_source_tls_saved(const struct state *st, struct vsphere_source_tls *out, struct mtv_err *err)
{
	cJSON *doc = NULL;
	const cJSON *ca, *ins;

	memset(out, 0, sizeof(*out));
	if (state_read_json(st, SOURCE_TLS_STATE, &doc, err) < 0)
		return -1;
	if (!doc)
		return 0;
	ca = json_get(doc, "caCert");
	ins = json_get(doc, "insecureSkipVerify");
	if ((ca && !cJSON_IsString(ca)) || (ins && !cJSON_IsBool(ins))) {
		cJSON_Delete(doc);
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s/%s: %s: expected %s", st->dir, SOURCE_TLS_STATE,
				   ca && !cJSON_IsString(ca) ? "caCert" : "insecureSkipVerify",
				   ca && !cJSON_IsString(ca) ? "string" : "boolean");
	}
	out->ca_pem = ca && *ca->valuestring ? strdup(ca->valuestring) : NULL;
	out->insecure = cJSON_IsTrue(ins);
	snprintf(out->from, sizeof(out->from), "%s/%s", st->dir, SOURCE_TLS_STATE);
	cJSON_Delete(doc);
	return 0;
}

int vsphere_source_tls_get(struct kube_client *kc, const struct state *st, const cJSON *providers_state,
			   bool save, struct vsphere_source_tls *out, struct mtv_err *err)
{
	const char *ns = json_str(providers_state, "source.namespace", ""), *name = json_str(providers_state, "source.name", "");
	cJSON *secret = NULL;
	struct mtv_err e = { 0 };

	memset(out, 0, sizeof(*out));
	if (*ns && *name && kube_get(kc, &KUBE_SECRETS, ns, name, &secret, &e) == 0) {
		int rc = vsphere_source_tls_from_secret(secret, out, err);

		cJSON_Delete(secret);
		if (rc < 0)
			return -1;
		if (save && save_copy(st, name, out, &e) < 0)
			log_warn("cannot keep a copy of the source TLS settings: %s", e.msg);
		return 0;
	}
	if (e.code >= 128 || (*ns && *name && e.http_status != 404))
		return *err = e, -1;
	if (vsphere_source_tls_saved(st, out, err) < 0)
		return -1;
	if (!*out->from)
		return mtv_err_set(err, MTV_EXIT_ENV,
				   "no TLS settings for the source vCenter: Secret %s/%s is gone and %s/%s does not exist",
				   *ns ? ns : "?", *name ? name : "?", st->dir, SOURCE_TLS_STATE);
	log_info("Secret %s/%s is gone: using the TLS settings kept in %s", ns, name, out->from);
	return 0;
}

int vsphere_source_connect(const char *providers_file, const char *key, const struct vsphere_source_tls *tls,
			   volatile sig_atomic_t *interrupt, struct vsphere_client *vc, struct mtv_err *err)
{
	struct provider_entry p;
	int rc;

	memset(vc, 0, sizeof(*vc));
	if (providers_load(providers_file, key, &p, err) < 0)
		return -1;
	if (p.type != PROVIDER_VSPHERE) {
		mtv_err_set(err, MTV_EXIT_USAGE, "%s: \"%s\": type %s, not vsphere", providers_file, key, p.type_name);
		provider_entry_release(&p);
		return -1;
	}
	rc = vsphere_client_init(vc, p.url, err);
	if (rc == 0) {
		if (interrupt)
			http_client_set_interrupt(&vc->http, interrupt);
		rc = vsphere_client_tls(vc, tls ? tls->ca_pem : NULL, tls && tls->insecure, err);
	}
	if (rc == 0)
		rc = vsphere_connect(vc, err);
	if (rc == 0)
		rc = vsphere_login(vc, p.username, p.password, err);
	if (rc < 0) {
		mtv_err_prefix(err, "vCenter %s", p.url);
		vsphere_client_release(vc);
	}
	provider_entry_release(&p);
	return rc;
}
