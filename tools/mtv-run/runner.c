#include "runner.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "censor.h"
#include "stream.h"
#include "decode.h"
#include "fsutil.h"
#include "junit.h"
#include "log.h"
#include "proc.h"
#include "shareddir.h"

/* Environment a step inherits from the runner: enough to find programs
 * and speak the user's locale; everything else is what ci-operator sets,
 * so a step sees only the parameters it declares. */
static const char *const inherited_env[] = {
	"PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TERM",
	"TZ", "TMPDIR", NULL,
};

/* Kubelet's termination message from logs: the last 80 lines or 2048
 * bytes, whichever is smaller. */
#define TAIL_LINES 80
#define TAIL_BYTES 2048

struct envv {
	struct arena *a;
	char **v;
	size_t n;
};

/* Later settings win, as for duplicate names in a pod's env list. */
static void env_set(struct envv *e, const char *name, const char *value)
{
	size_t l = strlen(name);
	char *kv = arena_printf(e->a, "%s=%s", name, value);

	for (size_t i = 0; i < e->n; i++) {
		if (!strncmp(e->v[i], name, l) && e->v[i][l] == '=') {
			e->v[i] = kv;
			return;
		}
	}
	*(char **)arena_push(e->a, &e->v, &e->n, sizeof(char *)) = kv;
}

struct run {
	struct arena *a;
	const struct resolved *res;
	const struct run_opts *o;
	const char *T;
	const char *safe;	/* JOB_NAME_SAFE, the Secret's name */
	const char *shared;
	const char *tmp;
	struct junit_case *cases;
	size_t ncases;
	bool interrupted;
	struct censor censor;
};

struct step_outcome {
	bool passed;
	bool aborted;
	int exit_code;
	long long ms;
	const char *tail;
	const char *reason;	/* extra failure text (SHARED_DIR) */
};

static void add_case(struct run *r, const char *name, long long ms, bool failed,
		     const char *text, const char *out)
{
	struct junit_case *c = arena_push(r->a, &r->cases, &r->ncases, sizeof(*c));

	c->name = arena_strdup(r->a, name);
	c->seconds = (double)ms / 1000.0;
	c->result = failed ? JUNIT_FAILED : JUNIT_PASSED;
	c->text = failed ? arena_strdup(r->a, text) : NULL;
	c->system_out = out ? arena_strdup(r->a, out) : NULL;
}

static const char *log_tail(struct arena *a, const char *path)
{
	struct buf b = BUF_INIT(256u * 1024 * 1024);
	const char *s, *p;
	int lines = 0;
	char *t;

	if (fs_read_file(path, &b, 256u * 1024 * 1024, NULL) < 0) {
		buf_release(&b);
		return "";
	}
	s = buf_str(&b);
	p = s + b.len;
	if (p > s && p[-1] == '\n')
		p--;
	while (p > s && (size_t)(s + b.len - p) < TAIL_BYTES) {
		if (p[-1] == '\n' && ++lines == TAIL_LINES)
			break;
		p--;
	}
	if ((size_t)(s + b.len - p) > TAIL_BYTES)
		p = s + b.len - TAIL_BYTES;
	t = arena_strdup(a, p);
	buf_release(&b);
	return t;
}

struct warn_ctx {
	int fd;
};

static void warn_cb(void *ctx, const char *msg)
{
	struct warn_ctx *w = ctx;

	log_warn("%s", msg);
	dprintf(w->fd, "%s\n", msg);
}

static int write_finished(const char *dir, const struct step_outcome *so, struct mtv_err *err)
{
	cJSON *j = cJSON_CreateObject(), *meta = cJSON_CreateObject();
	char path[4096];
	char *text;
	int r;

	cJSON_AddNumberToObject(j, "timestamp", (double)time(NULL));
	cJSON_AddBoolToObject(j, "passed", so->passed);
	cJSON_AddStringToObject(j, "result", so->aborted ? "ABORTED" : so->passed ? "SUCCESS" : "FAILURE");
	cJSON_AddNumberToObject(meta, "exit_code", so->exit_code);
	cJSON_AddItemToObject(j, "metadata", meta);
	text = cJSON_Print(j);
	cJSON_Delete(j);
	snprintf(path, sizeof(path), "%s/finished.json", dir);
	r = fs_write_atomic(path, text, strlen(text), 0644, err);
	free(text);
	return r;
}

