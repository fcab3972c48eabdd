/* fakeapi: a small Kubernetes-ish HTTPS server for the bats tests of lib/http,
 * lib/kube, lib/wait and lib/oauth.
 *
 *   fakeapi --port-file F --cert C --key K [options]
 *
 * It binds 127.0.0.1 on a free port and writes the port to F.  Objects live
 * in memory, keyed by their API path; collections are the paths one level
 * up.  Options:
 *   --client-ca FILE    require a client certificate signed by this CA
 *   --token T           require "Authorization: Bearer T"
 *   --oauth-user U --oauth-pass P
 *                       serve the OpenShift OAuth challenging-client flow;
 *                       a successful login is issued token T
 *   --log FILE          one line per request: METHOD PATH?QUERY auth=yes|no
 *                       (never the Authorization value)
 *   --fail-503 N        answer the first N API requests with 503
 *   --fail-429 N        answer the first N API requests with 429, Retry-After: 1
 *   --fail-500 N        answer the first N API requests with 500
 *   --fail-504 N        answer the first N API requests with 504
 *   --drop-post N       close the connection on the first N POSTs, unanswered
 *   --object PATH=JSON  preload an object
 *   --evolve PATH:N     the object at PATH (a ConfigMap) goes through steps
 *                       1..N (data.step, data.phase=Done at N), one step per
 *                       watch event delivered (or per list when watches are
 *                       refused), resourceVersion 2000+step
 *   --watch-cut N       end every watch stream after N events
 *   --gone N            the first N watches that name a resourceVersion get
 *                       410 Gone (see --gone-mode)
 *   --gone-mode M       "status" (HTTP 410, default) or "event" (ERROR event)
 *   --watch-refuse      answer watches with 405
 *   --event-delay-ms D  pause before each watch event (default 0)
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "buf.h"
#include "fsutil.h"

#define MAX_OBJECTS 256

struct object {
	char *path;
	cJSON *obj;
};

static struct {
	pthread_mutex_t lock;
	struct object objs[MAX_OBJECTS];
	int nobjs;
	long rv;
	char *token;
	char *oauth_user, *oauth_pass;
	bool require_cert;
	FILE *log;
	int fail503, fail429, fail500, fail504, drop_post;
	char *evolve_path;
	int evolve_n, evolve_cur;
	int watch_cut;
	int gone;
	bool gone_event;
	bool watch_refuse;
	long event_delay_ms;
	unsigned short port;
} S = { .lock = PTHREAD_MUTEX_INITIALIZER, .rv = 1000 };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static char *slurp(const char *path)
{
	struct buf b = BUF_INIT(16u * 1024 * 1024);
	struct mtv_err err;

	if (fs_read_file(path, &b, 16u * 1024 * 1024, &err) < 0) {
		fprintf(stderr, "fakeapi: %s\n", err.msg);
		exit(2);
	}
	return buf_take(&b);
}

/* ---- the store (callers hold S.lock) ---- */

static struct object *find(const char *path)
{
	for (int i = 0; i < S.nobjs; i++)
		if (!strcmp(S.objs[i].path, path))
			return &S.objs[i];
	return NULL;
}

static void set_rv(cJSON *obj, long rv)
{
	cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	char s[32];

	if (!md)
		md = cJSON_AddObjectToObject(obj, "metadata");
	snprintf(s, sizeof(s), "%ld", rv);
	cJSON_DeleteItemFromObjectCaseSensitive(md, "resourceVersion");
	cJSON_AddStringToObject(md, "resourceVersion", s);
}

static void put(const char *path, cJSON *obj)
{
	struct object *o = find(path);

	if (o) {
		cJSON_Delete(o->obj);
		o->obj = obj;
		return;
	}
	if (S.nobjs == MAX_OBJECTS) {
		cJSON_Delete(obj);
		return;
	}
	S.objs[S.nobjs].path = strdup(path);
	S.objs[S.nobjs].obj = obj;
	S.nobjs++;
}

static void drop(struct object *o)
{
	free(o->path);
	cJSON_Delete(o->obj);
	*o = S.objs[--S.nobjs];
}

