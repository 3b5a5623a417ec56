/* The SQLite backend of store.h: one connection per kyc_store, WAL journal,
 * synchronous=FULL (a committed decision survives power loss), foreign keys
 * on, busy timeout so that the server's threads queue instead of failing. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/rand.h"
#include "store/store_seal.h"
#include "store/store_sqlite_int.h"

#define STMT_CACHE 64

struct kyc_sqlite {
	struct kyc_store base; /* first: a kyc_store * is a struct kyc_sqlite * */
	sqlite3 *db;
	sqlite3_stmt *get[KYC_R__COUNT];
	sqlite3_stmt *key_get;
	/* Prepared statements by SQL text: lists, updates and inserts are built
	 * from the column tables, and preparing costs more than running them. */
	struct {
		char *sql;
		sqlite3_stmt *st;
		int busy;
	} cache[STMT_CACHE];
	char data_dir[4096];
	char errmsg[256];
	uint64_t serial; /* this connection among every one the process opened (tokens) */
};

static const struct kyc_store_ops sqlite_ops;
static atomic_uint_fast64_t opened;

static struct kyc_sqlite *sq(kyc_store *s)
{
	return (struct kyc_sqlite *)s;
}


static int store_fail(kyc_store *s, int code)
{
	snprintf(sq(s)->errmsg, sizeof sq(s)->errmsg, "%s", sqlite3_errmsg(sq(s)->db));
	return code;
}

static int map_sqlite(kyc_store *s, int rc)
{
	if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return store_fail(s, KYC_ERR_CONFLICT);
	if ((rc & 0xff) == SQLITE_BUSY)
		return store_fail(s, KYC_ERR_TIMEOUT);
	if ((rc & 0xff) == SQLITE_NOMEM)
		return store_fail(s, KYC_ERR_NOMEM);
	return store_fail(s, KYC_ERR_IO);
}

static const char * sqlite_errmsg(kyc_store *s)
{
	return sq(s)->errmsg;
}

/* ---- migrations ---- */

