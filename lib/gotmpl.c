/* Go text/template subset with Forklift's sprig functions; see gotmpl.h.
 *
 * The template is walked twice by the same recursive-descent code: first
 * without executing anything, so that a syntax error anywhere wins over an
 * execution error earlier in the text (Go parses the whole template before
 * it executes it), then for real.  Output goes to a scratch buffer and is
 * appended to the caller's buffer only on success.
 */
#include "gotmpl.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum vkind { V_STR, V_INT, V_INT64, V_FLOAT, V_BOOL };

struct val {
	enum vkind kind;
	bool lit;		/* an untyped constant written in the template */
	char *s;		/* V_STR, owned, NUL-terminated */
	size_t len;
	long long i;
	double f;
	bool b;
};

struct tp {
	const char *t;
	size_t n;
	size_t pos;
	bool exec;		/* false: syntax pass */
	int depth;
	const cJSON *data;
	struct buf *out;
	struct mtv_err *err;
};

/* A string being built; remembers that it hit the cap. */
struct sb {
	struct buf b;
	bool over;
};

static void sb_init(struct sb *s)
{
	buf_init(&s->b, GOTMPL_VALUE_MAX);
	s->over = false;
}

static void sb_add(struct sb *s, const char *d, size_t len)
{
	if (!s->over && buf_add(&s->b, d, len) < 0)
		s->over = true;
}

static void sb_addc(struct sb *s, char c)
{
	sb_add(s, &c, 1);
}

static void sb_adds(struct sb *s, const char *str)
{
	sb_add(s, str, strlen(str));
}

/* ---- errors ---- */

static int fail(struct tp *p, size_t at, const char *fmt, ...) MTV_PRINTF(3, 4);

