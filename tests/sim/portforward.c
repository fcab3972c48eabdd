/* KubeVirt's port-forward subresource:
 *
 *   GET /apis/subresources.kubevirt.io/v1/namespaces/<ns>/
 *       virtualmachineinstances/<name>/portforward/<port>[/tcp]
 *
 * upgraded to a WebSocket (RFC 6455, framed by hand here: this is the test
 * double; the product uses libwebsockets) with the subprotocol
 * plain.kubevirt.io, binary messages carrying the TCP stream.
 *
 * Checks in virt-api's order, after the API server's authentication: RBAC
 * (get on virtualmachineinstances/portforward in subresources.kubevirt.io,
 * the port not part of it, as KubeVirt's authorizer says), the VMI (404
 * `virtualmachineinstance.kubevirt.io "x" not found`, NewNotFound of
 * v1.Resource("virtualmachineinstance")), Paused (409), no interfaces in
 * its status — a VMI that is not running has none — (400 "no network
 * interfaces are present", getTargetInterfaceIP), then the upgrade itself
 * (gorilla's 400s).
 *
 * Where the stream goes: a migrated VMI whose world VM has "sshGuest":
 * "<label>" carries the annotation mtv-sim/ssh-guest (ctl_dest.c); at
 * connect time <state-dir>/guests/<label>/port names a loopback port (a
 * real sshd the tests start).  No label, no port file or nothing listening:
 * the upgrade succeeds and the stream closes at once.  Like virt-api the
 * server pings every second.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <netinet/tcp.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include "sim.h"
#include "log.h"
#include "loopback.h"

#define PF_PREFIX "/apis/subresources.kubevirt.io/"
#define PF_SUBPROTOCOL "plain.kubevirt.io"
#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_MAX_FRAME (16u * 1024 * 1024)

struct pf_upgrade {
	struct sim *sim;
	char what[600];		/* ns/name:port for the log */
	char label[256];	/* the guest label, "" for none */
	int port;
	char accept[64];	/* Sec-WebSocket-Accept */
};

bool pf_is_portforward(const char *path)
{
	return !strncmp(path, PF_PREFIX, strlen(PF_PREFIX));
}

/* Does a comma separated header value hold token (case-insensitive)? */
static bool has_token(const char *value, const char *token)
{
	size_t tl = strlen(token);

	while (value && *value) {
		size_t n;

		value += strspn(value, " \t,");
		n = strcspn(value, ",");
		while (n && (value[n - 1] == ' ' || value[n - 1] == '\t'))
			n--;
		if (n == tl && !strncasecmp(value, token, tl))
			return true;
		value += strcspn(value, ",");
	}
	return false;
}

static void ws_accept(const char *key, char *out, size_t outsz)
{
	unsigned char md[SHA_DIGEST_LENGTH];
	char in[256];

	snprintf(in, sizeof(in), "%s%s", key, WS_GUID);
	SHA1((const unsigned char *)in, strlen(in), md);
	if (outsz >= 4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1)
		EVP_EncodeBlock((unsigned char *)out, md, SHA_DIGEST_LENGTH);
}

static void forbidden(struct response *resp, const struct principal *p, const char *ns, const char *name)
{
	char msg[1400];

	snprintf(msg, sizeof(msg),
		 "virtualmachineinstances.subresources.kubevirt.io \"%s\" is forbidden: User \"%s\" cannot get "
		 "resource \"virtualmachineinstances/portforward\" in API group \"subresources.kubevirt.io\" in the "
		 "namespace \"%s\"",
		 name, p->user, ns);
	resp_status(resp, 403, "Forbidden", msg, "virtualmachineinstances", name, NULL);
}

struct pf_upgrade *pf_prepare(struct sim *sim, struct request *r, struct response *resp)
{
	struct MHD_Connection *c = r->conn;
	char parts[10][256];
	const char *p = r->path + 1, *v;
	int n = 0;
	const struct restype *vmirt = restype_find("kubevirt.io", "v1", "virtualmachineinstances");
	struct sobj *so;
	struct pf_upgrade *up;
	char msg[800], *end;
	long port;
	const cJSON *cond;