/* 1 when the database holds a data key. */
static int store_has_data_keys(kyc_store *s)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(sq(s)->db, "SELECT 1 FROM data_keys LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return 0;
	int found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* Applies pending migrations; *sealed_from is set when migration 8 (the
 * encryption) was applied to a database that had records before it. */
static int store_migrate(kyc_store *s, char *err, size_t errsz, int *sealed_from)
{
	char *msg = NULL;
	int rc = sqlite3_exec(sq(s)->db,
			      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY "
			      "KEY, applied_at INTEGER NOT NULL);",
			      NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		goto fail;
	/* IMMEDIATE: several threads open the store at start; one migrates, the
	 * others wait on the busy timeout and then see the new version. */
	rc = sqlite3_exec(sq(s)->db, "BEGIN IMMEDIATE", NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		goto fail;
	int current = kyc_store_schema_version(s);
	for (int i = 0; i < kyc__migration_count; i++) {
		const struct kyc_migration *m = &kyc__migrations[i];
		if (m->version <= current)
			continue;
		if (m->version == 8 && current > 0)
			*sealed_from = current;
		rc = sqlite3_exec(sq(s)->db, m->sql, NULL, NULL, &msg);
		if (rc != SQLITE_OK)
			goto rollback;
		char ins[128];
		snprintf(ins, sizeof ins,
			 "INSERT INTO schema_migrations(version, applied_at) VALUES (%d, %lld)",
			 m->version, (long long)kyc_now_ms());
		rc = sqlite3_exec(sq(s)->db, ins, NULL, NULL, &msg);
		if (rc != SQLITE_OK)
			goto rollback;
	}
	rc = sqlite3_exec(sq(s)->db, "COMMIT", NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		goto rollback;
	return 0;
rollback:
	sqlite3_exec(sq(s)->db, "ROLLBACK", NULL, NULL, NULL);
fail:
	snprintf(err, errsz, "migration failed: %s", msg ? msg : sqlite3_errmsg(sq(s)->db));
	sqlite3_free(msg);
	return KYC_ERR_IO;
}

static int sqlite_schema_version(kyc_store *s)
{
	sqlite3_stmt *st;
	int v = 0;
	/* Cached: /healthz runs it on every probe. */
	if (kyc__store_prepare(s, "SELECT coalesce(max(version),0) FROM schema_migrations", &st))
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	kyc__store_release(s, st);
	return v;
}

static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

/* Process-wide SQLite settings, before the first connection. Memory
 * statistics take a global mutex on every allocation, which the server's
 * threads would fight over; kycd does not use them. */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int kyc__sqlite_open(const char *data_dir, kyc_store **out, char *err, size_t errsz)
{
	*out = NULL;
	pthread_once(&sqlite_once, sqlite_setup);
	if (mkdir(data_dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errsz, "cannot create data directory %s: %s", data_dir,
			 strerror(errno));
		return KYC_ERR_IO;
	}
	char path[4096];
	if ((size_t)snprintf(path, sizeof path, "%s/kycd.db", data_dir) >= sizeof path) {
		snprintf(err, errsz, "data directory path too long");
		return KYC_ERR_INVALID;
	}
	struct kyc_sqlite *q = calloc(1, sizeof *q);
	if (!q)
		return KYC_ERR_NOMEM;
	q->base.ops = &sqlite_ops;
	q->serial = atomic_fetch_add(&opened, 1) + 1;
	kyc_store *s = &q->base;
	snprintf(q->data_dir, sizeof q->data_dir, "%s", data_dir);
	int rc = sqlite3_open_v2(path, &sq(s)->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errsz, "cannot open %s: %s", path,
			 sq(s)->db ? sqlite3_errmsg(sq(s)->db) : "out of memory");
		goto fail;
	}
	chmod(path, 0600);
	sqlite3_busy_timeout(sq(s)->db, 10000);
	char *msg = NULL;
	/* secure_delete: what an erasure or retention sweep blanks is overwritten
	 * with zeros in the file, not left in a page's free space or on the
	 * freelist (docs/security.md, "Retention and erasure") */
	rc = sqlite3_exec(sq(s)->db,
			  "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
			  "PRAGMA secure_delete=ON;",
			  NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		snprintf(err, errsz, "cannot configure database: %s", msg ? msg : "?");
		sqlite3_free(msg);
		goto fail;
	}
	int sealed_from = 0;
	if (store_migrate(s, err, errsz, &sealed_from) != 0)
		goto fail;
	/* a default key file beside a database may be made only while no data
	 * key exists that an older one wrapped */
	if (kyc__seal_keyring(data_dir, !store_has_data_keys(s), &q->base.keyring, err, errsz) ||
	    kyc__seal_check(s, err, errsz))
		goto fail;
	if (sealed_from && kyc__store_seal_existing(s, err, errsz))
		goto fail;
	*out = s;
	return 0;
fail:
	kyc_store_close(s);
	return KYC_ERR_IO;
}

static void sqlite_close(kyc_store *s)
{
	if (!s)
		return;
	for (int i = 0; i < KYC_R__COUNT; i++)
		sqlite3_finalize(sq(s)->get[i]);
	for (int i = 0; i < STMT_CACHE; i++) {
		sqlite3_finalize(sq(s)->cache[i].st);
		free(sq(s)->cache[i].sql);
	}
	sqlite3_finalize(sq(s)->key_get);
	sqlite3_close(sq(s)->db);
	free(s);
}

/* fsync of the directory holding path, so a rename in it is durable. */
static int sync_parent(const char *path)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = 0;
	else if (slash)
		*slash = 0;
	else
		snprintf(dir, sizeof dir, ".");
	return kyc__store_fsync_dir(dir);
}

/* The backup of s into the open database dst, checked; the message of a
 * failure in err. */
static int backup_into(kyc_store *s, sqlite3 *dst, char *err, size_t errsz)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", sq(s)->db, "main");
	if (!b) {
		snprintf(err, errsz, "backup: %s", sqlite3_errmsg(dst));
		return KYC_ERR_IO;
	}
	/* One step: all pages under one read transaction, so the copy is one
	 * moment of the database however much is written meanwhile. */
	int rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		snprintf(err, errsz, "backup: %s", sqlite3_errstr(rc));
		return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? KYC_ERR_TIMEOUT : KYC_ERR_IO;
	}
	/* The source is in WAL mode and so is the copy's header: make it one
	 * self-contained file (kycd turns WAL back on when it opens it). */
	sqlite3_stmt *st = NULL;
	rc = sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(dst, "PRAGMA quick_check", -1, &st, NULL);
	const unsigned char *verdict = NULL;
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		verdict = sqlite3_column_text(st, 0);
	int ok = verdict && !strcmp((const char *)verdict, "ok");
	if (!ok)
		snprintf(err, errsz, "backup: the copy does not pass quick_check: %s",
			 verdict ? (const char *)verdict : sqlite3_errmsg(dst));
	sqlite3_finalize(st);
	return ok ? 0 : KYC_ERR_IO;
}

