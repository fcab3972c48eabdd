#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "report.h"

static const char *const steps[] = { "Initialize", "PreflightInspection", "DiskAllocation", "DiskTransferV2v",
				     "ImageConversion", "VirtualMachineCreation" };
#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

static char *ts(int s)
{
	static char b[8][32];
	static int k;
	char *p = b[k++ % 8];

	snprintf(p, 32, "2026-01-01T%02d:%02d:%02dZ", s / 3600, s / 60 % 60, s % 60);
	return p;
}

/* A VM of the Plan's status: every step completed, each taking secs, or
 * failing at fail_at with reason. */
static cJSON *vm(const char *name, int start, int secs, const char *fail_at, const char *reason)
{
	cJSON *v = cJSON_CreateObject(), *pipe = cJSON_AddArrayToObject(v, "pipeline");
	int t = start;

	cJSON_AddStringToObject(v, "id", name);
	cJSON_AddStringToObject(v, "name", name);
	cJSON_AddStringToObject(v, "started", ts(t));
	for (size_t i = 0; i < NSTEPS; i++) {
		cJSON *s = cJSON_CreateObject();
		bool failing = fail_at && !strcmp(steps[i], fail_at);

		cJSON_AddStringToObject(s, "name", steps[i]);
		cJSON_AddStringToObject(s, "phase", "Completed");
		cJSON_AddStringToObject(s, "started", ts(t));
		t += secs;
		cJSON_AddStringToObject(s, "completed", ts(t));
		cJSON *pr = cJSON_AddObjectToObject(s, "progress");
		cJSON_AddNumberToObject(pr, "completed", failing ? 40 : 100);
		cJSON_AddNumberToObject(pr, "total", 100);
		if (failing) {
			cJSON *e = cJSON_AddObjectToObject(s, "error");
			cJSON *r = cJSON_AddArrayToObject(e, "reasons");

			cJSON_AddStringToObject(e, "phase", "CopyDisksVirtV2V");
			cJSON_AddItemToArray(r, cJSON_CreateString(reason));
		}
		cJSON_AddItemToArray(pipe, s);
		if (failing)
			break;
	}
	cJSON_AddStringToObject(v, "completed", ts(t));
	cJSON_AddStringToObject(v, "phase", "Completed");
	if (fail_at)
		cJSON_AddObjectToObject(v, "error");
	return v;
}

static cJSON *plan(const char *name, bool failed)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"openshift-mtv\"},"
		 "\"spec\":{\"provider\":{\"source\":{\"name\":\"vsphere-8\",\"namespace\":\"openshift-mtv\"},"
		 "\"destination\":{\"name\":\"host\",\"namespace\":\"openshift-mtv\"}},\"targetNamespace\":\"auto-ab12\"},"
		 "\"status\":{\"conditions\":[{\"type\":\"%s\",\"status\":\"True\"}],\"migration\":{\"vms\":[]}}}",
		 name, failed ? "Failed" : "Succeeded");
	return cJSON_Parse(text);
}

static cJSON *plan_vms(cJSON *p)
{
	return json_get(p, "status.migration.vms");
}

