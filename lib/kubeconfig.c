#include "kubeconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base64.h"
#include "buf.h"
#include "fsutil.h"
#include "yamltree.h"

/* A kubeconfig bigger than this is not a kubeconfig. */
#define KUBECONFIG_FILE_MAX (16u * 1024 * 1024)
#define MAX_FILES 32

void kubeconfig_init(struct kubeconfig *kc)
{
	memset(kc, 0, sizeof(*kc));
}

static void free_secret(char **p, size_t len)
{
	if (*p) {
		explicit_bzero(*p, len);
		free(*p);
		*p = NULL;
	}
}

void kubeconfig_release(struct kubeconfig *kc)
{
	free(kc->server);
	free(kc->namespace);
	free(kc->context);
	free(kc->source);
	free(kc->ca_pem);
	free(kc->cert_pem);
	free_secret(&kc->key_pem, kc->key_len);
	if (kc->token)
		free_secret(&kc->token, strlen(kc->token));
	free(kc->token_file);
	kubeconfig_init(kc);
}

/* ---- small helpers ---- */

/* Read a whole file (NUL-terminated) with fs_read_file.  Returns 0 or an
 * errno value (EFBIG when over max): kubeconfig words its own messages and
 * skips missing files of a KUBECONFIG list. */
static int read_whole(const char *path, size_t max, char **out, size_t *outlen)
{
	struct buf b = BUF_INIT(max);

	if (fs_read_file(path, &b, max, NULL) < 0) {
		int e = errno;

		buf_release(&b);
		return e;
	}
	*outlen = b.len;
	*out = buf_take(&b);
	return 0;
}

/* ---- the YAML document ---- */

struct kc_file {
	char *path;		/* as given, for messages */
	char *dir;		/* for relative paths */
	struct ynode *root;	/* the top-level mapping; NULL for an empty file */
};

struct kc_set {
	struct kc_file files[MAX_FILES];
	int nfiles;
	const char *label;	/* "kubeconfig /a:/b" subject of merged errors */
	struct arena a;		/* every file's tree */
};

/* The scalar at key, NULL when absent, null or not a scalar. */
static const char *map_str(const struct ynode *map, const char *key)
{
	return ynode_str(ymap_get(map, key));
}

/* A file's clusters, users or contexts; NULL when absent or not a list. */
static const struct ynode *file_list(const struct kc_file *f, const char *list)
{
	const struct ynode *seq = ymap_get(f->root, list);

	return seq && seq->type == Y_SEQ ? seq : NULL;
}

/* A named entry of clusters/users/contexts: the first file defining the
 * name wins, as in kubectl. */
static const struct ynode *find_named(struct kc_set *set, const char *list, const char *inner,
				      const char *name, struct kc_file **where)
{
	for (int i = 0; i < set->nfiles; i++) {
		struct kc_file *f = &set->files[i];
		const struct ynode *seq = file_list(f, list);

		for (size_t k = 0; seq && k < seq->n; k++) {
			const struct ynode *e = seq->vals[k];
			const char *n = map_str(e, "name");

			if (n && !strcmp(n, name)) {
				const struct ynode *body = ymap_get(e, inner);

				*where = f;
				/* An entry without its body behaves as an empty one. */
				return body ? body : e;
			}
		}
	}
	return NULL;
}

/* "a, b, c": the names in list across all files (first occurrence). */
static void list_names(struct kc_set *set, const char *list, struct buf *out)
{
	for (int i = 0; i < set->nfiles; i++) {
		struct kc_file *f = &set->files[i];
		const struct ynode *seq = file_list(f, list);

		for (size_t k = 0; seq && k < seq->n; k++) {
			const char *n = map_str(seq->vals[k], "name");
			struct kc_file *w;

			if (!n || find_named(set, list, "name", n, &w) == NULL || w != f)
				continue;
			if (out->len)
				buf_addstr(out, ", ");
			buf_addstr(out, n);
		}
	}
	if (!out->len)
		buf_addstr(out, "none");
}

/* The cluster or user (field) `name` that context cname of cf refers to;
 * not found fails naming the context and listing what there is. */
static const struct ynode *context_ref(struct kc_set *set, const struct kc_file *cf,
				       const char *cname, const char *field, const char *name,
				       struct kc_file **where, struct mtv_err *err)
{
	char list[16];
	const struct ynode *n;
	struct buf names = BUF_INIT(64 * 1024);

	snprintf(list, sizeof(list), "%ss", field);	/* clusters, users */
	n = find_named(set, list, field, name, where);
	if (!n) {
		list_names(set, list, &names);
		mtv_err_set(err, MTV_EXIT_USAGE,
			    "kubeconfig %s: contexts[name=%s].%s: %s \"%s\" not found (%s: %s)", cf->path,
			    cname, field, field, name, list, buf_str(&names));
		buf_release(&names);
	}
	return n;
}

