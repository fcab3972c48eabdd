/* report_render [--model] PLANS.json: report.html of a file of Plan objects
 * (an array) on stdout, or with --model the model mtv-gather saves for
 * teardown (mtv-report.json, REPORT_KEEP_VMS kept in full).  For
 * tests/bench/report.sh: the renderer on its own, without a cluster. */
#include <stdio.h>
#include <string.h>

#include "fsutil.h"
#include "report.h"

int main(int argc, char **argv)
{
	struct buf in = BUF_INIT(1u << 30), out = BUF_INIT(1u << 30);
	struct mtv_err err = { 0 };
	int model = argc > 2 && !strcmp(argv[1], "--model");
	cJSON *plans;
	int rc = 1;

	if (argc != 2 + model) {
		fprintf(stderr, "usage: report_render [--model] PLANS.json\n");
		return 2;
	}
	if (fs_read_file(argv[1 + model], &in, in.max, &err) < 0 || !(plans = cJSON_Parse(buf_str(&in)))) {
		fprintf(stderr, "report_render: %s\n", err.msg[0] ? err.msg : "not JSON");
		return 2;
	}
	struct report_in ri = { .plans = plans, .keep = model ? REPORT_KEEP_VMS : 0 };
	if (model) {
		cJSON *m = report_model(&ri);
		char *text = m ? cJSON_Print(m) : NULL;

		if (text) {
			fputs(text, stdout);
			rc = 0;
		}
		cJSON_free(text);
		cJSON_Delete(m);
	} else if (report_render(&ri, &out, &err) == 0) {
		fwrite(buf_str(&out), 1, out.len, stdout);
		rc = 0;
	} else {
		fprintf(stderr, "report_render: %s\n", err.msg);
	}
	cJSON_Delete(plans);
	buf_release(&in);
	buf_release(&out);
	return rc;
}
