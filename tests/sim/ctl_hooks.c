/* PreHook/PostHook steps: a ConfigMap and a Job per hook run in the plan
 * namespace (forklift-api.md 6.1, 6.5); the Job's outcome follows the
 * Hook's playbook, so a play with a `fail` task fails the step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exec.h"

static const char *hook_fail_message(const char *playbook, char *msg, size_t msgsz)
{
	/* A task whose module is fail (or ansible.builtin.fail) fails the run;
	 * its msg is what Ansible reports. */
	const char *p = playbook;
	bool failing = false;

	msg[0] = '\0';
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char line[512];
		const char *t;

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		t = line;
		while (*t == ' ' || *t == '\t' || *t == '-')
			t++;
		if (!strncmp(t, "fail:", 5) || !strncmp(t, "ansible.builtin.fail:", 21) || !strncmp(t, "ansible.legacy.fail:", 20)) {
			const char *m = strstr(t, "msg:");
			failing = true;
			if (m)
				snprintf(msg, msgsz, "%s", m + 4);
		} else if (failing && !msg[0] && !strncmp(t, "msg:", 4)) {
			snprintf(msg, msgsz, "%s", t + 4);
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	if (failing) {
		char *s = msg;
		while (*s == ' ' || *s == '"' || *s == '\'')
			s++;
		memmove(msg, s, strlen(s) + 1);
		for (size_t n = strlen(msg); n && (msg[n - 1] == '"' || msg[n - 1] == '\'' || msg[n - 1] == ' '); n--)
			msg[n - 1] = '\0';
		if (!msg[0])
			snprintf(msg, msgsz, "Failed as requested from task");
		return msg;
	}
	return NULL;
}

static struct sobj *hook_of(struct ctx *c, const cJSON *pvm, const char *step)
{
	const cJSON *h;

	cJSON_ArrayForEach(h, json_get(pvm, "hooks"))
		if (!strcmp(json_str(h, "step", ""), step))
			return ctl_ref(c->sim, rt_of("forklift.konveyor.io", "v1beta1", "hooks"), json_get(h, "hook"), c->plan->ns);
	return NULL;
}

void exec_hook_start(struct ctx *c, struct vmrun *run, const cJSON *pvm, const char *step, const char *vmid)
{
	struct sobj *hook = hook_of(c, pvm, step), *job;
	char gn[400], pbuf[8192] = "";
	cJSON *l, *cm, *jo, *spec, *tpl, *ctrs, *ctr, *data;

	run->job[0] = '\0';
	if (!hook)
		return;
	snprintf(gn, sizeof(gn), "%s-%s-%s-", c->plan->name, vmid, step);
	dest_lower(gn);
	if (*json_str(hook->o, "spec.playbook", "")) {
		cJSON *tmp = cJSON_CreateObject();
		cJSON_AddStringToObject(cJSON_AddObjectToObject(tmp, "data"), "p", json_str(hook->o, "spec.playbook", ""));
		ctl_secret_value(tmp, "p", pbuf, sizeof(pbuf));
		cJSON_Delete(tmp);
	}
	l = dest_vm_labels(c, vmid);
	cJSON_DeleteItemFromObjectCaseSensitive(l, "plan-name");
	cJSON_DeleteItemFromObjectCaseSensitive(l, "plan-namespace");
	cJSON_AddStringToObject(l, "step", step);
	cJSON_AddStringToObject(l, "hook", json_str(hook->o, "metadata.uid", ""));
	cJSON_AddStringToObject(l, "resource", "hook-config");
	cm = dest_meta(NULL, gn, c->plan->ns, cJSON_Duplicate(l, 1));
	dest_owner_ref(cm, c->plan->o, false);
	data = cJSON_AddObjectToObject(cm, "data");
	cJSON_AddStringToObject(data, "playbook.yml", pbuf);
	cJSON_AddStringToObject(data, "workload.yml", "");
	cJSON_AddStringToObject(data, "plan.yml", "");
	ctl_create(c->sim, rt_of("", "v1", "configmaps"), c->plan->ns, cm);
	jo = dest_meta(NULL, gn, c->plan->ns, l);
	dest_owner_ref(jo, c->plan->o, false);
	spec = cJSON_AddObjectToObject(jo, "spec");
	cJSON_AddNumberToObject(spec, "backoffLimit", 1);
	tpl = cJSON_AddObjectToObject(spec, "template");
	ctrs = cJSON_AddArrayToObject(cJSON_AddObjectToObject(tpl, "spec"), "containers");
	ctr = cJSON_CreateObject();
	cJSON_AddStringToObject(ctr, "name", "hook");
	cJSON_AddStringToObject(ctr, "image", json_str(hook->o, "spec.image", ""));
	cJSON_AddItemToArray(ctrs, ctr);
	cJSON_AddStringToObject(json_get(tpl, "spec"), "restartPolicy", "OnFailure");
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(jo, "status"), "active", 1);
	job = ctl_create(c->sim, rt_of("batch", "v1", "jobs"), c->plan->ns, jo);
	if (job)
		snprintf(run->job, sizeof(run->job), "%s", job->name);
}

