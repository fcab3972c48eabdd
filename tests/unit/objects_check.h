/* Helpers for the unit tests of the lib builders (test_maps.c,
 * test_plan_objects.c): compare a built object with the exact document
 * expected, and validate it against Forklift's CRD of its kind with
 * mtv-sim's validator (tests/sim/crd.c: unknown fields, types, enums,
 * required fields), the schema a real API server applies. */
#ifndef MTV_TEST_OBJECTS_CHECK_H
#define MTV_TEST_OBJECTS_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "../sim/sim.h"
#include "session.h"

/* The session the objects are built for. */
static const struct session session = {
	.id = "auto-ab12",
	.target_namespace = "auto-ab12",
	.base_name = "auto-ab12-source-vsphere-8-0",
	.mtv_namespace = "openshift-mtv",
	.source_type = "vsphere",
};

/* apiVersion, kind and metadata of a Forklift object of that session in
 * its target namespace (a JSON fragment in assert_json_equal's quotes). */
#define META(kind, name) \
	"'apiVersion':'forklift.konveyor.io/v1beta1','kind':'" kind "'," \
	"'metadata':{'name':'" name "','namespace':'auto-ab12'," \
	"'labels':{'app.kubernetes.io/managed-by':'mtv-steps','mtv-steps/session':'auto-ab12'}},"

/* expected is JSON with ' for " (readable in C source). */
static inline void assert_json_equal(const cJSON *got, const char *expected)
{
	char *text = strdup(expected), *g;
	cJSON *want;

	for (char *p = text; *p; p++)
		if (*p == '\'')
			*p = '"';
	want = cJSON_Parse(text);
	if (!want)
		fail_msg("expected document does not parse: %s", text);
	if (!cJSON_Compare(got, want, 1)) {
		char *w = cJSON_PrintUnformatted(want);

		g = cJSON_PrintUnformatted(got);
		print_error("got:      %s\nexpected: %s\n", g, w);
		free(g);
		free(w);
		cJSON_Delete(want);
		free(text);
		fail();
	}
	cJSON_Delete(want);
	free(text);
}

/* Validate obj against the CRD of its kind in $MTV_SHARED_REF/forklift-crds;
 * without the CRDs the check is skipped, saying so. */
static inline void assert_crd_valid(const cJSON *obj)
{
	static int loaded;	/* 0 not tried, 1 loaded, -1 missing */
	const char *ref = getenv("MTV_SHARED_REF");
	struct restype rt = { .kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, "kind")) };
	cJSON *causes;

	if (!loaded) {
		char dir[4096];
		struct mtv_err err;

		snprintf(dir, sizeof(dir), "%s/forklift-crds", ref ? ref : "../shared");
		loaded = crd_load_dir(dir, &err) == 0 ? 1 : -1;
		if (loaded < 0)
			print_message("# no CRD validation: %s\n", err.msg);
	}
	if (loaded < 0)
		return;
	assert_non_null(rt.kind);
	causes = cJSON_CreateArray();
	if (crd_validate(&rt, obj, causes) < 0) {
		char *c = cJSON_PrintUnformatted(causes), *o = cJSON_PrintUnformatted(obj);

		print_error("%s fails its CRD: %s\nobject: %s\n", rt.kind, c, o);
		free(c);
		free(o);
		cJSON_Delete(causes);
		fail();
	}
	cJSON_Delete(causes);
}

#endif
