#include "wait_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "log.h"
#include "wait.h"
#include "watchstream.h"

/* as in wait.c */
#define WATCH_MAX_FAILURES 5
#define WATCH_MAX_SECONDS 300

struct all {
	struct kube_client *kc;
	const struct wait_all_spec *spec;
	char what[512];			/* "Pod ns/<all>" */
	cJSON *left;			/* "ns/name" -> latest state */
	size_t nleft;			/* its size, kept (cJSON counts by walking) */
	char *rv;
	bool relist;
	unsigned long events;
	struct watchstream ws;
	struct mtv_err stream_err;
	bool stream_failed;
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void key_of(const cJSON *obj, char *dst, size_t dstsz)
{
	snprintf(dst, dstsz, "%s/%s", json_str(obj, "metadata.namespace", ""), json_str(obj, "metadata.name", ""));
}

static void keep(struct all *a, const cJSON *obj)
{
	char key[600];
	cJSON *old;

	key_of(obj, key, sizeof(key));
	old = cJSON_GetObjectItemCaseSensitive(a->left, key);
	if (old) {
		/* ...InObject, not ...ViaPointer: the new item needs the key */
		cJSON_ReplaceItemInObjectCaseSensitive(a->left, key, cJSON_Duplicate(obj, 1));
	} else {
		cJSON_AddItemToObject(a->left, key, cJSON_Duplicate(obj, 1));
		a->nleft++;
	}
}

static void drop(struct all *a, const cJSON *obj)
{
	char key[600];
	cJSON *old;

	key_of(obj, key, sizeof(key));
	old = cJSON_GetObjectItemCaseSensitive(a->left, key);
	if (old) {
		cJSON_Delete(cJSON_DetachItemViaPointer(a->left, old));
		a->nleft--;
	}
}

static void set_rv(struct all *a, const char *rv)
{
	if (rv && *rv) {
		free(a->rv);
		a->rv = strdup(rv);
	}
}

/* Replace the set by a fresh list of the selection. */
static int list_all(struct all *a, struct mtv_err *err)
{
	struct kube_list_opts o = { .label_selector = a->spec->label_selector,
				    .field_selector = a->spec->field_selector };
	cJSON *items = NULL, *it;
	char *rv = NULL;

	if (kube_list(a->kc, a->spec->type, a->spec->ns, &o, &items, &rv, err) < 0)
		return -1;
	cJSON_Delete(a->left);
	a->left = cJSON_CreateObject();
	a->nleft = 0;
	cJSON_ArrayForEach(it, items)
		keep(a, it);
	set_rv(a, rv);
	free(rv);
	cJSON_Delete(items);
	return 0;
}

static int on_event(const char *type, cJSON *object, void *arg, struct mtv_err *err)
{
	struct all *a = arg;

	(void)err;
	a->events++;
	if (!strcmp(type, "ERROR")) {
		log_debug("watch %s: error event (%s); listing again", a->what, json_str(object, "message", "?"));
		a->relist = true;
		return 1;
	}
	set_rv(a, json_str(object, "metadata.resourceVersion", NULL));
	if (!strcmp(type, "BOOKMARK"))
		return 0;
	if (!strcmp(type, "DELETED"))
		drop(a, object);
	else
		keep(a, object);
	return a->nleft == 0;
}

static int on_chunk(const char *data, size_t len, void *arg)
{
	struct all *a = arg;
	int r = watchstream_feed(&a->ws, data, len, &a->stream_err);

	if (r < 0)
		a->stream_failed = true;
	return r != 0;
}

static int watch_path(struct all *a, struct buf *path, long left_ms)
{
	long secs = (left_ms + 999) / 1000;

	secs = secs > WATCH_MAX_SECONDS ? WATCH_MAX_SECONDS : secs < 1 ? 1 : secs;
	buf_reset(path);
	if (kube_path(path, a->spec->type, a->spec->ns, NULL, NULL) < 0 ||
	    buf_addf(path, "?watch=1&allowWatchBookmarks=true&timeoutSeconds=%ld", secs) < 0)
		return -1;
	if (a->rv && (buf_addstr(path, "&resourceVersion=") < 0 || http_query_escape(path, a->rv) < 0))
		return -1;
	if (a->spec->label_selector && *a->spec->label_selector &&
	    (buf_addstr(path, "&labelSelector=") < 0 || http_query_escape(path, a->spec->label_selector) < 0))
		return -1;
	if (a->spec->field_selector && *a->spec->field_selector &&
	    (buf_addstr(path, "&fieldSelector=") < 0 || http_query_escape(path, a->spec->field_selector) < 0))
		return -1;
	return 0;
}

static int timeout_err(struct all *a, struct mtv_err *err)
{
	return mtv_err_set(err, MTV_EXIT_TIMEOUT, "timed out after %lds waiting for %s to be deleted (%d left)",
			   (a->spec->timeout_ms + 999) / 1000, a->what, (int)a->nleft);
}

static int loop(struct all *a, long deadline, struct mtv_err *err)
{
	struct buf path = BUF_INIT(64 * 1024);
	struct http_response resp;
	long period = a->spec->poll_interval_ms > 0 ? a->spec->poll_interval_ms : 2000;
	int failures = 0, ret = -1;
	bool polling = false, reauthed = false;

	http_response_init(&resp);
	for (;;) {
		struct http_request req = { .path = NULL };
		long left = deadline - now_ms(), start;
		int r;

		if (a->relist) {
			a->relist = false;
			if (list_all(a, err) < 0)
				break;
		}
		if (a->nleft == 0) {
			ret = 0;
			break;
		}
		left = deadline - now_ms();
		if (left <= 0) {
			ret = timeout_err(a, err);
			break;
		}
		if (polling) {
			if (wait_sleep_ms(period < left ? period : left, a->kc->http.interrupt, err) < 0)
				break;
			if (now_ms() >= deadline) {
				ret = timeout_err(a, err);
				break;
			}
			a->relist = true;
			continue;
		}
		if (watch_path(a, &path, left) < 0) {
			mtv_err_set(err, MTV_EXIT_USAGE, "watch %s: request too long", a->what);
			break;
		}
		req.path = buf_str(&path);
		req.timeout_ms = left;
		req.sensitive = a->spec->type == &KUBE_SECRETS;
		watchstream_reset(&a->ws);
		a->events = 0;
		a->stream_failed = false;
		start = now_ms();
		r = http_stream(&a->kc->http, &req, on_chunk, a, &resp, err);
		if (a->stream_failed) {
			*err = a->stream_err;
			mtv_err_prefix(err, "watch %s", a->what);
			break;
		}
		if (a->nleft == 0 && !a->relist) {
			ret = 0;
			break;
		}
		if (r < 0 && err->code >= 128)
			break;
		if (r == 0 && resp.status >= 200 && resp.status < 300) {
			/* the server's timeout, or a cut: resume from the last
			 * resourceVersion */
			if (a->events)
				failures = 0;
			if (!a->events && now_ms() - start < 1000 &&
			    wait_sleep_ms(200, a->kc->http.interrupt, err) < 0)
				break;
			continue;
		}
		if (r == 0 && resp.status == 410) {
			a->relist = true;
			continue;
		}
		if (r == 0 && (resp.status == 403 || resp.status == 405)) {
			log_info("watch %s refused (HTTP %ld); polling instead", a->what, resp.status);
			polling = true;
			a->relist = true;
			continue;
		}
		if (r == 0 && resp.status == 401 && !reauthed && a->kc->cfg.token_file) {
			struct mtv_err e2;

			reauthed = true;
			if (kubeconfig_reload_token(&a->kc->cfg, &e2) > 0 &&
			    http_client_set_token(&a->kc->http, a->kc->cfg.token) == 0)
				continue;
		}
		if (r == 0 && resp.status != 429 && resp.status < 500) {
			char what[600];

			snprintf(what, sizeof(what), "watch %s", a->what);
			kube_status_error(err, what, resp.status, resp.body.data, resp.body.len);
			break;
		}
		if (a->events) {
			failures = 0;
			continue;
		}
		if (++failures >= WATCH_MAX_FAILURES) {
			if (r == 0) {
				char what[600];

				snprintf(what, sizeof(what), "watch %s", a->what);
				kube_status_error(err, what, resp.status, resp.body.data, resp.body.len);
			} else {
				mtv_err_prefix(err, "watch %s", a->what);
			}
			break;
		}
		{
			long delay = http_backoff_ms(&a->kc->http.retry, failures);

			log_info("watch %s: %s; reconnecting in %ld ms", a->what, r < 0 ? err->msg : "server error",
				 delay);
			if (wait_sleep_ms(delay, a->kc->http.interrupt, err) < 0)
				break;
			/* events may have been lost with the connection */
			a->relist = true;
		}
	}
	http_response_release(&resp);
	buf_release(&path);
	return ret;
}

int wait_all_gone(struct kube_client *kc, const struct wait_all_spec *spec, cJSON **left,
		  struct mtv_err *err)
{
	struct all a = { .kc = kc, .spec = spec };
	long deadline = now_ms() + spec->timeout_ms;
	struct mtv_err scratch;
	int ret = -1;

	if (!err)
		err = &scratch;
	if (left)
		*left = NULL;
	if (spec->timeout_ms <= 0)
		return mtv_err_set(err, MTV_EXIT_USAGE, "wait_all_gone: a timeout is required");
	kube_describe(a.what, sizeof(a.what), spec->type, spec->ns, NULL);
	watchstream_init(&a.ws, 0, on_event, &a);
	a.left = cJSON_CreateObject();
	a.relist = true;
	ret = loop(&a, deadline, err);
	if (err->code && err->code < 128 && ret < 0 && err->code != MTV_EXIT_TIMEOUT)
		mtv_err_prefix(err, "waiting for %s to be deleted", a.what);
	if (ret < 0 && left) {
		const cJSON *it;

		*left = cJSON_CreateArray();
		cJSON_ArrayForEach(it, a.left)
			cJSON_AddItemToArray(*left, cJSON_Duplicate(it, 1));
	}
	cJSON_Delete(a.left);
	free(a.rv);
	watchstream_release(&a.ws);
	return ret;
}
