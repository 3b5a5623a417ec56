/* The PostgreSQL backend as far as it goes (src/store/store_pg_int.h): the
 * dialect translation of the SQLite migrations, and the migrations applied
 * to a real PostgreSQL (tests/lib/pgtmp: initdb as an unprivileged user, a
 * Unix socket, stopped afterwards) — once, however many open at once, with
 * the append-only audit trail and the claim index of SQLite. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/rand.h"
#include "pgtmp.h"
#include "store/store_int.h"
#include "store/store_pg_int.h"
#include "test.h"

static struct pgtmp pg;
static int pg_up;

static int latest_version(void)
{
	return kyc__migrations[kyc__migration_count - 1].version;
}

TEST(dialect_translates_types_and_triggers)
{
	kyc_buf b;
	kyc_buf_init(&b, 1 << 16);
	CHECK_INT(kyc__pg_dialect("CREATE TABLE t (a INTEGER NOT NULL, b BLOB, c TEXT DEFAULT "
				  "'INTEGER', my_INTEGER_col INTEGER);",
				  &b),
		  0);
	CHECK_STR(b.data, "CREATE TABLE t (a BIGINT NOT NULL, b BYTEA, c TEXT DEFAULT 'INTEGER', "
			  "my_INTEGER_col BIGINT);");
	kyc_buf_reset(&b);
	CHECK_INT(kyc__pg_dialect("CREATE TRIGGER h_only BEFORE UPDATE ON h BEGIN SELECT "
				  "RAISE(ABORT, 'no changes'); END;CREATE INDEX i ON h(x);",
				  &b),
		  0);
	CHECK_STR(b.data, "CREATE FUNCTION h_only() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN "
			  "RAISE EXCEPTION 'no changes'; END $f$; CREATE TRIGGER h_only BEFORE UPDATE "
			  "ON h FOR EACH ROW EXECUTE FUNCTION h_only();CREATE INDEX i ON h(x);");
	/* a condition, and dropping a trigger (migration 9's audit trail) */
	kyc_buf_reset(&b);
	CHECK_INT(kyc__pg_dialect("DROP TRIGGER h_only;CREATE TRIGGER h_only BEFORE UPDATE ON h "
				  "WHEN NEW.a IS NOT NULL OR NEW.b IS DISTINCT FROM OLD.b BEGIN SELECT "
				  "RAISE(ABORT, 'no changes'); END;",
				  &b),
		  0);
	CHECK_STR(b.data, "DROP FUNCTION h_only() CASCADE;CREATE FUNCTION h_only() RETURNS trigger "
			  "LANGUAGE plpgsql AS $f$ BEGIN RAISE EXCEPTION 'no changes'; END $f$; CREATE "
			  "TRIGGER h_only BEFORE UPDATE ON h FOR EACH ROW WHEN (NEW.a IS NOT NULL OR "
			  "NEW.b IS DISTINCT FROM OLD.b) EXECUTE FUNCTION h_only();");
	kyc_buf_reset(&b);
	CHECK_INT(kyc__pg_dialect("CREATE TRIGGER x AFTER INSERT ON h BEGIN DELETE FROM h; END;", &b),
		  KYC_ERR_UNSUPPORTED);
	/* every migration of the one schema has a PostgreSQL form */
	for (int i = 0; i < kyc__migration_count; i++) {
		kyc_buf_reset(&b);
		CHECK_INT(kyc__pg_dialect(kyc__migrations[i].sql, &b), 0);
	}
	kyc_buf_release(&b);
}

