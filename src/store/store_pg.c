/* The PostgreSQL backend of store.h (libpq): the connection, its
 * statements, transactions and migrations. The values statements take and
 * give are in store_pg_values.c, the migrations' PostgreSQL text is made in
 * store_pg_dialect.c, and the records are in store_pg_rows.c,
 * store_pg_resource.c, store_pg_web.c, store_pg_outbox.c, store_pg_keys.c
 * and store_pg_erase.c (store_pg_int.h). One kyc_pg per thread, like
 * SQLite's connections: kyc_store_open in each server thread, the webhook
 * worker and the sweeper. */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "store/store_int.h"
#include "store/store_pg_int.h"
#include "store/store_seal.h"

/* pg_advisory_xact_lock key of the migrations: "kycd" in ASCII. */
#define MIGRATION_LOCK 0x6b796364
/* Prepared statements per connection: lists and updates are built from the
 * column tables and their filters, so the set is bounded but not tiny; past
 * the table's load limit a statement runs unprepared. */
#define STMT_SLOTS 1024
#define STMT_MAX 768

struct kyc_pg {
	struct kyc_store base; /* first: a kyc_store * is a kyc_pg * */
	PGconn *conn;
	struct {
		uint64_t hash;
		char *sql;
	} stmts[STMT_SLOTS];
	int nstmts;
	int in_tx;
	/* A read transaction begun but not sent: its BEGIN goes out with the
	 * first statement, in one round trip (exec_begun). */
	int begin_pending;
	int read_tx;         /* the transaction is a read transaction (pg_begin_read) */
	/* A read transaction's COMMIT was sent and its answer not read yet
	 * (pg_commit): settle reads it before the connection is used again. */
	int commit_inflight;
	int lazy; /* synchronous_commit off (kyc_store_lazy_commits) */
	char errmsg[512];
};

static const struct kyc_store_ops pg_ops;

static kyc_pg *pg(kyc_store *s)
{
	return (kyc_pg *)s;
}

kyc_store *kyc__pg_store(kyc_pg *p)
{
	return &p->base;
}

/* ---- statements ---- */

static int pg_fail(kyc_pg *p, const PGresult *r)
{
	const char *msg = r ? PQresultErrorMessage(r) : "";
	snprintf(p->errmsg, sizeof p->errmsg, "%s", *msg ? msg : PQerrorMessage(p->conn));
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	if (!state)
		return KYC_ERR_IO;
	/* integrity constraints, and the append-only trigger's RAISE (as
	 * SQLite's RAISE(ABORT) is a constraint error) */
	if (!strncmp(state, "23", 2) || !strcmp(state, "P0001"))
		return KYC_ERR_CONFLICT;
	if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03") ||
	    !strcmp(state, "57014"))
		return KYC_ERR_TIMEOUT;
	if (!strcmp(state, "53200"))
		return KYC_ERR_NOMEM;
	return KYC_ERR_IO;
}

static uint64_t sql_hash(const char *sql)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (const unsigned char *c = (const unsigned char *)sql; *c; c++)
		h = (h ^ *c) * 1099511628211ULL;
	return h;
}

static void stmts_forget(kyc_pg *p)
{
	for (int i = 0; i < STMT_SLOTS; i++) {
		free(p->stmts[i].sql);
		p->stmts[i].sql = NULL;
	}
	p->nstmts = 0;
}

/* The slot of sql's statement: the one holding its hash, or the free one
 * it would take; h gets the hash and name the statement's name. */
static unsigned stmt_find(kyc_pg *p, const char *sql, uint64_t *h, char name[24])
{
	*h = sql_hash(sql);
	unsigned slot = (unsigned)(*h % STMT_SLOTS);
	while (p->stmts[slot].sql && p->stmts[slot].hash != *h)
		slot = (slot + 1) % STMT_SLOTS;
	snprintf(name, 24, "k%016" PRIx64, *h);
	return slot;
}

/* A statement's parameters as libpq takes them (none for q NULL). */
struct args {
	int n;
	const char *const *v;
	const int *len, *fmt;
};

static struct args args_of(const struct kyc_pgq *q)
{
	if (!q)
		return (struct args){0, NULL, NULL, NULL};
	return (struct args){q->n, q->v, q->len, q->fmt};
}

/* Runs sql once: prepared under its hash's name (prepared now if this
 * connection has not yet), or unprepared when the table is full or two
 * statements share a hash. */