static int fail(struct tp *p, size_t at, const char *fmt, ...)
{
	char msg[512], shown[160];
	size_t i, k = 0, line = 1, col = 1;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (i = 0; i < at && i < p->n; i++) {
		if (p->t[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	/* Show the template on one line, shortened. */
	for (i = 0; i < p->n && k < sizeof(shown) - 8; i++) {
		unsigned char c = (unsigned char)p->t[i];

		if (c == '"' || c == '\\') {
			shown[k++] = '\\';
			shown[k++] = (char)c;
		} else if (c == '\n') {
			shown[k++] = '\\';
			shown[k++] = 'n';
		} else if (c == '\t') {
			shown[k++] = '\\';
			shown[k++] = 't';
		} else if (c < 0x20 || c == 0x7f) {
			shown[k++] = '?';
		} else {
			shown[k++] = (char)c;
		}
	}
	if (i < p->n) {
		memcpy(shown + k, "...", 3);
		k += 3;
	}
	shown[k] = '\0';
	return mtv_err_set(p->err, MTV_EXIT_USAGE, "template \"%s\": %zu:%zu: %s",
			   shown, line, col, msg);
}

/* ---- values ---- */

static void val_free(struct val *v)
{
	if (v->kind == V_STR)
		free(v->s);
	v->s = NULL;
	v->len = 0;
}

static void val_init_int(struct val *v, enum vkind k, long long i)
{
	memset(v, 0, sizeof(*v));
	v->kind = k;
	v->i = i;
}

static int val_set_str(struct tp *p, size_t at, struct val *v, const char *s, size_t len)
{
	memset(v, 0, sizeof(*v));
	v->kind = V_STR;
	if (len > GOTMPL_VALUE_MAX)
		return fail(p, at, "string longer than %u bytes", GOTMPL_VALUE_MAX);
	v->s = malloc(len + 1);
	if (!v->s)
		return fail(p, at, "out of memory");
	if (len)
		memcpy(v->s, s, len);
	v->s[len] = '\0';
	v->len = len;
	return 0;
}

/* Move a built string into v; fails when it outgrew the cap. */
static int val_from_sb(struct tp *p, size_t at, const char *what, struct sb *s, struct val *v)
{
	memset(v, 0, sizeof(*v));
	v->kind = V_STR;
	if (s->over) {
		buf_release(&s->b);
		return fail(p, at, "result of %s longer than %u bytes", what, GOTMPL_VALUE_MAX);
	}
	v->len = s->b.len;
	v->s = buf_take(&s->b);
	if (!v->s)
		return fail(p, at, "out of memory");
	return 0;
}

static const char *type_name(const struct val *v)
{
	switch (v->kind) {
	case V_STR: return "string";
	case V_INT: return "int";
	case V_INT64: return "int64";
	case V_FLOAT: return "float64";
	case V_BOOL: return "bool";
	}
	return "?";
}

/* strconv.FormatFloat(f, 'g', -1, 64), which is what Go's %v prints. */
static void fmt_float(struct sb *s, double f)
{
	char e[40], digits[24];
	int prec, exp, nd = 0, i;
	char *p;

	if (isnan(f)) {
		sb_adds(s, "NaN");
		return;
	}
	if (isinf(f)) {
		sb_adds(s, f > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (f == 0) {
		sb_adds(s, signbit(f) ? "-0" : "0");
		return;
	}
	/* The shortest precision that reads back as the same double. */
	for (prec = 0; prec < 17; prec++) {
		snprintf(e, sizeof(e), "%.*e", prec, f);
		if (strtod(e, NULL) == f)
			break;
	}
	p = e;
	if (*p == '-') {
		sb_addc(s, '-');
		p++;
	}
	for (; *p && *p != 'e'; p++)
		if (isdigit((unsigned char)*p))
			digits[nd++] = *p;
	exp = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (exp < -4 || exp >= 6) {
		/* %e form: d.ddde+XX with at least two exponent digits. */
		char tail[16];

		sb_addc(s, digits[0]);
		if (nd > 1) {
			sb_addc(s, '.');
			sb_add(s, digits + 1, (size_t)nd - 1);
		}
		snprintf(tail, sizeof(tail), "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
		sb_adds(s, tail);
		return;
	}
	if (exp < 0) {
		sb_adds(s, "0.");
		for (i = -1; i > exp; i--)
			sb_addc(s, '0');
		sb_add(s, digits, (size_t)nd);
		return;
	}
	for (i = 0; i <= exp; i++)
		sb_addc(s, i < nd ? digits[i] : '0');
	if (nd > exp + 1) {
		sb_addc(s, '.');
		sb_add(s, digits + exp + 1, (size_t)(nd - exp - 1));
	}
}

/* Go's %v of a value. */
static void val_print(struct sb *s, const struct val *v)
{
	char num[32];

	switch (v->kind) {
	case V_STR:
		sb_add(s, v->s, v->len);
		break;
	case V_INT:
	case V_INT64:
		snprintf(num, sizeof(num), "%lld", v->i);
		sb_adds(s, num);
		break;
	case V_FLOAT:
		fmt_float(s, v->f);
		break;
	case V_BOOL:
		sb_adds(s, v->b ? "true" : "false");
		break;
	}
}

/* ---- UTF-8 and character classes ---- */

/* Decode one rune; invalid bytes decode as U+FFFD of length 1, as in Go. */
static size_t utf8_dec(const char *str, size_t n, unsigned *r)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned c, min;
	size_t len, i;

	if (!n) {
		*r = 0xFFFD;
		return 0;
	}
	c = s[0];
	if (c < 0x80) {
		*r = c;
		return 1;
	}
	if ((c & 0xE0) == 0xC0) {
		len = 2; c &= 0x1F; min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3; c &= 0x0F; min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4; c &= 0x07; min = 0x10000;
	} else {
		goto bad;
	}
	if (len > n)
		goto bad;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto bad;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		goto bad;
	*r = c;
	return len;
bad:
	*r = 0xFFFD;
	return 1;
}

static void utf8_enc(struct sb *s, unsigned r)
{
	char b[4];

	if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = 0xFFFD;
	if (r < 0x80) {
		b[0] = (char)r;
		sb_add(s, b, 1);
	} else if (r < 0x800) {
		b[0] = (char)(0xC0 | (r >> 6));
		b[1] = (char)(0x80 | (r & 0x3F));
		sb_add(s, b, 2);
	} else if (r < 0x10000) {
		b[0] = (char)(0xE0 | (r >> 12));
		b[1] = (char)(0x80 | ((r >> 6) & 0x3F));
		b[2] = (char)(0x80 | (r & 0x3F));
		sb_add(s, b, 3);
	} else {
		b[0] = (char)(0xF0 | (r >> 18));
		b[1] = (char)(0x80 | ((r >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((r >> 6) & 0x3F));
		b[3] = (char)(0x80 | (r & 0x3F));
		sb_add(s, b, 4);
	}
}

static size_t rune_count(const char *s, size_t n)
{
	size_t i = 0, cnt = 0;
	unsigned r;

	while (i < n) {
		i += utf8_dec(s + i, n - i, &r);
		cnt++;
	}
	return cnt;
}

/* unicode.IsSpace */
static bool is_uspace(unsigned r)
{
	switch (r) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
	case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202F: case 0x205F: case 0x3000:
		return true;
	}
	return r >= 0x2000 && r <= 0x200A;
}

/* The whitespace Go's template lexer knows (trim markers, separators). */
static bool is_tspace(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* ---- conversions used by the sprig math functions (spf13/cast) ---- */

static long long to_int64(const struct val *v)
{
	char tmp[64];
	char *end;
	long long x;
	size_t len;

	switch (v->kind) {
	case V_INT:
	case V_INT64:
		return v->i;
	case V_BOOL:
		return v->b;
	case V_FLOAT:
		if (isnan(v->f))
			return LLONG_MIN;
		if (v->f >= 9223372036854775807.0)
			return LLONG_MIN;
		if (v->f < -9223372036854775807.0)
			return LLONG_MIN;
		return (long long)v->f;
	case V_STR:
		/* ParseInt(s, 0, 0) after dropping a ".000" tail; failure is 0. */
		len = v->len;
		if (len == 0 || len >= sizeof(tmp) || isspace((unsigned char)v->s[0]))
			return 0;
		memcpy(tmp, v->s, len);
		tmp[len] = '\0';
		if (strchr(tmp, '.')) {
			char *dot = strchr(tmp, '.');
			char *q = dot + 1;

			while (*q == '0')
				q++;
			if (*q)
				return 0;
			*dot = '\0';
		}
		errno = 0;
		x = strtoll(tmp, &end, 0);
		if (errno || *end || end == tmp)
			return 0;
		return x;
	}
	return 0;
}

static double to_float64(const struct val *v)
{
	char *end;
	double d;

	switch (v->kind) {
	case V_INT:
	case V_INT64:
		return (double)v->i;
	case V_BOOL:
		return v->b;
	case V_FLOAT:
		return v->f;
	case V_STR:
		if (!v->len || isspace((unsigned char)v->s[0]))
			return 0;
		d = strtod(v->s, &end);
		if (*end)
			return 0;
		return d;
	}
	return 0;
}

/* ---- functions ---- */

typedef int (*fn_call)(struct tp *p, size_t at, struct val *a, int n, struct val *r);

struct fn {
	const char *name;
	/* One letter per parameter: s string, i int, f float64, a any.  With
	 * variadic set, the last letter is the type of the variadic tail. */
	const char *params;
	bool variadic;
	fn_call call;
};

static int f_lower(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	size_t i;

	(void)n;
	if (val_set_str(p, at, r, a[0].s, a[0].len) < 0)
		return -1;
	for (i = 0; i < r->len; i++)
		r->s[i] = (char)tolower((unsigned char)r->s[i]);
	return 0;
}

static int f_upper(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	size_t i;

	(void)n;
	if (val_set_str(p, at, r, a[0].s, a[0].len) < 0)
		return -1;
	for (i = 0; i < r->len; i++)
		r->s[i] = (char)toupper((unsigned char)r->s[i]);
	return 0;
}

/* strings.Title: upper-case a letter that follows a separator. */
static bool title_sep(unsigned r)
{
	if (r < 0x80)
		return !(isalnum((int)r) || r == '_');
	return is_uspace(r);
}

static int f_title(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	unsigned prev = ' ', c;
	size_t i = 0, l;

	(void)n;
	if (val_set_str(p, at, r, a[0].s, a[0].len) < 0)
		return -1;
	while (i < r->len) {
		l = utf8_dec(r->s + i, r->len - i, &c);
		if (title_sep(prev) && c < 0x80)
			r->s[i] = (char)toupper((int)c);
		prev = c;
		i += l;
	}
	return 0;
}

/* goutils Uncapitalize: lower-case the first letter of each
 * whitespace-separated word. */
static int f_untitle(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	bool next = true;
	unsigned c;
	size_t i = 0, l;

	(void)n;
	if (val_set_str(p, at, r, a[0].s, a[0].len) < 0)
		return -1;
	while (i < r->len) {
		l = utf8_dec(r->s + i, r->len - i, &c);
		if (is_uspace(c)) {
			next = true;
		} else if (next) {
			if (c < 0x80)
				r->s[i] = (char)tolower((int)c);
			next = false;
		}
		i += l;
	}
	return 0;
}

/* Keep the runes of s that are not in set (or whose membership differs
 * from want), trimming only at the ends: strings.Trim / TrimSpace. */
static int trim_runes(struct tp *p, size_t at, const char *s, size_t len,
		      const char *cut, size_t cutlen, struct val *r)
{
	size_t i = 0, l, first = len, last = 0;
	unsigned c, d;

	while (i < len) {
		bool in = false;
		size_t j = 0;

		l = utf8_dec(s + i, len - i, &c);
		if (!cut) {
			in = is_uspace(c);
		} else {
			while (j < cutlen && !in) {
				j += utf8_dec(cut + j, cutlen - j, &d);
				in = c == d;
			}
		}
		if (!in) {
			if (first == len)
				first = i;
			last = i + l;
		}
		i += l;
	}
	if (first == len)
		return val_set_str(p, at, r, "", 0);
	return val_set_str(p, at, r, s + first, last - first);
}

static int f_trim(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)n;
	return trim_runes(p, at, a[0].s, a[0].len, NULL, 0, r);
}

static int f_trimAll(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)n;
	return trim_runes(p, at, a[1].s, a[1].len, a[0].s, a[0].len, r);
}

static bool has_prefix(const struct val *s, const struct val *pre)
{
	return pre->len <= s->len && memcmp(s->s, pre->s, pre->len) == 0;
}

static bool has_suffix(const struct val *s, const struct val *suf)
{
	return suf->len <= s->len && memcmp(s->s + s->len - suf->len, suf->s, suf->len) == 0;
}

static int f_trimSuffix(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)n;
	if (has_suffix(&a[1], &a[0]))
		return val_set_str(p, at, r, a[1].s, a[1].len - a[0].len);
	return val_set_str(p, at, r, a[1].s, a[1].len);
}

static int f_trimPrefix(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)n;
	if (has_prefix(&a[1], &a[0]))
		return val_set_str(p, at, r, a[1].s + a[0].len, a[1].len - a[0].len);
	return val_set_str(p, at, r, a[1].s, a[1].len);
}

static void ret_bool(struct val *r, bool b)
{
	memset(r, 0, sizeof(*r));
	r->kind = V_BOOL;
	r->b = b;
}

static int f_contains(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)p; (void)at; (void)n;
	ret_bool(r, memmem(a[1].s, a[1].len, a[0].s, a[0].len) != NULL || a[0].len == 0);
	return 0;
}

static int f_hasPrefix(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)p; (void)at; (void)n;
	ret_bool(r, has_prefix(&a[1], &a[0]));
	return 0;
}

static int f_hasSuffix(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)p; (void)at; (void)n;
	ret_bool(r, has_suffix(&a[1], &a[0]));
	return 0;
}

/* replace OLD NEW SRC = strings.Replace(SRC, OLD, NEW, -1); an empty OLD
 * matches before every rune and at the end. */
static int f_replace(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	const struct val *old = &a[0], *new = &a[1], *src = &a[2];
	struct sb s;
	size_t i = 0;
	unsigned c;

	(void)n;
	sb_init(&s);
	if (!old->len) {
		while (i < src->len) {
			size_t l = utf8_dec(src->s + i, src->len - i, &c);

			sb_add(&s, new->s, new->len);
			sb_add(&s, src->s + i, l);
			i += l;
		}
		sb_add(&s, new->s, new->len);
		return val_from_sb(p, at, "replace", &s, r);
	}
	while (i < src->len) {
		const char *m = memmem(src->s + i, src->len - i, old->s, old->len);

		if (!m) {
			sb_add(&s, src->s + i, src->len - i);
			break;
		}
		sb_add(&s, src->s + i, (size_t)(m - (src->s + i)));
		sb_add(&s, new->s, new->len);
		i = (size_t)(m - src->s) + old->len;
	}
	return val_from_sb(p, at, "replace", &s, r);
}

