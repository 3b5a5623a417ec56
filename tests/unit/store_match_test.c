/* kyc_store_verification_match, the lookup of the duplicate checks
 * (issue 14, finding 2): every earlier verification with the key counts,
 * however many share it, and the query goes through the key's index; on
 * SQLite and on a real PostgreSQL (tests/lib/pgtmp). */
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/rand.h"
#include "store/store.h"
#include "pgtmp.h"
#include "test.h"

static char dir[64];
static kyc_store *store;
static char tenant[37], app1[37], app2[37];

static void add_applicant(kyc_store *s, char id[37])
{
	kyc_uuid_new(id);
	json_t *a = json_pack("{s:s, s:s, s:i}", "id", id, "level", "L0", "tier", 0);
	int rc = kyc_store_insert(s, KYC_R_APPLICANT, tenant, a);
	if (rc)
		fprintf(stderr, "  applicant: %d %s\n", rc, kyc_store_errmsg(s));
	CHECK_INT(rc, 0);
	json_decref(a);
}

/* A verification of applicant app with document key key, in status st,
 * decided at `decided` ms (0: not decided). */
static int add_verification(kyc_store *s, const char *app, const char *key, const char *st,
                            int64_t decided, char id[37])
{
	kyc_uuid_new(id);
	json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:i}", "id", id, "applicant_id", app, "status",
	                      st, "document_key", key, "attempts", 1);
	if (decided)
		json_object_set_new(v, "decided_at", json_integer(decided));
	int rc = kyc_store_insert(s, KYC_R_VERIFICATION, tenant, v);
	if (rc)
		fprintf(stderr, "  verification: %d %s\n", rc, kyc_store_errmsg(s));
	json_decref(v);
	return rc;
}

static const char *match_id(kyc_store *s, const struct kyc_store_match *m, char out[37])
{
	json_t *v = NULL;
	out[0] = 0;
	CHECK_INT(kyc_store_verification_match(s, tenant, m, &v), 0);
	if (v)
		snprintf(out, 37, "%s", json_string_value(json_object_get(v, "id")));
	json_decref(v);
	return out;
}

TEST(every_earlier_match_counts)
{
	kyc_store *s = store;
	REQUIRE(s != NULL);
	REQUIRE(kyc_store_tenant_create(s, "match", tenant) == 0);
	add_applicant(s, app1);
	add_applicant(s, app2);
	int64_t now = kyc_now_ms();
	char approved[37], self[37], id[37], got[37];
	REQUIRE(add_verification(s, app1, "UTO:X1", "approved", now - 86400000LL, approved) == 0);
	/* 250 newer verifications of the same document, none approved */
	REQUIRE(kyc_store_begin(s) == 0);
	for (int i = 0; i < 250; i++)
		REQUIRE(add_verification(s, app2, "UTO:X1", "incomplete", 0, id) == 0);
	REQUIRE(kyc_store_commit(s) == 0);
	REQUIRE(add_verification(s, app2, "UTO:X1", "processing", 0, self) == 0);

	struct kyc_store_match m = {.key_column = "document_key",
	                            .key = "UTO:X1",
	                            .status = "approved",
	                            .decided_since_ms = now - 365 * 86400000LL,
	                            .applicant_id = app2,
	                            .same_applicant = 0,
	                            .exclude_id = self};
	CHECK_STR(match_id(s, &m, got), approved);
	/* not this applicant's own, not outside the period, not another key */
	m.same_applicant = 1;
	CHECK_STR(match_id(s, &m, got), "");
	m.same_applicant = 0;
	m.decided_since_ms = now - 3600000LL;
	CHECK_STR(match_id(s, &m, got), "");
	m.decided_since_ms = 0;
	m.key = "UTO:X2";
	CHECK_STR(match_id(s, &m, got), "");
	/* the checked verification itself never counts */
	m.key = "UTO:X1";
	m.applicant_id = app2;
	m.exclude_id = approved;
	CHECK_STR(match_id(s, &m, got), "");
	m.key_column = "status; DROP TABLE verifications";
	json_t *v = NULL;
	CHECK_INT(kyc_store_verification_match(s, tenant, &m, &v), KYC_ERR_INVALID);
}

/* The plan SQLite chooses for the lookup uses an index on the key. */
TEST(goes_through_the_index)
{
	char path[128];
	snprintf(path, sizeof path, "%s/kycd.db", dir);
	sqlite3 *db = NULL;
	REQUIRE(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	sqlite3_stmt *st = NULL;
	REQUIRE(sqlite3_prepare_v2(db,
	                           "EXPLAIN QUERY PLAN SELECT id FROM verifications WHERE "
	                           "tenant_id=? AND document_key=? AND status=? AND decided_at>=? "
	                           "AND applicant_id IS NOT ? AND id IS NOT ? ORDER BY decided_at "
	                           "DESC LIMIT 1",
	                           -1, &st, NULL) == SQLITE_OK);
	int indexed = 0, scans = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 3);
		indexed |= d && strstr(d, "USING INDEX") != NULL;
		scans += d && strncmp(d, "SCAN", 4) == 0 && !strstr(d, "INDEX");
	}
	CHECK(indexed);
	CHECK_INT(scans, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* PostgreSQL's plan for the lookup goes through an index, as SQLite's does
 * (with sequential scans priced out: on a table this small the planner
 * would rightly prefer one). */
static char pg_conninfo[256];
TEST(goes_through_an_index_on_postgresql)
{
	PGconn *c = PQconnectdb(pg_conninfo);
	REQUIRE(PQstatus(c) == CONNECTION_OK);
	PQclear(PQexec(c, "ANALYZE verifications"));
	PQclear(PQexec(c, "SET enable_seqscan = off"));
	char sql[512];
	snprintf(sql, sizeof sql,
		 "EXPLAIN SELECT id FROM verifications WHERE tenant_id='%s' AND "
		 "document_key='UTO:X1' AND status='approved' AND decided_at>=0 AND applicant_id "
		 "IS DISTINCT FROM 'a' AND id IS DISTINCT FROM 'v' ORDER BY decided_at DESC LIMIT 1",
		 tenant);
	PGresult *r = PQexec(c, sql);
	int indexed = 0, scans = 0;
	for (int i = 0; PQresultStatus(r) == PGRES_TUPLES_OK && i < PQntuples(r); i++) {
		indexed |= strstr(PQgetvalue(r, i, 0), "Index Scan using verifications_") != NULL;
		scans += strstr(PQgetvalue(r, i, 0), "Seq Scan") != NULL;
	}
	CHECK(indexed);
	CHECK_INT(scans, 0);
	PQclear(r);
	PQfinish(c);
}

static void open_and_match(const char *backend)
{
	char err[256];
	if (kyc_store_open(dir, &store, err, sizeof err))
		fprintf(stderr, "open: %s\n", err);
	RUN_ON(backend, every_earlier_match_counts);
	kyc_store_close(store);
	store = NULL;
	if (!strcmp(backend, "sqlite"))
		RUN(goes_through_the_index);
	else
		RUN(goes_through_an_index_on_postgresql);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/kycd-match-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	pgtmp_both("match", open_and_match, pg_conninfo, sizeof pg_conninfo);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup failed\n");
	return test_done("store_match");
}
