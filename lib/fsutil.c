#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_read_file(const char *path, struct buf *out, size_t max, struct mtv_err *err)
{
	char chunk[65536];
	size_t start = out->len;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	int e;

	if (fd < 0) {
		e = errno;
		mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			mtv_err_set(err, MTV_EXIT_USAGE, "%s: %s", path, strerror(e));
			goto fail;
		}
		if (!n)
			break;
		if (out->len - start + (size_t)n > max || buf_add(out, chunk, (size_t)n) < 0) {
			e = EFBIG;
			mtv_err_set(err, MTV_EXIT_USAGE, "%s: larger than %zu bytes", path, max);
			goto fail;
		}
	}
	close(fd);
	return 0;
fail:
	close(fd);
	out->len = start;
	if (out->data)
		out->data[start] = '\0';
	errno = e;
	return -1;
}

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
		    struct mtv_err *err)
{
	char tmp[PATH_MAX];
	const char *p = data;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return mtv_err_set(err, MTV_EXIT_ENV, "%s: %s", tmp, strerror(errno));
	/* open() applies the umask; the caller's mode is what it asked for. */
	if (fchmod(fd, mode) < 0)
		goto fail;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	mtv_err_set(err, MTV_EXIT_ENV, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

int fs_mkdir_p(const char *path, mode_t mode, struct mtv_err *err)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(tmp))
		return mtv_err_set(err, MTV_EXIT_USAGE, "'%s': bad directory path", path);
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(tmp, mode) < 0 && errno != EEXIST)
				return mtv_err_set(err, MTV_EXIT_ENV, "%s: %s", tmp, strerror(errno));
			*p = c;
			if (!c)
				break;
		}
	}
	return 0;
}
