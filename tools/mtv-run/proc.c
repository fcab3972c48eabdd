#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "decode.h"
#include "log.h"

static volatile sig_atomic_t got_interrupt;

static void on_signal(int sig)
{
	if (sig != SIGCHLD && !got_interrupt)
		got_interrupt = sig;
}

int signals_install(struct mtv_err *err)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* A handler, not SIG_IGN: bash starts background jobs with SIGINT
	 * ignored, and the runner must still honour it. */
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGCHLD, &sa, NULL) < 0)
		return mtv_err_set(err, MTV_EXIT_ENV, "sigaction: %s", strerror(errno));
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return mtv_err_set(err, MTV_EXIT_ENV, "sigprocmask: %s", strerror(errno));
	return 0;
}

int signals_interrupted(void)
{
	sigset_t pending;

	/* Blocked signals wait in the pending set until a ppoll lets them in. */
	if (!got_interrupt && !sigpending(&pending)) {
		if (sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM)) {
			sigset_t none;
			struct timespec ts = { 0, 0 };

			sigemptyset(&none);
			ppoll(NULL, 0, &ts, &none);
		}
	}
	return got_interrupt;
}

long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Entrypoint's own messages go to the step log like its process log. */
static void note(int fd, const char *fmt, const char *dur)
{
	char line[256];
	int n = snprintf(line, sizeof(line), fmt, dur);

	log_info("%s", line);
	if (n > 0 && (size_t)n < sizeof(line) - 1) {
		line[n++] = '\n';
		if (write(fd, line, (size_t)n) < 0) {
			/* the log is best effort; the runner's stderr has it */
		}
	}
}

static void child(const struct proc_spec *spec)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGCHLD, SIGPIPE, SIGQUIT, SIGHUP };
	sigset_t none;
	int devnull;

	setpgid(0, 0);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0) {
		dup2(devnull, 0);
		close(devnull);
	}
	dup2(spec->log_fd, 1);
	dup2(spec->log_fd, 2);
	execve(spec->argv[0], spec->argv, spec->envp);
	dprintf(2, "could not start %s: %s\n", spec->argv[0], strerror(errno));
	_exit(127);
}

int proc_run(const struct proc_spec *spec, struct proc_result *res, struct mtv_err *err)
{
	long long start = now_ms(), deadline, kill_at = 0;
	char gp[32], to[32];
	sigset_t none;
	int status = 0;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	duration_format(spec->grace_ms, gp, sizeof(gp));
	duration_format(spec->timeout_ms, to, sizeof(to));
	pid = fork();
	if (pid < 0)
		return mtv_err_set(err, MTV_EXIT_ENV, "fork: %s", strerror(errno));
	if (pid == 0)
		child(spec);
	setpgid(pid, pid);	/* also here: whichever runs first wins the race */
	deadline = start + spec->timeout_ms;
	sigemptyset(&none);
	for (;;) {
		long long now, wake;
		struct timespec ts;
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return mtv_err_set(err, MTV_EXIT_ENV, "waitpid: %s", strerror(errno));
		now = now_ms();
		if (spec->interruptible && got_interrupt && !res->interrupted && !res->timed_out) {
			int sig = got_interrupt;

			/* Go's names for the signals, as entrypoint prints them. */
			const char *name = sig == SIGTERM ? "terminated" : "interrupt";

			log_info("Entrypoint received interrupt: %s", name);
			dprintf(spec->log_fd, "Entrypoint received interrupt: %s\n", name);
			killpg(pid, SIGINT);
			if (sig != SIGINT)
				killpg(pid, sig);
			res->interrupted = true;
			kill_at = now + spec->grace_ms;
		}
		if (!res->timed_out && !res->interrupted && now >= deadline) {
			note(spec->log_fd, "Process did not finish before %s timeout", to);
			killpg(pid, SIGINT);
			res->timed_out = true;
			kill_at = now + spec->grace_ms;
		}
		if (kill_at && !res->killed && now >= kill_at) {
			note(spec->log_fd, "Process did not exit before %s grace period", gp);
			killpg(pid, SIGKILL);
			res->killed = true;
		}
		wake = kill_at && !res->killed ? kill_at : deadline;
		if (res->killed || wake - now > 3600000)
			wake = now + 3600000;
		if (wake < now)
			wake = now;
		ts.tv_sec = (wake - now) / 1000;
		ts.tv_nsec = (wake - now) % 1000 * 1000000;
		/* Signals are let in only here, so a SIGCHLD that arrived after
		 * waitpid() ends this wait at once. */
		ppoll(NULL, 0, &ts, &none);
	}
	/* Like a pod's container: whatever the step left running dies with it. */
	killpg(pid, SIGKILL);
	res->ms = now_ms() - start;
	if ((res->timed_out || res->interrupted) && !res->killed)
		note(spec->log_fd, "Process gracefully exited before %s grace period", gp);
	if (res->timed_out)
		res->exit_code = 127;
	else if (res->interrupted)
		res->exit_code = 130;
	else if (WIFEXITED(status))
		res->exit_code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		res->exit_code = 128 + WTERMSIG(status);
	else
		res->exit_code = 1;
	return 0;
}
