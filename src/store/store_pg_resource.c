/* Generic record <-> row mapping for the resource types on PostgreSQL,
 * driven by the column tables in store_schema.c like
 * store_sqlite_resource.c. A record's values become statement parameters
 * in one place (pg_param) and a row becomes a record in one place
 * (pg_record, through store_record.c), so a transformation of stored values has one call per
 * direction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "store/store_pg_int.h"

#define SQL_MAX 4096

/* Adds a record value as the parameter of a column of kind k. */
static int pg_param(struct kyc_pgq *q, enum kyc_col_kind k, const json_t *v)
{
	if (!v || json_is_null(v)) {
		kyc__pgq_text(q, NULL);
		return 0;
	}
	switch (k) {
	case KYC_COL_TEXT:
		if (!json_is_string(v))
			return KYC_ERR_INVALID;
		kyc__pgq_text(q, json_string_value(v));
		return 0;
	case KYC_COL_INT:
	case KYC_COL_TIME:
		if (!json_is_integer(v))
			return KYC_ERR_INVALID;
		kyc__pgq_int(q, json_integer_value(v));
		return 0;
	case KYC_COL_BOOL:
		if (!json_is_boolean(v))
			return KYC_ERR_INVALID;
		kyc__pgq_int(q, json_is_true(v));
		return 0;
	case KYC_COL_JSON:
		kyc__pgq_take(q, json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY));
		return 0;
	}
	return KYC_ERR_INTERNAL;
}

/* A result row's cells for the record mapping (store_record.c). */
struct pg_cells {
	const PGresult *r;
	int row;
};

static int pg_cell_null(const void *ctx, int col)
{
	const struct pg_cells *c = ctx;
	return PQgetisnull(c->r, c->row, col);
}

static const char *pg_cell_text(const void *ctx, int col, size_t *len)
{
	const struct pg_cells *c = ctx;
	*len = (size_t)PQgetlength(c->r, c->row, col);
	return PQgetvalue(c->r, c->row, col);
}

static int64_t pg_cell_int(const void *ctx, int col)
{
	const struct pg_cells *c = ctx;
	return kyc__pg_int(c->r, c->row, col);
}

/* Builds a record from a row selected with kyc__store_select_sql(). */
static json_t *pg_record(const PGresult *r, int row, const struct kyc_table *tb)
{
	struct pg_cells pc = {r, row};
	struct kyc__cells c = {pg_cell_null, pg_cell_text, pg_cell_int, &pc};
	return kyc__store_row_record(tb, &c);
}

static int pg_insert(kyc_store *s, enum kyc_rtype t, const char *tenant_id, json_t *rec)
{
	const struct kyc_table *tb = &kyc__tables[t];
	const json_t *id = json_object_get(rec, "id");
	if (!json_is_string(id) || kyc__store_check_keys(tb, rec, 1))
		return KYC_ERR_INVALID;
	kyc_buf sql;
	kyc_buf_init(&sql, SQL_MAX);
	struct kyc_pgq q = {0};
	int rc = kyc__store_insert_sql(&sql, tb);
	/* a duplicate id is a conflict that leaves the transaction usable */
	rc = rc ? rc : kyc_buf_puts(&sql, " ON CONFLICT DO NOTHING");
	if (rc)
		goto out;
	int64_t now = kyc_now_ms();
	kyc__pgq_text(&q, json_string_value(id));
	kyc__pgq_text(&q, tenant_id);
	kyc__pgq_int(&q, now);
	kyc__pgq_int(&q, now);
	for (int i = 0; i < tb->ncols && !rc; i++)
		rc = pg_param(&q, tb->cols[i].kind, json_object_get(rec, tb->cols[i].name));
	int added = 0;
	rc = rc ? rc : kyc__pg_run(s, sql.data, &q, &added);
	if (!rc && !added)
		rc = KYC_ERR_CONFLICT;
out:
	kyc__pgq_release(&q);
	kyc_buf_release(&sql);
	return rc;
}

static int pg_get(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id,
		  json_t **out)
{
	const struct kyc_table *tb = &kyc__tables[t];
	*out = NULL;
	kyc_buf sql;
	kyc_buf_init(&sql, SQL_MAX);
	struct kyc_pgq q = {0};
	PGresult *r = NULL;
	int rc = kyc__store_select_sql(&sql, tb);
	rc = rc ? rc : kyc_buf_puts(&sql, " WHERE id=$1 AND tenant_id=$2");
	kyc__pgq_text(&q, id);
	kyc__pgq_text(&q, tenant_id);
	rc = rc ? rc : kyc__pg_row(s, sql.data, &q, &r);
	if (!rc) {
		*out = pg_record(r, 0, tb);
		rc = *out ? 0 : KYC_ERR_NOMEM;
	}
	PQclear(r);
	kyc_buf_release(&sql);
	return rc;
}

