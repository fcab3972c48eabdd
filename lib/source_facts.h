/* $SHARED_DIR/mtv-source-vms.json: what the source API said about each VM
 * when mtv-prepare-vms cloned it (contract 2 of issue 13), read by the steps
 * that compare the migration with the source.
 *
 * The document is validated as a whole before any of it is used: a key of
 * the wrong type is bad input (exit 2) naming the file and the key
 * ("mtv-source-vms.json: vms[1].memory_mb: expected number, got string"),
 * so a check never runs against half a record.  Absent optional keys are
 * fine (the check that needs one says it cannot run).
 */
#ifndef MTV_SOURCE_FACTS_H
#define MTV_SOURCE_FACTS_H

#include <cjson/cJSON.h>

#include "err.h"
#include "state.h"

#define SOURCE_VMS_STATE "mtv-source-vms.json"

/* Read and validate SOURCE_VMS_STATE; *out = NULL (and 0) when it does not
 * exist.  A corrupt file or a wrong type fails with MTV_EXIT_USAGE. */
int source_facts_load(const struct state *st, cJSON **out, struct mtv_err *err);

/* Validate an already parsed document; what names it in messages. */
int source_facts_validate(const cJSON *doc, const char *what, struct mtv_err *err);

/* The record of the VM named name (the clone's name), else of the one whose
 * moref is moref (either may be NULL); NULL when none. */
const cJSON *source_facts_vm(const cJSON *doc, const char *name, const char *moref);

#endif
