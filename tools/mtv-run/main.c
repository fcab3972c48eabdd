/* mtv-run: run workflows, chains and steps locally with ci-operator's
 * multi-stage semantics; lint, resolve and export the step registry. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "config.h"
#include "export.h"
#include "relcheck.h"
#include "fsutil.h"
#include "log.h"
#include "proc.h"
#include "registry.h"
#include "resolve.h"
#include "runner.h"

static const char usage[] =
	"usage: mtv-run [options] workflow|chain|step NAME\n"
	"       mtv-run [options] run --config FILE --test NAME\n"
	"       mtv-run [options] resolve (workflow|chain|step NAME | --config FILE --test NAME)\n"
	"       mtv-run [options] lint\n"
	"       mtv-run [options] export DIR\n"
	"\n"
	"Runs a workflow, chain or step of the step registry locally the way ci-operator\n"
	"runs a multi-stage test: pre, test, post; timeouts and grace periods; a private\n"
	"SHARED_DIR per step; artifacts/<test>/<step>/ and artifacts/junit_operator.xml.\n"
	"\n"
	"options:\n"
	"  --registry DIR      a registry in ci-operator layout (step-registry/)\n"
	"  --repo DIR          this repository's layout: DIR/{steps,chains,workflows}\n"
	"                      (default: $MTV_SRC_DIR, else the current directory)\n"
	"  --config FILE       a ci-operator test configuration (with --test NAME)\n"
	"  --test NAME         the test of --config to run\n"
	"  --env K=V           a test-level parameter (repeatable); overrides config env\n"
	"  --out DIR           output directory (default .mtv/run)\n"
	"  --name NAME         test name for workflow/chain/step runs (default: NAME)\n"
	"  --job-name NAME     JOB_NAME for the steps (default mtv-run-<test>)\n"
	"  --namespace NS      NAMESPACE for the steps (default ci-op-local)\n"
	"  --kubeconfig FILE   KUBECONFIG for the steps (default: $KUBECONFIG if set)\n"
	"  --cluster-profile-dir DIR  CLUSTER_PROFILE_DIR (default: $CLUSTER_PROFILE_DIR)\n"
	"  --credentials NAMESPACE/NAME=DIR  the local directory holding the files of the\n"
	"                      CI secret a step's `credentials:` mounts (repeatable): a\n"
	"                      parameter set to its mount_path (or below) gets DIR instead,\n"
	"                      and the files' values are censored like the cluster profile's\n"
	"  --stream            print each step's output as it runs, prefixed with the step\n"
	"                      name ([mtv-plan] ...) and censored like its build-log.txt\n"
	"  -h, --help          this text\n"
	"\n"
	"exit: 0 every step that counts passed; 1 a step failed (or lint found problems);\n"
	"      2 bad input (registry, configuration, parameters; nothing was run);\n"
	"      3 environment error; 130 interrupted (post steps still ran)\n";

struct opts {
	const char *registry, *repo, *config, *test, *out, *name, *job_name, *namespace;
	const char *kubeconfig, *cluster_profile_dir;
	struct credential_dir *cred_dirs;
	size_t ncred_dirs;
	struct param *env;
	size_t nenv;
	bool stream;
	const char *cmd, *arg, *kind;
};

enum {
	OPT_REGISTRY = 256, OPT_REPO, OPT_CONFIG, OPT_TEST, OPT_ENV, OPT_OUT, OPT_NAME,
	OPT_JOB, OPT_NS, OPT_KUBECONFIG, OPT_PROFILE, OPT_CREDENTIALS, OPT_STREAM,
};

static int parse_args(struct arena *a, int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "registry", required_argument, NULL, OPT_REGISTRY },
		{ "repo", required_argument, NULL, OPT_REPO },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "test", required_argument, NULL, OPT_TEST },
		{ "env", required_argument, NULL, OPT_ENV },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "job-name", required_argument, NULL, OPT_JOB },
		{ "namespace", required_argument, NULL, OPT_NS },
		{ "kubeconfig", required_argument, NULL, OPT_KUBECONFIG },
		{ "cluster-profile-dir", required_argument, NULL, OPT_PROFILE },
		{ "credentials", required_argument, NULL, OPT_CREDENTIALS },
		{ "stream", no_argument, NULL, OPT_STREAM },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, nargs;
	char **args;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_REGISTRY: o->registry = optarg; break;
		case OPT_REPO: o->repo = optarg; break;
		case OPT_CONFIG: o->config = optarg; break;
		case OPT_TEST: o->test = optarg; break;
		case OPT_OUT: o->out = optarg; break;
		case OPT_NAME: o->name = optarg; break;
		case OPT_JOB: o->job_name = optarg; break;
		case OPT_NS: o->namespace = optarg; break;
		case OPT_KUBECONFIG: o->kubeconfig = optarg; break;
		case OPT_PROFILE: o->cluster_profile_dir = optarg; break;
		case OPT_STREAM: o->stream = true; break;
		case OPT_CREDENTIALS: {
			struct mtv_err e = { 0 };
			struct credential_dir cd;

			if (credential_dir_parse(a, optarg, &cd, &e) < 0) {
				fprintf(stderr, "mtv-run: %s\n", e.msg);
				return -1;
			}
			*(struct credential_dir *)arena_push(a, &o->cred_dirs, &o->ncred_dirs,
							     sizeof(cd)) = cd;
			break;
		}
		case OPT_ENV: {
			const char *eq = strchr(optarg, '=');
			struct param *p;

			if (!eq || eq == optarg) {
				fprintf(stderr, "mtv-run: --env %s: expected NAME=VALUE\n", optarg);
				return -1;
			}
			p = arena_push(a, &o->env, &o->nenv, sizeof(*p));
			p->name = arena_strndup(a, optarg, (size_t)(eq - optarg));
			p->value = eq + 1;
			break;
		}
		case 'h':
			fputs(usage, stdout);
			exit(0);
		default:
			fputs(usage, stderr);
			return -1;
		}
	}
	args = argv + optind;
	nargs = argc - optind;
	if (nargs == 0 && o->config) {
		o->cmd = "run";
		return 0;
	}
	if (nargs == 0) {
		fputs(usage, stderr);
		return -1;
	}
	o->cmd = args[0];
	args++;
	nargs--;
	if (!strcmp(o->cmd, "resolve")) {
		if (nargs == 0 && o->config)
			return 0;
		if (nargs != 2)
			goto bad;
		o->kind = args[0];
		o->arg = args[1];
	} else if (!strcmp(o->cmd, "workflow") || !strcmp(o->cmd, "chain") || !strcmp(o->cmd, "step")) {
		if (nargs != 1)
			goto bad;
		o->kind = o->cmd;
		o->arg = args[0];
		o->cmd = "run";
	} else if (!strcmp(o->cmd, "run")) {
		if (nargs != 0 || !o->config)
			goto bad;
	} else if (!strcmp(o->cmd, "lint")) {
		if (nargs != 0)
			goto bad;
	} else if (!strcmp(o->cmd, "export")) {
		if (nargs != 1)
			goto bad;
		o->arg = args[0];
	} else {
		fprintf(stderr, "mtv-run: unknown command \"%s\"\n%s", o->cmd, usage);
		return -1;
	}
	if (o->kind && strcmp(o->kind, "workflow") && strcmp(o->kind, "chain") && strcmp(o->kind, "step"))
		goto bad;
	if (o->config && !o->test) {
		fprintf(stderr, "mtv-run: --config needs --test NAME\n");
		return -1;
	}
	if (o->config && o->kind) {
		fprintf(stderr, "mtv-run: --config and %s NAME are mutually exclusive\n", o->kind);
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "mtv-run: wrong arguments for %s\n%s", o->cmd, usage);
	return -1;
}

static void print_errors(FILE *f, const struct errlist *e)
{
	for (size_t i = 0; i < e->n; i++)
		fprintf(f, "%s\n", e->v[i]);
}

/* YAML double-quoted scalar (a superset of JSON strings). */
static void yq(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p == '\t')
			fputs("\\t", stdout);
		else if (*p < 0x20 || *p == 0x7f)
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void print_resolved(const struct resolved *res)
{
	printf("as: ");
	yq(res->test);
	printf("\nallow_best_effort_post_steps: %s\n", res->allow_best_effort_post_steps ? "true" : "false");
	printf("allow_skip_on_success: %s\n", res->allow_skip_on_success ? "true" : "false");
	for (int p = 0; p < PHASE_N; p++) {
		printf("%s:%s\n", phase_names[p], res->n[p] ? "" : " []");
		for (size_t i = 0; i < res->n[p]; i++) {
			const struct lstep *s = res->phase[p][i].s;

			printf("- as: ");
			yq(s->as);
			if (s->from) {
				printf("\n  from: ");
				yq(s->from);
			}
			printf("\n  commands: ");
			yq(s->commands ? s->commands : "");
			putchar('\n');
			if (s->timeout_str)
				printf("  timeout: %s\n", s->timeout_str);
			if (s->grace_str)
				printf("  grace_period: %s\n", s->grace_str);
			if (s->best_effort)
				printf("  best_effort: true\n");
			if (s->optional_on_success)
				printf("  optional_on_success: true\n");
			if (s->no_kubeconfig)
				printf("  no_kubeconfig: true\n");
			if (s->run_as_script)
				printf("  run_as_script: true\n");
			if (s->ncreds)
				printf("  credentials:\n");
			for (size_t j = 0; j < s->ncreds; j++) {
				const struct credential *c = &s->creds[j];

				printf("  - namespace: ");
				yq(c->namespace_ ? c->namespace_ : "");
				printf("\n    name: ");
				yq(c->name ? c->name : "");
				printf("\n    mount_path: ");
				yq(c->mount_path ? c->mount_path : "");
				putchar('\n');
			}
			if (!res->phase[p][i].nparams)
				continue;
			printf("  env:\n");
			for (size_t j = 0; j < res->phase[p][i].nparams; j++) {
				printf("  - name: ");
				yq(res->phase[p][i].params[j].name);
				printf("\n    default: ");
				yq(res->phase[p][i].params[j].value);
				putchar('\n');
			}
		}
	}
}

