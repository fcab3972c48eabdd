/* The guest tunnel (portforward.h): mode selection, and the native mode,
 * KubeVirt's port-forward subresource over a libwebsockets client.
 *
 * Shape: one lws context per tunnel.  portforward_open() creates it, makes
 * the WebSocket connection and services the handshake in the calling thread
 * (so the interrupt flag is polled there); once the upgrade is through, the
 * thread's end of a socketpair is adopted into the same context as a raw
 * file descriptor and a bridge thread takes the context over:
 *
 *   socketpair readable  -> read up to PF_TX_MAX -> one binary message
 *   message received     -> queued -> written to the socketpair when it is
 *                           writable
 *
 * Backpressure both ways with lws_rx_flow_control: the socketpair is not read
 * while a message waits to go out, and the WebSocket is not read while more
 * than PF_RX_HIGH bytes wait for the caller.  The protocol has no half-close
 * (virt-api ends the stream when either side ends), so EOF from the caller
 * means "send the close frame", and the server's close means "deliver what
 * arrived, then close the socketpair" so the caller reads EOF.
 */
#include "portforward.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <libwebsockets.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "buf.h"
#include "http.h"
#include "log.h"
#include "portforward_int.h"

#define PF_SUBPROTOCOL "plain.kubevirt.io"
/* One WebSocket message carries at most this much of the stream. */
#define PF_TX_MAX (64 * 1024)
/* Stop reading the WebSocket while this much waits for the caller. */
#define PF_RX_HIGH (1024 * 1024)
/* How often the service loop looks at the interrupt and stop flags. */
#define PF_TICK_US (100 * LWS_US_PER_MS)
/* portforward_close waits this long for the close handshake. */
#define PF_CLOSE_WAIT_S 2

/* ---- mode ---- */

int portforward_mode_from_env(enum portforward_mode *mode, struct mtv_err *err)
{
	const char *v = getenv("MTV_SSH_TUNNEL");

	if (!v || !*v || !strcmp(v, "native")) {
		*mode = PORTFORWARD_NATIVE;
		return 0;
	}
	if (!strcmp(v, "virtctl")) {
		*mode = PORTFORWARD_VIRTCTL;
		return 0;
	}
	return mtv_err_set(err, MTV_EXIT_USAGE, "MTV_SSH_TUNNEL: \"%.64s\" is neither \"native\" nor \"virtctl\"", v);
}

void pf_set_error(struct portforward *pf, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&pf->lock);
	if (!pf->error[0]) {
		va_start(ap, fmt);
		vsnprintf(pf->error, sizeof(pf->error), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&pf->lock);
}

/* ---- the native tunnel ---- */

enum ws_state { WS_CONNECTING, WS_UP, WS_FAILED, WS_GONE };

struct pf_ws {
	struct portforward *pf;
	struct lws_context *ctx;
	SSL_CTX *ssl;
	struct lws *ws;			/* the WebSocket, NULL once closed */
	struct lws *raw;		/* the adopted socketpair end, NULL once closed */
	int fd;				/* that end, until lws owns it */
	bool insecure;
	char *auth;			/* "Bearer <token>" or NULL (never logged) */
	enum ws_state state;
	unsigned int http_status;	/* of a refused upgrade */
	char fail[256];			/* lws's reason for a failed connection */
	char tls_fail[256];		/* why the server's certificate was refused */

	unsigned char tx[LWS_PRE + PF_TX_MAX];
	size_t txlen;			/* a message waiting for the WebSocket */
	bool caller_eof;		/* the caller ended its side */
	struct buf rx;			/* received, not yet written to the caller */
	size_t rxoff;
	bool rx_paused;

	volatile sig_atomic_t *interrupt;
	volatile int stop;		/* portforward_close was called */
	struct timespec stop_at;
	bool done;
	lws_sorted_usec_list_t tick;
	lws_sorted_usec_list_t rearm;	/* asks for the socketpair's POLLOUT again */
};

static pthread_once_t lws_log_once = PTHREAD_ONCE_INIT;

