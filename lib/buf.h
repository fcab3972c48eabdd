/* A capped growable byte buffer (in the spirit of curl's dynbuf).
 *
 * Every buffer has a maximum size so that a misbehaving server cannot make a
 * step allocate without bound: appending past the cap fails with -1 and
 * leaves the buffer as it was.  The content is always NUL-terminated so it
 * can be used as a C string.
 */
#ifndef MTV_BUF_H
#define MTV_BUF_H

#include <stddef.h>
#include "err.h"

struct buf {
	char *data;	/* NULL until the first append */
	size_t len;
	size_t cap;	/* allocated bytes */
	size_t max;	/* largest len allowed */
};

#define BUF_DEFAULT_MAX (64u * 1024 * 1024)
#define BUF_INIT(maxlen) { NULL, 0, 0, (maxlen) }

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
/* Forget the content but keep the allocation. */
void buf_reset(struct buf *b);

int buf_add(struct buf *b, const void *data, size_t len);
int buf_addstr(struct buf *b, const char *s);
int buf_addch(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...) MTV_PRINTF(2, 3);

/* Drop the first n bytes (n <= len). */
void buf_consume(struct buf *b, size_t n);

/* Hand the content to the caller (who frees it); the buffer is left empty.
 * Never returns NULL: an empty buffer yields "". */
char *buf_take(struct buf *b);

/* The content as a string; "" when empty. */
const char *buf_str(const struct buf *b);

#endif
