/* bench/webhooks: deliveries per second from `kycd serve` to a receiver on
 * loopback (tests/lib/whrecv.c, which checks every signature).
 *
 * A fresh data directory gets one tenant, E endpoints (one receiver each)
 * and N events (a verification-shaped snapshot each, written with
 * kyc_event_emit as the workflow writes them); then the real kycd binary is
 * started on it and the clock runs from kycd's start until every receiver
 * has answered 2xx to all N distinct events. kycd does everything a real delivery needs: fan-out,
 * claims, rendering, signing, sending, recording each outcome (fsync'd).
 *
 * kycd runs with its default settings (no concurrency variables).
 *
 * KYCD_BENCH_PG=1: the same on PostgreSQL, a throwaway server started here
 * (tests/lib/pgtmp.h) with PostgreSQL's own durability defaults
 * (PGTMP_DURABLE), and NODES kycd processes (default 1) sharing its
 * database and the data directory, as a cluster does.
 *
 * Baseline, same run, same receivers, same body: libcurl's multi interface
 * POSTing as many requests with as many in flight as kycd's defaults allow
 * for that number of endpoints, and nothing else — what the client side and
 * the receivers can do without kycd's bookkeeping.
 *
 * usage: bench KYCD_BIN DELIVERIES ENDPOINTS [NODES] (one receiver per
 * endpoint; DELIVERIES / ENDPOINTS events, each delivered to every
 * endpoint) */
#include <curl/curl.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/rand.h"
#include "flows/workflow.h"
#include "store/store.h"
#include "webhooks/sign.h"
#include "webhooks/worker.h"
#include "pgtmp.h"
#include "whrecv.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A snapshot shaped like a verification as the API renders it (about 600 bytes). */
static json_t *snapshot(const char *id, int i)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:[s,s], s:i, s:s, s:n, s:n, s:{s:s}, s:i, s:s, "
			 "s:s, s:s}",
			 "id", id, "object", "verification", "applicant_id",
			 "0f60f6f8-8e73-4873-b2ee-e02275994a77", "status",
			 i % 3 ? "approved" : "pending_review", "document_types", "passport",
			 "id_card", "attempts", 1, "expires_at", "2026-11-23T14:50:08.134Z",
			 "callback_url", "retry", "metadata", "order", "A-1029384756", "version", 4,
			 "created_at", "2026-11-23T10:50:08.134Z", "updated_at",
			 "2026-11-23T10:51:12.901Z", "level", "basic");
}

/* The data directory: a tenant, one endpoint per url (its secret in
 * secrets[i]), n events (each delivered to every endpoint). */
static int prepare(const char *db, const char *dir, char urls[][128], int neps, int n,
		   char secrets[][KYC_WEBHOOK_SECRET_MAX])
{
	kyc_store *s;
	char err[256], tenant[37];
	if (kyc_store_open_at(db, dir, &s, err, sizeof err)) {
		fprintf(stderr, "bench/webhooks: %s\n", err);
		return -1;
	}
	int rc = kyc_store_tenant_create(s, "bench", tenant);
	for (int e = 0; e < neps && !rc; e++) {
		char id[37];
		rc = kyc_webhook_secret_new(secrets[e]);
		rc = rc ? rc : kyc_uuid_new(id);
		json_t *ep = json_pack("{s:s, s:s, s:b, s:s, s:s, s:{s:{}}}", "id", id, "url",
				       urls[e], "enabled", 1, "format", "native", "secret",
				       secrets[e], "attributes", "metadata");
		rc = rc ? rc : kyc_store_insert(s, KYC_R_WEBHOOK_ENDPOINT, tenant, ep);
		json_decref(ep);
	}
	rc = rc ? rc : kyc_store_begin(s);
	for (int i = 0; i < n && !rc; i++) {
		char vid[37];
		kyc_uuid_new(vid);
		json_t *snap = snapshot(vid, i);
		rc = kyc_event_emit(s, tenant, "verification.status_changed", "verification", vid, 4,
				    snap);
		json_decref(snap);
	}
	rc = rc ? rc : kyc_store_commit(s);
	kyc_store_close(s);
	return rc;
}

