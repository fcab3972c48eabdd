#include "report.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"

/* Rows of the summary table (with a one-line timeline each) and VMs drawn
 * with a full timeline and step table: the failed first, then the
 * slowest.  Everything else is one plain row inside <details>, so a page
 * of 1000 VMs stays a few hundred KiB. */
#define SUMMARY_ROWS 50
#define TIMELINE_VMS 20
/* Check rows listed one by one when they all fit; above, only the failed
 * and skipped ones (the passes are counted per VM). */
#define CHECK_ROWS 300
#define MSG_MAX 600

/* ---- small helpers ---- */

static time_t parse_ts(const char *s)
{
	struct tm tm = { 0 };
	const char *end;

	if (!s || !*s)
		return (time_t)-1;
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		return (time_t)-1;
	return timegm(&tm);
}

static void fmt_dur(char *dst, size_t dstsz, double s)
{
	long t = s >= 0 && s <= 1e9 ? (long)(s + 0.5) : 0;

	if (!(s >= 0) || s > 1e9)	/* unknown, NaN from a model without it */
		snprintf(dst, dstsz, "-");
	else if (t < 60)
		snprintf(dst, dstsz, "%lds", t);
	else if (t < 3600)
		snprintf(dst, dstsz, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(dst, dstsz, "%ldh%02ldm%02lds", t / 3600, t / 60 % 60, t % 60);
}

int report_escape(struct buf *out, const struct redact *red, const char *s)
{
	struct redact none;
	struct buf clean = BUF_INIT(BUF_DEFAULT_MAX);
	int rc = 0;

	if (!s)
		return 0;
	if (!red) {
		redact_init(&none);
		red = &none;
	}
	if (redact_text(red, &clean, s, strlen(s)) < 0)
		rc = -1;
	for (const char *p = buf_str(&clean); rc == 0 && *p; p++) {
		unsigned char ch = (unsigned char)*p;

		switch (ch) {
		case '&': rc = buf_addstr(out, "&amp;"); break;
		case '<': rc = buf_addstr(out, "&lt;"); break;
		case '>': rc = buf_addstr(out, "&gt;"); break;
		case '"': rc = buf_addstr(out, "&quot;"); break;
		case '\'': rc = buf_addstr(out, "&#39;"); break;
		default:
			/* control characters are not allowed in HTML text */
			rc = buf_addch(out, ch < 0x20 && ch != '\n' && ch != '\t' ? ' ' : (char)ch);
		}
	}
	buf_release(&clean);
	if (red == &none)
		redact_release(&none);
	return rc;
}

/* A redacted copy of s, cut at max bytes (on a UTF-8 boundary). */
static cJSON *clean_str(const struct redact *red, const char *s, size_t max)
{
	struct redact none;
	struct buf b = BUF_INIT(BUF_DEFAULT_MAX);
	cJSON *v;

	if (!red) {
		redact_init(&none);
		red = &none;
	}
	redact_text(red, &b, s ? s : "", s ? strlen(s) : 0);
	if (red == &none)
		redact_release(&none);
	if (b.len > max) {
		size_t n = max;

		while (n && ((unsigned char)b.data[n] & 0xC0) == 0x80)
			n--;
		b.data[n] = '\0';
		b.len = n;
		buf_addstr(&b, "…");
	}
	v = cJSON_CreateString(buf_str(&b));
	buf_release(&b);
	return v;
}

static void add_str(cJSON *o, const char *key, const struct redact *red, const char *s)
{
	if (s && *s)
		cJSON_AddItemToObject(o, key, clean_str(red, s, MSG_MAX));
}

static void join_reasons(const cJSON *error, struct buf *out)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, json_get(error, "reasons")) {
		if (!cJSON_IsString(r))
			continue;
		if (out->len)
			buf_addstr(out, "; ");
		buf_addstr(out, r->valuestring);
	}
	if (!out->len && json_get(error, "phase"))
		buf_addf(out, "failed in phase %s", json_str(error, "phase", "?"));
}

/* ---- the model ---- */

static const char *plan_phase(const cJSON *plan)
{
	static const char *const order[] = { "Succeeded", "Failed", "Canceled", "Executing", "Ready" };
	const cJSON *conds = json_get(plan, "status.conditions");

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (json_condition_is(conds, order[i], "True"))
			return order[i];
	return "";
}

static void span(time_t *lo, time_t *hi, time_t t)
{
	if (t == (time_t)-1)
		return;
	if (*lo == (time_t)-1 || t < *lo)
		*lo = t;
	if (*hi == (time_t)-1 || t > *hi)
		*hi = t;
}

