/* A throw-away CA and server certificate, made fresh at every start so the
 * kubeconfig the sim writes is the only way to trust it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, long serial, bool ca)
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
		add_ext(c, issuer, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
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
static int make_client(struct sim *sim, X509 *ca, EVP_PKEY *cakey)
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
	sim->client_cert_pem = bio_take(b);
	BIO_free(b);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL);
	sim->client_key_pem = bio_take(b);
	BIO_free(b);
	rc = 0;
out:
	X509_free(c);
	EVP_PKEY_free(key);
	return rc;
}

int tls_generate(struct sim *sim, struct mtv_err *err)
{
	EVP_PKEY *cakey = EVP_EC_gen("P-256"), *key = EVP_EC_gen("P-256");
	X509 *ca = NULL, *cert = NULL;
	BIO *b;
	int rc = -1;

	if (!cakey || !key)
		goto out;
	ca = make_cert(cakey, "mtv-sim CA", NULL, cakey, 1, true);
	if (!ca)
		goto out;
	cert = make_cert(key, "127.0.0.1", ca, cakey, 2, false);
	if (!cert)
		goto out;
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(b, ca);
	sim->ca_pem = bio_take(b);
	BIO_free(b);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(b, cert);
	sim->cert_pem = bio_take(b);
	BIO_free(b);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL);
	sim->key_pem = bio_take(b);
	BIO_free(b);
	if (make_client(sim, ca, cakey))
		goto out;
	rc = 0;
out:
	if (rc)
		mtv_err_set(err, MTV_EXIT_ENV, "generating the TLS certificates failed (OpenSSL)");
	X509_free(ca);
	X509_free(cert);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(key);
	return rc;
}