/* libwebsockets logs errors only, into our log at debug: its lines are
 * about its own plumbing and would only confuse a step's log. */
static void lws_log_line(int level, const char *line)
{
	char msg[512];
	size_t n;

	(void)level;
	snprintf(msg, sizeof(msg), "%s", line);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_debug("libwebsockets: %s", msg);
}

static void lws_log_setup(void)
{
	lws_set_log_level(LLL_ERR, lws_log_line);
}

/* lws keeps the OpenSSL ex-data index it finds the connection by in a
 * global that every context creation renews; two handshakes at once could
 * each look under the other's index and fail verification.  Handshakes are
 * therefore serialised (the bridges afterwards run in parallel). */
static pthread_mutex_t handshake_lock = PTHREAD_MUTEX_INITIALIZER;

static void pf_tick(lws_sorted_usec_list_t *sul);

static double since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void rx_pause(struct pf_ws *w, bool pause)
{
	if (!w->ws || w->rx_paused == pause)
		return;
	w->rx_paused = pause;
	lws_rx_flow_control(w->ws, pause ? 0 : 1);
}

/* Write what the WebSocket delivered to the caller; -1 when the caller's
 * end is gone. */
static int flush_rx(struct pf_ws *w)
{
	while (w->rxoff < w->rx.len) {
		ssize_t n = send(w->fd, w->rx.data + w->rxoff, w->rx.len - w->rxoff, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		w->rxoff += (size_t)n;
	}
	if (w->rxoff == w->rx.len) {
		buf_reset(&w->rx);
		w->rxoff = 0;
	} else if (w->rxoff > PF_RX_HIGH) {
		buf_consume(&w->rx, w->rxoff);
		w->rxoff = 0;
	}
	return 0;
}

static size_t rx_pending(const struct pf_ws *w)
{
	return w->rx.len - w->rxoff;
}

/* Adopt the socketpair end once the WebSocket is up. */
static int adopt_socket(struct pf_ws *w, struct lws *wsi)
{
	lws_adopt_desc_t ad;

	memset(&ad, 0, sizeof(ad));
	ad.vh = lws_get_vhost(wsi);
	ad.type = LWS_ADOPT_RAW_FILE_DESC;
	ad.fd.filefd = w->fd;
	ad.vh_prot_name = "pf-raw";
	w->raw = lws_adopt_descriptor_vhost_via_info(&ad);
	return w->raw ? 0 : -1;
}

/* lws clears a raw file's POLLOUT after its WRITEABLE callback returns, so a
 * request for more made inside that callback is lost: make it from a timer
 * that fires on the next turn of the loop. */
static void rearm_writable(lws_sorted_usec_list_t *sul)
{
	struct pf_ws *w = lws_container_of(sul, struct pf_ws, rearm);

	if (w->raw && rx_pending(w))
		lws_callback_on_writable(w->raw);
}

static int cb_ws(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct pf_ws *w = lws_context_user(lws_get_context(wsi));

	(void)user;
	switch (reason) {
	case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
		/* insecure-skip-tls-verify: every verification error is waived;
		 * else remember OpenSSL's reason, lws's own message is opaque */
		if (w && w->insecure) {
			X509_STORE_CTX_set_error((X509_STORE_CTX *)user, X509_V_OK);
		} else if (w && !len && !w->tls_fail[0]) {
			int e = X509_STORE_CTX_get_error((X509_STORE_CTX *)user);

			snprintf(w->tls_fail, sizeof(w->tls_fail), "the server's certificate: %s",
				 X509_verify_cert_error_string(e));
		}
		return 0;
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
		unsigned char **p = in, *end = *p + len;

		if (w->auth && lws_add_http_header_by_name(wsi, (const unsigned char *)"authorization:",
							   (const unsigned char *)w->auth, (int)strlen(w->auth), p,
							   end))
			return -1;
		return 0;
	}
	case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
		/* the last look at the answer before a non-101 is thrown away */
		w->http_status = lws_http_client_http_response(wsi);
		return 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		/* in: lws's reason, NUL-terminated */
		log_sanitize(w->fail, sizeof(w->fail), in ? (const char *)in : "");
		w->state = WS_FAILED;
		w->ws = NULL;
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (adopt_socket(w, wsi) < 0) {
			snprintf(w->fail, sizeof(w->fail), "cannot bridge the stream");
			w->state = WS_FAILED;
			return -1;
		}
		w->state = WS_UP;
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (!len)
			return 0;
		if (buf_add(&w->rx, in, len) < 0) {
			pf_set_error(w->pf, "%s: out of memory", w->pf->what);
			return -1;
		}
		pthread_mutex_lock(&w->pf->lock);
		w->pf->received += len;
		pthread_mutex_unlock(&w->pf->lock);
		if (!w->raw) {
			/* the caller is gone: nobody to deliver to */
			buf_reset(&w->rx);
			w->rxoff = 0;
			return 0;
		}
		if (flush_rx(w) < 0) {
			buf_reset(&w->rx);
			w->rxoff = 0;
			return 0;
		}
		if (rx_pending(w)) {
			lws_callback_on_writable(w->raw);
			if (rx_pending(w) > PF_RX_HIGH)
				rx_pause(w, true);
		}
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (w->txlen) {
			int n = lws_write(wsi, w->tx + LWS_PRE, w->txlen, LWS_WRITE_BINARY);

			if (n < 0) {
				pf_set_error(w->pf, "%s: the WebSocket write failed", w->pf->what);
				return -1;
			}
			pthread_mutex_lock(&w->pf->lock);
			w->pf->sent += w->txlen;
			pthread_mutex_unlock(&w->pf->lock);
			w->txlen = 0;
			if (w->raw && !w->caller_eof)
				lws_rx_flow_control(w->raw, 1);
		}
		if (!w->txlen && (w->caller_eof || !w->raw || w->stop)) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
			return -1;
		}
		return 0;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		pf_set_error(w->pf, "%s: the server closed the stream", w->pf->what);
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (w->state == WS_CONNECTING)
			w->state = WS_FAILED;
		else
			w->state = WS_GONE;
		pf_set_error(w->pf, "%s: the connection to the API server closed", w->pf->what);
		w->ws = NULL;
		/* deliver what arrived, then let the caller read EOF */
		if (w->raw)
			lws_callback_on_writable(w->raw);
		return 0;
	case LWS_CALLBACK_RAW_RX_FILE: {
		ssize_t n;

		if (w->txlen || !w->ws) {
			lws_rx_flow_control(wsi, 0);
			return 0;
		}
		n = read(w->fd, w->tx + LWS_PRE, PF_TX_MAX);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		lws_rx_flow_control(wsi, 0);
		if (n == 0) {
			w->caller_eof = true;
		} else {
			w->txlen = (size_t)n;
		}
		lws_callback_on_writable(w->ws);
		return 0;
	}
	case LWS_CALLBACK_RAW_WRITEABLE_FILE:
		if (flush_rx(w) < 0) {
			buf_reset(&w->rx);
			w->rxoff = 0;
			return -1;
		}
		if (rx_pending(w)) {
			lws_sul_schedule(w->ctx, 0, &w->rearm, rearm_writable, 1);
			return 0;
		}
		rx_pause(w, false);
		/* the server ended the stream, or close was asked for: the
		 * caller reads EOF after the last byte */
		if (!w->ws || w->stop)
			return -1;
		return 0;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		w->raw = NULL;
		w->fd = -1;
		if (w->ws)
			lws_callback_on_writable(w->ws);
		return 0;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		if (w && w->stop) {
			if (w->ws)
				lws_callback_on_writable(w->ws);
			if (w->raw)
				lws_callback_on_writable(w->raw);
		}
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols protocols[] = {
	{ PF_SUBPROTOCOL, cb_ws, 0, PF_TX_MAX, 0, NULL, 0 },
	{ "pf-raw", cb_ws, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void pf_tick(lws_sorted_usec_list_t *sul)
{
	struct pf_ws *w = lws_container_of(sul, struct pf_ws, tick);

	if (w->stop && since(&w->stop_at) > PF_CLOSE_WAIT_S)
		w->done = true;
	lws_sul_schedule(w->ctx, 0, &w->tick, pf_tick, PF_TICK_US);
}

/* ---- TLS: our own SSL_CTX, so a CA bundle (kubeconfigs often hold several
 * CAs) and a client certificate chain load from PEM in memory ---- */

static int load_pem_certs(X509_STORE *store, SSL_CTX *ctx, const char *pem, size_t len)
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	X509 *x;
	int n = 0;

	if (!b)
		return -1;
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
		int ok;

		if (store) {
			ok = X509_STORE_add_cert(store, x);
			X509_free(x);
		} else if (n == 0) {
			ok = SSL_CTX_use_certificate(ctx, x);
			X509_free(x);
		} else {
			ok = SSL_CTX_add0_chain_cert(ctx, x); /* takes x */
			if (!ok)
				X509_free(x);
		}
		if (!ok)
			break;
		n++;
	}
	ERR_clear_error();
	BIO_free(b);
	return n;
}

static SSL_CTX *make_ssl(const struct kubeconfig *kc, struct mtv_err *err)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx)
		return mtv_err_set(err, MTV_EXIT_ENV, "portforward: cannot set up TLS"), NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (kc->ca_pem && kc->ca_len) {
		if (load_pem_certs(SSL_CTX_get_cert_store(ctx), NULL, kc->ca_pem, kc->ca_len) <= 0) {
			SSL_CTX_free(ctx);
			return mtv_err_set(err, MTV_EXIT_USAGE, "portforward: %s: no certificate in the CA data",
					   kc->source ? kc->source : "kubeconfig"),
			       NULL;
		}
	} else {
		SSL_CTX_set_default_verify_paths(ctx);
	}
	if (kc->cert_pem && kc->key_pem) {
		BIO *b = BIO_new_mem_buf(kc->key_pem, (int)kc->key_len);
		EVP_PKEY *key = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;

		BIO_free(b);
		if (load_pem_certs(NULL, ctx, kc->cert_pem, kc->cert_len) <= 0 || !key ||
		    SSL_CTX_use_PrivateKey(ctx, key) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
			EVP_PKEY_free(key);
			ERR_clear_error();
			SSL_CTX_free(ctx);
			return mtv_err_set(err, MTV_EXIT_USAGE,
					   "portforward: %s: the client certificate or key is not usable",
					   kc->source ? kc->source : "kubeconfig"),
			       NULL;
		}
		EVP_PKEY_free(key);
	}
	return ctx;
}

