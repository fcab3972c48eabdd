#include "wait.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "log.h"
#include "watchstream.h"

/* How many watch connections in a row may fail before we give up. */
#define WATCH_MAX_FAILURES 5
/* Longest watch the server is asked for; we reconnect after it. */
#define WATCH_MAX_SECONDS 300

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int wait_sleep_ms(long ms, volatile sig_atomic_t *flag, struct mtv_err *err)
{
	while (ms > 0) {
		long slice = ms > 50 ? 50 : ms;
		struct timespec ts = { slice / 1000, (slice % 1000) * 1000000L };

		if (flag && *flag)
			break;
		nanosleep(&ts, NULL);
		ms -= slice;
	}
	if (flag && *flag)
		return mtv_err_set(err, 128 + (int)*flag, "interrupted by signal %d", (int)*flag);
	return 0;
}

struct waiter {
	struct kube_client *kc;
	const struct wait_spec *spec;
	char obj[512];			/* "Plan ns/x" */
	struct buf why;			/* the predicate's latest explanation */
	char *rv;			/* resourceVersion to watch from */
	enum wait_verdict verdict;
	bool matched_deleted;
	cJSON *result;
	bool relist;			/* a 410 asked for a fresh list */
	unsigned long stream_events;
	struct watchstream ws;
	struct mtv_err stream_err;	/* a parse failure inside the stream */
	bool stream_failed;
};

static void evaluate(struct waiter *w, const cJSON *obj, bool deleted)
{
	enum wait_verdict v;

	buf_reset(&w->why);
	v = w->spec->pred(obj, deleted, w->spec->arg, &w->why);
	if (v == WAIT_NOT_YET)
		return;
	w->verdict = v;
	w->matched_deleted = deleted;
	if (v == WAIT_DONE && obj && !deleted) {
		cJSON_Delete(w->result);
		w->result = cJSON_Duplicate(obj, 1);
	}
}

static void set_rv(struct waiter *w, const cJSON *obj)
{
	const char *rv = json_str(obj, "metadata.resourceVersion", NULL);

	if (rv && *rv) {
		free(w->rv);
		w->rv = strdup(rv);
	}
}

static int do_list(struct waiter *w, struct mtv_err *err)
{
	struct buf fs = BUF_INIT(4096);
	struct kube_list_opts opts = { .label_selector = w->spec->label_selector };
	cJSON *items = NULL, *it;
	char *rv = NULL;
	int r;

	if (w->spec->name) {
		buf_addf(&fs, "metadata.name=%s", w->spec->name);
		opts.field_selector = buf_str(&fs);
	}
	r = kube_list(w->kc, w->spec->type, w->spec->ns, &opts, &items, &rv, err);
	buf_release(&fs);
	if (r < 0) {
		if (err && err->code < 128)
			mtv_err_prefix(err, "waiting for %s %s", w->obj,
				       w->spec->what ? w->spec->what : "");
		return -1;
	}
	free(w->rv);
	w->rv = rv;
	if (cJSON_GetArraySize(items) == 0) {
		evaluate(w, NULL, true);
	} else {
		cJSON_ArrayForEach(it, items) {
			evaluate(w, it, false);
			if (w->verdict != WAIT_NOT_YET)
				break;
		}
	}
	cJSON_Delete(items);
	return 0;
}

static int on_event(const char *type, cJSON *object, void *arg, struct mtv_err *err)
{
	struct waiter *w = arg;
	const char *name;

	(void)err;
	w->stream_events++;
	if (!strcmp(type, "ERROR")) {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(object, "code");

		if (cJSON_IsNumber(code) && code->valueint == 410)
			log_debug("watch %s: resourceVersion %s is too old (410 Gone), listing again",
				  w->obj, w->rv ? w->rv : "?");
		else
			log_info("watch %s: error event: %s; listing again", w->obj,
				 json_str(object, "message", "?"));
		w->relist = true;
		return 1;
	}
	set_rv(w, object);
	if (!strcmp(type, "BOOKMARK"))
		return 0;
	/* Servers that ignore the field selector must not confuse us. */
	name = json_str(object, "metadata.name", NULL);
	if (w->spec->name && (!name || strcmp(name, w->spec->name)))
		return 0;
	evaluate(w, object, !strcmp(type, "DELETED"));
	return w->verdict != WAIT_NOT_YET;
}

static int on_chunk(const char *data, size_t len, void *arg)
{
	struct waiter *w = arg;
	int r = watchstream_feed(&w->ws, data, len, &w->stream_err);

	if (r < 0)
		w->stream_failed = true;
	return r != 0;
}