static PGresult *exec_once(kyc_pg *p, const char *sql, const struct kyc_pgq *q)
{
	struct args a = args_of(q);
	uint64_t h;
	char name[24];
	unsigned slot = stmt_find(p, sql, &h, name);
	if (p->stmts[slot].sql) {
		if (!strcmp(p->stmts[slot].sql, sql))
			return PQexecPrepared(p->conn, name, a.n, a.v, a.len, a.fmt, 0);
		return PQexecParams(p->conn, sql, a.n, NULL, a.v, a.len, a.fmt, 0);
	}
	if (p->nstmts >= STMT_MAX)
		return PQexecParams(p->conn, sql, a.n, NULL, a.v, a.len, a.fmt, 0);
	PGresult *r = PQprepare(p->conn, name, sql, 0, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		return r;
	PQclear(r);
	p->stmts[slot].sql = strdup(sql);
	if (p->stmts[slot].sql) {
		p->stmts[slot].hash = h;
		p->nstmts++;
	} else {
		/* prepared but not remembered: drop it so the name can be reused */
		PQclear(PQexec(p->conn, "DEALLOCATE ALL"));
		stmts_forget(p);
		return PQexecParams(p->conn, sql, a.n, NULL, a.v, a.len, a.fmt, 0);
	}
	return PQexecPrepared(p->conn, name, a.n, a.v, a.len, a.fmt, 0);
}

/* Reads the answer to a COMMIT sent by pg_commit and leaves pipeline mode.
 * A read transaction has nothing its COMMIT could lose, so a failure is
 * only kept as the connection's last message; a connection lost on the
 * way is reopened by the next statement. */
static void commit_answer(kyc_pg *p)
{
	p->commit_inflight = 0;
	PGresult *r;
	for (int idle = 0; idle < 4 && PQstatus(p->conn) == CONNECTION_OK;) {
		if (!(r = PQgetResult(p->conn))) { /* the end of one query's results */
			idle++;
			continue;
		}
		ExecStatusType st = PQresultStatus(r);
		if (st != PGRES_COMMAND_OK && st != PGRES_PIPELINE_SYNC)
			snprintf(p->errmsg, sizeof p->errmsg, "%s", PQresultErrorMessage(r));
		PQclear(r);
		if (st == PGRES_PIPELINE_SYNC)
			break;
	}
}

static void settle(kyc_pg *p)
{
	if (!p->commit_inflight)
		return;
	commit_answer(p);
	PQexitPipelineMode(p->conn);
}

/* The BEGIN of a read transaction and its first statement in one round
 * trip (libpq's pipeline mode): the statement's result, or the BEGIN's
 * error; the statement is prepared in the same trip when this connection
 * has not prepared it yet. A read-only transaction has nothing to lose by
 * sending its first statement before the BEGIN is answered. */
static const char read_begin[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

static PGresult *exec_begun(kyc_pg *p, const char *sql, const struct kyc_pgq *q)
{
	struct args a = args_of(q);
	uint64_t h;
	char name[24];
	unsigned slot = stmt_find(p, sql, &h, name);
	/* prepared under its name only when the slot is free or already its own */
	int known = p->stmts[slot].sql && !strcmp(p->stmts[slot].sql, sql);
	int prepare = !p->stmts[slot].sql && p->nstmts < STMT_MAX;
	char *copy = prepare ? strdup(sql) : NULL;
	if (prepare && !copy)
		prepare = 0;
	int named = known || prepare;
	/* still in pipeline mode after the last COMMIT: queued behind it */
	int behind = p->commit_inflight;
	if (!behind && !PQenterPipelineMode(p->conn)) {
		free(copy);
		return NULL;
	}
	int sent = PQsendQueryParams(p->conn, read_begin, 0, NULL, NULL, NULL, NULL, 0) &&
		   (!prepare || PQsendPrepare(p->conn, name, sql, 0, NULL)) &&
		   (named ? PQsendQueryPrepared(p->conn, name, a.n, a.v, a.len, a.fmt, 0)
			  : PQsendQueryParams(p->conn, sql, a.n, NULL, a.v, a.len, a.fmt, 0)) &&
		   PQpipelineSync(p->conn);
	if (behind) /* the COMMIT's answer comes first */
		commit_answer(p);
	PGresult *out = NULL, *r;
	int step = 0, last = prepare ? 2 : 1; /* results: BEGIN, [PREPARE], the statement */
	/* every result up to the sync, so that the connection leaves pipeline mode clean */
	while (sent && (r = PQgetResult(p->conn)) != NULL) {
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		int failed = st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK;
		/* keep the statement's result, or the first failure before it */
		if (!out && (step == last || failed) && st != PGRES_PIPELINE_ABORTED) {
			out = r;
		} else {
			PQclear(r);
		}
		if (step == 1 && prepare && !failed) {
			p->stmts[slot].sql = copy;
			p->stmts[slot].hash = h;
			p->nstmts++;
			copy = NULL;
		}
		while ((r = PQgetResult(p->conn)) != NULL) /* the NULL that ends each query */
			PQclear(r);
		step++;
	}
	free(copy);
	if (!PQexitPipelineMode(p->conn) && !out)
		return NULL;
	return out;
}

static int session_setup(kyc_pg *p)
{
	settle(p);
	PGresult *r = PQexec(p->conn, p->lazy ? "SET client_min_messages = warning; SET "
						"synchronous_commit = off"
					      : "SET client_min_messages = warning");
	int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : pg_fail(p, r);
	PQclear(r);
	return rc;
}

/* Reopens a lost connection: the same parameters, so libpq walks a
 * multi-host string again and finds the primary that accepts writes now. */
static int reconnect(kyc_pg *p)
{
	stmts_forget(p); /* prepared statements die with their session */
	p->commit_inflight = 0; /* and an unread answer with its connection */
	PQreset(p->conn);
	if (PQstatus(p->conn) != CONNECTION_OK) {
		snprintf(p->errmsg, sizeof p->errmsg, "%s", PQerrorMessage(p->conn));
		return KYC_ERR_IO;
	}
	return session_setup(p);
}

/* Whether a failed statement outside a transaction may run again: the
 * server rolled it back (serialization failure, deadlock), refused it (a
 * standby after a failover: read-only; shutting down), or the connection
 * went away during a read. A write whose connection broke may have
 * committed, so it is not repeated. */
static int may_retry(kyc_pg *p, const PGresult *r, const char *sql, int *reopen)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	int lost = PQstatus(p->conn) == CONNECTION_BAD;
	*reopen = lost;
	if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01")))
		return 1;
	if (state && (!strcmp(state, "25006") || !strncmp(state, "57P0", 4))) {
		*reopen = 1;
		return 1;
	}
	if (lost || (state && !strncmp(state, "08", 2))) {
		*reopen = 1;
		return !strncmp(sql, "SELECT", 6) || !strncmp(sql, "BEGIN", 5);
	}
	return 0;
}

int kyc__pg_query(kyc_store *s, const char *sql, struct kyc_pgq *q, PGresult **res)
{
	kyc_pg *p = pg(s);
	if (res)
		*res = NULL;
	if (q && q->err)
		return q->err;
	int rc = 0;
	for (int attempt = 0;; attempt++) {
		/* the first statement of a read transaction goes with its BEGIN,
		 * behind the last one's COMMIT if that is still unanswered */
		int pending = p->begin_pending;
		if (!pending)
			settle(p);
		/* a connection that died while idle is reopened first: nothing was
		 * sent on it, so nothing can be repeated */
		if ((!p->in_tx || pending) && PQstatus(p->conn) == CONNECTION_BAD &&
		    (rc = reconnect(p)))
			return rc;
		PGresult *r = pending ? exec_begun(p, sql, q) : exec_once(p, sql, q);
		p->begin_pending = 0;
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
			if (res)
				*res = r;
			else
				PQclear(r);
			return 0;
		}
		rc = r ? pg_fail(p, r) : KYC_ERR_NOMEM;
		int reopen = 0;
		int retryable = may_retry(p, r, sql, &reopen);
		PGTransactionStatusType ts = PQtransactionStatus(p->conn);
		int begun = ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR;
		/* a read transaction whose BEGIN did not take is still to begin, and
		 * its first statement, a read, may be sent again */
		if (pending && !begun)
			p->begin_pending = 1;
		int again = attempt == 0 && (pending ? !begun && (retryable || reopen)
						     : !p->in_tx && retryable);
		PQclear(r);
		if (!again)
			return rc;
		if (reopen && reconnect(p))
			return rc;
	}
}

