/* The sprig functions Forklift allows in its name templates
 * (pkg/templateutil), with sprig's argument order and Go's typing; see
 * gotmpl.h.  The table at the end is what the executor calls. */
#include "gotmpl_int.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

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

/* lower, upper: ASCII letters only, as the byte-wise conversion they had. */
static int map_ascii(struct tp *p, size_t at, const struct val *s, int (*conv)(int), struct val *r)
{
	if (gt_val_set_str(p, at, r, s->s, s->len) < 0)
		return -1;
	for (size_t i = 0; i < r->len; i++)
		r->s[i] = (char)conv((unsigned char)r->s[i]);
	return 0;
}

static int f_lower(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)n;
	return map_ascii(p, at, &a[0], tolower, r);
}

static int f_upper(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)n;
	return map_ascii(p, at, &a[0], toupper, r);
}

/* strings.Title: upper-case a letter that follows a separator. */
static bool title_sep(unsigned r)
{
	if (r < 0x80)
		return !(isalnum((int)r) || r == '_');
	return gt_is_uspace(r);
}

/* Convert (ASCII only) each rune that starts s or follows a separator. */
static int case_after_sep(struct tp *p, size_t at, const struct val *s, bool (*sep)(unsigned),
			  int (*conv)(int), struct val *r)
{
	unsigned prev = ' ', c;
	size_t i = 0, l;

	if (gt_val_set_str(p, at, r, s->s, s->len) < 0)
		return -1;
	while (i < r->len) {
		l = gt_utf8_dec(r->s + i, r->len - i, &c);
		if (sep(prev) && c < 0x80)
			r->s[i] = (char)conv((int)c);
		prev = c;
		i += l;
	}
	return 0;
}

static int f_title(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)n;
	return case_after_sep(p, at, &a[0], title_sep, toupper, r);
}

/* goutils Uncapitalize: lower-case the first letter of each
 * whitespace-separated word. */
static int f_untitle(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)n;
	return case_after_sep(p, at, &a[0], gt_is_uspace, tolower, r);
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

		l = gt_utf8_dec(s + i, len - i, &c);
		if (!cut) {
			in = gt_is_uspace(c);
		} else {
			while (j < cutlen && !in) {
				j += gt_utf8_dec(cut + j, cutlen - j, &d);
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
		return gt_val_set_str(p, at, r, "", 0);
	return gt_val_set_str(p, at, r, s + first, last - first);
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
		return gt_val_set_str(p, at, r, a[1].s, a[1].len - a[0].len);
	return gt_val_set_str(p, at, r, a[1].s, a[1].len);
}

static int f_trimPrefix(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)n;
	if (has_prefix(&a[1], &a[0]))
		return gt_val_set_str(p, at, r, a[1].s + a[0].len, a[1].len - a[0].len);
	return gt_val_set_str(p, at, r, a[1].s, a[1].len);
}

static int f_contains(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)p; (void)at; (void)n;
	gt_ret_bool(r, memmem(a[1].s, a[1].len, a[0].s, a[0].len) != NULL || a[0].len == 0);
	return 0;
}

static int f_hasPrefix(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)p; (void)at; (void)n;
	gt_ret_bool(r, has_prefix(&a[1], &a[0]));
	return 0;
}

static int f_hasSuffix(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)p; (void)at; (void)n;
	gt_ret_bool(r, has_suffix(&a[1], &a[0]));
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
			size_t l = gt_utf8_dec(src->s + i, src->len - i, &c);

			sb_add(&s, new->s, new->len);
			sb_add(&s, src->s + i, l);
			i += l;
		}
		sb_add(&s, new->s, new->len);
		return gt_val_from_sb(p, at, "replace", &s, r);
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
	return gt_val_from_sb(p, at, "replace", &s, r);
}

static int f_repeat(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	struct sb s;
	long long k;

	(void)n;
	if (a[0].i < 0)
		return gt_fail(p, at, "error calling repeat: strings: negative Repeat count");
	if (a[1].len && (unsigned long long)a[0].i > GOTMPL_VALUE_MAX / a[1].len)
		return gt_fail(p, at, "result of repeat longer than %u bytes", GOTMPL_VALUE_MAX);
	sb_init(&s);
	for (k = 0; k < a[0].i && a[1].len; k++)
		sb_add(&s, a[1].s, a[1].len);
	return gt_val_from_sb(p, at, "repeat", &s, r);
}

/* sprig substr: byte offsets; the cases Go would panic on are errors. */
static int f_substr(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	long long start = a[0].i, end = a[1].i, len = (long long)a[2].len;

	(void)n;
	if (start < 0) {
		if (end < 0 || end > len)
			goto bounds;
		return gt_val_set_str(p, at, r, a[2].s, (size_t)end);
	}
	if (end < 0 || end > len) {
		if (start > len)
			goto bounds;
		return gt_val_set_str(p, at, r, a[2].s + start, (size_t)(len - start));
	}
	if (start > end)
		goto bounds;
	return gt_val_set_str(p, at, r, a[2].s + start, (size_t)(end - start));
bounds:
	return gt_fail(p, at, "error calling substr: slice bounds out of range "
		    "(start %lld, end %lld, length %lld)", start, end, len);
}

