/* Private to lib/gotmpl*.c: the values, the parser state and the helpers
 * the parser/executor (gotmpl.c), Go's fmt (gotmpl_fmt.c), the sprig
 * functions (gotmpl_sprig.c) and the RE2 dialect on PCRE2
 * (gotmpl_regex.c) share.  Everything here is named gt_ so that nothing
 * collides with the rest of libmtv.a. */
#ifndef MTV_GOTMPL_INT_H
#define MTV_GOTMPL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include "gotmpl.h"

enum vkind { V_STR, V_INT, V_INT64, V_FLOAT, V_BOOL };

struct val {
	enum vkind kind;
	bool lit;		/* an untyped constant written in the template */
	char *s;		/* V_STR, owned, NUL-terminated */
	size_t len;
	long long i;
	double f;
	bool b;
};

struct tp {
	const char *t;
	size_t n;
	size_t pos;
	bool exec;		/* false: syntax pass */
	int depth;
	const cJSON *data;
	struct buf *out;
	struct mtv_err *err;
};

/* A string being built, capped at GOTMPL_VALUE_MAX; remembers that it hit
 * the cap so that the caller reports it once, where it knows the name. */
struct sb {
	struct buf b;
	bool over;
};

static inline void sb_init(struct sb *s)
{
	buf_init(&s->b, GOTMPL_VALUE_MAX);
	s->over = false;
}

static inline void sb_add(struct sb *s, const char *d, size_t len)
{
	if (!s->over && buf_add(&s->b, d, len) < 0)
		s->over = true;
}

static inline void sb_addc(struct sb *s, char c)
{
	sb_add(s, &c, 1);
}

static inline void sb_adds(struct sb *s, const char *str)
{
	sb_add(s, str, strlen(str));
}

/* A function the template may call (the table is in gotmpl_sprig.c). */
typedef int (*gt_fn_call)(struct tp *p, size_t at, struct val *a, int n, struct val *r);

struct fn {
	const char *name;
	/* One letter per parameter: s string, i int, f float64, a any.  With
	 * variadic set, the last letter is the type of the variadic tail. */
	const char *params;
	bool variadic;
	gt_fn_call call;
};

/* gotmpl.c: errors (MTV_EXIT_USAGE, with the template and position),
 * values, UTF-8. */
int gt_fail(struct tp *p, size_t at, const char *fmt, ...) MTV_PRINTF(3, 4);
void gt_val_init_int(struct val *v, enum vkind k, long long i);
int gt_val_set_str(struct tp *p, size_t at, struct val *v, const char *s, size_t len);
int gt_val_from_sb(struct tp *p, size_t at, const char *what, struct sb *s, struct val *v);
void gt_ret_bool(struct val *r, bool b);
void gt_ret_float(struct val *r, double f);
const char *gt_type_name(const struct val *v);
/* One rune; an invalid byte decodes as U+FFFD of length 1, as in Go. */
size_t gt_utf8_dec(const char *str, size_t n, unsigned *r);
void gt_utf8_enc(struct sb *s, unsigned r);
size_t gt_rune_count(const char *s, size_t n);
bool gt_is_uspace(unsigned r);	/* unicode.IsSpace */

/* gotmpl_fmt.c: Go's %v of a value, and printf. */
void gt_val_print(struct sb *s, const struct val *v);
int gt_printf(struct tp *p, size_t at, struct val *a, int n, struct val *r);

/* gotmpl_sprig.c: the function table. */
const struct fn *gt_fn_find(const char *name, size_t len);

/* gotmpl_regex.c: Go's regexp.ReplaceAllString(src, repl) for the RE2
 * pattern re; what names the calling function in errors. */
int gt_regex_replace_all(struct tp *p, size_t at, const char *what, const struct val *re,
			 const struct val *src, const struct val *repl, struct val *r);

#endif
