/* The retry policy of lib/http: which failures are retried, how long we
 * wait, and that a POST is never blindly repeated. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static const struct http_retry_policy P = { .max_attempts = 5, .base_ms = 100, .max_ms = 1000 };

static bool decide(const char *verb, int curl_code, long status, int attempt, long ra,
		   long *delay, bool *amb)
{
	return http_retry_decide(&P, verb, curl_code, status, attempt, ra, 0, delay, amb);
}

static void test_statuses_retried_per_verb(void **state)
{
	static const char *const verbs[] = { "GET", "PUT", "DELETE", "HEAD", "POST", "PATCH" };
	long d;
	bool amb;

	(void)state;
	for (size_t i = 0; i < 6; i++) {
		bool idem = i < 4;

		/* refused before acting: every verb */
		assert_true(decide(verbs[i], CURLE_OK, 429, 1, -1, &d, &amb));
		assert_true(decide(verbs[i], CURLE_OK, 503, 1, -1, &d, &amb));
		assert_false(amb);
		/* may have acted: idempotent verbs only */
		for (long st = 500; st <= 504; st++) {
			if (st == 501 || st == 503)
				continue;
			assert_int_equal(decide(verbs[i], CURLE_OK, st, 1, -1, &d, &amb), idem);
			assert_int_equal(amb, !idem);
		}
		/* never */
		assert_false(decide(verbs[i], CURLE_OK, 200, 1, -1, &d, &amb));
		assert_false(decide(verbs[i], CURLE_OK, 404, 1, -1, &d, &amb));
		assert_false(decide(verbs[i], CURLE_OK, 409, 1, -1, &d, &amb));
		assert_false(decide(verbs[i], CURLE_OK, 401, 1, -1, &d, &amb));
		assert_false(decide(verbs[i], CURLE_OK, 501, 1, -1, &d, &amb));
		assert_false(amb);
	}
}

static void test_connection_errors(void **state)
{
	long d;
	bool amb;

	(void)state;
	/* Nothing was sent: safe for every verb. */
	assert_true(decide("POST", CURLE_COULDNT_CONNECT, 0, 1, -1, &d, &amb));
	assert_false(amb);
	assert_true(decide("PATCH", CURLE_COULDNT_RESOLVE_HOST, 0, 1, -1, &d, &amb));
	/* The request may have been applied: only idempotent verbs, and the
	 * POST says the outcome is unknown. */
	assert_true(decide("GET", CURLE_GOT_NOTHING, 0, 1, -1, &d, &amb));
	assert_true(decide("PUT", CURLE_RECV_ERROR, 0, 1, -1, &d, &amb));
	assert_true(decide("DELETE", CURLE_OPERATION_TIMEDOUT, 0, 1, -1, &d, &amb));
	assert_false(decide("POST", CURLE_GOT_NOTHING, 0, 1, -1, &d, &amb));
	assert_true(amb);
	assert_false(decide("PATCH", CURLE_SEND_ERROR, 0, 1, -1, &d, &amb));
	assert_true(amb);
	/* Configuration errors never get better by retrying. */
	assert_false(decide("GET", CURLE_PEER_FAILED_VERIFICATION, 0, 1, -1, &d, &amb));
	assert_false(decide("GET", CURLE_SSL_CERTPROBLEM, 0, 1, -1, &d, &amb));
	assert_false(decide("GET", CURLE_URL_MALFORMAT, 0, 1, -1, &d, &amb));
	assert_false(amb);
}

static void test_attempts_are_bounded(void **state)
{
	long d;
	bool amb;

	(void)state;
	assert_true(decide("GET", CURLE_OK, 503, 4, -1, &d, &amb));
	assert_false(decide("GET", CURLE_OK, 503, 5, -1, &d, &amb));
	assert_false(decide("GET", CURLE_COULDNT_CONNECT, 0, 5, -1, &d, &amb));
}