/* The runes of s that are not (Unicode) spaces; with word_starts, only
 * the first of each space-separated word. */
static int non_space_runes(struct tp *p, size_t at, const struct val *s, bool word_starts,
			   const char *fn, struct val *r)
{
	struct sb out;
	unsigned prev = ' ', c;
	size_t i = 0, l;

	sb_init(&out);
	while (i < s->len) {
		l = gt_utf8_dec(s->s + i, s->len - i, &c);
		if (!gt_is_uspace(c) && (!word_starts || gt_is_uspace(prev)))
			sb_add(&out, s->s + i, l);
		prev = c;
		i += l;
	}
	return gt_val_from_sb(p, at, fn, &out, r);
}

static int f_nospace(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)n;
	return non_space_runes(p, at, &a[0], false, "nospace", r);
}

/* sprig trunc: a negative count keeps the end of the string. */
static int f_trunc(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	long long c = a[0].i, len = (long long)a[1].len;

	(void)n;
	if (c < 0 && len + c > 0)
		return gt_val_set_str(p, at, r, a[1].s + len + c, (size_t)-c);
	if (c >= 0 && len > c)
		return gt_val_set_str(p, at, r, a[1].s, (size_t)c);
	return gt_val_set_str(p, at, r, a[1].s, a[1].len);
}

static int f_initials(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)n;
	return non_space_runes(p, at, &a[0], true, "initials", r);
}

/* Go's Regexp.Expand for a template without named groups: $1, ${1}, $$. */
/* mustRegexReplaceAll REGEX STRING REPL = regexp.MustCompile(REGEX)
 * .ReplaceAllString(STRING, REPL), a bad REGEX being an error. */
static int f_regexReplaceAll(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)n;
	return gt_regex_replace_all(p, at, "mustRegexReplaceAll", &a[0], &a[1], &a[2], r);
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
	gt_val_init_int(r, V_INT64, sum);
	return 0;
}

static int f_add1(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)p; (void)at; (void)n;
	gt_val_init_int(r, V_INT64, WRAP(+, to_int64(&a[0]), 1));
	return 0;
}

static int f_sub(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)p; (void)at; (void)n;
	gt_val_init_int(r, V_INT64, WRAP(-, to_int64(&a[0]), to_int64(&a[1])));
	return 0;
}

/* div and mod as Go's int64 / and %: dividing by zero is a runtime
 * error, and by -1 wraps (MinInt64 / -1) instead of trapping. */
static int int_divide(struct tp *p, size_t at, const struct val *a, bool mod, struct val *r)
{
	long long x = to_int64(&a[0]), y = to_int64(&a[1]);

	if (y == 0)
		return gt_fail(p, at, "error calling %s: runtime error: integer divide by zero",
			       mod ? "mod" : "div");
	if (mod)
		gt_val_init_int(r, V_INT64, y == -1 ? 0 : x % y);
	else
		gt_val_init_int(r, V_INT64, y == -1 ? WRAP(-, 0, x) : x / y);
	return 0;
}

static int f_div(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)n;
	return int_divide(p, at, a, false, r);
}

static int f_mod(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)n;
	return int_divide(p, at, a, true, r);
}

static int f_mul(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	long long v = to_int64(&a[0]);
	int k;

	(void)p; (void)at;
	for (k = 1; k < n; k++)
		v = WRAP(*, v, to_int64(&a[k]));
	gt_val_init_int(r, V_INT64, v);
	return 0;
}

/* max (sign 1) or min (sign -1) of the arguments as int64. */
static void extreme(const struct val *a, int n, int sign, struct val *r)
{
	long long v = to_int64(&a[0]);

	for (int k = 1; k < n; k++) {
		long long x = to_int64(&a[k]);

		if (sign > 0 ? x > v : x < v)
			v = x;
	}
	gt_val_init_int(r, V_INT64, v);
}

static int f_max(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)p; (void)at;
	extreme(a, n, 1, r);
	return 0;
}

static int f_min(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)p; (void)at;
	extreme(a, n, -1, r);
	return 0;
}

static int f_floor(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)p; (void)at; (void)n;
	gt_ret_float(r, floor(to_float64(&a[0])));
	return 0;
}

static int f_ceil(struct tp *p, size_t at, struct val *a, int n, struct val *r)
{
	(void)p; (void)at; (void)n;
	gt_ret_float(r, ceil(to_float64(&a[0])));
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
	gt_ret_float(r, (frac >= on ? ceil(digit) : floor(digit)) / pw);
	return 0;
}

static const struct fn fns[] = {
	{ "printf", "sa", true, gt_printf },
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

const struct fn *gt_fn_find(const char *name, size_t len)
{
	size_t k;

	for (k = 0; k < sizeof(fns) / sizeof(fns[0]); k++)
		if (strlen(fns[k].name) == len && memcmp(fns[k].name, name, len) == 0)
			return &fns[k];
	return NULL;
}