static int f_repeat(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	struct sb s;
	long long k;

	(void)n;
	if (a[0].i < 0)
		return fail(p, at, "error calling repeat: strings: negative Repeat count");
	if (a[1].len && (unsigned long long)a[0].i > GOTMPL_VALUE_MAX / a[1].len)
		return fail(p, at, "result of repeat longer than %u bytes", GOTMPL_VALUE_MAX);
	sb_init(&s);
	for (k = 0; k < a[0].i && a[1].len; k++)
		sb_add(&s, a[1].s, a[1].len);
	return val_from_sb(p, at, "repeat", &s, r);
}

/* sprig substr: byte offsets; the cases Go would panic on are errors. */
static int f_substr(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	long long start = a[0].i, end = a[1].i, len = (long long)a[2].len;

	(void)n;
	if (start < 0) {
		if (end < 0 || end > len)
			goto bounds;
		return val_set_str(p, at, r, a[2].s, (size_t)end);
	}
	if (end < 0 || end > len) {
		if (start > len)
			goto bounds;
		return val_set_str(p, at, r, a[2].s + start, (size_t)(len - start));
	}
	if (start > end)
		goto bounds;
	return val_set_str(p, at, r, a[2].s + start, (size_t)(end - start));
bounds:
	return fail(p, at, "error calling substr: slice bounds out of range "
		    "(start %lld, end %lld, length %lld)", start, end, len);
}

static int f_nospace(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	struct sb s;
	size_t i = 0, l;
	unsigned c;

	(void)n;
	sb_init(&s);
	while (i < a[0].len) {
		l = utf8_dec(a[0].s + i, a[0].len - i, &c);
		if (!is_uspace(c))
			sb_add(&s, a[0].s + i, l);
		i += l;
	}
	return val_from_sb(p, at, "nospace", &s, r);
}

/* sprig trunc: a negative count keeps the end of the string. */
static int f_trunc(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	long long c = a[0].i, len = (long long)a[1].len;

	(void)n;
	if (c < 0 && len + c > 0)
		return val_set_str(p, at, r, a[1].s + len + c, (size_t)-c);
	if (c >= 0 && len > c)
		return val_set_str(p, at, r, a[1].s, (size_t)c);
	return val_set_str(p, at, r, a[1].s, a[1].len);
}

static int f_initials(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	struct sb s;
	bool gap = true;
	size_t i = 0, l;
	unsigned c;

	(void)n;
	sb_init(&s);
	while (i < a[0].len) {
		l = utf8_dec(a[0].s + i, a[0].len - i, &c);
		if (is_uspace(c)) {
			gap = true;
		} else if (gap) {
			sb_add(&s, a[0].s + i, l);
			gap = false;
		}
		i += l;
	}
	return val_from_sb(p, at, "initials", &s, r);
}

/* Go's Regexp.Expand for a template without named groups: $1, ${1}, $$. */
static void regex_expand(struct sb *s, const char *repl, size_t rlen, const char *src,
			 const regmatch_t *m, size_t nm)
{
	size_t i = 0;

	while (i < rlen) {
		size_t j, nstart, nend;
		bool num = true;

		if (repl[i] != '$') {
			sb_addc(s, repl[i++]);
			continue;
		}
		if (i + 1 < rlen && repl[i + 1] == '$') {
			sb_addc(s, '$');
			i += 2;
			continue;
		}
		if (i + 1 < rlen && repl[i + 1] == '{') {
			nstart = i + 2;
			for (j = nstart; j < rlen && is_ident_char(repl[j]); j++)
				;
			if (j == nstart || j >= rlen || repl[j] != '}') {
				sb_addc(s, '$');	/* malformed: literal */
				i++;
				continue;
			}
			nend = j;
			i = j + 1;
		} else {
			nstart = i + 1;
			for (j = nstart; j < rlen && is_ident_char(repl[j]); j++)
				;
			if (j == nstart) {
				sb_addc(s, '$');
				i++;
				continue;
			}
			nend = j;
			i = j;
		}
		for (j = nstart; j < nend; j++)
			if (!isdigit((unsigned char)repl[j]))
				num = false;
		if (num && nend - nstart < 6) {
			size_t g = 0;

			for (j = nstart; j < nend; j++)
				g = g * 10 + (size_t)(repl[j] - '0');
			if (g < nm && m[g].rm_so >= 0)
				sb_add(s, src + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
		}
		/* A name: no named groups in POSIX, so it expands to "". */
	}
}

/* RE2 escapes inside [...] that POSIX would read as a backslash plus a
 * character: what to put there instead, or NULL when we cannot say it. */
static const char *bracket_escape(char c, char *one)
{
	switch (c) {
	case 'd': return "0-9";
	case 'w': return "0-9A-Za-z_";
	case 's': return "\t\n\f\r ";
	case 'n': return "\n";
	case 't': return "\t";
	case 'r': return "\r";
	case 'f': return "\f";
	case 'v': return "\v";
	case 'a': return "\a";
	}
	if (ispunct((unsigned char)c) && !strchr("]-^[", c)) {
		one[0] = c;
		one[1] = '\0';
		return one;
	}
	return NULL;
}

/* Turn an RE2 pattern into a POSIX extended one, or fail (into msg) on
 * RE2 syntax that POSIX would silently read differently. */
static int regex_translate(struct sb *s, const char *re, size_t len, char *msg, size_t msglen)
{
	bool bracket = false, quant = false;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = re[i], one[2];
		const char *rep;

		if (c == '\\' && i + 1 == len) {
			snprintf(msg, msglen, "trailing backslash");
			return -1;
		}
		if (bracket) {
			if (c == '\\') {
				rep = bracket_escape(re[i + 1], one);
				if (!rep) {
					snprintf(msg, msglen, "escape \\%c inside [...] is not supported", re[i + 1]);
					return -1;
				}
				sb_adds(s, rep);
				i++;
			} else if (c == '[' && i + 1 < len && strchr(":.=", re[i + 1])) {
				/* [:alpha:] and friends: copy through the closing ":]". */
				char kind = re[i + 1];
				size_t j = i + 2;

				while (j + 1 < len && !(re[j] == kind && re[j + 1] == ']'))
					j++;
				if (j + 1 < len)
					j++;
				sb_add(s, re + i, j - i + 1);
				i = j;
			} else {
				if (c == ']')
					bracket = false;
				sb_addc(s, c);
			}
			continue;
		}
		if (c == '?' && quant) {
			snprintf(msg, msglen, "non-greedy repetition (\"%c?\") is not supported", re[i - 1]);
			return -1;
		}
		quant = strchr("*+?}", c) != NULL;
		if (c == '(' && i + 1 < len && re[i + 1] == '?') {
			snprintf(msg, msglen, "\"(?\" groups and flags are not supported");
			return -1;
		}
		if (c == '[') {
			bracket = true;
			sb_addc(s, c);
			/* ']' right after '[' or '[^' is a literal member. */
			if (i + 1 < len && re[i + 1] == '^') {
				sb_addc(s, '^');
				i++;
			}
			if (i + 1 < len && re[i + 1] == ']') {
				sb_addc(s, ']');
				i++;
			}
			continue;
		}
		if (c != '\\') {
			sb_addc(s, c);
			continue;
		}
		c = re[++i];
		if (c == 'd') {
			sb_adds(s, "[0-9]");
		} else if (c == 'D') {
			sb_adds(s, "[^0-9]");
		} else if (strchr("wWsSbB", c) || ispunct((unsigned char)c)) {
			sb_addc(s, '\\');	/* glibc knows these, or a literal */
			sb_addc(s, c);
		} else if ((rep = bracket_escape(c, one)) != NULL && strchr("ntrfva", c)) {
			sb_adds(s, rep);
		} else {
			snprintf(msg, msglen, "escape \\%c is not supported", c);
			return -1;
		}
	}
	return 0;
}

/* mustRegexReplaceAll REGEX STRING REPL, with Go's ReplaceAllString walk:
 * an empty match right after a previous match is not replaced, and the
 * search always advances by at least one rune. */
