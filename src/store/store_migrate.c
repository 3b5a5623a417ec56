/* kycd migrate: SQLite rows into PostgreSQL (store_migrate.h). Works on the
 * two databases directly, below the store's function table: it moves rows
 * as they are stored (sealed values stay sealed, the data keys go with
 * them), not resources. */
#include "store/store_migrate.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "store/store.h"

#define MAX_TABLES 64
#define MAX_COLS 64

struct mig {
	sqlite3 *lite;
	PGconn *pg;
	char tables[MAX_TABLES][64];
	int ntables;
	char *err;
	size_t errsz;
};

/* The store's own tables, parents before children (foreign keys hold at
 * every insert, so no superuser is needed to defer them). */
static int list_tables(struct mig *m)
{
	char names[MAX_TABLES][64];
	int n = 0, rc = KYC_ERR_IO;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(m->lite,
			       "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE "
			       "'sqlite\\_%' ESCAPE '\\' AND name <> 'schema_migrations' ORDER BY name",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == MAX_TABLES) {
			rc = KYC_ERR_TOOBIG;
			goto out;
		}
		snprintf(names[n++], sizeof names[0], "%s", (const char *)sqlite3_column_text(st, 0));
	}
	int done[MAX_TABLES] = {0};
	while (m->ntables < n) {
		int progress = 0;
		for (int i = 0; i < n; i++) {
			if (done[i])
				continue;
			char sql[160];
			snprintf(sql, sizeof sql, "SELECT \"table\" FROM pragma_foreign_key_list('%s')",
				 names[i]);
			sqlite3_stmt *fk = NULL;
			int ready = sqlite3_prepare_v2(m->lite, sql, -1, &fk, NULL) == SQLITE_OK;
			while (ready && sqlite3_step(fk) == SQLITE_ROW) {
				const char *parent = (const char *)sqlite3_column_text(fk, 0);
				for (int j = 0; j < n; j++)
					if (j != i && !done[j] && !strcmp(names[j], parent))
						ready = 0;
			}
			sqlite3_finalize(fk);
			if (ready) {
				done[i] = 1;
				memcpy(m->tables[m->ntables++], names[i], sizeof names[i]);
				progress = 1;
			}
		}
		if (!progress) {
			snprintf(m->err, m->errsz, "the tables' foreign keys form a cycle");
			rc = KYC_ERR_INTERNAL;
			goto out;
		}
	}
	rc = 0;
out:
	if (rc == KYC_ERR_IO)
		snprintf(m->err, m->errsz, "listing the SQLite tables: %s", sqlite3_errmsg(m->lite));
	sqlite3_finalize(st);
	return rc;
}

/* One value of a PostgreSQL statement: -1, or the count of sql's first
 * column parsed as a number. */
static long long pg_number(struct mig *m, const char *sql)
{
	PGresult *r = PQexec(m->pg, sql);
	long long v = -1;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	else
		snprintf(m->err, m->errsz, "%s: %s", sql, PQerrorMessage(m->pg));
	PQclear(r);
	return v;
}

