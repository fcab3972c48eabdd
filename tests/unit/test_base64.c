#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base64.h"

static void roundtrip(const char *plain, const char *encoded)
{
	struct buf b = BUF_INIT(1024);

	assert_int_equal(base64_encode(&b, plain, strlen(plain)), 0);
	assert_string_equal(buf_str(&b), encoded);
	buf_reset(&b);
	assert_int_equal(base64_decode(&b, encoded, strlen(encoded)), 0);
	assert_int_equal(b.len, strlen(plain));
	assert_memory_equal(b.data, plain, b.len);
	buf_release(&b);
}

static void test_rfc4648_vectors(void **state)
{
	(void)state;
	roundtrip("", "");
	roundtrip("f", "Zg==");
	roundtrip("fo", "Zm8=");
	roundtrip("foo", "Zm9v");
	roundtrip("foob", "Zm9vYg==");
	roundtrip("fooba", "Zm9vYmE=");
	roundtrip("foobar", "Zm9vYmFy");
}

static void test_decode_rejects_garbage_and_keeps_buffer(void **state)
{
	(void)state;
	struct buf b = BUF_INIT(1024);

	buf_addstr(&b, "x");
	assert_int_equal(base64_decode(&b, "Zm9v\nYmFy\n", 10), 0);
	assert_string_equal(buf_str(&b), "xfoobar");
	assert_int_equal(base64_decode(&b, "Zm9v!", 5), -1);
	assert_int_equal(base64_decode(&b, "Zg=a", 4), -1);
	assert_int_equal(base64_decode(&b, "Zh==", 4), -1);
	assert_string_equal(buf_str(&b), "xfoobar");
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_vectors),
		cmocka_unit_test(test_decode_rejects_garbage_and_keeps_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
