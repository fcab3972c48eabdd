/* Shared by the fuzz targets (tests/fuzz/fuzz_*.c): the libFuzzer entry
 * point's prototype (-Wmissing-prototypes) and a NUL-terminated copy of an
 * input, for the APIs that take C strings.  The same sources build against
 * libFuzzer (make fuzz) and against replay_main.c (make check). */
#ifndef MTV_FUZZ_H
#define MTV_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* malloc'd copy of data with a NUL after it; NULL when out of memory. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return NULL;
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Split "first line\nrest": *line is a malloc'd copy of the first line
 * (no newline), *rest and *rest_len what follows.  An input without a newline
 * is all line and no rest. */
static inline char *fuzz_first_line(const uint8_t *data, size_t size, const uint8_t **rest,
				    size_t *rest_len)
{
	const uint8_t *nl = size ? memchr(data, '\n', size) : NULL;
	size_t n = nl ? (size_t)(nl - data) : size;

	*rest = nl ? nl + 1 : data + size;
	*rest_len = size - n - (nl ? 1 : 0);
	return fuzz_strndup(data, n);
}

#endif
