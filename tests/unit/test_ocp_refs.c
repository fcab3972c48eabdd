#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "ocp_refs.h"

static const char vms_json[] =
	"[{\"name\":\"a\",\"namespace\":\"src\",\"object\":{\"metadata\":{\"name\":\"a\",\"namespace\":\"src\"},"
	"\"spec\":{\"template\":{\"spec\":{"
	"\"volumes\":[{\"name\":\"d0\",\"persistentVolumeClaim\":{\"claimName\":\"a-0\"}},"
	"{\"name\":\"d1\",\"dataVolume\":{\"name\":\"a-1\"}},{\"name\":\"ci\",\"cloudInitNoCloud\":{}}],"
	"\"networks\":[{\"name\":\"n0\",\"pod\":{}},{\"name\":\"n1\",\"multus\":{\"networkName\":\"other/br\"}},"
	"{\"name\":\"n2\",\"multus\":{\"networkName\":\"local\"}},{\"name\":\"n3\",\"pod\":{}}]}}}}}]";

static const char pvcs_json[] =
	"[{\"name\":\"a-0\",\"namespace\":\"src\",\"object\":{\"metadata\":{\"name\":\"a-0\",\"namespace\":\"src\"},"
	"\"spec\":{\"storageClassName\":\"rbd\"}}},"
	"{\"name\":\"a-1\",\"namespace\":\"src\",\"object\":{\"metadata\":{\"name\":\"a-1\",\"namespace\":\"src\"},"
	"\"spec\":{\"storageClassName\":\"nfs\"}}},"
	"{\"name\":\"a-0\",\"namespace\":\"elsewhere\",\"object\":{\"metadata\":{\"name\":\"a-0\",\"namespace\":\"elsewhere\"},"
	"\"spec\":{\"storageClassName\":\"wrong\"}}}]";

static void test_storage_refs(void **state)
{
	cJSON *vms = cJSON_Parse(vms_json), *pvcs = cJSON_Parse(pvcs_json), *refs = cJSON_CreateArray();
	struct mtv_err err;
	char *s;

	(void)state;
	assert_int_equal(ocp_storage_refs(vms, pvcs, refs, &err), 0);
	s = cJSON_PrintUnformatted(refs);
	assert_string_equal(s, "[{\"name\":\"rbd\"},{\"name\":\"nfs\"}]");
	cJSON_free(s);
	/* the DataVolume's PVC missing: an error naming it */
	cJSON_DeleteItemFromArray(pvcs, 1);
	assert_int_equal(ocp_storage_refs(vms, pvcs, refs, &err), -1);
	assert_non_null(strstr(err.msg, "PVC src/a-1"));
	cJSON_Delete(vms);
	cJSON_Delete(pvcs);
	cJSON_Delete(refs);
}

static void test_network_refs(void **state)
{
	cJSON *vms = cJSON_Parse(vms_json), *refs = cJSON_CreateArray();
	char *s;

	(void)state;
	assert_int_equal(ocp_network_refs(cJSON_GetArrayItem(vms, 0), refs), 4);
	s = cJSON_PrintUnformatted(refs);
	assert_string_equal(s, "[{\"type\":\"pod\"},{\"name\":\"br\",\"namespace\":\"other\"},"
			       "{\"name\":\"local\",\"namespace\":\"src\"}]");
	cJSON_free(s);
	cJSON_Delete(vms);
	cJSON_Delete(refs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_storage_refs),
		cmocka_unit_test(test_network_refs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
