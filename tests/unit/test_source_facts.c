#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "source_facts.h"

/* A two-VM scenario from a catalog written to a temp file. */
static void load(struct scenario *s)
{
	char path[] = "/tmp/test_source_facts_XXXXXX";
	int fd = mkstemp(path);
	const char *text = "{\"two\": {\"virtual_machines\": [{\"name\": \"rhel8\"}, {\"name\": \"Win_2019\"}]}}";
	struct mtv_err err;
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	if (scenario_load(path, "two", s, &err) < 0)
		fail_msg("%s", err.msg);
	unlink(path);
}

static cJSON *parse(const char *s)
{
	cJSON *j = cJSON_Parse(s);

	assert_non_null(j);
	return j;
}

static void test_apply_names_the_clones_and_keeps_the_source(void **state)
{
	(void)state;
	struct scenario s;
	struct mtv_err err = { 0 };
	cJSON *doc = parse("{\"session\": \"auto-ab12\", \"vms\": ["
			   "{\"source\": \"Win_2019\", \"name\": \"auto-ab12-Win_2019\", \"cloned\": true},"
			   "{\"source\": \"rhel8\", \"name\": \"rhel8\", \"cloned\": false}]}");

	load(&s);
	assert_int_equal(source_facts_apply(doc, "sd/mtv-source-vms.json", "auto-ab12", &s, &err), 0);
	assert_string_equal(s.vms[0].name, "rhel8");
	assert_string_equal(s.vms[0].source_name, "rhel8");
	assert_string_equal(s.vms[1].name, "auto-ab12-Win_2019");
	assert_string_equal(s.vms[1].source_name, "Win_2019");
	assert_string_equal(json_str(source_facts_find(doc, "auto-ab12-Win_2019"), "source", ""), "Win_2019");
	assert_string_equal(json_str(source_facts_find(doc, "Win_2019"), "name", ""), "auto-ab12-Win_2019");
	assert_null(source_facts_find(doc, "nope"));
	/* without a session to compare with (the scenario opened first) */
	assert_int_equal(source_facts_apply(doc, "f", NULL, &s, &err), 0);
	scenario_release(&s);
	cJSON_Delete(doc);
}

/* Each bad document: exit 2, the file and key in the message, and the
 * scenario's names untouched. */
static void test_bad_documents_name_file_and_key(void **state)
{
	(void)state;
	static const struct {
		const char *doc, *msg;
	} cases[] = {
		{ "[]", "sd/f.json: expected object, got array" },
		{ "{\"vms\": []}", "sd/f.json: session: expected string, got nothing" },
		{ "{\"session\": \"auto-zz99\", \"vms\": []}",
		  "sd/f.json: session: \"auto-zz99\" is not this session (auto-ab12); the file is from another run" },
		{ "{\"session\": \"auto-ab12\", \"vms\": {}}", "sd/f.json: vms: expected list, got object" },
		{ "{\"session\": \"auto-ab12\", \"vms\": [3]}", "sd/f.json: vms[0]: expected object, got number" },
		{ "{\"session\": \"auto-ab12\", \"vms\": [{\"source\": \"rhel8\", \"name\": 7}]}",
		  "sd/f.json: vms[0].name: expected a non-empty string, got number" },
		{ "{\"session\": \"auto-ab12\", \"vms\": [{\"name\": \"x\"}]}",
		  "sd/f.json: vms[0].source: expected a non-empty string, got nothing" },
		{ "{\"session\": \"auto-ab12\", \"vms\": [{\"source\": \"rhel8\", \"name\": \"a\"},"
		  "{\"source\": \"rhel8\", \"name\": \"b\"}]}",
		  "sd/f.json: vms[1].source: \"rhel8\" listed twice" },
		{ "{\"session\": \"auto-ab12\", \"vms\": [{\"source\": \"rhel8\", \"name\": \"a\"}]}",
		  "sd/f.json: vms: no entry for VM \"Win_2019\" of scenario two (prepared for another scenario?); "
		  "run mtv-prepare-vms again" },
	};
	struct scenario s;

	load(&s);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mtv_err err = { 0 };
		cJSON *doc = parse(cases[i].doc);

		assert_int_equal(source_facts_apply(doc, "sd/f.json", "auto-ab12", &s, &err), -1);
		assert_int_equal(err.code, MTV_EXIT_USAGE);
		assert_string_equal(err.msg, cases[i].msg);
		assert_string_equal(s.vms[0].name, "rhel8");
		assert_string_equal(s.vms[1].name, "Win_2019");
		cJSON_Delete(doc);
	}
	scenario_release(&s);
}

