/* The final report: gather ran before teardown, so its report.html cannot
 * know what teardown left behind.  Teardown writes its leftovers to
 * SHARED_DIR (mtv-teardown-leftovers.json, for a later gather too) and
 * renders the page again into its own ARTIFACT_DIR from the model gather
 * saved (mtv-report.json) with the leftovers table filled in.  Neither is
 * worth failing the teardown over: failures are warnings. */
#include <stdio.h>

#include "fsutil.h"
#include "log.h"
#include "report.h"
#include "state.h"
#include "teardown.h"

static cJSON *leftovers_json(const struct teardown *r)
{
	cJSON *doc = cJSON_CreateObject(), *objs = cJSON_AddArrayToObject(doc, "objects");
	size_t n = 0;

	for (size_t k = 0; k < r->items.n; k++) {
		const struct item *i = &r->items.v[k];
		cJSON *o;

		if (i->state != ITEM_LEFT)
			continue;
		/* the file stays small: a few hundred leftovers say enough */
		if (++n > 500)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", i->kind);
		if (*i->ns)
			cJSON_AddStringToObject(o, "namespace", i->ns);
		cJSON_AddStringToObject(o, "name", i->name);
		cJSON_AddStringToObject(o, "result", "leftover");
		cJSON_AddStringToObject(o, "why", i->why);
		cJSON_AddItemToArray(objs, o);
	}
	cJSON_AddNumberToObject(doc, "leftovers", (double)n);
	return doc;
}

void teardown_report(const struct teardown *r)
{
	const struct step *s = r->c->step;
	struct mtv_err e = { 0 };
	struct redact red;
	struct buf page = BUF_INIT(64u << 20);
	cJSON *left = leftovers_json(r), *model = NULL, *checks = NULL;
	char path[4400];

	redact_init(&red);
	if (state_write_json(&s->state, LEFTOVERS_STATE, left, &e) < 0)
		log_warn("report: %s", e.msg);
	if (state_read_json(&s->state, REPORT_STATE, &model, &e) < 0)
		log_warn("report: %s", e.msg);
	/* without gather's model: the checks and leftovers still make a page */
	if (!model && state_read_json(&s->state, CHECK_RESULTS_STATE, &checks, &e) < 0)
		log_warn("report: %s", e.msg);
	struct report_in in = {
		.model = model,
		.plans = NULL,
		.checks = checks,
		.leftovers = left,
		.red = &red,
		/* from artifacts/<test>/mtv-teardown/artifacts/ to gather's */
		.logs_prefix = "../../mtv-gather/artifacts/",
	};
	snprintf(path, sizeof(path), "%s/%s", s->artifact_dir, REPORT_ARTIFACT);
	if (report_render(&in, &page, &e) < 0 || fs_write_atomic(path, page.data, page.len, 0644, &e) < 0)
		log_warn("report: %s", e.msg);
	else
		log_info("report: %s (%zu bytes)", path, page.len);
	buf_release(&page);
	cJSON_Delete(left);
	cJSON_Delete(model);
	cJSON_Delete(checks);
	redact_release(&red);
}