static int f_regexReplaceAll(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	const struct val *src = &a[1];
	regmatch_t m[10];
	regex_t re;
	struct sb pat, s;
	size_t search = 0, last = 0;
	char emsg[96];
	int rc;

	(void)n;
	if (memchr(a[0].s, '\0', a[0].len))
		return fail(p, at, "error calling mustRegexReplaceAll: NUL byte in regular expression");
	sb_init(&pat);
	if (regex_translate(&pat, a[0].s, a[0].len, emsg, sizeof(emsg)) < 0) {
		buf_release(&pat.b);
		return fail(p, at, "error calling mustRegexReplaceAll: regular expression \"%s\": %s "
			    "(POSIX extended syntax, see gotmpl.h)", a[0].s, emsg);
	}
	if (pat.over) {
		buf_release(&pat.b);
		return fail(p, at, "error calling mustRegexReplaceAll: regular expression too long");
	}
	rc = regcomp(&re, buf_str(&pat.b), REG_EXTENDED);
	buf_release(&pat.b);
	if (rc) {
		char msg[128];

		regerror(rc, &re, msg, sizeof(msg));
		return fail(p, at, "error calling mustRegexReplaceAll: bad regular expression \"%s\" "
			    "(POSIX extended syntax): %s", a[0].s, msg);
	}
	sb_init(&s);
	while (search <= src->len) {
		size_t width;
		unsigned c;

		m[0].rm_so = (regoff_t)search;
		m[0].rm_eo = (regoff_t)src->len;
		if (regexec(&re, src->s, 10, m, REG_STARTEND) != 0)
			break;
		sb_add(&s, src->s + last, (size_t)m[0].rm_so - last);
		if ((size_t)m[0].rm_eo > last || m[0].rm_so == 0)
			regex_expand(&s, a[2].s, a[2].len, src->s, m, 10);
		last = (size_t)m[0].rm_eo;
		width = utf8_dec(src->s + search, src->len - search, &c);
		if (search + width > (size_t)m[0].rm_eo)
			search += width;
		else if (search + 1 > (size_t)m[0].rm_eo)
			search++;
		else
			search = (size_t)m[0].rm_eo;
	}
	regfree(&re);
	sb_add(&s, src->s + last, src->len - last);
	return val_from_sb(p, at, "mustRegexReplaceAll", &s, r);
}

/* Go's integer arithmetic wraps; do it in unsigned to stay defined in C. */
#define WRAP(op, x, y) ((long long)((unsigned long long)(x) op (unsigned long long)(y)))

static int f_add(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	long long sum = 0;
	int k;

	(void)p; (void)at;
	for (k = 0; k < n; k++)
		sum = WRAP(+, sum, to_int64(&a[k]));
	val_init_int(r, V_INT64, sum);
	return 0;
}

static int f_add1(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)p; (void)at; (void)n;
	val_init_int(r, V_INT64, WRAP(+, to_int64(&a[0]), 1));
	return 0;
}

static int f_sub(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)p; (void)at; (void)n;
	val_init_int(r, V_INT64, WRAP(-, to_int64(&a[0]), to_int64(&a[1])));
	return 0;
}

static int f_div(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	long long x = to_int64(&a[0]), y = to_int64(&a[1]);

	(void)n;
	if (y == 0)
		return fail(p, at, "error calling div: runtime error: integer divide by zero");
	val_init_int(r, V_INT64, y == -1 ? WRAP(-, 0, x) : x / y);
	return 0;
}

static int f_mod(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	long long x = to_int64(&a[0]), y = to_int64(&a[1]);

	(void)n;
	if (y == 0)
		return fail(p, at, "error calling mod: runtime error: integer divide by zero");
	val_init_int(r, V_INT64, y == -1 ? 0 : x % y);
	return 0;
}

static int f_mul(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	long long v = to_int64(&a[0]);
	int k;

	(void)p; (void)at;
	for (k = 1; k < n; k++)
		v = WRAP(*, v, to_int64(&a[k]));
	val_init_int(r, V_INT64, v);
	return 0;
}

static int f_max(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	long long v = to_int64(&a[0]);
	int k;

	(void)p; (void)at;
	for (k = 1; k < n; k++)
		if (to_int64(&a[k]) > v)
			v = to_int64(&a[k]);
	val_init_int(r, V_INT64, v);
	return 0;
}

static int f_min(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	long long v = to_int64(&a[0]);
	int k;

	(void)p; (void)at;
	for (k = 1; k < n; k++)
		if (to_int64(&a[k]) < v)
			v = to_int64(&a[k]);
	val_init_int(r, V_INT64, v);
	return 0;
}

static void ret_float(struct val *r, double f)
{
	memset(r, 0, sizeof(*r));
	r->kind = V_FLOAT;
	r->f = f;
}

static int f_floor(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)p; (void)at; (void)n;
	ret_float(r, floor(to_float64(&a[0])));
	return 0;
}

static int f_ceil(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)p; (void)at; (void)n;
	ret_float(r, ceil(to_float64(&a[0])));
	return 0;
}

/* sprig round VALUE PLACES [ROUND_ON=.5]: rounds up when the fraction of
 * VALUE*10^PLACES is >= ROUND_ON (so negative halves round down). */
static int f_round(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	double on = n > 2 ? a[2].f : 0.5;
	double pw = pow(10, (double)a[1].i);
	double digit = pw * to_float64(&a[0]);
	double ip, frac = modf(digit, &ip);

	(void)p; (void)at;
	ret_float(r, (frac >= on ? ceil(digit) : floor(digit)) / pw);
	return 0;
}

static int f_printf(struct tp *p, size_t at, struct val *a, int n, struct val *r);

static const struct fn fns[] = {
	{ "printf", "sa", true, f_printf },
	{ "lower", "s", false, f_lower },
	{ "upper", "s", false, f_upper },
	{ "title", "s", false, f_title },
	{ "untitle", "s", false, f_untitle },
	{ "trim", "s", false, f_trim },
	{ "trimAll", "ss", false, f_trimAll },
	{ "trimSuffix", "ss", false, f_trimSuffix },
	{ "trimPrefix", "ss", false, f_trimPrefix },
	{ "replace", "sss", false, f_replace },
	{ "contains", "ss", false, f_contains },
	{ "hasPrefix", "ss", false, f_hasPrefix },
	{ "hasSuffix", "ss", false, f_hasSuffix },
	{ "repeat", "is", false, f_repeat },
	{ "substr", "iis", false, f_substr },
	{ "nospace", "s", false, f_nospace },
	{ "trunc", "is", false, f_trunc },
	{ "initials", "s", false, f_initials },
	{ "mustRegexReplaceAll", "sss", false, f_regexReplaceAll },
	{ "add", "a", true, f_add },
	{ "add1", "a", false, f_add1 },
	{ "sub", "aa", false, f_sub },
	{ "div", "aa", false, f_div },
	{ "mod", "aa", false, f_mod },
	{ "mul", "aa", true, f_mul },
	{ "max", "aa", true, f_max },
	{ "min", "aa", true, f_min },
	{ "floor", "a", false, f_floor },
	{ "ceil", "a", false, f_ceil },
	{ "round", "aif", true, f_round },
};

static const struct fn *fn_find(const char *name, size_t len)
{
	size_t k;

	for (k = 0; k < sizeof(fns) / sizeof(fns[0]); k++)
		if (strlen(fns[k].name) == len && memcmp(fns[k].name, name, len) == 0)
			return &fns[k];
	return NULL;
}

/* ---- printf (Go's fmt for the verbs a name template needs) ---- */

struct spec {
	bool minus, plus, space, zero, sharp;
	bool has_wid, has_prec;
	int wid, prec;
	char verb;
};

/* Pad s (already formatted) to the width with spaces, or zeros when
 * zeros is set (fmt pads strings with zeros too). */
static void pad(struct sb *out, const struct spec *sp, const char *s, size_t len, bool zeros)
{
	size_t runes = rune_count(s, len), k;

	if (!sp->has_wid || (size_t)sp->wid <= runes) {
		sb_add(out, s, len);
		return;
	}
	if (sp->minus) {
		sb_add(out, s, len);
		for (k = runes; k < (size_t)sp->wid; k++)
			sb_addc(out, ' ');
		return;
	}
	for (k = runes; k < (size_t)sp->wid; k++)
		sb_addc(out, zeros ? '0' : ' ');
	sb_add(out, s, len);
}

