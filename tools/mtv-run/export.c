#include "export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "log.h"
#include "owners.h"
#include "shareddir.h"
#include "yamltree.h"

static int copy_text(const char *src, const char *dst, struct mtv_err *err)
{
	struct buf b = BUF_INIT(64u * 1024 * 1024);
	int r = fs_read_file(src, &b, 64u * 1024 * 1024, err);

	if (!r)
		r = fs_write_atomic(dst, buf_str(&b), b.len, 0644, err);
	buf_release(&b);
	return r;
}

/* OWNERS in dest/mtv and in every directory down to dest/mtv/reldir:
 * generate-registry-metadata wants one beside every component, and
 * openshift/release's reviewers want every directory owned. */
static int write_owners(struct arena *a, const struct owners *ow, const char *dest,
			const char *reldir, struct mtv_err *err)
{
	size_t len = strlen(reldir);

	/* i walks the ends of mtv/, each "a/", and reldir itself */
	for (size_t i = 0; i <= len; i++) {
		const char *dir;

		if (i && i < len && reldir[i] != '/')
			continue;
		if (i == len && i && reldir[i - 1] == '/')
			continue;
		dir = i ? arena_printf(a, "%s/mtv/%.*s", dest, (int)i, reldir)
			: arena_printf(a, "%s/mtv", dest);
		if (fs_mkdir_p(dir, 0755, err) < 0 ||
		    fs_write_atomic(arena_printf(a, "%s/OWNERS", dir), ow->text, strlen(ow->text),
				    0644, err) < 0)
			return -1;
	}
	return 0;
}

/* One component: its YAML (and commands file), OWNERS and metadata. */
static int export_one(struct arena *a, const struct owners *ow, const char *dest,
		      const char *yaml_path, const char *reldir, const char *commands_file,
		      struct mtv_err *err)
{
	const char *base = strrchr(yaml_path, '/') ? strrchr(yaml_path, '/') + 1 : yaml_path;
	const char *dir = arena_printf(a, "%s/mtv/%s", dest, reldir);
	const char *meta = arena_printf(a, "%s/%.*s.metadata.json", dir, (int)(strlen(base) - 5), base);
	struct buf m = BUF_INIT(16u * 1024 * 1024);
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
	if (write_owners(a, ow, dest, reldir, err) < 0)
		return -1;
	owners_metadata(ow, arena_printf(a, "mtv/%s/%s", reldir, base), &m);
	r = fs_write_atomic(meta, buf_str(&m), m.len, 0644, err);
	buf_release(&m);
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
	if (owners_for_export(a, r->root, &ow, err) < 0 ||
	    write_owners(a, &ow, dest, "", err) < 0)
		return -1;
	for (size_t i = 0; !rc && i < r->nrefs; i++)
		rc = export_one(a, &ow, dest, r->refs[i]->path, r->refs[i]->reldir,
				r->refs[i]->commands_file, err);
	for (size_t i = 0; !rc && i < r->nchains; i++)
		rc = export_one(a, &ow, dest, r->chains[i]->path, r->chains[i]->reldir, NULL, err);
	for (size_t i = 0; !rc && i < r->nworkflows; i++)
		rc = export_one(a, &ow, dest, r->workflows[i]->path, r->workflows[i]->reldir, NULL, err);
	return rc;
}