int kyc__pg_run(kyc_store *s, const char *sql, struct kyc_pgq *q, int *changes)
{
	PGresult *r;
	int rc = kyc__pg_query(s, sql, q, &r);
	if (!rc && changes)
		*changes = (int)strtol(PQcmdTuples(r), NULL, 10); /* "" for a command without a count: 0 */
	PQclear(r);
	return rc;
}

int kyc__pg_change(kyc_store *s, const char *sql, struct kyc_pgq *q, int none)
{
	int changed = 0;
	int rc = kyc__pg_run(s, sql, q, &changed);
	return rc ? rc : changed ? 0 : none;
}

int kyc__pg_row(kyc_store *s, const char *sql, struct kyc_pgq *q, PGresult **res)
{
	int rc = kyc__pg_query(s, sql, q, res);
	if (!rc && PQntuples(*res) == 0) {
		PQclear(*res);
		*res = NULL;
		rc = KYC_ERR_NOTFOUND;
	}
	return rc;
}

/* ---- transactions ---- */

static int tx_begin(kyc_store *s, const char *sql)
{
	if (pg(s)->in_tx)
		return KYC_ERR_STATE;
	int rc = kyc__pg_run(s, sql, NULL, NULL);
	pg(s)->in_tx = rc == 0;
	pg(s)->read_tx = 0;
	return rc;
}

