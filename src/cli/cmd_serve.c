/* kycd serve [--data DIR] [--listen HOST:PORT] [--threads N] [--tls-cert PEM --tls-key PEM]
 * Settings come from options, then KYCD_* environment variables (docs/config.md),
 * then defaults. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "compat/compat.h"
#include "core/log.h"
#include "core/ratelimit.h"
#include "face/face.h"
#include "flows/deferred.h"
#include "flows/erasure.h"
#include "flows/erasure_log.h"
#include "flows/settings.h"
#include "flows/sweeper.h"
#include "http/api.h"
#include "http/api_cache.h"
#include "http/server.h"
#include "store/blob.h"
#include "store/store.h"
#include "web/web.h"
#include "flows/workflow.h"
#include "webhooks/worker.h"

static int64_t env_int(const char *name, int64_t def, int64_t min, int64_t max)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return def;
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno || *end || n < min || n > max) {
		fprintf(stderr, "kycd: ignoring %s=%s (expected an integer from %lld to %lld)\n",
			name, v, (long long)min, (long long)max);
		return def;
	}
	return n;
}

static int env_flag(const char *name)
{
	const char *v = getenv(name);
	return v && (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes"));
}

static const char *env_str(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v && *v ? v : def;
}

/* Kept answers per server thread: at most 512 x 16 KB (8 MB); a
 * verification's answer is 1-3 KB. */
#define API_CACHE_SLOTS 512
#define API_CACHE_MAX_BODY (16 * 1024)

static void *thread_open(void *appv, int index)
{
	struct kyc_app *app = appv;
	struct kyc_thread *th = calloc(1, sizeof *th);
	char err[512];
	if (!th)
		return NULL;
	if (kyc_store_open(app->data_dir, &th->store, err, sizeof err) != 0) {
		kyc_logf(KYC_LOG_ERROR, "thread %d: %s", index, err);
		free(th);
		return NULL;
	}
	/* without it (off, or no memory) answers are only not kept */
	if (app->keep_answers)
		th->cache = kyc_api_cache_new(API_CACHE_SLOTS, API_CACHE_MAX_BODY);
	return th;
}

static void thread_close(void *thv)
{
	struct kyc_thread *th = thv;
	if (!th)
		return;
	kyc_api_cache_free(th->cache);
	kyc_store_close(th->store);
	free(th);
}

