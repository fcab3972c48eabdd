/* The Secret and Provider objects of a source provider, and the local
 * destination provider, built the way mtv-api-tests builds them. */
#ifndef MTV_PROVIDER_OBJECTS_H
#define MTV_PROVIDER_OBJECTS_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "ensure.h"
#include "providers.h"
#include "wait.h"

struct source_secret_opts {
	bool insecure;			/* insecureSkipVerify */
	const char *cacert;		/* PEM or NULL */
	const char *cluster_url;	/* openshift source: the API server */
	const char *cluster_token;	/* openshift source: its token */
};

/* Secret <name> in ns with the connection keys Forklift reads for p's type
 * (data base64-encoded). */
cJSON *source_secret_build(const struct ensure_ctx *c, const struct provider_entry *p,
			   const char *ns, const char *name, const struct source_secret_opts *o);

/* Provider <name> in ns pointing at secret <name>; settings.vddkInitImage
 * when p has one.  url overrides p->url when not NULL (openshift source). */
cJSON *source_provider_build(const struct ensure_ctx *c, const struct provider_entry *p,
			     const char *ns, const char *name, const char *url);

/* The local destination: type openshift, url "", secret {}. */
cJSON *destination_provider_build(const struct ensure_ctx *c, const char *ns, const char *name);

/* Wait predicate: done on phase Ready; failed on phase ConnectionFailed
 * (with the ConnectionTestFailed or ConnectionAuthFailed message). */
enum wait_verdict provider_ready_pred(const cJSON *obj, bool deleted, void *arg, struct buf *why);

/* Append "Type=Status (Reason): message" for every condition to why. */
void conditions_describe(const cJSON *obj, struct buf *why, bool critical_only);

#endif
