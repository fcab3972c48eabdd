/* The object store: every API object, its resourceVersion, and the event
 * log that watches replay from.
 *
 * resourceVersions are one global counter, as etcd's revision is, so a
 * watch can resume from any version a list or an earlier event returned.
 * The event log is a ring: a version older than its oldest entry cannot be
 * replayed faithfully, and the watch answers 410 Gone, as a compacted etcd
 * would make the real API server do.
 *
 * Indexes keep every request's cost to what it touches: a hash on
 * kind/namespace/name and one on uid, a list per kind and per namespace,
 * and owner uid -> dependents.  The garbage collector works as the real
 * one does, from a queue fed by the writes that concern it (an owner
 * removed, an object marked for foreground or orphan deletion, a dependent
 * whose owner is missing, a namespace terminating), not by sweeping the
 * store after every write.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"


#define FIN_ORPHAN "orphan"
#define FIN_FOREGROUND "foregroundDeletion"

struct store_ns {
	char *name;
	struct sobj *head;
	size_t n;
	struct store_ns *next;
};

struct store_deps {
	char *uid;
	struct sobj **v;
	size_t n, cap;
	struct store_deps *next;
};

enum work_type { W_ATTEMPT, W_OWNER, W_NS };

struct store_work {
	enum work_type type;
	char *key;		/* a uid, or a namespace name */
};

static uint64_t fnv(uint64_t h, const char *p)
{
	for (; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ull;
	}
	return h * 1099511628211ull;	/* separates "ab"+"c" from "a"+"bc" */
}

static size_t key_hash(const struct restype *rt, const char *ns, const char *name)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)(uintptr_t)rt;

	return (size_t)(fnv(fnv(h, ns), name) % STORE_BUCKETS);
}

static size_t str_hash(const char *s)
{
	return (size_t)(fnv(1469598103934665603ull, s) % STORE_BUCKETS);
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n, sz);

	if (!p)
		abort();
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (!p)
		abort();
	return p;
}

void store_init(struct store *s)
{
	memset(s, 0, sizeof(*s));
	s->rv = 1000;
	s->nsrt = restype_find("", "v1", "namespaces");
	s->by_key = xcalloc(STORE_BUCKETS, sizeof(*s->by_key));
	s->by_uid = xcalloc(STORE_BUCKETS, sizeof(*s->by_uid));
	s->by_ns = xcalloc(STORE_BUCKETS, sizeof(*s->by_ns));
	s->deps = xcalloc(STORE_BUCKETS, sizeof(*s->deps));
}

static void sobj_free(struct sobj *so)
{
	free(so->ns);
	free(so->name);
	free(so->uid);
	for (int i = 0; i < so->nowners; i++)
		free(so->owners[i]);
	free(so->owners);
	cJSON_Delete(so->o);
	free(so);
}

void store_release(struct store *s)
{
	for (size_t i = 0; i < s->n; i++)
		sobj_free(s->objs[i]);
	free(s->objs);
	for (size_t i = 0; i < s->ring_len; i++) {
		struct event *e = &s->ring[(s->ring_start + i) % EVENT_RING];
		free(e->ns);
		cJSON_Delete(e->o);
	}
	for (size_t b = 0; b < STORE_BUCKETS; b++) {
		while (s->by_ns && s->by_ns[b]) {
			struct store_ns *e = s->by_ns[b];
			s->by_ns[b] = e->next;
			free(e->name);
			free(e);
		}
		while (s->deps && s->deps[b]) {
			struct store_deps *d = s->deps[b];
			s->deps[b] = d->next;
			free(d->uid);
			free(d->v);
			free(d);
		}
	}
	for (size_t i = 0; i < s->work_len; i++)
		free(s->work[(s->work_head + i) % s->work_cap].key);
	free(s->work);
	free(s->by_key);
	free(s->by_uid);
	free(s->by_ns);
	free(s->deps);
	memset(s, 0, sizeof(*s));
}

void sim_time_rfc3339(time_t t, char *out, size_t outsz)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void sim_now_rfc3339(char *out, size_t outsz)
{
	sim_time_rfc3339(time(NULL), out, outsz);
}

void sim_new_uid(struct store *s, char *out, size_t outsz)
{
	/* Deterministic per run yet unique: a counter in UUID shape. */
	unsigned long long c = ++s->uid_counter;
	unsigned int r = (unsigned int)(c * 2654435761u);

	snprintf(out, outsz, "%08x-%04x-4%03x-8%03x-%012llx", r, (unsigned)(c & 0xffff),
		 (unsigned)((c >> 4) & 0xfff), (unsigned)((c >> 8) & 0xfff), c);
}

