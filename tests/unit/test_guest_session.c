/* lib/guest_session's retry rules over fake tunnels and SSH logins: this
 * file defines portforward_* and ssh_*, so the linker takes these instead
 * of libmtv.a's real ones (the real ones are tested end to end in
 * tests/bats/e2e-guest.bats). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest_session.h"

/* What the fakes do, per attempt number (1-based). */
static struct {
	int opens, logins, closes_pf, closes_ssh;
	int tunnel_fails_until;		/* attempts <= this: portforward fails ENV */
	int login_fails_until;		/* attempts <= this: login fails ENV */
	int login_code;			/* when not 0: the login fails with it always */
	volatile sig_atomic_t *interrupt_on_open;	/* set to SIGTERM at the first open */
	const char *tunnel_error;	/* what portforward_error says */
	int run_code;			/* ssh_run fails with it when not 0 */
} fake;

struct portforward {
	int dummy;
};
struct ssh_session {
	int dummy;
};
static struct portforward the_pf;
static struct ssh_session the_ssh;

int portforward_open(const struct kubeconfig *kc, enum portforward_mode mode, const char *ns, const char *name,
		     int port, volatile sig_atomic_t *interrupt, struct portforward **pf, int *fd, struct mtv_err *err)
{
	(void)kc, (void)mode, (void)interrupt;
	assert_int_equal(port, 22);
	fake.opens++;
	if (fake.interrupt_on_open)
		*fake.interrupt_on_open = SIGTERM;
	if (fake.opens <= fake.tunnel_fails_until)
		return mtv_err_set(err, MTV_EXIT_ENV, "portforward: %s/%s: connection closed before the upgrade", ns,
				   name);
	*pf = &the_pf;
	*fd = 7;
	return 0;
}

const char *portforward_error(const struct portforward *pf)
{
	(void)pf;
	return fake.tunnel_error ? fake.tunnel_error : "";
}

void portforward_close(struct portforward *pf)
{
	if (pf)
		fake.closes_pf++;
}

int ssh_login(int fd, const char *peer, const struct ssh_auth *auth, long timeout_ms,
	      volatile sig_atomic_t *interrupt, struct ssh_session **out, struct mtv_err *err)
{
	(void)timeout_ms, (void)interrupt;
	assert_int_equal(fd, 7);
	fake.logins++;
	if (fake.login_code == MTV_EXIT_FAILED)
		return mtv_err_set(err, MTV_EXIT_FAILED, "ssh login: authentication failed for %s", auth->user);
	if (fake.login_code)
		return mtv_err_set(err, fake.login_code, "ssh: %s: key file unreadable", peer);
	if (fake.opens <= fake.login_fails_until)
		return mtv_err_set(err, MTV_EXIT_ENV, "ssh: %s: connection closed", peer);
	*out = &the_ssh;
	return 0;
}

const char *ssh_host_key(const struct ssh_session *s)
{
	(void)s;
	return "ssh-ed25519 SHA256:fake";
}

int ssh_run(struct ssh_session *s, const char *cmd, long timeout_ms, size_t out_cap, struct ssh_result *res,
	    struct mtv_err *err)
{
	(void)s, (void)timeout_ms, (void)out_cap;
	if (fake.run_code)
		return mtv_err_set(err, fake.run_code, "ssh: VM x: connection closed while running %s", cmd);
	res->exit_status = 0;
	res->out = strdup("out");
	res->out_len = 3;
	res->err = strdup("");
	return 0;
}

void ssh_result_release(struct ssh_result *res)
{
	free(res->out);
	free(res->err);
	memset(res, 0, sizeof(*res));
}

void ssh_close(struct ssh_session *s)
{
	if (s)
		fake.closes_ssh++;
}

static volatile sig_atomic_t flag;

static struct guest_target target(long retries)
{
	return (struct guest_target){
		.ns = "ns", .name = "vm", .peer = "VM vm",
		.auth = { .user = "root", .password = "hunter2" },
		.retries = retries, .delay_s = 0, .timeout_ms = 1000, .interrupt = &flag,
	};
}

static int reset(void **state)
{
	(void)state;
	memset(&fake, 0, sizeof(fake));
	flag = 0;
	return 0;
}

