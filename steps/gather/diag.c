/* mtv-gather: the diagnostics people read first — the per-VM pipeline
 * table, events in time order, pod logs, and the forklift-controller lines
 * that name our plan. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gather.h"
#include "http.h"
#include "http_multi.h"
#include "json.h"
#include "log.h"

/* ---- pipeline table ---- */

static void join_reasons(struct buf *b, const cJSON *reasons)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, reasons)
		if (cJSON_IsString(r))
			buf_addf(b, "%s%s", b->len ? "; " : "", r->valuestring);
}

static const char *vm_result(const cJSON *vm)
{
	static const char *const finals[] = { "Failed", "Canceled", "Succeeded" };
	const cJSON *conds = json_get(vm, "conditions");

	for (size_t i = 0; i < sizeof(finals) / sizeof(finals[0]); i++) {
		if (json_condition_is(conds, finals[i], "True"))
			return finals[i];
	}
	if (json_get(vm, "error"))
		return "Failed";
	return json_get(vm, "completed") ? "Completed" : json_get(vm, "started") ? "Running" : "Pending";
}

/* Flatten text for one table cell. */
static void cell(char *dst, size_t dstsz, const char *s)
{
	size_t o = 0;

	for (; *s && o + 1 < dstsz; s++)
		dst[o++] = (*s == '\n' || *s == '\t' || *s == '\r') ? ' ' : *s;
	dst[o] = '\0';
	if (!o && dstsz > 1)
		snprintf(dst, dstsz, "-");
}

static void vm_row(struct buf *out, const char *plan, const cJSON *vm)
{
	struct buf why = BUF_INIT(1 << 16);
	const cJSON *st, *task;
	const char *failed = "";
	double done = 0, total = 0;
	char name[256], step_c[128], err_c[2048], prog[64];

	cJSON_ArrayForEach(st, json_get(vm, "pipeline")) {
		const char *sname = json_str(st, "name", "");

		if (!strncmp(sname, "DiskTransfer", 12)) {
			const cJSON *c = json_get(st, "progress.completed"), *t = json_get(st, "progress.total");

			done += cJSON_IsNumber(c) ? c->valuedouble : 0;
			total += cJSON_IsNumber(t) ? t->valuedouble : 0;
		}
		if (!*failed && json_get(st, "error")) {
			failed = sname;
			join_reasons(&why, json_get(st, "error.reasons"));
			cJSON_ArrayForEach(task, json_get(st, "tasks"))
				join_reasons(&why, json_get(task, "error.reasons"));
		}
	}
	if (!why.len)
		join_reasons(&why, json_get(vm, "error.reasons"));
	if (!*failed)
		failed = json_str(vm, "error.phase", "");
	if (total > 0)
		snprintf(prog, sizeof(prog), "%.0f/%.0f (%.0f%%)", done, total, 100.0 * done / total);
	else
		snprintf(prog, sizeof(prog), "-");
	cell(name, sizeof(name), json_str(vm, "name", json_str(vm, "id", "")));
	cell(step_c, sizeof(step_c), failed);
	cell(err_c, sizeof(err_c), buf_str(&why));
	buf_addf(out, "%-30s %-24s %-18s %-10s %-20s %-18s %s\n", plan, name, json_str(vm, "phase", "-"),
		 vm_result(vm), step_c, prog, err_c);
	buf_release(&why);
}