/* entrypoint-wrapper's manage-kubeconfig mode: the step works on a private
 * writable copy of KUBECONFIG, so its edits (oc login, a context switch, a
 * namespace set) reach neither later steps nor the user's --kubeconfig. */
static int private_kubeconfig(struct run *r, const char *as, const char *src, char **out,
			      struct mtv_err *err)
{
	struct buf b = BUF_INIT(16u * 1024 * 1024);
	char *path = arena_printf(r->a, "%s/kubeconfig-%s-XXXXXX", r->tmp, as);
	int fd, rc = 0;

	if (fs_read_file(src, &b, 16u * 1024 * 1024, err) < 0) {
		buf_release(&b);
		return mtv_err_set(err, MTV_EXIT_ENV, "KUBECONFIG: %s", err->msg[0] ? arena_strdup(r->a, err->msg) : src);
	}
	fd = mkstemp(path);	/* 0600: it may hold a token */
	if (fd < 0) {
		buf_release(&b);
		return mtv_err_set(err, MTV_EXIT_ENV, "%s: %s", path, strerror(errno));
	}
	for (size_t off = 0; off < b.len;) {
		ssize_t w = write(fd, buf_str(&b) + off, b.len - off);

		if (w < 0) {
			rc = mtv_err_set(err, MTV_EXIT_ENV, "%s: %s", path, strerror(errno));
			break;
		}
		off += (size_t)w;
	}
	close(fd);
	buf_release(&b);
	*out = path;
	return rc;
}

static int run_step(struct run *r, const struct rstep *rs, bool interruptible,
		    struct step_outcome *so, struct mtv_err *err)
{
	const struct lstep *s = rs->s;
	const char *dir = arena_printf(r->a, "%s/artifacts/%s/%s", r->o->out, r->T, s->as);
	const char *artifacts = arena_printf(r->a, "%s/artifacts", dir);
	const char *logpath = arena_printf(r->a, "%s/build-log.txt", dir);
	char *priv = arena_printf(r->a, "%s/shared-%s-XXXXXX", r->tmp, s->as);
	struct envv env = { r->a, NULL, 0 };
	struct proc_spec spec = { 0 };
	struct proc_result pr;
	struct stream st = { .started = false };
	struct warn_ctx wc;
	char *argv[4];
	char *const *envp;
	const char *kubeconfig = r->o->kubeconfig;
	char *kcopy = NULL;
	int fd;

	memset(so, 0, sizeof(*so));
	if (fs_mkdir_p(artifacts, 0755, err) < 0)
		return -1;
	if (!mkdtemp(priv))
		return mtv_err_set(err, MTV_EXIT_ENV, "%s: %s", priv, strerror(errno));
	if (sd_copy_flat(r->shared, priv, NULL, NULL, err) < 0)
		return -1;
	fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return mtv_err_set(err, MTV_EXIT_ENV, "%s: %s", logpath, strerror(errno));