/* ---- the server URL ---- */

struct pf_target {
	char host[256];
	int port;
	char prefix[512];	/* a path the server URL carries, without the trailing '/' */
};

static int parse_server(const char *server, struct pf_target *t, struct mtv_err *err)
{
	const char *p, *hend, *path;
	size_t hl;

	memset(t, 0, sizeof(*t));
	if (!server || strncmp(server, "https://", 8))
		return mtv_err_set(err, MTV_EXIT_USAGE, "portforward: server \"%.200s\" is not an https:// URL",
				   server ? server : "");
	p = server + 8;
	path = p + strcspn(p, "/?#");
	if (*p == '[') {
		hend = memchr(p, ']', (size_t)(path - p));
		if (!hend)
			return mtv_err_set(err, MTV_EXIT_USAGE, "portforward: server \"%.200s\": bad IPv6 host", server);
		hl = (size_t)(hend - p - 1);
		if (hl >= sizeof(t->host))
			goto bad;
		memcpy(t->host, p + 1, hl);
		p = hend + 1;
	} else {
		hend = memchr(p, ':', (size_t)(path - p));
		if (!hend)
			hend = path;
		hl = (size_t)(hend - p);
		if (!hl || hl >= sizeof(t->host))
			goto bad;
		memcpy(t->host, p, hl);
		p = hend;
	}
	t->port = 443;
	if (*p == ':') {
		char *e;
		long v = strtol(p + 1, &e, 10);

		if (e != path || v <= 0 || v > 65535)
			goto bad;
		t->port = (int)v;
	} else if (p != path) {
		goto bad;
	}
	if (*path == '/') {
		size_t pl = strcspn(path, "?#");

		while (pl && path[pl - 1] == '/')
			pl--;
		if (pl >= sizeof(t->prefix))
			goto bad;
		memcpy(t->prefix, path, pl);
	}
	return 0;
bad:
	return mtv_err_set(err, MTV_EXIT_USAGE, "portforward: server \"%.200s\" is not a usable URL", server);
}

