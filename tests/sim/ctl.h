/* Forklift controller internals shared by ctl_*.c. */
#ifndef MTV_SIM_CTL_H
#define MTV_SIM_CTL_H

#include "sim.h"

#define FK "forklift.konveyor.io", "v1beta1"

const struct restype *rt_of(const char *group, const char *version, const char *plural);

/* Append condition `type` (status True) to arr, keeping the old
 * lastTransitionTime when nothing about it changed.  items may be NULL
 * (consumed otherwise). */
void cond_add(cJSON *arr, const cJSON *old, const char *type, const char *category, const char *reason,
	      const char *message, cJSON *items, bool durable);
bool cond_has(const cJSON *arr, const char *type);
bool cond_blocked(const cJSON *arr);
/* Replace the object's status (consumed) when it differs. */
void ctl_put_status(struct sim *sim, struct sobj *so, cJSON *status);
/* Find an object by reference {name, namespace} with a default namespace. */
struct sobj *ctl_ref(struct sim *sim, const struct restype *rt, const cJSON *ref, const char *defns);
/* The spec of the ForkliftController (the operator's settings: the
 * controller's precopy interval, the global VDDK image), or NULL. */
const cJSON *ctl_forklift_controller_spec(struct sim *sim);
/* Secret value, base64-decoded into out; NULL when absent. */
const char *ctl_secret_value(const cJSON *secret, const char *key, char *out, size_t outsz);

/* Objects the controller creates; returns the stored object. */
struct sobj *ctl_create(struct sim *sim, const struct restype *rt, const char *ns, cJSON *o);
void ctl_event(struct sim *sim, const cJSON *about, const char *type, const char *reason, const char *msg);

/* Validate the source/destination provider pair of a map or plan. */
void ctl_validate_provider_pair(struct sim *sim, const cJSON *obj, cJSON *conds, const cJSON *old,
				struct sobj **src, struct sobj **dst);

void ctl_provider(struct sim *sim, struct sobj *so);
void ctl_storagemap(struct sim *sim, struct sobj *so);
void ctl_networkmap(struct sim *sim, struct sobj *so);
void ctl_hook(struct sim *sim, struct sobj *so);
void ctl_host(struct sim *sim, struct sobj *so);
void ctl_plan(struct sim *sim, struct sobj *so);
void ctl_migration(struct sim *sim, struct sobj *so);

#endif