TEST(migrations_apply_once_on_a_real_postgresql)
{
	REQUIRE(pg_up);
	kyc_pg *a = NULL, *b = NULL;
	char err[512];
	int rc = kyc__pg_open(pg.conninfo, &a, err, sizeof err);
	if (rc)
		fprintf(stderr, "  %s\n", err);
	REQUIRE(rc == 0);
	CHECK_INT(kyc__pg_schema_version(a), latest_version());
	/* a second open finds the schema done */
	REQUIRE(kyc__pg_open(pg.conninfo, &b, err, sizeof err) == 0);
	CHECK_INT(kyc__pg_schema_version(b), latest_version());
	kyc__pg_close(b);

	/* the audit trail is append-only here too */
	CHECK_INT(kyc__pg_exec(a,
			       "INSERT INTO tenants(id, name, created_at) VALUES ('t1', 'one', 1);"
			       "INSERT INTO verifications(id, tenant_id, version, created_at, "
			       "updated_at, status) VALUES ('v1', 't1', 1, 1, 1, 'created');"
			       "INSERT INTO verification_history(id, tenant_id, version, created_at, "
			       "updated_at, verification_id, actor, action) VALUES ('h1', 't1', 1, 1, "
			       "1, 'v1', 'key:x', 'create');",
			       err, sizeof err),
		  0);
	CHECK_INT(kyc__pg_exec(a, "UPDATE verification_history SET action='forged'", err, sizeof err),
		  KYC_ERR_IO);
	CHECK(strstr(err, "append-only") != NULL);
	/* but for erasure's one change, details and attributes to NULL (migration 9) */
	CHECK_INT(kyc__pg_exec(a, "UPDATE verification_history SET details='{}'", err, sizeof err),
		  KYC_ERR_IO);
	CHECK_INT(kyc__pg_exec(a, "UPDATE verification_history SET details=NULL, attributes=NULL",
			       err, sizeof err),
		  0);
	/* milliseconds fit: time columns are 64-bit */
	CHECK_INT(kyc__pg_exec(a, "UPDATE verifications SET expires_at = 1795431008625", err,
			       sizeof err),
		  0);
	/* the per-endpoint claim index, partial as in SQLite */
	CHECK_INT(kyc__pg_exec(a,
			       "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = "
			       "'webhook_deliveries_endpoint_due' AND indexdef LIKE '%pending%') THEN "
			       "RAISE EXCEPTION 'no claim index'; END IF; END $$",
			       err, sizeof err),
		  0);
	kyc__pg_close(a);
}

/* Several nodes starting at once on an empty database. */
#define OPENERS 4
static char race_conninfo[256];
static int race_rc[OPENERS], race_version[OPENERS];

static void *opener(void *arg)
{
	int i = (int)(long)arg;
	kyc_pg *p = NULL;
	char err[512];
	race_rc[i] = kyc__pg_open(race_conninfo, &p, err, sizeof err);
	if (race_rc[i])
		fprintf(stderr, "  opener %d: %s\n", i, err);
	race_version[i] = p ? kyc__pg_schema_version(p) : 0;
	kyc__pg_close(p);
	return NULL;
}

TEST(nodes_starting_together_migrate_once)
{
	REQUIRE(pg_up);
	kyc_pg *admin = NULL;
	char err[512];
	REQUIRE(kyc__pg_open(pg.conninfo, &admin, err, sizeof err) == 0);
	REQUIRE(kyc__pg_exec(admin, "CREATE DATABASE race", err, sizeof err) == 0);
	pgtmp_conninfo(&pg, "race", race_conninfo, sizeof race_conninfo);
	pthread_t th[OPENERS];
	for (long i = 0; i < OPENERS; i++)
		REQUIRE(pthread_create(&th[i], NULL, opener, (void *)i) == 0);
	for (int i = 0; i < OPENERS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < OPENERS; i++) {
		CHECK_INT(race_rc[i], 0);
		CHECK_INT(race_version[i], latest_version());
	}
	/* each version recorded once (the primary key would have refused a
	 * second insert, failing an opener above) */
	kyc_pg *r = NULL;
	REQUIRE(kyc__pg_open(race_conninfo, &r, err, sizeof err) == 0);
	char sql[256];
	snprintf(sql, sizeof sql,
		 "DO $$ BEGIN IF (SELECT count(*) FROM schema_migrations) <> %d THEN RAISE "
		 "EXCEPTION 'versions recorded twice or missing'; END IF; END $$",
		 kyc__migration_count);
	CHECK_INT(kyc__pg_exec(r, sql, err, sizeof err), 0);
	kyc__pg_close(r);
	kyc__pg_close(admin);
}

TEST(multi_host_connection_strings_skip_a_dead_host)
{
	REQUIRE(pg_up);
	/* the first host has no server: libpq goes on to the next one that
	 * accepts writes (what a failover to a new primary looks like) */
	char conninfo[512];
	snprintf(conninfo, sizeof conninfo,
		 "host=%s/nowhere,%s port=5432,5432 user=kycd dbname=postgres "
		 "target_session_attrs=read-write connect_timeout=5",
		 pg.dir, pg.dir);
	kyc_pg *p = NULL;
	char err[512];
	int rc = kyc__pg_open(conninfo, &p, err, sizeof err);
	if (rc)
		fprintf(stderr, "  %s\n", err);
	CHECK_INT(rc, 0);
	CHECK_INT(p ? kyc__pg_schema_version(p) : 0, latest_version());
	kyc__pg_close(p);
	/* and a server that is not there at all is a clear error */
	snprintf(conninfo, sizeof conninfo, "host=%s/nowhere port=5432 user=kycd dbname=postgres",
		 pg.dir);
	CHECK_INT(kyc__pg_open(conninfo, &p, err, sizeof err), KYC_ERR_IO);
	CHECK(strstr(err, "cannot connect to PostgreSQL") != NULL);
}

