/* Go text/template subset with Forklift's sprig functions: the parser and
 * executor; see gotmpl.h.  Go's fmt is in gotmpl_fmt.c, the functions in
 * gotmpl_sprig.c, the regular expressions in gotmpl_regex.c.
 *
 * The template is walked twice by the same recursive-descent code: first
 * without executing anything, so that a syntax error anywhere wins over an
 * execution error earlier in the text (Go parses the whole template before
 * it executes it), then for real.  Output goes to a scratch buffer and is
 * appended to the caller's buffer only on success.
 */
#include "gotmpl_int.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- errors ---- */

int gt_fail(struct tp *p, size_t at, const char *fmt, ...)
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

void gt_val_init_int(struct val *v, enum vkind k, long long i)
{
	memset(v, 0, sizeof(*v));
	v->kind = k;
	v->i = i;
}

int gt_val_set_str(struct tp *p, size_t at, struct val *v, const char *s, size_t len)
{
	memset(v, 0, sizeof(*v));
	v->kind = V_STR;
	if (len > GOTMPL_VALUE_MAX)
		return gt_fail(p, at, "string longer than %u bytes", GOTMPL_VALUE_MAX);
	v->s = malloc(len + 1);
	if (!v->s)
		return gt_fail(p, at, "out of memory");
	if (len)
		memcpy(v->s, s, len);
	v->s[len] = '\0';
	v->len = len;
	return 0;
}

/* Move a built string into v; fails when it outgrew the cap. */
int gt_val_from_sb(struct tp *p, size_t at, const char *what, struct sb *s, struct val *v)
{
	memset(v, 0, sizeof(*v));
	v->kind = V_STR;
	if (s->over) {
		buf_release(&s->b);
		return gt_fail(p, at, "result of %s longer than %u bytes", what, GOTMPL_VALUE_MAX);
	}
	v->len = s->b.len;
	v->s = buf_take(&s->b);
	if (!v->s)
		return gt_fail(p, at, "out of memory");
	return 0;
}

const char *gt_type_name(const struct val *v)
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

/* ---- UTF-8 and character classes ---- */

/* Decode one rune; invalid bytes decode as U+FFFD of length 1, as in Go. */
size_t gt_utf8_dec(const char *str, size_t n, unsigned *r)
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

void gt_utf8_enc(struct sb *s, unsigned r)
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

size_t gt_rune_count(const char *s, size_t n)
{
	size_t i = 0, cnt = 0;
	unsigned r;

	while (i < n) {
		i += gt_utf8_dec(s + i, n - i, &r);
		cnt++;
	}
	return cnt;
}

/* unicode.IsSpace */
bool gt_is_uspace(unsigned r)
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

void gt_ret_bool(struct val *r, bool b)
{
	memset(r, 0, sizeof(*r));
	r->kind = V_BOOL;
	r->b = b;
}

void gt_ret_float(struct val *r, double f)
{
	memset(r, 0, sizeof(*r));
	r->kind = V_FLOAT;
	r->f = f;
}

/* ---- calling ---- */