static const char *abs_dir(struct arena *a, const char *dir, struct mtv_err *err)
{
	char buf[PATH_MAX];

	if (fs_mkdir_p(dir, 0755, err) < 0)
		return NULL;
	if (!realpath(dir, buf)) {
		mtv_err_set(err, MTV_EXIT_ENV, "%s: %s", dir, strerror(errno));
		return NULL;
	}
	return arena_strdup(a, buf);
}

static int cmd_main(struct arena *a, struct opts *o)
{
	struct mtv_err err = { 0 };
	struct registry reg;
	struct errlist errs = { a, NULL, 0 };
	struct msconf conf;
	struct resolved res;
	const char *root = o->registry;
	const char *T;

	if (!root)
		root = o->repo ? o->repo : getenv("MTV_SRC_DIR") ? getenv("MTV_SRC_DIR") : ".";
	if (registry_load(a, root, !o->registry, &reg, &err) < 0) {
		log_error("%s", err.msg);
		return MTV_EXIT_USAGE;
	}
	registry_check(&reg);
	if (!strcmp(o->cmd, "lint")) {
		release_check(a, &reg);
		print_errors(stdout, &reg.errs);
		if (reg.errs.n) {
			fprintf(stderr, "mtv-run: lint: %zu problem(s) in %s\n", reg.errs.n, root);
			return MTV_EXIT_FAILED;
		}
		fprintf(stderr, "mtv-run: lint: %s: %zu reference(s), %zu chain(s), %zu workflow(s): OK\n",
			root, reg.nrefs, reg.nchains, reg.nworkflows);
		return 0;
	}
	if (reg.errs.n) {
		print_errors(stderr, &reg.errs);
		log_error("registry %s has %zu problem(s); nothing was run", root, reg.errs.n);
		return MTV_EXIT_USAGE;
	}
	if (!strcmp(o->cmd, "export")) {
		if (export_registry(a, &reg, o->arg, &err) < 0) {
			log_error("export: %s", err.msg);
			return err.code ? err.code : MTV_EXIT_ENV;
		}
		log_info("exported %zu reference(s), %zu chain(s), %zu workflow(s) to %s/mtv",
			 reg.nrefs, reg.nchains, reg.nworkflows, o->arg);
		return 0;
	}

	memset(&conf, 0, sizeof(conf));
	conf.allow_skip_on_success = -1;
	conf.allow_best_effort_post_steps = -1;
	if (o->config) {
		if (config_load_test(a, o->config, o->test, &conf, &errs, &err) < 0) {
			log_error("%s", err.msg);
			return MTV_EXIT_USAGE;
		}
		T = o->test;
	} else {
		struct tstep *t;

		T = o->name ? o->name : o->arg;
		if (!strcmp(o->kind, "workflow")) {
			conf.workflow = o->arg;
		} else {
			t = arena_push(a, &conf.phase[PHASE_TEST].items, &conf.phase[PHASE_TEST].n, sizeof(*t));
			t->kind = !strcmp(o->kind, "chain") ? TSTEP_CHAIN : TSTEP_REF;
			t->name = o->arg;
			conf.phase[PHASE_TEST].set = true;
		}
	}
	/* --env is the test's own env: it wins over the configuration's. */
	for (size_t i = 0; i < o->nenv; i++) {
		bool replaced = false;

		for (size_t j = 0; j < conf.nenv; j++) {
			if (!strcmp(conf.env[j].name, o->env[i].name)) {
				conf.env[j].value = o->env[i].value;
				replaced = true;
			}
		}
		if (!replaced)
			*(struct param *)arena_push(a, &conf.env, &conf.nenv, sizeof(struct param)) = o->env[i];
	}
	if (resolve_test(&reg, T, &conf, &res, &errs) < 0 || errs.n) {
		print_errors(stderr, &errs);
		log_error("test %s: %zu problem(s); nothing was run", T, errs.n);
		return MTV_EXIT_USAGE;
	}
	if (!strcmp(o->cmd, "resolve")) {
		print_resolved(&res);
		return 0;
	}
	{
		struct run_opts ro = { 0 };
		int rc;

		if (signals_install(&err) < 0) {
			log_error("%s", err.msg);
			return MTV_EXIT_ENV;
		}
		ro.out = abs_dir(a, o->out ? o->out : ".mtv/run", &err);
		if (!ro.out) {
			log_error("%s", err.msg);
			return MTV_EXIT_ENV;
		}
		ro.job_name = o->job_name ? o->job_name : arena_printf(a, "mtv-run-%s", T);
		ro.namespace = o->namespace ? o->namespace : "ci-op-local";
		ro.build_id = arena_printf(a, "%lld", (long long)time(NULL));
		ro.kubeconfig = o->kubeconfig ? o->kubeconfig : getenv("KUBECONFIG");
		if (ro.kubeconfig && !*ro.kubeconfig)
			ro.kubeconfig = NULL;
		ro.cluster_profile_dir = o->cluster_profile_dir ? o->cluster_profile_dir
								: getenv("CLUSTER_PROFILE_DIR");
		if (ro.cluster_profile_dir && !*ro.cluster_profile_dir)
			ro.cluster_profile_dir = NULL;
		ro.cred_dirs = o->cred_dirs;
		ro.ncred_dirs = o->ncred_dirs;
		ro.stream = o->stream;
		log_info("test %s: %zu pre, %zu test, %zu post step(s); output in %s", T,
			 res.n[PHASE_PRE], res.n[PHASE_TEST], res.n[PHASE_POST], ro.out);
		rc = runner_run(a, &res, &ro, &err);
		if (rc < 0) {
			log_error("%s", err.msg);
			return err.code ? err.code : MTV_EXIT_ENV;
		}
		return rc;
	}
}

int main(int argc, char **argv)
{
	struct mtv_err err = { 0 };
	struct arena a;
	struct opts o = { 0 };
	int rc;

	if (log_init("mtv-run", &err) < 0)
		fprintf(stderr, "mtv-run: %s\n", err.msg);
	arena_init(&a);
	if (parse_args(&a, argc, argv, &o) < 0) {
		arena_release(&a);
		return MTV_EXIT_USAGE;
	}
	rc = cmd_main(&a, &o);
	arena_release(&a);
	return rc;
}
