/* The PostgreSQL side of the web surfaces' records (store.h, "the web
 * surfaces"): hosted-page tokens, operators, failed logins and console
 * sessions, shared by every node through the database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "store/store_pg_int.h"

/* Runs an INSERT … ON CONFLICT DO NOTHING: KYC_ERR_CONFLICT when it added
 * nothing, without aborting the caller's transaction. */
static int insert_new(kyc_store *s, const char *sql, struct kyc_pgq *q)
{
	return kyc__pg_change(s, sql, q, KYC_ERR_CONFLICT);
}

/* ---- hosted-page tokens ---- */

static int pg_hosted_token_insert(kyc_store *s, const struct kyc_hosted_token_row *row)
{
	struct kyc_pgq q = {0};
	kyc__pgq_fields(&q, &kyc__hosted_token_insert_fields, row);
	return insert_new(s,
			  "INSERT INTO hosted_tokens(token_hash, tenant_id, verification_id, "
			  "expires_at, created_at) VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING",
			  &q);
}

static int pg_hosted_token_get(kyc_store *s, const unsigned char token_hash[32],
			       struct kyc_hosted_token_row *out)
{
	struct kyc_pgq q = {0};
	kyc__pgq_bytes(&q, token_hash, 32);
	int rc = kyc__pg_row_fields(s, kyc__hosted_token_get_sql, &q, &kyc__hosted_token_fields,
				    out);
	if (!rc)
		memcpy(out->token_hash, token_hash, 32);
	return rc;
}

/* ---- operators ---- */

static int pg_operator_insert(kyc_store *s, const struct kyc_operator_row *row)
{
	struct kyc_pgq q = {0};
	kyc__pgq_fields(&q, &kyc__operator_insert_fields, row);
	return insert_new(s,
			  "INSERT INTO operators(id, tenant_id, username, role, password_hash, "
			  "created_at) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING",
			  &q);
}

static int pg_operator_find(kyc_store *s, const char *username, struct kyc_operator_row *out)
{
	struct kyc_pgq q = {0};
	kyc__pgq_text(&q, username);
	return kyc__pg_row_fields(s, kyc__operator_find_sql, &q, &kyc__operator_fields, out);
}

static int pg_operator_get(kyc_store *s, const char *tenant_id, const char *id,
			   struct kyc_operator_row *out)
{
	struct kyc_pgq q = {0};
	kyc__pgq_text(&q, id);
	kyc__pgq_text(&q, tenant_id);
	return kyc__pg_row_fields(s, kyc__operator_get_sql, &q, &kyc__operator_fields, out);
}

static int pg_operator_set(kyc_store *s, const char *id, int64_t disabled_at,
			   const char *password_hash)
{
	struct kyc_pgq q = {0};
	kyc__pgq_int(&q, disabled_at);
	kyc__pgq_text(&q, password_hash);
	kyc__pgq_text(&q, id);
	return kyc__pg_change(s,
	                      "UPDATE operators SET disabled_at=nullif($1::bigint,0), "
	                      "password_hash=coalesce($2, password_hash) WHERE id=$3",
	                      &q, KYC_ERR_NOTFOUND);
}

static int pg_sessions_end_operator(kyc_store *s, const char *operator_id, int *ended)
{
	struct kyc_pgq q = {0};
	int n = 0;
	kyc__pgq_text(&q, operator_id);
	int rc = kyc__pg_run(s, "DELETE FROM console_sessions WHERE operator_id=$1", &q, &n);
	if (!rc && ended)
		*ended = n;
	return rc;
}

/* ---- failed logins ---- */

static int pg_login_failures(kyc_store *s, const char *username, int *failures,
			     int64_t *last_failure_at)
{
	struct kyc_pgq q = {0};
	PGresult *r;
	*failures = 0;
	*last_failure_at = 0;
	kyc__pgq_text(&q, username);
	int rc = kyc__pg_row(
	    s, "SELECT failures, last_failure_at FROM login_failures WHERE username=$1", &q, &r);
	if (rc)
		return rc == KYC_ERR_NOTFOUND ? 0 : rc;
	*failures = (int)kyc__pg_int(r, 0, 0);
	*last_failure_at = kyc__pg_int(r, 0, 1);
	PQclear(r);
	return 0;
}

static int pg_login_failure_add(kyc_store *s, const char *username, int64_t now_ms)
{
	struct kyc_pgq q = {0};
	/* Streaks older than a day no longer count: dropped here, as SQLite does. */
	kyc__pgq_int(&q, now_ms - 24 * 3600 * 1000LL);
	int rc = kyc__pg_run(s, "DELETE FROM login_failures WHERE last_failure_at<$1", &q, NULL);
	if (rc)
		return rc;
	q.n = 0;
	kyc__pgq_text(&q, username);
	kyc__pgq_int(&q, now_ms);
	return kyc__pg_run(s,
			   "INSERT INTO login_failures(username, failures, last_failure_at) VALUES "
			   "($1,1,$2) ON CONFLICT(username) DO UPDATE SET "
			   "failures=login_failures.failures+1, "
			   "last_failure_at=excluded.last_failure_at",
			   &q, NULL);
}

