/* Generic record <-> row mapping for the resource types of the SQLite
 * backend, driven by the column tables in store_schema.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/rand.h"
#include "store/store_sqlite_int.h"

#define SQL_MAX 4096

/* Binds a JSON value to parameter idx as a column of kind k. JSON text is
 * allocated with SQLITE_TRANSIENT so the caller keeps nothing. */
int kyc__store_bind(sqlite3_stmt *st, int idx, enum kyc_col_kind k, const json_t *v)
{
	if (!v || json_is_null(v))
		return sqlite3_bind_null(st, idx) == SQLITE_OK ? 0 : KYC_ERR_INTERNAL;
	switch (k) {
	case KYC_COL_TEXT:
		if (!json_is_string(v))
			return KYC_ERR_INVALID;
		sqlite3_bind_text(st, idx, json_string_value(v), (int)json_string_length(v),
				  SQLITE_TRANSIENT);
		return 0;
	case KYC_COL_INT:
	case KYC_COL_TIME:
		if (!json_is_integer(v))
			return KYC_ERR_INVALID;
		sqlite3_bind_int64(st, idx, json_integer_value(v));
		return 0;
	case KYC_COL_BOOL:
		if (!json_is_boolean(v))
			return KYC_ERR_INVALID;
		sqlite3_bind_int(st, idx, json_is_true(v));
		return 0;
	case KYC_COL_JSON: {
		char *txt = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (!txt)
			return KYC_ERR_NOMEM;
		sqlite3_bind_text(st, idx, txt, -1, SQLITE_TRANSIENT);
		free(txt);
		return 0;
	}
	}
	return KYC_ERR_INTERNAL;
}

/* A statement's current row for the record mapping (store_record.c). */
static int cell_null(const void *ctx, int col)
{
	return sqlite3_column_type((sqlite3_stmt *)ctx, col) == SQLITE_NULL;
}

static const char *cell_text(const void *ctx, int col, size_t *len)
{
	sqlite3_stmt *st = (sqlite3_stmt *)ctx;
	const char *v = (const char *)sqlite3_column_text(st, col);
	*len = (size_t)sqlite3_column_bytes(st, col);
	return v;
}

static int64_t cell_int(const void *ctx, int col)
{
	return sqlite3_column_int64((sqlite3_stmt *)ctx, col);
}

/* Appends NULL-terminated strings; SQL is assembled on every list call, and
 * plain copies are several times cheaper than printf here. */
static int cat(kyc_buf *b, ...)
{
	va_list ap;
	va_start(ap, b);
	int rc = 0;
	for (const char *p = va_arg(ap, const char *); p && !rc; p = va_arg(ap, const char *))
		rc = kyc_buf_puts(b, p);
	va_end(ap);
	return rc;
}

/* Builds a record from a row selected with kyc__store_select_sql(). */
static json_t *row_json(sqlite3_stmt *st, const struct kyc_table *tb)
{
	struct kyc__cells c = {cell_null, cell_text, cell_int, st};
	return kyc__store_row_record(tb, &c);
}

static int sqlite_insert(kyc_store *s, enum kyc_rtype t, const char *tenant_id, json_t *rec)
{
	const struct kyc_table *tb = &kyc__tables[t];
	const json_t *id = json_object_get(rec, "id");
	if (!json_is_string(id))
		return KYC_ERR_INVALID;
	if (kyc__store_check_keys(tb, rec, 1))
		return KYC_ERR_INVALID;
	kyc_buf sql;
	kyc_buf_init(&sql, SQL_MAX);
	int rc = kyc__store_insert_sql(&sql, tb);
	sqlite3_stmt *st = NULL;
	if (rc)
		goto out;
	rc = kyc__store_prepare(s, sql.data, &st);
	if (rc)
		goto out;
	int64_t now = kyc_now_ms();
	sqlite3_bind_text(st, 1, json_string_value(id), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, tenant_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, now);
	for (int i = 0; i < tb->ncols; i++) {
		rc = kyc__store_bind(st, 5 + i, tb->cols[i].kind, json_object_get(rec, tb->cols[i].name));
		if (rc)
			goto out;
	}
	rc = sqlite3_step(st);
	rc = rc == SQLITE_DONE ? 0 : kyc__store_map(s, rc);
out:
	kyc__store_release(s, st);
	kyc_buf_release(&sql);
	return rc;
}