/* Writers begin READ COMMITTED: kyc_store_update's version checks turn a
 * lost update into KYC_ERR_CONFLICT, claims lock their rows (FOR UPDATE
 * SKIP LOCKED), and unique keys are ON CONFLICT clauses, so no statement
 * that callers expect to fail aborts the transaction. */
static int pg_begin(kyc_store *s)
{
	return tx_begin(s, "BEGIN");
}

/* One snapshot for all the reads of a request, as SQLite's deferred
 * transaction gives, and deferred as SQLite's is: the BEGIN is sent with
 * the first statement (exec_begun), and a transaction that read nothing
 * costs no round trip at all. */
static int pg_begin_read(kyc_store *s)
{
	kyc_pg *p = pg(s);
	if (p->in_tx)
		return KYC_ERR_STATE;
	p->in_tx = 1;
	p->begin_pending = 1;
	p->read_tx = 1;
	return 0;
}

static int pg_in_transaction(kyc_store *s)
{
	return pg(s)->in_tx;
}

static void pg_rollback(kyc_store *s)
{
	kyc_pg *p = pg(s);
	if (!p->in_tx)
		return;
	p->in_tx = 0;
	if (p->begin_pending) { /* nothing was sent */
		p->begin_pending = 0;
		return;
	}
	PQclear(PQexec(p->conn, "ROLLBACK"));
}

static int pg_commit(kyc_store *s)
{
	kyc_pg *p = pg(s);
	PGresult *r;
	if (p->in_tx && p->begin_pending) { /* nothing was sent */
		p->in_tx = p->begin_pending = 0;
		return 0;
	}
	/* A read transaction that is open and sound: its COMMIT is sent now
	 * and its answer read when the connection is next used, so the
	 * request ends without waiting for it. */
	if (p->in_tx && p->read_tx && PQtransactionStatus(p->conn) == PQTRANS_INTRANS) {
		p->in_tx = 0;
		if (PQenterPipelineMode(p->conn) &&
		    PQsendQueryParams(p->conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) &&
		    PQpipelineSync(p->conn)) {
			p->commit_inflight = 1;
			/* sent now, not with the next statement: the snapshot is let go */
			if (PQflush(p->conn) == 0)
				return 0;
		}
		/* the connection failed under it: the next statement reopens it */
		snprintf(p->errmsg, sizeof p->errmsg, "%s", PQerrorMessage(p->conn));
		p->commit_inflight = 1;
		settle(p);
		return KYC_ERR_IO;
	}
	int rc = kyc__pg_query(s, "COMMIT", NULL, &r);
	p->in_tx = 0;
	/* COMMIT of a transaction an error aborted answers ROLLBACK, no error */
	if (!rc && strcmp(PQcmdStatus(r), "COMMIT") != 0) {
		snprintf(p->errmsg, sizeof p->errmsg, "the transaction was rolled back after an error");
		rc = KYC_ERR_IO;
	}
	PQclear(r);
	if (rc && PQtransactionStatus(p->conn) != PQTRANS_IDLE)
		PQclear(PQexec(p->conn, "ROLLBACK"));
	return rc;
}

/* ---- connection and migrations ---- */

