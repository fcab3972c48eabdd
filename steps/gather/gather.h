/* mtv-gather internals, shared by its source files. */
#ifndef MTV_STEP_GATHER_H
#define MTV_STEP_GATHER_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "err.h"
#include "kube.h"
#include "redact.h"
#include "stepctx.h"
#include "strset.h"

struct gather {
	struct step_ctx *c;		/* the session when there is one, the cluster */
	struct redact red;
	cJSON *ledger;			/* {} when there is none */
	cJSON *plan_state, *migration_state, *providers_state, *maps_state;
	/* Collected objects by plural ("plans": [...]), redacted on write. */
	cJSON *objects;
	struct strset kept;		/* "plural/ns/name" and "uid:<uid>" of objects */
	/* Namespaces the session owns (everything in them is ours) and the
	 * destination namespaces of our plans (only plan-labelled objects). */
	cJSON *owned_ns, *dest_ns;
	long log_lines;			/* tailLines of each pod log */
	long log_bytes;			/* limitBytes of each pod log */
	long parallel;			/* pod logs in flight at once */
	bool all_logs;			/* also the pods of VMs that succeeded */
	const char *mtv_ns;
	cJSON *written;			/* paths relative to ARTIFACT_DIR */
	int files, warnings;
};

/* Log an API failure as a warning and go on; an interrupt (code >= 128)
 * returns -1 so the step stops at once. */
int gather_api_failed(struct gather *g, const char *what, const struct mtv_err *e,
		      struct mtv_err *err);

/* Write text to $ARTIFACT_DIR/<rel> (parents created) after redaction.
 * Failures are warnings unless fatal is set. */
int gather_write(struct gather *g, const char *rel, const char *text, size_t len, bool fatal,
		 struct mtv_err *err);

/* Whether an object of type t named ns/name was collected already. */
bool gather_kept(struct gather *g, const struct kube_type *t, const char *ns, const char *name);

/* Add obj (copied) to the collection unless it is there already. */
void gather_keep(struct gather *g, const struct kube_type *t, const cJSON *obj);

/* True when a string array holds s. */
bool gather_has(const cJSON *arr, const char *s);
void gather_add_unique(cJSON *arr, const char *s);

/* collect.c: objects named by the ledger and the state files, labelled with
 * the session, and the destination objects. */
int gather_collect(struct gather *g, struct mtv_err *err);
int gather_write_objects(struct gather *g, struct mtv_err *err);

/* diag.c: events, pod logs, forklift-controller lines, pipeline table. */
int gather_events(struct gather *g, struct mtv_err *err);
int gather_pod_logs(struct gather *g, struct mtv_err *err);
int gather_controller_logs(struct gather *g, struct mtv_err *err);
int gather_pipeline(struct gather *g, struct mtv_err *err);

/* guest.c: the command outputs of the VMs that failed a guest check
 * (mtv-guest-checks.json). */
int gather_guest_outputs(struct gather *g, struct mtv_err *err);

/* mustgather.c: `oc adm must-gather` (mode auto|true|false), scrubbed.
 * Returns 1 when it ran, 0 when not, -1 on interrupt. */
int gather_must_gather(struct gather *g, const char *mode, struct mtv_err *err);

/* report.c: report.html and, for teardown, mtv-report.json in SHARED_DIR.
 * Failures are warnings; -1 only on an interrupt. */
int gather_report(struct gather *g, struct mtv_err *err);

#endif