static cJSON *vm_model(const cJSON *vm, const struct redact *red)
{
	cJSON *o = cJSON_CreateObject(), *steps = cJSON_CreateArray(), *pre;
	const cJSON *st, *p;
	time_t lo = (time_t)-1, hi = (time_t)-1;
	const char *failed_step = NULL;
	struct buf why = BUF_INIT(1 << 16);
	bool failed;

	add_str(o, "name", red, json_str(vm, "name", json_str(vm, "id", "?")));
	add_str(o, "id", red, json_str(vm, "id", ""));
	add_str(o, "phase", red, json_str(vm, "phase", ""));
	span(&lo, &hi, parse_ts(json_str(vm, "started", NULL)));
	span(&lo, &hi, parse_ts(json_str(vm, "completed", NULL)));
	cJSON_ArrayForEach(st, json_get(vm, "pipeline")) {
		cJSON *s = cJSON_CreateObject();
		long long pc = -1, pt = -1;

		add_str(s, "n", red, json_str(st, "name", "?"));
		add_str(s, "p", red, json_str(st, "phase", "Pending"));
		add_str(s, "s", red, json_str(st, "started", NULL));
		add_str(s, "c", red, json_str(st, "completed", NULL));
		span(&lo, &hi, parse_ts(json_str(st, "started", NULL)));
		span(&lo, &hi, parse_ts(json_str(st, "completed", NULL)));
		if (json_get(st, "error")) {
			struct buf e = BUF_INIT(1 << 16);

			join_reasons(json_get(st, "error"), &e);
			add_str(s, "e", red, e.len ? buf_str(&e) : "failed");
			if (!failed_step) {
				failed_step = json_str(st, "name", "?");
				buf_addstr(&why, buf_str(&e));
			}
			buf_release(&e);
		}
		json_get_int_opt(st, "progress.completed", &pc, NULL);
		json_get_int_opt(st, "progress.total", &pt, NULL);
		if (pt > 0) {
			cJSON_AddNumberToObject(s, "pc", (double)pc);
			cJSON_AddNumberToObject(s, "pt", (double)pt);
		}
		cJSON_AddItemToArray(steps, s);
	}
	cJSON_ArrayForEach(p, json_get(vm, "warm.precopies")) {
		cJSON *seg = cJSON_CreateArray();

		cJSON_AddItemToArray(seg, clean_str(red, json_str(p, "start", ""), 64));
		cJSON_AddItemToArray(seg, clean_str(red, json_str(p, "end", ""), 64));
		span(&lo, &hi, parse_ts(json_str(p, "start", NULL)));
		span(&lo, &hi, parse_ts(json_str(p, "end", NULL)));
		pre = json_get(o, "pre");
		if (!pre)
			pre = cJSON_AddArrayToObject(o, "pre");
		cJSON_AddItemToArray(pre, seg);
	}
	if (!why.len && json_get(vm, "error"))
		join_reasons(json_get(vm, "error"), &why);
	failed = failed_step || json_get(vm, "error") ||
		 json_condition_is(json_get(vm, "conditions"), "Failed", "True");
	cJSON_AddBoolToObject(o, "failed", failed);
	add_str(o, "started", red, json_str(vm, "started", NULL));
	add_str(o, "completed", red, json_str(vm, "completed", NULL));
	cJSON_AddNumberToObject(o, "seconds", lo == (time_t)-1 ? -1 : (double)(hi - lo));
	add_str(o, "failedStep", red, failed_step);
	add_str(o, "error", red, failed && !why.len ? "failed" : buf_str(&why));
	cJSON_AddItemToObject(o, "steps", steps);
	buf_release(&why);
	return o;
}

/* Failed first, then the slowest, then by name: the order of every list. */
static int vm_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	int fx = cJSON_IsTrue(json_get(x, "failed")), fy = cJSON_IsTrue(json_get(y, "failed"));
	double sx = cJSON_GetNumberValue(json_get(x, "seconds")), sy = cJSON_GetNumberValue(json_get(y, "seconds"));

	if (fx != fy)
		return fy - fx;
	if (sx != sy)
		return sx < sy ? 1 : -1;
	return strcmp(json_str(x, "name", ""), json_str(y, "name", ""));
}

