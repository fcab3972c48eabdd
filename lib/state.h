/* State shared between steps through SHARED_DIR.
 *
 * ci-operator copies SHARED_DIR in and out of every step as a Secret, so the
 * files are flat, small JSON documents.  Every write goes through a temp file
 * and rename() while holding an flock on the directory itself (no lock file
 * is left behind to be synced), with mode 0600 because some hold names of
 * secrets and the cluster's kubeconfig lives beside them.
 *
 * Unset SHARED_DIR (a person running a step by hand) means ./.mtv/.
 */
#ifndef MTV_STATE_H
#define MTV_STATE_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "err.h"

#define STATE_FILE_MAX (1024 * 1024)	/* the Secret size limit */

struct state {
	char dir[4096];
	int is_default;		/* SHARED_DIR was unset: using ./.mtv */
};

/* Resolve (and create when default) the state directory.  An explicit
 * SHARED_DIR that does not exist is bad input (exit 2). */
int state_open(struct state *st, struct mtv_err *err);

/* Read <dir>/<name>.  A missing file gives *out = NULL and returns 0; a
 * corrupt one fails naming the file, line and column (exit 2). */
int state_read_json(const struct state *st, const char *name, cJSON **out, struct mtv_err *err);

/* Replace <dir>/<name> with doc, atomically, under the directory lock.  A
 * document over STATE_FILE_MAX is refused and the old file kept. */
int state_write_json(const struct state *st, const char *name, const cJSON *doc,
		     struct mtv_err *err);

/* Read-modify-write under one lock: update() gets the current document
 * (an empty object when the file is missing) and edits it in place. */
typedef int (*state_update_fn)(cJSON *doc, void *ctx, struct mtv_err *err);
int state_update_json(const struct state *st, const char *name, state_update_fn update,
		      void *ctx, struct mtv_err *err);

/* ---- the created-resources ledger (mtv-resources.json) ----
 *
 * { "<Kind>": [ {"name", "namespace", "apiVersion", "step"} ... ], ... }
 * the shape of mtv-api-tests' resources.json, so its tooling reads ours.
 * Steps record an object *before* creating it: after a crash between the two
 * teardown finds an entry whose object does not exist, which it counts as
 * already gone, instead of an object nobody knows about.
 */
#define LEDGER_FILE "mtv-resources.json"

struct ledger_entry {
	const char *kind;
	const char *api_version;
	const char *namespace_;	/* NULL for cluster-scoped */
	const char *name;	/* for generateName objects, the prefix */
	const char *step;	/* who created it */
};

/* Record e (no-op when the same kind/namespace/name is already there). */
int ledger_record(const struct state *st, const struct ledger_entry *e, struct mtv_err *err);

#endif
