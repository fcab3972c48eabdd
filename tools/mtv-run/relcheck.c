#include "relcheck.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "owners.h"

#define META_MAX (16u * 1024 * 1024)

static void check_component(struct arena *a, struct registry *r, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dir = slash ? arena_strndup(a, path, (size_t)(slash - path)) : ".";
	const char *base = slash ? slash + 1 : path;
	const char *owners = arena_printf(a, "%s/OWNERS", dir);
	const char *meta = arena_printf(a, "%s/%.*s.metadata.json", dir, (int)(strlen(base) - 5), base);
	size_t rl = strlen(r->root);
	const char *rel = path;
	struct mtv_err err = { 0 };
	struct owners o;
	struct buf want = BUF_INIT(META_MAX), have = BUF_INIT(META_MAX);

	if (!strncmp(path, r->root, rl))
		for (rel = path + rl; *rel == '/'; rel++)
			;
	if (access(owners, F_OK) < 0) {
		errlist_add(&r->errs, "missing OWNERS file at %s", owners);
		return;
	}
	if (owners_load(a, owners, &o, &err) < 0) {
		errlist_add(&r->errs, "%s", err.msg);
		return;
	}
	owners_metadata(&o, rel, &want);
	if (fs_read_file(meta, &have, META_MAX, &err) < 0)
		errlist_add(&r->errs, "%s: %s; generate-registry-metadata writes it (`make update` in openshift/release)",
			    meta, errno == ENOENT ? "missing" : err.msg);
	else if (have.len != want.len || memcmp(buf_str(&have), buf_str(&want), want.len))
		errlist_add(&r->errs, "%s: differs from what generate-registry-metadata writes for %s and %s (`make update` in openshift/release)",
			    meta, rel, owners);
	buf_release(&want);
	buf_release(&have);
}

void release_check(struct arena *a, struct registry *r)
{
	if (r->repo_layout) {
		struct mtv_err err = { 0 };
		struct owners o;

		if (owners_for_export(a, r->root, &o, &err) < 0)
			errlist_add(&r->errs, "%s", err.msg);
		return;
	}
	for (size_t i = 0; i < r->nrefs; i++)
		check_component(a, r, r->refs[i]->path);
	for (size_t i = 0; i < r->nchains; i++)
		check_component(a, r, r->chains[i]->path);
	for (size_t i = 0; i < r->nworkflows; i++)
		check_component(a, r, r->workflows[i]->path);
}
