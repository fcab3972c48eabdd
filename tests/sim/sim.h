/* mtv-sim: shared declarations.
 *
 * One process, one read-write lock: the object store, the watch event log,
 * the controller and the inventory all live behind sim.lock.  Reads of the
 * Kubernetes API (get, list, discovery, a watch collecting its events)
 * share it; every other request, the controller tick and the vcsim
 * collector hold it alone (server.c decides which).  MHD runs a thread per
 * connection so a watch may block on sim.changed (under sim.notify_mu, not
 * the store lock) without stalling other clients; the controller is one
 * more thread ticking on a timer.
 */
#ifndef MTV_SIM_H
#define MTV_SIM_H

#include <pthread.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "buf.h"
#include "err.h"
#include "json.h"

/* ---- resource types (restypes.c) ---- */

struct restype {
	const char *group;	/* "" for core */
	const char *version;
	const char *plural;
	const char *singular;
	const char *kind;
	const char *shortnames; /* comma separated, or NULL */
	bool namespaced;
	bool has_status;
	const char *crd_file;	/* forklift CRD file name, for validation */
};

const struct restype *restype_find(const char *group, const char *version, const char *plural);
const struct restype *restype_by_kind(const char *apiversion, const char *kind);
const struct restype *restype_at(size_t i);
/* "group/version" or "v1" */
void restype_apiversion(const struct restype *rt, char *out, size_t outsz);

/* ---- object store (store.c) ---- */

enum ev_type { EV_ADDED, EV_MODIFIED, EV_DELETED };

struct sobj {
	const struct restype *rt;
	char *ns;		/* "" for cluster scoped */
	char *name;
	cJSON *o;
	unsigned long long rv;
	/* store.c's indexes; read them, never write them */
	char *uid;
	struct sobj *key_next, *uid_next;	/* hash chains: rt/ns/name, uid */
	struct sobj *kind_prev, *kind_next;	/* the kind's objects, oldest first */
	struct sobj *ns_prev, *ns_next;		/* the namespace's objects */
	char **owners;				/* owner uids as indexed (ownerReferences) */
	int nowners;
};

struct event {
	unsigned long long rv;
	enum ev_type type;
	const struct restype *rt;
	char *ns;
	cJSON *o;		/* snapshot */
};

#define EVENT_RING 8192
#define STORE_BUCKETS 16384	/* fixed hash tables: chains stay short to ~50k objects */

struct store_kind {
	const struct restype *rt;
	struct sobj *head, *tail;
	size_t n;
};

struct store_ns;
struct store_deps;
struct store_work;

struct store {
	struct sobj **objs;		/* every object, in creation order */
	size_t n, cap;
	unsigned long long rv;		/* last resourceVersion handed out */
	struct event ring[EVENT_RING];
	size_t ring_start, ring_len;
	unsigned long long uid_counter;
	/* indexes, so a get is O(1), a list O(kind) and garbage collection
	 * O(dependents) (store.c) */
	struct sobj **by_key, **by_uid;
	struct store_ns **by_ns;
	struct store_deps **deps;	/* owner uid -> dependents */
	const struct restype *nsrt;	/* namespaces */
	struct store_kind kinds[96];
	size_t nkinds;
	/* the garbage collector's queue, drained by store_gc */
	struct store_work *work;
	size_t work_head, work_len, work_cap;
};

/* DeleteOptions.propagationPolicy; DEFAULT: none given (the object's own
 * orphan/foregroundDeletion finalizer decides, else Background). */
enum propagation { PROP_DEFAULT, PROP_BACKGROUND, PROP_FOREGROUND, PROP_ORPHAN };

void store_init(struct store *s);
void store_release(struct store *s);
struct sobj *store_find(struct store *s, const struct restype *rt, const char *ns, const char *name);
struct sobj *store_find_uid(struct store *s, const char *uid);
/* The objects of a kind, oldest first: for (so = store_first(s, rt); so; so = so->kind_next) */
struct sobj *store_first(struct store *s, const struct restype *rt);
size_t store_count(struct store *s, const struct restype *rt);
/* The objects of a namespace: for (so = store_ns_first(s, ns); so; so = so->ns_next) */
struct sobj *store_ns_first(struct store *s, const char *ns);
/* Insert a new object (takes ownership of o); fills uid, rv, timestamps. */
struct sobj *store_insert(struct store *s, const struct restype *rt, const char *ns, cJSON *o);
/* Replace the object's JSON (takes ownership of o), bump rv, emit MODIFIED,
 * and remove it when it is being deleted and has no finalizers left. */
