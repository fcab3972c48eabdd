/* Names of the objects a session creates.
 *
 * mtv-api-tests' rules, which users' dashboards and cleanup scripts already
 * rely on: a session id `auto-xxxx` embedded in every name, DNS-1123
 * sanitising of VM names, and names over 63 characters keeping their *last*
 * 63 characters (the unique suffix lives at the end).
 */
#ifndef MTV_NAMES_H
#define MTV_NAMES_H

#include <stddef.h>
#include "err.h"

#define NAMES_MAX 63
#define NAMES_SESSION_LEN 9	/* "auto-" + 4 */

/* "auto-" + 4 random characters from [a-z0-9]; out needs 10 bytes. */
int names_session_id(char *out, size_t outsz, struct mtv_err *err);

/* n random characters from [a-z0-9] (a unique suffix); out needs n + 1. */
int names_random(char *out, size_t n, struct mtv_err *err);

/* A DNS-1123 label from arbitrary text: lowercase, '_' '.' and any other
 * invalid character become '-', leading and trailing non-alphanumerics are
 * trimmed, at most 63 characters with trailing '-' stripped after the cut.
 * Returns -1 when nothing valid is left. */
int names_dns1123(const char *in, char *out, size_t outsz);

/* Keep the last 63 characters of name (in place), then drop leading
 * characters a DNS-1123 name cannot start with.  Returns 1 when it cut. */
int names_keep_last63(char *name);

/* Is s a valid DNS-1123 label (1..63 of [a-z0-9-], alphanumeric ends)? */
int names_is_dns1123_label(const char *s);

#endif
