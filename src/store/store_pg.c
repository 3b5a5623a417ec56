/* The PostgreSQL backend: connection and migrations so far
 * (store_pg_int.h). */
#include <ctype.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "store/store_int.h"
#include "store/store_pg_int.h"

/* pg_advisory_xact_lock key of the migrations: "kycd" in ASCII. */
#define MIGRATION_LOCK 0x6b796364

struct kyc_pg {
	PGconn *conn;
};

/* ---- the dialect ---- */

static int word_at(const char *p, const char *start, const char *w)
{
	size_t n = strlen(w);
	return strncmp(p, w, n) == 0 && (p == start || !(isalnum((unsigned char)p[-1]) || p[-1] == '_')) &&
	       !(isalnum((unsigned char)p[n]) || p[n] == '_');
}

/* "CREATE TRIGGER name BEFORE UPDATE|DELETE ON table BEGIN SELECT
 * RAISE(ABORT, 'msg'); END;" at p: the PL/pgSQL equivalent into out, and
 * the length consumed in *used. */
static int trigger(const char *p, kyc_buf *out, size_t *used)
{
	char name[64], when[16], table[64], msg[256];
	int n = 0;
	if (sscanf(p, "CREATE TRIGGER %63s BEFORE %15s ON %63s BEGIN SELECT RAISE(ABORT, '%255[^']'); "
		      "END;%n",
		   name, when, table, msg, &n) != 4 ||
	    n == 0 || (strcmp(when, "UPDATE") && strcmp(when, "DELETE")))
		return KYC_ERR_UNSUPPORTED;
	*used = (size_t)n;
	return kyc_buf_printf(out,
			      "CREATE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN "
			      "RAISE EXCEPTION '%s'; END $f$; CREATE TRIGGER %s BEFORE %s ON %s FOR "
			      "EACH ROW EXECUTE FUNCTION %s();",
			      name, msg, name, when, table, name);
}

int kyc__pg_dialect(const char *sql, kyc_buf *out)
{
	int rc = 0;
	int quoted = 0; /* inside a '...' literal: copied as it is */
	for (const char *p = sql; *p && !rc;) {
		if (*p == '\'') {
			quoted = !quoted;
		} else if (!quoted && word_at(p, sql, "CREATE") && !strncmp(p, "CREATE TRIGGER ", 15)) {
			size_t used = 0;
			rc = trigger(p, out, &used);
			p += used;
			continue;
		} else if (!quoted && word_at(p, sql, "INTEGER")) {
			rc = kyc_buf_puts(out, "BIGINT");
			p += 7;
			continue;
		} else if (!quoted && word_at(p, sql, "BLOB")) {
			rc = kyc_buf_puts(out, "BYTEA");
			p += 4;
			continue;
		}
		rc = kyc_buf_append(out, p, 1);
		p++;
	}
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
	return exec_ok(p->conn, sql, err, errsz);
}

int kyc__pg_schema_version(kyc_pg *p)
{
	PGresult *r = PQexec(p->conn, "SELECT coalesce(max(version), 0) FROM schema_migrations");
	int v = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1
		    ? (int)strtol(PQgetvalue(r, 0, 0), NULL, 10)
		    : 0;
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
	int current = rc ? 0 : kyc__pg_schema_version(p);
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
	p->conn = PQconnectdb(conninfo);
	if (PQstatus(p->conn) != CONNECTION_OK) {
		/* PQerrorMessage names the host, never the password */
		snprintf(err, errsz, "cannot connect to PostgreSQL: %s", PQerrorMessage(p->conn));
		kyc__pg_close(p);
		return KYC_ERR_IO;
	}
	int rc = exec_ok(p->conn, "SET client_min_messages = warning", err, errsz);
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
	free(p);
}

int kyc__pg_store_open(const char *conninfo, kyc_store **out, char *err, size_t errsz)
{
	(void)conninfo;
	*out = NULL;
	snprintf(err, errsz, "the PostgreSQL backend does not serve yet (docs/deploy.md)");
	return KYC_ERR_UNSUPPORTED;
}