/* n strings as a text[] literal, each quoted. */
static int text_array(kyc_buf *b, int n, const char *const *v)
{
	int rc = kyc_buf_puts(b, "{");
	for (int i = 0; i < n && !rc; i++) {
		rc = kyc_buf_puts(b, i ? ",\"" : "\"");
		for (const char *p = v[i]; *p && !rc; p++)
			rc = *p == '"' || *p == '\\' ? kyc_buf_printf(b, "\\%c", *p)
						     : kyc_buf_append(b, p, 1);
		rc = rc ? rc : kyc_buf_puts(b, "\"");
	}
	return rc ? rc : kyc_buf_puts(b, "}");
}

/* One query for the lot: (id, tenant_id) pairs as two arrays. */
static int pg_get_many(kyc_store *s, enum kyc_rtype t, int n, const char *const *tenant_ids,
		       const char *const *ids, json_t **out)
{
	const struct kyc_table *tb = &kyc__tables[t];
	kyc_buf sql, a_ids, a_tenants;
	kyc_buf_init(&sql, SQL_MAX);
	kyc_buf_init(&a_ids, (size_t)n * 128 + 8);
	kyc_buf_init(&a_tenants, (size_t)n * 128 + 8);
	struct kyc_pgq q = {0};
	PGresult *r = NULL;
	int rc = kyc__store_select_sql(&sql, tb);
	rc = rc ? rc
		: kyc_buf_puts(&sql, " WHERE (id, tenant_id) IN (SELECT * FROM "
				     "unnest($1::text[], $2::text[]))");
	rc = rc ? rc : text_array(&a_ids, n, ids);
	rc = rc ? rc : text_array(&a_tenants, n, tenant_ids);
	if (rc)
		goto out;
	kyc__pgq_text(&q, a_ids.data);
	kyc__pgq_text(&q, a_tenants.data);
	if ((rc = kyc__pg_query(s, sql.data, &q, &r)))
		goto out;
	for (int row = 0; row < PQntuples(r) && !rc; row++) {
		const char *id = PQgetvalue(r, row, 0);
		json_t *rec = NULL;
		for (int i = 0; i < n && !rc; i++) {
			if (out[i] || strcmp(ids[i], id))
				continue;
			/* an id asked twice gets its own copy: opening changes a record */
			out[i] = rec ? json_deep_copy(rec) : (rec = pg_record(r, row, tb));
			rc = out[i] ? 0 : KYC_ERR_NOMEM;
		}
	}
out:
	PQclear(r);
	kyc_buf_release(&a_tenants);
	kyc_buf_release(&a_ids);
	kyc_buf_release(&sql);
	return rc;
}

static int record_exists(kyc_store *s, const struct kyc_table *tb, const char *tenant_id,
			 const char *id)
{
	char sql[256];
	struct kyc_pgq q = {0};
	PGresult *r;
	snprintf(sql, sizeof sql, "SELECT 1 FROM %s WHERE id=$1 AND tenant_id=$2", tb->name);
	kyc__pgq_text(&q, id);
	kyc__pgq_text(&q, tenant_id);
	int rc = kyc__pg_row(s, sql, &q, &r);
	PQclear(r);
	return rc;
}

static int pg_update(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id,
		     const json_t *patch, int64_t expect_version)
{
	const struct kyc_table *tb = &kyc__tables[t];
	if (kyc__store_check_keys(tb, patch, 0))
		return KYC_ERR_INVALID;
	kyc_buf sql;
	kyc_buf_init(&sql, SQL_MAX);
	struct kyc_pgq q = {0};
	const char *key;
	json_t *val;
	int rc = kyc_buf_printf(&sql, "UPDATE %s SET version=version+1, updated_at=$1", tb->name);
	kyc__pgq_int(&q, kyc_now_ms());
	json_object_foreach((json_t *)patch, key, val)
	{
		rc = rc ? rc : kyc_buf_printf(&sql, ", %s=$%d", key, q.n + 1);
		rc = rc ? rc : pg_param(&q, kyc__store_col(tb, key)->kind, val);
	}
	rc = rc ? rc : kyc_buf_printf(&sql, " WHERE id=$%d AND tenant_id=$%d", q.n + 1, q.n + 2);
	kyc__pgq_text(&q, id);
	kyc__pgq_text(&q, tenant_id);
	if (!rc && expect_version > 0) {
		rc = kyc_buf_printf(&sql, " AND version=$%d", q.n + 1);
		kyc__pgq_int(&q, expect_version);
	}
	int changed = 0;
	rc = rc ? rc : kyc__pg_run(s, sql.data, &q, &changed);
	if (!rc && !changed) {
		rc = record_exists(s, tb, tenant_id, id);
		if (!rc)
			rc = KYC_ERR_CONFLICT; /* exists, so the version did not match */
	}
	kyc__pgq_release(&q);
	kyc_buf_release(&sql);
	return rc;
}

static int pg_delete(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id)
{
	char sql[256];
	struct kyc_pgq q = {0};
	snprintf(sql, sizeof sql, "DELETE FROM %s WHERE id=$1 AND tenant_id=$2", kyc__tables[t].name);
	kyc__pgq_text(&q, id);
	kyc__pgq_text(&q, tenant_id);
	return kyc__pg_change(s, sql, &q, KYC_ERR_NOTFOUND);
}

