/* Throw-away CAs and server certificates, made fresh at every start so the
 * files the sim writes are the only way to trust them.  Each listener gets
 * its own CA, as on a real cluster: the API server's CA (in the
 * kubeconfig), the ingress CA that signs the router's default certificate
 * (the inventory Route), and one per source provider (a vCenter's VMCA, an
 * oVirt engine CA, a Keystone's CA). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "sim.h"

static char *bio_take(BIO *b)
{
	char *data;
	long n = BIO_get_mem_data(b, &data);
	char *out = malloc((size_t)n + 1);

	if (!out)
		abort();
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	return out;
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ex;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ex)
		return -1;
	X509_add_ext(cert, ex, -1);
	X509_EXTENSION_free(ex);
	return 0;
}

static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, long serial, bool ca,
		       const char *san)
{
	X509 *c = X509_new();
	X509_NAME *name;

	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
	X509_gmtime_adj(X509_getm_notBefore(c), -3600);
	X509_gmtime_adj(X509_getm_notAfter(c), 30L * 86400);
	X509_set_pubkey(c, key);
	name = X509_get_subject_name(c);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name);
	if (ca) {
		add_ext(c, c, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(c, c, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
		add_ext(c, c, NID_subject_key_identifier, "hash");
	} else {
		add_ext(c, issuer, NID_basic_constraints, "critical,CA:FALSE");
		add_ext(c, issuer, NID_key_usage, "critical,digitalSignature,keyEncipherment");
		add_ext(c, issuer, NID_ext_key_usage, "serverAuth");
		add_ext(c, issuer, NID_subject_alt_name, san);
		add_ext(c, issuer, NID_authority_key_identifier, "keyid");
	}
	if (!X509_sign(c, issuer_key, EVP_sha256())) {
		X509_free(c);
		return NULL;
	}
	return c;
}

/* A client certificate like the one in the OpenShift installer's
 * auth/kubeconfig: CN=system:admin, O=system:masters, clientAuth. */
static int make_client(X509 *ca, EVP_PKEY *cakey, char **cert_pem, char **key_pem)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *c = key ? X509_new() : NULL;
	X509_NAME *name;
	BIO *b;
	int rc = -1;

	if (!c)
		goto out;
	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), 3);
	X509_gmtime_adj(X509_getm_notBefore(c), -3600);
	X509_gmtime_adj(X509_getm_notAfter(c), 30L * 86400);
	X509_set_pubkey(c, key);
	name = X509_get_subject_name(c);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"system:masters", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"system:admin", -1, -1, 0);
	X509_set_issuer_name(c, X509_get_subject_name(ca));
	add_ext(c, ca, NID_basic_constraints, "critical,CA:FALSE");
	add_ext(c, ca, NID_key_usage, "critical,digitalSignature,keyEncipherment");
	add_ext(c, ca, NID_ext_key_usage, "clientAuth");
	add_ext(c, ca, NID_authority_key_identifier, "keyid");
	if (!X509_sign(c, cakey, EVP_sha256()))
		goto out;
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(b, c);
	*cert_pem = bio_take(b);
	BIO_free(b);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL);
	*key_pem = bio_take(b);
	BIO_free(b);
	rc = 0;
out:
	X509_free(c);
	EVP_PKEY_free(key);
	return rc;
}

static char *pem_cert(X509 *c)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s;

	PEM_write_bio_X509(b, c);
	s = bio_take(b);
	BIO_free(b);
	return s;
}

int tls_issue(const char *ca_cn, const char *extra_dns, struct sim_tls *out, char **client_cert,
	      char **client_key, struct mtv_err *err)
{
	EVP_PKEY *cakey = EVP_EC_gen("P-256"), *key = EVP_EC_gen("P-256");
	X509 *ca = NULL, *cert = NULL;
	char san[512];
	BIO *b;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (extra_dns && *extra_dns)
		snprintf(san, sizeof(san), "IP:127.0.0.1,DNS:localhost,DNS:%s", extra_dns);
	else
		snprintf(san, sizeof(san), "IP:127.0.0.1,DNS:localhost");
	if (!cakey || !key)
		goto out;
	ca = make_cert(cakey, ca_cn, NULL, cakey, 1, true, NULL);
	if (!ca)
		goto out;
	cert = make_cert(key, "127.0.0.1", ca, cakey, 2, false, san);
	if (!cert)
		goto out;
	out->ca_pem = pem_cert(ca);
	out->cert_pem = pem_cert(cert);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL);
	out->key_pem = bio_take(b);
	BIO_free(b);
	if (client_cert && make_client(ca, cakey, client_cert, client_key))
		goto out;
	rc = 0;
out:
	if (rc)
		mtv_err_set(err, MTV_EXIT_ENV, "generating the TLS certificates for \"%s\" failed (OpenSSL)", ca_cn);
	X509_free(ca);
	X509_free(cert);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(key);
	return rc;
}

void tls_release(struct sim_tls *t)
{
	free(t->ca_pem);
	free(t->cert_pem);
	free(t->key_pem);
	memset(t, 0, sizeof(*t));
}

int tls_generate(struct sim *sim, struct mtv_err *err)
{
	struct sim_tls api;

	if (tls_issue("mtv-sim CA", NULL, &api, &sim->client_cert_pem, &sim->client_key_pem, err))
		return -1;
	sim->ca_pem = api.ca_pem;
	sim->cert_pem = api.cert_pem;
	sim->key_pem = api.key_pem;
	/* The ingress operator's CA: a reencrypt Route presents the router's
	 * certificate, never the API server's. */
	return tls_issue("ingress-operator@mtv-sim", NULL, &sim->ingress, NULL, NULL, err);
}

/* Go's crypto/x509 as Forklift uses it: every certificate in the pool is a
 * trust anchor (a pinned leaf verifies too), the chain must reach one, and
 * the leaf must name the host. */
int tls_verify_pem(const char *pool_pem, const char *leaf_pem, const char *host, char *why, size_t whysz)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	BIO *b = BIO_new_mem_buf(pool_pem, -1), *lb = BIO_new_mem_buf(leaf_pem, -1);
	X509 *c, *leaf = PEM_read_bio_X509(lb, NULL, NULL, NULL);
	int n = 0, rc = -1;

	while ((c = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
		X509_STORE_add_cert(store, c);
		X509_free(c);
		n++;
	}
	if (!n) {
		snprintf(why, whysz, "parse");
		goto out;
	}
	X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
	if (!leaf || !X509_STORE_CTX_init(ctx, store, leaf, NULL)) {
		snprintf(why, whysz, "no server certificate");
		goto out;
	}
	if (host && *host) {
		X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(ctx);

		if (strspn(host, "0123456789.") == strlen(host))
			X509_VERIFY_PARAM_set1_ip_asc(vp, host);
		else
			X509_VERIFY_PARAM_set1_host(vp, host, 0);
	}
	if (X509_verify_cert(ctx) == 1) {
		rc = 0;
	} else {
		int e = X509_STORE_CTX_get_error(ctx);

		snprintf(why, whysz, "%s",
			 e == X509_V_ERR_HOSTNAME_MISMATCH || e == X509_V_ERR_IP_ADDRESS_MISMATCH ? "name" : "unknown");
	}
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	X509_free(leaf);
	BIO_free(b);
	BIO_free(lb);
	ERR_clear_error();
	return rc;
}
