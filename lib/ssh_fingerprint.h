/* The fingerprint of an SSH public key blob as OpenSSH prints it
 * (`ssh-keygen -lf`, the "Accepted key" log line): "<type> SHA256:<base64>",
 * the base64 of the blob's SHA-256 without '=' padding, and <type> the name
 * the blob itself starts with ("ssh-ed25519", "ssh-rsa", ...).
 *
 * Its own file because it is pure (no session), so a unit test pins the
 * format against ssh-keygen's output.
 */
#ifndef MTV_SSH_FINGERPRINT_H
#define MTV_SSH_FINGERPRINT_H

#include <stddef.h>

/* Longest result: a type name of at most 64 bytes, " SHA256:", 43 chars. */
#define SSH_FINGERPRINT_MAX 128

/* Write the fingerprint of blob into out (SSH_FINGERPRINT_MAX bytes).
 * Returns -1 (out "") when the blob does not start with a sane type name. */
int ssh_fingerprint(const unsigned char *blob, size_t len, char out[SSH_FINGERPRINT_MAX]);

#endif