	stats_count(sim, "get", "virtualmachineinstances/portforward");
	while (*p && n < 10) {
		size_t len = strcspn(p, "/");

		if (len >= sizeof(parts[0]))
			break;
		memcpy(parts[n], p, len);
		parts[n++][len] = '\0';
		p += len;
		if (*p == '/')
			p++;
	}
	/* apis subresources.kubevirt.io v1 namespaces NS virtualmachineinstances NAME portforward PORT [tcp] */
	if (*p || n < 9 || (n == 10 && strcmp(parts[9], "tcp")) || (strcmp(parts[2], "v1") && strcmp(parts[2], "v1alpha3")) || strcmp(parts[3], "namespaces") ||
	    strcmp(parts[5], "virtualmachineinstances") || strcmp(parts[7], "portforward")) {
		resp_status(resp, 404, "NotFound", "the server could not find the requested resource", NULL, NULL, NULL);
		return NULL;
	}
	port = strtol(parts[8], &end, 10);
	if (*end || port <= 0 || port > 65535) {
		resp_status(resp, 404, "NotFound", "the server could not find the requested resource", NULL, NULL, NULL);
		return NULL;
	}
	if (strcmp(r->method, "GET")) {
		resp_status(resp, 405, "MethodNotAllowed", "the server does not allow this method on the requested resource",
			    NULL, NULL, NULL);
		return NULL;
	}
	if (r->who && !auth_allowed(sim, r->who, "get", "subresources.kubevirt.io", "virtualmachineinstances",
				    "portforward", parts[4], parts[6])) {
		forbidden(resp, r->who, parts[4], parts[6]);
		return NULL;
	}
	so = store_find(&sim->store, vmirt, parts[4], parts[6]);
	if (!so) {
		snprintf(msg, sizeof(msg), "virtualmachineinstance.kubevirt.io \"%s\" not found", parts[6]);
		resp_status(resp, 404, "NotFound", msg, "virtualmachineinstance", parts[6], NULL);
		return NULL;
	}
	cJSON_ArrayForEach(cond, json_get(so->o, "status.conditions"))
		if (!strcmp(json_str(cond, "type", ""), "Paused") && !strcmp(json_str(cond, "status", ""), "True")) {
			snprintf(msg, sizeof(msg),
				 "Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io \"%s\": VMI is paused",
				 parts[6]);
			resp_status(resp, 409, "Conflict", msg, "virtualmachineinstance", parts[6], NULL);
			return NULL;
		}
	if (strcmp(json_str(so->o, "status.phase", ""), "Running") ||
	    cJSON_GetArraySize(json_get(so->o, "status.interfaces")) < 1) {
		resp_status(resp, 400, "BadRequest", "no network interfaces are present", NULL, NULL, NULL);
		return NULL;
	}
	/* gorilla's Upgrader */
	v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Connection");
	if (!has_token(v, "upgrade")) {
		resp_status(resp, 400, "BadRequest",
			    "websocket: the client is not using the websocket protocol: 'upgrade' token not found in "
			    "'Connection' header",
			    NULL, NULL, NULL);
		return NULL;
	}
	v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Upgrade");
	if (!has_token(v, "websocket")) {
		resp_status(resp, 400, "BadRequest",
			    "websocket: the client is not using the websocket protocol: 'websocket' token not found in "
			    "'Upgrade' header",
			    NULL, NULL, NULL);
		return NULL;
	}
	v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-WebSocket-Version");
	if (!v || strcmp(v, "13")) {
		resp_status(resp, 400, "BadRequest", "websocket: unsupported version: 13 not found in 'Sec-Websocket-Version' header",
			    NULL, NULL, NULL);
		return NULL;
	}
	v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-WebSocket-Protocol");
	if (!has_token(v, PF_SUBPROTOCOL)) {
		resp_status(resp, 400, "BadRequest", "websocket: the client did not ask for the subprotocol " PF_SUBPROTOCOL,
			    NULL, NULL, NULL);
		return NULL;
	}
	v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-WebSocket-Key");
	if (!v || !*v || strlen(v) > 100) {
		resp_status(resp, 400, "BadRequest", "websocket: not a websocket handshake: 'Sec-WebSocket-Key' header is missing or blank",
			    NULL, NULL, NULL);
		return NULL;
	}
	up = calloc(1, sizeof(*up));
	if (!up) {
		resp_status(resp, 500, "InternalError", "out of memory", NULL, NULL, NULL);
		return NULL;
	}
	up->sim = sim;
	up->port = (int)port;
	snprintf(up->what, sizeof(up->what), "%s/%s:%ld", parts[4], parts[6], port);
	snprintf(up->label, sizeof(up->label), "%s", json_str(so->o, "metadata.annotations.mtv-sim/ssh-guest", ""));
	ws_accept(v, up->accept, sizeof(up->accept));
	resp->status = 101;
	return up;
}

/* ---- the bridge ---- */