static int watch_path(struct waiter *w, struct buf *path, long remaining_ms)
{
	long secs = (remaining_ms + 999) / 1000;

	if (secs > WATCH_MAX_SECONDS)
		secs = WATCH_MAX_SECONDS;
	if (secs < 1)
		secs = 1;
	buf_reset(path);
	if (kube_path(path, w->spec->type, w->spec->ns, NULL, NULL) < 0 ||
	    buf_addf(path, "?watch=1&allowWatchBookmarks=true&timeoutSeconds=%ld", secs) < 0)
		return -1;
	if (w->rv && (buf_addstr(path, "&resourceVersion=") < 0 || http_query_escape(path, w->rv) < 0))
		return -1;
	if (w->spec->name && (buf_addstr(path, "&fieldSelector=metadata.name%3D") < 0 ||
			      http_query_escape(path, w->spec->name) < 0))
		return -1;
	if (w->spec->label_selector && *w->spec->label_selector &&
	    (buf_addstr(path, "&labelSelector=") < 0 ||
	     http_query_escape(path, w->spec->label_selector) < 0))
		return -1;
	return 0;
}

static void fmt_duration(char *dst, size_t n, long ms)
{
	if (ms % 1000)
		snprintf(dst, n, "%.1fs", (double)ms / 1000);
	else
		snprintf(dst, n, "%lds", ms / 1000);
}

static int timeout_err(struct waiter *w, struct mtv_err *err)
{
	char d[32];

	fmt_duration(d, sizeof(d), w->spec->timeout_ms);
	return mtv_err_set(err, MTV_EXIT_TIMEOUT, "timed out after %s waiting for %s %s (last: %s)",
			   d, w->obj, w->spec->what ? w->spec->what : "",
			   w->why.len ? buf_str(&w->why) : "nothing observed");
}

/* Polling, for servers or RBAC setups that refuse watches. */
static int poll_loop(struct waiter *w, long deadline, struct mtv_err *err)
{
	long period = w->spec->poll_interval_ms > 0 ? w->spec->poll_interval_ms : 2000;

	for (;;) {
		long left = deadline - now_ms();

		if (left <= 0)
			return timeout_err(w, err);
		if (wait_sleep_ms(period < left ? period : left, w->kc->http.interrupt, err) < 0)
			return -1;
		if (now_ms() >= deadline)
			return timeout_err(w, err);
		if (do_list(w, err) < 0)
			return -1;
		if (w->verdict != WAIT_NOT_YET)
			return 0;
	}
}

static int watch_loop(struct waiter *w, long deadline, struct mtv_err *err)
{
	struct buf path = BUF_INIT(64 * 1024);
	struct http_response resp;
	int failures = 0, ret = -1;
	bool reauthed = false;

	http_response_init(&resp);
	for (;;) {
		struct http_request req = { .path = NULL };
		long left = deadline - now_ms(), start;
		int r;

		if (left <= 0) {
			ret = timeout_err(w, err);
			break;
		}
		if (w->relist) {
			w->relist = false;
			if (do_list(w, err) < 0)
				break;
			if (w->verdict != WAIT_NOT_YET) {
				ret = 0;
				break;
			}
		}
		if (watch_path(w, &path, left) < 0) {
			mtv_err_set(err, MTV_EXIT_USAGE, "watch %s: request too long", w->obj);
			break;
		}
		req.path = buf_str(&path);
		req.timeout_ms = left;
		req.sensitive = w->spec->type == &KUBE_SECRETS;
		watchstream_reset(&w->ws);
		w->stream_events = 0;
		w->stream_failed = false;
		start = now_ms();
		r = http_stream(&w->kc->http, &req, on_chunk, w, &resp, err);
		if (w->stream_failed) {
			*err = w->stream_err;
			mtv_err_prefix(err, "watch %s", w->obj);
			break;
		}
		if (w->verdict != WAIT_NOT_YET) {
			ret = 0;
			break;
		}
		if (r < 0 && err->code >= 128)
			break;
		if (r == 0 && resp.status >= 200 && resp.status < 300) {
			/* Normal end (server timeout) or a cut after events: resume
			 * from the last resourceVersion. */
			if (w->stream_events)
				failures = 0;
			if (!w->stream_events && now_ms() - start < 1000 &&
			    wait_sleep_ms(200, w->kc->http.interrupt, err) < 0)
				break;
			continue;
		}
		if (r == 0 && resp.status == 410) {
			w->relist = true;
			continue;
		}
		if (r == 0 && (resp.status == 403 || resp.status == 405)) {
			log_info("watch %s refused (HTTP %ld); polling instead", w->obj, resp.status);
			ret = poll_loop(w, deadline, err);
			break;
		}
		if (r == 0 && resp.status == 401 && !reauthed && w->kc->cfg.token_file) {
			struct mtv_err e2;

			reauthed = true;
			if (kubeconfig_reload_token(&w->kc->cfg, &e2) > 0 &&
			    http_client_set_token(&w->kc->http, w->kc->cfg.token) == 0)
				continue;
		}
		if (r == 0 && resp.status != 429 && resp.status < 500) {
			char what[600];

			snprintf(what, sizeof(what), "watch %s", w->obj);
			kube_status_error(err, what, resp.status, resp.body.data, resp.body.len);
			break;
		}
		/* A dropped connection (events already seen: just resume) or a
		 * transient server error: back off and reconnect. */
		if (w->stream_events) {
			failures = 0;
			continue;
		}
		if (++failures >= WATCH_MAX_FAILURES) {
			if (r == 0) {
				char what[600];

				snprintf(what, sizeof(what), "watch %s", w->obj);
				kube_status_error(err, what, resp.status, resp.body.data,
						  resp.body.len);
			} else {
				mtv_err_prefix(err, "watch %s", w->obj);
			}
			break;
		}
		{
			long delay = http_backoff_ms(&w->kc->http.retry, failures);

			log_info("watch %s: %s; reconnecting in %ld ms", w->obj,
				 r < 0 ? err->msg : "server error", delay);
			if (wait_sleep_ms(delay, w->kc->http.interrupt, err) < 0)
				break;
		}
	}
	http_response_release(&resp);
	buf_release(&path);
	return ret;
}

