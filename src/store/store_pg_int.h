/* Internals of the PostgreSQL backend (libpq) shared by its files
 * (store_pg*.c) and its tests; plan and status in docs/deploy.md.
 *
 * A kyc_pg is one connection and a kyc_store (store_int.h): connecting
 * with any libpq connection string or URI, multi-host with
 * target_session_attrs=read-write included; the same versioned migrations
 * as SQLite, translated from the one source in store_schema.c and applied
 * once however many nodes start at the same time; statements prepared once
 * per connection, by a name made from the SQL's hash. Not for use outside
 * src/store and its tests. */
#ifndef KYC_STORE_PG_INT_H
#define KYC_STORE_PG_INT_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "store/store_fields.h"
#include "store/store_int.h"

typedef struct kyc_pg kyc_pg;

/* Connects to conninfo and applies pending migrations, without master keys
 * (kyc__pg_store_open, store_int.h, adds them: what tests of the connection
 * itself use) (inside one
 * transaction holding an advisory lock, so concurrent openers wait and then
 * see the new version). 0, or a negative kyc_err with a message in err. */
int kyc__pg_open(const char *conninfo, kyc_pg **out, char *err, size_t errsz);
void kyc__pg_close(kyc_pg *p);
/* The schema version after migrations, 0 on error. */
int kyc__pg_schema_version(kyc_pg *p);
/* Runs SQL commands (no parameters); for tests. 0, or KYC_ERR_IO with the
 * server's message in err. */
int kyc__pg_exec(kyc_pg *p, const char *sql, char *err, size_t errsz);
/* The connection's kyc_store (the same object). */
kyc_store *kyc__pg_store(kyc_pg *p);

/* Appends the PostgreSQL text of a SQLite migration to out: INTEGER columns
 * become BIGINT (milliseconds do not fit 32 bits), BLOB becomes BYTEA, and an
 * append-only trigger (BEFORE UPDATE/DELETE ... RAISE(ABORT, 'msg')) becomes
 * a PL/pgSQL function and trigger raising msg. KYC_ERR_UNSUPPORTED on a
 * trigger of another shape. (store_pg_dialect.c) */
int kyc__pg_dialect(const char *sqlite_sql, kyc_buf *out);

/* ---- statements ---- */

/* Parameters and result cells are store_pg_values.c's; running statements
 * is store_pg.c's, which holds the connection. */

#define KYC_PG_MAXP 48

/* The parameters of one statement, $1 first: text (NUL-terminated), NULL,
 * or bytes (bytea, sent in binary). Integers are formatted into num. An
 * error while adding (too many, no memory) sticks in err and fails the
 * statement. */
struct kyc_pgq {
	int n, err;
	const char *v[KYC_PG_MAXP];
	int len[KYC_PG_MAXP];
	int fmt[KYC_PG_MAXP];
	char num[KYC_PG_MAXP][24];
	char *owned[KYC_PG_MAXP]; /* freed by kyc__pgq_release */
};
void kyc__pgq_text(struct kyc_pgq *q, const char *v); /* NULL: SQL NULL */
void kyc__pgq_int(struct kyc_pgq *q, int64_t v);
void kyc__pgq_bytes(struct kyc_pgq *q, const void *p, size_t n);
/* Text the parameters own from now on (malloc()ed; NULL: out of memory). */
void kyc__pgq_take(struct kyc_pgq *q, char *v);
void kyc__pgq_release(struct kyc_pgq *q);

/* Runs sql ($1, $2, ... placeholders) with q's parameters (q may be NULL),
 * as a statement prepared once per connection. *res (when res is not NULL)
 * gets the result, to PQclear. Outside a transaction a statement is tried
 * again once when that is safe: after a lost connection (reopened: libpq
 * walks a multi-host string to the new primary) if it is a read or never
 * reached the server, after a read-only refusal (the server became a
 * standby), a serialization failure or a deadlock. 0, or KYC_ERR_CONFLICT
 * (constraint), KYC_ERR_TIMEOUT (serialization, deadlock, lock or
 * statement timeout), KYC_ERR_IO; the server's message in errmsg. */
