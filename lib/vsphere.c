/* vim25 SOAP client: envelopes, faults, sessions, property collection and
 * container views (the VM facts are in vsphere_vms.c, tasks in
 * vsphere_tasks.c).  See vsphere.h for the protocol pieces and why they are used. */
#include "vsphere.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libxml/parser.h>

#include "log.h"
#include "redact.h"
#include "vsphere_int.h"

#define SOAP_ENV_NS "http://schemas.xmlsoap.org/soap/envelope/"
#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"

/* ---- XML helpers ---- */

int vsphere_xml_escape(struct buf *out, const char *s)
{
	for (; *s; s++) {
		int r;

		switch (*s) {
		case '&': r = buf_addstr(out, "&amp;"); break;
		case '<': r = buf_addstr(out, "&lt;"); break;
		case '>': r = buf_addstr(out, "&gt;"); break;
		case '"': r = buf_addstr(out, "&quot;"); break;
		default: r = buf_addch(out, *s); break;
		}
		if (r < 0)
			return -1;
	}
	return 0;
}

bool vsphere_named(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

xmlNodePtr vsphere_child(xmlNodePtr node, const char *name)
{
	if (!node)
		return NULL;
	for (xmlNodePtr n = node->children; n; n = n->next)
		if (vsphere_named(n, name))
			return n;
	return NULL;
}

char *vsphere_node_text(xmlNodePtr n)
{
	xmlChar *t;
	char *s;

	if (!n)
		return NULL;
	t = xmlNodeGetContent(n);
	if (!t)
		return NULL;
	s = strdup((const char *)t);
	xmlFree(t);
	return s;
}

char *vsphere_child_text(xmlNodePtr node, const char *name)
{
	return vsphere_node_text(vsphere_child(node, name));
}

/* The xsi:type of an element without its prefix ("vim25:VirtualDisk" ->
 * "VirtualDisk"), into out; "" when absent. */
void vsphere_xsi_type(xmlNodePtr n, char *out, size_t outsz)
{
	xmlChar *t = xmlGetNsProp(n, (const xmlChar *)"type", (const xmlChar *)XSI_NS);
	const char *s, *colon;

	out[0] = '\0';
	if (!t)
		return;
	s = (const char *)t;
	colon = strchr(s, ':');
	snprintf(out, outsz, "%s", colon ? colon + 1 : s);
	xmlFree(t);
}

long long vsphere_child_ll(xmlNodePtr node, const char *name, long long dflt)
{
	char *t = vsphere_child_text(node, name);
	long long v = dflt;

	if (t && *t)
		v = strtoll(t, NULL, 10);
	free(t);
	return v;
}

void vsphere_moref_from(xmlNodePtr n, struct vsphere_moref *m)
{
	xmlChar *type;
	xmlChar *val;

	memset(m, 0, sizeof(*m));
	if (!n)
		return;
	type = xmlGetNoNsProp(n, (const xmlChar *)"type");
	val = xmlNodeGetContent(n);
	snprintf(m->type, sizeof(m->type), "%s", type ? (const char *)type : "");
	snprintf(m->value, sizeof(m->value), "%s", val ? (const char *)val : "");
	xmlFree(type);
	xmlFree(val);
}

/* ---- SOAP envelope and faults ---- */

int vsphere_soap_parse(const char *xml, size_t len, long http_status, const char *method,
		       xmlDocPtr *doc_out, xmlNodePtr *body_out, struct mtv_err *err)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr env, body, first = NULL;

	*doc_out = NULL;
	*body_out = NULL;
	if (len > 0 && len <= (size_t)INT32_MAX)
		doc = xmlReadMemory(xml, (int)len, "vim25.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	env = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!vsphere_named(env, "Envelope") || !env->ns ||
	    strcmp((const char *)env->ns->href, SOAP_ENV_NS)) {
		xmlFreeDoc(doc);
		err->http_status = (int)http_status;
		if (http_status < 200 || http_status > 299)
			return mtv_err_set(err, MTV_EXIT_ENV, "vSphere %s: HTTP %ld (not a SOAP response)",
					   method, http_status);
		return mtv_err_set(err, MTV_EXIT_ENV, "vSphere %s: the response is not a SOAP envelope",
				   method);
	}
	body = vsphere_child(env, "Body");
	for (xmlNodePtr n = body ? body->children : NULL; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE) {
			first = n;
			break;
		}
	if (vsphere_named(first, "Fault")) {
		char *fs = vsphere_child_text(first, "faultstring");
		xmlNodePtr detail = vsphere_child(first, "detail");
		char type[64] = "";

		for (xmlNodePtr d = detail ? detail->children : NULL; d; d = d->next) {
			if (d->type != XML_ELEMENT_NODE)
				continue;
			vsphere_xsi_type(d, type, sizeof(type));
			if (!type[0]) {
				/* <InvalidLoginFault> without xsi:type: the element
				 * name less its "Fault" suffix. */
				size_t l = strlen((const char *)d->name);

				snprintf(type, sizeof(type), "%.*s",
					 (int)(l > 5 && !strcmp((const char *)d->name + l - 5, "Fault") ? l - 5 : l),
					 (const char *)d->name);
			}
			break;
		}
		if (!type[0])
			snprintf(type, sizeof(type), "Fault");
		mtv_err_set(err, MTV_EXIT_ENV, "vSphere %s: %s: %s", method, type,
			    fs && *fs ? fs : "(no message)");
		snprintf(err->reason, sizeof(err->reason), "%s", type);
		err->http_status = (int)http_status;
		free(fs);
		xmlFreeDoc(doc);
		return -1;
	}
	if (!first || http_status < 200 || http_status > 299) {
		xmlFreeDoc(doc);
		err->http_status = (int)http_status;
		return mtv_err_set(err, MTV_EXIT_ENV, "vSphere %s: HTTP %ld without a %sResponse",
				   method, http_status, method);
	}
	*doc_out = doc;
	*body_out = first;
	return 0;
}

