/* lib/ssh_keyfile: the key type from a private key file's clear part.
 * The OpenSSH-format inputs are built here from PROTOCOL.key's layout (no
 * real private key in the tree); bats (ssh.bats) covers files ssh-keygen
 * wrote. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "ssh_keyfile.h"

static void put_string(struct buf *b, const void *s, size_t n)
{
	unsigned char len[4] = { (unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8),
				 (unsigned char)n };

	buf_add(b, len, 4);
	buf_add(b, s, n);
}

/* An OpenSSH private key file whose first public key has type `type`;
 * `cut` bytes dropped from the end of the binary (a damaged file). */
static char *openssh_file(const char *type, size_t cut)
{
	struct buf raw = BUF_INIT(4096), pub = BUF_INIT(4096), out = BUF_INIT(8192);
	static const unsigned char one[4] = { 0, 0, 0, 1 };

	put_string(&pub, type, strlen(type));
	put_string(&pub, "public-part", 11);
	buf_add(&raw, "openssh-key-v1", 15);	/* with its NUL */
	put_string(&raw, "aes256-ctr", 10);
	put_string(&raw, "bcrypt", 6);
	put_string(&raw, "salt+rounds", 11);
	buf_add(&raw, one, 4);
	put_string(&raw, pub.data, pub.len);
	put_string(&raw, "encrypted-private-part", 22);
	buf_addstr(&out, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
	base64_encode(&out, raw.data, raw.len - cut);
	buf_addstr(&out, "\n-----END OPENSSH PRIVATE KEY-----\n");
	buf_release(&raw);
	buf_release(&pub);
	return buf_take(&out);
}

static void test_openssh_format_types(void **state)
{
	const char *types[] = { "ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256" };
	char out[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		char *f = openssh_file(types[i], 0);

		assert_int_equal(ssh_keyfile_type(f, strlen(f), out, sizeof(out)), 0);
		assert_string_equal(out, types[i]);
		free(f);
	}
}

static void test_openssh_format_damaged(void **state)
{
	char out[32];
	char *f = openssh_file("ssh-rsa", 40);	/* cut into the public key */

	(void)state;
	assert_int_equal(ssh_keyfile_type(f, strlen(f), out, sizeof(out)), -1);
	assert_string_equal(out, "");
	free(f);
	f = openssh_file("ssh-rsa", 0);
	/* A type that does not fit is not cut short. */
	assert_int_equal(ssh_keyfile_type(f, strlen(f), out, 4), -1);
	free(f);
}

static void test_pem_and_unknown(void **state)
{
	static const char rsa[] = "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n";
	static const char ec[] = "-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----\n";
	static const char other[] = "-----BEGIN PRIVATE KEY-----\nMC4C\n-----END PRIVATE KEY-----\n";
	char out[32];

	(void)state;
	assert_int_equal(ssh_keyfile_type(rsa, strlen(rsa), out, sizeof(out)), 0);
	assert_string_equal(out, "ssh-rsa");
	assert_int_equal(ssh_keyfile_type(ec, strlen(ec), out, sizeof(out)), 0);
	assert_string_equal(out, "ecdsa");
	assert_int_equal(ssh_keyfile_type(other, strlen(other), out, sizeof(out)), -1);
	assert_int_equal(ssh_keyfile_type("", 0, out, sizeof(out)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openssh_format_types),
		cmocka_unit_test(test_openssh_format_damaged),
		cmocka_unit_test(test_pem_and_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
