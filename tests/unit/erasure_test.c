/* Erasure's pieces below the API (src/flows/erasure.h, src/store): the
 * audit trail's one allowed change, the retention sweep's due lists going
 * through their partial indexes, the crypto-shredding hook, and what an
 * erasure with the real hook keeps: the duplicate-check keys (keyed hashes)
 * and the skeleton of the checks, readable under the tenant's key. The whole erasure over HTTP is tests/e2e/erasure_test.c.
 * Each runs on SQLite, then on a real PostgreSQL (tests/lib/pgtmp); the
 * raw statements that look past the store go to whichever is in use. */
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/rand.h"
#include "flows/erasure.h"
#include "pgtmp.h"
#include "test.h"

static char dir[64];
static char pg_conninfo[512]; /* the PostgreSQL pass's database, "" before it */
static int on_pg;

/* Runs sql on the database in use, outside the store; for PostgreSQL the
 * first column of the first row into out (when out is not NULL), and the
 * server's message into msg. 0, or -1 when it failed. */
static int pg_raw(const char *sql, char *out, size_t outsz, char *msg, size_t msgsz)
{
	PGconn *c = PQconnectdb(pg_conninfo);
	PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
	ExecStatusType st = PQresultStatus(r);
	int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : -1;
	if (msg)
		snprintf(msg, msgsz, "%s", r ? PQresultErrorMessage(r) : PQerrorMessage(c));
	if (out) {
		out[0] = '\0';
		if (!rc && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
			snprintf(out, outsz, "%s", PQgetvalue(r, 0, 0));
	}
	PQclear(r);
	PQfinish(c);
	return rc;
}

/* A tenant with one verification and two audit rows that hold details. */
static kyc_store *store_with_history(char tenant[37], char vid[37])
{
	kyc_store *s = NULL;
	char err[256];
	if (kyc_store_open(dir, &s, err, sizeof err) || kyc_store_tenant_create(s, "t", tenant))
		return s;
	kyc_uuid_new(vid);
	json_t *v = json_pack("{s:s, s:s, s:i}", "id", vid, "status", "approved", "attempts", 1);
	json_t *d = json_pack("{s:s}", "first_name", "ANNA");
	if (kyc_store_insert(s, KYC_R_VERIFICATION, tenant, v) ||
	    kyc_history_append(s, tenant, vid, "key:k", "create", NULL, "awaiting_input", NULL,
	                       d) ||
	    kyc_history_append(s, tenant, vid, "key:k", "correct_names", "awaiting_input",
	                       "awaiting_input", "names", d)) {
		fprintf(stderr, "setup: %s\n", kyc_store_errmsg(s));
		kyc_store_close(s);
		s = NULL;
	}
	json_decref(v);
	json_decref(d);
	return s;
}

static int raw_exec(const char *sql, char *msg, size_t msgsz)
{
	if (on_pg)
		return pg_raw(sql, NULL, 0, msg, msgsz);
	char path[128];
	sqlite3 *db = NULL;
	char *e = NULL;
	snprintf(path, sizeof path, "%s/kycd.db", dir);
	int rc = sqlite3_open(path, &db);
	rc = rc ? rc : sqlite3_exec(db, sql, NULL, NULL, &e);
	snprintf(msg, msgsz, "%s", e ? e : "");
	sqlite3_free(e);
	sqlite3_close(db);
	return rc;
}

TEST(the_audit_trail_allows_only_its_details_to_go)
{
	char tenant[37], vid[37], msg[256];
	kyc_store *s = store_with_history(tenant, vid);
	REQUIRE(s != NULL);
	/* anything else is refused, as before */
	CHECK(raw_exec("UPDATE verification_history SET action='forged'", msg, sizeof msg) != 0);
	CHECK(strstr(msg, "append-only") != NULL);
	CHECK(raw_exec("UPDATE verification_history SET details='{}'", msg, sizeof msg) != 0);
	CHECK(raw_exec("UPDATE verification_history SET details=NULL, reason='x'", msg,
	               sizeof msg) != 0);
	int n = 0;
	CHECK_INT(kyc_store_history_scrub(s, tenant, vid, &n), 0);
	CHECK_INT(n, 2);
	struct kyc_store_page pg;
	json_t *filter = json_pack("{s:s}", "verification_id", vid);
	REQUIRE(kyc_store_list_asc(s, KYC_R_HISTORY, tenant, filter, "", 10, &pg) == 0);
	CHECK_INT(json_array_size(pg.items), 2);
	size_t i;
	json_t *h;
	json_array_foreach(pg.items, i, h)
	{
		CHECK(json_is_null(json_object_get(h, "details")));
		CHECK(json_is_string(json_object_get(h, "action"))); /* who and what stay */
	}
	CHECK_STR(json_string_value(json_object_get(json_array_get(pg.items, 1), "reason")),
	          "names");
	json_decref(pg.items);
	json_decref(filter);
	/* a second scrub finds nothing left to change */
	CHECK_INT(kyc_store_history_scrub(s, tenant, vid, &n), 0);
	CHECK_INT(n, 0);
	kyc_store_close(s);
}

/* The plan SQLite makes for the sweeper's query uses the partial index: a
 * sweep costs what is due, not every verification kept. (PostgreSQL's
 * planner weighs the table's size, and a test's table is small: there the
 * store's query is checked for its answers alone.) */
static void sqlite_plans_use_the_partial_indexes(void)
{
	char path[128];
	sqlite3 *db = NULL;
	snprintf(path, sizeof path, "%s/kycd.db", dir);
	REQUIRE(sqlite3_open(path, &db) == SQLITE_OK);
	static const struct {
		const char *sql, *index;
	} q[] = {
	    {"EXPLAIN QUERY PLAN SELECT id FROM verifications WHERE tenant_id='t' AND "
	     "images_removed_at IS NULL AND status IN ('approved', 'rejected', 'expired', "
	     "'cancelled') AND (coalesce(decided_at, updated_at)) < 5 ORDER BY "
	     "(coalesce(decided_at, updated_at)) LIMIT 10",
	     "verifications_images_due"},
	    {"EXPLAIN QUERY PLAN SELECT id FROM verifications WHERE tenant_id='t' AND "
	     "identity_removed_at IS NULL AND status IN ('approved', 'rejected', 'expired', "
	     "'cancelled') AND (coalesce(decided_at, updated_at)) < 5 ORDER BY "
	     "(coalesce(decided_at, updated_at)) LIMIT 10",
	     "verifications_identity_due"},
	};
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		sqlite3_stmt *st = NULL;
		REQUIRE(sqlite3_prepare_v2(db, q[i].sql, -1, &st, NULL) == SQLITE_OK);
		int uses = 0;
		while (sqlite3_step(st) == SQLITE_ROW)
			uses |=
			    strstr((const char *)sqlite3_column_text(st, 3), q[i].index) != NULL;
		sqlite3_finalize(st);
		CHECK(uses);
	}
	sqlite3_close(db);
}

