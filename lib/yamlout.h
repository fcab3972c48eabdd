/* cJSON → YAML, for `-o yaml` (kubectl users read YAML). */
#ifndef MTV_YAMLOUT_H
#define MTV_YAMLOUT_H

#include <cjson/cJSON.h>
#include "buf.h"

/* Append doc as one YAML document ("---" first when several are printed). */
int yaml_from_json(struct buf *out, const cJSON *doc);

/* Render doc for stdout in format "json" (indented), "yaml", or ""/"name"
 * (the caller prints names itself; this renders JSON). */
int render_doc(struct buf *out, const char *format, const cJSON *doc);

#endif
