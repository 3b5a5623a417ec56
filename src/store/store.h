/* The store: every record kycd keeps (tenants, API keys, applicants,
 * verifications, documents, files' metadata, idempotency records, events),
 * behind one interface so that a PostgreSQL backend can sit beside the SQLite
 * one (store_sqlite.c) without a handler noticing.
 *
 * A kyc_store is one connection: not thread-safe; give each thread its own
 * (kyc_store_open on the same data directory or database). Two backends
 * answer (store.c dispatches): SQLite (store_sqlite*.c, the default) and
 * PostgreSQL (store_pg*.c, chosen by --db / KYCD_DB). Records cross this interface as
 * jansson objects whose keys are the API's field names; each resource type has
 * one column table (store_schema.c) that maps them to columns.
 *
 * Tenancy is enforced here: every resource call takes the caller's tenant id
 * and a record of another tenant is KYC_ERR_NOTFOUND, exactly like a missing one. */
#ifndef KYC_STORE_H
#define KYC_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kyc_store kyc_store;

enum kyc_rtype {
	KYC_R_APPLICANT,
	KYC_R_VERIFICATION,
	KYC_R_DOCUMENT,
	KYC_R_FILE,
	KYC_R_EVENT,
	KYC_R_HISTORY, /* a verification's audit trail (append-only) */
	KYC_R_WEBHOOK_ENDPOINT, /* where a tenant's events are delivered (src/webhooks) */
	KYC_R_WEBHOOK_DELIVERY, /* one event to one endpoint or callback URL, with its attempts */
	KYC_R__COUNT
};

/* Opens the store KYCD_DB names (set by the global --db, src/cli/main.c;
 * see kyc_store_locate), else SQLite in data_dir: kyc_store_open_at(
 * getenv("KYCD_DB"), data_dir, ...). */
int kyc_store_open(const char *data_dir, kyc_store **out, char *err, size_t errsz);
/* Opens the store the locator db names (NULL or "": SQLite in data_dir),
 * applying pending migrations. SQLite: DIR/kycd.db, created if needed,
 * with WAL, foreign keys and a busy timeout. PostgreSQL (store_pg.c): a
 * connection to the server, migrated under an advisory lock; blobs stay in
 * data_dir either way. On error returns a negative code and a message in
 * err (never a password). */
int kyc_store_open_at(const char *db, const char *data_dir, kyc_store **out, char *err,
		      size_t errsz);

/* The backends a database locator (--db, KYCD_DB) names. */
enum kyc_store_backend { KYC_STORE_SQLITE, KYC_STORE_POSTGRES };
/* Reads a locator: NULL or "" is SQLite in the data directory (*dir NULL);
 * "sqlite:DIR" is SQLite in DIR (*dir points into db); "postgres://…",
 * "postgresql://…" or a libpq "key=value …" string is PostgreSQL (the
 * string is libpq's, multi-host with target_session_attrs=read-write
 * included). 0, or KYC_ERR_INVALID with the reason in err. */
int kyc_store_locate(const char *db, enum kyc_store_backend *backend, const char **dir, char *err,
		     size_t errsz);
void kyc_store_close(kyc_store *s);
/* The schema version after migrations (for `kycd version` and tests). */
int kyc_store_schema_version(kyc_store *s);

/* Transactions: a handler that writes several records wraps them so that a
 * crash leaves all or none. Nesting is not supported (PostgreSQL:
 * KYC_ERR_STATE). SQLite: BEGIN IMMEDIATE, one writer at a time.
 * PostgreSQL: BEGIN, READ COMMITTED; kyc_store_update's version checks and
 * the outbox's row locks stand in for the single writer, and no call fails
 * on a duplicate in a way that aborts the transaction (an error that does
 * makes kyc_store_commit fail: roll back and answer). */
int kyc_store_begin(kyc_store *s);
int kyc_store_commit(kyc_store *s);
void kyc_store_rollback(kyc_store *s);
/* A read transaction: one consistent snapshot for several reads (SQLite:
 * deferred, and one round of file locking instead of one per statement;
 * PostgreSQL: REPEATABLE READ READ ONLY). End it with kyc_store_commit.
 * Commit it before writing: on SQLite a write inside upgrades it (and may
 * then be KYC_ERR_TIMEOUT), on PostgreSQL it is refused. */
