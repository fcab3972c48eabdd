/* check-vms inside the guests: for each VM expected to run, an SSH login
 * through the VMI's port-forward and a few fixed commands (lib/guest_checks
 * judges their output).  What every guest answered is kept for gather in
 * $SHARED_DIR/mtv-guest-checks.json and the host key in
 * $ARTIFACT_DIR/guest/<vm>/host-key. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_vms.h"
#include "fsutil.h"
#include "guest_checks.h"
#include "json.h"
#include "log.h"
#include "vm_checks.h"

#define LOGIN_TIMEOUT_MS 30000L
#define COMMAND_TIMEOUT_MS 60000L
/* What the state file keeps of each stream: a few VMs' worth stays well
 * under the 1 MiB SHARED_DIR limit; guest_run_finish halves it if not. */
#define STATE_OUTPUT_CAP (16u * 1024)
#define STATE_BUDGET (768u * 1024)

int guest_run_init(struct guest_run *g, struct step *step, struct step_ctx *c, struct mtv_err *err)
{
	const char *tunnel = step_get(step, "MTV_SSH_TUNNEL"), *delay = step_get(step, "MTV_SSH_RETRY_DELAY");
	char pbuf[4200], *end;
	const char *file;
	struct mtv_err e = { 0 };

	memset(g, 0, sizeof(*g));
	g->step = step;
	g->records = cJSON_CreateArray();
	g->enabled = step_get_bool(step, "MTV_GUEST_CHECKS");
	if (!strcmp(tunnel, "native") || !*tunnel)
		g->mode = PORTFORWARD_NATIVE;
	else if (!strcmp(tunnel, "virtctl"))
		g->mode = PORTFORWARD_VIRTCTL;
	else
		return mtv_err_set(err, MTV_EXIT_USAGE, "MTV_SSH_TUNNEL: expected native or virtctl, got '%s'", tunnel);
	/* bad input before any guest is looked at, not at the first VM */
	if (g->mode == PORTFORWARD_VIRTCTL && step_get_bool(step, "MTV_GUEST_CHECKS") && !portforward_virtctl_available())
		return mtv_err_set(err, MTV_EXIT_USAGE, "MTV_SSH_TUNNEL=virtctl: virtctl is not on PATH");
	if (step_get_positive(step, "MTV_SSH_RETRIES", "attempts", 1000, &g->retries, err) < 0)
		return -1;
	errno = 0;
	g->delay_s = strtol(delay, &end, 10);
	if (!*delay || *end || errno || g->delay_s < 0 || g->delay_s > 3600)
		return mtv_err_set(err, MTV_EXIT_USAGE, "MTV_SSH_RETRY_DELAY: expected seconds from 0 to 3600, got '%s'",
				   delay);
	if (*step_get(step, "MTV_SSH_KEY_FILE")) {
		g->key_file = step_get(step, "MTV_SSH_KEY_FILE");
		if (access(g->key_file, R_OK) < 0)
			return mtv_err_set(err, MTV_EXIT_USAGE, "MTV_SSH_KEY_FILE %s: %s", g->key_file, strerror(errno));
	}
	if (*step_get(step, "MTV_GUEST_MARKER"))
		g->marker = step_get(step, "MTV_GUEST_MARKER");
	if (!g->enabled)
		return 0;
	/* The guest users and passwords are the source entry's, as
	 * mtv-api-tests reads them. */
	file = step_providers_path(step, pbuf, sizeof(pbuf));
	if (!*file || access(file, F_OK) < 0) {
		snprintf(g->creds_why, sizeof(g->creds_why), "no .providers.json (%s)", *file ? file : "none found");
		return 0;
	}
	if (providers_load(file, json_str(c->providers, "source.key", ""), &g->creds, &e) < 0) {
		*err = e;
		return -1;
	}
	g->have_creds = true;
	return 0;
}

void guest_run_release(struct guest_run *g)
{
	if (g->have_creds)
		provider_entry_release(&g->creds);
	cJSON_Delete(g->records);
	memset(g, 0, sizeof(*g));
}

/* A copy of a stream cut at cap bytes (on a UTF-8 boundary, so the state
 * file stays valid text). */
static cJSON *capped(const char *s, size_t cap, bool *cut)
{
	size_t len = strlen(s);
	char *t;
	cJSON *out;

	if (len <= cap)
		return cJSON_CreateString(s);
	*cut = true;
	while (cap && ((unsigned char)s[cap] & 0xC0) == 0x80)
		cap--;
	t = strndup(s, cap);
	out = cJSON_CreateString(t ? t : "");
	free(t);
	return out;
}