static cJSON *plan_model(const cJSON *plan, const struct redact *red, size_t keep)
{
	cJSON *o = cJSON_CreateObject(), *vms, **v = NULL;
	const cJSON *vm, *hist;
	size_t n = 0, nfailed = 0, i;
	char ref[600];

	add_str(o, "name", red, json_str(plan, "metadata.name", "?"));
	add_str(o, "namespace", red, json_str(plan, "metadata.namespace", ""));
	snprintf(ref, sizeof(ref), "%s/%s", json_str(plan, "spec.provider.source.namespace", "?"),
		 json_str(plan, "spec.provider.source.name", "?"));
	add_str(o, "source", red, ref);
	snprintf(ref, sizeof(ref), "%s/%s", json_str(plan, "spec.provider.destination.namespace", "?"),
		 json_str(plan, "spec.provider.destination.name", "?"));
	add_str(o, "destination", red, ref);
	add_str(o, "targetNamespace", red, json_str(plan, "spec.targetNamespace", NULL));
	cJSON_AddBoolToObject(o, "warm", cJSON_IsTrue(json_get(plan, "spec.warm")) ||
					 !strcmp(json_str(plan, "spec.type", ""), "warm"));
	add_str(o, "phase", red, plan_phase(plan));
	hist = json_get(plan, "status.migration.history");
	add_str(o, "migration", red,
		json_str(cJSON_GetArrayItem(hist, cJSON_GetArraySize(hist) - 1), "migration.name", NULL));
	add_str(o, "started", red, json_str(plan, "status.migration.started", NULL));
	add_str(o, "completed", red, json_str(plan, "status.migration.completed", NULL));
	i = (size_t)cJSON_GetArraySize(json_get(plan, "status.migration.vms"));
	v = calloc(i ? i : 1, sizeof(*v));
	cJSON_ArrayForEach(vm, json_get(plan, "status.migration.vms")) {
		v[n] = vm_model(vm, red);
		nfailed += cJSON_IsTrue(json_get(v[n], "failed"));
		n++;
	}
	qsort(v, n, sizeof(*v), vm_cmp);
	vms = cJSON_AddArrayToObject(o, "vms");
	for (i = 0; i < n; i++) {
		if (!keep || i < keep)
			cJSON_AddItemToArray(vms, v[i]);
		else
			cJSON_Delete(v[i]);
	}
	free(v);
	cJSON_AddNumberToObject(o, "vmCount", (double)n);
	cJSON_AddNumberToObject(o, "failedCount", (double)nfailed);
	cJSON_AddNumberToObject(o, "omitted", (double)(keep && n > keep ? n - keep : 0));
	return o;
}

cJSON *report_model(const struct report_in *in)
{
	cJSON *m = cJSON_CreateObject(), *plans;
	const cJSON *p;

	if (!m)
		return NULL;
	cJSON_AddNumberToObject(m, "version", 1);
	add_str(m, "session", in->red, in->session);
	if (in->model) {
		/* re-saving a model: only the overrides change */
		cJSON_AddItemToObject(m, "plans", cJSON_Duplicate(json_get(in->model, "plans"), 1));
	} else {
		plans = cJSON_AddArrayToObject(m, "plans");
		if (cJSON_IsObject(in->plans))
			cJSON_AddItemToArray(plans, plan_model(in->plans, in->red, in->keep));
		else
			cJSON_ArrayForEach(p, in->plans)
				cJSON_AddItemToArray(plans, plan_model(p, in->red, in->keep));
	}
	p = in->checks ? in->checks : json_get(in->model, "checks");
	if (p)
		cJSON_AddItemToObject(m, "checks", cJSON_Duplicate(p, 1));
	p = in->logs ? in->logs : json_get(in->model, "logs");
	if (p)
		cJSON_AddItemToObject(m, "logs", cJSON_Duplicate(p, 1));
	return m;
}

/* ---- the page ---- */

struct page {
	struct buf *out;
	const struct redact *red;
	int rc;
};

static void put(struct page *pg, const char *s)
{
	if (buf_addstr(pg->out, s) < 0)
		pg->rc = -1;
}

static void MTV_PRINTF(2, 3) putf(struct page *pg, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	put(pg, tmp);
}

/* Text: redacted and escaped. */
static void text(struct page *pg, const char *s)
{
	if (report_escape(pg->out, pg->red, s) < 0)
		pg->rc = -1;
}

/* An id/class-safe token made from s (letters, digits, '-', '_'). */
static void token(struct page *pg, const char *s)
{
	char t[200];
	size_t n = 0;

	for (; s && *s && n < sizeof(t) - 1; s++)
		t[n++] = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
				 *s == '-' || *s == '_'
			 ? *s
			 : '_';
	t[n] = '\0';
	text(pg, t);
}

static const char css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
	"h1,h2,h3{margin:.8em 0 .3em}table{border-collapse:collapse;margin:.4em 0}"
	"th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top;white-space:nowrap}"
	"th{background:#f0f0f0}td.num{text-align:right}"
	".badge{padding:1px 8px;border-radius:4px;color:#fff;font-size:80%}"
	".ok{background:#2e7d32}.bad{background:#c62828}.unk{background:#757575}"
	"tr.failed td,tr.fail td{background:#fdecea}tr.skip td{color:#666}"
	".err{color:#c62828;white-space:pre-wrap;min-width:12em}.meta{color:#555}"
	"svg{display:block}svg text{font:11px sans-serif;fill:#333}"
	"rect.step{fill:#43a047}rect.step.Running{fill:#1e88e5}rect.step.Pending{fill:#bdbdbd}"
	"rect.step.failed{fill:#e53935}rect.pre{fill:#8e24aa}rect.bg{fill:#f5f5f5}"
	"details{margin:.5em 0}summary{cursor:pointer;font-weight:bold}";

