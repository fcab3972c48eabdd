/* OpenShift's OAuth server, just enough for `oc login -u` style logins
 * (the challenging-client implicit flow that mtv-api-tests and lib/oauth
 * use): the well-known document, and /oauth/authorize answering Basic
 * credentials with a 302 whose Location fragment carries the token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>
#include "sim.h"
#include "base64.h"

static bool basic_ok(struct sim *sim, const char *auth)
{
	struct buf dec = BUF_INIT(512);
	size_t len;
	char want[512];
	bool ok;

	if (!auth || strncmp(auth, "Basic ", 6))
		return false;
	auth += 6;
	len = strlen(auth);
	if (len == 0 || len >= 512 || len % 4 || base64_decode(&dec, auth, len) < 0) {
		buf_release(&dec);
		return false;
	}
	snprintf(want, sizeof(want), "%s:%s", json_str(sim->world, "cluster.username", "kubeadmin"),
		 json_str(sim->world, "cluster.password", SIM_DEFAULT_PASSWORD));
	ok = strlen(buf_str(&dec)) == dec.len && !strcmp(buf_str(&dec), want);
	explicit_bzero(dec.data, dec.len);
	buf_release(&dec);
	return ok;
}

bool oauth_handle(struct sim *sim, struct request *r, struct response *resp)
{
	char base[64];

	snprintf(base, sizeof(base), "https://127.0.0.1:%d", sim->port);
	if (!strcmp(r->path, "/.well-known/oauth-authorization-server")) {
		cJSON *d = cJSON_CreateObject(), *a;
		char url[128];

		cJSON_AddStringToObject(d, "issuer", base);
		snprintf(url, sizeof(url), "%s/oauth/authorize", base);
		cJSON_AddStringToObject(d, "authorization_endpoint", url);
		snprintf(url, sizeof(url), "%s/oauth/token", base);
		cJSON_AddStringToObject(d, "token_endpoint", url);
		a = cJSON_AddArrayToObject(d, "response_types_supported");
		cJSON_AddItemToArray(a, cJSON_CreateString("code"));
		cJSON_AddItemToArray(a, cJSON_CreateString("token"));
		resp_json(resp, 200, d);
		return true;
	}
	if (!strcmp(r->path, "/oauth/authorize")) {
		const char *auth = MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_HEADER_KIND,
								"Authorization");
		char loc[512];

		stats_count(sim, "login", "oauth");
		if (!basic_ok(sim, auth)) {
			resp->status = 401;
			resp->ctype = "text/plain";
			resp->body = strdup("Unauthorized\n");
			resp->extra_header_name = strdup("WWW-Authenticate");
			resp->extra_header_value = strdup("Basic realm=\"openshift\"");
			return true;
		}
		snprintf(loc, sizeof(loc),
			 "%s/oauth/token/implicit#access_token=%s&expires_in=86400&scope=user%%3Afull&token_type=Bearer",
			 base, sim->token);
		resp->status = 302;
		resp->ctype = "text/plain";
		resp->body = strdup("");
		resp->extra_header_name = strdup("Location");
		resp->extra_header_value = strdup(loc);
		return true;
	}
	return false;
}
