/* Go's fmt for gotmpl: %v of a value (what an action prints) and printf
 * with the verbs, flags and in-band error reports a name template needs;
 * see gotmpl.h. */
#include "gotmpl_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

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
void gt_val_print(struct sb *s, const struct val *v)
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
	size_t runes = gt_rune_count(s, len), k;

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
		l = gt_utf8_dec(str + i, len - i, &c);
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
	sb_adds(out, gt_type_name(v));
	sb_addc(out, '=');
	gt_val_print(out, v);
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
				i += gt_utf8_dec(v->s + i, v->len - i, &c);
			sb_add(&tmp, v->s, i);
		} else {
			gt_val_print(&tmp, v);
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
					i += gt_utf8_dec(v->s + i, v->len - i, &c);
			}
			quote_str(&tmp, v->s, i);
		} else if (v->kind == V_INT || v->kind == V_INT64) {
			unsigned r = (v->i < 0 || v->i > 0x10FFFF) ? 0xFFFD : (unsigned)v->i;

			if (sp->verb == 'c') {
				gt_utf8_enc(&tmp, r);
			} else if (r == '\'') {
				sb_adds(&tmp, "'\\''");
			} else {
				struct sb q;

				/* Quote as a string, then swap the quotes. */
				sb_init(&q);
				gt_utf8_enc(&q, r);
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
	return gt_fail(p, at, "printf: verb %%%c is not supported", sp->verb);
}

int gt_printf(struct tp *p, size_t at, struct val *a, int n, struct val *r)
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
				return gt_fail(p, at, "printf: '%c' in a verb is not supported", f[i]);
			}
			while (i < len && isdigit((unsigned char)f[i])) {
				*num = *num * 10 + (f[i++] - '0');
				if (*num > 1000000) {
					buf_release(&out.b);
					return gt_fail(p, at, "printf: width or precision too large");
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
			sb_adds(&out, gt_type_name(&a[argi]));
			sb_addc(&out, '=');
			gt_val_print(&out, &a[argi]);
			if (argi + 1 < n)
				sb_adds(&out, ", ");
		}
		sb_addc(&out, ')');
	}
	return gt_val_from_sb(p, at, "printf", &out, r);
}