/* Is path a direct child of collection? */
static bool child_of(const char *path, const char *coll)
{
	size_t n = strlen(coll);

	return !strncmp(path, coll, n) && path[n] == '/' && path[n + 1] &&
	       !strchr(path + n + 1, '/');
}

static cJSON *evolve_state(int step)
{
	const char *name = strrchr(S.evolve_path, '/') + 1;
	cJSON *o = cJSON_CreateObject(), *md, *data;
	char s[32];

	cJSON_AddStringToObject(o, "apiVersion", "v1");
	cJSON_AddStringToObject(o, "kind", "ConfigMap");
	md = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(md, "name", name);
	cJSON_AddStringToObject(md, "namespace", "ns");
	data = cJSON_AddObjectToObject(o, "data");
	snprintf(s, sizeof(s), "%d", step);
	cJSON_AddStringToObject(data, "step", s);
	if (step == S.evolve_n)
		cJSON_AddStringToObject(data, "phase", "Done");
	set_rv(o, 2000 + step);
	return o;
}

static void evolve_to(int step)
{
	if (step <= S.evolve_cur)
		return;
	S.evolve_cur = step;
	put(S.evolve_path, evolve_state(step));
}

/* ---- responses ---- */

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned int code, cJSON *body)
{
	char *text = cJSON_PrintUnformatted(body);
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text,
								  MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	MHD_add_response_header(r, "Content-Type", "application/json");
	if (code == 429 || code == 503)
		MHD_add_response_header(r, "Retry-After", "1");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_status(struct MHD_Connection *c, unsigned int code, const char *reason,
				   const char *msg)
{
	cJSON *st = cJSON_CreateObject();
	enum MHD_Result ret;

	cJSON_AddStringToObject(st, "kind", "Status");
	cJSON_AddStringToObject(st, "apiVersion", "v1");
	cJSON_AddStringToObject(st, "status", code < 300 ? "Success" : "Failure");
	cJSON_AddStringToObject(st, "message", msg);
	cJSON_AddStringToObject(st, "reason", reason);
	cJSON_AddNumberToObject(st, "code", code);
	ret = send_json(c, code, st);
	cJSON_Delete(st);
	return ret;
}

/* ---- request log ---- */

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *value)
{
	struct buf *b = cls;

	(void)kind;
	buf_addf(b, "%c%s=%s", b->len ? '&' : '?', key, value ? value : "");
	return MHD_YES;
}

static void log_request(struct MHD_Connection *c, const char *method, const char *url)
{
	struct buf q = BUF_INIT(64 * 1024);
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");

	if (!S.log)
		return;
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_arg, &q);
	fprintf(S.log, "%s %s%s auth=%s\n", method, url, buf_str(&q), auth ? "yes" : "no");
	fflush(S.log);
	buf_release(&q);
}

/* ---- client certificates ---- */

/* gnutls is only linked indirectly (through libmicrohttpd), so look the
 * verification function up at run time rather than adding a link flag. */
static bool client_cert_ok(struct MHD_Connection *c)
{
	typedef int (*verify_fn)(gnutls_session_t, unsigned int *);
	static verify_fn verify;
	const union MHD_ConnectionInfo *ci;
	unsigned int status = 1;

	if (!verify)
		verify = (verify_fn)dlsym(RTLD_DEFAULT, "gnutls_certificate_verify_peers2");
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!verify || !ci || !ci->tls_session)
		return false;
	if (verify((gnutls_session_t)ci->tls_session, &status) != 0)
		return false;
	return status == 0;
}

/* ---- watch streams ---- */

struct watch {
	long from_rv;
	int sent;
	long deadline_ms;
	bool gone_event;
	bool done;
	struct buf out;		/* bytes not yet handed to MHD */
};