/* The state document with every stream capped at cap. */
static cJSON *state_doc(const cJSON *records, size_t cap)
{
	cJSON *doc = cJSON_CreateObject(), *vms = cJSON_AddArrayToObject(doc, "vms");
	const cJSON *r, *cmd;

	cJSON_ArrayForEach(r, records) {
		cJSON *vm = cJSON_CreateObject(), *cmds;
		const cJSON *it;

		cJSON_ArrayForEach(it, r)
			if (strcmp(it->string, "commands"))
				cJSON_AddItemToObject(vm, it->string, cJSON_Duplicate(it, 1));
		cmds = cJSON_AddArrayToObject(vm, "commands");
		cJSON_ArrayForEach(cmd, json_get(r, "commands")) {
			cJSON *c = cJSON_CreateObject();
			bool cut = cJSON_IsTrue(json_get(cmd, "truncated"));

			cJSON_AddStringToObject(c, "command", json_str(cmd, "command", ""));
			cJSON_AddItemToObject(c, "exitStatus", cJSON_Duplicate(json_get(cmd, "exitStatus"), 1));
			cJSON_AddItemToObject(c, "stdout", capped(json_str(cmd, "stdout", ""), cap, &cut));
			cJSON_AddItemToObject(c, "stderr", capped(json_str(cmd, "stderr", ""), cap, &cut));
			cJSON_AddBoolToObject(c, "truncated", cut);
			cJSON_AddItemToArray(cmds, c);
		}
		cJSON_AddItemToArray(vms, vm);
	}
	return doc;
}

int guest_run_finish(struct guest_run *g, struct mtv_err *err)
{
	size_t cap = STATE_OUTPUT_CAP;
	cJSON *doc;
	int rc;

	if (!cJSON_GetArraySize(g->records))
		return 0;
	for (;;) {
		char *text;
		size_t len;

		doc = state_doc(g->records, cap);
		text = cJSON_PrintUnformatted(doc);
		len = text ? strlen(text) : 0;
		free(text);
		if (len <= STATE_BUDGET || cap < 64)
			break;
		cJSON_Delete(doc);
		cap /= 2;
	}
	rc = state_write_json(&g->step->state, GUEST_CHECKS_STATE, doc, err);
	cJSON_Delete(doc);
	return rc;
}

/* ---- one VM ---- */

struct vm_run {
	struct guest_run *g;
	const struct guest_vm *vm;
	struct buf *failures;
	int *failed;
	cJSON *record;
	bool record_failed;
	const struct guest_target *target;	/* to reconnect */
	bool reconnected;			/* once per VM, so a guest that keeps dropping ends */
};

static void vm_case(struct vm_run *r, const char *check, enum guest_result res, const char *msg, double seconds)
{
	char tc[400];

	snprintf(tc, sizeof(tc), "%s: %s", r->vm->name, check);
	switch (res) {
	case GUEST_PASS:
		/* what the guest said (the OS, the addresses) as the case's output */
		junit_add(&r->g->step->junit, r->g->step->name, tc, seconds, JUNIT_PASSED, NULL, NULL, msg);
		break;
	case GUEST_SKIP:
		step_case(r->g->step, tc, seconds, JUNIT_SKIPPED, msg, NULL);
		break;
	case GUEST_FAIL:
		step_case(r->g->step, tc, seconds, JUNIT_FAILED, msg, NULL);
		(*r->failed)++;
		r->record_failed = true;
		buf_addf(r->failures, "\nVM %s (%s): %s: %s", r->vm->name, r->vm->destination, check, msg);
		break;
	}
}

/* The cases of this VM after "ssh login", in order. */
static const char *const LATER[] = { "guest hostname", "guest os", "guest NICs", "guest static IPs",
				     "guest marker" };

static bool later_applies(const struct vm_run *r, size_t i)
{
	if (!strcmp(LATER[i], "guest static IPs"))
		return r->vm->static_ips;
	if (!strcmp(LATER[i], "guest marker"))
		return r->g->marker != NULL;
	return true;
}

static void skip_all(struct vm_run *r, bool with_login, const char *why)
{
	if (with_login)
		vm_case(r, "ssh login", GUEST_SKIP, why, 0);
	for (size_t i = 0; i < sizeof(LATER) / sizeof(LATER[0]); i++)
		if (later_applies(r, i))
			vm_case(r, LATER[i], GUEST_SKIP, why, 0);
}

