/* The PostgreSQL backend (libpq), being built behind store.h (plan and
 * status: docs/deploy.md). What exists: connecting (any libpq connection
 * string or URI, multi-host with target_session_attrs=read-write) and the
 * schema — the same versioned migrations as SQLite, translated to
 * PostgreSQL's dialect from the one source in store_schema.c and applied
 * once however many nodes start at the same time. The record calls of
 * store.h come next; until they do, kyc_store_open does not select this
 * backend. Not for use outside src/store and its tests. */
#ifndef KYC_STORE_PG_INT_H
#define KYC_STORE_PG_INT_H

#include <stddef.h>

#include "core/buf.h"

typedef struct kyc_pg kyc_pg;

/* Connects to conninfo and applies pending migrations (inside one
 * transaction holding an advisory lock, so concurrent openers wait and then
 * see the new version). 0, or a negative kyc_err with a message in err. */
int kyc__pg_open(const char *conninfo, kyc_pg **out, char *err, size_t errsz);
void kyc__pg_close(kyc_pg *p);
/* The schema version after migrations, 0 on error. */
int kyc__pg_schema_version(kyc_pg *p);
/* Runs one SQL command (no rows); for tests. 0, or KYC_ERR_IO with the
 * server's message in err. */
int kyc__pg_exec(kyc_pg *p, const char *sql, char *err, size_t errsz);

/* Appends the PostgreSQL text of a SQLite migration to out: INTEGER columns
 * become BIGINT (milliseconds do not fit 32 bits), BLOB becomes BYTEA, and an
 * append-only trigger (BEFORE UPDATE/DELETE ... RAISE(ABORT, 'msg')) becomes
 * a PL/pgSQL function and trigger raising msg. KYC_ERR_UNSUPPORTED on a
 * trigger of another shape. */
int kyc__pg_dialect(const char *sqlite_sql, kyc_buf *out);

#endif