static void badge(struct page *pg, const char *result)
{
	const char *cls = !strcmp(result, "Succeeded") ? "ok" : !strcmp(result, "Failed") || !strcmp(result, "Canceled") ? "bad" : "unk";

	putf(pg, "<span class=\"badge %s\">", cls);
	text(pg, *result ? result : "unknown");
	put(pg, "</span>");
}

struct seg {
	double a, b;	/* seconds from the VM's start */
};

/* A step's extent: from started to completed, or to the VM's end while it
 * runs; a < 0 when it never started. */
static struct seg step_seg(const cJSON *s, time_t t0, time_t t1)
{
	time_t a = parse_ts(json_str(s, "s", NULL)), b = parse_ts(json_str(s, "c", NULL));
	struct seg g = { -1, -1 };

	if (a == (time_t)-1 || t0 == (time_t)-1)
		return g;
	if (b == (time_t)-1 || b < a)
		b = t1 > a ? t1 : a;
	g.a = (double)(a - t0);
	g.b = (double)(b - t0);
	return g;
}

static void vm_bounds(const cJSON *vm, time_t *t0, time_t *t1)
{
	const cJSON *s, *p;

	*t0 = *t1 = (time_t)-1;
	span(t0, t1, parse_ts(json_str(vm, "started", NULL)));
	span(t0, t1, parse_ts(json_str(vm, "completed", NULL)));
	cJSON_ArrayForEach(s, json_get(vm, "steps")) {
		span(t0, t1, parse_ts(json_str(s, "s", NULL)));
		span(t0, t1, parse_ts(json_str(s, "c", NULL)));
	}
	cJSON_ArrayForEach(p, json_get(vm, "pre")) {
		span(t0, t1, parse_ts(cJSON_GetStringValue(cJSON_GetArrayItem(p, 0))));
		span(t0, t1, parse_ts(cJSON_GetStringValue(cJSON_GetArrayItem(p, 1))));
	}
}

static void step_class(struct page *pg, const cJSON *s)
{
	put(pg, "class=\"step ");
	if (json_get(s, "e"))
		put(pg, "failed");
	else
		token(pg, json_str(s, "p", "Pending"));
	put(pg, "\" data-step=\"");
	text(pg, json_str(s, "n", "?"));
	put(pg, "\"");
}

static void step_title(struct page *pg, const cJSON *s, struct seg g)
{
	char d[32];

	fmt_dur(d, sizeof(d), g.a < 0 ? -1 : g.b - g.a);
	put(pg, "<title>");
	text(pg, json_str(s, "n", "?"));
	put(pg, ": ");
	text(pg, json_str(s, "p", "Pending"));
	putf(pg, ", %s", d);
	if (json_get(s, "e")) {
		put(pg, ": ");
		text(pg, json_str(s, "e", ""));
	}
	put(pg, "</title>");
}

/* One line: the steps side by side, for the summary table, on the
 * plan's time scale [p0, p1] so the rows compare. */
static void mini_timeline(struct page *pg, const cJSON *vm, time_t p0, time_t p1)
{
	const double w = 240;
	time_t t0, t1;
	const cJSON *s;
	double total, off;

	vm_bounds(vm, &t0, &t1);
	if (p0 == (time_t)-1 || t0 == (time_t)-1) {
		p0 = t0;
		p1 = t1;
	}
	total = p0 == (time_t)-1 || p1 <= p0 ? 1 : (double)(p1 - p0);
	off = t0 == (time_t)-1 ? 0 : (double)(t0 - p0);
	putf(pg, "<svg width=\"%.0f\" height=\"10\" role=\"img\"><rect class=\"bg\" width=\"%.0f\" height=\"10\"/>", w, w);
	cJSON_ArrayForEach(s, json_get(vm, "steps")) {
		struct seg g = step_seg(s, t0, t1);

		if (g.a < 0)
			continue;
		g.a += off;
		g.b += off;
		putf(pg, "<rect x=\"%.1f\" width=\"%.1f\" height=\"10\" ", g.a / total * w,
		     (g.b - g.a) / total * w < 1 ? 1 : (g.b - g.a) / total * w);
		step_class(pg, s);
		put(pg, ">");
		step_title(pg, s, g);
		put(pg, "</rect>");
	}
	put(pg, "</svg>");
}