/* The upgrade was refused with `status`: lws drops the body, so ask once
 * more without the upgrade and read the Status the API server words its
 * refusal in (401, 403, 404 are decided before any upgrade).  Falls back to
 * the bare status. */
static void refused(const struct kubeconfig *kc, const char *path, unsigned int status,
		    volatile sig_atomic_t *interrupt, struct mtv_err *err)
{
	struct http_client hc;
	struct http_response resp;
	struct http_request req;
	struct mtv_err e2;
	char msg[600] = "", reason[64] = "";

	mtv_err_clear(&e2);
	http_response_init(&resp);
	if (http_client_init(&hc, kc->server, &e2) == 0) {
		http_client_set_insecure(&hc, kc->insecure);
		http_client_set_interrupt(&hc, interrupt);
		hc.retry.max_attempts = 1;
		if (http_client_set_ca(&hc, kc->ca_pem, kc->ca_len) == 0 &&
		    http_client_set_cert(&hc, kc->cert_pem, kc->cert_len, kc->key_pem, kc->key_len) == 0 &&
		    http_client_set_token(&hc, kc->token) == 0) {
			memset(&req, 0, sizeof(req));
			req.path = path;
			if (http_do(&hc, &req, &resp, &e2) == 0 && resp.status == (long)status) {
				cJSON *j = cJSON_ParseWithLength(resp.body.data ? resp.body.data : "", resp.body.len);
				const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "message"));
				const char *r = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "reason"));

				if (m)
					log_sanitize(msg, sizeof(msg), m);
				if (r)
					log_sanitize(reason, sizeof(reason), r);
				cJSON_Delete(j);
			}
		}
		http_client_release(&hc);
	}
	http_response_release(&resp);
	if (!msg[0])
		snprintf(msg, sizeof(msg), "%s",
			 status == 401   ? "Unauthorized"
			 : status == 403 ? "Forbidden"
			 : status == 404 ? "the server could not find the requested resource"
					 : "the upgrade to a WebSocket was refused");
	mtv_err_set(err, MTV_EXIT_ENV, "portforward: %u %s", status, msg);
	err->http_status = (int)status;
	snprintf(err->reason, sizeof(err->reason), "%s", reason);
}