/* Appends " AND col=$n" (or "IS NULL") per filter key, and its parameter. */
static int filter_sql(kyc_buf *sql, struct kyc_pgq *q, const struct kyc_table *tb,
		      const json_t *filter)
{
	const char *key;
	json_t *val;
	int rc = 0;
	json_object_foreach((json_t *)filter, key, val)
	{
		const struct kyc_col *c = kyc__store_col(tb, key);
		if (!c && strcmp(key, "id") != 0)
			return KYC_ERR_INVALID;
		if (json_is_null(val)) {
			rc = rc ? rc : kyc_buf_printf(sql, " AND %s IS NULL", key);
			continue;
		}
		rc = rc ? rc : kyc_buf_printf(sql, " AND %s=$%d", key, q->n + 1);
		rc = rc ? rc : pg_param(q, c ? c->kind : KYC_COL_TEXT, val);
	}
	return rc;
}

static int pg_list(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const json_t *filter,
		   const char *cursor, int limit, int asc, struct kyc_store_page *out)
{
	const struct kyc_table *tb = &kyc__tables[t];
	struct kyc__list_from from;
	if (kyc__store_list_start(cursor, &limit, &from, out))
		return KYC_ERR_INVALID;
	kyc_buf sql;
	kyc_buf_init(&sql, SQL_MAX);
	struct kyc_pgq q = {0};
	PGresult *r = NULL;
	int rc = kyc__store_select_sql(&sql, tb);
	rc = rc ? rc : kyc_buf_puts(&sql, " WHERE tenant_id=$1");
	kyc__pgq_text(&q, tenant_id);
	rc = rc ? rc : (filter ? filter_sql(&sql, &q, tb, filter) : 0);
	if (!rc && from.have) {
		rc = kyc_buf_printf(&sql, asc ? " AND (created_at>$%d OR (created_at=$%d AND id>$%d))"
					      : " AND (created_at<$%d OR (created_at=$%d AND id<$%d))",
				    q.n + 1, q.n + 1, q.n + 2);
		kyc__pgq_int(&q, from.created);
		kyc__pgq_text(&q, from.id);
	}
	rc = rc ? rc
		: kyc_buf_printf(&sql,
				 asc ? " ORDER BY created_at ASC, id ASC LIMIT $%d"
				     : " ORDER BY created_at DESC, id DESC LIMIT $%d",
				 q.n + 1);
	kyc__pgq_int(&q, limit + 1);
	rc = rc ? rc : kyc__pg_query(s, sql.data, &q, &r);
	if (rc)
		goto out;
	out->items = json_array();
	int n = PQntuples(r) < limit ? PQntuples(r) : limit;
	for (int i = 0; i < n && out->items; i++)
		json_array_append_new(out->items, pg_record(r, i, tb));
	if (PQntuples(r) > limit)
		kyc__store_cursor_encode(out->next_cursor, sizeof out->next_cursor,
					 kyc__pg_int(r, limit - 1, 2), PQgetvalue(r, limit - 1, 0));
	rc = out->items ? 0 : KYC_ERR_NOMEM;
out:
	PQclear(r);
	kyc__pgq_release(&q);
	kyc_buf_release(&sql);
	return rc;
}

static int pg_verification_match(kyc_store *s, const char *tenant_id,
				 const struct kyc_store_match *m, json_t **out)
{
	char sql[360];
	if (kyc__store_match_sql(sql, sizeof sql, m, "IS DISTINCT FROM"))
		return KYC_ERR_INVALID;
	struct kyc_pgq q = {0};
	PGresult *r;
	kyc__pgq_text(&q, tenant_id);
	kyc__pgq_text(&q, m->key);
	kyc__pgq_text(&q, m->status);
	kyc__pgq_int(&q, m->decided_since_ms);
	kyc__pgq_text(&q, m->applicant_id ? m->applicant_id : "");
	kyc__pgq_text(&q, m->exclude_id);
	int rc = kyc__pg_row(s, sql, &q, &r);
	if (rc == KYC_ERR_NOTFOUND)
		return 0;
	if (rc)
		return rc;
	char id[64];
	kyc__pg_text(r, 0, 0, id, sizeof id);
	PQclear(r);
	return kyc_store_get(s, KYC_R_VERIFICATION, tenant_id, id, out);
}

static int pg_stamp(kyc_store *s, const char *sql, const char *tenant_id, const char *id,
		    char *out, size_t outsz)
{
	struct kyc_pgq q = {0};
	PGresult *r;
	kyc__pgq_text(&q, tenant_id);
	kyc__pgq_text(&q, id);
	int rc = kyc__pg_query(s, sql, &q, &r);
	size_t n = 0;
	for (int i = 0; !rc && i < PQntuples(r); i++)
		rc = kyc__stamp_row(out, outsz, &n, PQgetvalue(r, i, 0), kyc__pg_int(r, i, 1));
	PQclear(r);
	return rc;
}

const struct kyc_store_resource_ops kyc__pg_resource_ops = {
	.insert = pg_insert,
	.get = pg_get,
	.get_many = pg_get_many,
	.update = pg_update,
	.remove = pg_delete,
	.list = pg_list,
	.verification_match = pg_verification_match,
	.stamp = pg_stamp,
};
