#include "base64.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_encode(struct buf *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	char quad[4];

	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		quad[0] = alphabet[(v >> 18) & 63];
		quad[1] = alphabet[(v >> 12) & 63];
		quad[2] = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
		quad[3] = i + 2 < len ? alphabet[v & 63] : '=';
		if (buf_add(out, quad, 4) < 0)
			return -1;
	}
	if (!out->data)	/* empty input: still a valid (empty) string */
		return buf_add(out, "", 0);
	return 0;
}

static int value_of(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int base64_decode(struct buf *out, const char *in, size_t len)
{
	unsigned v = 0;
	int bits = 0, pad = 0;
	size_t start = out->len;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		int d;

		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		d = value_of(c);
		if (d < 0 || pad)
			goto bad;
		v = (v << 6) | (unsigned)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (buf_addch(out, (char)((v >> bits) & 0xff)) < 0)
				goto bad;
		}
	}
	/* Leftover bits must be padding zeros, and '=' only completes a quad. */
	if (pad > 2 || (bits && (v & ((1u << bits) - 1))) || (pad && (bits / 2) != pad))
		goto bad;
	if (!out->data)
		buf_add(out, "", 0);
	return 0;
bad:
	out->len = start;
	if (out->data)
		out->data[start] = '\0';
	return -1;
}
