#include "tlsfetch.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

/* Split "host:port" / "[v6]:port" / "host" into parts. */
static int split_host(const char *in, char *host, size_t hostsz, char *port, size_t portsz)
{
	const char *colon;

	if (in[0] == '[') {
		const char *end = strchr(in, ']');

		if (!end || (size_t)(end - in - 1) >= hostsz)
			return -1;
		snprintf(host, hostsz, "%.*s", (int)(end - in - 1), in + 1);
		snprintf(port, portsz, "%s", end[1] == ':' ? end + 2 : "443");
		return 0;
	}
	colon = strrchr(in, ':');
	if (colon && strchr(in, ':') == colon) {
		snprintf(host, hostsz, "%.*s", (int)(colon - in), in);
		snprintf(port, portsz, "%s", colon + 1);
	} else {
		snprintf(host, hostsz, "%s", in);
		snprintf(port, portsz, "443");
	}
	return *host && *port ? 0 : -1;
}

static bool is_ip_literal(const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
}

static int connect_with_timeout(const char *host, const char *port, long timeout_s,
				struct mtv_err *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1, rc;

	rc = getaddrinfo(host, port, &hints, &res);
	if (rc)
		return mtv_err_set(err, MTV_EXIT_ENV, "%s:%s: %s", host, port, gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		struct pollfd p;
		int soerr = 0;
		socklen_t len = sizeof(soerr);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		p = (struct pollfd){ .fd = fd, .events = POLLOUT };
		if (errno == EINPROGRESS && poll(&p, 1, (int)(timeout_s * 1000)) == 1 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return mtv_err_set(err, MTV_EXIT_ENV, "%s:%s: cannot connect", host, port);
	/* The handshake runs blocking, bounded by socket timeouts. */
	struct timeval tv = { .tv_sec = timeout_s };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int tls_fetch_chain(const char *hostport, long timeout_s, struct buf *out, struct mtv_err *err)
{
	char host[256], port[16];
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	BIO *mem = NULL;
	STACK_OF(X509) *chain;
	int fd, r = -1;

	if (split_host(hostport, host, sizeof(host), port, sizeof(port)) < 0)
		return mtv_err_set(err, MTV_EXIT_USAGE, "fqdn \"%s\": not a host or host:port", hostport);
	fd = connect_with_timeout(host, port, timeout_s, err);
	if (fd < 0)
		return mtv_err_prefix(err, "fetching the CA certificate");
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx)
		goto tls_fail;
	/* We are fetching the chain in order to trust it later: the handshake
	 * itself cannot verify anything yet. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	ssl = SSL_new(ctx);
	if (!ssl || !SSL_set_fd(ssl, fd))
		goto tls_fail;
	/* SNI carries host names only (RFC 6066 3): not for an fqdn that is
	 * an address, such as mtv-sim's 127.0.0.1:<port>. */
	if (!is_ip_literal(host))
		SSL_set_tlsext_host_name(ssl, host);
	if (SSL_connect(ssl) != 1)
		goto tls_fail;
	chain = SSL_get_peer_cert_chain(ssl);
	if (!chain || sk_X509_num(chain) == 0) {
		mtv_err_set(err, MTV_EXIT_ENV, "%s:%s: server sent no certificate", host, port);
		goto out;
	}
	mem = BIO_new(BIO_s_mem());
	for (int i = 0; mem && i < sk_X509_num(chain); i++)
		PEM_write_bio_X509(mem, sk_X509_value(chain, i));
	{
		char *data;
		long len = mem ? BIO_get_mem_data(mem, &data) : 0;

		if (len <= 0 || buf_add(out, data, (size_t)len) < 0) {
			mtv_err_set(err, MTV_EXIT_ENV, "%s:%s: cannot encode the certificates", host, port);
			goto out;
		}
	}
	r = 0;
	goto out;
tls_fail:
	{
		const char *why = ERR_reason_error_string(ERR_peek_last_error());

		mtv_err_set(err, MTV_EXIT_ENV,
			    "fetching the CA certificate from %s:%s: TLS handshake failed (%s)", host,
			    port, why ? why : "no detail");
	}
out:
	BIO_free(mem);
	if (ssl)
		SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	ERR_clear_error();
	return r;
}