static int sqlite_get(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id,
		  json_t **out)
{
	const struct kyc_table *tb = &kyc__tables[t];
	sqlite3_stmt **slot = kyc__store_get_stmt(s, t);
	*out = NULL;
	if (!*slot) {
		kyc_buf sql;
		kyc_buf_init(&sql, SQL_MAX);
		int rc = kyc__store_select_sql(&sql, tb);
		rc = rc ? rc : kyc_buf_puts(&sql, " WHERE id=? AND tenant_id=?");
		if (!rc) {
			rc = sqlite3_prepare_v2(kyc__store_db(s), sql.data, -1, slot, NULL);
			rc = rc == SQLITE_OK ? 0 : kyc__store_map(s, rc);
		}
		kyc_buf_release(&sql);
		if (rc)
			return rc;
	}
	sqlite3_stmt *st = *slot;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, tenant_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = row_json(st, tb);
		rc = *out ? 0 : KYC_ERR_NOMEM;
	} else {
		rc = rc == SQLITE_DONE ? KYC_ERR_NOTFOUND : kyc__store_map(s, rc);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

static int record_version(kyc_store *s, const struct kyc_table *tb, const char *tenant_id,
			  const char *id, int64_t *version)
{
	char sql[256];
	sqlite3_stmt *st;
	snprintf(sql, sizeof sql, "SELECT version FROM %s WHERE id=? AND tenant_id=?", tb->name);
	int rc = kyc__sqlite_prepare_text(s, sql, id, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 2, tenant_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*version = sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? KYC_ERR_NOTFOUND : kyc__store_map(s, rc);
	}
	kyc__store_release(s, st);
	return rc;
}

static int sqlite_update(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id,
		     const json_t *patch, int64_t expect_version)
{
	const struct kyc_table *tb = &kyc__tables[t];
	const char *key;
	json_t *val;
	if (kyc__store_check_keys(tb, patch, 0))
		return KYC_ERR_INVALID;
	kyc_buf sql;
	kyc_buf_init(&sql, SQL_MAX);
	sqlite3_stmt *st = NULL;
	int rc = kyc_buf_printf(&sql, "UPDATE %s SET version=version+1, updated_at=?", tb->name);
	json_object_foreach((json_t *)patch, key, val)
	{
		rc = rc ? rc : kyc_buf_printf(&sql, ", %s=?", key);
	}
	rc = rc ? rc : kyc_buf_puts(&sql, " WHERE id=? AND tenant_id=?");
	if (!rc && expect_version > 0)
		rc = kyc_buf_puts(&sql, " AND version=?");
	if (rc)
		goto out;
	rc = kyc__store_prepare(s, sql.data, &st);
	if (rc)
		goto out;
	int idx = 1;
	sqlite3_bind_int64(st, idx++, kyc_now_ms());
	json_object_foreach((json_t *)patch, key, val)
	{
		rc = kyc__store_bind(st, idx++, kyc__store_col(tb, key)->kind, val);
		if (rc)
			goto out;
	}
	sqlite3_bind_text(st, idx++, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, idx++, tenant_id, -1, SQLITE_TRANSIENT);
	if (expect_version > 0)
		sqlite3_bind_int64(st, idx++, expect_version);
	rc = sqlite3_step(st);
	rc = rc == SQLITE_DONE ? 0 : kyc__store_map(s, rc);
	if (!rc && sqlite3_changes(kyc__store_db(s)) == 0) {
		int64_t v;
		rc = record_version(s, tb, tenant_id, id, &v);
		if (!rc)
			rc = KYC_ERR_CONFLICT; /* exists, so the version did not match */
	}
out:
	kyc__store_release(s, st);
	kyc_buf_release(&sql);
	return rc;
}

static int sqlite_delete(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id)
{
	char sql[256];
	snprintf(sql, sizeof sql, "DELETE FROM %s WHERE id=? AND tenant_id=?", kyc__tables[t].name);
	return kyc__store_delete_row(s, sql, id, tenant_id);
}

int kyc__store_delete_row(kyc_store *s, const char *sql, const char *id, const char *tenant_id)
{
	sqlite3_stmt *st;
	int rc = kyc__sqlite_prepare_text(s, sql, id, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 2, tenant_id, -1, SQLITE_STATIC);
	rc = kyc__sqlite_run(s, st);
	if (!rc && sqlite3_changes(kyc__store_db(s)) == 0)
		rc = KYC_ERR_NOTFOUND;
	return rc;
}

/* Appends " AND col=?" (or "IS NULL") per filter key. */
static int filter_sql(kyc_buf *sql, const struct kyc_table *tb, const json_t *filter)
{
	const char *key;
	json_t *val;
	int rc = 0;
	json_object_foreach((json_t *)filter, key, val)
	{
		if (!kyc__store_col(tb, key) && strcmp(key, "id") != 0)
			return KYC_ERR_INVALID;
		if (json_is_null(val))
			rc = rc ? rc : cat(sql, " AND ", key, " IS NULL", (char *)NULL);
		else
			rc = rc ? rc : cat(sql, " AND ", key, "=?", (char *)NULL);
	}
	return rc;
}

static int filter_bind(sqlite3_stmt *st, int *idx, const struct kyc_table *tb,
		       const json_t *filter)
{
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)filter, key, val)
	{
		if (json_is_null(val))
			continue;
		const struct kyc_col *c = kyc__store_col(tb, key);
		int rc = kyc__store_bind(st, (*idx)++, c ? c->kind : KYC_COL_TEXT, val);
		if (rc)
			return rc;
	}
	return 0;
}