/* ---- the client ---- */

int vsphere_client_init(struct vsphere_client *c, const char *url, struct mtv_err *err)
{
	const char *scheme_end = strstr(url, "://");
	const char *path = scheme_end ? strchr(scheme_end + 3, '/') : NULL;
	char base[1024];

	memset(c, 0, sizeof(*c));
	if (!scheme_end || (strncmp(url, "https://", 8) && strncmp(url, "http://", 7)))
		return mtv_err_set(err, MTV_EXIT_USAGE, "vSphere URL %s: not http(s)://host[/sdk]", url);
	snprintf(base, sizeof(base), "%.*s", (int)(path ? (size_t)(path - url) : strlen(url)), url);
	if (http_client_init(&c->http, base, err) < 0)
		return -1;
	c->path = strdup(path && path[1] ? path : "/sdk");
	c->task_timeout_s = 600;
	snprintf(c->api_version, sizeof(c->api_version), "%s", "");
	return c->path ? 0 : mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
}

int vsphere_client_tls(struct vsphere_client *c, const char *ca_pem, bool insecure,
		       struct mtv_err *err)
{
	/* lib/http hands the PEM to curl as a blob (CURLOPT_CAINFO_BLOB): it
	 * replaces the system trust store, as a Provider's cacert does in
	 * Forklift; insecure wins over a CA, as insecureSkipVerify does. */
	if (http_client_set_ca(&c->http, ca_pem && *ca_pem ? ca_pem : NULL,
			       ca_pem && *ca_pem ? strlen(ca_pem) : 0) < 0)
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	http_client_set_insecure(&c->http, insecure);
	return 0;
}

void vsphere_client_release(struct vsphere_client *c)
{
	http_client_release(&c->http);
	free(c->path);
	free(c->cookie);
	c->path = c->cookie = NULL;
}

unsigned long vsphere_calls(const struct vsphere_client *c, const char *method)
{
	for (size_t i = 0; i < c->nstats; i++)
		if (!strcmp(c->stats[i].method, method))
			return c->stats[i].count;
	return 0;
}