static char *render(const struct report_in *in)
{
	struct buf out = BUF_INIT(64u << 20);
	struct mtv_err err = { 0 };

	assert_int_equal(report_render(in, &out, &err), 0);
	return buf_take(&out);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_escape(void **state)
{
	struct buf b = BUF_INIT(4096);

	(void)state;
	assert_int_equal(report_escape(&b, NULL, "<script>alert(\"x\")</script> & 'y'"), 0);
	assert_string_equal(buf_str(&b), "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;");
	buf_release(&b);
}

/* Text from the cluster (a VM name, an error) is data, never markup; known
 * secret values and token shapes are gone. */
static void test_page_escapes_and_redacts(void **state)
{
	struct redact red;
	cJSON *p = plan("plan-<b>x</b>", true);
	char *page;

	(void)state;
	redact_init(&red);
	redact_add(&red, "hunter2-secret", strlen("hunter2-secret"));
	cJSON_AddItemToArray(plan_vms(p), vm("vm<img src=x>", 0, 10, "DiskTransferV2v",
					     "nbdkit: password=opensesame42 rejected; key hunter2-secret"));
	struct report_in in = { .plans = p, .red = &red };
	page = render(&in);
	assert_null(strstr(page, "<b>x</b>"));
	assert_null(strstr(page, "<img"));
	assert_non_null(strstr(page, "plan-&lt;b&gt;x&lt;/b&gt;"));
	assert_null(strstr(page, "hunter2-secret"));
	assert_null(strstr(page, "opensesame42"));
	assert_non_null(strstr(page, "<!DOCTYPE html>"));
	assert_null(strstr(page, "<script"));
	free(page);
	cJSON_Delete(p);
	redact_release(&red);
}

static void test_failed_step_marked(void **state)
{
	cJSON *p = plan("p1", true);
	char *page;

	(void)state;
	cJSON_AddItemToArray(plan_vms(p), vm("fast-ok", 0, 5, NULL, NULL));
	cJSON_AddItemToArray(plan_vms(p), vm("slow-ok", 0, 50, NULL, NULL));
	cJSON_AddItemToArray(plan_vms(p), vm("broken", 0, 10, "DiskTransferV2v", "disk copy exploded"));
	struct report_in in = { .plans = p };
	page = render(&in);
	/* the bar and the table row of the failed step, and its error */
	assert_true(count(page, "class=\"step failed\" data-step=\"DiskTransferV2v\"") >= 2);
	/* exactly one failed step: its bar in the summary, in the timeline, its row */
	assert_int_equal(count(page, "class=\"step failed\""), 3);
	assert_non_null(strstr(page, "disk copy exploded"));
	assert_non_null(strstr(page, "<span class=\"badge bad\">Failed</span>"));
	/* failed first, then the slowest */
	char *b = strstr(page, ">broken<"), *s = strstr(page, ">slow-ok<"), *f = strstr(page, ">fast-ok<");
	assert_true(b && s && f && b < s && s < f);
	/* DiskTransfer progress of the failed step */
	assert_non_null(strstr(page, "40/100 (40%)"));
	/* no leftovers known yet: said so, no table */
	assert_null(strstr(page, "leftovers-table"));
	free(page);
	cJSON_Delete(p);
}

static void test_precopies(void **state)
{
	cJSON *p = plan("warm", false), *v = vm("w1", 0, 60, NULL, NULL);
	cJSON *pre = cJSON_CreateArray();
	char *page;

	(void)state;
	for (int i = 0; i < 3; i++) {
		cJSON *c = cJSON_CreateObject();

		cJSON_AddStringToObject(c, "start", ts(i * 100));
		cJSON_AddStringToObject(c, "end", ts(i * 100 + 30));
		cJSON_AddItemToArray(pre, c);
	}
	cJSON_AddItemToObject(cJSON_AddObjectToObject(v, "warm"), "precopies", pre);
	cJSON_AddItemToArray(plan_vms(p), v);
	cJSON_AddBoolToObject(json_get(p, "spec"), "warm", true);
	struct report_in in = { .plans = p };
	page = render(&in);
	assert_int_equal(count(page, "<rect class=\"pre\""), 3);
	assert_non_null(strstr(page, "precopy 3: 30s"));
	assert_non_null(strstr(page, "<td>warm</td>"));
	free(page);
	cJSON_Delete(p);
}

static void test_checks_leftovers_logs(void **state)
{
	cJSON *p = plan("p", true);
	cJSON *checks = cJSON_Parse("{\"vms\":[{\"vm\":\"v1\",\"pass\":[\"power state\"],"
				    "\"fail\":[{\"c\":\"cpu count\",\"exp\":\"4\",\"act\":\"2\"}],"
				    "\"skip\":[{\"c\":\"guest\",\"m\":\"no credentials\"}]}],"
				    "\"total\":{\"pass\":1,\"fail\":1,\"skip\":1}}");
	cJSON *left = cJSON_Parse("{\"objects\":[{\"kind\":\"PersistentVolumeClaim\",\"namespace\":\"ns1\","
				  "\"name\":\"pvc-1\",\"result\":\"leftover\",\"why\":\"still there after 60s\"}]}");
	cJSON *logs = cJSON_Parse("[\"logs/ns/pod/c.log\",\"/etc/passwd\",\"../up.log\",\"javascript:x\"]");
	char *page;

	(void)state;
	struct report_in in = { .plans = p, .checks = checks, .leftovers = left, .logs = logs };
	page = render(&in);
	assert_non_null(strstr(page, "<tr class=\"check fail\"><td>v1</td><td>cpu count</td><td>fail</td><td>4</td><td>2</td>"));
	assert_non_null(strstr(page, "<tr class=\"check skip\"><td>v1</td><td>guest</td>"));
	assert_non_null(strstr(page, "<tr class=\"check pass\"><td>v1</td><td>power state</td>"));
	assert_non_null(strstr(page, "id=\"leftovers-table\""));
	assert_non_null(strstr(page, "<td>pvc-1</td>"));
	assert_non_null(strstr(page, "<a href=\"logs/ns/pod/c.log\">"));
	/* only relative links into the artifacts */
	assert_null(strstr(page, "/etc/passwd"));
	assert_null(strstr(page, "../up.log"));
	assert_null(strstr(page, "javascript:"));
	free(page);
	cJSON_Delete(p);
	cJSON_Delete(checks);
	cJSON_Delete(left);
	cJSON_Delete(logs);
}

/* 1000 VMs: the page stays small (per-VM detail only for the first few),
 * every VM is still listed, and the saved model fits a state file. */
static void test_thousand_vms(void **state)
{
	cJSON *p = plan("big", true), *model;
	char name[32], *page, *text;
	size_t len;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "vm-%04d", i);
		cJSON_AddItemToArray(plan_vms(p), vm(name, i, 10 + i % 97, i % 200 == 7 ? "DiskTransferV2v" : NULL,
						     "disk copy exploded: nbdkit connection reset by peer"));
	}
	struct report_in in = { .plans = p };
	page = render(&in);
	len = strlen(page);
	print_message("report of 1000 VMs: %zu bytes\n", len);
	assert_true(len < 600 * 1024);
	assert_true(count(page, "<tr class=\"vm") >= 1000 + 50);
	assert_int_equal(count(page, "<svg class=\"timeline\""), 20);
	assert_int_equal(count(page, "class=\"step failed\" data-step=\"DiskTransferV2v\""), 5 * 3);
	free(page);

	in.keep = REPORT_KEEP_VMS;
	model = report_model(&in);
	text = cJSON_Print(model);	/* as state_write_json writes it */
	print_message("saved model of 1000 VMs (200 kept): %zu bytes\n", strlen(text));
	assert_true(strlen(text) < 1024 * 1024 - 4096);
	assert_int_equal(cJSON_GetArraySize(json_get(model, "plans[0].vms")), REPORT_KEEP_VMS);
	assert_int_equal((int)cJSON_GetNumberValue(json_get(model, "plans[0].vmCount")), 1000);
	assert_int_equal((int)cJSON_GetNumberValue(json_get(model, "plans[0].failedCount")), 5);
	/* rendered again from the model (teardown's way): the omission is said */
	struct report_in again = { .model = model };
	page = render(&again);
	assert_non_null(strstr(page, "800 more are only counted"));
	assert_int_equal(count(page, "class=\"step failed\" data-step=\"DiskTransferV2v\""), 5 * 3);
	free(page);
	free(text);
	cJSON_Delete(model);
	cJSON_Delete(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_page_escapes_and_redacts),
		cmocka_unit_test(test_failed_step_marked),
		cmocka_unit_test(test_precopies),
		cmocka_unit_test(test_checks_leftovers_logs),
		cmocka_unit_test(test_thousand_vms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
