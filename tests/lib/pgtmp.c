#include "pgtmp.h"
#include "test.h"

#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOBODY 65534

/* Runs a shell command as the server's user (nobody under root). */
static int run_as(const struct pgtmp *p, const char *fmt, ...)
{
	char cmd[1536], full[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	(void)p;
	if (geteuid() == 0)
		snprintf(full, sizeof full,
			 "setpriv --reuid=%d --regid=%d --clear-groups sh -c '%s'", NOBODY, NOBODY,
			 cmd);
	else
		snprintf(full, sizeof full, "sh -c '%s'", cmd);
	int st = system(full);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void find_bin(struct pgtmp *p)
{
	const char *env = getenv("KYCD_PG_BIN");
	p->bin[0] = 0;
	if (env && *env) {
		snprintf(p->bin, sizeof p->bin, "%s", env);
		return;
	}
	FILE *f = popen("pg_config --bindir 2>/dev/null", "r");
	if (f) {
		if (fgets(p->bin, sizeof p->bin, f))
			p->bin[strcspn(p->bin, "\n")] = 0;
		pclose(f);
	}
}

int pgtmp_start(struct pgtmp *p)
{
	memset(p, 0, sizeof *p);
	find_bin(p);
	snprintf(p->dir, sizeof p->dir, "/tmp/kycd-pg-XXXXXX");
	if (!p->bin[0] || !mkdtemp(p->dir)) {
		fprintf(stderr, "pgtmp: no PostgreSQL binaries (pg_config) or no temp folder\n");
		return -1;
	}
	/* the server's user owns the folder; the socket in it is for everyone */
	if (geteuid() == 0 && chown(p->dir, NOBODY, NOBODY) != 0)
		return -1;
	chmod(p->dir, 0755);
	/* a port number only names the socket file; the folder is ours alone */
	p->port = 5432;
	if (run_as(p, "%s/initdb -D %s/data -A trust -U kycd -E UTF8 --no-locale --no-sync "
		      ">%s/initdb.log 2>&1",
		   p->bin, p->dir, p->dir) != 0) {
		fprintf(stderr, "pgtmp: initdb failed (see %s/initdb.log)\n", p->dir);
		return -1;
	}
	/* PGTMP_DURABLE=1 (benchmarks): PostgreSQL's own defaults, fsync on */
	const char *durable = getenv("PGTMP_DURABLE") && !strcmp(getenv("PGTMP_DURABLE"), "1")
				  ? ""
				  : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
	if (run_as(p, "%s/pg_ctl -D %s/data -l %s/log -w -t 60 -o \"-k %s -p %d -c "
		      "listen_addresses=%s\" start >/dev/null 2>&1",
		   p->bin, p->dir, p->dir, p->dir, p->port, durable) != 0) {
		fprintf(stderr, "pgtmp: the server did not start (see %s/log)\n", p->dir);
		return -1;
	}
	p->started = 1;
	pgtmp_conninfo(p, "postgres", p->conninfo, sizeof p->conninfo);
	return 0;
}

void pgtmp_conninfo(const struct pgtmp *p, const char *dbname, char *out, int outsz)
{
	snprintf(out, (size_t)outsz, "host=%s port=%d user=kycd dbname=%s", p->dir, p->port, dbname);
}

void pgtmp_stop(struct pgtmp *p)
{
	if (p->started)
		run_as(p, "%s/pg_ctl -D %s/data -m fast -w stop >/dev/null 2>&1", p->bin, p->dir);
	p->started = 0;
	if (p->dir[0]) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", p->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "pgtmp: could not remove %s\n", p->dir);
		p->dir[0] = 0;
	}
}

int pgtmp_createdb(const struct pgtmp *p, const char *dbname, char *out, int outsz)
{
	PGconn *c = PQconnectdb(p->conninfo);
	char sql[160];
	snprintf(sql, sizeof sql, "CREATE DATABASE \"%s\"", dbname);
	PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
	int ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "pgtmp: cannot create database %s: %s\n", dbname,
			r ? PQresultErrorMessage(r) : PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	if (ok)
		pgtmp_conninfo(p, dbname, out, outsz);
	return ok ? 0 : -1;
}

int pgtmp_use(const struct pgtmp *p, const char *dbname)
{
	char conninfo[256];
	if (!p->started || pgtmp_createdb(p, dbname, conninfo, sizeof conninfo) != 0)
		return -1;
	return setenv("KYCD_DB", conninfo, 1);
}

void pgtmp_use_sqlite(void)
{
	unsetenv("KYCD_DB");
}

static void postgres_starts(void)
{
	CHECK(!"a PostgreSQL server for the tests (pgtmp_start, pgtmp_use)");
}

void pgtmp_both(const char *dbname, void (*suite)(const char *backend), char *conninfo,
		int conninfo_sz)
{
	struct pgtmp p;
	pgtmp_use_sqlite();
	suite("sqlite");
	if (pgtmp_start(&p) == 0 && pgtmp_use(&p, dbname) == 0) {
		if (conninfo)
			snprintf(conninfo, (size_t)conninfo_sz, "%s", getenv("KYCD_DB"));
		suite("postgres");
	} else {
		RUN_ON("postgres", postgres_starts);
	}
	pgtmp_use_sqlite();
	pgtmp_stop(&p);
}

int pgtmp_stop_dir(const char *dir)
{
	struct pgtmp p;
	memset(&p, 0, sizeof p);
	if (strncmp(dir, "/tmp/kycd-pg-", 13) != 0 || strchr(dir, '\'') ||
	    strlen(dir) >= sizeof p.dir)
		return -1;
	find_bin(&p);
	snprintf(p.dir, sizeof p.dir, "%s", dir);
	p.started = 1;
	pgtmp_stop(&p);
	return 0;
}
