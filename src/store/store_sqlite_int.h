/* Internals of the SQLite backend shared by its files. */
#ifndef KYC_STORE_SQLITE_INT_H
#define KYC_STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "store/store_fields.h"
#include "store/store_int.h"

/* The connection's handle; NULL for another backend's connection. */
sqlite3 *kyc__store_db(kyc_store *s);
/* The cached "get by id" statement slot of a type. */
sqlite3_stmt **kyc__store_get_stmt(kyc_store *s, enum kyc_rtype t);
/* SQLite result code -> kyc_err, recording the message on s. */
int kyc__store_map(kyc_store *s, int rc);

/* A prepared statement for sql, from the connection's cache when it was
 * prepared before. Give it back with kyc__store_release (which resets it).
 * KYC_ERR_UNSUPPORTED on another backend's connection: a store call must
 * go through the ops (store_int.h) to reach PostgreSQL too. */
int kyc__store_prepare(kyc_store *s, const char *sql, sqlite3_stmt **st);
void kyc__store_release(kyc_store *s, sqlite3_stmt *st);

/* Steps a statement that returns no rows and gives it back: 0 or the
 * mapped error (store_sqlite_stmt.c, as the three below). */
int kyc__sqlite_run(kyc_store *s, sqlite3_stmt *st);
/* kyc__store_prepare with parameter 1 bound to the text a (copied): the
 * key most statements look rows up by. */
int kyc__sqlite_prepare_text(kyc_store *s, const char *sql, const char *a, sqlite3_stmt **st);

/* The fixed rows (store_fields.h): a row's fields
 * bound as parameters 1, 2, ... (kept by the row, SQLITE_STATIC); the
 * current result row's columns into a cleared row (-1 when a blob is not
 * its field's size, the rest read); and a prepared, bound query of one row
 * at most stepped, read so and given back (kyc__store_release): 0,
 * KYC_ERR_NOTFOUND, KYC_ERR_DENIED (a blob of the wrong size) or an error. */
void kyc__sqlite_bind_fields(sqlite3_stmt *st, const struct kyc__fields *fs, const void *row);
int kyc__sqlite_read_fields(sqlite3_stmt *st, const struct kyc__fields *fs, void *row);
int kyc__sqlite_row_fields(kyc_store *s, sqlite3_stmt *st, const struct kyc__fields *fs,
			   void *row);

/* The calls each file answers (store_int.h). */
extern const struct kyc_store_resource_ops kyc__sqlite_resource_ops;
extern const struct kyc_store_web_ops kyc__sqlite_web_ops;
extern const struct kyc_outbox_ops kyc__sqlite_outbox_ops;
extern const struct kyc_store_key_ops kyc__sqlite_key_ops;
extern const struct kyc_store_erase_ops kyc__sqlite_erase_ops;

/* Binds a record value to parameter idx as a column of kind k. */
int kyc__store_bind(sqlite3_stmt *st, int idx, enum kyc_col_kind k, const json_t *v);
/* Runs a DELETE whose two parameters are id and tenant_id: 0, or
 * KYC_ERR_NOTFOUND when it deleted nothing. */
int kyc__store_delete_row(kyc_store *s, const char *sql, const char *id, const char *tenant_id);
/* The data directory the store was opened on. */
const char *kyc__store_data_dir(kyc_store *s);
/* Seals the personal columns of rows and the blobs written before
 * encryption (migration 8), on the first open with a key. */
int kyc__store_seal_existing(kyc_store *s, char *err, size_t errsz);

#endif