int kyc_store_begin_read(kyc_store *s);
/* 1 inside a transaction. */
int kyc_store_in_transaction(kyc_store *s);
/* SQLite only (PostgreSQL: KYC_ERR_UNSUPPORTED with a pointer to pg_dump
 * in err). Writes a consistent snapshot of the whole database — as of one moment,
 * while other connections keep writing — to the file dest_path: into a
 * temporary file beside it, checked (quick_check), synced, then renamed, so
 * dest_path is a whole snapshot or absent. SQLite: the online backup API in
 * one step (one read transaction, which never blocks writers in WAL mode);
 * the copy is a self-contained database (rollback journal). 0, or a
 * negative code with a message in err. */
int kyc_store_backup(kyc_store *s, const char *dest_path, char *err, size_t errsz);
/* Commits on this connection stop waiting for the disk (SQLite:
 * synchronous=NORMAL in WAL mode; PostgreSQL: synchronous_commit=off): a
 * crash of the machine, not of the process, may lose its last commits,
 * never part of one. Only for a connection whose every write is safe to
 * make again: the webhook worker's fan-out, claims and attempt records
 * (delivery is at least once). */
int kyc_store_lazy_commits(kyc_store *s);

/* Where the database stands, cheaply: two tokens read on the same
 * connection are equal only when nothing was committed in between, by this
 * connection or any other, in this process or another. For caches of what
 * was read (an API key's row, a rendered answer): equal tokens, same rows.
 * Read it in the read transaction the cached rows are read in. SQLite:
 * PRAGMA data_version and the connection's own count of changed rows.
 * KYC_ERR_UNSUPPORTED on PostgreSQL, which has nothing as cheap (every
 * statement is a round trip); callers then read the rows. */
struct kyc_store_token {
	uint64_t conn; /* the connection's serial number in this process; 0: none */
	uint64_t version, changes;
};
int kyc_store_token(kyc_store *s, struct kyc_store_token *out);
/* 1 when a and b are equal tokens of the same connection. */
int kyc_store_token_same(const struct kyc_store_token *a, const struct kyc_store_token *b);

/* Work that one node at a time does when several share a database (the
 * sweeps: expiry, deferred fetches, retention): *held is 1 when this
 * connection now holds the lock named by key, 0 when another connection
 * does (then skip the work this time). PostgreSQL: a session advisory lock
 * (pg_try_advisory_lock), freed by kyc_store_unlock or when the session
 * ends, so a node that dies frees it; SQLite serves one node: always held. */
int kyc_store_try_lock(kyc_store *s, int64_t key, int *held);
void kyc_store_unlock(kyc_store *s, int64_t key);
/* The key of the sweeps' lock. */
#define KYC_STORE_LOCK_SWEEPS 0x6b796373 /* "kycs" */

/* ---- tenants and API keys ---- */

/* Creates a tenant; writes its id into id_out. */
int kyc_store_tenant_create(kyc_store *s, const char *name, char id_out[37]);
/* Finds a tenant by exact name (the oldest if several): 0 or KYC_ERR_NOTFOUND. */
int kyc_store_tenant_find(kyc_store *s, const char *name, char id_out[37]);
int kyc_store_tenant_exists(kyc_store *s, const char *tenant_id);
/* Every tenant's id, oldest first (a new array; periodic sweeps). */
int kyc_store_tenant_ids(kyc_store *s, json_t **out);
/* Settings of a tenant as a JSON object (caller owns the reference). */
int kyc_store_tenant_settings(kyc_store *s, const char *tenant_id, json_t **out);
int kyc_store_tenant_settings_set(kyc_store *s, const char *tenant_id, const json_t *settings);

struct kyc_key_row {
	char id[40];
	char tenant_id[37];
	char role[16];
	unsigned char secret_hash[32];
	int64_t created_at;
	int64_t revoked_at; /* 0 when active */
};