static long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static ssize_t watch_read(void *cls, uint64_t pos, char *dst, size_t max)
{
	struct watch *w = cls;
	size_t n;

	(void)pos;
	while (!w->out.len) {
		if (w->done || stop)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (w->gone_event) {
			buf_addstr(&w->out,
				   "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
				   "\"status\":\"Failure\",\"message\":\"too old resource version\","
				   "\"reason\":\"Expired\",\"code\":410}}\n");
			w->done = true;
			break;
		}
		if (S.watch_cut && w->sent >= S.watch_cut)
			return MHD_CONTENT_READER_END_OF_STREAM;
		pthread_mutex_lock(&S.lock);
		if (S.evolve_path && 2000 + S.evolve_n > w->from_rv) {
			int step = w->from_rv < 2000 ? 1 : (int)(w->from_rv - 2000) + 1;
			cJSON *ev = cJSON_CreateObject();
			char *text;

			evolve_to(step);
			cJSON_AddStringToObject(ev, "type", "MODIFIED");
			cJSON_AddItemToObject(ev, "object", evolve_state(step));
			text = cJSON_PrintUnformatted(ev);
			buf_addstr(&w->out, text);
			buf_addch(&w->out, '\n');
			free(text);
			cJSON_Delete(ev);
			w->from_rv = 2000 + step;
			w->sent++;
			pthread_mutex_unlock(&S.lock);
			if (S.event_delay_ms)
				usleep((useconds_t)S.event_delay_ms * 1000);
			break;
		}
		pthread_mutex_unlock(&S.lock);
		if (mono_ms() >= w->deadline_ms)
			return MHD_CONTENT_READER_END_OF_STREAM;
		usleep(50 * 1000);
	}
	n = w->out.len < max ? w->out.len : max;
	memcpy(dst, w->out.data, n);
	buf_consume(&w->out, n);
	return (ssize_t)n;
}

static void watch_free(void *cls)
{
	struct watch *w = cls;

	buf_release(&w->out);
	free(w);
}

static enum MHD_Result serve_watch(struct MHD_Connection *c)
{
	const char *rv = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "resourceVersion");
	const char *ts = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "timeoutSeconds");
	struct MHD_Response *r;
	struct watch *w;
	enum MHD_Result ret;
	bool gone = false;

	if (S.watch_refuse)
		return send_status(c, 405, "MethodNotAllowed", "watch is not allowed here");
	pthread_mutex_lock(&S.lock);
	if (rv && *rv && S.gone > 0) {
		S.gone--;
		gone = true;
	}
	pthread_mutex_unlock(&S.lock);
	if (gone && !S.gone_event)
		return send_status(c, 410, "Expired", "too old resource version");
	w = calloc(1, sizeof(*w));
	buf_init(&w->out, 1024 * 1024);
	w->from_rv = rv ? atol(rv) : 0;
	w->deadline_ms = mono_ms() + (ts ? atol(ts) : 30) * 1000;
	w->gone_event = gone;
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, watch_read, w, watch_free);
	MHD_add_response_header(r, "Content-Type", "application/json");
	ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ret;
}

/* ---- REST ---- */

static void merge_patch(cJSON *target, const cJSON *patch)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, patch) {
		cJSON *t = cJSON_GetObjectItemCaseSensitive(target, p->string);

		if (cJSON_IsNull(p)) {
			cJSON_DeleteItemFromObjectCaseSensitive(target, p->string);
		} else if (cJSON_IsObject(p) && cJSON_IsObject(t)) {
			merge_patch(t, p);
		} else {
			cJSON_DeleteItemFromObjectCaseSensitive(target, p->string);
			cJSON_AddItemToObject(target, p->string, cJSON_Duplicate(p, 1));
		}
	}
}

static bool label_match(const cJSON *obj, const char *sel)
{
	char key[256];
	const char *eq;
	const cJSON *v;

	if (!sel || !*sel)
		return true;
	eq = strchr(sel, '=');
	if (!eq || (size_t)(eq - sel) >= sizeof(key))
		return false;
	snprintf(key, sizeof(key), "%.*s", (int)(eq - sel), sel);
	v = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "metadata"),
						 "labels"),
		key);
	return cJSON_IsString(v) && !strcmp(v->valuestring, eq + 1);
}

