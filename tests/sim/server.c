/* HTTPS front end: libmicrohttpd, one thread per connection (watches
 * block), authentication (client certificates and bearer tokens, auth.c),
 * fault injection, routing, request log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <microhttpd.h>
#include "sim.h"
#include "log.h"

#define INVENTORY_SERVICES "/api/v1/namespaces/openshift-mtv/services/"

const char *req_query(struct request *r, const char *key)
{
	return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_GET_ARGUMENT_KIND, key);
}

void resp_json(struct response *resp, int status, cJSON *body)
{
	resp->status = status;
	resp->ctype = "application/json";
	free(resp->body);
	resp->body = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
}

void resp_status(struct response *resp, int code, const char *reason, const char *msg, const char *kind,
		 const char *name, cJSON *causes)
{
	cJSON *s = cJSON_CreateObject(), *d;

	cJSON_AddStringToObject(s, "kind", "Status");
	cJSON_AddStringToObject(s, "apiVersion", "v1");
	cJSON_AddObjectToObject(s, "metadata");
	cJSON_AddStringToObject(s, "status", "Failure");
	cJSON_AddStringToObject(s, "message", msg);
	cJSON_AddStringToObject(s, "reason", reason);
	if (kind || name || causes) {
		d = cJSON_AddObjectToObject(s, "details");
		if (name)
			cJSON_AddStringToObject(d, "name", name);
		if (kind)
			cJSON_AddStringToObject(d, "kind", kind);
		if (causes)
			cJSON_AddItemToObject(d, "causes", causes);
	}
	cJSON_AddNumberToObject(s, "code", code);
	resp_json(resp, code, s);
}

struct conn_state {
	struct request req;
	bool started;
};

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct conn_state *cs = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (!cs)
		return;
	buf_release(&cs->req.body);
	free(cs);
	*con_cls = NULL;
}

static ssize_t watch_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	return watch_read(cls, buf, max);
}

static void watch_done(void *cls)
{
	watch_free(cls);
}

/* A response cut off half way, for the "dropped connection" fault. */
struct partial {
	char *body;
	size_t len;
};

static ssize_t partial_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct partial *p = cls;
	size_t half = p->len / 2;

	if (pos >= half)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (max > half - pos)
		max = half - (size_t)pos;
	memcpy(buf, p->body + pos, max);
	return (ssize_t)max;
}

static void partial_free(void *cls)
{
	struct partial *p = cls;
	free(p->body);
	free(p);
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static double frand(struct sim *sim)
{
	return (double)(sim_rand(sim) % 1000000) / 1000000.0;
}

/* Did the request come in on the inventory Route's listener? */
static bool through_route(struct sim *sim, struct request *r)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info((struct MHD_Connection *)r->conn, MHD_CONNECTION_INFO_DAEMON);

	return ci && sim->route_daemon && ci->daemon == sim->route_daemon;
}

static void route(struct sim *sim, struct request *r, struct response *resp)
{
	bool handled = false;

	if (!strcmp(r->path, "/sim/stats")) {
		stats_handle(sim, r, resp);
		return;
	}
	if (!strcmp(r->path, "/sim/objects")) {
		stats_objects(sim, r, resp);
		return;
	}
	if (through_route(sim, r) && !starts(r->path, "/providers")) {
		/* The Route leads to the inventory service only. */
		resp_status(resp, 404, "NotFound", "404 page not found", NULL, NULL, NULL);
		return;
	}
	if (starts(r->path, "/providers")) {
		/* The inventory (the Route host) checks the bearer token itself. */
		stats_count(sim, r->method, "inventory");
		if (auth_inventory_permit(sim, r, r->path, r->authz, resp))
			inventory_handle(sim, r, r->path, resp);
		return;
	}
	if (starts(r->path, INVENTORY_SERVICES)) {
		/* services/[https:]forklift-inventory[:8443|:api-https]/proxy/... */
		const char *svc = r->path + strlen(INVENTORY_SERVICES);
		size_t len = strcspn(svc, "/");
		char name[128];

		snprintf(name, sizeof(name), "%.*s", (int)len, svc);
		if (strstr(name, "forklift-inventory") && starts(svc + len, "/proxy")) {
			const char *sub = svc + len + strlen("/proxy");

			if (!auth_allowed(sim, r->who, "get", "", "services", "proxy", "openshift-mtv", name)) {
				auth_forbidden(resp, r->who, "get", "", "services", "openshift-mtv", name);
				return;
			}
			stats_count(sim, r->method, "inventory");
			/* kube-apiserver's authentication filter deletes the
			 * Authorization header once it has authenticated the
			 * request, so the inventory behind the proxy never sees
			 * the caller's token and answers 401. */
			if (auth_inventory_permit(sim, r, *sub ? sub : "/", NULL, resp))
				inventory_handle(sim, r, *sub ? sub : "/", resp);
			return;
		}
	}
	if (starts(r->path, "/openapi/")) {
		stats_count(sim, "get", "openapi");
		openapi_handle(sim, r, resp);
		return;
	}
	discovery_handle(sim, r, resp, &handled);
	if (handled) {
		stats_count(sim, "get", "discovery");
		return;
	}
	api_handle(sim, r, resp);
}

