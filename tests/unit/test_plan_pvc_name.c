#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "err.h"
#include "plan_objects.h"

/* Forklift's ValidatePVCNameTemplate: the trimmed output must be a
 * DNS-1123 label, and there is no fallback name when it is not. */
static int render(const char *tmpl, char *out, size_t outsz, struct mtv_err *err)
{
	cJSON *vm = cJSON_Parse("{\"id\":\"vm-4001\",\"name\":\"mtv-tests-rhel8\"}");
	cJSON *disk = cJSON_Parse("{\"file\":\"[ds] mtv-tests-rhel8/disk0.vmdk\"}");
	int r = plan_pvc_name(tmpl, "p-cold", vm, "mtv-tests-rhel8", disk, 1, out, outsz, err);

	cJSON_Delete(vm);
	cJSON_Delete(disk);
	return r;
}

static void test_valid_names(void **state)
{
	char out[256];
	struct mtv_err err;

	(void)state;
	assert_int_equal(render("{{.VmName}}-disk-{{.DiskIndex}}", out, sizeof(out), &err), 0);
	assert_string_equal(out, "mtv-tests-rhel8-disk-1");
	assert_int_equal(render("  {{.PlanName}}-{{.VmId}}\n", out, sizeof(out), &err), 0);
	assert_string_equal(out, "p-cold-vm-4001");
	assert_int_equal(render("{{.FileName | trimSuffix \".vmdk\"}}", out, sizeof(out), &err), 0);
	assert_string_equal(out, "disk0");
}

static void test_invalid_names(void **state)
{
	static const char *const bad[] = {
		"{{.VmName}}_disk",		/* '_' */
		"{{.VmName}}-Disk",		/* upper case */
		"{{.VmName}}-",			/* ends in '-' */
		"  ",				/* empty after trimming */
		"{{.VmName}}{{.VmName}}{{.VmName}}{{.VmName}}{{.VmName}}",	/* > 63 */
		"{{.Nope}}",			/* unknown field */
		"{{.VmName",			/* unclosed action */
	};
	char out[512];
	struct mtv_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(render(bad[i], out, sizeof(out), &err), -1);
		assert_int_equal(err.code, MTV_EXIT_USAGE);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_names),
		cmocka_unit_test(test_invalid_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
