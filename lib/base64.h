/* Standard base64 (RFC 4648, with padding): Secret data, kubeconfig
 * *-data fields, hook playbooks. */
#ifndef MTV_BASE64_H
#define MTV_BASE64_H

#include <stddef.h>
#include "buf.h"

int base64_encode(struct buf *out, const void *data, size_t len);

/* Decode, ignoring whitespace; -1 on any other invalid input. */
int base64_decode(struct buf *out, const char *in, size_t len);

#endif
