/* kycd migrate --from sqlite:DIR --to postgres://... (issue #16, docs/deploy.md
 * "Moving to PostgreSQL"): a SQLite node with an applicant, a decided
 * verification, its document and image, a webhook endpoint and events is
 * stopped and copied into an empty PostgreSQL database of the test's
 * server; every table holds as many rows there as in SQLite, a second copy
 * into the now non-empty database is refused, and kycd serving the same
 * data directory from PostgreSQL answers the same records, the same image
 * bytes and the same events, and takes new writes.
 * PostgreSQL only: the SQLite pass says so and runs nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "document/synth.h"
#include "e2e.h"
#include "form.h"
#include "specimen.h"
#include "test.h"

static char pg[600];

/* GET path on s; the body into *body (malloc()ed). The status. */
static long get(struct e2e_server *s, const char *key, const char *path, char **body, size_t *len)
{
	char auth[200];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
	const char *h[] = {auth, NULL};
	struct e2e_resp r;
	*body = NULL;
	if (e2e_req(s, "GET", path, h, NULL, 0, &r) != 0)
		return -1;
	long st = r.status;
	*body = r.body;
	*len = r.body_len;
	r.body = NULL;
	e2e_resp_free(&r);
	return st;
}

/* The rows of every table of the SQLite database of s, by the test's own
 * count: {"table": rows}. */
