/* Watch streams: newline-delimited events replayed from the store's event
 * log, then followed live.
 *
 * The reader runs in the connection's own thread (MHD thread per
 * connection), so it may block on sim->changed until an event arrives, the
 * timeout ends the stream, or a bookmark is due.  It collects holding the
 * store lock shared and sleeps holding neither it nor anything a writer
 * needs but notify_mu. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>
#include "sim.h"

struct watch {
	struct sim *sim;
	const struct restype *rt;
	char *ns;
	struct selector *ls, *fs;
	unsigned long long next_rv;	/* events with rv > next_rv are due */
	bool initial_pending;
	bool bookmarks;
	bool table;
	bool done;
	struct timespec deadline;
	struct timespec last_send;
	int sent;
	struct buf out;
};

struct watch *watch_new(struct sim *sim, const struct restype *rt, const char *ns, struct selector *ls,
			struct selector *fs, unsigned long long from_rv, bool send_initial, bool bookmarks,
			int timeout_s)
{
	struct watch *w = calloc(1, sizeof(*w));

	if (!w)
		abort();
	w->sim = sim;
	w->rt = rt;
	w->ns = ns ? strdup(ns) : NULL;
	w->ls = ls;
	w->fs = fs;
	w->next_rv = from_rv;
	w->initial_pending = send_initial;
	w->bookmarks = bookmarks;
	clock_gettime(CLOCK_REALTIME, &w->deadline);
	w->last_send = w->deadline;
	w->deadline.tv_sec += timeout_s;
	buf_init(&w->out, BUF_DEFAULT_MAX);
	return w;
}

void watch_set_table(struct watch *w)
{
	w->table = true;
}

void watch_free(struct watch *w)
{
	if (!w)
		return;
	free(w->ns);
	selector_free(w->ls);
	selector_free(w->fs);
	buf_release(&w->out);
	free(w);
}

static bool matches(struct watch *w, const struct restype *rt, const char *ns, const cJSON *o)
{
	if (rt != w->rt)
		return false;
	if (w->ns && strcmp(ns, w->ns))
		return false;
	return selector_match_labels(w->ls, o) && selector_match_fields(w->fs, o);
}

static void add_event(struct watch *w, const char *type, const cJSON *o, unsigned long long rv)
{
	cJSON *ev = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(ev, "type", type);
	if (w->table && strcmp(type, "ERROR") && strcmp(type, "BOOKMARK"))
		cJSON_AddItemToObject(ev, "object", api_table_one(w->rt, o, rv));
	else
		cJSON_AddItemToObject(ev, "object", cJSON_Duplicate(o, 1));
	s = cJSON_PrintUnformatted(ev);
	buf_addstr(&w->out, s);
	buf_addch(&w->out, '\n');
	free(s);
	cJSON_Delete(ev);
	w->sent++;
	clock_gettime(CLOCK_REALTIME, &w->last_send);
}

static int cmp_sobj(const void *a, const void *b)
{
	const struct sobj *x = *(const struct sobj *const *)a, *y = *(const struct sobj *const *)b;
	int c = strcmp(x->ns, y->ns);
	return c ? c : strcmp(x->name, y->name);
}

static void bookmark(struct watch *w)
{
	cJSON *o = cJSON_CreateObject(), *md;
	char av[128], rv[32];

	restype_apiversion(w->rt, av, sizeof(av));
	cJSON_AddStringToObject(o, "kind", w->rt->kind);
	cJSON_AddStringToObject(o, "apiVersion", av);
	md = cJSON_AddObjectToObject(o, "metadata");
	snprintf(rv, sizeof(rv), "%llu", w->next_rv);
	cJSON_AddStringToObject(md, "resourceVersion", rv);
	add_event(w, "BOOKMARK", o, w->next_rv);
	cJSON_Delete(o);
}

/* Collect what is due; caller holds the lock.  Returns true when the
 * stream must end after the buffer drains. */
