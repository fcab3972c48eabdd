#include "shareddir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

int sd_remove_tree(const char *path, struct mtv_err *err)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : mtv_err_set(err, MTV_EXIT_ENV, "%s: %s", path, strerror(errno));
	if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
		return mtv_err_set(err, MTV_EXIT_ENV, "removing %s: %s", path, strerror(errno));
	return 0;
}

static int copy_file(const char *src, const char *dst, struct mtv_err *err)
{
	char chunk[65536];
	int in, out;
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return mtv_err_set(err, MTV_EXIT_ENV, "%s: %s", src, strerror(errno));
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		close(in);
		return mtv_err_set(err, MTV_EXIT_ENV, "%s: %s", dst, strerror(errno));
	}
	while ((n = read(in, chunk, sizeof(chunk))) != 0) {
		char *p = chunk;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		while (n > 0) {
			ssize_t w = write(out, p, (size_t)n);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				goto fail;
			}
			p += w;
			n -= w;
		}
	}
	close(in);
	if (close(out) < 0)
		return mtv_err_set(err, MTV_EXIT_ENV, "%s: %s", dst, strerror(errno));
	return 0;
fail:
	mtv_err_set(err, MTV_EXIT_ENV, "copying %s: %s", src, strerror(errno));
	close(in);
	close(out);
	return -1;
}

/* Calls fn for each regular file of dir (symlinks followed) and warn for
 * each subdirectory. */
static int each_file(const char *dir, int (*fn)(void *ctx, const char *path, const char *name,
						 const struct stat *st, struct mtv_err *err),
		     void *ctx, sd_warn_fn warn, void *wctx, struct mtv_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int r = 0;

	if (!d)
		return mtv_err_set(err, MTV_EXIT_ENV, "%s: %s", dir, strerror(errno));
	while (!r && (de = readdir(d))) {
		char path[4096];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path)) {
			r = mtv_err_set(err, MTV_EXIT_ENV, "%s/%s: path too long", dir, de->d_name);
			break;
		}
		if (stat(path, &st) < 0)
			continue;	/* a dangling symlink carries no data */
		if (S_ISDIR(st.st_mode)) {
			if (warn) {
				char msg[8400];

				snprintf(msg, sizeof(msg),
					 "skipped directory \"%s\" when creating secret from directory \"%s\"",
					 de->d_name, dir);
				warn(wctx, msg);
			}
			continue;
		}
		if (S_ISREG(st.st_mode))
			r = fn(ctx, path, de->d_name, &st, err);
	}
	closedir(d);
	return r;
}

static int copy_cb(void *ctx, const char *path, const char *name, const struct stat *st,
		   struct mtv_err *err)
{
	char dst[4096];

	(void)st;
	if (snprintf(dst, sizeof(dst), "%s/%s", (const char *)ctx, name) >= (int)sizeof(dst))
		return mtv_err_set(err, MTV_EXIT_ENV, "%s/%s: path too long", (const char *)ctx, name);
	return copy_file(path, dst, err);
}

int sd_copy_flat(const char *src, const char *dst, sd_warn_fn warn, void *ctx,
		 struct mtv_err *err)
{
	return each_file(src, copy_cb, (void *)dst, warn, ctx, err);
}

static int size_cb(void *ctx, const char *path, const char *name, const struct stat *st,
		   struct mtv_err *err)
{
	size_t *total = ctx;

	(void)path;
	(void)name;
	(void)err;
	*total += ((size_t)st->st_size + 2) / 3 * 4;
	return 0;
}

int sd_secret_size(const char *dir, size_t *out, struct mtv_err *err)
{
	*out = 0;
	return each_file(dir, size_cb, out, NULL, NULL, err);
}

int sd_write_back(const char *priv, const char *shared, const char *name, sd_warn_fn warn,
		  void *ctx, struct mtv_err *err)
{
	char fresh[4096], old[4096];
	size_t size;

	if (sd_secret_size(priv, &size, err) < 0)
		return -1;
	if (size > SHARED_DIR_LIMIT)
		return mtv_err_set(err, MTV_EXIT_FAILED,
				   "failed to create/update secret: failed to update secret: Secret \"%s\" is invalid: data: Too long: must have at most %u bytes",
				   name, SHARED_DIR_LIMIT);
	snprintf(fresh, sizeof(fresh), "%s.new", shared);
	snprintf(old, sizeof(old), "%s.old", shared);
	if (sd_remove_tree(fresh, err) < 0 || sd_remove_tree(old, err) < 0)
		return -1;
	if (mkdir(fresh, 0755) < 0)
		return mtv_err_set(err, MTV_EXIT_ENV, "%s: %s", fresh, strerror(errno));
	if (sd_copy_flat(priv, fresh, warn, ctx, err) < 0) {
		sd_remove_tree(fresh, NULL);
		return -1;
	}
	/* Two renames: a reader never sees a half-written SHARED_DIR. */
	if (rename(shared, old) < 0 || rename(fresh, shared) < 0)
		return mtv_err_set(err, MTV_EXIT_ENV, "replacing %s: %s", shared, strerror(errno));
	return sd_remove_tree(old, err);
}
