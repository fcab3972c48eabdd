#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "json.h"
#include "source_facts_schema.h"
#include "vm_source_checks.h"

/* A two-disk, two-NIC EFI VM with secure boot, as prepare-vms records it. */
static const char *FACTS =
	"{\"name\":\"auto-x-rhel9\",\"uuid\":\"422C6A2A-5EA9-1083-39F3-3B140FFFB444\",\"firmware\":\"efi\","
	"\"secure_boot\":true,\"cpu\":4,\"cores_per_socket\":2,\"memory_mb\":8192,"
	"\"disks\":[{\"label\":\"Hard disk 1\",\"file\":\"[ds] rhel9/rhel9.vmdk\",\"capacity_bytes\":10737418240},"
	"{\"label\":\"Hard disk 2\",\"file\":\"[ds] rhel9/rhel9_1.vmdk\",\"capacity_bytes\":1073741824}],"
	"\"nics\":[{\"label\":\"Network adapter 1\",\"mac\":\"00:50:56:AA:00:01\",\"network\":{\"id\":\"net-1\"}},"
	"{\"label\":\"Network adapter 2\",\"mac\":\"00:50:56:aa:00:02\",\"network\":{\"id\":\"net-2\",\"name\":\"Mgmt\"}}],"
	"\"snapshots\":[\"s1\",\"s2\"]}";

/* What Forklift's vSphere builder makes of it (pre-4.20 serial); the PVCs
 * listed in the other order than the disks, found by disk-source. */
static const char *VM =
	"{\"spec\":{\"template\":{\"spec\":{"
	"\"domain\":{\"cpu\":{\"sockets\":2,\"cores\":2},\"memory\":{\"guest\":\"8Gi\"},"
	"\"firmware\":{\"serial\":\"422c6a2a-5ea9-1083-39f3-3b140fffb444\","
	"\"bootloader\":{\"efi\":{\"secureBoot\":true}}},"
	"\"devices\":{\"interfaces\":[{\"name\":\"net-0\",\"macAddress\":\"00:50:56:aa:00:01\"},"
	"{\"name\":\"net-1\",\"macAddress\":\"00:50:56:aa:00:02\"}]}},"
	"\"volumes\":[{\"name\":\"vol-1\",\"persistentVolumeClaim\":{\"claimName\":\"p1\"}},"
	"{\"name\":\"vol-0\",\"dataVolume\":{\"name\":\"p0\"}},{\"name\":\"ci\",\"cloudInitNoCloud\":{}}]}}}}";
static const char *PVCS =
	"[{\"metadata\":{\"name\":\"p0\",\"annotations\":{\"forklift.konveyor.io/disk-source\":\"[ds] rhel9/rhel9.vmdk\"}},"
	"\"spec\":{\"resources\":{\"requests\":{\"storage\":\"10Gi\"}}}},"
	"{\"metadata\":{\"name\":\"p1\",\"annotations\":{\"forklift.konveyor.io/disk-source\":\"[ds] rhel9/rhel9_1-000002.vmdk\"}},"
	"\"spec\":{\"resources\":{\"requests\":{\"storage\":\"1073741824\"}}}}]";

struct fixture {
	cJSON *facts, *vm, *pvcs, *map, *results;
	struct vm_check_input in;
};

static void load(struct fixture *f, const char *map)
{
	f->facts = cJSON_Parse(FACTS);
	f->vm = cJSON_Parse(VM);
	f->pvcs = cJSON_Parse(PVCS);
	f->map = map ? cJSON_Parse(map) : NULL;
	f->results = cJSON_CreateArray();
	assert_non_null(f->facts);
	assert_non_null(f->vm);
	assert_non_null(f->pvcs);
	f->in = (struct vm_check_input){
		.type = PROVIDER_VSPHERE, .vm = f->vm, .pvcs = f->pvcs, .network_map = f->map,
	};
}

static void release(struct fixture *f)
{
	cJSON_Delete(f->facts);
	cJSON_Delete(f->vm);
	cJSON_Delete(f->pvcs);
	cJSON_Delete(f->map);
	cJSON_Delete(f->results);
}

static const cJSON *result(const cJSON *results, const char *check)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, results)
		if (!strcmp(json_str(r, "check", ""), check))
			return r;
	fail_msg("no result %s", check);
	return NULL;
}