static void test_first_attempt(void **state)
{
	struct guest_target t = target(5);
	struct guest_session gs;
	struct mtv_err err = { 0 };
	struct ssh_result res;

	(void)state;
	assert_int_equal(guest_session_open(&t, &gs, &err), 0);
	assert_int_equal(gs.attempts, 1);
	assert_string_equal(gs.host_key, "ssh-ed25519 SHA256:fake");
	assert_int_equal(guest_session_run(&gs, "hostname", 1000, 64, &res, &err), 0);
	assert_string_equal(res.out, "out");
	ssh_result_release(&res);
	guest_session_close(&gs);
	assert_int_equal(fake.closes_ssh, 1);
	assert_int_equal(fake.closes_pf, 1);
	guest_session_close(&gs);	/* twice is harmless */
	assert_int_equal(fake.closes_pf, 1);
}

static void test_transport_retried_then_ok(void **state)
{
	struct guest_target t = target(5);
	struct guest_session gs;
	struct mtv_err err = { 0 };

	(void)state;
	fake.tunnel_fails_until = 2;
	fake.login_fails_until = 3;
	assert_int_equal(guest_session_open(&t, &gs, &err), 0);
	assert_int_equal(gs.attempts, 4);
	assert_int_equal(fake.opens, 4);
	/* the failed login's tunnel was closed, not leaked */
	assert_int_equal(fake.closes_pf, 1);
	guest_session_close(&gs);
}

static void test_transport_gives_up(void **state)
{
	struct guest_target t = target(3);
	struct guest_session gs;
	struct mtv_err err = { 0 };

	(void)state;
	fake.login_fails_until = 100;
	fake.tunnel_error = "the WebSocket closed (1006)";
	assert_int_equal(guest_session_open(&t, &gs, &err), -1);
	assert_int_equal(err.code, MTV_EXIT_ENV);
	assert_int_equal(fake.opens, 3);
	assert_int_equal(fake.closes_pf, 3);
	assert_string_equal(err.msg, "after 3 attempts: ssh: VM vm: connection closed (the tunnel: the WebSocket "
				     "closed (1006))");
	guest_session_close(&gs);
}

static void test_auth_failure_is_final(void **state)
{
	struct guest_target t = target(5);
	struct guest_session gs;
	struct mtv_err err = { 0 };

	(void)state;
	fake.login_code = MTV_EXIT_FAILED;
	assert_int_equal(guest_session_open(&t, &gs, &err), -1);
	assert_int_equal(err.code, MTV_EXIT_FAILED);
	assert_string_equal(err.msg, "ssh login: authentication failed for root");
	assert_int_equal(fake.opens, 1);
	assert_null(strstr(err.msg, "hunter2"));
	fake.login_code = MTV_EXIT_USAGE;
	assert_int_equal(guest_session_open(&t, &gs, &err), -1);
	assert_int_equal(err.code, MTV_EXIT_USAGE);
	assert_int_equal(fake.opens, 2);
}

static void test_interrupt_ends_the_wait(void **state)
{
	struct guest_target t = target(5);
	struct guest_session gs;
	struct mtv_err err = { 0 };

	(void)state;
	t.delay_s = 20;
	fake.tunnel_fails_until = 100;
	fake.interrupt_on_open = &flag;
	assert_int_equal(guest_session_open(&t, &gs, &err), -1);
	/* the 20 s sleep ended at once with the signal's code */
	assert_int_equal(err.code, 128 + SIGTERM);
	assert_int_equal(fake.opens, 1);
}

static void test_run_says_the_tunnel_dropped(void **state)
{
	struct guest_target t = target(1);
	struct guest_session gs;
	struct mtv_err err = { 0 };
	struct ssh_result res;

	(void)state;
	assert_int_equal(guest_session_open(&t, &gs, &err), 0);
	fake.run_code = MTV_EXIT_ENV;
	fake.tunnel_error = "EOF from the API server";
	assert_int_equal(guest_session_run(&gs, "ip -j addr", 1000, 64, &res, &err), -1);
	assert_non_null(strstr(err.msg, "the tunnel dropped (EOF from the API server): "));
	assert_non_null(strstr(err.msg, "while running ip -j addr"));
	ssh_result_release(&res);
	guest_session_close(&gs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_first_attempt, reset),
		cmocka_unit_test_setup(test_transport_retried_then_ok, reset),
		cmocka_unit_test_setup(test_transport_gives_up, reset),
		cmocka_unit_test_setup(test_auth_failure_is_final, reset),
		cmocka_unit_test_setup(test_interrupt_ends_the_wait, reset),
		cmocka_unit_test_setup(test_run_says_the_tunnel_dropped, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