/* Finish the hook Job; returns the failure message, or NULL on success. */
const char *exec_hook_finish(struct ctx *c, struct vmrun *run, const cJSON *pvm, const char *step, char *msg,
			       size_t msgsz)
{
	struct sobj *hook = hook_of(c, pvm, step);
	struct sobj *job = run->job[0] ? store_find(&c->sim->store, rt_of("batch", "v1", "jobs"), c->plan->ns, run->job) : NULL;
	char pbuf[8192] = "", amsg[512];
	const char *fail;
	cJSON *st, *conds, *cond, *pod;
	struct sobj *pso;
	char log[2048], gn[300];

	if (!hook || !job)
		return NULL;
	if (*json_str(hook->o, "spec.playbook", "")) {
		cJSON *tmp = cJSON_CreateObject();
		cJSON_AddStringToObject(cJSON_AddObjectToObject(tmp, "data"), "p", json_str(hook->o, "spec.playbook", ""));
		ctl_secret_value(tmp, "p", pbuf, sizeof(pbuf));
		cJSON_Delete(tmp);
	}
	fail = hook_fail_message(pbuf, amsg, sizeof(amsg));
	/* the hook pod and its Ansible output */
	snprintf(gn, sizeof(gn), "%s-", job->name);
	pod = dest_meta(NULL, gn, c->plan->ns, cJSON_Duplicate(json_get(job->o, "metadata.labels"), 1));
	cJSON_AddStringToObject(json_get(pod, "metadata.labels"), "job-name", job->name);
	dest_owner_ref(pod, job->o, true);
	cJSON_AddItemToObject(pod, "spec", cJSON_Duplicate(json_get(job->o, "spec.template.spec"), 1));
	cJSON_AddStringToObject(cJSON_AddObjectToObject(pod, "status"), "phase", fail ? "Failed" : "Succeeded");
	pso = ctl_create(c->sim, rt_of("", "v1", "pods"), c->plan->ns, pod);
	if (fail)
		snprintf(log, sizeof(log),
			 "PLAY [localhost] ***\n\nTASK [Gathering Facts] ***\nok: [localhost]\n\nTASK [fail] ***\n"
			 "fatal: [localhost]: FAILED! => {\"changed\": false, \"msg\": \"%s\"}\n\n"
			 "PLAY RECAP ***\nlocalhost : ok=1 changed=0 unreachable=0 failed=1\n", fail);
	else
		snprintf(log, sizeof(log),
			 "PLAY [localhost] ***\n\nTASK [Gathering Facts] ***\nok: [localhost]\n\n"
			 "PLAY RECAP ***\nlocalhost : ok=1 changed=0 unreachable=0 failed=0\n");
	if (pso)
		dest_set_log(c->sim, c->plan->ns, pso->name, log);
	st = cJSON_CreateObject();
	conds = cJSON_AddArrayToObject(st, "conditions");
	cond = cJSON_CreateObject();
	cJSON_AddStringToObject(cond, "type", fail ? "Failed" : "Complete");
	cJSON_AddStringToObject(cond, "status", "True");
	if (fail) {
		cJSON_AddStringToObject(cond, "reason", "BackoffLimitExceeded");
		cJSON_AddStringToObject(cond, "message", "Job has reached the specified backoff limit");
		cJSON_AddNumberToObject(st, "failed", 2);
	} else {
		cJSON_AddNumberToObject(st, "succeeded", 1);
	}
	cJSON_AddStringToObject(cond, "lastTransitionTime", c->now);
	cJSON_AddItemToArray(conds, cond);
	ctl_put_status(c->sim, job, st);
	if (!fail)
		return NULL;
	snprintf(msg, msgsz, "Job has reached the specified backoff limit");
	return msg;
}
