/* lib/hooks' playbook_base64 check: the input is a playbook, checked as
 * the scenario would carry it (base64 of the input) and also taken as the
 * base64 text itself, so both the decoder and the YAML/UTF-8 checks see
 * hostile bytes. */
#include "fuzz.h"

#include "base64.h"
#include "hooks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b64 = BUF_INIT(8 << 20);
	struct mtv_err err = { 0 };
	char *raw;

	if (base64_encode(&b64, data, size) == 0)
		hook_playbook_check(buf_str(&b64), "fuzz", &err);
	buf_release(&b64);
	if ((raw = fuzz_strndup(data, size))) {
		memset(&err, 0, sizeof(err));
		hook_playbook_check(raw, "fuzz", &err);
		free(raw);
	}
	return 0;
}
