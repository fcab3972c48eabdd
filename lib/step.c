#include "step.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "fsutil.h"
#include "log.h"
#include "redact.h"
#include "yamlout.h"

/* Written by the signal handler, read by waits: the one piece of global
 * state a signal handler forces on us. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

volatile sig_atomic_t *step_interrupt_flag(void)
{
	return &interrupted;
}

double step_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking call should return EINTR and notice. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Option ids: parameters use their index; fixed options sit above them. */
enum {
	OPT_HELP = 1000,
	OPT_DRY_RUN,
	OPT_OUTPUT,
	OPT_CONTEXT,
};

static int is_bool_text(const char *v)
{
	return !strcasecmp(v, "true") || !strcasecmp(v, "false");
}

static int resolve_artifacts(struct step *s, struct mtv_err *err)
{
	const char *dir = getenv("ARTIFACT_DIR");

	s->artifact_default = !dir || !*dir;
	if (s->artifact_default) {
		/* Never inside SHARED_DIR: ci-operator drops its subdirectories. */
		snprintf(s->artifact_dir, sizeof(s->artifact_dir), ".mtv/artifacts");
	} else if (snprintf(s->artifact_dir, sizeof(s->artifact_dir), "%s", dir) >=
		   (int)sizeof(s->artifact_dir)) {
		return mtv_err_set(err, MTV_EXIT_USAGE, "ARTIFACT_DIR: path too long");
	}
	if (fs_mkdir_p(s->artifact_dir, 0755, err) < 0)
		return mtv_err_prefix(err, "ARTIFACT_DIR");
	return 0;
}

int step_parse(struct step *s, int argc, char **argv, struct mtv_err *err)
{
	struct option *longopts;
	size_t n = 0;
	int c;

	s->started = step_now();
	s->output = "";
	junit_suite_init(&s->junit, s->name);
	if (log_init(s->name, err) < 0)
		return -1;

	longopts = calloc(s->nparams + 5, sizeof(*longopts));
	if (!longopts)
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	for (size_t i = 0; i < s->nparams; i++) {
		const char *env = getenv(s->params[i].env);

		s->params[i].value = env ? env : (s->params[i].def ? s->params[i].def : "");
		if (!s->params[i].option)
			continue;
		longopts[n].name = s->params[i].option;
		longopts[n].has_arg = s->params[i].flags & STEP_PARAM_BOOL ? optional_argument
									 : required_argument;
		longopts[n].val = (int)i;
		n++;
	}
	longopts[n++] = (struct option){ "help", no_argument, NULL, OPT_HELP };
	longopts[n++] = (struct option){ "output", required_argument, NULL, OPT_OUTPUT };
	longopts[n++] = (struct option){ "context", required_argument, NULL, OPT_CONTEXT };
	if (s->writes)
		longopts[n++] = (struct option){ "dry-run", no_argument, NULL, OPT_DRY_RUN };

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
		case OPT_HELP:
			free(longopts);
			return STEP_HELP;
		case 'o':
		case OPT_OUTPUT:
			if (strcmp(optarg, "json") && strcmp(optarg, "yaml") && strcmp(optarg, "name")) {
				free(longopts);
				return mtv_err_set(err, MTV_EXIT_USAGE,
						   "-o %s: unknown output format (json, yaml or name)", optarg);
			}
			s->output = optarg;
			break;
		case OPT_CONTEXT:
			s->context = optarg;
			break;
		case OPT_DRY_RUN:
			s->dry_run = true;
			break;
		case '?':
			free(longopts);
			return mtv_err_set(err, MTV_EXIT_USAGE, "unknown or incomplete option '%s' (see --help)",
					   argv[optind - 1]);
		default:
			if (c >= 0 && (size_t)c < s->nparams) {
				struct step_param *p = &s->params[c];

				p->value = optarg ? optarg : "true";
				break;
			}
			free(longopts);
			return mtv_err_set(err, MTV_EXIT_USAGE, "bad option");
		}
	}
	free(longopts);
	s->args = argv + optind;
	s->nargs = argc - optind;

	for (size_t i = 0; i < s->nparams; i++) {
		const struct step_param *p = &s->params[i];

		if ((p->flags & STEP_PARAM_BOOL) && *p->value && !is_bool_text(p->value))
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s: expected true or false, got '%s'",
					   p->env, p->value);
		if ((p->flags & STEP_PARAM_REQUIRED) && !*p->value)
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s (--%s) is required", p->env,
					   p->option ? p->option : p->env);
	}
	if (state_open(&s->state, err) < 0)
		return -1;
	if (resolve_artifacts(s, err) < 0)
		return -1;
	if (s->state.is_default)
		log_info("SHARED_DIR is unset: keeping state in ./%s", s->state.dir);
	install_signals();
	return STEP_RUN;
}

