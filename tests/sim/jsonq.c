/* `mtv-sim json EXPR...`: a small JSON query for tests and scripts, so
 * they need neither jq nor Python.  Reads one JSON document on stdin and
 * prints the values each EXPR selects, space separated, on one line:
 *
 *   name  .a.b  [0]  ["key.with.dots"]  [*] (every element or member value)
 *   a trailing # prints the length of the selected array/object/string
 *
 * Strings print raw, numbers as integers when integral, everything else
 * as compact JSON.  Exit 1 when an EXPR selects nothing, 2 on bad input. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"
#include "fsutil.h"

static void emit(struct buf *out, const cJSON *v, bool length)
{
	if (out->len)
		buf_addch(out, ' ');
	if (length) {
		buf_addf(out, "%d", cJSON_IsString(v) ? (int)strlen(v->valuestring) : cJSON_GetArraySize(v));
	} else if (cJSON_IsString(v)) {
		buf_addstr(out, v->valuestring);
	} else if (cJSON_IsNumber(v) && v->valuedouble == (double)(long long)v->valuedouble) {
		buf_addf(out, "%lld", (long long)v->valuedouble);
	} else {
		char *s = cJSON_PrintUnformatted(v);
		buf_addstr(out, s);
		free(s);
	}
}

/* Returns the number of values printed, -1 on a malformed path. */
static int eval(const cJSON *node, const char *p, bool length, struct buf *out)
{
	char key[256];
	size_t n;

	if (!node)
		return 0;
	if (*p == '.')
		p++;
	if (!*p) {
		emit(out, node, length);
		return 1;
	}
	if (p[0] == '[' && p[1] == '*' && p[2] == ']') {
		const cJSON *e;
		int total = 0;
		cJSON_ArrayForEach(e, node) {
			int k = eval(e, p + 3, length, out);
			if (k < 0)
				return -1;
			total += k;
		}
		return total;
	}
	if (p[0] == '[' && p[1] == '"') {
		const char *end = strstr(p + 2, "\"]");
		if (!end || (size_t)(end - p - 2) >= sizeof(key))
			return -1;
		snprintf(key, sizeof(key), "%.*s", (int)(end - p - 2), p + 2);
		return eval(cJSON_GetObjectItemCaseSensitive(node, key), end + 2, length, out);
	}
	if (p[0] == '[') {
		char *end;
		long i = strtol(p + 1, &end, 10);
		if (*end != ']' || i < 0)
			return -1;
		return eval(cJSON_GetArrayItem(node, (int)i), end + 1, length, out);
	}
	n = strcspn(p, ".[");
	if (n >= sizeof(key))
		return -1;
	snprintf(key, sizeof(key), "%.*s", (int)n, p);
	return eval(cJSON_GetObjectItemCaseSensitive(node, key), p + n, length, out);
}

int jsonq_main(int argc, char **argv)
{
	struct buf in = BUF_INIT(256u * 1024 * 1024), out = BUF_INIT(64u * 1024 * 1024);
	cJSON *doc;
	struct mtv_err err;
	int rc = 0;

	if (argc < 1) {
		fprintf(stderr, "usage: mtv-sim json EXPR... < file.json\n");
		return MTV_EXIT_USAGE;
	}
	if (fs_read_file("/dev/stdin", &in, 256u * 1024 * 1024, &err) < 0) {
		fprintf(stderr, "mtv-sim json: %s\n", errno == EFBIG ? "input too large" : err.msg);
		buf_release(&in);
		return MTV_EXIT_USAGE;
	}
	if (json_parse(buf_str(&in), in.len, "stdin", &doc, &err)) {
		fprintf(stderr, "mtv-sim json: %s\n", err.msg);
		buf_release(&in);
		return MTV_EXIT_USAGE;
	}
	for (int i = 0; i < argc; i++) {
		char expr[1024];
		size_t len;
		bool length = false;
		int k;

		snprintf(expr, sizeof(expr), "%s", argv[i]);
		len = strlen(expr);
		if (len && expr[len - 1] == '#') {
			expr[len - 1] = '\0';
			length = true;
		}
		k = eval(doc, expr, length, &out);
		if (k < 0) {
			fprintf(stderr, "mtv-sim json: bad expression \"%s\"\n", argv[i]);
			rc = MTV_EXIT_USAGE;
			break;
		}
		if (k == 0 && !rc)
			rc = 1;
	}
	printf("%s\n", buf_str(&out));
	cJSON_Delete(doc);
	buf_release(&in);
	buf_release(&out);
	return rc;
}
