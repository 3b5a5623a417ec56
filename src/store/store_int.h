/* Internals shared by the store's files: the column tables of each resource
 * type and the migrations. Not for use outside src/store. */
#ifndef KYC_STORE_INT_H
#define KYC_STORE_INT_H

#include "core/buf.h"
#include "crypto/keyring.h"
#include "store/outbox.h"
#include "store/store.h"

enum kyc_col_kind {
	KYC_COL_TEXT,
	KYC_COL_INT,
	KYC_COL_BOOL,
	KYC_COL_TIME, /* INTEGER ms in the database, RFC 3339 text in records */
	KYC_COL_JSON, /* TEXT holding JSON in the database, a JSON value in records */
};

/* What a column holds of personal data, and so how it is kept
 * (src/store/store_seal.h, docs/security.md "Encryption at rest"). */
enum kyc_col_seal {
	KYC_SEAL_PLAIN = 0, /* not personal: kept as it is */
	KYC_SEAL_DATA,      /* encrypted under its owner's data key */
	KYC_SEAL_FIND,      /* encrypted, and searchable: the next column is its hash */
	KYC_SEAL_HASHED,    /* replaced by its keyed hash (the duplicate checks' keys) */
	KYC_SEAL_HASHCOL,   /* the search hash of the column before it; never in records */
};

struct kyc_col {
	const char *name; /* both the column and the record key */
	enum kyc_col_kind kind;
	enum kyc_col_seal seal;
};

struct kyc_table {
	const char *name;
	const struct kyc_col *cols; /* excluding id, tenant_id, version, created_at, updated_at */
	int ncols;
};

extern const struct kyc_table kyc__tables[KYC_R__COUNT];

struct kyc_migration {
	int version;
	const char *sql;
};
extern const struct kyc_migration kyc__migrations[];
extern const int kyc__migration_count;

/* kyc_store_retention_due's query by kind, in SQL both backends read
 * (tenant, closed before, limit). */
extern const char *const kyc__retention_due_sql[2];

/* ---- data keys: each backend answers these for store_seal.c (its key
 * ops, below; store.c dispatches) ---- */

/* A wrapped data key: a tenant's under a master key (master_id set), an
 * applicant's under its tenant's key (master_id ""). */
struct kyc__dk_row {
	char master_id[KYC_KEYRING_ID_LEN + 1];
	unsigned char wrapped[KYC_SEAL_KEY_BYTES + KYC_SEAL_OVERHEAD];
};
/* The key of (tenant, owner); owner "" is the tenant's own. 0 or KYC_ERR_NOTFOUND. */
int kyc__store_dk_get(kyc_store *s, const char *tenant_id, const char *owner_id,
		      struct kyc__dk_row *out);
/* Stores a key; an existing row is kept unless replace. */
int kyc__store_dk_put(kyc_store *s, const char *tenant_id, const char *owner_id,
		      const struct kyc__dk_row *row, int replace);
/* Deletes a key's row: 0 or KYC_ERR_NOTFOUND. */
int kyc__store_dk_delete(kyc_store *s, const char *tenant_id, const char *owner_id);
/* Tenants whose key is wrapped by another master than master_id (at most
 * max, a new array), for rotation; every master id in use into *masters
 * when masters is not NULL (a new array). */
int kyc__store_dk_tenants(kyc_store *s, const char *master_id, int max, json_t **tenants,
			  json_t **masters);
/* The applicant_id column of a verification or document: 0 (out "" when the
 * column is NULL) or KYC_ERR_NOTFOUND. */
int kyc__store_applicant_of(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id,
			    char out[37]);
/* The master keys this store was opened with. */
kyc_keyring *kyc__store_keyring(kyc_store *s);

/* fsync of a directory, so that a rename or a new file in it is durable
 * (blob.c). 0 or KYC_ERR_IO. */
int kyc__store_fsync_dir(const char *path);

/* ---- the backends ----
 *
 * A kyc_store is a backend's connection whose first member is this struct:
 * store.c answers every call of store.h and outbox.h through its ops, and
 * store_sqlite*.c and store_pg*.c each fill one set. The calls mean what
 * store.h and outbox.h say. */