/* Stores a key whose secret hashes to secret_hash (SHA-256). */
int kyc_store_key_insert(kyc_store *s, const struct kyc_key_row *row);
/* 0 or KYC_ERR_NOTFOUND. Revoked keys are returned too (check revoked_at). */
int kyc_store_key_get(kyc_store *s, const char *key_id, struct kyc_key_row *out);
/* Marks a key revoked: 0, or KYC_ERR_NOTFOUND when no such active key. */
int kyc_store_key_revoke(kyc_store *s, const char *key_id, int64_t now_ms);

/* ---- resources ---- */

/* Inserts rec (which must carry "id"; "created_at"/"updated_at"/"version"
 * are set here and ignored in rec). Every other key must be a column of the
 * type (src/store/store_schema.c; free-form extras go in the "attributes"
 * object), else KYC_ERR_INVALID. Time columns take integer milliseconds and
 * come back as RFC 3339 text. KYC_ERR_CONFLICT on a duplicate id. */
int kyc_store_insert(kyc_store *s, enum kyc_rtype t, const char *tenant_id, json_t *rec);
/* Reads one record as a new JSON object (caller owns it). */
int kyc_store_get(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id,
		  json_t **out);
/* Reads n records at once: out[i] is ids[i] of tenant_ids[i] as
 * kyc_store_get gives it, or NULL when there is none or it cannot be
 * opened. PostgreSQL in one query (a batch of webhook payloads is one round
 * trip, not one per event); SQLite one read each. 0 or KYC_ERR_NOMEM or the
 * query's error (then every out[i] is NULL). */
int kyc_store_get_many(kyc_store *s, enum kyc_rtype t, int n, const char *const *tenant_ids,
		       const char *const *ids, json_t **out);
/* Sets the fields in patch (null values clear a column), bumps "version" and
 * "updated_at". When expect_version > 0 and the stored version differs, nothing
 * is written and KYC_ERR_CONFLICT is returned. */
int kyc_store_update(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id,
		     const json_t *patch, int64_t expect_version);
int kyc_store_delete(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id);

struct kyc_store_page {
	json_t *items;       /* a new array (caller owns) */
	char next_cursor[128]; /* "" when there is no next page */
};
/* Lists records newest first. filter: an object of column = value equality
 * conditions (may be NULL). cursor: "" or a value from a previous page; a
 * malformed cursor is KYC_ERR_INVALID. limit is clamped to 1..100. */
int kyc_store_list(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const json_t *filter,
		   const char *cursor, int limit, struct kyc_store_page *out);
/* The same, oldest first (review queues, audit trails, event feeds); its
 * cursors are not interchangeable with kyc_store_list's. */
int kyc_store_list_asc(kyc_store *s, enum kyc_rtype t, const char *tenant_id,
		       const json_t *filter, const char *cursor, int limit,
		       struct kyc_store_page *out);

/* One earlier verification the duplicate checks look for (src/flows/checks.c). */
struct kyc_store_match {
	const char *key_column;    /* "document_key" or "identity_key" */
	const char *key;           /* its value */
	const char *status;        /* "approved", "rejected" */
	int64_t decided_since_ms;  /* decided at or after (0: ever) */
	const char *applicant_id;  /* whose: */
	int same_applicant;        /* 1: this applicant's; 0: any other applicant's */
	const char *exclude_id;    /* a verification not to count (the one being checked), or NULL */
};
/* The most recently decided verification of the tenant that matches m (a
 * new reference), or *out NULL when none does. Every earlier verification
 * is considered, however many share the key: the lookup goes through the
 * index on (tenant_id, key_column). KYC_ERR_INVALID for another column. */
int kyc_store_verification_match(kyc_store *s, const char *tenant_id,
				 const struct kyc_store_match *m, json_t **out);

/* The verification's stamp: the version of its row and the id and version
 * of each of its documents, as text in out. Every change to what GET
 * /v1/verifications/{id} shows changes it (an update always counts a new
 * version; a document added or removed changes the set), so an answer built
 * from the rows read under one stamp can be sent again while the stamp reads
 * the same (src/http/api_cache.h). One indexed query. 0, KYC_ERR_NOTFOUND,
 * or KYC_ERR_TOOBIG when it does not fit outsz. */
int kyc_store_verification_stamp(kyc_store *s, const char *tenant_id, const char *id, char *out,
				 size_t outsz);

/* ---- idempotency ---- */

