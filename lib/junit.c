#include "junit.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fsutil.h"

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

void junit_suite_init(struct junit_suite *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	s->name = strdup(name);
}

void junit_suite_release(struct junit_suite *s)
{
	for (size_t i = 0; i < s->ncases; i++) {
		struct junit_case *c = &s->cases[i];

		free(c->name);
		free(c->classname);
		free(c->message);
		free(c->text);
		free(c->system_out);
	}
	free(s->cases);
	free(s->name);
	memset(s, 0, sizeof(*s));
}

int junit_add(struct junit_suite *s, const char *classname, const char *name, double seconds,
	      enum junit_result result, const char *message, const char *text,
	      const char *system_out)
{
	struct junit_case *c;

	if (s->ncases == s->alloc) {
		size_t n = s->alloc ? s->alloc * 2 : 8;
		struct junit_case *p = realloc(s->cases, n * sizeof(*p));

		if (!p)
			return -1;
		s->cases = p;
		s->alloc = n;
	}
	c = &s->cases[s->ncases++];
	c->name = strdup(name);
	c->classname = strdup(classname ? classname : s->name);
	c->seconds = seconds < 0 ? 0 : seconds;
	c->result = result;
	c->message = dup_or_null(message);
	c->text = dup_or_null(text);
	c->system_out = dup_or_null(system_out);
	return 0;
}

size_t junit_count(const struct junit_suite *s, enum junit_result result)
{
	size_t n = 0;

	for (size_t i = 0; i < s->ncases; i++)
		n += s->cases[i].result == result;
	return n;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0 && p[0] >= 0xc2)
		n = 2;
	else if ((p[0] & 0xf0) == 0xe0)
		n = 3;
	else if ((p[0] & 0xf8) == 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

int junit_escape(struct buf *out, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	int r = 0;

	while (*p && !r) {
		size_t n;

		switch (*p) {
		case '&': r = buf_addstr(out, "&amp;"); p++; continue;
		case '<': r = buf_addstr(out, "&lt;"); p++; continue;
		case '>': r = buf_addstr(out, "&gt;"); p++; continue;
		case '"': r = buf_addstr(out, "&quot;"); p++; continue;
		case '\'': r = buf_addstr(out, "&apos;"); p++; continue;
		case '\n': case '\t': case '\r':
			/* Kept as references so attributes keep them too. */
			r = buf_addf(out, "&#%d;", *p);
			p++;
			continue;
		default:
			break;
		}
		/* XML 1.0 has no way to carry other C0 controls or DEL-adjacent
		 * garbage, even escaped: replace them, and invalid UTF-8, by '?'. */
		if (*p < 0x20 || *p == 0x7f) {
			r = buf_addch(out, '?');
			p++;
			continue;
		}
		n = utf8_len(p);
		if (!n) {
			r = buf_addch(out, '?');
			p++;
			continue;
		}
		r = buf_add(out, p, n);
		p += n;
	}
	return r;
}

static void add_attr(struct buf *b, const char *name, const char *value)
{
	buf_addf(b, " %s=\"", name);
	junit_escape(b, value);
	buf_addch(b, '"');
}

char *junit_render(const struct junit_suite *s)
{
	struct buf b = BUF_INIT(BUF_DEFAULT_MAX);
	double total = 0;

	for (size_t i = 0; i < s->ncases; i++)
		total += s->cases[i].seconds;

	buf_addstr(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	buf_addf(&b, "<testsuites tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
		 s->ncases, junit_count(s, JUNIT_FAILED), junit_count(s, JUNIT_SKIPPED), total);
	buf_addstr(&b, "  <testsuite");
	add_attr(&b, "name", s->name);
	buf_addf(&b, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.3f\">\n",
		 s->ncases, junit_count(s, JUNIT_FAILED), junit_count(s, JUNIT_SKIPPED), total);
	for (size_t i = 0; i < s->ncases; i++) {
		const struct junit_case *c = &s->cases[i];
		int empty = c->result == JUNIT_PASSED && !c->system_out;

		buf_addstr(&b, "    <testcase");
		add_attr(&b, "name", c->name);
		add_attr(&b, "classname", c->classname);
		buf_addf(&b, " time=\"%.3f\"%s>\n", c->seconds, empty ? "/" : "");
		if (empty)
			continue;
		if (c->result == JUNIT_FAILED) {
			buf_addstr(&b, "      <failure");
			add_attr(&b, "message", c->message ? c->message : "failed");
			buf_addstr(&b, ">");
			junit_escape(&b, c->text ? c->text : (c->message ? c->message : ""));
			buf_addstr(&b, "</failure>\n");
		} else if (c->result == JUNIT_SKIPPED) {
			buf_addstr(&b, "      <skipped");
			add_attr(&b, "message", c->message ? c->message : "skipped");
			buf_addstr(&b, "/>\n");
		}
		if (c->system_out) {
			buf_addstr(&b, "      <system-out>");
			junit_escape(&b, c->system_out);
			buf_addstr(&b, "</system-out>\n");
		}
		buf_addstr(&b, "    </testcase>\n");
	}
	buf_addstr(&b, "  </testsuite>\n</testsuites>\n");
	return buf_take(&b);
}

int junit_write(const struct junit_suite *s, const char *path, struct mtv_err *err)
{
	char *doc = junit_render(s);
	int r;

	if (!doc)
		return mtv_err_set(err, MTV_EXIT_ENV, "%s: out of memory rendering JUnit", path);
	r = fs_write_atomic(path, doc, strlen(doc), 0644, err);
	free(doc);
	return r;
}
