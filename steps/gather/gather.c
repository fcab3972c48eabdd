/* mtv-gather: collect what a person needs to understand a run, with no
 * secret in it.
 *
 * Gather runs in the post phase of every job, including the ones where
 * nothing worked: it must never fail the job (API errors are warnings) and
 * must write whatever it can.  Only a place it cannot write to at all is an
 * error (exit 3).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libgen.h>
#include <unistd.h>

#include "ensure.h"
#include "fsutil.h"
#include "guest_checks.h"
#include "http_multi.h"
#include "json.h"
#include "log.h"
#include "source_facts.h"
#include "stepctx.h"
#include "gather.h"

static struct step_param params[] = {
	{ "MTV_GATHER_LOG_LINES", "log-lines", "500",
	  "lines of each pod log to keep (the tail), and of forklift-controller lines naming the plan",
	  0, NULL },
	{ "MTV_GATHER_LOG_BYTES", "log-bytes", "262144",
	  "bytes of each pod log to keep at most (limitBytes, counted from the start of the\n"
	  "      tail), so N failed VMs write at most N times this",
	  0, NULL },
	{ "MTV_GATHER_ALL_LOGS", "all-logs", "false",
	  "fetch the logs of every pod of the plans, not only of the VMs that failed or did not finish",
	  STEP_PARAM_BOOL, NULL },
	{ "MTV_GATHER_PARALLEL", "parallel", "8",
	  "pod logs fetched at once (1-64): streams of one HTTP/2 connection, or HTTP/1.1 connections",
	  0, NULL },
	{ "MTV_NAMESPACE", "mtv-namespace", "openshift-mtv", "namespace MTV is installed in", 0, NULL },
	{ "MTV_MUST_GATHER", "must-gather", "auto",
	  "run Forklift's targeted must-gather: auto (when oc is on PATH), true or false", 0, NULL },
	STEP_PROVIDERS_FILE_PARAMS(", read only so its passwords and tokens are\n"
				   "      scrubbed from everything written"),
};

static struct step step = {
	.name = "mtv-gather",
	.summary = "Write diagnostics into ARTIFACT_DIR: resources.json (the ledger), YAML dumps of the\n"
		   "session's Plan, Migration, Providers, maps, Hooks, Secrets (values redacted) and the\n"
		   "destination VMs/VMIs/DataVolumes/PVCs/pods, events sorted by time, the pod logs of\n"
		   "the VMs that failed or did not finish (tail and byte cap, fetched in parallel),\n"
		   "forklift-controller lines naming the plans, a per-VM pipeline table per plan, and\n"
		   "Forklift's targeted must-gather when oc is on PATH, and for each VM that failed a\n"
		   "guest check of mtv-check-vms the outputs of the commands run in it\n"
		   "(guest/<vm>/<n>-<command>.txt).  Prints the files written.\n"
		   "Never fails the job on API errors; exit 3 only when ARTIFACT_DIR cannot be written.",
	.params = params,
	.nparams = sizeof(params) / sizeof(params[0]),
};

int gather_api_failed(struct gather *g, const char *what, const struct mtv_err *e,
		      struct mtv_err *err)
{
	if (e->code >= 128) {
		*err = *e;
		return -1;
	}
	g->warnings++;
	log_warn("%s: %s", what, e->msg);
	return 0;
}

static int mkparents(const char *path, struct mtv_err *err)
{
	char *copy = strdup(path);
	int rc;

	if (!copy)
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	rc = fs_mkdir_p(dirname(copy), 0755, err);
	free(copy);
	return rc;
}

int gather_write(struct gather *g, const char *rel, const char *text, size_t len, bool fatal,
		 struct mtv_err *err)
{
	struct buf out = BUF_INIT(512u << 20);
	struct mtv_err e = { 0 };
	char path[4400];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", g->c->step->artifact_dir, rel);
	rc = redact_text(&g->red, &out, text, len);
	if (rc < 0)
		mtv_err_set(&e, MTV_EXIT_ENV, "%s: too large to write", path);
	if (rc == 0)
		rc = mkparents(path, &e);
	if (rc == 0)
		rc = fs_write_atomic(path, out.data ? out.data : "", out.len, 0644, &e);
	buf_release(&out);
	if (rc == 0) {
		g->files++;
		cJSON_AddItemToArray(g->written, cJSON_CreateString(rel));
		return 0;
	}
	if (fatal) {
		*err = e;
		err->code = MTV_EXIT_ENV;
		return -1;
	}
	g->warnings++;
	log_warn("cannot write %s", e.msg);
	return 0;
}

bool gather_has(const cJSON *arr, const char *s)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it) && !strcmp(it->valuestring, s))
			return true;
	return false;
}

void gather_add_unique(cJSON *arr, const char *s)
{
	if (s && *s && !gather_has(arr, s))
		cJSON_AddItemToArray(arr, cJSON_CreateString(s));
}

/* "plural/ns/name": no Kubernetes name or namespace holds a '/'. */
static void kept_key(char *dst, size_t dstsz, const struct kube_type *t, const char *ns, const char *name)
{
	snprintf(dst, dstsz, "%s/%s/%s", t->plural, t->namespaced && ns ? ns : "", name);
}

