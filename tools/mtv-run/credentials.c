#include "credentials.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool set(const char *s)
{
	return s && *s;
}

/* p with repeated and trailing slashes removed ("/a//b/" -> "/a/b"), the
 * part of Go's filepath.Clean that mount paths need. */
static const char *clean(struct arena *a, const char *p)
{
	char *out = arena_strdup(a, p), *w = out;

	for (const char *r = p; *r; r++)
		if (!(*r == '/' && w > out && w[-1] == '/'))
			*w++ = *r;
	while (w > out + 1 && w[-1] == '/')
		w--;
	*w = '\0';
	return out;
}

/* filepath.Rel(base, target) has no ".." in it: target is base or below,
 * for two absolute paths (ci-tools' own reasoning, kept with its quirk that
 * a name like "a..b" below base also counts as not under it). */
static bool under(struct arena *a, const char *base, const char *target)
{
	const char *b = clean(a, base), *t = clean(a, target), *rel;
	size_t bl = strlen(b);

	if (!strcmp(b, "/"))
		rel = t + 1;
	else if (!strncmp(t, b, bl) && (t[bl] == '/' || !t[bl]))
		rel = t[bl] ? t + bl + 1 : ".";
	else
		return false;
	return !strstr(rel, "..");
}

void credentials_validate(const struct credential *cs, size_t n, const char *field,
			  struct errlist *e)
{
	for (size_t i = 0; i < n; i++) {
		const struct credential *c = &cs[i];

		if (set(c->field) || set(c->group) || set(c->collection) || set(c->bundle)) {
			/* The Secret Manager form: checked for its shape only;
			 * the collection and group name rules of ci-tools'
			 * gsmvalidation are not repeated here. */
			if (set(c->name))
				errlist_add(e, "%s.credentials[%zu]: `name` cannot be used with `bundle`, `collection`, `group`, or `field`",
					    field, i);
			if (set(c->as) && !set(c->field))
				errlist_add(e, "%s.credentials[%zu]: `field` is required when `as` is specified", field, i);
			else if (set(c->bundle) && (set(c->collection) || set(c->group) || set(c->field)))
				errlist_add(e, "%s.credentials[%zu]: `bundle` cannot be used with `collection`, `group`, or `field`",
					    field, i);
			else if (!set(c->bundle) && !(set(c->collection) && set(c->group)))
				errlist_add(e, "%s.credentials[%zu]: must specify `bundle`, `collection`+`group`, or `collection`+`group`+`field`",
					    field, i);
			else if (!set(c->bundle) && set(c->namespace_))
				errlist_add(e, "%s.credentials[%zu]: `namespace` cannot be used with `collection`, `group`, or `field`",
					    field, i);
		} else {
			if (!set(c->name))
				errlist_add(e, "%s.credentials[%zu]: `name` is required", field, i);
			if (!set(c->namespace_))
				errlist_add(e, "%s.credentials[%zu]: `namespace` is required", field, i);
		}
		if (!set(c->mount_path))
			errlist_add(e, "%s.credentials[%zu]: `mountPath` is required", field, i);
		else if (c->mount_path[0] != '/')
			errlist_add(e, "%s.credentials[%zu].mountPath is not absolute: %s", field, i, c->mount_path);
		for (size_t j = i + 1; j < n; j++) {
			const struct credential *o = &cs[j];

			if (set(c->mount_path) && set(o->mount_path) && !strcmp(c->mount_path, o->mount_path)) {
				errlist_add(e, "%s.credentials[%zu] and credentials[%zu] mount to the same location (%s), which would result in a collision",
					    field, i, j, c->mount_path);
				continue;
			}
			if (set(c->bundle) && set(o->bundle) && !strcmp(c->bundle, o->bundle)) {
				errlist_add(e, "%s.credentials[%zu] and credentials[%zu] reference the same bundle \"%s\"",
					    field, i, j, c->bundle);
				continue;
			}
			if (set(c->namespace_) && set(o->namespace_) && set(c->name) && set(o->name) &&
			    !strcmp(c->namespace_, o->namespace_) && !strcmp(c->name, o->name)) {
				errlist_add(e, "%s.credentials[%zu] and credentials[%zu] reference the same secret (%s/%s), which would create a duplicate Kubernetes volume name",
					    field, i, j, c->namespace_, c->name);
				continue;
			}
			/* only absolute paths can nest; the relative ones are
			 * reported above */
			if (!set(c->mount_path) || !set(o->mount_path) || c->mount_path[0] != '/' ||
			    o->mount_path[0] != '/')
				continue;
			if (under(e->a, o->mount_path, c->mount_path))
				errlist_add(e, "%s.credentials[%zu] mounts at %s, which is under credentials[%zu] (%s)",
					    field, i, c->mount_path, j, o->mount_path);
			if (under(e->a, c->mount_path, o->mount_path))
				errlist_add(e, "%s.credentials[%zu] mounts at %s, which is under credentials[%zu] (%s)",
					    field, j, o->mount_path, i, c->mount_path);
		}
	}
}

int credential_dir_parse(struct arena *a, const char *arg, struct credential_dir *out,
			 struct mtv_err *err)
{
	const char *slash = strchr(arg, '/'), *eq = strchr(arg, '=');

	if (!slash || !eq || slash > eq || slash == arg || eq == slash + 1 || !eq[1])
		return mtv_err_set(err, MTV_EXIT_USAGE,
				   "--credentials %s: expected NAMESPACE/NAME=DIR (e.g. test-credentials/mtv-providers=./secrets)",
				   arg);
	out->namespace_ = arena_printf(a, "%.*s", (int)(slash - arg), arg);
	out->name = arena_printf(a, "%.*s", (int)(eq - slash - 1), slash + 1);
	out->dir = arena_strdup(a, eq + 1);
	return 0;
}

const char *credential_local_dir(const struct credential_dir *dirs, size_t ndirs,
				 const struct credential *c)
{
	if (!set(c->namespace_) || !set(c->name))
		return NULL;
	for (size_t i = 0; i < ndirs; i++)
		if (!strcmp(dirs[i].namespace_, c->namespace_) && !strcmp(dirs[i].name, c->name))
			return dirs[i].dir;
	return NULL;
}

const char *credentials_rewrite(struct arena *a, const char *value, const struct lstep *s,
				const struct credential_dir *dirs, size_t ndirs)
{
	if (!value)
		return value;
	for (size_t i = 0; i < s->ncreds; i++) {
		const struct credential *c = &s->creds[i];
		const char *dir = credential_local_dir(dirs, ndirs, c);
		const char *mp;
		size_t ml;

		if (!dir || !set(c->mount_path))
			continue;
		mp = clean(a, c->mount_path);
		ml = strlen(mp);
		if (!strncmp(value, mp, ml) && (value[ml] == '/' || !value[ml]))
			return arena_printf(a, "%s%s", dir, value + ml);
	}
	return value;
}
