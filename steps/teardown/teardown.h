/* mtv-teardown internals: the work list built from the ledger. */
#ifndef MTV_STEP_TEARDOWN_H
#define MTV_STEP_TEARDOWN_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "err.h"
#include "kube.h"

enum item_state {
	ITEM_PENDING,		/* not handled yet */
	ITEM_DELETING,		/* delete accepted, waiting for it to go */
	ITEM_DELETED,		/* we deleted it and saw it go */
	ITEM_GONE,		/* it did not exist any more */
	ITEM_SKIPPED,		/* not ours: left alone on purpose */
	ITEM_LEFT,		/* still there: a leftover (why says why) */
};

struct item {
	const struct kube_type *type;	/* a well-known type, or &own */
	struct kube_type own;		/* for kinds lib/kube does not know */
	char group[128], version[32], plural[96];
	char kind[96];
	char ns[254];			/* "" for cluster-scoped */
	char name[254];			/* a generateName prefix when prefix */
	bool prefix;
	bool swept;			/* found by label, not from the ledger */
	int rank;			/* deletion order */
	int seq;			/* position in the ledger */
	enum item_state state;
	char why[1200];
};

struct items {
	struct item *v;
	size_t n, alloc;
};

void items_release(struct items *it);

/* The deletion rank of a kind: Migration first, Namespace last. */
int item_rank(const char *kind);

/* Add one object; a duplicate (kind, namespace, name) is ignored.  Returns
 * the item, or NULL when it was a duplicate.  An unknown kind needs
 * api_version to build its URL (bad input otherwise). */
struct item *items_add(struct items *it, const char *kind, const char *api_version,
		       const char *ns, const char *name, struct mtv_err *err);

/* Build the list from a ledger document ({"Kind": [{name, namespace,
 * apiVersion}]}); `what` names the file in messages. */
int items_from_ledger(struct items *it, const cJSON *ledger, const char *what,
		      struct mtv_err *err);

/* Sort by rank, later-created first within a rank (dependents before what
 * they depend on). */
void items_sort(struct items *it);

/* "Plan ns/x" */
void item_describe(const struct item *i, char *dst, size_t dstsz);

#endif