void store_update(struct store *s, struct sobj *so, cJSON *o);
/* Delete honouring finalizers; returns a copy of the last state (caller frees). */
cJSON *store_delete(struct store *s, struct sobj *so);
/* The same with a propagation policy, as the API server's Delete: orphan
 * and foreground add their finalizer and set deletionTimestamp. */
cJSON *store_delete_opts(struct store *s, struct sobj *so, enum propagation policy);
/* Remove right now, emitting DELETED. */
void store_remove(struct store *s, struct sobj *so);
/* Run the garbage collector's pending work: dependents of deleted owners,
 * orphaning, foreground deletion, namespace termination.  Work is queued
 * by the writes that make it necessary, so this costs O(what changed). */
void store_gc(struct store *s);
bool store_ns_exists(struct store *s, const char *ns, bool *terminating);
unsigned long long store_oldest_rv(const struct store *s);
void sim_now_rfc3339(char *out, size_t outsz);
void sim_time_rfc3339(time_t t, char *out, size_t outsz);
void sim_new_uid(struct store *s, char *out, size_t outsz);

/* ---- selectors (select.c) ---- */

struct selector;
int selector_parse_labels(const char *text, struct selector **out, char *errmsg, size_t errsz);
int selector_parse_fields(const char *text, struct selector **out, char *errmsg, size_t errsz);
bool selector_match_labels(const struct selector *sel, const cJSON *obj);
bool selector_match_fields(const struct selector *sel, const cJSON *obj);
void selector_free(struct selector *sel);

/* ---- patches (patch.c) ---- */

/* RFC 7386; target is modified in place (may be replaced: returns the new root). */
cJSON *sim_merge_patch(cJSON *target, const cJSON *patch);
/* RFC 6902; returns 0 or -1 with a message. */
int sim_json_patch(cJSON **target, const cJSON *ops, char *errmsg, size_t errsz);

/* ---- CRD schemas (crd.c) ---- */

int crd_load_dir(const char *dir, struct mtv_err *err);
/* 0 when valid; else -1 with causes appended to causes (array of Status causes). */
int crd_validate(const struct restype *rt, const cJSON *obj, cJSON *causes);
bool crd_loaded(void);
/* Apply the schema defaults, as the API server does before storing. */
void crd_default(const struct restype *rt, cJSON *obj);
/* additionalPrinterColumns of the kind's CRD, or NULL */
const cJSON *crd_printer_columns(const struct restype *rt);

/* ---- world (world.c) ---- */

struct sim;
int world_load(struct sim *sim, const char *path, struct mtv_err *err);
/* Create the cluster's initial objects from the world. */
int world_seed(struct sim *sim, struct mtv_err *err);
int world_write_providers_json(struct sim *sim, const char *path, struct mtv_err *err);
cJSON *world_provider_by_url(struct sim *sim, const char *type, const char *url);

/* ---- faults and stats (faults.c) ---- */

struct faults {
	double rate500, rate503, rate429, rate_drop;
	int latency_ms;
	int watch_cut;		/* cut watch streams after N events, 0 = never */
	unsigned int seed;
};
int faults_parse(const char *spec, struct faults *f, struct mtv_err *err);

/* ---- TLS listeners besides the API server (tlsgen.c, endpoints.c) ---- */

struct MHD_Daemon;

struct sim_tls {
	char *ca_pem, *cert_pem, *key_pem;	/* PEM; cert_pem is the leaf alone */
};

/* A source provider's own TLS endpoint (a vCenter, an oVirt engine, a
 * Keystone): 127.0.0.1:<port> with a certificate from its own CA. */
struct sim_endpoint {
	const cJSON *wprov;		/* the world provider it stands for */
	int port;
	char url[512];			/* the world url with its host:port replaced */
	char host[256];			/* the world url's host, also in the certificate */
	struct sim_tls tls;
	struct MHD_Daemon *d;
};

