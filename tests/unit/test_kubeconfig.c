/* kubeconfig parsing: every auth form, merged KUBECONFIG lists, context
 * selection, in-cluster config, and bad input that must name file and key
 * without leaking secrets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kubeconfig.h"

static char dir[256];

static void write_file(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *path_of(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_kubeconfig.XXXXXX");
	assert_non_null(mkdtemp(dir));
	unsetenv("MTV_KUBE_CONTEXT");
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* "-----BEGIN CERTIFICATE-----\nCA\n" and friends, base64 encoded. */
#define CA_B64 "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCkNBCg=="
#define CERT_B64 "Q0VSVC1QRU0K"	/* "CERT-PEM\n" */
#define KEY_B64 "S0VZLVBFTQo="		/* "KEY-PEM\n" */

static const char *const full =
	"apiVersion: v1\n"
	"kind: Config\n"
	"clusters:\n"
	"- name: prod\n"
	"  cluster:\n"
	"    server: https://api.prod:6443\n"
	"    certificate-authority-data: " CA_B64 "\n"
	"- name: lab\n"
	"  cluster:\n"
	"    server: https://api.lab:6443\n"
	"    insecure-skip-tls-verify: true\n"
	"users:\n"
	"- name: tok\n"
	"  user:\n"
	"    token: sha256~secrettoken\n"
	"- name: cert\n"
	"  user:\n"
	"    client-certificate-data: " CERT_B64 "\n"
	"    client-key-data: " KEY_B64 "\n"
	"contexts:\n"
	"- name: a\n"
	"  context: {cluster: prod, user: tok, namespace: mtv}\n"
	"- name: b\n"
	"  context: {cluster: lab, user: cert}\n"
	"current-context: a\n";

static void test_token_and_ca_data(void **state)
{
	struct kubeconfig kc;
	struct mtv_err err;

	(void)state;
	assert_int_equal(kubeconfig_load_buffer(&kc, full, strlen(full), "mem", NULL, NULL, &err), 0);
	assert_string_equal(kc.server, "https://api.prod:6443");
	assert_string_equal(kc.namespace, "mtv");
	assert_string_equal(kc.context, "a");
	assert_string_equal(kc.token, "sha256~secrettoken");
	assert_string_equal(kc.ca_pem, "-----BEGIN CERTIFICATE-----\nCA\n");
	assert_int_equal(kc.ca_len, 31);
	assert_null(kc.cert_pem);
	assert_false(kc.insecure);
	kubeconfig_release(&kc);
}

static void test_client_cert_data_and_insecure(void **state)
{
	struct kubeconfig kc;
	struct mtv_err err;

	(void)state;
	assert_int_equal(kubeconfig_load_buffer(&kc, full, strlen(full), "mem", NULL, "b", &err), 0);
	assert_string_equal(kc.server, "https://api.lab:6443");
	assert_true(kc.insecure);
	assert_string_equal(kc.cert_pem, "CERT-PEM\n");
	assert_string_equal(kc.key_pem, "KEY-PEM\n");
	assert_null(kc.token);
	assert_null(kc.namespace);
	kubeconfig_release(&kc);
}

static void test_context_from_env(void **state)
{
	struct kubeconfig kc;
	struct mtv_err err;

	(void)state;
	setenv("MTV_KUBE_CONTEXT", "b", 1);
	assert_int_equal(kubeconfig_load_buffer(&kc, full, strlen(full), "mem", NULL, NULL, &err), 0);
	assert_string_equal(kc.context, "b");
	kubeconfig_release(&kc);
	/* an explicit --context beats the environment */
	assert_int_equal(kubeconfig_load_buffer(&kc, full, strlen(full), "mem", NULL, "a", &err), 0);
	assert_string_equal(kc.context, "a");
	kubeconfig_release(&kc);
	unsetenv("MTV_KUBE_CONTEXT");
}

