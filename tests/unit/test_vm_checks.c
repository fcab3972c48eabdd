#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "json.h"
#include "vm_checks.h"

static const char *SOURCE =
	"{\"id\":\"vm-1\",\"name\":\"rhel8\",\"powerState\":\"poweredOn\",\"cpuCount\":4,\"coresPerSocket\":2,"
	"\"memoryMB\":4096,\"disks\":[{\"key\":1},{\"key\":2}],"
	"\"nics\":[{\"mac\":\"00:50:56:AA:00:01\",\"network\":{\"id\":\"net-1\"}},"
	"{\"mac\":\"00:50:56:aa:00:02\",\"network\":{\"id\":\"net-2\"}}]}";
static const char *NETWORKS = "[{\"id\":\"net-1\",\"name\":\"VM Network\"},{\"id\":\"net-2\",\"name\":\"Mgmt\"}]";
static const char *MAP =
	"{\"spec\":{\"map\":[{\"source\":{\"name\":\"VM Network\"},\"destination\":{\"type\":\"pod\"}},"
	"{\"source\":{\"name\":\"Mgmt\"},\"destination\":{\"type\":\"multus\",\"name\":\"cb-1\",\"namespace\":\"ns\"}}]}}";
static const char *VM =
	"{\"spec\":{\"runStrategy\":\"Always\",\"template\":{\"spec\":{"
	"\"domain\":{\"cpu\":{\"sockets\":2,\"cores\":2},\"memory\":{\"guest\":\"4Gi\"},"
	"\"devices\":{\"interfaces\":[{\"name\":\"net-0\",\"macAddress\":\"00:50:56:aa:00:01\"},"
	"{\"name\":\"net-1\",\"macAddress\":\"00:50:56:aa:00:02\"}]}},"
	"\"networks\":[{\"name\":\"net-0\",\"pod\":{}},{\"name\":\"net-1\",\"multus\":{\"networkName\":\"ns/cb-1\"}}],"
	"\"volumes\":[{\"name\":\"vol-0\",\"persistentVolumeClaim\":{\"claimName\":\"p0\"}},"
	"{\"name\":\"vol-1\",\"dataVolume\":{\"name\":\"p1\"}},{\"name\":\"ci\",\"cloudInitNoCloud\":{}}]}}}}";
static const char *VMI = "{\"status\":{\"phase\":\"Running\"}}";
static const char *PVCS =
	"[{\"metadata\":{\"name\":\"p0\"},\"spec\":{\"storageClassName\":\"fast\"}},"
	"{\"metadata\":{\"name\":\"p1\"},\"spec\":{\"storageClassName\":\"fast\"}}]";

struct fixture {
	cJSON *source, *networks, *map, *vm, *vmi, *pvcs, *results;
	struct vm_check_input in;
};

static void load(struct fixture *f)
{
	f->source = cJSON_Parse(SOURCE);
	f->networks = cJSON_Parse(NETWORKS);
	f->map = cJSON_Parse(MAP);
	f->vm = cJSON_Parse(VM);
	f->vmi = cJSON_Parse(VMI);
	f->pvcs = cJSON_Parse(PVCS);
	f->results = cJSON_CreateArray();
	f->in = (struct vm_check_input){
		.type = PROVIDER_VSPHERE, .source = f->source, .source_networks = f->networks,
		.vm = f->vm, .vmi = f->vmi, .pvcs = f->pvcs, .network_map = f->map,
		.expected_power = "on", .storage_class = "fast",
	};
}

static void release(struct fixture *f)
{
	cJSON_Delete(f->source);
	cJSON_Delete(f->networks);
	cJSON_Delete(f->map);
	cJSON_Delete(f->vm);
	cJSON_Delete(f->vmi);
	cJSON_Delete(f->pvcs);
	cJSON_Delete(f->results);
}

static const cJSON *result(const cJSON *results, const char *check)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, results)
		if (!strcmp(json_str(r, "check", ""), check))
			return r;
	fail_msg("no check \"%s\"", check);
	return NULL;
}

