/* The SHARED_DIR state files' shapes: the input parsed as lib/state
 * parses a state file, then checked against every file's schema
 * (state_schema_check), so any seed reaches every table. */
#include "fuzz.h"

#include "json.h"
#include "state_schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const files[] = {
		"mtv-providers.json", "mtv-maps.json",  "mtv-plan.json",
		"mtv-migration.json", "mtv-edits.json", "mtv-resources.json",
	};
	struct mtv_err err = { 0 };
	cJSON *doc;

	if (json_parse((const char *)data, size, "fuzz", &doc, &err) < 0)
		return 0;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		memset(&err, 0, sizeof(err));
		state_schema_check(files[i], doc, files[i], &err);
	}
	cJSON_Delete(doc);
	return 0;
}
