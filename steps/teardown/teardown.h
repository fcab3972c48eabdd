/* mtv-teardown internals, shared by its files:
 *   items.c     the work list built from the ledger (kinds, order);
 *   ledger.c    loading the ledger, generateName prefixes, label sweeps;
 *   cancel.c    canceling a running Migration, archiving Plans;
 *   delete.c    ownership, deleting kind by kind, the report;
 *   batch.c     the label-selected destination objects, a kind at a time
 *               in one deletecollection and one watch;
 *   source.c    the source side: the session's vSphere clones and snapshots;
 *   teardown.c  the parameters and the order of the whole. */
#ifndef MTV_STEP_TEARDOWN_H
#define MTV_STEP_TEARDOWN_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "err.h"
#include "kube.h"
#include "stepctx.h"
#include "vsphere_source.h"

#define RESOURCES_ARTIFACT "resources.json"

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
	bool source;			/* apiVersion vim25: an object on the source vCenter */
	int batch;			/* index in teardown.batches deleting it, or -1 */
	int rank;			/* deletion order */
	int seq;			/* position in the ledger */
	enum item_state state;
	char why[1200];
};

struct items {
	struct item *v;
	size_t n, alloc;
	/* (kind, namespace, name) -> index + 1 (0: free), open addressing,
	 * so that sweeping thousands of objects stays linear */
	size_t *index;
	size_t index_cap;		/* a power of two, > 2n */
};

/* Rebuild the index after the array was reordered or compacted. */
void items_reindex(struct items *it);

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

/* The item of (kind, namespace, name), or NULL. */
struct item *items_find(struct items *it, const char *kind, const char *ns, const char *name);

/* "Plan ns/x" */
void item_describe(const struct item *i, char *dst, size_t dstsz);

/* A destination label scope to sweep: objects in ns matching selector. */
struct sweep_scope {
	char ns[254];
	char selector[128];
};

/* One label selection of one kind in one namespace, listed once in the
 * sweep and then deleted with one deletecollection and awaited with one
 * watch (batch.c).  fields excludes by name what the list showed is not
 * ours; items are the listed objects that are. */
struct batch {
	const struct kube_type *type;
	char ns[254];
	char selector[128];
	char *fields;			/* "metadata.name!=a,..." or NULL */
	cJSON *items;			/* ours, as listed */
};

struct teardown {
	struct step_ctx *c;		/* the session when there is one, the cluster */
	struct items items;
	cJSON *ledger;
	const char *ledger_what;	/* the ledger's file, for messages */
	long timeout_s;
	struct sweep_scope *sweeps;
	size_t nsweeps;
	struct batch *batches;
	size_t nbatches;
	size_t strays_left;		/* leftovers a batch deleted but the sweep had not listed */
	/* the source side (source.c) */
	bool source_wanted;		/* vim25 entries in the ledger, or mtv-source-vms.json */
	cJSON *providers_state;		/* mtv-providers.json, NULL when absent */
	struct vsphere_source_tls tls;	/* read before the Secret is deleted */
	struct mtv_err source_err;	/* why the source could not be reached (code 0: it could) */
};

/* ledger.c */
/* The ledger: MTV_TEARDOWN_RESOURCES (bad input when unreadable) or the
 * session's (none: an empty one). */
int teardown_load_ledger(struct teardown *r, struct mtv_err *err);
/* $ARTIFACT_DIR/resources.json, for a later --resources run. */
int teardown_write_artifact(struct teardown *r, struct mtv_err *err);
int teardown_expand_prefixes(struct teardown *r, struct mtv_err *err);
/* Remember a scope to sweep (once); -1 when out of memory. */
int teardown_add_sweep(struct teardown *r, const char *ns, const char *selector);
int teardown_sweep(struct teardown *r, struct mtv_err *err);
int teardown_sweep_pvs(struct teardown *r, struct mtv_err *err);

/* batch.c */
/* List kind t in the scope, add what it finds to the work list (ours as
 * the batch's, the others skipped and excluded from it). */
int teardown_batch_list(struct teardown *r, const struct kube_type *t, const struct sweep_scope *s,
			struct mtv_err *err);
/* Delete and await the batches of the kind of the items [from, to). */
int teardown_batch_delete(struct teardown *r, size_t from, size_t to, double deadline, struct mtv_err *err);
void teardown_batches_release(struct teardown *r);
/* Why a swept object (selected by our plan or session label) is not ours:
 * another session's label on it; NULL when it is ours. */
const char *teardown_other_session(const struct teardown *r, const cJSON *obj);
/* Make i a leftover from its last state obj (NULL: unknown). */
void teardown_leftover_from(struct item *i, const cJSON *obj, const struct mtv_err *e, long waited_s);

/* cancel.c: cancel running Migrations (unless vms_only), archive Plans
 * (only learn their sweep scopes when vms_only), add the session's scope.
 * -1 only on an interrupt. */
int teardown_prepare(struct teardown *r, bool vms_only, struct mtv_err *err);

/* delete.c */
const char *teardown_not_ours(const struct teardown *r, const cJSON *obj);
int teardown_item_failed(struct item *i, const char *verb, const struct mtv_err *e, struct mtv_err *err);
int teardown_delete_group(struct teardown *r, size_t from, size_t to, struct mtv_err *err);
/* Report the items [from, to) handled together since t0: a line per item,
 * a JUnit case per leftover or skip, one for the rest; how many are left. */
size_t teardown_report_group(struct teardown *r, size_t from, size_t to, const char *kind, double t0);
void teardown_print_json(const struct teardown *r);
size_t teardown_print_leftovers(const struct teardown *r);
int teardown_restore_edits(struct teardown *r);

/* source.c */
#define SOURCE_API_VERSION "vim25"
/* Decide whether there is a source side and, while the Provider Secret
 * still exists, read (and keep a copy of) its TLS settings.  Failing to
 * is not fatal here (the source side reports it); -1 only on an interrupt. */
int teardown_source_prepare(struct teardown *r, struct mtv_err *err);
/* Destroy the session's clones (ledger, then the sweep by name prefix and
 * ownership mark) and remove its snapshots.  -1 on an interrupt only; an
 * unreachable vCenter leaves r->source_err set and the items leftovers. */
int teardown_source(struct teardown *r, struct mtv_err *err);

/* report.c: mtv-teardown-leftovers.json in SHARED_DIR and the final
 * report.html (gather's model with the leftovers) in ARTIFACT_DIR;
 * failures are warnings. */
void teardown_report(const struct teardown *r);

#endif