static void fmt_integer(struct sb *out, const struct spec *sp, long long v, int base, bool upper)
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	char tmp[160], digits[80];
	int nd = 0, prec = -1, k = 0;
	bool neg = v < 0;

	do {
		digits[nd++] = dig[u % (unsigned)base];
		u /= (unsigned)base;
	} while (u);
	if (sp->has_prec) {
		prec = sp->prec;
		if (prec == 0 && v == 0)
			nd = 0;
	} else if (sp->zero && sp->has_wid && !sp->minus) {
		prec = sp->wid;
		if (neg || sp->plus || sp->space)
			prec--;
	}
	if (prec > 70)
		prec = 70;
	if (neg)
		tmp[k++] = '-';
	else if (sp->plus)
		tmp[k++] = '+';
	else if (sp->space)
		tmp[k++] = ' ';
	if (sp->sharp && base == 16) {
		tmp[k++] = '0';
		tmp[k++] = upper ? 'X' : 'x';
	} else if (sp->sharp && base == 8 && (nd == 0 || digits[nd - 1] != '0') && prec <= nd) {
		tmp[k++] = '0';
	}
	while (prec > nd) {
		tmp[k++] = '0';
		prec--;
	}
	while (nd)
		tmp[k++] = digits[--nd];
	pad(out, sp, tmp, (size_t)k, false);
}

/* %e %f %g of a float64.  glibc prints the same digits as Go for these
 * (both round exactly); only %g without a precision differs, where Go uses
 * the shortest representation. */
static void fmt_floatverb(struct sb *out, const struct spec *sp, double f)
{
	struct sb tmp;
	char cfmt[16], *num;
	int prec, need;
	const char *body;
	size_t k = 0, len, sign;

	sb_init(&tmp);
	if (isnan(f) || isinf(f) || ((sp->verb == 'g' || sp->verb == 'G') && !sp->has_prec)) {
		if (sp->plus && !signbit(f) && !isnan(f) && !isinf(f))
			sb_addc(&tmp, '+');
		else if (sp->space && !signbit(f) && !isnan(f) && !isinf(f))
			sb_addc(&tmp, ' ');
		fmt_float(&tmp, f);
		if (sp->verb == 'G') {
			for (k = 0; k < tmp.b.len; k++)
				if (tmp.b.data[k] == 'e')
					tmp.b.data[k] = 'E';
		}
		if (isnan(f) || isinf(f)) {
			pad(out, sp, buf_str(&tmp.b), tmp.b.len, false);
			buf_release(&tmp.b);
			return;
		}
	} else {
		cfmt[k++] = '%';
		if (sp->plus)
			cfmt[k++] = '+';
		else if (sp->space)
			cfmt[k++] = ' ';
		if (sp->sharp)
			cfmt[k++] = '#';
		memcpy(cfmt + k, ".*", 2);
		k += 2;
		cfmt[k++] = sp->verb;
		cfmt[k] = '\0';
		prec = sp->has_prec ? sp->prec : 6;
		need = snprintf(NULL, 0, cfmt, prec, f);
		num = need > 0 ? malloc((size_t)need + 1) : NULL;
		if (!num) {
			tmp.over = true;
		} else {
			snprintf(num, (size_t)need + 1, cfmt, prec, f);
			sb_add(&tmp, num, (size_t)need);
			free(num);
		}
	}
	body = buf_str(&tmp.b);
	len = tmp.b.len;
	sign = (len && strchr("+- ", body[0])) ? 1 : 0;
	if (sp->zero && !sp->minus && sp->has_wid && (size_t)sp->wid > len) {
		/* Zero padding goes between the sign and the digits. */
		sb_add(out, body, sign);
		for (k = len; k < (size_t)sp->wid; k++)
			sb_addc(out, '0');
		sb_add(out, body + sign, len - sign);
	} else {
		pad(out, sp, body, len, false);
	}
	if (tmp.over)
		out->over = true;
	buf_release(&tmp.b);
}

/* strconv.Quote, for %q. */
static void quote_str(struct sb *s, const char *str, size_t len)
{
	size_t i = 0, l;
	unsigned c;
	char esc[16];

	sb_addc(s, '"');
	while (i < len) {
		l = utf8_dec(str + i, len - i, &c);
		if (c == 0xFFFD && l == 1 && (unsigned char)str[i] >= 0x80) {
			snprintf(esc, sizeof(esc), "\\x%02x", (unsigned char)str[i]);
			sb_adds(s, esc);
		} else if (c == '"' || c == '\\') {
			sb_addc(s, '\\');
			sb_addc(s, (char)c);
		} else if (c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xA0)) {
			sb_add(s, str + i, l);
		} else {
			switch (c) {
			case '\a': sb_adds(s, "\\a"); break;
			case '\b': sb_adds(s, "\\b"); break;
			case '\f': sb_adds(s, "\\f"); break;
			case '\n': sb_adds(s, "\\n"); break;
			case '\r': sb_adds(s, "\\r"); break;
			case '\t': sb_adds(s, "\\t"); break;
			case '\v': sb_adds(s, "\\v"); break;
			default:
				if (c < 0x80)
					snprintf(esc, sizeof(esc), "\\x%02x", c);
				else
					snprintf(esc, sizeof(esc), "\\u%04x", c);
				sb_adds(s, esc);
			}
		}
		i += l;
	}
	sb_addc(s, '"');
}

/* Go's %!verb(type=value) for a verb the argument's type does not take. */
static void bad_verb(struct sb *out, char verb, const struct val *v)
{
	sb_adds(out, "%!");
	sb_addc(out, verb);
	sb_addc(out, '(');
	sb_adds(out, type_name(v));
	sb_addc(out, '=');
	val_print(out, v);
	sb_addc(out, ')');
}

static int fmt_one(struct tp *p, size_t at, struct sb *out, const struct spec *sp, const struct val *v)
{
	struct sb tmp;
	size_t k;

	switch (sp->verb) {
	case 'v':
	case 's':
		if (sp->verb == 's' && v->kind != V_STR) {
			bad_verb(out, sp->verb, v);
			return 0;
		}
		if (v->kind == V_INT || v->kind == V_INT64) {
			fmt_integer(out, sp, v->i, 10, false);
			return 0;
		}
		sb_init(&tmp);
		if (v->kind == V_STR && sp->sharp && sp->verb == 'v') {
			quote_str(&tmp, v->s, v->len);	/* %#v is Go syntax */
		} else if (v->kind == V_STR && sp->has_prec) {
			/* Precision counts runes. */
			size_t i = 0;
			unsigned c;

			for (k = 0; k < (size_t)sp->prec && i < v->len; k++)
				i += utf8_dec(v->s + i, v->len - i, &c);
			sb_add(&tmp, v->s, i);
		} else {
			val_print(&tmp, v);
		}
		pad(out, sp, buf_str(&tmp.b), tmp.b.len, sp->zero && !sp->minus);
		if (tmp.over)
			out->over = true;
		buf_release(&tmp.b);
		return 0;
	case 'd':
	case 'x':
	case 'X':
	case 'o':
	case 'b':
		if (v->kind == V_INT || v->kind == V_INT64) {
			int base = sp->verb == 'd' ? 10 : sp->verb == 'o' ? 8 : sp->verb == 'b' ? 2 : 16;

			fmt_integer(out, sp, v->i, base, sp->verb == 'X');
			return 0;
		}
		if (v->kind == V_STR && (sp->verb == 'x' || sp->verb == 'X')) {
			const char *dig = sp->verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";

			sb_init(&tmp);
			for (k = 0; k < v->len; k++) {
				sb_addc(&tmp, dig[(unsigned char)v->s[k] >> 4]);
				sb_addc(&tmp, dig[(unsigned char)v->s[k] & 15]);
			}
			pad(out, sp, buf_str(&tmp.b), tmp.b.len, sp->zero && !sp->minus);
			if (tmp.over)
				out->over = true;
			buf_release(&tmp.b);
			return 0;
		}
		bad_verb(out, sp->verb, v);
		return 0;
	case 'q':
	case 'c':
		sb_init(&tmp);
		if (v->kind == V_STR && sp->verb == 'q') {
			size_t i = v->len;
			unsigned c;

			if (sp->has_prec) {
				for (k = 0, i = 0; k < (size_t)sp->prec && i < v->len; k++)
					i += utf8_dec(v->s + i, v->len - i, &c);
			}
			quote_str(&tmp, v->s, i);
		} else if (v->kind == V_INT || v->kind == V_INT64) {
			unsigned r = (v->i < 0 || v->i > 0x10FFFF) ? 0xFFFD : (unsigned)v->i;

			if (sp->verb == 'c') {
				utf8_enc(&tmp, r);
			} else if (r == '\'') {
				sb_adds(&tmp, "'\\''");
			} else {
				struct sb q;

				/* Quote as a string, then swap the quotes. */
				sb_init(&q);
				utf8_enc(&q, r);
				if (r == '"') {
					sb_adds(&tmp, "'\"'");
				} else {
					struct sb qq;

					sb_init(&qq);
					quote_str(&qq, buf_str(&q.b), q.b.len);
					sb_addc(&tmp, '\'');
					sb_add(&tmp, qq.b.data + 1, qq.b.len - 2);
					sb_addc(&tmp, '\'');
					buf_release(&qq.b);
				}
				buf_release(&q.b);
			}
		} else {
			buf_release(&tmp.b);
			bad_verb(out, sp->verb, v);
			return 0;
		}
		pad(out, sp, buf_str(&tmp.b), tmp.b.len, sp->zero && !sp->minus);
		if (tmp.over)
			out->over = true;
		buf_release(&tmp.b);
		return 0;
	case 'e':
	case 'E':
	case 'f':
	case 'F':
	case 'g':
	case 'G':
		if (v->kind != V_FLOAT) {
			bad_verb(out, sp->verb, v);
			return 0;
		}
		fmt_floatverb(out, sp, v->f);
		return 0;
	case 't':
		if (v->kind != V_BOOL) {
			bad_verb(out, 't', v);
			return 0;
		}
		pad(out, sp, v->b ? "true" : "false", v->b ? 4 : 5, sp->zero && !sp->minus);
		return 0;
	}
	return fail(p, at, "printf: verb %%%c is not supported", sp->verb);
}

