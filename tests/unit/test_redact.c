/* One redaction policy: the HTTP trace log (http_redact_body) and the
 * artifacts gather writes (redact_json) hide the same fields. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "redact.h"

/* Field names either copy used to catch: http.c's exact list (access_token,
 * refresh_token, bearerToken ...) and redact.c's suffixes (passwd, apikey,
 * client_secret, guest_vm_win_password ...). */
static const char *const secret_fields[] = {
	"password", "token", "access_token", "refresh_token", "client-key-data", "bearerToken",
	"passwd", "apikey", "api_key", "client_secret", "clientSecret", "private_key",
	"secret_key", "access_key", "guest_vm_win_password", "PASSWORD",
};

static char *body_with(const char *field)
{
	size_t n = strlen(field) + 128;
	char *b = malloc(n);

	assert_non_null(b);
	snprintf(b, n, "{\"spec\":{\"user\":\"bob\",\"%s\":\"hunter2x\"}}", field);
	return b;
}

static void test_both_paths_hide_the_same_fields(void **state)
{
	struct redact none;

	(void)state;
	redact_init(&none);
	for (size_t i = 0; i < sizeof(secret_fields) / sizeof(secret_fields[0]); i++) {
		char *body = body_with(secret_fields[i]), *logged, *art;
		cJSON *obj = cJSON_Parse(body);

		assert_true(redact_key_is_secret(secret_fields[i]));
		logged = http_redact_body(body, strlen(body), false);
		assert_non_null(logged);
		if (strstr(logged, "hunter2x"))
			fail_msg("http_redact_body kept %s: %s", secret_fields[i], logged);
		assert_non_null(strstr(logged, "bob"));
		redact_json(&none, obj);
		art = cJSON_PrintUnformatted(obj);
		if (strstr(art, "hunter2x"))
			fail_msg("redact_json kept %s: %s", secret_fields[i], art);
		assert_string_equal(art, logged);
		free(body);
		free(logged);
		free(art);
		cJSON_Delete(obj);
	}
}

static void test_public_fields_stay(void **state)
{
	static const char *const pub[] = { "user", "username", "url", "name", "tokenExpiry_s" };

	(void)state;
	for (size_t i = 0; i < sizeof(pub) / sizeof(pub[0]); i++)
		assert_false(redact_key_is_secret(pub[i]));
}

/* A SecretList's items carry no kind: the URL says they are Secrets. */
static void test_secret_list_by_url(void **state)
{
	const char *list = "{\"kind\":\"SecretList\",\"items\":[{\"metadata\":{\"name\":\"s\"},"
			   "\"data\":{\"url\":\"aHR0cHM6Ly94\",\"cfg\":\"c2VjcmV0MQ==\"},"
			   "\"stringData\":{\"x\":\"plainvalue\"}}]}";
	char *r;

	(void)state;
	r = http_redact_body(list, strlen(list), true);
	assert_non_null(r);
	assert_null(strstr(r, "c2VjcmV0MQ=="));
	assert_null(strstr(r, "aHR0cHM6Ly94"));
	assert_null(strstr(r, "plainvalue"));
	assert_non_null(strstr(r, "\"name\":\"s\""));
	free(r);
}

/* The manifests --dry-run prints: the Secrets' values go, in a List and in
 * an array alike; every other object and field is left as it was. */
static void test_manifest_secret_data(void **state)
{
	const char *in =
		"[{\"kind\":\"List\",\"items\":[{\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"},"
		"\"data\":{\"password\":\"aHVudGVyMng=\",\"url\":\"aHR0cHM6Ly94\"},\"stringData\":{\"x\":\"hunter2x\"}},"
		"{\"kind\":\"Provider\",\"spec\":{\"url\":\"https://x\",\"data\":{\"k\":\"v\"}}}]},"
		"{\"kind\":\"Secret\",\"data\":{\"token\":\"dG9rZW4=\"}}]";
	const char *want =
		"[{\"kind\":\"List\",\"items\":[{\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"},"
		"\"data\":{\"password\":\"<redacted>\",\"url\":\"<redacted>\"},\"stringData\":{\"x\":\"<redacted>\"}},"
		"{\"kind\":\"Provider\",\"spec\":{\"url\":\"https://x\",\"data\":{\"k\":\"v\"}}}]},"
		"{\"kind\":\"Secret\",\"data\":{\"token\":\"<redacted>\"}}]";
	cJSON *doc = cJSON_Parse(in);
	char *out;

	(void)state;
	assert_non_null(doc);
	redact_secret_data(doc);
	out = cJSON_PrintUnformatted(doc);
	assert_string_equal(out, want);
	free(out);
	cJSON_Delete(doc);
}

/* Known values are scrubbed wherever they occur, the longest first so a
 * value holding another goes whole, however they were added. */
static void test_known_values_in_text(void **state)
{
	static const char *const cases[][2] = {
		{ "login hunter2x ok", "login <redacted> ok" },
		{ "hunter2xyzzy", "<redacted>" },		/* the longer value wins */
		{ "xhunter2xhunter2x.", "x<redacted><redacted>." },
		{ "hunter2", "hunter2" },			/* a prefix of a value stays */
		{ "tok=s3cr3t-token-value;", "tok=<redacted>;" },
		{ "", "" },
	};
	struct redact r;

	(void)state;
	redact_init(&r);
	assert_int_equal(redact_add(&r, "hunter2x", 8), 0);
	assert_int_equal(redact_add(&r, "  s3cr3t-token-value\n", 21), 0);
	assert_int_equal(redact_add(&r, "hunter2xyzzy", 12), 0);
	assert_int_equal(redact_add(&r, "hunter2x", 8), 0);	/* a duplicate is kept once */
	assert_int_equal(redact_add(&r, "short", 5), 0);	/* below REDACT_MIN_VALUE: ignored */
	assert_int_equal(r.n, 3);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = BUF_INIT(1 << 16);

		assert_int_equal(redact_text(&r, &out, cases[i][0], strlen(cases[i][0])), 0);
		assert_string_equal(buf_str(&out), cases[i][1]);
		buf_release(&out);
	}
	redact_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_paths_hide_the_same_fields),
		cmocka_unit_test(test_public_fields_stay),
		cmocka_unit_test(test_secret_list_by_url),
		cmocka_unit_test(test_manifest_secret_data),
		cmocka_unit_test(test_known_values_in_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
