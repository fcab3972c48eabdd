/* The Kubernetes REST verbs over the object store.
 *
 * Semantics follow the real API server where tests can notice: Status
 * objects for every error with the real reasons and messages, 404 for a
 * missing namespace, 409 for an existing name or a stale resourceVersion,
 * generation bumped on spec changes only, status written only through
 * /status for kinds that have that subresource, finalizers holding a
 * deletion with deletionTimestamp set. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>
#include "sim.h"
#include "base64.h"
#include "log.h"

const char *sim_obj_name(const cJSON *o)
{
	return cJSON_GetStringValue(json_get(o, "metadata.name"));
}

const char *sim_obj_ns(const cJSON *o)
{
	return cJSON_GetStringValue(json_get(o, "metadata.namespace"));
}

/* "plans.forklift.konveyor.io" or "secrets", as API messages name a resource. */
static void qualified(const struct restype *rt, char *out, size_t outsz)
{
	if (rt->group[0])
		snprintf(out, outsz, "%s.%s", rt->plural, rt->group);
	else
		snprintf(out, outsz, "%s", rt->plural);
}

static void status_for(struct response *resp, const struct restype *rt, int code, const char *reason,
		       const char *name, const char *fmt_suffix)
{
	char q[200], msg[1024];

	qualified(rt, q, sizeof(q));
	snprintf(msg, sizeof(msg), "%s \"%s\" %s", q, name, fmt_suffix);
	resp_status(resp, code, reason, msg, rt->plural, name, NULL);
	if (rt->group[0] && resp->body) {
		/* details.group, as the API server fills it */
		cJSON *b = cJSON_Parse(resp->body);
		cJSON *d = cJSON_GetObjectItemCaseSensitive(b, "details");
		if (d) {
			cJSON_AddStringToObject(d, "group", rt->group);
			free(resp->body);
			resp->body = cJSON_PrintUnformatted(b);
		}
		cJSON_Delete(b);
	}
}

static bool dns_label(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (!n || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '-'))
			return false;
	}
	return s[0] != '-' && s[n - 1] != '-';
}

static bool dns_subdomain(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '-' || c == '.'))
			return false;
	}
	return isalnum((unsigned char)s[0]) && isalnum((unsigned char)s[n - 1]);
}

static void invalid(struct response *resp, const struct restype *rt, const char *name, cJSON *causes)
{
	char msg[4096];
	size_t off;
	const cJSON *c;
	int i = 0;
	char gk[200];

	if (rt->group[0])
		snprintf(gk, sizeof(gk), "%s.%s", rt->kind, rt->group);
	else
		snprintf(gk, sizeof(gk), "%s", rt->kind);
	off = (size_t)snprintf(msg, sizeof(msg), "%s \"%s\" is invalid: ", gk, name ? name : "");
	if (cJSON_GetArraySize(causes) > 1 && off < sizeof(msg))
		off += (size_t)snprintf(msg + off, sizeof(msg) - off, "[");
	cJSON_ArrayForEach(c, causes) {
		const char *f = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "field"));
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "message"));
		if (off < sizeof(msg))
			off += (size_t)snprintf(msg + off, sizeof(msg) - off, "%s%s: %s", i++ ? ", " : "",
						f ? f : "", m ? m : "");
	}
	if (cJSON_GetArraySize(causes) > 1 && off < sizeof(msg))
		snprintf(msg + off, sizeof(msg) - off, "]");
	resp_status(resp, 422, "Invalid", msg, rt->kind, name, causes);
}

static void add_cause(cJSON *causes, const char *reason, const char *field, const char *message)
{
	cJSON *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "reason", reason);
	cJSON_AddStringToObject(c, "message", message);
	cJSON_AddStringToObject(c, "field", field);
	cJSON_AddItemToArray(causes, c);
}

/* Admission the real cluster does before storing: defaults that built-in
 * types get, and the shape checks tests may notice. */
static void admit_defaults(const struct restype *rt, cJSON *o)
{
	cJSON *md = cJSON_GetObjectItemCaseSensitive(o, "metadata");

	if (!rt->group[0] && !strcmp(rt->plural, "secrets")) {
		cJSON *sd = cJSON_GetObjectItemCaseSensitive(o, "stringData");
		cJSON *data = cJSON_GetObjectItemCaseSensitive(o, "data");
		const cJSON *e;

		if (cJSON_IsObject(sd)) {
			if (!cJSON_IsObject(data)) {
				cJSON_DeleteItemFromObjectCaseSensitive(o, "data");
				data = cJSON_AddObjectToObject(o, "data");
			}
			cJSON_ArrayForEach(e, sd) {
				const char *v = cJSON_GetStringValue(e);
				struct buf enc = BUF_INIT(1u << 30);

				if (!v)
					continue;
				if (base64_encode(&enc, v, strlen(v)) < 0)
					abort();
				cJSON_DeleteItemFromObjectCaseSensitive(data, e->string);
				cJSON_AddStringToObject(data, e->string, buf_str(&enc));
				buf_release(&enc);
			}
		}
		cJSON_DeleteItemFromObjectCaseSensitive(o, "stringData");
		if (!cJSON_GetObjectItemCaseSensitive(o, "type"))
			cJSON_AddStringToObject(o, "type", "Opaque");
	}
	if (!rt->group[0] && !strcmp(rt->plural, "namespaces")) {
		cJSON *labels = cJSON_GetObjectItemCaseSensitive(md, "labels");
		cJSON *st;
		if (!cJSON_IsObject(labels)) {
			cJSON_DeleteItemFromObjectCaseSensitive(md, "labels");
			labels = cJSON_AddObjectToObject(md, "labels");
		}
		cJSON_DeleteItemFromObjectCaseSensitive(labels, "kubernetes.io/metadata.name");
		cJSON_AddStringToObject(labels, "kubernetes.io/metadata.name", sim_obj_name(o));
		if (!cJSON_GetObjectItemCaseSensitive(o, "spec")) {
			cJSON *spec = cJSON_AddObjectToObject(o, "spec");
			cJSON *f = cJSON_AddArrayToObject(spec, "finalizers");
			cJSON_AddItemToArray(f, cJSON_CreateString("kubernetes"));
		}
		st = cJSON_GetObjectItemCaseSensitive(o, "status");
		if (!st)
			st = cJSON_AddObjectToObject(o, "status");
		if (!cJSON_GetObjectItemCaseSensitive(st, "phase"))
			cJSON_AddStringToObject(st, "phase", "Active");
	}
	if (rt->crd_file)
		crd_default(rt, o);
	/* The forklift mutating webhook's vSphere default. */
	if (!strcmp(rt->kind, "Provider") && !strcmp(json_str(o, "spec.type", ""), "vsphere")) {
		cJSON *spec = cJSON_GetObjectItemCaseSensitive(o, "spec");
		cJSON *settings = cJSON_GetObjectItemCaseSensitive(spec, "settings");
		if (!settings)
			settings = cJSON_AddObjectToObject(spec, "settings");
		if (cJSON_IsObject(settings) && !cJSON_GetObjectItemCaseSensitive(settings, "sdkEndpoint"))
			cJSON_AddStringToObject(settings, "sdkEndpoint", "vcenter");
	}
}

