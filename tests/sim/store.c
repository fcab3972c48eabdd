/* The object store: every API object, its resourceVersion, and the event
 * log that watches replay from.
 *
 * resourceVersions are one global counter, as etcd's revision is, so a
 * watch can resume from any version a list or an earlier event returned.
 * The event log is a ring: a version older than its oldest entry cannot be
 * replayed faithfully, and the watch answers 410 Gone, as a compacted etcd
 * would make the real API server do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"

void store_init(struct store *s)
{
	memset(s, 0, sizeof(*s));
	s->rv = 1000;
}

static void sobj_free(struct sobj *so)
{
	free(so->ns);
	free(so->name);
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

struct sobj *store_find(struct store *s, const struct restype *rt, const char *ns, const char *name)
{
	if (!ns)
		ns = "";
	for (size_t i = 0; i < s->n; i++) {
		struct sobj *so = s->objs[i];
		if (so->rt == rt && !strcmp(so->ns, ns) && !strcmp(so->name, name))
			return so;
	}
	return NULL;
}

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
	e->ns = strdup(so->ns);
	e->o = cJSON_Duplicate(so->o, 1);
	if (g_sim)
		pthread_cond_broadcast(&g_sim->changed);
}

unsigned long long store_oldest_rv(const struct store *s)
{
	if (!s->ring_len)
		return s->rv;
	return s->ring[s->ring_start].rv;
}

struct sobj *store_insert(struct store *s, const struct restype *rt, const char *ns, cJSON *o)
{
	struct sobj *so = calloc(1, sizeof(*so));
	cJSON *md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
	char uid[64], ts[32], av[128];

	if (!so)
		abort();
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
	so->ns = strdup(rt->namespaced ? ns : "");
	so->name = strdup(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "name")));
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
	emit(s, EV_ADDED, so);
	return so;
}

static bool has_finalizers(const cJSON *o)
{
	const cJSON *f = json_get(o, "metadata.finalizers");
	return cJSON_IsArray(f) && cJSON_GetArraySize(f) > 0;
}

static bool being_deleted(const cJSON *o)
{
	return json_get(o, "metadata.deletionTimestamp") != NULL;
}

void store_remove(struct store *s, struct sobj *so)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->objs[i] == so)
			break;
	if (i == s->n)
		return;
	s->rv++;
	/* The DELETED event carries the last state with a fresh version, as
	 * the real API server sends it. */
	set_rv(so->o, s->rv);
	emit(s, EV_DELETED, so);
	memmove(&s->objs[i], &s->objs[i + 1], (s->n - i - 1) * sizeof(*s->objs));
	s->n--;
	sobj_free(so);
}

void store_update(struct store *s, struct sobj *so, cJSON *o)
{
	if (o != so->o) {
		cJSON_Delete(so->o);
		so->o = o;
	}
	s->rv++;
	so->rv = s->rv;
	set_rv(so->o, s->rv);
	if (being_deleted(so->o) && !has_finalizers(so->o)) {
		store_remove(s, so);
		return;
	}
	emit(s, EV_MODIFIED, so);
}

cJSON *store_delete(struct store *s, struct sobj *so)
{
	cJSON *copy;

	if (has_finalizers(so->o) || (!so->rt->group[0] && !strcmp(so->rt->plural, "namespaces"))) {
		char ts[32];
		cJSON *md = cJSON_GetObjectItemCaseSensitive(so->o, "metadata");

		if (!being_deleted(so->o)) {
			sim_now_rfc3339(ts, sizeof(ts));
			cJSON_AddStringToObject(md, "deletionTimestamp", ts);
			cJSON_AddNumberToObject(md, "deletionGracePeriodSeconds", 0);
			if (!strcmp(so->rt->plural, "namespaces") && !so->rt->group[0]) {
				cJSON *st = cJSON_GetObjectItemCaseSensitive(so->o, "status");
				if (!st)
					st = cJSON_AddObjectToObject(so->o, "status");
				cJSON_DeleteItemFromObjectCaseSensitive(st, "phase");
				cJSON_AddStringToObject(st, "phase", "Terminating");
			}
			s->rv++;
			so->rv = s->rv;
			set_rv(so->o, s->rv);
			emit(s, EV_MODIFIED, so);
		}
		copy = cJSON_Duplicate(so->o, 1);
		if (!strcmp(so->rt->plural, "namespaces") && !so->rt->group[0])
			store_gc(s);
		return copy;
	}
	copy = cJSON_Duplicate(so->o, 1);
	store_remove(s, so);
	return copy;
}

bool store_ns_exists(struct store *s, const char *ns, bool *terminating)
{
	const struct restype *nsrt = restype_find("", "v1", "namespaces");
	struct sobj *so = store_find(s, nsrt, "", ns);

	if (terminating)
		*terminating = so && being_deleted(so->o);
	return so != NULL;
}

static bool uid_exists(struct store *s, const char *uid)
{
	for (size_t i = 0; i < s->n; i++) {
		const char *u = cJSON_GetStringValue(json_get(s->objs[i]->o, "metadata.uid"));
		if (u && !strcmp(u, uid))
			return true;
	}
	return false;
}

/* Namespace contents and orphaned dependents go away, as the namespace
 * controller and the garbage collector make them go on a real cluster. */
void store_gc(struct store *s)
{
	bool again = true;

	while (again) {
		again = false;
		for (size_t i = 0; i < s->n && !again; i++) {
			struct sobj *so = s->objs[i];
			const cJSON *owners = json_get(so->o, "metadata.ownerReferences");

			if (so->ns[0]) {
				bool term = false;

				if (!store_ns_exists(s, so->ns, &term) || term) {
					if (!being_deleted(so->o)) {
						cJSON_Delete(store_delete(s, so));
						again = true;
					}
					continue;
				}
			}
			if (cJSON_IsArray(owners) && cJSON_GetArraySize(owners) > 0 && !being_deleted(so->o)) {
				const cJSON *ow;
				bool alive = false;

				cJSON_ArrayForEach(ow, owners) {
					const char *u = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ow, "uid"));
					if (u && uid_exists(s, u))
						alive = true;
				}
				if (!alive) {
					cJSON_Delete(store_delete(s, so));
					again = true;
				}
			}
		}
	}
	/* A terminating namespace is finalized once it is empty. */
	for (size_t i = 0; i < s->n; i++) {
		struct sobj *so = s->objs[i];
		bool empty = true;

		if (so->rt->group[0] || strcmp(so->rt->plural, "namespaces") || !being_deleted(so->o))
			continue;
		for (size_t k = 0; k < s->n; k++)
			if (!strcmp(s->objs[k]->ns, so->name))
				empty = false;
		if (empty) {
			store_remove(s, so);
			i = (size_t)-1;
		}
	}
}
