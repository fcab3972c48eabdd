/* The source providers' own TLS endpoints.  A real vCenter, oVirt engine
 * or Keystone answers on its own address with a certificate from its own
 * CA, and that is what create-provider fetches (mtv-api-tests'
 * `openssl s_client -showcerts`) and what Forklift's connection test
 * verifies the Secret's CA against.  Each world provider with an https url
 * gets a listener on 127.0.0.1 and a fresh CA; providers.json names it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>
#include "sim.h"
#include "log.h"

#define PKI_RESOURCE "/ovirt-engine/services/pki-resource"

static enum MHD_Result endpoint_handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
					const char *version, const char *upload_data, size_t *upload_data_size,
					void **con_cls)
{
	const struct sim_endpoint *ep = cls;
	const char *type = json_str(ep->wprov, "type", "");
	const char *res = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "resource");
	struct MHD_Response *mr;
	enum MHD_Result ret;
	char body[600];
	const char *out = body;
	unsigned int status = 200;

	(void)method;
	(void)version;
	(void)upload_data;
	(void)con_cls;
	*upload_data_size = 0;
	if (!strcmp(type, "ovirt") && !strcmp(url, PKI_RESOURCE) && res && !strcmp(res, "ca-certificate")) {
		/* What the engine publishes and Forklift's Secret webhook fetches. */
		out = ep->tls.ca_pem;
	} else {
		/* The provider's API itself is simulated by the controller and
		 * the inventory; this listener is about its certificate. */
		snprintf(body, sizeof(body), "mtv-sim %s endpoint of provider %s\n", type, json_str(ep->wprov, "name", ""));
		status = strcmp(url, "/") ? 404 : 200;
	}
	mr = MHD_create_response_from_buffer(strlen(out), (void *)out, MHD_RESPMEM_MUST_COPY);
	if (!mr)
		return MHD_NO;
	MHD_add_response_header(mr, "Content-Type", "text/plain");
	ret = MHD_queue_response(c, status, mr);
	MHD_destroy_response(mr);
	return ret;
}

/* "https://host[:port]/path" -> host, and "/path" */
static void split_url(const char *url, char *host, size_t hostsz, const char **path)
{
	const char *h = strstr(url, "://");

	h = h ? h + 3 : url;
	snprintf(host, hostsz, "%.*s", (int)strcspn(h, "/:"), h);
	*path = h + strcspn(h, "/");
}

int endpoints_start(struct sim *sim, struct mtv_err *err)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, json_get(sim->world, "providers")) {
		const char *url = json_str(p, "url", ""), *path;
		struct sim_endpoint *ep;
		char cn[320], *chain;
		size_t n;

		/* a vcsim-backed provider is reached at vcsim itself */
		if (strncmp(url, "https://", 8) || vcsim_backend(p))
			continue;
		if (sim->nendpoints == SIM_MAX_ENDPOINTS)
			return mtv_err_set(err, MTV_EXIT_USAGE, "%s: more than %d providers with an https url",
					   sim->world_path, SIM_MAX_ENDPOINTS);
		ep = &sim->endpoints[sim->nendpoints];
		ep->wprov = p;
		split_url(url, ep->host, sizeof(ep->host), &path);
		snprintf(cn, sizeof(cn), "%s CA (%s)", json_str(p, "type", ""), json_str(p, "name", ""));
		/* The world host stays in the certificate: the world url is an
		 * alias of this endpoint, as if DNS resolved it here. */
		if (tls_issue(cn, ep->host, &ep->tls, NULL, NULL, err))
			return -1;
		/* Serve the leaf and its CA, so a client that fetches the chain
		 * gets the CA a user would paste into the Secret. */
		n = strlen(ep->tls.cert_pem) + strlen(ep->tls.ca_pem) + 1;
		chain = malloc(n);
		if (!chain)
			abort();
		snprintf(chain, n, "%s%s", ep->tls.cert_pem, ep->tls.ca_pem);
		ep->d = server_listen_tls(chain, ep->tls.key_pem, endpoint_handler, ep, &ep->port, err);
		free(chain);
		if (!ep->d)
			return mtv_err_prefix(err, "provider %s", json_str(p, "name", ""));
		snprintf(ep->url, sizeof(ep->url), "https://127.0.0.1:%d%s", ep->port, path);
		sim->nendpoints++;
		log_debug("provider %s: TLS endpoint %s", json_str(p, "name", ""), ep->url);
	}
	return 0;
}

void endpoints_stop(struct sim *sim)
{
	for (int i = 0; i < sim->nendpoints; i++) {
		MHD_stop_daemon(sim->endpoints[i].d);
		tls_release(&sim->endpoints[i].tls);
	}
	sim->nendpoints = 0;
}

const struct sim_endpoint *endpoint_of(const struct sim *sim, const cJSON *wprov)
{
	for (int i = 0; wprov && i < sim->nendpoints; i++)
		if (sim->endpoints[i].wprov == wprov)
			return &sim->endpoints[i];
	return NULL;
}
