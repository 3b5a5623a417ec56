/* Operations, against the real `kycd serve` (docs/deploy.md): /readyz
 * follows the blob store, and `kycd backup` taken while a client keeps
 * writing is a consistent data directory — it opens, passes SQLite's
 * integrity check, holds every row acknowledged before it began and none
 * that was never acknowledged, and serves its files; blobs whose row never
 * committed are swept once past their grace, on local disk and in a bucket. */
#include <curl/curl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/rand.h"
#include "e2e.h"
#include "e2e_clock.h"
#include "img.h"
#include "s3tmp.h"
#include "test.h"

static struct e2e_server srv;
static char key[128];

TEST(readyz_follows_the_blob_store)
{
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "GET", "/readyz", NULL, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(e2e_str(&r, "status"), "ready");
	json_t *checks = r.json ? json_object_get(r.json, "checks") : NULL;
	CHECK_STR(json_string_value(json_object_get(checks, "database")), "ok");
	CHECK_STR(json_string_value(json_object_get(checks, "blobs")), "ok");
	e2e_resp_free(&r);

	/* files/ replaced by a plain file: no blob can be written */
	char files[256], aside[256];
	snprintf(files, sizeof files, "%s/files", srv.data_dir);
	snprintf(aside, sizeof aside, "%s/files.aside", srv.data_dir);
	REQUIRE(rename(files, aside) == 0);
	FILE *f = fopen(files, "w");
	REQUIRE(f != NULL);
	fclose(f);
	REQUIRE(e2e_json(&srv, "GET", "/readyz", NULL, NULL, &r) == 0);
	CHECK_INT(r.status, 503);
	CHECK_STR(e2e_str(&r, "code"), "blob_store_unavailable");
	e2e_resp_free(&r);
	/* liveness is another question: the process answers */
	REQUIRE(e2e_json(&srv, "GET", "/healthz", NULL, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);

	REQUIRE(unlink(files) == 0);
	REQUIRE(rename(aside, files) == 0);
	REQUIRE(e2e_json(&srv, "GET", "/readyz", NULL, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
}

/* A client creating applicants one after another; acked[0..nacked) are
 * the ids the server answered 201 for, in order. */
#define MAX_WRITES 20000
static char (*acked)[40];
static atomic_int nacked, stop_writer;
static pthread_mutex_t acked_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t acked_cv = PTHREAD_COND_INITIALIZER;

static void *writer(void *arg)
{
	(void)arg;
	for (int i = 0; !atomic_load(&stop_writer) && i < MAX_WRITES; i++) {
		char body[160];
		snprintf(body, sizeof body,
			 "{\"first_name\":\"Anna\",\"last_name\":\"Backup%d\",\"country\":\"SWE\","
			 "\"external_ref\":\"backup\"}",
			 i);
		struct e2e_resp r;
		if (e2e_json(&srv, "POST", "/v1/applicants", key, body, &r) != 0)
			break;
		if (r.status == 201) {
			pthread_mutex_lock(&acked_mu);
			snprintf(acked[atomic_load(&nacked)], 40, "%s", e2e_str(&r, "id"));
			atomic_fetch_add(&nacked, 1);
			pthread_cond_broadcast(&acked_cv);
			pthread_mutex_unlock(&acked_mu);
		}
		e2e_resp_free(&r);
	}
	pthread_mutex_lock(&acked_mu);
	atomic_store(&stop_writer, 2); /* done: wakes a waiter that would wait forever */
	pthread_cond_broadcast(&acked_cv);
	pthread_mutex_unlock(&acked_mu);
	return NULL;
}

/* Waits until the writer has n acknowledged writes (or has stopped). */
static int wait_acked(int n)
{
	pthread_mutex_lock(&acked_mu);
	while (atomic_load(&nacked) < n && atomic_load(&stop_writer) != 2)
		pthread_cond_wait(&acked_cv, &acked_mu);
	int got = atomic_load(&nacked);
	pthread_mutex_unlock(&acked_mu);
	return got;
}

/* An uploaded document's file on server sv (API key k): its id in fid, its
 * bytes kept by the caller. */
static int upload_file_to(struct e2e_server *sv, const char *k, char fid[64], unsigned char **png,
			  size_t *pl)
{
	struct e2e_resp r;
	if (e2e_json(sv, "POST", "/v1/applicants", k,
		     "{\"first_name\":\"Filed\",\"last_name\":\"Person\",\"country\":\"SWE\"}", &r) ||
	    r.status != 201)
		return -1;
	char body[200], path[200];
	snprintf(body, sizeof body, "{\"applicant_id\":\"%s\"}", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	if (e2e_json(sv, "POST", "/v1/verifications", k, body, &r) || r.status != 201)
		return -1;
	snprintf(path, sizeof path, "/v1/verifications/%s/documents", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	*png = timg_png(320, 240, pl);
	kyc_buf b64;
	kyc_buf_init(&b64, 16u << 20);
	if (!*png || kyc_base64_encode_buf(*png, *pl, KYC_B64_STD, &b64))
		return -1;
	size_t n = b64.len + 128;
	char *json = malloc(n);
	snprintf(json, n, "{\"type\":\"id_card\",\"side\":\"back\",\"image\":\"%s\"}", b64.data);
	kyc_buf_release(&b64);
	int rc = e2e_json(sv, "POST", path, k, json, &r);
	free(json);
	if (rc || r.status != 201) {
		e2e_resp_free(&r);
		return -1;
	}
	snprintf(fid, 64, "%s", e2e_str(&r, "file_id"));
	e2e_resp_free(&r);
	return 0;
}

static int upload_file(char fid[64], unsigned char **png, size_t *pl)
{
	return upload_file_to(&srv, key, fid, png, pl);
}

/* GET /v1/files/{fid} on sv: 1 when it answers 200 with exactly p[0..n). */
static int file_served(struct e2e_server *sv, const char *k, const char *fid,
		       const unsigned char *p, size_t n)
{
	char path[200], hdr[200];
	snprintf(path, sizeof path, "/v1/files/%s", fid);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", k);
	const char *auth[] = {hdr, NULL};
	struct e2e_resp r;
	if (e2e_req(sv, "GET", path, auth, NULL, 0, &r) != 0)
		return 0;
	int ok = r.status == 200 && r.body_len == n && !memcmp(r.body, p, n);
	e2e_resp_free(&r);
	return ok;
}

/* Names are sealed (docs/security.md): the writer's rows are counted by
 * their plain external_ref. */
static long count_applicants(sqlite3 *db, const char *external_ref)
{
	sqlite3_stmt *st;
	long n = -1;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM applicants WHERE external_ref=?", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, external_ref, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int has_applicant(sqlite3 *db, const char *id)
{
	sqlite3_stmt *st;
	int found = 0;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM applicants WHERE id=?", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

TEST(backup_under_writes_holds_every_committed_row)
{
	char fid[64];
	unsigned char *png = NULL;
	size_t pl = 0;
	REQUIRE(upload_file(fid, &png, &pl) == 0);

	acked = calloc(MAX_WRITES, sizeof *acked);
	REQUIRE(acked != NULL);
	pthread_t th;
	REQUIRE(pthread_create(&th, NULL, writer, NULL) == 0);
	CHECK(wait_acked(30) >= 30); /* writes are flowing */

	/* the copy gets its own server later */
	struct e2e_server copy = {0};
	snprintf(copy.data_dir, sizeof copy.data_dir, "%.100s.backup", srv.data_dir);
	snprintf(copy.log_path, sizeof copy.log_path, "%.120s.log", copy.data_dir);
	const char *dest = copy.data_dir;
	int before = atomic_load(&nacked); /* all of these are committed */
	char *out = NULL;
	const char *args[] = {"backup", dest, NULL};
	int rc = e2e_cli(&srv, &out, args);
	int after = atomic_load(&nacked);
	CHECK(wait_acked(after + 5) >= after + 5); /* and writes went on past it */
	atomic_store(&stop_writer, 1);
	pthread_join(th, NULL);
	CHECK_INT(rc, 0);
	json_t *o = out ? json_loads(out, 0, NULL) : NULL;
	CHECK(o && json_integer_value(json_object_get(o, "files")) >= 1);
	json_decref(o);
	free(out);

	char db_path[256];
	snprintf(db_path, sizeof db_path, "%s/kycd.db", dest);
	sqlite3 *db = NULL;
	REQUIRE(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	sqlite3_stmt *st;
	REQUIRE(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW &&
	      !strcmp((const char *)sqlite3_column_text(st, 0), "ok"));
	sqlite3_finalize(st);
	long in_backup = count_applicants(db, "backup");
	/* every write acknowledged before the backup began is in it; nothing in
	 * it was never acknowledged (one request may be on its way back) */
	CHECK(in_backup >= before);
	CHECK(in_backup <= after + 1);
	int missing = 0;
	for (int i = 0; i < before; i++)
		missing += !has_applicant(db, acked[i]);
	CHECK_INT(missing, 0);
	/* one moment: the writes were made one after another, so the copy holds
	 * a prefix of them, never a later one without an earlier one */
	int prefix = 0, holes = 0;
	while (prefix < after && has_applicant(db, acked[prefix]))
		prefix++;
	for (int i = prefix; i < after; i++)
		holes += has_applicant(db, acked[i]);
	CHECK_INT(holes, 0);
	CHECK(in_backup == prefix || in_backup == prefix + 1);
	sqlite3_close(db);
	fprintf(stderr, "  backup: %d acknowledged before, %ld in the copy, %d by its end\n",
		before, in_backup, after);

	/* the copy is a data directory: kycd serves it, files included */
	REQUIRE(e2e_start(&copy, NULL) == 0);
	struct e2e_resp r;
	char path[200];
	snprintf(path, sizeof path, "/v1/applicants/%s", acked[0]);
	REQUIRE(e2e_json(&copy, "GET", path, key, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(e2e_str(&r, "last_name"), "Backup0");
	e2e_resp_free(&r);
	CHECK(file_served(&copy, key, fid, png, pl));
	REQUIRE(e2e_json(&copy, "GET", "/readyz", NULL, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	e2e_stop(&copy);
	e2e_cleanup(&copy);

	/* a folder with something in it is refused */
	const char *again[] = {"backup", srv.data_dir, NULL};
	out = NULL;
	CHECK(e2e_cli(&srv, &out, again) != 0);
	free(out);
	free(acked);
	free(png);
}

/* On PostgreSQL, kycd backup points to the server's own tools and makes
 * nothing (the PostgreSQL pass of tests/run). */
TEST(backup_points_postgresql_to_pg_dump)
{
	char dest[200];
	snprintf(dest, sizeof dest, "%.100s.backup", srv.data_dir);
	char *out = NULL;
	const char *args[] = {"backup", dest, NULL};
	CHECK_INT(e2e_cli(&srv, &out, args), 1);
	free(out);
	struct stat st;
	CHECK(stat(dest, &st) != 0);
}

/* Runs `env $KYCD_BIN args` through the shell (env: "" or "NAME=value");
 * its exit status, and the first line of its output (stdout and stderr) in
 * out. */
static int kycd_line(char *out, size_t outsz, const char *env, const char *args)
{
	char cmd[800];
	snprintf(cmd, sizeof cmd, "%s \"$KYCD_BIN\" %s 2>&1", env, args);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	out[0] = 0;
	if (!fgets(out, (int)outsz, p))
		out[0] = 0;
	char rest[256];
	while (fgets(rest, sizeof rest, p))
		;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST(the_global_db_option_selects_the_store)
{
	char dir[128], args[400], line[512], path[200];
	snprintf(dir, sizeof dir, "%.100s.db", srv.data_dir);
	/* sqlite:DIR, before or after the command's own arguments */
	snprintf(args, sizeof args, "--db sqlite:%s tenant create located", dir);
	CHECK_INT(kycd_line(line, sizeof line, "", args), 0);
	CHECK(strstr(line, "\"api_key\"") != NULL);
	snprintf(path, sizeof path, "%s/kycd.db", dir);
	struct stat st;
	CHECK(stat(path, &st) == 0);
	snprintf(args, sizeof args, "tenant create again --db=sqlite:%s", dir);
	CHECK_INT(kycd_line(line, sizeof line, "", args), 0);
	/* the same through KYCD_DB */
	snprintf(args, sizeof args, "backup %s.copy", dir);
	char env[160];
	snprintf(env, sizeof env, "KYCD_DB=sqlite:%s", dir);
	CHECK_INT(kycd_line(line, sizeof line, env, args), 0);
	snprintf(path, sizeof path, "%s.copy/kycd.db", dir);
	CHECK(stat(path, &st) == 0);
	/* PostgreSQL is opened: a server that is not there is a clear error,
	 * before anything listens or is written */
	CHECK_INT(kycd_line(line, sizeof line, "",
			    "serve --db postgresql:///kycd?host=/nonexistent --listen 127.0.0.1:1"),
		  1);
	CHECK(strstr(line, "cannot connect to PostgreSQL") != NULL);
	CHECK_INT(kycd_line(line, sizeof line, "", "tenant create x --db mysql://db/kycd"), 1);
	CHECK(strstr(line, "sqlite:DIR") != NULL);
	CHECK_INT(kycd_line(line, sizeof line, "", "tenant create x --db"), 2);
	snprintf(args, sizeof args, "rm -rf '%s' '%s.copy'", dir, dir);
	CHECK_INT(system(args), 0);
}

/* The whole file at path into b (max 16 MB): 0 or -1. */
static int slurp(const char *path, kyc_buf *b)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	char chunk[65536];
	size_t k;
	int rc = 0;
	while (!rc && (k = fread(chunk, 1, sizeof chunk, f)) > 0)
		rc = kyc_buf_append(b, chunk, k);
	fclose(f);
	return rc ? -1 : 0;
}

/* The bytes s3rver keeps for key of bucket (its file store:
 * DIR/BUCKET/KEY._S3rver_object): 1 when it holds the object, sealed (the
 * photo's bytes are not in it). */
static int object_sealed(const struct s3tmp *s3, const char *bucket, const char *key_,
			 const unsigned char *p, size_t n)
{
	char path[400];
	snprintf(path, sizeof path, "%s/%s/%s._S3rver_object", s3->dir, bucket, key_);
	kyc_buf b;
	kyc_buf_init(&b, 16u << 20);
	int ok = slurp(path, &b) == 0 && b.len > n / 2 &&
		 !memmem(b.data, b.len, p, n < 64 ? n : 64);
	kyc_buf_release(&b);
	return ok;
}

/* 1 when the object of key is byte for byte the local file at path. */
static int object_is_file(const struct s3tmp *s3, const char *bucket, const char *key_,
			  const char *path)
{
	char opath[400];
	snprintf(opath, sizeof opath, "%s/%s/%s._S3rver_object", s3->dir, bucket, key_);
	kyc_buf a, b;
	kyc_buf_init(&a, 16u << 20);
	kyc_buf_init(&b, 16u << 20);
	int ok = slurp(opath, &a) == 0 && slurp(path, &b) == 0 && a.len == b.len && a.len &&
		 !memcmp(a.data, b.data, a.len);
	kyc_buf_release(&a);
	kyc_buf_release(&b);
	return ok;
}

TEST(blobs_in_an_s3_bucket)
{
	struct s3tmp s3;
	if (s3tmp_start(&s3, "kycd-blobs") != 0) {
		s3tmp_stop(&s3);
		CHECK(!"s3rver started");
		return;
	}
	/* a server whose files go to the bucket, signed with SigV4 (s3rver
	 * checks every signature) */
	struct e2e_server b = {0};
	const char *env[] = {s3.env_locator, S3TMP_ENV_KEY, S3TMP_ENV_SECRET, NULL};
	char k[128], fid[64], okey[128];
	REQUIRE(e2e_start(&b, env) == 0);
	REQUIRE(e2e_tenant(&b, "s3", k, NULL) == 0);
	unsigned char *png = NULL;
	size_t pl = 0;
	REQUIRE(upload_file_to(&b, k, fid, &png, &pl) == 0);
	snprintf(okey, sizeof okey, "files/%.2s/%s", fid, fid);
	CHECK(object_sealed(&s3, "kycd-blobs", okey, png, pl));
	char local[300];
	struct stat st;
	snprintf(local, sizeof local, "%s/%s", b.data_dir, okey);
	CHECK(stat(local, &st) != 0); /* nothing on local disk */
	CHECK(file_served(&b, k, fid, png, pl));
	struct e2e_resp r;
	REQUIRE(e2e_json(&b, "GET", "/readyz", NULL, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);

	/* kycd blobs migrate: the local server's files, copied under the same keys */
	char mfid[64];
	unsigned char *mpng = NULL;
	size_t mpl = 0;
	REQUIRE(upload_file(mfid, &mpng, &mpl) == 0);
	char args[700], line[512], mkey[128];
	snprintf(args, sizeof args, "blobs migrate --data %s --blobs '%s'", srv.data_dir, s3.locator);
	CHECK_INT(kycd_line(line, sizeof line, S3TMP_ENV_KEY " " S3TMP_ENV_SECRET, args), 0);
	CHECK(strstr(line, "\"copied\":") != NULL && !strstr(line, "\"copied\":0"));
	snprintf(mkey, sizeof mkey, "files/%.2s/%s", mfid, mfid);
	char mlocal[300];
	snprintf(mlocal, sizeof mlocal, "%s/%s", srv.data_dir, mkey);
	CHECK(object_is_file(&s3, "kycd-blobs", mkey, mlocal)); /* as it was, sealed */
	CHECK(object_sealed(&s3, "kycd-blobs", mkey, mpng, mpl));
	/* wrong credentials: the bucket refuses, and the command says so */
	CHECK_INT(kycd_line(line, sizeof line,
			    "AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=wrong", args),
		  1);
	/* no bucket named, and a bad locator */
	snprintf(args, sizeof args, "blobs migrate --data %s", srv.data_dir);
	CHECK_INT(kycd_line(line, sizeof line, "", args), 2);
	CHECK_INT(kycd_line(line, sizeof line, S3TMP_ENV_KEY " " S3TMP_ENV_SECRET,
			    "blobs migrate --blobs s3://No_Such"),
		  2);
	CHECK(strstr(line, "bucket name") != NULL);

	/* the bucket gone: not ready, and an upload fails whole (no row) */
	s3tmp_stop(&s3);
	REQUIRE(e2e_json(&b, "GET", "/readyz", NULL, NULL, &r) == 0);
	CHECK_INT(r.status, 503);
	CHECK_STR(e2e_str(&r, "code"), "blob_store_unavailable");
	e2e_resp_free(&r);
	char fid2[64];
	unsigned char *png2 = NULL;
	size_t pl2 = 0;
	CHECK(upload_file_to(&b, k, fid2, &png2, &pl2) != 0);
	free(png2);
	e2e_stop(&b);
	e2e_cleanup(&b);
	free(png);
	free(mpng);
}

/* ---- the orphan sweep (src/flows/orphans.h) ---- */

/* A counter from sv's /metrics, or -1. */
static long metric(struct e2e_server *sv, const char *name)
{
	struct e2e_resp r;
	long v = -1;
	if (e2e_req(sv, "GET", "/metrics", NULL, NULL, 0, &r) != 0)
		return -1;
	char line[128];
	snprintf(line, sizeof line, "\n%s ", name);
	const char *p = r.status == 200 && r.body ? strstr(r.body, line) : NULL;
	if (p)
		v = strtol(p + strlen(line), NULL, 10);
	e2e_resp_free(&r);
	return v;
}

/* Waits until sv has completed two more orphan sweeps than when called:
 * the second began after this call, so it judged every blob there is now.
 * 1, or 0 after about 30 s. */
static int two_more_sweeps(struct e2e_server *sv)
{
	long start = metric(sv, "kycd_orphan_sweeps_total");
	for (int i = 0; start >= 0 && i < 1500; i++) {
		if (metric(sv, "kycd_orphan_sweeps_total") >= start + 2)
			return 1;
		e2e_sleep_ms(20);
	}
	return 0;
}

/* Where a case's blobs live: the bucket (s3 set) or sv's data directory. */
struct blob_place {
	struct e2e_server *sv;
	struct s3tmp *s3;
};

static int blob_exists(const struct blob_place *bp, const char *rel)
{
	if (bp->s3)
		return s3tmp_has_object(bp->s3, "kycd-blobs", rel);
	char path[400];
	struct stat st;
	if (snprintf(path, sizeof path, "%s/%s", bp->sv->data_dir, rel) >= (int)sizeof path)
		return 0; /* a path that does not fit names no blob: the case fails */
	return stat(path, &st) == 0;
}

/* Leaves a blob with no row, as a crash between the object and its row
 * does: written into the data directory, or into the bucket by `kycd blobs
 * migrate` from a folder of its own (kycd's own signed PUT). Its path in
 * rel. 0 or -1. */
static int plant_orphan(const struct blob_place *bp, char rel[128])
{
	char id[37], dir[300], path[400], args[600];
	if (kyc_uuid_new(id))
		return -1;
	snprintf(rel, 128, "files/%.2s/%s", id, id);
	const char *root = bp->sv->data_dir;
	char tmp[] = "/tmp/kycd-orphan-XXXXXX";
	if (bp->s3 && !(root = mkdtemp(tmp)))
		return -1;
	int rc = -1;
	/* a path that does not fit fails the case rather than writing elsewhere */
	if (snprintf(dir, sizeof dir, "%s/files", root) >= (int)sizeof dir)
		goto out;
	mkdir(dir, 0700);
	if (snprintf(dir, sizeof dir, "%s/files/%.2s", root, id) >= (int)sizeof dir)
		goto out;
	mkdir(dir, 0700);
	if (snprintf(path, sizeof path, "%s/%s", root, rel) >= (int)sizeof path)
		goto out;
	FILE *f = fopen(path, "wb");
	rc = f && fputs("sealed bytes of an upload that never committed", f) >= 0 ? 0 : -1;
	if (f && fclose(f) != 0)
		rc = -1;
	if (!rc && bp->s3) {
		char line[256];
		rc = snprintf(args, sizeof args, "blobs migrate --data %s --blobs '%s'", root,
		              bp->s3->locator) < (int)sizeof args &&
		             kycd_line(line, sizeof line, S3TMP_ENV_KEY " " S3TMP_ENV_SECRET,
		                       args) == 0 &&
		             strstr(line, "\"copied\":1")
		         ? 0
		         : -1;
	}
out:
	if (bp->s3 && (snprintf(args, sizeof args, "rm -rf '%s'", root) >= (int)sizeof args ||
	               system(args) != 0))
		rc = -1;
	return rc;
}

/* One case: a server sweeping every 50 ms with the default grace (an hour)
 * and a clock file; an uploaded file (its row committed) and an orphan. The
 * orphan outlives sweeps while it is young, and goes once the clock is two
 * hours on; the uploaded file stays, served. */
static void orphan_case(struct s3tmp *s3)
{
	struct e2e_server o = {0};
	struct e2e_clock clk;
	char k[128], fid[64], up_rel[128], orphan[128];
	REQUIRE(e2e_data_dir(&o) == 0);
	REQUIRE(e2e_clock_init(&clk, o.data_dir) == 0);
	/* (without a bucket the list ends at its NULL) */
	const char *env[] = {clk.env, "KYCD_SWEEP_INTERVAL_MS=50", "KYCD_ORPHAN_SWEEP_INTERVAL_MS=50",
			     s3 ? s3->env_locator : NULL, S3TMP_ENV_KEY, S3TMP_ENV_SECRET, NULL};
	REQUIRE(e2e_start(&o, env) == 0);
	struct blob_place bp = {&o, s3};
	REQUIRE(e2e_tenant(&o, "orphans", k, NULL) == 0);
	unsigned char *png = NULL;
	size_t pl = 0;
	REQUIRE(upload_file_to(&o, k, fid, &png, &pl) == 0);
	snprintf(up_rel, sizeof up_rel, "files/%.2s/%s", fid, fid);
	REQUIRE(plant_orphan(&bp, orphan) == 0);
	CHECK(blob_exists(&bp, up_rel));
	CHECK(blob_exists(&bp, orphan));
	/* young: within the grace, another node's upload may be about to commit */
	CHECK(two_more_sweeps(&o));
	CHECK(blob_exists(&bp, orphan));
	CHECK_INT(metric(&o, "kycd_orphans_removed_total"), 0);
	/* past the grace: removed; the file with a row stays */
	e2e_clock_add(&clk, 2 * 3600);
	CHECK(two_more_sweeps(&o));
	CHECK(!blob_exists(&bp, orphan));
	CHECK(blob_exists(&bp, up_rel));
	CHECK(file_served(&o, k, fid, png, pl));
	CHECK_INT(metric(&o, "kycd_orphans_removed_total"), 1);
	e2e_stop(&o);
	e2e_cleanup(&o);
	e2e_clock_remove(&clk);
	free(png);
}

TEST(orphans_swept_on_local_disk)
{
	orphan_case(NULL);
}

TEST(orphans_swept_in_an_s3_bucket)
{
	struct s3tmp s3;
	if (s3tmp_start(&s3, "kycd-blobs") != 0) {
		s3tmp_stop(&s3);
		CHECK(!"s3rver started");
		return;
	}
	orphan_case(&s3);
	s3tmp_stop(&s3);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* one master key beside the data directory, for it, its backup and the
	 * other stores made here, as in production (docs/deploy.md: a backup
	 * does not hold the key) */
	char key_file[200], *made = NULL;
	const char *init[] = {"keys", "init", NULL};
	if (e2e_data_dir(&srv))
		return 1;
	snprintf(key_file, sizeof key_file, "%.150s.master.key", srv.data_dir);
	setenv("KYCD_MASTER_KEY_FILE", key_file, 1);
	if (e2e_cli(&srv, &made, init) != 0 || e2e_start(&srv, NULL) != 0 ||
	    e2e_tenant(&srv, "ops", key, NULL) != 0) {
		fprintf(stderr, "cannot start kycd\n");
		return 1;
	}
	RUN(readyz_follows_the_blob_store);
	if (!strcmp(e2e_backend(), "sqlite"))
		RUN(backup_under_writes_holds_every_committed_row);
	else
		RUN(backup_points_postgresql_to_pg_dump);
	RUN(the_global_db_option_selects_the_store);
	RUN(blobs_in_an_s3_bucket);
	RUN(orphans_swept_on_local_disk);
	RUN(orphans_swept_in_an_s3_bucket);
	e2e_cleanup(&srv);
	free(made);
	unlink(key_file);
	curl_global_cleanup();
	return test_done("ops");
}
