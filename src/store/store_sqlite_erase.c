/* The SQLite side of retention and erasure (store.h, "retention and
 * erasure"; store_int.h, kyc_store_erase_ops): statements the generic
 * resource calls cannot express — the audit trail's one allowed change,
 * token and idempotency clean-up, the sweeper's due lists and the log
 * truncation. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "store/store_sqlite_int.h"

/* Steps a statement that returns no rows, gives it back; *changes (may be
 * NULL) gets the rows it changed. */
static int run(kyc_store *s, sqlite3_stmt *st, int *changes)
{
	int rc = sqlite3_step(st);
	rc = rc == SQLITE_DONE ? 0 : kyc__store_map(s, rc);
	if (!rc && changes)
		*changes = sqlite3_changes(kyc__store_db(s));
	kyc__store_release(s, st);
	return rc;
}

/* Prepares sql and binds its first two parameters as text. */
static int prepare2(kyc_store *s, const char *sql, const char *a, const char *b, sqlite3_stmt **st)
{
	int rc = kyc__store_prepare(s, sql, st);
	if (rc)
		return rc;
	sqlite3_bind_text(*st, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(*st, 2, b, -1, SQLITE_STATIC);
	return 0;
}

static int sqlite_history_scrub(kyc_store *s, const char *tenant_id, const char *verification_id,
                                int *n)
{
	sqlite3_stmt *st;
	/* only rows that still hold something: the trigger sees no other change */
	int rc =
	    prepare2(s,
	             "UPDATE verification_history SET details=NULL, attributes=NULL WHERE "
	             "tenant_id=? AND verification_id=? AND (details IS NOT NULL OR attributes "
	             "IS NOT NULL)",
	             tenant_id, verification_id, &st);
	return rc ? rc : run(s, st, n);
}

static int sqlite_hosted_tokens_delete(kyc_store *s, const char *tenant_id,
                                       const char *verification_id)
{
	sqlite3_stmt *st;
	int rc = prepare2(s, "DELETE FROM hosted_tokens WHERE tenant_id=? AND verification_id=?",
	                  tenant_id, verification_id, &st);
	return rc ? rc : run(s, st, NULL);
}

static int sqlite_retention_due(kyc_store *s, const char *tenant_id, enum kyc_retention_kind kind,
                                int64_t closed_before_ms, int limit, json_t **ids)
{
	sqlite3_stmt *st;
	int rc = kyc__sqlite_prepare_text(s, kyc__retention_due_sql[kind], tenant_id, &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 2, closed_before_ms);
	sqlite3_bind_int(st, 3, limit);
	json_t *out = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(out, json_string((const char *)sqlite3_column_text(st, 0)));
	rc = rc == SQLITE_DONE ? 0 : kyc__store_map(s, rc);
	kyc__store_release(s, st);
	if (rc) {
		json_decref(out);
		return rc;
	}
	*ids = out;
	return 0;
}

static int sqlite_idem_forget(kyc_store *s, const char *tenant_id, kyc__idem_match_fn match,
                              void *ctx)
{
	/* the keys first, the deletes after: a statement still reading the
	 * table is not written under */
	sqlite3_stmt *st;
	json_t *doomed = json_array();
	int rc = doomed ? kyc__store_prepare(
	                      s, "SELECT key, body FROM idempotency_keys WHERE tenant_id=?", &st)
	                : KYC_ERR_NOMEM;
	if (rc) {
		json_decref(doomed);
		return rc;
	}
	sqlite3_bind_text(st, 1, tenant_id, -1, SQLITE_STATIC);
	int step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		int hit = key ? match(s, tenant_id, key, sqlite3_column_blob(st, 1),
		                      (size_t)sqlite3_column_bytes(st, 1), ctx)
		              : 0;
		if (hit < 0)
			rc = hit;
		else if (hit && json_array_append_new(doomed, json_string(key)))
			rc = KYC_ERR_NOMEM;
	}
	if (!rc && step != SQLITE_DONE)
		rc = kyc__store_map(s, step);
	kyc__store_release(s, st);
	size_t i;
	json_t *k;
	json_array_foreach(doomed, i, k)
	{
		if (rc ||
		    (rc = prepare2(s, "DELETE FROM idempotency_keys WHERE tenant_id=? AND key=?",
		                   tenant_id, json_string_value(k), &st)))
			break;
		rc = run(s, st, NULL);
	}
	json_decref(doomed);
	return rc;
}

/* How long the truncation may wait for readers: while it waits, SQLite
 * holds new writers back, so the wait is short; the sweeper tries again at
 * its next turn. The connection's own timeout (kyc_store_open) comes back
 * after. */
#define TRUNCATE_WAIT_MS 200
#define OPEN_BUSY_TIMEOUT_MS 10000

static int sqlite_log_truncate(kyc_store *s)
{
	sqlite3 *db = kyc__store_db(s);
	sqlite3_busy_timeout(db, TRUNCATE_WAIT_MS);
	int rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	sqlite3_busy_timeout(db, OPEN_BUSY_TIMEOUT_MS);
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return KYC_ERR_TIMEOUT;
	return rc == SQLITE_OK ? 0 : kyc__store_map(s, rc);
}

const struct kyc_store_erase_ops kyc__sqlite_erase_ops = {
    .history_scrub = sqlite_history_scrub,
    .hosted_tokens_delete = sqlite_hosted_tokens_delete,
    .idem_forget = sqlite_idem_forget,
    .retention_due = sqlite_retention_due,
    .log_truncate = sqlite_log_truncate,
};
