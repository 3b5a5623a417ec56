/* A throwaway PostgreSQL server for the tests of the PostgreSQL backend:
 * initdb in a temporary folder, run as an unprivileged user (nobody when
 * the tests run as root, since PostgreSQL refuses root), listening only on
 * a Unix socket in that folder, stopped and removed afterwards. Durability
 * is turned off (fsync, synchronous_commit): these servers are for logic,
 * not for crashes; PGTMP_DURABLE=1 in the environment keeps PostgreSQL's
 * defaults (fsync on) for benchmarks. The binaries are found with pg_config --bindir, else
 * $KYCD_PG_BIN. */
#ifndef KYC_TEST_PGTMP_H
#define KYC_TEST_PGTMP_H

struct pgtmp {
	char dir[64];       /* the folder: data/, the socket, log */
	char bin[256];      /* PostgreSQL's bin folder */
	char conninfo[256]; /* libpq connection string of the database "postgres" */
	int port;           /* names the socket file (nothing listens on TCP) */
	int started;
};

/* initdb, then pg_ctl start -w (which returns once the server accepts
 * connections: no fixed wait). 0, or -1 with the reason on stderr. */
int pgtmp_start(struct pgtmp *p);
/* A libpq connection string for another database of the same server. */
void pgtmp_conninfo(const struct pgtmp *p, const char *dbname, char *out, int outsz);
/* Creates the database dbname (CREATE DATABASE) and writes its libpq
 * connection string into out. 0, or -1 with the reason on stderr. */
int pgtmp_createdb(const struct pgtmp *p, const char *dbname, char *out, int outsz);
/* The tests of the store contract run on both backends: when pg is up,
 * sets KYCD_DB to a new database dbname of it (kyc_store_open then opens
 * PostgreSQL) and returns 0; -1 otherwise. pgtmp_use_sqlite unsets it. */
int pgtmp_use(const struct pgtmp *p, const char *dbname);
void pgtmp_use_sqlite(void);
/* Runs suite(backend) once on SQLite ("sqlite", KYCD_DB unset), then once
 * on a new database dbname of a PostgreSQL started for it ("postgres",
 * KYCD_DB set to it; its connection string also in conninfo when not
 * NULL); a server that does not start is a failed case. KYCD_DB is unset
 * and the server stopped afterwards. */
void pgtmp_both(const char *dbname, void (*suite)(const char *backend), char *conninfo,
		int conninfo_sz);
/* pg_ctl stop -m fast, then removes the folder. Safe on a failed start. */
void pgtmp_stop(struct pgtmp *p);

/* Stops and removes a server pgtmp_start made in another process (its dir,
 * a /tmp/kycd-pg-* folder; anything else is refused). 0 or -1. */
int pgtmp_stop_dir(const char *dir);

#endif
