/* The migration report: one self-contained HTML page (inline CSS and SVG,
 * no JavaScript, no network) that shows at a glance which VM failed where
 * and where the time went: per plan its source and destination and result,
 * per VM a timeline of its pipeline steps (warm precopies as repeated
 * segments, the failed step red with its error), the check-vms results,
 * teardown's leftovers and links to the logs gather wrote.
 *
 * Two halves, both pure:
 *   report_model()  digests the Plan objects into a compact model (the
 *                   numbers and strings the page shows, nothing else), so a
 *                   later step can render the page again without the
 *                   cluster (gather saves it, teardown adds its leftovers);
 *   report_render() turns a model into the page.
 * Every string on the page goes through lib/redact and is HTML-escaped.
 */
#ifndef MTV_REPORT_H
#define MTV_REPORT_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "buf.h"
#include "err.h"
#include "redact.h"

/* The model's state file in SHARED_DIR, and the files it is rendered with. */
#define REPORT_STATE "mtv-report.json"
#define CHECK_RESULTS_STATE "mtv-check-results.json"
#define LEFTOVERS_STATE "mtv-teardown-leftovers.json"
#define REPORT_ARTIFACT "report.html"

/* VMs kept in full in a saved model (the failed, then the slowest); the
 * rest are counted only, which keeps it under the state file limit. */
#define REPORT_KEEP_VMS 200

struct report_in {
	/* Plan objects (status.migration.vms[].pipeline[] ...); used when
	 * model is NULL. */
	const cJSON *plans;
	/* A model from report_model() (mtv-report.json). */
	const cJSON *model;
	/* mtv-check-results.json; NULL: the model's, or none. */
	const cJSON *checks;
	/* Paths of logs relative to the page; NULL: the model's. */
	const cJSON *logs;
	/* mtv-teardown-leftovers.json ({"objects": [{kind, namespace, name,
	 * result, why}]}); NULL: teardown had not run when this was written. */
	const cJSON *leftovers;
	/* Prepended to the log links (trusted, not from the model): the way
	 * from the page to the logs' directory when it is not the page's own,
	 * e.g. teardown's page to gather's artifacts. */
	const char *logs_prefix;
	const struct redact *red;	/* known secret values; NULL: only shapes */
	const char *session;		/* shown in the title; may be NULL */
	size_t keep;			/* VMs kept in full by report_model (0: all) */
};

/* The model of in (plans digested, checks and logs copied, strings
 * redacted): {"plans": [{name, namespace, source, destination, warm,
 * phase, vmCount, failedCount, omitted, vms: [{name, id, phase, failed,
 * started, completed, seconds, failedStep, error, steps: [{n, p, s, c, e,
 * pc, pt}], pre: [[start, end]]}]}], "checks": ..., "logs": [...]}.
 * NULL only when out of memory. */
cJSON *report_model(const struct report_in *in);

/* Append the HTML page to out. */
int report_render(const struct report_in *in, struct buf *out, struct mtv_err *err);

/* Append s to out redacted and escaped for HTML text or a quoted
 * attribute. */
int report_escape(struct buf *out, const struct redact *red, const char *s);

#endif
