#include "oauth.h"

#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "buf.h"
#include "http.h"
#include "log.h"

char *oauth_token_from_location(const char *location)
{
	const char *frag = location ? strchr(location, '#') : NULL;
	const char *p;

	if (!frag)
		return NULL;
	for (p = frag + 1; *p;) {
		size_t n = strcspn(p, "&");

		if (n > 13 && !strncmp(p, "access_token=", 13))
			return strndup(p + 13, n - 13);
		p += n;
		if (*p == '&')
			p++;
	}
	return NULL;
}

static int setup_client(struct http_client *c, const char *url, const struct oauth_login *in,
			struct mtv_err *err)
{
	if (http_client_init(c, url, err) < 0)
		return -1;
	http_client_set_insecure(c, in->insecure);
	if (in->ca_pem && http_client_set_ca(c, in->ca_pem, in->ca_len) < 0) {
		http_client_release(c);
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	}
	return 0;
}

/* The OAuth server's authorization endpoint, from the API server's
 * well-known document. */
static int discover(const char *api, const struct oauth_login *in, char **endpoint,
		    struct mtv_err *err)
{
	struct http_client c;
	struct http_response resp;
	struct http_request req = { .path = "/.well-known/oauth-authorization-server",
				    .no_auth = true };
	cJSON *doc = NULL;
	const cJSON *ep;
	int ret = -1;

	if (setup_client(&c, api, in, err) < 0)
		return -1;
	http_response_init(&resp);
	if (http_do(&c, &req, &resp, err) < 0) {
		mtv_err_prefix(err, "OpenShift login at %s", api);
		goto out;
	}
	if (resp.status != 200) {
		mtv_err_set(err, MTV_EXIT_ENV,
			    "OpenShift login at %s: %s/.well-known/oauth-authorization-server: HTTP %ld (is this an OpenShift cluster?)",
			    api, api, resp.status);
		goto out;
	}
	doc = cJSON_ParseWithLength(resp.body.data ? resp.body.data : "", resp.body.len);
	ep = cJSON_GetObjectItemCaseSensitive(doc, "authorization_endpoint");
	if (!cJSON_IsString(ep) || !*ep->valuestring) {
		mtv_err_set(err, MTV_EXIT_ENV,
			    "OpenShift login at %s: .well-known/oauth-authorization-server: authorization_endpoint: missing",
			    api);
		goto out;
	}
	*endpoint = strdup(ep->valuestring);
	ret = *endpoint ? 0 : mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
out:
	cJSON_Delete(doc);
	http_response_release(&resp);
	http_client_release(&c);
	return ret;
}

int oauth_login_token(const struct oauth_login *in, char **token, struct mtv_err *err)
{
	static const char *const hdrs[] = { "X-CSRF-Token: 1", NULL };
	struct buf api = BUF_INIT(4096), url = BUF_INIT(8192);
	struct http_client c;
	struct http_response resp;
	struct http_request req = { .headers = hdrs, .basic_user = in->username,
				    .basic_pass = in->password, .sensitive = true,
				    .accept = "*/*" };
	char *endpoint = NULL;
	int ret = -1;

	*token = NULL;
	if (!in->api_url || !*in->api_url)
		return mtv_err_set(err, MTV_EXIT_USAGE, "MTV_CLUSTER_HOST: empty");
	if (!strstr(in->api_url, "://"))
		buf_addstr(&api, "https://");
	buf_addstr(&api, in->api_url);
	while (api.len && api.data[api.len - 1] == '/')
		api.data[--api.len] = '\0';
	if (discover(buf_str(&api), in, &endpoint, err) < 0)
		goto out;
	buf_addf(&url, "%s%sresponse_type=token&client_id=openshift-challenging-client", endpoint,
		 strchr(endpoint, '?') ? "&" : "?");
	req.path = buf_str(&url);
	if (setup_client(&c, buf_str(&api), in, err) < 0)
		goto out;
	http_response_init(&resp);
	if (http_do(&c, &req, &resp, err) < 0) {
		mtv_err_prefix(err, "OpenShift login as %s at %s", in->username, buf_str(&api));
	} else if (resp.status == 401) {
		mtv_err_set(err, MTV_EXIT_ENV,
			    "OpenShift login as %s at %s: 401 unauthorized: wrong MTV_CLUSTER_USERNAME or MTV_CLUSTER_PASSWORD",
			    in->username, buf_str(&api));
	} else if (resp.status != 302 && resp.status != 303) {
		mtv_err_set(err, MTV_EXIT_ENV,
			    "OpenShift login as %s at %s: the OAuth server answered HTTP %ld, expected a 302 redirect with a token",
			    in->username, buf_str(&api), resp.status);
	} else if (!(*token = oauth_token_from_location(resp.location))) {
		mtv_err_set(err, MTV_EXIT_ENV,
			    "OpenShift login as %s at %s: the OAuth server's redirect carries no access_token",
			    in->username, buf_str(&api));
	} else {
		log_debug("OpenShift login as %s at %s: token obtained", in->username,
			  buf_str(&api));
		ret = 0;
	}
	/* The Location header holds the token: wipe it. */
	if (resp.location)
		explicit_bzero(resp.location, strlen(resp.location));
	http_response_release(&resp);
	http_client_release(&c);
out:
	free(endpoint);
	buf_release(&api);
	buf_release(&url);
	return ret;
}
