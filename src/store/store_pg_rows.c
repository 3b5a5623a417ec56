/* The PostgreSQL side of tenants, API keys and idempotency records
 * (store.h), the same statements as store_sqlite.c in PostgreSQL's
 * placeholders; unique keys go through ON CONFLICT so that a duplicate
 * never aborts the caller's transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/rand.h"
#include "store/store_pg_int.h"

/* ---- tenants ---- */

int kyc__pg_tenant_create(kyc_store *s, const char *name, char id_out[37])
{
	struct kyc_pgq q = {0};
	int rc = kyc_uuid_new(id_out);
	if (rc)
		return rc;
	kyc__pgq_text(&q, id_out);
	kyc__pgq_text(&q, name);
	kyc__pgq_int(&q, kyc_now_ms());
	return kyc__pg_run(s, "INSERT INTO tenants(id, name, created_at) VALUES ($1,$2,$3)", &q,
			   NULL);
}

int kyc__pg_tenant_find(kyc_store *s, const char *name, char id_out[37])
{
	struct kyc_pgq q = {0};
	PGresult *r;
	kyc__pgq_text(&q, name);
	int rc = kyc__pg_row(s, "SELECT id FROM tenants WHERE name=$1 ORDER BY created_at LIMIT 1",
			     &q, &r);
	if (rc)
		return rc;
	kyc__pg_text(r, 0, 0, id_out, 37);
	PQclear(r);
	return 0;
}

int kyc__pg_tenant_exists(kyc_store *s, const char *tenant_id)
{
	struct kyc_pgq q = {0};
	PGresult *r;
	kyc__pgq_text(&q, tenant_id);
	if (kyc__pg_row(s, "SELECT 1 FROM tenants WHERE id=$1", &q, &r))
		return 0;
	PQclear(r);
	return 1;
}

int kyc__pg_tenant_ids(kyc_store *s, json_t **out)
{
	PGresult *r;
	*out = NULL;
	int rc = kyc__pg_query(s, "SELECT id FROM tenants ORDER BY created_at", NULL, &r);
	if (rc)
		return rc;
	json_t *ids = json_array();
	for (int i = 0; ids && i < PQntuples(r); i++)
		json_array_append_new(ids, json_string(PQgetvalue(r, i, 0)));
	PQclear(r);
	*out = ids;
	return ids ? 0 : KYC_ERR_NOMEM;
}

int kyc__pg_tenant_settings(kyc_store *s, const char *tenant_id, json_t **out)
{
	struct kyc_pgq q = {0};
	PGresult *r;
	*out = NULL;
	kyc__pgq_text(&q, tenant_id);
	int rc = kyc__pg_row(s, "SELECT settings FROM tenants WHERE id=$1", &q, &r);
	if (rc)
		return rc;
	*out = json_loads(PQgetisnull(r, 0, 0) ? "{}" : PQgetvalue(r, 0, 0), 0, NULL);
	PQclear(r);
	if (*out && json_is_object(*out))
		return 0;
	json_decref(*out);
	*out = NULL;
	return KYC_ERR_INTERNAL;
}

int kyc__pg_tenant_settings_set(kyc_store *s, const char *tenant_id, const json_t *settings)
{
	struct kyc_pgq q = {0};
	kyc__pgq_take(&q, json_dumps(settings, JSON_COMPACT | JSON_SORT_KEYS));
	kyc__pgq_text(&q, tenant_id);
	int rc =
	    kyc__pg_change(s, "UPDATE tenants SET settings=$1 WHERE id=$2", &q, KYC_ERR_NOTFOUND);
	kyc__pgq_release(&q);
	return rc;
}

/* ---- API keys ---- */

int kyc__pg_key_insert(kyc_store *s, const struct kyc_key_row *row)
{
	struct kyc_pgq q = {0};
	kyc__pgq_fields(&q, &kyc__key_insert_fields, row);
	return kyc__pg_change(s,
	                      "INSERT INTO api_keys(id, tenant_id, role, secret_hash, created_at) "
	                      "VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING",
	                      &q, KYC_ERR_CONFLICT);
}

int kyc__pg_key_get(kyc_store *s, const char *key_id, struct kyc_key_row *out)
{
	struct kyc_pgq q = {0};
	PGresult *r;
	kyc__pgq_text(&q, key_id);
	int rc = kyc__pg_row(s, kyc__key_get_sql, &q, &r);
	if (rc)
		return rc;
	/* a secret hash of another size matches no key: read as zeros */
	(void)kyc__pg_read_fields(r, &kyc__key_fields, out);
	PQclear(r);
	return 0;
}

int kyc__pg_key_revoke(kyc_store *s, const char *key_id, int64_t now_ms)
{
	struct kyc_pgq q = {0};
	kyc__pgq_int(&q, now_ms);
	kyc__pgq_text(&q, key_id);
	return kyc__pg_change(
	    s, "UPDATE api_keys SET revoked_at=$1 WHERE id=$2 AND revoked_at IS NULL", &q,
	    KYC_ERR_NOTFOUND);
}

/* ---- idempotency ---- */

int kyc__pg_idem_get(kyc_store *s, const char *tenant_id, const char *key, int64_t not_before_ms,
		     struct kyc_idem_row *out)
{
	struct kyc_pgq q = {0};
	PGresult *r;
	memset(out, 0, sizeof *out);
	kyc__pgq_text(&q, tenant_id);
	kyc__pgq_text(&q, key);
	kyc__pgq_int(&q, not_before_ms);
	int rc = kyc__pg_row(s,
			     "SELECT request_hash, status, content_type, body, created_at FROM "
			     "idempotency_keys WHERE tenant_id=$1 AND key=$2 AND created_at>=$3",
			     &q, &r);
	if (rc)
		return rc;
	kyc__pg_bytes(r, 0, 0, out->request_hash, sizeof out->request_hash);
	out->status = (int)kyc__pg_int(r, 0, 1);
	kyc__pg_text(r, 0, 2, out->content_type, sizeof out->content_type);
	out->created_at = kyc__pg_int(r, 0, 4);
	size_t n = 0;
	unsigned char *body = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 3), &n);
	PQclear(r);
	if (!body)
		return KYC_ERR_NOMEM;
	out->body = malloc(n + 1);
	if (out->body) {
		memcpy(out->body, body, n);
		out->body[n] = '\0';
		out->body_len = n;
	}
	PQfreemem(body);
	return out->body ? 0 : KYC_ERR_NOMEM;
}

int kyc__pg_idem_put(kyc_store *s, const char *tenant_id, const char *key,
		     const struct kyc_idem_row *row)
{
	struct kyc_pgq q = {0};
	/* Replaces only an expired record, as store_sqlite.c does. */
	kyc__pgq_text(&q, tenant_id);
	kyc__pgq_text(&q, key);
	kyc__pgq_bytes(&q, row->request_hash, sizeof row->request_hash);
	kyc__pgq_int(&q, row->status);
	kyc__pgq_text(&q, row->content_type);
	kyc__pgq_bytes(&q, row->body ? row->body : "", row->body_len);
	kyc__pgq_int(&q, row->created_at ? row->created_at : kyc_now_ms());
	return kyc__pg_run(s,
			   "INSERT INTO idempotency_keys(tenant_id, key, request_hash, status, "
			   "content_type, body, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7) ON "
			   "CONFLICT(tenant_id, key) DO UPDATE SET request_hash=excluded.request_hash, "
			   "status=excluded.status, content_type=excluded.content_type, "
			   "body=excluded.body, created_at=excluded.created_at WHERE "
			   "excluded.created_at - idempotency_keys.created_at > 86400000",
			   &q, NULL);
}