/* ---- indexes ---- */

struct sobj *store_find(struct store *s, const struct restype *rt, const char *ns, const char *name)
{
	struct sobj *so;

	if (!ns || !rt->namespaced)
		ns = "";
	if (!name)
		return NULL;
	for (so = s->by_key[key_hash(rt, ns, name)]; so; so = so->key_next)
		if (so->rt == rt && !strcmp(so->ns, ns) && !strcmp(so->name, name))
			return so;
	return NULL;
}

struct sobj *store_find_uid(struct store *s, const char *uid)
{
	struct sobj *so;

	if (!uid || !*uid)
		return NULL;
	for (so = s->by_uid[str_hash(uid)]; so; so = so->uid_next)
		if (!strcmp(so->uid, uid))
			return so;
	return NULL;
}

static struct store_kind *kind_of(struct store *s, const struct restype *rt, bool create)
{
	for (size_t i = 0; i < s->nkinds; i++)
		if (s->kinds[i].rt == rt)
			return &s->kinds[i];
	if (!create)
		return NULL;
	if (s->nkinds == sizeof(s->kinds) / sizeof(s->kinds[0]))
		abort();	/* more kinds than restypes.c has */
	s->kinds[s->nkinds].rt = rt;
	return &s->kinds[s->nkinds++];
}

struct sobj *store_first(struct store *s, const struct restype *rt)
{
	struct store_kind *k = kind_of(s, rt, false);

	return k ? k->head : NULL;
}

size_t store_count(struct store *s, const struct restype *rt)
{
	struct store_kind *k = kind_of(s, rt, false);

	return k ? k->n : 0;
}

static struct store_ns *ns_entry(struct store *s, const char *ns, bool create)
{
	size_t b = str_hash(ns);
	struct store_ns *e;

	for (e = s->by_ns[b]; e; e = e->next)
		if (!strcmp(e->name, ns))
			return e;
	if (!create)
		return NULL;
	e = xcalloc(1, sizeof(*e));
	e->name = xstrdup(ns);
	e->next = s->by_ns[b];
	s->by_ns[b] = e;
	return e;
}

struct sobj *store_ns_first(struct store *s, const char *ns)
{
	struct store_ns *e = ns_entry(s, ns ? ns : "", false);

	return e ? e->head : NULL;
}

static size_t ns_count(struct store *s, const char *ns)
{
	struct store_ns *e = ns_entry(s, ns, false);

	return e ? e->n : 0;
}

static struct store_deps *deps_of(struct store *s, const char *uid, bool create)
{
	size_t b = str_hash(uid);
	struct store_deps *d;

	for (d = s->deps[b]; d; d = d->next)
		if (!strcmp(d->uid, uid))
			return d;
	if (!create)
		return NULL;
	d = xcalloc(1, sizeof(*d));
	d->uid = xstrdup(uid);
	d->next = s->deps[b];
	s->deps[b] = d;
	return d;
}

static void deps_add(struct store *s, const char *owner, struct sobj *dep)
{
	struct store_deps *d = deps_of(s, owner, true);

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 4;
		d->v = realloc(d->v, d->cap * sizeof(*d->v));
		if (!d->v)
			abort();
	}
	d->v[d->n++] = dep;
}

static void deps_del(struct store *s, const char *owner, struct sobj *dep)
{
	size_t b = str_hash(owner);
	struct store_deps **pp, *d;

	for (pp = &s->deps[b]; (d = *pp); pp = &d->next)
		if (!strcmp(d->uid, owner))
			break;
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i] == dep) {
			d->v[i] = d->v[--d->n];
			break;
		}
	if (!d->n) {
		*pp = d->next;
		free(d->uid);
		free(d->v);
		free(d);
	}
}

/* The owner uids of o's ownerReferences, each once. */
static void owners_read(const cJSON *o, char ***out, int *n)
{
	const cJSON *refs = json_get(o, "metadata.ownerReferences"), *r;
	int cap = cJSON_IsArray(refs) ? cJSON_GetArraySize(refs) : 0;

	*out = NULL;
	*n = 0;
	if (!cap)
		return;
	*out = xcalloc((size_t)cap, sizeof(**out));
	cJSON_ArrayForEach(r, refs) {
		const char *u = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "uid"));
		bool dup = false;

		if (!u || !*u)
			continue;
		for (int i = 0; i < *n; i++)
			dup = dup || !strcmp((*out)[i], u);
		if (!dup)
			(*out)[(*n)++] = xstrdup(u);
	}
}

