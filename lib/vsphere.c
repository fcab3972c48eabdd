/* vim25 SOAP client: envelopes, faults, sessions, property collection and
 * tasks.  See vsphere.h for the protocol pieces and why they are used. */
#include "vsphere.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libxml/parser.h>

#include "log.h"
#include "redact.h"

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

static bool named(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

xmlNodePtr vsphere_child(xmlNodePtr node, const char *name)
{
	if (!node)
		return NULL;
	for (xmlNodePtr n = node->children; n; n = n->next)
		if (named(n, name))
			return n;
	return NULL;
}

static char *node_text(xmlNodePtr n)
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
	return node_text(vsphere_child(node, name));
}

/* The xsi:type of an element without its prefix ("vim25:VirtualDisk" ->
 * "VirtualDisk"), into out; "" when absent. */
static void xsi_type(xmlNodePtr n, char *out, size_t outsz)
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

static long long child_ll(xmlNodePtr node, const char *name, long long dflt)
{
	char *t = vsphere_child_text(node, name);
	long long v = dflt;

	if (t && *t)
		v = strtoll(t, NULL, 10);
	free(t);
	return v;
}

static void moref_from(xmlNodePtr n, struct vsphere_moref *m)
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
	if (!named(env, "Envelope") || !env->ns ||
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
	if (named(first, "Fault")) {
		char *fs = vsphere_child_text(first, "faultstring");
		xmlNodePtr detail = vsphere_child(first, "detail");
		char type[64] = "";

		for (xmlNodePtr d = detail ? detail->children : NULL; d; d = d->next) {
			if (d->type != XML_ELEMENT_NODE)
				continue;
			xsi_type(d, type, sizeof(type));
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
static int soap_call(struct vsphere_client *c, const char *method, const struct vsphere_moref *this,
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
out:
	http_response_release(&resp);
	if (secret && body.data)
		memset(body.data, 0, body.len);
	buf_release(&body);
	return r;
}

static void moref_xml(struct buf *b, const char *elem, const struct vsphere_moref *m)
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

	if (soap_call(c, "RetrieveServiceContent", &si, NULL, NULL, &doc, &ret, err) < 0)
		return -1;
	sc = vsphere_child(ret, "returnval");
	moref_from(vsphere_child(sc, "rootFolder"), &c->root_folder);
	moref_from(vsphere_child(sc, "propertyCollector"), &c->property_collector);
	moref_from(vsphere_child(sc, "sessionManager"), &c->session_manager);
	moref_from(vsphere_child(sc, "viewManager"), &c->view_manager);
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
	r = soap_call(c, "Login", &c->session_manager, buf_str(&a), password, &doc, &ret, err);
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
	if (soap_call(c, "Logout", &c->session_manager, NULL, NULL, &doc, &ret, err) < 0)
		return -1;
	xmlFreeDoc(doc);
	free(c->cookie);
	c->cookie = NULL;
	return 0;
}

/* ---- property collection ---- */

/* Run RetrievePropertiesEx with specset (the <specSet> XML) and every
 * ContinueRetrievePropertiesEx page after it; fn sees each ObjectContent. */
typedef int (*object_fn)(xmlNodePtr oc, void *arg, struct mtv_err *err);

static int retrieve(struct vsphere_client *c, const char *specset, object_fn fn, void *arg,
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
	if (soap_call(c, "RetrievePropertiesEx", &c->property_collector, buf_str(&a), NULL, &doc, &ret,
		      err) < 0)
		goto out;
	for (;;) {
		xmlNodePtr rv = vsphere_child(ret, "returnval");

		for (xmlNodePtr n = rv ? rv->children : NULL; n; n = n->next)
			if (named(n, "objects") && fn(n, arg, err) < 0) {
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
		if (soap_call(c, "ContinueRetrievePropertiesEx", &c->property_collector, buf_str(&a),
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

struct name_scan {
	const char *const *names;
	size_t n;
	struct vsphere_vm *vms;
	struct vsphere_moref *dup;	/* dup[i]: a second VM named names[i] */
};

static int on_name(xmlNodePtr oc, void *arg, struct mtv_err *err)
{
	struct name_scan *s = arg;
	xmlNodePtr ps = vsphere_child(oc, "propSet");
	char *name = vsphere_child_text(ps, "val");

	(void)err;
	for (size_t i = 0; name && i < s->n; i++)
		if (!strcmp(name, s->names[i]))
			moref_from(vsphere_child(oc, "obj"),
				   s->vms[i].ref.value[0] ? &s->dup[i] : &s->vms[i].ref);
	free(name);
	return 0;
}

static void read_hardware(struct vsphere_vm *vm, xmlNodePtr hw)
{
	vm->num_cpu = (int)child_ll(hw, "numCPU", 0);
	vm->cores_per_socket = (int)child_ll(hw, "numCoresPerSocket", 1);
	vm->memory_mb = (long)child_ll(hw, "memoryMB", 0);
	for (xmlNodePtr d = hw->children; d; d = d->next) {
		char type[64];
		xmlNodePtr info, backing;

		if (!named(d, "device"))
			continue;
		xsi_type(d, type, sizeof(type));
		info = vsphere_child(d, "deviceInfo");
		backing = vsphere_child(d, "backing");
		if (!strcmp(type, "VirtualDisk")) {
			struct vsphere_disk *nd = realloc(vm->disks, (vm->ndisks + 1) * sizeof(*nd));

			if (!nd)
				return;
			vm->disks = nd;
			nd += vm->ndisks++;
			memset(nd, 0, sizeof(*nd));
			nd->label = vsphere_child_text(info, "label");
			nd->file = vsphere_child_text(backing, "fileName");
			moref_from(vsphere_child(backing, "datastore"), &nd->datastore);
			nd->capacity_bytes = child_ll(d, "capacityInBytes", -1);
			if (nd->capacity_bytes < 0)
				nd->capacity_bytes = child_ll(d, "capacityInKB", 0) * 1024;
		} else if (vsphere_child(d, "macAddress")) {
			/* every VirtualEthernetCard subtype (E1000, Vmxnet3, ...)
			 * and only those carry a macAddress */
			struct vsphere_nic *nn = realloc(vm->nics, (vm->nnics + 1) * sizeof(*nn));

			if (!nn)
				return;
			vm->nics = nn;
			nn += vm->nnics++;
			nn->label = vsphere_child_text(info, "label");
			nn->mac = vsphere_child_text(d, "macAddress");
		}
	}
}

static void read_guest_net(struct vsphere_vm *vm, xmlNodePtr val)
{
	for (xmlNodePtr g = val->children; g; g = g->next) {
		struct vsphere_guest_nic *ng;

		if (!named(g, "GuestNicInfo"))
			continue;
		ng = realloc(vm->guest_nics, (vm->nguest_nics + 1) * sizeof(*ng));
		if (!ng)
			return;
		vm->guest_nics = ng;
		ng += vm->nguest_nics++;
		memset(ng, 0, sizeof(*ng));
		ng->network = vsphere_child_text(g, "network");
		ng->mac = vsphere_child_text(g, "macAddress");
		for (xmlNodePtr ip = g->children; ip; ip = ip->next) {
			char **ni;

			if (!named(ip, "ipAddress"))
				continue;
			ni = realloc(ng->ips, (ng->nips + 1) * sizeof(*ni));
			if (!ni)
				return;
			ng->ips = ni;
			ng->ips[ng->nips++] = node_text(ip);
		}
	}
}

static void read_snapshot_tree(struct vsphere_vm *vm, xmlNodePtr list_parent, const char *elem)
{
	for (xmlNodePtr s = list_parent->children; s; s = s->next) {
		char **ns;

		if (!named(s, elem))
			continue;
		ns = realloc(vm->snapshots, (vm->nsnapshots + 1) * sizeof(*ns));
		if (!ns)
			return;
		vm->snapshots = ns;
		vm->snapshots[vm->nsnapshots++] = vsphere_child_text(s, "name");
		read_snapshot_tree(vm, s, "childSnapshotList");
	}
}

struct fact_scan {
	struct vsphere_vm *vms;
	size_t n;
};

static int on_facts(xmlNodePtr oc, void *arg, struct mtv_err *err)
{
	struct fact_scan *s = arg;
	struct vsphere_moref ref;
	struct vsphere_vm *vm = NULL;

	(void)err;
	moref_from(vsphere_child(oc, "obj"), &ref);
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->vms[i].ref.value, ref.value) && !s->vms[i].name)
			vm = &s->vms[i];
	if (!vm)
		return 0;
	for (xmlNodePtr ps = oc->children; ps; ps = ps->next) {
		char *prop;
		xmlNodePtr val;

		if (!named(ps, "propSet"))
			continue;
		prop = vsphere_child_text(ps, "name");
		val = vsphere_child(ps, "val");
		if (!prop || !val) {
			free(prop);
			continue;
		}
		if (!strcmp(prop, "name"))
			vm->name = node_text(val);
		else if (!strcmp(prop, "parent"))
			moref_from(val, &vm->parent);
		else if (!strcmp(prop, "config.hardware"))
			read_hardware(vm, val);
		else if (!strcmp(prop, "config.firmware"))
			vm->firmware = node_text(val);
		else if (!strcmp(prop, "config.uuid"))
			vm->uuid = node_text(val);
		else if (!strcmp(prop, "runtime.powerState"))
			vm->power_state = node_text(val);
		else if (!strcmp(prop, "guest.net"))
			read_guest_net(vm, val);
		else if (!strcmp(prop, "snapshot"))
			read_snapshot_tree(vm, val, "rootSnapshotList");
		free(prop);
	}
	return 0;
}

static int container_view(struct vsphere_client *c, struct vsphere_moref *view, struct mtv_err *err)
{
	struct buf a = BUF_INIT(4096);
	xmlDocPtr doc;
	xmlNodePtr ret;
	int r;

	moref_xml(&a, "container", &c->root_folder);
	buf_addstr(&a, "<type>VirtualMachine</type><recursive>true</recursive>");
	r = soap_call(c, "CreateContainerView", &c->view_manager, buf_str(&a), NULL, &doc, &ret, err);
	buf_release(&a);
	if (r < 0)
		return -1;
	moref_from(vsphere_child(ret, "returnval"), view);
	xmlFreeDoc(doc);
	return 0;
}

static void destroy_view(struct vsphere_client *c, const struct vsphere_moref *view)
{
	struct mtv_err e = { 0 };
	xmlDocPtr doc;
	xmlNodePtr ret;

	/* A view left behind only costs the server memory until logout. */
	if (soap_call(c, "DestroyView", view, NULL, NULL, &doc, &ret, &e) == 0)
		xmlFreeDoc(doc);
	else
		log_debug("%s", e.msg);
}

int vsphere_vms_get(struct vsphere_client *c, const char *const *names, size_t n,
		    struct vsphere_vm **out, struct mtv_err *err)
{
	struct vsphere_vm *vms = calloc(n ? n : 1, sizeof(*vms));
	struct vsphere_moref view;
	struct buf spec = BUF_INIT(BUF_DEFAULT_MAX);
	struct vsphere_moref *dup = calloc(n ? n : 1, sizeof(*dup));
	struct name_scan ns = { names, n, vms, dup };
	struct fact_scan fs = { vms, n };
	int r = -1;

	*out = NULL;
	if (!vms || !dup) {
		free(vms);
		free(dup);
		return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
	}
	if (container_view(c, &view, err) < 0) {
		free(vms);
		free(dup);
		return -1;
	}
	/* Pass 1: the name of every VM in the view, to map names to morefs. */
	buf_addstr(&spec, "<specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet></propSet>"
		   "<objectSet>");
	moref_xml(&spec, "obj", &view);
	buf_addstr(&spec, "<skip>true</skip><selectSet xsi:type=\"TraversalSpec\"><name>view</name>"
		   "<type>ContainerView</type><path>view</path><skip>false</skip></selectSet>"
		   "</objectSet></specSet>");
	if (retrieve(c, buf_str(&spec), on_name, &ns, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!vms[i].ref.value[0]) {
			mtv_err_set(err, MTV_EXIT_USAGE, "vSphere: no VM named \"%s\"", names[i]);
			snprintf(err->reason, sizeof(err->reason), "NotFound");
			goto out;
		} else if (dup[i].value[0]) {
			/* vCenter allows one name in different folders: acting on
			 * either could clone or destroy the wrong VM. */
			mtv_err_set(err, MTV_EXIT_USAGE, "vSphere: more than one VM named \"%s\" (%s, %s)",
				    names[i], vms[i].ref.value, dup[i].value);
			snprintf(err->reason, sizeof(err->reason), "Ambiguous");
			goto out;
		}
	/* Pass 2: the facts of the wanted VMs, all in one request. */
	buf_reset(&spec);
	buf_addstr(&spec, "<specSet><propSet><type>VirtualMachine</type>");
	{
		static const char *const paths[] = {
			"name", "parent", "config.hardware", "config.firmware", "config.uuid",
			"runtime.powerState", "guest.net", "snapshot",
		};

		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			buf_addf(&spec, "<pathSet>%s</pathSet>", paths[i]);
	}
	buf_addstr(&spec, "</propSet>");
	for (size_t i = 0; i < n; i++) {
		buf_addstr(&spec, "<objectSet>");
		moref_xml(&spec, "obj", &vms[i].ref);
		buf_addstr(&spec, "</objectSet>");
	}
	buf_addstr(&spec, "</specSet>");
	if (retrieve(c, buf_str(&spec), on_facts, &fs, err) < 0)
		goto out;
	/* on_facts fills one slot per moref: a name asked for twice leaves
	 * the second slot empty, as does a VM deleted between the passes. */
	for (size_t i = 0; i < n; i++)
		if (!vms[i].name) {
			mtv_err_set(err, MTV_EXIT_ENV, "vSphere: VM \"%s\" (%s) not read (deleted meanwhile, or named twice)",
				    names[i], vms[i].ref.value);
			goto out;
		}
	r = 0;
out:
	destroy_view(c, &view);
	buf_release(&spec);
	free(dup);
	if (r < 0)
		vsphere_vms_free(vms, n);
	else
		*out = vms;
	return r;
}

void vsphere_vms_free(struct vsphere_vm *vms, size_t n)
{
	if (!vms)
		return;
	for (size_t i = 0; i < n; i++) {
		struct vsphere_vm *vm = &vms[i];

		free(vm->name);
		free(vm->firmware);
		free(vm->uuid);
		free(vm->power_state);
		for (size_t j = 0; j < vm->ndisks; j++) {
			free(vm->disks[j].label);
			free(vm->disks[j].file);
		}
		free(vm->disks);
		for (size_t j = 0; j < vm->nnics; j++) {
			free(vm->nics[j].label);
			free(vm->nics[j].mac);
		}
		free(vm->nics);
		for (size_t j = 0; j < vm->nguest_nics; j++) {
			free(vm->guest_nics[j].network);
			free(vm->guest_nics[j].mac);
			for (size_t k = 0; k < vm->guest_nics[j].nips; k++)
				free(vm->guest_nics[j].ips[k]);
			free(vm->guest_nics[j].ips);
		}
		free(vm->guest_nics);
		for (size_t j = 0; j < vm->nsnapshots; j++)
			free(vm->snapshots[j]);
		free(vm->snapshots);
	}
	free(vms);
}

/* ---- tasks ---- */

/* Wait for task to end with a filter on its info and WaitForUpdatesEx.
 * label ("PowerOnVM_Task of VM DC0_H0_VM0") prefixes a failure.  On success
 * *result (may be NULL) gets info.result when it is a moref. */
static int task_wait(struct vsphere_client *c, const struct vsphere_moref *task, const char *label,
		     struct vsphere_moref *result, struct mtv_err *err)
{
	struct buf a = BUF_INIT(64 * 1024);
	struct vsphere_moref filter;
	xmlDocPtr doc;
	xmlNodePtr ret;
	char *version = NULL;
	time_t deadline = time(NULL) + c->task_timeout_s;
	int r = -1;
	bool done = false;

	buf_addstr(&a, "<spec><propSet><type>Task</type><pathSet>info.state</pathSet>"
		   "<pathSet>info.error</pathSet><pathSet>info.result</pathSet></propSet><objectSet>");
	moref_xml(&a, "obj", task);
	buf_addstr(&a, "</objectSet></spec><partialUpdates>false</partialUpdates>");
	if (soap_call(c, "CreateFilter", &c->property_collector, buf_str(&a), NULL, &doc, &ret, err) < 0) {
		mtv_err_prefix(err, "waiting for %s", label);
		buf_release(&a);
		return -1;
	}
	moref_from(vsphere_child(ret, "returnval"), &filter);
	xmlFreeDoc(doc);
	while (!done) {
		long left = (long)(deadline - time(NULL));
		xmlNodePtr us;

		if (left <= 0) {
			mtv_err_set(err, MTV_EXIT_TIMEOUT, "%s: still running after %d s", label,
				    c->task_timeout_s);
			goto out;
		}
		buf_reset(&a);
		if (version)
			buf_addf(&a, "<version>%s</version>", version);
		/* The server holds the call up to maxWaitSeconds when nothing
		 * changes; keep it well inside the HTTP timeout. */
		buf_addf(&a, "<options><maxWaitSeconds>%ld</maxWaitSeconds></options>",
			 left < 20 ? left : 20);
		if (soap_call(c, "WaitForUpdatesEx", &c->property_collector, buf_str(&a), NULL, &doc, &ret,
			      err) < 0) {
			mtv_err_prefix(err, "waiting for %s", label);
			goto out;
		}
		us = vsphere_child(ret, "returnval");	/* absent: timed out, no change */
		if (us) {
			free(version);
			version = vsphere_child_text(us, "version");
		}
		for (xmlNodePtr fs = us ? us->children : NULL; fs; fs = fs->next) {
			if (!named(fs, "filterSet"))
				continue;
			for (xmlNodePtr os = fs->children; os; os = os->next) {
				char *state = NULL;
				xmlNodePtr errval = NULL, resval = NULL;

				if (!named(os, "objectSet"))
					continue;
				for (xmlNodePtr ch = os->children; ch; ch = ch->next) {
					char *name;

					if (!named(ch, "changeSet"))
						continue;
					name = vsphere_child_text(ch, "name");
					if (name && !strcmp(name, "info.state")) {
						free(state);
						state = vsphere_child_text(ch, "val");
					} else if (name && !strcmp(name, "info.error")) {
						errval = vsphere_child(ch, "val");
					} else if (name && !strcmp(name, "info.result")) {
						resval = vsphere_child(ch, "val");
					}
					free(name);
				}
				if (state && !strcmp(state, "success")) {
					done = true;
					if (result)
						moref_from(resval, result);
				} else if (state && !strcmp(state, "error")) {
					char ftype[64] = "";
					xmlNodePtr fault = vsphere_child(errval, "fault");
					char *msg = vsphere_child_text(errval, "localizedMessage");

					if (fault)
						xsi_type(fault, ftype, sizeof(ftype));
					mtv_err_set(err, MTV_EXIT_FAILED, "%s: %s: %s", label,
						    ftype[0] ? ftype : "Fault", msg && *msg ? msg : "(no message)");
					snprintf(err->reason, sizeof(err->reason), "%s",
						 ftype[0] ? ftype : "Fault");
					free(msg);
					free(state);
					xmlFreeDoc(doc);
					goto out;
				}
				free(state);
			}
		}
		xmlFreeDoc(doc);
	}
	r = 0;
out:
	{
		struct mtv_err e = { 0 };

		if (soap_call(c, "DestroyPropertyFilter", &filter, NULL, NULL, &doc, &ret, &e) == 0)
			xmlFreeDoc(doc);
		else
			log_debug("%s", e.msg);
	}
	free(version);
	buf_release(&a);
	return r;
}

/* Start method on vm (args after _this) and wait for its task. */
static int vm_task(struct vsphere_client *c, const struct vsphere_vm *vm, const char *method,
		   const char *args, struct vsphere_moref *result, struct mtv_err *err)
{
	struct vsphere_moref task;
	xmlDocPtr doc;
	xmlNodePtr ret;
	char label[256];

	snprintf(label, sizeof(label), "%s of VM %s", method, vm->name ? vm->name : vm->ref.value);
	if (soap_call(c, method, &vm->ref, args, NULL, &doc, &ret, err) < 0) {
		/* The fault came before a task existed: "vSphere X: Fault: msg"
		 * becomes "VM N: vSphere X: Fault: msg". */
		return mtv_err_prefix(err, "VM %s", vm->name ? vm->name : vm->ref.value);
	}
	moref_from(vsphere_child(ret, "returnval"), &task);
	xmlFreeDoc(doc);
	if (!task.value[0])
		return mtv_err_set(err, MTV_EXIT_ENV, "%s: no Task in the answer", label);
	log_debug("%s: task %s", label, task.value);
	return task_wait(c, &task, label, result, err);
}

int vsphere_power_on(struct vsphere_client *c, const struct vsphere_vm *vm, struct mtv_err *err)
{
	return vm_task(c, vm, "PowerOnVM_Task", NULL, NULL, err);
}

int vsphere_power_off(struct vsphere_client *c, const struct vsphere_vm *vm, struct mtv_err *err)
{
	return vm_task(c, vm, "PowerOffVM_Task", NULL, NULL, err);
}

int vsphere_destroy(struct vsphere_client *c, const struct vsphere_vm *vm, struct mtv_err *err)
{
	return vm_task(c, vm, "Destroy_Task", NULL, NULL, err);
}

int vsphere_clone(struct vsphere_client *c, const struct vsphere_vm *vm, const char *clone_name,
		  bool power_on, struct vsphere_moref *new_vm, struct mtv_err *err)
{
	struct buf a = BUF_INIT(64 * 1024);
	struct vsphere_moref res = { "", "" };
	int r;

	if (!vm->parent.value[0])
		return mtv_err_set(err, MTV_EXIT_USAGE, "VM %s: no parent folder known to clone into",
				   vm->name ? vm->name : vm->ref.value);
	moref_xml(&a, "folder", &vm->parent);
	buf_addstr(&a, "<name>");
	vsphere_xml_escape(&a, clone_name);
	/* An empty RelocateSpec: the clone's disks are full copies on the
	 * source's datastore, on the source's pool.  powerOn stays false and
	 * the clone is powered on by its own task afterwards: vcsim ignores
	 * the spec's powerOn, and a separate task reports a power-on failure
	 * apart from a clone failure on vCenter too. */
	buf_addstr(&a, "</name><spec><location/><template>false</template><powerOn>false</powerOn></spec>");
	r = vm_task(c, vm, "CloneVM_Task", buf_str(&a), &res, err);
	buf_release(&a);
	if (r == 0 && new_vm)
		*new_vm = res;
	if (r == 0 && power_on) {
		struct vsphere_vm clone = { .ref = res, .name = (char *)clone_name };

		r = vsphere_power_on(c, &clone, err);
	}
	return r;
}

int vsphere_snapshot(struct vsphere_client *c, const struct vsphere_vm *vm, const char *name,
		     struct mtv_err *err)
{
	struct buf a = BUF_INIT(64 * 1024);
	int r;

	buf_addstr(&a, "<name>");
	vsphere_xml_escape(&a, name);
	/* No memory image and no quiescing: a disk-only snapshot, what a
	 * warm migration's source needs and what needs no guest tools. */
	buf_addstr(&a, "</name><memory>false</memory><quiesce>false</quiesce>");
	r = vm_task(c, vm, "CreateSnapshot_Task", buf_str(&a), NULL, err);
	buf_release(&a);
	return r;
}