static void ws_free(struct pf_ws *w)
{
	if (!w)
		return;
	if (w->ctx)
		lws_context_destroy(w->ctx);
	if (w->fd >= 0)
		close(w->fd);
	SSL_CTX_free(w->ssl);
	if (w->auth) {
		explicit_bzero(w->auth, strlen(w->auth));
		free(w->auth);
	}
	buf_release(&w->rx);
	free(w);
}

static void *bridge(void *arg)
{
	struct pf_ws *w = arg;

	while (!w->done && (w->ws || w->raw))
		if (lws_service(w->ctx, 0) < 0)
			break;
	return NULL;
}

int pf_open_native(const struct kubeconfig *kc, struct portforward *pf, const char *ns, const char *name,
		   int port, volatile sig_atomic_t *interrupt, struct mtv_err *err)
{
	struct lws_context_creation_info ci;
	struct lws_client_connect_info cc;
	struct pf_target t;
	struct pf_ws *w;
	char sub[1200], path[1800];
	int sv[2];

	pthread_once(&lws_log_once, lws_log_setup);
	if (parse_server(kc->server, &t, err) < 0)
		return -1;
	/* sub: relative to the server URL (lib/http's base); path: the
	 * request line's, with the URL's own path in front */
	snprintf(sub, sizeof(sub),
		 "/apis/subresources.kubevirt.io/v1/namespaces/%s/virtualmachineinstances/%s/portforward/%d/tcp", ns,
		 name, port);
	snprintf(path, sizeof(path), "%s%s", t.prefix, sub);
	w = calloc(1, sizeof(*w));
	if (!w)
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	w->pf = pf;
	w->fd = -1;
	w->insecure = kc->insecure;
	w->interrupt = interrupt;
	buf_init(&w->rx, (size_t)PF_RX_HIGH * 4);
	if (kc->token) {
		struct buf a = BUF_INIT(64 * 1024);

		if (buf_addf(&a, "Bearer %s", kc->token) < 0) {
			buf_release(&a);
			ws_free(w);
			return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
		}
		w->auth = buf_take(&a);
	}
	w->ssl = make_ssl(kc, err);
	if (!w->ssl) {
		ws_free(w);
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		ws_free(w);
		return mtv_err_set(err, MTV_EXIT_ENV, "portforward: socketpair: %s", strerror(errno));
	}
	w->fd = sv[1];
	fcntl(w->fd, F_SETFL, fcntl(w->fd, F_GETFL) | O_NONBLOCK);

	memset(&ci, 0, sizeof(ci));
	ci.port = CONTEXT_PORT_NO_LISTEN;
	ci.protocols = protocols;
	ci.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	ci.provided_client_ssl_ctx = w->ssl;
	ci.user = w;
	ci.count_threads = 1;
	ci.pt_serv_buf_size = 32 * 1024;
	ci.timeout_secs = 20;
	ci.fd_limit_per_thread = 8;
	pthread_mutex_lock(&handshake_lock);
	w->ctx = lws_create_context(&ci);
	if (!w->ctx) {
		pthread_mutex_unlock(&handshake_lock);
		close(sv[0]);
		ws_free(w);
		return mtv_err_set(err, MTV_EXIT_ENV, "portforward: cannot create the libwebsockets context");
	}
	lws_sul_schedule(w->ctx, 0, &w->tick, pf_tick, PF_TICK_US);

	memset(&cc, 0, sizeof(cc));
	cc.context = w->ctx;
	cc.address = t.host;
	cc.port = t.port;
	cc.path = path;
	cc.host = t.host;
	cc.protocol = PF_SUBPROTOCOL;
	cc.local_protocol_name = PF_SUBPROTOCOL;
	cc.ietf_version_or_minus_one = -1;
	cc.ssl_connection = LCCSCF_USE_SSL | LCCSCF_HTTP_NO_FOLLOW_REDIRECT;
	if (kc->insecure)
		cc.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED | LCCSCF_ALLOW_INSECURE |
				     LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK | LCCSCF_ALLOW_EXPIRED;
	cc.pwsi = &w->ws;
	log_debug("portforward: wss://%s:%d%s (subprotocol %s)", t.host, t.port, path, PF_SUBPROTOCOL);
	if (!lws_client_connect_via_info(&cc) && w->state == WS_CONNECTING)
		w->state = WS_FAILED;
	while (w->state == WS_CONNECTING) {
		if (interrupt && *interrupt)
			break;
		if (lws_service(w->ctx, 0) < 0)
			break;
	}
	pthread_mutex_unlock(&handshake_lock);
	if (w->state != WS_UP) {
		int sig = interrupt ? *interrupt : 0;
		unsigned int status = w->http_status;
		bool connecting = w->state == WS_CONNECTING;
		char fail[256];

		snprintf(fail, sizeof(fail), "%s", w->tls_fail[0] ? w->tls_fail : w->fail);
		close(sv[0]);
		ws_free(w);
		if (connecting && sig)
			return mtv_err_set(err, 128 + sig, "portforward: %s: interrupted", pf->what);
		if (status && status != 101) {
			refused(kc, sub, status, interrupt, err);
			return -1;
		}
		if (!fail[0] || strstr(fail, "Closed before conn") || strstr(fail, "closed before"))
			return mtv_err_set(err, MTV_EXIT_ENV, "portforward: %s: connection closed before the upgrade",
					   pf->what);
		return mtv_err_set(err, MTV_EXIT_ENV, "portforward: %s: %s:%d: %s", pf->what, t.host, t.port, fail);
	}
	pf->ws = w;
	pf->fd = sv[0];
	if (pthread_create(&pf->thread, NULL, bridge, w) != 0) {
		pf->ws = NULL;
		pf->fd = -1;
		close(sv[0]);
		ws_free(w);
		return mtv_err_set(err, MTV_EXIT_ENV, "portforward: cannot start the bridge thread");
	}
	pf->thread_started = true;
	log_debug("portforward: %s: tunnel up", pf->what);
	return 0;
}

