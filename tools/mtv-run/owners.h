/* OWNERS files and the `.metadata.json` that openshift/release's
 * generate-registry-metadata (ci-tools cmd/generate-registry-metadata)
 * derives from them, byte for byte. */
#ifndef MTV_RUN_OWNERS_H
#define MTV_RUN_OWNERS_H

#include <stddef.h>
#include "arena.h"
#include "buf.h"
#include "err.h"

/* prow's repoowners.Config, in its field order. */
enum owners_list {
	OWN_APPROVERS,
	OWN_REVIEWERS,
	OWN_REQUIRED_REVIEWERS,
	OWN_LABELS,
	OWN_N,
};

struct owners {
	const char *text;		/* the OWNERS file as written */
	const char **names[OWN_N];
	size_t n[OWN_N];
};

/* Parse OWNERS text (what names it in errors). */
int owners_parse(struct arena *a, const char *text, const char *what, struct owners *o,
		 struct mtv_err *err);

/* Read and parse path. */
int owners_load(struct arena *a, const char *path, struct owners *o, struct mtv_err *err);

/* The owners of an export: MTV_OWNERS ("login,login ...", approvers and
 * reviewers both) when set and not empty, else root/OWNERS.  Both lists
 * must be non-empty: openshift/release does not take an unowned component. */
int owners_for_export(struct arena *a, const char *root, struct owners *o, struct mtv_err *err);

/* The .metadata.json generate-registry-metadata writes for the component at
 * relpath (relative to the registry root): json.MarshalIndent(RegistryInfo,
 * "", "\t"), no trailing newline. */
int owners_metadata(const struct owners *o, const char *relpath, struct buf *out);

#endif