static int sqlite_list(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const json_t *filter,
		      const char *cursor, int limit, int asc, struct kyc_store_page *out)
{
	const struct kyc_table *tb = &kyc__tables[t];
	struct kyc__list_from from;
	if (kyc__store_list_start(cursor, &limit, &from, out))
		return KYC_ERR_INVALID;
	kyc_buf sql;
	kyc_buf_init(&sql, SQL_MAX);
	sqlite3_stmt *st = NULL;
	int rc = kyc__store_select_sql(&sql, tb);
	rc = rc ? rc : kyc_buf_puts(&sql, " WHERE tenant_id=?");
	rc = rc ? rc : (filter ? filter_sql(&sql, tb, filter) : 0);
	if (!rc && from.have)
		rc = kyc_buf_puts(&sql, asc ? " AND (created_at>? OR (created_at=? AND id>?))"
					    : " AND (created_at<? OR (created_at=? AND id<?))");
	rc = rc ? rc : kyc_buf_puts(&sql, asc ? " ORDER BY created_at ASC, id ASC LIMIT ?"
					      : " ORDER BY created_at DESC, id DESC LIMIT ?");
	if (rc)
		goto out;
	rc = kyc__store_prepare(s, sql.data, &st);
	if (rc)
		goto out;
	int idx = 1;
	sqlite3_bind_text(st, idx++, tenant_id, -1, SQLITE_TRANSIENT);
	if (filter && (rc = filter_bind(st, &idx, tb, filter)))
		goto out;
	if (from.have) {
		sqlite3_bind_int64(st, idx++, from.created);
		sqlite3_bind_int64(st, idx++, from.created);
		sqlite3_bind_text(st, idx++, from.id, -1, SQLITE_TRANSIENT);
	}
	sqlite3_bind_int(st, idx++, limit + 1);
	out->items = json_array();
	int n = 0;
	int64_t last_created = 0;
	char last_id[64] = "";
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == limit) {
			kyc__store_cursor_encode(out->next_cursor, sizeof out->next_cursor, last_created,
				      last_id);
			continue;
		}
		json_array_append_new(out->items, row_json(st, tb));
		last_created = sqlite3_column_int64(st, 2);
		snprintf(last_id, sizeof last_id, "%s", (const char *)sqlite3_column_text(st, 0));
		n++;
	}
	rc = rc == SQLITE_DONE ? 0 : kyc__store_map(s, rc);
out:
	if (rc && out->items) {
		json_decref(out->items);
		out->items = NULL;
	}
	kyc__store_release(s, st);
	kyc_buf_release(&sql);
	return rc;
}

static int sqlite_verification_match(kyc_store *s, const char *tenant_id,
				 const struct kyc_store_match *m, json_t **out)
{
	char sql[360];
	if (kyc__store_match_sql(sql, sizeof sql, m, "IS NOT"))
		return KYC_ERR_INVALID;
	sqlite3_stmt *st;
	int rc = kyc__sqlite_prepare_text(s, sql, tenant_id, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 2, m->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, m->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, m->decided_since_ms);
	sqlite3_bind_text(st, 5, m->applicant_id ? m->applicant_id : "", -1, SQLITE_STATIC);
	if (m->exclude_id)
		sqlite3_bind_text(st, 6, m->exclude_id, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 6);
	char id[64] = "";
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(id, sizeof id, "%s", (const char *)sqlite3_column_text(st, 0));
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : kyc__store_map(s, rc);
	kyc__store_release(s, st);
	if (!rc && id[0])
		rc = kyc_store_get(s, KYC_R_VERIFICATION, tenant_id, id, out);
	return rc;
}

static int sqlite_stamp(kyc_store *s, const char *sql, const char *tenant_id, const char *id,
			char *out, size_t outsz)
{
	sqlite3_stmt *st;
	int rc = kyc__sqlite_prepare_text(s, sql, tenant_id, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	size_t n = 0;
	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW)
		rc = kyc__stamp_row(out, outsz, &n, (const char *)sqlite3_column_text(st, 0),
				    sqlite3_column_int64(st, 1));
	rc = rc == SQLITE_DONE ? 0 : rc < 0 ? rc : kyc__store_map(s, rc);
	kyc__store_release(s, st);
	return rc;
}

const struct kyc_store_resource_ops kyc__sqlite_resource_ops = {
	.insert = sqlite_insert,
	.get = sqlite_get,
	.update = sqlite_update,
	.remove = sqlite_delete,
	.list = sqlite_list,
	.verification_match = sqlite_verification_match,
	.stamp = sqlite_stamp,
};
