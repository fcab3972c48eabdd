/* vSphere tasks (power, snapshot, destroy; clones in vsphere_clone.c), each
 * waited with WaitForUpdatesEx on the task's info. */
#include "vsphere.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "vsphere_int.h"

/* Wait for task to end with a filter on its info and WaitForUpdatesEx.
 * label ("PowerOnVM_Task of VM DC0_H0_VM0") prefixes a failure.  On success
 * *result (may be NULL) gets info.result when it is a moref. */
int vsphere_task_wait(struct vsphere_client *c, const struct vsphere_moref *task, const char *label,
		     struct vsphere_moref *result, struct mtv_err *err)
{
	struct buf a = BUF_INIT(64 * 1024);
	struct vsphere_moref filter;
	xmlDocPtr doc;
	xmlNodePtr ret;
	char *version = NULL;
	time_t deadline = time(NULL) + c->task_timeout_s;
	int r = -1;
	bool done = false;

	buf_addstr(&a, "<spec><propSet><type>Task</type><pathSet>info.state</pathSet>"
		   "<pathSet>info.error</pathSet><pathSet>info.result</pathSet></propSet><objectSet>");
	vsphere_moref_xml(&a, "obj", task);
	buf_addstr(&a, "</objectSet></spec><partialUpdates>false</partialUpdates>");
	if (vsphere_soap_call(c, "CreateFilter", &c->property_collector, buf_str(&a), NULL, &doc, &ret, err) < 0) {
		mtv_err_prefix(err, "waiting for %s", label);
		buf_release(&a);
		return -1;
	}
	vsphere_moref_from(vsphere_child(ret, "returnval"), &filter);
	xmlFreeDoc(doc);
	while (!done) {
		long left = (long)(deadline - time(NULL));
		xmlNodePtr us;

		if (left <= 0) {
			mtv_err_set(err, MTV_EXIT_TIMEOUT, "%s: still running after %d s", label,
				    c->task_timeout_s);
			goto out;
		}
		buf_reset(&a);
		if (version)
			buf_addf(&a, "<version>%s</version>", version);
		/* The server holds the call up to maxWaitSeconds when nothing
		 * changes; keep it well inside the HTTP timeout. */
		buf_addf(&a, "<options><maxWaitSeconds>%ld</maxWaitSeconds></options>",
			 left < 20 ? left : 20);
		if (vsphere_soap_call(c, "WaitForUpdatesEx", &c->property_collector, buf_str(&a), NULL, &doc, &ret,
			      err) < 0) {
			mtv_err_prefix(err, "waiting for %s", label);
			goto out;
		}
		us = vsphere_child(ret, "returnval");	/* absent: timed out, no change */
		if (us) {
			free(version);
			version = vsphere_child_text(us, "version");
		}
		for (xmlNodePtr fs = us ? us->children : NULL; fs; fs = fs->next) {
			if (!vsphere_named(fs, "filterSet"))
				continue;
			for (xmlNodePtr os = fs->children; os; os = os->next) {
				char *state = NULL;
				xmlNodePtr errval = NULL, resval = NULL;

				if (!vsphere_named(os, "objectSet"))
					continue;
				for (xmlNodePtr ch = os->children; ch; ch = ch->next) {
					char *name;

					if (!vsphere_named(ch, "changeSet"))
						continue;
					name = vsphere_child_text(ch, "name");
					if (name && !strcmp(name, "info.state")) {
						free(state);
						state = vsphere_child_text(ch, "val");
					} else if (name && !strcmp(name, "info.error")) {
						errval = vsphere_child(ch, "val");
					} else if (name && !strcmp(name, "info.result")) {
						resval = vsphere_child(ch, "val");
					}
					free(name);
				}
				if (state && !strcmp(state, "success")) {
					done = true;
					if (result)
						vsphere_moref_from(resval, result);
				} else if (state && !strcmp(state, "error")) {
					char ftype[64] = "";
					xmlNodePtr fault = vsphere_child(errval, "fault");
					char *msg = vsphere_child_text(errval, "localizedMessage");

					if (fault)
						vsphere_xsi_type(fault, ftype, sizeof(ftype));
					mtv_err_set(err, MTV_EXIT_FAILED, "%s: %s: %s", label,
						    ftype[0] ? ftype : "Fault", msg && *msg ? msg : "(no message)");
					snprintf(err->reason, sizeof(err->reason), "%s",
						 ftype[0] ? ftype : "Fault");
					free(msg);
					free(state);
					xmlFreeDoc(doc);
					goto out;
				}
				free(state);
			}
		}
		xmlFreeDoc(doc);
	}
	r = 0;
out:
	{
		struct mtv_err e = { 0 };

		if (vsphere_soap_call(c, "DestroyPropertyFilter", &filter, NULL, NULL, &doc, &ret, &e) == 0)
			xmlFreeDoc(doc);
		else
			log_debug("%s", e.msg);
	}
	free(version);
	buf_release(&a);
	return r;
}

