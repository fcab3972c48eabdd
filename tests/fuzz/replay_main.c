/* A stand-in for libFuzzer's main, so make check replays the fuzz inputs
 * with the normal toolchain (no clang needed): every file named on the
 * command line, and every regular file of every directory named, is read
 * and handed to LLVMFuzzerTestOneInput once.  A crash or a sanitizer report
 * (SANITIZE=1) kills the process; a target returning non-zero, or a file
 * that cannot be read, is exit 1.  Prints "replayed N inputs" at the end. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path, unsigned long *count)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	size_t len = 0, cap = 0;
	int r;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			unsigned char *n = realloc(data, cap = cap ? cap * 2 : 4096);

			if (!n) {
				fprintf(stderr, "replay: %s: out of memory\n", path);
				fclose(f);
				free(data);
				return -1;
			}
			data = n;
		}
		size_t got = fread(data + len, 1, cap - len, f);

		len += got;
		if (got == 0)
			break;
	}
	r = ferror(f);
	fclose(f);
	if (r) {
		fprintf(stderr, "replay: %s: read error\n", path);
		free(data);
		return -1;
	}
	/* Exactly len bytes, as libFuzzer passes them: a copy, so ASan sees
	 * a read past the end. */
	unsigned char *exact = malloc(len ? len : 1);

	if (!exact) {
		free(data);
		return -1;
	}
	if (len)
		memcpy(exact, data, len);
	free(data);
	r = LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	if (r != 0) {
		fprintf(stderr, "replay: %s: the target returned %d\n", path, r);
		return -1;
	}
	(*count)++;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files of dir in name order, so a failure is reproducible. */
static int replay_dir(const char *dir, unsigned long *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int r = 0;

	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		char path[4096];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;	/* ., .., .gitkeep */
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*names));

			if (!nn) {
				r = -1;
				break;
			}
			names = nn;
		}
		if (!(names[n] = strdup(path))) {
			r = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (r == 0)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (r == 0 && replay_file(names[i], count) < 0)
			r = -1;
		free(names[i]);
	}
	free(names);
	return r;
}

int main(int argc, char **argv)
{
	unsigned long count = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		if ((S_ISDIR(st.st_mode) ? replay_dir(argv[i], &count) : replay_file(argv[i], &count)) < 0)
			return 1;
	}
	printf("replayed %lu inputs\n", count);
	return 0;
}