static void test_vsphere_vm_facts(void **state)
{
	(void)state;
	struct vsphere_disk disks[] = {
		{ .label = "Hard disk 1", .file = "[LocalDS_0] c/c.vmdk", .datastore = { "Datastore", "datastore-12" },
		  .capacity_bytes = 1073741824LL, .disk_mode = "persistent", .provisioning = "thin" },
		{ .label = "Hard disk 2", .file = "[other] c/c_1.vmdk", .datastore = { "Datastore", "datastore-99" },
		  .capacity_bytes = 2147483648LL, .disk_mode = "independent_persistent", .provisioning = "thick-eager" },
	};
	struct vsphere_nic nics[] = {
		{ .label = "Network adapter 1", .mac = "00:50:56:01:02:03", .network = "VM Network",
		  .network_ref = { "Network", "network-7" } },
	};
	char *ips[] = { "10.0.0.9" };
	struct vsphere_guest_ip cfg[] = { { "10.0.0.5", "dhcp" }, { "fe80::1", NULL } };
	struct vsphere_guest_nic gn[] = {
		{ .network = "VM Network", .mac = "00:50:56:01:02:03", .ip_config = cfg, .nip_config = 2 },
		{ .network = "x", .mac = "00:50:56:0a:0b:0c", .ips = ips, .nips = 1 },
	};
	char *snaps[] = { "auto-ab12-snapshot-1", "auto-ab12-snapshot-2" };
	struct vsphere_vm vm = {
		.ref = { "VirtualMachine", "vm-42" }, .name = "auto-ab12-XCopy_Test_VM_CAPS", .num_cpu = 2,
		.cores_per_socket = 1, .memory_mb = 4096, .firmware = "efi", .secure_boot = true,
		.uuid = "421c0000-1111-2222-3333-444455556666", .bios_serial = "VMware-42 1c 00 00 11 11 22 22-33 33 44 44 55 55 66 66",
		.guest_id = "rhel8_64Guest", .cbt = true, .power_state = "poweredOn",
		.disks = disks, .ndisks = 2, .nics = nics, .nnics = 1, .guest_nics = gn, .nguest_nics = 2,
		.snapshots = snaps, .nsnapshots = 2,
	};
	struct vsphere_datastore ds[] = { { .ref = { "Datastore", "datastore-12" }, .name = "LocalDS_0" } };
	cJSON *e = source_facts_vsphere_vm(&vm, "rhel8", true, ds, 1);
	char *text = cJSON_PrintUnformatted(e);

	assert_string_equal(text,
		"{\"source\":\"rhel8\",\"name\":\"auto-ab12-XCopy_Test_VM_CAPS\",\"cloned\":true,\"moref\":\"vm-42\","
		"\"uuid\":\"421c0000-1111-2222-3333-444455556666\","
		"\"bios_serial\":\"VMware-42 1c 00 00 11 11 22 22-33 33 44 44 55 55 66 66\",\"firmware\":\"efi\","
		"\"secure_boot\":true,\"cpu\":2,\"cores_per_socket\":1,\"memory_mb\":4096,\"power_state\":\"poweredOn\","
		"\"guest_id\":\"rhel8_64Guest\",\"cbt\":true,\"disks\":["
		"{\"label\":\"Hard disk 1\",\"file\":\"[LocalDS_0] c/c.vmdk\",\"datastore\":{\"id\":\"datastore-12\",\"name\":\"LocalDS_0\"},"
		"\"capacity_bytes\":1073741824,\"mode\":\"persistent\",\"provisioning\":\"thin\"},"
		"{\"label\":\"Hard disk 2\",\"file\":\"[other] c/c_1.vmdk\",\"datastore\":{\"id\":\"datastore-99\",\"name\":\"\"},"
		"\"capacity_bytes\":2147483648,\"mode\":\"independent_persistent\",\"provisioning\":\"thick-eager\"}],"
		"\"nics\":[{\"label\":\"Network adapter 1\",\"mac\":\"00:50:56:01:02:03\",\"network\":{\"id\":\"network-7\",\"name\":\"VM Network\"}}],"
		"\"snapshots\":[\"auto-ab12-snapshot-1\",\"auto-ab12-snapshot-2\"],"
		"\"guest_ips\":[{\"ip\":\"10.0.0.5\",\"origin\":\"dhcp\",\"mac\":\"00:50:56:01:02:03\"},"
		"{\"ip\":\"fe80::1\",\"origin\":null,\"mac\":\"00:50:56:01:02:03\"},"
		"{\"ip\":\"10.0.0.9\",\"origin\":null,\"mac\":\"00:50:56:0a:0b:0c\"}]}");
	free(text);
	cJSON_Delete(e);

	e = source_facts_new("auto-ab12-source-vsphere-8-0-3", "vsphere", "auto-ab12");
	text = cJSON_PrintUnformatted(e);
	assert_string_equal(text, "{\"provider\":\"auto-ab12-source-vsphere-8-0-3\",\"type\":\"vsphere\","
				  "\"session\":\"auto-ab12\",\"vms\":[]}");
	free(text);
	cJSON_Delete(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_names_the_clones_and_keeps_the_source),
		cmocka_unit_test(test_bad_documents_name_file_and_key),
		cmocka_unit_test(test_vsphere_vm_facts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
