/* The Plan and Hook builders (lib/plan_objects.c): the exact objects for
 * representative scenarios, each valid for Forklift's CRD. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "hooks.h"
#include "json.h"
#include "plan_objects.h"
#include "objects_check.h"

static const struct plan_refs refs = {
	.storage_map = "auto-ab12-storagemap",
	.network_map = "auto-ab12-networkmap",
	.vm_namespace = "auto-ab12",
};

#define REFS(vm_ns) \
	"'targetNamespace':'" vm_ns "'," \
	"'provider':{'source':{'name':'auto-ab12-source-vsphere-8-0','namespace':'auto-ab12'}," \
	"'destination':{'name':'auto-ab12-local-ocp-provider','namespace':'auto-ab12'}}," \
	"'map':{'network':{'name':'auto-ab12-networkmap','namespace':'auto-ab12'}," \
	"'storage':{'name':'auto-ab12-storagemap','namespace':'auto-ab12'}},"

/* Scenarios of a catalog: "" is the shipped one; else a JSON text written
 * to a temporary file. */
struct fixture {
	struct scenario sc;
	struct plan_in in;
	char path[64];
};

static void load(struct fixture *f, const char *catalog, const char *name, enum provider_type type)
{
	struct mtv_err err;

	memset(f, 0, sizeof(*f));
	if (catalog) {
		snprintf(f->path, sizeof(f->path), "/tmp/test_plan_objects.XXXXXX");
		int fd = mkstemp(f->path);

		assert_true(fd >= 0);
		close(fd);
		assert_int_equal(fs_write_atomic(f->path, catalog, strlen(catalog), 0600, &err), 0);
	}
	if (scenario_load(catalog ? f->path : "", name, &f->sc, &err) < 0)
		fail_msg("%s", err.msg);
	f->in = (struct plan_in){ &session, "auto-ab12", "auto-ab12-source-vsphere-8-0",
				  "auto-ab12-local-ocp-provider", type, &f->sc };
}

static void unload(struct fixture *f)
{
	scenario_release(&f->sc);
	if (*f->path)
		unlink(f->path);
}

static cJSON *vms(void)
{
	return cJSON_Parse("[{\"id\":\"vm-4001\",\"name\":\"mtv-tests-rhel8\"},{\"id\":\"vm-4002\",\"name\":\"b\"}]");
}

/* vSphere cold, the sanity scenario: providers, maps, VMs and warm=false. */
static void test_vsphere_cold(void **state)
{
	struct fixture f;
	cJSON *v = vms(), *plan;
	char name[128];
	struct mtv_err err;

	(void)state;
	load(&f, NULL, "test_sanity_cold_mtv_migration", PROVIDER_VSPHERE);
	plan = plan_build(&f.in, "auto-ab12-source-vsphere-8-0-x1y2-cold", v, &refs);
	assert_json_equal(plan, "{" META("Plan", "auto-ab12-source-vsphere-8-0-x1y2-cold") "'spec':{"
			  REFS("auto-ab12") "'warm':false,'vms':[{'id':'vm-4001'},{'id':'vm-4002'}]}}");
	assert_crd_valid(plan);
	assert_null(plan_pvc_template(&f.in));
	assert_int_equal(plan_check_pvc_template(&f.in, "p", v, &err), 0);
	assert_int_equal(plan_name(&f.in, name, sizeof(name), &err), 0);
	assert_int_equal(strlen(name), strlen("auto-ab12-source-vsphere-8-0-xxxx-cold"));
	assert_memory_equal(name, "auto-ab12-source-vsphere-8-0-", 29);
	assert_string_equal(name + 33, "-cold");
	cJSON_Delete(plan);
	cJSON_Delete(v);
	unload(&f);
}

/* The validator is not vacuous: a field the CRD does not declare fails. */
static void test_crd_check_rejects_unknown_field(void **state)
{
	struct fixture f;
	cJSON *v = vms(), *plan, *causes = cJSON_CreateArray();
	struct restype rt = { .kind = "Plan" };

	(void)state;
	load(&f, NULL, "test_sanity_cold_mtv_migration", PROVIDER_VSPHERE);
	plan = plan_build(&f.in, "p", v, &refs);
	assert_crd_valid(plan);	/* loads the CRDs */
	cJSON_AddBoolToObject(cJSON_GetObjectItem(plan, "spec"), "warmMigration", true);
	if (crd_loaded())
		assert_int_equal(crd_validate(&rt, plan, causes), -1);
	cJSON_Delete(causes);
	cJSON_Delete(plan);
	cJSON_Delete(v);
	unload(&f);
}

