/* lib/kubeconfig on a kubeconfig text: parse, merge and resolve the
 * current context (and, when the input names them, a few fixed others).
 * File references inside the input resolve against a directory that does
 * not exist, so the target reads nothing but the input. */
#include "fuzz.h"

#include "kubeconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const contexts[] = { NULL, "default", "admin" };
	struct kubeconfig kc;
	struct mtv_err err;

	for (size_t i = 0; i < sizeof(contexts) / sizeof(contexts[0]); i++) {
		memset(&err, 0, sizeof(err));
		kubeconfig_init(&kc);
		kubeconfig_load_buffer(&kc, (const char *)data, size, "fuzz", "/nonexistent/fuzz",
				       contexts[i], &err);
		kubeconfig_release(&kc);
	}
	return 0;
}