/* One command's result, kept in the record whatever happened. */
struct cmd_out {
	bool ran;			/* the guest ran it (any exit status) */
	int status;
	const char *out, *err;		/* point into the record */
	char failure[MTV_ERR_MSG_MAX];	/* why it could not run */
};

static int run_cmd(struct vm_run *r, struct guest_session *gs, const char *cmd, struct cmd_out *o,
		   struct mtv_err *err)
{
	cJSON *c = cJSON_CreateObject(), *cmds = json_get(r->record, "commands");
	struct ssh_result res;
	struct mtv_err e = { 0 };

	memset(o, 0, sizeof(*o));
	cJSON_AddStringToObject(c, "command", cmd);
	cJSON_AddItemToArray(cmds, c);
	if (!gs->ssh) {
		snprintf(o->failure, sizeof(o->failure), "the SSH session ended before `%s`", cmd);
		cJSON_AddNullToObject(c, "exitStatus");
		cJSON_AddStringToObject(c, "error", o->failure);
		return 0;
	}
	if (guest_session_run(gs, cmd, COMMAND_TIMEOUT_MS, GUEST_OUTPUT_CAP, &res, &e) < 0) {
		ssh_result_release(&res);
		if (e.code >= 128)
			return *err = e, -1;
		/* the session is unusable now (ssh.h) */
		guest_session_close(gs);
		/* A tunnel that dropped under the command: the whole connection
		 * once more (with its retries), then the command again. */
		if (e.code == MTV_EXIT_ENV && !r->reconnected) {
			struct mtv_err e2 = { 0 };

			r->reconnected = true;
			log_warn("VM %s: %s; reconnecting to run it again", r->vm->name, e.msg);
			if (guest_session_open(r->target, gs, &e2) == 0) {
				if (guest_session_run(gs, cmd, COMMAND_TIMEOUT_MS, GUEST_OUTPUT_CAP, &res, &e2) == 0)
					goto ran;
				ssh_result_release(&res);
				guest_session_close(gs);
			}
			if (e2.code >= 128)
				return *err = e2, -1;
			snprintf(e.msg + strlen(e.msg), sizeof(e.msg) - strlen(e.msg), "; again after reconnecting: %.400s",
				 e2.msg);
		}
		snprintf(o->failure, sizeof(o->failure), "%s", e.msg);
		cJSON_AddNullToObject(c, "exitStatus");
		cJSON_AddStringToObject(c, "error", e.msg);
		return 0;
	}
ran:
	o->ran = true;
	o->status = res.exit_status;
	cJSON_AddNumberToObject(c, "exitStatus", res.exit_status);
	o->out = cJSON_AddStringToObject(c, "stdout", res.out ? res.out : "")->valuestring;
	o->err = cJSON_AddStringToObject(c, "stderr", res.err ? res.err : "")->valuestring;
	cJSON_AddBoolToObject(c, "truncated", res.out_truncated || res.err_truncated);
	ssh_result_release(&res);
	log_debug("%s: `%s`: exit %d", r->vm->name, cmd, o->status);
	return 0;
}

/* A command that did not run, or failed, fails the case that needed it. */
static bool cmd_failed(struct vm_run *r, const char *check, const char *cmd, const struct cmd_out *o)
{
	char msg[MTV_ERR_MSG_MAX + 1200];

	if (!o->ran) {
		snprintf(msg, sizeof(msg), "VM %s: %s", r->vm->name, o->failure);
	} else if (o->status != 0) {
		char said[512];
		size_t n;

		snprintf(said, sizeof(said), "%s", *o->err ? o->err : o->out);
		n = strlen(said);
		while (n && (said[n - 1] == '\n' || said[n - 1] == '\r'))
			said[--n] = '\0';
		snprintf(msg, sizeof(msg), "VM %s: `%s` exited %d%s%s", r->vm->name, cmd, o->status, *said ? ": " : "",
			 said);
	} else {
		return false;
	}
	vm_case(r, check, GUEST_FAIL, msg, 0);
	return true;
}

static void write_host_key(struct vm_run *r, const char *key)
{
	char dir[4400], path[4500], name[256], line[400];
	struct mtv_err e = { 0 };

	guest_file_name(r->vm->name, name, sizeof(name));
	snprintf(dir, sizeof(dir), "%s/guest/%s", r->g->step->artifact_dir, name);
	snprintf(path, sizeof(path), "%s/host-key", dir);
	snprintf(line, sizeof(line), "%s\n", key);
	if (fs_mkdir_p(dir, 0755, &e) < 0 || fs_write_atomic(path, line, strlen(line), 0644, &e) < 0)
		log_warn("cannot write the host key of VM %s: %s", r->vm->name, e.msg);
}