int gather_pipeline(struct gather *g, struct mtv_err *err)
{
	struct buf out = BUF_INIT(64u << 20);
	const cJSON *plan, *vm;
	int rows = 0, rc;

	buf_addf(&out, "%-30s %-24s %-18s %-10s %-20s %-18s %s\n", "PLAN", "VM", "PHASE", "RESULT",
		 "FAILED STEP", "DISK PROGRESS", "ERROR");
	cJSON_ArrayForEach(plan, cJSON_GetObjectItemCaseSensitive(g->objects, "plans")) {
		cJSON_ArrayForEach(vm, json_get(plan, "status.migration.vms")) {
			vm_row(&out, json_str(plan, "metadata.name", ""), vm);
			rows++;
		}
	}
	/* A plan whose object is gone (deleted, or not readable): what
	 * mtv-migrate recorded of its VMs. */
	cJSON_ArrayForEach(vm, json_get(g->migration_state, "vms")) {
		const char *pname = json_str(vm, "plan", json_str(g->migration_state, "plan", ""));
		bool live = false;
		char name[256], err_c[2048];

		cJSON_ArrayForEach(plan, cJSON_GetObjectItemCaseSensitive(g->objects, "plans"))
			live |= !strcmp(json_str(plan, "metadata.name", ""), pname);
		if (live)
			continue;
		cell(name, sizeof(name), json_str(vm, "name", json_str(vm, "id", "")));
		cell(err_c, sizeof(err_c), json_str(vm, "error", ""));
		buf_addf(&out, "%-30s %-24s %-18s %-10s %-20s %-18s %s\n", *pname ? pname : "-", name,
			 json_str(vm, "phase", "-"), json_str(vm, "result", "-"),
			 *json_str(vm, "failedStep", "") ? json_str(vm, "failedStep", "") : "-",
			 "(Plan not found)", err_c);
		rows++;
	}
	if (!rows)
		buf_addstr(&out, "(no Plan with a migration: nothing was migrated)\n");
	rc = gather_write(g, "pipeline.txt", buf_str(&out), out.len, false, err);
	buf_release(&out);
	return rc;
}

/* ---- events ---- */

static const char *event_time(const cJSON *ev)
{
	const char *t = json_str(ev, "lastTimestamp", NULL);

	if (!t || !*t)
		t = json_str(ev, "eventTime", NULL);
	if (!t || !*t)
		t = json_str(ev, "firstTimestamp", NULL);
	if (!t || !*t)
		t = json_str(ev, "metadata.creationTimestamp", "");
	return t;
}

static int by_time(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

	/* RFC 3339 in UTC sorts as text; within one second, the
	 * resourceVersion keeps the order the API server saw them in. */
	int c = strcmp(event_time(x), event_time(y));
	long long rx = strtoll(json_str(x, "metadata.resourceVersion", "0"), NULL, 10);
	long long ry = strtoll(json_str(y, "metadata.resourceVersion", "0"), NULL, 10);

	if (c)
		return c;
	return rx < ry ? -1 : rx > ry;
}

int gather_events(struct gather *g, struct mtv_err *err)
{
	cJSON *all = cJSON_CreateArray(), *it, *nsarr = cJSON_CreateArray();
	struct buf out = BUF_INIT(64u << 20);
	const cJSON **v = NULL;
	size_t n = 0, k = 0;
	int rc = 0;

	cJSON_ArrayForEach(it, g->owned_ns)
		gather_add_unique(nsarr, it->valuestring);
	cJSON_ArrayForEach(it, g->dest_ns)
		gather_add_unique(nsarr, it->valuestring);
	cJSON_ArrayForEach(it, nsarr) {
		struct mtv_err e = { 0 };
		cJSON *items = NULL, *ev;
		char what[400];

		if (kube_list(&g->c->kc, &KUBE_EVENTS, it->valuestring, NULL, &items, NULL, &e) < 0) {
			snprintf(what, sizeof(what), "events of namespace %s", it->valuestring);
			if ((rc = gather_api_failed(g, what, &e, err)) < 0)
				goto out;
			continue;
		}
		while ((ev = cJSON_DetachItemFromArray(items, 0)))
			cJSON_AddItemToArray(all, ev);
		cJSON_Delete(items);
	}
	n = (size_t)cJSON_GetArraySize(all);
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		rc = mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
		goto out;
	}
	cJSON_ArrayForEach(it, all)
		v[k++] = it;
	qsort(v, n, sizeof(*v), by_time);
	buf_addf(&out, "%-22s %-20s %-8s %-24s %-50s %s\n", "TIME", "NAMESPACE", "TYPE", "REASON",
		 "OBJECT", "MESSAGE");
	for (k = 0; k < n; k++) {
		char obj[400], msg[4096];

		snprintf(obj, sizeof(obj), "%s/%s", json_str(v[k], "involvedObject.kind", "?"),
			 json_str(v[k], "involvedObject.name", "?"));
		cell(msg, sizeof(msg), json_str(v[k], "message", json_str(v[k], "note", "")));
		buf_addf(&out, "%-22s %-20s %-8s %-24s %-50s %s\n", event_time(v[k]),
			 json_str(v[k], "metadata.namespace", "-"), json_str(v[k], "type", "-"),
			 json_str(v[k], "reason", "-"), obj, msg);
	}
	if (!n)
		buf_addstr(&out, "(no events)\n");
	rc = gather_write(g, "events.txt", buf_str(&out), out.len, false, err);
