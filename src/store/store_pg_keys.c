/* The PostgreSQL backend's half of encryption at rest: the data_keys table
 * (store_int.h, "data keys"; migration 8 as the dialect translates it). The
 * sealing itself is store.c's and store_seal.c's, the same for both
 * backends. */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "store/store_pg_int.h"

static int pg_dk_get(kyc_store *s, const char *tenant_id, const char *owner_id,
                     struct kyc__dk_row *out)
{
	struct kyc_pgq q = {0};
	kyc__pgq_text(&q, tenant_id);
	kyc__pgq_text(&q, owner_id);
	return kyc__pg_row_fields(s, kyc__dk_get_sql, &q, &kyc__dk_fields, out);
}

static int pg_dk_put(kyc_store *s, const char *tenant_id, const char *owner_id,
                     const struct kyc__dk_row *row, int replace)
{
	struct kyc_pgq q = {0};
	kyc__pgq_text(&q, tenant_id);
	kyc__pgq_text(&q, owner_id);
	kyc__pgq_text(&q, row->master_id);
	kyc__pgq_bytes(&q, row->wrapped, sizeof row->wrapped);
	kyc__pgq_int(&q, kyc_now_ms());
	return kyc__pg_run(s, replace ? kyc__dk_replace_sql : kyc__dk_insert_sql, &q, NULL);
}

static int pg_dk_delete(kyc_store *s, const char *tenant_id, const char *owner_id)
{
	struct kyc_pgq q = {0};
	kyc__pgq_text(&q, owner_id);
	kyc__pgq_text(&q, tenant_id);
	return kyc__pg_change(s, kyc__dk_delete_sql, &q, KYC_ERR_NOTFOUND);
}

/* The first column of every row of sql (with text parameter a when not
 * NULL) as an array of strings, at most max (0: all). */
static int strings_of(kyc_store *s, const char *sql, const char *a, int max, json_t **out)
{
	struct kyc_pgq q = {0};
	PGresult *r;
	*out = NULL;
	if (a)
		kyc__pgq_text(&q, a);
	int rc = kyc__pg_query(s, sql, a ? &q : NULL, &r);
	if (rc)
		return rc;
	json_t *arr = json_array();
	int n = PQntuples(r);
	for (int i = 0; arr && i < n && (max == 0 || i < max); i++)
		if (json_array_append_new(arr, json_string(PQgetvalue(r, i, 0)))) {
			json_decref(arr);
			arr = NULL;
		}
	PQclear(r);
	*out = arr;
	return arr ? 0 : KYC_ERR_NOMEM;
}

static int pg_dk_tenants(kyc_store *s, const char *master_id, int max, json_t **tenants,
                         json_t **masters)
{
	int rc = strings_of(s, kyc__dk_tenants_sql, master_id, max, tenants);
	if (!rc && masters)
		rc = strings_of(s, kyc__dk_masters_sql, NULL, 0, masters);
	return rc;
}

static int pg_applicant_of(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id,
                           char out[37])
{
	if (t != KYC_R_VERIFICATION && t != KYC_R_DOCUMENT)
		return KYC_ERR_INVALID;
	struct kyc_pgq q = {0};
	PGresult *r;
	out[0] = '\0';
	kyc__pgq_text(&q, id);
	kyc__pgq_text(&q, tenant_id);
	int rc = kyc__pg_row(s,
	                     t == KYC_R_VERIFICATION ? kyc__applicant_of_verification_sql
	                                             : kyc__applicant_of_document_sql,
	                     &q, &r);
	if (rc)
		return rc;
	kyc__pg_text(r, 0, 0, out, 37);
	PQclear(r);
	return 0;
}

const struct kyc_store_key_ops kyc__pg_key_ops = {
    .dk_get = pg_dk_get,
    .dk_put = pg_dk_put,
    .dk_delete = pg_dk_delete,
    .dk_tenants = pg_dk_tenants,
    .applicant_of = pg_applicant_of,
};
