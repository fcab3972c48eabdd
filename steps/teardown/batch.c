/* mtv-teardown: the destination objects selected by label (plan=<uid> for
 * what Forklift made for our plans, mtv-steps/session=<id> for what our
 * steps made there), deleted a kind at a time for a cost that does not grow
 * with the number of VMs:
 *
 *   list              the sweep (ledger.c): what the selection holds now;
 *                     the proof of ownership is the selector plus that list
 *                     (an object there labelled by another session, or a
 *                     ledger entry without our labels, is not ours: it is
 *                     skipped and excluded by name from what follows);
 *   deletecollection  the same selection, one request;
 *   list, watch       what is still there, watched from that list's
 *                     resourceVersion until none of it is left or the
 *                     kind's timeout (wait_all.h); no watch when the list
 *                     is empty already.
 *
 * So a kind costs three or four requests per selection that holds
 * something, and the one list when it holds nothing.  RBAC that allows delete but not
 * deletecollection (a 403 on it) falls back to one DELETE per listed object,
 * still awaited by the one watch.  The objects still there at the timeout
 * are leftovers, their reason (finalizer or timeout) read from the state
 * the watch saw last, without a GET each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "teardown.h"
#include "wait_all.h"

/* Name exclusions that fit one field selector; more (never seen in
 * practice: each is an object of another session under our plan's label)
 * and the selection is deleted one by one instead. */
#define MAX_EXCLUDED 32

void teardown_batches_release(struct teardown *r)
{
	for (size_t k = 0; k < r->nbatches; k++) {
		free(r->batches[k].fields);
		cJSON_Delete(r->batches[k].items);
	}
	free(r->batches);
	r->batches = NULL;
	r->nbatches = 0;
}

const char *teardown_other_session(const struct teardown *r, const cJSON *obj)
{
	const char *sess = json_str(obj, "metadata.labels[\"" LABEL_SESSION "\"]", NULL);

	/* as teardown_not_ours: a replayed ledger has no session to compare */
	if (r->c->have_session && sess && strcmp(sess, r->c->session.id))
		return "belongs to another session";
	return NULL;
}

static struct batch *batch_new(struct teardown *r, const struct kube_type *t, const struct sweep_scope *s)
{
	struct batch *nv = realloc(r->batches, (r->nbatches + 1) * sizeof(*nv)), *b;

	if (!nv)
		return NULL;
	r->batches = nv;
	b = &nv[r->nbatches];
	memset(b, 0, sizeof(*b));
	b->type = t;
	snprintf(b->ns, sizeof(b->ns), "%s", s->ns);
	snprintf(b->selector, sizeof(b->selector), "%s", s->selector);
	if (!(b->items = cJSON_CreateArray()))
		return NULL;
	r->nbatches++;
	return b;
}

int teardown_batch_list(struct teardown *r, const struct kube_type *t, const struct sweep_scope *s,
			struct mtv_err *err)
{
	struct kube_list_opts o = { .label_selector = s->selector };
	struct buf fields = BUF_INIT(16 * 1024);
	cJSON *list = NULL, *obj;
	struct mtv_err e = { 0 };
	struct batch *b;
	char api[128];
	size_t excluded = 0, swept = 0;
	int bi;

