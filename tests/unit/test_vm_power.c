#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "vm_checks.h"

/* Forklift's determineRunStrategy and the IsWindows of each inventory. */
static void test_windows_detection(void **state)
{
	cJSON *vs = cJSON_Parse("{\"guestId\":\"windows2019srv_64Guest\"}");
	cJSON *vs2 = cJSON_Parse("{\"guestId\":\"otherGuest\",\"guestName\":\"Microsoft Windows Server 2022\"}");
	cJSON *rhel = cJSON_Parse("{\"guestId\":\"rhel8_64Guest\",\"guestName\":\"Red Hat\",\"osType\":\"rhel_8x64\"}");
	cJSON *ovirt = cJSON_Parse("{\"osType\":\"windows_2019x64\"}");
	cJSON *os = cJSON_Parse("{\"image\":{\"properties\":{\"os_distro\":\"windows\"}}}");

	(void)state;
	assert_true(vm_source_is_windows(PROVIDER_VSPHERE, vs));
	assert_true(vm_source_is_windows(PROVIDER_VSPHERE, vs2));
	assert_false(vm_source_is_windows(PROVIDER_VSPHERE, rhel));
	assert_true(vm_source_is_windows(PROVIDER_OVIRT, ovirt));
	assert_false(vm_source_is_windows(PROVIDER_OVIRT, rhel));
	assert_true(vm_source_is_windows(PROVIDER_OVA, ovirt));
	assert_true(vm_source_is_windows(PROVIDER_OPENSTACK, os));
	assert_false(vm_source_is_windows(PROVIDER_OPENSTACK, vs));
	assert_false(vm_source_is_windows(PROVIDER_OPENSHIFT, vs));
	cJSON_Delete(vs);
	cJSON_Delete(vs2);
	cJSON_Delete(rhel);
	cJSON_Delete(ovirt);
	cJSON_Delete(os);
}

static void test_expected_power(void **state)
{
	cJSON *win = cJSON_Parse("{\"guestId\":\"windows2019srv_64Guest\"}");
	cJSON *lin = cJSON_Parse("{\"guestId\":\"rhel8_64Guest\"}");

	(void)state;
	/* Windows: started unless the target is off, whatever the source */
	assert_string_equal(vm_expected_power(PROVIDER_VSPHERE, win, "", "off", true), "on");
	assert_string_equal(vm_expected_power(PROVIDER_VSPHERE, win, "auto", "off", true), "on");
	assert_string_equal(vm_expected_power(PROVIDER_VSPHERE, win, "on", "off", true), "on");
	assert_string_equal(vm_expected_power(PROVIDER_VSPHERE, win, "off", "on", true), "off");
	/* the feature off: as any other guest */
	assert_string_equal(vm_expected_power(PROVIDER_VSPHERE, win, "", "off", false), "off");
	/* others: the target, else the source */
	assert_string_equal(vm_expected_power(PROVIDER_VSPHERE, lin, "", "off", true), "off");
	assert_string_equal(vm_expected_power(PROVIDER_VSPHERE, lin, "auto", "on", true), "on");
	assert_string_equal(vm_expected_power(PROVIDER_VSPHERE, lin, "on", "off", true), "on");
	assert_string_equal(vm_expected_power(PROVIDER_VSPHERE, lin, "off", "on", true), "off");
	cJSON_Delete(win);
	cJSON_Delete(lin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_windows_detection),
		cmocka_unit_test(test_expected_power),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