static void expect(const cJSON *results, const char *check, bool ok, const char *expected, const char *actual)
{
	const cJSON *r = result(results, check);

	assert_null(json_get(r, "skipped"));
	assert_int_equal(cJSON_IsTrue(json_get(r, "ok")), ok);
	assert_string_equal(json_str(r, "expected", ""), expected);
	assert_string_equal(json_str(r, "actual", ""), actual);
}

static void test_all_pass(void **state)
{
	struct fixture f;

	(void)state;
	load(&f, NULL);
	vm_source_checks_run(&f.in, f.facts, f.results);
	expect(f.results, "source cpu sockets", true, "2", "2");
	expect(f.results, "source cpu cores", true, "2", "2");
	expect(f.results, "source memory MiB", true, "8192", "8192");
	expect(f.results, "source nic Network adapter 1 mac", true, "00:50:56:AA:00:01", "00:50:56:AA:00:01");
	expect(f.results, "source disk count", true, "2", "2");
	/* p0 is the second volume: matched by disk-source, not position */
	expect(f.results, "source disk Hard disk 1 size", true, ">= 10737418240 bytes",
	       "PVC p0 requests 10737418240 bytes (10Gi)");
	/* the snapshot suffix Forklift trims */
	expect(f.results, "source disk Hard disk 2 size", true, ">= 1073741824 bytes",
	       "PVC p1 requests 1073741824 bytes (1073741824)");
	expect(f.results, "source firmware", true, "efi", "efi");
	expect(f.results, "source secure boot", true, "true", "true");
	expect(f.results, "source bios serial", true,
	       "422C6A2A-5EA9-1083-39F3-3B140FFFB444 (before OpenShift 4.20) or "
	       "VMware-42 2c 6a 2a 5e a9 10 83-39 f3 3b 14 0f ff b4 44 (4.20 and later)",
	       "422c6a2a-5ea9-1083-39f3-3b140fffb444");
	cJSON *r;
	cJSON_ArrayForEach(r, f.results)
		assert_true(cJSON_IsTrue(json_get(r, "ok")));
	release(&f);
}

static void test_differences_fail(void **state)
{
	struct fixture f;

	(void)state;
	load(&f, NULL);
	cJSON_ReplaceItemInObject(f.facts, "memory_mb", cJSON_CreateNumber(4096));
	cJSON_ReplaceItemInObject(f.facts, "secure_boot", cJSON_CreateFalse());
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(json_get(f.facts, "disks"), 0), "capacity_bytes",
				  cJSON_CreateNumber(10737418241.0));
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(json_get(f.facts, "nics"), 1), "mac",
				  cJSON_CreateString("00:50:56:aa:00:09"));
	json_set(f.vm, "spec.template.spec.domain.firmware.serial", cJSON_CreateString("vm-42"), NULL);
	vm_source_checks_run(&f.in, f.facts, f.results);
	expect(f.results, "source memory MiB", false, "4096", "8192");
	expect(f.results, "source secure boot", false, "false", "true");
	expect(f.results, "source disk Hard disk 1 size", false, ">= 10737418241 bytes",
	       "PVC p0 requests 10737418240 bytes (10Gi)");
	expect(f.results, "source nic Network adapter 2 mac", false, "00:50:56:aa:00:09",
	       "absent (destination MACs: 00:50:56:aa:00:01, 00:50:56:aa:00:02)");
	assert_false(cJSON_IsTrue(json_get(result(f.results, "source bios serial"), "ok")));
	assert_string_equal(json_str(result(f.results, "source bios serial"), "actual", ""), "vm-42");
	release(&f);
}

static void test_serial_forms(void **state)
{
	struct fixture f;
	char s[64];

	(void)state;
	assert_int_equal(vm_vmware_serial("422c6a2a-5ea9-1083-39f3-3b140fffb444", s, sizeof(s)), 0);
	assert_string_equal(s, "VMware-42 2c 6a 2a 5e a9 10 83-39 f3 3b 14 0f ff b4 44");
	assert_int_equal(vm_vmware_serial("422c6a2a5ea9108339f33b140fffb444", s, sizeof(s)), -1);
	assert_int_equal(vm_vmware_serial("422c6a2a-5ea9-1083-39f3-3b140fffb44", s, sizeof(s)), -1);
	assert_int_equal(vm_vmware_serial("422c6a2a-5ea9-1083-39f3-3b140fffb4444", s, sizeof(s)), -1);
	assert_int_equal(vm_vmware_serial("x22c6a2a-5ea9-1083-39f3-3b140fffb444", s, sizeof(s)), -1);
	/* the 4.20 form on the destination, upper case as mtv-api-tests writes it */
	load(&f, NULL);
	json_set(f.vm, "spec.template.spec.domain.firmware.serial",
		 cJSON_CreateString("VMWARE-42 2C 6A 2A 5E A9 10 83-39 F3 3B 14 0F FF B4 44"), NULL);
	vm_source_checks_run(&f.in, f.facts, f.results);
	assert_true(cJSON_IsTrue(json_get(result(f.results, "source bios serial"), "ok")));
	release(&f);
	/* a source type other than vSphere has no serial check */
	load(&f, NULL);
	f.in.type = PROVIDER_OVIRT;
	vm_source_checks_run(&f.in, f.facts, f.results);
	cJSON *r;
	cJSON_ArrayForEach(r, f.results)
		assert_string_not_equal(json_str(r, "check", ""), "source bios serial");
	release(&f);
}