#define SIM_MAX_ENDPOINTS 16

/* ---- the whole simulator ---- */

struct sim {
	pthread_rwlock_t lock;		/* sim_rdlock / sim_wrlock / sim_unlock */
	pthread_mutex_t notify_mu;	/* guards notify_seq, with changed */
	pthread_cond_t changed;
	unsigned long long notify_seq;	/* bumped by sim_notify on every store event */
	pthread_mutex_t aux;		/* stats counters and the request log, which readers write */
	struct store store;
	cJSON *world;
	const char *world_path;
	const char *state_dir;
	double speed;
	unsigned int seed;
	unsigned int rng;
	struct faults faults;
	int port;
	char token[65];
	char *ca_pem, *cert_pem, *key_pem;
	char *client_cert_pem, *client_key_pem;	/* system:admin, for kubeconfig-cert */
	cJSON *sa_tokens;	/* TokenRequest tokens: [{token, ns, name, uid, exp}] (auth.c) */
	struct sim_tls ingress;		/* the router's default certificate and the ingress CA */
	int route_port;			/* the inventory Route's listener */
	struct MHD_Daemon *route_daemon;
	struct sim_endpoint endpoints[SIM_MAX_ENDPOINTS];
	int nendpoints;
	FILE *reqlog;
	cJSON *logs;		/* pod logs by "ns/name" */
	cJSON *stats;		/* {"requests":{verb:{resource:n}}, "plans":{...}} */
	volatile int stopping;
	struct timespec start;
	time_t start_wall;	/* wall clock at start: the simulated clock starts here */
	double sim_offset;	/* simulated seconds added by --speed 0 stepping */
};

extern struct sim *g_sim;

/* The store lock (lock.c).  A reader must not write anything shared but
 * through stats_count (which takes sim->aux). */
void sim_lock_init(struct sim *sim);
void sim_rdlock(struct sim *sim);
void sim_wrlock(struct sim *sim);
void sim_unlock(struct sim *sim);
/* Wake the watches: called by a writer (holding the lock) after a change. */
void sim_notify(struct sim *sim);

/* simulated seconds since start */
double sim_now(struct sim *sim);
unsigned int sim_rand(struct sim *sim);

/* ---- TLS material (tlsgen.c) ---- */
int tls_generate(struct sim *sim, struct mtv_err *err);
/* A fresh CA named ca_cn and a leaf for 127.0.0.1, localhost and extra_dns;
 * with client_cert, also a system:admin client certificate (and key) that
 * CA signs, as in the installer's kubeconfig. */
int tls_issue(const char *ca_cn, const char *extra_dns, struct sim_tls *out, char **client_cert,
	      char **client_key, struct mtv_err *err);
void tls_release(struct sim_tls *t);
/* 0 when leaf_pem chains to a certificate of pool_pem (every one a trust
 * anchor, as in Go) and names host; else -1 with why = "parse" (no
 * certificate in pool_pem), "unknown" (unknown authority) or "name". */
int tls_verify_pem(const char *pool_pem, const char *leaf_pem, const char *host, char *why, size_t whysz);

/* endpoints.c: one listener per world provider with an https url */
int endpoints_start(struct sim *sim, struct mtv_err *err);
void endpoints_stop(struct sim *sim);
/* The endpoint of a world provider, or NULL (OVA, the local OpenShift). */
const struct sim_endpoint *endpoint_of(const struct sim *sim, const cJSON *wprov);

/* ---- HTTP (server.c, api.c, ...) ---- */

/* Who sent a request (auth.c). */
struct principal {
	char user[320];		/* "kube:admin", "system:admin", "system:serviceaccount:ns:sa" */
	char groups[4][300];
	int ngroups;
	bool admin;		/* system:masters or the kubeadmin token: RBAC not consulted */
	char sa_ns[256], sa_name[256];	/* a service account token's account */
};

struct request {
	void *conn;		/* struct MHD_Connection */
	const struct principal *who;	/* the authenticated caller (API server requests) */
	const char *authz;	/* the Authorization header as received, or NULL */
	const char *method;
	char path[2048];
	struct buf body;
	const char *accept;
	const char *ctype;
};

