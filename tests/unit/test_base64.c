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
	assert_int_equal(base64_decode(&b, "Zg==Zg==", 8), -1);	/* '=' inside */
	assert_int_equal(base64_decode(&b, "Zm9vY===", 8), -1);	/* a third '=' */
	assert_int_equal(base64_decode(&b, "Zg=", 3), -1);	/* half a pad */
	assert_int_equal(base64_decode(&b, "Z", 1), -1);
	assert_string_equal(buf_str(&b), "xfoobar");
	/* Unpadded text decodes as padded; whitespace anywhere is skipped. */
	assert_int_equal(base64_decode(&b, "Zm8", 3), 0);
	assert_int_equal(base64_decode(&b, " Z g = =\r\n", 10), 0);
	assert_string_equal(buf_str(&b), "xfoobarfof");
	buf_release(&b);
}

/* Bytes that are not text, and the NUL among them, survive both ways. */
static void test_binary_roundtrip(void **state)
{
	(void)state;
	unsigned char all[256];
	struct buf enc = BUF_INIT(1024), dec = BUF_INIT(1024);

	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)(255 - i);
	assert_int_equal(base64_encode(&enc, all, sizeof(all)), 0);
	assert_int_equal(enc.len, 344);
	assert_int_equal(base64_decode(&dec, enc.data, enc.len), 0);
	assert_int_equal(dec.len, sizeof(all));
	assert_memory_equal(dec.data, all, sizeof(all));
	buf_release(&enc);
	buf_release(&dec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_vectors),
		cmocka_unit_test(test_decode_rejects_garbage_and_keeps_buffer),
		cmocka_unit_test(test_binary_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
