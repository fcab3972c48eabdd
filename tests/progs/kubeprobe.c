/* kubeprobe: drives lib/kube and lib/wait so bats tests can check them.
 *
 *   kubeprobe [--context C] whoami
 *   kubeprobe [--context C] get TYPE NS NAME
 *   kubeprobe list TYPE NS [LABELSELECTOR [LIMIT]]     names, one per line
 *   kubeprobe create TYPE NS JSON                      the created name
 *   kubeprobe patch TYPE NS NAME JSON                  merge patch
 *   kubeprobe delete TYPE NS NAME
 *   kubeprobe status-patch TYPE NS NAME JSON           merge patch of the status subresource
 *   kubeprobe status-get TYPE NS NAME                  prints .status
 *   kubeprobe wait-done TYPE NS NAME TIMEOUT_MS        until data.phase=Done,
 *                                                      printing step=N per state seen
 *   kubeprobe wait-gone TYPE NS NAME TIMEOUT_MS
 *   kubeprobe rotate-get FILE TOKEN TYPE NS NAME       write TOKEN to FILE (a token
 *                                                      rotation after start-up), then get
 *
 * Errors: "kubeprobe: <message>" on stderr, exit status from err.code.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "kube.h"
#include "log.h"
#include "wait.h"

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static enum wait_verdict pred_done(const cJSON *obj, bool deleted, void *arg, struct buf *why)
{
	const char *step = json_str(obj, "data.step", "?");
	const char *phase = json_str(obj, "data.phase", "");

	(void)arg;
	if (deleted) {
		buf_addstr(why, "deleted");
		return obj ? WAIT_FAILED : WAIT_NOT_YET;
	}
	printf("step=%s\n", step);
	fflush(stdout);
	buf_addf(why, "step=%s", step);
	return !strcmp(phase, "Done") ? WAIT_DONE : !strcmp(phase, "Failed") ? WAIT_FAILED
									     : WAIT_NOT_YET;
}

static int run(struct kube_client *kc, int argc, char **argv, struct mtv_err *err)
{
	const char *cmd = argv[0];
	const struct kube_type *t;
	cJSON *out = NULL;
	int r = -1;

	if (!strcmp(cmd, "whoami")) {
		printf("server=%s\nnamespace=%s\ncontext=%s\nsource=%s\ntoken=%s\nclient-cert=%s\n",
		       kc->cfg.server, kube_client_namespace(kc), kc->cfg.context, kc->cfg.source,
		       kc->cfg.token ? "set" : "none", kc->cfg.cert_pem ? "set" : "none");
		return 0;
	}
	if (!strcmp(cmd, "rotate-get") && argc == 6) {
		FILE *f = fopen(argv[1], "w");

		if (!f || fprintf(f, "%s\n", argv[2]) < 0 || fclose(f) != 0)
			return mtv_err_set(err, MTV_EXIT_ENV, "cannot write %s", argv[1]);
		argv[2] = (char *)"get";
		return run(kc, 4, argv + 2, err);
	}
	if (argc < 3)
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: not enough arguments", cmd);
	t = kube_type_lookup(argv[1]);
	if (!t)
		return mtv_err_set(err, MTV_EXIT_USAGE, "unknown type %s", argv[1]);
	if (!strcmp(cmd, "get") && argc == 4) {
		r = kube_get(kc, t, argv[2], argv[3], &out, err);
		if (!r) {
			char *s = cJSON_PrintUnformatted(out);

			printf("%s\n", s);
			free(s);
		}
	} else if (!strcmp(cmd, "list")) {
		struct kube_list_opts o = { .label_selector = argc > 3 ? argv[3] : NULL,
					    .limit = argc > 4 ? atol(argv[4]) : 0 };
		cJSON *it;

		r = kube_list(kc, t, argv[2], &o, &out, NULL, err);
		cJSON_ArrayForEach(it, out)
			printf("%s\n", json_str(it, "metadata.name", "?"));
	} else if (!strcmp(cmd, "create") && argc == 4) {
		cJSON *in = cJSON_Parse(argv[3]);

		if (!in)
			return mtv_err_set(err, MTV_EXIT_USAGE, "create: bad JSON");
		r = kube_create(kc, t, argv[2], in, &out, err);
		cJSON_Delete(in);
		if (!r)
			printf("%s\n", json_str(out, "metadata.name", "?"));
	} else if (!strcmp(cmd, "patch") && argc == 5) {
		r = kube_patch(kc, t, argv[2], argv[3], KUBE_PATCH_MERGE, argv[4], &out, err);
		if (!r)
			printf("%s\n", json_str(out, "metadata.resourceVersion", "?"));
	} else if (!strcmp(cmd, "status-patch") && argc == 5) {
		r = kube_status_patch(kc, t, argv[2], argv[3], KUBE_PATCH_MERGE, argv[4], &out, err);
	} else if (!strcmp(cmd, "status-get") && argc == 4) {
		r = kube_status_get(kc, t, argv[2], argv[3], &out, err);
		if (!r) {
			char *s = cJSON_PrintUnformatted(json_get(out, "status"));

			printf("%s\n", s ? s : "null");
			free(s);
		}
	} else if (!strcmp(cmd, "delete") && argc == 4) {
		r = kube_delete(kc, t, argv[2], argv[3], "Background", err);
	} else if (!strcmp(cmd, "wait-done") && argc == 5) {
		struct wait_spec spec = { .type = t, .ns = argv[2], .name = argv[3],
					  .what = "to reach phase Done",
					  .timeout_ms = atol(argv[4]), .poll_interval_ms = 100,
					  .pred = pred_done };

		r = wait_for(kc, &spec, &out, err);
		if (!r)
			printf("done\n");
	} else if (!strcmp(cmd, "wait-gone") && argc == 5) {
		r = wait_gone(kc, t, argv[2], argv[3], atol(argv[4]), err);
		if (!r)
			printf("gone\n");
	} else {
		r = mtv_err_set(err, MTV_EXIT_USAGE, "unknown command or wrong arguments: %s", cmd);
	}
	cJSON_Delete(out);
	return r;
}

int main(int argc, char **argv)
{
	struct kube_client kc;
	struct mtv_err err = { 0 };
	const char *context = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	int r;

	if (log_init(argv[0], &err) < 0) {
		fprintf(stderr, "kubeprobe: %s\n", err.msg);
		return err.code;
	}
	argv++, argc--;
	if (argc >= 2 && !strcmp(argv[0], "--context")) {
		context = argv[1];
		argv += 2, argc -= 2;
	}
	if (argc < 1) {
		fprintf(stderr, "usage: kubeprobe [--context C] COMMAND ...\n");
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (kube_client_from_env(&kc, context, &err) < 0) {
		fprintf(stderr, "kubeprobe: %s\n", err.msg);
		return err.code;
	}
	kube_client_set_interrupt(&kc, &got_signal);
	r = run(&kc, argc, argv, &err);
	kube_client_release(&kc);
	if (r < 0) {
		fprintf(stderr, "kubeprobe: %s\n", err.msg);
		if (err.reason[0])
			fprintf(stderr, "kubeprobe: http_status=%d reason=%s\n", err.http_status,
				err.reason);
		return err.code ? err.code : 1;
	}
	return 0;
}
