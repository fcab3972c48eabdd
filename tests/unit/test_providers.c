#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "providers.h"

static char path[64];

static void write_file(const char *text)
{
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/mtv-providers-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
}

static int load(const char *text, const char *key, struct provider_entry *p, struct mtv_err *err)
{
	int r;

	write_file(text);
	r = providers_load(path, key, p, err);
	unlink(path);
	return r;
}

#define VSPHERE "{\"vsphere-8\": {\"type\": \"vsphere\", \"version\": \"8.0.3\", \"fqdn\": \"vc.example\"," \
	"\"api_url\": \"/sdk\", \"username\": \"admin\", \"password\": \"s3cret\"," \
	"\"guest_vm_linux_user\": \"root\", \"guest_vm_linux_password\": \"g-pass\"," \
	"\"copyoffload\": {\"storage_password\": \"st-pass\", \"datastore_id\": \"ds-1\", \"api_key\": \"k-1\"}," \
	"\"extra_unknown\": [1, 2]}, \"ova\": {\"type\": \"ova\", \"api_url\": \"nfs:/exports/ova\"}}"

static void test_loads_vsphere_entry_and_builds_url(void **state)
{
	(void)state;
	struct provider_entry p;
	struct mtv_err err;
	const char *secrets[8];

	assert_int_equal(load(VSPHERE, "vsphere-8", &p, &err), 0);
	assert_int_equal(p.type, PROVIDER_VSPHERE);
	assert_string_equal(p.url, "https://vc.example/sdk");
	assert_string_equal(p.username, "admin");
	assert_string_equal(p.vddk_init_image, "");
	assert_true(provider_supports_warm(p.type));
	/* the one policy, lib/redact's: api_key too */
	assert_int_equal(provider_secrets(&p, secrets, 8), 4);
	assert_string_equal(secrets[0], "s3cret");
	assert_string_equal(secrets[1], "g-pass");
	assert_string_equal(secrets[2], "st-pass");
	assert_string_equal(secrets[3], "k-1");
	assert_null(secrets[4]);
	provider_entry_release(&p);

	assert_int_equal(load(VSPHERE, "ova", &p, &err), 0);
	assert_string_equal(p.url, "nfs:/exports/ova");
	assert_false(provider_supports_warm(p.type));
	provider_entry_release(&p);
}

static void test_unknown_key_lists_keys(void **state)
{
	(void)state;
	struct provider_entry p;
	struct mtv_err err;
	char want[256];

	assert_int_equal(load(VSPHERE, "vsphere", &p, &err), -1);
	assert_int_equal(err.code, MTV_EXIT_USAGE);
	snprintf(want, sizeof(want), "%s: no provider \"vsphere\" (MTV_SOURCE_PROVIDER); keys: vsphere-8, ova", path);
	assert_string_equal(err.msg, want);
	assert_null(strstr(err.msg, "s3cret"));
}

static void test_bad_files_are_named_precisely(void **state)
{
	(void)state;
	struct provider_entry p;
	struct mtv_err err;

	assert_int_equal(load("{\"v\": {\"type\": \"vsphere\", # pragma\n}}", "v", &p, &err), -1);
	/* cJSON reports the column at or just after the offending character */
	assert_non_null(strstr(err.msg, ":1:2"));
	assert_non_null(strstr(err.msg, ": invalid JSON"));
	assert_int_equal(load("[]", "v", &p, &err), -1);
	assert_non_null(strstr(err.msg, "expected a JSON object keyed by provider name, got array"));
	assert_int_equal(load("{}", "v", &p, &err), -1);
	assert_non_null(strstr(err.msg, "no providers in the file"));
	assert_int_equal(load("{\"v\": {\"type\": \"hyperv\"}}", "v", &p, &err), -1);
	assert_non_null(strstr(err.msg, "\"v\".type: unknown provider type \"hyperv\""));
	assert_int_equal(load("{\"v\": {\"type\": \"vsphere\", \"fqdn\": \"h\", \"api_url\": \"/sdk\", \"username\": 7}}",
			      "v", &p, &err), -1);
	assert_non_null(strstr(err.msg, "\"v\".username: expected string, got number"));
	assert_int_equal(load("{\"v\": {\"type\": \"vsphere\", \"fqdn\": \"h\", \"api_url\": \"/sdk\", \"username\": \"u\"}}",
			      "v", &p, &err), -1);
	assert_non_null(strstr(err.msg, "\"v\".password: required for type vsphere"));
	assert_int_equal(load("{\"o\": {\"type\": \"openstack\", \"fqdn\": \"h\", \"api_url\": \":5000/v3\","
			      "\"username\": \"u\", \"password\": \"p\", \"project_name\": \"x\"}}", "o", &p, &err), -1);
	assert_non_null(strstr(err.msg, "\"o\".user_domain_name: required for type openstack"));
	assert_int_equal(providers_load("/nonexistent/.providers.json", "v", &p, &err), -1);
	assert_string_equal(err.msg, "providers file: /nonexistent/.providers.json: No such file or directory");
	assert_int_equal(providers_load("/nonexistent/.providers.json", "", &p, &err), -1);
	assert_non_null(strstr(err.msg, "MTV_SOURCE_PROVIDER is not set"));
}

static void test_openshift_entry_uses_local_cluster(void **state)
{
	(void)state;
	struct provider_entry p;
	struct mtv_err err;

	assert_int_equal(load("{\"ocp\": {\"type\": \"openshift\", \"version\": \"\", \"fqdn\": \"\","
			      "\"api_url\": \"\", \"username\": \"\", \"password\": \"\"}}", "ocp", &p, &err), 0);
	assert_string_equal(p.url, "");
	provider_entry_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loads_vsphere_entry_and_builds_url),
		cmocka_unit_test(test_unknown_key_lists_keys),
		cmocka_unit_test(test_bad_files_are_named_precisely),
		cmocka_unit_test(test_openshift_entry_uses_local_cluster),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