out:
	free(v);
	buf_release(&out);
	cJSON_Delete(all);
	cJSON_Delete(nsarr);
	return rc;
}

/* ---- logs ---- */

/* GET a container's log into out; tail < 0 means the whole (capped) log. */
static int fetch_log(struct gather *g, const char *ns, const char *pod, const char *container,
		     long tail, struct buf *out, struct mtv_err *e)
{
	struct buf path = BUF_INIT(4096);
	struct http_request req = { .method = "GET", .accept = "*/*" };
	struct http_response resp;
	char what[600];
	int rc;

	kube_path(&path, &KUBE_PODS, ns, pod, "log");
	buf_addstr(&path, "?container=");
	http_query_escape(&path, container);
	if (tail > 0)
		buf_addf(&path, "&tailLines=%ld", tail);
	else
		buf_addstr(&path, "&limitBytes=67108864");
	req.path = buf_str(&path);
	http_response_init(&resp);
	rc = http_do(&g->c->kc.http, &req, &resp, e);
	if (rc == 0 && (resp.status < 200 || resp.status > 299)) {
		snprintf(what, sizeof(what), "log of Pod %s/%s container %s", ns, pod, container);
		rc = kube_status_error(e, what, resp.status, buf_str(&resp.body), resp.body.len);
	}
	if (rc == 0)
		rc = buf_add(out, buf_str(&resp.body), resp.body.len);
	http_response_release(&resp);
	buf_release(&path);
	return rc;
}

static void container_names(const cJSON *pod, cJSON *names)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, json_get(pod, "spec.initContainers"))
		gather_add_unique(names, json_str(c, "name", NULL));
	cJSON_ArrayForEach(c, json_get(pod, "spec.containers"))
		gather_add_unique(names, json_str(c, "name", NULL));
}

/* The last virt-v2v progress marker in a log ("[ 35.0] Copying disk 1/1"):
 * how far a conversion got before it stopped. */
static void v2v_stage(const struct buf *log, char *dst, size_t dstsz)
{
	const char *p = buf_str(log), *end = p + log->len;

	snprintf(dst, dstsz, "-");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *close = l && *p == '[' ? memchr(p, ']', l) : NULL;

		if (close && close + 2 <= p + l && close[1] == ' ') {
			size_t sl = (size_t)(p + l - close - 2);

			snprintf(dst, dstsz, "%.*s", (int)sl, close + 2);
		}
		p += l + 1;
	}
}

/* ---- pod logs of the plans' VMs, fetched concurrently ---- */

/* The Plan object with this uid, NULL when none was collected. */
static const cJSON *plan_by_uid(struct gather *g, const char *uid)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(g->objects, "plans"))
		if (*uid && !strcmp(json_str(p, "metadata.uid", ""), uid))
			return p;
	return NULL;
}

/* The plan a pod belongs to, for the table: the Plan named by its plan
 * label (Forklift labels its pods with the plan's uid). */
static const char *pod_plan(struct gather *g, const cJSON *pod)
{
	const cJSON *p = plan_by_uid(g, json_str(pod, "metadata.labels.plan", ""));

	return p ? json_str(p, "metadata.name", "-") : json_str(pod, "metadata.labels.plan-name", "-");
}

static bool vm_ok(const char *result)
{
	return !strcmp(result, "Succeeded") || !strcmp(result, "Completed");
}