char *step_usage(const struct step *s)
{
	struct buf b = BUF_INIT(1 << 20);

	buf_addf(&b, "usage: %s [options]\n\n%s\n\n", s->name, s->summary);
	buf_addstr(&b, "Each option can also be set through its environment variable; the option wins.\n\n");
	for (size_t i = 0; i < s->nparams; i++) {
		const struct step_param *p = &s->params[i];
		const char *def = p->def && *p->def ? p->def : NULL;

		if (p->option)
			buf_addf(&b, "  --%s%s\n", p->option,
				 p->flags & STEP_PARAM_BOOL ? "[=true|false]" : "=VALUE");
		buf_addf(&b, "      %s%s\n", p->env,
			 p->flags & STEP_PARAM_REQUIRED ? " (required)" : "");
		buf_addf(&b, "      %s", p->help);
		if (p->flags & STEP_PARAM_SECRET)
			buf_addstr(&b, " (secret: never printed)");
		else if (def)
			buf_addf(&b, " [default: %s]", def);
		buf_addstr(&b, "\n");
	}
	if (s->writes)
		buf_addstr(&b, "  --dry-run\n      print the objects that would be created (a Secret's values as\n"
			       "      <redacted>); write nothing\n");
	buf_addstr(&b, "  -o, --output=json|yaml|name\n      result format on stdout\n");
	buf_addstr(&b, "  --context=NAME\n      kubeconfig context [MTV_KUBE_CONTEXT, else current-context]\n");
	buf_addstr(&b, "  -h, --help\n      this text\n\n");
	buf_addstr(&b, "Also read: KUBECONFIG (else $SHARED_DIR/kubeconfig, ~/.kube/config, in-cluster),\n"
		       "MTV_CLUSTER_HOST/USERNAME/PASSWORD (OpenShift login), SHARED_DIR (else ./.mtv),\n"
		       "ARTIFACT_DIR (else ./.mtv/artifacts), MTV_LOG_LEVEL, MTV_HTTP_TIMEOUT.\n\n");
	buf_addstr(&b, "Exit status: 0 ok; 1 the system under test failed; 2 bad input or usage;\n"
		       "3 environment or API failure; 4 timed out; 130/143 interrupted.\n");
	return buf_take(&b);
}

static const struct step_param *find(const struct step *s, const char *env)
{
	for (size_t i = 0; i < s->nparams; i++)
		if (!strcmp(s->params[i].env, env))
			return &s->params[i];
	return NULL;
}

const char *step_get(const struct step *s, const char *env)
{
	const struct step_param *p = find(s, env);

	return p && p->value ? p->value : "";
}

bool step_get_bool(const struct step *s, const char *env)
{
	return !strcasecmp(step_get(s, env), "true");
}

int step_get_positive(const struct step *s, const char *env, const char *unit, long max, long *out,
		      struct mtv_err *err)
{
	const char *v = step_get(s, env);
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || errno || n <= 0 || n > max)
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: expected a positive number of %s, got '%s'", env,
				   unit, v);
	*out = n;
	return 0;
}

int step_get_seconds(const struct step *s, const char *env, long *out, struct mtv_err *err)
{
	return step_get_positive(s, env, "seconds", LONG_MAX, out, err);
}

void step_case(struct step *s, const char *name, double seconds, enum junit_result result,
	       const char *message, const char *text)
{
	junit_add(&s->junit, s->name, name, seconds, result, message, text, NULL);
}

int step_finish(struct step *s, int code)
{
	char path[4400], file[128];
	struct mtv_err err;

	/* what the step printed leaves now, not in exit's flush, so a signal
	 * that arrives while it is written is still seen below */
	fflush(stdout);
	if (interrupted)
		code = 128 + interrupted;
	snprintf(file, sizeof(file), "junit_%s.xml", s->name);
	for (char *p = file; *p; p++)
		if (*p == '-')
			*p = '_';
	if (*s->artifact_dir) {
		snprintf(path, sizeof(path), "%s/%s", s->artifact_dir, file);
		if (junit_write(&s->junit, path, &err) < 0)
			log_warn("could not write JUnit: %s", err.msg);
	}
	junit_suite_release(&s->junit);
	/* a signal while the results or the JUnit file were written still
	 * ends the step as interrupted: whoever sent it waits for 128 +
	 * signal */
	if (interrupted)
		code = 128 + interrupted;
	return code;
}

int step_main(struct step *s, int argc, char **argv, step_run_fn run, void *arg)
{
	struct mtv_err err = { 0 };
	char *usage;

	switch (step_parse(s, argc, argv, &err)) {
	case STEP_HELP:
		usage = step_usage(s);
		fputs(usage, stdout);
		free(usage);
		junit_suite_release(&s->junit);
		return 0;
	case STEP_RUN:
		break;
	default:
		log_error("%s", err.msg);
		return step_finish(s, MTV_EXIT_USAGE);
	}
	if (run(s, arg, &err) == 0)
		return step_finish(s, MTV_EXIT_OK);
	log_error("%s", err.msg);
	return step_finish(s, err.code ? err.code : MTV_EXIT_FAILED);
}

bool step_output_doc(const struct step *s)
{
	return !strcmp(s->output, "json") || !strcmp(s->output, "yaml");
}

void step_print(const struct step *s, const cJSON *doc, const char *names)
{
	if (step_output_doc(s) || !names) {
		struct buf out = BUF_INIT(1 << 24);
		/* stdout is a log too (CI keeps it): a Secret's values never
		 * reach it, not even from --dry-run */
		cJSON *shown = cJSON_Duplicate(doc, 1);

		redact_secret_data(shown);
		render_doc(&out, step_output_doc(s) ? s->output : "json", shown ? shown : doc);
		cJSON_Delete(shown);
		fputs(buf_str(&out), stdout);
		buf_release(&out);
	} else {
		fputs(names, stdout);
	}
	fflush(stdout);
}
