#include "guest_checks.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "json.h"

void guest_net_release(struct guest_net *net)
{
	for (size_t i = 0; i < net->n; i++)
		free(net->ifaces[i].addrs);
	free(net->ifaces);
	net->ifaces = NULL;
	net->n = 0;
}

void guest_mac_normalise(const char *in, char *out, size_t outsz)
{
	char hex[13];
	size_t n = 0, i;

	/* Twelve hex digits with any separators: the canonical form. */
	for (i = 0; in[i] && n < 13; i++) {
		if (isxdigit((unsigned char)in[i]))
			hex[n++] = (char)tolower((unsigned char)in[i]);
		else if (in[i] != ':' && in[i] != '-' && in[i] != '.')
			break;
	}
	if (!in[i] && n == 12) {
		snprintf(out, outsz, "%.2s:%.2s:%.2s:%.2s:%.2s:%.2s", hex, hex + 2, hex + 4, hex + 6, hex + 8,
			 hex + 10);
		return;
	}
	for (i = 0; in[i] && i + 1 < outsz; i++)
		out[i] = in[i] == '-' || in[i] == '.' ? ':' : (char)tolower((unsigned char)in[i]);
	if (outsz)
		out[i < outsz ? i : outsz - 1] = '\0';
}

static struct guest_iface *add_iface(struct guest_net *net, const char *name, const char *mac)
{
	struct guest_iface *ifaces = realloc(net->ifaces, (net->n + 1) * sizeof(*ifaces)), *f;