	for (size_t i = 0; inherited_env[i]; i++) {
		const char *v = getenv(inherited_env[i]);

		if (v)
			env_set(&env, inherited_env[i], v);
	}
	env_set(&env, "CI", "true");
	env_set(&env, "OPENSHIFT_CI", "true");
	env_set(&env, "JOB_NAME", r->o->job_name);
	env_set(&env, "JOB_TYPE", "periodic");
	env_set(&env, "BUILD_ID", r->o->build_id);
	env_set(&env, "PROW_JOB_ID", r->o->build_id);
	env_set(&env, "ARTIFACT_DIR", artifacts);
	env_set(&env, "NAMESPACE", r->o->namespace);
	env_set(&env, "JOB_NAME_SAFE", r->safe);
	/* ci-operator mounts the step's credentials at their mount_path;
	 * here they are where --credentials says, and the parameters that
	 * point at a mount point there. */
	for (size_t i = 0; i < s->ncreds; i++)
		if (!credential_local_dir(r->o->cred_dirs, r->o->ncred_dirs, &s->creds[i]) &&
		    s->creds[i].name)
			log_info("%s: credential %s/%s is not mounted here (mtv-run --credentials %s/%s=DIR)",
				 s->as, s->creds[i].namespace_ ? s->creds[i].namespace_ : "",
				 s->creds[i].name, s->creds[i].namespace_ ? s->creds[i].namespace_ : "",
				 s->creds[i].name);
	for (size_t i = 0; i < rs->nparams; i++)
		env_set(&env, rs->params[i].name,
			credentials_rewrite(r->a, rs->params[i].value, s, r->o->cred_dirs,
					    r->o->ncred_dirs));
	if (!s->no_kubeconfig) {
		/* Steps after the one that published a cluster find it here. */
		const char *kc = arena_printf(r->a, "%s/kubeconfig", priv);

		if (!kubeconfig && access(kc, F_OK) == 0)
			kubeconfig = kc;
		if (kubeconfig) {
			if (private_kubeconfig(r, s->as, kubeconfig, &kcopy, err) < 0) {
				close(fd);
				return -1;
			}
			env_set(&env, "KUBECONFIG", kcopy);
		}
	}
	if (r->o->cluster_profile_dir)
		env_set(&env, "CLUSTER_PROFILE_DIR", r->o->cluster_profile_dir);
	env_set(&env, "SHARED_DIR", priv);
	*(char **)arena_push(r->a, &env.v, &env.n, sizeof(char *)) = NULL;
	envp = env.v;

	if (s->run_as_script) {
		const char *script = arena_printf(r->a, "%s/%s.script", r->tmp, s->as);

		if (fs_write_atomic(script, s->commands, strlen(s->commands), 0755, err) < 0) {
			close(fd);
			return -1;
		}
		argv[0] = (char *)script;
		argv[1] = NULL;
	} else {
		argv[0] = "/bin/bash";
		argv[1] = "-c";
		argv[2] = arena_printf(r->a, "#!/bin/bash\nset -eu\n%s", s->commands);
		argv[3] = NULL;
	}
	spec.argv = argv;
	spec.envp = envp;
	spec.log_fd = fd;
	spec.timeout_ms = s->timeout_ms;
	spec.grace_ms = s->grace_ms;
	spec.interruptible = interruptible;
	if (r->o->stream) {
		if (stream_start(&st, fd, s->as, &r->censor, err) < 0) {
			close(fd);
			return -1;
		}
		spec.log_fd = st.wr;
	}
	if (proc_run(&spec, &pr, err) < 0) {
		stream_finish(&st);
		close(fd);
		return -1;
	}
	/* all the step wrote is in the log before anything else is added */
	stream_finish(&st);
	so->exit_code = pr.exit_code;
	so->ms = pr.ms;
	so->aborted = pr.interrupted;
	so->passed = pr.exit_code == 0;

	/* The wrapper writes SHARED_DIR back whatever the exit code; a
	 * no_kubeconfig step runs without that upload. */
	if (!s->no_kubeconfig) {
		struct mtv_err werr = { 0 };

		wc.fd = fd;
		if (sd_write_back(priv, r->shared, r->safe, warn_cb, &wc, &werr) < 0) {
			log_error("step %s: %s", s->as, werr.msg);
			dprintf(fd, "%s\n", werr.msg);
			so->reason = arena_strdup(r->a, werr.msg);
			if (so->passed)
				so->exit_code = 1;
			so->passed = false;
		}
	}
	close(fd);
	sd_remove_tree(priv, NULL);
	if (kcopy)
		unlink(kcopy);
	/* Before anything reads the log or artifacts, as before an upload. */
	censor_path(&r->censor, logpath);
	censor_path(&r->censor, artifacts);
	so->tail = log_tail(r->a, logpath);
	return write_finished(dir, so, err);
}