	if (kube_list(&r->c->kc, t, s->ns, &o, &list, NULL, &e) < 0) {
		if (e.code >= 128)
			return *err = e, -1;
		log_warn("sweep: cannot list %s in %s by %s: %s", t->plural, s->ns, s->selector, e.msg);
		return 0;
	}
	if (!(b = batch_new(r, t, s))) {
		cJSON_Delete(list);
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	}
	bi = (int)(b - r->batches);
	ensure_api_version(api, sizeof(api), t);
	cJSON_ArrayForEach(obj, list) {
		const char *name = json_str(obj, "metadata.name", "");
		struct item *i = items_find(&r->items, t->kind, s->ns, name);
		const char *why;

		if (!i) {
			if (!(i = items_add(&r->items, t->kind, api, s->ns, name, err)))
				goto fail;
			i->swept = true;
			swept++;
			log_debug("sweep: %s %s/%s carries %s", t->kind, s->ns, name, s->selector);
		}
		/* A ledger entry must be ours as any ledger entry (teardown_not_ours);
		 * a swept object is ours by the selector unless another session
		 * labelled it. */
		why = i->swept ? teardown_other_session(r, obj) : teardown_not_ours(r, obj);
		if (why) {
			char what[600];

			item_describe(i, what, sizeof(what));
			if (i->batch < 0 && i->state == ITEM_PENDING) {
				i->state = ITEM_SKIPPED;
				snprintf(i->why, sizeof(i->why), "%s", why);
				log_warn("%s: %s; not deleting it", what, why);
			}
			if (buf_addf(&fields, "%smetadata.name!=%s", fields.len ? "," : "", name) < 0)
				excluded = MAX_EXCLUDED + 1;
			excluded++;
			continue;
		}
		if (i->batch < 0)
			i->batch = bi;
		cJSON_AddItemToArray(b->items, cJSON_Duplicate(obj, 1));
	}
	cJSON_Delete(list);
	/* one line per selection: at 1000 VMs one per object would bury the log */
	if (swept)
		log_info("sweep: %zu %s in %s carry %s", swept, t->plural, s->ns, s->selector);
	if (excluded > MAX_EXCLUDED) {
		/* the per-object path deletes the ours ones */
		log_info("sweep: %zu objects under %s in %s are not ours: deleting the rest one by one",
			 excluded, s->selector, s->ns);
		for (size_t k = 0; k < r->items.n; k++)
			if (r->items.v[k].batch == bi)
				r->items.v[k].batch = -1;
		cJSON_Delete(b->items);
		b->items = cJSON_CreateArray();
	} else if (fields.len) {
		b->fields = strdup(buf_str(&fields));
	}
	buf_release(&fields);
	return 0;
fail:
	cJSON_Delete(list);
	buf_release(&fields);
	return -1;
}

void teardown_leftover_from(struct item *i, const cJSON *obj, const struct mtv_err *e, long waited_s)
{
	struct buf fin = BUF_INIT(4096);
	const cJSON *f;

	i->state = ITEM_LEFT;
	cJSON_ArrayForEach(f, json_get(obj, "metadata.finalizers"))
		if (cJSON_IsString(f))
			buf_addf(&fin, "%s%s", fin.len ? ", " : "", f->valuestring);
	/* A Terminating namespace waits on spec.finalizers: its content. */
	cJSON_ArrayForEach(f, json_get(obj, "spec.finalizers"))
		if (cJSON_IsString(f))
			buf_addf(&fin, "%s%s", fin.len ? ", " : "", f->valuestring);
	if (fin.len)
		snprintf(i->why, sizeof(i->why), "finalizer %s (still there after %lds)", buf_str(&fin), waited_s);
	else if (e->code == MTV_EXIT_TIMEOUT)
		snprintf(i->why, sizeof(i->why), "timeout: still there after %lds", waited_s);
	else
		snprintf(i->why, sizeof(i->why), "error: %s", e->msg);
	buf_release(&fin);
}

/* The item of a listed object of batch b. */
static struct item *item_of(struct teardown *r, const struct batch *b, const cJSON *obj)
{
	return items_find(&r->items, b->type->kind, b->ns, json_str(obj, "metadata.name", ""));
}

/* deletecollection refused or failed: one DELETE per listed object.  What
 * could not be deleted leaves the set the watch waits for. */
static int delete_each(struct teardown *r, struct batch *b, const struct mtv_err *why, struct mtv_err *err)
{
	cJSON *keep = cJSON_CreateArray(), *obj;

	log_info("%s; deleting the %d %s under %s in %s one by one", why->msg, cJSON_GetArraySize(b->items),
		 b->type->plural, b->selector, b->ns);
	cJSON_ArrayForEach(obj, b->items) {
		struct item *i = item_of(r, b, obj);
		struct mtv_err e = { 0 };

		if (!i || i->batch != (int)(b - r->batches) || i->state != ITEM_PENDING)
			continue;
		if (kube_delete(&r->c->kc, i->type, i->ns, i->name, "Background", &e) < 0 && e.http_status != 404) {
			if (teardown_item_failed(i, "delete", &e, err) < 0) {
				cJSON_Delete(keep);
				return -1;
			}
			continue;
		}
		cJSON_AddItemToArray(keep, cJSON_Duplicate(obj, 1));
	}
	cJSON_Delete(b->items);
	b->items = keep;
	return 0;
}