static int call_fn(struct tp *p, size_t at, const struct fn *fn, struct val *args, int n, struct val *r)
{
	int np = (int)strlen(fn->params), k;

	if (!fn->variadic && n != np)
		return gt_fail(p, at, "wrong number of args for %s: want %d got %d", fn->name, np, n);
	if (fn->variadic && n < np - 1)
		return gt_fail(p, at, "wrong number of args for %s: want at least %d got %d",
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
			gt_val_init_int(v, V_INT, (long long)v->f);
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
		return gt_fail(p, at, "wrong type for argument %d of %s: expected %s; got %s", k + 1,
			    fn->name, want == 's' ? "string" : want == 'i' ? "int" : "float64",
			    gt_type_name(v));
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
		return gt_fail(p, p->pos, "field access on a parenthesised pipeline is not supported");
	return gt_fail(p, p->pos, "unexpected \"%c\" in operand", c);
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
			return gt_fail(p, start, "unterminated raw quoted string");
		i = (size_t)(e - p->t);
		if (gt_val_set_str(p, start, v, p->t + p->pos, i - p->pos) < 0)
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
			return gt_fail(p, start, "unterminated quoted string");
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
			return gt_fail(p, start, "unterminated quoted string");
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
				gt_utf8_enc(&s, val);
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
	if (gt_val_from_sb(p, start, "string literal", &s, v) < 0)
		return -1;
	v->lit = true;
	return 0;
bad_escape:
	buf_release(&s.b);
	return gt_fail(p, start, "bad escape sequence in quoted string");
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
		return gt_fail(p, start, "bad number syntax: %.*s", (int)len, p->t + start);
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
				return gt_fail(p, start, "bad number syntax: %s", tmp);
			if (errno)
				return gt_fail(p, start, "number out of range: %s", tmp);
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
			return gt_fail(p, start, "number out of range: %s", tmp);
		v->kind = V_INT;
		return 0;
	}
	errno = 0;
	v->f = strtod(tmp, &end);
	if (end != tmp && !*end && !strpbrk(tmp, "nNiI") && (isdigit((unsigned char)tmp[0]) ||
	    tmp[0] == '.' || ((tmp[0] == '-' || tmp[0] == '+') && (isdigit((unsigned char)tmp[1]) ||
	    tmp[1] == '.')))) {
		if (errno == ERANGE && isinf(v->f))
			return gt_fail(p, start, "number out of range: %s", tmp);
		v->kind = V_FLOAT;
		return 0;
	}
	return gt_fail(p, start, "bad number syntax: %s", tmp);
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
			return gt_fail(p, start, "field name too long");
		memcpy(name, p->t + ns, p->pos - ns);
		name[p->pos - ns] = '\0';
		if (!cJSON_IsObject(node))
			return gt_fail(p, start, "can't evaluate field %s: %.*s is not an object", name,
				    (int)(ns - 1 - start), p->t + start);
		node = cJSON_GetObjectItemCaseSensitive(node, name);
		if (!node)
			return gt_fail(p, start, "unknown field .%s (no key \"%s\" in the template data)",
				    name, name);
	}
	if (!p->exec)
		return gt_val_set_str(p, start, v, "", 0);
	if (cJSON_IsString(node))
		return gt_val_set_str(p, start, v, node->valuestring, strlen(node->valuestring));
	if (cJSON_IsBool(node)) {
		gt_ret_bool(v, cJSON_IsTrue(node));
		return 0;
	}
	if (cJSON_IsNumber(node)) {
		double d = node->valuedouble;

		if (d == floor(d) && d >= -9223372036854775807.0 && d <= 9223372036854775807.0) {
			gt_val_init_int(v, V_INT, (long long)d);
		} else {
			gt_ret_float(v, d);
		}
		return 0;
	}
	return gt_fail(p, start, "field %.*s has unsupported type %s (only strings, numbers and booleans)",
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
			return gt_fail(p, start, "\"%s\" actions are not supported (only pipelines "
				    "of fields, literals and functions)", keywords[k]);
	if (*len == 3 && memcmp(p->t + start, "nil", 3) == 0)
		return gt_fail(p, start, "nil is not supported");
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
			return gt_fail(p, start, "parentheses nested deeper than %d", GOTMPL_MAX_DEPTH);
		p->pos++;
		p->depth++;
		if (parse_pipeline(p, v, true) < 0)
			return -1;
		p->depth--;
		if (p->pos >= p->n || p->t[p->pos] != ')') {
			val_free(v);
			return gt_fail(p, start, "unclosed left paren");
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
		return gt_fail(p, start, "\".\" (the whole data) is not supported; use a field such as .Name");
	if (isdigit((unsigned char)c) || c == '-' || c == '+')
		return parse_number(p, v);
	if (c == '$')
		return gt_fail(p, start, "variables are not supported");
	if (c == '\'')
		return gt_fail(p, start, "character constants are not supported");
	if (is_ident_start(c)) {
		const struct fn *fn;
		size_t len;

		if (read_ident(p, &len) < 0)
			return -1;
		if ((len == 4 && !memcmp(p->t + start, "true", 4)) ||
		    (len == 5 && !memcmp(p->t + start, "false", 5))) {
			gt_ret_bool(v, len == 4);
			v->lit = true;
			return 0;
		}
		fn = gt_fn_find(p->t + start, len);
		if (!fn)
			return gt_fail(p, start, "function \"%.*s\" not defined", (int)len, p->t + start);
		if (!p->exec)
			return gt_val_set_str(p, start, v, "", 0);
		return call_fn(p, start, fn, NULL, 0, v);
	}
	return gt_fail(p, start, "unexpected \"%c\" in command", c);
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
			fn = gt_fn_find(p->t + start, len);
			if (!fn) {
				gt_fail(p, start, "function \"%.*s\" not defined", (int)len, p->t + start);
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
			gt_fail(p, start, "can't give argument to non-function %.*s",
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
			gt_fail(p, p->pos, "more than %d arguments", GOTMPL_MAX_ARGS);
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
		rc = gt_val_set_str(p, start, res, "", 0);
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
			return gt_fail(p, at, "missing command before \"|\"");
		}
		if (at_cmd_end(p)) {
			if (have)
				val_free(&prev);
			if (p->pos >= p->n)
				return gt_fail(p, at, "unclosed action");
			if (have)
				return gt_fail(p, at, "missing command after \"|\"");
			if (paren)
				return gt_fail(p, at, "missing value for parenthesized pipeline");
			return gt_fail(p, at, "missing value for command");
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
			return gt_fail(p, open, "unclosed comment");
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
		return gt_fail(p, p->pos, "comment ends before closing delimiter");
	}
	if (parse_pipeline(p, &v, false) < 0)
		return -1;
	skip_space(p);
	if (p->pos >= p->n) {
		val_free(&v);
		return gt_fail(p, open, "unclosed action");
	}
	if (!at_right_delim(p, rtrim)) {
		val_free(&v);
		if (p->t[p->pos] == ')')
			return gt_fail(p, p->pos, "unexpected right paren");
		return gt_fail(p, p->pos, "unexpected \"%c\" in action", p->t[p->pos]);
	}
	p->pos += *rtrim ? 3 : 2;
	if (p->exec)
		gt_val_print(out, &v);
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
			return gt_fail(p, open, "output longer than %zu bytes", out->b.max);
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
		gt_fail(&p, 0, "output longer than %zu bytes", out->max - out->len);
		goto fail;
	}
	buf_release(&o.b);
	return 0;
fail:
	buf_release(&o.b);
	return -1;
}