/* Lenient, as client-go is: anchors and aliases resolve. */
static int parse_doc(struct kc_set *set, struct kc_file *f, const char *text, size_t len,
		     struct mtv_err *err)
{
	struct ynode *root;

	if (ytree_parse_flags(&set->a, text, len, arena_printf(&set->a, "kubeconfig %s", f->path),
			      YTREE_LENIENT, &root, err) < 0)
		return -1;
	/* An empty file is an empty config, as kubectl treats it. */
	if (root->type == Y_SCALAR && root->is_null)
		return 0;
	if (root->type != Y_MAP)
		return mtv_err_set(err, MTV_EXIT_USAGE,
				   "kubeconfig %s: expected a mapping at the top level", f->path);
	f->root = root;
	return 0;
}

static void set_release(struct kc_set *set)
{
	for (int i = 0; i < set->nfiles; i++) {
		free(set->files[i].path);
		free(set->files[i].dir);
	}
	set->nfiles = 0;
	arena_release(&set->a);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static char *resolve_path(const struct kc_file *f, const char *p)
{
	size_t n;
	char *out;

	if (p[0] == '/' || !f->dir)
		return strdup(p);
	n = strlen(f->dir) + strlen(p) + 2;
	out = malloc(n);
	if (out)
		snprintf(out, n, "%s/%s", f->dir, p);
	return out;
}

/* Load PEM material from key-data (base64) or key (a file path). */
static int load_material(struct kc_file *f, const struct ynode *map, const char *section,
			 const char *entry, const char *data_key, const char *file_key, char **out,
			 size_t *outlen, struct mtv_err *err)
{
	const char *data = map_str(map, data_key);
	const char *file = map_str(map, file_key);

	if (data) {
		struct buf b = BUF_INIT(KUBECONFIG_FILE_MAX);

		if (base64_decode(&b, data, strlen(data)) < 0 || !b.len) {
			buf_release(&b);
			return mtv_err_set(err, MTV_EXIT_USAGE,
					   "kubeconfig %s: %s[name=%s].%s: not valid base64",
					   f->path, section, entry, data_key);
		}
		*outlen = b.len;
		*out = buf_take(&b);
		return 0;
	}
	if (file) {
		char *path = resolve_path(f, file);
		int e;

		if (!path)
			return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
		e = read_whole(path, KUBECONFIG_FILE_MAX, out, outlen);
		if (!e && !*outlen) {
			free(*out);
			*out = NULL;
			e = -1;
		}
		if (e) {
			mtv_err_set(err, MTV_EXIT_USAGE, "kubeconfig %s: %s[name=%s].%s: %s %s",
				    f->path, section, entry, file_key, path,
				    e < 0 ? "is empty" : strerror(e));
			free(path);
			return -1;
		}
		free(path);
	}
	return 0;
}

static bool is_true(const char *s)
{
	return s && (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "yes"));
}

static int read_token_file(const char *path, char **token, const char *what,
			   struct mtv_err *err)
{
	size_t len;
	char *data;
	int e = read_whole(path, 1024 * 1024, &data, &len);

	if (e)
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s %s: %s", what, path, strerror(e));
	/* Token files commonly end in a newline. */
	while (len && (data[len - 1] == '\n' || data[len - 1] == '\r' || data[len - 1] == ' '))
		data[--len] = '\0';
	if (!len) {
		free(data);
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s %s: is empty", what, path);
	}
	*token = data;
	return 0;
}

static int resolve(struct kc_set *set, struct kubeconfig *kc, const char *context,
		   struct mtv_err *err)
{
	struct kc_file *cf = NULL, *clf = NULL, *uf = NULL;
	const struct ynode *ctx, *cluster, *user = NULL;
	const char *cname = NULL, *clname, *uname, *server, *ns;
	struct buf names = BUF_INIT(64 * 1024);

