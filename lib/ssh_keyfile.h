/* The type of an SSH private key file ("ssh-rsa", "ssh-ed25519", ...),
 * read from its unencrypted part, so lib/ssh can explain a refusal that
 * comes from the key's type rather than from the key: libssh2 1.10 signs
 * RSA keys with SHA-1 only (ssh-rsa), which OpenSSH 8.8 and later refuse.
 */
#ifndef MTV_SSH_KEYFILE_H
#define MTV_SSH_KEYFILE_H

#include <stddef.h>

/* Fill out (outsz bytes) with the key type of the text of a private key
 * file: the OpenSSH format ("-----BEGIN OPENSSH PRIVATE KEY-----", whose
 * public key is in clear even when the key is encrypted) or PEM ("BEGIN RSA
 * PRIVATE KEY" → "ssh-rsa", "BEGIN EC PRIVATE KEY" → "ecdsa").  -1 when it
 * cannot tell. */
int ssh_keyfile_type(const char *text, size_t len, char *out, size_t outsz);

#endif