static void count_call(struct vsphere_client *c, const char *method)
{
	c->calls++;
	for (size_t i = 0; i < c->nstats; i++)
		if (!strcmp(c->stats[i].method, method)) {
			c->stats[i].count++;
			return;
		}
	if (c->nstats < VSPHERE_STAT_MAX) {
		snprintf(c->stats[c->nstats].method, sizeof(c->stats[0].method), "%s", method);
		c->stats[c->nstats++].count = 1;
	}
}

/* One SOAP call.  args is the XML inside <method> after _this.  secret (may
 * be NULL) is a value the body holds that must never reach a log. */
int vsphere_soap_call(struct vsphere_client *c, const char *method, const struct vsphere_moref *this,
		     const char *args, const char *secret, xmlDocPtr *doc, xmlNodePtr *ret,
		     struct mtv_err *err)
{
	struct buf body = BUF_INIT(BUF_DEFAULT_MAX);
	struct http_response resp;
	struct http_request req = { 0 };
	char action[64], cookie_hdr[512];
	const char *headers[3];
	size_t nh = 0;
	int r = -1;

	buf_addstr(&body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		   "<soapenv:Envelope xmlns:soapenv=\"" SOAP_ENV_NS "\" "
		   "xmlns:xsi=\"" XSI_NS "\" xmlns=\"urn:vim25\"><soapenv:Body>");
	buf_addf(&body, "<%s><_this type=\"", method);
	vsphere_xml_escape(&body, this->type);
	buf_addstr(&body, "\">");
	vsphere_xml_escape(&body, this->value);
	buf_addstr(&body, "</_this>");
	buf_addstr(&body, args ? args : "");
	if (buf_addf(&body, "</%s></soapenv:Body></soapenv:Envelope>", method) < 0) {
		buf_release(&body);
		return mtv_err_set(err, MTV_EXIT_ENV, "vSphere %s: request too large", method);
	}
	if (log_enabled(LOG_TRACE) && secret) {
		/* Never the Login body: redaction by value misses short
		 * passwords (redact_add ignores them), so not even a scrubbed
		 * copy is traced. */
		log_trace("vSphere %s request: <body holds a credential, not traced>", method);
	} else if (log_enabled(LOG_TRACE)) {
		struct redact rd;
		struct buf t = BUF_INIT(BUF_DEFAULT_MAX);

		/* No known secret here; the shape rules still scrub anything
		 * credential-like a caller put into the arguments. */
		redact_init(&rd);
		redact_text(&rd, &t, body.data, body.len);
		log_trace("vSphere %s request: %s", method, buf_str(&t));
		buf_release(&t);
		redact_release(&rd);
	}
	/* The SOAPAction names the API version the body is written for;
	 * before the ServiceContent is known, the unversioned namespace. */
	snprintf(action, sizeof(action), "SOAPAction: \"urn:vim25%s%s\"",
		 c->api_version[0] ? "/" : "", c->api_version);
	headers[nh++] = action;
	if (c->cookie) {
		snprintf(cookie_hdr, sizeof(cookie_hdr), "Cookie: %s", c->cookie);
		headers[nh++] = cookie_hdr;
	}
	headers[nh] = NULL;
	req.method = "POST";
	req.path = c->path;
	req.content_type = "text/xml; charset=utf-8";
	req.accept = "text/xml";
	req.body = body.data;
	req.body_len = body.len;
	req.headers = headers;
	req.no_auth = true;
	req.sensitive = secret != NULL;
	req.fault_is_5xx = true;
	http_response_init(&resp);
	count_call(c, method);
	if (http_do(&c->http, &req, &resp, err) < 0) {
		mtv_err_prefix(err, "vSphere %s", method);
		goto out;
	}
	if (resp.set_cookie && !strncmp(resp.set_cookie, "vmware_soap_session=", 20)) {
		size_t l = strcspn(resp.set_cookie, ";");

		free(c->cookie);
		c->cookie = strndup(resp.set_cookie, l);
	}
	r = vsphere_soap_parse(resp.body.data, resp.body.len, resp.status, method, doc, ret, err);
	if (r < 0 && !err->reason[0] && resp.status >= 500 && resp.status != 503) {
		/* A 5xx that is no SOAP fault came from something in between
		 * (a proxy, a load balancer): vCenter may have done the work. */
		snprintf(err->reason, sizeof(err->reason), "Ambiguous");
	}
out:
	http_response_release(&resp);
	if (secret && body.data)
		memset(body.data, 0, body.len);
	buf_release(&body);
	return r;
}

