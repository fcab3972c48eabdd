/* mtv-gather: Forklift's targeted must-gather, when `oc` is there.
 *
 * It collects what only the MTV image knows how to find (controller
 * internals, the inventory database), as mtv-api-tests does for a failed
 * test: `oc adm must-gather --image=<MUST_GATHER_IMAGE of the installed CSV>
 * --dest-dir=... -- NS=<ns> PLAN=<plan> /usr/bin/targeted`.  Its output is
 * scrubbed like everything else we write.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"
#include "gather.h"
#include "json.h"
#include "log.h"
#include "wait.h"

#define DEFAULT_IMAGE "quay.io/kubev2v/forklift-must-gather:latest"
#define SCRUB_MAX (64u << 20)

static const struct kube_type KUBE_CSVS = { "operators.coreos.com", "v1alpha1", "clusterserviceversions",
					    "ClusterServiceVersion", true };

/* Is prog an executable somewhere on PATH? */
static bool on_path(const char *prog)
{
	const char *dir = getenv("PATH");

	while (dir && *dir) {
		const char *end = strchr(dir, ':');
		size_t len = end ? (size_t)(end - dir) : strlen(dir);
		char full[4200];

		snprintf(full, sizeof(full), "%.*s/%s", (int)len, len ? dir : ".", prog);
		if (!len)
			snprintf(full, sizeof(full), "./%s", prog);
		if (access(full, X_OK) == 0)
			return true;
		dir = end ? end + 1 : NULL;
	}
	return false;
}

/* MUST_GATHER_IMAGE from the MTV operator's CSV, as mtv-api-tests finds it. */
static void must_gather_image(struct gather *g, char *dst, size_t dstsz, struct mtv_err *err)
{
	struct mtv_err e = { 0 };
	cJSON *csvs = NULL;
	const cJSON *csv, *dep, *c, *env;

	snprintf(dst, dstsz, "%s", DEFAULT_IMAGE);
	if (kube_list(&g->c->kc, &KUBE_CSVS, g->mtv_ns, NULL, &csvs, NULL, &e) < 0) {
		gather_api_failed(g, "ClusterServiceVersions", &e, err);
		return;
	}
	cJSON_ArrayForEach(csv, csvs)
		cJSON_ArrayForEach(dep, json_get(csv, "spec.install.spec.deployments"))
			cJSON_ArrayForEach(c, json_get(dep, "spec.template.spec.containers"))
				cJSON_ArrayForEach(env, json_get(c, "env"))
					if (!strcmp(json_str(env, "name", ""), "MUST_GATHER_IMAGE") &&
					    *json_str(env, "value", ""))
						snprintf(dst, dstsz, "%s", json_str(env, "value", ""));
	cJSON_Delete(csvs);
}

/* nftw has no context argument: the one piece of file-scope state, used
 * only during scrub_tree(). */
static struct gather *scrub_g;

static int scrub_file(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	struct buf in = BUF_INIT(SCRUB_MAX), out = BUF_INIT(SCRUB_MAX);
	struct mtv_err e = { 0 };

	(void)ftw;
	if (type != FTW_F || !S_ISREG(sb->st_mode))
		return 0;
	if ((size_t)sb->st_size > SCRUB_MAX) {
		/* Cannot vouch for it: better lost than leaked. */
		log_warn("%s: too large to scrub, removed", path);
		unlink(path);
		return 0;
	}
	if (fs_read_file(path, &in, SCRUB_MAX, &e) == 0 && in.len) {
		if (memchr(in.data, '\0', in.len)) {
			/* Archives and binaries cannot be scrubbed line by line. */
			log_warn("%s: binary, cannot be scrubbed of secrets, removed", path);
			unlink(path);
		} else if (redact_text(&scrub_g->red, &out, in.data, in.len) == 0 &&
			   (out.len != in.len || memcmp(out.data, in.data, in.len))) {
			fs_write_atomic(path, out.data, out.len, 0644, &e);
		}
	}
	buf_release(&in);
	buf_release(&out);
	return 0;
}

static void scrub_tree(struct gather *g, const char *dir)
{
	scrub_g = g;
	nftw(dir, scrub_file, 16, FTW_PHYS);
	scrub_g = NULL;
}