struct kyc_idem_row {
	unsigned char request_hash[32];
	int status;
	char content_type[64];
	char *body;          /* malloc()ed; kyc_idem_row_release frees it */
	size_t body_len;
	int64_t created_at;
};
/* Looks up (tenant, key) newer than not_before_ms: 0 or KYC_ERR_NOTFOUND. */
int kyc_store_idem_get(kyc_store *s, const char *tenant_id, const char *key, int64_t not_before_ms,
		       struct kyc_idem_row *out);
/* Records the first response for (tenant, key), replacing an expired one. */
int kyc_store_idem_put(kyc_store *s, const char *tenant_id, const char *key,
		       const struct kyc_idem_row *row);
void kyc_idem_row_release(struct kyc_idem_row *row);

/* ---- the web surfaces (src/web): hosted-page tokens, operators, console sessions ---- */

/* A hosted-page token: only the SHA-256 of the token is kept. */
struct kyc_hosted_token_row {
	unsigned char token_hash[32];
	char tenant_id[37];
	char verification_id[37];
	int64_t expires_at; /* ms */
	int64_t created_at;
};
/* KYC_ERR_CONFLICT when the hash is already stored. */
int kyc_store_hosted_token_insert(kyc_store *s, const struct kyc_hosted_token_row *row);
/* By hash, across tenants (the token is the only credential the page has):
 * 0 or KYC_ERR_NOTFOUND. Expired rows are returned too (check expires_at). */
int kyc_store_hosted_token_get(kyc_store *s, const unsigned char token_hash[32],
			       struct kyc_hosted_token_row *out);

/* A console operator of one tenant. username is unique across the server
 * (the login form has no tenant field). */
struct kyc_operator_row {
	char id[37];
	char tenant_id[37];
	char username[65];
	char role[16];
	char password_hash[128]; /* libsodium's Argon2id string */
	int64_t created_at;
	int64_t disabled_at; /* 0 when active */
};
/* KYC_ERR_CONFLICT when the username is taken. */
int kyc_store_operator_insert(kyc_store *s, const struct kyc_operator_row *row);
/* By username (login): 0 or KYC_ERR_NOTFOUND. */
int kyc_store_operator_find(kyc_store *s, const char *username, struct kyc_operator_row *out);
/* By id within a tenant: 0 or KYC_ERR_NOTFOUND. */
int kyc_store_operator_get(kyc_store *s, const char *tenant_id, const char *id,
			   struct kyc_operator_row *out);

/* Sets an operator's disabled_at (0: enabled) and, when password_hash is
 * not NULL, its password hash. 0 or KYC_ERR_NOTFOUND. */
int kyc_store_operator_set(kyc_store *s, const char *id, int64_t disabled_at,
			   const char *password_hash);
/* Ends every console session of an operator; *ended (may be NULL) gets how many. */
int kyc_store_sessions_end_operator(kyc_store *s, const char *operator_id, int *ended);

/* Failed console logins per username (known or not), for throttling.
 * Adding a failure also drops streaks older than a day. */
int kyc_store_login_failures(kyc_store *s, const char *username, int *failures,
			     int64_t *last_failure_at);
int kyc_store_login_failure_add(kyc_store *s, const char *username, int64_t now_ms);
int kyc_store_login_failures_clear(kyc_store *s, const char *username);

/* A token bucket shared by every node of the database (rate limits, src/http/
 * api_limits.c): key's bucket of at most burst tokens, refilled at per_ms a
 * millisecond since its last take, gives one token when it has one, in one
 * statement. *allowed: 1 when it did; *tokens: what is left. KYC_ERR_UNSUPPORTED
 * on SQLite (one node: the caller's buckets in memory). */
int kyc_store_rate_take(kyc_store *s, const char *key, double per_ms, double burst,
			int64_t now_ms, double *tokens, int *allowed);
/* 1 when kyc_store_rate_take keeps buckets in the database (PostgreSQL). */
int kyc_store_rate_shared(kyc_store *s);
/* Forgets the buckets not taken from since before_ms (they come back full). */
int kyc_store_rate_forget(kyc_store *s, int64_t before_ms);

