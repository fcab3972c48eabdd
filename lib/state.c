#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "json.h"
#include "state_schema.h"

#define DEFAULT_STATE_DIR ".mtv"

int state_open(struct state *st, struct mtv_err *err)
{
	const char *dir = getenv("SHARED_DIR");
	struct stat sb;

	memset(st, 0, sizeof(*st));
	if (!dir || !*dir) {
		st->is_default = 1;
		dir = DEFAULT_STATE_DIR;
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return mtv_err_set(err, MTV_EXIT_ENV, "%s: %s", dir, strerror(errno));
	}
	if (snprintf(st->dir, sizeof(st->dir), "%s", dir) >= (int)sizeof(st->dir))
		return mtv_err_set(err, MTV_EXIT_USAGE, "SHARED_DIR: path too long");
	if (stat(st->dir, &sb) < 0)
		return mtv_err_set(err, MTV_EXIT_USAGE, "SHARED_DIR %s: %s", st->dir, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return mtv_err_set(err, MTV_EXIT_USAGE, "SHARED_DIR %s: not a directory", st->dir);
	return 0;
}

static int path_of(const struct state *st, const char *name, char *out, size_t outsz,
		   struct mtv_err *err)
{
	if (strchr(name, '/') || snprintf(out, outsz, "%s/%s", st->dir, name) >= (int)outsz)
		return mtv_err_set(err, MTV_EXIT_USAGE, "bad state file name '%s'", name);
	return 0;
}

/* Lock the directory (shared for reads, exclusive for writes). */
static int lock_dir(const struct state *st, int how, struct mtv_err *err)
{
	int fd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return mtv_err_set(err, MTV_EXIT_ENV, "%s: %s", st->dir, strerror(errno));
	while (flock(fd, how) < 0) {
		if (errno != EINTR) {
			mtv_err_set(err, MTV_EXIT_ENV, "lock %s: %s", st->dir, strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

static void unlock_dir(int fd)
{
	close(fd);	/* closing the last descriptor releases the flock */
}

/* The unlocked read shared by state_read_json and state_update_json. */
static int read_locked(const struct state *st, const char *name, cJSON **out, struct mtv_err *err)
{
	char path[4200];
	struct buf b = BUF_INIT(STATE_FILE_MAX);
	int r;

	*out = NULL;
	if (path_of(st, name, path, sizeof(path), err) < 0)
		return -1;
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (fs_read_file(path, &b, STATE_FILE_MAX, err) < 0) {
		buf_release(&b);
		return -1;
	}
	r = json_parse(buf_str(&b), b.len, path, out, err);
	buf_release(&b);
	if (r == 0 && state_schema_check(name, *out, path, err) < 0) {
		cJSON_Delete(*out);
		*out = NULL;
		r = -1;
	}
	if (r < 0)
		return mtv_err_prefix(err, "corrupt state file (remove it or restore SHARED_DIR)");
	return 0;
}

static int write_locked(const struct state *st, const char *name, const cJSON *doc,
			struct mtv_err *err)
{
	char path[4200];
	char *text;
	size_t len;
	int r;

	if (path_of(st, name, path, sizeof(path), err) < 0)
		return -1;
	text = cJSON_Print(doc);
	if (!text)
		return mtv_err_set(err, MTV_EXIT_ENV, "%s: out of memory", path);
	len = strlen(text);
	if (len + 1 > STATE_FILE_MAX) {
		free(text);
		return mtv_err_set(err, MTV_EXIT_ENV,
				   "%s: %zu bytes exceed the SHARED_DIR limit of %d; not written", path,
				   len + 1, STATE_FILE_MAX);
	}
	text[len] = '\n';	/* replaces the terminator: write len + 1 bytes */
	r = fs_write_atomic(path, text, len + 1, 0600, err);
	free(text);
	return r;
}

int state_read_json(const struct state *st, const char *name, cJSON **out, struct mtv_err *err)
{
	int fd = lock_dir(st, LOCK_SH, err);
	int r;

	if (fd < 0)
		return -1;
	r = read_locked(st, name, out, err);
	unlock_dir(fd);
	return r;
}

int state_write_json(const struct state *st, const char *name, const cJSON *doc,
		     struct mtv_err *err)
{
	int fd = lock_dir(st, LOCK_EX, err);
	int r;

	if (fd < 0)
		return -1;
	r = write_locked(st, name, doc, err);
	unlock_dir(fd);
	return r;
}

int state_update_json(const struct state *st, const char *name, state_update_fn update,
		      void *ctx, struct mtv_err *err)
{
	int fd = lock_dir(st, LOCK_EX, err);
	cJSON *doc = NULL;
	int r = -1;

	if (fd < 0)
		return -1;
	if (read_locked(st, name, &doc, err) < 0)
		goto out;
	if (!doc)
		doc = cJSON_CreateObject();
	if (!cJSON_IsObject(doc)) {
		mtv_err_set(err, MTV_EXIT_USAGE, "%s/%s: expected a JSON object, got %s", st->dir,
			    name, json_type_name(doc));
		goto out;
	}
	if (update(doc, ctx, err) < 0)
		goto out;
	r = write_locked(st, name, doc, err);
out:
	cJSON_Delete(doc);
	unlock_dir(fd);
	return r;
}

static int same_str(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static int ledger_add(cJSON *doc, void *ctx, struct mtv_err *err)
{
	const struct ledger_entry *e = ctx;
	cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, e->kind);
	cJSON *item, *entry;

	if (!list)
		list = cJSON_AddArrayToObject(doc, e->kind);
	if (!cJSON_IsArray(list))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: \"%s\": expected array, got %s",
				   LEDGER_FILE, e->kind, json_type_name(list));
	cJSON_ArrayForEach(item, list) {
		if (same_str(json_str(item, "name", NULL), e->name) &&
		    same_str(json_str(item, "namespace", NULL), e->namespace_))
			return 0;
	}
	entry = cJSON_CreateObject();
	cJSON_AddStringToObject(entry, "name", e->name);
	if (e->namespace_)
		cJSON_AddStringToObject(entry, "namespace", e->namespace_);
	cJSON_AddStringToObject(entry, "apiVersion", e->api_version);
	if (e->step)
		cJSON_AddStringToObject(entry, "step", e->step);
	cJSON_AddItemToArray(list, entry);
	return 0;
}

int ledger_record(const struct state *st, const struct ledger_entry *e, struct mtv_err *err)
{
	return state_update_json(st, LEDGER_FILE, ledger_add, (void *)e, err);
}
