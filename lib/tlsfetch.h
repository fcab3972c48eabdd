/* Fetch the certificate chain a TLS server presents, as PEM: what
 * mtv-api-tests does with `openssl s_client -showcerts` to fill a provider
 * Secret's `cacert` when certificate verification is on. */
#ifndef MTV_TLSFETCH_H
#define MTV_TLSFETCH_H

#include "buf.h"
#include "err.h"

/* host may be "name", "name:port", "address:port" or "[v6]:port" (an
 * fqdn in .providers.json may carry a port, as mtv-sim's 127.0.0.1:<port>
 * does); the default port is 443.
 * The chain is appended to out as PEM.  timeout_s bounds connect and
 * handshake. */
int tls_fetch_chain(const char *host, long timeout_s, struct buf *out, struct mtv_err *err);

#endif