static enum MHD_Result serve_list(struct MHD_Connection *c, const char *coll)
{
	const char *limit_s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
	const char *cont = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "continue");
	const char *lsel = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "labelSelector");
	const char *fsel = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "fieldSelector");
	long limit = limit_s ? atol(limit_s) : 0, skip = cont ? atol(cont) : 0, seen = 0, added = 0;
	cJSON *list = cJSON_CreateObject(), *items, *md;
	enum MHD_Result ret;
	char rv[32];

	pthread_mutex_lock(&S.lock);
	cJSON_AddStringToObject(list, "kind", "List");
	cJSON_AddStringToObject(list, "apiVersion", "v1");
	md = cJSON_AddObjectToObject(list, "metadata");
	items = cJSON_AddArrayToObject(list, "items");
	for (int i = 0; i < S.nobjs; i++) {
		const char *name = strrchr(S.objs[i].path, '/') + 1;

		if (!child_of(S.objs[i].path, coll) || !label_match(S.objs[i].obj, lsel))
			continue;
		if (fsel && !strncmp(fsel, "metadata.name=", 14) && strcmp(fsel + 14, name))
			continue;
		if (seen++ < skip)
			continue;
		if (limit && added == limit) {
			char next[32];

			snprintf(next, sizeof(next), "%ld", skip + added);
			cJSON_AddStringToObject(md, "continue", next);
			break;
		}
		cJSON_AddItemToArray(items, cJSON_Duplicate(S.objs[i].obj, 1));
		added++;
	}
	snprintf(rv, sizeof(rv), "%ld",
		 S.evolve_path && child_of(S.evolve_path, coll) ? 2000L + S.evolve_cur : S.rv);
	cJSON_AddStringToObject(md, "resourceVersion", rv);
	/* Without watches the object moves on between polls. */
	if (S.watch_refuse && S.evolve_path && child_of(S.evolve_path, coll))
		evolve_to(S.evolve_cur + 1);
	pthread_mutex_unlock(&S.lock);
	ret = send_json(c, 200, list);
	cJSON_Delete(list);
	return ret;
}

/* How many segments follow the group/version (and namespace) part:
 * 1 for a collection, 2 for an object, 3 for a subresource. */
static int path_depth(const char *path)
{
	const char *rest = path;
	int n = 0, skip;

	if (!strncmp(path, "/api/", 5))
		skip = 2;		/* api, version */
	else if (!strncmp(path, "/apis/", 6))
		skip = 3;		/* apis, group, version */
	else
		return 0;
	for (int i = 0; i < skip && rest; i++)
		rest = strchr(rest + 1, '/');
	if (!rest)
		return 0;
	if (!strncmp(rest, "/namespaces/", 12) && strchr(rest + 12, '/'))
		rest = strchr(rest + 12, '/');
	for (const char *p = rest; *p; p++)
		if (*p == '/')
			n++;
	return n;
}

static const char *plural_of(const char *path)
{
	static __thread char p[128];
	const char *s = strrchr(path, '/');

	snprintf(p, sizeof(p), "%.127s", s ? s + 1 : path);
	return p;
}

