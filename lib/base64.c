/* base64 through OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock (libcrypto is
 * linked anyway).  EVP_DecodeBlock alone is too lenient and too literal: it
 * counts padding as output bytes, accepts non-zero leftover bits and stops
 * at no whitespace inside the text; base64_decode wraps it so callers get
 * the bytes and nothing else, and non-canonical text is refused. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "base64.h"

/* Encoded size of len bytes, without the NUL. */
static size_t encoded_len(size_t len)
{
	return 4 * ((len + 2) / 3);
}

int base64_encode(struct buf *out, const void *data, size_t len)
{
	unsigned char *enc;
	int n, r;

	if (len > (size_t)INT_MAX / 4 * 3 - 3)
		return -1;
	enc = malloc(encoded_len(len) + 1);
	if (!enc)
		return -1;
	n = EVP_EncodeBlock(enc, data, (int)len);
	r = buf_add(out, enc, (size_t)n);	/* n == 0: still a valid (empty) string */
	explicit_bzero(enc, (size_t)n);
	free(enc);
	return r;
}

static int is_space(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

int base64_decode(struct buf *out, const char *in, size_t len)
{
	char *text = NULL, *canon = NULL;
	unsigned char *dec = NULL;
	size_t tlen = 0, pad = 0;
	int n, r = -1;

	if (len > (size_t)INT_MAX - 4)
		return -1;
	text = malloc(len + 3);
	if (!text)
		return -1;
	for (size_t i = 0; i < len; i++)
		if (!is_space(in[i]))
			text[tlen++] = in[i];
	/* Unpadded text ("Zg") is accepted: complete the quad. */
	if (tlen && text[tlen - 1] != '=')
		while (tlen % 4 == 2 || tlen % 4 == 3)
			text[tlen++] = '=';
	if (tlen % 4)
		goto out;
	while (pad < 2 && pad < tlen && text[tlen - 1 - pad] == '=')
		pad++;
	dec = malloc(tlen / 4 * 3 + 1);
	canon = malloc(tlen + 1);
	if (!dec || !canon)
		goto out;
	n = EVP_DecodeBlock(dec, (const unsigned char *)text, (int)tlen);
	if (n < 0 || (size_t)n < pad)
		goto out;
	n -= (int)pad;
	/* Canonical means it encodes back to the same text: this refuses '='
	 * inside, a third '=', and leftover bits that are not zero. */
	if ((size_t)EVP_EncodeBlock((unsigned char *)canon, dec, n) != tlen ||
	    memcmp(canon, text, tlen))
		goto out;
	r = buf_add(out, dec, (size_t)n);
out:
	/* The text is often a Secret's value or a private key. */
	explicit_bzero(text, len + 3);
	if (dec)
		explicit_bzero(dec, tlen / 4 * 3 + 1);
	if (canon)
		explicit_bzero(canon, tlen + 1);
	free(text);
	free(dec);
	free(canon);
	return r;
}