/* A console session: only the SHA-256 of the cookie's secret is kept. */
struct kyc_session_row {
	unsigned char id_hash[32];
	char operator_id[37];
	char tenant_id[37];
	char csrf_token[65];
	int64_t created_at;
	int64_t expires_at;
};
int kyc_store_session_insert(kyc_store *s, const struct kyc_session_row *row);
/* 0 or KYC_ERR_NOTFOUND (expired rows too: check expires_at). */
int kyc_store_session_get(kyc_store *s, const unsigned char id_hash[32],
			  struct kyc_session_row *out);
/* Removes a session (logout), and every session that expired before now_ms. */
int kyc_store_session_delete(kyc_store *s, const unsigned char id_hash[32], int64_t now_ms);

/* ---- retention and erasure (src/flows/erasure.h, docs/security.md) ---- */

/* Sets details and attributes of every audit-trail row of a verification to
 * NULL: the one change the append-only trail allows (migration 9); who did
 * what and when stays. *n (may be NULL): rows changed. */
int kyc_store_history_scrub(kyc_store *s, const char *tenant_id, const char *verification_id,
			    int *n);
/* Deletes the hosted-page tokens of a verification (links stop working). */
int kyc_store_hosted_tokens_delete(kyc_store *s, const char *tenant_id,
				   const char *verification_id);
/* Deletes the tenant's recorded idempotent responses whose body mentions
 * needle (a record's id; KYC_ERR_INVALID when empty): a replay must not hand
 * back what was erased. The bodies are sealed, so each is opened to look. */
int kyc_store_idem_forget(kyc_store *s, const char *tenant_id, const char *needle);

/* What a retention period removes from a closed verification. */
enum kyc_retention_kind { KYC_RETAIN_IMAGES, KYC_RETAIN_IDENTITY };
/* Ids (a new array, at most limit, oldest first) of the tenant's closed
 * verifications (approved, rejected, expired, cancelled) that closed
 * (decided_at, else updated_at) before closed_before_ms and still hold what
 * kind names (images_removed_at / identity_removed_at NULL), through a
 * partial index: the cost is what is due. */
int kyc_store_retention_due(kyc_store *s, const char *tenant_id, enum kyc_retention_kind kind,
			    int64_t closed_before_ms, int limit, json_t **ids);
/* Moves every committed change into the database file and empties the
 * write-ahead log (SQLite: wal_checkpoint(TRUNCATE)), so that pages from
 * before an erasure no longer sit on disk in the log. Waits at most 200 ms
 * for readers and writers (new writers wait meanwhile): call it off the
 * request threads. 0, or KYC_ERR_TIMEOUT when the log stayed in use (try
 * again later). PostgreSQL: a VACUUM of the tables erasure changes (dead
 * row versions removed; the server's own log is its to recycle), outside a
 * transaction (KYC_ERR_STATE inside one). */
int kyc_store_log_truncate(kyc_store *s);
/* ---- encryption at rest (docs/security.md, src/store/store_seal.h) ---- */

/* Crypto-shredding: deletes the data key of one applicant, so that every
 * value and blob sealed under it — in this database and in every backup —
 * can no longer be opened (such values then read as null). Call it in the
 * transaction that erases the applicant. Its row becomes a tombstone: no
 * key is made for that id again, and a later write for it (what erasure
 * keeps) is sealed under the tenant's key. 0, KYC_ERR_NOTFOUND (no key:
 * nothing was ever sealed for it; the tombstone is written all the same),
 * KYC_ERR_INVALID for an empty id. */
int kyc_store_forget_applicant_key(kyc_store *s, const char *tenant_id, const char *applicant_id);
/* Key rotation: re-wraps every tenant key not wrapped by the current master
 * key (the first of the master key file) under it, a batch of tenants per
 * transaction, while other connections keep serving. *rewrapped: how many.
 * 0 or a negative code with the reason in err. */
int kyc_store_keys_rewrap(kyc_store *s, long *rewrapped, char *err, size_t errsz);
/* The ids of the master keys that wrap this database's tenant keys (a new
 * array of strings): a key of the file not in it can be dropped. */
int kyc_store_master_ids(kyc_store *s, json_t **ids);

/* The last SQLite or PostgreSQL message for this connection (for logs, never
 * for clients). */
const char *kyc_store_errmsg(kyc_store *s);

#endif