static void test_firmware(void **state)
{
	struct fixture f;

	(void)state;
	/* secureBoot unset: KubeVirt's default is on */
	load(&f, NULL);
	cJSON_DeleteItemFromObject(json_get(f.vm, "spec.template.spec.domain.firmware.bootloader.efi"), "secureBoot");
	cJSON_ReplaceItemInObject(f.facts, "secure_boot", cJSON_CreateFalse());
	vm_source_checks_run(&f.in, f.facts, f.results);
	expect(f.results, "source secure boot", false, "false", "true (secureBoot unset: KubeVirt's default)");
	release(&f);
	/* EFI on the source, BIOS on the destination */
	load(&f, NULL);
	json_set(f.vm, "spec.template.spec.domain.firmware.bootloader",
		 cJSON_Parse("{\"bios\":{}}"), NULL);
	vm_source_checks_run(&f.in, f.facts, f.results);
	expect(f.results, "source firmware", false, "efi", "bios");
	release(&f);
	/* BIOS without any bootloader is KubeVirt's default */
	load(&f, NULL);
	cJSON_ReplaceItemInObject(f.facts, "firmware", cJSON_CreateString("bios"));
	cJSON_DeleteItemFromObject(json_get(f.vm, "spec.template.spec.domain.firmware"), "bootloader");
	vm_source_checks_run(&f.in, f.facts, f.results);
	expect(f.results, "source firmware", true, "bios", "bios (no bootloader: KubeVirt's default)");
	release(&f);
}

static void test_ignored_network_and_skips(void **state)
{
	struct fixture f;
	const cJSON *r;

	(void)state;
	/* the map ignores Mgmt (by name): its NIC must be absent */
	load(&f, "{\"spec\":{\"map\":[{\"source\":{\"name\":\"Mgmt\"},\"destination\":{\"type\":\"ignored\"}}]}}");
	vm_source_checks_run(&f.in, f.facts, f.results);
	expect(f.results, "source nic Network adapter 2 mac", false, "absent (its network is ignored by the NetworkMap)",
	       "00:50:56:aa:00:02");
	release(&f);
	/* facts without cpu, uuid or disks: those checks say why they skip */
	load(&f, NULL);
	cJSON_DeleteItemFromObject(f.facts, "cpu");
	cJSON_DeleteItemFromObject(f.facts, "uuid");
	cJSON_DeleteItemFromObject(f.facts, "disks");
	vm_source_checks_run(&f.in, f.facts, f.results);
	r = result(f.results, "source cpu");
	assert_string_equal(json_str(r, "skipped", ""), "no cpu recorded at prepare time");
	assert_string_equal(json_str(result(f.results, "source bios serial"), "skipped", ""),
			    "no uuid recorded at prepare time");
	assert_string_equal(json_str(result(f.results, "source disk count"), "skipped", ""),
			    "no disks recorded at prepare time");
	release(&f);
}