void pf_close_native(struct portforward *pf)
{
	struct pf_ws *w = pf->ws;

	/* the bridge reads EOF (POLLHUP) and sends the close frame */
	if (pf->fd >= 0) {
		close(pf->fd);
		pf->fd = -1;
	}
	if (!w)
		return;
	clock_gettime(CLOCK_MONOTONIC, &w->stop_at);
	w->stop = 1;
	lws_cancel_service(w->ctx);
	if (pf->thread_started)
		pthread_join(pf->thread, NULL);
	/* lws closed the adopted end with its wsi; one never adopted is ours */
	if (w->raw)
		w->fd = -1;
	ws_free(w);
	pf->ws = NULL;
}

/* ---- the contract ---- */

int portforward_open(const struct kubeconfig *kc, enum portforward_mode mode, const char *ns,
		     const char *name, int port, volatile sig_atomic_t *interrupt, struct portforward **out,
		     int *fd, struct mtv_err *err)
{
	struct portforward *pf;
	int rc;

	*out = NULL;
	*fd = -1;
	if (!kc || !kc->server || !ns || !*ns || !name || !*name || port <= 0 || port > 65535)
		return mtv_err_set(err, MTV_EXIT_USAGE, "portforward: needs a server, a namespace, a name and a port");
	pf = calloc(1, sizeof(*pf));
	if (!pf)
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	pthread_mutex_init(&pf->lock, NULL);
	pf->mode = mode;
	pf->fd = -1;
	pf->pid = -1;
	snprintf(pf->what, sizeof(pf->what), "%s/%s:%d", ns, name, port);
	if (interrupt && *interrupt) {
		rc = mtv_err_set(err, 128 + *interrupt, "portforward: %s: interrupted", pf->what);
	} else {
		rc = mode == PORTFORWARD_VIRTCTL ? pf_open_virtctl(kc, pf, ns, name, port, interrupt, err)
						 : pf_open_native(kc, pf, ns, name, port, interrupt, err);
	}
	if (rc < 0) {
		pthread_mutex_destroy(&pf->lock);
		free(pf);
		return -1;
	}
	*out = pf;
	*fd = pf->fd;
	return 0;
}

const char *portforward_error(const struct portforward *pf)
{
	/* written once, under the lock, and never changed after: the first
	 * reason stays, so the pointer may be read without the lock */
	if (!pf)
		return "";
	if (pf->mode == PORTFORWARD_VIRTCTL)
		pf_virtctl_error((struct portforward *)pf);
	return pf->error;
}

void portforward_counts(const struct portforward *pf, unsigned long long *sent, unsigned long long *received)
{
	struct portforward *m = (struct portforward *)pf;

	if (!pf) {
		*sent = *received = 0;
		return;
	}
	pthread_mutex_lock(&m->lock);
	*sent = pf->sent;
	*received = pf->received;
	pthread_mutex_unlock(&m->lock);
}

void portforward_close(struct portforward *pf)
{
	unsigned long long s, r;

	if (!pf)
		return;
	portforward_counts(pf, &s, &r);
	log_debug("portforward: %s: closing (%llu bytes sent, %llu received)", pf->what, s, r);
	if (pf->mode == PORTFORWARD_VIRTCTL)
		pf_close_virtctl(pf);
	else
		pf_close_native(pf);
	pthread_mutex_destroy(&pf->lock);
	free(pf);
}