static void test_backoff_grows_and_caps(void **state)
{
	(void)state;
	assert_int_equal(http_backoff_ms(&P, 1), 100);
	assert_int_equal(http_backoff_ms(&P, 2), 200);
	assert_int_equal(http_backoff_ms(&P, 3), 400);
	assert_int_equal(http_backoff_ms(&P, 4), 800);
	assert_int_equal(http_backoff_ms(&P, 5), 1000);
	assert_int_equal(http_backoff_ms(&P, 30), 1000);
}

static void test_jitter_bounds(void **state)
{
	struct http_retry_policy p = { .max_attempts = 100, .base_ms = 100, .max_ms = 1000 };
	long d, lo = 1 << 30, hi = 0;
	bool amb;

	(void)state;
	for (int attempt = 1; attempt < 8; attempt++) {
		long full = http_backoff_ms(&p, attempt);

		for (unsigned int r = 0; r < 2000; r += 7) {
			assert_true(http_retry_decide(&p, "GET", CURLE_OK, 503, attempt, -1,
						      r * 2654435761u, &d, &amb));
			assert_in_range(d, full / 2, full);
			if (attempt == 1) {
				lo = d < lo ? d : lo;
				hi = d > hi ? d : hi;
			}
		}
	}
	/* The jitter actually spreads the delays. */
	assert_true(hi - lo >= 40);
}

static void test_retry_after_honoured(void **state)
{
	long d;
	bool amb;

	(void)state;
	assert_true(decide("POST", CURLE_OK, 429, 1, 3, &d, &amb));
	assert_int_equal(d, 3000);
	assert_true(decide("GET", CURLE_OK, 503, 2, 0, &d, &amb));
	assert_int_equal(d, 0);
	/* absurd values are capped */
	assert_true(decide("GET", CURLE_OK, 429, 1, 86400, &d, &amb));
	assert_int_equal(d, 120000);
	assert_int_equal(http_parse_retry_after("7"), 7);
	assert_int_equal(http_parse_retry_after(" 12\r\n"), 12);
	assert_int_equal(http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), -1);
	assert_int_equal(http_parse_retry_after("-1"), -1);
	assert_int_equal(http_parse_retry_after("5x"), -1);
}

static void test_verbs(void **state)
{
	(void)state;
	assert_true(http_verb_idempotent("GET"));
	assert_true(http_verb_idempotent("delete"));
	assert_false(http_verb_idempotent("POST"));
	assert_false(http_verb_idempotent("PATCH"));
}

static void test_redaction(void **state)
{
	const char *secret = "{\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"},"
			     "\"data\":{\"password\":\"aHVudGVyMg==\"},\"stringData\":{\"x\":\"y\"}}";
	const char *login = "{\"spec\":{\"user\":\"bob\",\"password\":\"hunter2\",\"token\":\"abc\"}}";
	char *r;

	(void)state;
	r = http_redact_body(secret, strlen(secret), false);
	assert_non_null(r);
	assert_null(strstr(r, "aHVudGVyMg=="));
	assert_null(strstr(r, "\"y\""));
	assert_non_null(strstr(r, "\"name\":\"s\""));
	free(r);
	r = http_redact_body(login, strlen(login), false);
	assert_null(strstr(r, "hunter2"));
	assert_null(strstr(r, "abc"));
	assert_non_null(strstr(r, "bob"));
	free(r);
	r = http_redact_body("password=hunter2", 16, false);
	assert_string_equal(r, "<16 bytes>");
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statuses_retried_per_verb),
		cmocka_unit_test(test_connection_errors),
		cmocka_unit_test(test_attempts_are_bounded),
		cmocka_unit_test(test_backoff_grows_and_caps),
		cmocka_unit_test(test_jitter_bounds),
		cmocka_unit_test(test_retry_after_honoured),
		cmocka_unit_test(test_verbs),
		cmocka_unit_test(test_redaction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
