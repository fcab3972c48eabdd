/* A JUnit XML writer for step results.
 *
 * The shape is what JUnit consumers and ci-operator's result viewers (Prow's
 * Spyglass, TestGrid) read: <testsuites><testsuite name tests failures
 * skipped time><testcase name classname time> with <failure message=…>text
 * </failure>, <skipped message=…/> and <system-out>.  Text from servers is
 * escaped for XML, and control characters XML 1.0 cannot carry at all are
 * replaced, so the file always parses.
 */
#ifndef MTV_JUNIT_H
#define MTV_JUNIT_H

#include <stddef.h>
#include "err.h"

enum junit_result {
	JUNIT_PASSED,
	JUNIT_FAILED,
	JUNIT_SKIPPED,
};

struct junit_case {
	char *name;
	char *classname;
	double seconds;
	enum junit_result result;
	char *message;		/* failure or skip message (one line) */
	char *text;		/* failure body, e.g. a log tail */
	char *system_out;
};

struct junit_suite {
	char *name;
	struct junit_case *cases;
	size_t ncases, alloc;
};

void junit_suite_init(struct junit_suite *s, const char *name);
void junit_suite_release(struct junit_suite *s);

/* Append a case; message/text/system_out may be NULL.  Strings are copied. */
int junit_add(struct junit_suite *s, const char *classname, const char *name, double seconds,
	      enum junit_result result, const char *message, const char *text,
	      const char *system_out);

size_t junit_count(const struct junit_suite *s, enum junit_result result);

/* Render the suite as a <testsuites> document into a new string. */
char *junit_render(const struct junit_suite *s);

/* Write the document to path atomically (temp file + rename). */
int junit_write(const struct junit_suite *s, const char *path, struct mtv_err *err);

/* Append text to out escaped for an XML attribute or element. */
struct buf;
int junit_escape(struct buf *out, const char *text);

#endif
