#include "redact.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "json.h"

void redact_init(struct redact *r)
{
	memset(r, 0, sizeof(*r));
}

void redact_release(struct redact *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->values[i]);
	free(r->values);
	free(r->lens);
	memset(r, 0, sizeof(*r));
}

/* Insert at i keeping the values longest first, so a value containing
 * another is replaced whole. */
static void insert_sorted(struct redact *r, char *copy, size_t len)
{
	size_t i = 0;

	while (i < r->n && r->lens[i] >= len)
		i++;
	memmove(r->values + i + 1, r->values + i, (r->n - i) * sizeof(*r->values));
	memmove(r->lens + i + 1, r->lens + i, (r->n - i) * sizeof(*r->lens));
	r->values[i] = copy;
	r->lens[i] = len;
	r->n++;
	r->starts[(unsigned char)copy[0]] = true;
}

int redact_add(struct redact *r, const char *value, size_t len)
{
	char *copy;

	/* Surrounding whitespace (a trailing newline in a password file) is
	 * not part of what a log line would show. */
	while (len && isspace((unsigned char)*value)) {
		value++;
		len--;
	}
	while (len && isspace((unsigned char)value[len - 1]))
		len--;
	if (len < REDACT_MIN_VALUE || memchr(value, '\0', len))
		return 0;
	for (size_t i = 0; i < r->n; i++)
		if (r->lens[i] == len && !memcmp(r->values[i], value, len))
			return 0;
	if (r->n == r->alloc) {
		size_t na = r->alloc ? r->alloc * 2 : 16;
		char **nv = realloc(r->values, na * sizeof(*nv));
		size_t *nl;

		if (!nv)
			return -1;
		r->values = nv;
		nl = realloc(r->lens, na * sizeof(*nl));
		if (!nl)
			return -1;
		r->lens = nl;
		r->alloc = na;
	}
	copy = strndup(value, len);
	if (!copy)
		return -1;
	insert_sorted(r, copy, len);
	return 0;
}

int redact_add_lines(struct redact *r, const char *v, size_t len)
{
	const char *end = v + len;

	redact_add(r, v, len);
	/* A multi-line value (a CA bundle, a key) may surface line by line. */
	while (v < end) {
		const char *nl = memchr(v, '\n', (size_t)(end - v));
		size_t l = nl ? (size_t)(nl - v) : (size_t)(end - v);

		if (l >= 16)
			redact_add(r, v, l);
		v += l + 1;
	}
	return 0;
}

/* Keys of provider Secrets whose values are public: scrubbing a provider's
 * URL from every log line would hide what it talked to, and protect
 * nothing.  Their values are still redacted in the Secret itself. */
static bool public_key(const char *key)
{
	static const char *const pub[] = { "url", "user", "username", "insecureSkipVerify", "cacert",
					   "ca.crt", "domainName", "projectName", "regionName",
					   "authType", "region" };

	for (size_t i = 0; key && i < sizeof(pub) / sizeof(pub[0]); i++)
		if (!strcmp(key, pub[i]))
			return true;
	return false;
}

int redact_add_secret(struct redact *r, const cJSON *secret)
{
	const cJSON *data = json_get(secret, "data"), *sd = json_get(secret, "stringData"), *it;

	cJSON_ArrayForEach(it, data) {
		struct buf dec = BUF_INIT(16u << 20);

		if (!cJSON_IsString(it) || public_key(it->string))
			continue;
		if (base64_decode(&dec, it->valuestring, strlen(it->valuestring)) == 0)
			redact_add_lines(r, buf_str(&dec), dec.len);
		/* The encoded form is a secret too. */
		redact_add(r, it->valuestring, strlen(it->valuestring));
		buf_release(&dec);
	}
	cJSON_ArrayForEach(it, sd)
		if (cJSON_IsString(it) && !public_key(it->string))
			redact_add_lines(r, it->valuestring, strlen(it->valuestring));
	return 0;
}

static const char *const secret_keys[] = {
	"password", "passwd", "token", "apikey", "api_key", "api-key", "client-key-data",
	"client_secret", "client-secret", "clientsecret", "private_key", "private-key",
	"privatekey", "secret_key", "secretkey", "access_key", "accesskey",
};

