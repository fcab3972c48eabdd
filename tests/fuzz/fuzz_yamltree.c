/* lib/yamltree, the one libyaml front end: strict and lenient parses of
 * the input, each tree converted to JSON as kubeconfig, mtv-run and the
 * sim's CRD loader convert it. */
#include "fuzz.h"

#include "yamltree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned flags[] = { 0, YTREE_LENIENT };

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct mtv_err err = { 0 };
		struct arena a;
		struct ynode *root;

		arena_init(&a);
		if (ytree_parse_flags(&a, (const char *)data, size, "fuzz", flags[i], &root, &err) == 0) {
			cJSON *j = ytree_to_json(root);

			(void)ynode_kind(root);
			(void)ymap_get(root, "kind");
			cJSON_Delete(j);
		}
		arena_release(&a);
	}
	return 0;
}
