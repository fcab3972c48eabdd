/* The teardown work list: ledger entries, in a safe deletion order. */
#include "teardown.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json.h"

/* mtv-api-tests' order (pytest_utils.py), extended: what runs or refers to
 * something goes before what it refers to, so no controller sees a half-
 * deleted world and recreates anything; the destination's storage goes
 * after the VMs and pods that mount it; namespaces last, because deleting
 * one takes everything in it without telling us what was stuck. */
static const char *const order[] = {
	"Migration", "Plan", "Provider", "Host", "Secret", "NetworkAttachmentDefinition",
	"StorageMap", "NetworkMap", "Hook", "Conversion", "VirtualMachine",
	"VirtualMachineInstance", "Pod", "Job", "DataVolume", "PersistentVolumeClaim",
};
#define RANK_OTHER 100
#define RANK_PV 200
#define RANK_NAMESPACE 300
/* the source side runs after the destination is gone, as in mtv-api-tests'
 * session teardown (its source VMs are cleaned last) */
#define RANK_SOURCE 400

int item_rank(const char *kind)
{
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (!strcasecmp(kind, order[i]))
			return (int)i;
	if (!strcasecmp(kind, "PersistentVolume"))
		return RANK_PV;
	if (!strcasecmp(kind, "Namespace"))
		return RANK_NAMESPACE;
	return RANK_OTHER;
}

void items_release(struct items *it)
{
	free(it->v);
	free(it->index);
	memset(it, 0, sizeof(*it));
}