static void test_files_relative_to_kubeconfig(void **state)
{
	struct kubeconfig kc;
	struct mtv_err err;

	(void)state;
	write_file("ca.crt", "CA-FROM-FILE\n");
	write_file("c.crt", "CERT-FROM-FILE\n");
	write_file("c.key", "KEY-FROM-FILE\n");
	write_file("tok", "file-token\n");
	write_file("config", "clusters:\n- name: c\n  cluster:\n    server: https://x:1\n"
			     "    certificate-authority: ca.crt\n"
			     "users:\n- name: u\n  user:\n    client-certificate: c.crt\n"
			     "    client-key: c.key\n    tokenFile: tok\n"
			     "contexts:\n- name: x\n  context:\n    cluster: c\n    user: u\n"
			     "current-context: x\n");
	assert_int_equal(kubeconfig_load(&kc, path_of("config"), NULL, &err), 0);
	assert_string_equal(kc.ca_pem, "CA-FROM-FILE\n");
	assert_string_equal(kc.cert_pem, "CERT-FROM-FILE\n");
	assert_string_equal(kc.key_pem, "KEY-FROM-FILE\n");
	assert_string_equal(kc.token, "file-token");
	assert_string_equal(kc.token_file, path_of("tok"));
	/* A rotated token is picked up. */
	write_file("tok", "rotated\n");
	assert_int_equal(kubeconfig_reload_token(&kc, &err), 1);
	assert_string_equal(kc.token, "rotated");
	assert_int_equal(kubeconfig_reload_token(&kc, &err), 0);
	kubeconfig_release(&kc);
}

static void test_merged_list_first_wins(void **state)
{
	struct kubeconfig kc;
	struct mtv_err err;
	char list[1600];

	(void)state;
	write_file("one", "clusters:\n- name: c\n  cluster: {server: 'https://first:1'}\n"
			  "contexts:\n- name: x\n  context: {cluster: c, namespace: from-one}\n");
	write_file("two", "clusters:\n- name: c\n  cluster: {server: 'https://second:1'}\n"
			  "- name: d\n  cluster: {server: 'https://d:1'}\n"
			  "users:\n- name: u\n  user: {token: t2}\n"
			  "contexts:\n- name: x\n  context: {cluster: d}\n"
			  "- name: y\n  context: {cluster: d, user: u}\n"
			  "current-context: x\n");
	write_file("three", "current-context: y\n");
	/* Missing files in the list are skipped, like kubectl does. */
	snprintf(list, sizeof(list), "%s::%s:%s:%s", path_of("nope"), path_of("one"),
		 path_of("two"), path_of("three"));
	assert_int_equal(kubeconfig_load(&kc, list, NULL, &err), 0);
	/* current-context from the first file that has one (two), context x
	 * from the first file defining it (one), cluster c from one. */
	assert_string_equal(kc.context, "x");
	assert_string_equal(kc.server, "https://first:1");
	assert_string_equal(kc.namespace, "from-one");
	kubeconfig_release(&kc);
	/* a context defined only in a later file, with a user from it */
	assert_int_equal(kubeconfig_load(&kc, list, "y", &err), 0);
	assert_string_equal(kc.server, "https://d:1");
	assert_string_equal(kc.token, "t2");
	kubeconfig_release(&kc);
}

static void test_missing_context_lists_known_ones(void **state)
{
	struct kubeconfig kc;
	struct mtv_err err;

	(void)state;
	assert_int_equal(kubeconfig_load_buffer(&kc, full, strlen(full), "/x/config", NULL, "foo",
						&err), -1);
	assert_int_equal(err.code, MTV_EXIT_USAGE);
	assert_string_equal(err.msg, "kubeconfig /x/config: context \"foo\" not found (contexts: a, b)");
}

static void test_bad_references(void **state)
{
	const char *y = "clusters:\n- name: c\n  cluster: {server: 'https://x'}\n"
			"contexts:\n- name: x\n  context: {cluster: nope, user: u}\n"
			"- name: y\n  context: {cluster: c, user: ghost}\n"
			"- name: z\n  context: {user: u}\n"
			"current-context: x\n";
	struct kubeconfig kc;
	struct mtv_err err;

	(void)state;
	assert_int_equal(kubeconfig_load_buffer(&kc, y, strlen(y), "K", NULL, NULL, &err), -1);
	assert_string_equal(err.msg, "kubeconfig K: contexts[name=x].cluster: cluster \"nope\" not found (clusters: c)");
	assert_int_equal(kubeconfig_load_buffer(&kc, y, strlen(y), "K", NULL, "y", &err), -1);
	assert_string_equal(err.msg, "kubeconfig K: contexts[name=y].user: user \"ghost\" not found (users: none)");
	assert_int_equal(kubeconfig_load_buffer(&kc, y, strlen(y), "K", NULL, "z", &err), -1);
	assert_string_equal(err.msg, "kubeconfig K: contexts[name=z].cluster: missing");
	assert_int_equal(err.code, MTV_EXIT_USAGE);
}