/* Validate what the API server itself checks; fills causes. */
static void validate_common(const struct restype *rt, const cJSON *o, cJSON *causes)
{
	const char *name = sim_obj_name(o);
	const cJSON *labels = json_get(o, "metadata.labels");
	const cJSON *e;

	if (!name || !*name) {
		add_cause(causes, "FieldValueRequired", "metadata.name", "Required value: name or generateName is required");
		return;
	}
	if (!rt->group[0] && !strcmp(rt->plural, "namespaces")) {
		if (!dns_label(name, 63))
			add_cause(causes, "FieldValueInvalid", "metadata.name",
				  "Invalid value: a lowercase RFC 1123 label must consist of lower case alphanumeric "
				  "characters or '-', and must start and end with an alphanumeric character");
	} else if (!dns_subdomain(name) && !(rt->group[0] == '\0' && !strcmp(rt->plural, "events"))) {
		add_cause(causes, "FieldValueInvalid", "metadata.name",
			  "Invalid value: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
			  "characters, '-' or '.', and must start and end with an alphanumeric character");
	}
	if (labels && !cJSON_IsObject(labels)) {
		add_cause(causes, "FieldValueTypeInvalid", "metadata.labels", "Invalid value: expected an object");
		return;
	}
	cJSON_ArrayForEach(e, labels) {
		char f[600];
		if (!cJSON_IsString(e)) {
			snprintf(f, sizeof(f), "metadata.labels.%s", e->string);
			add_cause(causes, "FieldValueTypeInvalid", f, "Invalid value: label values must be strings");
		} else if (strlen(e->valuestring) > 63) {
			snprintf(f, sizeof(f), "metadata.labels.%s", e->string);
			add_cause(causes, "FieldValueInvalid", f, "Invalid value: must be no more than 63 characters");
		}
	}
	if (crd_loaded() && rt->crd_file)
		crd_validate(rt, o, causes);
}

static int check_valid(struct response *resp, const struct restype *rt, const cJSON *o)
{
	cJSON *causes = cJSON_CreateArray();

	validate_common(rt, o, causes);
	if (cJSON_GetArraySize(causes)) {
		invalid(resp, rt, sim_obj_name(o), causes);
		return -1;
	}
	cJSON_Delete(causes);
	return 0;
}

/* The forklift-api validating webhook's Plan rule that tests rely on:
 * OpenStack sources cannot migrate warm. */
static int webhook_denies(struct sim *sim, const struct restype *rt, const cJSON *o, struct response *resp)
{
	const struct restype *prt = restype_find("forklift.konveyor.io", "v1beta1", "providers");
	const char *pns = json_str(o, "spec.provider.source.namespace", "");
	struct sobj *src;
	bool warm;

	if (strcmp(rt->kind, "Plan") || !prt)
		return 0;
	warm = cJSON_IsTrue(json_get(o, "spec.warm")) || !strcmp(json_str(o, "spec.type", ""), "warm");
	src = store_find(&sim->store, prt, *pns ? pns : sim_obj_ns(o), json_str(o, "spec.provider.source.name", ""));
	if (warm && src && !strcmp(json_str(src->o, "spec.type", ""), "openstack")) {
		resp_status(resp, 400, "BadRequest",
			    "admission webhook \"forklift-api-plans\" denied the request: warm migration is not supported by the provider",
			    NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

static void gen_suffix(struct sim *sim, char *out, size_t n)
{
	static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";

	for (size_t i = 0; i + 1 < n; i++)
		out[i] = alphabet[sim_rand(sim) % (sizeof(alphabet) - 1)];
	out[n - 1] = '\0';
}

struct sobj *api_create_internal(struct sim *sim, const struct restype *rt, const char *ns, cJSON *o)
{
	cJSON *md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
	const char *gn;

	if (!md)
		md = cJSON_AddObjectToObject(o, "metadata");
	gn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "generateName"));
	if (!sim_obj_name(o) && gn) {
		char name[300], sfx[6];
		do {
			gen_suffix(sim, sfx, sizeof(sfx));
			snprintf(name, sizeof(name), "%s%s", gn, sfx);
		} while (store_find(&sim->store, rt, ns, name));
		cJSON_AddStringToObject(md, "name", name);
	}
	admit_defaults(rt, o);
	if (store_find(&sim->store, rt, ns, sim_obj_name(o))) {
		cJSON_Delete(o);
		return NULL;
	}
	if (crd_loaded() && rt->crd_file) {
		/* what the sim seeds or creates itself must pass the schema too */
		cJSON *causes = cJSON_CreateArray();
		if (crd_validate(rt, o, causes)) {
			char *txt = cJSON_PrintUnformatted(causes);
			log_warn("%s %s/%s fails its CRD schema: %s", rt->kind, ns, sim_obj_name(o), txt);
			free(txt);
		}
		cJSON_Delete(causes);
	}
	return store_insert(&sim->store, rt, ns, o);
}

/* ---- parsed request path ---- */

struct target {
	const struct restype *rt;
	char ns[256];
	char name[512];
	char sub[64];
	bool has_ns;
};

static int split(const char *path, char parts[][512], int max)
{
	int n = 0;
	const char *p = path;

	while (*p == '/')
		p++;
	while (*p && n < max) {
		size_t len = strcspn(p, "/");
		if (len >= 512)
			return -1;
		memcpy(parts[n], p, len);
		parts[n][len] = '\0';
		n++;
		p += len;
		while (*p == '/')
			p++;
	}
	return *p ? -1 : n;
}

/* 0 ok, -1 not an API path, -2 unknown resource (404) */
static int parse_target(const char *path, struct target *t)
{
	char parts[10][512];
	int n = split(path, parts, 10);
	int i;
	const char *group, *version;

	memset(t, 0, sizeof(*t));
	if (n < 0)
		return -1;
	if (n >= 2 && !strcmp(parts[0], "api")) {
		group = "";
		version = parts[1];
		i = 2;
	} else if (n >= 3 && !strcmp(parts[0], "apis")) {
		group = parts[1];
		version = parts[2];
		i = 3;
	} else {
		return -1;
	}
	if (i >= n)
		return -1;
	if (!strcmp(parts[i], "namespaces") && i + 2 < n && !(group[0] == '\0' && n == i + 3 &&
							       (!strcmp(parts[i + 2], "status") ||
								!strcmp(parts[i + 2], "finalize")))) {
		snprintf(t->ns, sizeof(t->ns), "%s", parts[i + 1]);
		t->has_ns = true;
		i += 2;
	}
	t->rt = restype_find(group, version, parts[i]);
	if (!t->rt)
		return -2;
	i++;
	if (i < n)
		snprintf(t->name, sizeof(t->name), "%s", parts[i++]);
	if (i < n)
		snprintf(t->sub, sizeof(t->sub), "%s", parts[i++]);
	if (i < n)
		return -2;
	if (t->has_ns && !t->rt->namespaced)
		return -2;
	return 0;
}

/* ---- tables (kubectl get) ---- */

static void age_string(const char *ts, char *out, size_t outsz)
{
	struct tm tm;
	time_t t, now = time(NULL);
	long d;

	memset(&tm, 0, sizeof(tm));
	if (!ts || !strptime(ts, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
		snprintf(out, outsz, "<unknown>");
		return;
	}
	t = timegm(&tm);
	d = (long)(now - t);
	if (d < 0)
		d = 0;
	if (d < 120)
		snprintf(out, outsz, "%lds", d);
	else if (d < 3600 * 3)
		snprintf(out, outsz, "%ldm", d / 60);
	else if (d < 86400 * 2)
		snprintf(out, outsz, "%ldh", d / 3600);
	else
		snprintf(out, outsz, "%ldd", d / 86400);
}

/* The subset of JSONPath CRD printer columns use: `.a.b` and
 * `.status.conditions[?(@.type=='X')].status`. */
static const cJSON *simple_jsonpath(const cJSON *o, const char *jp)
{
	char path[256];
	const char *filt = strstr(jp, "[?(@.type=='");

	if (filt) {
		char type[128], rest[128];
		const cJSON *arr, *c;

		snprintf(path, sizeof(path), "%.*s", (int)(filt - jp - 1), jp + 1);
		if (sscanf(filt, "[?(@.type=='%127[^']')].%127s", type, rest) != 2)
			return NULL;
		arr = json_get(o, path);
		cJSON_ArrayForEach(c, arr) {
			const char *ty = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "type"));
			if (ty && !strcmp(ty, type))
				return json_get(c, rest);
		}
		return NULL;
	}
	return json_get(o, jp[0] == '.' ? jp + 1 : jp);
}