static int f_printf(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	const char *f = a[0].s;
	size_t len = a[0].len, i = 0;
	int argi = 1;
	struct sb out;

	sb_init(&out);
	while (i < len) {
		struct spec sp;
		int *num;

		if (f[i] != '%') {
			sb_addc(&out, f[i++]);
			continue;
		}
		i++;
		memset(&sp, 0, sizeof(sp));
		for (; i < len; i++) {
			if (f[i] == '-')
				sp.minus = true;
			else if (f[i] == '+')
				sp.plus = true;
			else if (f[i] == ' ')
				sp.space = true;
			else if (f[i] == '0')
				sp.zero = true;
			else if (f[i] == '#')
				sp.sharp = true;
			else
				break;
		}
		num = &sp.wid;
		for (;;) {
			if (i < len && (f[i] == '*' || f[i] == '[')) {
				buf_release(&out.b);
				return fail(p, at, "printf: '%c' in a verb is not supported", f[i]);
			}
			while (i < len && isdigit((unsigned char)f[i])) {
				*num = *num * 10 + (f[i++] - '0');
				if (*num > 1000000) {
					buf_release(&out.b);
					return fail(p, at, "printf: width or precision too large");
				}
				if (num == &sp.wid)
					sp.has_wid = true;
			}
			if (num == &sp.wid && i < len && f[i] == '.') {
				i++;
				sp.has_prec = true;
				num = &sp.prec;
				continue;
			}
			break;
		}
		if (i >= len) {
			sb_adds(&out, "%!(NOVERB)");
			break;
		}
		sp.verb = f[i++];
		if (sp.verb == '%') {
			sb_addc(&out, '%');
			continue;
		}
		if (argi >= n) {
			sb_adds(&out, "%!");
			sb_addc(&out, sp.verb);
			sb_adds(&out, "(MISSING)");
			continue;
		}
		if (fmt_one(p, at, &out, &sp, &a[argi++]) < 0) {
			buf_release(&out.b);
			return -1;
		}
	}
	if (argi < n) {
		sb_adds(&out, "%!(EXTRA ");
		for (; argi < n; argi++) {
			sb_adds(&out, type_name(&a[argi]));
			sb_addc(&out, '=');
			val_print(&out, &a[argi]);
			if (argi + 1 < n)
				sb_adds(&out, ", ");
		}
		sb_addc(&out, ')');
	}
	return val_from_sb(p, at, "printf", &out, r);
}

/* ---- calling ---- */

static int call_fn(struct tp *p, size_t at, const struct fn *fn, struct val *args, int n, struct val *r)
{
	int np = (int)strlen(fn->params), k;

	if (!fn->variadic && n != np)
		return fail(p, at, "wrong number of args for %s: want %d got %d", fn->name, np, n);
	if (fn->variadic && n < np - 1)
		return fail(p, at, "wrong number of args for %s: want at least %d got %d",
			    fn->name, np - 1, n);
	for (k = 0; k < n; k++) {
		char want = fn->params[k < np ? k : np - 1];
		struct val *v = &args[k];

		if (want == 'a')
			continue;
		if (want == 's' && v->kind == V_STR)
			continue;
		if (want == 'i' && v->kind == V_INT)
			continue;
		if (want == 'i' && v->kind == V_FLOAT && v->lit && v->f == floor(v->f) &&
		    fabs(v->f) < 9.2e18) {
			/* Go treats an integral float constant (3.0, 1e3) as an int. */
			val_init_int(v, V_INT, (long long)v->f);
			continue;
		}
		if (want == 'f' && v->kind == V_FLOAT)
			continue;
		if (want == 'f' && v->kind == V_INT && v->lit) {
			/* An untyped integer constant converts to float64. */
			v->kind = V_FLOAT;
			v->f = (double)v->i;
			continue;
		}
		return fail(p, at, "wrong type for argument %d of %s: expected %s; got %s", k + 1,
			    fn->name, want == 's' ? "string" : want == 'i' ? "int" : "float64",
			    type_name(v));
	}
	return fn->call(p, at, args, n, r);
}

/* ---- the parser/evaluator ---- */

static const char *const keywords[] = {
	"if", "else", "end", "range", "with", "define", "template", "block",
	"break", "continue",
};

static bool at_right_delim(const struct tp *p, bool *trim)
{
	const char *t = p->t + p->pos;
	size_t left = p->n - p->pos;

	if (left >= 2 && t[0] == '}' && t[1] == '}') {
		*trim = false;
		return true;
	}
	if (left >= 3 && t[0] == '-' && t[1] == '}' && t[2] == '}' && p->pos > 0 &&
	    is_tspace(p->t[p->pos - 1])) {
		*trim = true;
		return true;
	}
	return false;
}

static void skip_space(struct tp *p)
{
	while (p->pos < p->n && is_tspace(p->t[p->pos]))
		p->pos++;
}

/* End of a command: '|', ')', the right delimiter or the end of input. */
static bool at_cmd_end(const struct tp *p)
{
	bool trim;

	return p->pos >= p->n || p->t[p->pos] == '|' || p->t[p->pos] == ')' || at_right_delim(p, &trim);
}

/* After an operand only a space, '|', ')' or the delimiter may follow. */
static int after_operand(struct tp *p)
{
	bool trim;
	char c;

	if (p->pos >= p->n || at_right_delim(p, &trim))
		return 0;
	c = p->t[p->pos];
	if (is_tspace(c) || c == '|' || c == ')')
		return 0;
	if (c == '.' && p->pos > 0 && p->t[p->pos - 1] == ')')
		return fail(p, p->pos, "field access on a parenthesised pipeline is not supported");
	return fail(p, p->pos, "unexpected \"%c\" in operand", c);
}

static int parse_pipeline(struct tp *p, struct val *res, bool paren);