/* Whether the pod's VM is known to have succeeded: by its Plan's status
 * when that Plan was collected, else by mtv-migration.json.  A pod that
 * names no VM, or a VM nobody reports on, counts as unfinished: its log
 * may be the only account of what happened. */
static bool pod_vm_succeeded(struct gather *g, const cJSON *pod)
{
	const char *vmid = json_str(pod, "metadata.labels.vmID", "");
	const cJSON *plan = plan_by_uid(g, json_str(pod, "metadata.labels.plan", "")), *vm;

	if (!*vmid)
		return false;
	if (plan) {
		cJSON_ArrayForEach(vm, json_get(plan, "status.migration.vms"))
			if (!strcmp(json_str(vm, "id", ""), vmid))
				return vm_ok(vm_result(vm));
		return false;
	}
	cJSON_ArrayForEach(vm, json_get(g->migration_state, "vms"))
		if (!strcmp(json_str(vm, "id", ""), vmid))
			return !strcmp(json_str(vm, "result", ""), "Succeeded");
	return false;
}

/* One container's log: what the table shows of it. */
struct pod_log {
	const cJSON *pod;
	const char *container;
	bool fetch;
	char stage[256];
};

struct log_run {
	struct gather *g;
	struct pod_log *logs;
	int fetched, failed;
};

static int log_done(struct http_multi_req *r, void *arg, struct mtv_err *err)
{
	struct log_run *run = arg;
	struct pod_log *l = r->user;
	const char *ns = json_str(l->pod, "metadata.namespace", ""), *name = json_str(l->pod, "metadata.name", "");
	struct mtv_err e = { 0 };
	char what[600], rel[800];

	snprintf(what, sizeof(what), "log of Pod %s/%s container %s", ns, name, l->container);
	if (r->rc == 0 && (r->status < 200 || r->status > 299))
		kube_status_error(&e, what, r->status, buf_str(&r->body), r->body.len);
	else if (r->rc < 0)
		e = r->err;
	if (e.msg[0]) {
		run->failed++;
		snprintf(l->stage, sizeof(l->stage), "(no log: %s)", r->rc < 0 ? "unreachable" : "error");
		if (r->rc < 0)
			return gather_api_failed(run->g, what, &e, err);
		/* kube_status_error's message names the log already */
		run->g->warnings++;
		log_warn("%s", e.msg);
		return 0;
	}
	run->fetched++;
	v2v_stage(&r->body, l->stage, sizeof(l->stage));
	snprintf(rel, sizeof(rel), "logs/%s/%s/%s.log", ns, name, l->container);
	return gather_write(run->g, rel, buf_str(&r->body), r->body.len, false, err);
}

/* The request path of one log: the tail, capped in bytes.  limitBytes
 * counts from the start of the tail, as the kubelet applies them. */
static int log_path(struct gather *g, struct buf *path, const char *ns, const char *pod, const char *container)
{
	kube_path(path, &KUBE_PODS, ns, pod, "log");
	buf_addstr(path, "?container=");
	http_query_escape(path, container);
	return buf_addf(path, "&tailLines=%ld&limitBytes=%ld", g->log_lines, g->log_bytes);
}

