/* Statement helpers the SQLite backend's files share: running a statement
 * without rows, preparing one by a text key, and binding and reading the
 * fixed rows (store_fields.h). */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "store/store_sqlite_int.h"

int kyc__sqlite_run(kyc_store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	rc = rc == SQLITE_DONE ? 0 : kyc__store_map(s, rc);
	kyc__store_release(s, st);
	return rc;
}

int kyc__sqlite_prepare_text(kyc_store *s, const char *sql, const char *a, sqlite3_stmt **st)
{
	int rc = kyc__store_prepare(s, sql, st);
	if (!rc)
		sqlite3_bind_text(*st, 1, a, -1, SQLITE_TRANSIENT);
	return rc;
}

void kyc__sqlite_bind_fields(sqlite3_stmt *st, const struct kyc__fields *fs, const void *row)
{
	for (int i = 0; i < fs->n; i++) {
		const struct kyc__field *f = &fs->f[i];
		if (f->kind == KYC_FIELD_TEXT)
			sqlite3_bind_text(st, i + 1, kyc__field_at(f, row), -1, SQLITE_STATIC);
		else if (f->kind == KYC_FIELD_BYTES)
			sqlite3_bind_blob(st, i + 1, kyc__field_at(f, row), (int)f->size,
					  SQLITE_STATIC);
		else
			sqlite3_bind_int64(st, i + 1, kyc__field_int(f, row));
	}
}

int kyc__sqlite_read_fields(sqlite3_stmt *st, const struct kyc__fields *fs, void *row)
{
	int rc = 0;
	memset(row, 0, fs->size);
	for (int i = 0; i < fs->n; i++) {
		const struct kyc__field *f = &fs->f[i];
		if (f->kind == KYC_FIELD_TEXT)
			snprintf(kyc__field_at(f, row), f->size, "%s",
				 sqlite3_column_text(st, i) ? (const char *)sqlite3_column_text(st, i)
							    : "");
		else if (f->kind != KYC_FIELD_BYTES)
			kyc__field_set_int(f, row, sqlite3_column_int64(st, i));
		else if (sqlite3_column_bytes(st, i) == (int)f->size)
			memcpy(kyc__field_at(f, row), sqlite3_column_blob(st, i), f->size);
		else
			rc = -1;
	}
	return rc;
}

int kyc__sqlite_row_fields(kyc_store *s, sqlite3_stmt *st, const struct kyc__fields *fs,
			   void *row)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = kyc__sqlite_read_fields(st, fs, row) ? KYC_ERR_DENIED : 0;
	else
		rc = rc == SQLITE_DONE ? KYC_ERR_NOTFOUND : kyc__store_map(s, rc);
	kyc__store_release(s, st);
	return rc;
}