/* The single number sql answers, from PostgreSQL at pg or else SQLite in dir. */
static long count_rows(const char *pg, const char *dir, const char *sql)
{
	char path[512];
	sqlite3 *db;
	sqlite3_stmt *st;
	long n = -1;
	if (pg) {
		PGconn *c = PQconnectdb(pg);
		PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
		if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
			n = strtol(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		PQfinish(c);
		return n;
	}
	snprintf(path, sizeof path, "%s/kycd.db", dir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return n;
}

static size_t discard(char *p, size_t s, size_t n, void *u)
{
	(void)p;
	(void)u;
	return s * n;
}

/* The baseline: n POSTs of body spread round-robin over urls[0..nurls),
 * `conc` in flight, with curl multi. */
static double baseline(char urls[][128], int nurls, const char *body, int n, int conc)
{
	CURLM *m = curl_multi_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	h = curl_slist_append(h, "webhook-id: baseline");
	h = curl_slist_append(h, "webhook-timestamp: 0");
	h = curl_slist_append(h, "webhook-signature: v1,none");
	h = curl_slist_append(h, "Expect:");
	CURL **e = calloc((size_t)conc, sizeof *e);
	int started = 0, done = 0, running = 0;
	double t0 = now_s();
	for (int i = 0; i < conc; i++) {
		e[i] = curl_easy_init();
		curl_easy_setopt(e[i], CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(e[i], CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(e[i], CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(e[i], CURLOPT_PRIVATE, e[i]);
		if (started < n) {
			curl_easy_setopt(e[i], CURLOPT_URL, urls[started % nurls]);
			curl_multi_add_handle(m, e[i]);
			started++;
		}
	}
	while (done < n) {
		curl_multi_perform(m, &running);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			CURL *x = msg->easy_handle;
			curl_multi_remove_handle(m, x);
			done++;
			if (started < n) {
				curl_easy_setopt(x, CURLOPT_URL, urls[started % nurls]);
				curl_multi_add_handle(m, x);
				started++;
			}
		}
		curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	double dt = now_s() - t0;
	for (int i = 0; i < conc; i++)
		curl_easy_cleanup(e[i]);
	free(e);
	curl_slist_free_all(h);
	curl_multi_cleanup(m);
	return n / dt;
}

#define MAX_ENDPOINTS 64
#define MAX_NODES 8

int main(int argc, char **argv)
{
	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: bench KYCD_BIN DELIVERIES ENDPOINTS [NODES]\n");
		return 2;
	}
	const char *bin = argv[1];
	int total = (int)strtol(argv[2], NULL, 10), neps = (int)strtol(argv[3], NULL, 10);
	int nodes = argc == 5 ? (int)strtol(argv[4], NULL, 10) : 1;
	const char *pg_env = getenv("KYCD_BENCH_PG");
	int use_pg = pg_env && !strcmp(pg_env, "1");
	if (neps < 1 || neps > MAX_ENDPOINTS || total < neps || nodes < 1 || nodes > MAX_NODES ||
	    (nodes > 1 && !use_pg))
		return 2;
	int n = total / neps; /* events; each goes to every endpoint */
	total = n * neps;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct whrecv *rx[MAX_ENDPOINTS] = {0};
	char dir[] = "/tmp/kycd-bench-wh-XXXXXX", urls[MAX_ENDPOINTS][128];
	char secrets[MAX_ENDPOINTS][KYC_WEBHOOK_SECRET_MAX];
	if (!mkdtemp(dir))
		return 1;
	/* one receiver (its own port, so its own connections) per endpoint */
	for (int e = 0; e < neps; e++) {
		if (!(rx[e] = whrecv_start(0)))
			return 1;
		snprintf(urls[e], sizeof urls[e], "http://127.0.0.1:%d/hook", whrecv_port(rx[e]));
	}
	/* PostgreSQL: a server of our own, with fsync on */
	struct pgtmp pgs = {0};
	char pg[512] = "";
	if (use_pg) {
		setenv("PGTMP_DURABLE", "1", 1);
		if (pgtmp_start(&pgs) || pgtmp_createdb(&pgs, "whbench", pg, sizeof pg)) {
			pgtmp_stop(&pgs);
			return 1;
		}
	}
	double tp = now_s();
	if (prepare(use_pg ? pg : NULL, dir, urls, neps, n, secrets)) {
		fprintf(stderr, "bench/webhooks: could not prepare the data directory\n");
		return 1;
	}
	tp = now_s() - tp;
	for (int e = 0; e < neps; e++)
		whrecv_set_secrets(rx[e], secrets[e], NULL);

	/* kycd's own defaults: no concurrency setting is passed */
	double t0 = now_s();
	pid_t pids[MAX_NODES];
	for (int i = 0; i < nodes; i++) {
		pids[i] = fork();
		if (pids[i] != 0)
			continue;
		if (!getenv("BENCH_STDERR") && !freopen("/dev/null", "w", stderr))
			_exit(127);
		unsetenv("KYCD_WEBHOOK_CONCURRENCY");
		unsetenv("KYCD_WEBHOOK_ENDPOINT_CONCURRENCY");
		unsetenv("KYCD_DB");
		putenv("KYCD_WEBHOOK_ALLOW_HTTP=1");
		putenv("KYCD_WEBHOOK_ALLOW_LOOPBACK=1");
		putenv("KYCD_LOG_LEVEL=warn");
		if (use_pg)
			execl(bin, bin, "serve", "--data", dir, "--db", pg, "--listen", "127.0.0.1:0",
			      "--threads", "1", (char *)NULL);
		else
			execl(bin, bin, "serve", "--data", dir, "--listen", "127.0.0.1:0", "--threads",
			      "1", (char *)NULL);
		_exit(127);
	}
	/* Also timed from the first request received: the rate without kycd's
	 * start (loading its models, opening the store), which a long run
	 * spreads thin. */
	double t_first = 0;
	while (!t_first && now_s() - t0 < 60) {
		for (int e = 0; e < neps && !t_first; e++)
			if (whrecv_count(rx[e]) > 0)
				t_first = now_s();
		if (!t_first)
			whrecv_wait(rx[0], 1, 5);
	}
	int got = 0;
	for (int e = 0; e < neps; e++) {
		int left = 600000 - (int)((now_s() - t0) * 1000);
		got += whrecv_wait_distinct_ok(rx[e], n, left > 0 ? left : 0);
	}
	double t_end = now_s(), dt = t_end - t0;
	for (int i = 0; i < nodes; i++)
		kill(pids[i], SIGTERM);
	/* kycd's own CPU time (the nodes', not PostgreSQL's): a figure the
	 * machine's load moves much less than the rate */
	double cpu = 0;
	for (int i = 0; i < nodes; i++) {
		struct rusage ru;
		if (wait4(pids[i], NULL, 0, &ru) == pids[i])
			cpu += ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
			       ru.ru_stime.tv_usec / 1e6;
	}
	int requests = 0, valid = 0, conns = 0;
	for (int e = 0; e < neps; e++) {
		conns += whrecv_accepted(rx[e]);
		requests += whrecv_count(rx[e]);
		valid += whrecv_valid(rx[e]);
	}
	long ok_rows = count_rows(use_pg ? pg : NULL, dir, "SELECT count(*) FROM webhook_deliveries WHERE "
				       "status='succeeded'");

	/* the baseline, after kycd is gone, on the same receivers and body size,
	 * with as many in flight as kycd's defaults allow here */
	int conc = KYC_WEBHOOK_CONCURRENCY_DEFAULT;
	if (neps * KYC_WEBHOOK_ENDPOINT_CONCURRENCY_DEFAULT < conc)
		conc = neps * KYC_WEBHOOK_ENDPOINT_CONCURRENCY_DEFAULT;
	kyc_buf body;
	kyc_buf_init(&body, 1 << 20);
	json_t *snap = snapshot("3f8a1c52-7d4e-4b1a-9c2e-0a5b6c7d8e9f", 1);
	char *txt = json_dumps(snap, JSON_COMPACT);
	kyc_buf_printf(&body,
		       "{\"id\":\"3f8a1c52-7d4e-4b1a-9c2e-0a5b6c7d8e9f\",\"object\":\"event\","
		       "\"type\":\"verification.status_changed\",\"data\":%s}",
		       txt);
	free(txt);
	json_decref(snap);
	double base = baseline(urls, neps, body.data, total, conc);
	kyc_buf_release(&body);

	double rate = got / dt;
	int target = neps == 1 ? 1000 : 5000;
	double steady = t_first && t_end > t_first ? got / (t_end - t_first) : 0;
	printf("events prepared: %d for %d endpoint(s) in %.1f s, %s, %d node(s)\n", n, neps, tp,
	       use_pg ? "PostgreSQL" : "SQLite", nodes);
	printf("kycd:     %d deliveries in %.2f s = %.0f/s from its start, %.0f/s from the first "
	       "request received (requests %d, signatures valid %d, rows succeeded %ld, "
	       "connections %d)\n",
	       got, dt, rate, steady, requests, valid, ok_rows, conns);
	printf("kycd CPU: %.2f s in all, %.0f us per delivery (start included)\n", cpu,
	       got ? cpu * 1e6 / got : 0);
	printf("baseline: curl multi alone to the same receivers, %d in flight: %.0f/s\n", conc,
	       base);
	printf("ratio to the %d/s target: %.2f; kycd/baseline: %.2f\n", target, rate / target,
	       rate / base);
	for (int e = 0; e < neps; e++)
		whrecv_stop(rx[e]);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench/webhooks: could not remove %s\n", dir);
	curl_global_cleanup();
	if (use_pg)
		pgtmp_stop(&pgs);
	return got == total && valid >= total && ok_rows == total ? 0 : 1;
}