static int parse_string(struct tp *p, struct val *v)
{
	size_t start = p->pos, i;
	struct sb s;
	char q = p->t[p->pos++];

	if (q == '`') {
		const char *e = memchr(p->t + p->pos, '`', p->n - p->pos);

		if (!e)
			return fail(p, start, "unterminated raw quoted string");
		i = (size_t)(e - p->t);
		if (val_set_str(p, start, v, p->t + p->pos, i - p->pos) < 0)
			return -1;
		v->lit = true;
		p->pos = i + 1;
		return 0;
	}
	sb_init(&s);
	for (;;) {
		char c;

		if (p->pos >= p->n || p->t[p->pos] == '\n') {
			buf_release(&s.b);
			return fail(p, start, "unterminated quoted string");
		}
		c = p->t[p->pos++];
		if (c == '"')
			break;
		if (c != '\\') {
			sb_addc(&s, c);
			continue;
		}
		if (p->pos >= p->n) {
			buf_release(&s.b);
			return fail(p, start, "unterminated quoted string");
		}
		c = p->t[p->pos++];
		switch (c) {
		case 'a': sb_addc(&s, '\a'); break;
		case 'b': sb_addc(&s, '\b'); break;
		case 'f': sb_addc(&s, '\f'); break;
		case 'n': sb_addc(&s, '\n'); break;
		case 'r': sb_addc(&s, '\r'); break;
		case 't': sb_addc(&s, '\t'); break;
		case 'v': sb_addc(&s, '\v'); break;
		case '\\': sb_addc(&s, '\\'); break;
		case '"': sb_addc(&s, '"'); break;
		case 'x': case 'u': case 'U': case '0': case '1': case '2': case '3':
		case '4': case '5': case '6': case '7': {
			int nd = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 2;
			int base = (c == 'x' || c == 'u' || c == 'U') ? 16 : 8;
			unsigned val = base == 8 ? (unsigned)(c - '0') : 0;
			int k;

			for (k = 0; k < nd; k++) {
				char d = p->pos < p->n ? p->t[p->pos] : '\0';
				int dv;

				if (base == 16 && isxdigit((unsigned char)d))
					dv = isdigit((unsigned char)d) ? d - '0' : tolower((unsigned char)d) - 'a' + 10;
				else if (base == 8 && d >= '0' && d <= '7')
					dv = d - '0';
				else
					goto bad_escape;
				val = val * (unsigned)base + (unsigned)dv;
				p->pos++;
			}
			if (c == 'u' || c == 'U') {
				if (val > 0x10FFFF || (val >= 0xD800 && val <= 0xDFFF))
					goto bad_escape;
				utf8_enc(&s, val);
			} else {
				if (val > 255)
					goto bad_escape;
				sb_addc(&s, (char)val);
			}
			break;
		}
		default:
			goto bad_escape;
		}
	}
	if (val_from_sb(p, start, "string literal", &s, v) < 0)
		return -1;
	v->lit = true;
	return 0;
bad_escape:
	buf_release(&s.b);
	return fail(p, start, "bad escape sequence in quoted string");
}

static int parse_number(struct tp *p, struct val *v)
{
	size_t start = p->pos, len;
	char tmp[64], *end;

	if (p->t[p->pos] == '+' || p->t[p->pos] == '-')
		p->pos++;
	while (p->pos < p->n) {
		char c = p->t[p->pos];

		if (is_ident_char(c) || c == '.') {
			p->pos++;
		} else if ((c == '+' || c == '-') && strchr("eEpP", p->t[p->pos - 1]) &&
			   !(p->t[start] == '0' && p->pos - start > 1 && strchr("xX", p->t[start + 1]) &&
			     strchr("eE", p->t[p->pos - 1]))) {
			p->pos++;
		} else {
			break;
		}
	}
	len = p->pos - start;
	if (len >= sizeof(tmp))
		return fail(p, start, "bad number syntax: %.*s", (int)len, p->t + start);
	memcpy(tmp, p->t + start, len);
	tmp[len] = '\0';
	memset(v, 0, sizeof(*v));
	v->lit = true;
	{
		/* Go's 0b and 0o prefixes, which strtoll does not know. */
		char *q = tmp + (tmp[0] == '-' || tmp[0] == '+');

		if (q[0] == '0' && q[1] && strchr("bBoO", q[1]) && q[2]) {
			int base = (q[1] == 'b' || q[1] == 'B') ? 2 : 8;

			errno = 0;
			v->i = strtoll(q + 2, &end, base);
			if (*end || !isalnum((unsigned char)q[2]))
				return fail(p, start, "bad number syntax: %s", tmp);
			if (errno)
				return fail(p, start, "number out of range: %s", tmp);
			if (tmp[0] == '-')
				v->i = -v->i;
			v->kind = V_INT;
			return 0;
		}
	}
	errno = 0;
	v->i = strtoll(tmp, &end, 0);
	if (end != tmp && !*end && isdigit((unsigned char)tmp[len - 1])) {
		if (errno)
			return fail(p, start, "number out of range: %s", tmp);
		v->kind = V_INT;
		return 0;
	}
	errno = 0;
	v->f = strtod(tmp, &end);
	if (end != tmp && !*end && !strpbrk(tmp, "nNiI") && (isdigit((unsigned char)tmp[0]) ||
	    tmp[0] == '.' || ((tmp[0] == '-' || tmp[0] == '+') && (isdigit((unsigned char)tmp[1]) ||
	    tmp[1] == '.')))) {
		if (errno == ERANGE && isinf(v->f))
			return fail(p, start, "number out of range: %s", tmp);
		v->kind = V_FLOAT;
		return 0;
	}
	return fail(p, start, "bad number syntax: %s", tmp);
}

/* .A or .A.B: a key of the data object, strings/numbers/booleans only. */
static int parse_field(struct tp *p, struct val *v)
{
	size_t start = p->pos;
	const cJSON *node = p->data;

	memset(v, 0, sizeof(*v));
	v->kind = V_STR;
	while (p->pos < p->n && p->t[p->pos] == '.' && p->pos + 1 < p->n &&
	       is_ident_start(p->t[p->pos + 1])) {
		size_t ns = ++p->pos;
		char name[128];

		while (p->pos < p->n && is_ident_char(p->t[p->pos]))
			p->pos++;
		if (!p->exec)
			continue;
		if (p->pos - ns >= sizeof(name))
			return fail(p, start, "field name too long");
		memcpy(name, p->t + ns, p->pos - ns);
		name[p->pos - ns] = '\0';
		if (!cJSON_IsObject(node))
			return fail(p, start, "can't evaluate field %s: %.*s is not an object", name,
				    (int)(ns - 1 - start), p->t + start);
		node = cJSON_GetObjectItemCaseSensitive(node, name);
		if (!node)
			return fail(p, start, "unknown field .%s (no key \"%s\" in the template data)",
				    name, name);
	}
	if (!p->exec)
		return val_set_str(p, start, v, "", 0);
	if (cJSON_IsString(node))
		return val_set_str(p, start, v, node->valuestring, strlen(node->valuestring));
	if (cJSON_IsBool(node)) {
		ret_bool(v, cJSON_IsTrue(node));
		return 0;
	}
	if (cJSON_IsNumber(node)) {
		double d = node->valuedouble;

		if (d == floor(d) && d >= -9223372036854775807.0 && d <= 9223372036854775807.0) {
			val_init_int(v, V_INT, (long long)d);
		} else {
			ret_float(v, d);
		}
		return 0;
	}
	return fail(p, start, "field %.*s has unsupported type %s (only strings, numbers and booleans)",
		    (int)(p->pos - start), p->t + start, node && cJSON_IsNull(node) ? "null" :
		    cJSON_IsArray(node) ? "array" : "object");
}

