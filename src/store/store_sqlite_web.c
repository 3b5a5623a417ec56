/* The SQLite side of the web surfaces' records (store.h, "the web
 * surfaces"): hosted-page tokens, operators, failed logins and console
 * sessions. These are not tenant resources with versions and lists; like
 * API keys they are looked up by a secret's hash or a login name. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "store/store_sqlite_int.h"

/* Runs a prepared statement that returns no rows and gives it back. */
static int run(kyc_store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	rc = rc == SQLITE_DONE ? 0 : kyc__store_map(s, rc);
	kyc__store_release(s, st);
	return rc;
}

static void col_text(sqlite3_stmt *st, int i, char *out, size_t outsz)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	snprintf(out, outsz, "%s", t ? (const char *)t : "");
}

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
	sqlite3_bind_blob(st, 1, row->token_hash, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, row->tenant_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, row->verification_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, row->expires_at);
	sqlite3_bind_int64(st, 5, row->created_at ? row->created_at : kyc_now_ms());
	return run(s, st);
}

static int sqlite_hosted_token_get(kyc_store *s, const unsigned char token_hash[32],
			       struct kyc_hosted_token_row *out)
{
	sqlite3_stmt *st;
	int rc = kyc__store_prepare(s,
				    "SELECT tenant_id, verification_id, expires_at, created_at FROM "
				    "hosted_tokens WHERE token_hash=?",
				    &st);
	if (rc)
		return rc;
	sqlite3_bind_blob(st, 1, token_hash, 32, SQLITE_STATIC);
	if ((rc = one_row(s, st)))
		return rc;
	memset(out, 0, sizeof *out);
	memcpy(out->token_hash, token_hash, 32);
	col_text(st, 0, out->tenant_id, sizeof out->tenant_id);
	col_text(st, 1, out->verification_id, sizeof out->verification_id);
	out->expires_at = sqlite3_column_int64(st, 2);
	out->created_at = sqlite3_column_int64(st, 3);
	kyc__store_release(s, st);
	return 0;
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
	sqlite3_bind_text(st, 1, row->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, row->tenant_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, row->username, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, row->role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, row->password_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, row->created_at ? row->created_at : kyc_now_ms());
	return run(s, st);
}

#define OPERATOR_COLS                                                                              \
	"SELECT id, tenant_id, username, role, password_hash, created_at, coalesce(disabled_at,0) " \
	"FROM operators "

static void operator_row(sqlite3_stmt *st, struct kyc_operator_row *out)
{
	memset(out, 0, sizeof *out);
	col_text(st, 0, out->id, sizeof out->id);
	col_text(st, 1, out->tenant_id, sizeof out->tenant_id);
	col_text(st, 2, out->username, sizeof out->username);
	col_text(st, 3, out->role, sizeof out->role);
	col_text(st, 4, out->password_hash, sizeof out->password_hash);
	out->created_at = sqlite3_column_int64(st, 5);
	out->disabled_at = sqlite3_column_int64(st, 6);
}

static int sqlite_operator_find(kyc_store *s, const char *username, struct kyc_operator_row *out)
{
	sqlite3_stmt *st;
	int rc = kyc__store_prepare(s, OPERATOR_COLS "WHERE username=?", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	if ((rc = one_row(s, st)))
		return rc;
	operator_row(st, out);
	kyc__store_release(s, st);
	return 0;
}

static int sqlite_operator_get(kyc_store *s, const char *tenant_id, const char *id,
			   struct kyc_operator_row *out)
{
	sqlite3_stmt *st;
	int rc = kyc__store_prepare(s, OPERATOR_COLS "WHERE id=? AND tenant_id=?", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, tenant_id, -1, SQLITE_STATIC);
	if ((rc = one_row(s, st)))
		return rc;
	operator_row(st, out);
	kyc__store_release(s, st);
	return 0;
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
	if ((rc = run(s, st)))
		return rc;
	return sqlite3_changes(kyc__store_db(s)) ? 0 : KYC_ERR_NOTFOUND;
}

static int sqlite_sessions_end_operator(kyc_store *s, const char *operator_id, int *ended)
{
	sqlite3_stmt *st;
	int rc = kyc__store_prepare(s, "DELETE FROM console_sessions WHERE operator_id=?", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, operator_id, -1, SQLITE_STATIC);
	if ((rc = run(s, st)))
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
	int rc = kyc__store_prepare(
		s, "SELECT failures, last_failure_at FROM login_failures WHERE username=?", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
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
	if ((rc = run(s, st)))
		return rc;
	rc = kyc__store_prepare(s,
				    "INSERT INTO login_failures(username, failures, last_failure_at) "
				    "VALUES (?,1,?) ON CONFLICT(username) DO UPDATE SET "
				    "failures=failures+1, last_failure_at=excluded.last_failure_at",
				    &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now_ms);
	return run(s, st);
}

static int sqlite_login_failures_clear(kyc_store *s, const char *username)
{
	sqlite3_stmt *st;
	int rc = kyc__store_prepare(s, "DELETE FROM login_failures WHERE username=?", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	return run(s, st);
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
	sqlite3_bind_blob(st, 1, row->id_hash, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, row->operator_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, row->tenant_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, row->csrf_token, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, row->created_at ? row->created_at : kyc_now_ms());
	sqlite3_bind_int64(st, 6, row->expires_at);
	return run(s, st);
}

static int sqlite_session_get(kyc_store *s, const unsigned char id_hash[32],
			  struct kyc_session_row *out)
{
	sqlite3_stmt *st;
	int rc = kyc__store_prepare(s,
				    "SELECT operator_id, tenant_id, csrf_token, created_at, expires_at "
				    "FROM console_sessions WHERE id_hash=?",
				    &st);
	if (rc)
		return rc;
	sqlite3_bind_blob(st, 1, id_hash, 32, SQLITE_STATIC);
	if ((rc = one_row(s, st)))
		return rc;
	memset(out, 0, sizeof *out);
	memcpy(out->id_hash, id_hash, 32);
	col_text(st, 0, out->operator_id, sizeof out->operator_id);
	col_text(st, 1, out->tenant_id, sizeof out->tenant_id);
	col_text(st, 2, out->csrf_token, sizeof out->csrf_token);
	out->created_at = sqlite3_column_int64(st, 3);
	out->expires_at = sqlite3_column_int64(st, 4);
	kyc__store_release(s, st);
	return 0;
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
	return run(s, st);
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