TEST(retention_due_lists_use_their_partial_indexes)
{
	if (!on_pg)
		sqlite_plans_use_the_partial_indexes();
	/* and the store's own query answers: nothing is due in an empty tenant */
	kyc_store *s = NULL;
	char err[256];
	REQUIRE(kyc_store_open(dir, &s, err, sizeof err) == 0);
	json_t *ids = NULL;
	CHECK_INT(kyc_store_retention_due(s, "nobody", KYC_RETAIN_IMAGES, kyc_now_ms(), 10, &ids),
	          0);
	CHECK_INT(json_array_size(ids), 0);
	json_decref(ids);
	kyc_store_close(s);
}

/* Which closed verifications are due: closed before the cut-off, still
 * holding what the kind removes; open ones and newer ones are not. */
TEST(retention_due_lists_what_is_due)
{
	kyc_store *s = NULL;
	char err[256], tenant[37], id[5][37];
	REQUIRE(kyc_store_open(dir, &s, err, sizeof err) == 0);
	REQUIRE(kyc_store_tenant_create(s, "due", tenant) == 0);
	int64_t now = kyc_now_ms(), day = 86400000;
	static const char *const status[5] = {"approved", "rejected", "pending_review",
	                                      "approved", "cancelled"};
	/* days ago each closed: 30, 20, (open), 1, 40 (with its images gone) */
	const int64_t closed[5] = {now - 30 * day, now - 20 * day, now - 30 * day, now - day,
	                           now - 40 * day};
	for (int i = 0; i < 5; i++) {
		kyc_uuid_new(id[i]);
		json_t *v = json_pack("{s:s, s:s, s:i, s:I}", "id", id[i], "status", status[i],
		                      "attempts", 1, "decided_at", (json_int_t)closed[i]);
		if (i == 4)
			json_object_set_new(v, "images_removed_at", json_integer(now));
		REQUIRE(kyc_store_insert(s, KYC_R_VERIFICATION, tenant, v) == 0);
		json_decref(v);
	}
	json_t *ids = NULL;
	REQUIRE(kyc_store_retention_due(s, tenant, KYC_RETAIN_IMAGES, now - 10 * day, 10, &ids) ==
	        0);
	CHECK_INT(json_array_size(ids), 2); /* oldest first */
	CHECK_STR(json_string_value(json_array_get(ids, 0)), id[0]);
	CHECK_STR(json_string_value(json_array_get(ids, 1)), id[1]);
	json_decref(ids);
	REQUIRE(kyc_store_retention_due(s, tenant, KYC_RETAIN_IDENTITY, now - 10 * day, 10, &ids) ==
	        0);
	CHECK_INT(json_array_size(ids), 3);
	CHECK_STR(json_string_value(json_array_get(ids, 0)), id[4]);
	json_decref(ids);
	REQUIRE(kyc_store_retention_due(s, tenant, KYC_RETAIN_IDENTITY, now - 10 * day, 1, &ids) ==
	        0);
	CHECK_INT(json_array_size(ids), 1);
	json_decref(ids);
	/* the clean-up after erasures (SQLite: the log emptied; PostgreSQL: a
	 * VACUUM, which must run outside a transaction) */
	CHECK_INT(kyc_store_log_truncate(s), 0);
	if (on_pg) {
		REQUIRE(kyc_store_begin(s) == 0);
		CHECK_INT(kyc_store_log_truncate(s), KYC_ERR_STATE);
		kyc_store_rollback(s);
	}
	kyc_store_close(s);
}