static void add_coldef(cJSON *cols, const char *name, const char *type, const char *format)
{
	cJSON *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "name", name);
	cJSON_AddStringToObject(c, "type", type);
	cJSON_AddStringToObject(c, "format", format);
	cJSON_AddStringToObject(c, "description", "");
	cJSON_AddNumberToObject(c, "priority", 0);
	cJSON_AddItemToArray(cols, c);
}

static cJSON *table_of(const struct restype *rt, cJSON *items, unsigned long long rv)
{
	cJSON *t = cJSON_CreateObject(), *cols, *rows, *md, *it;
	const cJSON *pc = crd_printer_columns(rt);
	const cJSON *c;
	char tmp[64];

	cJSON_AddStringToObject(t, "kind", "Table");
	cJSON_AddStringToObject(t, "apiVersion", "meta.k8s.io/v1");
	md = cJSON_AddObjectToObject(t, "metadata");
	snprintf(tmp, sizeof(tmp), "%llu", rv);
	cJSON_AddStringToObject(md, "resourceVersion", tmp);
	cols = cJSON_AddArrayToObject(t, "columnDefinitions");
	add_coldef(cols, "Name", "string", "name");
	if (pc) {
		cJSON_ArrayForEach(c, pc) {
			const char *n = json_str(c, "name", "");
			if (!strcasecmp(n, "age"))
				continue;
			add_coldef(cols, n, "string", "");
		}
	} else if (!rt->group[0] && !strcmp(rt->plural, "namespaces")) {
		add_coldef(cols, "Status", "string", "");
	} else if (!rt->group[0] && !strcmp(rt->plural, "pods")) {
		add_coldef(cols, "Status", "string", "");
	} else if (!rt->group[0] && !strcmp(rt->plural, "secrets")) {
		add_coldef(cols, "Type", "string", "");
	}
	add_coldef(cols, "Age", "string", "");
	rows = cJSON_AddArrayToObject(t, "rows");
	cJSON_ArrayForEach(it, items) {
		cJSON *row = cJSON_CreateObject(), *cells = cJSON_AddArrayToObject(row, "cells");
		char age[32];

		cJSON_AddItemToArray(cells, cJSON_CreateString(sim_obj_name(it) ? sim_obj_name(it) : ""));
		if (pc) {
			cJSON_ArrayForEach(c, pc) {
				const char *n = json_str(c, "name", "");
				const cJSON *v;
				if (!strcasecmp(n, "age"))
					continue;
				v = simple_jsonpath(it, json_str(c, "jsonPath", ""));
				if (cJSON_IsString(v))
					cJSON_AddItemToArray(cells, cJSON_CreateString(v->valuestring));
				else if (cJSON_IsNumber(v) || cJSON_IsBool(v))
					cJSON_AddItemToArray(cells, cJSON_Duplicate(v, 0));
				else
					cJSON_AddItemToArray(cells, cJSON_CreateString(""));
			}
		} else if (!rt->group[0] && (!strcmp(rt->plural, "namespaces") || !strcmp(rt->plural, "pods"))) {
			cJSON_AddItemToArray(cells, cJSON_CreateString(json_str(it, "status.phase", "")));
		} else if (!rt->group[0] && !strcmp(rt->plural, "secrets")) {
			cJSON_AddItemToArray(cells, cJSON_CreateString(json_str(it, "type", "Opaque")));
		}
		age_string(json_str(it, "metadata.creationTimestamp", NULL), age, sizeof(age));
		cJSON_AddItemToArray(cells, cJSON_CreateString(age));
		cJSON_AddItemToObject(row, "object", cJSON_Duplicate(it, 1));
		cJSON_AddItemToArray(rows, row);
	}
	return t;
}

bool api_wants_table(struct request *r)
{
	return r->accept && strstr(r->accept, "as=Table");
}

cJSON *api_table_one(const struct restype *rt, const cJSON *o, unsigned long long rv)
{
	cJSON *items = cJSON_CreateArray(), *t;

	cJSON_AddItemToArray(items, cJSON_Duplicate(o, 1));
	t = table_of(rt, items, rv);
	cJSON_Delete(items);
	return t;
}

/* ---- verbs ---- */

static int cmp_obj(const void *a, const void *b)
{
	const struct sobj *x = *(const struct sobj *const *)a, *y = *(const struct sobj *const *)b;
	int c = strcmp(x->ns, y->ns);
	return c ? c : strcmp(x->name, y->name);
}

static void hex_encode(const char *s, char *out, size_t outsz)
{
	size_t n = 0;

	for (; *s && n + 3 < outsz; s++)
		n += (size_t)snprintf(out + n, outsz - n, "%02x", (unsigned char)*s);
	out[n] = '\0';
}

static int hex_decode(const char *s, char *out, size_t outsz)
{
	size_t n = 0;

	while (s[0] && s[1] && n + 1 < outsz) {
		unsigned int v;
		if (sscanf(s, "%2x", &v) != 1)
			return -1;
		out[n++] = (char)v;
		s += 2;
	}
	out[n] = '\0';
	return *s ? -1 : 0;
}