static const char *fmt_ms(struct arena *a, long long ms)
{
	char b[64];

	/* Whole seconds past a minute, as a person reads a long step. */
	if (ms >= 60000)
		ms -= ms % 1000;
	else if (ms >= 1000)
		ms -= ms % 100;
	return arena_strdup(a, duration_format(ms, b, sizeof(b)));
}

static int cmp_case(const void *x, const void *y)
{
	return strcmp(((const struct junit_case *)x)->name, ((const struct junit_case *)y)->name);
}

static int write_junit(struct run *r, struct mtv_err *err)
{
	struct junit_suite suite;
	const char *path = arena_printf(r->a, "%s/artifacts/junit_operator.xml", r->o->out);
	int rc = 0;

	qsort(r->cases, r->ncases, sizeof(*r->cases), cmp_case);
	junit_suite_init(&suite, "step graph");
	for (size_t i = 0; i < r->ncases; i++) {
		const struct junit_case *c = &r->cases[i];

		/* ci-operator's failures carry an empty message attribute; the
		 * text is the log tail or the phase error. */
		if (junit_add(&suite, NULL, c->name, c->seconds, c->result,
			      c->result == JUNIT_FAILED ? "" : NULL, c->text, c->system_out) < 0)
			rc = mtv_err_set(err, MTV_EXIT_ENV, "%s: out of memory", path);
	}
	if (!rc)
		rc = junit_write(&suite, path, err);
	junit_suite_release(&suite);
	return rc;
}

/* ci-operator's text for a failed step pod (§3.4), used in phase errors. */
static const char *pod_error(struct run *r, const struct lstep *s, const struct step_outcome *so)
{
	size_t l = strlen(so->tail);

	while (l && so->tail[l - 1] == '\n')
		l--;
	return arena_printf(r->a,
			    "\"%s\" pod \"%s-%s\" failed: the pod %s/%s-%s failed after %s (failed containers: test): ContainerFailed one or more containers exited\n\nContainer test exited with code %d, reason Error\n---\n%s\n---",
			    r->T, r->T, s->as, r->o->namespace, r->T, s->as, fmt_ms(r->a, so->ms),
			    so->exit_code, arena_strndup(r->a, so->tail, l));
}

/* utilerrors.NewAggregate(errs).Error(), the phase case's failure text
 * (ci-tools pkg/steps/multi_stage/run.go, runSteps): one error as it is,
 * several (duplicates dropped) as "[e1, e2]". */
static const char *aggregate(struct arena *a, const char **errs, size_t n)
{
	struct buf b = BUF_INIT(4u * 1024 * 1024);
	size_t uniq = 0;
	const char *s;

	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		for (size_t j = 0; j < i && !dup; j++)
			dup = !strcmp(errs[i], errs[j]);
		if (dup)
			continue;
		buf_addf(&b, "%s%s", uniq++ ? ", " : "", errs[i]);
	}
	s = uniq > 1 ? arena_printf(a, "[%s]", buf_str(&b)) : arena_strdup(a, buf_str(&b));
	buf_release(&b);
	return s;
}

int runner_run(struct arena *a, const struct resolved *res, const struct run_opts *o,
	       struct mtv_err *err)
{
	struct run r = { .a = a, .res = res, .o = o, .T = res->test };
	bool prev_errs = false, failed = false;
	char *safe;

