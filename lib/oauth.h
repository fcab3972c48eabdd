/* OpenShift user/password login (the "challenging client" token flow).
 *
 *   GET <api>/.well-known/oauth-authorization-server -> authorization_endpoint
 *   GET <authorization_endpoint>?response_type=token&client_id=openshift-challenging-client
 *       with Basic auth and "X-CSRF-Token: 1", redirects not followed
 *   302 Location: ...#access_token=<token>&...
 *
 * This is how `oc login -u` and mtv-api-tests obtain a bearer token.  The
 * password and the token are never logged and never appear in messages.
 */
#ifndef MTV_OAUTH_H
#define MTV_OAUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct oauth_login {
	const char *api_url;	/* "https://api.example:6443" (scheme optional) */
	const char *username;
	const char *password;
	bool insecure;		/* skip TLS verification of API and OAuth server */
	const char *ca_pem;	/* CA for both servers, or NULL for the system CAs */
	size_t ca_len;
};

/* Log in and return the access token (malloc'd) in *token.  Failures:
 * wrong credentials → MTV_EXIT_ENV "... 401 unauthorized ..."; unreachable
 * or malformed server answers → MTV_EXIT_ENV. */
int oauth_login_token(const struct oauth_login *in, char **token, struct mtv_err *err);

/* Extract access_token from a Location URL's fragment (malloc'd), or NULL. */
char *oauth_token_from_location(const char *location);

#endif