	if (!ifaces)
		return NULL;
	net->ifaces = ifaces;
	f = &ifaces[net->n++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	guest_mac_normalise(mac, f->mac, sizeof(f->mac));
	return f;
}

static int add_addr(struct guest_iface *f, const char *ip, int prefix, int family)
{
	struct guest_addr *a = realloc(f->addrs, (f->naddrs + 1) * sizeof(*a));

	if (!a)
		return -1;
	f->addrs = a;
	a = &f->addrs[f->naddrs++];
	snprintf(a->ip, sizeof(a->ip), "%s", ip);
	a->prefix = prefix;
	a->family = family;
	return 0;
}

static int oom(struct guest_net *net, struct mtv_err *err)
{
	guest_net_release(net);
	return mtv_err_set(err, MTV_EXIT_ENV, "out of memory");
}

int guest_net_parse_linux(const char *text, size_t len, struct guest_net *out, struct mtv_err *err)
{
	const cJSON *link, *a;
	cJSON *doc = NULL;

	memset(out, 0, sizeof(*out));
	if (json_parse(text, len, "the output of `" GUEST_CMD_LINUX_NET "`", &doc, err) < 0) {
		err->code = MTV_EXIT_FAILED;
		return -1;
	}
	if (!cJSON_IsArray(doc)) {
		cJSON_Delete(doc);
		return mtv_err_set(err, MTV_EXIT_FAILED, "the output of `%s` is not an array of interfaces",
				   GUEST_CMD_LINUX_NET);
	}
	cJSON_ArrayForEach(link, doc) {
		const char *name = json_str(link, "ifname", "");
		struct guest_iface *f;

		if (!strcmp(json_str(link, "link_type", ""), "loopback") || !strcmp(name, "lo"))
			continue;
		f = add_iface(out, name, json_str(link, "address", ""));
		if (!f)
			goto fail;
		cJSON_ArrayForEach(a, json_get(link, "addr_info")) {
			const char *fam = json_str(a, "family", "");
			long long prefix = -1;

			if (strcmp(fam, "inet") && strcmp(fam, "inet6"))
				continue;
			if (json_get_int_opt(a, "prefixlen", &prefix, NULL) < 0 || prefix < 0 || prefix > 128)
				prefix = -1;
			if (add_addr(f, json_str(a, "local", ""), (int)prefix, !strcmp(fam, "inet") ? 4 : 6) < 0)
				goto fail;
		}
	}
	cJSON_Delete(doc);
	return 0;
fail:
	cJSON_Delete(doc);
	return oom(out, err);
}

/* A PowerShell collection as an array node: an array, 5.1's {value: [...]},
 * one object (a single element), or nothing (null/absent). */
static const cJSON *ps_items(const cJSON *node, const cJSON **single)
{
	*single = NULL;
	if (cJSON_IsArray(node))
		return node;
	if (cJSON_IsObject(node) && cJSON_IsArray(json_get(node, "value")))
		return json_get(node, "value");
	if (cJSON_IsObject(node))
		*single = node;
	return NULL;
}

/* The n-th item of such a collection (for a loop over both forms). */
static const cJSON *ps_item(const cJSON *arr, const cJSON *single, int i)
{
	return arr ? cJSON_GetArrayItem(arr, i) : i == 0 ? single : NULL;
}

static long long ps_number(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	long long n;

	/* an index or a prefix length: anything else (a guest printing 6e300)
	 * is "none", not a conversion out of range */
	if (cJSON_IsNumber(v))
		return v->valuedouble >= 0 && v->valuedouble < 1e9 ? (long long)v->valuedouble : -1;
	if (cJSON_IsString(v) && *v->valuestring) {
		n = strtoll(v->valuestring, NULL, 10);
		return n >= 0 && n < 1000000000 ? n : -1;
	}
	return -1;
}

int guest_net_parse_windows(const char *text, size_t len, struct guest_net *out, struct mtv_err *err)
{
	const cJSON *adapters, *addresses, *one_adapter, *one_address, *it;
	long long *index = NULL;
	cJSON *doc = NULL;

	memset(out, 0, sizeof(*out));
	if (json_parse(text, len, "the output of Get-NetAdapter/Get-NetIPAddress", &doc, err) < 0) {
		err->code = MTV_EXIT_FAILED;
		return -1;
	}
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return mtv_err_set(err, MTV_EXIT_FAILED,
				   "the output of Get-NetAdapter/Get-NetIPAddress is not an object with adapters and addresses");
	}
	adapters = ps_items(json_get(doc, "adapters"), &one_adapter);
	addresses = ps_items(json_get(doc, "addresses"), &one_address);
	for (int i = 0; (it = ps_item(adapters, one_adapter, i)); i++) {
		long long *ix = realloc(index, (size_t)(i + 1) * sizeof(*ix));

		if (!ix || !add_iface(out, json_str(it, "Name", ""), json_str(it, "MacAddress", ""))) {
			free(ix ? ix : index);
			cJSON_Delete(doc);
			return oom(out, err);
		}
		index = ix;
		index[i] = ps_number(it, "InterfaceIndex");
	}
	for (int i = 0; (it = ps_item(addresses, one_address, i)); i++) {
		long long ix = ps_number(it, "InterfaceIndex");
		const char *alias = json_str(it, "InterfaceAlias", "");
		const char *ip = json_str(it, "IPAddress", "");

		for (size_t k = 0; k < out->n; k++) {
			if (ix >= 0 ? index[k] != ix : strcmp(out->ifaces[k].name, alias))
				continue;
			long long prefix = ps_number(it, "PrefixLength");

			if (add_addr(&out->ifaces[k], ip, prefix <= 128 ? (int)prefix : -1, strchr(ip, ':') ? 6 : 4) < 0) {
				free(index);
				cJSON_Delete(doc);
				return oom(out, err);
			}
			break;
		}
	}
	free(index);
	cJSON_Delete(doc);
	return 0;
}

size_t guest_source_macs(enum provider_type type, const cJSON *source, char (*out)[GUEST_MAC_MAX], size_t max)
{
	const cJSON *nic;
	size_t n = 0;

	if (type == PROVIDER_OPENSTACK) {
		cJSON_ArrayForEach(nic, json_get(source, "addresses")) {
			const cJSON *first = cJSON_GetArrayItem(nic, 0);
			const char *mac = json_str(first, "OS-EXT-IPS-MAC:mac_addr", NULL);

			if (mac && strcmp(json_str(first, "OS-EXT-IPS:type", ""), "floating") && n < max)
				guest_mac_normalise(mac, out[n++], GUEST_MAC_MAX);
		}
		return n;
	}
	cJSON_ArrayForEach(nic, json_get(source, "nics")) {
		const char *mac = json_str(nic, type == PROVIDER_OVA ? "MAC" : "mac", NULL);

		if (mac && *mac && n < max)
			guest_mac_normalise(mac, out[n++], GUEST_MAC_MAX);
	}
	return n;
}

