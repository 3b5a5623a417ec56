/* bench/erasure: what retention and erasure cost, on the store directly
 * (release libkycd.a; see bench/erasure/run and bench/README.md).
 *
 * Two stores are filled alike: applicants with a verification, two documents
 * whose extraction holds names and numbers, their files (bytes on disk for
 * the applicants to be erased), audit rows and events. One store keeps the
 * defaults kycd opens with (secure_delete on); the other turns secure_delete
 * off, as kycd did before erasure existed: the baseline, measured in the
 * same run, rounds interleaved. Printed:
 *   - one erasure (kyc_erasure_applicant, its commit waiting for the disk):
 *     median and p99 ms, and the ratio to the baseline;
 *   - an ordinary write that rewrites a row (a verification's status and
 *     checks updated, one transaction each): per second, and the ratio;
 *   - a retention sweep that finds nothing due, at N and at 10 N closed
 *     verifications: its time should not grow with what is kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/rand.h"
#include "flows/erasure.h"
#include "flows/retention.h"
#include "store/blob.h"
#include "store/store_sqlite_int.h"

#define ERASE_PER_ROUND 40
#define ROUNDS 3

struct bed {
	char dir[64];
	kyc_store *s;
	char tenant[37];
	char (*apps)[37]; /* applicants not yet erased */
	char (*vers)[37];
	int n, next;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, kyc_store *s)
{
	fprintf(stderr, "bench/erasure: %s: %s\n", what, s ? kyc_store_errmsg(s) : "");
	exit(1);
}

static json_t *extraction(int i)
{
	char num[16], name[24];
	snprintf(num, sizeof num, "L%08d", i);
	snprintf(name, sizeof name, "SURNAME%06d", i);
	return json_pack("{s:b, s:s, s:{s:{s:s, s:b, s:b}, s:{s:s, s:b, s:b}, s:{s:s, s:b, s:b}}}",
			 "mrz_found", 1, "mrz",
			 "P<UTOSURNAME<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<<L898902C36UTO7408122F1204159"
			 "ZE184226B<<<<<10",
			 "fields", "surname", "value", name, "read", 1, "accepted", 1,
			 "document_number", "value", num, "read", 1, "accepted", 1, "given_names",
			 "value", "ANNA MARIA", "read", 1, "accepted", 1);
}

/* One applicant with its records; files gets bytes on disk. */
static void add_person(struct bed *b, int i, int files, const unsigned char *img, size_t len)
{
	kyc_store *s = b->s;
	char app[37], ver[37], name[24];
	kyc_uuid_new(app);
	kyc_uuid_new(ver);
	snprintf(name, sizeof name, "SURNAME%06d", i);
	json_t *a = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:{s:{s:s}}}", "id", app,
			      "first_name", "ANNA", "last_name", name, "birth_date", "1974-08-12",
			      "level", "L0", "tier", 0, "attributes", "metadata", "crm", name);
	json_t *v = json_pack("{s:s, s:s, s:s, s:i, s:I, s:s, s:[{s:s, s:s, s:s, s:{s:s}}]}", "id",
			      ver, "applicant_id", app, "status", "approved", "attempts", 1,
			      "decided_at", (json_int_t)kyc_now_ms(), "document_key",
			      "UTO:L898902C3", "checks", "name", "data_consistency", "result",
			      "pass", "reason", "match", "details", "surname", name);
	int rc = kyc_store_insert(s, KYC_R_APPLICANT, b->tenant, a);
	rc = rc ? rc : kyc_store_insert(s, KYC_R_VERIFICATION, b->tenant, v);
	rc = rc ? rc : kyc_event_emit(s, b->tenant, "applicant.created", "applicant", app, 1, a);
	rc = rc ? rc
		: kyc_event_emit(s, b->tenant, "verification.status_changed", "verification", ver, 1,
				 v);
	for (int side = 0; side < 2 && !rc; side++) {
		char doc[37], fid[37], rel[128] = "files/none";
		kyc_uuid_new(doc);
		kyc_uuid_new(fid);
		if (files && kyc_blob_write(s, b->dir, b->tenant, app, fid, img, len, rel, sizeof rel))
			die("blob", NULL);
		json_t *f = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "id", fid, "kind", "document",
				      "content_type", "image/jpeg", "size", (json_int_t)len, "sha256",
				      "00", "path", rel);
		json_t *x = extraction(i);
		json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O}", "id", doc,
				      "verification_id", ver, "applicant_id", app, "type", "passport",
				      "side", side ? "back" : "front", "file_id", fid, "status",
				      "processed", "extraction", x);
		rc = kyc_store_insert(s, KYC_R_FILE, b->tenant, f);
		rc = rc ? rc : kyc_store_insert(s, KYC_R_DOCUMENT, b->tenant, d);
		rc = rc ? rc
			: kyc_event_emit(s, b->tenant, "document.processed", "document", doc, 1, d);
		json_decref(f);
		json_decref(x);
		json_decref(d);
	}
	rc = rc ? rc
		: kyc_history_append(s, b->tenant, ver, "key:bench", "submit", "awaiting_input",
				     "processing", NULL, v);
	rc = rc ? rc
		: kyc_history_append(s, b->tenant, ver, "key:bench", "auto_approve", "processing",
				     "approved", "all_checks_passed", NULL);
	json_decref(a);
	json_decref(v);
	if (rc)
		die("fill", s);
	memcpy(b->apps[b->n], app, 37);
	memcpy(b->vers[b->n], ver, 37);
	b->n++;
}