static json_t *sqlite_counts(struct e2e_server *s)
{
	char names[4096];
	json_t *o = json_object();
	if (e2e_db_text(s,
			"SELECT group_concat(name, ' ') FROM sqlite_master WHERE type='table' AND "
			"name NOT LIKE 'sqlite%' AND name <> 'schema_migrations'",
			NULL, names, sizeof names))
		return o;
	for (char *save = NULL, *t = strtok_r(names, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		char sql[160], n[32];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", t);
		if (e2e_db_text(s, sql, NULL, n, sizeof n) == 0)
			json_object_set_new(o, t, json_integer(strtoll(n, NULL, 10)));
	}
	return o;
}

TEST(sqlite_to_postgres)
{
	/* the source: kycd on SQLite (the test's PostgreSQL kept out of it) */
	struct e2e_server src = {0}, dst = {0}, served = {0};
	unsetenv("KYCD_TEST_PG");
	int started = e2e_start(&src, NULL);
	setenv("KYCD_TEST_PG", pg, 1);
	REQUIRE(started == 0);
	char key[128], app[64], ver[64], fid[64], path[200];
	REQUIRE(e2e_tenant(&src, "mig", key, NULL) == 0);
	struct e2e_resp r;
	REQUIRE(e2e_json(&src, "POST", "/v1/applicants", key,
			 "{\"external_ref\":\"m1\",\"email\":\"a@example.com\",\"metadata\":{\"k\":\"v\"}}",
			 &r) == 0);
	CHECK_INT(r.status, 201);
	snprintf(app, sizeof app, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	char body[300];
	snprintf(body, sizeof body, "{\"applicant_id\":\"%s\"}", app);
	REQUIRE(e2e_json(&src, "POST", "/v1/verifications", key, body, &r) == 0);
	CHECK_INT(r.status, 201);
	snprintf(ver, sizeof ver, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	/* a generated passport: read, decided, its image kept sealed */
	uint64_t seed = (uint64_t)time(NULL);
	struct kyc_synth_doc truth;
	unsigned char *jpg = NULL;
	size_t jl = 0;
	REQUIRE(kyc_synth_make(seed, specimen_valid_index(seed, KYC_SYNTH_TD3, 0, 1), 0,
			       KYC_SYNTH_TD3, &truth, &jpg, &jl) == 0);
	size_t bl;
	char *mp = form_document("passport", "front", jpg, jl, &bl);
	char auth[200];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
	const char *h[] = {auth, FORM_CONTENT_TYPE, NULL};
	snprintf(path, sizeof path, "/v1/verifications/%s/documents", ver);
	REQUIRE(e2e_req(&src, "POST", path, h, mp, bl, &r) == 0);
	free(mp);
	CHECK_INT(r.status, 201);
	snprintf(fid, sizeof fid, "%s", e2e_str(&r, "file_id"));
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&src, "POST", "/v1/webhook-endpoints", key,
			 "{\"url\":\"https://hooks.example.com/kyc\"}", &r) == 0);
	CHECK_INT(r.status, 201);
	e2e_resp_free(&r);

	/* what the source answers, to compare with PostgreSQL's answers */
	const char *paths[4];
	char p_app[120], p_ver[120], p_file[120];
	snprintf(p_app, sizeof p_app, "/v1/applicants/%s", app);
	snprintf(p_ver, sizeof p_ver, "/v1/verifications/%s", ver);
	snprintf(p_file, sizeof p_file, "/v1/files/%s", fid);
	paths[0] = p_app;
	paths[1] = p_ver;
	paths[2] = p_file;
	paths[3] = "/v1/events?limit=100";
	char *before[4] = {0};
	size_t blen[4];
	for (int i = 0; i < 4; i++)
		CHECK_INT(get(&src, key, paths[i], &before[i], &blen[i]), 200);
	CHECK(blen[2] == jl && before[2] && !memcmp(before[2], jpg, jl));
	e2e_stop(&src);
	json_t *want = sqlite_counts(&src);
	CHECK(json_integer_value(json_object_get(want, "documents")) == 1);
	CHECK(json_integer_value(json_object_get(want, "events")) >= 3);

	/* the target: an empty database of the test's PostgreSQL */
	REQUIRE(e2e_data_dir(&dst) == 0);
	char from[200];
	snprintf(from, sizeof from, "sqlite:%s", src.data_dir);
	const char *args[] = {"migrate", "--from", from, "--to", dst.db, NULL};
	char *out = NULL;
	CHECK_INT(e2e_kycd(NULL, &out, args), 0);
	json_t *res = out ? json_loads(out, 0, NULL) : NULL;
	free(out);
	json_t *tables = json_object_get(res, "tables");
	CHECK(json_equal(tables, want));
	if (!json_equal(tables, want)) {
		char *a = json_dumps(tables, JSON_SORT_KEYS), *b = json_dumps(want, JSON_SORT_KEYS);
		fprintf(stderr, "  migrate said %s\n  SQLite holds %s\n", a ? a : "?", b ? b : "?");
		free(a);
		free(b);
	}
	/* and PostgreSQL itself, counted by the test */
	const char *t;
	json_t *n;
	json_object_foreach(want, t, n)
	{
		char sql[160], got[32];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", t);
		CHECK(e2e_db_text(&dst, sql, NULL, got, sizeof got) == 0);
		CHECK(strtoll(got, NULL, 10) == json_integer_value(n));
	}
	json_decref(res);
	/* a second copy into the now non-empty database: refused */
	CHECK_INT(e2e_kycd(NULL, &out, args), 1);
	free(out);
	const char *bad[] = {"migrate", "--from", src.data_dir, "--to", dst.db, NULL};
	CHECK_INT(e2e_kycd(NULL, &out, bad), 2); /* not sqlite:DIR */
	free(out);

	/* kycd on PostgreSQL, with the same data directory (files, master key) */
	memcpy(served.data_dir, src.data_dir, sizeof src.data_dir);
	memcpy(served.db, dst.db, sizeof dst.db);
	snprintf(served.log_path, sizeof served.log_path, "%s.pg.log", src.data_dir);
	REQUIRE(e2e_start(&served, NULL) == 0);
	for (int i = 0; i < 4; i++) {
		char *after = NULL;
		size_t alen = 0;
		CHECK_INT(get(&served, key, paths[i], &after, &alen), 200);
		if (i == 2) { /* the image, byte for byte */
			CHECK(alen == blen[i] && after && !memcmp(after, before[i], alen));
		} else { /* the same JSON: every field, the sealed ones opened */
			json_t *a = json_loads(after ? after : "", 0, NULL);
			json_t *b = json_loads(before[i], 0, NULL);
			CHECK(a && json_equal(a, b));
			json_decref(a);
			json_decref(b);
		}
		free(after);
	}
	REQUIRE(e2e_json(&served, "POST", "/v1/applicants", key, "{\"external_ref\":\"m2\"}", &r) ==
		0);
	CHECK_INT(r.status, 201);
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&served, "GET", "/readyz", NULL, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	e2e_stop(&served);
	unlink(served.log_path);
	for (int i = 0; i < 4; i++)
		free(before[i]);
	json_decref(want);
	free(jpg);
	unsetenv("KYCD_TEST_PG"); /* the source has no database to drop */
	e2e_cleanup(&src);
	setenv("KYCD_TEST_PG", pg, 1);
	e2e_cleanup(&dst);
}

int main(void)
{
	const char *p = getenv("KYCD_TEST_PG");
	if (!p || !*p) {
		printf("skipped: migrate_test copies into PostgreSQL; it runs in tests/run's "
		       "PostgreSQL pass\n");
		return test_done("migrate");
	}
	snprintf(pg, sizeof pg, "%s", p);
	RUN(sqlite_to_postgres);
	return test_done("migrate");
}