static int parse_selectors(struct request *r, struct response *resp, struct selector **ls, struct selector **fs)
{
	char msg[600];

	*ls = *fs = NULL;
	if (selector_parse_labels(req_query(r, "labelSelector"), ls, msg, sizeof(msg))) {
		resp_status(resp, 400, "BadRequest", msg, NULL, NULL, NULL);
		return -1;
	}
	if (selector_parse_fields(req_query(r, "fieldSelector"), fs, msg, sizeof(msg))) {
		selector_free(*ls);
		*ls = NULL;
		resp_status(resp, 400, "BadRequest", msg, NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

static void do_list(struct sim *sim, struct request *r, struct target *t, struct response *resp)
{
	struct selector *ls, *fs;
	struct sobj **sel;
	size_t nsel = 0;
	const char *lim = req_query(r, "limit"), *cont = req_query(r, "continue");
	long limit = lim ? strtol(lim, NULL, 10) : 0;
	char after[600] = "";
	cJSON *out, *items, *md;
	char av[128], kind[160], tmp[640];
	size_t i, emitted = 0;

	if (parse_selectors(r, resp, &ls, &fs))
		return;
	if (cont && *cont && hex_decode(cont, after, sizeof(after))) {
		resp_status(resp, 400, "BadRequest", "continue key is not valid", NULL, NULL, NULL);
		goto out;
	}
	sel = calloc(store_count(&sim->store, t->rt) + 1, sizeof(*sel));
	for (struct sobj *so = store_first(&sim->store, t->rt); so; so = so->kind_next) {
		if (t->has_ns && strcmp(so->ns, t->ns))
			continue;
		if (!selector_match_labels(ls, so->o) || !selector_match_fields(fs, so->o))
			continue;
		sel[nsel++] = so;
	}
	qsort(sel, nsel, sizeof(*sel), cmp_obj);
	out = cJSON_CreateObject();
	restype_apiversion(t->rt, av, sizeof(av));
	snprintf(kind, sizeof(kind), "%sList", t->rt->kind);
	cJSON_AddStringToObject(out, "kind", kind);
	cJSON_AddStringToObject(out, "apiVersion", av);
	md = cJSON_AddObjectToObject(out, "metadata");
	snprintf(tmp, sizeof(tmp), "%llu", sim->store.rv);
	cJSON_AddStringToObject(md, "resourceVersion", tmp);
	items = cJSON_AddArrayToObject(out, "items");
	for (i = 0; i < nsel; i++) {
		char key[600];
		snprintf(key, sizeof(key), "%s/%s", sel[i]->ns, sel[i]->name);
		if (after[0] && strcmp(key, after) <= 0)
			continue;
		if (limit > 0 && emitted == (size_t)limit) {
			char last[600], enc[1300];
			snprintf(last, sizeof(last), "%s/%s", sel[i - 1]->ns, sel[i - 1]->name);
			hex_encode(last, enc, sizeof(enc));
			cJSON_AddStringToObject(md, "continue", enc);
			cJSON_AddNumberToObject(md, "remainingItemCount", (double)(nsel - i));
			break;
		}
		cJSON_AddItemToArray(items, cJSON_Duplicate(sel[i]->o, 1));
		emitted++;
	}
	free(sel);
	if (api_wants_table(r)) {
		cJSON *tab = table_of(t->rt, items, sim->store.rv);
		const char *c = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(md, "continue"));
		if (c)
			cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(tab, "metadata"), "continue", c);
		cJSON_Delete(out);
		out = tab;
	}
	resp_json(resp, 200, out);
out:
	selector_free(ls);
	selector_free(fs);
}

static bool truthy(const char *v)
{
	return v && (!strcmp(v, "1") || !strcmp(v, "true"));
}

static void do_watch(struct sim *sim, struct request *r, struct target *t, struct response *resp)
{
	struct selector *ls, *fs;
	const char *rvs = req_query(r, "resourceVersion");
	const char *ts = req_query(r, "timeoutSeconds");
	unsigned long long from = 0;
	bool initial = false;
	int timeout = ts ? atoi(ts) : 0;

	if (parse_selectors(r, resp, &ls, &fs))
		return;
	if (t->name[0]) {
		/* GET .../name?watch=1 (legacy form): watch one object */
		char sel[600], msg[200];
		selector_free(fs);
		snprintf(sel, sizeof(sel), "metadata.name=%s", t->name);
		selector_parse_fields(sel, &fs, msg, sizeof(msg));
	}
	if (!rvs || !*rvs || !strcmp(rvs, "0")) {
		initial = true;
		from = sim->store.rv;
	} else {
		char *end;
		from = strtoull(rvs, &end, 10);
		if (*end) {
			selector_free(ls);
			selector_free(fs);
			resp_status(resp, 400, "BadRequest", "resourceVersion: Invalid value", NULL, NULL, NULL);
			return;
		}
	}
	if (timeout <= 0)
		timeout = 1800;
	resp->watch = watch_new(sim, t->rt, t->has_ns ? t->ns : NULL, ls, fs, from, initial,
				truthy(req_query(r, "allowWatchBookmarks")), timeout);
	resp->status = 200;
	resp->ctype = "application/json";
	if (api_wants_table(r))
		watch_set_table(resp->watch);
}

static cJSON *parse_body(struct request *r, struct response *resp)
{
	cJSON *o;

	if (r->ctype && strstr(r->ctype, "yaml")) {
		resp_status(resp, 415, "UnsupportedMediaType",
			    "the body of the request was in an unknown format - accepted media types include: "
			    "application/json, application/merge-patch+json, application/json-patch+json, "
			    "application/strategic-merge-patch+json", NULL, NULL, NULL);
		return NULL;
	}
	o = cJSON_ParseWithLength(buf_str(&r->body), r->body.len);
	if (!o) {
		resp_status(resp, 400, "BadRequest", "the object provided is unrecognized (invalid JSON body)",
			    NULL, NULL, NULL);
		return NULL;
	}
	return o;
}

static int check_kind(struct response *resp, const struct restype *rt, const cJSON *o)
{
	char av[128], msg[400];
	const char *k = json_str(o, "kind", NULL), *a = json_str(o, "apiVersion", NULL);

	if (!cJSON_IsObject(o)) {
		resp_status(resp, 400, "BadRequest", "the body must be a JSON object", NULL, NULL, NULL);
		return -1;
	}
	restype_apiversion(rt, av, sizeof(av));
	if ((k && strcmp(k, rt->kind)) || (a && strcmp(a, av))) {
		snprintf(msg, sizeof(msg), "the API version in the data (%s) does not match the expected API version (%s)",
			 a ? a : "", av);
		if (k && strcmp(k, rt->kind))
			snprintf(msg, sizeof(msg), "%s in version \"%s\" cannot be handled as a %s: kind mismatch",
				 k, rt->version, rt->kind);
		resp_status(resp, 400, "BadRequest", msg, NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

static bool dry_run(struct request *r)
{
	const char *d = req_query(r, "dryRun");
	return d && *d;
}

static void do_create(struct sim *sim, struct request *r, struct target *t, struct response *resp)
{
	cJSON *o = parse_body(r, resp), *md;
	const char *ons, *gn;
	char msg[600];
	struct sobj *so;
	bool term = false;

	if (!o)
		return;
	if (check_kind(resp, t->rt, o))
		goto fail;
	md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
	if (!cJSON_IsObject(md)) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, "metadata");
		md = cJSON_AddObjectToObject(o, "metadata");
	}
	ons = sim_obj_ns(o);
	if (t->rt->namespaced && ons && *ons && strcmp(ons, t->ns)) {
		resp_status(resp, 400, "BadRequest",
			    "the namespace of the provided object does not match the namespace sent on the request",
			    NULL, NULL, NULL);
		goto fail;
	}
	if (t->rt->namespaced) {
		if (!store_ns_exists(&sim->store, t->ns, &term)) {
			snprintf(msg, sizeof(msg), "namespaces \"%s\" not found", t->ns);
			resp_status(resp, 404, "NotFound", msg, "namespaces", t->ns, NULL);
			goto fail;
		}
		if (term) {
			snprintf(msg, sizeof(msg),
				 "%s \"%s\" is forbidden: unable to create new content in namespace %s because it is being terminated",
				 t->rt->plural, sim_obj_name(o) ? sim_obj_name(o) : "", t->ns);
			resp_status(resp, 403, "Forbidden", msg, t->rt->plural, sim_obj_name(o), NULL);
			goto fail;
		}
	}
	gn = json_str(o, "metadata.generateName", NULL);
	if (!sim_obj_name(o) && gn) {
		char name[300], sfx[6];
		do {
			gen_suffix(sim, sfx, sizeof(sfx));
			snprintf(name, sizeof(name), "%s%s", gn, sfx);
		} while (store_find(&sim->store, t->rt, t->ns, name));
		cJSON_AddStringToObject(md, "name", name);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(md, "resourceVersion");
	if (t->rt->namespaced) {
		cJSON_DeleteItemFromObjectCaseSensitive(md, "namespace");
		cJSON_AddStringToObject(md, "namespace", t->ns);
	}
	admit_defaults(t->rt, o);
	if (check_valid(resp, t->rt, o) || webhook_denies(sim, t->rt, o, resp))
		goto fail;
	if (store_find(&sim->store, t->rt, t->ns, sim_obj_name(o))) {
		status_for(resp, t->rt, 409, "AlreadyExists", sim_obj_name(o), "already exists");
		goto fail;
	}
	if (dry_run(r)) {
		resp_json(resp, 201, o);
		return;
	}
	stats_created(sim, t->rt->plural, t->rt->namespaced ? t->ns : NULL, sim_obj_name(o), gn);
	so = store_insert(&sim->store, t->rt, t->ns, o);
	resp_json(resp, 201, cJSON_Duplicate(so->o, 1));
	return;
fail:
	cJSON_Delete(o);
}

/* Keep what clients may not change; bump generation on spec changes.
 * Consumes o. */
static int finish_update(struct sim *sim, struct request *r, struct target *t, struct sobj *so, cJSON *o,
			 bool status_only, struct response *resp)
{
	cJSON *md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
	const cJSON *old_md = cJSON_GetObjectItemCaseSensitive(so->o, "metadata");
	const char *rv = json_str(o, "metadata.resourceVersion", NULL);
	const char *name = sim_obj_name(o);
	static const char *const keep[] = { "uid", "creationTimestamp", "deletionTimestamp",
					    "deletionGracePeriodSeconds", "namespace", "generation" };
	bool spec_changed = false;
	const cJSON *e;
	char cur[32];

	if (check_kind(resp, t->rt, o)) {
		cJSON_Delete(o);
		return -1;
	}
	if (!cJSON_IsObject(md)) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, "metadata");
		md = cJSON_AddObjectToObject(o, "metadata");
	}
	if (name && strcmp(name, so->name)) {
		resp_status(resp, 400, "BadRequest", "the name of the object does not match the name on the URL",
			    NULL, NULL, NULL);
		cJSON_Delete(o);
		return -1;
	}
	snprintf(cur, sizeof(cur), "%llu", so->rv);
	if (rv && *rv && strcmp(rv, cur)) {
		status_for(resp, t->rt, 409, "Conflict", so->name,
			   "the object has been modified; please apply your changes to the latest version and try again");
		/* The real message reads "Operation cannot be fulfilled on <res> ...". */
		{
			char q[200], msg[1024];
			qualified(t->rt, q, sizeof(q));
			snprintf(msg, sizeof(msg),
				 "Operation cannot be fulfilled on %s \"%s\": the object has been modified; please apply your changes to the latest version and try again",
				 q, so->name);
			free(resp->body);
			resp->body = NULL;
			resp_status(resp, 409, "Conflict", msg, t->rt->plural, so->name, NULL);
		}
		cJSON_Delete(o);
		return -1;
	}
	if (!name)
		cJSON_AddStringToObject(md, "name", so->name);
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(old_md, keep[i]);
		cJSON_DeleteItemFromObjectCaseSensitive(md, keep[i]);
		if (v)
			cJSON_AddItemToObject(md, keep[i], cJSON_Duplicate(v, 1));
	}
	if (t->rt->has_status) {
		if (status_only) {
			/* Only status may change through /status. */
			cJSON *st = cJSON_DetachItemFromObjectCaseSensitive(o, "status");
			cJSON *nmd = cJSON_DetachItemFromObjectCaseSensitive(o, "metadata");
			cJSON *copy = cJSON_Duplicate(so->o, 1);

			cJSON_Delete(o);
			o = copy;
			cJSON_DeleteItemFromObjectCaseSensitive(o, "status");
			if (st)
				cJSON_AddItemToObject(o, "status", st);
			cJSON_Delete(nmd);
			md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
		} else {
			const cJSON *ost = cJSON_GetObjectItemCaseSensitive(so->o, "status");
			cJSON_DeleteItemFromObjectCaseSensitive(o, "status");
			if (ost)
				cJSON_AddItemToObject(o, "status", cJSON_Duplicate(ost, 1));
		}
	}
	cJSON_ArrayForEach(e, o) {
		if (!strcmp(e->string, "metadata") || !strcmp(e->string, "status"))
			continue;
		if (!cJSON_Compare(e, cJSON_GetObjectItemCaseSensitive(so->o, e->string), 1))
			spec_changed = true;
	}
	cJSON_ArrayForEach(e, so->o) {
		if (!strcmp(e->string, "metadata") || !strcmp(e->string, "status"))
			continue;
		if (!cJSON_GetObjectItemCaseSensitive(o, e->string))
			spec_changed = true;
	}
	if (spec_changed) {
		cJSON *g = cJSON_GetObjectItemCaseSensitive(md, "generation");
		double gen = cJSON_IsNumber(g) ? g->valuedouble : 1;
		cJSON_DeleteItemFromObjectCaseSensitive(md, "generation");
		cJSON_AddNumberToObject(md, "generation", gen + 1);
	}
	admit_defaults(t->rt, o);
	if (check_valid(resp, t->rt, o) || webhook_denies(sim, t->rt, o, resp)) {
		cJSON_Delete(o);
		return -1;
	}
	if (dry_run(r)) {
		resp_json(resp, 200, o);
		return 0;
	}
	{
		/* store_update may remove and free it (finalizers gone while deleting) */
		cJSON *ret = cJSON_Duplicate(o, 1);
		char rvs[32];

		store_update(&sim->store, so, o);
		snprintf(rvs, sizeof(rvs), "%llu", sim->store.rv);
		cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(ret, "metadata"), "resourceVersion");
		cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(ret, "metadata"), "resourceVersion", rvs);
		resp_json(resp, 200, ret);
	}
	store_gc(&sim->store);
	return 0;
}