/* Cold comprehensive: power state, static IPs, PVC name template, node
 * selector and labels (null values: the session id), affinity, another
 * VM namespace. */
static void test_vsphere_cold_comprehensive(void **state)
{
	static const struct plan_refs other = { "auto-ab12-storagemap", "auto-ab12-networkmap", "mtv-comprehensive-vms" };
	struct fixture f;
	cJSON *v = cJSON_Parse("[{\"id\":\"vm-7\",\"name\":\"mtv-win2019-3disks\",\"disks\":["
			       "{\"file\":\"[ds] w/w.vmdk\"},{\"file\":\"[ds] w/w_1.vmdk\"}]}]"), *plan;
	struct mtv_err err;

	(void)state;
	load(&f, NULL, "test_cold_migration_comprehensive", PROVIDER_VSPHERE);
	plan = plan_build(&f.in, "auto-ab12-source-vsphere-8-0-x1y2-cold", v, &other);
	assert_json_equal(plan, "{" META("Plan", "auto-ab12-source-vsphere-8-0-x1y2-cold") "'spec':{"
			  REFS("mtv-comprehensive-vms") "'warm':false,'vms':[{'id':'vm-7'}],"
			  "'targetPowerState':'on','preserveStaticIPs':true,'pvcNameTemplateUseGenerateName':false,"
			  "'pvcNameTemplate':'{{.VmName}}-disk-{{.DiskIndex}}',"
			  "'targetLabels':{'mtv-comprehensive-label':'auto-ab12','test-type':'comprehensive'},"
			  "'targetNodeSelector':{'mtv-comprehensive-node':'auto-ab12'},"
			  "'targetAffinity':{'podAffinity':{'preferredDuringSchedulingIgnoredDuringExecution':[{"
			  "'podAffinityTerm':{'labelSelector':{'matchLabels':{'app':'test'}},"
			  "'topologyKey':'kubernetes.io/hostname'},'weight':50}]}}}}");
	assert_crd_valid(plan);
	assert_int_equal(plan_check_pvc_template(&f.in, "p", v, &err), 0);
	cJSON_Delete(plan);
	cJSON_Delete(v);
	unload(&f);
}

/* Warm with hooks, target labels and a node selector: the Plan, then the
 * two Hooks and every VM's hooks entries. */
static const char warm_catalog[] =
	"{\"warm_hooks\":{\"virtual_machines\":[{\"name\":\"mtv-tests-rhel8\"}],\"warm_migration\":true,"
	"\"target_labels\":{\"mtv-label\":null,\"tier\":\"db\"},\"target_node_selector\":{\"mtv-node\":null},"
	"\"pre_hook\":{\"expected_result\":\"succeed\"},\"post_hook\":{\"expected_result\":\"fail\"},"
	"\"expected_migration_result\":\"fail\"}}";

static void test_vsphere_warm_hooks(void **state)
{
	struct fixture f;
	cJSON *v = vms(), *plan, *objects = cJSON_CreateArray(), *hook;
	struct buf pre = BUF_INIT(1 << 20), post = BUF_INIT(1 << 20);
	struct mtv_err err;

	(void)state;
	load(&f, warm_catalog, "warm_hooks", PROVIDER_VSPHERE);
	plan = plan_build(&f.in, "auto-ab12-source-vsphere-8-0-x1y2-warm", v, &refs);
	assert_int_equal(plan_add_hooks(&f.in, "quay.io/x/hook-runner:1", objects, plan, &err), 0);
	assert_json_equal(plan, "{" META("Plan", "auto-ab12-source-vsphere-8-0-x1y2-warm") "'spec':{"
			  REFS("auto-ab12") "'warm':true,'vms':["
			  "{'id':'vm-4001','hooks':["
			  "{'step':'PreHook','hook':{'name':'auto-ab12-source-vsphere-8-0-pre-hook','namespace':'auto-ab12'}},"
			  "{'step':'PostHook','hook':{'name':'auto-ab12-source-vsphere-8-0-post-hook','namespace':'auto-ab12'}}]},"
			  "{'id':'vm-4002','hooks':["
			  "{'step':'PreHook','hook':{'name':'auto-ab12-source-vsphere-8-0-pre-hook','namespace':'auto-ab12'}},"
			  "{'step':'PostHook','hook':{'name':'auto-ab12-source-vsphere-8-0-post-hook','namespace':'auto-ab12'}}]}],"
			  "'targetLabels':{'mtv-label':'auto-ab12','tier':'db'},"
			  "'targetNodeSelector':{'mtv-node':'auto-ab12'}}}");
	assert_crd_valid(plan);
	assert_int_equal(cJSON_GetArraySize(objects), 2);
	/* The playbooks are the built-in succeeding and failing ones. */
	assert_int_equal(hook_playbook(scenario_key(&f.sc, "pre_hook"), "pre", &pre, &err), 0);
	assert_int_equal(hook_playbook(scenario_key(&f.sc, "post_hook"), "post", &post, &err), 0);
	assert_string_not_equal(buf_str(&pre), buf_str(&post));
	hook = cJSON_GetArrayItem(objects, 0);
	assert_crd_valid(hook);
	assert_string_equal(json_str(hook, "spec.playbook", ""), buf_str(&pre));
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(hook, "spec"), "playbook");
	assert_json_equal(hook, "{" META("Hook", "auto-ab12-source-vsphere-8-0-pre-hook")
			  "'spec':{'image':'quay.io/x/hook-runner:1'}}");
	hook = cJSON_GetArrayItem(objects, 1);
	assert_crd_valid(hook);
	assert_string_equal(json_str(hook, "spec.playbook", ""), buf_str(&post));
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(hook, "spec"), "playbook");
	assert_json_equal(hook, "{" META("Hook", "auto-ab12-source-vsphere-8-0-post-hook")
			  "'spec':{'image':'quay.io/x/hook-runner:1'}}");
	buf_release(&pre);
	buf_release(&post);
	cJSON_Delete(objects);
	cJSON_Delete(plan);
	cJSON_Delete(v);
	unload(&f);
}

