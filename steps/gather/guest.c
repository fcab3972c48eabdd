/* The guests' side of a failed check: for each VM check-vms looked into
 * and found failing ($SHARED_DIR/mtv-guest-checks.json, failed: true),
 * what each command printed, as guest/<vm>/<n>-<command>.txt, through the
 * same redaction as everything else gather writes. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "guest_checks.h"
#include "json.h"
#include "log.h"
#include "gather.h"

static void command_text(struct buf *b, const cJSON *cmd)
{
	const cJSON *status = json_get(cmd, "exitStatus");

	buf_addf(b, "$ %s\n", json_str(cmd, "command", ""));
	if (cJSON_IsNumber(status))
		buf_addf(b, "# exit status %d%s\n", status->valueint,
			 cJSON_IsTrue(json_get(cmd, "truncated")) ? " (output truncated)" : "");
	else
		buf_addf(b, "# did not run: %s\n", json_str(cmd, "error", "no exit status"));
	buf_addstr(b, "# stdout\n");
	buf_addstr(b, json_str(cmd, "stdout", ""));
	if (b->len && b->data[b->len - 1] != '\n')
		buf_addch(b, '\n');
	buf_addstr(b, "# stderr\n");
	buf_addstr(b, json_str(cmd, "stderr", ""));
}

int gather_guest_outputs(struct gather *g, struct mtv_err *err)
{
	const cJSON *vm, *cmd;
	struct mtv_err e = { 0 };
	cJSON *doc = NULL;
	int rc = 0;

	if (state_read_json(&g->c->step->state, GUEST_CHECKS_STATE, &doc, &e) < 0) {
		g->warnings++;
		log_warn("%s", e.msg);
		return 0;
	}
	cJSON_ArrayForEach(vm, json_get(doc, "vms")) {
		char name[256];
		int n = 0;

		if (!cJSON_IsTrue(json_get(vm, "failed")))
			continue;
		guest_file_name(json_str(vm, "name", ""), name, sizeof(name));
		cJSON_ArrayForEach(cmd, json_get(vm, "commands")) {
			struct buf text = BUF_INIT(4u << 20);
			char rel[512], slug[64];

			guest_command_slug(json_str(cmd, "command", ""), slug, sizeof(slug));
			snprintf(rel, sizeof(rel), "guest/%s/%d-%s.txt", name, ++n, slug);
			command_text(&text, cmd);
			rc = gather_write(g, rel, buf_str(&text), text.len, false, err);
			buf_release(&text);
			if (rc < 0)
				goto out;
		}
		if (!n && *json_str(vm, "error", "")) {
			char rel[512], line[MTV_ERR_MSG_MAX + 8];

			snprintf(rel, sizeof(rel), "guest/%s/error.txt", name);
			snprintf(line, sizeof(line), "%s\n", json_str(vm, "error", ""));
			rc = gather_write(g, rel, line, strlen(line), false, err);
			if (rc < 0)
				goto out;
		}
	}
out:
	cJSON_Delete(doc);
	return rc;
}