struct response {
	int status;
	char *body;		/* malloc'd */
	const char *ctype;
	char *extra_header_name, *extra_header_value;
	struct watch *watch;	/* streaming response when set */
	struct pf_upgrade *upgrade;	/* a port-forward WebSocket when set (portforward.c) */
};

const char *req_query(struct request *r, const char *key);

void resp_json(struct response *resp, int status, cJSON *body); /* consumes body */
void resp_status(struct response *resp, int code, const char *reason, const char *msg,
		 const char *kind, const char *name, cJSON *causes);

/* Kubernetes API; the caller holds sim->lock. */
void api_handle(struct sim *sim, struct request *r, struct response *resp);
void discovery_handle(struct sim *sim, struct request *r, struct response *resp, bool *handled);
void inventory_handle(struct sim *sim, struct request *r, const char *subpath, struct response *resp);
void openapi_handle(struct sim *sim, struct request *r, struct response *resp);
void stats_handle(struct sim *sim, struct request *r, struct response *resp);
void stats_objects(struct sim *sim, struct request *r, struct response *resp);
void stats_count(struct sim *sim, const char *verb, const char *resource);
/* A client's create that succeeded (not a dry run): counted per
 * plural/namespace/name, or per generateName ("…/prefix-*") when the
 * server chose the name, in /sim/stats "creates". */
void stats_created(struct sim *sim, const char *plural, const char *ns, const char *name, const char *generate_name);

/* watch.c */
struct watch;
struct watch *watch_new(struct sim *sim, const struct restype *rt, const char *ns,
			struct selector *labels, struct selector *fields,
			unsigned long long from_rv, bool send_initial, bool bookmarks, int timeout_s);
long watch_read(struct watch *w, char *buf, size_t max);
void watch_free(struct watch *w);

/* controller.c */
void *controller_main(void *arg);
void controller_tick(struct sim *sim);

/* object helpers (api.c) */
struct sobj *api_create_internal(struct sim *sim, const struct restype *rt, const char *ns, cJSON *o);
const char *sim_obj_name(const cJSON *o);
const char *sim_obj_ns(const cJSON *o);

#endif

/* more api.c / watch.c helpers */
bool api_wants_table(struct request *r);
cJSON *api_table_one(const struct restype *rt, const cJSON *o, unsigned long long rv);
void watch_set_table(struct watch *w);
struct MHD_Daemon;
struct MHD_Daemon *server_start(struct sim *sim, int port, struct mtv_err *err);
/* The inventory Route's own listener (router certificate), port in sim->route_port. */
int server_start_route(struct sim *sim, struct mtv_err *err);
#ifdef MHD_VERSION
/* A further TLS listener on 127.0.0.1, any free port (*port). */
struct MHD_Daemon *server_listen_tls(const char *cert_pem, const char *key_pem, MHD_AccessHandlerCallback h,
				     void *cls, int *port, struct mtv_err *err);
#endif

/* portforward.c: KubeVirt's port-forward subresource (WebSocket) */
struct pf_upgrade;
bool pf_is_portforward(const char *path);
/* Check the request (RBAC, the VMI, the handshake); the upgrade to make
 * (resp->status 101) or NULL with resp set.  Caller holds sim->lock. */
struct pf_upgrade *pf_prepare(struct sim *sim, struct request *r, struct response *resp);
#ifdef MHD_VERSION
/* The 101 response; takes up (freed when the stream ends). */
struct MHD_Response *pf_response(struct pf_upgrade *up);
#endif

/* source.c */
const char *src_storage_collection(const char *type);
cJSON *src_world_provider(struct sim *sim, const cJSON *provider);
const char *src_vm_id(struct sim *sim, const cJSON *wprov, const cJSON *vm);
cJSON *src_vm_find(struct sim *sim, const cJSON *wprov, const char *id, const char *name, int *count);
cJSON *src_find_by(const cJSON *arr, const char *id, const char *name, int *count);
const char *src_disk_storage(const cJSON *wprov, const cJSON *disk);
cJSON *src_storages(const cJSON *wprov);

