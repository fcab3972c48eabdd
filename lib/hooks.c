#include "hooks.h"

#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "json.h"
#include "yamltree.h"

/* Our own minimal playbooks: one that succeeds, one that fails on purpose. */
static const char playbook_succeed[] =
	"- name: Successful hook\n"
	"  hosts: localhost\n"
	"  tasks:\n"
	"    - name: Report success\n"
	"      debug:\n"
	"        msg: The hook ran and succeeded\n";

static const char playbook_fail[] =
	"- name: Failing hook\n"
	"  hosts: localhost\n"
	"  tasks:\n"
	"    - name: Fail on purpose\n"
	"      fail:\n"
	"        msg: This hook fails on purpose to test failure handling\n";

/* Is s (len bytes) valid UTF-8? */
static int valid_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n;

		if (s[i] < 0x80)
			n = 1;
		else if ((s[i] & 0xe0) == 0xc0 && s[i] >= 0xc2)
			n = 2;
		else if ((s[i] & 0xf0) == 0xe0)
			n = 3;
		else if ((s[i] & 0xf8) == 0xf0 && s[i] <= 0xf4)
			n = 4;
		else
			return 0;
		if (i + n > len)
			return 0;
		for (size_t k = 1; k < n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
		i += n;
	}
	return 1;
}

/* 1 when the YAML document's root is a non-empty sequence, 0 when it is
 * something else, -1 when it does not parse (err: "playbook:<line>:<column>:
 * <problem>").  Lenient, as ansible reads playbooks with anchors. */
static int yaml_nonempty_list(const char *text, size_t len, struct mtv_err *err)
{
	struct arena a;
	struct ynode *root;
	int r;

	arena_init(&a);
	if (ytree_parse_flags(&a, text, len, "playbook", YTREE_LENIENT, &root, err) < 0)
		r = -1;
	else
		r = root->type == Y_SEQ && root->n > 0;
	arena_release(&a);
	return r;
}

int hook_playbook_check(const char *b64, const char *where, struct mtv_err *err)
{
	struct buf plain = BUF_INIT(4 << 20);
	const char *p = b64;
	int r;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!*p)
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s.playbook_base64: empty", where);
	if (base64_decode(&plain, b64, strlen(b64)) < 0) {
		buf_release(&plain);
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s.playbook_base64: not valid base64", where);
	}
	if (!valid_utf8((const unsigned char *)buf_str(&plain), plain.len)) {
		buf_release(&plain);
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s.playbook_base64: decodes to text that is not UTF-8", where);
	}
	r = yaml_nonempty_list(buf_str(&plain), plain.len, err);
	buf_release(&plain);
	if (r < 0)
		return mtv_err_prefix(err, "%s.playbook_base64: not YAML", where);
	if (r == 0)
		return mtv_err_set(err, MTV_EXIT_USAGE,
				   "%s.playbook_base64: an Ansible playbook must be a non-empty list of plays", where);
	return 0;
}

int hook_playbook(const cJSON *hook_cfg, const char *where, struct buf *b64, struct mtv_err *err)
{
	const char *expected = json_str(hook_cfg, "expected_result", NULL);
	const char *custom = json_str(hook_cfg, "playbook_base64", NULL);

	if (custom) {
		if (hook_playbook_check(custom, where, err) < 0)
			return -1;
		return buf_addstr(b64, custom);
	}
	if (expected) {
		const char *text = !strcmp(expected, "fail") ? playbook_fail : playbook_succeed;

		return base64_encode(b64, text, strlen(text));
	}
	return 0;	/* AAP */
}

cJSON *hook_spec(const cJSON *hook_cfg, const char *image, const char *playbook_b64)
{
	cJSON *spec = cJSON_CreateObject();
	const cJSON *job = json_get(hook_cfg, "aap_job_template_id");

	if (cJSON_IsNumber(job)) {
		cJSON *aap = cJSON_AddObjectToObject(spec, "aap");

		cJSON_AddNumberToObject(aap, "jobTemplateId", job->valuedouble);
		return spec;
	}
	cJSON_AddStringToObject(spec, "image", image);
	cJSON_AddStringToObject(spec, "playbook", playbook_b64);
	return spec;
}

const char *hook_expected_failed_step(const cJSON *plan)
{
	if (!strcmp(json_str(plan, "pre_hook.expected_result", ""), "fail"))
		return "PreHook";
	if (!strcmp(json_str(plan, "post_hook.expected_result", ""), "fail"))
		return "PostHook";
	return NULL;
}
