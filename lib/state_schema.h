/* The shape of every SHARED_DIR state file, checked by lib/state whenever
 * one is read: a truncated, hand-edited or otherwise corrupt file is bad
 * input (exit 2) naming the file and the key, before a step acts on it. */
#ifndef MTV_STATE_SCHEMA_H
#define MTV_STATE_SCHEMA_H

#include <cjson/cJSON.h>

#include "err.h"

/* Check doc, read from the state file called name (what names it in
 * messages).  A file this table does not know is not checked. */
int state_schema_check(const char *name, const cJSON *doc, const char *what, struct mtv_err *err);

#endif
