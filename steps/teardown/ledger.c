/* mtv-teardown: the work list from the ledger, and what it misses: the
 * objects behind generateName prefixes, the destination objects labelled
 * with our plans or session, the PersistentVolumes our PVCs were bound to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ensure.h"
#include "fsutil.h"
#include "json.h"
#include "log.h"
#include "teardown.h"

#define LEDGER_READ_MAX (16u << 20)

/* ---- loading ---- */

int teardown_load_ledger(struct teardown *r, struct mtv_err *err)
{
	const char *file = step_get(r->c->step, "MTV_TEARDOWN_RESOURCES");

	if (*file) {
		struct buf b = BUF_INIT(LEDGER_READ_MAX);
		int rc = fs_read_file(file, &b, LEDGER_READ_MAX, err);

		if (rc == 0)
			rc = json_parse(buf_str(&b), b.len, file, &r->ledger, err);
		buf_release(&b);
		if (rc < 0) {
			err->code = MTV_EXIT_USAGE;
			return -1;
		}
		r->ledger_what = file;
		return 0;
	}
	if (state_read_json(&r->c->step->state, LEDGER_FILE, &r->ledger, err) < 0)
		return -1;
	r->ledger_what = LEDGER_FILE;
	if (!r->ledger) {
		log_info("%s/%s does not exist: no step created anything", r->c->step->state.dir, LEDGER_FILE);
		r->ledger = cJSON_CreateObject();
	}
	return 0;
}

int teardown_write_artifact(struct teardown *r, struct mtv_err *err)
{
	char path[4400];
	char *text = cJSON_Print(r->ledger);
	int rc;

	snprintf(path, sizeof(path), "%s/%s", r->c->step->artifact_dir, RESOURCES_ARTIFACT);
	rc = fs_write_atomic(path, text, strlen(text), 0644, err);
	free(text);
	if (rc < 0)
		err->code = MTV_EXIT_ENV;
	return rc;
}

/* ---- the work list ---- */

/* Replace generateName prefixes by the objects that carry them. */
int teardown_expand_prefixes(struct teardown *r, struct mtv_err *err)
{
	size_t n = r->items.n;

	for (size_t k = 0; k < n; k++) {
		struct item *i = &r->items.v[k];
		char kind[96], ns[254], prefix[254], api[200];
		cJSON *list = NULL, *o;
		struct mtv_err e = { 0 };

		if (!i->prefix)
			continue;
		snprintf(kind, sizeof(kind), "%s", i->kind);
		snprintf(ns, sizeof(ns), "%s", i->ns);
		snprintf(prefix, sizeof(prefix), "%s", i->name);
		ensure_api_version(api, sizeof(api), i->type);
		if (kube_list(&r->c->kc, i->type, *ns ? ns : NULL, NULL, &list, NULL, &e) < 0) {
			if (e.http_status == 404)
				continue;
			if (teardown_item_failed(i, "list", &e, err) < 0)
				return -1;
			i->prefix = false;	/* report it as a leftover */
			continue;
		}
		cJSON_ArrayForEach(o, list) {
			const char *name = json_str(o, "metadata.name", "");

			if (!strncmp(name, prefix, strlen(prefix)))
				items_add(&r->items, kind, api, ns, name, err);
		}
		cJSON_Delete(list);
	}
	return 0;
}

int teardown_add_sweep(struct teardown *r, const char *ns, const char *selector)
{
	struct sweep_scope *nv;

	for (size_t k = 0; k < r->nsweeps; k++)
		if (!strcmp(r->sweeps[k].ns, ns) && !strcmp(r->sweeps[k].selector, selector))
			return 0;
	nv = realloc(r->sweeps, (r->nsweeps + 1) * sizeof(*nv));
	if (!nv)
		return -1;
	r->sweeps = nv;
	snprintf(nv[r->nsweeps].ns, sizeof(nv->ns), "%s", ns);
	snprintf(nv[r->nsweeps].selector, sizeof(nv->selector), "%s", selector);
	r->nsweeps++;
	return 0;
}

/* The destination objects Forklift made for our plans (labelled
 * plan=<uid>) and anything labelled with our session in the target
 * namespace: they are not in the ledger because we did not create them.
 * Each (kind, scope) is listed once here and becomes a batch (batch.c). */
int teardown_sweep(struct teardown *r, struct mtv_err *err)
{
	static const struct kube_type *const kinds[] = { &KUBE_VMS, &KUBE_PODS, &KUBE_DATAVOLUMES,
							   &KUBE_PVCS };

	for (size_t s = 0; s < r->nsweeps; s++)
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (teardown_batch_list(r, kinds[k], &r->sweeps[s], err) < 0)
				return -1;
	return 0;
}

/* The PersistentVolumes our PVCs were bound to: with a Retain policy they
 * outlive the claim, and they are not labelled by anyone. */
int teardown_sweep_pvs(struct teardown *r, struct mtv_err *err)
{
	struct mtv_err e = { 0 };
	cJSON *pvs = NULL, *pv;
	bool any = false;

	for (size_t k = 0; k < r->items.n; k++)
		any |= r->items.v[k].type == &KUBE_PVCS;
	if (!any)
		return 0;
	if (kube_list(&r->c->kc, &KUBE_PVS, NULL, NULL, &pvs, NULL, &e) < 0) {
		if (e.code >= 128)
			return *err = e, -1;
		log_warn("sweep: cannot list persistentvolumes: %s", e.msg);
		return 0;
	}
	cJSON_ArrayForEach(pv, pvs) {
		const char *cns = json_str(pv, "spec.claimRef.namespace", ""), *cname = json_str(pv, "spec.claimRef.name", "");
		size_t n = r->items.n;

		for (size_t k = 0; k < n; k++) {
			struct item *i = &r->items.v[k];

			if (i->type == &KUBE_PVCS && !strcmp(i->ns, cns) && !strcmp(i->name, cname)) {
				struct item *p = items_add(&r->items, "PersistentVolume", "v1", NULL,
							   json_str(pv, "metadata.name", ""), err);

				if (p) {
					p->swept = true;
					log_info("sweep: PersistentVolume %s was bound to %s/%s", p->name, cns, cname);
				}
				break;
			}
		}
	}
	cJSON_Delete(pvs);
	return 0;
}