static void test_matching_vm_passes_every_check(void **state)
{
	(void)state;
	struct fixture f;
	const cJSON *r;

	load(&f);
	vm_checks_run(&f.in, f.results);
	cJSON_ArrayForEach(r, f.results)
		if (!cJSON_IsTrue(json_get(r, "ok")))
			fail_msg("%s: expected %s, got %s", json_str(r, "check", ""), json_str(r, "expected", ""),
				 json_str(r, "actual", ""));
	assert_non_null(result(f.results, "power state"));
	assert_non_null(result(f.results, "cpu sockets"));
	assert_non_null(result(f.results, "nic 00:50:56:AA:00:01"));
	assert_string_equal(json_str(result(f.results, "nic 00:50:56:aa:00:02"), "actual", ""), "ns/cb-1");
	assert_string_equal(json_str(result(f.results, "disk count"), "actual", ""), "2");
	release(&f);
}

static void test_differences_name_both_values(void **state)
{
	(void)state;
	struct fixture f;

	load(&f);
	cJSON_ReplaceItemInObjectCaseSensitive(json_get(f.vm, "spec.template.spec.domain.memory"), "guest",
					       cJSON_CreateString("2048Mi"));
	cJSON_ReplaceItemInObjectCaseSensitive(json_get(f.vm, "spec.template.spec.networks[1]"), "multus",
					       cJSON_Parse("{\"networkName\":\"ns/other\"}"));
	cJSON_ReplaceItemInObjectCaseSensitive(json_get(f.pvcs, "[1].spec"), "storageClassName",
					       cJSON_CreateString("slow"));
	f.in.expected_power = "off";
	vm_checks_run(&f.in, f.results);
	const cJSON *mem = result(f.results, "memory MiB");
	assert_false(cJSON_IsTrue(json_get(mem, "ok")));
	assert_string_equal(json_str(mem, "expected", ""), "4096");
	assert_string_equal(json_str(mem, "actual", ""), "2048");
	assert_string_equal(json_str(result(f.results, "nic 00:50:56:aa:00:02"), "actual", ""), "ns/other");
	assert_false(cJSON_IsTrue(json_get(result(f.results, "disk p1 storage class"), "ok")));
	assert_string_equal(json_str(result(f.results, "power state"), "actual", ""), "on");
	assert_false(cJSON_IsTrue(json_get(result(f.results, "power state"), "ok")));
	release(&f);
}

static void test_missing_nic_and_disk(void **state)
{
	(void)state;
	struct fixture f;

	load(&f);
	cJSON_DeleteItemFromArray(json_get(f.vm, "spec.template.spec.domain.devices.interfaces"), 1);
	cJSON_DeleteItemFromArray(json_get(f.vm, "spec.template.spec.volumes"), 1);
	vm_checks_run(&f.in, f.results);
	assert_string_equal(json_str(result(f.results, "nic 00:50:56:aa:00:02"), "actual", ""), "absent");
	assert_string_equal(json_str(result(f.results, "disk count"), "actual", ""), "1");
	assert_false(cJSON_IsTrue(json_get(result(f.results, "disk count"), "ok")));
	release(&f);
}

static void test_quantities_and_source_power(void **state)
{
	(void)state;
	cJSON *v = cJSON_Parse("{\"status\":\"down\"}");

	assert_int_equal(quantity_mib("4Gi"), 4096);
	assert_int_equal(quantity_mib("4096Mi"), 4096);
	assert_int_equal(quantity_mib("4294967296"), 4096);
	assert_int_equal(quantity_mib("1G"), 954);
	assert_int_equal(quantity_mib("lots"), -1);
	assert_int_equal(quantity_mib("4Qi"), -1);
	assert_string_equal(vm_source_power(PROVIDER_OVIRT, v), "off");
	cJSON_Delete(v);
}