struct bridge {
	struct pf_upgrade *up;
	MHD_socket sock;
	struct MHD_UpgradeResponseHandle *urh;
	char *extra;		/* bytes the client sent right after its handshake */
	size_t extra_len, extra_off;
	int guest;		/* -1 when nothing listens */
	pthread_mutex_t wlock;	/* frames to the client come from both threads */
	volatile int closing;	/* our close frame is sent */
	volatile int client_closed;
};

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One unmasked frame from the server. */
static int send_frame(struct bridge *b, int fin, int opcode, const void *data, size_t len)
{
	unsigned char h[10];
	size_t hl = 2;
	int rc;

	h[0] = (unsigned char)((fin ? 0x80 : 0) | opcode);
	if (len < 126) {
		h[1] = (unsigned char)len;
	} else if (len < 65536) {
		h[1] = 126;
		h[2] = (unsigned char)(len >> 8);
		h[3] = (unsigned char)len;
		hl = 4;
	} else {
		h[1] = 127;
		for (int i = 0; i < 8; i++)
			h[2 + i] = (unsigned char)((unsigned long long)len >> (56 - 8 * i));
		hl = 10;
	}
	/* header and payload in one write: MHD turns each read of this
	 * socket into a TLS record, and a lone small record behind a large
	 * one waits on Nagle and the peer's delayed ACK (40 ms) */
	{
		unsigned char *f = malloc(hl + len);

		if (!f)
			return -1;
		memcpy(f, h, hl);
		if (len)
			memcpy(f + hl, data, len);
		pthread_mutex_lock(&b->wlock);
		rc = write_all(b->sock, f, hl + len);
		pthread_mutex_unlock(&b->wlock);
		free(f);
	}
	return rc;
}

static void send_close(struct bridge *b, int code)
{
	unsigned char p[2] = { (unsigned char)(code >> 8), (unsigned char)code };

	if (__atomic_exchange_n(&b->closing, 1, __ATOMIC_SEQ_CST))
		return;
	send_frame(b, 1, 8, p, 2);
}

/* Read exactly len bytes from the client: first what MHD already had,
 * then the socket; polls so a stopping sim or a close that is never
 * answered ends the wait.  -1 on EOF, error or give-up. */