/* An identifier: a keyword (rejected), true/false, or a function. */
static int read_ident(struct tp *p, size_t *len)
{
	size_t start = p->pos, k;

	while (p->pos < p->n && is_ident_char(p->t[p->pos]))
		p->pos++;
	*len = p->pos - start;
	for (k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
		if (strlen(keywords[k]) == *len && memcmp(keywords[k], p->t + start, *len) == 0)
			return fail(p, start, "\"%s\" actions are not supported (only pipelines "
				    "of fields, literals and functions)", keywords[k]);
	if (*len == 3 && memcmp(p->t + start, "nil", 3) == 0)
		return fail(p, start, "nil is not supported");
	return 0;
}

/* One operand that is not a function name at the head of a command.
 * A bare function name here is a call without arguments, as in Go. */
static int parse_operand(struct tp *p, struct val *v)
{
	size_t start = p->pos;
	char c = p->t[p->pos];

	memset(v, 0, sizeof(*v));
	if (c == '(') {
		if (p->depth >= GOTMPL_MAX_DEPTH)
			return fail(p, start, "parentheses nested deeper than %d", GOTMPL_MAX_DEPTH);
		p->pos++;
		p->depth++;
		if (parse_pipeline(p, v, true) < 0)
			return -1;
		p->depth--;
		if (p->pos >= p->n || p->t[p->pos] != ')') {
			val_free(v);
			return fail(p, start, "unclosed left paren");
		}
		p->pos++;
		v->lit = false;
		return 0;
	}
	if (c == '"' || c == '`')
		return parse_string(p, v);
	if (c == '.' && p->pos + 1 < p->n && is_ident_start(p->t[p->pos + 1]))
		return parse_field(p, v);
	if (c == '.' && p->pos + 1 < p->n && isdigit((unsigned char)p->t[p->pos + 1]))
		return parse_number(p, v);
	if (c == '.')
		return fail(p, start, "\".\" (the whole data) is not supported; use a field such as .Name");
	if (isdigit((unsigned char)c) || c == '-' || c == '+')
		return parse_number(p, v);
	if (c == '$')
		return fail(p, start, "variables are not supported");
	if (c == '\'')
		return fail(p, start, "character constants are not supported");
	if (is_ident_start(c)) {
		const struct fn *fn;
		size_t len;

		if (read_ident(p, &len) < 0)
			return -1;
		if ((len == 4 && !memcmp(p->t + start, "true", 4)) ||
		    (len == 5 && !memcmp(p->t + start, "false", 5))) {
			ret_bool(v, len == 4);
			v->lit = true;
			return 0;
		}
		fn = fn_find(p->t + start, len);
		if (!fn)
			return fail(p, start, "function \"%.*s\" not defined", (int)len, p->t + start);
		if (!p->exec)
			return val_set_str(p, start, v, "", 0);
		return call_fn(p, start, fn, NULL, 0, v);
	}
	return fail(p, start, "unexpected \"%c\" in command", c);
}

/* command := function operand* | operand; piped is the previous command's
 * value, passed as the last argument. */
static int parse_command(struct tp *p, struct val *piped, struct val *res)
{
	struct val args[GOTMPL_MAX_ARGS + 1];
	size_t start = p->pos, len;
	const struct fn *fn = NULL;
	int n = 0, k, rc = -1;

	if (is_ident_start(p->t[p->pos])) {
		if (read_ident(p, &len) < 0)
			goto out;
		if (!((len == 4 && !memcmp(p->t + start, "true", 4)) ||
		      (len == 5 && !memcmp(p->t + start, "false", 5)))) {
			fn = fn_find(p->t + start, len);
			if (!fn) {
				fail(p, start, "function \"%.*s\" not defined", (int)len, p->t + start);
				goto out;
			}
			if (after_operand(p) < 0)
				goto out;
		} else {
			p->pos = start;
		}
	}
	if (!fn) {
		if (parse_operand(p, res) < 0)
			goto out;
		if (after_operand(p) < 0)
			goto free_res;
		len = p->pos - start;
		skip_space(p);
		if (!at_cmd_end(p) || piped) {
			fail(p, start, "can't give argument to non-function %.*s",
			     (int)len, p->t + start);
			goto free_res;
		}
		rc = 0;
		goto out;
	}
	for (;;) {
		skip_space(p);
		if (at_cmd_end(p))
			break;
		if (n >= GOTMPL_MAX_ARGS) {
			fail(p, p->pos, "more than %d arguments", GOTMPL_MAX_ARGS);
			goto out;
		}
		if (parse_operand(p, &args[n]) < 0)
			goto out;
		n++;
		if (after_operand(p) < 0)
			goto out;
	}
	if (piped) {
		args[n++] = *piped;
		piped->kind = V_BOOL;	/* ownership moved */
		piped->s = NULL;
	}
	if (!p->exec)
		rc = val_set_str(p, start, res, "", 0);
	else
		rc = call_fn(p, start, fn, args, n, res);
out:
	for (k = 0; k < n; k++)
		val_free(&args[k]);
	if (piped)
		val_free(piped);
	return rc;
free_res:
	val_free(res);
	goto out;
}

static int parse_pipeline(struct tp *p, struct val *res, bool paren)
{
	struct val prev;
	bool have = false;

	memset(res, 0, sizeof(*res));
	for (;;) {
		size_t at;

		skip_space(p);
		at = p->pos;
		if (p->pos < p->n && p->t[p->pos] == '|') {
			if (have)
				val_free(&prev);
			return fail(p, at, "missing command before \"|\"");
		}
		if (at_cmd_end(p)) {
			if (have)
				val_free(&prev);
			if (p->pos >= p->n)
				return fail(p, at, "unclosed action");
			if (have)
				return fail(p, at, "missing command after \"|\"");
			if (paren)
				return fail(p, at, "missing value for parenthesized pipeline");
			return fail(p, at, "missing value for command");
		}
		if (parse_command(p, have ? &prev : NULL, res) < 0)
			return -1;
		prev = *res;
		have = true;
		skip_space(p);
		if (p->pos < p->n && p->t[p->pos] == '|') {
			p->pos++;
			continue;
		}
		return 0;
	}
}

/* Everything after "{{" (and a left trim marker) up to and including the
 * right delimiter. */
static int parse_action(struct tp *p, size_t open, struct sb *out, bool *rtrim)
{
	struct val v;

	/* A comment must start right after the delimiter (and trim marker). */
	if (p->n - p->pos >= 2 && p->t[p->pos] == '/' && p->t[p->pos + 1] == '*') {
		const char *e = NULL;
		size_t i;

		for (i = p->pos + 2; i + 1 < p->n; i++)
			if (p->t[i] == '*' && p->t[i + 1] == '/') {
				e = p->t + i;
				break;
			}
		if (!e)
			return fail(p, open, "unclosed comment");
		p->pos = (size_t)(e - p->t) + 2;
		if (p->n - p->pos >= 2 && !memcmp(p->t + p->pos, "}}", 2)) {
			*rtrim = false;
			p->pos += 2;
			return 0;
		}
		if (p->n - p->pos >= 4 && is_tspace(p->t[p->pos]) && !memcmp(p->t + p->pos + 1, "-}}", 3)) {
			*rtrim = true;
			p->pos += 4;
			return 0;
		}
		return fail(p, p->pos, "comment ends before closing delimiter");
	}
	if (parse_pipeline(p, &v, false) < 0)
		return -1;
	skip_space(p);
	if (p->pos >= p->n) {
		val_free(&v);
		return fail(p, open, "unclosed action");
	}
	if (!at_right_delim(p, rtrim)) {
		val_free(&v);
		if (p->t[p->pos] == ')')
			return fail(p, p->pos, "unexpected right paren");
		return fail(p, p->pos, "unexpected \"%c\" in action", p->t[p->pos]);
	}
	p->pos += *rtrim ? 3 : 2;
	if (p->exec)
		val_print(out, &v);
	val_free(&v);
	return 0;
}

static int run(struct tp *p, struct sb *out)
{
	bool rtrim = false;

	p->pos = 0;
	while (p->pos < p->n) {
		const char *o = memmem(p->t + p->pos, p->n - p->pos, "{{", 2);
		size_t tend = o ? (size_t)(o - p->t) : p->n, tstart = p->pos, open;
		bool ltrim;

		if (rtrim)
			while (tstart < tend && is_tspace(p->t[tstart]))
				tstart++;
		ltrim = o && tend + 3 < p->n && p->t[tend + 2] == '-' && is_tspace(p->t[tend + 3]);
		if (ltrim)
			while (tend > tstart && is_tspace(p->t[tend - 1]))
				tend--;
		if (p->exec)
			sb_add(out, p->t + tstart, tend - tstart);
		if (!o)
			break;
		open = (size_t)(o - p->t);
		p->pos = open + 2 + (ltrim ? 2 : 0);
		if (parse_action(p, open, out, &rtrim) < 0)
			return -1;
		if (out->over)
			return fail(p, open, "output longer than %zu bytes", out->b.max);
	}
	return 0;
}

int gotmpl_render(const char *tmpl, const cJSON *data, struct buf *out, struct mtv_err *err)
{
	struct tp p;
	struct sb o;
	size_t avail;

	if (!tmpl)
		return mtv_err_set(err, MTV_EXIT_USAGE, "template: no template given");
	memset(&p, 0, sizeof(p));
	p.t = tmpl;
	p.n = strlen(tmpl);
	p.data = data;
	p.err = err;
	avail = out->max > out->len ? out->max - out->len : 1;
	buf_init(&o.b, avail);
	o.over = false;
	if (run(&p, &o) < 0)
		goto fail;
	p.exec = true;
	p.depth = 0;
	if (run(&p, &o) < 0)
		goto fail;
	if (o.over || buf_add(out, o.b.data ? o.b.data : "", o.b.len) < 0) {
		fail(&p, 0, "output longer than %zu bytes", out->max - out->len);
		goto fail;
	}
	buf_release(&o.b);
	return 0;
fail:
	buf_release(&o.b);
	return -1;
}