static void test_malformed_yaml(void **state)
{
	const char *y = "clusters:\n- name: c\n  cluster: {server: x\nusers: [\n";
	struct kubeconfig kc;
	struct mtv_err err;

	(void)state;
	assert_int_equal(kubeconfig_load_buffer(&kc, y, strlen(y), "/k/bad", NULL, NULL, &err), -1);
	assert_int_equal(err.code, MTV_EXIT_USAGE);
	assert_non_null(strstr(err.msg, "kubeconfig /k/bad:4:6: did not find expected ',' or '}'"));
	assert_int_equal(kubeconfig_load_buffer(&kc, "- a\n- b\n", 8, "/k/seq", NULL, NULL, &err), -1);
	assert_string_equal(err.msg, "kubeconfig /k/seq: expected a mapping at the top level");
	/* no current-context at all */
	assert_int_equal(kubeconfig_load_buffer(&kc, "", 0, "/k/empty", NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "kubeconfig /k/empty: current-context: not set"));
}

/* client-go reads kubeconfigs with anchors and aliases; so do we. */
static void test_anchors_and_aliases(void **state)
{
	const char *y = "clusters:\n- name: c\n  cluster: &cl {server: 'https://x'}\n"
			"- name: d\n  cluster: *cl\n"
			"contexts:\n- name: x\n  context: {cluster: d, user: u}\n"
			"users:\n- name: u\n  user: {token: abc}\ncurrent-context: x\n";
	struct kubeconfig kc;
	struct mtv_err err;

	(void)state;
	assert_int_equal(kubeconfig_load_buffer(&kc, y, strlen(y), "/k/a", NULL, NULL, &err), 0);
	assert_string_equal(kc.server, "https://x");
	assert_string_equal(kc.token, "abc");
	kubeconfig_release(&kc);
	assert_int_equal(kubeconfig_load_buffer(&kc, "a: *nope\n", 9, "/k/u", NULL, NULL, &err), -1);
	assert_string_equal(err.msg, "kubeconfig /k/u:1:4: found undefined alias nope");
}

static void test_missing_file(void **state)
{
	struct kubeconfig kc;
	struct mtv_err err;
	char list[1100];

	(void)state;
	assert_int_equal(kubeconfig_load(&kc, path_of("absent"), NULL, &err), -1);
	assert_int_equal(err.code, MTV_EXIT_USAGE);
	snprintf(list, sizeof(list), "kubeconfig %s: No such file or directory", path_of("absent"));
	assert_string_equal(err.msg, list);
}

static void test_empty_token_file_and_unreadable_ca(void **state)
{
	struct kubeconfig kc;
	struct mtv_err err;
	char want[1200];

	(void)state;
	write_file("empty", "\n");
	write_file("k1", "clusters:\n- name: c\n  cluster: {server: 'https://x'}\n"
			 "users:\n- name: u\n  user: {tokenFile: empty}\n"
			 "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n");
	assert_int_equal(kubeconfig_load(&kc, path_of("k1"), NULL, &err), -1);
	assert_int_equal(err.code, MTV_EXIT_USAGE);
	snprintf(want, sizeof(want), "kubeconfig %s: users[name=u].tokenFile %s: is empty",
		 path_of("k1"), path_of("empty"));
	assert_string_equal(err.msg, want);

	write_file("k2", "clusters:\n- name: c\n  cluster: {server: 'https://x', certificate-authority: /no/ca.crt}\n"
			 "contexts:\n- name: x\n  context: {cluster: c}\ncurrent-context: x\n");
	assert_int_equal(kubeconfig_load(&kc, path_of("k2"), NULL, &err), -1);
	snprintf(want, sizeof(want),
		 "kubeconfig %s: clusters[name=c].certificate-authority: /no/ca.crt No such file or directory",
		 path_of("k2"));
	assert_string_equal(err.msg, want);
}