struct kyc_store_resource_ops {
	int (*insert)(kyc_store *s, enum kyc_rtype t, const char *tenant_id, json_t *rec);
	int (*get)(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id,
		   json_t **out);
	/* kyc_store_get_many's rows as stored (not opened); NULL: one get each */
	int (*get_many)(kyc_store *s, enum kyc_rtype t, int n, const char *const *tenant_ids,
			const char *const *ids, json_t **out);
	int (*update)(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id,
		      const json_t *patch, int64_t expect_version);
	int (*remove)(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id);
	/* asc: kyc_store_list_asc, else kyc_store_list */
	int (*list)(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const json_t *filter,
		    const char *cursor, int limit, int asc, struct kyc_store_page *out);
	int (*verification_match)(kyc_store *s, const char *tenant_id,
				  const struct kyc_store_match *m, json_t **out);
	/* kyc__verification_stamp_sql's rows with $1 tenant_id, $2 id, each
	 * written by kyc__stamp_row */
	int (*stamp)(kyc_store *s, const char *sql, const char *tenant_id, const char *id,
		     char *out, size_t outsz);
};

struct kyc_store_web_ops {
	int (*hosted_token_insert)(kyc_store *s, const struct kyc_hosted_token_row *row);
	int (*hosted_token_get)(kyc_store *s, const unsigned char token_hash[32],
				struct kyc_hosted_token_row *out);
	int (*operator_insert)(kyc_store *s, const struct kyc_operator_row *row);
	int (*operator_find)(kyc_store *s, const char *username, struct kyc_operator_row *out);
	int (*operator_get)(kyc_store *s, const char *tenant_id, const char *id,
			    struct kyc_operator_row *out);
	int (*operator_set)(kyc_store *s, const char *id, int64_t disabled_at,
			    const char *password_hash);
	int (*sessions_end_operator)(kyc_store *s, const char *operator_id, int *ended);
	int (*login_failures)(kyc_store *s, const char *username, int *failures,
			      int64_t *last_failure_at);
	int (*login_failure_add)(kyc_store *s, const char *username, int64_t now_ms);
	int (*login_failures_clear)(kyc_store *s, const char *username);
	int (*session_insert)(kyc_store *s, const struct kyc_session_row *row);
	int (*session_get)(kyc_store *s, const unsigned char id_hash[32],
			   struct kyc_session_row *out);
	int (*session_delete)(kyc_store *s, const unsigned char id_hash[32], int64_t now_ms);
	/* NULL on a backend whose one node keeps its buckets in memory (SQLite) */
	int (*rate_take)(kyc_store *s, const char *key, double per_ms, double burst,
			 int64_t now_ms, double *tokens, int *allowed);
	int (*rate_forget)(kyc_store *s, int64_t before_ms);
};

struct kyc_outbox_ops {
	int (*undispatched)(kyc_store *s, int max, struct kyc_outbox_event **out, int *n);
	int (*dispatched)(kyc_store *s, const char *event_id, int64_t now_ms);
	int (*endpoints)(kyc_store *s, const char *tenant_id, json_t **out);
	int (*delivery_add)(kyc_store *s, const char *tenant_id, const char *event_id,
			    const char *event_type, const char *endpoint_id, const char *url,
			    const char *format, int64_t due_ms, char *id_out);
	int (*callback_secret_ensure)(kyc_store *s, const char *tenant_id, const char *secret,
				      int64_t now_ms);
	int (*callback_secret_set)(kyc_store *s, const char *tenant_id, const char *secret,
				   int64_t overlap_ms, int64_t now_ms);
	int (*callback_secret_info)(kyc_store *s, const char *tenant_id, json_t **out);
	int (*next_due)(kyc_store *s, int64_t *next_ms);
	int (*claim)(kyc_store *s, int64_t now_ms, int64_t lease_ms, int max,
		     kyc_outbox_room_fn room, void *ctx, struct kyc_outbox_job *jobs, int *n);
	int (*unclaim)(kyc_store *s, const char *delivery_id, int64_t due_ms);
	int (*record)(kyc_store *s, const struct kyc_outbox_attempt *a);
	/* the batches: NULL when the backend does them a row at a time */
	int (*delivery_add_batch)(kyc_store *s, const struct kyc_outbox_new *d, int n);
	int (*dispatched_batch)(kyc_store *s, const char *const *event_ids, int n,
				int64_t now_ms, int *owned);
	/* NULL: record is called once per attempt */
	int (*record_batch)(kyc_store *s, const struct kyc_outbox_attempt *a, int n);
	int (*endpoint_health)(kyc_store *s, const char *endpoint_id, int ok, int64_t at_ms,
			       int64_t *failing_since);
	int (*pause)(kyc_store *s, const char *tenant_id, const char *endpoint_id, int pause,
		     int64_t now_ms);
};

struct kyc_store_key_ops {
	int (*dk_get)(kyc_store *s, const char *tenant_id, const char *owner_id,
		      struct kyc__dk_row *out);
	int (*dk_put)(kyc_store *s, const char *tenant_id, const char *owner_id,
		      const struct kyc__dk_row *row, int replace);
	int (*dk_delete)(kyc_store *s, const char *tenant_id, const char *owner_id);
	int (*dk_tenants)(kyc_store *s, const char *master_id, int max, json_t **tenants,
			  json_t **masters);
	int (*applicant_of)(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id,
			    char out[37]);
};