static void test_placement_guest_and_pvc_name_checks(void **state)
{
	(void)state;
	struct fixture f;
	cJSON *labels = cJSON_Parse("{\"team\":\"qe\",\"run\":\"auto-ab12\"}");
	cJSON *affinity = cJSON_Parse("{\"podAffinity\":{\"x\":1}}");
	cJSON *pvcs = cJSON_Parse("[{\"name\":\"p0\"},{\"prefix\":\"p\"}]");

	load(&f);
	cJSON_AddItemToObject(json_get(f.vm, "spec.template"), "metadata",
			      cJSON_Parse("{\"labels\":{\"team\":\"qe\",\"run\":\"auto-zz99\",\"app\":\"x\"}}"));
	cJSON_AddItemToObject(json_get(f.vm, "spec.template.spec"), "affinity", cJSON_Parse("{\"podAffinity\":{\"x\":1}}"));
	cJSON_AddItemToObject(f.source, "guestNetworks",
			      cJSON_Parse("[{\"mac\":\"00:50:56:aa:00:01\",\"ip\":\"10.0.0.5\",\"origin\":\"manual\"},"
					  "{\"mac\":\"00:50:56:aa:00:02\",\"ip\":\"10.0.0.6\",\"origin\":\"dhcp\"}]"));
	cJSON_DeleteItemFromObject(f.vmi, "status");
	cJSON_AddItemToObject(f.vmi, "status", cJSON_Parse("{\"phase\":\"Running\",\"nodeName\":\"w1\","
							    "\"interfaces\":[{\"mac\":\"00:50:56:AA:00:01\",\"ipAddresses\":[\"10.0.0.5\"]}],"
							    "\"conditions\":[{\"type\":\"AgentConnected\",\"status\":\"True\"}]}"));
	f.in.target_labels = labels;
	f.in.affinity = affinity;
	f.in.expected_node = "w2";
	f.in.guest_agent = true;
	f.in.static_ips = true;
	f.in.expected_pvcs = pvcs;
	vm_checks_run(&f.in, f.results);

	const cJSON *r = result(f.results, "target labels");
	assert_false(cJSON_IsTrue(json_get(r, "ok")));
	assert_string_equal(json_str(r, "expected", ""), "team=qe,run=auto-ab12");
	assert_true(cJSON_IsTrue(json_get(result(f.results, "affinity"), "ok")));
	assert_string_equal(json_str(result(f.results, "runs on the selected node"), "actual", ""), "w1");
	assert_true(cJSON_IsTrue(json_get(result(f.results, "guest agent connected"), "ok")));
	assert_true(cJSON_IsTrue(json_get(result(f.results, "static ip 10.0.0.5"), "ok")));
	assert_true(cJSON_IsTrue(json_get(result(f.results, "disk 0 pvc name"), "ok")));
	/* "p1" starts with "p" and is longer: a generateName match. */
	assert_true(cJSON_IsTrue(json_get(result(f.results, "disk 1 pvc name"), "ok")));
	/* dhcp addresses are not the static-IP check's business */
	const cJSON *it;
	cJSON_ArrayForEach(it, f.results)
		assert_null(strstr(json_str(it, "check", ""), "10.0.0.6"));
	cJSON_Delete(labels);
	cJSON_Delete(affinity);
	cJSON_Delete(pvcs);
	release(&f);
}

/* SortedDisksAsVmware: SATA, IDE, SCSI, NVMe, then controller key, unit
 * number, key — not the controller key alone. */
