/* lib/gotmpl: the input is a template, rendered against a fixed data
 * document holding the fields Forklift's name templates see (PVC, volume
 * and network templates) into a capped buffer. */
#include "fuzz.h"

#include "gotmpl.h"

static const char data_json[] =
	"{\"VmName\":\"rhel8-Warm_1\",\"PlanName\":\"plan-1\",\"DiskIndex\":0,\"RootDiskIndex\":1,"
	"\"Shared\":false,\"FileName\":\"[ds1] rhel8/rhel8.vmdk\",\"WinDriveLetter\":\"c\","
	"\"VolumeIndex\":2,\"PVCName\":\"rhel8-disk-0\",\"NetworkName\":\"VM Network\","
	"\"NetworkNamespace\":\"default\",\"NetworkType\":\"Multus\",\"NetworkIndex\":3,"
	"\"Ratio\":1.5,\"Neg\":-7}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cJSON *fields;
	struct buf out = BUF_INIT(64 * 1024);
	struct mtv_err err = { 0 };
	char *tmpl;

	/* Parsed once and kept: the data is the same for every input (and
	 * still reachable at exit, which LeakSanitizer does not count). */
	if (!fields && !(fields = cJSON_Parse(data_json)))
		abort();
	if (!(tmpl = fuzz_strndup(data, size)))
		return 0;
	gotmpl_render(tmpl, fields, &out, &err);
	buf_release(&out);
	free(tmpl);
	return 0;
}