static int sqlite_backup(kyc_store *s, const char *dest_path, char *err, size_t errsz)
{
	char tmp[4200];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", dest_path) >= sizeof tmp) {
		snprintf(err, errsz, "backup: path too long");
		return KYC_ERR_INVALID;
	}
	unlink(tmp); /* debris of an earlier attempt */
	sqlite3 *dst = NULL;
	int rc = sqlite3_open_v2(tmp, &dst,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errsz, "backup: cannot create %s: %s", tmp,
			 dst ? sqlite3_errmsg(dst) : "out of memory");
		sqlite3_close(dst);
		return KYC_ERR_IO;
	}
	chmod(tmp, 0600);
	rc = backup_into(s, dst, err, errsz);
	if (sqlite3_close(dst) != SQLITE_OK && !rc) {
		snprintf(err, errsz, "backup: cannot close the copy");
		rc = KYC_ERR_IO;
	}
	int fd = rc ? -1 : open(tmp, O_RDONLY | O_CLOEXEC);
	if (!rc && (fd < 0 || fsync(fd) != 0)) {
		snprintf(err, errsz, "backup: cannot sync %s: %s", tmp, strerror(errno));
		rc = KYC_ERR_IO;
	}
	if (fd >= 0)
		close(fd);
	if (!rc && rename(tmp, dest_path) != 0) {
		snprintf(err, errsz, "backup: cannot rename to %s: %s", dest_path, strerror(errno));
		rc = KYC_ERR_IO;
	}
	if (!rc && sync_parent(dest_path) != 0) {
		snprintf(err, errsz, "backup: cannot sync the directory of %s", dest_path);
		rc = KYC_ERR_IO;
	}
	if (rc)
		unlink(tmp);
	return rc;
}