static long long lite_count(struct mig *m, const char *table)
{
	char sql[160];
	sqlite3_stmt *st = NULL;
	long long v = -1;
	snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", table);
	if (sqlite3_prepare_v2(m->lite, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else
		snprintf(m->err, m->errsz, "%s: %s", sql, sqlite3_errmsg(m->lite));
	sqlite3_finalize(st);
	return v;
}

/* 1 when column col of table is bytea in PostgreSQL, 0 when it is another
 * type, -1 when PostgreSQL has no such column. */
static int pg_is_bytea(struct mig *m, const char *table, const char *col)
{
	const char *p[2] = {table, col};
	PGresult *r = PQexecParams(m->pg,
				   "SELECT data_type FROM information_schema.columns WHERE "
				   "table_schema = current_schema() AND table_name = $1 AND "
				   "column_name = $2",
				   2, NULL, p, NULL, NULL, 0);
	int v = -1;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		v = !strcmp(PQgetvalue(r, 0, 0), "bytea");
	PQclear(r);
	if (v < 0)
		snprintf(m->err, m->errsz, "PostgreSQL has no column %s.%s", table, col);
	return v;
}

/* Copies every row of table; rows in *copied. */
static int copy_table(struct mig *m, const char *table, long long *copied)
{
	char sql[4096], name[80];
	sqlite3_stmt *st = NULL;
	PGresult *r = NULL;
	int rc = KYC_ERR_IO, bytea[MAX_COLS];
	char num[MAX_COLS][32];
	*copied = 0;
	/* rowid order: events of one millisecond keep the order they were
	 * written in (PostgreSQL's outbox reads them by ctid after created_at) */
	snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY rowid", table);
	if (sqlite3_prepare_v2(m->lite, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(m->err, m->errsz, "%s: %s", sql, sqlite3_errmsg(m->lite));
		goto out;
	}
	int ncol = sqlite3_column_count(st);
	if (ncol > MAX_COLS) {
		rc = KYC_ERR_TOOBIG;
		snprintf(m->err, m->errsz, "%s has %d columns", table, ncol);
		goto out;
	}
	size_t n = (size_t)snprintf(sql, sizeof sql, "INSERT INTO \"%s\" (", table);
	for (int c = 0; c < ncol && n < sizeof sql; c++) {
		const char *col = sqlite3_column_name(st, c);
		if ((bytea[c] = pg_is_bytea(m, table, col)) < 0) {
			rc = KYC_ERR_INVALID;
			goto out;
		}
		n += (size_t)snprintf(sql + n, sizeof sql - n, "%s\"%s\"", c ? ", " : "", col);
	}
	for (int c = 0; c < ncol && n < sizeof sql; c++)
		n += (size_t)snprintf(sql + n, sizeof sql - n, "%s$%d", c ? ", " : ") VALUES (", c + 1);
	if (n + 2 >= sizeof sql) {
		rc = KYC_ERR_TOOBIG;
		snprintf(m->err, m->errsz, "the insert into %s is too long", table);
		goto out;
	}
	memcpy(sql + n, ")", 2);
	snprintf(name, sizeof name, "kycd_migrate_%s", table);
	r = PQprepare(m->pg, name, sql, 0, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		snprintf(m->err, m->errsz, "%s: %s", sql, PQerrorMessage(m->pg));
		goto out;
	}
	PQclear(r);
	r = NULL;
	const char *vals[MAX_COLS];
	int lens[MAX_COLS], fmts[MAX_COLS];
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		for (int c = 0; c < ncol; c++) {
			int type = sqlite3_column_type(st, c);
			lens[c] = 0;
			fmts[c] = 0;
			vals[c] = NULL;
			if (type == SQLITE_NULL)
				continue;
			if (bytea[c]) { /* its bytes, whatever SQLite held */
				fmts[c] = 1;
				vals[c] = sqlite3_column_blob(st, c);
				lens[c] = sqlite3_column_bytes(st, c);
				if (!vals[c])
					vals[c] = "";
			} else if (type == SQLITE_INTEGER) {
				snprintf(num[c], sizeof num[c], "%lld",
					 (long long)sqlite3_column_int64(st, c));
				vals[c] = num[c];
			} else if (type == SQLITE_FLOAT) { /* every bit of the double */
				snprintf(num[c], sizeof num[c], "%.17g", sqlite3_column_double(st, c));
				vals[c] = num[c];
			} else if (type == SQLITE_TEXT) {
				vals[c] = (const char *)sqlite3_column_text(st, c);
			} else {
				rc = KYC_ERR_INVALID;
				snprintf(m->err, m->errsz, "%s.%s holds bytes, and PostgreSQL's column "
					 "is not bytea", table, sqlite3_column_name(st, c));
				goto out;
			}
		}
		r = PQexecPrepared(m->pg, name, ncol, vals, lens, fmts, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			snprintf(m->err, m->errsz, "copying %s: %s", table, PQerrorMessage(m->pg));
			goto out;
		}
		PQclear(r);
		r = NULL;
		(*copied)++;
	}
	if (step != SQLITE_DONE) {
		snprintf(m->err, m->errsz, "reading %s: %s", table, sqlite3_errmsg(m->lite));
		goto out;
	}
	rc = 0;
out:
	PQclear(r);
	sqlite3_finalize(st);
	return rc;
}

/* Opens the store at locator db once, which applies pending migrations;
 * its schema version into *version. */
static int migrate_schema(const char *db, const char *dir, int *version, char *err, size_t errsz)
{
	kyc_store *s = NULL;
	int rc = kyc_store_open_at(db, dir, &s, err, errsz);
	if (rc)
		return rc;
	*version = kyc_store_schema_version(s);
	kyc_store_close(s);
	return 0;
}

static int pg_exec(struct mig *m, const char *sql)
{
	PGresult *r = PQexec(m->pg, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		snprintf(m->err, m->errsz, "%s: %s", sql, PQerrorMessage(m->pg));
	PQclear(r);
	return ok ? 0 : KYC_ERR_IO;
}

int kyc_store_migrate(const char *dir, const char *pg, json_t **counts, char *err, size_t errsz)
{
	struct mig m = {.err = err, .errsz = errsz};
	char loc[1100], path[1100];
	int rc, vs = 0, vt = 0, in_pg_tx = 0, in_lite_tx = 0;
	json_t *out = json_object();
	*counts = NULL;
	snprintf(loc, sizeof loc, "sqlite:%s", dir);
	snprintf(path, sizeof path, "%s/kycd.db", dir);
	if (!out)
		return KYC_ERR_NOMEM;
	FILE *probe = fopen(path, "rb"); /* never make an empty source */
	if (!probe) {
		snprintf(err, errsz, "no SQLite database at %s", path);
		rc = KYC_ERR_NOTFOUND;
		goto out;
	}
	fclose(probe);
	if ((rc = migrate_schema(loc, dir, &vs, err, errsz)) ||
	    (rc = migrate_schema(pg, dir, &vt, err, errsz)))
		goto out;
	if (vs != vt) {
		snprintf(err, errsz, "schema versions differ: SQLite %d, PostgreSQL %d", vs, vt);
		rc = KYC_ERR_STATE;
		goto out;
	}
	rc = KYC_ERR_IO;
	if (sqlite3_open_v2(path, &m.lite, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "opening %s: %s", path, sqlite3_errmsg(m.lite));
		goto out;
	}
	m.pg = PQconnectdb(pg);
	if (PQstatus(m.pg) != CONNECTION_OK) {
		snprintf(err, errsz, "connecting to PostgreSQL: %s", PQerrorMessage(m.pg));
		goto out;
	}
	/* one snapshot of the source, even while a server writes to it */
	if (sqlite3_exec(m.lite, "BEGIN; SELECT 1 FROM schema_migrations LIMIT 1", NULL, NULL,
			 NULL) != SQLITE_OK) {
		snprintf(err, errsz, "reading %s: %s", path, sqlite3_errmsg(m.lite));
		goto out;
	}
	in_lite_tx = 1;
	if ((rc = list_tables(&m)) || (rc = pg_exec(&m, "BEGIN")))
		goto out;
	in_pg_tx = 1;
	/* an empty target only: merging two installs' rows is not a copy */
	for (int t = 0; t < m.ntables; t++) {
		char sql[160];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM (SELECT 1 FROM \"%s\" LIMIT 1) x",
			 m.tables[t]);
		long long n = pg_number(&m, sql);
		if (n != 0) {
			if (n > 0)
				snprintf(err, errsz, "the PostgreSQL database is not empty (table %s "
					 "holds rows): kycd migrate copies into an empty one only",
					 m.tables[t]);
			rc = n > 0 ? KYC_ERR_CONFLICT : KYC_ERR_IO;
			goto out;
		}
	}
	for (int t = 0; t < m.ntables; t++) {
		long long copied, want, got;
		char sql[160];
		if ((rc = copy_table(&m, m.tables[t], &copied)))
			goto out;
		snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", m.tables[t]);
		want = lite_count(&m, m.tables[t]);
		got = pg_number(&m, sql);
		if (want < 0 || got < 0) {
			rc = KYC_ERR_IO;
			goto out;
		}
		if (want != got || copied != want) {
			snprintf(err, errsz, "count check failed on %s: %lld rows in SQLite, %lld "
				 "copied, %lld in PostgreSQL", m.tables[t], want, copied, got);
			rc = KYC_ERR_INTERNAL;
			goto out;
		}
		json_object_set_new(out, m.tables[t], json_integer(got));
	}
	if ((rc = pg_exec(&m, "COMMIT")))
		goto out;
	in_pg_tx = 0;
	/* fresh statistics, or the first queries plan on empty tables */
	pg_exec(&m, "ANALYZE");
	*counts = out;
	out = NULL;
	rc = 0;
out:
	if (in_pg_tx) {
		PGresult *r = PQexec(m.pg, "ROLLBACK");
		PQclear(r);
	}
	if (in_lite_tx)
		sqlite3_exec(m.lite, "COMMIT", NULL, NULL, NULL);
	PQfinish(m.pg);
	sqlite3_close(m.lite);
	json_decref(out);
	return rc;
}