static void test_forklift_disk_order(void **state)
{
	(void)state;
	cJSON *vm = cJSON_Parse(
		"{\"disks\":[{\"file\":\"scsi0\",\"bus\":\"scsi\",\"controllerKey\":1000,\"unitNumber\":0,\"key\":2000},"
		"{\"file\":\"nvme0\",\"bus\":\"nvme\",\"controllerKey\":31000,\"unitNumber\":0,\"key\":2001},"
		"{\"file\":\"sata1\",\"bus\":\"sata\",\"controllerKey\":15001,\"unitNumber\":0,\"key\":2002},"
		"{\"file\":\"ide0\",\"bus\":\"ide\",\"controllerKey\":200,\"unitNumber\":1,\"key\":2003},"
		"{\"file\":\"sata0b\",\"bus\":\"sata\",\"controllerKey\":15000,\"unitNumber\":1,\"key\":2006},"
		"{\"file\":\"sata0a\",\"bus\":\"sata\",\"controllerKey\":15000,\"unitNumber\":1,\"key\":2004},"
		"{\"file\":\"scsi1\",\"bus\":\"scsi\",\"controllerKey\":1000,\"unitNumber\":1,\"key\":2005}]}");
	static const char *const want[] = { "sata0a", "sata0b", "sata1", "ide0", "scsi0", "scsi1", "nvme0" };
	struct vm_disk d[VM_DISKS_MAX];
	size_t n = vm_source_disks(PROVIDER_VSPHERE, vm, d, VM_DISKS_MAX);

	assert_int_equal(n, 7);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(d[i].source, want[i]);
	cJSON_Delete(vm);
}

/* PopulatorVolumes: the volumes, then the image of an image-booted server. */
static void test_openstack_image_is_one_more_disk(void **state)
{
	(void)state;
	cJSON *src = cJSON_Parse("{\"id\":\"s1\",\"status\":\"ACTIVE\",\"imageID\":\"img-1\",\"attachedVolumes\":[{\"ID\":\"vol-1\"}]}");
	cJSON *vm = cJSON_Parse("{\"spec\":{\"template\":{\"spec\":{\"volumes\":["
				"{\"name\":\"a\",\"persistentVolumeClaim\":{\"claimName\":\"p-img\"}},"
				"{\"name\":\"b\",\"persistentVolumeClaim\":{\"claimName\":\"p-vol\"}}]}}}}");
	cJSON *pvcs = cJSON_Parse(
		"[{\"metadata\":{\"name\":\"p-img\",\"annotations\":{\"forklift.konveyor.io/disk-source\":\"img-1\"}},"
		"\"spec\":{\"storageClassName\":\"fast\"}},"
		"{\"metadata\":{\"name\":\"p-vol\",\"annotations\":{\"forklift.konveyor.io/disk-source\":\"vol-1\"}},"
		"\"spec\":{\"storageClassName\":\"fast\"}}]");
	cJSON *names = cJSON_Parse("[{\"name\":\"p-vol\"},{\"name\":\"p-img\"}]");
	cJSON *results = cJSON_CreateArray();
	struct vm_check_input in = {
		.type = PROVIDER_OPENSTACK, .source = src, .vm = vm, .pvcs = pvcs, .expected_power = "",
		.storage_class = "fast", .expected_pvcs = names,
	};
	const cJSON *r;

	vm_checks_run(&in, results);
	cJSON_ArrayForEach(r, results)
		if (!cJSON_IsTrue(json_get(r, "ok")))
			fail_msg("%s: expected %s, got %s", json_str(r, "check", ""), json_str(r, "expected", ""),
				 json_str(r, "actual", ""));
	assert_string_equal(json_str(result(results, "disk count"), "expected", ""), "2");
	/* no disk-index on OpenStack PVCs: matched by disk-source, not position */
	assert_string_equal(json_str(result(results, "disk 1 source"), "actual", ""), "img-1");
	cJSON_Delete(results);
	results = cJSON_CreateArray();
	cJSON_DeleteItemFromObject(src, "imageID");
	vm_checks_run(&in, results);
	assert_string_equal(json_str(result(results, "disk count"), "expected", ""), "1");
	cJSON_Delete(results);
	cJSON_Delete(src);
	cJSON_Delete(vm);
	cJSON_Delete(pvcs);
	cJSON_Delete(names);
}

/* Each PVC is its disk's by the disk-index annotation, whatever the
 * volume order; a wrong index is reported with both disks' files. */