bool redact_key_is_secret(const char *key)
{
	size_t kl = strlen(key);

	for (size_t i = 0; i < sizeof(secret_keys) / sizeof(secret_keys[0]); i++) {
		size_t sl = strlen(secret_keys[i]);

		/* A suffix match also catches guest_vm_win_password, bearerToken. */
		if (kl >= sl && !strcasecmp(key + kl - sl, secret_keys[i]))
			return true;
	}
	return false;
}

bool redact_looks_like_token(const char *s, size_t len)
{
	size_t letters = 0, digits = 0;

	if (len >= 20 && !strncmp(s, "eyJ", 3) && memchr(s, '.', len))
		return true;	/* JWT: base64 of '{"' */
	if (len > 7 && !strncmp(s, "sha256~", 7))
		return true;	/* OpenShift OAuth access token */
	if (len < 32)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isalpha(c))
			letters++;
		else if (isdigit(c))
			digits++;
		else if (c != '+' && c != '/' && c != '_' && c != '=')
			return false;	/* a name with dashes or dots, a uid */
	}
	return letters && digits;
}

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '+' || c == '/' || c == '_' || c == '.' ||
	       c == '~' || c == '-';
}

/* The value after `key`, `key=`, `key: `, `"key": "` ...: returns the
 * offset where it starts (0 when what follows is no assignment). */
static size_t assignment_value(const char *t, size_t len)
{
	size_t i = 0;

	if (i < len && (t[i] == '"' || t[i] == '\''))
		i++;
	while (i < len && t[i] == ' ')
		i++;
	if (i >= len || (t[i] != '=' && t[i] != ':'))
		return 0;
	i++;
	while (i < len && (t[i] == ' ' || t[i] == '"' || t[i] == '\''))
		i++;
	return i < len ? i : 0;
}

static size_t value_end(const char *t, size_t len)
{
	size_t i = 0;

	while (i < len && !isspace((unsigned char)t[i]) && t[i] != '"' && t[i] != '\'' &&
	       t[i] != ',' && t[i] != '}' && t[i] != '&' && t[i] != ';')
		i++;
	return i;
}

/* Pass two: shapes.  text has had the known values replaced already. */
static int redact_shapes(struct buf *out, const char *t, size_t len)
{
	size_t i = 0;
	int rc = 0;

	while (i < len && !rc) {
		size_t w = i, v;
		char key[64];

		if (!word_char(t[i])) {
			rc = buf_addch(out, t[i++]);
			continue;
		}
		while (i < len && word_char(t[i]))
			i++;
		snprintf(key, sizeof(key), "%.*s", (int)(i - w), t + w);
		/* "Bearer <token>", "Basic <credentials>" */
		if ((!strcasecmp(key, "bearer") || !strcasecmp(key, "basic")) && i < len && t[i] == ' ' &&
		    i + 1 < len && word_char(t[i + 1])) {
			rc = buf_add(out, t + w, i - w + 1);
			i++;
			i += value_end(t + i, len - i);
			rc = rc ? rc : buf_addstr(out, REDACTED);
			continue;
		}
		if (i - w < sizeof(key) && redact_key_is_secret(key) &&
		    (v = assignment_value(t + i, len - i)) > 0) {
			size_t e = value_end(t + i + v, len - i - v);

			rc = buf_add(out, t + w, i - w + v);
			if (e && !rc)
				rc = buf_addstr(out, REDACTED);
			i += v + e;
			continue;
		}
		/* Image digests are long hex but public. */
		if (redact_looks_like_token(t + w, i - w) &&
		    !(w >= 7 && (!strncmp(t + w - 7, "sha256:", 7) || !strncmp(t + w - 7, "sha512:", 7)))) {
			while (i < len && t[i] == '=')
				i++;
			rc = buf_addstr(out, REDACTED);
			continue;
		}
		rc = buf_add(out, t + w, i - w);
	}
	return rc;
}

int redact_text(const struct redact *r, struct buf *out, const char *text, size_t len)
{
	struct buf known = BUF_INIT(out->max);
	size_t i = 0;
	int rc = 0;

	/* Pass one: known values, wherever they are (even inside a word).
	 * Bytes no value starts with are copied as a run. */
	while (i < len && !rc) {
		size_t run = i, matched = 0;

		while (run < len && !r->starts[(unsigned char)text[run]])
			run++;
		if (run > i)
			rc = buf_add(&known, text + i, run - i);
		i = run;
		if (i >= len || rc)
			break;
		for (size_t k = 0; k < r->n; k++) {
			size_t vl = r->lens[k];

			if (vl <= len - i && text[i] == r->values[k][0] && !memcmp(text + i, r->values[k], vl)) {
				matched = vl;
				break;
			}
		}
		if (matched) {
			rc = buf_addstr(&known, REDACTED);
			i += matched;
		} else {
			rc = buf_addch(&known, text[i++]);
		}
	}
	if (!rc)
		rc = redact_shapes(out, known.data ? known.data : "", known.len);
	buf_release(&known);
	return rc;
}

