/* Destination names as Forklift makes them: the DNS-1123 VM name
 * (ChangeVmName) and PVC names from pvcNameTemplate, a Go template over
 * .VmName, .TargetVmName, .PlanName, .DiskIndex, .VmId, ... with the sprig
 * functions Forklift allows.  The template engine is small: actions hold
 * one pipeline of commands, each a function or a value, e.g.
 * {{trunc 15 .PlanName}} or {{.VmName | lower | trunc 10}}. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"

bool sim_dns1123_label(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-'))
			return false;
	return isalnum((unsigned char)s[0]) && isalnum((unsigned char)s[n - 1]);
}

static bool dns1123_subdomain(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 253)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-' || s[i] == '.'))
			return false;
	return isalnum((unsigned char)s[0]) && isalnum((unsigned char)s[n - 1]);
}

void sim_vm_newname(const char *name, char *out, size_t outsz)
{
	char tmp[512];
	size_t n = 0;

	if (dns1123_subdomain(name)) {
		snprintf(out, outsz, "%s", name);
		return;
	}
	for (const char *p = name; *p && n + 1 < sizeof(tmp); p++) {
		char c = (char)tolower((unsigned char)*p);
		if (strchr("_+* /\\", c))
			c = '-';
		if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '-' || c == '.'))
			continue;
		if (c == '-' && n > 0 && tmp[n - 1] == '-')
			continue;
		tmp[n++] = c;
	}
	tmp[n] = '\0';
	/* trim '.' and '-' at both ends */
	{
		char *s = tmp;
		while (*s == '-' || *s == '.')
			s++;
		n = strlen(s);
		while (n && (s[n - 1] == '-' || s[n - 1] == '.'))
			s[--n] = '\0';
		if (n > 63)
			s[63] = '\0';
		snprintf(out, outsz, "%s", *s ? s : "vm-0000");
	}
}

/* ---- the template engine ---- */

struct val {
	char s[512];
	bool is_int;
	long long i;
};

static void vset_str(struct val *v, const char *s)
{
	snprintf(v->s, sizeof(v->s), "%s", s);
	v->is_int = false;
}

static void vset_int(struct val *v, long long i)
{
	snprintf(v->s, sizeof(v->s), "%lld", i);
	v->is_int = true;
	v->i = i;
}

static long long vint(const struct val *v)
{
	return v->is_int ? v->i : strtoll(v->s, NULL, 10);
}

static int lookup(const cJSON *data, const char *name, struct val *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(data, name);

	if (cJSON_IsString(v))
		vset_str(out, v->valuestring);
	else if (cJSON_IsNumber(v))
		vset_int(out, (long long)v->valuedouble);
	else if (cJSON_IsBool(v))
		vset_str(out, cJSON_IsTrue(v) ? "true" : "false");
	else
		return -1;
	return 0;
}

/* Split a command into words (quoted strings keep spaces). */
static int words(const char *cmd, char w[][256], int max)
{
	int n = 0;
	const char *p = cmd;

	while (*p && n < max) {
		size_t k = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (*p == '"') {
			p++;
			while (*p && *p != '"' && k + 1 < 256)
				w[n][k++] = *p++;
			if (*p != '"')
				return -1;
			p++;
			w[n][k] = '\0';
			/* mark quoted strings with a leading \1 so they are never variables */
			memmove(w[n] + 1, w[n], k + 1);
			w[n][0] = '\1';
		} else {
			while (*p && *p != ' ' && *p != '\t' && k + 1 < 256)
				w[n][k++] = *p++;
			w[n][k] = '\0';
		}
		n++;
	}
	return n;
}

static int arg(const cJSON *data, const char *w, struct val *out)
{
	char *end;
	long long i;

	if (w[0] == '\1') {
		vset_str(out, w + 1);
		return 0;
	}
	if (w[0] == '.')
		return lookup(data, w + 1, out);
	i = strtoll(w, &end, 10);
	if (*w && !*end) {
		vset_int(out, i);
		return 0;
	}
	return -1;
}