static void do_replace(struct sim *sim, struct request *r, struct target *t, struct sobj *so,
		       struct response *resp)
{
	cJSON *o = parse_body(r, resp);

	if (!o)
		return;
	finish_update(sim, r, t, so, o, !strcmp(t->sub, "status"), resp);
}

static void do_patch(struct sim *sim, struct request *r, struct target *t, struct sobj *so,
		     struct response *resp)
{
	cJSON *p, *o;
	char msg[600];
	const char *ct = r->ctype ? r->ctype : "";

	if (strstr(ct, "apply-patch")) {
		resp_status(resp, 415, "UnsupportedMediaType",
			    "server-side apply is not supported by mtv-sim; use client-side kubectl apply",
			    NULL, NULL, NULL);
		return;
	}
	p = cJSON_ParseWithLength(buf_str(&r->body), r->body.len);
	if (!p) {
		resp_status(resp, 400, "BadRequest", "the patch is not valid JSON", NULL, NULL, NULL);
		return;
	}
	o = cJSON_Duplicate(so->o, 1);
	if (strstr(ct, "json-patch")) {
		if (sim_json_patch(&o, p, msg, sizeof(msg))) {
			cJSON_Delete(o);
			cJSON_Delete(p);
			resp_status(resp, 422, "Invalid", msg, t->rt->kind, so->name, NULL);
			return;
		}
	} else if (strstr(ct, "merge-patch") || strstr(ct, "strategic-merge-patch")) {
		if (!cJSON_IsObject(p)) {
			cJSON_Delete(o);
			cJSON_Delete(p);
			resp_status(resp, 400, "BadRequest", "a merge patch must be a JSON object", NULL, NULL, NULL);
			return;
		}
		o = sim_merge_patch(o, p);
	} else {
		cJSON_Delete(o);
		cJSON_Delete(p);
		resp_status(resp, 415, "UnsupportedMediaType", "the patch content type is not supported",
			    NULL, NULL, NULL);
		return;
	}
	cJSON_Delete(p);
	/* A patch carrying no resourceVersion never conflicts. */
	finish_update(sim, r, t, so, o, !strcmp(t->sub, "status"), resp);
}