/* A row per step (and one for the precopies) on the VM's own time scale. */
static void timeline(struct page *pg, const cJSON *vm)
{
	const double label = 160, w = 520, row = 16;
	int nrows = cJSON_GetArraySize(json_get(vm, "steps")) + (json_get(vm, "pre") ? 1 : 0);
	time_t t0, t1;
	const cJSON *s, *p;
	double total, y = 0;
	char d[32];

	vm_bounds(vm, &t0, &t1);
	total = t0 == (time_t)-1 || t1 <= t0 ? 1 : (double)(t1 - t0);
	fmt_dur(d, sizeof(d), t0 == (time_t)-1 ? -1 : (double)(t1 - t0));
	putf(pg, "<svg class=\"timeline\" width=\"%.0f\" height=\"%.0f\" role=\"img\">", label + w + 60,
	     row * nrows + 4);
	cJSON_ArrayForEach(s, json_get(vm, "steps")) {
		struct seg g = step_seg(s, t0, t1);

		putf(pg, "<text x=\"0\" y=\"%.0f\">", y + 12);
		text(pg, json_str(s, "n", "?"));
		putf(pg, "</text><rect class=\"bg\" x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"12\"/>", label, y + 2, w);
		if (g.a >= 0) {
			putf(pg, "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"12\" ", label + g.a / total * w,
			     y + 2, (g.b - g.a) / total * w < 1 ? 1 : (g.b - g.a) / total * w);
			step_class(pg, s);
			put(pg, ">");
			step_title(pg, s, g);
			put(pg, "</rect>");
		}
		y += row;
	}
	if (json_get(vm, "pre")) {
		int k = 0;

		putf(pg, "<text x=\"0\" y=\"%.0f\">precopies</text>", y + 12);
		cJSON_ArrayForEach(p, json_get(vm, "pre")) {
			time_t a = parse_ts(cJSON_GetStringValue(cJSON_GetArrayItem(p, 0)));
			time_t b = parse_ts(cJSON_GetStringValue(cJSON_GetArrayItem(p, 1)));

			k++;
			if (a == (time_t)-1)
				continue;
			if (b == (time_t)-1 || b < a)
				b = t1;
			putf(pg, "<rect class=\"pre\" x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"12\">"
				 "<title>precopy %d: %lds</title></rect>",
			     label + (double)(a - t0) / total * w, y + 2,
			     (double)(b - a) / total * w < 1 ? 1 : (double)(b - a) / total * w, k, (long)(b - a));
		}
	}
	putf(pg, "<text x=\"%.0f\" y=\"12\">%s</text></svg>", label + w + 4, d);
}

static void steps_table(struct page *pg, const cJSON *vm)
{
	time_t t0, t1;
	const cJSON *s;

	vm_bounds(vm, &t0, &t1);
	put(pg, "<table class=\"steps\"><tr><th>step</th><th>phase</th><th>started</th><th>completed</th>"
		"<th>duration</th><th>progress</th><th>error</th></tr>");
	cJSON_ArrayForEach(s, json_get(vm, "steps")) {
		struct seg g = step_seg(s, t0, t1);
		double pt = cJSON_GetNumberValue(json_get(s, "pt")), pc = cJSON_GetNumberValue(json_get(s, "pc"));
		char d[32];

		fmt_dur(d, sizeof(d), g.a < 0 ? -1 : g.b - g.a);
		put(pg, "<tr ");
		step_class(pg, s);
		put(pg, "><td>");
		text(pg, json_str(s, "n", "?"));
		put(pg, "</td><td>");
		text(pg, json_str(s, "p", ""));
		put(pg, "</td><td>");
		text(pg, json_str(s, "s", ""));
		put(pg, "</td><td>");
		text(pg, json_str(s, "c", ""));
		putf(pg, "</td><td class=\"num\">%s</td><td class=\"num\">", d);
		if (pt > 0)
			putf(pg, "%.0f/%.0f (%.0f%%)", pc, pt, pc / pt * 100);
		put(pg, "</td><td class=\"err\">");
		text(pg, json_str(s, "e", ""));
		put(pg, "</td></tr>");
	}
	put(pg, "</table>");
}

static void vm_result(struct page *pg, const cJSON *vm)
{
	const char *phase = json_str(vm, "phase", "");

	/* a VM is Succeeded once all steps completed without an error */
	badge(pg, cJSON_IsTrue(json_get(vm, "failed")) ? "Failed" : !strcmp(phase, "Completed") ? "Succeeded" : phase);
}

struct scale {
	time_t t0, t1;
};