int gather_pod_logs(struct gather *g, struct mtv_err *err)
{
	struct buf table = BUF_INIT(64u << 20), out = BUF_INIT(64u << 20);
	struct pod_log *logs = NULL;
	struct http_multi_req *reqs = NULL;
	struct buf *paths = NULL;
	struct log_run run = { .g = g };
	const cJSON *pod, *c;
	size_t n = 0, nreq = 0, k = 0;
	int rc = 0, skipped = 0;

	cJSON_ArrayForEach(pod, cJSON_GetObjectItemCaseSensitive(g->objects, "pods"))
		n += (size_t)cJSON_GetArraySize(json_get(pod, "spec.initContainers")) +
		     (size_t)cJSON_GetArraySize(json_get(pod, "spec.containers"));
	logs = calloc(n ? n : 1, sizeof(*logs));
	reqs = calloc(n ? n : 1, sizeof(*reqs));
	paths = calloc(n ? n : 1, sizeof(*paths));
	if (!logs || !reqs || !paths) {
		rc = mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
		goto out;
	}
	/* One entry per container (init containers first, as kubectl lists
	 * them); names point into the pod, which outlives this. */
	cJSON_ArrayForEach(pod, cJSON_GetObjectItemCaseSensitive(g->objects, "pods")) {
		static const char *const lists[] = { "spec.initContainers", "spec.containers" };
		bool fetch = g->all_logs || !pod_vm_succeeded(g, pod);
		size_t first = k;

		for (size_t li = 0; li < 2; li++)
			cJSON_ArrayForEach(c, json_get(pod, lists[li])) {
				const char *name = json_str(c, "name", "");
				bool dup = false;

				for (size_t j = first; j < k; j++)
					dup |= !strcmp(logs[j].container, name);
				if (!*name || dup || k == n)
					continue;
				logs[k].pod = pod;
				logs[k].container = name;
				logs[k].fetch = fetch;
				snprintf(logs[k].stage, sizeof(logs[k].stage), "%s",
					 fetch ? "-" : "(not fetched: the VM succeeded)");
				k++;
			}
	}
	n = k;
	for (k = 0; k < n; k++) {
		if (!logs[k].fetch) {
			skipped++;
			continue;
		}
		buf_init(&paths[nreq], 8192);
		log_path(g, &paths[nreq], json_str(logs[k].pod, "metadata.namespace", ""),
			 json_str(logs[k].pod, "metadata.name", ""), logs[k].container);
		reqs[nreq].path = buf_str(&paths[nreq]);
		reqs[nreq].accept = "*/*";
		reqs[nreq].max_body = (size_t)g->log_bytes;
		reqs[nreq].user = &logs[k];
		nreq++;
	}
	if (nreq)
		log_info("fetching %zu pod log%s, %ld at a time%s", nreq, nreq == 1 ? "" : "s", g->parallel,
			 skipped ? " (skipping the pods of VMs that succeeded: MTV_GATHER_ALL_LOGS=true for all)" : "");
	if (http_multi_get(&g->c->kc.http, reqs, nreq, (int)g->parallel, log_done, &run, err) < 0) {
		rc = -1;
		goto out;
	}
	for (k = 0; k < n; k++) {
		const cJSON *p = logs[k].pod;

		buf_addf(&table, "%-30s %-24s %-40s %-10s %-12s %-16s %s\n", pod_plan(g, p),
			 json_str(p, "metadata.namespace", ""), json_str(p, "metadata.name", ""),
			 json_str(p, "status.phase", "-"), json_str(p, "metadata.labels.vmID", "-"), logs[k].container,
			 logs[k].stage);
	}
	buf_addf(&out, "%-30s %-24s %-40s %-10s %-12s %-16s %s\n", "PLAN", "NAMESPACE", "POD", "PHASE", "VM ID",
		 "CONTAINER", "LAST VIRT-V2V STAGE");
	buf_add(&out, buf_str(&table), table.len);
	if (!table.len)
		buf_addstr(&out, "(no pods)\n");
	rc = gather_write(g, "pods.txt", buf_str(&out), out.len, false, err);
out:
	for (k = 0; paths && k < nreq; k++)
		buf_release(&paths[k]);
	free(paths);
	free(reqs);
	free(logs);
	buf_release(&out);
	buf_release(&table);
	return rc;
}

/* The words a controller line must contain to be about us. */
static void controller_needles(struct gather *g, cJSON *needles)
{
	const cJSON *o;

	cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(g->objects, "plans")) {
		gather_add_unique(needles, json_str(o, "metadata.name", NULL));
		gather_add_unique(needles, json_str(o, "metadata.uid", NULL));
	}
	cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(g->objects, "migrations"))
		gather_add_unique(needles, json_str(o, "metadata.name", NULL));
	gather_add_unique(needles, json_str(g->plan_state, "name", NULL));
	gather_add_unique(needles, json_str(g->plan_state, "uid", NULL));
	cJSON_ArrayForEach(o, json_get(g->plan_state, "plans")) {
		gather_add_unique(needles, json_str(o, "name", NULL));
		gather_add_unique(needles, json_str(o, "uid", NULL));
	}
	/* No plan yet (a run that failed early): the session id is in every
	 * name it made. */
	if (!cJSON_GetArraySize(needles) && g->c->have_session)
		gather_add_unique(needles, g->c->session.id);
}

