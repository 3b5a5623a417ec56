#include "e2e.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "test.h"

static const char *kycd_bin(void)
{
	const char *b = getenv("KYCD_BIN");
	return b && *b ? b : "build/asan/kycd";
}

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) || getsockname(fd, (struct sockaddr *)&a, &len)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return ntohs(a.sin_port);
}

/* The PostgreSQL pass's server, or NULL in the SQLite pass. */
static const char *test_pg(void)
{
	const char *pg = getenv("KYCD_TEST_PG");
	return pg && *pg ? pg : NULL;
}

const char *e2e_backend(void)
{
	return test_pg() ? "postgres" : "sqlite";
}

/* CREATE or DROP the database of s (named after its data directory) on the
 * PostgreSQL pass's server; nothing in the SQLite pass. 0 or -1. */
static int pg_database(struct e2e_server *s, const char *verb)
{
	const char *pg = test_pg();
	if (!pg)
		return 0;
	const char *name = strrchr(s->data_dir, '/') + 1;
	char sql[160];
	snprintf(sql, sizeof sql, "%s DATABASE \"%s\"%s", verb, name,
		 strcmp(verb, "DROP") ? "" : " WITH (FORCE)");
	PGconn *c = PQconnectdb(pg);
	PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
	int ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "e2e: %s: %s", sql, r ? PQresultErrorMessage(r) : PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	/* libpq takes the last of a repeated keyword: this names the database */
	snprintf(s->db, sizeof s->db, "%s dbname='%s'", pg, name);
	return ok ? 0 : -1;
}

int e2e_store_open(struct e2e_server *s, struct kyc_store **out, char *err, size_t errsz)
{
	return kyc_store_open_at(s->db[0] ? s->db : NULL, s->data_dir, out, err, errsz);
}