/* A replay must not hand back what was erased: the recorded responses that
 * mention an id go (their bodies are sealed, so each is opened to look), the
 * others stay, and so do other tenants'. */
TEST(idempotent_responses_naming_an_id_are_forgotten)
{
	kyc_store *s = NULL;
	char err[256], tenant[37], other[37], app[37];
	REQUIRE(kyc_store_open(dir, &s, err, sizeof err) == 0);
	REQUIRE(kyc_store_tenant_create(s, "idem", tenant) == 0);
	REQUIRE(kyc_store_tenant_create(s, "idem-other", other) == 0);
	kyc_uuid_new(app);
	char named[128], unnamed[] = "{\"id\":\"someone-else\"}";
	snprintf(named, sizeof named, "{\"id\":\"%s\"}", app);
	struct kyc_idem_row row = {.status = 201, .content_type = "application/json"};
	const struct {
		const char *tenant, *key, *body;
	} put[] = {{tenant, "k-named", named}, {tenant, "k-other", unnamed}, {other, "k-named", named}};
	for (size_t i = 0; i < sizeof put / sizeof put[0]; i++) {
		row.body = (char *)put[i].body;
		row.body_len = strlen(put[i].body);
		REQUIRE(kyc_store_idem_put(s, put[i].tenant, put[i].key, &row) == 0);
	}
	CHECK_INT(kyc_store_idem_forget(s, tenant, app), 0);
	struct kyc_idem_row got;
	CHECK_INT(kyc_store_idem_get(s, tenant, "k-named", 0, &got), KYC_ERR_NOTFOUND);
	REQUIRE(kyc_store_idem_get(s, tenant, "k-other", 0, &got) == 0);
	CHECK(got.body_len == strlen(unnamed) && !memcmp(got.body, unnamed, got.body_len));
	kyc_idem_row_release(&got);
	REQUIRE(kyc_store_idem_get(s, other, "k-named", 0, &got) == 0);
	kyc_idem_row_release(&got);
	kyc_store_close(s);
}

/* The crypto-shredding hook: called once, in the erasure's transaction, with
 * the applicant's ids; when it fails, nothing of the erasure is kept. */
static char forgot[2][37];
static int forget_calls, forget_fails;

static int forget(kyc_store *s, const char *tenant_id, const char *applicant_id)
{
	forget_calls++;
	snprintf(forgot[0], sizeof forgot[0], "%s", tenant_id);
	snprintf(forgot[1], sizeof forgot[1], "%s", applicant_id);
	/* inside the transaction: what it writes goes or stays with the erasure */
	return kyc_store_in_transaction(s) ? (forget_fails ? KYC_ERR_IO : 0) : KYC_ERR_INTERNAL;
}