static void test_pvcs_matched_by_disk_index(void **state)
{
	(void)state;
	cJSON *src = cJSON_Parse("{\"disks\":[{\"file\":\"[ds] vm/b.vmdk\",\"bus\":\"scsi\",\"controllerKey\":1000,\"unitNumber\":0},"
				 "{\"file\":\"[ds] vm/a.vmdk\",\"bus\":\"sata\",\"controllerKey\":15000,\"unitNumber\":0}]}");
	cJSON *vm = cJSON_Parse("{\"spec\":{\"template\":{\"spec\":{\"volumes\":["
				"{\"name\":\"v0\",\"persistentVolumeClaim\":{\"claimName\":\"pb\"}},"
				"{\"name\":\"v1\",\"persistentVolumeClaim\":{\"claimName\":\"pa\"}}]}}}}");
	cJSON *pvcs = cJSON_Parse(
		"[{\"metadata\":{\"name\":\"pa\",\"annotations\":{\"forklift.konveyor.io/disk-index\":\"0\","
		"\"forklift.konveyor.io/disk-source\":\"[ds] vm/a.vmdk\"}},\"spec\":{\"storageClassName\":\"fast\"}},"
		"{\"metadata\":{\"name\":\"pb\",\"annotations\":{\"forklift.konveyor.io/disk-index\":\"1\","
		"\"forklift.konveyor.io/disk-source\":\"[ds] vm/b-000003.vmdk\"}},\"spec\":{\"storageClassName\":\"fast\"}}]");
	cJSON *names = cJSON_Parse("[{\"name\":\"pa\"},{\"prefix\":\"p\"}]");
	cJSON *results = cJSON_CreateArray();
	struct vm_check_input in = {
		.type = PROVIDER_VSPHERE, .source = src, .vm = vm, .pvcs = pvcs, .expected_power = "",
		.storage_class = "fast", .expected_pvcs = names,
	};

	vm_checks_run(&in, results);
	/* the SATA disk is index 0, mounted second: found by its annotation */
	assert_true(cJSON_IsTrue(json_get(result(results, "disk 0 pvc name"), "ok")));
	assert_true(cJSON_IsTrue(json_get(result(results, "disk 0 source"), "ok")));
	/* the snapshot suffix is trimmed, as Forklift's baseVolume does */
	assert_true(cJSON_IsTrue(json_get(result(results, "disk 1 source"), "ok")));
	cJSON_Delete(results);
	results = cJSON_CreateArray();
	cJSON_ReplaceItemInObject(json_get(pvcs, "[0].metadata.annotations"), "forklift.konveyor.io/disk-index",
				  cJSON_CreateString("1"));
	cJSON_ReplaceItemInObject(json_get(pvcs, "[1].metadata.annotations"), "forklift.konveyor.io/disk-index",
				  cJSON_CreateString("0"));
	vm_checks_run(&in, results);
	const cJSON *r = result(results, "disk 0 source");
	assert_false(cJSON_IsTrue(json_get(r, "ok")));
	assert_string_equal(json_str(r, "expected", ""), "[ds] vm/a.vmdk");
	assert_string_equal(json_str(r, "actual", ""), "[ds] vm/b-000003.vmdk");
	assert_string_equal(json_str(result(results, "disk 0 pvc name"), "actual", ""), "pb");
	cJSON_Delete(results);
	cJSON_Delete(src);
	cJSON_Delete(vm);
	cJSON_Delete(pvcs);
	cJSON_Delete(names);
}

/* The NIC results for a source, networks and map of one provider type,
 * against the fixture's VM (…:01 on the pod network, …:02 on ns/cb-1). */