/* Keep the last max lines of log that contain a needle (all lines when
 * there are no needles). */
static void filter_lines(const struct buf *log, const cJSON *needles, long max, struct buf *out)
{
	const char *p = buf_str(log), *end = p + log->len;
	const char **starts = NULL;
	size_t *lens = NULL, n = 0, cap = 0, first;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		bool keep = !cJSON_GetArraySize(needles);
		const cJSON *s;

		cJSON_ArrayForEach(s, needles)
			if (memmem(p, l, s->valuestring, strlen(s->valuestring)))
				keep = true;
		if (keep) {
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 256;
				const char **ns = realloc(starts, nc * sizeof(*ns));
				size_t *nl2 = ns ? realloc(lens, nc * sizeof(*nl2)) : NULL;

				if (!ns || !nl2) {
					free(ns ? ns : starts);
					free(lens);
					return;
				}
				starts = ns;
				lens = nl2;
				cap = nc;
			}
			starts[n] = p;
			lens[n++] = l;
		}
		p += l + 1;
	}
	first = n > (size_t)max ? n - (size_t)max : 0;
	for (size_t i = first; i < n; i++) {
		buf_add(out, starts[i], lens[i]);
		buf_addch(out, '\n');
	}
	free(starts);
	free(lens);
}

int gather_controller_logs(struct gather *g, struct mtv_err *err)
{
	struct kube_list_opts o = { 0 };
	struct mtv_err e = { 0 };
	cJSON *pods = NULL, *needles = cJSON_CreateArray();
	const cJSON *pod, *c;
	char what[400];
	int rc = 0;

	if (kube_list(&g->c->kc, &KUBE_PODS, g->mtv_ns, &o, &pods, NULL, &e) < 0) {
		snprintf(what, sizeof(what), "pods of %s", g->mtv_ns);
		rc = gather_api_failed(g, what, &e, err);
		goto out;
	}
	controller_needles(g, needles);
	cJSON_ArrayForEach(pod, pods) {
		const char *name = json_str(pod, "metadata.name", "");
		cJSON *names;

		if (strncmp(name, "forklift-controller", 19))
			continue;
		names = cJSON_CreateArray();
		container_names(pod, names);
		cJSON_ArrayForEach(c, names) {
			struct buf log = BUF_INIT(256u << 20), kept = BUF_INIT(256u << 20);
			char rel[800];

			snprintf(rel, sizeof(rel), "logs/%s/%s/%s.matching.log", g->mtv_ns, name, c->valuestring);
			if (fetch_log(g, g->mtv_ns, name, c->valuestring, -1, &log, &e) < 0) {
				snprintf(what, sizeof(what), "log of Pod %s/%s container %s", g->mtv_ns, name,
					 c->valuestring);
				rc = gather_api_failed(g, what, &e, err);
			} else {
				const cJSON *s;

				buf_addstr(&kept, "# the last lines mentioning:");
				cJSON_ArrayForEach(s, needles)
					buf_addf(&kept, " %s", s->valuestring);
				if (!cJSON_GetArraySize(needles))
					buf_addstr(&kept, " (no plan or session known: every line)");
				buf_addch(&kept, '\n');
				filter_lines(&log, needles, g->log_lines, &kept);
				rc = gather_write(g, rel, buf_str(&kept), kept.len, false, err);
			}
			buf_release(&log);
			buf_release(&kept);
			if (rc < 0)
				break;
		}
		cJSON_Delete(names);
		if (rc < 0)
			break;
	}
out:
	cJSON_Delete(pods);
	cJSON_Delete(needles);
	return rc;
}