static enum MHD_Result serve_rest(struct MHD_Connection *c, const char *method, const char *url,
				  const char *body, size_t len)
{
	struct buf path = BUF_INIT(4096);
	struct object *o;
	enum MHD_Result ret;
	char msg[512];
	cJSON *in = NULL;

	buf_addstr(&path, url);
	while (path.len > 1 && path.data[path.len - 1] == '/')
		path.data[--path.len] = '\0';
	/* The status subresource reads and writes the object itself here. */
	if (path_depth(buf_str(&path)) == 3)
		*strrchr(path.data, '/') = '\0', path.len = strlen(path.data);
	if (body && len) {
		in = cJSON_ParseWithLength(body, len);
		if (!in) {
			buf_release(&path);
			return send_status(c, 400, "BadRequest", "the body is not JSON");
		}
	}
	pthread_mutex_lock(&S.lock);
	o = find(buf_str(&path));
	if (!strcmp(method, "POST")) {
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(in, "metadata"), "name"));
		const char *gen = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(in, "metadata"), "generateName"));
		char gname[300], full[4500];

		if (!in || (!name && !gen)) {
			pthread_mutex_unlock(&S.lock);
			cJSON_Delete(in);
			buf_release(&path);
			return send_status(c, 422, "Invalid", "metadata.name: Required value");
		}
		if (!name) {
			snprintf(gname, sizeof(gname), "%s%05ld", gen, (S.rv * 7919) % 100000);
			name = gname;
			cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(in, "metadata"),
						"name", gname);
		}
		snprintf(full, sizeof(full), "%s/%s", buf_str(&path), name);
		if (find(full)) {
			pthread_mutex_unlock(&S.lock);
			snprintf(msg, sizeof(msg), "%s \"%s\" already exists", plural_of(buf_str(&path)),
				 name);
			cJSON_Delete(in);
			buf_release(&path);
			return send_status(c, 409, "AlreadyExists", msg);
		}
		set_rv(in, ++S.rv);
		put(full, cJSON_Duplicate(in, 1));
		pthread_mutex_unlock(&S.lock);
		ret = send_json(c, 201, in);
		cJSON_Delete(in);
		buf_release(&path);
		return ret;
	}
	if (!strcmp(method, "GET") && path_depth(buf_str(&path)) == 1) {
		pthread_mutex_unlock(&S.lock);
		ret = serve_list(c, buf_str(&path));
		cJSON_Delete(in);
		buf_release(&path);
		return ret;
	}
	if (!o) {
		const char *slash = strrchr(buf_str(&path), '/');
		char coll[4096];

		snprintf(coll, sizeof(coll), "%.*s", (int)(slash - buf_str(&path)), buf_str(&path));
		pthread_mutex_unlock(&S.lock);
		snprintf(msg, sizeof(msg), "%s \"%s\" not found", plural_of(coll), slash + 1);
		cJSON_Delete(in);
		buf_release(&path);
		return send_status(c, 404, "NotFound", msg);
	}
	if (!strcmp(method, "GET")) {
		cJSON *copy = cJSON_Duplicate(o->obj, 1);

		pthread_mutex_unlock(&S.lock);
		ret = send_json(c, 200, copy);
		cJSON_Delete(copy);
	} else if (!strcmp(method, "DELETE")) {
		drop(o);
		S.rv++;
		pthread_mutex_unlock(&S.lock);
		ret = send_status(c, 200, "", "deleted");
	} else if (!strcmp(method, "PUT") || !strcmp(method, "PATCH")) {
		cJSON *copy;

		if (!in) {
			pthread_mutex_unlock(&S.lock);
			buf_release(&path);
			return send_status(c, 400, "BadRequest", "no body");
		}
		if (!strcmp(method, "PUT")) {
			const char *want = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(in, "metadata"), "resourceVersion"));
			const char *have = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(o->obj, "metadata"), "resourceVersion"));

			if (want && have && strcmp(want, have)) {
				pthread_mutex_unlock(&S.lock);
				cJSON_Delete(in);
				buf_release(&path);
				return send_status(c, 409, "Conflict",
						   "the object has been modified; please apply your changes to the latest version and try again");
			}
			cJSON_Delete(o->obj);
			o->obj = cJSON_Duplicate(in, 1);
		} else {
			merge_patch(o->obj, in);
		}
		set_rv(o->obj, ++S.rv);
		copy = cJSON_Duplicate(o->obj, 1);
		pthread_mutex_unlock(&S.lock);
		ret = send_json(c, 200, copy);
		cJSON_Delete(copy);
	} else {
		pthread_mutex_unlock(&S.lock);
		ret = send_status(c, 405, "MethodNotAllowed", "method not allowed");
	}
	cJSON_Delete(in);
	buf_release(&path);
	return ret;
}

/* ---- OAuth ---- */

static enum MHD_Result serve_oauth(struct MHD_Connection *c, const char *url)
{
	char text[512];