static void bed_open(struct bed *b, int secure_delete, int people, int with_files,
		     const unsigned char *img, size_t len)
{
	char err[256];
	memset(b, 0, sizeof *b);
	snprintf(b->dir, sizeof b->dir, "/tmp/kycd-bench-erasure-XXXXXX");
	if (!mkdtemp(b->dir) || kyc_store_open(b->dir, &b->s, err, sizeof err))
		die(err, NULL);
	if (!secure_delete &&
	    sqlite3_exec(kyc__store_db(b->s), "PRAGMA secure_delete=OFF", NULL, NULL, NULL))
		die("pragma", b->s);
	if (kyc_store_tenant_create(b->s, "bench", b->tenant))
		die("tenant", b->s);
	b->apps = calloc((size_t)people, sizeof *b->apps);
	b->vers = calloc((size_t)people, sizeof *b->vers);
	/* filled in batches: what is measured comes after */
	for (int i = 0; i < people; i += 100) {
		if (kyc_store_begin(b->s))
			die("begin", b->s);
		for (int k = i; k < i + 100 && k < people; k++)
			add_person(b, k, k < with_files, img, len);
		if (kyc_store_commit(b->s))
			die("commit", b->s);
	}
}

static void bed_close(struct bed *b)
{
	kyc_store_close(b->s);
	free(b->apps);
	free(b->vers);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", b->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench/erasure: could not remove %s\n", b->dir);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Erases the next k applicants, one transaction each; their times in ms. */
static void erase_round(struct bed *b, int k, double *ms)
{
	struct kyc_flow f = {
	    .store = b->s, .tenant_id = b->tenant, .actor = "key:bench", .data_dir = b->dir};
	for (int i = 0; i < k; i++) {
		json_t *out = NULL;
		struct kyc_jerr e;
		double t = now_s();
		if (kyc_erasure_applicant(&f, b->apps[b->next++], &out, &e))
			die(e.detail, b->s);
		ms[i] = (now_s() - t) * 1000;
		json_decref(out);
	}
}

/* Rewrites verifications' status and checks for secs, one transaction each;
 * returns writes per second. */
static double update_round(struct bed *b, double secs)
{
	int n = 0;
	double t0 = now_s();
	json_t *patch = json_pack("{s:s, s:[{s:s, s:s, s:s, s:{s:s}}]}", "status", "approved",
				  "checks", "name", "data_consistency", "result", "pass", "reason",
				  "match", "details", "note", "re-checked by the bench");
	while (now_s() - t0 < secs) {
		const char *id = b->vers[b->n - 1 - (n % (b->n - b->next))];
		if (kyc_store_begin(b->s) ||
		    kyc_store_update(b->s, KYC_R_VERIFICATION, b->tenant, id, patch, 0) ||
		    kyc_store_commit(b->s))
			die("update", b->s);
		n++;
	}
	json_decref(patch);
	return n / (now_s() - t0);
}

