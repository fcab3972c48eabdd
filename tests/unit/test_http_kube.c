/* Pure helpers around the Kubernetes client: API paths, the type table,
 * Status bodies turned into messages, OAuth redirect parsing, escaping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "kube.h"
#include "oauth.h"

static void test_paths(void **state)
{
	struct buf b = BUF_INIT(4096);

	(void)state;
	assert_int_equal(kube_path(&b, &KUBE_PLANS, "mtv", "p1", NULL), 0);
	assert_string_equal(buf_str(&b), "/apis/forklift.konveyor.io/v1beta1/namespaces/mtv/plans/p1");
	buf_reset(&b);
	kube_path(&b, &KUBE_CONFIGMAPS, "ns", NULL, NULL);
	assert_string_equal(buf_str(&b), "/api/v1/namespaces/ns/configmaps");
	buf_reset(&b);
	/* cluster-scoped types ignore the namespace */
	kube_path(&b, &KUBE_STORAGECLASSES, "ns", "fast", NULL);
	assert_string_equal(buf_str(&b), "/apis/storage.k8s.io/v1/storageclasses/fast");
	buf_reset(&b);
	kube_path(&b, &KUBE_NAMESPACES, NULL, "mtv", NULL);
	assert_string_equal(buf_str(&b), "/api/v1/namespaces/mtv");
	buf_reset(&b);
	kube_path(&b, &KUBE_MIGRATIONS, "ns", "m", "status");
	assert_string_equal(buf_str(&b), "/apis/forklift.konveyor.io/v1beta1/namespaces/ns/migrations/m/status");
	buf_reset(&b);
	/* all namespaces */
	kube_path(&b, &KUBE_PODS, NULL, NULL, NULL);
	assert_string_equal(buf_str(&b), "/api/v1/pods");
	buf_release(&b);
}

static void test_type_lookup(void **state)
{
	(void)state;
	assert_ptr_equal(kube_type_lookup("plans"), &KUBE_PLANS);
	assert_ptr_equal(kube_type_lookup("Plan"), &KUBE_PLANS);
	assert_ptr_equal(kube_type_lookup("plans.forklift.konveyor.io"), &KUBE_PLANS);
	assert_ptr_equal(kube_type_lookup("pvc"), &KUBE_PVCS);
	assert_ptr_equal(kube_type_lookup("network-attachment-definitions"), &KUBE_NADS);
	assert_ptr_equal(kube_type_lookup("virtualmachines"), &KUBE_VMS);
	assert_ptr_equal(kube_type_lookup("dv"), &KUBE_DATAVOLUMES);
	assert_ptr_equal(kube_type_lookup("ForkliftController"), &KUBE_FORKLIFTCONTROLLERS);
	assert_null(kube_type_lookup("plans.example.com"));
	assert_null(kube_type_lookup("widgets"));
	assert_false(KUBE_NODES.namespaced);
	assert_true(KUBE_HOOKS.namespaced);
}

static void test_status_errors(void **state)
{
	const char *st = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
			 "\"message\":\"plans.forklift.konveyor.io \\\"x\\\" already exists\","
			 "\"reason\":\"AlreadyExists\",\"code\":409}";
	struct mtv_err err;

	(void)state;
	assert_int_equal(kube_status_error(&err, "Plan ns/x", 409, st, strlen(st)), -1);
	assert_string_equal(err.msg, "Plan ns/x: 409 AlreadyExists: plans.forklift.konveyor.io \"x\" already exists");
	assert_int_equal(err.http_status, 409);
	assert_string_equal(err.reason, "AlreadyExists");
	assert_int_equal(err.code, MTV_EXIT_ENV);

	st = "{\"kind\":\"Status\",\"message\":\"plans is forbidden: User \\\"bob\\\" cannot get\","
	     "\"reason\":\"Forbidden\"}";
	kube_status_error(&err, "Plan ns/x", 403, st, strlen(st));
	assert_string_equal(err.msg, "Plan ns/x: 403 forbidden: plans is forbidden: User \"bob\" cannot get");
	assert_string_equal(err.reason, "Forbidden");

	/* not a Status: the start of the body, one line */
	kube_status_error(&err, "Pod ns/p", 502, "<html>\nBad gateway</html>", 26);
	assert_string_equal(err.msg, "Pod ns/p: 502 error: <html> Bad gateway</html>");
	assert_int_equal(err.http_status, 502);

	kube_status_error(&err, "Pod ns/p", 404, NULL, 0);
	assert_string_equal(err.msg, "Pod ns/p: 404 NotFound");
	assert_string_equal(err.reason, "NotFound");
}

static void test_describe(void **state)
{
	char d[128];

	(void)state;
	kube_describe(d, sizeof(d), &KUBE_PLANS, "ns", "x");
	assert_string_equal(d, "Plan ns/x");
	kube_describe(d, sizeof(d), &KUBE_NODES, "ns", "n1");
	assert_string_equal(d, "Node n1");
}

static void test_oauth_location(void **state)
{
	char *t;

	(void)state;
	t = oauth_token_from_location("https://oauth/oauth/token/implicit#access_token=sha256~abc&expires_in=86400&token_type=Bearer");
	assert_string_equal(t, "sha256~abc");
	free(t);
	t = oauth_token_from_location("https://oauth/x#expires_in=1&access_token=zz");
	assert_string_equal(t, "zz");
	free(t);
	assert_null(oauth_token_from_location("https://oauth/x?access_token=zz"));
	assert_null(oauth_token_from_location("https://oauth/x#error=access_denied"));
	assert_null(oauth_token_from_location(NULL));
}

static void test_query_escape(void **state)
{
	struct buf b = BUF_INIT(256);

	(void)state;
	http_query_escape(&b, "app=x,tier!=db/1 2");
	assert_string_equal(buf_str(&b), "app%3Dx%2Ctier%21%3Ddb%2F1%202");
	/* Unreserved characters stay; bytes beyond ASCII are encoded each. */
	buf_reset(&b);
	http_query_escape(&b, "Az09-._~");
	http_query_escape(&b, "");
	http_query_escape(&b, "\xc3\xa9+%");
	assert_string_equal(buf_str(&b), "Az09-._~%C3%A9%2B%25");
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_type_lookup),
		cmocka_unit_test(test_status_errors),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_oauth_location),
		cmocka_unit_test(test_query_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