bool gather_kept(struct gather *g, const struct kube_type *t, const char *ns, const char *name)
{
	char key[640];

	kept_key(key, sizeof(key), t, ns, name);
	return strset_has(&g->kept, key);
}

void gather_keep(struct gather *g, const struct kube_type *t, const cJSON *obj)
{
	cJSON *list = cJSON_GetObjectItemCaseSensitive(g->objects, t->plural);
	const char *uid = json_str(obj, "metadata.uid", NULL);
	const char *name = json_str(obj, "metadata.name", "");
	const char *ns = json_str(obj, "metadata.namespace", "");
	char key[640], uid_key[300];
	cJSON *copy;

	kept_key(key, sizeof(key), t, ns, name);
	snprintf(uid_key, sizeof(uid_key), "uid:%s", uid ? uid : "");
	if (strset_has(&g->kept, key) || (uid && strset_has(&g->kept, uid_key)))
		return;
	/* Out of memory only makes a later duplicate possible. */
	strset_add(&g->kept, key);
	if (uid)
		strset_add(&g->kept, uid_key);
	if (!list)
		list = cJSON_AddArrayToObject(g->objects, t->plural);
	copy = cJSON_Duplicate(obj, 1);
	/* Lists return items without apiVersion/kind; readers want them. */
	if (!cJSON_GetObjectItemCaseSensitive(copy, "kind"))
		cJSON_AddStringToObject(copy, "kind", t->kind);
	if (!cJSON_GetObjectItemCaseSensitive(copy, "apiVersion")) {
		char api[128];

		ensure_api_version(api, sizeof(api), t);
		cJSON_AddStringToObject(copy, "apiVersion", api);
	}
	if (!strcmp(t->kind, "Secret"))
		redact_add_secret(&g->red, copy);
	cJSON_AddItemToArray(list, copy);
}

/* Every credential of the providers file: a password may show up in a
 * provider's log line or an event message. */
static void collect_provider_secrets(struct gather *g, const cJSON *node)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, node) {
		if (it->string && cJSON_IsString(it) && redact_key_is_secret(it->string))
			redact_add(&g->red, it->valuestring, strlen(it->valuestring));
		else if (cJSON_IsObject(it) || cJSON_IsArray(it))
			collect_provider_secrets(g, it);
	}
}

static void load_providers_file(struct gather *g)
{
	char pbuf[4200];
	const char *file = step_providers_path(&step, pbuf, sizeof(pbuf));
	struct buf b = BUF_INIT(16u << 20);
	struct mtv_err e = { 0 };
	cJSON *doc = NULL;

	if (*file && fs_read_file(file, &b, 16u << 20, &e) == 0 &&
	    json_parse(buf_str(&b), b.len, file, &doc, &e) == 0)
		collect_provider_secrets(g, doc);
	cJSON_Delete(doc);
	buf_release(&b);
}

