/* bench/webhooks: deliveries per second from `kycd serve` to a receiver on
 * loopback (tests/lib/whrecv.c, which checks every signature).
 *
 * A fresh data directory gets one tenant, one endpoint and N events (a
 * verification-shaped snapshot each, written with kyc_event_emit as the
 * workflow writes them); then the real kycd binary is started on it and the
 * clock runs from kycd's start until the receiver has answered 2xx to all N
 * distinct events. kycd does everything a real delivery needs: fan-out,
 * claims, rendering, signing, sending, recording each outcome (fsync'd).
 *
 * Baseline, same run, same receiver, same body: libcurl's multi interface
 * POSTing N requests with the same number in flight and nothing else — what
 * the client side and the receiver can do without kycd's bookkeeping.
 *
 * usage: bench KYCD_BIN N CONCURRENCY */
#include <curl/curl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/rand.h"
#include "flows/workflow.h"
#include "store/store.h"
#include "webhooks/sign.h"
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

/* The data directory: a tenant, an endpoint to url, n events. */
static int prepare(const char *dir, const char *url, int n, char secret[KYC_WEBHOOK_SECRET_MAX])
{
	kyc_store *s;
	char err[256], tenant[37], id[37];
	if (kyc_store_open(dir, &s, err, sizeof err)) {
		fprintf(stderr, "bench/webhooks: %s\n", err);
		return -1;
	}
	int rc = kyc_store_tenant_create(s, "bench", tenant);
	rc = rc ? rc : kyc_webhook_secret_new(secret);
	rc = rc ? rc : kyc_uuid_new(id);
	json_t *ep = json_pack("{s:s, s:s, s:b, s:s, s:s, s:{s:{}}}", "id", id, "url", url,
			       "enabled", 1, "format", "native", "secret", secret, "attributes",
			       "metadata");
	rc = rc ? rc : kyc_store_insert(s, KYC_R_WEBHOOK_ENDPOINT, tenant, ep);
	json_decref(ep);
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

static long count_rows(const char *dir, const char *sql)
{
	char path[512];
	sqlite3 *db;
	sqlite3_stmt *st;
	long n = -1;
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

/* The baseline: n POSTs of body to url, `conc` in flight, with curl multi. */
static double baseline(const char *url, const char *body, int n, int conc)
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
		curl_easy_setopt(e[i], CURLOPT_URL, url);
		curl_easy_setopt(e[i], CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(e[i], CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(e[i], CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(e[i], CURLOPT_PRIVATE, e[i]);
		if (started < n) {
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

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: bench KYCD_BIN N CONCURRENCY\n");
		return 2;
	}
	const char *bin = argv[1];
	int n = (int)strtol(argv[2], NULL, 10), conc = (int)strtol(argv[3], NULL, 10);
	if (n < 1 || conc < 1)
		return 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct whrecv *rx = whrecv_start(0);
	char dir[] = "/tmp/kycd-bench-wh-XXXXXX", url[128], secret[KYC_WEBHOOK_SECRET_MAX];
	if (!rx || !mkdtemp(dir))
		return 1;
	snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", whrecv_port(rx));
	double tp = now_s();
	if (prepare(dir, url, n, secret)) {
		fprintf(stderr, "bench/webhooks: could not prepare the data directory\n");
		return 1;
	}
	tp = now_s() - tp;
	whrecv_set_secrets(rx, secret, NULL);

	char conc_env[64];
	snprintf(conc_env, sizeof conc_env, "KYCD_WEBHOOK_CONCURRENCY=%d", conc);
	/* one endpoint here: let it use every slot, as the baseline does */
	char ep_env[80];
	snprintf(ep_env, sizeof ep_env, "KYCD_WEBHOOK_ENDPOINT_CONCURRENCY=%d", conc);
	double t0 = now_s();
	pid_t pid = fork();
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stderr))
			_exit(127);
		putenv("KYCD_WEBHOOK_ALLOW_HTTP=1");
		putenv("KYCD_WEBHOOK_ALLOW_LOOPBACK=1");
		putenv("KYCD_LOG_LEVEL=warn");
		putenv(conc_env);
		putenv(ep_env);
		execl(bin, bin, "serve", "--data", dir, "--listen", "127.0.0.1:0", "--threads", "1",
		      (char *)NULL);
		_exit(127);
	}
	int got = whrecv_wait_distinct_ok(rx, n, 600000);
	double dt = now_s() - t0;
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	int total = whrecv_count(rx), valid = whrecv_valid(rx);
	long ok_rows = count_rows(dir, "SELECT count(*) FROM webhook_deliveries WHERE "
				       "status='succeeded'");

	/* the baseline, after kycd is gone, on the same receiver and body size */
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
	double base = baseline(url, body.data, n, conc);
	kyc_buf_release(&body);

	double rate = got / dt;
	printf("events prepared: %d in %.1f s\n", n, tp);
	printf("kycd:     %d deliveries in %.2f s = %.0f/s (requests %d, signatures valid %d, "
	       "rows succeeded %ld)\n",
	       got, dt, rate, total, valid, ok_rows);
	printf("baseline: curl multi alone to the same receiver, %d in flight: %.0f/s\n", conc,
	       base);
	printf("ratio to the 1,000/s target: %.2f; kycd/baseline: %.2f\n", rate / 1000.0,
	       rate / base);
	whrecv_stop(rx);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench/webhooks: could not remove %s\n", dir);
	curl_global_cleanup();
	return got == n && valid >= n && ok_rows == n ? 0 : 1;
}
