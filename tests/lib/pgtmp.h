/* A throwaway PostgreSQL server for the tests of the PostgreSQL backend:
 * initdb in a temporary folder, run as an unprivileged user (nobody when
 * the tests run as root, since PostgreSQL refuses root), listening only on
 * a Unix socket in that folder, stopped and removed afterwards. Durability
 * is turned off (fsync, synchronous_commit): these servers are for logic,
 * not for crashes. The binaries are found with pg_config --bindir, else
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
/* pg_ctl stop -m fast, then removes the folder. Safe on a failed start. */
void pgtmp_stop(struct pgtmp *p);

#endif