void vsphere_moref_xml(struct buf *b, const char *elem, const struct vsphere_moref *m)
{
	buf_addf(b, "<%s type=\"", elem);
	vsphere_xml_escape(b, m->type);
	buf_addstr(b, "\">");
	vsphere_xml_escape(b, m->value);
	buf_addf(b, "</%s>", elem);
}

int vsphere_connect(struct vsphere_client *c, struct mtv_err *err)
{
	static const struct vsphere_moref si = { "ServiceInstance", "ServiceInstance" };
	xmlDocPtr doc;
	xmlNodePtr ret, sc, about;
	char *ver;

	if (vsphere_soap_call(c, "RetrieveServiceContent", &si, NULL, NULL, &doc, &ret, err) < 0)
		return -1;
	sc = vsphere_child(ret, "returnval");
	vsphere_moref_from(vsphere_child(sc, "rootFolder"), &c->root_folder);
	vsphere_moref_from(vsphere_child(sc, "propertyCollector"), &c->property_collector);
	vsphere_moref_from(vsphere_child(sc, "sessionManager"), &c->session_manager);
	vsphere_moref_from(vsphere_child(sc, "viewManager"), &c->view_manager);
	about = vsphere_child(sc, "about");
	ver = vsphere_child_text(about, "apiVersion");
	snprintf(c->api_version, sizeof(c->api_version), "%s", ver ? ver : "");
	free(ver);
	xmlFreeDoc(doc);
	if (!c->root_folder.value[0] || !c->property_collector.value[0] ||
	    !c->session_manager.value[0] || !c->view_manager.value[0])
		return mtv_err_set(err, MTV_EXIT_ENV,
				   "vSphere RetrieveServiceContent: no rootFolder, propertyCollector, "
				   "sessionManager or viewManager (not a vCenter?)");
	return 0;
}

int vsphere_login(struct vsphere_client *c, const char *user, const char *password,
		  struct mtv_err *err)
{
	struct buf a = BUF_INIT(64 * 1024);
	xmlDocPtr doc;
	xmlNodePtr ret;
	int r;

	buf_addstr(&a, "<userName>");
	vsphere_xml_escape(&a, user);
	buf_addstr(&a, "</userName><password>");
	vsphere_xml_escape(&a, password);
	buf_addstr(&a, "</password>");
	r = vsphere_soap_call(c, "Login", &c->session_manager, buf_str(&a), password, &doc, &ret, err);
	/* the escaped password must not linger in freed memory either */
	if (a.data)
		memset(a.data, 0, a.len);
	buf_release(&a);
	if (r < 0) {
		if (!strcmp(err->reason, "InvalidLogin"))
			mtv_err_prefix(err, "as %s", user);
		return -1;
	}
	xmlFreeDoc(doc);
	if (!c->cookie)
		return mtv_err_set(err, MTV_EXIT_ENV, "vSphere Login: no vmware_soap_session cookie in the answer");
	return 0;
}

int vsphere_logout(struct vsphere_client *c, struct mtv_err *err)
{
	xmlDocPtr doc;
	xmlNodePtr ret;

	if (!c->cookie)
		return 0;
	if (vsphere_soap_call(c, "Logout", &c->session_manager, NULL, NULL, &doc, &ret, err) < 0)
		return -1;
	xmlFreeDoc(doc);
	free(c->cookie);
	c->cookie = NULL;
	return 0;
}

/* ---- property collection ---- */

/* Run RetrievePropertiesEx with specset (the <specSet> XML) and every
 * ContinueRetrievePropertiesEx page after it; fn sees each ObjectContent. */