/* A retention sweep with a period nothing has reached yet: ms, best of 5. */
static double sweep_ms(struct bed *b)
{
	json_t *set = json_pack("{s:{s:i, s:i}}", "retention", "images_days", 30, "identity_days",
				60);
	if (kyc_store_tenant_settings_set(b->s, b->tenant, set))
		die("settings", b->s);
	json_decref(set);
	double best = 1e9;
	for (int i = 0; i < 5; i++) {
		struct kyc_retention_counts c;
		double t = now_s();
		if (kyc_retention_sweep(b->s, b->dir, kyc_now_ms(), &c) || c.images || c.identity)
			die("sweep", b->s);
		double ms = (now_s() - t) * 1000;
		best = ms < best ? ms : best;
	}
	return best;
}

int main(int argc, char **argv)
{
	int people = argc > 1 ? atoi(argv[1]) : 1000;
	double secs = argc > 2 ? atof(argv[2]) : 3;
	if (people < 2 * ERASE_PER_ROUND * ROUNDS)
		people = 2 * ERASE_PER_ROUND * ROUNDS;
	size_t len = 250 * 1024; /* a phone photo of a passport, as uploads are */
	unsigned char *img = malloc(len);
	for (size_t i = 0; i < len; i++)
		img[i] = (unsigned char)(i * 2654435761u >> 13);
	/* as kycd serve does: each erasure deletes the applicant's data key */
	kyc_erasure_set_key_forget(kyc_erasure_forget_data_key);
	struct bed on, off;
	bed_open(&on, 1, people, ERASE_PER_ROUND * ROUNDS, img, len);
	bed_open(&off, 0, people, ERASE_PER_ROUND * ROUNDS, img, len);

	double ms_on[ERASE_PER_ROUND * ROUNDS], ms_off[ERASE_PER_ROUND * ROUNDS];
	double up_on = 0, up_off = 0;
	for (int r = 0; r < ROUNDS; r++) {
		erase_round(&off, ERASE_PER_ROUND, ms_off + r * ERASE_PER_ROUND);
		erase_round(&on, ERASE_PER_ROUND, ms_on + r * ERASE_PER_ROUND);
		up_off += update_round(&off, secs) / ROUNDS;
		up_on += update_round(&on, secs) / ROUNDS;
	}
	int n = ERASE_PER_ROUND * ROUNDS;
	qsort(ms_on, (size_t)n, sizeof *ms_on, cmp_double);
	qsort(ms_off, (size_t)n, sizeof *ms_off, cmp_double);
	int p99 = (int)(n * 0.99);
	printf("| measure | secure_delete on (kycd's default) | off (baseline) | on/off |\n");
	printf("| --- | ---: | ---: | ---: |\n");
	printf("| one erasure, median | %.2f ms | %.2f ms | %.2f |\n", ms_on[n / 2], ms_off[n / 2],
	       ms_on[n / 2] / ms_off[n / 2]);
	printf("| one erasure, p99 | %.2f ms | %.2f ms | %.2f |\n", ms_on[p99], ms_off[p99],
	       ms_on[p99] / ms_off[p99]);
	printf("| verification rewrites | %.0f /s | %.0f /s | %.2f |\n", up_on, up_off,
	       up_on / up_off);
	double sweep_n = sweep_ms(&on);
	bed_close(&on);
	bed_close(&off);
	/* ten times the records, nothing due: the sweep reads the partial index only */
	struct bed big;
	bed_open(&big, 1, people * 10, 0, img, len);
	double sweep_10n = sweep_ms(&big);
	bed_close(&big);
	printf("\nretention sweep, nothing due: %.3f ms at %d closed verifications, %.3f ms at "
	       "%d (ratio %.2f)\n",
	       sweep_n, people, sweep_10n, people * 10, sweep_10n / sweep_n);
	free(img);
	return 0;
}