int e2e_db_text(struct e2e_server *s, const char *sql, const char *arg, char *out, size_t outsz)
{
	int rc = -1;
	out[0] = '\0';
	if (s->db[0]) {
		PGconn *c = PQconnectdb(s->db);
		PGresult *r = PQstatus(c) == CONNECTION_OK
		                  ? PQexecParams(c, sql, arg ? 1 : 0, NULL, &arg, NULL, NULL, 0)
		                  : NULL;
		if (PQresultStatus(r) == PGRES_TUPLES_OK) {
			rc = 0;
			if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
				snprintf(out, outsz, "%s", PQgetvalue(r, 0, 0));
		}
		PQclear(r);
		PQfinish(c);
		return rc;
	}
	char path[256];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	snprintf(path, sizeof path, "%s/kycd.db", s->data_dir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (arg)
			sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
		int step = sqlite3_step(st);
		if (step == SQLITE_ROW && sqlite3_column_text(st, 0))
			snprintf(out, outsz, "%s", (const char *)sqlite3_column_text(st, 0));
		rc = step == SQLITE_ROW || step == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

int e2e_db_dump(struct e2e_server *s, const char *path)
{
	if (!s->db[0])
		return -1;
	PGconn *c = PQconnectdb(s->db);
	FILE *fp = fopen(path, "wb");
	PGresult *tables = PQstatus(c) == CONNECTION_OK
	                       ? PQexec(c, "SELECT tablename FROM pg_tables WHERE schemaname='public'")
	                       : NULL;
	int rc = fp && PQresultStatus(tables) == PGRES_TUPLES_OK ? 0 : -1;
	for (int t = 0; !rc && t < PQntuples(tables); t++) {
		char sql[200];
		snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", PQgetvalue(tables, t, 0));
		PGresult *r = PQexecParams(c, sql, 0, NULL, NULL, NULL, NULL, 1);
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			rc = -1;
		for (int i = 0; !rc && i < PQntuples(r); i++)
			for (int k = 0; k < PQnfields(r); k++)
				if (!PQgetisnull(r, i, k))
					fwrite(PQgetvalue(r, i, k), 1, (size_t)PQgetlength(r, i, k), fp);
		PQclear(r);
	}
	PQclear(tables);
	PQfinish(c);
	if (fp && fclose(fp))
		rc = -1;
	return rc;
}

/* In a child about to exec kycd: the server's database, if it has one. */
static void child_db(const struct e2e_server *s)
{
	if (s->db[0])
		setenv("KYCD_DB", s->db, 1);
}

int e2e_data_dir(struct e2e_server *s)
{
	if (s->data_dir[0])
		return 0;
	snprintf(s->data_dir, sizeof s->data_dir, "/tmp/kycd-e2e-XXXXXX");
	if (!mkdtemp(s->data_dir))
		return -1;
	snprintf(s->log_path, sizeof s->log_path, "%s.log", s->data_dir);
	return pg_database(s, "CREATE");
}

/* Prints the server's log from its first sanitizer report (a line of '='
 * or a UBSan "runtime error") on, 200 lines at most, or else its last 60
 * lines: why it exited as it did. */
static void print_log_tail(const struct e2e_server *s)
{
	size_t len;
	char *log = (char *)test_read_file(s->log_path, &len);
	if (!log || (size_t)s->log_from >= len) {
		fprintf(stderr, "    (the server wrote nothing to its log %s)\n", s->log_path);
		free(log);
		return;
	}
	/* only this run's: an earlier run's report is not this one's */
	const char *start = log + s->log_from, *end = log + len, *from = NULL;
	for (const char *line = start; !from && line < end;) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		size_t n = eol ? (size_t)(eol - line) : (size_t)(end - line);
		if ((n >= 20 && strspn(line, "=") >= 20) || memmem(line, n, "runtime error:", 14))
			from = line;
		line = eol ? eol + 1 : end;
	}
	int max = from ? 200 : 60;
	if (!from) {
		from = end > start && end[-1] == '\n' ? end - 1 : end;
		for (int lines = 0; from > start; from--)
			if (from[-1] == '\n' && ++lines == max)
				break;
	}
	fprintf(stderr, "    --- %s of the server's log ---\n", max == 200 ? "the report" : "the end");
	for (int lines = 0; from < end && lines < max; lines++) {
		const char *eol = memchr(from, '\n', (size_t)(end - from));
		size_t n = eol ? (size_t)(eol - from) : (size_t)(end - from);
		fprintf(stderr, "    %.*s\n", (int)n, from);
		from = eol ? eol + 1 : end;
	}
	fprintf(stderr, "    ---\n");
	free(log);
}

/* The server's wait status against the one expected (exit 0 after SIGTERM,
 * or death by SIGKILL): anything else fails the test, with the log. */
static void check_status(const struct e2e_server *s, pid_t pid, int status, int expect_kill)
{
	int ok = expect_kill ? WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL
	                     : WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (ok)
		return;
	char how[96];
	if (WIFEXITED(status))
		snprintf(how, sizeof how, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(how, sizeof how, "was killed by signal %d (%s)", WTERMSIG(status),
		         strsignal(WTERMSIG(status)));
	else
		snprintf(how, sizeof how, "ended with wait status %#x", (unsigned)status);
	test_fail_msg("kycd serve (pid %d, %s) %s, expected %s", (int)pid, s->base, how,
	              expect_kill ? "death by the SIGKILL sent (it had ended before it)"
	                          : "exit status 0 after SIGTERM");
	print_log_tail(s);
}

/* Sends sig to the server and reaps it into *status, waiting wait_ms at
 * most (0: as long as it takes). 0, or -1 when it had not ended by then. */
static int signal_and_reap(struct e2e_server *s, int sig, int wait_ms, int *status)
{
	kill(s->pid, sig);
	for (int waited = 0; !wait_ms || waited < wait_ms; waited += 20) {
		pid_t w = waitpid(s->pid, status, wait_ms ? WNOHANG : 0);
		if (w == s->pid)
			return 0;
		if (w < 0 && errno != EINTR)
			return -1;
		if (w == 0) {
			struct timespec ts = {0, 20 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	return -1;
}

int e2e_start(struct e2e_server *s, const char *const *env)
{
	if (e2e_data_dir(s))
		return -1;
	for (int attempt = 0; attempt < 5; attempt++) {
		s->port = free_port();
		if (s->port <= 0)
			return -1;
		snprintf(s->base, sizeof s->base, "%s://127.0.0.1:%d", s->tls_ca ? "https" : "http",
			 s->port);
		char listen[64];
		snprintf(listen, sizeof listen, "127.0.0.1:%d", s->port);
		struct stat log_st;
		s->log_from = stat(s->log_path, &log_st) == 0 ? (long)log_st.st_size : 0;
		pid_t pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0) {
			int fd = open(s->log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
			if (fd >= 0) {
				dup2(fd, 2);
				dup2(fd, 1);
				close(fd);
			}
			child_db(s);
			for (const char *const *e = env; e && *e; e++)
				putenv((char *)*e);
			execl(kycd_bin(), kycd_bin(), "serve", "--data", s->data_dir, "--listen",
			      listen, "--threads", "2", (char *)NULL);
			_exit(127);
		}
		s->pid = pid;
		/* Wait for /healthz; ASan builds start slowly. */
		for (int i = 0; i < 300; i++) {
			struct e2e_resp r;
			if (e2e_req(s, "GET", "/healthz", NULL, NULL, 0, &r) == 0) {
				long st = r.status;
				e2e_resp_free(&r);
				if (st == 200)
					return 0;
			}
			int status;
			if (waitpid(pid, &status, WNOHANG) == pid) {
				s->pid = 0;
				break; /* died: maybe the port was taken; try another */
			}
			struct timespec ts = {0, 20 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
		if (s->pid) {
			/* never answered: the caller reports the failed start */
			int status;
			signal_and_reap(s, SIGKILL, 0, &status);
			s->pid = 0;
			return -1;
		}
	}
	fprintf(stderr, "e2e: kycd did not start; log in %s\n", s->log_path);
	return -1;
}

/* A graceful stop takes the 10 s grace of open connections at most
 * (src/http/server.c) and then LeakSanitizer's scan of the heap, slow
 * under ASan on a loaded machine. */
#define STOP_WAIT_MS 60000

int e2e_stop(struct e2e_server *s)
{
	if (!s->pid)
		return -1;
	pid_t pid = s->pid;
	int status = 0;
	if (signal_and_reap(s, SIGTERM, STOP_WAIT_MS, &status)) {
		test_fail_msg("kycd serve (pid %d, %s) did not exit within %d s of SIGTERM; killed",
		              (int)pid, s->base, STOP_WAIT_MS / 1000);
		signal_and_reap(s, SIGKILL, 0, &status);
		s->pid = 0;
		print_log_tail(s);
		return -1;
	}
	s->pid = 0;
	check_status(s, pid, status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void e2e_kill(struct e2e_server *s)
{
	if (!s->pid)
		return;
	pid_t pid = s->pid;
	int status = 0;
	signal_and_reap(s, SIGKILL, 0, &status);
	s->pid = 0;
	check_status(s, pid, status, 1);
}

void e2e_cleanup(struct e2e_server *s)
{
	if (s->pid)
		e2e_stop(s);
	if (s->data_dir[0]) {
		char cmd[512];
		snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", s->data_dir, s->log_path);
		if (system(cmd) != 0)
			fprintf(stderr, "e2e: cleanup failed\n");
		pg_database(s, "DROP");
	}
}

int e2e_kycd(const char *db, char **out, const char *const *args)
{
	int pfd[2];
	*out = NULL;
	if (pipe(pfd))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		const char *argv[32];
		int n = 0;
		argv[n++] = kycd_bin();
		for (const char *const *a = args; *a && n < 31; a++)
			argv[n++] = *a;
		argv[n] = NULL;
		if (db && *db)
			setenv("KYCD_DB", db, 1);
		else
			unsetenv("KYCD_DB");
		execv(kycd_bin(), (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	ssize_t r;
	while (buf && (r = read(pfd[0], buf + len, cap - len - 1)) > 0) {
		len += (size_t)r;
		if (cap - len < 2) {
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	close(pfd[0]);
	if (buf)
		buf[len] = '\0';
	*out = buf;
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int e2e_cli(struct e2e_server *s, char **out, const char *const *args)
{
	*out = NULL;
	if (e2e_data_dir(s))
		return -1;
	const char *argv[32];
	int n = 0;
	for (const char *const *a = args; *a && n < 28; a++)
		argv[n++] = *a;
	argv[n++] = "--data";
	argv[n++] = s->data_dir;
	argv[n] = NULL;
	return e2e_kycd(s->db, out, argv);
}

int e2e_tenant(struct e2e_server *s, const char *name, char key[128], char tenant_id[64])
{
	char *out;
	const char *args[] = {"tenant", "create", name, NULL};
	int rc = e2e_cli(s, &out, args);
	json_t *j = out ? json_loads(out, 0, NULL) : NULL;
	free(out);
	if (rc != 0 || !j)
		return -1;
	snprintf(key, 128, "%s", json_string_value(json_object_get(j, "api_key")));
	if (tenant_id)
		snprintf(tenant_id, 64, "%s", json_string_value(json_object_get(j, "tenant_id")));
	json_decref(j);
	return 0;
}

struct grow {
	char *p;
	size_t len;
};

static size_t on_data(char *ptr, size_t size, size_t n, void *ud)
{
	struct grow *g = ud;
	size_t add = size * n;
	char *np = realloc(g->p, g->len + add + 1);
	if (!np)
		return 0;
	memcpy(np + g->len, ptr, add);
	g->p = np;
	g->len += add;
	g->p[g->len] = '\0';
	return add;
}

int e2e_req(struct e2e_server *s, const char *method, const char *path, const char *const *headers,
	    const void *body, size_t body_len, struct e2e_resp *r)
{
	memset(r, 0, sizeof *r);
	CURL *c = curl_easy_init();
	if (!c)
		return -1;
	char url[1024];
	snprintf(url, sizeof url, "%s%s", s->base, path);
	struct curl_slist *hl = NULL;
	for (const char *const *h = headers; h && *h; h++)
		hl = curl_slist_append(hl, *h);
	hl = curl_slist_append(hl, "Expect:");
	struct grow b = {0}, h = {0};
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	/* Only a hung server should hit this: under ASan, at load 25 on two
	 * cores, one document read has taken 46 s, and fewer threads per
	 * server (tests/run's OMP_THREAD_LIMIT) make each read longer there. */
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (s->tls_ca)
		curl_easy_setopt(c, CURLOPT_CAINFO, s->tls_ca);
	if (!strcmp(method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
	CURLcode rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	r->body = b.p ? b.p : calloc(1, 1);
	r->body_len = b.len;
	r->headers = h.p ? h.p : calloc(1, 1);
	if (rc != CURLE_OK) {
		e2e_resp_free(r);
		return -1;
	}
	if (r->body_len)
		r->json = json_loadb(r->body, r->body_len, 0, NULL);
	return 0;
}

int e2e_json(struct e2e_server *s, const char *method, const char *path, const char *key,
	     const char *json_body, struct e2e_resp *r)
{
	char auth[200];
	const char *h[3] = {NULL, NULL, NULL};
	int n = 0;
	if (key) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
		h[n++] = auth;
	}
	if (json_body)
		h[n++] = "Content-Type: application/json";
	return e2e_req(s, method, path, h, json_body, json_body ? strlen(json_body) : 0, r);
}

void e2e_resp_free(struct e2e_resp *r)
{
	free(r->body);
	free(r->headers);
	json_decref(r->json);
	memset(r, 0, sizeof *r);
}

int e2e_header(const struct e2e_resp *r, const char *name, char *out, size_t outsz)
{
	size_t n = strlen(name);
	for (const char *line = r->headers; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		if (len > n && !strncasecmp(line, name, n) && line[n] == ':') {
			const char *v = line + n + 1;
			while (*v == ' ')
				v++;
			size_t vl = (size_t)(line + len - v);
			while (vl && (v[vl - 1] == '\r' || v[vl - 1] == ' '))
				vl--;
			snprintf(out, outsz, "%.*s", (int)vl, v);
			return 1;
		}
		line = eol ? eol + 1 : NULL;
	}
	return 0;
}

int e2e_list_ids(struct e2e_server *s, const char *key, const char *path, json_t *ids)
{
	char cursor[200] = "", url[600];
	do {
		snprintf(url, sizeof url, "%s%s%s", path, cursor[0] ? "&cursor=" : "", cursor);
		struct e2e_resp r;
		if (e2e_json(s, "GET", url, key, NULL, &r) != 0 || r.status != 200) {
			e2e_resp_free(&r);
			return -1;
		}
		size_t i;
		json_t *e;
		json_array_foreach(json_object_get(r.json, "data"), i, e)
		{
			json_array_append(ids, json_object_get(e, "id"));
		}
		const char *next = json_string_value(json_object_get(r.json, "next_cursor"));
		snprintf(cursor, sizeof cursor, "%s", next ? next : "");
		e2e_resp_free(&r);
	} while (cursor[0]);
	return 0;
}

const char *e2e_str(const struct e2e_resp *r, const char *key)
{
	const char *v = r->json ? json_string_value(json_object_get(r->json, key)) : NULL;
	return v ? v : "";
}

/* 1 once the socket whose local port is the peer of client_fd and whose
 * remote port is client_fd's own shows an empty receive queue (hex, in
 * /proc/net/tcp: every socket of the network namespace). */
static int server_has_read(int client_fd)
{
	struct sockaddr_in me, peer;
	socklen_t len = sizeof me, plen = sizeof peer;
	if (getsockname(client_fd, (struct sockaddr *)&me, &len) != 0 ||
	    getpeername(client_fd, (struct sockaddr *)&peer, &plen) != 0)
		return 0;
	FILE *f = fopen("/proc/net/tcp", "r");
	if (!f)
		return 0;
	char line[512];
	int found = 0, empty = 0;
	while (!found && fgets(line, sizeof line, f)) {
		unsigned lport, rport, tx, rx;
		if (sscanf(line, " %*d: %*x:%x %*x:%x %*x %x:%x", &lport, &rport, &tx, &rx) == 4 &&
		    lport == ntohs(peer.sin_port) && rport == ntohs(me.sin_port)) {
			found = 1;
			empty = rx == 0;
		}
	}
	fclose(f);
	return found && empty;
}

int e2e_wait_server_read(int client_fd)
{
	for (int i = 0; i < 1000; i++) {
		if (server_has_read(client_fd))
			return 1;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return 0;
}

json_t *e2e_get_json(struct e2e_server *s, const char *path, const char *key)
{
	struct e2e_resp r;
	if (e2e_json(s, "GET", path, key, NULL, &r))
		return NULL;
	json_t *j = r.status == 200 ? json_incref(r.json) : NULL;
	e2e_resp_free(&r);
	return j;
}

const json_t *e2e_find(const json_t *arr, const char *key, const char *value)
{
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o)
	{
		const char *v = json_string_value(json_object_get(o, key));
		if (v && !strcmp(v, value))
			return o;
	}
	return NULL;
}
