/* Three kycd nodes on one PostgreSQL database and one blob store (a shared
 * data directory, then an S3 bucket), behind a round-robin client, with one
 * node killed with kill -9 while it is taking an upload and the webhook
 * worker is delivering, then started again (issue #16, "several nodes").
 * Afterwards:
 *   - nothing acknowledged (2xx) is lost: every applicant, verification,
 *     document and its image, read back through every node;
 *   - every event the database holds was delivered to a real receiver
 *     (signature checked) and answered 2xx at least once;
 *   - no verification was decided twice: one approve or reject in its audit
 *     trail, one such status event delivered.
 * And the API's rate limit holds across two nodes (one bucket in the database).
 * PostgreSQL only: SQLite is one node's database, so the SQLite pass says
 * so and runs nothing. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "document/synth.h"
#include "e2e.h"
#include "e2e_clock.h"
#include "form.h"
#include "s3tmp.h"
#include "specimen.h"
#include "test.h"
#include "whrecv.h"

#define NODES 3
#define CLIENTS 3
#define UPLOADS 4 /* per client, at least: they go on until the kills are done */
#define MAXU 12   /* per client, at most */
#define PINGS 3   /* webhook.test events per upload */
#define KILLS 2
#define TRIES 40

/* One acknowledged upload. */
struct acked {
	char applicant[64], verification[64], document[64], file[64], status[32];
	int doc; /* index into docs */
};

static struct {
	struct e2e_server node[NODES];
	int up[NODES];
	int inflight_uploads[NODES];
	unsigned next; /* the round robin */
	pthread_mutex_t mu;
	char key[128];
	struct acked acks[CLIENTS * MAXU];
	int kills_done;
	int nacks;
	json_t *pings;       /* acknowledged webhook.test event ids */
	char test_path[160]; /* POST here: a webhook.test event */
	int failures;  /* requests no node answered */
} c;

static struct {
	unsigned char *jpg;
	size_t len;
} docs[CLIENTS * MAXU];

/* Sends one request round-robin, the next node on a transport error or a
 * 5xx (the node may be dying), always with the same Idempotency-Key so a
 * repeat of a request that did commit is answered from its record. Returns
 * 0 with r holding an answer below 500, else -1. upload: counts the request
 * in flight on its node, so the killer can pick its moment. */
static int cluster_req(const char *method, const char *path, const char *ctype, const void *body,
		       size_t len, int upload, struct e2e_resp *r)
{
	char auth[200], idem[80];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", c.key);
	snprintf(idem, sizeof idem, "Idempotency-Key: cl-%08x%08x", (unsigned)rand(), (unsigned)rand());
	const char *h[] = {auth, idem, ctype ? ctype : "Content-Type: application/json", NULL};
	for (int t = 0; t < TRIES; t++) {
		struct e2e_server s;
		int n = -1;
		pthread_mutex_lock(&c.mu);
		for (int k = 0; k < NODES && n < 0; k++) {
			int i = (int)(c.next++ % NODES);
			if (c.up[i])
				n = i;
		}
		if (n >= 0) {
			s = c.node[n];
			c.inflight_uploads[n] += upload;
		}
		pthread_mutex_unlock(&c.mu);
		if (n < 0) { /* every node down: the killer restarts one */
			e2e_sleep_ms(50);
			continue;
		}
		int rc = e2e_req(&s, method, path, h, body, len, r);
		pthread_mutex_lock(&c.mu);
		c.inflight_uploads[n] -= upload;
		pthread_mutex_unlock(&c.mu);
		if (rc == 0 && r->status < 500)
			return 0;
		if (rc == 0)
			e2e_resp_free(r);
	}
	return -1;
}

static void client_failed(const char *what)
{
	pthread_mutex_lock(&c.mu);
	c.failures++;
	pthread_mutex_unlock(&c.mu);
	fprintf(stderr, "  no node answered %s\n", what);
}

