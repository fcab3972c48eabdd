/* A subset of Go's text/template with the sprig functions Forklift allows in
 * its name templates (Plan spec.pvcNameTemplate, volumeNameTemplate,
 * networkNameTemplate), so a check step can predict the names the
 * controller will give PVCs.
 *
 * Supported: literal text; actions {{ ... }} with the trim markers "{{- "
 * and " -}}"; comment actions (Go's slash-star form); pipelines
 * `a | f x | g` (the value of each command becomes the LAST argument of
 * the next); operands .Field (and .A.B into nested objects), "quoted"
 * strings with Go escapes, `raw` strings, integer literals (decimal, 0x,
 * 0o, 0b, octal 017, negative) and float literals, true/false,
 * parenthesised pipelines, and a function name alone as an argument (a
 * call without arguments).  Field values: JSON strings, numbers (integral
 * ones are Go ints, others float64) and booleans.
 *
 * Functions: printf (Go's fmt for the verbs %v %s %d %q %x %X %o %b %c %t
 * %e %E %f %F %g %G %%, flags "-+ 0#", width and precision, and Go's
 * in-band reports such as %!d(string=x), %!d(MISSING), %!(EXTRA ...)),
 * and the sprig functions lower upper title untitle trim trimAll
 * trimSuffix trimPrefix replace contains hasPrefix hasSuffix repeat substr
 * nospace trunc initials mustRegexReplaceAll add add1 sub div mod mul max
 * min floor ceil round, with sprig's argument order and behaviour (trunc
 * with a negative count keeps the tail; substr clamps an end past the
 * string; the cases where Go panics, such as substr 4 2, repeat -1 or
 * div 1 0, are errors) and Go's typing: a string where an int is expected
 * is an error; the math functions return int64 and floor/ceil/round
 * float64, and as in Go an int64 is not accepted where sprig wants an int,
 * e.g. `trunc (add 1 2) .X` fails.
 *
 * Differences from Go, on purpose:
 * - if/range/with/define/template/block, variables ($x), nil, character
 *   constants, field access on (...) and the other Go builtins (len,
 *   index, eq, print, ...) are rejected with an error, never run.
 * - mustRegexReplaceAll runs on PCRE2, which matches leftmost-first as
 *   RE2 does (`a|ab` on "ab" replaces "a"), after a pass that reads the
 *   pattern as Go's regexp/syntax does: what RE2 refuses (backreferences,
 *   lookarounds, atomic groups, possessive or stacked quantifiers, counts
 *   above 1000, escapes Go lacks such as \Z \h \K) fails with Go's
 *   "error parsing regexp: ...: `...`", and \s, \v and octal escapes are
 *   given Go's meaning.  The replacement expands $1, ${1}, ${name} and $$
 *   as Go's Regexp.Expand.  What still differs: PCRE2 backtracks, so a
 *   pattern with nested repetition can hit PCRE2's match limit on a long
 *   string (an error) where Go runs in linear time; a byte of invalid
 *   UTF-8 in the string never matches (Go's . matches it as U+FFFD); a
 *   group name that starts with a digit or is over 32 bytes long is
 *   refused (Go takes it); under (?i) a \p{Lu} class does not take the
 *   lower-case letters Go's folding adds.  \p{...} names are Go 1.25's
 *   (looked up loosely, Go's category aliases such as Letter included),
 *   not PCRE2's.
 * - lower/upper/title/untitle change ASCII letters only.
 * - Number literals with "_" separators, and uint64 constants beyond
 *   int64, are refused.
 * - Every string value is capped at GOTMPL_VALUE_MAX bytes, and the
 *   output at the free space of the caller's buffer.
 */
#ifndef MTV_GOTMPL_H
#define MTV_GOTMPL_H

#include <cjson/cJSON.h>
#include "buf.h"
#include "err.h"

#define GOTMPL_VALUE_MAX (1024u * 1024)	/* largest intermediate string */
#define GOTMPL_MAX_DEPTH 32		/* nested parentheses */
#define GOTMPL_MAX_ARGS 32		/* arguments of one function call */

/* Render tmpl with the fields of data (a cJSON object: strings, numbers,
 * booleans; `.Name` looks up key "Name").  Appends the result to out.
 * Errors (MTV_EXIT_USAGE): syntax (unclosed action, unknown function, bad
 * literal, wrong argument count or type), an unknown field, with the
 * template and the position in the message.  On error out is unchanged. */
int gotmpl_render(const char *tmpl, const cJSON *data, struct buf *out, struct mtv_err *err);

#endif