static void replace_string(cJSON *node, const char *s)
{
	cJSON_SetValuestring(node, s);
}

/* {name: DB_PASSWORD, value: ...}: a container env entry or a setting
 * list hides the credential's name in a sibling field. */
static void redact_name_value(cJSON *obj)
{
	const char *name = json_str(obj, "name", NULL);
	cJSON *value = cJSON_GetObjectItemCaseSensitive(obj, "value");

	if (cJSON_IsObject(obj) && name && redact_key_is_secret(name) && cJSON_IsString(value))
		replace_string(value, REDACTED);
}

static bool data_key(const char *key)
{
	return key && (!strcmp(key, "data") || !strcmp(key, "stringData"));
}

/* secret_data: node is a Secret's data.  any_data: every data/stringData
 * member below node is a Secret's data (a body known to hold Secrets whose
 * items carry no kind: a SecretList, a patch). */
static void walk(const struct redact *r, cJSON *node, bool secret_data, bool any_data)
{
	cJSON *child, *next;

	/* Not cJSON_ArrayForEach: a replaced child is freed before the step. */
	for (child = node ? node->child : NULL; child; child = next) {
		const char *key = child->string;

		next = child->next;

		if (secret_data) {
			/* Every value of a Secret's data, whatever its type. */
			if (cJSON_IsString(child))
				replace_string(child, REDACTED);
			else
				cJSON_ReplaceItemViaPointer(node, child, cJSON_CreateString(REDACTED));
			continue;
		}
		if (any_data && data_key(key)) {
			if (cJSON_IsObject(child) || cJSON_IsArray(child))
				walk(r, child, true, false);
			else
				cJSON_ReplaceItemViaPointer(node, child, cJSON_CreateString(REDACTED));
			continue;
		}
		if (key && redact_key_is_secret(key) && !cJSON_IsObject(child) && !cJSON_IsArray(child)) {
			if (cJSON_IsString(child))
				replace_string(child, REDACTED);
			continue;
		}
		if (key && !strcmp(key, "kubectl.kubernetes.io/last-applied-configuration") &&
		    cJSON_IsString(child)) {
			/* A full copy of the object as applied: for a Secret, its data. */
			replace_string(child, REDACTED);
			continue;
		}
		if (cJSON_IsString(child)) {
			struct buf b = BUF_INIT(64u << 20);
			const char *s = child->valuestring;

			if (redact_text(r, &b, s, strlen(s)) == 0 && strcmp(buf_str(&b), s))
				replace_string(child, buf_str(&b));
			buf_release(&b);
		} else if (cJSON_IsObject(child) || cJSON_IsArray(child)) {
			walk(r, child, false, any_data);
			redact_name_value(child);
		}
	}
}

static void redact_obj(const struct redact *r, cJSON *obj, bool any_data)
{
	const char *kind = json_str(obj, "kind", "");
	cJSON *child;

	if (!strcmp(kind, "Secret") && !any_data) {
		cJSON_ArrayForEach(child, obj) {
			if (data_key(child->string))
				walk(r, child, true, false);
		}
	}
	walk(r, obj, false, any_data);
}

void redact_json(const struct redact *r, cJSON *obj)
{
	redact_obj(r, obj, false);
}

void redact_json_secrets(const struct redact *r, cJSON *obj)
{
	redact_obj(r, obj, true);
}

void redact_secret_data(cJSON *doc)
{
	cJSON *child;

	if (cJSON_IsArray(doc)) {
		cJSON_ArrayForEach(child, doc)
			redact_secret_data(child);
		return;
	}
	if (!cJSON_IsObject(doc))
		return;
	if (strcmp(json_str(doc, "kind", ""), "Secret")) {
		redact_secret_data(cJSON_GetObjectItemCaseSensitive(doc, "items"));
		return;
	}
	cJSON_ArrayForEach(child, doc) {
		if (data_key(child->string))
			walk(NULL, child, true, false);
	}
}