static int exec_ok(PGconn *c, const char *sql, char *err, size_t errsz)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
	if (!ok)
		snprintf(err, errsz, "%s", PQresultErrorMessage(r));
	PQclear(r);
	return ok ? 0 : KYC_ERR_IO;
}

int kyc__pg_exec(kyc_pg *p, const char *sql, char *err, size_t errsz)
{
	settle(p);
	return exec_ok(p->conn, sql, err, errsz);
}

int kyc__pg_schema_version(kyc_pg *p)
{
	PGresult *r;
	if (kyc__pg_query(&p->base, "SELECT coalesce(max(version), 0) FROM schema_migrations", NULL,
			  &r))
		return 0;
	int v = PQntuples(r) == 1 ? (int)kyc__pg_int(r, 0, 0) : 0;
	PQclear(r);
	return v;
}

static int migrate(kyc_pg *p, char *err, size_t errsz)
{
	char sql[160];
	int rc = exec_ok(p->conn, "BEGIN", err, errsz);
	snprintf(sql, sizeof sql, "SELECT pg_advisory_xact_lock(%d)", MIGRATION_LOCK);
	rc = rc ? rc : exec_ok(p->conn, sql, err, errsz);
	rc = rc ? rc
		: exec_ok(p->conn,
			  "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY "
			  "KEY, applied_at BIGINT NOT NULL)",
			  err, errsz);
	int current = 0;
	if (!rc) {
		PGresult *r = PQexec(p->conn, "SELECT coalesce(max(version), 0) FROM schema_migrations");
		current = PQresultStatus(r) == PGRES_TUPLES_OK ? (int)kyc__pg_int(r, 0, 0) : 0;
		PQclear(r);
	}
	kyc_buf text;
	kyc_buf_init(&text, 1u << 20);
	for (int i = 0; i < kyc__migration_count && !rc; i++) {
		const struct kyc_migration *m = &kyc__migrations[i];
		if (m->version <= current)
			continue;
		kyc_buf_reset(&text);
		rc = kyc__pg_dialect(m->sql, &text);
		if (rc) {
			snprintf(err, errsz, "migration %d has no PostgreSQL form", m->version);
			break;
		}
		rc = exec_ok(p->conn, text.data, err, errsz);
		snprintf(sql, sizeof sql,
			 "INSERT INTO schema_migrations(version, applied_at) VALUES (%d, %lld)",
			 m->version, (long long)kyc_now_ms());
		rc = rc ? rc : exec_ok(p->conn, sql, err, errsz);
		if (rc) {
			size_t k = strlen(err);
			snprintf(err + k, errsz - k, " (migration %d)", m->version);
		}
	}
	kyc_buf_release(&text);
	if (rc) {
		char ignored[8];
		exec_ok(p->conn, "ROLLBACK", ignored, sizeof ignored);
		return rc;
	}
	return exec_ok(p->conn, "COMMIT", err, errsz);
}

int kyc__pg_open(const char *conninfo, kyc_pg **out, char *err, size_t errsz)
{
	*out = NULL;
	kyc_pg *p = calloc(1, sizeof *p);
	if (!p)
		return KYC_ERR_NOMEM;
	p->base.ops = &pg_ops;
	p->conn = PQconnectdb(conninfo);
	if (PQstatus(p->conn) != CONNECTION_OK) {
		/* PQerrorMessage names the host, never the password */
		snprintf(err, errsz, "cannot connect to PostgreSQL: %s", PQerrorMessage(p->conn));
		kyc__pg_close(p);
		return KYC_ERR_IO;
	}
	int rc = session_setup(p);
	if (rc)
		snprintf(err, errsz, "%s", p->errmsg);
	rc = rc ? rc : migrate(p, err, errsz);
	if (rc) {
		kyc__pg_close(p);
		return rc;
	}
	*out = p;
	return 0;
}

void kyc__pg_close(kyc_pg *p)
{
	if (!p)
		return;
	PQfinish(p->conn);
	stmts_forget(p);
	free(p);
}

/* 1 when the database holds a data key. */
static int has_data_keys(kyc_pg *p)
{
	PGresult *r;
	if (kyc__pg_query(&p->base, "SELECT 1 FROM data_keys LIMIT 1", NULL, &r))
		return 0;
	int found = PQntuples(r) > 0;
	PQclear(r);
	return found;
}