static bool owners_has(char **v, int n, const char *u)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i], u))
			return true;
	return false;
}

static void index_add(struct store *s, struct sobj *so)
{
	size_t kb = key_hash(so->rt, so->ns, so->name), ub = str_hash(so->uid);
	struct store_kind *k = kind_of(s, so->rt, true);
	struct store_ns *e = ns_entry(s, so->ns, true);

	so->key_next = s->by_key[kb];
	s->by_key[kb] = so;
	so->uid_next = s->by_uid[ub];
	s->by_uid[ub] = so;
	so->kind_prev = k->tail;
	so->kind_next = NULL;
	if (k->tail)
		k->tail->kind_next = so;
	else
		k->head = so;
	k->tail = so;
	k->n++;
	so->ns_prev = NULL;
	so->ns_next = e->head;
	if (e->head)
		e->head->ns_prev = so;
	e->head = so;
	e->n++;
	owners_read(so->o, &so->owners, &so->nowners);
	for (int i = 0; i < so->nowners; i++)
		deps_add(s, so->owners[i], so);
}

static void index_del(struct store *s, struct sobj *so)
{
	struct sobj **pp;
	struct store_kind *k = kind_of(s, so->rt, false);
	struct store_ns *e = ns_entry(s, so->ns, false);

	for (pp = &s->by_key[key_hash(so->rt, so->ns, so->name)]; *pp; pp = &(*pp)->key_next)
		if (*pp == so) {
			*pp = so->key_next;
			break;
		}
	for (pp = &s->by_uid[str_hash(so->uid)]; *pp; pp = &(*pp)->uid_next)
		if (*pp == so) {
			*pp = so->uid_next;
			break;
		}
	if (so->kind_prev)
		so->kind_prev->kind_next = so->kind_next;
	else
		k->head = so->kind_next;
	if (so->kind_next)
		so->kind_next->kind_prev = so->kind_prev;
	else
		k->tail = so->kind_prev;
	k->n--;
	if (so->ns_prev)
		so->ns_prev->ns_next = so->ns_next;
	else
		e->head = so->ns_next;
	if (so->ns_next)
		so->ns_next->ns_prev = so->ns_prev;
	e->n--;
	for (int i = 0; i < so->nowners; i++)
		deps_del(s, so->owners[i], so);
}

/* ---- the garbage collector's queue ---- */

static void work_push(struct store *s, enum work_type type, const char *key)
{
	if (s->work_len == s->work_cap) {
		size_t ncap = s->work_cap ? s->work_cap * 2 : 64;
		struct store_work *nw = xcalloc(ncap, sizeof(*nw));

		for (size_t i = 0; i < s->work_len; i++)
			nw[i] = s->work[(s->work_head + i) % s->work_cap];
		free(s->work);
		s->work = nw;
		s->work_cap = ncap;
		s->work_head = 0;
	}
	s->work[(s->work_head + s->work_len) % s->work_cap] = (struct store_work){ type, xstrdup(key) };
	s->work_len++;
}

static bool has_finalizers(const cJSON *o)
{
	const cJSON *f = json_get(o, "metadata.finalizers");
	return cJSON_IsArray(f) && cJSON_GetArraySize(f) > 0;
}

static bool has_finalizer(const cJSON *o, const char *name)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, json_get(o, "metadata.finalizers"))
		if (cJSON_IsString(f) && !strcmp(f->valuestring, name))
			return true;
	return false;
}

static bool being_deleted(const cJSON *o)
{
	return json_get(o, "metadata.deletionTimestamp") != NULL;
}

static bool is_namespace(const struct sobj *so)
{
	return !so->rt->group[0] && !strcmp(so->rt->plural, "namespaces");
}

/* An owner the garbage collector waits on: deleting its dependents first. */
static bool deleting_dependents(const struct sobj *so)
{
	return so && being_deleted(so->o) && has_finalizer(so->o, FIN_FOREGROUND);
}