/* DeleteOptions, from the body when there is one, else from the query, as
 * the API server's delete handlers read them.  -1 with resp set (400/422). */
static int delete_options(struct request *r, struct response *resp, cJSON **opts, enum propagation *policy)
{
	const char *pp;
	const cJSON *orphan = NULL;

	*opts = NULL;
	*policy = PROP_DEFAULT;
	if (r->body.len) {
		*opts = cJSON_ParseWithLength(buf_str(&r->body), r->body.len);
		if (!cJSON_IsObject(*opts)) {
			cJSON_Delete(*opts);
			*opts = NULL;
			resp_status(resp, 400, "BadRequest", "the body of the request was not valid DeleteOptions",
				    NULL, NULL, NULL);
			return -1;
		}
		pp = json_str(*opts, "propagationPolicy", NULL);
		orphan = cJSON_GetObjectItemCaseSensitive(*opts, "orphanDependents");
	} else {
		pp = req_query(r, "propagationPolicy");
	}
	if (orphan && cJSON_IsNull(orphan))
		orphan = NULL;
	if (pp && orphan) {
		char msg[400];

		snprintf(msg, sizeof(msg),
			 "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Invalid value: \"%.100s\": orphanDependents and deletionPropagation cannot be both set",
			 pp);
		resp_status(resp, 422, "Invalid", msg, "DeleteOptions", "", NULL);
		goto bad;
	}
	if (orphan)
		*policy = cJSON_IsTrue(orphan) ? PROP_ORPHAN : PROP_BACKGROUND;
	else if (!pp)
		*policy = PROP_DEFAULT;
	else if (!strcmp(pp, "Background"))
		*policy = PROP_BACKGROUND;
	else if (!strcmp(pp, "Foreground"))
		*policy = PROP_FOREGROUND;
	else if (!strcmp(pp, "Orphan"))
		*policy = PROP_ORPHAN;
	else {
		char msg[400];

		snprintf(msg, sizeof(msg),
			 "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"%.100s\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"",
			 pp);
		resp_status(resp, 422, "Invalid", msg, "DeleteOptions", "", NULL);
		goto bad;
	}
	return 0;
bad:
	cJSON_Delete(*opts);
	*opts = NULL;
	return -1;
}

/* DeleteOptions.preconditions hold for so (else 409 in resp). */
static bool preconditions_hold(const struct restype *rt, struct sobj *so, const cJSON *opts, struct response *resp)
{
	const char *uid = json_str(opts, "preconditions.uid", NULL);
	const char *rv = json_str(opts, "preconditions.resourceVersion", NULL);
	char cur[32];

	snprintf(cur, sizeof(cur), "%llu", so->rv);
	if ((uid && strcmp(uid, so->uid)) || (rv && strcmp(rv, cur))) {
		status_for(resp, rt, 409, "Conflict", so->name, "precondition failed: the object was modified or replaced");
		return false;
	}
	return true;
}

static void do_delete(struct sim *sim, struct request *r, struct target *t, struct sobj *so,
		      struct response *resp)
{
	cJSON *last, *opts;
	enum propagation policy;

	if (delete_options(r, resp, &opts, &policy))
		return;
	if (opts && !preconditions_hold(t->rt, so, opts, resp)) {
		cJSON_Delete(opts);
		return;
	}
	cJSON_Delete(opts);
	if (dry_run(r)) {
		resp_json(resp, 200, cJSON_Duplicate(so->o, 1));
		return;
	}
	last = store_delete_opts(&sim->store, so, policy);
	store_gc(&sim->store);
	resp_json(resp, 200, last);
}

/* DELETE on a collection (store.go DeleteCollection): list what the
 * selectors match, delete each as a single DELETE would (the same
 * DeleteOptions, finalizers respected), answer the list as it was listed:
 * a <Kind>List with the list's resourceVersion, objects already being
 * deleted included. */
static void do_delete_collection(struct sim *sim, struct request *r, struct target *t, struct response *resp)
{
	struct selector *ls, *fs;
	cJSON *out, *items, *md, *opts;
	enum propagation policy;
	char av[128], kind[160], tmp[32];
	char **uids;
	size_t n = 0;

	if (parse_selectors(r, resp, &ls, &fs))
		return;
	if (delete_options(r, resp, &opts, &policy)) {
		selector_free(ls);
		selector_free(fs);
		return;
	}
	uids = calloc(store_count(&sim->store, t->rt) + 1, sizeof(*uids));
	if (!uids)
		abort();
	out = cJSON_CreateObject();
	restype_apiversion(t->rt, av, sizeof(av));
	snprintf(kind, sizeof(kind), "%sList", t->rt->kind);
	cJSON_AddStringToObject(out, "kind", kind);
	cJSON_AddStringToObject(out, "apiVersion", av);
	md = cJSON_AddObjectToObject(out, "metadata");
	snprintf(tmp, sizeof(tmp), "%llu", sim->store.rv);
	cJSON_AddStringToObject(md, "resourceVersion", tmp);
	items = cJSON_AddArrayToObject(out, "items");
	{
		/* the listed order: namespace, then name */
		struct sobj **sel = calloc(store_count(&sim->store, t->rt) + 1, sizeof(*sel));
		size_t nsel = 0;

		if (!sel)
			abort();
		for (struct sobj *so = store_first(&sim->store, t->rt); so; so = so->kind_next)
			if ((!t->has_ns || !strcmp(so->ns, t->ns)) && selector_match_labels(ls, so->o) &&
			    selector_match_fields(fs, so->o))
				sel[nsel++] = so;
		qsort(sel, nsel, sizeof(*sel), cmp_obj);
		for (size_t i = 0; i < nsel; i++) {
			cJSON_AddItemToArray(items, cJSON_Duplicate(sel[i]->o, 1));
			uids[n++] = strdup(sel[i]->uid);
		}
		free(sel);
	}
	for (size_t i = 0; i < n; i++) {
		/* an object the collector took meanwhile is skipped (NotFound
		 * is ignored); a failed precondition fails the request */
		struct sobj *so = store_find_uid(&sim->store, uids[i]);

		if (!so)
			continue;
		if (opts && !preconditions_hold(t->rt, so, opts, resp)) {
			cJSON_Delete(out);
			out = NULL;
			break;
		}
		if (!dry_run(r))
			cJSON_Delete(store_delete_opts(&sim->store, so, policy));
	}
	for (size_t i = 0; i < n; i++)
		free(uids[i]);
	free(uids);
	cJSON_Delete(opts);
	store_gc(&sim->store);
	selector_free(ls);
	selector_free(fs);
	if (out)
		resp_json(resp, 200, out);
}