/* POSTs JSON; the id of a 2xx answer into id (else ""). */
static void post_id(const char *path, const char *json, char id[64])
{
	struct e2e_resp r;
	id[0] = 0;
	if (cluster_req("POST", path, NULL, json, strlen(json), 0, &r) != 0) {
		client_failed(path);
		return;
	}
	if (r.status / 100 == 2)
		snprintf(id, 64, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
}

static void *client(void *arg)
{
	int me = (int)(intptr_t)arg;
	char path[200];
	for (int u = 0; u < MAXU; u++) {
		pthread_mutex_lock(&c.mu);
		int more = u < UPLOADS || c.kills_done < KILLS;
		pthread_mutex_unlock(&c.mu);
		if (!more)
			break;
		struct acked a = {.doc = me * MAXU + u};
		char body[200];
		post_id("/v1/applicants", "{\"external_ref\":\"cluster\"}", a.applicant);
		if (!a.applicant[0])
			continue;
		snprintf(body, sizeof body, "{\"applicant_id\":\"%s\"}", a.applicant);
		post_id("/v1/verifications", body, a.verification);
		if (!a.verification[0])
			continue;
		/* webhook.test events between the uploads: deliveries in flight */
		for (int p = 0; p < PINGS; p++) {
			char ev[64];
			post_id(c.test_path, "{}", ev);
			if (ev[0]) {
				pthread_mutex_lock(&c.mu);
				json_array_append_new(c.pings, json_string(ev));
				pthread_mutex_unlock(&c.mu);
			}
		}
		size_t bl;
		char *mp = form_document("passport", "front", docs[a.doc].jpg, docs[a.doc].len, &bl);
		snprintf(path, sizeof path, "/v1/verifications/%s/documents", a.verification);
		struct e2e_resp r;
		int rc = mp ? cluster_req("POST", path, FORM_CONTENT_TYPE, mp, bl, 1, &r) : -1;
		free(mp);
		if (rc != 0) {
			client_failed(path);
			continue;
		}
		if (r.status == 201) {
			snprintf(a.document, sizeof a.document, "%s", e2e_str(&r, "id"));
			snprintf(a.file, sizeof a.file, "%s", e2e_str(&r, "file_id"));
			const char *st = json_string_value(
				json_object_get(json_object_get(r.json, "verification"), "status"));
			snprintf(a.status, sizeof a.status, "%s", st ? st : "");
			pthread_mutex_lock(&c.mu);
			c.acks[c.nacks++] = a;
			pthread_mutex_unlock(&c.mu);
		}
		e2e_resp_free(&r);
	}
	return NULL;
}

/* Kills node n (kill -9) once it is taking an upload, then starts it again
 * on the same database and store. 0, or -1 when it did not come back. */
static int kill_during_upload(int n, const char *const *env, struct whrecv *rx)
{
	int before = whrecv_count(rx);
	/* wait for an upload on n and deliveries flowing (the clients upload
	 * until the kills are done; ten minutes at most) */
	for (int i = 0; i < 60000; i++) {
		pthread_mutex_lock(&c.mu);
		int busy = c.inflight_uploads[n] > 0;
		pthread_mutex_unlock(&c.mu);
		if (busy && whrecv_count(rx) > before)
			break;
		e2e_sleep_ms(10);
	}
	pthread_mutex_lock(&c.mu);
	c.up[n] = 0;
	int busy = c.inflight_uploads[n];
	pthread_mutex_unlock(&c.mu);
	e2e_kill(&c.node[n]);
	fprintf(stderr, "  node %d killed with %d upload(s) in flight, %d webhook requests so far\n",
		n, busy, whrecv_count(rx));
	if (e2e_start(&c.node[n], env) != 0)
		return -1;
	pthread_mutex_lock(&c.mu);
	c.up[n] = 1;
	c.kills_done++;
	pthread_mutex_unlock(&c.mu);
	return 0;
}

static int is_decision(const char *status)
{
	return status && (!strcmp(status, "approved") || !strcmp(status, "rejected"));
}

/* What each node answers for an acknowledged upload: the applicant, the
 * verification in the acknowledged status with the document, the image
 * byte for byte; and its audit trail holds one decision at most. */
static void check_acked(const struct acked *a)
{
	for (int n = 0; n < NODES; n++) {
		struct e2e_server *s = &c.node[n];
		char path[200], auth[200];
		struct e2e_resp r;
		snprintf(path, sizeof path, "/v1/applicants/%s", a->applicant);
		REQUIRE(e2e_json(s, "GET", path, c.key, NULL, &r) == 0);
		CHECK_INT(r.status, 200);
		e2e_resp_free(&r);
		snprintf(path, sizeof path, "/v1/documents/%s", a->document);
		REQUIRE(e2e_json(s, "GET", path, c.key, NULL, &r) == 0);
		CHECK_INT(r.status, 200);
		e2e_resp_free(&r);
		snprintf(path, sizeof path, "/v1/verifications/%s", a->verification);
		REQUIRE(e2e_json(s, "GET", path, c.key, NULL, &r) == 0);
		CHECK_INT(r.status, 200);
		CHECK_STR(e2e_str(&r, "status"), a->status);
		e2e_resp_free(&r);
		snprintf(path, sizeof path, "/v1/files/%s", a->file);
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", c.key);
		const char *h[] = {auth, NULL};
		REQUIRE(e2e_req(s, "GET", path, h, NULL, 0, &r) == 0);
		CHECK_INT(r.status, 200);
		CHECK(r.body_len == docs[a->doc].len &&
		      !memcmp(r.body, docs[a->doc].jpg, docs[a->doc].len));
		e2e_resp_free(&r);
	}
	char path[200];
	struct e2e_resp r;
	snprintf(path, sizeof path, "/v1/verifications/%s/history", a->verification);
	REQUIRE(e2e_json(&c.node[0], "GET", path, c.key, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	json_t *rows = json_is_array(r.json) ? r.json : json_object_get(r.json, "data");
	size_t i;
	json_t *h;
	int decisions = 0;
	json_array_foreach(rows, i, h)
	{
		decisions += is_decision(json_string_value(json_object_get(h, "to_status")));
	}
	CHECK(decisions == is_decision(a->status));
	if (decisions != is_decision(a->status))
		fprintf(stderr, "  %s: %d decisions in its history, status %s\n", a->verification,
			decisions, a->status);
	e2e_resp_free(&r);
}

/* The receiver's requests: every id answered 2xx into ok; per verification,
 * the distinct ids of status events to approved or rejected into decided. */
static int scan_received(struct whrecv *rx, json_t *ok, json_t *decided)
{
	int invalid = 0, total = whrecv_count(rx);
	for (int i = 0; i < total; i++) {
		struct whrecv_msg m;
		if (whrecv_get(rx, i, &m) != 0)
			continue;
		invalid += !m.valid;
		if (m.answered == 204)
			json_object_set_new(ok, m.id, json_true());
		json_t *ev = m.body ? json_loads(m.body, 0, NULL) : NULL;
		const char *type = json_string_value(json_object_get(ev, "type"));
		json_t *data = json_object_get(ev, "data");
		if (type && !strcmp(type, "verification.status_changed") &&
		    is_decision(json_string_value(json_object_get(data, "status")))) {
			const char *v = json_string_value(json_object_get(ev, "resource_id"));
			json_t *set = json_object_get(decided, v ? v : "");
			if (!set) {
				set = json_object();
				json_object_set_new(decided, v ? v : "", set);
			}
			json_object_set_new(set, m.id, json_true());
		}
		json_decref(ev);
		free(m.body);
	}
	return invalid;
}

/* count nodes on one data directory (the shared file store, the master
 * key) and one database, and a tenant (its key in c.key); the first starts
 * alone so that it makes the master key and migrates before the others
 * open them. 0, or -1 after a failed CHECK. */
static int nodes_start(int count, const char *const *env)
{
	struct e2e_server *first = &c.node[0];
	if (e2e_data_dir(first) != 0) {
		CHECK(!"data directory made");
		return -1;
	}
	for (int n = 1; n < count; n++) {
		memcpy(c.node[n].data_dir, first->data_dir, sizeof first->data_dir);
		memcpy(c.node[n].db, first->db, sizeof first->db);
		snprintf(c.node[n].log_path, sizeof c.node[n].log_path, "%s.node%d.log",
			 first->data_dir, n);
	}
	for (int n = 0; n < count; n++) {
		if (e2e_start(&c.node[n], env) != 0) {
			CHECK(!"node started");
			return -1;
		}
		c.up[n] = 1;
	}
	if (e2e_tenant(first, "cluster", c.key, NULL) != 0) {
		CHECK(!"tenant created");
		return -1;
	}
	return 0;
}

/* Stops the nodes (each exits cleanly), removes the directory and database. */
static void nodes_stop(int count)
{
	for (int n = count - 1; n >= 0; n--)
		if (c.node[n].pid)
			e2e_stop(&c.node[n]);
	for (int n = 1; n < count; n++)
		unlink(c.node[n].log_path);
	e2e_cleanup(&c.node[0]);
}

static void run_cluster(const char *const *extra_env)
{
	memset(&c, 0, sizeof c);
	pthread_mutex_init(&c.mu, NULL);
	struct whrecv *rx = whrecv_start(1);
	REQUIRE(rx != NULL);
	const char *env[12];
	int ne = 0;
	env[ne++] = "KYCD_WEBHOOK_ALLOW_HTTP=1";
	env[ne++] = "KYCD_WEBHOOK_ALLOW_LOOPBACK=1";
	/* a short attempt timeout, so the lease of what a killed node held
	 * (twice the timeout and 5 s) ends soon */
	env[ne++] = "KYCD_WEBHOOK_TIMEOUT_MS=2000";
	for (const char *const *e = extra_env; e && *e && ne < 11; e++)
		env[ne++] = *e;
	env[ne] = NULL;

	if (nodes_start(NODES, env) != 0)
		goto out;
	char body[200], secret[128], ep[64];
	struct e2e_resp r;
	snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:%d/hook\"}", whrecv_port(rx));
	REQUIRE(e2e_json(&c.node[1], "POST", "/v1/webhook-endpoints", c.key, body, &r) == 0);
	CHECK_INT(r.status, 201);
	snprintf(ep, sizeof ep, "%s", e2e_str(&r, "id"));
	snprintf(secret, sizeof secret, "%s", e2e_str(&r, "secret"));
	e2e_resp_free(&r);
	whrecv_set_secrets(rx, secret, NULL);
	/* a slow receiver: deliveries stay in flight */
	whrecv_set_delay(rx, 20);
	whrecv_set_mode(rx, WHRECV_SLOW);
	c.pings = json_array();
	snprintf(c.test_path, sizeof c.test_path, "/v1/webhook-endpoints/%s/test", ep);

	pthread_t th[CLIENTS];
	for (int i = 0; i < CLIENTS; i++)
		REQUIRE(pthread_create(&th[i], NULL, client, (void *)(intptr_t)i) == 0);
	int restarted = 0;
	for (int k = 0; k < KILLS; k++)
		restarted += kill_during_upload(1 + k % (NODES - 1), env, rx) == 0;
	pthread_mutex_lock(&c.mu);
	c.kills_done = KILLS; /* a node that did not come back: stop the clients too */
	pthread_mutex_unlock(&c.mu);
	for (int i = 0; i < CLIENTS; i++)
		pthread_join(th[i], NULL);
	CHECK_INT(restarted, KILLS);
	CHECK_INT(c.failures, 0);
	fprintf(stderr, "  %d uploads and %zu test events acknowledged\n", c.nacks,
		json_array_size(c.pings));
	/* an upload the killed node committed but did not answer is repeated
	 * elsewhere and refused (the verification is decided): at most one a kill */
	CHECK(c.nacks >= CLIENTS * UPLOADS - KILLS);

	for (int i = 0; i < c.nacks; i++)
		check_acked(&c.acks[i]);

	/* every event in the database delivered, and answered 2xx, at least once */
	json_t *events = json_array();
	CHECK(e2e_list_ids(&c.node[2], c.key, "/v1/events?limit=100", events) == 0);
	json_t *ok = json_object(), *decided = json_object();
	int want = (int)json_array_size(events);
	int got = whrecv_wait_distinct_ok(rx, want, 240000);
	CHECK(got >= want);
	int invalid = scan_received(rx, ok, decided);
	CHECK_INT(invalid, 0);
	size_t i;
	json_t *e;
	int missing = 0;
	json_array_foreach(events, i, e)
	{
		missing += !json_object_get(ok, json_string_value(e));
	}
	json_array_foreach(c.pings, i, e)
	{
		missing += !json_object_get(ok, json_string_value(e));
	}
	CHECK_INT(missing, 0);
	/* one decision event per verification */
	const char *vid;
	json_t *set;
	json_object_foreach(decided, vid, set)
	{
		CHECK_INT(json_object_size(set), 1);
	}
	fprintf(stderr, "  %d events, %d requests, %d distinct delivered, %zu decided\n", want,
		whrecv_count(rx), whrecv_distinct(rx, NULL), json_object_size(decided));
	json_decref(ok);
	json_decref(decided);
	json_decref(events);
out:
	nodes_stop(NODES);
	json_decref(c.pings);
	whrecv_stop(rx);
	pthread_mutex_destroy(&c.mu);
}

TEST(three_nodes_shared_directory)
{
	run_cluster(NULL);
}

TEST(three_nodes_s3_bucket)
{
	struct s3tmp s3;
	if (s3tmp_start(&s3, "kycd-cluster") != 0) {
		s3tmp_stop(&s3);
		CHECK(!"s3rver started");
		return;
	}
	const char *env[] = {s3.env_locator, S3TMP_ENV_KEY, S3TMP_ENV_SECRET, NULL};
	run_cluster(env);
	s3tmp_stop(&s3);
}

/* The API's limit per key, and the console's logins per address, are one
 * bucket in the database, not one per node: requests sent in turn to two
 * nodes get the burst once, not twice. */
TEST(rate_limit_shared_by_two_nodes)
{
	memset(&c, 0, sizeof c);
	pthread_mutex_init(&c.mu, NULL);
	struct e2e_resp r;
	int allowed = 0, refused[2] = {0, 0}, logins = 0;
	const char *env[] = {"KYCD_LOGIN_RATE_PER_MIN=1", "KYCD_LOGIN_BURST=4", NULL};
	if (nodes_start(2, env) != 0)
		goto out;
	/* one request a minute, a burst of 6 */
	if (e2e_json(&c.node[0], "PATCH", "/v1/settings", c.key,
		     "{\"rate_limits\":{\"api_per_minute\":1,\"api_burst\":6}}", &r) != 0) {
		CHECK(!"settings answered");
		goto out;
	}
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 24; i++) {
		if (e2e_json(&c.node[i % 2], "GET", "/v1/applicants", c.key, NULL, &r) != 0) {
			CHECK(!"answered");
			continue;
		}
		char v[32] = "";
		CHECK(e2e_header(&r, "ratelimit-limit", v, sizeof v) && !strcmp(v, "6"));
		if (r.status == 200)
			allowed++;
		else if (r.status == 429)
			refused[i % 2]++;
		else
			CHECK_INT(r.status, 200);
		e2e_resp_free(&r);
	}
	/* console logins per address (server-wide): a burst of 4 over both */
	const char *h[] = {"Content-Type: application/json", NULL};
	const char *login = "{\"username\":\"nobody-here\",\"password\":\"wrong\"}";
	for (int i = 0; i < 12; i++) {
		if (e2e_req(&c.node[i % 2], "POST", "/console/api/login", h, login, strlen(login),
			    &r) != 0) {
			CHECK(!"answered");
			continue;
		}
		/* 401, or the name's own lock (429 too_many_attempts): let through */
		logins += strcmp(e2e_str(&r, "code"), "rate_limited") != 0;
		e2e_resp_free(&r);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long minutes = (long)(t1.tv_sec - t0.tv_sec) / 60;
	fprintf(stderr, "  %d of 24 allowed on two nodes, burst 6; %d of 12 logins, burst 4\n",
		allowed, logins);
	CHECK(logins >= 4 && logins <= 4 + minutes + 1);
	/* the burst, and what refilled at one a minute while the loop ran; with
	 * a bucket per node it would be 12 */
	CHECK(allowed >= 6 && allowed <= 6 + minutes + 1);
	CHECK(refused[0] > 0 && refused[1] > 0);
out:
	nodes_stop(2);
	pthread_mutex_destroy(&c.mu);
}

int main(void)
{
	if (strcmp(e2e_backend(), "postgres")) {
		printf("skipped: cluster_test needs PostgreSQL (several nodes share one "
		       "database); it runs in tests/run's PostgreSQL pass\n");
		return test_done("cluster");
	}
	uint64_t seed = (uint64_t)time(NULL);
	fprintf(stderr, "  synth seed %llu\n", (unsigned long long)seed);
	srand((unsigned)seed);
	/* a different valid person on each upload: no duplicate links them */
	for (int i = 0, from = 0; i < CLIENTS * MAXU; i++) {
		int idx = specimen_valid_index(seed, KYC_SYNTH_TD3, from, 1);
		struct kyc_synth_doc truth;
		if (kyc_synth_make(seed, idx, 0, KYC_SYNTH_TD3, &truth, &docs[i].jpg, &docs[i].len))
			return 1;
		from = idx + 1;
	}
	RUN(three_nodes_shared_directory);
	RUN(three_nodes_s3_bucket);
	RUN(rate_limit_shared_by_two_nodes);
	for (int i = 0; i < CLIENTS * MAXU; i++)
		free(docs[i].jpg);
	return test_done("cluster");
}