/* The graph builder's view of a written object: work for the collector. */
static void after_write(struct store *s, struct sobj *so)
{
	for (int i = 0; i < so->nowners; i++) {
		struct sobj *ow = store_find_uid(s, so->owners[i]);
		if (!ow || deleting_dependents(ow)) {
			work_push(s, W_ATTEMPT, so->uid);
			break;
		}
	}
	if (being_deleted(so->o)) {
		if (is_namespace(so))
			work_push(s, W_NS, so->name);
		else if (has_finalizer(so->o, FIN_FOREGROUND) || has_finalizer(so->o, FIN_ORPHAN))
			work_push(s, W_OWNER, so->uid);
	}
	if (so->ns[0]) {
		bool term = false;
		if (!store_ns_exists(s, so->ns, &term) || term)
			work_push(s, W_NS, so->ns);
	}
}

/* ---- writes ---- */

static void set_rv(cJSON *o, unsigned long long rv)
{
	cJSON *md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%llu", rv);
	cJSON_DeleteItemFromObjectCaseSensitive(md, "resourceVersion");
	cJSON_AddStringToObject(md, "resourceVersion", tmp);
}

static void emit(struct store *s, enum ev_type type, struct sobj *so)
{
	struct event *e;

	if (s->ring_len == EVENT_RING) {
		e = &s->ring[s->ring_start];
		free(e->ns);
		cJSON_Delete(e->o);
		s->ring_start = (s->ring_start + 1) % EVENT_RING;
		s->ring_len--;
	}
	e = &s->ring[(s->ring_start + s->ring_len) % EVENT_RING];
	s->ring_len++;
	e->rv = s->rv;
	e->type = type;
	e->rt = so->rt;
	e->ns = xstrdup(so->ns);
	e->o = cJSON_Duplicate(so->o, 1);
	if (g_sim)
		sim_notify(g_sim);
}

unsigned long long store_oldest_rv(const struct store *s)
{
	if (!s->ring_len)
		return s->rv;
	return s->ring[s->ring_start].rv;
}

struct sobj *store_insert(struct store *s, const struct restype *rt, const char *ns, cJSON *o)
{
	struct sobj *so = xcalloc(1, sizeof(*so));
	cJSON *md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
	char uid[64], ts[32], av[128];

	if (!md)
		md = cJSON_AddObjectToObject(o, "metadata");
	restype_apiversion(rt, av, sizeof(av));
	cJSON_DeleteItemFromObjectCaseSensitive(o, "apiVersion");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "kind");
	cJSON_AddStringToObject(o, "apiVersion", av);
	cJSON_AddStringToObject(o, "kind", rt->kind);
	sim_new_uid(s, uid, sizeof(uid));
	sim_now_rfc3339(ts, sizeof(ts));
	cJSON_DeleteItemFromObjectCaseSensitive(md, "uid");
	cJSON_AddStringToObject(md, "uid", uid);
	cJSON_DeleteItemFromObjectCaseSensitive(md, "creationTimestamp");
	cJSON_AddStringToObject(md, "creationTimestamp", ts);
	cJSON_DeleteItemFromObjectCaseSensitive(md, "generation");
	cJSON_AddNumberToObject(md, "generation", 1);
	cJSON_DeleteItemFromObjectCaseSensitive(md, "deletionTimestamp");
	cJSON_DeleteItemFromObjectCaseSensitive(md, "namespace");
	if (rt->namespaced)
		cJSON_AddStringToObject(md, "namespace", ns);
	so->rt = rt;
	so->ns = xstrdup(rt->namespaced ? ns : "");
	so->name = xstrdup(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "name")));
	so->uid = xstrdup(uid);
	so->o = o;
	s->rv++;
	so->rv = s->rv;
	set_rv(o, s->rv);
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->objs = realloc(s->objs, s->cap * sizeof(*s->objs));
		if (!s->objs)
			abort();
	}
	s->objs[s->n++] = so;
	index_add(s, so);
	emit(s, EV_ADDED, so);
	after_write(s, so);
	return so;
}