/* A query integer as the apiserver's parameter codec reads one (strconv
 * ParseInt, base 10): 0 when absent, 1 when set, -1 (400 sent) when not a
 * number. */
static int log_int_param(struct request *r, struct response *resp, const char *key, long long *out)
{
	const char *v = req_query(r, key);
	char *end, msg[300];

	if (!v)
		return 0;
	errno = 0;
	*out = strtoll(v, &end, 10);
	if (!*v || *end || errno) {
		snprintf(msg, sizeof(msg), "strconv.ParseInt: parsing \"%.200s\": invalid syntax", v);
		resp_status(resp, 400, "BadRequest", msg, NULL, NULL, NULL);
		return -1;
	}
	return 1;
}

static bool pod_has_container(const cJSON *pod, const char *name)
{
	static const char *const lists[] = { "spec.containers", "spec.initContainers", "spec.ephemeralContainers" };
	const cJSON *c;

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		cJSON_ArrayForEach(c, json_get(pod, lists[i]))
			if (!strcmp(json_str(c, "name", ""), name))
				return true;
	return false;
}

static void container_list(struct buf *b, const cJSON *arr)
{
	const cJSON *c;
	size_t n = 0;

	cJSON_ArrayForEach(c, arr)
		buf_addf(b, "%s%s", n++ ? " " : "", json_str(c, "name", ""));
}

/* GET pods/<name>/log: the pod's stored log (the sim keeps one text per
 * pod, served for each of its containers) with what the apiserver checks
 * first (PodLogOptions validation: 422; LogLocation's choice of container:
 * 400) and what the kubelet applies: previous (there is no earlier
 * instance unless the container status has a lastState.terminated),
 * tailLines (the last N lines), then limitBytes (the first N bytes of
 * that). */
static void do_pod_log(struct sim *sim, struct request *r, struct target *t, struct sobj *so,
		       struct response *resp)
{
	long long tail = 0, limit = 0, since = 0;
	int has_tail, has_limit, has_since;
	const char *container = req_query(r, "container"), *prev = req_query(r, "previous");
	const char *log, *start, *p;
	cJSON *causes = cJSON_CreateArray();
	char key[800], msg[1200];
	bool previous = false;
	size_t len;

	if ((has_tail = log_int_param(r, resp, "tailLines", &tail)) < 0 ||
	    (has_limit = log_int_param(r, resp, "limitBytes", &limit)) < 0 ||
	    (has_since = log_int_param(r, resp, "sinceSeconds", &since)) < 0) {
		cJSON_Delete(causes);
		return;
	}
	if (prev) {
		/* strconv.ParseBool */
		static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
		static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
		bool ok = false;

		for (size_t i = 0; i < 6; i++) {
			if (!strcmp(prev, yes[i]))
				ok = previous = true;
			if (!strcmp(prev, no[i]))
				ok = true;
		}
		if (!ok) {
			snprintf(msg, sizeof(msg), "strconv.ParseBool: parsing \"%.200s\": invalid syntax", prev);
			resp_status(resp, 400, "BadRequest", msg, NULL, NULL, NULL);
			cJSON_Delete(causes);
			return;
		}
	}
	if (has_tail && tail < 0) {
		snprintf(msg, sizeof(msg), "Invalid value: %lld: must be greater than or equal to 0", tail);
		add_cause(causes, "FieldValueInvalid", "tailLines", msg);
	}
	if (has_limit && limit < 1) {
		snprintf(msg, sizeof(msg), "Invalid value: %lld: must be greater than 0", limit);
		add_cause(causes, "FieldValueInvalid", "limitBytes", msg);
	}
	if (has_since && since < 1) {
		snprintf(msg, sizeof(msg), "Invalid value: %lld: must be greater than 0", since);
		add_cause(causes, "FieldValueInvalid", "sinceSeconds", msg);
	}
	if (cJSON_GetArraySize(causes)) {
		size_t off = (size_t)snprintf(msg, sizeof(msg), "PodLogOptions \"%s\" is invalid: %s", so->name,
					      cJSON_GetArraySize(causes) > 1 ? "[" : "");
		const cJSON *c;
		int i = 0;

		cJSON_ArrayForEach(c, causes)
			if (off < sizeof(msg))
				off += (size_t)snprintf(msg + off, sizeof(msg) - off, "%s%s: %s", i++ ? ", " : "",
							json_str(c, "field", ""), json_str(c, "message", ""));
		if (cJSON_GetArraySize(causes) > 1 && off < sizeof(msg))
			snprintf(msg + off, sizeof(msg) - off, "]");
		resp_status(resp, 422, "Invalid", msg, "PodLogOptions", so->name, causes);
		return;
	}
	cJSON_Delete(causes);
	if (!container || !*container) {
		int n = cJSON_GetArraySize(json_get(so->o, "spec.containers"));

		if (n != 1) {
			struct buf b = BUF_INIT(8192);

			buf_addf(&b, "a container name must be specified for pod %s", so->name);
			if (n > 1) {
				buf_addstr(&b, ", choose one of: [");
				container_list(&b, json_get(so->o, "spec.containers"));
				buf_addstr(&b, "]");
				if (cJSON_GetArraySize(json_get(so->o, "spec.initContainers"))) {
					buf_addstr(&b, " or one of the init containers: [");
					container_list(&b, json_get(so->o, "spec.initContainers"));
					buf_addstr(&b, "]");
				}
			}
			resp_status(resp, 400, "BadRequest", buf_str(&b), NULL, NULL, NULL);
			buf_release(&b);
			return;
		}
		container = json_str(cJSON_GetArrayItem(json_get(so->o, "spec.containers"), 0), "name", "");
	} else if (!pod_has_container(so->o, container)) {
		snprintf(msg, sizeof(msg), "container %.300s is not valid for pod %.300s", container, so->name);
		resp_status(resp, 400, "BadRequest", msg, NULL, NULL, NULL);
		return;
	}
	/* LogLocation asks the pod's node for its kubelet: a node that is
	 * gone fails the request as the node GET does. */
	if (*json_str(so->o, "spec.nodeName", "") &&
	    !store_find(&sim->store, restype_find("", "v1", "nodes"), "", json_str(so->o, "spec.nodeName", ""))) {
		snprintf(msg, sizeof(msg), "nodes \"%.300s\" not found", json_str(so->o, "spec.nodeName", ""));
		resp_status(resp, 404, "NotFound", msg, "nodes", json_str(so->o, "spec.nodeName", ""), NULL);
		return;
	}
	if (previous) {
		const cJSON *cs, *found = NULL;
		static const char *const lists[] = { "status.containerStatuses", "status.initContainerStatuses" };

		for (size_t i = 0; i < 2; i++)
			cJSON_ArrayForEach(cs, json_get(so->o, lists[i]))
				if (!strcmp(json_str(cs, "name", ""), container))
					found = cs;
		if (!json_get(found, "lastState.terminated")) {
			snprintf(msg, sizeof(msg), "previous terminated container \"%.300s\" in pod \"%.300s\" not found",
				 container, so->name);
			resp_status(resp, 400, "BadRequest", msg, NULL, NULL, NULL);
			return;
		}
	}
	snprintf(key, sizeof(key), "%s/%s", t->ns, so->name);
	log = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sim->logs, key));
	/* The earlier instance's log is not kept. */
	if (!log || previous)
		log = "";
	len = strlen(log);
	start = log;
	if (has_tail) {
		long long lines = 0;

		/* Back from the end: a final newline ends the last line. */
		p = log + len;
		if (p > log && p[-1] == '\n')
			p--;
		while (p > log && lines < tail) {
			if (p[-1] == '\n' && ++lines == tail)
				break;
			p--;
		}
		start = tail ? p : log + len;
		len -= (size_t)(start - log);
	}
	if (has_limit && (unsigned long long)limit < len)
		len = (size_t)limit;
	resp->status = 200;
	resp->ctype = "text/plain";
	resp->body = strndup(start, len);
}

