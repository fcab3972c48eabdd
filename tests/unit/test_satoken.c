#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "json.h"
#include "satoken.h"

static const struct session S = { .id = "auto-ab12", .target_namespace = "auto-ab12",
				  .mtv_namespace = "openshift-mtv" };

/* kubectl-mtv's NeedsBearerTokenForInventory: a certificate and no token. */
static void test_needed(void **state)
{
	struct kube_client kc;

	(void)state;
	memset(&kc, 0, sizeof(kc));
	assert_false(satoken_needed(&kc));
	kc.http.cert_pem = "cert";
	assert_true(satoken_needed(&kc));
	kc.http.token = "tok";
	assert_false(satoken_needed(&kc));
	kc.http.cert_pem = NULL;
	assert_false(satoken_needed(&kc));
}

/* What Permit's SubjectAccessReview asks for, and cluster-admin only for
 * an OpenShift source. */
static void test_objects(void **state)
{
	struct ensure_ctx c = { .session = &S };
	cJSON *o;
	char acct[64];

	(void)state;
	satoken_account(&S, acct, sizeof(acct));
	assert_string_equal(acct, "auto-ab12-mtv-steps");
	o = satoken_objects(&c, false);
	assert_int_equal(cJSON_GetArraySize(o), 3);
	assert_string_equal(json_str(o, "[0].kind", ""), "ServiceAccount");
	assert_string_equal(json_str(o, "[0].metadata.namespace", ""), "auto-ab12");
	assert_string_equal(json_str(o, "[0].metadata.labels[\"mtv-steps/session\"]", ""), "auto-ab12");
	assert_string_equal(json_str(o, "[1].kind", ""), "Role");
	assert_string_equal(json_str(o, "[1].rules[0].apiGroups[0]", ""), "forklift.konveyor.io");
	assert_string_equal(json_str(o, "[1].rules[0].resources[0]", ""), "providers");
	assert_string_equal(json_str(o, "[1].rules[0].verbs[0]", ""), "get");
	assert_string_equal(json_str(o, "[2].kind", ""), "RoleBinding");
	assert_string_equal(json_str(o, "[2].roleRef.name", ""), "auto-ab12-mtv-steps-inventory");
	assert_string_equal(json_str(o, "[2].subjects[0].name", ""), "auto-ab12-mtv-steps");
	cJSON_Delete(o);
	o = satoken_objects(&c, true);
	assert_int_equal(cJSON_GetArraySize(o), 4);
	assert_string_equal(json_str(o, "[3].kind", ""), "ClusterRoleBinding");
	assert_null(json_get(o, "[3].metadata.namespace"));
	assert_string_equal(json_str(o, "[3].roleRef.kind", ""), "ClusterRole");
	assert_string_equal(json_str(o, "[3].roleRef.name", ""), "cluster-admin");
	assert_string_equal(json_str(o, "[3].subjects[0].namespace", ""), "auto-ab12");
	cJSON_Delete(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_needed),
		cmocka_unit_test(test_objects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