static void test_snapshots(void **state)
{
	cJSON *facts = cJSON_Parse(FACTS), *results = cJSON_CreateArray();
	const char *both[] = { "s0", "s1", "s2" }, *one[] = { "s1" };

	(void)state;
	vm_source_snapshots_check(facts, both, 3, results);
	expect(results, "source snapshots", true, "s1, s2", "s0, s1, s2");
	cJSON_Delete(results);
	results = cJSON_CreateArray();
	vm_source_snapshots_check(facts, one, 1, results);
	expect(results, "source snapshots", false, "s1, s2", "s1 (missing: s2)");
	cJSON_Delete(results);
	results = cJSON_CreateArray();
	vm_source_snapshots_check(facts, NULL, 0, results);
	expect(results, "source snapshots", false, "s1, s2", "none (missing: s1, s2)");
	/* none recorded: no case */
	cJSON_Delete(results);
	results = cJSON_CreateArray();
	cJSON_DeleteItemFromObject(facts, "snapshots");
	vm_source_snapshots_check(facts, both, 3, results);
	assert_int_equal(cJSON_GetArraySize(results), 0);
	cJSON_Delete(results);
	cJSON_Delete(facts);
}

static void test_quantity_bytes(void **state)
{
	(void)state;
	assert_int_equal(quantity_bytes("10Gi"), 10737418240LL);
	assert_int_equal(quantity_bytes("1.5Gi"), 1610612736LL);
	assert_int_equal(quantity_bytes("500M"), 500000000LL);
	assert_int_equal(quantity_bytes("1073741824"), 1073741824LL);
	assert_int_equal(quantity_bytes("2Ti"), 2199023255552LL);
	assert_int_equal(quantity_bytes("10GB"), -1);
	assert_int_equal(quantity_bytes(""), -1);
	assert_int_equal(quantity_bytes(NULL), -1);
}

static void test_schema(void **state)
{
	struct mtv_err err = { 0 };
	cJSON *doc;

	(void)state;
	doc = cJSON_Parse("{\"provider\":\"p\",\"type\":\"vsphere\",\"session\":\"auto-x\",\"vms\":[]}");
	assert_int_equal(source_facts_check_types(doc, "f.json", &err), 0);
	cJSON_Delete(doc);
	doc = cJSON_Parse("{\"vms\":[{\"name\":\"a\",\"cloned\":\"yes\"}]}");
	assert_int_equal(source_facts_check_types(doc, "f.json", &err), -1);
	assert_int_equal(err.code, MTV_EXIT_USAGE);
	assert_string_equal(err.msg, "f.json: vms[0].cloned: expected boolean, got string");
	cJSON_Delete(doc);
	doc = cJSON_Parse("{\"vms\":[{\"name\":\"a\",\"disks\":[{\"datastore\":{\"id\":7}}]}]}");
	assert_int_equal(source_facts_check_types(doc, "f.json", &err), -1);
	assert_string_equal(err.msg, "f.json: vms[0].disks[0].datastore.id: expected string, got number");
	cJSON_Delete(doc);
	doc = cJSON_Parse("{\"vms\":[{\"name\":\"a\",\"guest_ips\":[\"10.0.0.1\"]}]}");
	assert_int_equal(source_facts_check_types(doc, "f.json", &err), -1);
	assert_string_equal(err.msg, "f.json: vms[0].guest_ips[0]: expected object, got string");
	cJSON_Delete(doc);
	doc = cJSON_Parse("{\"vms\":{}}");
	assert_int_equal(source_facts_check_types(doc, "f.json", &err), -1);
	assert_string_equal(err.msg, "f.json: vms: expected array, got object");
	cJSON_Delete(doc);
	doc = cJSON_Parse("{\"vms\":[{\"source\":\"a\"}]}");
	assert_int_equal(source_facts_check_types(doc, "f.json", &err), -1);
	assert_string_equal(err.msg, "f.json: vms[0].name: missing");
	cJSON_Delete(doc);
	doc = cJSON_Parse("{\"vms\":[{\"name\":\"a\",\"guestMarker\":{\"path\":\"/var/tmp/m\",\"content\":5}}]}");
	assert_int_equal(source_facts_check_types(doc, "f.json", &err), -1);
	assert_string_equal(err.msg, "f.json: vms[0].guestMarker.content: expected string, got number");
	cJSON_Delete(doc);
	/* keys a later version may add are kept and ignored */
	doc = cJSON_Parse("{\"vms\":[{\"name\":\"a\",\"tpm\":true}],\"extra\":1}");
	assert_int_equal(source_facts_check_types(doc, "f.json", &err), 0);
	cJSON_Delete(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_pass),
		cmocka_unit_test(test_differences_fail),
		cmocka_unit_test(test_serial_forms),
		cmocka_unit_test(test_firmware),
		cmocka_unit_test(test_ignored_network_and_skips),
		cmocka_unit_test(test_snapshots),
		cmocka_unit_test(test_quantity_bytes),
		cmocka_unit_test(test_schema),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