/* Run argv with stdout and stderr to logpath; poll so an interrupt stops
 * the child at once.  Returns the exit status, or -1 (err set on interrupt). */
static int run_child(struct gather *g, char *const argv[], const char *logpath, const char *kubeconfig,
		     struct mtv_err *err)
{
	int fd, status;
	pid_t pid, w;

	fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_warn("%s: %s", logpath, strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		close(fd);
		log_warn("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		if (kubeconfig)
			setenv("KUBECONFIG", kubeconfig, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fd);
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (w < 0 && errno != EINTR)
			return -1;
		if (wait_sleep_ms(100, g->c->kc.http.interrupt, err) < 0) {
			kill(pid, SIGTERM);
			waitpid(pid, &status, 0);
			return -1;
		}
	}
}

int gather_must_gather(struct gather *g, const char *mode, struct mtv_err *err)
{
	char image[1024], imgopt[1100], dest[4200], destopt[4300], logpath[4300], nsopt[300], planopt[300];
	char shared_kc[4200];
	const char *plan = json_str(g->plan_state, "name", NULL), *pns = json_str(g->plan_state, "namespace", NULL);
	const cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(g->objects, "plans"), 0);
	const char *kubeconfig = NULL;
	struct mtv_err e = { 0 };
	char *argv[12];
	int n = 0, rc;

	if (!strcmp(mode, "false") || (!strcmp(mode, "auto") && !on_path("oc")))
		return 0;
	if (!on_path("oc")) {
		g->warnings++;
		log_warn("MTV_MUST_GATHER=true but there is no oc on PATH: no must-gather");
		return 0;
	}
	if (!plan && p) {
		plan = json_str(p, "metadata.name", NULL);
		pns = json_str(p, "metadata.namespace", NULL);
	}
	must_gather_image(g, image, sizeof(image), err);
	if (err->code >= 128)
		return -1;
	snprintf(dest, sizeof(dest), "%s/must-gather", g->c->step->artifact_dir);
	if (fs_mkdir_p(dest, 0755, &e) < 0) {
		g->warnings++;
		log_warn("%s", e.msg);
		return 0;
	}
	snprintf(logpath, sizeof(logpath), "%s/must-gather.log", g->c->step->artifact_dir);
	snprintf(imgopt, sizeof(imgopt), "--image=%s", image);
	snprintf(destopt, sizeof(destopt), "--dest-dir=%s", dest);
	argv[n++] = "oc";
	argv[n++] = "adm";
	argv[n++] = "must-gather";
	argv[n++] = imgopt;
	argv[n++] = destopt;
	if (plan && pns) {
		/* Targeted: only this plan's resources, not the whole cluster. */
		snprintf(nsopt, sizeof(nsopt), "NS=%s", pns);
		snprintf(planopt, sizeof(planopt), "PLAN=%s", plan);
		argv[n++] = "--";
		argv[n++] = nsopt;
		argv[n++] = planopt;
		argv[n++] = "/usr/bin/targeted";
	}
	argv[n] = NULL;
	/* oc does not know $SHARED_DIR/kubeconfig; we do. */
	if (!getenv("KUBECONFIG")) {
		snprintf(shared_kc, sizeof(shared_kc), "%s/kubeconfig", g->c->step->state.dir);
		if (access(shared_kc, R_OK) == 0)
			kubeconfig = shared_kc;
	}
	log_info("running oc adm must-gather --image=%s%s", image, plan && pns ? " (targeted at the plan)" : "");
	rc = run_child(g, argv, logpath, kubeconfig, err);
	if (rc < 0 && err->code >= 128)
		return -1;
	if (rc != 0) {
		g->warnings++;
		log_warn("oc adm must-gather failed (exit %d): see must-gather.log", rc);
	}
	scrub_tree(g, dest);
	scrub_tree(g, logpath);
	cJSON_AddItemToArray(g->written, cJSON_CreateString("must-gather.log"));
	cJSON_AddItemToArray(g->written, cJSON_CreateString("must-gather/"));
	g->files++;
	return 1;
}