	if (!context || !*context)
		context = getenv("MTV_KUBE_CONTEXT");
	if (context && *context) {
		cname = context;
	} else {
		for (int i = 0; i < set->nfiles && !cname; i++)
			cname = map_str(set->files[i].root, "current-context");
	}
	if (!cname) {
		list_names(set, "contexts", &names);
		mtv_err_set(err, MTV_EXIT_USAGE,
			    "%s: current-context: not set, and no --context or MTV_KUBE_CONTEXT given (contexts: %s)",
			    set->label, buf_str(&names));
		goto fail;
	}
	ctx = find_named(set, "contexts", "context", cname, &cf);
	if (!ctx) {
		list_names(set, "contexts", &names);
		mtv_err_set(err, MTV_EXIT_USAGE, "%s: context \"%s\" not found (contexts: %s)",
			    set->label, cname, buf_str(&names));
		goto fail;
	}
	clname = map_str(ctx, "cluster");
	if (!clname) {
		mtv_err_set(err, MTV_EXIT_USAGE, "kubeconfig %s: contexts[name=%s].cluster: missing",
			    cf->path, cname);
		goto fail;
	}
	cluster = context_ref(set, cf, cname, "cluster", clname, &clf, err);
	if (!cluster)
		goto fail;
	uname = map_str(ctx, "user");
	if (uname && !(user = context_ref(set, cf, cname, "user", uname, &uf, err)))
		goto fail;
	server = map_str(cluster, "server");
	if (!server) {
		mtv_err_set(err, MTV_EXIT_USAGE, "kubeconfig %s: clusters[name=%s].server: missing",
			    clf->path, clname);
		goto fail;
	}
	kc->server = strdup(server);
	kc->context = strdup(cname);
	ns = map_str(ctx, "namespace");
	if (ns)
		kc->namespace = strdup(ns);
	if (buf_addf(&names, "%s, context %s", set->label, cname) == 0)
		kc->source = buf_take(&names);
	kc->insecure = is_true(map_str(cluster, "insecure-skip-tls-verify"));
	if (load_material(clf, cluster, "clusters", clname, "certificate-authority-data",
			  "certificate-authority", &kc->ca_pem, &kc->ca_len, err) < 0)
		goto fail;
	if (user) {
		const char *token = map_str(user, "token");
		const char *tfile = map_str(user, "tokenFile");

		if (ymap_get(user, "exec") || ymap_get(user, "auth-provider")) {
			mtv_err_set(err, MTV_EXIT_USAGE,
				    "kubeconfig %s: users[name=%s]: exec and auth-provider credential plugins are not supported (use a token or client certificate)",
				    uf->path, uname);
			goto fail;
		}
		if (load_material(uf, user, "users", uname, "client-certificate-data",
				  "client-certificate", &kc->cert_pem, &kc->cert_len, err) < 0 ||
		    load_material(uf, user, "users", uname, "client-key-data", "client-key",
				  &kc->key_pem, &kc->key_len, err) < 0)
			goto fail;
		if (!kc->cert_pem != !kc->key_pem) {
			mtv_err_set(err, MTV_EXIT_USAGE,
				    "kubeconfig %s: users[name=%s].%s: missing (a client certificate needs its key)",
				    uf->path, uname,
				    kc->cert_pem ? "client-key" : "client-certificate");
			goto fail;
		}
		if (token) {
			kc->token = strdup(token);
		} else if (tfile) {
			char what[512];

			kc->token_file = resolve_path(uf, tfile);
			snprintf(what, sizeof(what), "kubeconfig %s: users[name=%s].tokenFile", uf->path,
				 uname);
			if (!kc->token_file || read_token_file(kc->token_file, &kc->token, what, err) < 0)
				goto fail;
		}
	}
	if (!kc->server || !kc->context || !kc->source) {
		mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
		goto fail;
	}
	buf_release(&names);
	return 0;
fail:
	buf_release(&names);
	kubeconfig_release(kc);
	return -1;
}

int kubeconfig_load_buffer(struct kubeconfig *kc, const char *yaml, size_t len, const char *name,
			   const char *dir, const char *context, struct mtv_err *err)
{
	struct kc_set set = { .nfiles = 1 };
	char label[1024];
	int ret;

	kubeconfig_init(kc);
	set.files[0].path = strdup(name);
	set.files[0].dir = dir ? strdup(dir) : NULL;
	snprintf(label, sizeof(label), "kubeconfig %s", name);
	set.label = label;
	if (!set.files[0].path)
		ret = mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	else if (parse_doc(&set, &set.files[0], yaml, len, err) < 0)
		ret = -1;
	else
		ret = resolve(&set, kc, context, err);
	set_release(&set);
	return ret;
}

int kubeconfig_load(struct kubeconfig *kc, const char *paths, const char *context,
		    struct mtv_err *err)
{
	struct kc_set set = { 0 };
	char *list = strdup(paths ? paths : ""), *p, *next;
	char label[1024];
	const char *first_missing = NULL;
	char missing[512] = "";
	int ret = -1;

