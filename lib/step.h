/* The runtime every step binary shares: the step contract in one place.
 *
 * A step declares its parameters once (environment variable, long option,
 * default, help); step_parse() resolves each from the command line, else the
 * environment, else the default, and builds --help from the same table, so
 * the help text, the ci-operator ref's `env` list and the code cannot drift.
 * It also opens SHARED_DIR, resolves ARTIFACT_DIR, installs the SIGINT/
 * SIGTERM handler and collects JUnit test cases that step_finish() writes.
 */
#ifndef MTV_STEP_H
#define MTV_STEP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "junit.h"
#include "state.h"

enum {
	STEP_PARAM_SECRET = 1 << 0,	/* never shown (help shows only "set"/"unset") */
	STEP_PARAM_BOOL = 1 << 1,	/* "true"/"false"; a bare --option means true */
	STEP_PARAM_REQUIRED = 1 << 2,	/* empty after resolution is bad input */
};

struct step_param {
	const char *env;	/* MTV_STORAGE_CLASS */
	const char *option;	/* storage-class, for --storage-class */
	const char *def;	/* default, or NULL for "" */
	const char *help;
	unsigned flags;
	const char *value;	/* resolved by step_parse */
};

struct step {
	const char *name;		/* mtv-plan */
	const char *summary;		/* one line for --help */
	struct step_param *params;
	size_t nparams;
	bool writes;			/* has --dry-run */

	/* Filled by step_parse. */
	bool dry_run;
	const char *output;		/* -o: "", "json", "yaml" or "name" */
	const char *context;		/* --context */
	char **args;			/* positional arguments */
	int nargs;
	struct state state;
	char artifact_dir[4096];
	bool artifact_default;		/* ARTIFACT_DIR was unset */
	struct junit_suite junit;
	double started;			/* monotonic seconds */
};

enum step_parse_result {
	STEP_RUN = 0,
	STEP_HELP = 1,			/* --help: print step_usage() and exit 0 */
};

/* Parse argv and the environment; set up logging, state, artifacts, signal
 * handling and the JUnit suite.  Bad options or values: -1, MTV_EXIT_USAGE. */
int step_parse(struct step *s, int argc, char **argv, struct mtv_err *err);

/* The --help text (caller frees). */
char *step_usage(const struct step *s);

/* The resolved value of a parameter by env name ("" when unset). */
const char *step_get(const struct step *s, const char *env);
bool step_get_bool(const struct step *s, const char *env);
/* A positive number of seconds (MTV_*_TIMEOUT); bad values fail naming env. */
int step_get_seconds(const struct step *s, const char *env, long *out, struct mtv_err *err);
/* A whole number in 1..max of `unit` (named in the error, as env is). */
int step_get_positive(const struct step *s, const char *env, const char *unit, long max, long *out,
		      struct mtv_err *err);

/* The signal flag (0, SIGINT or SIGTERM) that waits poll. */
volatile sig_atomic_t *step_interrupt_flag(void);

/* Record a JUnit test case (seconds measured by the caller). */
void step_case(struct step *s, const char *name, double seconds, enum junit_result result,
	       const char *message, const char *text);

/* Write $ARTIFACT_DIR/junit_<name with '-' → '_'>.xml, release everything and
 * return the exit code to use: code, or 130/143 when a signal arrived. */
int step_finish(struct step *s, int code);

/* The whole life of a step binary: parse (--help prints usage and exits 0;
 * bad options exit 2), run, log the error of a failed run, write JUnit and
 * return the exit code for main to return.  run gets arg back and returns
 * 0, or -1 with err. */
typedef int (*step_run_fn)(struct step *s, void *arg, struct mtv_err *err);
int step_main(struct step *s, int argc, char **argv, step_run_fn run, void *arg);

/* Whether -o asks for a document (json or yaml) rather than names. */
bool step_output_doc(const struct step *s);

/* The one -o output path of every step: doc on stdout as JSON or YAML when
 * -o asks for it; otherwise names as given (one per line), or doc as JSON
 * when names is NULL (--dry-run).  A step builds one doc for both formats,
 * so they carry the same fields. */
void step_print(const struct step *s, const cJSON *doc, const char *names);

/* Monotonic clock in seconds, for durations. */
double step_now(void);

#endif
