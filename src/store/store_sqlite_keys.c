/* The SQLite backend's half of encryption at rest: the data_keys table
 * (store_int.h, "data keys") and sealing what was written before migration 8. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "store/blob.h"
#include "store/store_seal.h"
#include "store/store_sqlite_int.h"

static int sqlite_dk_get(kyc_store *s, const char *tenant_id, const char *owner_id,
		      struct kyc__dk_row *out)
{
	sqlite3_stmt *st;
	int rc = kyc__sqlite_prepare_text(s, kyc__dk_get_sql, tenant_id, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 2, owner_id, -1, SQLITE_STATIC);
	return kyc__sqlite_row_fields(s, st, &kyc__dk_fields, out);
}

static int sqlite_dk_put(kyc_store *s, const char *tenant_id, const char *owner_id,
		      const struct kyc__dk_row *row, int replace)
{
	sqlite3_stmt *st;
	int rc = kyc__sqlite_prepare_text(s, replace ? kyc__dk_replace_sql : kyc__dk_insert_sql,
	                                  tenant_id, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 2, owner_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, row->master_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, row->wrapped, sizeof row->wrapped, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, kyc_now_ms());
	rc = kyc__sqlite_run(s, st);
	return rc;
}

static int sqlite_dk_delete(kyc_store *s, const char *tenant_id, const char *owner_id)
{
	return kyc__store_delete_row(s, kyc__dk_delete_sql, owner_id, tenant_id);
}

/* The first column of every row of sql (bound to text a when not NULL)
 * appended to *out as strings, at most max (0: all). */
static int strings_of(kyc_store *s, const char *sql, const char *a, int max, json_t **out)
{
	sqlite3_stmt *st;
	*out = json_array();
	int rc = *out ? kyc__store_prepare(s, sql, &st) : KYC_ERR_NOMEM;
	if (rc)
		return rc;
	if (a)
		sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	       (max == 0 || json_array_size(*out) < (size_t)max))
		json_array_append_new(*out, json_string((const char *)sqlite3_column_text(st, 0)));
	rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : kyc__store_map(s, rc);
	kyc__store_release(s, st);
	return rc;
}

static int sqlite_dk_tenants(kyc_store *s, const char *master_id, int max, json_t **tenants,
			  json_t **masters)
{
	int rc = strings_of(s, kyc__dk_tenants_sql, master_id, max, tenants);
	if (!rc && masters)
		rc = strings_of(s, kyc__dk_masters_sql, NULL, 0, masters);
	return rc;
}