/* Says whether one of a tenant's recorded idempotent responses (its body as
 * the backend keeps it: sealed) is to be forgotten: 1 yes, 0 no, or a
 * negative kyc_err that stops the walk. store.c opens and searches it. */
typedef int (*kyc__idem_match_fn)(kyc_store *s, const char *tenant_id, const char *key,
				  const void *body, size_t len, void *ctx);

struct kyc_store_erase_ops {
	int (*history_scrub)(kyc_store *s, const char *tenant_id, const char *verification_id,
			     int *n);
	int (*hosted_tokens_delete)(kyc_store *s, const char *tenant_id,
				    const char *verification_id);
	/* deletes each of the tenant's records match says yes to */
	int (*idem_forget)(kyc_store *s, const char *tenant_id, kyc__idem_match_fn match,
			   void *ctx);
	int (*retention_due)(kyc_store *s, const char *tenant_id, enum kyc_retention_kind kind,
			     int64_t closed_before_ms, int limit, json_t **ids);
	int (*log_truncate)(kyc_store *s);
};

struct kyc_store_ops {
	void (*close)(kyc_store *s);
	int (*schema_version)(kyc_store *s);
	int (*begin)(kyc_store *s);
	int (*begin_read)(kyc_store *s);
	int (*commit)(kyc_store *s);
	void (*rollback)(kyc_store *s);
	int (*in_transaction)(kyc_store *s);
	int (*backup)(kyc_store *s, const char *dest_path, char *err, size_t errsz);
	int (*lazy_commits)(kyc_store *s);
	int (*token)(kyc_store *s, struct kyc_store_token *out); /* NULL: unsupported */
	int (*try_lock)(kyc_store *s, int64_t key, int *held);
	void (*unlock)(kyc_store *s, int64_t key);
	const char *(*errmsg)(kyc_store *s);
	int (*tenant_create)(kyc_store *s, const char *name, char id_out[37]);
	int (*tenant_find)(kyc_store *s, const char *name, char id_out[37]);
	int (*tenant_exists)(kyc_store *s, const char *tenant_id);
	int (*tenant_ids)(kyc_store *s, json_t **out);
	int (*tenant_settings)(kyc_store *s, const char *tenant_id, json_t **out);
	int (*tenant_settings_set)(kyc_store *s, const char *tenant_id, const json_t *settings);
	int (*key_insert)(kyc_store *s, const struct kyc_key_row *row);
	int (*key_get)(kyc_store *s, const char *key_id, struct kyc_key_row *out);
	int (*key_revoke)(kyc_store *s, const char *key_id, int64_t now_ms);
	int (*idem_get)(kyc_store *s, const char *tenant_id, const char *key,
			int64_t not_before_ms, struct kyc_idem_row *out);
	int (*idem_put)(kyc_store *s, const char *tenant_id, const char *key,
			const struct kyc_idem_row *row);
	const struct kyc_store_resource_ops *resource;
	const struct kyc_store_web_ops *web;
	const struct kyc_outbox_ops *outbox;
	const struct kyc_store_key_ops *keys;
	const struct kyc_store_erase_ops *erase;
};

/* Encryption at rest lives in store.c's dispatch, for both backends: records
 * are sealed before the backend's insert and update (kyc__seal_record) and
 * opened after its get and list (kyc__unseal_record), list filters and the
 * duplicate lookup's key go through kyc__seal_filter and kyc__seal_key_hash,
 * idempotent answers through kyc__seal_bytes. A backend stores and returns
 * the values as they are; it only opens the store with a keyring
 * (kyc__seal_keyring, kyc__seal_check) and reads the outbox's events through
 * kyc__outbox_event_open. */
struct kyc_store {
	const struct kyc_store_ops *ops;
	kyc_keyring *keyring; /* master keys (shared, never freed); set by the backend's open */
};

/* Opens the SQLite backend in data_dir (store_sqlite.c) or the PostgreSQL
 * one at conninfo (store_pg.c); kyc_store_open_at chooses. Both load the
 * master keys (kyc__seal_keyring: KYCD_MASTER_KEY_FILE, else
 * data_dir/master.key; PostgreSQL with a NULL data_dir requires the
 * variable) and check them against the data keys (kyc__seal_check). */
int kyc__sqlite_open(const char *data_dir, kyc_store **out, char *err, size_t errsz);
int kyc__pg_store_open(const char *conninfo, const char *data_dir, kyc_store **out, char *err,
		       size_t errsz);

/* ---- what both backends share of the record mapping (store_record.c) ---- */

