/* mtv-check-vms internals, shared by its source files. */
#ifndef MTV_STEP_CHECK_VMS_H
#define MTV_STEP_CHECK_VMS_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "buf.h"
#include "guest_session.h"
#include "providers.h"
#include "stepctx.h"

/* The guest checks of one run: the settings, read once, the guest
 * credentials of .providers.json and what each guest answered. */
struct guest_run {
	struct step *step;
	bool enabled;			/* MTV_GUEST_CHECKS */
	enum portforward_mode mode;	/* MTV_SSH_TUNNEL */
	long retries, delay_s;
	const char *key_file;		/* MTV_SSH_KEY_FILE, or NULL */
	const char *marker;		/* MTV_GUEST_MARKER, or NULL */
	struct provider_entry creds;	/* .providers.json's source entry */
	bool have_creds;
	char creds_why[MTV_ERR_MSG_MAX + 64];	/* why there are none */
	cJSON *records;			/* the "vms" of GUEST_CHECKS_STATE, full outputs */
};

/* Read the parameters and the credentials (bad values: MTV_EXIT_USAGE). */
int guest_run_init(struct guest_run *g, struct step *step, struct step_ctx *c, struct mtv_err *err);

/* One VM to look into. */
struct guest_vm {
	const char *name;		/* the source VM (the JUnit case prefix) */
	const char *ns, *destination;	/* its VirtualMachineInstance */
	const cJSON *source;		/* inventory VM */
	const cJSON *facts;		/* its mtv-source-vms.json entry, or NULL */
	const char *power;		/* expected power: "on" runs the checks */
	bool static_ips;		/* the plan preserves static IPs */
};

/* Add the guest cases of one VM; *failed counts the failed ones, whose
 * messages go to failures.  -1 only for what ends the step (an interrupt,
 * bad input). */
int guest_check_vm(struct guest_run *g, struct step_ctx *c, const struct guest_vm *vm, struct buf *failures,
		   int *failed, struct mtv_err *err);

/* Write GUEST_CHECKS_STATE (when any VM was looked into) and release. */
int guest_run_finish(struct guest_run *g, struct mtv_err *err);
void guest_run_release(struct guest_run *g);

/* results_state.c: the step's JUnit cases as mtv-check-results.json in
 * SHARED_DIR, for mtv-gather's report (a failure is a warning). */
void check_results_write(const struct step *s, const cJSON *plan_state);

#endif
