/* JSON helpers over cJSON.
 *
 * Paths are dotted: `status.conditions`, with `[N]` for an array index and
 * `["key"]` for keys that contain dots (`metadata.labels["app.kubernetes.io/name"]`).
 * Typed getters fail with a message that names the path and the type that
 * was expected, e.g. `spec.url: expected string, got number`.
 */
#ifndef MTV_JSON_H
#define MTV_JSON_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include "err.h"

/* The node at path, or NULL when any part is missing (or the path is bad). */
cJSON *json_get(const cJSON *root, const char *path);

/* Typed getters.  A missing node fails with "<path>: missing" unless the
 * *_opt variant is used, which returns 0 and leaves *out untouched. */
int json_get_string(const cJSON *root, const char *path, const char **out, struct mtv_err *err);
int json_get_string_opt(const cJSON *root, const char *path, const char **out, struct mtv_err *err);
int json_get_int(const cJSON *root, const char *path, long long *out, struct mtv_err *err);
int json_get_int_opt(const cJSON *root, const char *path, long long *out, struct mtv_err *err);
int json_get_bool(const cJSON *root, const char *path, bool *out, struct mtv_err *err);

/* The string at path, or def when missing or not a string. */
const char *json_str(const cJSON *root, const char *path, const char *def);

/* "string", "number", "object", ... for messages. */
const char *json_type_name(const cJSON *node);

/* Parse text (len bytes, not necessarily terminated).  On a syntax error the
 * message names `what` (a file or URL) with line and column. */
int json_parse(const char *text, size_t len, const char *what, cJSON **out, struct mtv_err *err);

/* Set path's final key in the object at the parent path, creating
 * intermediate objects; takes ownership of value (freed on failure). */
int json_set(cJSON *root, const char *path, cJSON *value, struct mtv_err *err);

/* Find the element of a conditions array with .type == type. */
cJSON *json_condition(const cJSON *conditions, const char *type);
/* Whether that element exists and its .status equals status ("True"). */
bool json_condition_is(const cJSON *conditions, const char *type, const char *status);

#endif