/* Marker paths come from mtv-source-vms.json and become part of a command:
 * only plain path characters, so nothing can be injected. */
static bool safe_path(const char *p)
{
	if (!*p)
		return false;
	for (; *p; p++)
		if (!(isalnum((unsigned char)*p) || strchr("/._-:\\", *p)))
			return false;
	return true;
}

static int check_marker(struct vm_run *r, struct guest_session *gs, bool windows, struct mtv_err *err)
{
	const cJSON *m = json_get(r->vm->facts, "guestMarker");
	const char *path = json_str(m, "path", ""), *want = json_str(m, "content", NULL);
	struct cmd_out o;
	char cmd[600], got[512], msg[1400];
	size_t n;

	if (!m || !want) {
		vm_case(r, "guest marker", GUEST_SKIP,
			"mtv-prepare-vms recorded no marker for this VM (mtv-source-vms.json guestMarker)", 0);
		return 0;
	}
	if (!safe_path(path) || strlen(path) > 500) {
		snprintf(msg, sizeof(msg), "VM %s: the recorded marker path is not a plain path", r->vm->name);
		vm_case(r, "guest marker", GUEST_FAIL, msg, 0);
		return 0;
	}
	snprintf(cmd, sizeof(cmd), windows ? "type %s" : "cat '%s'", path);
	if (run_cmd(r, gs, cmd, &o, err) < 0)
		return -1;
	if (cmd_failed(r, "guest marker", cmd, &o))
		return 0;
	snprintf(got, sizeof(got), "%s", o.out);
	n = strlen(got);
	while (n && (got[n - 1] == '\n' || got[n - 1] == '\r'))
		got[--n] = '\0';
	if (strcmp(got, want)) {
		snprintf(msg, sizeof(msg), "VM %s: marker %s: expected %.400s, the guest has %.400s", r->vm->name, path,
			 want, got);
		vm_case(r, "guest marker", GUEST_FAIL, msg, 0);
	} else {
		vm_case(r, "guest marker", GUEST_PASS, path, 0);
	}
	return 0;
}

static int checks(struct vm_run *r, struct step_ctx *c, struct guest_session *gs, bool windows,
		  struct mtv_err *err)
{
	struct guest_verdict v;
	struct cmd_out host, os, netout;
	struct guest_net net = { 0 };
	struct mtv_err e = { 0 };
	const char *net_cmd = windows ? GUEST_CMD_WIN_NET : GUEST_CMD_LINUX_NET;

	if (run_cmd(r, gs, GUEST_CMD_HOSTNAME, &host, err) < 0 ||
	    run_cmd(r, gs, windows ? GUEST_CMD_WIN_OS : GUEST_CMD_LINUX_OS, &os, err) < 0 ||
	    run_cmd(r, gs, net_cmd, &netout, err) < 0)
		return -1;
	if (!cmd_failed(r, "guest hostname", GUEST_CMD_HOSTNAME, &host)) {
		guest_hostname_check(r->vm->name, json_str(r->vm->source, "hostName", ""), host.out, &v);
		vm_case(r, "guest hostname", v.result, v.msg, 0);
	}
	if (!os.ran) {
		cmd_failed(r, "guest os", "", &os);
	} else {
		guest_os_check(r->vm->name, windows, os.status, os.out, os.err, &v);
		vm_case(r, "guest os", v.result, v.msg, 0);
	}
	if (!cmd_failed(r, "guest NICs", net_cmd, &netout)) {
		int p = windows ? guest_net_parse_windows(netout.out, strlen(netout.out), &net, &e)
				: guest_net_parse_linux(netout.out, strlen(netout.out), &net, &e);

		if (p < 0) {
			char msg[MTV_ERR_MSG_MAX + 200];

			snprintf(msg, sizeof(msg), "VM %s: %s", r->vm->name, e.msg);
			vm_case(r, "guest NICs", GUEST_FAIL, msg, 0);
			if (r->vm->static_ips)
				vm_case(r, "guest static IPs", GUEST_FAIL, msg, 0);
		} else {
			guest_nics_check(r->vm->name, c->type, r->vm->source, &net, &v);
			vm_case(r, "guest NICs", v.result, v.msg, 0);
			if (r->vm->static_ips) {
				guest_static_ips_check(r->vm->name, r->vm->source, &net, &v);
				vm_case(r, "guest static IPs", v.result, v.msg, 0);
			}
		}
	} else if (r->vm->static_ips) {
		cmd_failed(r, "guest static IPs", net_cmd, &netout);
	}
	guest_net_release(&net);
	if (r->g->marker && check_marker(r, gs, windows, err) < 0)
		return -1;
	return 0;
}