/* Start method on vm (args after _this) and wait for its task. */
int vsphere_vm_task(struct vsphere_client *c, const struct vsphere_vm *vm, const char *method,
		   const char *args, struct vsphere_moref *result, struct mtv_err *err)
{
	struct vsphere_moref task;
	xmlDocPtr doc;
	xmlNodePtr ret;
	char label[256];

	snprintf(label, sizeof(label), "%s of VM %s", method, vm->name ? vm->name : vm->ref.value);
	if (vsphere_soap_call(c, method, &vm->ref, args, NULL, &doc, &ret, err) < 0) {
		/* The fault came before a task existed: "vSphere X: Fault: msg"
		 * becomes "VM N: vSphere X: Fault: msg". */
		return mtv_err_prefix(err, "VM %s", vm->name ? vm->name : vm->ref.value);
	}
	vsphere_moref_from(vsphere_child(ret, "returnval"), &task);
	xmlFreeDoc(doc);
	if (!task.value[0])
		return mtv_err_set(err, MTV_EXIT_ENV, "%s: no Task in the answer", label);
	log_debug("%s: task %s", label, task.value);
	return vsphere_task_wait(c, &task, label, result, err);
}

int vsphere_power_on(struct vsphere_client *c, const struct vsphere_vm *vm, struct mtv_err *err)
{
	return vsphere_vm_task(c, vm, "PowerOnVM_Task", NULL, NULL, err);
}

int vsphere_power_off(struct vsphere_client *c, const struct vsphere_vm *vm, struct mtv_err *err)
{
	return vsphere_vm_task(c, vm, "PowerOffVM_Task", NULL, NULL, err);
}

int vsphere_destroy(struct vsphere_client *c, const struct vsphere_vm *vm, struct mtv_err *err)
{
	return vsphere_vm_task(c, vm, "Destroy_Task", NULL, NULL, err);
}

int vsphere_snapshot(struct vsphere_client *c, const struct vsphere_vm *vm, const char *name,
		     struct mtv_err *err)
{
	struct buf a = BUF_INIT(64 * 1024);
	int r;

	buf_addstr(&a, "<name>");
	vsphere_xml_escape(&a, name);
	/* No memory image and no quiescing: a disk-only snapshot, what a
	 * warm migration's source needs and what needs no guest tools. */
	buf_addstr(&a, "</name><memory>false</memory><quiesce>false</quiesce>");
	r = vsphere_vm_task(c, vm, "CreateSnapshot_Task", buf_str(&a), NULL, err);
	buf_release(&a);
	return r;
}

int vsphere_snapshot_remove(struct vsphere_client *c, const struct vsphere_vm *vm,
			    const struct vsphere_moref *snap, struct mtv_err *err)
{
	const char *vname = vm->name ? vm->name : vm->ref.value;
	struct vsphere_moref task;
	xmlDocPtr doc;
	xmlNodePtr ret;
	char label[320];

	/* The task is the snapshot's own method, not the VM's.  Children
	 * stay (they are merged into the parent's chain), and the disks are
	 * consolidated so no delta file is left behind. */
	snprintf(label, sizeof(label), "RemoveSnapshot_Task of snapshot %s of VM %s", snap->value, vname);
	if (vsphere_soap_call(c, "RemoveSnapshot_Task", snap,
			      "<removeChildren>false</removeChildren><consolidate>true</consolidate>", NULL, &doc,
			      &ret, err) < 0)
		return mtv_err_prefix(err, "VM %s", vname);
	vsphere_moref_from(vsphere_child(ret, "returnval"), &task);
	xmlFreeDoc(doc);
	if (!task.value[0])
		return mtv_err_set(err, MTV_EXIT_ENV, "%s: no Task in the answer", label);
	return vsphere_task_wait(c, &task, label, NULL, err);
}