static int delete_batch(struct teardown *r, struct batch *b, double t0, double deadline, struct mtv_err *err)
{
	struct kube_list_opts o = { .label_selector = b->selector, .field_selector = b->fields };
	int bi = (int)(b - r->batches);
	cJSON *deleted = NULL, *left = NULL, *obj;
	struct mtv_err e = { 0 };
	long remaining;

	if (!cJSON_GetArraySize(b->items))
		return 0;
	if (kube_delete_collection(&r->c->kc, b->type, b->ns, &o, "Background", &deleted, &e) < 0) {
		if (e.code >= 128 || e.http_status == 0)
			return *err = e, -1;
		if (delete_each(r, b, &e, err) < 0)
			return -1;
	} else {
		log_info("deleting %d %s in %s by %s", cJSON_GetArraySize(deleted), b->type->plural, b->ns, b->selector);
		/* Made between our list and the deletecollection: deleted all the
		 * same (the selector is the proof), awaited, not reported by name. */
		cJSON_ArrayForEach(obj, deleted)
			if (!item_of(r, b, obj)) {
				log_warn("%s %s/%s appeared under %s after the sweep; deleted with the rest", b->type->kind,
					 b->ns, json_str(obj, "metadata.name", "?"), b->selector);
				cJSON_AddItemToArray(b->items, cJSON_Duplicate(obj, 1));
			}
		cJSON_Delete(deleted);
	}
	for (size_t k = 0; k < r->items.n; k++)
		if (r->items.v[k].batch == bi && r->items.v[k].state == ITEM_PENDING)
			r->items.v[k].state = ITEM_DELETING;
	remaining = (long)((deadline - step_now()) * 1000);
	if (remaining < 1000)
		remaining = 1000;
	/* lists what is left, watches it only while anything is (wait_all.h) */
	struct wait_all_spec w = {
		.type = b->type, .ns = b->ns, .label_selector = b->selector, .field_selector = b->fields,
		.timeout_ms = remaining,
	};
	if (wait_all_gone(&r->c->kc, &w, &left, &e) < 0 && e.code >= 128) {
		cJSON_Delete(left);
		return *err = e, -1;
	}
	if (left && e.code != MTV_EXIT_TIMEOUT)
		log_warn("%s", e.msg);
	/* what the watch still saw is left, with its last state; the rest went */
	cJSON_ArrayForEach(obj, left) {
		struct item *i = item_of(r, b, obj);

		if (i && i->batch == bi && i->state == ITEM_DELETING)
			teardown_leftover_from(i, obj, &e, (long)(step_now() - t0 + 0.5));
		else if (!i && ++r->strays_left)
			log_error("leftover: %s %s/%s (appeared under %s after the sweep)", b->type->kind, b->ns,
				  json_str(obj, "metadata.name", "?"), b->selector);
	}
	for (size_t k = 0; k < r->items.n; k++)
		if (r->items.v[k].batch == bi && r->items.v[k].state == ITEM_DELETING)
			r->items.v[k].state = ITEM_DELETED;
	cJSON_Delete(left);
	return 0;
}

int teardown_batch_delete(struct teardown *r, size_t from, size_t to, double deadline, struct mtv_err *err)
{
	double t0 = step_now();

	(void)to;
	for (size_t k = 0; k < r->nbatches; k++)
		if (!strcmp(r->batches[k].type->kind, r->items.v[from].kind) &&
		    delete_batch(r, &r->batches[k], t0, deadline, err) < 0)
			return -1;
	return 0;
}