	if (!strcmp(url, "/.well-known/oauth-authorization-server")) {
		cJSON *d = cJSON_CreateObject();
		enum MHD_Result ret;

		snprintf(text, sizeof(text), "https://127.0.0.1:%u", S.port);
		cJSON_AddStringToObject(d, "issuer", text);
		snprintf(text, sizeof(text), "https://127.0.0.1:%u/oauth/authorize", S.port);
		cJSON_AddStringToObject(d, "authorization_endpoint", text);
		snprintf(text, sizeof(text), "https://127.0.0.1:%u/oauth/token", S.port);
		cJSON_AddStringToObject(d, "token_endpoint", text);
		ret = send_json(c, 200, d);
		cJSON_Delete(d);
		return ret;
	} else {
		const char *rt = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "response_type");
		const char *cid = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "client_id");
		const char *csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
		char *pass = NULL;
		char *user = MHD_basic_auth_get_username_password(c, &pass);
		bool ok = user && pass && S.oauth_user && !strcmp(user, S.oauth_user) &&
			  !strcmp(pass, S.oauth_pass);
		struct MHD_Response *r;
		enum MHD_Result ret;

		MHD_free(user);
		MHD_free(pass);
		if (!rt || strcmp(rt, "token") || !cid ||
		    strcmp(cid, "openshift-challenging-client") || !csrf)
			return send_status(c, 400, "BadRequest", "not a challenging-client token request");
		if (!ok) {
			r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
			ret = MHD_queue_basic_auth_fail_response(c, "openshift", r);
			MHD_destroy_response(r);
			return ret;
		}
		snprintf(text, sizeof(text),
			 "https://127.0.0.1:%u/oauth/token/implicit#access_token=%s&expires_in=86400&scope=user%%3Afull&token_type=Bearer",
			 S.port, S.token ? S.token : "");
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(r, "Location", text);
		ret = MHD_queue_response(c, 302, r);
		MHD_destroy_response(r);
		return ret;
	}
}

/* ---- dispatch ---- */

struct req {
	struct buf body;
	bool started;
};

