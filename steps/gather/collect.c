/* mtv-gather: which objects to dump, and the dumps.
 *
 * Scoped the way kubectl-mtv's describe scopes it: what the ledger and the
 * state files name, what carries our session label in the namespaces the
 * session owns, and in our plans' destination namespaces only what carries
 * the plan's label (plan=<uid>), so a shared namespace does not spill other
 * jobs' objects into our artifacts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gather.h"
#include "json.h"
#include "log.h"
#include "yamlout.h"

static const struct kube_type *const forklift_kinds[] = {
	&KUBE_PLANS, &KUBE_MIGRATIONS, &KUBE_PROVIDERS, &KUBE_STORAGEMAPS, &KUBE_NETWORKMAPS,
	&KUBE_HOOKS, &KUBE_HOSTS, &KUBE_SECRETS, &KUBE_NADS,
};

static const struct kube_type *const dest_kinds[] = {
	&KUBE_VMS, &KUBE_VMIS, &KUBE_DATAVOLUMES, &KUBE_PVCS, &KUBE_PODS,
};

static int get_keep(struct gather *g, const struct kube_type *t, const char *ns, const char *name,
		    struct mtv_err *err)
{
	struct mtv_err e = { 0 };
	cJSON *obj = NULL;
	char what[600];

	if (!name || !*name || gather_kept(g, t, ns, name))
		return 0;	/* the ledger and the state files name the same objects */
	kube_describe(what, sizeof(what), t, ns, name);
	if (kube_get(&g->c->kc, t, ns, name, &obj, &e) < 0) {
		if (e.http_status == 404) {
			log_info("%s: not found (already deleted, or never created)", what);
			return 0;
		}
		return gather_api_failed(g, what, &e, err);
	}
	gather_keep(g, t, obj);
	cJSON_Delete(obj);
	return 0;
}

static int list_keep(struct gather *g, const struct kube_type *t, const char *ns, const char *selector,
		     struct mtv_err *err)
{
	struct kube_list_opts o = { .label_selector = selector };
	struct mtv_err e = { 0 };
	cJSON *items = NULL, *it;
	char what[600];

	if (kube_list(&g->c->kc, t, ns, &o, &items, NULL, &e) < 0) {
		kube_describe(what, sizeof(what), t, ns, NULL);
		if (e.http_status == 404)
			return 0;	/* a kind this cluster does not serve */
		return gather_api_failed(g, what, &e, err);
	}
	cJSON_ArrayForEach(it, items)
		gather_keep(g, t, it);
	cJSON_Delete(items);
	return 0;
}

/* Learn (not dump) the values of Secrets that are ours or our plan's, so
 * they are scrubbed wherever they show up: Forklift's per-VM Secrets and
 * Secrets without our label never get into the dumps, but their values may
 * reach a log line.  The Secrets of the list labelled with session (NULL:
 * none) are also dumped, so a namespace's Secrets cost one list for both. */
static int learn_secrets(struct gather *g, const char *ns, const char *selector, const char *session,
			 struct mtv_err *err)
{
	struct kube_list_opts o = { .label_selector = selector };
	struct mtv_err e = { 0 };
	cJSON *items = NULL, *it;
	char what[400];

	if (kube_list(&g->c->kc, &KUBE_SECRETS, ns, &o, &items, NULL, &e) < 0) {
		snprintf(what, sizeof(what), "Secrets of namespace %s", ns);
		return e.http_status == 404 ? 0 : gather_api_failed(g, what, &e, err);
	}
	cJSON_ArrayForEach(it, items) {
		if (session && !strcmp(json_str(it, "metadata.labels[\"" LABEL_SESSION "\"]", ""), session))
			gather_keep(g, &KUBE_SECRETS, it);	/* learns its values too */
		else
			redact_add_secret(&g->red, it);
	}
	cJSON_Delete(items);
	return 0;
}

/* The Secret each collected Provider points to, wherever it lives. */
static int learn_provider_secrets(struct gather *g, struct mtv_err *err)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(g->objects, "providers")) {
		const char *name = json_str(p, "spec.secret.name", ""), *ns = json_str(p, "spec.secret.namespace", "");
		struct mtv_err e = { 0 };
		cJSON *sec = NULL;
		char what[600];

		/* Learned already: dumped, or listed with its namespace. */
		if (!*name || !*ns || gather_kept(g, &KUBE_SECRETS, ns, name) || gather_has(g->owned_ns, ns))
			continue;
		if (kube_get(&g->c->kc, &KUBE_SECRETS, ns, name, &sec, &e) < 0) {
			kube_describe(what, sizeof(what), &KUBE_SECRETS, ns, name);
			if (e.http_status != 404 && gather_api_failed(g, what, &e, err) < 0)
				return -1;
			continue;
		}
		redact_add_secret(&g->red, sec);
		cJSON_Delete(sec);
	}
	return 0;
}

/* A {name, namespace} reference in a state file. */
static int state_ref(struct gather *g, const struct kube_type *t, const cJSON *ref, struct mtv_err *err)
{
	if (!cJSON_IsObject(ref))
		return 0;
	return get_keep(g, t, json_str(ref, "namespace", ""), json_str(ref, "name", ""), err);
}

/* The namespaces the ledger says the session made: everything in them is
 * the session's. */
static void ledger_namespaces(struct gather *g)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, json_get(g->ledger, "Namespace"))
		if (*json_str(e, "name", ""))
			gather_add_unique(g->owned_ns, json_str(e, "name", ""));
}

/* What the ledger names and the lists did not find (an object outside
 * the owned namespaces, or without our label): one GET each. */