static void vm_row(struct page *pg, const cJSON *vm, const struct scale *mini)
{
	char d[32];

	fmt_dur(d, sizeof(d), cJSON_GetNumberValue(json_get(vm, "seconds")));
	putf(pg, "<tr class=\"vm%s\"><td>", cJSON_IsTrue(json_get(vm, "failed")) ? " failed" : "");
	text(pg, json_str(vm, "name", "?"));
	put(pg, "</td><td>");
	vm_result(pg, vm);
	put(pg, "</td><td>");
	text(pg, json_str(vm, "phase", ""));
	putf(pg, "</td><td class=\"num\">%s</td><td>", d);
	text(pg, json_str(vm, "failedStep", ""));
	put(pg, "</td><td class=\"err\">");
	text(pg, json_str(vm, "error", ""));
	put(pg, "</td>");
	if (mini) {
		put(pg, "<td>");
		mini_timeline(pg, vm, mini->t0, mini->t1);
		put(pg, "</td>");
	}
	put(pg, "</tr>");
}

static void vm_table(struct page *pg, const cJSON *vms, size_t from, size_t max, bool with_timeline,
		     const char *cls)
{
	struct scale sc = { (time_t)-1, (time_t)-1 }, *mini = with_timeline ? &sc : NULL;
	size_t i = 0;
	const cJSON *vm;

	/* the plan's extent: every VM's bar on one scale */
	cJSON_ArrayForEach(vm, vms) {
		time_t a, b;

		vm_bounds(vm, &a, &b);
		span(&sc.t0, &sc.t1, a);
		span(&sc.t0, &sc.t1, b);
	}

	putf(pg, "<table class=\"%s\"><tr><th>VM</th><th>result</th><th>phase</th><th>duration</th>"
		 "<th>failed step</th><th>error</th>%s</tr>",
	     cls, mini ? "<th>timeline (the plan's time)</th>" : "");
	cJSON_ArrayForEach(vm, vms) {
		if (i >= from && i < from + max)
			vm_row(pg, vm, mini);
		i++;
	}
	put(pg, "</table>");
}

static void plan_section(struct page *pg, const cJSON *plan)
{
	const cJSON *vms = json_get(plan, "vms"), *vm;
	int n = cJSON_GetArraySize(vms), k = 0;
	double count = cJSON_GetNumberValue(json_get(plan, "vmCount"));
	double omitted = cJSON_GetNumberValue(json_get(plan, "omitted"));

	put(pg, "<section class=\"plan\" id=\"plan-");
	token(pg, json_str(plan, "name", "?"));
	put(pg, "\"><h2>Plan ");
	text(pg, json_str(plan, "namespace", ""));
	put(pg, "/");
	text(pg, json_str(plan, "name", "?"));
	put(pg, " ");
	badge(pg, json_str(plan, "phase", ""));
	put(pg, "</h2><table class=\"kv\"><tr><th>source</th><td>");
	text(pg, json_str(plan, "source", ""));
	put(pg, "</td></tr><tr><th>destination</th><td>");
	text(pg, json_str(plan, "destination", ""));
	if (json_get(plan, "targetNamespace")) {
		put(pg, " (namespace ");
		text(pg, json_str(plan, "targetNamespace", ""));
		put(pg, ")");
	}
	putf(pg, "</td></tr><tr><th>type</th><td>%s</td></tr>", cJSON_IsTrue(json_get(plan, "warm")) ? "warm" : "cold");
	if (json_get(plan, "migration")) {
		put(pg, "<tr><th>migration</th><td>");
		text(pg, json_str(plan, "migration", ""));
		put(pg, "</td></tr>");
	}
	put(pg, "<tr><th>started</th><td>");
	text(pg, json_str(plan, "started", ""));
	put(pg, "</td></tr><tr><th>completed</th><td>");
	text(pg, json_str(plan, "completed", ""));
	putf(pg, "</td></tr><tr><th>VMs</th><td>%.0f, %.0f failed</td></tr></table>", count,
	     cJSON_GetNumberValue(json_get(plan, "failedCount")));
	if (omitted > 0)
		putf(pg, "<p class=\"omitted\">Only the %d failed and slowest VMs are shown in full; "
			 "%.0f more are only counted above.</p>", n, omitted);
	if (!n) {
		put(pg, "<p>No VM has migration status.</p></section>");
		return;
	}
	put(pg, "<h3>VMs: failed first, then the slowest");
	if (n > SUMMARY_ROWS)
		putf(pg, " (the first %d)", SUMMARY_ROWS);
	put(pg, "</h3>");
	vm_table(pg, vms, 0, SUMMARY_ROWS, true, "vms summary");
	put(pg, "<h3>Timelines");
	if (n > TIMELINE_VMS)
		putf(pg, " (the first %d)", TIMELINE_VMS);
	put(pg, "</h3>");
	cJSON_ArrayForEach(vm, vms) {
		if (k++ >= TIMELINE_VMS)
			break;
		putf(pg, "<div class=\"vm%s\" id=\"vm-", cJSON_IsTrue(json_get(vm, "failed")) ? " failed" : "");
		token(pg, json_str(plan, "name", "?"));
		put(pg, "-");
		token(pg, json_str(vm, "name", "?"));
		put(pg, "\"><h4>");
		text(pg, json_str(vm, "name", "?"));
		put(pg, " ");
		vm_result(pg, vm);
		put(pg, "</h4>");
		if (json_get(vm, "failedStep")) {
			put(pg, "<p class=\"err\">failed at ");
			text(pg, json_str(vm, "failedStep", ""));
			put(pg, ": ");
			text(pg, json_str(vm, "error", ""));
			put(pg, "</p>");
		}
		timeline(pg, vm);
		steps_table(pg, vm);
		put(pg, "</div>");
	}
	putf(pg, "<details class=\"all-vms\"><summary>All %d VMs of this plan</summary>", n);
	vm_table(pg, vms, 0, (size_t)n, false, "vms all");
	put(pg, "</details></section>");
}

