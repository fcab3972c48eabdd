#include "names.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>

static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";

int names_random(char *out, size_t n, struct mtv_err *err)
{
	unsigned char raw[64];

	if (n >= sizeof(raw))
		return mtv_err_set(err, MTV_EXIT_USAGE, "random name of %zu characters is too long", n);
	if (getrandom(raw, n, 0) != (ssize_t)n)
		return mtv_err_set(err, MTV_EXIT_ENV, "getrandom: %s", strerror(errno));
	for (size_t i = 0; i < n; i++)
		/* 256 % 36 = 4: the bias (about 1.5%) does not matter for uniqueness. */
		out[i] = alphabet[raw[i] % (sizeof(alphabet) - 1)];
	out[n] = '\0';
	return 0;
}

int names_session_id(char *out, size_t outsz, struct mtv_err *err)
{
	if (outsz < NAMES_SESSION_LEN + 1)
		return mtv_err_set(err, MTV_EXIT_USAGE, "session id buffer too small");
	memcpy(out, "auto-", 5);
	return names_random(out + 5, 4, err);
}

static int is_alnum_lower(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int names_dns1123(const char *in, char *out, size_t outsz)
{
	size_t n = 0, start, end;
	char tmp[1024];

	for (size_t i = 0; in[i] && n + 1 < sizeof(tmp); i++) {
		char c = (char)tolower((unsigned char)in[i]);

		tmp[n++] = is_alnum_lower(c) ? c : '-';
	}
	tmp[n] = '\0';
	for (start = 0; start < n && !is_alnum_lower(tmp[start]); start++)
		;
	for (end = n; end > start && !is_alnum_lower(tmp[end - 1]); end--)
		;
	if (end - start > NAMES_MAX)
		end = start + NAMES_MAX;
	while (end > start && tmp[end - 1] == '-')
		end--;
	if (end == start || end - start + 1 > outsz)
		return -1;
	memcpy(out, tmp + start, end - start);
	out[end - start] = '\0';
	return 0;
}

int names_keep_last63(char *name)
{
	size_t len = strlen(name), skip;

	if (len <= NAMES_MAX)
		return 0;
	skip = len - NAMES_MAX;
	while (name[skip] && !is_alnum_lower(name[skip]))
		skip++;
	memmove(name, name + skip, len - skip + 1);
	return 1;
}

int names_is_dns1123_label(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > NAMES_MAX || !is_alnum_lower(s[0]) || !is_alnum_lower(s[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum_lower(s[i]) && s[i] != '-')
			return 0;
	return 1;
}
