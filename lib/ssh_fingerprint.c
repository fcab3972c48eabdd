#include "ssh_fingerprint.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

int ssh_fingerprint(const unsigned char *blob, size_t len, char out[SSH_FINGERPRINT_MAX])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	unsigned char b64[4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1];
	size_t tlen, i;
	int n;

	out[0] = '\0';
	/* RFC 4253 6.6: the blob opens with the key type as an SSH string
	 * (uint32 length, then the bytes). */
	if (!blob || len < 4)
		return -1;
	tlen = (size_t)blob[0] << 24 | (size_t)blob[1] << 16 | (size_t)blob[2] << 8 | blob[3];
	if (tlen == 0 || tlen > 64 || tlen > len - 4)
		return -1;
	for (i = 0; i < tlen; i++)
		if (blob[4 + i] <= ' ' || blob[4 + i] >= 0x7f)
			return -1;
	if (!EVP_Digest(blob, len, md, NULL, EVP_sha256(), NULL))
		return -1;
	n = EVP_EncodeBlock(b64, md, sizeof(md));
	/* OpenSSH prints the base64 without its padding. */
	while (n > 0 && b64[n - 1] == '=')
		b64[--n] = '\0';
	snprintf(out, SSH_FINGERPRINT_MAX, "%.*s SHA256:%s", (int)tlen, (const char *)blob + 4, b64);
	return 0;
}