int vsphere_retrieve(struct vsphere_client *c, const char *specset, vsphere_object_fn fn, void *arg,
		    struct mtv_err *err)
{
	struct buf a = BUF_INIT(BUF_DEFAULT_MAX);
	xmlDocPtr doc;
	xmlNodePtr ret;
	char *token = NULL;
	int r = -1;

	buf_addstr(&a, specset);
	if (c->page_size > 0)
		buf_addf(&a, "<options><maxObjects>%d</maxObjects></options>", c->page_size);
	else
		buf_addstr(&a, "<options/>");
	if (vsphere_soap_call(c, "RetrievePropertiesEx", &c->property_collector, buf_str(&a), NULL, &doc, &ret,
		      err) < 0)
		goto out;
	for (;;) {
		xmlNodePtr rv = vsphere_child(ret, "returnval");

		for (xmlNodePtr n = rv ? rv->children : NULL; n; n = n->next)
			if (vsphere_named(n, "objects") && fn(n, arg, err) < 0) {
				xmlFreeDoc(doc);
				goto out;
			}
		free(token);
		token = vsphere_child_text(rv, "token");
		xmlFreeDoc(doc);
		if (!token || !*token)
			break;
		buf_reset(&a);
		buf_addstr(&a, "<token>");
		vsphere_xml_escape(&a, token);
		buf_addstr(&a, "</token>");
		if (vsphere_soap_call(c, "ContinueRetrievePropertiesEx", &c->property_collector, buf_str(&a),
			      NULL, &doc, &ret, err) < 0)
			goto out;
		/* Continue answers a RetrieveResult directly in returnval. */
	}
	r = 0;
out:
	free(token);
	buf_release(&a);
	return r;
}

/* ---- views ---- */

int vsphere_container_view(struct vsphere_client *c, const char *type, struct vsphere_moref *view,
			   struct mtv_err *err)
{
	struct buf a = BUF_INIT(4096);
	xmlDocPtr doc;
	xmlNodePtr ret;
	int r;

	vsphere_moref_xml(&a, "container", &c->root_folder);
	buf_addf(&a, "<type>%s</type><recursive>true</recursive>", type);
	r = vsphere_soap_call(c, "CreateContainerView", &c->view_manager, buf_str(&a), NULL, &doc, &ret, err);
	buf_release(&a);
	if (r < 0)
		return -1;
	vsphere_moref_from(vsphere_child(ret, "returnval"), view);
	xmlFreeDoc(doc);
	return 0;
}

void vsphere_destroy_view(struct vsphere_client *c, const struct vsphere_moref *view)
{
	struct mtv_err e = { 0 };
	xmlDocPtr doc;
	xmlNodePtr ret;

	/* A view left behind only costs the server memory until logout. */
	if (vsphere_soap_call(c, "DestroyView", view, NULL, NULL, &doc, &ret, &e) == 0)
		xmlFreeDoc(doc);
	else
		log_debug("%s", e.msg);
}

void vsphere_view_objectset(struct buf *spec, const struct vsphere_moref *view)
{
	buf_addstr(spec, "<objectSet>");
	vsphere_moref_xml(spec, "obj", view);
	buf_addstr(spec, "<skip>true</skip><selectSet xsi:type=\"TraversalSpec\"><name>view</name>"
		   "<type>ContainerView</type><path>view</path><skip>false</skip></selectSet>"
		   "</objectSet>");
}

int vsphere_retrieve_view(struct vsphere_client *c, const char *type, const char *propset,
			  vsphere_object_fn fn, void *arg, struct mtv_err *err)
{
	struct buf spec = BUF_INIT(BUF_DEFAULT_MAX);
	struct vsphere_moref view;
	int r;

	if (vsphere_container_view(c, type, &view, err) < 0)
		return -1;
	buf_addstr(&spec, "<specSet>");
	buf_addstr(&spec, propset);
	vsphere_view_objectset(&spec, &view);
	buf_addstr(&spec, "</specSet>");
	r = vsphere_retrieve(c, buf_str(&spec), fn, arg, err);
	buf_release(&spec);
	vsphere_destroy_view(c, &view);
	return r;
}
