/* bench/at_rest: what encryption at rest costs the requests users make —
 * a document upload (multipart, the default workflow: decode, MRZ read,
 * checks, blob and rows written) and the reads of what it stored (GET
 * /v1/applicants/{id}, a record with sealed names; GET /v1/files/{id}, the
 * photo) — on the kycd of this tree against the kycd of the commit before
 * encryption (the baseline), both release builds with their defaults,
 * interleaved in rounds in the same run. Each round starts each server
 * fresh. Prints p50/p99 per request kind and the ratios.
 * Usage: bench BASE_KYCD NEW_KYCD JPEG ROUNDS UPLOADS GETS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"

enum { UPLOAD, GET_APPLICANT, GET_FILE, KINDS };
static const char *const kind_name[KINDS] = {"upload (POST documents)", "GET applicant",
					     "GET file"};

struct samples {
	double *ms;
	size_t n, cap;
};
static struct samples got[2][KINDS];

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void add(struct samples *s, double ms)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->ms = realloc(s->ms, s->cap * sizeof *s->ms);
		if (!s->ms)
			exit(1);
	}
	s->ms[s->n++] = ms;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(struct samples *s, double p)
{
	if (!s->n)
		return 0;
	qsort(s->ms, s->n, sizeof *s->ms, cmp);
	size_t i = (size_t)(p * (double)(s->n - 1) + 0.5);
	return s->ms[i];
}

static unsigned char *jpg;
static size_t jpg_len;

static int upload(struct e2e_server *srv, const char *key, const char *ver, struct e2e_resp *r)
{
	static const char bnd[] = "benchboundary";
	size_t cap = jpg_len + 1024, n = 0;
	char *b = malloc(cap);
	n += (size_t)snprintf(b + n, cap - n,
			      "--%s\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\npassport\r\n"
			      "--%s\r\nContent-Disposition: form-data; name=\"side\"\r\n\r\nfront\r\n"
			      "--%s\r\nContent-Disposition: form-data; name=\"image\"; "
			      "filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n",
			      bnd, bnd, bnd);
	memcpy(b + n, jpg, jpg_len);
	n += jpg_len;
	n += (size_t)snprintf(b + n, cap - n, "\r\n--%s--\r\n", bnd);
	char auth[200], ct[100], path[200];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
	snprintf(ct, sizeof ct, "Content-Type: multipart/form-data; boundary=%s", bnd);
	snprintf(path, sizeof path, "/v1/verifications/%s/documents", ver);
	const char *h[] = {auth, ct, NULL};
	int rc = e2e_req(srv, "POST", path, h, b, n, r);
	free(b);
	return rc;
}

/* One server of binary bin (which = 0 baseline, 1 this tree), measured. */
static int run_one(const char *bin, int which, int uploads, int gets)
{
	struct e2e_server srv;
	memset(&srv, 0, sizeof srv);
	char key[128], tenant[64], keyfile[200], keyenv[260], *out = NULL;
	setenv("KYCD_BIN", bin, 1);
	if (e2e_data_dir(&srv))
		return -1;
	/* the key beside the data directory, as `make run` makes it; the
	 * baseline never reads it */
	snprintf(keyfile, sizeof keyfile, "%.150s.master.key", srv.data_dir);
	snprintf(keyenv, sizeof keyenv, "KYCD_MASTER_KEY_FILE=%s", keyfile);
	setenv("KYCD_MASTER_KEY_FILE", keyfile, 1);
	const char *init[] = {"keys", "init", NULL};
	if (which == 1 && e2e_cli(&srv, &out, init))
		return -1;
	free(out);
	const char *env[] = {keyenv, "KYCD_THREADS=2", NULL};
	if (e2e_tenant(&srv, "bench", key, tenant) || e2e_start(&srv, env))
		return -1;
	struct e2e_resp r;
	char app[64] = "", file[64] = "", path[160], body[256];
	int rc = e2e_json(&srv, "POST", "/v1/applicants", key,
			  "{\"first_name\":\"Anna Maria\",\"last_name\":\"Eriksson\",\"birth_date\":"
			  "\"1974-08-12\",\"email\":\"anna@example.org\",\"phone\":\"+46701234567\"}",
			  &r);
	if (!rc && r.status == 201)
		snprintf(app, sizeof app, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	for (int i = 0; i < uploads && app[0]; i++) {
		char ver[64] = "";
		snprintf(body, sizeof body, "{\"applicant_id\":\"%s\"}", app);
		if (e2e_json(&srv, "POST", "/v1/verifications", key, body, &r) == 0 && r.status == 201)
			snprintf(ver, sizeof ver, "%s", e2e_str(&r, "id"));
		e2e_resp_free(&r);
		double t0 = now_ms();
		if (!ver[0] || upload(&srv, key, ver, &r) || r.status != 201) {
			fprintf(stderr, "upload failed: %ld %s\n", r.status, r.body ? r.body : "");
			e2e_resp_free(&r);
			rc = -1;
			break;
		}
		add(&got[which][UPLOAD], now_ms() - t0);
		snprintf(file, sizeof file, "%s", e2e_str(&r, "file_id"));
		e2e_resp_free(&r);
	}
	for (int i = 0; i < gets && !rc; i++) {
		snprintf(path, sizeof path, "/v1/applicants/%s", app);
		double t0 = now_ms();
		if (e2e_json(&srv, "GET", path, key, NULL, &r) || r.status != 200)
			rc = -1;
		add(&got[which][GET_APPLICANT], now_ms() - t0);
		e2e_resp_free(&r);
		snprintf(path, sizeof path, "/v1/files/%s", file);
		t0 = now_ms();
		if (e2e_json(&srv, "GET", path, key, NULL, &r) || r.status != 200 ||
		    r.body_len != jpg_len)
			rc = -1;
		add(&got[which][GET_FILE], now_ms() - t0);
		e2e_resp_free(&r);
	}
	e2e_stop(&srv);
	e2e_cleanup(&srv);
	unlink(keyfile);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: bench BASE_KYCD NEW_KYCD JPEG ROUNDS UPLOADS GETS\n");
		return 2;
	}
	FILE *fp = fopen(argv[3], "rb");
	if (!fp)
		return 1;
	fseek(fp, 0, SEEK_END);
	jpg_len = (size_t)ftell(fp);
	fseek(fp, 0, SEEK_SET);
	jpg = malloc(jpg_len);
	if (!jpg || fread(jpg, 1, jpg_len, fp) != jpg_len)
		return 1;
	fclose(fp);
	int rounds = atoi(argv[4]), uploads = atoi(argv[5]), gets = atoi(argv[6]);
	for (int round = 0; round < rounds; round++)
		for (int which = 0; which < 2; which++)
			if (run_one(argv[1 + which], which, uploads, gets)) {
				fprintf(stderr, "bench/at_rest: the %s run failed\n",
					which ? "encrypted" : "baseline");
				return 1;
			}
	printf("%-24s %10s %10s %10s %10s %8s %8s\n", "request", "base p50", "enc p50",
	       "base p99", "enc p99", "p50 x", "p99 x");
	for (int k = 0; k < KINDS; k++) {
		double b50 = pct(&got[0][k], 0.5), e50 = pct(&got[1][k], 0.5);
		double b99 = pct(&got[0][k], 0.99), e99 = pct(&got[1][k], 0.99);
		printf("%-24s %8.2fms %8.2fms %8.2fms %8.2fms %8.2f %8.2f   (n=%zu)\n", kind_name[k],
		       b50, e50, b99, e99, e50 / b50, e99 / b99, got[1][k].n);
	}
	return 0;
}