static int from_ledger(struct gather *g, struct mtv_err *err)
{
	const cJSON *list, *e;

	cJSON_ArrayForEach(list, g->ledger) {
		const struct kube_type *t = list->string ? kube_type_lookup(list->string) : NULL;

		if (!t) {
			log_debug("ledger kind %s: not dumped (unknown kind)", list->string);
			continue;
		}
		cJSON_ArrayForEach(e, list) {
			const char *name = json_str(e, "name", "");
			size_t n = strlen(name);

			/* A generateName prefix is found by the label lists. */
			if (!n || name[n - 1] == '-')
				continue;
			if (get_keep(g, t, json_str(e, "namespace", ""), name, err) < 0)
				return -1;
		}
	}
	return 0;
}

/* Every plan (or migration) of a state file that lists several (the
 * "plans" / "migrations" array, each entry in the file's namespace), else
 * the one the file is about; a file written before there were several
 * has only the latter. */
static int state_refs(struct gather *g, const struct kube_type *t, const cJSON *state, const char *list,
		      struct mtv_err *err)
{
	const cJSON *e;

	if (!cJSON_IsArray(json_get(state, list)))
		return state_ref(g, t, state, err);
	cJSON_ArrayForEach(e, json_get(state, list))
		if (get_keep(g, t, json_str(e, "namespace", json_str(state, "namespace", "")), json_str(e, "name", ""),
			     err) < 0)
			return -1;
	return 0;
}

int gather_collect(struct gather *g, struct mtv_err *err)
{
	char sel[128];
	const cJSON *ns, *plan;

	if (g->c->have_session) {
		gather_add_unique(g->owned_ns, g->c->session.target_namespace);
		snprintf(sel, sizeof(sel), "%s=%s", LABEL_SESSION, g->c->session.id);
	}
	ledger_namespaces(g);
	/* The lists first: a kind per namespace in one request, so the
	 * objects the ledger and the state files name are mostly found there
	 * and need no GET of their own. */
	cJSON_ArrayForEach(ns, g->owned_ns) {
		const char *keep = g->c->have_session ? sel : NULL;

		/* every Secret learned, ours dumped: one list */
		if (keep && learn_secrets(g, ns->valuestring, NULL, g->c->session.id, err) < 0)
			return -1;
		for (size_t k = 0; k < sizeof(forklift_kinds) / sizeof(forklift_kinds[0]); k++) {
			if (forklift_kinds[k] == &KUBE_SECRETS && keep)
				continue;
			if (list_keep(g, forklift_kinds[k], ns->valuestring, keep, err) < 0)
				return -1;
		}
		for (size_t k = 0; k < sizeof(dest_kinds) / sizeof(dest_kinds[0]); k++)
			if (list_keep(g, dest_kinds[k], ns->valuestring, NULL, err) < 0)
				return -1;
	}
	if (from_ledger(g, err) < 0 ||
	    state_refs(g, &KUBE_PLANS, g->plan_state, "plans", err) < 0 ||
	    state_refs(g, &KUBE_MIGRATIONS, g->migration_state, "migrations", err) < 0 ||
	    state_ref(g, &KUBE_PROVIDERS, json_get(g->providers_state, "source"), err) < 0 ||
	    state_ref(g, &KUBE_PROVIDERS, json_get(g->providers_state, "destination"), err) < 0 ||
	    state_ref(g, &KUBE_STORAGEMAPS, json_get(g->maps_state, "storageMap"), err) < 0 ||
	    state_ref(g, &KUBE_NETWORKMAPS, json_get(g->maps_state, "networkMap"), err) < 0)
		return -1;
	gather_add_unique(g->dest_ns, json_str(g->plan_state, "vmNamespace", NULL));
	cJSON_ArrayForEach(plan, cJSON_GetObjectItemCaseSensitive(g->objects, "plans")) {
		const char *dest = json_str(plan, "spec.targetNamespace", json_str(plan, "metadata.namespace", ""));
		const char *uid = json_str(plan, "metadata.uid", "");

		gather_add_unique(g->dest_ns, dest);
		if (gather_has(g->owned_ns, dest) || !*uid)
			continue;
		snprintf(sel, sizeof(sel), "plan=%s", uid);
		if (learn_secrets(g, dest, sel, NULL, err) < 0)
			return -1;
		for (size_t k = 0; k < sizeof(dest_kinds) / sizeof(dest_kinds[0]); k++)
			if (list_keep(g, dest_kinds[k], dest, sel, err) < 0)
				return -1;
	}
	return learn_provider_secrets(g, err);
}

/* managedFields: kilobytes of bookkeeping nobody debugging reads. */
static void tidy(cJSON *obj)
{
	cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");

	cJSON_DeleteItemFromObjectCaseSensitive(md, "managedFields");
}

int gather_write_objects(struct gather *g, struct mtv_err *err)
{
	cJSON *list, *obj;

	cJSON_ArrayForEach(list, g->objects) {
		struct buf out = BUF_INIT(256u << 20);
		char rel[160];
		int rc;

		if (!cJSON_GetArraySize(list))
			continue;
		cJSON_ArrayForEach(obj, list) {
			tidy(obj);
			redact_json(&g->red, obj);
			yaml_from_json(&out, obj);
		}
		snprintf(rel, sizeof(rel), "objects/%s.yaml", list->string);
		rc = gather_write(g, rel, buf_str(&out), out.len, false, err);
		buf_release(&out);
		if (rc < 0)
			return -1;
	}
	return 0;
}
