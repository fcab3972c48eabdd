/* StorageMap, NetworkMap and the NADs a network map points at, built the
 * way mtv-api-tests builds them:
 *   storage: every source storage → the one target storage class;
 *   network: the first source network → the pod network, each further one
 *            → a multus NetworkAttachmentDefinition (cnv-bridge) created in
 *            the target namespace or the scenario's multus_namespace.
 */
#ifndef MTV_MAPS_H
#define MTV_MAPS_H

#include <cjson/cJSON.h>

#include "session.h"
#include "state.h"
#include "wait.h"

/* What the map builders read (step_ctx_map_in fills it from a step). */
struct map_in {
	const struct session *session;	/* the labels */
	const char *ns;			/* of the map and of both Providers */
	const char *source_name, *dest_name;	/* the Providers */
};

cJSON *storage_map_build(const struct map_in *in, const char *name, const cJSON *storages,
			 const char *storage_class);

/* nad_names[i] names the NAD for networks[i + 1]; nad_ns their namespace. */
cJSON *network_map_build(const struct map_in *in, const char *name, const cJSON *networks,
			 const cJSON *nad_names, const char *nad_ns);

/* NAD <name> in ns; the first one bridges to cnv-bridge, later ones get a
 * bridge of their own name (Linux bridge names: at most 15 characters). */
cJSON *nad_build(const struct session *s, const char *ns, const char *name, int index);

/* NAD names for n extra networks: cb-<session suffix>-<i> (15 chars max). */
cJSON *nad_names(const struct session *s, int n);

/* arg of forklift_ready_pred: how to name a missing object, and whether the
 * waiting message lists only the blocking (Critical/Error) conditions. */
struct forklift_ready {
	const char *what;	/* "the Plan" */
	bool critical_only;
};
/* A Plan's: its non-blocking conditions (e.g. warnings) are noise while waiting. */
extern const struct forklift_ready FORKLIFT_READY_PLAN;

/* Done on condition Ready=True; not yet otherwise, describing conditions.
 * arg: NULL (any Forklift object, all conditions) or a struct forklift_ready. */
enum wait_verdict forklift_ready_pred(const cJSON *obj, bool deleted, void *arg, struct buf *why);

/* Record {"<key>": {name, namespace, ...extra}} in mtv-maps.json. */
int maps_state_set(const struct state *st, const char *key, cJSON *entry, struct mtv_err *err);

#endif