void store_remove(struct store *s, struct sobj *so)
{
	struct store_deps *d;
	size_t i;

	/* objs stays in creation order for the scans that want it; a
	 * pointer memmove is microseconds even at tens of thousands */
	for (i = s->n; i-- > 0;)
		if (s->objs[i] == so)
			break;
	if (i == (size_t)-1)
		return;
	s->rv++;
	/* The DELETED event carries the last state with a fresh version, as
	 * the real API server sends it. */
	set_rv(so->o, s->rv);
	emit(s, EV_DELETED, so);
	memmove(&s->objs[i], &s->objs[i + 1], (s->n - i - 1) * sizeof(*s->objs));
	s->n--;
	index_del(s, so);
	/* its dependents may be orphans now; its owners may wait on it */
	d = deps_of(s, so->uid, false);
	for (size_t k = 0; d && k < d->n; k++)
		work_push(s, W_ATTEMPT, d->v[k]->uid);
	for (int k = 0; k < so->nowners; k++)
		work_push(s, W_OWNER, so->owners[k]);
	if (so->ns[0] && !ns_count(s, so->ns))
		work_push(s, W_NS, so->ns);
	sobj_free(so);
}

void store_update(struct store *s, struct sobj *so, cJSON *o)
{
	char **old = so->owners;
	int nold = so->nowners;

	if (o != so->o) {
		cJSON_Delete(so->o);
		so->o = o;
	}
	s->rv++;
	so->rv = s->rv;
	set_rv(so->o, s->rv);
	/* reindex the ownerReferences */
	owners_read(so->o, &so->owners, &so->nowners);
	for (int i = 0; i < nold; i++)
		if (!owners_has(so->owners, so->nowners, old[i])) {
			deps_del(s, old[i], so);
			/* an owner deleting in foreground may have waited on it */
			work_push(s, W_OWNER, old[i]);
		}
	for (int i = 0; i < so->nowners; i++)
		if (!owners_has(old, nold, so->owners[i]))
			deps_add(s, so->owners[i], so);
	for (int i = 0; i < nold; i++)
		free(old[i]);
	free(old);
	/* A namespace goes when its content has gone (W_NS), not before. */
	if (being_deleted(so->o) && !has_finalizers(so->o) && !is_namespace(so)) {
		store_remove(s, so);
		return;
	}
	emit(s, EV_MODIFIED, so);
	after_write(s, so);
}

/* finalizers of o without the two GC ones, plus the one policy asks for */
static cJSON *gc_finalizers(const cJSON *o, enum propagation policy)
{
	const cJSON *f;
	cJSON *out = cJSON_CreateArray();
	bool orphan = policy == PROP_ORPHAN, fg = policy == PROP_FOREGROUND;

	if (policy == PROP_DEFAULT) {
		/* the object's own finalizer decides, the first one found */
		cJSON_ArrayForEach(f, json_get(o, "metadata.finalizers")) {
			if (!cJSON_IsString(f))
				continue;
			if (!strcmp(f->valuestring, FIN_ORPHAN) || !strcmp(f->valuestring, FIN_FOREGROUND)) {
				orphan = !strcmp(f->valuestring, FIN_ORPHAN);
				fg = !orphan;
				break;
			}
		}
	}
	cJSON_ArrayForEach(f, json_get(o, "metadata.finalizers"))
		if (!cJSON_IsString(f) || (strcmp(f->valuestring, FIN_ORPHAN) && strcmp(f->valuestring, FIN_FOREGROUND)))
			cJSON_AddItemToArray(out, cJSON_Duplicate(f, 1));
	if (orphan)
		cJSON_AddItemToArray(out, cJSON_CreateString(FIN_ORPHAN));
	if (fg)
		cJSON_AddItemToArray(out, cJSON_CreateString(FIN_FOREGROUND));
	return out;
}

static bool same_set(const cJSON *a, const cJSON *b)
{
	const cJSON *x, *y;

	if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
		return false;
	cJSON_ArrayForEach(x, a) {
		bool found = false;
		cJSON_ArrayForEach(y, b)
			found = found || cJSON_Compare(x, y, 1);
		if (!found)
			return false;
	}
	return true;
}