int wait_for(struct kube_client *kc, const struct wait_spec *spec, cJSON **obj,
	     struct mtv_err *err)
{
	struct waiter w = { .kc = kc, .spec = spec };
	long deadline = now_ms() + spec->timeout_ms;
	struct mtv_err scratch;
	int ret = -1;

	/* The loops below read err->code, so never work without one. */
	if (!err)
		err = &scratch;
	if (obj)
		*obj = NULL;
	if (!spec->pred || spec->timeout_ms <= 0)
		return mtv_err_set(err, MTV_EXIT_USAGE, "wait: predicate and timeout are required");
	kube_describe(w.obj, sizeof(w.obj), spec->type, spec->ns, spec->name);
	buf_init(&w.why, 4096);
	watchstream_init(&w.ws, 0, on_event, &w);
	if (do_list(&w, err) < 0)
		goto out;
	if (w.verdict == WAIT_NOT_YET)
		ret = watch_loop(&w, deadline, err);
	else
		ret = 0;
	if (ret == 0 && w.verdict == WAIT_FAILED)
		ret = mtv_err_set(err, MTV_EXIT_FAILED, "%s: %s", w.obj,
				  w.why.len ? buf_str(&w.why) : "failed");
	if (ret == 0 && obj) {
		*obj = w.result;
		w.result = NULL;
	}
out:
	cJSON_Delete(w.result);
	free(w.rv);
	buf_release(&w.why);
	watchstream_release(&w.ws);
	return ret;
}

/* ---- predicates ---- */

enum wait_verdict wait_pred_condition(const cJSON *obj, bool deleted, void *arg,
				      struct buf *why)
{
	const struct wait_condition *wc = arg;
	const cJSON *conds, *c;

	if (deleted || !obj) {
		buf_addstr(why, obj ? "was deleted" : "does not exist");
		return obj ? WAIT_FAILED : WAIT_NOT_YET;
	}
	conds = json_get(obj, "status.conditions");
	if (wc->fail_type && json_condition_is(conds, wc->fail_type, "True")) {
		buf_addf(why, "%s=True: %s", wc->fail_type,
			 json_str(json_condition(conds, wc->fail_type), "message", ""));
		return WAIT_FAILED;
	}
	c = json_condition(conds, wc->type);
	if (!c) {
		buf_addf(why, "no %s condition yet", wc->type);
		return WAIT_NOT_YET;
	}
	buf_addf(why, "%s=%s", wc->type, json_str(c, "status", "?"));
	if (json_str(c, "message", NULL))
		buf_addf(why, ": %s", json_str(c, "message", ""));
	return json_condition_is(conds, wc->type, wc->status) ? WAIT_DONE : WAIT_NOT_YET;
}

enum wait_verdict wait_pred_phase(const cJSON *obj, bool deleted, void *arg, struct buf *why)
{
	const char *want = arg;
	const char *phase;

	if (deleted || !obj) {
		buf_addstr(why, obj ? "was deleted" : "does not exist");
		return obj ? WAIT_FAILED : WAIT_NOT_YET;
	}
	phase = json_str(obj, "status.phase", NULL);
	buf_addf(why, "phase=%s", phase ? phase : "(none)");
	return phase && !strcmp(phase, want) ? WAIT_DONE : WAIT_NOT_YET;
}

enum wait_verdict wait_pred_gone(const cJSON *obj, bool deleted, void *arg, struct buf *why)
{
	(void)arg;
	if (deleted)
		return WAIT_DONE;
	if (json_get(obj, "metadata.deletionTimestamp"))
		buf_addf(why, "still exists, being deleted since %s (finalizers: %d)",
			 json_str(obj, "metadata.deletionTimestamp", "?"),
			 cJSON_GetArraySize(json_get(obj, "metadata.finalizers")));
	else
		buf_addstr(why, "still exists");
	return WAIT_NOT_YET;
}

int wait_gone(struct kube_client *kc, const struct kube_type *t, const char *ns,
	      const char *name, long timeout_ms, struct mtv_err *err)
{
	struct wait_spec spec = {
		.type = t, .ns = ns, .name = name, .what = "to be deleted",
		.timeout_ms = timeout_ms, .pred = wait_pred_gone,
	};

	return wait_for(kc, &spec, NULL, err);
}