/* FNV-1a over the kind (any case, as same() compares it), namespace, name */
static size_t key_hash(const char *kind, const char *ns, const char *name)
{
	const char *parts[] = { kind, ns, name };
	size_t h = 1469598103934665603ULL;

	for (size_t p = 0; p < 3; p++) {
		for (const char *c = parts[p]; *c; c++)
			h = (h ^ (unsigned char)(p ? *c : tolower((unsigned char)*c))) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	return h;
}

static void index_put(struct items *it, size_t k)
{
	const struct item *i = &it->v[k];
	size_t m = it->index_cap - 1, h = key_hash(i->kind, i->ns, i->name) & m;

	while (it->index[h])
		h = (h + 1) & m;
	it->index[h] = k + 1;
}

void items_reindex(struct items *it)
{
	size_t cap = 64;

	while (cap < 2 * it->n + 2)
		cap *= 2;
	free(it->index);
	it->index_cap = 0;
	/* without memory the lookups scan the array */
	if (!(it->index = calloc(cap, sizeof(*it->index))))
		return;
	it->index_cap = cap;
	for (size_t k = 0; k < it->n; k++)
		index_put(it, k);
}

/* English plural of a kind, the way Kubernetes derives resource names. */
static void plural_of(char *dst, size_t dstsz, const char *kind)
{
	size_t n = strlen(kind), o = 0;

	for (size_t i = 0; i < n && o + 1 < dstsz; i++)
		dst[o++] = (char)tolower((unsigned char)kind[i]);
	dst[o] = '\0';
	if (o && dst[o - 1] == 'y' && o > 1 && !strchr("aeiou", dst[o - 2]))
		snprintf(dst + o - 1, dstsz - (o - 1), "ies");
	else if (o && (dst[o - 1] == 's' || dst[o - 1] == 'x' ||
		       (o > 1 && dst[o - 1] == 'h' && (dst[o - 2] == 'c' || dst[o - 2] == 's'))))
		snprintf(dst + o, dstsz - o, "es");
	else
		snprintf(dst + o, dstsz - o, "s");
}

static void fix_type(struct item *i)
{
	const struct kube_type *t = kube_type_lookup(i->kind);

	i->own.group = i->group;
	i->own.version = i->version;
	i->own.plural = i->plural;
	i->own.kind = i->kind;
	i->type = t ? t : &i->own;
}

/* own points into the item itself: rewire it after every move. */
static void fix_types(struct items *it)
{
	for (size_t k = 0; k < it->n; k++)
		fix_type(&it->v[k]);
}

static bool same(const struct item *a, const char *kind, const char *ns, const char *name)
{
	return !strcasecmp(a->kind, kind) && !strcmp(a->ns, ns) && !strcmp(a->name, name);
}

struct item *items_find(struct items *it, const char *kind, const char *ns, const char *name)
{
	size_t m, h;

	ns = ns ? ns : "";
	if (!it->index_cap) {
		for (size_t k = 0; k < it->n; k++)
			if (same(&it->v[k], kind, ns, name))
				return &it->v[k];
		return NULL;
	}
	m = it->index_cap - 1;
	for (h = key_hash(kind, ns, name) & m; it->index[h]; h = (h + 1) & m)
		if (it->index[h] - 1 < it->n && same(&it->v[it->index[h] - 1], kind, ns, name))
			return &it->v[it->index[h] - 1];
	return NULL;
}

struct item *items_add(struct items *it, const char *kind, const char *api_version,
		       const char *ns, const char *name, struct mtv_err *err)
{
	const struct kube_type *t = kube_type_lookup(kind);
	struct item *i;
	bool moved = false;

	ns = ns ? ns : "";
	if (items_find(it, kind, ns, name))
		return NULL;
	if (it->n == it->alloc) {
		size_t na = it->alloc ? it->alloc * 2 : 32;
		struct item *nv = realloc(it->v, na * sizeof(*nv));

		if (!nv) {
			mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
			return NULL;
		}
		moved = nv != it->v;
		it->v = nv;
		it->alloc = na;
	}
	i = &it->v[it->n];
	memset(i, 0, sizeof(*i));
	snprintf(i->kind, sizeof(i->kind), "%s", t ? t->kind : kind);
	snprintf(i->ns, sizeof(i->ns), "%s", ns);
	snprintf(i->name, sizeof(i->name), "%s", name);
	if (!t) {
		const char *slash = api_version ? strchr(api_version, '/') : NULL;

		if (!api_version || !*api_version) {
			mtv_err_set(err, MTV_EXIT_USAGE, "%s %s: unknown kind and no apiVersion to find it by",
				    kind, name);
			return NULL;
		}
		if (slash) {
			snprintf(i->group, sizeof(i->group), "%.*s", (int)(slash - api_version), api_version);
			snprintf(i->version, sizeof(i->version), "%s", slash + 1);
		} else {
			snprintf(i->version, sizeof(i->version), "%s", api_version);
		}
		plural_of(i->plural, sizeof(i->plural), kind);
		i->own.namespaced = *ns != '\0';
	}
	i->source = api_version && !strcmp(api_version, SOURCE_API_VERSION);
	/* A name ending in '-' is no valid object name: it was recorded as
	 * the generateName prefix of the object about to be created. */
	i->prefix = !i->source && *name && name[strlen(name) - 1] == '-';
	i->rank = i->source ? RANK_SOURCE : item_rank(i->kind);
	i->seq = (int)it->n;
	i->batch = -1;
	it->n++;
	/* the whole list only after a move: once per doubling, so adding
	 * thousands of swept objects stays linear */
	if (moved)
		fix_types(it);
	else
		fix_type(i);
	if (2 * it->n + 2 > it->index_cap)
		items_reindex(it);
	else
		index_put(it, it->n - 1);
	return i;
}

int items_from_ledger(struct items *it, const cJSON *ledger, const char *what,
		      struct mtv_err *err)
{
	const cJSON *list, *e;

	if (!cJSON_IsObject(ledger))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: expected an object of kinds, got %s", what,
				   json_type_name(ledger));
	cJSON_ArrayForEach(list, ledger) {
		int idx = 0;

		if (!cJSON_IsArray(list))
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s: \"%s\": expected array, got %s", what,
					   list->string, json_type_name(list));
		cJSON_ArrayForEach(e, list) {
			const char *name = json_str(e, "name", NULL);

			if (!cJSON_IsObject(e) || !name || !*name)
				return mtv_err_set(err, MTV_EXIT_USAGE, "%s: \"%s\"[%d]: expected an object with a \"name\"",
						   what, list->string, idx);
			err->code = 0;
			if (!items_add(it, list->string, json_str(e, "apiVersion", NULL),
				       json_str(e, "namespace", NULL), name, err) && err->code)
				return mtv_err_prefix(err, "%s: \"%s\"[%d]", what, list->string, idx);
			idx++;
		}
	}
	return 0;
}

static int by_order(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->rank == RANK_OTHER || x->rank == RANK_SOURCE) {
		int c = strcmp(x->kind, y->kind);

		if (c)
			return c;
	}
	return x->seq > y->seq ? -1 : x->seq < y->seq ? 1 : 0;
}

void items_sort(struct items *it)
{
	/* qsort must not see the NULL of an empty list (an empty ledger
	 * whose plans are swept by uid only). */
	if (it->n > 1)
		qsort(it->v, it->n, sizeof(*it->v), by_order);
	fix_types(it);
	items_reindex(it);
}

void item_describe(const struct item *i, char *dst, size_t dstsz)
{
	if (*i->ns)
		snprintf(dst, dstsz, "%s %s/%s", i->kind, i->ns, i->name);
	else
		snprintf(dst, dstsz, "%s %s", i->kind, i->name);
}