void api_handle(struct sim *sim, struct request *r, struct response *resp)
{
	struct target t;
	int rc = parse_target(r->path, &t);
	struct sobj *so = NULL;
	const char *m = r->method;
	char verb[32];

	if (rc == -1) {
		resp_status(resp, 404, "NotFound", "the server could not find the requested resource", NULL, NULL, NULL);
		stats_count(sim, m, "other");
		return;
	}
	if (rc == -2) {
		resp_status(resp, 404, "NotFound", "the server could not find the requested resource", NULL, NULL, NULL);
		stats_count(sim, m, "unknown");
		return;
	}
	if (t.rt->namespaced && !t.has_ns && (t.name[0] || !strcmp(m, "POST"))) {
		resp_status(resp, 404, "NotFound", "the server could not find the requested resource", NULL, NULL, NULL);
		return;
	}
	/* verb names as the API server's audit log names them */
	if (!strcmp(m, "GET"))
		snprintf(verb, sizeof(verb), "%s", t.name[0] ? "get" : truthy(req_query(r, "watch")) ? "watch" : "list");
	else if (!strcmp(m, "POST"))
		snprintf(verb, sizeof(verb), "create");
	else if (!strcmp(m, "PUT"))
		snprintf(verb, sizeof(verb), "update");
	else if (!strcmp(m, "PATCH"))
		snprintf(verb, sizeof(verb), "patch");
	else if (!strcmp(m, "DELETE"))
		snprintf(verb, sizeof(verb), "%s", t.name[0] ? "delete" : "deletecollection");
	else
		snprintf(verb, sizeof(verb), "%s", m);
	stats_count(sim, verb, t.rt->plural);
	/* RBAC for everyone but cluster admins (auth.c) */
	if (r->who && !auth_allowed(sim, r->who, verb, t.rt->group, t.rt->plural, t.sub,
				    t.rt->namespaced ? t.ns : NULL, t.name)) {
		auth_forbidden(resp, r->who, verb, t.rt->group, t.rt->plural, t.rt->namespaced ? t.ns : NULL, t.name);
		return;
	}
	if (!strcmp(t.sub, "token") && !strcmp(t.rt->plural, "serviceaccounts") && !t.rt->group[0]) {
		so = store_find(&sim->store, t.rt, t.ns, t.name);
		if (!so)
			status_for(resp, t.rt, 404, "NotFound", t.name, "not found");
		else if (strcmp(m, "POST"))
			resp_status(resp, 405, "MethodNotAllowed",
				    "the server does not allow this method on the requested resource", NULL, NULL, NULL);
		else
			auth_token_request(sim, r, t.ns, so->o, resp);
		return;
	}

	if (t.sub[0] && strcmp(t.sub, "status") && !(strcmp(t.sub, "log") == 0 && !strcmp(t.rt->plural, "pods"))) {
		resp_status(resp, 404, "NotFound", "the server could not find the requested resource", NULL, NULL, NULL);
		return;
	}
	if (!strcmp(t.sub, "status") && !t.rt->has_status) {
		resp_status(resp, 404, "NotFound", "the server could not find the requested resource", NULL, NULL, NULL);
		return;
	}
	if (t.name[0]) {
		so = store_find(&sim->store, t.rt, t.rt->namespaced ? t.ns : "", t.name);
		if (!so && !(strcmp(m, "GET") == 0 && truthy(req_query(r, "watch")))) {
			status_for(resp, t.rt, 404, "NotFound", t.name, "not found");
			return;
		}
	}
	if (!strcmp(m, "GET")) {
		if (truthy(req_query(r, "watch")))
			do_watch(sim, r, &t, resp);
		else if (!t.name[0])
			do_list(sim, r, &t, resp);
		else if (!strcmp(t.sub, "log"))
			do_pod_log(sim, r, &t, so, resp);
		else if (api_wants_table(r))
			resp_json(resp, 200, api_table_one(t.rt, so->o, so->rv));
		else
			resp_json(resp, 200, cJSON_Duplicate(so->o, 1));
	} else if (!strcmp(m, "POST") && !t.name[0]) {
		do_create(sim, r, &t, resp);
	} else if (!strcmp(m, "PUT") && so) {
		do_replace(sim, r, &t, so, resp);
	} else if (!strcmp(m, "PATCH") && so) {
		do_patch(sim, r, &t, so, resp);
	} else if (!strcmp(m, "DELETE") && so && !t.sub[0]) {
		do_delete(sim, r, &t, so, resp);
	} else if (!strcmp(m, "DELETE") && !t.name[0] && !t.rt->group[0] && !strcmp(t.rt->plural, "namespaces")) {
		/* kube-apiserver's namespace storage implements no DeleteCollection */
		resp_status(resp, 405, "MethodNotAllowed", "the server does not allow this method on the requested resource",
			    NULL, NULL, NULL);
	} else if (!strcmp(m, "DELETE") && !t.name[0]) {
		do_delete_collection(sim, r, &t, resp);
	} else {
		char msg[200];
		snprintf(msg, sizeof(msg), "the server does not allow this method on the requested resource (%s)", m);
		resp_status(resp, 405, "MethodNotAllowed", msg, NULL, NULL, NULL);
	}
}
