/* End-to-end helpers: start the real `kycd serve` ($KYCD_BIN) on a free
 * loopback port with a fresh data directory, and speak HTTP to it over
 * sockets with libcurl.
 *
 * Both backends: when KYCD_TEST_PG holds a libpq connection string (tests/run
 * sets it for its PostgreSQL pass, on a server of tests/tools/pgtmp), each
 * data directory gets a fresh database on that server, and kycd serve and
 * the commands run here get it as KYCD_DB; files stay in the data
 * directory. */
#ifndef KYC_E2E_H
#define KYC_E2E_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

struct e2e_server {
	pid_t pid;
	int port;
	char data_dir[128];
	char base[64];   /* "http://127.0.0.1:PORT" */
	char log_path[192];
	long log_from;   /* where this run's output starts in log_path (restarts append) */
	char db[512];    /* KYCD_DB for this server: "" (SQLite in data_dir) or PostgreSQL */
	/* Set before e2e_start for a kycd serving https (KYCD_TLS_CERT in its
	 * environment): the CA file requests trust; base is then https://. */
	const char *tls_ca;
};

struct e2e_resp {
	long status;
	char *body;        /* NUL-terminated, malloc()ed */
	size_t body_len;
	char *headers;     /* raw response headers, malloc()ed */
	json_t *json;      /* the body parsed, when it is JSON (else NULL) */
};

/* Makes a fresh data directory (once per server), and its database when
 * KYCD_TEST_PG is set. */
int e2e_data_dir(struct e2e_server *s);
/* Starts kycd serve with extra environment "K=V" strings (NULL-terminated,
 * may be NULL) and waits until /healthz answers. 0 or -1. */
int e2e_start(struct e2e_server *s, const char *const *env);
/* SIGTERM and wait (60 s at most, then SIGKILL). A server that does not
 * exit with status 0 (a sanitizer's report at exit, leaks included, a crash,
 * a hang) fails the running case, or the program when no case runs
 * (test_fail_msg), with its status and the end of its log. Returns the exit
 * status, or -1 (not running, killed by a signal, or killed at the limit). */
int e2e_stop(struct e2e_server *s);
/* SIGKILL on purpose (a crash test) and wait. A server that had ended
 * before the signal fails the test as e2e_stop says. */
void e2e_kill(struct e2e_server *s);
/* Stops a running server as e2e_stop does (checked), then removes the data
 * directory (and drops its database). Call it before test_done(). */
void e2e_cleanup(struct e2e_server *s);

/* Opens the server's store as kycd does (SQLite in data_dir or its
 * PostgreSQL database). 0 or a kyc_err, with a message in err. */
struct kyc_store;
int e2e_store_open(struct e2e_server *s, struct kyc_store **out, char *err, size_t errsz);
/* The first column of the first row of sql, with $1 bound to arg (may be
 * NULL: no parameter), on the server's database as it is on disk or on
 * its PostgreSQL server, outside kycd: into out ("" for no row or NULL).
 * 0, or -1 when the query failed. */
int e2e_db_text(struct e2e_server *s, const char *sql, const char *arg, char *out, size_t outsz);
/* PostgreSQL: every field of every row of the server's database, in binary
 * form (text as it is, bytea as its bytes), into the file path, so that
 * what searches files searches its rows. 0, or -1 (also on SQLite, whose
 * database is a file already). */
int e2e_db_dump(struct e2e_server *s, const char *path);
/* "postgres" in the PostgreSQL pass, else "sqlite". */
const char *e2e_backend(void);

/* Runs `$KYCD_BIN args...` with --data of s; captures stdout (malloc()ed). Returns exit status. */
int e2e_cli(struct e2e_server *s, char **out, const char *const *args);
/* Runs `$KYCD_BIN args...` with KYCD_DB=db (unset when db is NULL or
 * ""); captures stdout (malloc()ed). Returns exit status. */
int e2e_kycd(const char *db, char **out, const char *const *args);
/* `kycd tenant create NAME`: fills the key (and tenant id if not NULL). */
int e2e_tenant(struct e2e_server *s, const char *name, char key[128], char tenant_id[64]);

/* One request. headers: NULL-terminated "Name: value" strings (may be NULL).
 * body may be NULL. Returns 0 when an HTTP response came back. */
int e2e_req(struct e2e_server *s, const char *method, const char *path, const char *const *headers,
	    const void *body, size_t body_len, struct e2e_resp *r);
/* JSON request with "Authorization: Bearer key" (key may be NULL). */
int e2e_json(struct e2e_server *s, const char *method, const char *path, const char *key,
	     const char *json_body, struct e2e_resp *r);
void e2e_resp_free(struct e2e_resp *r);
/* The first object of array arr whose key holds the string value, or NULL. */
const json_t *e2e_find(const json_t *arr, const char *key, const char *value);
/* GET path with key: the JSON body of a 200 (new reference), else NULL. */
json_t *e2e_get_json(struct e2e_server *s, const char *path, const char *key);
/* A header value of a response (case-insensitive name), copied into out; 1 if found. */
int e2e_header(const struct e2e_resp *r, const char *name, char *out, size_t outsz);
/* Appends the id of every item of the list at path (which has a query,
 * "?limit=100" say), every page of it, to the array ids. 0, or -1 when a
 * page was not answered 200. */
int e2e_list_ids(struct e2e_server *s, const char *key, const char *path, json_t *ids);
/* Shorthand: the string at a key of r->json ("" when absent). */
const char *e2e_str(const struct e2e_resp *r, const char *key);

/* Waits (10 s at most) until the server's end of the loopback TCP
 * connection client_fd has no unread bytes: the server has read what we
 * wrote (a readiness wait, not a fixed one). Read from /proc/net/tcp, so
 * it works whether the server is this process or another. 1, or 0. */
int e2e_wait_server_read(int client_fd);

#endif