static void test_secrets_never_in_messages(void **state)
{
	const char *y = "clusters:\n- name: c\n  cluster: {server: 'https://x'}\n"
			"users:\n- name: u\n  user: {client-certificate-data: " CERT_B64
			", client-key-data: 'TOPSECRET!!'}\n"
			"contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n";
	const char *y2 = "clusters:\n- name: c\n  cluster: {server: 'https://x'}\n"
			 "users:\n- name: u\n  user: {token: hunter2, client-certificate-data: " CERT_B64 "}\n"
			 "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n";
	struct kubeconfig kc;
	struct mtv_err err;

	(void)state;
	assert_int_equal(kubeconfig_load_buffer(&kc, y, strlen(y), "K", NULL, NULL, &err), -1);
	assert_string_equal(err.msg, "kubeconfig K: users[name=u].client-key-data: not valid base64");
	assert_null(strstr(err.msg, "TOPSECRET"));
	assert_int_equal(kubeconfig_load_buffer(&kc, y2, strlen(y2), "K", NULL, NULL, &err), -1);
	assert_string_equal(err.msg, "kubeconfig K: users[name=u].client-key: missing (a client certificate needs its key)");
	assert_null(strstr(err.msg, "hunter2"));
}

static void test_incluster(void **state)
{
	struct kubeconfig kc;
	struct mtv_err err;

	(void)state;
	unsetenv("KUBERNETES_SERVICE_HOST");
	assert_int_equal(kubeconfig_load_incluster(&kc, &err), -1);
	assert_int_equal(err.code, MTV_EXIT_USAGE);
	assert_non_null(strstr(err.msg, "no cluster configured"));

	write_file("token", "sa-token\n");
	write_file("ca.crt", "SA-CA\n");
	write_file("namespace", "openshift-mtv\n");
	setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	setenv("MTV_SERVICEACCOUNT_DIR", dir, 1);
	assert_int_equal(kubeconfig_load_incluster(&kc, &err), 0);
	assert_string_equal(kc.server, "https://10.0.0.1:443");
	assert_string_equal(kc.token, "sa-token");
	assert_string_equal(kc.ca_pem, "SA-CA\n");
	assert_string_equal(kc.namespace, "openshift-mtv");
	kubeconfig_release(&kc);

	setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
	assert_int_equal(kubeconfig_load_incluster(&kc, &err), 0);
	assert_string_equal(kc.server, "https://[fd00::1]:443");
	kubeconfig_release(&kc);

	write_file("token", "");
	assert_int_equal(kubeconfig_load_incluster(&kc, &err), -1);
	assert_non_null(strstr(err.msg, "token: is empty"));
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("MTV_SERVICEACCOUNT_DIR");
}

static void test_default_paths(void **state)
{
	char *p;

	(void)state;
	setenv("KUBECONFIG", "/a:/b", 1);
	p = kubeconfig_default_paths();
	assert_string_equal(p, "/a:/b");
	free(p);
	unsetenv("KUBECONFIG");
	setenv("HOME", "/nonexistent-home", 1);
	setenv("SHARED_DIR", dir, 1);
	p = kubeconfig_default_paths();
	assert_null(p);
	write_file("kubeconfig", "current-context: x\n");
	p = kubeconfig_default_paths();
	assert_string_equal(p, path_of("kubeconfig"));
	free(p);
	unsetenv("SHARED_DIR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_and_ca_data),
		cmocka_unit_test(test_client_cert_data_and_insecure),
		cmocka_unit_test(test_context_from_env),
		cmocka_unit_test(test_files_relative_to_kubeconfig),
		cmocka_unit_test(test_merged_list_first_wins),
		cmocka_unit_test(test_missing_context_lists_known_ones),
		cmocka_unit_test(test_bad_references),
		cmocka_unit_test(test_malformed_yaml),
		cmocka_unit_test(test_anchors_and_aliases),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_empty_token_file_and_unreadable_ca),
		cmocka_unit_test(test_secrets_never_in_messages),
		cmocka_unit_test(test_incluster),
		cmocka_unit_test(test_default_paths),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