/* 1 for the keys every resource has (id, tenant_id, version, created_at,
 * updated_at), which the store sets itself. */
int kyc__store_is_bookkeeping(const char *key);
/* The column of a table by name, or NULL. */
const struct kyc_col *kyc__store_col(const struct kyc_table *tb, const char *name);
/* Checks a record's keys (insert) or a patch's (update, bookkeeping=0):
 * 0, or KYC_ERR_INVALID when one is not a column. */
int kyc__store_check_keys(const struct kyc_table *tb, const json_t *rec, int bookkeeping);
/* A list cursor: opaque text for "<created_at ms>:<id>" of a page's last
 * record. encode writes "" when it does not fit; decode is KYC_ERR_INVALID
 * on anything it did not make. */
void kyc__store_cursor_encode(char *out, size_t outsz, int64_t created, const char *id);
int kyc__store_cursor_decode(const char *cur, int64_t *created, char id[64]);
/* The n bytes at p as UTF-8 text without NULs (a malloc()ed string, NULL
 * when out of memory): invalid sequences become '?'. For bytes from
 * outside kept as text, such as the first bytes of a webhook answer, which
 * may be cut inside a character: PostgreSQL refuses invalid UTF-8, and
 * SQLite's JSON functions would make an attempt log nothing can read. */
char *kyc__store_utf8_text(const char *p, size_t n);
/* Fills the outbox fields of e (whose id and tenant_id are set) from an
 * event row: from its route (JSON text, migration 11) when it has one,
 * else from its resource_type, resource_id and its payload and attributes
 * as stored (JSON text, sealed values in it; NULL for SQL NULL), which are
 * then opened (kyc__unseal_record) for the fields the dispatcher needs.
 * 0, KYC_ERR_NOMEM, or the unseal error. */
int kyc__outbox_event_open(kyc_store *s, struct kyc_outbox_event *e, const char *resource_type,
			   const char *resource_id, const char *payload, const char *attributes,
			   const char *route);
/* A time column's value as RFC 3339 text. */
json_t *kyc__store_time_json(int64_t ms);

/* The SQL both backends run on a resource table: "SELECT id, version,
 * created_at, updated_at, c1, ... FROM table", and "INSERT INTO table (id,
 * tenant_id, version, created_at, updated_at, c1, ...) VALUES ($1,$2,1,$3,
 * $4,$5, ...)" (parameters in order, which SQLite reads too), appended to b.
 * 0 or KYC_ERR_NOMEM. */
int kyc__store_select_sql(kyc_buf *b, const struct kyc_table *tb);
int kyc__store_insert_sql(kyc_buf *b, const struct kyc_table *tb);
/* kyc_store_verification_match's query, parameters (tenant, key, status,
 * decided since, applicant or "", excluded id or NULL), written into sql
 * (360 bytes hold it) with the dialect's null-safe "not equal" (SQLite's IS
 * NOT, PostgreSQL's IS DISTINCT FROM): a verification without an applicant
 * is another's. 0, or KYC_ERR_INVALID when it does not fit. */
int kyc__store_match_sql(char *sql, size_t sqlsz, const struct kyc_store_match *m,
			 const char *distinct);
/* kyc_store_verification_stamp's query: rows of (name, version), "v" for
 * the verification, a document's id for each of its documents. */
extern const char kyc__verification_stamp_sql[];
/* Appends one of its rows, "name:version;", at out + *n: 0, or
 * KYC_ERR_TOOBIG when it does not fit outsz. */
int kyc__stamp_row(char *out, size_t outsz, size_t *n, const char *name, int64_t version);
/* One result row of a backend, as the record mapping reads it. */
struct kyc__cells {
	int (*is_null)(const void *ctx, int col);
	const char *(*text)(const void *ctx, int col, size_t *len); /* not NUL-free */
	int64_t (*integer)(const void *ctx, int col);
	const void *ctx;
};
/* A cell as the record value of a column of kind k (JSON null for NULL,
 * and for JSON text that does not parse); a row selected with
 * kyc__store_select_sql's columns as a record (NULL: out of memory). */
json_t *kyc__store_cell_json(const struct kyc__cells *c, int col, enum kyc_col_kind k);
json_t *kyc__store_row_record(const struct kyc_table *tb, const struct kyc__cells *c);
/* A list call's start, the same on both backends: clears the page, decodes
 * the cursor into *from (from->have 0 when there is none) and clamps limit
 * to 1..100. 0, or KYC_ERR_INVALID on a cursor the store did not make. */
struct kyc__list_from {
	int have;
	int64_t created;
	char id[64];
};
int kyc__store_list_start(const char *cursor, int *limit, struct kyc__list_from *from,
			  struct kyc_store_page *out);

#endif