static int cmp_mac(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void join_macs(char (*macs)[GUEST_MAC_MAX], size_t n, struct buf *b)
{
	qsort(macs, n, GUEST_MAC_MAX, cmp_mac);
	for (size_t i = 0; i < n; i++)
		buf_addf(b, "%s%s", i ? ", " : "", macs[i]);
	if (!n)
		buf_addstr(b, "none");
}

#define GUEST_NICS_MAX 64

void guest_nics_check(const char *vm, enum provider_type type, const cJSON *source, const struct guest_net *net,
		      struct guest_verdict *v)
{
	char want[GUEST_NICS_MAX][GUEST_MAC_MAX], have[GUEST_NICS_MAX][GUEST_MAC_MAX];
	struct buf w = BUF_INIT(8192), h = BUF_INIT(8192);
	size_t nw = guest_source_macs(type, source, want, GUEST_NICS_MAX), nh = 0;

	for (size_t i = 0; i < net->n && nh < GUEST_NICS_MAX; i++)
		if (*net->ifaces[i].mac)
			snprintf(have[nh++], GUEST_MAC_MAX, "%s", net->ifaces[i].mac);
	join_macs(want, nw, &w);
	join_macs(have, nh, &h);
	/* sorted, so equal lists mean equal sets with equal counts */
	if (!strcmp(buf_str(&w), buf_str(&h))) {
		v->result = GUEST_PASS;
		snprintf(v->msg, sizeof(v->msg), "%zu NIC(s): %s", nh, buf_str(&h));
	} else {
		v->result = GUEST_FAIL;
		snprintf(v->msg, sizeof(v->msg), "VM %s: expected %zu NIC(s) with MACs %s; the guest has %zu: %s", vm,
			 nw, buf_str(&w), nh, buf_str(&h));
	}
	buf_release(&w);
	buf_release(&h);
}

/* Two addresses are the same when they parse to the same bytes (so
 * "fe80::1" and "fe80:0::1" agree), else when they are the same text. */
static bool same_ip(const char *a, const char *b)
{
	unsigned char x[16], y[16];

	if (inet_pton(AF_INET, a, x) == 1 && inet_pton(AF_INET, b, y) == 1)
		return !memcmp(x, y, 4);
	if (inet_pton(AF_INET6, a, x) == 1 && inet_pton(AF_INET6, b, y) == 1)
		return !memcmp(x, y, 16);
	return !strcasecmp(a, b);
}

static void addr_text(struct buf *b, const char *ip, long long prefix)
{
	if (prefix >= 0)
		buf_addf(b, "%s/%lld", ip, prefix);
	else
		buf_addstr(b, ip);
}

static const struct guest_iface *iface_by_mac(const struct guest_net *net, const char *mac)
{
	for (size_t i = 0; i < net->n; i++)
		if (!strcmp(net->ifaces[i].mac, mac))
			return &net->ifaces[i];
	return NULL;
}

static bool iface_has(const struct guest_iface *f, const char *ip, long long prefix)
{
	for (size_t i = 0; f && i < f->naddrs; i++)
		if (same_ip(f->addrs[i].ip, ip) && (prefix < 0 || f->addrs[i].prefix == prefix))
			return true;
	return false;
}

void guest_static_ips_check(const char *vm, const cJSON *source, const struct guest_net *net,
			    struct guest_verdict *v)
{
	struct buf fails = BUF_INIT(1 << 16), ok = BUF_INIT(1 << 16);
	const cJSON *g, *h;
	char macs[GUEST_NICS_MAX][GUEST_MAC_MAX];
	size_t nmacs = 0, nmanual = 0;

	/* The MACs with manual addresses, each once, in source order. */
	cJSON_ArrayForEach(g, json_get(source, "guestNetworks")) {
		char mac[GUEST_MAC_MAX];
		size_t k;

		if (strcmp(json_str(g, "origin", ""), "manual") || !*json_str(g, "ip", ""))
			continue;
		nmanual++;
		guest_mac_normalise(json_str(g, "mac", ""), mac, sizeof(mac));
		for (k = 0; k < nmacs && strcmp(macs[k], mac); k++)
			;
		if (k == nmacs && nmacs < GUEST_NICS_MAX)
			snprintf(macs[nmacs++], GUEST_MAC_MAX, "%s", mac);
	}
	if (!nmanual) {
		v->result = GUEST_SKIP;
		snprintf(v->msg, sizeof(v->msg), "the source VM has no static (manual) IP address");
		return;
	}
	for (size_t k = 0; k < nmacs; k++) {
		const struct guest_iface *f = iface_by_mac(net, macs[k]);
		struct buf want = BUF_INIT(8192), have = BUF_INIT(8192);
		bool missing = false;

		cJSON_ArrayForEach(h, json_get(source, "guestNetworks")) {
			char mac[GUEST_MAC_MAX];
			long long prefix = -1;

			guest_mac_normalise(json_str(h, "mac", ""), mac, sizeof(mac));
			if (strcmp(json_str(h, "origin", ""), "manual") || !*json_str(h, "ip", "") || strcmp(mac, macs[k]))
				continue;
			if (json_get_int_opt(h, "prefix", &prefix, NULL) < 0 || prefix <= 0)
				prefix = -1;
			if (want.len)
				buf_addstr(&want, ", ");
			addr_text(&want, json_str(h, "ip", ""), prefix);
			if (!iface_has(f, json_str(h, "ip", ""), prefix))
				missing = true;
		}
		for (size_t i = 0; f && i < f->naddrs; i++) {
			if (have.len)
				buf_addstr(&have, ", ");
			addr_text(&have, f->addrs[i].ip, f->addrs[i].prefix);
		}
		if (!f)
			buf_addf(&fails, "%sVM %s: no guest interface has the MAC %s: expected %s there", fails.len ? "\n" : "",
				 vm, macs[k], buf_str(&want));
		else if (missing)
			buf_addf(&fails, "%sVM %s: interface %s (%s): expected %s; the guest has %s", fails.len ? "\n" : "",
				 vm, f->name, f->mac, buf_str(&want), have.len ? buf_str(&have) : "no address");
		else
			buf_addf(&ok, "%s%s (%s): %s", ok.len ? "; " : "", f->name, f->mac, buf_str(&want));
		buf_release(&want);
		buf_release(&have);
	}
	v->result = fails.len ? GUEST_FAIL : GUEST_PASS;
	snprintf(v->msg, sizeof(v->msg), "%s", fails.len ? buf_str(&fails) : buf_str(&ok));
	buf_release(&fails);
	buf_release(&ok);
}

/* Copy s without surrounding white space (a command's trailing newline). */
static void trimmed(const char *s, char *out, size_t outsz)
{
	size_t len;

	while (*s && isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (len >= outsz)
		len = outsz - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

static bool same_host(const char *a, const char *b)
{
	size_t la = strcspn(a, "."), lb = strcspn(b, ".");

	if (!strcasecmp(a, b))
		return true;
	/* one is the short name of the other: host vs host.domain */
	return (!a[la] || !b[lb]) && la == lb && !strncasecmp(a, b, la);
}

void guest_hostname_check(const char *vm, const char *expected, const char *output, struct guest_verdict *v)
{
	char have[256];

	trimmed(output ? output : "", have, sizeof(have));
	if (!*have || strchr(have, '\n')) {
		v->result = GUEST_FAIL;
		snprintf(v->msg, sizeof(v->msg), "VM %s: `%s` printed %s", vm, GUEST_CMD_HOSTNAME,
			 *have ? "more than one line" : "nothing");
	} else if (expected && *expected && !same_host(expected, have)) {
		v->result = GUEST_FAIL;
		snprintf(v->msg, sizeof(v->msg), "VM %s: expected hostname %s (the source guest's), the guest says %s",
			 vm, expected, have);
	} else {
		v->result = GUEST_PASS;
		snprintf(v->msg, sizeof(v->msg), "%s", have);
	}
}

/* The value of KEY=value in os-release text, unquoted. */
static void os_release_value(const char *text, const char *key, char *out, size_t outsz)
{
	size_t klen = strlen(key);
	const char *line = text;

	out[0] = '\0';
	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (len > klen && !strncmp(line, key, klen) && line[klen] == '=') {
			const char *v = line + klen + 1;
			size_t vlen = len - klen - 1;

			if (vlen && v[vlen - 1] == '\r')
				vlen--;
			if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') && v[vlen - 1] == v[0]) {
				v++;
				vlen -= 2;
			}
			if (vlen >= outsz)
				vlen = outsz - 1;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return;
		}
		line = end ? end + 1 : NULL;
	}
}

int guest_os_parse_linux(const char *text, struct guest_os *os)
{
	memset(os, 0, sizeof(*os));
	os_release_value(text, "ID", os->id, sizeof(os->id));
	os_release_value(text, "VERSION_ID", os->version, sizeof(os->version));
	os_release_value(text, "PRETTY_NAME", os->pretty, sizeof(os->pretty));
	if (!*os->id)
		return -1;
	if (!*os->pretty)
		snprintf(os->pretty, sizeof(os->pretty), "%s %s", os->id, os->version);
	return 0;
}

int guest_os_parse_windows(const char *text, struct guest_os *os)
{
	memset(os, 0, sizeof(*os));
	trimmed(text, os->pretty, sizeof(os->pretty));
	if (!strcasestr(os->pretty, "windows") || strchr(os->pretty, '\n'))
		return -1;
	os->windows = true;
	snprintf(os->id, sizeof(os->id), "windows");
	return 0;
}

void guest_os_check(const char *vm, bool windows, int exit_status, const char *out, const char *err_text,
		    struct guest_verdict *v)
{
	const char *cmd = windows ? GUEST_CMD_WIN_OS : GUEST_CMD_LINUX_OS;
	struct guest_os os;
	char said[512];
	int r;

	out = out ? out : "";
	r = exit_status == 0 ? (windows ? guest_os_parse_windows(out, &os) : guest_os_parse_linux(out, &os)) : -1;
	if (r == 0) {
		v->result = GUEST_PASS;
		if (*os.version)
			snprintf(v->msg, sizeof(v->msg), "%s (ID=%s VERSION_ID=%s)", os.pretty, os.id, os.version);
		else
			snprintf(v->msg, sizeof(v->msg), "%s", os.pretty);
		return;
	}
	/* What it said instead, on one line */
	trimmed(exit_status == 0 ? out : err_text && *err_text ? err_text : out, said, sizeof(said));
	for (char *p = said; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	v->result = GUEST_FAIL;
	if (exit_status != 0)
		snprintf(v->msg, sizeof(v->msg), "VM %s: the source is a %s guest, but `%s` failed (exit %d)%s%.512s", vm,
			 windows ? "Windows" : "Linux", cmd, exit_status, *said ? ": " : "", said);
	else
		snprintf(v->msg, sizeof(v->msg), "VM %s: the source is a %s guest, but `%s` printed no %s%s%.512s", vm,
			 windows ? "Windows" : "Linux", cmd, windows ? "Windows caption" : "os-release ID",
			 *said ? ": " : "", said);
}

void guest_file_name(const char *in, char *out, size_t outsz)
{
	size_t n = 0;

	for (; *in && n + 1 < outsz; in++) {
		unsigned char ch = (unsigned char)*in;

		out[n] = isalnum(ch) || ch == '-' || ch == '_' || (ch == '.' && n) ? (char)ch : '_';
		n++;
	}
	if (!n && outsz > 1)
		out[n++] = '_';
	if (outsz)
		out[n] = '\0';
}

static void slug_add(const char *from, const char *to, char *out, size_t *n, size_t max)
{
	for (; from < to && *from && *n < max; from++) {
		unsigned char ch = (unsigned char)*from;

		if (isalnum(ch))
			out[(*n)++] = (char)tolower(ch);
		else if (*n && out[*n - 1] != '-')
			out[(*n)++] = '-';
	}
}

void guest_command_slug(const char *cmd, char *out, size_t outsz)
{
	size_t n = 0, max = outsz ? outsz - 1 : 0;
	const char *prog_end = cmd + strcspn(cmd, " "), *rest = prog_end;

	if (max > 40)
		max = 40;
	/* the program, then what it is asked, without its leading options
	 * (powershell -NoProfile -NonInteractive -Command "...": the script
	 * is what tells two such commands apart) */
	for (;;) {
		const char *w = rest + strspn(rest, " ");

		if (*w != '-')
			break;
		rest = w + strcspn(w, " ");
	}
	slug_add(cmd, prog_end, out, &n, max);
	if (*rest && n < max)
		out[n++] = '-';
	slug_add(rest, rest + strlen(rest), out, &n, max);
	while (n && out[n - 1] == '-')
		n--;
	if (!n && max)
		out[n++] = 'x';
	if (outsz)
		out[n] = '\0';
}
