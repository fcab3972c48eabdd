/* bench_probe: precise measurements for tests/bench/run.sh.
 *
 *   bench_probe run OUT -- CMD [ARG...]
 *	Run CMD, wait for it with wait4() and append one line to OUT:
 *	  wall_ns=N cpu_ns=N user_ns=N sys_ns=N maxrss_kb=N exit_ns=N status=N
 *	wall is CLOCK_MONOTONIC around fork..wait4; cpu is the child's
 *	user+sys (its waited-for descendants included, as rusage counts
 *	them); maxrss is the largest resident set of the child or any of those
 *	descendants; exit_ns is CLOCK_REALTIME taken right after wait4()
 *	returned, so it can be compared with bench_probe watch-plan.  Exits
 *	with CMD's status (128+signal when it was killed).
 *
 *   bench_probe watch-plan SIMDIR NAMESPACE READYFILE
 *	Watch the Plans of NAMESPACE on the mtv-sim whose state dir is SIMDIR
 *	(port, ca.crt, token).  READYFILE is created at the first event, which
 *	proves the watch is live.  When a Plan gets condition Succeeded (or
 *	Failed) with status True, print CLOCK_REALTIME in ns and exit 0 (1 for
 *	Failed).  Exit 3 when the watch cannot be made or ends first.
 *
 * Both exist because shell timing (date, /usr/bin/time) is too coarse for
 * steps that take tens of milliseconds against a --speed 0 sim.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "buf.h"
#include "fsutil.h"
#include "json.h"

static long long clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long tv_ns(const struct timeval *tv)
{
	return (long long)tv->tv_sec * 1000000000LL + (long long)tv->tv_usec * 1000LL;
}

static int cmd_run(int argc, char **argv)
{
	const char *out_path;
	long long start, wall, exit_ns;
	struct rusage ru;
	FILE *out;
	pid_t pid;
	int status, rc;

	if (argc < 5 || strcmp(argv[3], "--")) {
		fprintf(stderr, "usage: bench_probe run OUT -- CMD [ARG...]\n");
		return 2;
	}
	out_path = argv[2];
	start = clock_ns(CLOCK_MONOTONIC);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "bench_probe: fork: %s\n", strerror(errno));
		return 3;
	}
	if (pid == 0) {
		execvp(argv[4], argv + 4);
		fprintf(stderr, "bench_probe: cannot run %s: %s\n", argv[4], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "bench_probe: wait4: %s\n", strerror(errno));
			return 3;
		}
	}
	/* Both clocks first, before any I/O, so the file write is not timed. */
	exit_ns = clock_ns(CLOCK_REALTIME);
	wall = clock_ns(CLOCK_MONOTONIC) - start;
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

	out = fopen(out_path, "a");
	if (!out) {
		fprintf(stderr, "bench_probe: %s: %s\n", out_path, strerror(errno));
		return 3;
	}
	fprintf(out, "wall_ns=%lld cpu_ns=%lld user_ns=%lld sys_ns=%lld maxrss_kb=%ld exit_ns=%lld status=%d\n",
		wall, tv_ns(&ru.ru_utime) + tv_ns(&ru.ru_stime), tv_ns(&ru.ru_utime), tv_ns(&ru.ru_stime),
		ru.ru_maxrss, exit_ns, rc);
	if (fclose(out)) {
		fprintf(stderr, "bench_probe: %s: %s\n", out_path, strerror(errno));
		return 3;
	}
	return rc;
}

struct watch {
	struct buf line;	/* the partial event line received so far */
	const char *ready_file;
	bool ready;
	int result;		/* -1 still waiting, 0 Succeeded, 1 Failed */
	long long at_ns;
};

static bool condition_true(const cJSON *obj, const char *type)
{
	const cJSON *c = json_condition(json_get(obj, "status.conditions"), type);

	return c && !strcmp(json_str(c, "status", ""), "True");
}

