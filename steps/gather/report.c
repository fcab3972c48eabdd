/* report.html: the page a person opens first (lib/report.h), rendered from
 * what gather collected (the Plans, the files it wrote) and the check
 * results check-vms left in SHARED_DIR.  Teardown runs after gather, so the
 * model the page was rendered from is also saved to SHARED_DIR
 * (mtv-report.json) for teardown to render the final page with its
 * leftovers.  Nothing here fails the gather: a report that cannot be made
 * is a warning. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gather.h"
#include "json.h"
#include "log.h"
#include "report.h"
#include "state.h"

/* The saved model must fit a state file (1 MiB, the Secret size limit);
 * these are tried in turn: everything for REPORT_KEEP_VMS VMs; the passed
 * checks only counted and no file list; then fewer VMs. */
static const struct {
	size_t keep;
	bool small;
} tries[] = { { REPORT_KEEP_VMS, false }, { REPORT_KEEP_VMS, true }, { 50, true }, { 10, true } };

static void warn(struct gather *g, const char *what, const struct mtv_err *e)
{
	g->warnings++;
	log_warn("report: %s: %s", what, e->msg);
}

/* Check results without the names of the passed checks (counts instead):
 * the smaller form, for a saved model that would not fit otherwise. */
static void checks_counts_only(cJSON *checks)
{
	cJSON *v;

	cJSON_ArrayForEach(v, json_get(checks, "vms")) {
		cJSON *pass = cJSON_DetachItemFromObjectCaseSensitive(v, "pass");

		if (pass) {
			cJSON_AddNumberToObject(v, "passed", cJSON_GetArraySize(pass));
			cJSON_Delete(pass);
		}
	}
}

static void save_model(struct gather *g, struct report_in *in)
{
	struct mtv_err e = { 0 };

	for (size_t k = 0; k < sizeof(tries) / sizeof(tries[0]); k++) {
		cJSON *m;
		char *text;
		size_t len;

		in->keep = tries[k].keep;
		m = report_model(in);
		if (!m)
			break;
		if (tries[k].small) {
			checks_counts_only(json_get(m, "checks"));
			cJSON_DeleteItemFromObjectCaseSensitive(m, "logs");
		}
		text = cJSON_Print(m);	/* as state_write_json writes it */
		len = text ? strlen(text) : SIZE_MAX;
		free(text);
		if (len < STATE_FILE_MAX - 4096) {
			if (state_write_json(&g->c->step->state, REPORT_STATE, m, &e) < 0)
				warn(g, "cannot save the model for teardown", &e);
			cJSON_Delete(m);
			return;
		}
		cJSON_Delete(m);
	}
	mtv_err_set(&e, MTV_EXIT_FAILED, "does not fit in %d bytes", STATE_FILE_MAX);
	warn(g, REPORT_STATE, &e);
}

int gather_report(struct gather *g, struct mtv_err *err)
{
	struct mtv_err e = { 0 };
	struct buf page = BUF_INIT(64u << 20);
	cJSON *checks = NULL, *leftovers = NULL, *logs = cJSON_CreateArray();
	const cJSON *f;
	int files = g->files;
	struct report_in in = {
		.plans = json_get(g->objects, "plans"),
		.red = &g->red,
		.session = g->c->have_session ? g->c->session.id : NULL,
	};

	(void)err;	/* only an interrupt would end the step, and rendering does not wait */
	if (state_read_json(&g->c->step->state, CHECK_RESULTS_STATE, &checks, &e) < 0)
		warn(g, CHECK_RESULTS_STATE, &e);
	/* gather run again after teardown: the leftovers are known */
	if (state_read_json(&g->c->step->state, LEFTOVERS_STATE, &leftovers, &e) < 0)
		warn(g, LEFTOVERS_STATE, &e);
	cJSON_ArrayForEach(f, g->written)
		cJSON_AddItemToArray(logs, cJSON_CreateString(f->valuestring));
	in.checks = checks;
	in.logs = logs;
	in.leftovers = leftovers;
	save_model(g, &in);
	in.keep = 0;	/* the page itself has every VM */
	if (report_render(&in, &page, &e) < 0)
		warn(g, "cannot render", &e);
	else if (gather_write(g, REPORT_ARTIFACT, buf_str(&page), page.len, false, &e) == 0 &&
		 g->files > files)
		log_info("report: %s/%s (%zu bytes)", g->c->step->artifact_dir, REPORT_ARTIFACT, page.len);
	buf_release(&page);
	cJSON_Delete(checks);
	cJSON_Delete(leftovers);
	cJSON_Delete(logs);
	return 0;
}
