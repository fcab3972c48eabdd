/* tls_floor: the cost floor of a step, for make bench.
 *
 *   tls_floor URL CA_FILE TOKEN_FILE
 *
 * Does what every step must do and nothing more: initialise libcurl (and
 * with it OpenSSL), read a CA and a bearer token, make one HTTPS GET of URL
 * trusting only that CA, and exit 0 when the answer is a 2xx.  The program
 * links the same libraries as the steps (the Makefile links every test
 * program against libmtv's LDLIBS), so the dynamic loader's share of the
 * cost is the same too.  A step's CPU time divided by this program's is how
 * far the step is from the floor (tests/bench/README.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

/* A whole small file into a NUL-terminated malloc'd buffer, or NULL. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 8192);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, 4096, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static size_t discard(char *data, size_t size, size_t nmemb, void *arg)
{
	(void)data;
	(void)arg;
	return size * nmemb;
}

int main(int argc, char **argv)
{
	struct curl_blob ca;
	struct curl_slist *headers = NULL;
	char *ca_pem, *token, auth[4096];
	size_t ca_len, token_len;
	long status = 0;
	CURLcode rc;
	CURL *curl;

	if (argc != 4) {
		fprintf(stderr, "usage: tls_floor URL CA_FILE TOKEN_FILE\n");
		return 2;
	}
	ca_pem = slurp(argv[2], &ca_len);
	token = slurp(argv[3], &token_len);
	if (!ca_pem || !token) {
		fprintf(stderr, "tls_floor: cannot read %s\n", ca_pem ? argv[3] : argv[2]);
		return 2;
	}
	token[strcspn(token, "\r\n")] = '\0';
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(curl = curl_easy_init()))
		return 3;
	ca = (struct curl_blob){ .data = ca_pem, .len = ca_len, .flags = CURL_BLOB_NOCOPY };
	headers = curl_slist_append(headers, auth);
	curl_easy_setopt(curl, CURLOPT_URL, argv[1]);
	curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &ca);
	/* Only the given CA, as the steps do when the kubeconfig names one:
	 * no system bundle to parse. */
	curl_easy_setopt(curl, CURLOPT_CAINFO, NULL);
	curl_easy_setopt(curl, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	else
		fprintf(stderr, "tls_floor: %s\n", curl_easy_strerror(rc));
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	curl_global_cleanup();
	free(ca_pem);
	free(token);
	return rc == CURLE_OK && status / 100 == 2 ? 0 : 1;
}