static int call(const char *fn, struct val *args, int nargs, struct val *out)
{
#define NEED(n) do { if (nargs != (n)) return -1; } while (0)
	if (!strcmp(fn, "lower") || !strcmp(fn, "upper")) {
		NEED(1);
		vset_str(out, args[0].s);
		for (char *p = out->s; *p; p++)
			*p = (char)(!strcmp(fn, "lower") ? tolower((unsigned char)*p) : toupper((unsigned char)*p));
	} else if (!strcmp(fn, "trunc")) {
		long long k;
		size_t len;
		NEED(2);
		k = vint(&args[0]);
		len = strlen(args[1].s);
		vset_str(out, args[1].s);
		if (k >= 0 && (size_t)k < len)
			out->s[k] = '\0';
		else if (k < 0 && (size_t)(-k) < len)
			vset_str(out, args[1].s + len + (size_t)k);
	} else if (!strcmp(fn, "trim") || !strcmp(fn, "nospace")) {
		char tmp[512];
		size_t n = 0;
		NEED(1);
		for (const char *p = args[0].s; *p; p++)
			if (!(isspace((unsigned char)*p) && (!strcmp(fn, "nospace") || n == 0)))
				tmp[n++] = *p;
		tmp[n] = '\0';
		while (n && isspace((unsigned char)tmp[n - 1]))
			tmp[--n] = '\0';
		vset_str(out, tmp);
	} else if (!strcmp(fn, "trimSuffix") || !strcmp(fn, "trimPrefix")) {
		size_t ls, la;
		NEED(2);
		ls = strlen(args[0].s);
		la = strlen(args[1].s);
		vset_str(out, args[1].s);
		if (!strcmp(fn, "trimSuffix") && la >= ls && !strcmp(args[1].s + la - ls, args[0].s))
			out->s[la - ls] = '\0';
		if (!strcmp(fn, "trimPrefix") && !strncmp(args[1].s, args[0].s, ls))
			vset_str(out, args[1].s + ls);
	} else if (!strcmp(fn, "replace")) {
		struct buf b = BUF_INIT(4096);
		const char *p;
		size_t lo;
		NEED(3);
		lo = strlen(args[0].s);
		for (p = args[2].s; *p;) {
			if (lo && !strncmp(p, args[0].s, lo)) {
				buf_addstr(&b, args[1].s);
				p += lo;
			} else {
				buf_addch(&b, *p++);
			}
		}
		vset_str(out, buf_str(&b));
		buf_release(&b);
	} else if (!strcmp(fn, "add") || !strcmp(fn, "sub") || !strcmp(fn, "mul") || !strcmp(fn, "max") ||
		   !strcmp(fn, "min") || !strcmp(fn, "div") || !strcmp(fn, "mod")) {
		long long a, b;
		NEED(2);
		a = vint(&args[0]);
		b = vint(&args[1]);
		if ((!strcmp(fn, "div") || !strcmp(fn, "mod")) && !b)
			return -1;
		vset_int(out, !strcmp(fn, "add") ? a + b : !strcmp(fn, "sub") ? a - b : !strcmp(fn, "mul") ? a * b
			 : !strcmp(fn, "max") ? (a > b ? a : b) : !strcmp(fn, "min") ? (a < b ? a : b)
			 : !strcmp(fn, "div") ? a / b : a % b);
	} else if (!strcmp(fn, "add1")) {
		NEED(1);
		vset_int(out, vint(&args[0]) + 1);
	} else if (!strcmp(fn, "printf")) {
		/* only %s and %d with the value(s) in order */
		struct buf b = BUF_INIT(4096);
		int k = 1;
		if (nargs < 1)
			return -1;
		for (const char *p = args[0].s; *p; p++) {
			if (*p == '%' && (p[1] == 's' || p[1] == 'd' || p[1] == 'v') && k < nargs) {
				buf_addstr(&b, args[k++].s);
				p++;
			} else {
				buf_addch(&b, *p);
			}
		}
		vset_str(out, buf_str(&b));
		buf_release(&b);
	} else {
		return -1;
	}
	return 0;
#undef NEED
}

/* Evaluate one pipeline "cmd | cmd | ...". */
static int pipeline(const char *text, const cJSON *data, struct val *out)
{
	char seg[512];
	const char *p = text;
	bool have = false;

	while (*p) {
		size_t len = strcspn(p, "|");
		char w[8][256];
		int n;
		struct val args[8];
		int nargs = 0;

		snprintf(seg, sizeof(seg), "%.*s", (int)len, p);
		p += len;
		if (*p == '|')
			p++;
		n = words(seg, w, 8);
		if (n <= 0)
			return -1;
		if (w[0][0] == '.' || w[0][0] == '\1' || isdigit((unsigned char)w[0][0])) {
			if (n != 1 || have)
				return -1;
			if (arg(data, w[0], out))
				return -1;
			have = true;
			continue;
		}
		for (int i = 1; i < n; i++)
			if (arg(data, w[i], &args[nargs++]))
				return -1;
		if (have && nargs < 8)
			args[nargs++] = *out;
		if (call(w[0], args, nargs, out))
			return -1;
		have = true;
	}
	return have ? 0 : -1;
}

int sim_gotmpl(const char *tmpl, const cJSON *data, char *out, size_t outsz)
{
	struct buf b = BUF_INIT(4096);
	const char *p = tmpl;
	int rc = 0;

	while (*p) {
		const char *open = strstr(p, "{{"), *close;
		char action[512];
		struct val v;

		if (!open) {
			buf_addstr(&b, p);
			break;
		}
		buf_add(&b, p, (size_t)(open - p));
		close = strstr(open, "}}");
		if (!close) {
			rc = -1;
			break;
		}
		snprintf(action, sizeof(action), "%.*s", (int)(close - open - 2), open + 2);
		/* {{- and -}} trim markers */
		if (action[0] == '-')
			action[0] = ' ';
		if (*action && action[strlen(action) - 1] == '-')
			action[strlen(action) - 1] = ' ';
		if (pipeline(action, data, &v)) {
			rc = -1;
			break;
		}
		buf_addstr(&b, v.s);
		p = close + 2;
	}
	if (!rc) {
		/* whitespace-trimmed, as Forklift does */
		const char *s = buf_str(&b);
		size_t n;
		while (isspace((unsigned char)*s))
			s++;
		n = strlen(s);
		while (n && isspace((unsigned char)s[n - 1]))
			n--;
		snprintf(out, outsz, "%.*s", (int)n, s);
	}
	buf_release(&b);
	return rc;
}
