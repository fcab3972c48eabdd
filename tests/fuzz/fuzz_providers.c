/* lib/providers' .providers.json loader.  Input: the key to select
 * (MTV_SOURCE_PROVIDER) on the first line, the file after it.  Every
 * entry it accepts is also asked for its secrets, as the steps do for
 * redaction. */
#include "fuzz.h"

#include "providers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *text;
	size_t len;
	char *key = fuzz_first_line(data, size, &text, &len);
	struct provider_entry p;
	struct mtv_err err = { 0 };

	if (!key)
		return 0;
	if (providers_load_buffer((const char *)text, len, "fuzz.providers.json", key, &p, &err) == 0) {
		const char *secrets[32];

		provider_secrets(&p, secrets, sizeof(secrets) / sizeof(secrets[0]));
		provider_entry_release(&p);
	}
	free(key);
	return 0;
}
