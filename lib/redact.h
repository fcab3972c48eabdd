/* Keeping secrets out of artifacts.
 *
 * Diagnostics are written for people who were not there, into places many
 * people can read (CI artifacts), so everything gather writes goes through
 * here.  Three layers, because no single one is enough:
 *   - structure: a Secret's data/stringData values and fields named like
 *     credentials (password, token, ...) are replaced in JSON;
 *   - known values: the decoded values of the Secrets we saw (and the API
 *     token we use) are scrubbed wherever they appear, e.g. in a log line;
 *   - shape: `password=...`, `Bearer ...`, JWTs and long token-like words
 *     in free text.
 */
#ifndef MTV_REDACT_H
#define MTV_REDACT_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "buf.h"

#define REDACTED "<redacted>"

struct redact {
	char **values;		/* known secret values, longest first when scrubbing */
	size_t *lens;		/* strlen of each value */
	size_t n, alloc;
	/* starts[c]: some value begins with byte c.  Scrubbing skips every
	 * other byte without comparing, so the cost per byte of text is one
	 * table lookup however many values there are. */
	bool starts[256];
};

void redact_init(struct redact *r);
void redact_release(struct redact *r);

/* Remember a secret value to scrub from any text.  Values shorter than
 * REDACT_MIN_VALUE bytes are ignored: scrubbing "true" or "admin" from
 * every line would destroy the text while protecting little (the Secret
 * itself is still redacted, and `password=...` shapes are caught anyway). */
#define REDACT_MIN_VALUE 6
int redact_add(struct redact *r, const char *value, size_t len);

/* The same for a multi-line value (a key, a CA bundle): also each line of
 * 16 bytes or more, since logs may show it line by line. */
int redact_add_lines(struct redact *r, const char *value, size_t len);

/* Remember every value of a Secret object's data (base64-decoded) and
 * stringData, except public connection settings (url, user, cacert, ...). */
int redact_add_secret(struct redact *r, const cJSON *secret);

/* Redact obj in place: all data/stringData values when it is a Secret (the
 * keys stay, so readers see what the Secret held), credential-named fields
 * anywhere, the last-applied-configuration annotation, known values and
 * token-shaped strings. */
void redact_json(const struct redact *r, cJSON *obj);

/* The same for a body known to hold Secrets (the request went to
 * /secrets): every data/stringData member anywhere is a Secret's data,
 * since a SecretList's items or a patch carry no kind. */
void redact_json_secrets(const struct redact *r, cJSON *obj);

/* Only the structure layer, for manifests a step prints (--dry-run -o
 * yaml): every data/stringData value of each Secret in doc (an object, a
 * List's items, or an array of objects) becomes REDACTED, which no API
 * server takes as base64, so a redacted manifest cannot be applied by
 * mistake.  Nothing else changes. */
void redact_secret_data(cJSON *doc);

/* Append text (len bytes) to out with known values, `key=value` style
 * credentials, bearer tokens and token-shaped words replaced. */
int redact_text(const struct redact *r, struct buf *out, const char *text, size_t len);

/* True when a field of this name holds a credential ("password",
 * "token", "client-key-data", ...; case-insensitive, and by suffix, so
 * access_token, bearerToken and guest_vm_win_password are caught too).
 * The one list: artifacts (gather) and HTTP trace logs both use it. */
bool redact_key_is_secret(const char *key);

/* True for a string that looks like a token: a JWT, an OpenShift sha256~
 * token, or 32+ characters of base64/hex alphabet mixing letters and digits. */
bool redact_looks_like_token(const char *s, size_t len);

#endif
