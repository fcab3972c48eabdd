/* Label and field selectors, with the grammar of k8s.io/apimachinery/pkg/labels:
 *   key, !key, key=v, key==v, key!=v, key in (a,b), key notin (a,b)
 * joined by commas.  Field selectors allow =, == and != on dotted paths. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"

enum sel_op { OP_EQ, OP_NE, OP_IN, OP_NOTIN, OP_EXISTS, OP_NOTEXISTS };

struct req_term {
	char key[256];
	enum sel_op op;
	char vals[16][128];
	int nvals;
};

struct selector {
	struct req_term *t;
	int n;
};

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static int word(const char **pp, char *out, size_t outsz, const char *stops)
{
	const char *p = skip_ws(*pp);
	size_t n = 0;

	while (*p && !strchr(stops, *p) && *p != ' ') {
		if (n + 1 >= outsz)
			return -1;
		out[n++] = *p++;
	}
	out[n] = '\0';
	*pp = skip_ws(p);
	return 0;
}

static int add_term(struct selector *s, struct req_term *t)
{
	struct req_term *nt = realloc(s->t, (size_t)(s->n + 1) * sizeof(*nt));

	if (!nt)
		return -1;
	s->t = nt;
	s->t[s->n++] = *t;
	return 0;
}

static int parse(const char *text, bool fields, struct selector **out, char *errmsg, size_t errsz)
{
	struct selector *s = calloc(1, sizeof(*s));
	const char *p = text ? text : "";

	if (!s)
		return -1;
	p = skip_ws(p);
	while (*p) {
		struct req_term t;

		memset(&t, 0, sizeof(t));
		if (*p == '!' && !fields) {
			p++;
			if (word(&p, t.key, sizeof(t.key), ",=!()") || !t.key[0])
				goto bad;
			t.op = OP_NOTEXISTS;
		} else {
			if (word(&p, t.key, sizeof(t.key), ",=!()") || !t.key[0])
				goto bad;
			if (p[0] == '=' && p[1] == '=') {
				t.op = OP_EQ;
				p += 2;
			} else if (p[0] == '=') {
				t.op = OP_EQ;
				p++;
			} else if (p[0] == '!' && p[1] == '=') {
				t.op = OP_NE;
				p += 2;
			} else if (!fields && !strncmp(p, "in", 2) && (p[2] == ' ' || p[2] == '(')) {
				t.op = OP_IN;
				p += 2;
			} else if (!fields && !strncmp(p, "notin", 5) && (p[5] == ' ' || p[5] == '(')) {
				t.op = OP_NOTIN;
				p += 5;
			} else if (!fields && (*p == ',' || !*p)) {
				t.op = OP_EXISTS;
			} else {
				goto bad;
			}
			if (t.op == OP_EQ || t.op == OP_NE) {
				if (word(&p, t.vals[0], sizeof(t.vals[0]), ",()"))
					goto bad;
				t.nvals = 1;
			} else if (t.op == OP_IN || t.op == OP_NOTIN) {
				p = skip_ws(p);
				if (*p != '(')
					goto bad;
				p++;
				for (;;) {
					if (t.nvals >= 16 || word(&p, t.vals[t.nvals], sizeof(t.vals[0]), ",()"))
						goto bad;
					t.nvals++;
					if (*p == ',') {
						p++;
						continue;
					}
					if (*p == ')') {
						p++;
						break;
					}
					goto bad;
				}
			}
		}
		if (add_term(s, &t))
			goto bad;
		p = skip_ws(p);
		if (*p == ',')
			p = skip_ws(p + 1);
		else if (*p)
			goto bad;
	}
	*out = s;
	return 0;
bad:
	snprintf(errmsg, errsz, "unable to parse requirement: invalid %s selector \"%s\"",
		 fields ? "field" : "label", text);
	selector_free(s);
	return -1;
}

int selector_parse_labels(const char *text, struct selector **out, char *errmsg, size_t errsz)
{
	return parse(text, false, out, errmsg, errsz);
}

int selector_parse_fields(const char *text, struct selector **out, char *errmsg, size_t errsz)
{
	return parse(text, true, out, errmsg, errsz);
}

void selector_free(struct selector *sel)
{
	if (!sel)
		return;
	free(sel->t);
	free(sel);
}

static bool term_match(const struct req_term *t, const char *val)
{
	switch (t->op) {
	case OP_EXISTS:
		return val != NULL;
	case OP_NOTEXISTS:
		return val == NULL;
	case OP_EQ:
		return val && !strcmp(val, t->vals[0]);
	case OP_NE:
		return !val || strcmp(val, t->vals[0]);
	case OP_IN:
		if (!val)
			return false;
		for (int i = 0; i < t->nvals; i++)
			if (!strcmp(val, t->vals[i]))
				return true;
		return false;
	case OP_NOTIN:
		if (!val)
			return true;
		for (int i = 0; i < t->nvals; i++)
			if (!strcmp(val, t->vals[i]))
				return false;
		return true;
	}
	return false;
}

bool selector_match_labels(const struct selector *sel, const cJSON *obj)
{
	const cJSON *labels = json_get(obj, "metadata.labels");

	if (!sel)
		return true;
	for (int i = 0; i < sel->n; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(labels, sel->t[i].key);
		if (!term_match(&sel->t[i], cJSON_GetStringValue(v)))
			return false;
	}
	return true;
}

bool selector_match_fields(const struct selector *sel, const cJSON *obj)
{
	if (!sel)
		return true;
	for (int i = 0; i < sel->n; i++) {
		const cJSON *v = json_get(obj, sel->t[i].key);
		char num[64];
		const char *s = NULL;

		if (cJSON_IsString(v))
			s = v->valuestring;
		else if (cJSON_IsNumber(v)) {
			snprintf(num, sizeof(num), "%g", v->valuedouble);
			s = num;
		} else if (cJSON_IsBool(v))
			s = cJSON_IsTrue(v) ? "true" : "false";
		/* A missing field compares as the empty string, as the API does. */
		if (!term_match(&sel->t[i], s ? s : ""))
			return false;
	}
	return true;
}