/* May this request share the store lock with others?  Only what reads the
 * store and writes nothing shared: GETs of the Kubernetes API (objects,
 * lists, discovery, watches), and only with no fault injection (its
 * random draws advance sim->rng).  Everything else, the inventory and
 * proxies included, takes the lock alone. */
static bool read_only(struct sim *sim, struct request *r)
{
	const struct faults *f = &sim->faults;

	if (strcmp(r->method, "GET") || !(starts(r->path, "/api/") || starts(r->path, "/apis/") ||
					  !strcmp(r->path, "/api") || !strcmp(r->path, "/apis")))
		return false;
	if (f->rate500 > 0 || f->rate503 > 0 || f->rate429 > 0 || f->rate_drop > 0)
		return false;
	return !strstr(r->path, "/proxy") && !pf_is_portforward(r->path);
}

static void log_request(struct sim *sim, struct request *r, int status)
{
	char ts[32];
	const char *q;

	if (!sim->reqlog)
		return;
	/* one line at a time: readers log concurrently */
	pthread_mutex_lock(&sim->aux);
	sim_now_rfc3339(ts, sizeof(ts));
	fprintf(sim->reqlog, "%s %s %s", ts, r->method, r->path);
	q = req_query(r, "labelSelector");
	if (q)
		fprintf(sim->reqlog, " labelSelector=%s", q);
	q = req_query(r, "fieldSelector");
	if (q)
		fprintf(sim->reqlog, " fieldSelector=%s", q);
	if (req_query(r, "watch"))
		fprintf(sim->reqlog, " watch=1");
	fprintf(sim->reqlog, " %d\n", status);
	fflush(sim->reqlog);
	pthread_mutex_unlock(&sim->aux);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			       const char *version, const char *upload_data, size_t *upload_data_size,
			       void **con_cls)
{
	struct sim *sim = cls;
	struct conn_state *cs = *con_cls;
	struct response resp;
	struct MHD_Response *mr;
	const char *auth;
	enum MHD_Result ret;
	struct principal who;
	bool faulted = false, shared;

	(void)version;
	if (!cs) {
		cs = calloc(1, sizeof(*cs));
		if (!cs)
			return MHD_NO;
		buf_init(&cs->req.body, 32u * 1024 * 1024);
		*con_cls = cs;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (buf_add(&cs->req.body, upload_data, *upload_data_size))
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	memset(&resp, 0, sizeof(resp));
	cs->req.conn = c;
	cs->req.method = method;
	snprintf(cs->req.path, sizeof(cs->req.path), "%s", url);
	/* "/api/v1/pods/" and "/api/v1/pods" are the same resource */
	{
		size_t n = strlen(cs->req.path);
		while (n > 1 && cs->req.path[n - 1] == '/')
			cs->req.path[--n] = '\0';
	}
	cs->req.accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
	cs->req.ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	cs->req.authz = auth;
	cs->req.who = NULL;

	if (sim->faults.latency_ms > 0 && !starts(cs->req.path, "/sim/"))
		usleep((useconds_t)sim->faults.latency_ms * 1000);

	shared = read_only(sim, &cs->req);
	if (shared)
		sim_rdlock(sim);
	else
		sim_wrlock(sim);
	if (!starts(cs->req.path, "/sim/") && strcmp(cs->req.path, "/healthz") &&
	    (sim->faults.rate500 > 0 || sim->faults.rate503 > 0 || sim->faults.rate429 > 0)) {
		double x = frand(sim);
		if (x < sim->faults.rate500) {
			resp_status(&resp, 500, "InternalError", "Internal error occurred: injected fault", NULL, NULL, NULL);
			faulted = true;
		} else if (x < sim->faults.rate500 + sim->faults.rate503) {
			resp_status(&resp, 503, "ServiceUnavailable", "the server is currently unable to handle the request (injected fault)", NULL, NULL, NULL);
			faulted = true;
		} else if (x < sim->faults.rate500 + sim->faults.rate503 + sim->faults.rate429) {
			resp_status(&resp, 429, "TooManyRequests", "the server has received too many requests and has asked us to try again later (injected fault)", NULL, NULL, NULL);
			resp.extra_header_name = strdup("Retry-After");
			resp.extra_header_value = strdup("1");
			faulted = true;
		}
		if (faulted)
			stats_count(sim, "fault", resp.status == 500 ? "500" : resp.status == 503 ? "503" : "429");
	}
	if (!faulted) {
		if (!strcmp(cs->req.path, "/healthz") || !strcmp(cs->req.path, "/readyz") ||
		    !strcmp(cs->req.path, "/livez")) {
			resp.status = 200;
			resp.ctype = "text/plain";
			resp.body = strdup("ok");
		} else if (oauth_handle(sim, &cs->req, &resp)) {
			/* the login flow authenticates with user and password */
		} else if (starts(cs->req.path, "/providers")) {
			route(sim, &cs->req, &resp);
		} else if (auth_authenticate(sim, c, auth, &who) < 0) {
			resp_status(&resp, 401, "Unauthorized", "Unauthorized", NULL, NULL, NULL);
		} else if (starts(cs->req.path, "/sim/") && !who.admin) {
			auth_forbidden(&resp, &who, "get", "", "sim", NULL, NULL);
		} else if (pf_is_portforward(cs->req.path)) {
			cs->req.who = &who;
			resp.upgrade = pf_prepare(sim, &cs->req, &resp);
		} else {
			cs->req.who = &who;
			route(sim, &cs->req, &resp);
		}
	}
	log_request(sim, &cs->req, resp.status);
	{
		bool drop = !faulted && !resp.watch && !resp.upgrade && sim->faults.rate_drop > 0 && !starts(cs->req.path, "/sim/") &&
			    frand(sim) < sim->faults.rate_drop;

		if (drop)
			stats_count(sim, "fault", "drop");
		sim_unlock(sim);

		if (resp.upgrade) {
			free(resp.body);
			resp.body = NULL;
			mr = pf_response(resp.upgrade);
			if (!mr)
				return MHD_NO;
			ret = MHD_queue_response(c, MHD_HTTP_SWITCHING_PROTOCOLS, mr);
			MHD_destroy_response(mr);
			return ret;
		} else if (resp.watch) {
			mr = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, watch_reader, resp.watch,
							       watch_done);
		} else if (drop) {
			struct partial *p = calloc(1, sizeof(*p));
			p->body = resp.body ? resp.body : strdup("");
			p->len = strlen(p->body);
			resp.body = NULL;
			mr = MHD_create_response_from_callback(p->len, 4096, partial_reader, p, partial_free);
		} else {
			const char *b = resp.body ? resp.body : "";
			mr = MHD_create_response_from_buffer(strlen(b), (void *)b,
							     resp.body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
			resp.body = NULL;
		}
	}
	if (!mr)
		return MHD_NO;
	MHD_add_response_header(mr, "Content-Type", resp.ctype ? resp.ctype : "application/json");
	if (resp.extra_header_name)
		MHD_add_response_header(mr, resp.extra_header_name, resp.extra_header_value);
	free(resp.extra_header_name);
	free(resp.extra_header_value);
	ret = MHD_queue_response(c, (unsigned)(resp.status ? resp.status : 500), mr);
	MHD_destroy_response(mr);
	return ret;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[1024];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("libmicrohttpd: %s", msg);
}

struct MHD_Daemon *server_start(struct sim *sim, int port, struct mtv_err *err)
{
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* MHD_ALLOW_UPGRADE: the port-forward subresource's WebSockets */
	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS |
				     MHD_USE_POLL | MHD_USE_ERROR_LOG | MHD_ALLOW_UPGRADE,
			     0, NULL, NULL, handler, sim,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			     MHD_OPTION_HTTPS_MEM_KEY, sim->key_pem,
			     MHD_OPTION_HTTPS_MEM_CERT, sim->cert_pem,
			     /* ask for (not require) client certificates from the sim CA */
			     MHD_OPTION_HTTPS_MEM_TRUST, sim->ca_pem,
			     MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
			     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)3600,
			     MHD_OPTION_END);
	if (!d)
		return mtv_err_set(err, MTV_EXIT_ENV, "cannot listen on 127.0.0.1:%d (libmicrohttpd with TLS)", port),
		       NULL;
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	sim->port = info ? info->port : port;
	return d;
}