/* An OpenShift source with a per-provider-type PVC name template map: the
 * openshift entry is used, other sources get the default. */
static const char ocp_catalog[] =
	"{\"ocp\":{\"virtual_machines\":[{\"name\":\"a\"}],\"warm_migration\":false,"
	"\"target_power_state\":\"off\","
	"\"pvc_name_template\":{\"openshift\":\"{{.VmName}}-ocp-{{.DiskIndex}}\",\"default\":\"d-{{.DiskIndex}}\"}}}";

static void test_openshift_source(void **state)
{
	struct fixture f;
	cJSON *v = cJSON_Parse("[{\"id\":\"uid-1\",\"name\":\"a\",\"namespace\":\"src\"}]"), *plan;
	char out[128];
	struct mtv_err err;

	(void)state;
	load(&f, ocp_catalog, "ocp", PROVIDER_OPENSHIFT);
	plan = plan_build(&f.in, "auto-ab12-source-openshift-x1y2-cold", v, &refs);
	assert_json_equal(plan, "{" META("Plan", "auto-ab12-source-openshift-x1y2-cold") "'spec':{"
			  REFS("auto-ab12") "'warm':false,'vms':[{'id':'uid-1'}],"
			  "'targetPowerState':'off','pvcNameTemplate':'{{.VmName}}-ocp-{{.DiskIndex}}'}}");
	assert_crd_valid(plan);
	assert_int_equal(plan_check_pvc_template(&f.in, "p", v, &err), 0);
	assert_int_equal(plan_pvc_name(plan_pvc_template(&f.in), "p", cJSON_GetArrayItem(v, 0), "a", NULL, 1,
				       out, sizeof(out), &err), 0);
	assert_string_equal(out, "a-ocp-1");
	f.in.type = PROVIDER_OVIRT;
	assert_string_equal(plan_pvc_template(&f.in), "d-{{.DiskIndex}}");
	cJSON_Delete(plan);
	cJSON_Delete(v);
	unload(&f);
}

/* A template that renders to no DNS-1123 label is bad input naming the
 * scenario, the VM and the disk, before anything reaches the cluster. */
static const char bad_catalog[] =
	"{\"bad\":{\"virtual_machines\":[{\"name\":\"mtv-tests-rhel8\"}],\"warm_migration\":false,"
	"\"pvc_name_template\":\"{{.VmName}}_{{.DiskIndex}}\"}}";

static void test_bad_pvc_template(void **state)
{
	struct fixture f;
	cJSON *v = vms();
	struct mtv_err err;

	(void)state;
	load(&f, bad_catalog, "bad", PROVIDER_VSPHERE);
	assert_int_equal(plan_check_pvc_template(&f.in, "p", v, &err), -1);
	assert_int_equal(err.code, MTV_EXIT_USAGE);
	assert_non_null(strstr(err.msg, "scenario bad: pvc_name_template (VM mtv-tests-rhel8, disk 0)"));
	cJSON_Delete(v);
	unload(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vsphere_cold),
		cmocka_unit_test(test_crd_check_rejects_unknown_field),
		cmocka_unit_test(test_vsphere_cold_comprehensive),
		cmocka_unit_test(test_vsphere_warm_hooks),
		cmocka_unit_test(test_openshift_source),
		cmocka_unit_test(test_bad_pvc_template),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