static void read_state(struct gather *g, const char *name, cJSON **out)
{
	struct mtv_err e = { 0 };

	if (state_read_json(&step.state, name, out, &e) < 0) {
		g->warnings++;
		log_warn("%s", e.msg);
	}
}

/* Copies of the small state files: the names everything else refers to. */
static int write_state_copies(struct gather *g, struct mtv_err *err)
{
	static const char *const files[] = { SESSION_FILE, PROVIDERS_STATE, SOURCE_VMS_STATE, MAPS_STATE,
					     PLAN_STATE, MIGRATION_STATE, GUEST_CHECKS_STATE };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		cJSON *doc = NULL;
		char rel[128], *text;
		int rc;

		read_state(g, files[i], &doc);
		if (!doc)
			continue;
		redact_json(&g->red, doc);
		text = cJSON_Print(doc);
		snprintf(rel, sizeof(rel), "state/%s", files[i]);
		rc = gather_write(g, rel, text, strlen(text), false, err);
		free(text);
		cJSON_Delete(doc);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int write_resources(struct gather *g, struct mtv_err *err)
{
	char *text;
	int rc;

	read_state(g, LEDGER_FILE, &g->ledger);
	if (!g->ledger) {
		log_info("%s/%s does not exist: no step created anything", step.state.dir, LEDGER_FILE);
		g->ledger = cJSON_CreateObject();
	}
	text = cJSON_Print(g->ledger);
	rc = gather_write(g, "resources.json", text, strlen(text), true, err);
	free(text);
	return rc;
}

static void junit_part(const char *name, double t0, int rc, int warnings_before, int warnings)
{
	if (rc == 0 && warnings == warnings_before)
		step_case(&step, name, step_now() - t0, JUNIT_PASSED, NULL, NULL);
	else if (rc == 0)
		step_case(&step, name, step_now() - t0, JUNIT_PASSED, NULL,
			  "some parts could not be collected: see the warnings in the log");
}

static int run(struct gather *g, struct mtv_err *err)
{
	struct mtv_err e = { 0 };
	const char *mg;
	char *end;
	double t0;
	int w;

	g->log_lines = strtol(step_get(&step, "MTV_GATHER_LOG_LINES"), &end, 10);
	if (*end || g->log_lines <= 0)
		return mtv_err_set(err, MTV_EXIT_USAGE, "MTV_GATHER_LOG_LINES: expected a positive number, got '%s'",
				   step_get(&step, "MTV_GATHER_LOG_LINES"));
	if (step_get_positive(&step, "MTV_GATHER_LOG_BYTES", "bytes", 1L << 30, &g->log_bytes, err) < 0 ||
	    step_get_positive(&step, "MTV_GATHER_PARALLEL", "requests", HTTP_MULTI_PARALLEL_MAX, &g->parallel,
			      err) < 0)
		return -1;
	g->all_logs = step_get_bool(&step, "MTV_GATHER_ALL_LOGS");
	g->mtv_ns = step_get(&step, "MTV_NAMESPACE");
	mg = step_get(&step, "MTV_MUST_GATHER");
	if (strcmp(mg, "auto") && strcmp(mg, "true") && strcmp(mg, "false"))
		return mtv_err_set(err, MTV_EXIT_USAGE, "MTV_MUST_GATHER: expected auto, true or false, got '%s'",
				   mg);
	load_providers_file(g);

	/* First what needs no cluster, so an unreachable one still leaves it. */
	t0 = step_now();
	if (write_resources(g, err) < 0) {
		step_case(&step, "resources.json", step_now() - t0, JUNIT_FAILED, err->msg, NULL);
		return -1;
	}
	step_case(&step, "resources.json", step_now() - t0, JUNIT_PASSED, NULL, NULL);
	if (step_ctx_open(g->c, CTX_SESSION_IF_ANY, &e) < 0) {
		g->warnings++;
		log_warn("%s", e.msg);
	}
	read_state(g, PLAN_STATE, &g->plan_state);
	read_state(g, MIGRATION_STATE, &g->migration_state);
	read_state(g, PROVIDERS_STATE, &g->providers_state);
	read_state(g, MAPS_STATE, &g->maps_state);

	t0 = step_now();
	w = g->warnings;
	if (gather_guest_outputs(g, err) < 0)
		return -1;
	junit_part("guest outputs", t0, 0, w, g->warnings);
	if (step_ctx_open(g->c, CTX_CLUSTER, &e) < 0) {
		log_warn("no cluster to gather from: %s", e.msg);
		step_case(&step, "cluster objects", 0, JUNIT_SKIPPED, e.msg, NULL);
		return write_state_copies(g, err);
	}
	/* Our own credentials, should anything echo them. */
	if (g->c->kc.http.token)
		redact_add(&g->red, g->c->kc.http.token, strlen(g->c->kc.http.token));
	if (g->c->kc.http.key_pem)
		redact_add_lines(&g->red, g->c->kc.http.key_pem, g->c->kc.http.key_len);
	if (write_state_copies(g, err) < 0)
		return -1;

	t0 = step_now();
	w = g->warnings;
	if (gather_collect(g, err) < 0 || gather_write_objects(g, err) < 0)
		return -1;
	junit_part("object dumps", t0, 0, w, g->warnings);
	t0 = step_now();
	w = g->warnings;
	if (gather_pipeline(g, err) < 0)
		return -1;
	junit_part("pipeline table", t0, 0, w, g->warnings);
	t0 = step_now();
	w = g->warnings;
	if (gather_events(g, err) < 0)
		return -1;
	junit_part("events", t0, 0, w, g->warnings);
	t0 = step_now();
	w = g->warnings;
	if (gather_pod_logs(g, err) < 0 || gather_controller_logs(g, err) < 0)
		return -1;
	junit_part("pod logs", t0, 0, w, g->warnings);
	t0 = step_now();
	w = g->warnings;
	switch (gather_must_gather(g, mg, err)) {
	case -1:
		return -1;
	case 1:
		junit_part("must-gather", t0, 0, w, g->warnings);
		break;
	}
	if (gather_report(g, err) < 0)
		return -1;
	log_info("wrote %d files to %s%s", g->files, step.artifact_dir,
		 g->warnings ? " (some parts are missing: see the warnings above)" : "");
	return 0;
}

/* stdout: the files written (relative to ARTIFACT_DIR), or a document. */
static void print_result(struct gather *g)
{
	const cJSON *f;

	if (step_output_doc(&step)) {
		cJSON *doc = cJSON_CreateObject();

		cJSON_AddStringToObject(doc, "artifactDir", step.artifact_dir);
		cJSON_AddItemToObject(doc, "files", cJSON_Duplicate(g->written, 1));
		cJSON_AddNumberToObject(doc, "warnings", g->warnings);
		step_print(&step, doc, NULL);
		cJSON_Delete(doc);
		return;
	}
	cJSON_ArrayForEach(f, g->written)
		printf("%s\n", f->valuestring);
}

static int gather(struct step_ctx *c, struct mtv_err *err)
{
	struct gather g = { .c = c };
	int rc;

	redact_init(&g.red);
	g.objects = cJSON_CreateObject();
	g.owned_ns = cJSON_CreateArray();
	g.dest_ns = cJSON_CreateArray();
	g.written = cJSON_CreateArray();
	rc = run(&g, err);
	print_result(&g);
	cJSON_Delete(g.written);
	cJSON_Delete(g.objects);
	cJSON_Delete(g.owned_ns);
	cJSON_Delete(g.dest_ns);
	cJSON_Delete(g.ledger);
	cJSON_Delete(g.plan_state);
	cJSON_Delete(g.migration_state);
	cJSON_Delete(g.providers_state);
	cJSON_Delete(g.maps_state);
	redact_release(&g.red);
	strset_release(&g.kept);
	return rc;
}

int main(int argc, char **argv)
{
	return step_ctx_main(&step, argc, argv, gather);
}