int cmd_serve(int argc, char **argv)
{
	const char *data = kyc_default_data_dir();
	const char *listen = env_str("KYCD_LISTEN", "127.0.0.1:8080");
	const char *threads_s = NULL;
	const char *tls_cert = env_str("KYCD_TLS_CERT", NULL), *tls_key = env_str("KYCD_TLS_KEY", NULL);
	for (int i = 1; i < argc;) {
		int m = kyc_opt_value(argc, argv, &i, "--data", &data);
		if (!m)
			m = kyc_opt_value(argc, argv, &i, "--listen", &listen);
		if (!m)
			m = kyc_opt_value(argc, argv, &i, "--threads", &threads_s);
		if (!m)
			m = kyc_opt_value(argc, argv, &i, "--tls-cert", &tls_cert);
		if (!m)
			m = kyc_opt_value(argc, argv, &i, "--tls-key", &tls_key);
		if (m <= 0) {
			fprintf(stderr, "usage: kycd serve [--data DIR] [--listen HOST:PORT] [--threads N] "
					"[--tls-cert PEM --tls-key PEM]\n");
			return 2;
		}
	}
	struct kyc_app app = {
		.data_dir = data,
		.verification_ttl_ms = env_int("KYCD_VERIFICATION_TTL", 4 * 3600, 60, 30 * 86400) * 1000,
		.max_image_bytes = (size_t)env_int("KYCD_MAX_IMAGE_BYTES", 2 * 1024 * 1024, 1024, 64 << 20),
		.max_image_pixels = env_int("KYCD_MAX_IMAGE_PIXELS", 40 * 1000 * 1000, 10000, 200000000),
		.idempotency_ttl_ms = 24 * 3600 * 1000LL,
		.fetch_allow_loopback = env_flag("KYCD_FETCH_ALLOW_LOOPBACK"),
		.fetch_allow_http = env_flag("KYCD_FETCH_ALLOW_HTTP"),
		.fetch_ca_file = getenv("KYCD_FETCH_CA_FILE"),
		.fetch_timeout_ms = env_int("KYCD_FETCH_TIMEOUT_MS", 10000, 100, 120000),
		.public_url = env_str("KYCD_PUBLIC_URL", NULL),
		.webhook_allow_loopback = env_flag("KYCD_WEBHOOK_ALLOW_LOOPBACK"),
		.webhook_allow_http = env_flag("KYCD_WEBHOOK_ALLOW_HTTP"),
		.metrics_token = env_str("KYCD_METRICS_TOKEN", NULL),
		.keep_answers = strcmp(env_str("KYCD_KEEP_ANSWERS", "1"), "0") != 0,
	};
	app.public_url_set = app.public_url != NULL;
	app.login_per_min = (double)env_int("KYCD_LOGIN_RATE_PER_MIN", 10, 0, 100000);
	app.login_burst = (double)env_int("KYCD_LOGIN_BURST", 20, 1, 100000);

	int threads = (int)env_int("KYCD_THREADS", 0, 0, 256);
	if (threads_s) {
		char *end;
		long n = strtol(threads_s, &end, 10);
		if (*threads_s == '\0' || *end || n < 0 || n > 256) {
			fprintf(stderr, "kycd: --threads must be 0..256\n");
			return 2;
		}
		threads = (int)n;
	}

	/* Open once up front: migrations run here, and a bad data directory
	 * fails now with a clear message instead of in every thread. */
	if (kyc_cli_db_check() != 0)
		return 1;
	kyc_store *s;
	char err[512], erasure_log[4096];
	if (kyc_store_open(data, &s, err, sizeof err) != 0) {
		fprintf(stderr, "kycd: %s\n", err);
		return 1;
	}
	/* crypto-shredding: an erasure deletes the applicant's data key */
	kyc_erasure_set_key_forget(kyc_erasure_forget_data_key);
	/* erasures are logged outside the database, and a database restored
	 * from an older backup has them made again before anything is served */
	struct kyc_erasure_replay replay;
	if (kyc_erasure_log_path(data, erasure_log, sizeof erasure_log) != 0 ||
	    kyc_erasure_set_log(erasure_log) != 0) {
		fprintf(stderr, "kycd: the erasure log's path is too long\n");
		kyc_store_close(s);
		return 1;
	}
	int log_created = 0;
	long log_seeded = 0;
	if (kyc_erasure_log_seed(s, erasure_log, &log_created, &log_seeded, err, sizeof err) ||
	    kyc_erasure_log_replay(s, data, erasure_log, &replay, err, sizeof err) != 0) {
		fprintf(stderr, "kycd: erasure log: %s\n", err);
		kyc_store_close(s);
		return 1;
	}
	/* settings stored that are not applied as stored (a face threshold of
	 * the former network): said once at start, and in the settings answer */
	kyc_settings_log_warnings(s);
	kyc_store_close(s);
	if (log_created && log_seeded)
		kyc_logf(KYC_LOG_WARN,
			 "no erasure log at %s: started one with the %ld applicant(s) this database "
			 "holds erased; if the database was restored from a backup, erasures made "
			 "after it are not known (docs/security.md, \"Erasure and backups\")",
			 erasure_log, log_seeded);
	else if (log_created)
		kyc_logf(KYC_LOG_INFO, "started the erasure log %s", erasure_log);
	if (replay.bad)
		kyc_logf(KYC_LOG_WARN, "erasure log %s: %ld line(s) not understood, skipped",
			 erasure_log, replay.bad);
	if (replay.reapplied)
		kyc_logf(KYC_LOG_WARN, "erasure log %s: %ld applicant(s) erased again",
			 erasure_log, replay.reapplied);
	/* The face engine once for every thread (read-only once open). Without
	 * its models kycd still serves: selfie levels then go to review. */
	struct kyc_face_engine *face = NULL;
	if (kyc_face_engine_open(NULL, &face, err, sizeof err) != 0)
		kyc_logf(KYC_LOG_WARN, "no face engine (%s): selfies are stored unread and levels "
			 "that ask for one go to review", err);
	app.face = face;
	int swept = kyc_blob_sweep_tmp(data, 0);
	if (swept > 0)
		kyc_logf(KYC_LOG_WARN, "removed %d partial upload(s) left by an earlier crash", swept);

	/* The request body cap: the largest legitimate request is a multipart
	 * upload of two images or a base64 image in JSON (4/3 the bytes). */
	size_t max_body = app.max_image_bytes * 3 + 64 * 1024;
	struct kyc_server_config cfg = {
		.listen = listen,
		.threads = threads,
		.max_body = (size_t)env_int("KYCD_MAX_BODY", (int64_t)max_body, 1024, 512 << 20),
		.max_header = 16 * 1024,
		.io_timeout_ms = (int)env_int("KYCD_IO_TIMEOUT_MS", 30000, 100, 600000),
		.h2c = env_flag("KYCD_H2C"),
		.h2_requests_per_s = (int)env_int("KYCD_H2_REQUESTS_PER_S", 200, 1, 1000000),
		.tls_cert = tls_cert,
		.tls_key = tls_key,
		.workers = (int)env_int("KYCD_HASH_THREADS", 1, 1, 64),
		.work_queue = (int)env_int("KYCD_HASH_QUEUE", 32, 1, 4096),
		.thread_init = thread_open,
		.thread_fini = thread_close,
		.app = &app,
	};
	kyc_server *srv = kyc_server_new(&cfg, err, sizeof err);
	if (!srv) {
		fprintf(stderr, "kycd: %s\n", err);
		kyc_face_engine_free(face);
		return 1;
	}
	kyc_api_register(srv);
	kyc_compat_register(srv); /* the route sets sit on the API: composed here */
	kyc_web_register(srv);
	if (kyc_server_listen(srv, err, sizeof err) != 0) {
		fprintf(stderr, "kycd: cannot listen on %s: %s\n", listen, err);
		kyc_server_free(srv);
		kyc_face_engine_free(face);
		return 1;
	}
	/* The default public URL needs the bound port (--listen may say port 0). */
	char public_url[300];
	if (!app.public_url) {
		const char *colon = strrchr(listen, ':');
		int hlen = colon ? (int)(colon - listen) : (int)strlen(listen);
		snprintf(public_url, sizeof public_url, "%s://%.*s:%d", tls_cert ? "https" : "http",
			 hlen, listen, kyc_server_port(srv));
		app.public_url = public_url;
	}
	/* The webhook worker: its own thread and database connection. */
	struct kyc_webhook_config wcfg = {
		.data_dir = data,
		.policy = {.allow_http = app.webhook_allow_http,
			   .allow_loopback = app.webhook_allow_loopback},
		.ca_file = getenv("KYCD_WEBHOOK_CA_FILE"),
		.timeout_ms = (long)env_int("KYCD_WEBHOOK_TIMEOUT_MS", 10000, 100, 120000),
		.max_in_flight = (int)env_int("KYCD_WEBHOOK_CONCURRENCY", 128, 1, 4096),
		.per_endpoint = (int)env_int("KYCD_WEBHOOK_ENDPOINT_CONCURRENCY", 0, 0, 4096),
		.emit = kyc_event_emit,
		.erasures = kyc_erasure_count,
	};
	kyc_webhook_worker *worker;
	if (kyc_webhook_worker_start(&wcfg, &worker, err, sizeof err) != 0) {
		fprintf(stderr, "kycd: %s\n", err);
		kyc_server_free(srv);
		kyc_face_engine_free(face);
		return 1;
	}
	kyc_logf(KYC_LOG_INFO, "kycd listening on %s (port %d%s), data in %s", listen,
		 kyc_server_port(srv), tls_cert ? ", https" : "", data);
	app.limits = kyc_api_limits_new();
	app.login_limit = kyc_ratelimit_new(4096);
	if (!app.login_limit)
		kyc_logf(KYC_LOG_WARN, "no memory for login limits: logins are not limited per address");
	/* documents fetched later (seed 003's documentUrl) go by the API's fetch rules */
	struct kyc_deferred_opts deferred = {
		.fetch = {.allow_loopback = app.fetch_allow_loopback,
			  .allow_http = app.fetch_allow_http,
			  .ca_file = app.fetch_ca_file,
			  .timeout_ms = (long)app.fetch_timeout_ms},
		.data_dir = app.data_dir,
		.max_image_bytes = app.max_image_bytes,
		.max_image_pixels = app.max_image_pixels,
		.face = face,
	};
	kyc_sweeper *sweeper = kyc_sweeper_start(
		data, env_int("KYCD_SWEEP_INTERVAL_MS", 60000, 50, 86400000), &deferred,
		env_int("KYCD_ORPHAN_SWEEP_INTERVAL_MS", 3600000, 50, 7 * 86400000LL),
		env_int("KYCD_ORPHAN_GRACE_S", 3600, 60, 30 * 86400) * 1000);
	int rc = kyc_server_run(srv);
	kyc_sweeper_stop(sweeper);
	kyc_webhook_worker_stop(worker);
	kyc_server_free(srv);
	kyc_face_engine_free(face);
	kyc_ratelimit_free(app.login_limit);
	kyc_api_limits_free(app.limits);
	kyc_logf(KYC_LOG_INFO, "kycd stopped");
	return rc == 0 ? 0 : 1;
}
