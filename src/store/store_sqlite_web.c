/* The SQLite side of the web surfaces' records (store.h, "the web
 * surfaces"): hosted-page tokens, operators, failed logins and console
 * sessions. These are not tenant resources with versions and lists; like
 * API keys they are looked up by a secret's hash or a login name. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "store/store_sqlite_int.h"

/* Steps a one-row query: 0 (row ready), KYC_ERR_NOTFOUND or a mapped error;
 * on anything but 0 the statement is given back. */
static int one_row(kyc_store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 0;
	rc = rc == SQLITE_DONE ? KYC_ERR_NOTFOUND : kyc__store_map(s, rc);
	kyc__store_release(s, st);
	return rc;
}

/* ---- hosted-page tokens ---- */

static int sqlite_hosted_token_insert(kyc_store *s, const struct kyc_hosted_token_row *row)
{
	sqlite3_stmt *st;
	int rc = kyc__store_prepare(s,
				    "INSERT INTO hosted_tokens(token_hash, tenant_id, verification_id, "
				    "expires_at, created_at) VALUES (?,?,?,?,?)",
				    &st);
	if (rc)
		return rc;
	kyc__sqlite_bind_fields(st, &kyc__hosted_token_insert_fields, row);
	return kyc__sqlite_run(s, st);
}

static int sqlite_hosted_token_get(kyc_store *s, const unsigned char token_hash[32],
			       struct kyc_hosted_token_row *out)
{
	sqlite3_stmt *st;
	int rc = kyc__store_prepare(s, kyc__hosted_token_get_sql, &st);
	if (rc)
		return rc;
	sqlite3_bind_blob(st, 1, token_hash, 32, SQLITE_STATIC);
	if (!(rc = kyc__sqlite_row_fields(s, st, &kyc__hosted_token_fields, out)))
		memcpy(out->token_hash, token_hash, 32);
	return rc;
}

/* ---- operators ---- */

static int sqlite_operator_insert(kyc_store *s, const struct kyc_operator_row *row)
{
	sqlite3_stmt *st;
	int rc = kyc__store_prepare(s,
				    "INSERT INTO operators(id, tenant_id, username, role, "
				    "password_hash, created_at) VALUES (?,?,?,?,?,?)",
				    &st);
	if (rc)
		return rc;
	kyc__sqlite_bind_fields(st, &kyc__operator_insert_fields, row);
	return kyc__sqlite_run(s, st);
}

static int sqlite_operator_find(kyc_store *s, const char *username, struct kyc_operator_row *out)
{
	sqlite3_stmt *st;
	int rc = kyc__sqlite_prepare_text(s, kyc__operator_find_sql, username, &st);
	if (rc)
		return rc;
	return kyc__sqlite_row_fields(s, st, &kyc__operator_fields, out);
}

static int sqlite_operator_get(kyc_store *s, const char *tenant_id, const char *id,
			   struct kyc_operator_row *out)
{
	sqlite3_stmt *st;
	int rc = kyc__sqlite_prepare_text(s, kyc__operator_get_sql, id, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 2, tenant_id, -1, SQLITE_STATIC);
	return kyc__sqlite_row_fields(s, st, &kyc__operator_fields, out);
}

