/* lib/ssh_fingerprint against what OpenSSH prints for the same keys
 * (ssh-keygen -lf on the .pub files these blobs come from). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base64.h"
#include "ssh_fingerprint.h"

static void check(const char *pub_b64, const char *want)
{
	struct buf blob = BUF_INIT(4096);
	char out[SSH_FINGERPRINT_MAX];

	assert_int_equal(base64_decode(&blob, pub_b64, strlen(pub_b64)), 0);
	assert_int_equal(ssh_fingerprint((const unsigned char *)blob.data, blob.len, out), 0);
	assert_string_equal(out, want);
	buf_release(&blob);
}

static void test_ed25519_matches_ssh_keygen(void **state)
{
	(void)state;
	check("AAAAC3NzaC1lZDI1NTE5AAAAICpHJ9FmP5sS6vBBk8GBI5GQ3dtDePJkMg5SqgPjfS3S",
	      "ssh-ed25519 SHA256:qjqOZjRpgyAM6N36RCqVhKlV5Qmfve6R2B0JZZ6Xnfo");
}

static void test_rsa_matches_ssh_keygen(void **state)
{
	(void)state;
	check("AAAAB3NzaC1yc2EAAAADAQABAAAAgQDsWupd//A4bqN/oS7lw+MWjQvSSlMhMqiKrrnEsAff+HrGOs3FeKBliojZ8V4YoMLkdLEyRLDsKF5H3v8Y8LXRrdscBo52l4V5Mz2K3c4mJ2VGsr49I06aspMlKnoPBboT9fb+xQQAaIG/uk0R3ToVEYbDYA5DCQ+Nx8iPo7ruHQ==",
	      "ssh-rsa SHA256:ZyZlGijyY5R+hfpFPXpztHZbXj/alX2aQz6teA84pQY");
}

/* A blob that does not start with a type name is not fingerprinted. */
static void test_rejects_malformed_blobs(void **state)
{
	static const unsigned char short_blob[] = { 0, 0, 0 };
	static const unsigned char long_type[] = { 0, 0, 0, 9, 's', 's', 'h' };
	static const unsigned char empty_type[] = { 0, 0, 0, 0, 'x' };
	static const unsigned char ctl_type[] = { 0, 0, 0, 2, 's', '\n', 0 };
	char out[SSH_FINGERPRINT_MAX];

	(void)state;
	assert_int_equal(ssh_fingerprint(short_blob, sizeof(short_blob), out), -1);
	assert_string_equal(out, "");
	assert_int_equal(ssh_fingerprint(long_type, sizeof(long_type), out), -1);
	assert_int_equal(ssh_fingerprint(empty_type, sizeof(empty_type), out), -1);
	assert_int_equal(ssh_fingerprint(ctl_type, sizeof(ctl_type), out), -1);
	assert_int_equal(ssh_fingerprint(NULL, 0, out), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ed25519_matches_ssh_keygen),
		cmocka_unit_test(test_rsa_matches_ssh_keygen),
		cmocka_unit_test(test_rejects_malformed_blobs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