int kyc__pg_query(kyc_store *s, const char *sql, struct kyc_pgq *q, PGresult **res);
/* The same for a statement without rows; *changes (may be NULL) gets the
 * rows it changed. */
int kyc__pg_run(kyc_store *s, const char *sql, struct kyc_pgq *q, int *changes);
/* kyc__pg_run for a statement that must change a row: none (KYC_ERR_NOTFOUND
 * or KYC_ERR_CONFLICT, as the caller says) when it changed nothing. */
int kyc__pg_change(kyc_store *s, const char *sql, struct kyc_pgq *q, int none);
/* The same for a query of one row at most: 0 with *res holding it,
 * KYC_ERR_NOTFOUND (no row, nothing to clear) or an error. */
int kyc__pg_row(kyc_store *s, const char *sql, struct kyc_pgq *q, PGresult **res);

/* Reading result cells (text format). */
int64_t kyc__pg_int(const PGresult *r, int row, int col); /* 0 for NULL */
/* Copies a cell into out, "" for NULL (truncated to outsz). */
void kyc__pg_text(const PGresult *r, int row, int col, char *out, size_t outsz);
/* Decodes a bytea cell into out when it holds exactly n bytes: 0 or -1. */
int kyc__pg_bytes(const PGresult *r, int row, int col, unsigned char *out, size_t n);

/* The fixed rows (store_fields.h): a row's fields as parameters; the first
 * result row's cells into a cleared row (-1 when a bytes cell is not its
 * field's size, the rest read); and a query of one row at most read so:
 * 0, KYC_ERR_NOTFOUND, KYC_ERR_DENIED (a bytes cell of the wrong size) or
 * kyc__pg_row's error. */
void kyc__pgq_fields(struct kyc_pgq *q, const struct kyc__fields *fs, const void *row);
int kyc__pg_read_fields(const PGresult *r, const struct kyc__fields *fs, void *row);
int kyc__pg_row_fields(kyc_store *s, const char *sql, struct kyc_pgq *q,
		       const struct kyc__fields *fs, void *row);

/* The calls each file answers (store_int.h). */
extern const struct kyc_store_resource_ops kyc__pg_resource_ops;
extern const struct kyc_store_web_ops kyc__pg_web_ops;
extern const struct kyc_outbox_ops kyc__pg_outbox_ops;
extern const struct kyc_store_key_ops kyc__pg_key_ops;     /* store_pg_keys.c */
extern const struct kyc_store_erase_ops kyc__pg_erase_ops; /* store_pg_erase.c */
/* kyc_store_log_truncate on PostgreSQL: VACUUM of the tables erasure and
 * retention change (store_pg.c, which holds the connection). */
int kyc__pg_log_truncate(kyc_store *s);

/* Tenants, API keys and idempotency records (store_pg_rows.c). */
int kyc__pg_tenant_create(kyc_store *s, const char *name, char id_out[37]);
int kyc__pg_tenant_find(kyc_store *s, const char *name, char id_out[37]);
int kyc__pg_tenant_exists(kyc_store *s, const char *tenant_id);
int kyc__pg_tenant_ids(kyc_store *s, json_t **out);
int kyc__pg_tenant_settings(kyc_store *s, const char *tenant_id, json_t **out);
int kyc__pg_tenant_settings_set(kyc_store *s, const char *tenant_id, const json_t *settings);
int kyc__pg_key_insert(kyc_store *s, const struct kyc_key_row *row);
int kyc__pg_key_get(kyc_store *s, const char *key_id, struct kyc_key_row *out);
int kyc__pg_key_revoke(kyc_store *s, const char *key_id, int64_t now_ms);
int kyc__pg_idem_get(kyc_store *s, const char *tenant_id, const char *key, int64_t not_before_ms,
		     struct kyc_idem_row *out);
int kyc__pg_idem_put(kyc_store *s, const char *tenant_id, const char *key,
		     const struct kyc_idem_row *row);

#endif