static int sqlite_applicant_of(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id,
			    char out[37])
{
	if (t != KYC_R_VERIFICATION && t != KYC_R_DOCUMENT)
		return KYC_ERR_INVALID;
	sqlite3_stmt *st;
	int rc =
	    kyc__sqlite_prepare_text(s,
	                             t == KYC_R_VERIFICATION ? kyc__applicant_of_verification_sql
	                                                     : kyc__applicant_of_document_sql,
	                             id, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 2, tenant_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	out[0] = '\0';
	if (rc == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(st, 0);
		snprintf(out, 37, "%s", a ? a : "");
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? KYC_ERR_NOTFOUND : kyc__store_map(s, rc);
	}
	kyc__store_release(s, st);
	return rc;
}

const struct kyc_store_key_ops kyc__sqlite_key_ops = {
	.dk_get = sqlite_dk_get,
	.dk_put = sqlite_dk_put,
	.dk_delete = sqlite_dk_delete,
	.dk_tenants = sqlite_dk_tenants,
	.applicant_of = sqlite_applicant_of,
};

/* ---- sealing what was written before migration 8 ---- */

/* Rewrites the personal columns of one record of type t with their sealed
 * form, as kyc_store_update would but without a new version (the record
 * did not change). */
static int seal_row(kyc_store *s, enum kyc_rtype t, const char *tenant, const char *id)
{
	const struct kyc_table *tb = &kyc__tables[t];
	json_t *rec = NULL, *sealed = NULL;
	int rc = kyc_store_get(s, t, tenant, id, &rec);
	rc = rc ? rc : kyc__seal_record(s, t, tenant, id, rec, 0, &sealed);
	kyc_buf sql;
	kyc_buf_init(&sql, 4096);
	rc = rc ? rc : kyc_buf_printf(&sql, "UPDATE %s SET id=id", tb->name);
	for (int i = 0; i < tb->ncols && !rc; i++)
		if (tb->cols[i].seal != KYC_SEAL_PLAIN)
			rc = kyc_buf_printf(&sql, ", %s=?", tb->cols[i].name);
	rc = rc ? rc : kyc_buf_puts(&sql, " WHERE id=? AND tenant_id=?");
	sqlite3_stmt *st = NULL;
	rc = rc ? rc : kyc__store_prepare(s, sql.data, &st);
	int idx = 1;
	for (int i = 0; i < tb->ncols && !rc; i++)
		if (tb->cols[i].seal != KYC_SEAL_PLAIN)
			rc = kyc__store_bind(st, idx++, tb->cols[i].kind,
					     json_object_get(sealed, tb->cols[i].name));
	if (!rc) {
		sqlite3_bind_text(st, idx++, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, idx++, tenant, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		rc = rc == SQLITE_DONE ? 0 : kyc__store_map(s, rc);
	}
	kyc__store_release(s, st);
	kyc_buf_release(&sql);
	/* the file's blob too, when it is not sealed yet */
	if (!rc && t == KYC_R_FILE && s && json_is_string(json_object_get(rec, "path"))) {
		const char *rel = json_string_value(json_object_get(rec, "path"));
		kyc_buf raw;
		kyc_buf_init(&raw, (size_t)1 << 30);
		char relpath[128];
		int brc = kyc__blob_read_raw(kyc__store_data_dir(s), rel, &raw);
		if (!brc && (raw.len < 4 || memcmp(raw.data, "KYE1", 4))) {
			rc = kyc_blob_write(s, kyc__store_data_dir(s), tenant, NULL, id, raw.data,
					    raw.len, relpath, sizeof relpath);
			if (!rc && strcmp(relpath, rel))
				rc = KYC_ERR_INTERNAL; /* a blob not where its id says */
		}
		if (raw.data)
			sodium_memzero(raw.data, raw.len);
		kyc_buf_release(&raw);
	}
	json_decref(rec);
	json_decref(sealed);
	return rc;
}

int kyc__store_seal_existing(kyc_store *s, char *err, size_t errsz)
{
	static const enum kyc_rtype types[] = {KYC_R_APPLICANT, KYC_R_VERIFICATION, KYC_R_DOCUMENT,
					       KYC_R_FILE,      KYC_R_EVENT,        KYC_R_HISTORY};
	long sealed = 0;
	/* one transaction: all or nothing; the audit trail's append-only
	 * trigger is lifted for it and put back before the commit, as the
	 * migrations left it (migration 9 lets erasure blank its details) */
	char *trigger = NULL;
	int rc = kyc_store_begin(s);
	if (!rc) {
		sqlite3_stmt *st;
		rc = kyc__store_prepare(s,
					"SELECT sql FROM sqlite_master WHERE type='trigger' AND "
					"name='verification_history_append_only'",
					&st);
		if (!rc) {
			if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
				trigger = strdup((const char *)sqlite3_column_text(st, 0));
			kyc__store_release(s, st);
			rc = trigger ? 0 : KYC_ERR_IO;
		}
	}
	rc = rc ? rc
		: sqlite3_exec(kyc__store_db(s), "DROP TRIGGER verification_history_append_only",
			       NULL, NULL, NULL) == SQLITE_OK
		? 0
		: KYC_ERR_IO;
	for (size_t k = 0; k < sizeof types / sizeof types[0] && !rc; k++) {
		char sql[128];
		sqlite3_stmt *st;
		snprintf(sql, sizeof sql, "SELECT tenant_id, id FROM %s", kyc__tables[types[k]].name);
		json_t *rows = json_array();
		rc = kyc__store_prepare(s, sql, &st);
		while (!rc && sqlite3_step(st) == SQLITE_ROW)
			json_array_append_new(rows, json_pack("[s,s]", sqlite3_column_text(st, 0),
							      sqlite3_column_text(st, 1)));
		if (!rc)
			kyc__store_release(s, st);
		size_t i;
		json_t *r;
		json_array_foreach(rows, i, r)
		{
			rc = rc ? rc
				: seal_row(s, types[k], json_string_value(json_array_get(r, 0)),
					   json_string_value(json_array_get(r, 1)));
			sealed += !rc;
		}
		json_decref(rows);
	}
	if (!rc && sqlite3_exec(kyc__store_db(s), trigger, NULL, NULL, NULL) != SQLITE_OK)
		rc = KYC_ERR_IO;
	free(trigger);
	/* idempotent responses may hold personal data and expire in a day:
	 * dropped rather than sealed */
	if (!rc && sqlite3_exec(kyc__store_db(s), "DELETE FROM idempotency_keys", NULL, NULL,
				NULL) != SQLITE_OK)
		rc = KYC_ERR_IO;
	if (rc) {
		snprintf(err, errsz, "sealing the records written before encryption failed: %s (%s)",
			 kyc_err_name(rc), kyc_store_errmsg(s));
		kyc_store_rollback(s);
		return rc;
	}
	rc = kyc_store_commit(s);
	/* the pages that held the plaintext are free now, not blank: rebuild
	 * the file, and empty the WAL that still has them */
	if (!rc && sqlite3_exec(kyc__store_db(s),
				"VACUUM; PRAGMA wal_checkpoint(TRUNCATE);", NULL, NULL,
				NULL) != SQLITE_OK)
		rc = kyc__store_map(s, SQLITE_IOERR);
	if (!rc)
		kyc_logf(KYC_LOG_WARN, "sealed %ld records written before encryption at rest "
				       "(migration 8)", sealed);
	return rc;
}