TEST(the_data_key_is_forgotten_inside_the_erasure)
{
	kyc_store *s = NULL;
	char err[256], tenant[37], app[37];
	REQUIRE(kyc_store_open(dir, &s, err, sizeof err) == 0);
	REQUIRE(kyc_store_tenant_create(s, "keys", tenant) == 0);
	kyc_uuid_new(app);
	json_t *a = json_pack("{s:s, s:s, s:s, s:i}", "id", app, "last_name", "ERIKSSON", "level",
	                      "L0", "tier", 0);
	REQUIRE(kyc_store_insert(s, KYC_R_APPLICANT, tenant, a) == 0);
	json_decref(a);
	struct kyc_flow f = {.store = s, .tenant_id = tenant, .actor = "key:k", .data_dir = dir};
	struct kyc_jerr e;
	json_t *out = NULL;
	forget_calls = 0;
	kyc_erasure_set_key_forget(forget);

	forget_fails = 1;
	CHECK(kyc_erasure_applicant(&f, app, &out, &e) != 0);
	CHECK_INT(e.status, 500);
	CHECK_INT(forget_calls, 1);
	REQUIRE(kyc_store_get(s, KYC_R_APPLICANT, tenant, app, &out) == 0);
	CHECK_STR(json_string_value(json_object_get(out, "last_name")), "ERIKSSON"); /* undone */
	CHECK(!kyc_erasure_is_erased(out));
	json_decref(out);

	forget_fails = 0;
	CHECK_INT(kyc_erasure_applicant(&f, app, &out, &e), 0);
	CHECK_INT(forget_calls, 2);
	CHECK_STR(forgot[0], tenant);
	CHECK_STR(forgot[1], app);
	CHECK(kyc_erasure_is_erased(out));
	CHECK(json_is_null(json_object_get(out, "last_name")));
	json_decref(out);
	/* erased once: the hook is not asked again */
	CHECK(kyc_erasure_applicant(&f, app, &out, &e) != 0);
	CHECK_INT(e.status, 410);
	CHECK_INT(forget_calls, 2);
	kyc_erasure_set_key_forget(NULL);
	kyc_store_close(s);
}

/* The first column of the first row of sql on the database file, as text,
 * into out ("" for none). 0, or -1 when the query failed. */
