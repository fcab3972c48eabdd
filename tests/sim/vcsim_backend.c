/* A vSphere world provider backed by a live vcsim (world "backend":
 * "vcsim"): the sim simulates neither its endpoint nor its VMs.  The
 * provider's VMs, datastores, networks, hosts, folders, clusters and
 * datacenters are collected from vcsim over vim25 with lib/vsphere and put
 * (vcsim_world.c) into the world provider in the shape a simulated one has, so the
 * inventory, the Plan validation, the pipelines and the destination objects
 * use them unchanged; ids are vcsim's morefs.  The Provider connection test
 * is a real Login with the Secret's credentials and CA.
 *
 * Re-collection: one thread per provider, with its own vim25 session,
 * collects every VCSIM_PERIOD_MS and swaps the result into the world under
 * sim->lock.  Periodic full collection rather than WaitForUpdatesEx on a
 * view: a collection is a consistent snapshot built in a handful of calls
 * (one view and one read for every object, the VM facts in two bulk reads),
 * there is no update stream to replay and no partial state to keep right
 * after a missed update, and the staleness is bounded by the period plus
 * one collection (well under the 2 s a clone must take to show), which is
 * what a test of clone -> inventory sync needs.  Forklift itself follows
 * updates; what that buys (less traffic on a large vCenter) does not matter
 * against a test simulator, and the cost here is counted in /sim/stats.
 *
 * The thread also runs the connection tests: ctl_provider (holding
 * sim->lock) asks with vcsim_connection_test and reads the answer on a later
 * tick; the thread never holds its own lock while taking sim->lock. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include "sim.h"
#include "fsutil.h"
#include "log.h"
#include "vcsim.h"

#define VCSIM_PERIOD_MS 1000
#define TESTS_MAX 32
#define CA_MAX (256 * 1024)
#define UNKNOWN_AUTHORITY "tls: failed to verify certificate: x509: certificate signed by unknown authority"

struct conntest {
	char key[512];		/* provider uid, Secret resourceVersion, url */
	bool done;
	char *user, *password, *ca;	/* the Secret's, until tested; wiped after */
	bool insecure;
	int result;		/* VCSIM_TEST_* */
	char msg[600];
	unsigned long seq;	/* for replacing the oldest */
};

struct vcb {
	struct sim *sim;
	cJSON *wprov;		/* in sim->world; the object stays, its arrays are swapped */
	cJSON *seed_vms;	/* the world file's VMs: what vcsim was seeded with */
	char name[256];
	char url[512];
	char user[256];
	char *password;
	char *ca_pem;		/* the CA vcsim's certificate chains to (caFile), or NULL */
	struct vsphere_client c;
	bool logged_in;
	pthread_t th;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	volatile sig_atomic_t stop;
	struct conntest tests[TESTS_MAX];
	unsigned long seq;
	/* counters, published into /sim/stats */
	unsigned long collections, failures, calls, last_calls, conn_tests;
	double last_ms, max_ms;
	size_t last_vms;
};

static struct vcb backends[SIM_MAX_ENDPOINTS];
static int nbackends;

bool vcsim_backend(const cJSON *wprov)
{
	return !strcmp(json_str(wprov, "backend", ""), "vcsim");
}