int guest_check_vm(struct guest_run *g, struct step_ctx *c, const struct guest_vm *vm, struct buf *failures,
		   int *failed, struct mtv_err *err)
{
	struct vm_run r = { .g = g, .vm = vm, .failures = failures, .failed = failed };
	bool windows = vm_source_is_windows(c->type, vm->source);
	const char *user = "", *password = "", *os_name = windows ? "Windows" : "Linux";
	struct guest_session gs = { .fd = -1 };
	struct mtv_err e = { 0 };
	char peer[300], why[MTV_ERR_MSG_MAX + 200];
	double t0, t_login;
	int rc = 0;

	if (!g->enabled) {
		skip_all(&r, true, "MTV_GUEST_CHECKS=false");
		return 0;
	}
	if (strcmp(vm->power, "on")) {
		skip_all(&r, true, "the VM is not expected to run: no guest to log into");
		return 0;
	}
	if (g->have_creds) {
		user = windows ? g->creds.guest_win_user : g->creds.guest_linux_user;
		password = windows ? g->creds.guest_win_password : g->creds.guest_linux_password;
	}
	if (!*user || (!*password && !g->key_file)) {
		snprintf(why, sizeof(why), "no guest credentials for %s: %s, and MTV_SSH_KEY_FILE is %s", os_name,
			 !g->have_creds ? g->creds_why
			 : windows	? "no guest_vm_win_user/guest_vm_win_password in .providers.json"
					: "no guest_vm_linux_user/guest_vm_linux_password in .providers.json",
			 g->key_file ? "set but there is no user" : "unset");
		skip_all(&r, true, why);
		return 0;
	}
	r.record = cJSON_CreateObject();
	cJSON_AddStringToObject(r.record, "name", vm->name);
	cJSON_AddStringToObject(r.record, "destination", vm->destination);
	cJSON_AddArrayToObject(r.record, "commands");
	snprintf(peer, sizeof(peer), "VM %s", vm->name);
	struct guest_target t = {
		.kc = &c->kc.cfg, .mode = g->mode, .ns = vm->ns, .name = vm->destination, .peer = peer,
		.auth = { .user = user, .password = g->key_file ? NULL : password, .key_file = g->key_file },
		.retries = g->retries, .delay_s = g->delay_s, .timeout_ms = LOGIN_TIMEOUT_MS,
		.interrupt = step_interrupt_flag(),
	};
	r.target = &t;
	t0 = step_now();
	if (guest_session_open(&t, &gs, &e) < 0) {
		if (e.code >= 128 || e.code == MTV_EXIT_USAGE) {
			*err = e;
			rc = -1;
			goto out;
		}
		cJSON_AddStringToObject(r.record, "error", e.msg);
		vm_case(&r, "ssh login", GUEST_FAIL, e.msg, step_now() - t0);
		for (size_t i = 0; i < sizeof(LATER) / sizeof(LATER[0]); i++)
			if (later_applies(&r, i))
				vm_case(&r, LATER[i], GUEST_SKIP, "no SSH session: the login failed", 0);
		goto out;
	}
	snprintf(why, sizeof(why), "%s@%s (%s) after %d attempt(s); host key %s", user, vm->destination,
		 g->mode == PORTFORWARD_VIRTCTL ? "virtctl port-forward" : "port-forward", gs.attempts, gs.host_key);
	t_login = step_now();
	vm_case(&r, "ssh login", GUEST_PASS, why, t_login - t0);
	cJSON_AddStringToObject(r.record, "hostKey", gs.host_key);
	write_host_key(&r, gs.host_key);
	rc = checks(&r, c, &gs, windows, err);
	log_info("VM %s: guest checks over SSH in %.1f ms (tunnel and login %.1f ms, %d commands %.1f ms)", vm->name,
		 (step_now() - t0) * 1000, (t_login - t0) * 1000, cJSON_GetArraySize(json_get(r.record, "commands")),
		 (step_now() - t_login) * 1000);
out:
	guest_session_close(&gs);
	if (r.record) {
		cJSON_AddBoolToObject(r.record, "failed", r.record_failed);
		cJSON_AddItemToArray(g->records, r.record);
	}
	return rc;
}