int kyc__pg_store_open(const char *conninfo, const char *data_dir, kyc_store **out, char *err,
		       size_t errsz)
{
	kyc_pg *p;
	*out = NULL;
	int rc = kyc__pg_open(conninfo, &p, err, errsz);
	if (rc)
		return rc;
	/* the master keys as on SQLite: a default key file in the data
	 * directory may be made only while no data key exists */
	rc = kyc__seal_keyring(data_dir, !has_data_keys(p), &p->base.keyring, err, errsz);
	rc = rc ? rc : kyc__seal_check(&p->base, err, errsz);
	if (rc) {
		kyc__pg_close(p);
		return rc;
	}
	*out = &p->base;
	return 0;
}

/* ---- the rest of the connection's calls ---- */

static void pg_close(kyc_store *s)
{
	kyc__pg_close(pg(s));
}

static int pg_schema_version(kyc_store *s)
{
	return kyc__pg_schema_version(pg(s));
}

static const char *pg_errmsg(kyc_store *s)
{
	return pg(s)->errmsg;
}

/* The server's own tools back it up consistently while it serves, and
 * restore to a point in time; a copy through kycd would be neither. */
static int pg_backup(kyc_store *s, const char *dest_path, char *err, size_t errsz)
{
	snprintf(err, errsz,
		 "backup: kycd copies SQLite databases only; back PostgreSQL up with pg_dump "
		 "(or base backups and WAL archiving for point-in-time recovery): docs/deploy.md");
	return KYC_ERR_UNSUPPORTED;
}

static int pg_lazy_commits(kyc_store *s)
{
	pg(s)->lazy = 1;
	return session_setup(pg(s));
}

static int pg_try_lock(kyc_store *s, int64_t key, int *held)
{
	struct kyc_pgq q = {0};
	PGresult *r;
	kyc__pgq_int(&q, key);
	int rc = kyc__pg_query(s, "SELECT pg_try_advisory_lock($1::bigint)", &q, &r);
	if (rc)
		return rc;
	*held = PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	return 0;
}

static void pg_unlock(kyc_store *s, int64_t key)
{
	struct kyc_pgq q = {0};
	kyc__pgq_int(&q, key);
	kyc__pg_run(s, "SELECT pg_advisory_unlock($1::bigint)", &q, NULL);
}

/* What the log truncation is for on SQLite — old versions of erased rows
 * leaving the disk — is VACUUM's work here: it removes the dead row
 * versions an erasure or retention sweep left in the tables and their
 * indexes, so their space is reused, without blocking readers or writers.
 * The server's write-ahead log is its own to recycle (docs/security.md).
 * VACUUM runs outside a transaction and is not a statement to prepare. */
int kyc__pg_log_truncate(kyc_store *s)
{
	kyc_pg *p = pg(s);
	if (p->in_tx)
		return KYC_ERR_STATE;
	settle(p);
	PGresult *r = PQexec(p->conn, "VACUUM applicants, verifications, documents, files, "
				      "verification_history, events, hosted_tokens, idempotency_keys");
	int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : pg_fail(p, r);
	PQclear(r);
	return rc;
}

static const struct kyc_store_ops pg_ops = {
	.close = pg_close,
	.schema_version = pg_schema_version,
	.begin = pg_begin,
	.begin_read = pg_begin_read,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.in_transaction = pg_in_transaction,
	.backup = pg_backup,
	.lazy_commits = pg_lazy_commits,
	.try_lock = pg_try_lock,
	.unlock = pg_unlock,
	.errmsg = pg_errmsg,
	.tenant_create = kyc__pg_tenant_create,
	.tenant_find = kyc__pg_tenant_find,
	.tenant_exists = kyc__pg_tenant_exists,
	.tenant_ids = kyc__pg_tenant_ids,
	.tenant_settings = kyc__pg_tenant_settings,
	.tenant_settings_set = kyc__pg_tenant_settings_set,
	.key_insert = kyc__pg_key_insert,
	.key_get = kyc__pg_key_get,
	.key_revoke = kyc__pg_key_revoke,
	.idem_get = kyc__pg_idem_get,
	.idem_put = kyc__pg_idem_put,
	.resource = &kyc__pg_resource_ops,
	.web = &kyc__pg_web_ops,
	.outbox = &kyc__pg_outbox_ops,
	.keys = &kyc__pg_key_ops,
	.erase = &kyc__pg_erase_ops,
};
