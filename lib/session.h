/* The session: what every step of one run shares (mtv-session.json).
 *
 * mtv-api-tests embeds a session id `auto-xxxx` in every name it creates and
 * finds leftovers by it; we do the same and also label every object with
 * it.  The first step that needs a session creates it; later steps (and a
 * re-run of the first) load it, so names stay stable across re-runs.
 */
#ifndef MTV_SESSION_H
#define MTV_SESSION_H

#include <cjson/cJSON.h>

#include "err.h"
#include "state.h"

#define SESSION_FILE "mtv-session.json"
#define LABEL_MANAGED_BY "app.kubernetes.io/managed-by"
#define LABEL_SESSION "mtv-steps/session"
#define MANAGED_BY "mtv-steps"

struct session {
	char id[16];			/* auto-xxxx */
	char target_namespace[64];
	char base_name[128];		/* <id>-source-<type>-<version> */
	char mtv_namespace[64];
	char source_type[32];
};

/* Load the session; *found = 0 (and 0 returned) when there is none yet. */
int session_load(const struct state *st, struct session *s, int *found, struct mtv_err *err);

/* A session that must exist (steps after create-provider): a missing file
 * is bad input naming the step that creates it. */
int session_require(const struct state *st, struct session *s, struct mtv_err *err);

/* Create a new session: id, target namespace `<id><prefix without "auto">`
 * (63 at most), base name from the provider type and version. */
int session_new(struct session *s, const char *ns_prefix, const char *mtv_namespace,
		const char *source_type, const char *version, struct mtv_err *err);

int session_save(const struct state *st, const struct session *s, struct mtv_err *err);

/* metadata.labels with our two labels (a new object). */
cJSON *session_labels(const struct session *s);

#endif