/* A further TLS listener on 127.0.0.1 (any free port) with its own
 * certificate: the inventory Route, the source providers' endpoints. */
struct MHD_Daemon *server_listen_tls(const char *cert_pem, const char *key_pem, MHD_AccessHandlerCallback h,
				     void *cls, int *port, struct mtv_err *err)
{
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS |
				     MHD_USE_POLL | MHD_USE_ERROR_LOG,
			     0, NULL, NULL, h, cls,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			     MHD_OPTION_HTTPS_MEM_KEY, key_pem,
			     MHD_OPTION_HTTPS_MEM_CERT, cert_pem,
			     MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
			     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)3600,
			     MHD_OPTION_END);
	if (!d)
		return mtv_err_set(err, MTV_EXIT_ENV, "cannot listen on 127.0.0.1 (libmicrohttpd with TLS)"), NULL;
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	*port = info ? info->port : 0;
	return d;
}

/* The Route's listener runs the same handler: the router passes the
 * request, bearer token included, through to the inventory service. */
int server_start_route(struct sim *sim, struct mtv_err *err)
{
	sim->route_daemon = server_listen_tls(sim->ingress.cert_pem, sim->ingress.key_pem, handler, sim,
					      &sim->route_port, err);
	return sim->route_daemon ? 0 : -1;
}
