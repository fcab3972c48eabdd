/* A set of strings: open addressing over FNV-1a, keys copied.
 *
 * For de-duplicating thousands of names where a linear search of a cJSON
 * array would make the whole pass quadratic (gather at N = 1000 VMs). */
#ifndef MTV_STRSET_H
#define MTV_STRSET_H

#include <stdbool.h>
#include <stddef.h>

struct strset {
	char **slots;		/* cap entries, NULL when free */
	size_t cap, n;
};

#define STRSET_INIT { NULL, 0, 0 }

void strset_release(struct strset *s);

bool strset_has(const struct strset *s, const char *key);

/* 1 when key was added, 0 when it was there already, -1 out of memory. */
int strset_add(struct strset *s, const char *key);

#endif