static struct vcb *backend_of(const cJSON *wprov)
{
	for (int i = 0; i < nbackends; i++)
		if (backends[i].wprov == wprov)
			return &backends[i];
	return NULL;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000.0 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void wipe_free(char *s)
{
	if (s) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

/* A file the world names: absolute, or relative to the state dir (where
 * vcsim_sim_start has vcsim write its URL and certificate). */
static char *read_state_file(struct sim *sim, const char *name, struct mtv_err *err)
{
	struct buf b = BUF_INIT(CA_MAX);
	char path[4096];
	char *s;

	snprintf(path, sizeof(path), "%s%s%s", *name == '/' ? "" : sim->state_dir, *name == '/' ? "" : "/", name);
	if (fs_read_file(path, &b, CA_MAX, NULL) < 0) {
		buf_release(&b);
		mtv_err_set(err, MTV_EXIT_ENV, "%s: %s", path, strerror(errno));
		return NULL;
	}
	s = strdup(buf_str(&b));
	buf_release(&b);
	if (!s)
		abort();
	return s;
}

/* ---- collecting ---- */

static void publish_stats(struct vcb *b)
{
	cJSON *all, *s;

	sim_wrlock(b->sim);
	all = cJSON_GetObjectItemCaseSensitive(b->sim->stats, "vcsim");
	if (!all)
		all = cJSON_AddObjectToObject(b->sim->stats, "vcsim");
	cJSON_DeleteItemFromObjectCaseSensitive(all, b->name);
	s = cJSON_AddObjectToObject(all, b->name);
	pthread_mutex_lock(&b->mu);
	cJSON_AddStringToObject(s, "url", b->url);
	cJSON_AddNumberToObject(s, "collections", (double)b->collections);
	cJSON_AddNumberToObject(s, "failedCollections", (double)b->failures);
	cJSON_AddNumberToObject(s, "calls", (double)b->calls);
	cJSON_AddNumberToObject(s, "callsLastCollection", (double)b->last_calls);
	cJSON_AddNumberToObject(s, "lastCollectionMs", round(b->last_ms * 10) / 10);
	cJSON_AddNumberToObject(s, "maxCollectionMs", round(b->max_ms * 10) / 10);
	cJSON_AddNumberToObject(s, "vms", (double)b->last_vms);
	cJSON_AddNumberToObject(s, "periodMs", VCSIM_PERIOD_MS);
	cJSON_AddNumberToObject(s, "connectionTests", (double)b->conn_tests);
	pthread_mutex_unlock(&b->mu);
	sim_unlock(b->sim);
}

static int ensure_session(struct vcb *b, struct mtv_err *err)
{
	if (b->logged_in)
		return 0;
	if (vsphere_connect(&b->c, err) < 0 || vsphere_login(&b->c, b->user, b->password, err) < 0)
		return -1;
	b->logged_in = true;
	return 0;
}

/* One collection: every object, then the facts of every VM; swapped into
 * the world provider when both reads worked. */
static int collect(struct vcb *b, struct mtv_err *err)
{
	struct vsphere_object *objs = NULL;
	struct vsphere_vm *vms = NULL;
	const char **names = NULL;
	const struct vsphere_object **vobj = NULL;
	size_t n = 0, nvm = 0;
	unsigned long calls0 = b->c.calls;
	struct timespec t0;
	cJSON *prov;
	bool retried = false;
	int r = -1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (ensure_session(b, err) < 0)
		goto out;
again:
	if (vsphere_inventory(&b->c, &objs, &n, err) < 0)
		goto out;
	names = calloc(n + 1, sizeof(*names));
	vobj = calloc(n + 1, sizeof(*vobj));
	if (!names || !vobj)
		abort();
	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		if (strcmp(objs[i].ref.type, "VirtualMachine") || !objs[i].name)
			continue;
		/* vCenter allows a name twice in different folders; by-name
		 * reads cannot tell them apart, so neither is listed. */
		for (size_t j = 0; j < n; j++)
			if (j != i && !strcmp(objs[j].ref.type, "VirtualMachine") && objs[j].name &&
			    !strcmp(objs[j].name, objs[i].name))
				dup = true;
		if (dup) {
			log_debug("vcsim %s: VM name %s is used twice; not listed", b->name, objs[i].name);
			continue;
		}
		vobj[nvm] = &objs[i];
		names[nvm++] = objs[i].name;
	}
	if (nvm && vsphere_vms_get(&b->c, names, nvm, &vms, err) < 0) {
		/* A VM destroyed between the two reads is not an error of the
		 * collection: read everything again, once. */
		if (!strcmp(err->reason, "NotFound") && !retried) {
			retried = true;
			vsphere_objects_free(objs, n);
			free(names);
			free(vobj);
			objs = NULL;
			names = NULL;
			vobj = NULL;
			n = nvm = 0;
			mtv_err_clear(err);
			goto again;
		}
		goto out;
	}
	prov = vcsim_world_provider(objs, n, vobj, vms, nvm, b->seed_vms);
	sim_wrlock(b->sim);
	{
		cJSON *e = prov->child, *next;

		for (; e; e = next) {
			char key[64];

			next = e->next;
			/* the replace frees the item's own key string: copy it */
			snprintf(key, sizeof(key), "%s", e->string);
			cJSON_DetachItemViaPointer(prov, e);
			if (cJSON_GetObjectItemCaseSensitive(b->wprov, key))
				cJSON_ReplaceItemInObjectCaseSensitive(b->wprov, key, e);
			else
				cJSON_AddItemToObject(b->wprov, key, e);
		}
	}
	sim_notify(b->sim);
	sim_unlock(b->sim);
	cJSON_Delete(prov);
	r = 0;
out:
	if (r < 0 && (!strcmp(err->reason, "NotAuthenticated") || !b->c.cookie))
		b->logged_in = false;	/* the session expired (or never was): log in again next time */
	pthread_mutex_lock(&b->mu);
	if (r == 0) {
		b->collections++;
		b->last_vms = nvm;
	} else {
		b->failures++;
	}
	b->last_calls = b->c.calls - calls0;
	b->calls += b->last_calls;
	b->last_ms = ms_since(&t0);
	if (b->last_ms > b->max_ms)
		b->max_ms = b->last_ms;
	pthread_mutex_unlock(&b->mu);
	if (vms)
		vsphere_vms_free(vms, nvm);
	free(names);
	free(vobj);
	vsphere_objects_free(objs, n);
	return r;
}

/* ---- the connection test ---- */

static bool pem_has_cert(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	bool ok = x != NULL;

	X509_free(x);
	BIO_free(bio);
	return ok;
}

/* Forklift's vSphere connection test: the TLS handshake against the
 * Secret's CA (base.VerifyTLSConnection), then Login with its credentials. */
static void run_test(struct vcb *b, struct conntest *t)
{
	struct vsphere_client c;
	struct mtv_err err;
	bool https = !strncmp(b->url, "https://", 8);

	mtv_err_clear(&err);
	t->result = VCSIM_TEST_OK;
	*t->msg = '\0';
	if (https && !t->insecure && (!t->ca || !pem_has_cert(t->ca))) {
		t->result = VCSIM_TEST_FAILED;
		snprintf(t->msg, sizeof(t->msg), "failed to get TLS certificate: failed to parse the specified certificate");
		return;
	}
	if (vsphere_client_init(&c, b->url, &err) < 0) {
		t->result = VCSIM_TEST_FAILED;
		snprintf(t->msg, sizeof(t->msg), "Connection test, failed: %.500s", err.msg);
		return;
	}
	http_client_set_interrupt(&c.http, &b->stop);
	/* quick answers: a test is retried on the next Secret change anyway */
	c.http.retry.max_attempts = 2;
	if ((https && vsphere_client_tls(&c, t->insecure ? NULL : t->ca, t->insecure, &err) < 0) ||
	    vsphere_connect(&c, &err) < 0) {
		t->result = VCSIM_TEST_FAILED;
		if (strstr(err.msg, "SSL") || strstr(err.msg, "certificate"))
			snprintf(t->msg, sizeof(t->msg), "failed to create a secure TLS connection: %s", UNKNOWN_AUTHORITY);
		else
			snprintf(t->msg, sizeof(t->msg), "Connection test, failed: %.500s", err.msg);
	} else if (vsphere_login(&c, t->user, t->password, &err) < 0) {
		if (!strcmp(err.reason, "InvalidLogin")) {
			t->result = VCSIM_TEST_AUTH;
			snprintf(t->msg, sizeof(t->msg), "Connection auth failed, error: 401 Unauthorized: incorrect user name or password.");
		} else {
			t->result = VCSIM_TEST_FAILED;
			snprintf(t->msg, sizeof(t->msg), "Connection test, failed: %.500s", err.msg);
		}
	} else {
		struct mtv_err e2;

		mtv_err_clear(&e2);
		vsphere_logout(&c, &e2);
	}
	vsphere_client_release(&c);
}

static struct conntest *pending_test(struct vcb *b)
{
	for (int i = 0; i < TESTS_MAX; i++)
		if (b->tests[i].key[0] && !b->tests[i].done)
			return &b->tests[i];
	return NULL;
}

static void run_tests(struct vcb *b)
{
	for (;;) {
		struct conntest *t, copy;

		pthread_mutex_lock(&b->mu);
		t = pending_test(b);
		if (!t) {
			pthread_mutex_unlock(&b->mu);
			return;
		}
		copy = *t;
		t->user = t->password = t->ca = NULL;	/* the copy owns them now */
		pthread_mutex_unlock(&b->mu);
		run_test(b, &copy);
		wipe_free(copy.user);
		wipe_free(copy.password);
		free(copy.ca);
		pthread_mutex_lock(&b->mu);
		/* the slot may have been reused meanwhile: match by key */
		for (int i = 0; i < TESTS_MAX; i++)
			if (!strcmp(b->tests[i].key, copy.key) && !b->tests[i].done) {
				b->tests[i].done = true;
				b->tests[i].result = copy.result;
				snprintf(b->tests[i].msg, sizeof(b->tests[i].msg), "%s", copy.msg);
			}
		b->conn_tests++;
		pthread_mutex_unlock(&b->mu);
		publish_stats(b);
	}
}

int vcsim_connection_test(struct sim *sim, const cJSON *wprov, const char *key, const char *user, const char *password,
			  const char *ca, bool insecure, char *msg, size_t msgsz)
{
	struct vcb *b = backend_of(wprov);
	struct conntest *slot = NULL;
	int r = VCSIM_TEST_PENDING;

	(void)sim;
	if (!b) {
		snprintf(msg, msgsz, "Connection test, failed: no vcsim backend");
		return VCSIM_TEST_FAILED;
	}
	pthread_mutex_lock(&b->mu);
	for (int i = 0; i < TESTS_MAX; i++)
		if (!strcmp(b->tests[i].key, key)) {
			slot = &b->tests[i];
			break;
		}
	if (slot && slot->done) {
		r = slot->result;
		snprintf(msg, msgsz, "%s", slot->msg);
	} else if (!slot) {
		/* a new test: the free or the oldest slot */
		slot = &b->tests[0];
		for (int i = 0; i < TESTS_MAX; i++) {
			if (!b->tests[i].key[0]) {
				slot = &b->tests[i];
				break;
			}
			if (b->tests[i].seq < slot->seq)
				slot = &b->tests[i];
		}
		wipe_free(slot->user);
		wipe_free(slot->password);
		free(slot->ca);
		memset(slot, 0, sizeof(*slot));
		snprintf(slot->key, sizeof(slot->key), "%s", key);
		slot->user = strdup(user);
		slot->password = strdup(password);
		slot->ca = ca ? strdup(ca) : NULL;
		slot->insecure = insecure;
		slot->seq = ++b->seq;
		pthread_cond_signal(&b->cv);
	}
	pthread_mutex_unlock(&b->mu);
	return r;
}

/* ---- the thread ---- */

static void *backend_main(void *arg)
{
	struct vcb *b = arg;
	struct timespec next;

	clock_gettime(CLOCK_REALTIME, &next);
	while (!b->stop) {
		struct timespec now;

		run_tests(b);
		clock_gettime(CLOCK_REALTIME, &now);
		if (now.tv_sec > next.tv_sec || (now.tv_sec == next.tv_sec && now.tv_nsec >= next.tv_nsec)) {
			struct mtv_err err;

			mtv_err_clear(&err);
			if (collect(b, &err) < 0 && !b->stop)
				log_warn("vcsim %s: collection failed: %s", b->name, err.msg);
			publish_stats(b);
			clock_gettime(CLOCK_REALTIME, &next);
			next.tv_nsec += (long)VCSIM_PERIOD_MS * 1000000L;
			next.tv_sec += next.tv_nsec / 1000000000L;
			next.tv_nsec %= 1000000000L;
		}
		pthread_mutex_lock(&b->mu);
		if (!b->stop && !pending_test(b))
			pthread_cond_timedwait(&b->cv, &b->mu, &next);
		pthread_mutex_unlock(&b->mu);
	}
	return NULL;
}

static int backend_init(struct sim *sim, cJSON *p, struct vcb *b, struct mtv_err *err)
{
	const char *url_file = json_str(p, "urlFile", "");
	char *url, *nl;

	memset(b, 0, sizeof(*b));
	b->sim = sim;
	b->wprov = p;
	snprintf(b->name, sizeof(b->name), "%s", json_str(p, "name", ""));
	snprintf(b->user, sizeof(b->user), "%s", json_str(p, "user", ""));
	b->password = strdup(json_str(p, "password", ""));
	pthread_mutex_init(&b->mu, NULL);
	{
		pthread_condattr_t ca;
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_REALTIME);
		pthread_cond_init(&b->cv, &ca);
		pthread_condattr_destroy(&ca);
	}
	url = read_state_file(sim, url_file, err);
	if (!url)
		return mtv_err_prefix(err, "provider %s: vcsim urlFile", b->name);
	nl = url + strcspn(url, "\r\n");
	*nl = '\0';
	snprintf(b->url, sizeof(b->url), "%s", url);
	free(url);
	if (strncmp(b->url, "http://", 7) && strncmp(b->url, "https://", 8))
		return mtv_err_set(err, MTV_EXIT_ENV, "provider %s: vcsim urlFile holds \"%s\", not a URL", b->name, b->url);
	if (*json_str(p, "caFile", "") && !strncmp(b->url, "https://", 8)) {
		b->ca_pem = read_state_file(sim, json_str(p, "caFile", ""), err);
		if (!b->ca_pem)
			return mtv_err_prefix(err, "provider %s: vcsim caFile", b->name);
	}
	/* The provider's url is vcsim's: what Provider CRs and providers.json name. */
	if (json_get(p, "url"))
		cJSON_ReplaceItemInObjectCaseSensitive(p, "url", cJSON_CreateString(b->url));
	else
		cJSON_AddStringToObject(p, "url", b->url);
	b->seed_vms = cJSON_DetachItemFromObjectCaseSensitive(p, "vms");
	cJSON_AddArrayToObject(p, "vms");
	if (vsphere_client_init(&b->c, b->url, err) < 0)
		return -1;
	http_client_set_interrupt(&b->c.http, &b->stop);
	/* With no caFile the collector (the sim's, not a Provider's) does not
	 * verify; the connection test always does, as the Secret says. */
	if (!strncmp(b->url, "https://", 8) && vsphere_client_tls(&b->c, b->ca_pem, !b->ca_pem, err) < 0)
		return -1;
	return 0;
}