cJSON *store_delete_opts(struct store *s, struct sobj *so, enum propagation policy)
{
	cJSON *fins = gc_finalizers(so->o, policy), *copy, *o, *md;
	const cJSON *old = json_get(so->o, "metadata.finalizers");
	bool changed = !same_set(fins, cJSON_IsArray(old) ? old : NULL);

	if (!cJSON_GetArraySize(fins) && !is_namespace(so)) {
		/* nothing holds it: gone now, dependents to the collector */
		cJSON_Delete(fins);
		copy = cJSON_Duplicate(so->o, 1);
		store_remove(s, so);
		return copy;
	}
	if (being_deleted(so->o) && !changed) {
		/* already marked: a further delete writes nothing */
		cJSON_Delete(fins);
		return cJSON_Duplicate(so->o, 1);
	}
	o = cJSON_Duplicate(so->o, 1);
	md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
	cJSON_DeleteItemFromObjectCaseSensitive(md, "finalizers");
	if (cJSON_GetArraySize(fins))
		cJSON_AddItemToObject(md, "finalizers", fins);
	else
		cJSON_Delete(fins);
	if (!being_deleted(o)) {
		char ts[32];

		sim_now_rfc3339(ts, sizeof(ts));
		cJSON_AddStringToObject(md, "deletionTimestamp", ts);
		cJSON_DeleteItemFromObjectCaseSensitive(md, "deletionGracePeriodSeconds");
		cJSON_AddNumberToObject(md, "deletionGracePeriodSeconds", 0);
		if (is_namespace(so)) {
			cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "status");
			if (!st)
				st = cJSON_AddObjectToObject(o, "status");
			cJSON_DeleteItemFromObjectCaseSensitive(st, "phase");
			cJSON_AddStringToObject(st, "phase", "Terminating");
		}
	}
	/* finalizers remain (or it is a namespace): store_update keeps it */
	store_update(s, so, o);
	return cJSON_Duplicate(so->o, 1);
}

cJSON *store_delete(struct store *s, struct sobj *so)
{
	return store_delete_opts(s, so, PROP_DEFAULT);
}

bool store_ns_exists(struct store *s, const char *ns, bool *terminating)
{
	struct sobj *so = store_find(s, s->nsrt, "", ns);

	if (terminating)
		*terminating = so && being_deleted(so->o);
	return so != NULL;
}

/* ---- the garbage collector (k8s.io/kubernetes/pkg/controller/garbagecollector) ---- */

/* Remove o's ownerReferences to the uids in drop (n of them). */
static void drop_refs(struct store *s, struct sobj *so, char **drop, int n)
{
	cJSON *o = cJSON_Duplicate(so->o, 1);
	cJSON *refs = json_get(o, "metadata.ownerReferences");

	for (int i = cJSON_GetArraySize(refs) - 1; i >= 0; i--) {
		const char *u = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(refs, i), "uid"));
		if (u && owners_has(drop, n, u))
			cJSON_DeleteItemFromArray(refs, i);
	}
	if (refs && !cJSON_GetArraySize(refs))
		cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "metadata"), "ownerReferences");
	store_update(s, so, o);
}

static void drop_finalizer(struct store *s, struct sobj *so, const char *name)
{
	cJSON *o = cJSON_Duplicate(so->o, 1);
	cJSON *f = json_get(o, "metadata.finalizers");

	for (int i = cJSON_GetArraySize(f) - 1; i >= 0; i--)
		if (!strcmp(cJSON_GetStringValue(cJSON_GetArrayItem(f, i)) ? cJSON_GetStringValue(cJSON_GetArrayItem(f, i)) : "", name))
			cJSON_DeleteItemFromArray(f, i);
	store_update(s, so, o);
}

/* attemptToDeleteItem: a dependent whose owners may be gone or waiting. */
static void gc_attempt(struct store *s, struct sobj *d)
{
	char **drop;
	int ndrop = 0, solid = 0, waiting = 0;
	struct store_deps *mine;
	enum propagation policy;

	if (!d->nowners)
		return;
	if (being_deleted(d->o)) {
		if (deleting_dependents(d))
			work_push(s, W_OWNER, d->uid);
		return;
	}
	drop = xcalloc((size_t)d->nowners, sizeof(*drop));
	for (int i = 0; i < d->nowners; i++) {
		struct sobj *ow = store_find_uid(s, d->owners[i]);
		if (!ow) {
			drop[ndrop++] = d->owners[i];
		} else if (deleting_dependents(ow)) {
			drop[ndrop++] = d->owners[i];
			waiting++;
		} else {
			solid++;
		}
	}
	if (solid) {
		/* it stays; references to owners that are gone (or waiting
		 * on it) are removed, as the collector patches them away */
		if (ndrop) {
			char **copy = xcalloc((size_t)ndrop, sizeof(*copy));
			for (int i = 0; i < ndrop; i++)
				copy[i] = xstrdup(drop[i]);
			drop_refs(s, d, copy, ndrop);
			for (int i = 0; i < ndrop; i++)
				free(copy[i]);
			free(copy);
		}
		free(drop);
		return;
	}
	free(drop);
	mine = deps_of(s, d->uid, false);
	if (waiting && mine && mine->n)
		policy = PROP_FOREGROUND;
	else if (has_finalizer(d->o, FIN_ORPHAN))
		policy = PROP_ORPHAN;
	else if (has_finalizer(d->o, FIN_FOREGROUND))
		policy = PROP_FOREGROUND;
	else
		policy = PROP_BACKGROUND;
	cJSON_Delete(store_delete_opts(s, d, policy));
}

