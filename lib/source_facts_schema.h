/* The types of every key of $SHARED_DIR/mtv-source-vms.json (contract 2 of
 * issue 13; lib/source_facts.h writes and applies it), for the steps that
 * compare the migration with the recorded facts.
 *
 * The document is validated as a whole before any of it is used: a key of
 * the wrong type is bad input (exit 2) naming the file and the key
 * ("mtv-source-vms.json: vms[1].memory_mb: expected number, got string"),
 * so a check never runs against half a record.  Absent optional keys are
 * fine (the check that needs one says it cannot run).
 */
#ifndef MTV_SOURCE_FACTS_SCHEMA_H
#define MTV_SOURCE_FACTS_SCHEMA_H

#include <cjson/cJSON.h>

#include "err.h"

/* Check the type of every key the document has (what names it in
 * messages); MTV_EXIT_USAGE naming the key on the first wrong one. */
int source_facts_check_types(const cJSON *doc, const char *what, struct mtv_err *err);

#endif