/* The server process of s's session (0 when s has none). */
static long backend_pid(kyc_store *s)
{
	PGresult *r = NULL;
	if (kyc__pg_query(s, "SELECT pg_backend_pid()", NULL, &r))
		return 0;
	long pid = strtol(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return pid;
}

/* The statements of the session of s that are prepared, as the server
 * counts them (the counting query is one of them), or -1. */
static long prepared_count(kyc_store *s)
{
	PGresult *r = NULL;
	if (kyc__pg_query(s, "SELECT count(*) FROM pg_prepared_statements", NULL, &r))
		return -1;
	long n = strtol(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return n;
}

/* Each statement is prepared once per connection: calls made again run the
 * prepared statement, and only a statement not seen before adds one. */
TEST(statements_are_prepared_once_per_connection)
{
	REQUIRE(pg_up);
	kyc_store *s = NULL;
	char err[512], t[37];
	REQUIRE(kyc_store_open_at(pg.conninfo, pg.dir, &s, err, sizeof err) == 0);
	REQUIRE(kyc_store_tenant_create(s, "prepared", t) == 0);
	CHECK(kyc_store_tenant_exists(s, t));
	long before = prepared_count(s);
	REQUIRE(before > 0);
	for (int i = 0; i < 5; i++)
		CHECK(kyc_store_tenant_exists(s, t));
	CHECK_INT(prepared_count(s), before);
	char other[37];
	CHECK_INT(kyc_store_tenant_find(s, "prepared", other), 0);
	CHECK_STR(other, t);
	CHECK_INT(prepared_count(s), before + 1); /* tenant_find's, once */
	CHECK_INT(kyc_store_tenant_find(s, "prepared", other), 0);
	CHECK_INT(prepared_count(s), before + 1);
	kyc_store_close(s);
}

/* Ends the server session of s from another connection, as a failover or
 * a restart would, and waits until its process is gone. Its pid. */
static long terminate(kyc_pg *admin, kyc_store *s)
{
	char err[256], sql[128];
	long pid = backend_pid(s);
	snprintf(sql, sizeof sql,
		 "DO $$ BEGIN IF NOT pg_terminate_backend(%ld, 10000) THEN RAISE EXCEPTION "
		 "'still there'; END IF; END $$",
		 pid);
	CHECK_INT(kyc__pg_exec(admin, sql, err, sizeof err), 0);
	return pid;
}

/* A lost connection is opened again where that is safe: a read, or a
 * transaction's BEGIN, runs on a new session with its statements prepared
 * again; a write that may have reached the server is not repeated. */
TEST(a_lost_connection_is_reopened)
{
	REQUIRE(pg_up);
	kyc_pg *admin = NULL;
	kyc_store *s = NULL;
	char err[512], t[37];
	REQUIRE(kyc__pg_open(pg.conninfo, &admin, err, sizeof err) == 0);
	/* as kycd opens it: with master keys (made in the server's folder) */
	REQUIRE(kyc_store_open_at(pg.conninfo, pg.dir, &s, err, sizeof err) == 0);
	REQUIRE(kyc_store_tenant_create(s, "failover", t) == 0);
	CHECK(kyc_store_tenant_exists(s, t)); /* prepared on the first session */
	long old = terminate(admin, s);
	CHECK(kyc_store_tenant_exists(s, t)); /* a read: reopened and run again */
	CHECK(backend_pid(s) != old);
	terminate(admin, s);
	json_t *a = json_pack("{s:s, s:s}", "id", "failover-applicant", "last_name", "Again");
	CHECK_INT(kyc_store_begin(s), 0); /* BEGIN: reopened */
	CHECK_INT(kyc_store_insert(s, KYC_R_APPLICANT, t, a), 0);
	CHECK_INT(kyc_store_commit(s), 0);
	json_t *got = NULL;
	CHECK_INT(kyc_store_get(s, KYC_R_APPLICANT, t, "failover-applicant", &got), 0);
	json_decref(got);
	/* inside a transaction nothing is repeated: the caller hears of it */
	CHECK_INT(kyc_store_begin(s), 0);
	terminate(admin, s);
	CHECK_INT(kyc_store_get(s, KYC_R_APPLICANT, t, "failover-applicant", &got), KYC_ERR_IO);
	kyc_store_rollback(s);
	CHECK(!kyc_store_in_transaction(s));
	CHECK(kyc_store_tenant_exists(s, t)); /* and the next call has a session again */
	json_decref(a);
	kyc_store_close(s);
	kyc__pg_close(admin);
}

/* The text of one setting as the session sees it now, "" on error. */
static void setting(kyc_store *s, const char *name, char *out, size_t outsz)
{
	struct kyc_pgq q = {0};
	PGresult *r;
	out[0] = '\0';
	kyc__pgq_text(&q, name);
	if (kyc__pg_query(s, "SELECT current_setting($1)", &q, &r) == 0) {
		snprintf(out, outsz, "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
	}
}

/* A read transaction's BEGIN goes with its first statement, which is
 * prepared on the way when new, and its COMMIT is not waited for: the
 * transaction is still one snapshot, read-only, and the connection works
 * for whatever comes next, also when its session was lost in between. */
TEST(read_transactions_begin_with_their_first_statement)
{
	REQUIRE(pg_up);
	kyc_pg *admin = NULL;
	kyc_store *s = NULL;
	char err[512], t[37], v[64];
	REQUIRE(kyc__pg_open(pg.conninfo, &admin, err, sizeof err) == 0);
	REQUIRE(kyc_store_open_at(pg.conninfo, pg.dir, &s, err, sizeof err) == 0);
	REQUIRE(kyc_store_tenant_create(s, "pipelined", t) == 0);
	/* nothing read: nothing sent, nothing to end */
	CHECK_INT(kyc_store_begin_read(s), 0);
	CHECK(kyc_store_in_transaction(s));
	CHECK_INT(kyc_store_commit(s), 0);
	CHECK(!kyc_store_in_transaction(s));
	/* the first statement runs inside the transaction it began */
	long before = prepared_count(s);
	CHECK_INT(kyc_store_begin_read(s), 0);
	setting(s, "transaction_isolation", v, sizeof v);
	CHECK_STR(v, "repeatable read");
	setting(s, "transaction_read_only", v, sizeof v);
	CHECK_STR(v, "on");
	CHECK_INT(kyc_store_commit(s), 0);
	CHECK_INT(prepared_count(s), before + 1); /* prepared in the same trip, once */
	/* after a COMMIT not waited for: a write, then a read transaction again */
	json_t *a = json_pack("{s:s, s:s}", "id", "pipelined-applicant", "last_name", "One");
	CHECK_INT(kyc_store_begin(s), 0);
	CHECK_INT(kyc_store_insert(s, KYC_R_APPLICANT, t, a), 0);
	CHECK_INT(kyc_store_commit(s), 0);
	json_t *got = NULL;
	CHECK_INT(kyc_store_begin_read(s), 0);
	CHECK_INT(kyc_store_get(s, KYC_R_APPLICANT, t, "pipelined-applicant", &got), 0);
	json_decref(got);
	CHECK_INT(kyc_store_commit(s), 0);
	/* the session lost after that COMMIT, and before a read transaction's
	 * first statement: reopened, and the read runs */
	long old = terminate(admin, s);
	CHECK_INT(kyc_store_begin_read(s), 0);
	CHECK(kyc_store_tenant_exists(s, t));
	CHECK_INT(kyc_store_commit(s), 0);
	CHECK(backend_pid(s) != old);
	/* and a write after a lost session, following a COMMIT not waited for */
	CHECK_INT(kyc_store_begin_read(s), 0);
	CHECK(kyc_store_tenant_exists(s, t));
	CHECK_INT(kyc_store_commit(s), 0);
	terminate(admin, s);
	json_t *b = json_pack("{s:s, s:s}", "id", "pipelined-applicant-2", "last_name", "Two");
	CHECK_INT(kyc_store_begin(s), 0);
	CHECK_INT(kyc_store_insert(s, KYC_R_APPLICANT, t, b), 0);
	CHECK_INT(kyc_store_commit(s), 0);
	CHECK_INT(kyc_store_get(s, KYC_R_APPLICANT, t, "pipelined-applicant-2", &got), 0);
	json_decref(got);
	json_decref(a);
	json_decref(b);
	kyc_store_close(s);
	kyc__pg_close(admin);
}

int main(void)
{
	RUN(dialect_translates_types_and_triggers);
	pg_up = pgtmp_start(&pg) == 0;
	RUN(migrations_apply_once_on_a_real_postgresql);
	RUN(nodes_starting_together_migrate_once);
	RUN(multi_host_connection_strings_skip_a_dead_host);
	RUN(a_lost_connection_is_reopened);
	RUN(statements_are_prepared_once_per_connection);
	RUN(read_transactions_begin_with_their_first_statement);
	pgtmp_stop(&pg);
	return test_done("store_pg");
}