/* names.c */
bool sim_dns1123_label(const char *s);
void sim_vm_newname(const char *name, char *out, size_t outsz);
int sim_gotmpl(const char *tmpl, const cJSON *data, char *out, size_t outsz);
/* The VM's PVC name template: the VM's, the Plan's, the ForkliftController's
 * (ocp: controller_ocp_pvc_name_template), else Forklift's default. */
const char *sim_pvc_template(const cJSON *plan, const cJSON *pvm, const cJSON *fc_spec, bool ocp);
/* The template data (a new object) of world VM vm's disk (NULL: an
 * OpenStack image), src_pos its place among the world's disks, idx its
 * DiskIndex. */
cJSON *sim_pvc_template_data(const cJSON *vm, const cJSON *disk, int src_pos, const cJSON *wprov, const char *target,
			     const char *plan_name, const char *vmid, int idx);
/* Render and validate as Forklift does (trimmed, non-empty, a DNS-1123
 * label); -1 with why filled when the template is invalid.  No fallback. */
int sim_pvc_name_render(const char *tmpl, const cJSON *data, char *out, size_t outsz, char *why, size_t whysz);

/* oauth.c: the OpenShift OAuth server (no bearer token needed) */
#define SIM_DEFAULT_PASSWORD "sim-kubeadmin-password"
bool oauth_handle(struct sim *sim, struct request *r, struct response *resp);

/* auth.c: who is calling (bearer tokens, client certificates, service
 * account tokens from the TokenRequest API) and what RBAC lets them do. */
struct MHD_Connection;
/* The API server's authenticators: a client certificate signed by the sim
 * CA, else a bearer token.  0 authenticated, -1 not (answer 401). */
int auth_authenticate(struct sim *sim, struct MHD_Connection *c, const char *authz, struct principal *p);
/* RBAC: Roles/ClusterRoles bound to the principal allow verb on
 * group/resource[/sub] in ns (NULL or "" cluster scope), name (may be ""). */
bool auth_allowed(struct sim *sim, const struct principal *p, const char *verb, const char *group,
		  const char *resource, const char *sub, const char *ns, const char *name);
/* A bearer token (Provider Secrets) authenticates and may do verb. */
bool auth_token_allows(struct sim *sim, const char *token, const char *verb, const char *group,
		       const char *resource, const char *ns);
/* 403 Forbidden, worded as the API server words it. */
void auth_forbidden(struct response *resp, const struct principal *p, const char *verb, const char *group,
		    const char *resource, const char *ns, const char *name);
/* POST .../serviceaccounts/<name>/token */
void auth_token_request(struct sim *sim, struct request *r, const char *ns, const cJSON *sa,
			struct response *resp);
/* Forklift's inventory Auth.Permit: a bearer token (never a client
 * certificate) that authenticates and may get (list) the provider.  false
 * with resp set (401/403, empty body as gin's ctx.Status) when refused. */
bool auth_inventory_permit(struct sim *sim, struct request *r, const char *subpath, const char *authz,
			   struct response *resp);
/* The built-in ClusterRoles (cluster-admin). */
void auth_seed(struct sim *sim);

/* jsonq.c: `mtv-sim json EXPR...` */
int jsonq_main(int argc, char **argv);

/* vcsim_backend.c: world providers with "backend": "vcsim", whose inventory
 * is collected from a live vcsim (their url and VMs come from it). */
bool vcsim_backend(const cJSON *wprov);
/* Read each one's urlFile/caFile, collect once, start its collector. */
int vcsim_backends_start(struct sim *sim, struct mtv_err *err);
void vcsim_backends_stop(struct sim *sim);
enum { VCSIM_TEST_PENDING = -1, VCSIM_TEST_OK = 0, VCSIM_TEST_AUTH = 1, VCSIM_TEST_FAILED = 2 };
/* The real connection test (Login with the Secret's credentials, TLS
 * against its CA unless insecure), run by the collector thread: PENDING
 * until it ran, then its result (msg: the condition message) for as long
 * as key (the Provider, its Secret's version, the url) stays the same.
 * Called with sim->lock held. */
int vcsim_connection_test(struct sim *sim, const cJSON *wprov, const char *key, const char *user, const char *password,
			  const char *ca, bool insecure, char *msg, size_t msgsz);