static int sqlite_lazy_commits(kyc_store *s)
{
	int rc = sqlite3_exec(sq(s)->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : map_sqlite(s, rc);
}

/* Runs a fixed statement through the statement cache (BEGIN/COMMIT run on
 * every request; parsing them each time showed in profiles). */
static int exec_cached(kyc_store *s, const char *sql)
{
	sqlite3_stmt *st;
	int rc = kyc__store_prepare(s, sql, &st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : map_sqlite(s, rc);
	kyc__store_release(s, st);
	return rc;
}

/* data_version moves when another connection commits (seen when this one
 * next takes a snapshot); this connection's own writes show in its count
 * of changed rows instead, which also moves for writes rolled back: a
 * cache then only reads again. */
static int sqlite_token(kyc_store *s, struct kyc_store_token *out)
{
	sqlite3_stmt *st;
	int rc = kyc__store_prepare(s, "PRAGMA data_version", &st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->conn = sq(s)->serial;
		out->version = (uint64_t)sqlite3_column_int64(st, 0);
		out->changes = (uint64_t)sqlite3_total_changes64(sq(s)->db);
		rc = 0;
	} else {
		rc = map_sqlite(s, rc);
	}
	kyc__store_release(s, st);
	return rc;
}

static int sqlite_begin(kyc_store *s)
{
	return exec_cached(s, "BEGIN IMMEDIATE");
}

static int sqlite_begin_read(kyc_store *s)
{
	return exec_cached(s, "BEGIN");
}

static int sqlite_in_transaction(kyc_store *s)
{
	return !sqlite3_get_autocommit(sq(s)->db);
}

static int sqlite_commit(kyc_store *s)
{
	int rc = exec_cached(s, "COMMIT");
	if (rc)
		kyc_store_rollback(s);
	return rc;
}

static void sqlite_rollback(kyc_store *s)
{
	if (!sqlite3_get_autocommit(sq(s)->db))
		exec_cached(s, "ROLLBACK");
}

/* Runs a statement that returns no rows and finalizes it. */
static int step_done(kyc_store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	int ret = rc == SQLITE_DONE ? 0 : map_sqlite(s, rc);
	sqlite3_finalize(st);
	return ret;
}

static int prepare(kyc_store *s, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(sq(s)->db, sql, -1, st, NULL);
	return rc == SQLITE_OK ? 0 : map_sqlite(s, rc);
}

/* ---- tenants and keys ---- */

static int sqlite_tenant_create(kyc_store *s, const char *name, char id_out[37])
{
	sqlite3_stmt *st;
	int rc = kyc_uuid_new(id_out);
	if (rc || (rc = prepare(s, "INSERT INTO tenants(id, name, created_at) VALUES (?,?,?)", &st)))
		return rc;
	sqlite3_bind_text(st, 1, id_out, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, kyc_now_ms());
	return step_done(s, st);
}

static int sqlite_tenant_find(kyc_store *s, const char *name, char id_out[37])
{
	sqlite3_stmt *st;
	int rc = prepare(s, "SELECT id FROM tenants WHERE name=? ORDER BY created_at LIMIT 1", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(id_out, 37, "%s", (const char *)sqlite3_column_text(st, 0));
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? KYC_ERR_NOTFOUND : map_sqlite(s, rc);
	}
	sqlite3_finalize(st);
	return rc;
}

static int sqlite_tenant_exists(kyc_store *s, const char *tenant_id)
{
	sqlite3_stmt *st;
	if (prepare(s, "SELECT 1 FROM tenants WHERE id=?", &st))
		return 0;
	sqlite3_bind_text(st, 1, tenant_id, -1, SQLITE_STATIC);
	int found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static int sqlite_tenant_ids(kyc_store *s, json_t **out)
{
	sqlite3_stmt *st;
	*out = NULL;
	int rc = prepare(s, "SELECT id FROM tenants ORDER BY created_at", &st);
	if (rc)
		return rc;
	json_t *ids = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(ids, json_string((const char *)sqlite3_column_text(st, 0)));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(ids);
		return kyc__store_map(s, rc);
	}
	*out = ids;
	return 0;
}

static int sqlite_tenant_settings(kyc_store *s, const char *tenant_id, json_t **out)
{
	sqlite3_stmt *st;
	*out = NULL;
	int rc = prepare(s, "SELECT settings FROM tenants WHERE id=?", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, tenant_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *txt = (const char *)sqlite3_column_text(st, 0);
		*out = json_loads(txt ? txt : "{}", 0, NULL);
		rc = *out && json_is_object(*out) ? 0 : KYC_ERR_INTERNAL;
	} else {
		rc = rc == SQLITE_DONE ? KYC_ERR_NOTFOUND : map_sqlite(s, rc);
	}
	sqlite3_finalize(st);
	return rc;
}

static int sqlite_tenant_settings_set(kyc_store *s, const char *tenant_id, const json_t *settings)
{
	sqlite3_stmt *st;
	char *txt = json_dumps(settings, JSON_COMPACT | JSON_SORT_KEYS);
	if (!txt)
		return KYC_ERR_NOMEM;
	int rc = prepare(s, "UPDATE tenants SET settings=? WHERE id=?", &st);
	if (!rc) {
		sqlite3_bind_text(st, 1, txt, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, tenant_id, -1, SQLITE_STATIC);
		rc = step_done(s, st);
		if (!rc && sqlite3_changes(sq(s)->db) == 0)
			rc = KYC_ERR_NOTFOUND;
	}
	free(txt);
	return rc;
}

static int sqlite_key_insert(kyc_store *s, const struct kyc_key_row *row)
{
	sqlite3_stmt *st;
	int rc = prepare(s,
			 "INSERT INTO api_keys(id, tenant_id, role, secret_hash, created_at) "
			 "VALUES (?,?,?,?,?)",
			 &st);
	if (rc)
		return rc;
	kyc__sqlite_bind_fields(st, &kyc__key_insert_fields, row);
	return step_done(s, st);
}

static int sqlite_key_get(kyc_store *s, const char *key_id, struct kyc_key_row *out)
{
	/* Cached: every authenticated request runs it. */
	if (!sq(s)->key_get) {
		int rc = prepare(s, kyc__key_get_sql, &sq(s)->key_get);
		if (rc)
			return rc;
	}
	sqlite3_stmt *st = sq(s)->key_get;
	sqlite3_bind_text(st, 1, key_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		/* a secret hash of another size matches no key: read as zeros */
		(void)kyc__sqlite_read_fields(st, &kyc__key_fields, out);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? KYC_ERR_NOTFOUND : map_sqlite(s, rc);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

static int sqlite_key_revoke(kyc_store *s, const char *key_id, int64_t now_ms)
{
	sqlite3_stmt *st;
	int rc = prepare(s, "UPDATE api_keys SET revoked_at=? WHERE id=? AND revoked_at IS NULL",
			 &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, now_ms);
	sqlite3_bind_text(st, 2, key_id, -1, SQLITE_STATIC);
	rc = step_done(s, st);
	if (!rc && sqlite3_changes(sq(s)->db) == 0)
		rc = KYC_ERR_NOTFOUND;
	return rc;
}

/* ---- idempotency ---- */

static int sqlite_idem_get(kyc_store *s, const char *tenant_id, const char *key,
			   int64_t not_before_ms, struct kyc_idem_row *out)
{
	sqlite3_stmt *st;
	memset(out, 0, sizeof *out);
	int rc = prepare(s,
			 "SELECT request_hash, status, content_type, body, created_at FROM "
			 "idempotency_keys WHERE tenant_id=? AND key=? AND created_at>=?",
			 &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, tenant_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, not_before_ms);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) == (int)sizeof out->request_hash)
			memcpy(out->request_hash, sqlite3_column_blob(st, 0),
			       sizeof out->request_hash);
		out->status = sqlite3_column_int(st, 1);
		snprintf(out->content_type, sizeof out->content_type, "%s",
			 (const char *)sqlite3_column_text(st, 2));
		int n = sqlite3_column_bytes(st, 3);
		out->body = malloc((size_t)n + 1);
		if (!out->body) {
			rc = KYC_ERR_NOMEM;
		} else {
			if (n)
				memcpy(out->body, sqlite3_column_blob(st, 3), (size_t)n);
			out->body[n] = '\0';
			out->body_len = (size_t)n;
			out->created_at = sqlite3_column_int64(st, 4);
			rc = 0;
		}
	} else {
		rc = rc == SQLITE_DONE ? KYC_ERR_NOTFOUND : map_sqlite(s, rc);
	}
	sqlite3_finalize(st);
	return rc;
}

static int sqlite_idem_put(kyc_store *s, const char *tenant_id, const char *key,
		       const struct kyc_idem_row *row)
{
	sqlite3_stmt *st;
	/* Replaces only an expired record (older than created_at - 24 h is the
	 * caller's window: it looked the key up first); a concurrent first
	 * response that landed meanwhile wins and is kept. */
	int rc = prepare(s,
			 "INSERT INTO idempotency_keys(tenant_id, key, request_hash, status, "
			 "content_type, body, created_at) VALUES (?,?,?,?,?,?,?) ON "
			 "CONFLICT(tenant_id, key) DO UPDATE SET request_hash=excluded.request_hash, "
			 "status=excluded.status, content_type=excluded.content_type, "
			 "body=excluded.body, created_at=excluded.created_at WHERE "
			 "excluded.created_at - idempotency_keys.created_at > 86400000",
			 &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, tenant_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, row->request_hash, sizeof row->request_hash, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, row->status);
	sqlite3_bind_text(st, 5, row->content_type, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, row->body ? row->body : "", (int)row->body_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, row->created_at ? row->created_at : kyc_now_ms());
	return step_done(s, st);
}

/* ---- resources ---- */

/* The SQLite internals refuse another backend's connection: a store call
 * written only for SQLite (reaching for kyc__store_prepare instead of going
 * through the ops) fails cleanly on PostgreSQL instead of reading its
 * struct as SQLite's. */
static int is_sqlite(kyc_store *s)
{
	return s->ops == &sqlite_ops;
}

const char *kyc__store_data_dir(kyc_store *s)
{
	return is_sqlite(s) ? sq(s)->data_dir : "";
}

sqlite3 *kyc__store_db(kyc_store *s)
{
	return is_sqlite(s) ? sq(s)->db : NULL;
}

sqlite3_stmt **kyc__store_get_stmt(kyc_store *s, enum kyc_rtype t)
{
	return &sq(s)->get[t];
}

int kyc__store_map(kyc_store *s, int rc)
{
	return map_sqlite(s, rc);
}

int kyc__store_prepare(kyc_store *s, const char *sql, sqlite3_stmt **st)
{
	*st = NULL;
	if (!is_sqlite(s))
		return KYC_ERR_UNSUPPORTED;
	int free_slot = -1;
	for (int i = 0; i < STMT_CACHE; i++) {
		if (!sq(s)->cache[i].sql) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (!sq(s)->cache[i].busy && !strcmp(sq(s)->cache[i].sql, sql)) {
			sq(s)->cache[i].busy = 1;
			*st = sq(s)->cache[i].st;
			return 0;
		}
	}
	int rc = sqlite3_prepare_v3(sq(s)->db, sql, -1, free_slot >= 0 ? SQLITE_PREPARE_PERSISTENT : 0,
				    st, NULL);
	if (rc != SQLITE_OK)
		return map_sqlite(s, rc);
	if (free_slot >= 0) {
		sq(s)->cache[free_slot].sql = strdup(sql);
		if (sq(s)->cache[free_slot].sql) {
			sq(s)->cache[free_slot].st = *st;
			sq(s)->cache[free_slot].busy = 1;
		}
	}
	return 0;
}

void kyc__store_release(kyc_store *s, sqlite3_stmt *st)
{
	if (!st)
		return;
	for (int i = 0; i < STMT_CACHE; i++)
		if (sq(s)->cache[i].st == st && sq(s)->cache[i].busy) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			sq(s)->cache[i].busy = 0;
			return;
		}
	sqlite3_finalize(st);
}