static bool collect(struct watch *w)
{
	struct store *s = &w->sim->store;

	if (w->initial_pending) {
		struct sobj **v = calloc(store_count(s, w->rt) + 1, sizeof(*v));
		size_t n = 0;

		if (!v)
			abort();
		for (struct sobj *so = store_first(s, w->rt); so; so = so->kind_next)
			if (matches(w, so->rt, so->ns, so->o))
				v[n++] = so;
		qsort(v, n, sizeof(*v), cmp_sobj);
		for (size_t i = 0; i < n; i++) {
			add_event(w, "ADDED", v[i]->o, v[i]->rv);
			if (w->sim->faults.watch_cut && w->sent >= w->sim->faults.watch_cut) {
				free(v);
				return true;
			}
		}
		free(v);
		w->initial_pending = false;
		w->next_rv = s->rv;
		return false;
	}
	if (s->ring_len && w->next_rv + 1 < store_oldest_rv(s)) {
		char msg[200];
		cJSON *st = cJSON_CreateObject();

		snprintf(msg, sizeof(msg), "too old resource version: %llu (%llu)", w->next_rv,
			 store_oldest_rv(s) - 1);
		cJSON_AddStringToObject(st, "kind", "Status");
		cJSON_AddStringToObject(st, "apiVersion", "v1");
		cJSON_AddObjectToObject(st, "metadata");
		cJSON_AddStringToObject(st, "status", "Failure");
		cJSON_AddStringToObject(st, "message", msg);
		cJSON_AddStringToObject(st, "reason", "Expired");
		cJSON_AddNumberToObject(st, "code", 410);
		add_event(w, "ERROR", st, 0);
		cJSON_Delete(st);
		return true;
	}
	for (size_t i = 0; i < s->ring_len; i++) {
		struct event *e = &s->ring[(s->ring_start + i) % EVENT_RING];
		static const char *const names[] = { "ADDED", "MODIFIED", "DELETED" };

		if (e->rv <= w->next_rv)
			continue;
		w->next_rv = e->rv;
		if (matches(w, e->rt, e->ns, e->o))
			add_event(w, names[e->type], e->o, e->rv);
		if (w->sim->faults.watch_cut && w->sent >= w->sim->faults.watch_cut)
			return true;
	}
	return false;
}

long watch_read(struct watch *w, char *dst, size_t max)
{
	struct sim *sim = w->sim;

	/* Collect under the shared lock; wait for the next event on
	 * notify_mu, never holding the store lock while asleep. */
	for (;;) {
		struct timespec now, until;
		unsigned long long seen;

		sim_rdlock(sim);
		if (sim->stopping)
			w->done = true;
		else if (!w->out.len && !w->done)
			w->done = collect(w);
		/* writers bump it holding the lock exclusively: stable here */
		seen = sim->notify_seq;
		sim_unlock(sim);
		if (w->out.len || w->done)
			break;
		clock_gettime(CLOCK_REALTIME, &now);
		if (now.tv_sec > w->deadline.tv_sec ||
		    (now.tv_sec == w->deadline.tv_sec && now.tv_nsec >= w->deadline.tv_nsec)) {
			w->done = true;
			break;
		}
		if (w->bookmarks && now.tv_sec - w->last_send.tv_sec >= 2) {
			bookmark(w);	/* the watch's own state only */
			break;
		}
		until = now;
		until.tv_sec += 1;
		if (until.tv_sec > w->deadline.tv_sec)
			until = w->deadline;
		pthread_mutex_lock(&sim->notify_mu);
		if (sim->notify_seq == seen && !sim->stopping)
			pthread_cond_timedwait(&sim->changed, &sim->notify_mu, &until);
		pthread_mutex_unlock(&sim->notify_mu);
	}
	if (w->out.len) {
		size_t n = w->out.len < max ? w->out.len : max;
		memcpy(dst, w->out.data, n);
		buf_consume(&w->out, n);
		return (long)n;
	}
	return MHD_CONTENT_READER_END_OF_STREAM;
}