static bool take(int *counter)
{
	bool hit = false;

	pthread_mutex_lock(&S.lock);
	if (*counter > 0) {
		(*counter)--;
		hit = true;
	}
	pthread_mutex_unlock(&S.lock);
	return hit;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *upload,
			       size_t *upload_size, void **con_cls)
{
	struct req *rq = *con_cls;
	const char *auth, *watch;
	char want[1024];

	(void)cls, (void)version;
	if (!rq) {
		rq = calloc(1, sizeof(*rq));
		buf_init(&rq->body, 16u * 1024 * 1024);
		*con_cls = rq;
		log_request(c, method, url);
		if (!strcmp(method, "POST") && take(&S.drop_post))
			return MHD_NO;
		return MHD_YES;
	}
	if (*upload_size) {
		buf_add(&rq->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (S.oauth_user && (!strcmp(url, "/.well-known/oauth-authorization-server") ||
			     !strncmp(url, "/oauth/", 7)))
		return serve_oauth(c, url);
	if (S.require_cert && !client_cert_ok(c))
		return send_status(c, 401, "Unauthorized", "a valid client certificate is required");
	if (S.token) {
		auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
		snprintf(want, sizeof(want), "Bearer %s", S.token);
		if (!auth || strcmp(auth, want))
			return send_status(c, 401, "Unauthorized", "Unauthorized");
	}
	if (take(&S.fail503))
		return send_status(c, 503, "ServiceUnavailable", "the server is currently unable to handle the request");
	if (take(&S.fail429))
		return send_status(c, 429, "TooManyRequests", "too many requests, retry later");
	if (take(&S.fail500))
		return send_status(c, 500, "InternalError", "internal error");
	if (take(&S.fail504))
		return send_status(c, 504, "Timeout", "the server was unable to return a response in the time allotted, but may still be processing the request");
	watch = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "watch");
	if (!strcmp(method, "GET") && watch && (!strcmp(watch, "1") || !strcmp(watch, "true")))
		return serve_watch(c);
	return serve_rest(c, method, url, rq->body.data, rq->body.len);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct req *rq = *con_cls;

	(void)cls, (void)c, (void)toe;
	if (rq) {
		buf_release(&rq->body);
		free(rq);
	}
	*con_cls = NULL;
}

int main(int argc, char **argv)
{
	const char *port_file = NULL, *cert = NULL, *key = NULL, *client_ca = NULL;
	char *cert_pem, *key_pem, *ca_pem = NULL;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;
	char tmp[4096];
	FILE *f;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v && strcmp(a, "--watch-refuse")) {
			fprintf(stderr, "fakeapi: %s needs a value\n", a);
			return 2;
		}
		if (!strcmp(a, "--watch-refuse")) {
			S.watch_refuse = true;
			continue;
		}
		i++;
		if (!strcmp(a, "--port-file")) port_file = v;
		else if (!strcmp(a, "--cert")) cert = v;
		else if (!strcmp(a, "--key")) key = v;
		else if (!strcmp(a, "--client-ca")) client_ca = v;
		else if (!strcmp(a, "--token")) S.token = strdup(v);
		else if (!strcmp(a, "--oauth-user")) S.oauth_user = strdup(v);
		else if (!strcmp(a, "--oauth-pass")) S.oauth_pass = strdup(v);
		else if (!strcmp(a, "--log")) S.log = fopen(v, "a");
		else if (!strcmp(a, "--fail-503")) S.fail503 = atoi(v);
		else if (!strcmp(a, "--fail-429")) S.fail429 = atoi(v);
		else if (!strcmp(a, "--fail-500")) S.fail500 = atoi(v);
		else if (!strcmp(a, "--fail-504")) S.fail504 = atoi(v);
		else if (!strcmp(a, "--drop-post")) S.drop_post = atoi(v);
		else if (!strcmp(a, "--watch-cut")) S.watch_cut = atoi(v);
		else if (!strcmp(a, "--gone")) S.gone = atoi(v);
		else if (!strcmp(a, "--gone-mode")) S.gone_event = !strcmp(v, "event");
		else if (!strcmp(a, "--event-delay-ms")) S.event_delay_ms = atol(v);
		else if (!strcmp(a, "--evolve")) {
			const char *colon = strrchr(v, ':');

			if (!colon) {
				fprintf(stderr, "fakeapi: --evolve PATH:N\n");
				return 2;
			}
			S.evolve_path = strndup(v, (size_t)(colon - v));
			S.evolve_n = atoi(colon + 1);
			put(S.evolve_path, evolve_state(0));
		} else if (!strcmp(a, "--object")) {
			const char *eq = strchr(v, '=');
			cJSON *o = eq ? cJSON_Parse(eq + 1) : NULL;
			char p[2048];

			if (!o) {
				fprintf(stderr, "fakeapi: --object PATH=JSON: bad JSON\n");
				return 2;
			}
			snprintf(p, sizeof(p), "%.*s", (int)(eq - v), v);
			set_rv(o, ++S.rv);
			put(p, o);
		} else {
			fprintf(stderr, "fakeapi: unknown option %s\n", a);
			return 2;
		}
	}
	if (!port_file || !cert || !key) {
		fprintf(stderr, "usage: fakeapi --port-file F --cert C --key K [options]\n");
		return 2;
	}
	cert_pem = slurp(cert);
	key_pem = slurp(key);
	if (client_ca) {
		ca_pem = slurp(client_ca);
		S.require_cert = true;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
				     MHD_USE_TLS | MHD_USE_ERROR_LOG,
			     0, NULL, NULL, handler, NULL,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			     MHD_OPTION_HTTPS_MEM_CERT, cert_pem,
			     MHD_OPTION_HTTPS_MEM_KEY, key_pem,
			     ca_pem ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, ca_pem,
			     MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
			     MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "fakeapi: cannot start the server\n");
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	S.port = info->port;
	snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%u\n", S.port) < 0 || fclose(f) != 0 || rename(tmp, port_file) < 0) {
		fprintf(stderr, "fakeapi: cannot write %s\n", port_file);
		return 1;
	}
	while (!stop)
		usleep(100 * 1000);
	MHD_stop_daemon(d);
	return 0;
}
