/* lib/scenario: a tests_params catalog (bare or under "tests_params"),
 * every scenario in it validated as scenario_load validates the selected
 * one, and the expected failed hook step asked of each that passes. */
#include "fuzz.h"

#include "hooks.h"
#include "json.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mtv_err err = { 0 };
	const cJSON *catalog, *plan;
	cJSON *doc;

	if (json_parse((const char *)data, size, "fuzz", &doc, &err) < 0)
		return 0;
	catalog = doc;
	if (cJSON_IsObject(catalog) && cJSON_GetObjectItemCaseSensitive(catalog, "tests_params"))
		catalog = cJSON_GetObjectItemCaseSensitive(catalog, "tests_params");
	if (cJSON_IsObject(catalog)) {
		cJSON_ArrayForEach(plan, catalog) {
			memset(&err, 0, sizeof(err));
			if (scenario_validate(plan, plan->string ? plan->string : "?", &err) == 0)
				hook_expected_failed_step(plan);
		}
	}
	cJSON_Delete(doc);
	return 0;
}
