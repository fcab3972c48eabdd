#include "ssh_keyfile.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "buf.h"

#define OPENSSH_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define OPENSSH_END "-----END OPENSSH PRIVATE KEY-----"
#define OPENSSH_MAGIC "openssh-key-v1"

/* An SSH string (uint32 length, bytes) at *p, within end. */
static int get_string(const unsigned char **p, const unsigned char *end, const unsigned char **s, size_t *n)
{
	uint32_t len;

	if (end - *p < 4)
		return -1;
	len = (uint32_t)(*p)[0] << 24 | (uint32_t)(*p)[1] << 16 | (uint32_t)(*p)[2] << 8 | (*p)[3];
	*p += 4;
	if ((size_t)(end - *p) < len)
		return -1;
	*s = *p;
	*n = len;
	*p += len;
	return 0;
}

/* PROTOCOL.key: magic, cipher, kdf, kdf options, key count, then the
 * first public key blob, which starts with the type. */
static int openssh_type(const char *text, size_t len, char *out, size_t outsz)
{
	const char *b = memmem(text, len, OPENSSH_BEGIN, strlen(OPENSSH_BEGIN));
	const char *e;
	struct buf raw = BUF_INIT(64 * 1024);
	const unsigned char *p, *end, *s, *blob, *type;
	size_t n, bloblen, tlen;
	int i, r = -1;

	if (!b)
		return -1;
	b += strlen(OPENSSH_BEGIN);
	e = memmem(b, len - (size_t)(b - text), OPENSSH_END, strlen(OPENSSH_END));
	if (!e || base64_decode(&raw, b, (size_t)(e - b)) < 0)
		goto out;
	p = (const unsigned char *)raw.data;
	end = p + raw.len;
	if (raw.len < sizeof(OPENSSH_MAGIC) || memcmp(p, OPENSSH_MAGIC, sizeof(OPENSSH_MAGIC)))
		goto out;
	p += sizeof(OPENSSH_MAGIC);
	for (i = 0; i < 3; i++)
		if (get_string(&p, end, &s, &n) < 0)
			goto out;
	if (end - p < 4)
		goto out;
	p += 4;
	if (get_string(&p, end, &blob, &bloblen) < 0)
		goto out;
	if (get_string(&blob, blob + bloblen, &type, &tlen) < 0 || tlen == 0 || tlen >= outsz)
		goto out;
	for (n = 0; n < tlen; n++)
		if (type[n] <= ' ' || type[n] >= 0x7f)
			goto out;
	memcpy(out, type, tlen);
	out[tlen] = '\0';
	r = 0;
out:
	buf_release(&raw);
	return r;
}

int ssh_keyfile_type(const char *text, size_t len, char *out, size_t outsz)
{
	if (!outsz)
		return -1;
	out[0] = '\0';
	if (openssh_type(text, len, out, outsz) == 0)
		return 0;
	if (memmem(text, len, "-----BEGIN RSA PRIVATE KEY-----", 31))
		return snprintf(out, outsz, "ssh-rsa") < (int)outsz ? 0 : -1;
	if (memmem(text, len, "-----BEGIN EC PRIVATE KEY-----", 30))
		return snprintf(out, outsz, "ecdsa") < (int)outsz ? 0 : -1;
	if (memmem(text, len, "-----BEGIN DSA PRIVATE KEY-----", 31))
		return snprintf(out, outsz, "ssh-dss") < (int)outsz ? 0 : -1;
	return -1;
}
