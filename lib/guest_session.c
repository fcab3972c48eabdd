#include "guest_session.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "wait.h"

/* One attempt: tunnel, then login; on failure nothing stays open. */
static int attempt(const struct guest_target *t, struct guest_session *gs, struct mtv_err *err)
{
	if (portforward_open(t->kc, t->mode, t->ns, t->name, GUEST_SSH_PORT, t->interrupt, &gs->pf, &gs->fd, err) <
	    0) {
		gs->pf = NULL;
		return -1;
	}
	if (ssh_login(gs->fd, t->peer, &t->auth, t->timeout_ms, t->interrupt, &gs->ssh, err) < 0) {
		/* the login saw EOF: the tunnel's own reason is the better one */
		const char *why = portforward_error(gs->pf);

		if (err->code == MTV_EXIT_ENV && why && *why) {
			size_t len = strlen(err->msg);

			snprintf(err->msg + len, sizeof(err->msg) - len, " (the tunnel: %.400s)", why);
		}
		gs->ssh = NULL;
		portforward_close(gs->pf);
		gs->pf = NULL;
		return -1;
	}
	snprintf(gs->host_key, sizeof(gs->host_key), "%s", ssh_host_key(gs->ssh));
	return 0;
}

int guest_session_open(const struct guest_target *t, struct guest_session *gs, struct mtv_err *err)
{
	long tries = t->retries > 0 ? t->retries : 1;

	memset(gs, 0, sizeof(*gs));
	gs->fd = -1;
	for (long i = 1; i <= tries; i++) {
		gs->attempts = (int)i;
		if (attempt(t, gs, err) == 0) {
			if (i > 1)
				log_info("%s: logged in on attempt %ld", t->peer, i);
			return 0;
		}
		/* Only the transport is worth another try. */
		if (err->code != MTV_EXIT_ENV)
			return -1;
		if (i == tries)
			break;
		log_info("%s; trying again in %ld s (attempt %ld of %ld)", err->msg, t->delay_s, i + 1,
			 tries);
		if (wait_sleep_ms(t->delay_s * 1000, t->interrupt, err) < 0)
			return -1;
	}
	if (tries > 1)
		mtv_err_prefix(err, "after %ld attempts", tries);
	return -1;
}

int guest_session_run(struct guest_session *gs, const char *cmd, long timeout_ms, size_t cap,
		      struct ssh_result *res, struct mtv_err *err)
{
	memset(res, 0, sizeof(*res));
	if (ssh_run(gs->ssh, cmd, timeout_ms, cap, res, err) == 0)
		return 0;
	if (err->code == MTV_EXIT_ENV && gs->pf && portforward_error(gs->pf) && *portforward_error(gs->pf))
		mtv_err_prefix(err, "the tunnel dropped (%s)", portforward_error(gs->pf));
	return -1;
}

void guest_session_close(struct guest_session *gs)
{
	ssh_close(gs->ssh);
	portforward_close(gs->pf);
	gs->ssh = NULL;
	gs->pf = NULL;
	gs->fd = -1;
}
