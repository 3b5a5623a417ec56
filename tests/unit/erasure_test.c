/* Erasure's pieces below the API (src/flows/erasure.h, src/store): the
 * one-way form of the duplicate-check keys, the audit trail's one allowed
 * change, and the retention sweep's due lists going through their partial
 * indexes. The whole erasure over HTTP is tests/e2e/erasure_test.c. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/rand.h"
#include "flows/erasure.h"
#include "test.h"

static char dir[64];

TEST(duplicate_keys_become_one_way_per_tenant)
{
	char a[72], b[72], c[72], again[72];
	kyc_erasure_key_form("tenant-1", "UTO:L898902C3", a);
	kyc_erasure_key_form("tenant-1", "UTO:L898902C3", b);
	kyc_erasure_key_form("tenant-2", "UTO:L898902C3", c);
	CHECK_STR(a, b); /* a fresh key finds the erased one */
	CHECK(strcmp(a, c) != 0);
	CHECK(strncmp(a, "x:", 2) == 0 && strlen(a) == 66);
	CHECK(strstr(a, "L898902C3") == NULL);
	kyc_erasure_key_form("tenant-1", a, again); /* erased twice: the same */
	CHECK_STR(again, a);
	kyc_erasure_key_form("tenant-1", "", again);
	CHECK_STR(again, "");
	kyc_erasure_key_form("tenant-1", NULL, again);
	CHECK_STR(again, "");
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
 * sweep costs what is due, not every verification kept. */
TEST(retention_due_lists_use_their_partial_indexes)
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

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/kycd-erasure-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	RUN(duplicate_keys_become_one_way_per_tenant);
	RUN(the_audit_trail_allows_only_its_details_to_go);
	RUN(retention_due_lists_use_their_partial_indexes);
	RUN(the_data_key_is_forgotten_inside_the_erasure);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return test_done("erasure_unit");
}
