/* The shape of a JSON document, declared as a table and checked in one
 * pass, so a step reading a file another step wrote finds a wrong type or a
 * missing key before it acts on any of it, with a message naming the key
 * ("mtv-plan.json: vms[1].name: expected string, got number").
 *
 * A table is an array of struct json_key ending with JSON_KEYS_END.  Keys
 * the table does not name are allowed: a newer step may add some. */
#ifndef MTV_JSON_SCHEMA_H
#define MTV_JSON_SCHEMA_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "err.h"

enum json_kind {
	JSON_ANY,
	JSON_STRING,
	JSON_NUMBER,
	JSON_BOOL,
	JSON_OBJECT,
	JSON_ARRAY,
};

struct json_key {
	const char *key;		/* "*": every member of the object */
	enum json_kind kind;
	bool required;
	/* JSON_OBJECT: its keys; JSON_ARRAY: its elements are objects with
	 * these keys.  NULL: anything inside. */
	const struct json_key *fields;
	enum json_kind elem;		/* JSON_ARRAY without fields: every element's kind */
};

#define JSON_KEYS_END { NULL, JSON_ANY, false, NULL, JSON_ANY }

/* doc must be an object with the keys of schema; what ("<dir>/mtv-plan.json")
 * prefixes the message of the first problem (MTV_EXIT_USAGE). */
int json_schema_check(const cJSON *doc, const struct json_key *schema, const char *what,
		      struct mtv_err *err);

#endif
