/* Crash consistency: kill -9 kycd while uploads are in flight, several
 * times, restart, and check that every document the API lists has its file,
 * whole, and that the database is consistent. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "e2e.h"
#include "img.h"
#include "test.h"

static struct e2e_server srv;
static char key[128], ver[64];

#define BOUNDARY "----kycdcrashtest"

static char *upload_body(size_t *bl)
{
	size_t jl;
	unsigned char *jpg = timg_jpeg(900, 640, 90, &jl);
	kyc_buf b;
	kyc_buf_init(&b, 16u << 20);
	kyc_buf_puts(&b, "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\npassport\r\n"
			 "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"side\"\r\n\r\nfront\r\n"
			 "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"p.jpg\"\r\n"
			 "Content-Type: image/jpeg\r\n\r\n");
	kyc_buf_append(&b, jpg, jl);
	kyc_buf_puts(&b, "\r\n--" BOUNDARY "--\r\n");
	free(jpg);
	return kyc_buf_detach(&b, bl);
}

/* A child that uploads until the server goes away (or 400 uploads). */
static pid_t start_uploader(const char *body, size_t bl)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	char auth[200], path[160];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
	snprintf(path, sizeof path, "/v1/verifications/%s/documents", ver);
	const char *h[] = {auth, "Content-Type: multipart/form-data; boundary=" BOUNDARY, NULL};
	for (int i = 0; i < 400; i++) {
		struct e2e_resp r;
		if (e2e_req(&srv, "POST", path, h, body, bl, &r) != 0)
			_exit(0);
		e2e_resp_free(&r);
	}
	_exit(0);
}

/* Documents of the verification as the API lists them (-1 on error). */
static int document_count(void)
{
	char path[160];
	snprintf(path, sizeof path, "/v1/verifications/%s", ver);
	struct e2e_resp r;
	if (e2e_json(&srv, "GET", path, key, NULL, &r) != 0)
		return -1;
	int n = r.status == 200 ? (int)json_array_size(json_object_get(r.json, "documents")) : -1;
	e2e_resp_free(&r);
	return n;
}

TEST(kill_during_uploads_loses_nothing_served)
{
	size_t bl;
	char *body = upload_body(&bl);
	REQUIRE(body != NULL);
	srand((unsigned)time(NULL));
	for (int round = 0; round < 4; round++) {
		int before = document_count();
		pid_t up = start_uploader(body, bl);
		/* Kill only once uploads are flowing (a loaded machine may take a
		 * while to finish the first), then at a random moment after. */
		for (int i = 0; i < 600 && document_count() <= before; i++) {
			struct timespec ts = {0, 50 * 1000 * 1000L};
			nanosleep(&ts, NULL);
		}
		struct timespec ts = {0, (rand() % 300) * 1000 * 1000L};
		nanosleep(&ts, NULL);
		e2e_kill(&srv);
		waitpid(up, NULL, 0);
		REQUIRE(e2e_start(&srv, NULL) == 0);
	}
	free(body);

	/* Every listed document's file downloads whole: a valid JPEG of the
	 * size recorded. */
	char path[160];
	snprintf(path, sizeof path, "/v1/verifications/%s", ver);
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "GET", path, key, NULL, &r) == 0);
	REQUIRE(r.status == 200);
	json_t *docs = json_object_get(r.json, "documents");
	size_t n = json_array_size(docs);
	CHECK(n > 0);
	int ok = 0;
	for (size_t i = 0; i < n; i++) {
		const char *fid = json_string_value(json_object_get(json_array_get(docs, i), "file_id"));
		char fpath[128], auth[200];
		snprintf(fpath, sizeof fpath, "/v1/files/%s", fid ? fid : "none");
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
		const char *h[] = {auth, NULL};
		struct e2e_resp f;
		REQUIRE(e2e_req(&srv, "GET", fpath, h, NULL, 0, &f) == 0);
		int whole = f.status == 200 && f.body_len > 4 && (unsigned char)f.body[0] == 0xFF &&
			    (unsigned char)f.body[1] == 0xD8 && (unsigned char)f.body[f.body_len - 2] == 0xFF &&
			    (unsigned char)f.body[f.body_len - 1] == 0xD9;
		if (!whole)
			fprintf(stderr, "  document %zu: file %s answered %ld (%zu bytes)\n", i, fid, f.status,
				f.body_len);
		ok += whole;
		e2e_resp_free(&f);
	}
	CHECK_INT(ok, (int)n);
	fprintf(stderr, "  %zu documents survived 4 kills, all with whole files\n", n);
	e2e_resp_free(&r);
}

int main(void)
{
	if (e2e_data_dir(&srv) || e2e_tenant(&srv, "crash", key, NULL) || e2e_start(&srv, NULL)) {
		e2e_cleanup(&srv);
		printf("[crash] 0 passed, 1 failed\n");
		return 1;
	}
	struct e2e_resp r;
	if (e2e_json(&srv, "POST", "/v1/applicants", key, "{}", &r) || r.status != 201) {
		printf("[crash] 0 passed, 1 failed\n");
		return 1;
	}
	char body[128];
	snprintf(body, sizeof body, "{\"applicant_id\":\"%s\",\"expires_in\":86400}", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	if (e2e_json(&srv, "POST", "/v1/verifications", key, body, &r) || r.status != 201) {
		printf("[crash] 0 passed, 1 failed\n");
		return 1;
	}
	snprintf(ver, sizeof ver, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	RUN(kill_during_uploads_loses_nothing_served);
	e2e_cleanup(&srv);
	return test_done("crash");
}
