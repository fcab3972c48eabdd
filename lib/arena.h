/* A region allocator for graphs of small strings and arrays released at
 * once: YAML trees (yamltree), and everything mtv-run loads (the registry,
 * the test configuration and the resolved steps live until it ends).  No
 * per-node ownership to get wrong, and no leaks for the sanitizer builds
 * to report.  Allocation failure aborts, as running out of memory on a few
 * kilobytes of YAML leaves nothing sensible to do.
 */
#ifndef MTV_ARENA_H
#define MTV_ARENA_H

#include <stddef.h>
#include "err.h"

struct arena {
	struct arena_block *head;
};

void arena_init(struct arena *a);
void arena_release(struct arena *a);

void *arena_alloc(struct arena *a, size_t size);	/* zeroed */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) MTV_PRINTF(2, 3);

/* Grow an arena array of elements of size elsz from n to n+1 entries and
 * return a pointer to the new (zeroed) last one.  *arr is replaced. */
void *arena_push(struct arena *a, void *arr_ptr, size_t *n, size_t elsz);

#endif