	kubeconfig_init(kc);
	if (!list)
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	snprintf(label, sizeof(label), "kubeconfig %s", paths ? paths : "");
	set.label = label;
	for (p = list; p; p = next) {
		struct kc_file *f;
		char *text;
		size_t len;
		int e;

		next = strchr(p, ':');
		if (next)
			*next++ = '\0';
		if (!*p)
			continue;
		e = read_whole(p, KUBECONFIG_FILE_MAX, &text, &len);
		if (e == ENOENT) {
			/* kubectl skips files of the list that do not exist. */
			if (!first_missing) {
				snprintf(missing, sizeof(missing), "%s", p);
				first_missing = missing;
			}
			continue;
		}
		if (e) {
			mtv_err_set(err, MTV_EXIT_USAGE, "kubeconfig %s: %s", p,
				    e == EFBIG ? "file too large" : strerror(e));
			goto out;
		}
		if (set.nfiles == MAX_FILES) {
			free(text);
			mtv_err_set(err, MTV_EXIT_USAGE, "KUBECONFIG: more than %d files", MAX_FILES);
			goto out;
		}
		f = &set.files[set.nfiles++];
		f->path = strdup(p);
		f->dir = dir_of(p);
		if (!f->path || !f->dir) {
			free(text);
			mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
			goto out;
		}
		e = parse_doc(&set, f, text, len, err);
		free(text);
		if (e < 0)
			goto out;
	}
	if (!set.nfiles) {
		if (first_missing)
			mtv_err_set(err, MTV_EXIT_USAGE, "kubeconfig %s: %s", first_missing,
				    strerror(ENOENT));
		else
			mtv_err_set(err, MTV_EXIT_USAGE, "kubeconfig: empty list of files");
		goto out;
	}
	ret = resolve(&set, kc, context, err);
out:
	set_release(&set);
	free(list);
	if (ret < 0)
		kubeconfig_release(kc);
	return ret;
}

static bool file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

char *kubeconfig_default_paths(void)
{
	const char *env = getenv("KUBECONFIG");
	const char *shared = getenv("SHARED_DIR");
	const char *home = getenv("HOME");
	char path[4096];

	if (env && *env)
		return strdup(env);
	if (shared && *shared) {
		snprintf(path, sizeof(path), "%s/kubeconfig", shared);
		if (file_exists(path))
			return strdup(path);
	}
	if (home && *home) {
		snprintf(path, sizeof(path), "%s/.kube/config", home);
		if (file_exists(path))
			return strdup(path);
	}
	return NULL;
}

int kubeconfig_load_incluster(struct kubeconfig *kc, struct mtv_err *err)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	const char *dir = getenv("MTV_SERVICEACCOUNT_DIR");
	char path[4096], what[4200];
	struct buf server = BUF_INIT(4096);
	char *ns = NULL;
	size_t len;
	int e;

	kubeconfig_init(kc);
	if (!host || !*host)
		return mtv_err_set(err, MTV_EXIT_USAGE,
				   "no cluster configured: set KUBECONFIG (or put a kubeconfig in $SHARED_DIR/kubeconfig or ~/.kube/config), set MTV_CLUSTER_HOST, MTV_CLUSTER_USERNAME and MTV_CLUSTER_PASSWORD, or run in a pod");
	if (!dir || !*dir)
		dir = KUBECONFIG_SA_DIR;
	buf_addf(&server, strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s", host,
		 port && *port ? port : "443");
	kc->server = buf_take(&server);
	kc->context = strdup("in-cluster");
	kc->source = strdup("in-cluster service account");
	snprintf(path, sizeof(path), "%s/token", dir);
	kc->token_file = strdup(path);
	snprintf(what, sizeof(what), "in-cluster service account");
	if (!kc->server || !kc->context || !kc->source || !kc->token_file) {
		kubeconfig_release(kc);
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	}
	if (read_token_file(kc->token_file, &kc->token, what, err) < 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/ca.crt", dir);
	e = read_whole(path, KUBECONFIG_FILE_MAX, &kc->ca_pem, &kc->ca_len);
	if (e || !kc->ca_len) {
		mtv_err_set(err, MTV_EXIT_USAGE, "in-cluster service account %s: %s", path,
			    e ? strerror(e) : "is empty");
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/namespace", dir);
	if (read_whole(path, 4096, &ns, &len) == 0) {
		while (len && (ns[len - 1] == '\n' || ns[len - 1] == ' '))
			ns[--len] = '\0';
		if (len)
			kc->namespace = ns;
		else
			free(ns);
	}
	return 0;
fail:
	kubeconfig_release(kc);
	return -1;
}

int kubeconfig_reload_token(struct kubeconfig *kc, struct mtv_err *err)
{
	char *token = NULL;
	char what[4200];
	int changed;

	if (!kc->token_file)
		return 0;
	snprintf(what, sizeof(what), "%s: token file", kc->source ? kc->source : "kubeconfig");
	if (read_token_file(kc->token_file, &token, what, err) < 0)
		return -1;
	changed = !kc->token || strcmp(kc->token, token) != 0;
	if (kc->token)
		free_secret(&kc->token, strlen(kc->token));
	kc->token = token;
	return changed;
}
