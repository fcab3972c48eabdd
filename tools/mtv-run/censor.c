#include "censor.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "fsutil.h"

#define SECRET_MAX (64u * 1024)
#define CENSORED_FILE_MAX (64u * 1024 * 1024)
/* Shorter values would censor ordinary words. */
#define SECRET_MIN 4

static const char censored[] = "CENSORED";

static void add_value(struct arena *a, struct censor *c, const char *v, size_t len)
{
	while (len && (v[len - 1] == '\n' || v[len - 1] == '\r'))
		len--;
	if (len < SECRET_MIN)
		return;
	struct secret_value *sv;

	for (size_t i = 0; i < c->n; i++)
		if (c->values[i].len == len && !memcmp(c->values[i].v, v, len))
			return;
	sv = arena_push(a, &c->values, &c->n, sizeof(*sv));
	sv->v = arena_strndup(a, v, len);
	sv->len = len;
}

void censor_init(struct arena *a, struct censor *c, const char *dir)
{
	memset(c, 0, sizeof(*c));
	censor_add_dir(a, c, dir);
}

void censor_add_dir(struct arena *a, struct censor *c, const char *dir)
{
	DIR *d;
	struct dirent *de;

	if (!dir || !(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		struct buf b = BUF_INIT(SECRET_MAX);
		char path[4096];
		struct stat st;

		/* A mounted Secret's keys may start with a dot (.providers.json);
		 * only the kubelet's own "..data"-style entries and . and ..
		 * are not secret files. */
		if (!strcmp(de->d_name, ".") || !strncmp(de->d_name, "..", 2) ||
		    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path) ||
		    stat(path, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > SECRET_MAX)
			continue;
		if (!fs_read_file(path, &b, SECRET_MAX, NULL)) {
			/* The whole value, and each line of it: a step that
			 * prints one line of a multi-line secret leaks it too. */
			const char *s = buf_str(&b), *nl;

			add_value(a, c, s, b.len);
			while ((nl = strchr(s, '\n'))) {
				add_value(a, c, s, (size_t)(nl - s));
				s = nl + 1;
			}
			add_value(a, c, s, strlen(s));
		}
		buf_release(&b);
	}
	closedir(d);
}

bool censor_text(const struct censor *c, const char *text, size_t len, struct buf *out)
{
	bool changed = false;

	for (size_t i = 0; i < len;) {
		size_t j;

		for (j = 0; j < c->n; j++)
			if (len - i >= c->values[j].len && !memcmp(text + i, c->values[j].v, c->values[j].len))
				break;
		if (j < c->n) {
			buf_addstr(out, censored);
			i += c->values[j].len;
			changed = true;
		} else {
			buf_addch(out, text[i++]);
		}
	}
	return changed;
}

static void censor_file(const struct censor *c, const char *path)
{
	struct buf in = BUF_INIT(CENSORED_FILE_MAX), out = BUF_INIT(CENSORED_FILE_MAX);

	if (fs_read_file(path, &in, CENSORED_FILE_MAX, NULL) < 0)
		goto done;
	if (censor_text(c, in.data ? in.data : "", in.len, &out))
		fs_write_atomic(path, buf_str(&out), out.len, 0644, NULL);
done:
	buf_release(&in);
	buf_release(&out);
}

void censor_path(const struct censor *c, const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;

	if (!c->n || lstat(path, &st) < 0)
		return;
	if (S_ISREG(st.st_mode)) {
		censor_file(c, path);
		return;
	}
	if (!S_ISDIR(st.st_mode) || !(d = opendir(path)))
		return;
	while ((de = readdir(d))) {
		char sub[4096];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) < (int)sizeof(sub))
			censor_path(c, sub);
	}
	closedir(d);
}