static const char *check_result(const char *r)
{
	return !strcmp(r, "fail") ? "fail" : !strcmp(r, "skip") ? "skip" : "pass";
}

static void check_row(struct page *pg, const char *vm, const char *result, const cJSON *c)
{
	putf(pg, "<tr class=\"check %s\"><td>", check_result(result));
	text(pg, vm);
	put(pg, "</td><td>");
	text(pg, c ? json_str(c, "c", cJSON_GetStringValue(c)) : "");
	putf(pg, "</td><td>%s</td><td>", result);
	text(pg, json_str(c, "exp", ""));
	put(pg, "</td><td>");
	text(pg, json_str(c, "act", ""));
	put(pg, "</td><td class=\"err\">");
	text(pg, json_str(c, "m", ""));
	put(pg, "</td></tr>");
}

/* checks: {"vms": [{"vm", "pass": [names] | "passed": n, "fail": [{c, exp,
 * act, m}], "skip": [{c, m}]}], "total": {pass, fail, skip}}. */
static void checks_section(struct page *pg, const cJSON *checks)
{
	const cJSON *v, *c;
	double total = 0;
	bool all;

	put(pg, "<section id=\"checks\"><h2>Checks (mtv-check-vms)</h2>");
	if (!checks) {
		put(pg, "<p>No check results: mtv-check-vms did not run or wrote none.</p></section>");
		return;
	}
	cJSON_ArrayForEach(c, json_get(checks, "total"))
		total += cJSON_GetNumberValue(c);
	putf(pg, "<p>%.0f passed, %.0f failed, %.0f skipped%s</p>", cJSON_GetNumberValue(json_get(checks, "total.pass")),
	     cJSON_GetNumberValue(json_get(checks, "total.fail")), cJSON_GetNumberValue(json_get(checks, "total.skip")),
	     cJSON_IsTrue(json_get(checks, "truncated")) ? " (messages shortened to fit the state file)" : "");
	all = total <= CHECK_ROWS;
	if (!all)
		put(pg, "<p>The failed and skipped checks; the passes are counted per VM below.</p>");
	put(pg, "<table class=\"checks\" id=\"checks-table\"><tr><th>VM</th><th>check</th><th>result</th>"
		"<th>expected</th><th>actual</th><th>message</th></tr>");
	cJSON_ArrayForEach(v, json_get(checks, "vms")) {
		const char *vm = json_str(v, "vm", "");

		cJSON_ArrayForEach(c, json_get(v, "fail"))
			check_row(pg, vm, "fail", c);
		cJSON_ArrayForEach(c, json_get(v, "skip"))
			check_row(pg, vm, "skip", c);
		if (all)
			cJSON_ArrayForEach(c, json_get(v, "pass"))
				check_row(pg, vm, "pass", c);
	}
	put(pg, "</table><details class=\"checks-per-vm\"><summary>Checks per VM</summary>"
		"<table><tr><th>VM</th><th>passed</th><th>failed</th><th>skipped</th></tr>");
	cJSON_ArrayForEach(v, json_get(checks, "vms")) {
		int np = json_get(v, "pass") ? cJSON_GetArraySize(json_get(v, "pass"))
					     : (int)cJSON_GetNumberValue(json_get(v, "passed"));
		int nf = cJSON_GetArraySize(json_get(v, "fail"));

		putf(pg, "<tr class=\"%s\"><td>", nf ? "fail" : "pass");
		text(pg, json_str(v, "vm", ""));
		putf(pg, "</td><td class=\"num\">%d</td><td class=\"num\">%d</td><td class=\"num\">%d</td></tr>", np, nf,
		     cJSON_GetArraySize(json_get(v, "skip")));
	}
	put(pg, "</table></details></section>");
}

