/* The Plan built from a scenario (mtv-api-tests' raw plan → Plan CR). */
#ifndef MTV_PLAN_OBJECTS_H
#define MTV_PLAN_OBJECTS_H

#include <cjson/cJSON.h>

#include "stepctx.h"
#include "wait.h"

struct plan_refs {
	const char *storage_map;
	const char *network_map;
	const char *vm_namespace;	/* where the VMs land (spec.targetNamespace) */
};

/* The Plan for the scenario's VMs (inventory objects, scenario order). */
cJSON *plan_build(struct step_ctx *c, const char *name, const cJSON *vms, const struct plan_refs *r);

/* "<base>-<4 random>-cold|warm", keeping the last 63 characters. */
int plan_name(const struct step_ctx *c, char *out, size_t outsz, struct mtv_err *err);

/* target_labels / target_node_selector with null values replaced by the
 * session id (a new object). */
cJSON *plan_session_map(const cJSON *in, const char *session_id);

/* Done on Ready=True; describes blocking conditions while waiting. */
enum wait_verdict plan_ready_pred(const cJSON *obj, bool deleted, void *arg, struct buf *why);

#endif