static cJSON *nic_results(enum provider_type type, const char *source, const char *networks, const char *map)
{
	struct fixture f;
	cJSON *src = cJSON_Parse(source), *nets = cJSON_Parse(networks), *m = cJSON_Parse(map);
	cJSON *out = cJSON_CreateArray();
	const cJSON *r;

	load(&f);
	assert_non_null(src);
	assert_non_null(nets);
	assert_non_null(m);
	f.in.type = type;
	f.in.source = src;
	f.in.source_networks = nets;
	f.in.network_map = m;
	vm_checks_run(&f.in, f.results);
	cJSON_ArrayForEach(r, f.results)
		if (!strncmp(json_str(r, "check", ""), "nic ", 4))
			cJSON_AddItemToArray(out, cJSON_Duplicate(r, 1));
	cJSON_Delete(src);
	cJSON_Delete(nets);
	cJSON_Delete(m);
	release(&f);
	return out;
}

static void assert_nic(const cJSON *results, const char *check, bool ok, const char *expected)
{
	const cJSON *r = result(results, check);

	if (cJSON_IsTrue(json_get(r, "ok")) != ok || strcmp(json_str(r, "expected", ""), expected))
		fail_msg("%s: ok=%d expected \"%s\" (actual %s), wanted ok=%d expected \"%s\"", check,
			 cJSON_IsTrue(json_get(r, "ok")), json_str(r, "expected", ""), json_str(r, "actual", ""), ok,
			 expected);
}

/* vSphere NICs name a distributed portgroup by its key and an NSX network
 * by its OpaqueNetworkId; the map names the networks by name or id. */
static void test_vsphere_nic_on_portgroup_key_and_opaque_id(void **state)
{
	(void)state;
	const char *source =
		"{\"powerState\":\"poweredOn\",\"nics\":["
		"{\"mac\":\"00:50:56:aa:00:01\",\"network\":{\"kind\":\"Network\",\"id\":\"dvportgroup-key-7\"}},"
		"{\"mac\":\"00:50:56:aa:00:02\",\"network\":{\"kind\":\"Network\",\"id\":\"5a7c-opaque\"}}]}";
	const char *networks =
		"[{\"id\":\"dvportgroup-1003\",\"name\":\"dvpg\",\"variant\":\"DvPortGroup\",\"key\":\"dvportgroup-key-7\"},"
		"{\"id\":\"network-o1004\",\"name\":\"nsx\",\"variant\":\"OpaqueNetwork\",\"key\":\"5a7c-opaque\"},"
		"{\"id\":\"dvportgroup-key-7\",\"name\":\"decoy\",\"variant\":\"Standard\"}]";
	const char *map =
		"{\"spec\":{\"map\":[{\"source\":{\"name\":\"dvpg\"},\"destination\":{\"type\":\"pod\"}},"
		"{\"source\":{\"id\":\"network-o1004\"},\"destination\":{\"type\":\"multus\",\"name\":\"cb-1\",\"namespace\":\"ns\"}}]}}";
	cJSON *r = nic_results(PROVIDER_VSPHERE, source, networks, map);

	assert_int_equal(cJSON_GetArraySize(r), 2);
	assert_nic(r, "nic 00:50:56:aa:00:01", true, "pod");
	assert_nic(r, "nic 00:50:56:aa:00:02", true, "ns/cb-1");
	cJSON_Delete(r);
	/* A key that no network has fails naming it. */
	r = nic_results(PROVIDER_VSPHERE, source, "[]", map);
	assert_nic(r, "nic 00:50:56:aa:00:01", false, "network dvportgroup-key-7 in the source inventory");
	cJSON_Delete(r);
}

/* OVA NICs name their network; the map refers to it by ID. */
static void test_ova_nic_network_is_a_name(void **state)
{
	(void)state;
	const char *source =
		"{\"nics\":[{\"Name\":\"Ethernet\",\"MAC\":\"00:50:56:aa:00:01\",\"Network\":\"VM Network\"},"
		"{\"Name\":\"Ethernet\",\"MAC\":\"00:50:56:aa:00:02\",\"Network\":\"Mgmt\"}]}";
	const char *networks = "[{\"id\":\"ova-net-1\",\"name\":\"VM Network\"},{\"id\":\"ova-net-2\",\"name\":\"Mgmt\"}]";
	const char *map =
		"{\"spec\":{\"map\":[{\"source\":{\"id\":\"ova-net-1\"},\"destination\":{\"type\":\"pod\"}},"
		"{\"source\":{\"id\":\"ova-net-2\"},\"destination\":{\"type\":\"multus\",\"name\":\"cb-1\",\"namespace\":\"ns\"}}]}}";
	cJSON *r = nic_results(PROVIDER_OVA, source, networks, map);

	assert_nic(r, "nic 00:50:56:aa:00:01", true, "pod");
	assert_nic(r, "nic 00:50:56:aa:00:02", true, "ns/cb-1");
	cJSON_Delete(r);
}

