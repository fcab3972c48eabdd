/* The Plan built from a scenario (mtv-api-tests' raw plan → Plan CR). */
#ifndef MTV_PLAN_OBJECTS_H
#define MTV_PLAN_OBJECTS_H

#include <cjson/cJSON.h>

#include "providers.h"
#include "scenario.h"
#include "session.h"
#include "wait.h"

/* What the Plan builders read (step_ctx_plan_in fills it from a step). */
struct plan_in {
	const struct session *session;	/* labels, base name, id for null label values */
	const char *ns;			/* of the Plan, its Hooks, the maps and the Providers */
	const char *source_name, *dest_name;	/* the Providers */
	enum provider_type type;	/* of the source */
	const struct scenario *scenario;
};

struct plan_refs {
	const char *storage_map;
	const char *network_map;
	const char *vm_namespace;	/* where the VMs land (spec.targetNamespace) */
};

/* The Plan for the scenario's VMs (inventory objects, scenario order). */
cJSON *plan_build(const struct plan_in *in, const char *name, const cJSON *vms, const struct plan_refs *r);

/* Hook CRs for the scenario's pre_hook/post_hook (image: MTV_HOOK_IMAGE),
 * appended to objects, and the matching spec.vms[].hooks entries on every
 * VM of plan.  A bad playbook_base64: MTV_EXIT_USAGE. */
int plan_add_hooks(const struct plan_in *in, const char *image, cJSON *objects, cJSON *plan,
		   struct mtv_err *err);

/* "<base>-<4 random>-cold|warm", keeping the last 63 characters. */
int plan_name(const struct plan_in *in, char *out, size_t outsz, struct mtv_err *err);

/* target_labels / target_node_selector with null values replaced by the
 * session id (a new object). */
cJSON *plan_session_map(const cJSON *in, const char *session_id);

/* The scenario's pvc_name_template for this source type (a string, or a
 * {providerType: template, "default": template} map), or NULL. */
const char *plan_pvc_template(const struct plan_in *in);

/* The name Forklift gives disk index of inventory VM source: tmpl rendered
 * (lib/gotmpl) over Forklift's PVCNameTemplateData and whitespace-trimmed;
 * -1 (MTV_EXIT_USAGE) when it does not render or is not a DNS-1123 label,
 * as Forklift's ValidatePVCNameTemplate rejects it (the Plan then gets
 * NotValid "VM PVC name template is invalid." and no PVC any name). */
int plan_pvc_name(const char *tmpl, const char *plan_name, const cJSON *source, const char *target_name,
		  const cJSON *disk, int index, char *out, size_t outsz, struct mtv_err *err);

/* Every disk of every VM gets a valid name from the scenario's template;
 * else MTV_EXIT_USAGE naming the scenario key.  No template: 0. */
int plan_check_pvc_template(const struct plan_in *in, const char *plan_name, const cJSON *vms,
			    struct mtv_err *err);

/* A scenario's VMs split into count Plans, as mtv-api-tests' simultaneous
 * migrations do (prepared_plan_1/_2 give plan i the scenario's VM i): plan
 * index (0-based) gets *len VMs from *first, in scenario order, in runs as
 * even as possible (the first nvms % count plans one more).  0 < count <= nvms. */
void plan_split(size_t nvms, size_t count, size_t index, size_t *first, size_t *len);

/* The name of Plan index (0-based) of a split whose first Plan is first:
 * first itself for index 0, else "<first>-<index+1>" keeping the last 63
 * characters, so the names follow from the first and a re-run finds them. */
int plan_part_name(const char *first, size_t index, char *out, size_t outsz, struct mtv_err *err);

#endif
