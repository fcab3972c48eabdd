#include "export.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "log.h"
#include "shareddir.h"
#include "yamltree.h"

#define OWNERS_MAX (1024u * 1024)

struct owners {
	const char *text;	/* the OWNERS file written beside every component */
	cJSON *json;		/* its approvers/reviewers for .metadata.json */
};

static cJSON *owner_list(const struct ynode *root, const char *key)
{
	const struct ynode *l = ymap_get(root, key);
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; l && l->type == Y_SEQ && i < l->n; i++)
		if (l->vals[i]->type == Y_SCALAR)
			cJSON_AddItemToArray(arr, cJSON_CreateString(l->vals[i]->value));
	return arr;
}

static int owners_load(struct arena *a, const char *root, struct owners *o, struct mtv_err *err)
{
	const char *path = arena_printf(a, "%s/OWNERS", root);
	struct buf b = BUF_INIT(OWNERS_MAX);
	struct ynode *y;

	if (access(path, F_OK) < 0) {
		/* openshift/release will want real names; say so, but export. */
		log_warn("%s: missing; writing OWNERS with empty approvers and reviewers", path);
		o->text = "approvers: []\nreviewers: []\n";
	} else {
		if (fs_read_file(path, &b, OWNERS_MAX, err) < 0) {
			buf_release(&b);
			return -1;
		}
		o->text = arena_strndup(a, buf_str(&b), b.len);
		buf_release(&b);
	}
	if (ytree_parse(a, o->text, strlen(o->text), path, &y, err) < 0)
		return -1;
	o->json = cJSON_CreateObject();
	cJSON_AddItemToObject(o->json, "approvers", owner_list(y, "approvers"));
	cJSON_AddItemToObject(o->json, "reviewers", owner_list(y, "reviewers"));
	return 0;
}

static int copy_text(const char *src, const char *dst, struct mtv_err *err)
{
	struct buf b = BUF_INIT(64u * 1024 * 1024);
	int r = fs_read_file(src, &b, 64u * 1024 * 1024, err);

	if (!r)
		r = fs_write_atomic(dst, buf_str(&b), b.len, 0644, err);
	buf_release(&b);
	return r;
}

/* One component: its YAML (and commands file), OWNERS and metadata. */
static int export_one(struct arena *a, const struct owners *ow, const char *dest,
		      const char *yaml_path, const char *reldir, const char *commands_file,
		      struct mtv_err *err)
{
	const char *base = strrchr(yaml_path, '/') ? strrchr(yaml_path, '/') + 1 : yaml_path;
	const char *dir = arena_printf(a, "%s/mtv/%s", dest, reldir);
	const char *meta = arena_printf(a, "%s/%.*s.metadata.json", dir, (int)(strlen(base) - 5), base);
	cJSON *m;
	char *text;
	int r;

	if (fs_mkdir_p(dir, 0755, err) < 0 ||
	    copy_text(yaml_path, arena_printf(a, "%s/%s", dir, base), err) < 0)
		return -1;
	if (commands_file) {
		const char *srcdir = arena_strndup(a, yaml_path, (size_t)(base - yaml_path));

		if (copy_text(arena_printf(a, "%s%s", srcdir, commands_file),
			      arena_printf(a, "%s/%s", dir, commands_file), err) < 0)
			return -1;
		if (chmod(arena_printf(a, "%s/%s", dir, commands_file), 0755) < 0) {
			/* a script that is not executable still runs via bash -c */
		}
	}
	if (fs_write_atomic(arena_printf(a, "%s/OWNERS", dir), ow->text, strlen(ow->text), 0644, err) < 0)
		return -1;
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "path", arena_printf(a, "mtv/%s/%s", reldir, base));
	cJSON_AddItemToObject(m, "owners", cJSON_Duplicate(ow->json, 1));
	text = cJSON_Print(m);	/* tab-indented, like generate-registry-metadata */
	cJSON_Delete(m);
	r = fs_write_atomic(meta, text, strlen(text), 0644, err);
	free(text);
	return r;
}

int export_registry(struct arena *a, const struct registry *r, const char *dest,
		    struct mtv_err *err)
{
	struct owners ow = { 0 };
	int rc = 0;

	if (!r->repo_layout)
		return mtv_err_set(err, MTV_EXIT_USAGE,
				   "export writes this repository's registry (--repo); %s is already in ci-operator layout",
				   r->root);
	if (fs_mkdir_p(arena_printf(a, "%s/mtv", dest), 0755, err) < 0 ||
	    owners_load(a, r->root, &ow, err) < 0)
		return -1;
	for (size_t i = 0; !rc && i < r->nrefs; i++)
		rc = export_one(a, &ow, dest, r->refs[i]->path, r->refs[i]->reldir,
				r->refs[i]->commands_file, err);
	for (size_t i = 0; !rc && i < r->nchains; i++)
		rc = export_one(a, &ow, dest, r->chains[i]->path, r->chains[i]->reldir, NULL, err);
	for (size_t i = 0; !rc && i < r->nworkflows; i++)
		rc = export_one(a, &ow, dest, r->workflows[i]->path, r->workflows[i]->reldir, NULL, err);
	cJSON_Delete(ow.json);
	return rc;
}