static int pg_login_failures_clear(kyc_store *s, const char *username)
{
	struct kyc_pgq q = {0};
	kyc__pgq_text(&q, username);
	return kyc__pg_run(s, "DELETE FROM login_failures WHERE username=$1", &q, NULL);
}

/* ---- rate limits ---- */

/* One upsert: the refill and the take under the row's lock, so nodes taking
 * from one bucket at once see each other's takes. A node whose clock is
 * behind the bucket's refills nothing rather than going back in time. */
static int pg_rate_take(kyc_store *s, const char *key, double per_ms, double burst,
			int64_t now_ms, double *tokens, int *allowed)
{
	struct kyc_pgq q = {0};
	char rate[40], size[40];
	PGresult *r;
	snprintf(rate, sizeof rate, "%.17g", per_ms);
	snprintf(size, sizeof size, "%.17g", burst);
	kyc__pgq_text(&q, key);
	kyc__pgq_text(&q, rate);
	kyc__pgq_text(&q, size);
	kyc__pgq_int(&q, now_ms);
#define REFILLED                                                                                   \
	"least($3::float8, rate_buckets.tokens + greatest(0, $4::bigint - rate_buckets.updated_at) " \
	"* $2::float8)"
	int rc = kyc__pg_row(s,
			     "INSERT INTO rate_buckets(key, tokens, updated_at, refused) VALUES ($1, "
			     "$3::float8 - 1, $4::bigint, 0) ON CONFLICT (key) DO UPDATE SET tokens = "
			     "CASE WHEN " REFILLED " >= 1 THEN " REFILLED " - 1 ELSE " REFILLED
			     " END, refused = CASE WHEN " REFILLED " >= 1 THEN 0 ELSE 1 END, "
			     "updated_at = greatest(rate_buckets.updated_at, $4::bigint) RETURNING "
			     "tokens, refused",
			     &q, &r);
#undef REFILLED
	if (rc)
		return rc;
	*tokens = strtod(PQgetvalue(r, 0, 0), NULL);
	*allowed = kyc__pg_int(r, 0, 1) == 0;
	PQclear(r);
	return 0;
}

static int pg_rate_forget(kyc_store *s, int64_t before_ms)
{
	struct kyc_pgq q = {0};
	kyc__pgq_int(&q, before_ms);
	return kyc__pg_run(s, "DELETE FROM rate_buckets WHERE updated_at < $1", &q, NULL);
}

/* ---- console sessions ---- */

static int pg_session_insert(kyc_store *s, const struct kyc_session_row *row)
{
	struct kyc_pgq q = {0};
	kyc__pgq_fields(&q, &kyc__session_insert_fields, row);
	return insert_new(s,
			  "INSERT INTO console_sessions(id_hash, operator_id, tenant_id, "
			  "csrf_token, created_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6) ON "
			  "CONFLICT DO NOTHING",
			  &q);
}

static int pg_session_get(kyc_store *s, const unsigned char id_hash[32],
			  struct kyc_session_row *out)
{
	struct kyc_pgq q = {0};
	kyc__pgq_bytes(&q, id_hash, 32);
	int rc = kyc__pg_row_fields(s, kyc__session_get_sql, &q, &kyc__session_fields, out);
	if (!rc)
		memcpy(out->id_hash, id_hash, 32);
	return rc;
}

static int pg_session_delete(kyc_store *s, const unsigned char id_hash[32], int64_t now_ms)
{
	struct kyc_pgq q = {0};
	kyc__pgq_bytes(&q, id_hash, 32);
	kyc__pgq_int(&q, now_ms);
	return kyc__pg_run(s, "DELETE FROM console_sessions WHERE id_hash=$1 OR expires_at<$2", &q,
			   NULL);
}

const struct kyc_store_web_ops kyc__pg_web_ops = {
	.hosted_token_insert = pg_hosted_token_insert,
	.hosted_token_get = pg_hosted_token_get,
	.operator_insert = pg_operator_insert,
	.operator_find = pg_operator_find,
	.operator_get = pg_operator_get,
	.operator_set = pg_operator_set,
	.sessions_end_operator = pg_sessions_end_operator,
	.login_failures = pg_login_failures,
	.login_failure_add = pg_login_failure_add,
	.login_failures_clear = pg_login_failures_clear,
	.session_insert = pg_session_insert,
	.session_get = pg_session_get,
	.session_delete = pg_session_delete,
	.rate_take = pg_rate_take,
	.rate_forget = pg_rate_forget,
};
