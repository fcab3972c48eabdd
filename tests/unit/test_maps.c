/* The StorageMap, NetworkMap and NAD builders (lib/maps.c): the exact
 * objects for representative inputs, each valid for Forklift's CRD. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "maps.h"
#include "ocp_refs.h"
#include "objects_check.h"

static const struct map_in in = {
	.session = &session,
	.ns = "auto-ab12",
	.source_name = "auto-ab12-source-vsphere-8-0",
	.dest_name = "auto-ab12-local-ocp-provider",
};

#define PROVIDERS \
	"'provider':{'source':{'name':'auto-ab12-source-vsphere-8-0','namespace':'auto-ab12'}," \
	"'destination':{'name':'auto-ab12-local-ocp-provider','namespace':'auto-ab12'}}"

/* vSphere: datastores by id, all to the one storage class. */
static void test_storage_map_vsphere(void **state)
{
	cJSON *storages = cJSON_Parse("[{\"id\":\"datastore-1\"},{\"id\":\"datastore-2\"}]");
	cJSON *obj = storage_map_build(&in, "auto-ab12-storagemap", storages, "ocs-storagecluster-ceph-rbd");

	(void)state;
	assert_json_equal(obj, "{" META("StorageMap", "auto-ab12-storagemap") "'spec':{" PROVIDERS ","
			  "'map':[{'destination':{'storageClass':'ocs-storagecluster-ceph-rbd'},"
			  "'source':{'id':'datastore-1'}},"
			  "{'destination':{'storageClass':'ocs-storagecluster-ceph-rbd'},"
			  "'source':{'id':'datastore-2'}}]}}");
	assert_crd_valid(obj);
	cJSON_Delete(obj);
	cJSON_Delete(storages);
}

/* An OpenShift source: the storage classes of its VMs' PVCs, by name. */
static void test_storage_map_openshift(void **state)
{
	cJSON *vms = cJSON_Parse("[{\"name\":\"a\",\"namespace\":\"src\",\"object\":{\"metadata\":{\"name\":\"a\","
				 "\"namespace\":\"src\"},\"spec\":{\"template\":{\"spec\":{\"volumes\":["
				 "{\"name\":\"d0\",\"dataVolume\":{\"name\":\"a-0\"}}]}}}}}]");
	cJSON *pvcs = cJSON_Parse("[{\"name\":\"a-0\",\"namespace\":\"src\",\"object\":{\"metadata\":{\"name\":"
				  "\"a-0\",\"namespace\":\"src\"},\"spec\":{\"storageClassName\":\"nfs\"}}}]");
	cJSON *refs = cJSON_CreateArray(), *obj;
	struct mtv_err err;

	(void)state;
	assert_int_equal(ocp_storage_refs(vms, pvcs, refs, &err), 0);
	obj = storage_map_build(&in, "auto-ab12-storagemap", refs, "standard");
	assert_json_equal(obj, "{" META("StorageMap", "auto-ab12-storagemap") "'spec':{" PROVIDERS ","
			  "'map':[{'destination':{'storageClass':'standard'},'source':{'name':'nfs'}}]}}");
	assert_crd_valid(obj);
	cJSON_Delete(obj);
	cJSON_Delete(refs);
	cJSON_Delete(vms);
	cJSON_Delete(pvcs);
}

/* The first network to the pod network, each further one to a NAD. */
static void test_network_map_vsphere(void **state)
{
	cJSON *networks = cJSON_Parse("[{\"id\":\"network-1\",\"name\":\"VM Network\"},"
				      "{\"id\":\"dvportgroup-2\",\"name\":\"Mgmt\"},{\"id\":\"network-3\"}]");
	cJSON *nads = nad_names(&session, 2), *obj;

	(void)state;
	assert_json_equal(nads, "['cb-ab12-1','cb-ab12-2']");
	obj = network_map_build(&in, "auto-ab12-networkmap", networks, nads, "default");
	assert_json_equal(obj, "{" META("NetworkMap", "auto-ab12-networkmap") "'spec':{" PROVIDERS ","
			  "'map':[{'destination':{'type':'pod'},'source':{'id':'network-1','name':'VM Network'}},"
			  "{'destination':{'name':'cb-ab12-1','namespace':'default','type':'multus'},"
			  "'source':{'id':'dvportgroup-2','name':'Mgmt'}},"
			  "{'destination':{'name':'cb-ab12-2','namespace':'default','type':'multus'},"
			  "'source':{'id':'network-3'}}]}}");
	assert_crd_valid(obj);
	cJSON_Delete(obj);
	cJSON_Delete(nads);
	cJSON_Delete(networks);
}

/* An OpenShift source: pod and multus networks as Forklift names them. */
static void test_network_map_openshift(void **state)
{
	cJSON *vm = cJSON_Parse("{\"name\":\"a\",\"namespace\":\"src\",\"object\":{\"metadata\":{\"name\":\"a\","
				"\"namespace\":\"src\"},\"spec\":{\"template\":{\"spec\":{\"networks\":["
				"{\"name\":\"n0\",\"pod\":{}},{\"name\":\"n1\",\"multus\":{\"networkName\":\"other/br\"}}]}}}}}");
	cJSON *refs = cJSON_CreateArray(), *nads = nad_names(&session, 1), *obj;

	(void)state;
	assert_int_equal(ocp_network_refs(vm, refs), 2);
	obj = network_map_build(&in, "auto-ab12-networkmap", refs, nads, "auto-ab12");
	assert_json_equal(obj, "{" META("NetworkMap", "auto-ab12-networkmap") "'spec':{" PROVIDERS ","
			  "'map':[{'destination':{'type':'pod'},'source':{'type':'pod'}},"
			  "{'destination':{'name':'cb-ab12-1','namespace':'auto-ab12','type':'multus'},"
			  "'source':{'name':'br','namespace':'other'}}]}}");
	assert_crd_valid(obj);
	cJSON_Delete(obj);
	cJSON_Delete(nads);
	cJSON_Delete(refs);
	cJSON_Delete(vm);
}

/* The first NAD bridges to cnv-bridge, later ones to a bridge of their name. */
static void test_nad(void **state)
{
	cJSON *first = nad_build(&session, "default", "cb-ab12-1", 0);
	cJSON *second = nad_build(&session, "default", "cb-ab12-2", 1);

	(void)state;
	assert_json_equal(first, "{'apiVersion':'k8s.cni.cncf.io/v1','kind':'NetworkAttachmentDefinition',"
			  "'metadata':{'name':'cb-ab12-1','namespace':'default','labels':{"
			  "'app.kubernetes.io/managed-by':'mtv-steps','mtv-steps/session':'auto-ab12'}},"
			  "'spec':{'config':'{\\\"cniVersion\\\":\\\"0.3.1\\\",\\\"type\\\":\\\"cnv-bridge\\\","
			  "\\\"bridge\\\":\\\"cnv-bridge\\\"}'}}");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(second, "spec"), "config")),
			    "{\"cniVersion\":\"0.3.1\",\"type\":\"bridge\",\"bridge\":\"cb-ab12-2\"}");
	cJSON_Delete(first);
	cJSON_Delete(second);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_storage_map_vsphere),
		cmocka_unit_test(test_storage_map_openshift),
		cmocka_unit_test(test_network_map_vsphere),
		cmocka_unit_test(test_network_map_openshift),
		cmocka_unit_test(test_nad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