/* One node: the database file is this machine's, so the lock is ours. */
static int sqlite_try_lock(kyc_store *s, int64_t key, int *held)
{
	*held = 1;
	return 0;
}

static void sqlite_unlock(kyc_store *s, int64_t key)
{
}

static const struct kyc_store_ops sqlite_ops = {
	.close = sqlite_close,
	.schema_version = sqlite_schema_version,
	.begin = sqlite_begin,
	.begin_read = sqlite_begin_read,
	.commit = sqlite_commit,
	.rollback = sqlite_rollback,
	.in_transaction = sqlite_in_transaction,
	.backup = sqlite_backup,
	.lazy_commits = sqlite_lazy_commits,
	.token = sqlite_token,
	.try_lock = sqlite_try_lock,
	.unlock = sqlite_unlock,
	.errmsg = sqlite_errmsg,
	.tenant_create = sqlite_tenant_create,
	.tenant_find = sqlite_tenant_find,
	.tenant_exists = sqlite_tenant_exists,
	.tenant_ids = sqlite_tenant_ids,
	.tenant_settings = sqlite_tenant_settings,
	.tenant_settings_set = sqlite_tenant_settings_set,
	.key_insert = sqlite_key_insert,
	.key_get = sqlite_key_get,
	.key_revoke = sqlite_key_revoke,
	.idem_get = sqlite_idem_get,
	.idem_put = sqlite_idem_put,
	.resource = &kyc__sqlite_resource_ops,
	.web = &kyc__sqlite_web_ops,
	.outbox = &kyc__sqlite_outbox_ops,
	.keys = &kyc__sqlite_key_ops,
	.erase = &kyc__sqlite_erase_ops,
};