static int read_client(struct bridge *b, void *dst, size_t len)
{
	char *d = dst;
	time_t closing_since = 0;

	while (len) {
		struct pollfd pfd = { .fd = b->sock, .events = POLLIN };
		ssize_t n;

		if (b->extra_off < b->extra_len) {
			size_t k = b->extra_len - b->extra_off;

			if (k > len)
				k = len;
			memcpy(d, b->extra + b->extra_off, k);
			b->extra_off += k;
			d += k;
			len -= k;
			continue;
		}
		if (b->up->sim->stopping)
			return -1;
		if (b->closing) {
			if (!closing_since)
				closing_since = time(NULL);
			else if (time(NULL) - closing_since > 2)
				return -1;
		}
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		n = recv(b->sock, d, len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -1;
		d += n;
		len -= (size_t)n;
	}
	return 0;
}

/* guest -> client, and the keep-alive pings */
static void *guest_to_client(void *arg)
{
	struct bridge *b = arg;
	char buf[32 * 1024];
	time_t last_ping = time(NULL);

	for (;;) {
		struct pollfd pfd = { .fd = b->guest, .events = POLLIN };
		ssize_t n;
		int pr;

		if (b->up->sim->stopping || b->client_closed)
			break;
		if (time(NULL) - last_ping >= 1) {
			if (send_frame(b, 1, 9, "keep alive", 10) < 0)
				break;
			last_ping = time(NULL);
		}
		pr = poll(&pfd, 1, 200);
		if (pr <= 0)
			continue;
		n = recv(b->guest, buf, sizeof(buf), 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		/* a bigger chunk goes as two fragments, so the client's
		 * reassembly is exercised */
		if (n > 16 * 1024) {
			if (send_frame(b, 0, 2, buf, 8 * 1024) < 0 || send_frame(b, 1, 0, buf + 8 * 1024, (size_t)n - 8 * 1024) < 0)
				break;
		} else if (send_frame(b, 1, 2, buf, (size_t)n) < 0) {
			break;
		}
	}
	send_close(b, 1000);
	return NULL;
}

static int connect_guest(struct pf_upgrade *up)
{
	char path[4096], buf[32];
	FILE *f;
	long port = 0;

	if (!up->label[0] || strchr(up->label, '/') || !strcmp(up->label, "..") || !strcmp(up->label, "."))
		return -1;
	snprintf(path, sizeof(path), "%s/guests/%s/port", up->sim->state_dir, up->label);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		port = strtol(buf, NULL, 10);
	fclose(f);
	return loopback_connect((int)port);
}

/* client -> guest: the frames, in this thread */
static void *bridge_main(void *arg)
{
	struct bridge *b = arg;
	pthread_t out;
	bool have_out = false;
	unsigned char *payload = NULL;

	b->guest = connect_guest(b->up);
	log_debug("portforward %s: guest %s%s", b->up->what, b->up->label[0] ? b->up->label : "(none)",
		  b->guest < 0 ? ": nothing listens, closing the stream" : "");
	if (b->guest < 0)
		send_close(b, 1000);
	else if (pthread_create(&out, NULL, guest_to_client, b) == 0)
		have_out = true;
	else
		send_close(b, 1011);
	for (;;) {
		unsigned char h[2], ext[8], mask[4];
		unsigned long long len;
		int op, fin;

		if (read_client(b, h, 2) < 0)
			break;
		fin = h[0] & 0x80;
		op = h[0] & 0x0f;
		(void)fin;
		len = h[1] & 0x7f;
		if (len == 126) {
			if (read_client(b, ext, 2) < 0)
				break;
			len = ((unsigned)ext[0] << 8) | ext[1];
		} else if (len == 127) {
			if (read_client(b, ext, 8) < 0)
				break;
			len = 0;
			for (int i = 0; i < 8; i++)
				len = (len << 8) | ext[i];
		}
		if (!(h[1] & 0x80)) {
			/* RFC 6455 5.1: a client frame must be masked */
			send_close(b, 1002);
			break;
		}
		if (len > WS_MAX_FRAME || ((op & 0x8) && len > 125)) {
			send_close(b, 1009);
			break;
		}
		if (read_client(b, mask, 4) < 0)
			break;
		payload = realloc(payload, len ? len : 1);
		if (!payload || read_client(b, payload, len) < 0)
			break;
		for (unsigned long long i = 0; i < len; i++)
			payload[i] ^= mask[i % 4];
		if (op == 0 || op == 1 || op == 2) {
			/* continuation, text, binary: all of it is the stream */
			if (b->guest >= 0 && len && write_all(b->guest, payload, len) < 0) {
				send_close(b, 1000);
			}
		} else if (op == 8) {
			b->client_closed = 1;
			send_close(b, len >= 2 ? (payload[0] << 8 | payload[1]) : 1000);
			break;
		} else if (op == 9) {
			send_frame(b, 1, 10, payload, len);
		} else if (op == 10) {
			/* pong to our keep-alive */
		} else {
			send_close(b, 1002);
			break;
		}
	}
	b->client_closed = 1;
	if (b->guest >= 0)
		shutdown(b->guest, SHUT_RDWR);
	if (have_out)
		pthread_join(out, NULL);
	if (b->guest >= 0)
		close(b->guest);
	free(payload);
	log_debug("portforward %s: stream closed", b->up->what);
	MHD_upgrade_action(b->urh, MHD_UPGRADE_ACTION_CLOSE);
	pthread_mutex_destroy(&b->wlock);
	free(b->extra);
	free(b->up);
	free(b);
	return NULL;
}

static void upgraded(void *cls, struct MHD_Connection *connection, void *req_cls, const char *extra_in,
		     size_t extra_in_size, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
	struct pf_upgrade *up = cls;
	struct bridge *b = calloc(1, sizeof(*b));
	pthread_t t;
	int fl;

	(void)req_cls;
	/* MHD leaves Nagle on after the 101; Go (virt-api) turns it off on
	 * every TCP connection, and with it on each small message waits for
	 * the client's delayed ACK */
	{
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
		int one = 1;

		if (ci)
			setsockopt(ci->connect_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	if (!b || (extra_in_size && !(b->extra = malloc(extra_in_size)))) {
		free(b);
		free(up);
		MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
		return;
	}
	b->up = up;
	b->sock = sock;
	b->urh = urh;
	b->guest = -1;
	if (extra_in_size)
		memcpy(b->extra, extra_in, extra_in_size);
	b->extra_len = extra_in_size;
	pthread_mutex_init(&b->wlock, NULL);
	/* MHD hands the socket over non-blocking; the bridge polls itself */
	fl = fcntl(sock, F_GETFL);
	if (fl >= 0)
		fcntl(sock, F_SETFL, fl & ~O_NONBLOCK);
	if (pthread_create(&t, NULL, bridge_main, b) != 0) {
		pthread_mutex_destroy(&b->wlock);
		free(b->extra);
		free(b);
		free(up);
		MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
		return;
	}
	pthread_detach(t);
}

struct MHD_Response *pf_response(struct pf_upgrade *up)
{
	struct MHD_Response *mr = MHD_create_response_for_upgrade(upgraded, up);

	if (!mr) {
		free(up);
		return NULL;
	}
	MHD_add_response_header(mr, MHD_HTTP_HEADER_UPGRADE, "websocket");
	MHD_add_response_header(mr, "Sec-WebSocket-Accept", up->accept);
	MHD_add_response_header(mr, "Sec-WebSocket-Protocol", PF_SUBPROTOCOL);
	return mr;
}