int vcsim_backends_start(struct sim *sim, struct mtv_err *err)
{
	cJSON *p;

	cJSON_ArrayForEach(p, json_get(sim->world, "providers")) {
		struct vcb *b;

		if (!vcsim_backend(p))
			continue;
		if (nbackends == SIM_MAX_ENDPOINTS)
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s: more than %d vcsim providers", sim->world_path,
					   SIM_MAX_ENDPOINTS);
		b = &backends[nbackends++];
		if (backend_init(sim, p, b, err) < 0)
			return -1;
		/* The first collection before the sim says it is ready, so the
		 * inventory is complete from the first request on. */
		if (collect(b, err) < 0)
			return mtv_err_prefix(err, "provider %s: collecting from vcsim at %s", b->name, b->url);
		publish_stats(b);
		log_info("provider %s: backed by vcsim at %s (%zu VMs, %lu vim25 calls in %.0f ms)", b->name, b->url,
			 b->last_vms, b->last_calls, b->last_ms);
		if (pthread_create(&b->th, NULL, backend_main, b))
			return mtv_err_set(err, MTV_EXIT_ENV, "provider %s: cannot start the vcsim collector", b->name);
		b->started = true;
	}
	return 0;
}

void vcsim_backends_stop(struct sim *sim)
{
	(void)sim;
	for (int i = 0; i < nbackends; i++) {
		struct vcb *b = &backends[i];
		struct mtv_err err;

		pthread_mutex_lock(&b->mu);
		b->stop = 1;
		pthread_cond_signal(&b->cv);
		pthread_mutex_unlock(&b->mu);
		if (b->started)
			pthread_join(b->th, NULL);
		b->stop = 0;	/* logout must not be interrupted */
		mtv_err_clear(&err);
		if (b->logged_in)
			vsphere_logout(&b->c, &err);
		vsphere_client_release(&b->c);
		for (int k = 0; k < TESTS_MAX; k++) {
			wipe_free(b->tests[k].user);
			wipe_free(b->tests[k].password);
			free(b->tests[k].ca);
		}
		wipe_free(b->password);
		free(b->ca_pem);
		cJSON_Delete(b->seed_vms);
		pthread_mutex_destroy(&b->mu);
		pthread_cond_destroy(&b->cv);
	}
	nbackends = 0;
}