	safe = arena_strdup(a, res->test);
	for (char *p = safe; *p; p++)
		if (*p == '_')
			*p = '-';
	r.safe = safe;
	r.shared = arena_printf(a, "%s/shared", o->out);
	r.tmp = arena_printf(a, "%s/tmp", o->out);
	censor_init(a, &r.censor, o->cluster_profile_dir);
	for (size_t i = 0; i < o->ncred_dirs; i++)
		censor_add_dir(a, &r.censor, o->cred_dirs[i].dir);
	/* A run starts like ci-operator's: an empty SHARED_DIR Secret and no
	 * artifacts of an earlier run of the same test. */
	if (sd_remove_tree(arena_printf(a, "%s/artifacts/%s", o->out, r.T), err) < 0 ||
	    sd_remove_tree(r.shared, err) < 0 || sd_remove_tree(r.tmp, err) < 0 ||
	    fs_mkdir_p(r.shared, 0755, err) < 0 || fs_mkdir_p(r.tmp, 0755, err) < 0 ||
	    fs_mkdir_p(arena_printf(a, "%s/artifacts/%s", o->out, r.T), 0755, err) < 0)
		return -1;

	for (int p = 0; p < PHASE_N; p++) {
		const char *phase = phase_names[p];
		const char **perrs = NULL;
		size_t nperrs = 0;
		long long pstart = now_ms();
		bool cancelled = false;

		if (p == PHASE_TEST && prev_errs) {
			log_info("Skipping test phase: pre steps failed");
			continue;
		}
		if (p != PHASE_POST && signals_interrupted()) {
			r.interrupted = true;
			continue;
		}
		for (size_t i = 0; i < res->n[p]; i++) {
			const struct rstep *rs = &res->phase[p][i];
			const struct lstep *s = rs->s;
			bool best_effort = res->allow_best_effort_post_steps && s->best_effort;
			struct step_outcome so;
			const char *name = arena_printf(a, "%s-%s", r.T, s->as);

			if (p == PHASE_POST && res->allow_skip_on_success && s->optional_on_success &&
			    !prev_errs) {
				log_info("Skipping optional step %s", name);
				continue;
			}
			if (p != PHASE_POST && signals_interrupted()) {
				cancelled = true;
				break;
			}
			log_info("Running step %s.", name);
			if (run_step(&r, rs, p != PHASE_POST, &so, err) < 0)
				return -1;
			add_case(&r, arena_printf(a, "Run multi-stage test %s - %s container test", r.T, name),
				 so.ms, !so.passed, so.tail, NULL);
			if (so.passed) {
				log_info("Step %s succeeded after %s.", name, fmt_ms(a, so.ms));
				continue;
			}
			log_info("Step %s %s after %s.", name, so.aborted ? "aborted" : "failed",
				 fmt_ms(a, so.ms));
			if (so.aborted) {
				cancelled = true;
				break;
			}
			if (best_effort) {
				log_info("Pod %s is running in best-effort mode, ignoring the failure...", name);
				continue;
			}
			*(const char **)arena_push(a, &perrs, &nperrs, sizeof(char *)) =
				so.reason ? arena_printf(a, "%s\n%s", pod_error(&r, s, &so), so.reason)
					  : pod_error(&r, s, &so);
			if (p != PHASE_POST)
				break;	/* pre and test stop at the first failure */
		}
		if (cancelled) {
			/* runSteps adds this once the context is done */
			r.interrupted = true;
			*(const char **)arena_push(a, &perrs, &nperrs, sizeof(char *)) = "cancelled";
		}
		{
			bool pfail = nperrs > 0;
			const char *text = pfail ? aggregate(a, perrs, nperrs) : NULL;

			add_case(&r, arena_printf(a, "Run multi-stage test %s phase", phase),
				 now_ms() - pstart, pfail, text,
				 arena_printf(a, "The collected steps of multi-stage phase %s.", phase));
			if (pfail) {
				prev_errs = true;
				failed = true;
			}
		}
	}
	if (write_junit(&r, err) < 0)
		return -1;
	if (r.interrupted || signals_interrupted()) {
		log_error("%s: interrupted; post steps ran", r.T);
		return MTV_EXIT_SIGINT;
	}
	if (failed) {
		log_error("%s: failed (see %s/artifacts/junit_operator.xml)", r.T, o->out);
		return MTV_EXIT_FAILED;
	}
	log_info("%s: all steps passed", r.T);
	return 0;
}