static void leftovers_section(struct page *pg, const cJSON *lf)
{
	const cJSON *o;
	int n = 0;

	put(pg, "<section id=\"leftovers\"><h2>Teardown leftovers</h2>");
	if (!lf) {
		put(pg, "<p class=\"pending\">Teardown had not run when this page was written; "
			"its own copy of this page (in mtv-teardown's artifacts) has the table.</p></section>");
		return;
	}
	put(pg, "<table class=\"leftovers\" id=\"leftovers-table\"><tr><th>kind</th><th>namespace</th>"
		"<th>name</th><th>why</th></tr>");
	cJSON_ArrayForEach(o, json_get(lf, "objects")) {
		if (json_get(o, "result") && strcmp(json_str(o, "result", ""), "leftover"))
			continue;
		n++;
		put(pg, "<tr class=\"leftover\"><td>");
		text(pg, json_str(o, "kind", ""));
		put(pg, "</td><td>");
		text(pg, json_str(o, "namespace", "-"));
		put(pg, "</td><td>");
		text(pg, json_str(o, "name", ""));
		put(pg, "</td><td class=\"err\">");
		text(pg, json_str(o, "why", ""));
		put(pg, "</td></tr>");
	}
	if (!n)
		put(pg, "<tr class=\"none\"><td colspan=\"4\">none: teardown deleted everything</td></tr>");
	put(pg, "</table></section>");
}

static void logs_section(struct page *pg, const cJSON *logs, const char *prefix)
{
	const cJSON *l;

	put(pg, "<section id=\"logs\"><h2>Logs and files gather collected</h2>");
	if (!cJSON_GetArraySize(logs)) {
		put(pg, "<p>No logs were collected.</p></section>");
		return;
	}
	if (prefix) {
		put(pg, "<p>The logs are in mtv-gather's artifacts (links relative to ");
		text(pg, prefix);
		put(pg, ", ci-operator's layout: artifacts/&lt;test&gt;/&lt;step&gt;/artifacts/).</p>");
	}
	if (cJSON_GetArraySize(logs) > 30)
		putf(pg, "<details><summary>%d files</summary>", cJSON_GetArraySize(logs));
	put(pg, "<ul class=\"logs\">");
	cJSON_ArrayForEach(l, logs) {
		const char *s = cJSON_GetStringValue(l);

		/* relative links into the same artifact tree only */
		if (!s || *s == '/' || strstr(s, "..") || strchr(s, ':'))
			continue;
		put(pg, "<li><a href=\"");
		text(pg, prefix ? prefix : "");
		text(pg, s);
		put(pg, "\">");
		text(pg, s);
		put(pg, "</a></li>");
	}
	put(pg, "</ul>");
	if (cJSON_GetArraySize(logs) > 30)
		put(pg, "</details>");
	put(pg, "</section>");
}

static const char *overall(const cJSON *plans)
{
	const cJSON *p;
	bool any = false;

	cJSON_ArrayForEach(p, plans) {
		const char *ph = json_str(p, "phase", "");

		if (!strcmp(ph, "Failed") || !strcmp(ph, "Canceled") || cJSON_GetNumberValue(json_get(p, "failedCount")) > 0)
			return "Failed";
		if (strcmp(ph, "Succeeded"))
			return ph;
		any = true;
	}
	return any ? "Succeeded" : "";
}

int report_render(const struct report_in *in, struct buf *out, struct mtv_err *err)
{
	struct page pg = { .out = out, .red = in->red };
	cJSON *own = NULL;
	const cJSON *model = in->model, *p, *checks, *logs;
	const char *session;

	if (!model)
		model = own = report_model(in);
	if (!model)
		return mtv_err_set(err, MTV_EXIT_FAILED, "report: out of memory");
	checks = in->checks ? in->checks : json_get(model, "checks");
	logs = in->logs ? in->logs : json_get(model, "logs");
	session = in->session ? in->session : json_str(model, "session", NULL);
	put(&pg, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		 "<meta name=\"viewport\" content=\"width=device-width\"><title>MTV migration report");
	if (session) {
		put(&pg, ": ");
		text(&pg, session);
	}
	putf(&pg, "</title><style>%s</style></head>\n<body><h1>MTV migration report ", css);
	badge(&pg, overall(json_get(model, "plans")));
	put(&pg, "</h1>");
	if (session) {
		put(&pg, "<p class=\"meta\">session ");
		text(&pg, session);
		put(&pg, "</p>");
	}
	cJSON_ArrayForEach(p, json_get(model, "plans"))
		plan_section(&pg, p);
	if (!cJSON_GetArraySize(json_get(model, "plans")))
		put(&pg, "<p>No Plan was collected.</p>");
	checks_section(&pg, checks);
	leftovers_section(&pg, in->leftovers);
	logs_section(&pg, logs, in->logs_prefix);
	put(&pg, "</body></html>\n");
	cJSON_Delete(own);
	if (pg.rc < 0)
		return mtv_err_set(err, MTV_EXIT_FAILED, "report: the page does not fit in %zu bytes", out->max);
	return 0;
}