/* uids of so's dependents: a snapshot, since acting on them changes the index */
static char **deps_snapshot(struct store *s, const char *uid, size_t *n)
{
	struct store_deps *d = deps_of(s, uid, false);
	char **v;

	*n = d ? d->n : 0;
	v = xcalloc(*n + 1, sizeof(*v));
	for (size_t i = 0; i < *n; i++)
		v[i] = xstrdup(d->v[i]->uid);
	return v;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* An owner being deleted with the orphan or foregroundDeletion finalizer. */
static void gc_owner(struct store *s, struct sobj *ow)
{
	char *uid = ow->uid, **v;
	size_t n;

	if (!being_deleted(ow->o))
		return;
	if (has_finalizer(ow->o, FIN_ORPHAN)) {
		/* orphanDependents: the references go, then the finalizer */
		v = deps_snapshot(s, uid, &n);
		for (size_t i = 0; i < n; i++) {
			struct sobj *d = store_find_uid(s, v[i]);
			if (d)
				drop_refs(s, d, &uid, 1);
		}
		free_strv(v, n);
		drop_finalizer(s, ow, FIN_ORPHAN);
		return;
	}
	if (!has_finalizer(ow->o, FIN_FOREGROUND))
		return;
	/* processDeletingDependentsItem: every dependent is collected; the
	 * owner goes once no dependent blocks it (blockOwnerDeletion) */
	v = deps_snapshot(s, uid, &n);
	for (size_t i = 0; i < n; i++) {
		struct sobj *d = store_find_uid(s, v[i]);
		if (d)
			gc_attempt(s, d);
	}
	free_strv(v, n);
	ow = store_find_uid(s, uid);	/* a dependent's removal cannot remove it, but be sure */
	if (!ow || !deleting_dependents(ow))
		return;
	{
		struct store_deps *d = deps_of(s, ow->uid, false);
		bool blocked = false;

		for (size_t i = 0; d && i < d->n && !blocked; i++) {
			const cJSON *r;
			cJSON_ArrayForEach(r, json_get(d->v[i]->o, "metadata.ownerReferences"))
				if (!strcmp(json_str(r, "uid", ""), ow->uid) &&
				    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "blockOwnerDeletion")))
					blocked = true;
		}
		if (!blocked)
			drop_finalizer(s, ow, FIN_FOREGROUND);
	}
}

/* The namespace controller: a terminating (or missing) namespace's
 * content is deleted; the namespace goes once it is empty. */
static void gc_namespace(struct store *s, const char *ns)
{
	const struct restype *nsrt = s->nsrt;
	struct sobj *nso = store_find(s, nsrt, "", ns), *so;
	char **v;
	size_t n = 0;

	if (nso && !being_deleted(nso->o))
		return;
	v = xcalloc(ns_count(s, ns) + 1, sizeof(*v));
	for (so = store_ns_first(s, ns); so; so = so->ns_next)
		if (!being_deleted(so->o))
			v[n++] = xstrdup(so->uid);
	for (size_t i = 0; i < n; i++) {
		so = store_find_uid(s, v[i]);
		if (so && !being_deleted(so->o))
			cJSON_Delete(store_delete(s, so));
	}
	free_strv(v, n);
	nso = store_find(s, nsrt, "", ns);
	if (nso && being_deleted(nso->o) && !ns_count(s, ns))
		store_remove(s, nso);
}

void store_gc(struct store *s)
{
	while (s->work_len) {
		struct store_work w = s->work[s->work_head];
		struct sobj *so;

		s->work_head = (s->work_head + 1) % s->work_cap;
		s->work_len--;
		switch (w.type) {
		case W_ATTEMPT:
			if ((so = store_find_uid(s, w.key)))
				gc_attempt(s, so);
			break;
		case W_OWNER:
			if ((so = store_find_uid(s, w.key)))
				gc_owner(s, so);
			break;
		case W_NS:
			gc_namespace(s, w.key);
			break;
		}
		free(w.key);
	}
}
