/* The registry and test-configuration model: ci-operator's types, reduced
 * to the fields the local runner and the linter use.  Everything lives in
 * one arena (arena.h). */
#ifndef MTV_RUN_MODEL_H
#define MTV_RUN_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include "arena.h"

struct ynode;

/* A step parameter ({name, default, documentation}) or, in maps such as a
 * test's env, a name/value pair.  value NULL means "declared without a
 * default", i.e. required. */
struct param {
	const char *name;
	const char *value;
};

/* CredentialReference: the legacy form names a Secret (namespace, name);
 * the Google Secret Manager form collection/group/field/as or bundle. */
struct credential {
	const char *namespace_, *name, *mount_path;
	const char *collection, *group, *field, *as, *bundle;
};

/* LiteralTestStep. */
struct lstep {
	const char *as;
	const char *from;
	bool has_from_image;
	const char *commands;		/* the script text */
	const char *commands_file;	/* registry refs: the file name in the YAML */
	const char *timeout_str, *grace_str;	/* as written; NULL when unset */
	long long timeout_ms, grace_ms;		/* defaults applied */
	bool best_effort, optional_on_success, no_kubeconfig, run_as_script;
	struct param *env;
	size_t nenv;
	struct credential *creds;
	size_t ncreds;
	const struct ynode *resources;	/* as written, for lint; NULL when absent */
	const char *path;		/* file it came from */
	const char *reldir;		/* registry refs: dir relative to the kind's root */
	int line;
};

enum tstep_kind {
	TSTEP_REF,
	TSTEP_CHAIN,
	TSTEP_LITERAL,
};

/* TestStep: one item of a chain's or a phase's list. */
struct tstep {
	enum tstep_kind kind;
	const char *name;		/* ref or chain name */
	struct lstep *lit;
	int line;
};

enum phase {
	PHASE_PRE,
	PHASE_TEST,
	PHASE_POST,
	PHASE_N,
};

extern const char *const phase_names[PHASE_N];

struct steplist {
	struct tstep *items;
	size_t n;
	bool set;		/* the key was present (a test replaces the workflow's list) */
};

/* MultiStageTestConfiguration (a workflow's or a test's `steps:`). */
struct msconf {
	const char *workflow;
	struct steplist phase[PHASE_N];
	struct param *env;		/* a map: NAME: value */
	size_t nenv;
	int allow_skip_on_success;	/* -1 unset */
	int allow_best_effort_post_steps;
	const char *cluster_profile;
};

struct chain {
	const char *as;
	const char *path;
	const char *reldir;
	struct tstep *steps;
	size_t nsteps;
	struct param *env;
	size_t nenv;
};

struct workflow {
	const char *as;
	const char *path;
	const char *reldir;
	struct msconf steps;
};

/* Problems found while loading, linting or resolving: every one is
 * reported, not only the first, and the same message is kept once. */
struct errlist {
	struct arena *a;
	const char **v;
	size_t n;
};

void errlist_add(struct errlist *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A loaded registry: components by kind plus every problem found. */
struct registry {
	struct arena *a;
	const char *root;
	bool repo_layout;	/* steps/ chains/ workflows/ of our repository */
	struct lstep **refs;
	size_t nrefs;
	struct chain **chains;
	size_t nchains;
	struct workflow **workflows;
	size_t nworkflows;
	struct errlist errs;
};

struct lstep *registry_ref(const struct registry *r, const char *name);
struct chain *registry_chain(const struct registry *r, const char *name);
struct workflow *registry_workflow(const struct registry *r, const char *name);

#endif