static int raw_text(const char *sql, char *out, size_t outsz)
{
	if (on_pg)
		return pg_raw(sql, out, outsz, NULL, 0);
	char path[128];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	snprintf(path, sizeof path, "%s/kycd.db", dir);
	out[0] = '\0';
	int rc = sqlite3_open(path, &db) == SQLITE_OK &&
	                 sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK
	             ? 0
	             : -1;
	if (!rc && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, outsz, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

/* With the real hook: the applicant's sealed values are gone with its key,
 * the kept parts (a check's name and result, the erasure's audit row) read
 * under the tenant's key, and the duplicate-check key stays as the store keeps
 * it, so the erased holder's passport is still found for another
 * applicant. */
TEST(erasure_shreds_the_key_and_keeps_the_duplicate_keys)
{
	kyc_store *s = NULL;
	char err[256], tenant[37], app[37], vid[37];
	REQUIRE(kyc_store_open(dir, &s, err, sizeof err) == 0);
	REQUIRE(kyc_store_tenant_create(s, "shred", tenant) == 0);
	kyc_uuid_new(app);
	kyc_uuid_new(vid);
	json_t *a = json_pack("{s:s, s:s, s:s, s:s, s:i}", "id", app, "last_name", "ERIKSSON",
	                      "email", "anna@example.com", "level", "L0", "tier", 0);
	json_t *v = json_pack(
	    "{s:s, s:s, s:s, s:i, s:I, s:s, s:s, s:[{s:s, s:s, s:s, s:{s:s}}]}", "id", vid,
	    "applicant_id", app, "status", "approved", "attempts", 1, "decided_at",
	    (json_int_t)kyc_now_ms(), "document_key", "UTO:L898902C3", "identity_key",
	    "ERIKSSON:ANNA:1974-08-12", "checks", "name", "mrz_integrity", "result", "pass",
	    "reason", "valid", "details", "document_number", "L898902C3");
	REQUIRE(kyc_store_insert(s, KYC_R_APPLICANT, tenant, a) == 0);
	REQUIRE(kyc_store_insert(s, KYC_R_VERIFICATION, tenant, v) == 0);
	json_decref(a);
	json_decref(v);
	struct kyc_flow f = {.store = s, .tenant_id = tenant, .actor = "key:k", .data_dir = dir};
	struct kyc_jerr e;
	json_t *out = NULL;
	kyc_erasure_set_key_forget(kyc_erasure_forget_data_key);
	REQUIRE(kyc_erasure_applicant(&f, app, &out, &e) == 0);
	CHECK(json_is_null(json_object_get(out, "last_name")));
	CHECK(json_is_null(json_object_get(out, "email")));
	json_decref(out);
	kyc_erasure_set_key_forget(NULL);

	REQUIRE(kyc_store_get(s, KYC_R_VERIFICATION, tenant, vid, &out) == 0);
	json_t *c = json_array_get(json_object_get(out, "checks"), 0);
	CHECK_STR(json_string_value(json_object_get(c, "name")), "mrz_integrity");
	CHECK_STR(json_string_value(json_object_get(c, "result")), "pass");
	/* kept values are sealed under the tenant's key ("t"), never a new one */
	char sql[160], got[128];
	snprintf(sql, sizeof sql, "SELECT substr(checks, 1, 8) FROM verifications WHERE id='%s'",
	         vid);
	CHECK_INT(raw_text(sql, got, sizeof got), 0);
	CHECK_STR(got, "\"kye1:t:");
	snprintf(sql, sizeof sql, "SELECT master_id FROM data_keys WHERE owner_id='%s'", app);
	CHECK_INT(raw_text(sql, got, sizeof got), 0);
	CHECK_STR(got, "shredded");
	CHECK(json_object_get(c, "details") == NULL || json_is_null(json_object_get(c, "details")));
	const char *dk = json_string_value(json_object_get(out, "document_key"));
	CHECK(dk && !strstr(dk, "L898902C3")); /* a keyed hash, never the number */
	json_decref(out);

	char other[37];
	kyc_uuid_new(other);
	struct kyc_store_match m = {.key_column = "document_key",
	                            .key = "UTO:L898902C3",
	                            .status = "approved",
	                            .applicant_id = other,
	                            .same_applicant = 0};
	out = NULL;
	CHECK_INT(kyc_store_verification_match(s, tenant, &m, &out), 0);
	CHECK(out != NULL);
	CHECK_STR(json_string_value(json_object_get(out, "id")), vid);
	json_decref(out);
	m.key_column = "identity_key";
	m.key = "ERIKSSON:ANNA:1974-08-12";
	out = NULL;
	CHECK_INT(kyc_store_verification_match(s, tenant, &m, &out), 0);
	CHECK(out != NULL);
	json_decref(out);

	/* the erasure's audit row reads (its reason under the tenant's key) */
	struct kyc_store_page pg;
	json_t *filter = json_pack("{s:s}", "verification_id", vid);
	REQUIRE(kyc_store_list_asc(s, KYC_R_HISTORY, tenant, filter, "", 100, &pg) == 0);
	json_decref(filter);
	size_t i;
	json_t *r;
	int erase_rows = 0;
	json_array_foreach(pg.items, i, r)
	{
		if (!strcmp(json_string_value(json_object_get(r, "action")), "erase")) {
			erase_rows++;
			CHECK_STR(json_string_value(json_object_get(r, "reason")), "applicant_erased");
		}
	}
	CHECK_INT(erase_rows, 1);
	json_decref(pg.items);
	kyc_store_close(s);
}

static void run_on(const char *backend)
{
	on_pg = !strcmp(backend, "postgres");
	RUN_ON(backend, the_audit_trail_allows_only_its_details_to_go);
	RUN_ON(backend, retention_due_lists_use_their_partial_indexes);
	RUN_ON(backend, retention_due_lists_what_is_due);
	RUN_ON(backend, idempotent_responses_naming_an_id_are_forgotten);
	RUN_ON(backend, the_data_key_is_forgotten_inside_the_erasure);
	RUN_ON(backend, erasure_shreds_the_key_and_keeps_the_duplicate_keys);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/kycd-erasure-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	pgtmp_both("erasure", run_on, pg_conninfo, sizeof pg_conninfo);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return test_done("erasure_unit");
}
