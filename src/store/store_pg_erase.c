/* The PostgreSQL side of retention and erasure (store.h, "retention and
 * erasure"; store_int.h, kyc_store_erase_ops): the same statements as
 * store_sqlite_erase.c in PostgreSQL's dialect. The audit trail's trigger
 * is migration 9 as kyc__pg_dialect translates it. */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "store/store_pg_int.h"

static int pg_history_scrub(kyc_store *s, const char *tenant_id, const char *verification_id,
                            int *n)
{
	struct kyc_pgq q = {0};
	kyc__pgq_text(&q, tenant_id);
	kyc__pgq_text(&q, verification_id);
	/* only rows that still hold something: the trigger sees no other change */
	return kyc__pg_run(s,
	                   "UPDATE verification_history SET details=NULL, attributes=NULL WHERE "
	                   "tenant_id=$1 AND verification_id=$2 AND (details IS NOT NULL OR "
	                   "attributes IS NOT NULL)",
	                   &q, n);
}

static int pg_hosted_tokens_delete(kyc_store *s, const char *tenant_id, const char *verification_id)
{
	struct kyc_pgq q = {0};
	kyc__pgq_text(&q, tenant_id);
	kyc__pgq_text(&q, verification_id);
	return kyc__pg_run(s, "DELETE FROM hosted_tokens WHERE tenant_id=$1 AND verification_id=$2",
	                   &q, NULL);
}

static int pg_idem_forget(kyc_store *s, const char *tenant_id, kyc__idem_match_fn match, void *ctx)
{
	struct kyc_pgq q = {0};
	PGresult *r;
	kyc__pgq_text(&q, tenant_id);
	int rc =
	    kyc__pg_query(s, "SELECT key, body FROM idempotency_keys WHERE tenant_id=$1", &q, &r);
	if (rc)
		return rc;
	int rows = PQntuples(r);
	for (int i = 0; !rc && i < rows; i++) {
		size_t len = 0;
		unsigned char *body =
		    PQunescapeBytea((const unsigned char *)PQgetvalue(r, i, 1), &len);
		if (!body) {
			rc = KYC_ERR_NOMEM;
			break;
		}
		int hit = match(s, tenant_id, PQgetvalue(r, i, 0), body, len, ctx);
		PQfreemem(body);
		if (hit < 0) {
			rc = hit;
		} else if (hit) {
			struct kyc_pgq d = {0};
			kyc__pgq_text(&d, tenant_id);
			kyc__pgq_text(&d, PQgetvalue(r, i, 0));
			rc = kyc__pg_run(
			    s, "DELETE FROM idempotency_keys WHERE tenant_id=$1 AND key=$2", &d,
			    NULL);
		}
	}
	PQclear(r);
	return rc;
}

static int pg_retention_due(kyc_store *s, const char *tenant_id, enum kyc_retention_kind kind,
                            int64_t closed_before_ms, int limit, json_t **ids)
{
	struct kyc_pgq q = {0};
	PGresult *r;
	kyc__pgq_text(&q, tenant_id);
	kyc__pgq_int(&q, closed_before_ms);
	kyc__pgq_int(&q, limit);
	int rc = kyc__pg_query(s, kyc__retention_due_sql[kind], &q, &r);
	if (rc)
		return rc;
	json_t *out = json_array();
	int rows = PQntuples(r);
	for (int i = 0; out && i < rows; i++)
		if (json_array_append_new(out, json_string(PQgetvalue(r, i, 0)))) {
			json_decref(out);
			out = NULL;
		}
	PQclear(r);
	*ids = out;
	return out ? 0 : KYC_ERR_NOMEM;
}

const struct kyc_store_erase_ops kyc__pg_erase_ops = {
    .history_scrub = pg_history_scrub,
    .hosted_tokens_delete = pg_hosted_tokens_delete,
    .idem_forget = pg_idem_forget,
    .retention_due = pg_retention_due,
    .log_truncate = kyc__pg_log_truncate,
};
