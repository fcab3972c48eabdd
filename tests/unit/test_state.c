#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "json.h"
#include "log.h"
#include "state.h"

static char tmpdir[256];

static int make_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mtv-state-test-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	setenv("SHARED_DIR", tmpdir, 1);
	return 0;
}

static int remove_dir(void **state)
{
	(void)state;
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_write_is_atomic_0600_and_leaves_no_temp(void **state)
{
	(void)state;
	struct state st;
	struct mtv_err err;
	cJSON *doc = cJSON_Parse("{\"id\":\"auto-ab12\"}"), *back = NULL;
	struct stat sb;
	char path[512];
	DIR *d;
	struct dirent *de;
	int files = 0;

	assert_int_equal(state_open(&st, &err), 0);
	assert_false(st.is_default);
	assert_int_equal(state_write_json(&st, "mtv-session.json", doc, &err), 0);
	snprintf(path, sizeof(path), "%s/mtv-session.json", tmpdir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(state_read_json(&st, "mtv-session.json", &back, &err), 0);
	assert_string_equal(json_str(back, "id", ""), "auto-ab12");
	d = opendir(tmpdir);
	while ((de = readdir(d)))
		files += de->d_name[0] != '.';
	closedir(d);
	assert_int_equal(files, 1);
	cJSON_Delete(doc);
	cJSON_Delete(back);
}

static void test_missing_and_corrupt_files(void **state)
{
	(void)state;
	struct state st;
	struct mtv_err err;
	cJSON *doc = (cJSON *)1;
	char path[512];

	assert_int_equal(state_open(&st, &err), 0);
	assert_int_equal(state_read_json(&st, "mtv-plan.json", &doc, &err), 0);
	assert_null(doc);
	snprintf(path, sizeof(path), "%s/mtv-plan.json", tmpdir);
	assert_int_equal(fs_write_atomic(path, "{\"name\": \n", 10, 0600, &err), 0);
	assert_int_equal(state_read_json(&st, "mtv-plan.json", &doc, &err), -1);
	assert_int_equal(err.code, MTV_EXIT_USAGE);
	assert_non_null(strstr(err.msg, "corrupt state file"));
	assert_non_null(strstr(err.msg, "mtv-plan.json:1:10: invalid JSON"));
	assert_int_equal(state_read_json(&st, "../etc", &doc, &err), -1);
}

static void test_shared_dir_must_exist(void **state)
{
	(void)state;
	struct state st;
	struct mtv_err err;

	setenv("SHARED_DIR", "/nonexistent/mtv-dir", 1);
	assert_int_equal(state_open(&st, &err), -1);
	assert_int_equal(err.code, MTV_EXIT_USAGE);
	assert_string_equal(err.msg, "SHARED_DIR /nonexistent/mtv-dir: No such file or directory");
	setenv("SHARED_DIR", tmpdir, 1);
}

static void test_oversized_document_keeps_old_file(void **state)
{
	(void)state;
	struct state st;
	struct mtv_err err;
	cJSON *small = cJSON_Parse("{\"v\":1}"), *big = cJSON_CreateObject(), *back = NULL;
	char *blob = malloc(STATE_FILE_MAX + 1);

	memset(blob, 'x', STATE_FILE_MAX);
	blob[STATE_FILE_MAX] = '\0';
	cJSON_AddStringToObject(big, "blob", blob);
	assert_int_equal(state_open(&st, &err), 0);
	assert_int_equal(state_write_json(&st, "mtv-maps.json", small, &err), 0);
	assert_int_equal(state_write_json(&st, "mtv-maps.json", big, &err), -1);
	assert_non_null(strstr(err.msg, "exceed the SHARED_DIR limit"));
	assert_int_equal(state_read_json(&st, "mtv-maps.json", &back, &err), 0);
	assert_non_null(json_get(back, "v"));
	free(blob);
	cJSON_Delete(small);
	cJSON_Delete(big);
	cJSON_Delete(back);
}

/* Several processes recording at once must not lose an entry. */
static void test_ledger_concurrent_records_and_dedup(void **state)
{
	(void)state;
	struct state st;
	struct mtv_err err;
	cJSON *doc = NULL;
	enum { WRITERS = 4, EACH = 25 };

	assert_int_equal(state_open(&st, &err), 0);
	for (int w = 0; w < WRITERS; w++) {
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			for (int i = 0; i < EACH; i++) {
				char name[32];
				struct ledger_entry e = { "Secret", "v1", "ns1", name, "test" };

				snprintf(name, sizeof(name), "s-%d-%d", w, i);
				if (ledger_record(&st, &e, &err) < 0)
					_exit(1);
			}
			_exit(0);
		}
	}
	for (int w = 0; w < WRITERS; w++) {
		int status;

		wait(&status);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	struct ledger_entry again = { "Secret", "v1", "ns1", "s-0-0", "test" };
	struct ledger_entry plan = { "Plan", "forklift.konveyor.io/v1beta1", "ns1", "p", "mtv-plan" };
	assert_int_equal(ledger_record(&st, &again, &err), 0);
	assert_int_equal(ledger_record(&st, &plan, &err), 0);
	assert_int_equal(state_read_json(&st, LEDGER_FILE, &doc, &err), 0);
	assert_int_equal(cJSON_GetArraySize(json_get(doc, "Secret")), WRITERS * EACH);
	assert_string_equal(json_str(doc, "Plan[0].apiVersion", ""), "forklift.konveyor.io/v1beta1");
	assert_string_equal(json_str(doc, "Plan[0].step", ""), "mtv-plan");
	cJSON_Delete(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_is_atomic_0600_and_leaves_no_temp),
		cmocka_unit_test(test_missing_and_corrupt_files),
		cmocka_unit_test(test_shared_dir_must_exist),
		cmocka_unit_test(test_oversized_document_keeps_old_file),
		cmocka_unit_test(test_ledger_concurrent_records_and_dedup),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