static void watch_event(struct watch *w, const char *text, size_t len)
{
	cJSON *ev = cJSON_ParseWithLength(text, len);
	const cJSON *obj;

	if (!ev)
		return;
	if (!w->ready) {
		FILE *f = fopen(w->ready_file, "w");

		if (f)
			fclose(f);
		w->ready = true;
	}
	obj = json_get(ev, "object");
	/* ADDED counts too: a watch opened late lists the finished Plan first. */
	if (obj && (!strcmp(json_str(ev, "type", ""), "MODIFIED") || !strcmp(json_str(ev, "type", ""), "ADDED"))) {
		if (condition_true(obj, "Succeeded"))
			w->result = 0;
		else if (condition_true(obj, "Failed"))
			w->result = 1;
		if (w->result >= 0)
			w->at_ns = clock_ns(CLOCK_REALTIME);
	}
	cJSON_Delete(ev);
}

static size_t watch_write(char *data, size_t size, size_t n, void *arg)
{
	struct watch *w = arg;
	size_t len = size * n, i;

	for (i = 0; i < len && w->result < 0; i++) {
		if (data[i] != '\n') {
			if (buf_addch(&w->line, data[i]))
				return 0;
			continue;
		}
		watch_event(w, buf_str(&w->line), w->line.len);
		buf_reset(&w->line);
	}
	/* Returning short ends the transfer: the answer is in. */
	return w->result < 0 ? len : 0;
}

static char *read_small(const char *path)
{
	struct buf b = BUF_INIT(4096);
	char *text;

	if (fs_read_file(path, &b, 4096, NULL) < 0) {
		buf_release(&b);
		return NULL;
	}
	text = buf_take(&b);
	text[strcspn(text, "\r\n")] = '\0';
	return text;
}

static int cmd_watch_plan(int argc, char **argv)
{
	char path[4096], url[4096], *port, *token;
	struct curl_slist *hdrs = NULL;
	struct watch w = { .result = -1 };
	CURL *curl;
	int rc = 3;

	if (argc != 5) {
		fprintf(stderr, "usage: bench_probe watch-plan SIMDIR NAMESPACE READYFILE\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/port", argv[2]);
	port = read_small(path);
	snprintf(path, sizeof(path), "%s/token", argv[2]);
	token = read_small(path);
	if (!port || !token) {
		fprintf(stderr, "bench_probe: %s: no port or token file\n", argv[2]);
		free(port);
		free(token);
		return 3;
	}
	snprintf(url, sizeof(url),
		 "https://127.0.0.1:%s/apis/forklift.konveyor.io/v1beta1/namespaces/%s/plans?watch=1", port, argv[3]);
	snprintf(path, sizeof(path), "Authorization: Bearer %s", token);
	hdrs = curl_slist_append(hdrs, path);
	snprintf(path, sizeof(path), "%s/ca.crt", argv[2]);
	buf_init(&w.line, 64 << 20);
	w.ready_file = argv[4];

	curl_global_init(CURL_GLOBAL_DEFAULT);
	curl = curl_easy_init();
	if (curl) {
		curl_easy_setopt(curl, CURLOPT_URL, url);
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(curl, CURLOPT_CAINFO, path);
		curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, watch_write);
		curl_easy_setopt(curl, CURLOPT_WRITEDATA, &w);
		curl_easy_perform(curl);
		curl_easy_cleanup(curl);
	}
	if (w.result >= 0) {
		printf("%lld\n", w.at_ns);
		rc = w.result;
	} else {
		fprintf(stderr, "bench_probe: watch on plans in %s ended before a Plan finished\n", argv[3]);
	}
	curl_slist_free_all(hdrs);
	curl_global_cleanup();
	buf_release(&w.line);
	free(port);
	free(token);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return cmd_run(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "watch-plan"))
		return cmd_watch_plan(argc, argv);
	fprintf(stderr, "usage: bench_probe run OUT -- CMD [ARG...]\n"
		"       bench_probe watch-plan SIMDIR NAMESPACE READYFILE\n");
	return 2;
}