/* OpenStack has no nics: one interface per addresses network, from its
 * first address; the builder matches the map on source.id only. */
static void test_openstack_nics_from_addresses(void **state)
{
	(void)state;
	const char *source =
		"{\"status\":\"ACTIVE\",\"addresses\":{"
		"\"private\":[{\"addr\":\"172.16.0.21\",\"version\":4,\"OS-EXT-IPS:type\":\"fixed\",\"OS-EXT-IPS-MAC:mac_addr\":\"00:50:56:aa:00:01\"},"
		"{\"addr\":\"10.0.0.9\",\"version\":4,\"OS-EXT-IPS:type\":\"floating\",\"OS-EXT-IPS-MAC:mac_addr\":\"00:50:56:aa:00:01\"}],"
		"\"mgmt\":[{\"addr\":\"172.17.0.21\",\"version\":4,\"OS-EXT-IPS:type\":\"fixed\",\"OS-EXT-IPS-MAC:mac_addr\":\"00:50:56:aa:00:02\"}],"
		"\"public\":[{\"addr\":\"10.0.0.10\",\"version\":4,\"OS-EXT-IPS:type\":\"floating\",\"OS-EXT-IPS-MAC:mac_addr\":\"00:50:56:aa:00:09\"}]}}";
	const char *networks =
		"[{\"id\":\"n-1\",\"name\":\"private\"},{\"id\":\"n-2\",\"name\":\"mgmt\"},{\"id\":\"n-3\",\"name\":\"public\"}]";
	const char *map =
		"{\"spec\":{\"map\":[{\"source\":{\"id\":\"n-1\",\"name\":\"private\"},\"destination\":{\"type\":\"pod\"}},"
		"{\"source\":{\"id\":\"n-2\",\"name\":\"mgmt\"},\"destination\":{\"type\":\"multus\",\"name\":\"cb-1\",\"namespace\":\"ns\"}}]}}";
	const char *by_name =
		"{\"spec\":{\"map\":[{\"source\":{\"name\":\"private\"},\"destination\":{\"type\":\"pod\"}}]}}";
	cJSON *r = nic_results(PROVIDER_OPENSTACK, source, networks, map);

	/* private and mgmt; public's only address is floating: no interface. */
	assert_int_equal(cJSON_GetArraySize(r), 2);
	assert_nic(r, "nic 00:50:56:aa:00:01", true, "pod");
	assert_nic(r, "nic 00:50:56:aa:00:02", true, "ns/cb-1");
	cJSON_Delete(r);
	r = nic_results(PROVIDER_OPENSTACK, source, networks, by_name);
	assert_nic(r, "nic 00:50:56:aa:00:01", false, "unmapped");
	cJSON_Delete(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matching_vm_passes_every_check),
		cmocka_unit_test(test_differences_name_both_values),
		cmocka_unit_test(test_missing_nic_and_disk),
		cmocka_unit_test(test_quantities_and_source_power),
		cmocka_unit_test(test_placement_guest_and_pvc_name_checks),
		cmocka_unit_test(test_forklift_disk_order),
		cmocka_unit_test(test_openstack_image_is_one_more_disk),
		cmocka_unit_test(test_pvcs_matched_by_disk_index),
		cmocka_unit_test(test_vsphere_nic_on_portgroup_key_and_opaque_id),
		cmocka_unit_test(test_ova_nic_network_is_a_name),
		cmocka_unit_test(test_openstack_nics_from_addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