static int sqlite_operator_set(kyc_store *s, const char *id, int64_t disabled_at,
			   const char *password_hash)
{
	sqlite3_stmt *st;
	int rc = kyc__store_prepare(s,
				    "UPDATE operators SET disabled_at=nullif(?,0), "
				    "password_hash=coalesce(?, password_hash) WHERE id=?",
				    &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, disabled_at);
	if (password_hash)
		sqlite3_bind_text(st, 2, password_hash, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
	if ((rc = kyc__sqlite_run(s, st)))
		return rc;
	return sqlite3_changes(kyc__store_db(s)) ? 0 : KYC_ERR_NOTFOUND;
}

static int sqlite_sessions_end_operator(kyc_store *s, const char *operator_id, int *ended)
{
	sqlite3_stmt *st;
	int rc = kyc__sqlite_prepare_text(s, "DELETE FROM console_sessions WHERE operator_id=?",
	                                  operator_id, &st);
	if (rc)
		return rc;
	if ((rc = kyc__sqlite_run(s, st)))
		return rc;
	if (ended)
		*ended = sqlite3_changes(kyc__store_db(s));
	return 0;
}

/* ---- failed logins ---- */

static int sqlite_login_failures(kyc_store *s, const char *username, int *failures,
			     int64_t *last_failure_at)
{
	sqlite3_stmt *st;
	*failures = 0;
	*last_failure_at = 0;
	int rc = kyc__sqlite_prepare_text(
	    s, "SELECT failures, last_failure_at FROM login_failures WHERE username=?", username,
	    &st);
	if (rc)
		return rc;
	rc = one_row(s, st);
	if (rc == KYC_ERR_NOTFOUND)
		return 0;
	if (rc)
		return rc;
	*failures = sqlite3_column_int(st, 0);
	*last_failure_at = sqlite3_column_int64(st, 1);
	kyc__store_release(s, st);
	return 0;
}

static int sqlite_login_failure_add(kyc_store *s, const char *username, int64_t now_ms)
{
	sqlite3_stmt *st;
	/* Streaks older than a day no longer count (src/web/operator.c): drop
	 * them here, so guessing many names cannot grow the table for ever. */
	int rc = kyc__store_prepare(s, "DELETE FROM login_failures WHERE last_failure_at<?", &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, now_ms - 24 * 3600 * 1000LL);
	if ((rc = kyc__sqlite_run(s, st)))
		return rc;
	rc = kyc__sqlite_prepare_text(
	    s,
	    "INSERT INTO login_failures(username, failures, last_failure_at) "
	    "VALUES (?,1,?) ON CONFLICT(username) DO UPDATE SET "
	    "failures=failures+1, last_failure_at=excluded.last_failure_at",
	    username, &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 2, now_ms);
	return kyc__sqlite_run(s, st);
}

static int sqlite_login_failures_clear(kyc_store *s, const char *username)
{
	sqlite3_stmt *st;
	int rc = kyc__sqlite_prepare_text(s, "DELETE FROM login_failures WHERE username=?",
	                                  username, &st);
	if (rc)
		return rc;
	return kyc__sqlite_run(s, st);
}

/* ---- console sessions ---- */

static int sqlite_session_insert(kyc_store *s, const struct kyc_session_row *row)
{
	sqlite3_stmt *st;
	int rc = kyc__store_prepare(s,
				    "INSERT INTO console_sessions(id_hash, operator_id, tenant_id, "
				    "csrf_token, created_at, expires_at) VALUES (?,?,?,?,?,?)",
				    &st);
	if (rc)
		return rc;
	kyc__sqlite_bind_fields(st, &kyc__session_insert_fields, row);
	return kyc__sqlite_run(s, st);
}

static int sqlite_session_get(kyc_store *s, const unsigned char id_hash[32],
			  struct kyc_session_row *out)
{
	sqlite3_stmt *st;
	int rc = kyc__store_prepare(s, kyc__session_get_sql, &st);
	if (rc)
		return rc;
	sqlite3_bind_blob(st, 1, id_hash, 32, SQLITE_STATIC);
	if (!(rc = kyc__sqlite_row_fields(s, st, &kyc__session_fields, out)))
		memcpy(out->id_hash, id_hash, 32);
	return rc;
}

static int sqlite_session_delete(kyc_store *s, const unsigned char id_hash[32], int64_t now_ms)
{
	sqlite3_stmt *st;
	int rc = kyc__store_prepare(s,
				    "DELETE FROM console_sessions WHERE id_hash=? OR expires_at<?",
				    &st);
	if (rc)
		return rc;
	sqlite3_bind_blob(st, 1, id_hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now_ms);
	return kyc__sqlite_run(s, st);
}

const struct kyc_store_web_ops kyc__sqlite_web_ops = {
	.hosted_token_insert = sqlite_hosted_token_insert,
	.hosted_token_get = sqlite_hosted_token_get,
	.operator_insert = sqlite_operator_insert,
	.operator_find = sqlite_operator_find,
	.operator_get = sqlite_operator_get,
	.operator_set = sqlite_operator_set,
	.sessions_end_operator = sqlite_sessions_end_operator,
	.login_failures = sqlite_login_failures,
	.login_failure_add = sqlite_login_failure_add,
	.login_failures_clear = sqlite_login_failures_clear,
	.session_insert = sqlite_session_insert,
	.session_get = sqlite_session_get,
	.session_delete = sqlite_session_delete,
};
