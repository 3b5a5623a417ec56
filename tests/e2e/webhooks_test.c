/* Webhooks end to end: the real `kycd serve` delivering to a real receiver
 * on loopback (tests/lib/whrecv.c), which checks every signature with its
 * own HMAC. Time is moved with KYCD_CLOCK_FILE to walk the retry schedule
 * and the three-day window without waiting for them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "e2e.h"
#include "e2e_clock.h"
#include "test.h"
#include "whrecv.h"

static struct e2e_server srv;
static char key_a[128], key_b[128], tenant_a[64];
static struct e2e_clock clk;
static struct whrecv *rx, *tls_rx; /* plain http, and https with a throwaway CA */
static char ca_path[220];

/* RFC 3339 "2026-11-23T10:50:08.688Z" -> ms since the epoch (enough for differences). */
static long long iso_ms(const char *s)
{
	struct tm tm = {0};
	int ms = 0;
	if (!s || sscanf(s, "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (long long)timegm(&tm) * 1000 + ms;
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

/* POST /v1/webhook-endpoints; fills id and secret. Returns the status. */
static long endpoint_create(const char *key, const char *body, char id[64], char secret[128])
{
	struct e2e_resp r;
	if (e2e_json(&srv, "POST", "/v1/webhook-endpoints", key, body, &r) != 0)
		return -1;
	long st = r.status;
	if (id)
		snprintf(id, 64, "%s", e2e_str(&r, "id"));
	if (secret)
		snprintf(secret, 128, "%s", e2e_str(&r, "secret"));
	if (st != 201)
		fprintf(stderr, "  create endpoint: %ld %s\n", st, r.body);
	e2e_resp_free(&r);
	return st;
}

static long endpoint_for_rx(const char *path, const char *extra, char id[64], char secret[128])
{
	char body[512];
	snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:%d%s\"%s%s}", whrecv_port(rx), path,
		 extra ? "," : "", extra ? extra : "");
	return endpoint_create(key_a, body, id, secret);
}

static void endpoint_delete(const char *id)
{
	char path[160];
	struct e2e_resp r;
	snprintf(path, sizeof path, "/v1/webhook-endpoints/%s", id);
	if (e2e_json(&srv, "DELETE", path, key_a, NULL, &r) == 0)
		e2e_resp_free(&r);
}

/* POST .../test; fills the event id. Returns the status. */
static long send_test(const char *key, const char *endpoint, char event_id[64])
{
	char path[160];
	struct e2e_resp r;
	snprintf(path, sizeof path, "/v1/webhook-endpoints/%s/test", endpoint);
	if (e2e_json(&srv, "POST", path, key, NULL, &r) != 0)
		return -1;
	long st = r.status;
	if (event_id)
		snprintf(event_id, 64, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	return st;
}

/* The newest delivery of an endpoint (new reference), or NULL. */
static json_t *latest_delivery(const char *endpoint)
{
	char path[200];
	struct e2e_resp r;
	snprintf(path, sizeof path, "/v1/webhook-endpoints/%s/deliveries?limit=1", endpoint);
	if (e2e_json(&srv, "GET", path, key_a, NULL, &r) != 0)
		return NULL;
	json_t *d = r.status == 200 ? json_array_get(json_object_get(r.json, "data"), 0) : NULL;
	json_incref(d);
	e2e_resp_free(&r);
	return d;
}

/* Waits until the endpoint's newest delivery has made `attempts` attempts
 * (recorded), and returns it (new reference) or NULL after a minute. */
static json_t *wait_attempts(const char *endpoint, int attempts)
{
	for (int i = 0; i < 1200; i++) {
		json_t *d = latest_delivery(endpoint);
		if (d && json_integer_value(json_object_get(d, "attempt_count")) >= attempts)
			return d;
		json_decref(d);
		e2e_sleep_ms(50);
	}
	return NULL;
}

static json_t *get_json(const char *key, const char *path, long *status)
{
	struct e2e_resp r;
	if (e2e_json(&srv, "GET", path, key, NULL, &r) != 0)
		return NULL;
	*status = r.status;
	json_t *j = json_incref(r.json);
	e2e_resp_free(&r);
	return j;
}

/* The gap between an attempt and the next one it scheduled, in seconds. */
static double scheduled_gap_s(const json_t *d)
{
	long long last = iso_ms(jstr(d, "last_attempt_at"));
	long long next = iso_ms(jstr(d, "next_attempt_at"));
	return last < 0 || next < 0 ? -1 : (double)(next - last) / 1000.0;
}

TEST(endpoints_crud_validation_and_tenancy)
{
	char id[64], secret[128];
	REQUIRE(endpoint_for_rx("/crud", "\"description\":\"orders\",\"event_types\":"
					  "[\"verification.status_changed\",\"review.decided\"]",
				id, secret) == 201);
	CHECK(strncmp(secret, "whsec_", 6) == 0 && strlen(secret) > 30);
	char path[160];
	snprintf(path, sizeof path, "/v1/webhook-endpoints/%s", id);
	long st;
	json_t *ep = get_json(key_a, path, &st);
	CHECK_INT(st, 200);
	CHECK(json_object_get(ep, "secret") == NULL); /* shown once, at creation */
	CHECK_STR(jstr(ep, "object"), "webhook_endpoint");
	CHECK(json_is_true(json_object_get(ep, "enabled")));
	CHECK_STR(jstr(ep, "format"), "native");
	CHECK_INT(json_array_size(json_object_get(ep, "event_types")), 2);
	json_decref(ep);

	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "PATCH", path, key_a,
			 "{\"event_types\":null,\"description\":null,\"metadata\":{\"team\":\"kyc\"}}",
			 &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK(json_is_null(json_object_get(r.json, "event_types")));
	CHECK(json_is_null(json_object_get(r.json, "description")));
	CHECK_STR(jstr(json_object_get(r.json, "metadata"), "team"), "kyc");
	CHECK_INT(json_integer_value(json_object_get(r.json, "version")), 2);
	e2e_resp_free(&r);

	/* bad input: a JSON problem naming the field */
	static const struct {
		const char *body, *code, *field;
	} bad[] = {
		{"{}", "field_required", "url"},
		{"{\"url\":\"ftp://example.com/x\"}", "url_scheme_not_allowed", "url"},
		{"{\"url\":\"https://10.1.2.3/x\"}", "url_address_not_allowed", "url"},
		{"{\"url\":\"https://169.254.169.254/latest\"}", "url_address_not_allowed", "url"},
		{"{\"url\":\"https://u:p@example.com/\"}", "url_invalid", "url"},
		{"{\"url\":\"https://example.com/\",\"event_types\":[\"nope\"]}", "invalid_value", "event_types"},
		{"{\"url\":\"https://example.com/\",\"event_types\":[]}", "invalid_value", "event_types"},
		{"{\"url\":\"https://example.com/\",\"event_types\":\"all\"}", "invalid_type", "event_types"},
		{"{\"url\":\"https://example.com/\",\"format\":\"xml\"}", "invalid_value", "format"},
		{"{\"url\":\"https://example.com/\",\"enabled\":\"yes\"}", "invalid_type", "enabled"},
		{"{\"url\":\"https://example.com/\",\"secret\":\"whsec_x\"}", "unknown_field", "secret"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		REQUIRE(e2e_json(&srv, "POST", "/v1/webhook-endpoints", key_a, bad[i].body, &r) == 0);
		CHECK_INT(r.status, 422);
		CHECK_STR(e2e_str(&r, "code"), bad[i].code);
		CHECK_STR(e2e_str(&r, "field"), bad[i].field);
		e2e_resp_free(&r);
	}
	REQUIRE(e2e_json(&srv, "PATCH", path, key_a, "{\"url\":null}", &r) == 0);
	CHECK_INT(r.status, 422);
	CHECK_STR(e2e_str(&r, "field"), "url");
	e2e_resp_free(&r);

	/* another tenant sees nothing of it */
	json_t *other = get_json(key_b, path, &st);
	CHECK_INT(st, 404);
	json_decref(other);
	REQUIRE(e2e_json(&srv, "DELETE", path, key_b, NULL, &r) == 0);
	CHECK_INT(r.status, 404);
	e2e_resp_free(&r);
	CHECK_INT(send_test(key_b, id, NULL), 404);
	json_t *list = get_json(key_b, "/v1/webhook-endpoints", &st);
	CHECK_INT(st, 200);
	CHECK_INT(json_array_size(json_object_get(list, "data")), 0);
	json_decref(list);
	list = get_json(key_a, "/v1/webhook-endpoints", &st);
	CHECK_INT(json_array_size(json_object_get(list, "data")), 1);
	json_decref(list);

	REQUIRE(e2e_json(&srv, "DELETE", path, key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	json_decref(get_json(key_a, path, &st));
	CHECK_INT(st, 404);
}

TEST(roles_other_than_admin_cannot_manage_endpoints)
{
	char *out = NULL;
	const char *args[] = {"key", "create", tenant_a, "--role", "reviewer", NULL};
	REQUIRE(e2e_cli(&srv, &out, args) == 0);
	json_t *j = json_loads(out ? out : "", 0, NULL);
	free(out);
	REQUIRE(j != NULL);
	char reviewer[128];
	snprintf(reviewer, sizeof reviewer, "%s", jstr(j, "api_key"));
	json_decref(j);
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "POST", "/v1/webhook-endpoints", reviewer,
			 "{\"url\":\"https://example.com/hook\"}", &r) == 0);
	CHECK_INT(r.status, 403);
	CHECK_STR(e2e_str(&r, "code"), "forbidden");
	e2e_resp_free(&r);
}

TEST(test_event_is_signed_and_logged)
{
	char id[64], secret[128], ev[64];
	REQUIRE(endpoint_for_rx("/signed", NULL, id, secret) == 201);
	whrecv_set_secrets(rx, secret, NULL);
	whrecv_set_mode(rx, WHRECV_OK);
	int before = whrecv_count(rx);
	CHECK_INT(send_test(key_a, id, ev), 202);
	REQUIRE(whrecv_wait(rx, before + 1, 60000) >= before + 1);
	struct whrecv_msg m;
	REQUIRE(whrecv_get(rx, before, &m) == 0);
	CHECK(m.valid);
	CHECK_STR(m.id, ev);
	CHECK_STR(m.path, "/signed");
	char path[160];
	/* the body is the event exactly as the API shows it */
	snprintf(path, sizeof path, "/v1/events/%s", ev);
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK(m.body && r.body && strcmp(m.body, r.body) == 0);
	CHECK_STR(e2e_str(&r, "type"), "webhook.test");
	CHECK_STR(e2e_str(&r, "resource_id"), id);
	CHECK(json_integer_value(json_object_get(r.json, "resource_version")) >= 1);
	e2e_resp_free(&r);
	/* the same check refuses it with another secret, another time or body */
	char ts[32], other[128], oid[64];
	snprintf(ts, sizeof ts, "%lld", (long long)m.timestamp);
	CHECK(whrecv_verify(secret, m.id, ts, m.body, m.body_len, m.signature));
	REQUIRE(endpoint_for_rx("/other", NULL, oid, other) == 201);
	endpoint_delete(oid);
	CHECK(!whrecv_verify(other, m.id, ts, m.body, m.body_len, m.signature));
	snprintf(ts, sizeof ts, "%lld", (long long)m.timestamp + 1);
	CHECK(!whrecv_verify(secret, m.id, ts, m.body, m.body_len, m.signature));
	CHECK(!whrecv_verify(secret, m.id, ts, m.body, m.body_len - 1, m.signature));
	free(m.body);

	json_t *d = wait_attempts(id, 1);
	REQUIRE(d != NULL);
	CHECK_STR(jstr(d, "status"), "succeeded");
	CHECK_STR(jstr(d, "event_id"), ev);
	json_t *a = json_array_get(json_object_get(d, "attempts"), 0);
	CHECK_INT(json_integer_value(json_object_get(a, "status")), 204);
	CHECK(json_is_integer(json_object_get(a, "latency_ms")));
	CHECK(iso_ms(jstr(a, "at")) > 0);
	json_decref(d);
	/* the event is listed, newest first, and filterable */
	long st;
	json_t *list = get_json(key_a, "/v1/events?type=webhook.test&limit=1", &st);
	CHECK_INT(st, 200);
	CHECK_STR(jstr(json_array_get(json_object_get(list, "data"), 0), "id"), ev);
	json_decref(list);
	list = get_json(key_b, path, &st);
	CHECK_INT(st, 404);
	json_decref(list);
	endpoint_delete(id);
}

TEST(failures_follow_the_retry_schedule)
{
	char id[64], secret[128];
	REQUIRE(endpoint_for_rx("/flaky", NULL, id, secret) == 201);
	whrecv_set_secrets(rx, secret, NULL);
	whrecv_set_mode(rx, WHRECV_FAIL);
	int base = whrecv_count(rx);
	CHECK_INT(send_test(key_a, id, NULL), 202);
	/* 10 s, 30 s, 1 min, 5 min, then 10 min +-20 % */
	static const double gaps[] = {10, 30, 60, 300};
	for (int i = 0; i < 5; i++) {
		json_t *d = wait_attempts(id, i + 1);
		REQUIRE(d != NULL);
		CHECK_STR(jstr(d, "status"), "pending");
		CHECK_INT(json_integer_value(json_object_get(d, "last_status")), 500);
		CHECK_STR(jstr(d, "last_error"), "http_status");
		CHECK_INT(whrecv_count(rx) - base, i + 1); /* nothing before it was due */
		double g = scheduled_gap_s(d);
		if (i < 4)
			CHECK(g >= gaps[i] && g < gaps[i] + 3);
		else
			CHECK(g >= 480 && g < 723);
		json_t *a = json_array_get(json_object_get(d, "attempts"), (size_t)i);
		CHECK_STR(jstr(a, "response"), "receiver is down");
		json_decref(d);
		if (i < 4)
			e2e_clock_add(&clk, (long)gaps[i]);
	}
	/* the receiver recovers: the next attempt succeeds and ends it */
	whrecv_set_mode(rx, WHRECV_OK);
	e2e_clock_add(&clk, 730);
	json_t *d = wait_attempts(id, 6);
	REQUIRE(d != NULL);
	CHECK_STR(jstr(d, "status"), "succeeded");
	CHECK(json_is_null(json_object_get(d, "next_attempt_at")));
	json_decref(d);
	int n = whrecv_count(rx) - base;
	int valid = 0;
	for (int i = 0; i < n; i++) {
		struct whrecv_msg m;
		if (whrecv_get(rx, base + i, &m) == 0) {
			valid += m.valid;
			free(m.body);
		}
	}
	CHECK_INT(valid, n); /* every attempt signed afresh, and right */
	endpoint_delete(id);
}

TEST(timeouts_and_redirects_are_failures)
{
	char id[64], secret[128];
	REQUIRE(endpoint_for_rx("/slow", NULL, id, secret) == 201);
	whrecv_set_secrets(rx, secret, NULL);
	whrecv_set_mode(rx, WHRECV_HANG);
	CHECK_INT(send_test(key_a, id, NULL), 202);
	json_t *d = wait_attempts(id, 1); /* the server's timeout is 1 s here */
	REQUIRE(d != NULL);
	CHECK_STR(jstr(d, "last_error"), "timeout");
	CHECK_STR(jstr(d, "status"), "pending");
	CHECK(json_is_null(json_object_get(d, "last_status")));
	double g = scheduled_gap_s(d);
	CHECK(g >= 10 && g < 13);
	json_decref(d);

	whrecv_set_mode(rx, WHRECV_REDIRECT);
	int before = whrecv_count(rx);
	e2e_clock_add(&clk, 10);
	d = wait_attempts(id, 2);
	REQUIRE(d != NULL);
	CHECK_STR(jstr(d, "last_error"), "redirect_not_followed");
	CHECK_INT(json_integer_value(json_object_get(d, "last_status")), 302);
	json_decref(d);
	CHECK_INT(whrecv_count(rx) - before, 1); /* /elsewhere was never asked for */
	struct whrecv_msg m;
	REQUIRE(whrecv_get(rx, before, &m) == 0);
	CHECK_STR(m.path, "/slow");
	free(m.body);
	endpoint_delete(id);
}

TEST(redeliver_sends_the_same_event_again)
{
	char id[64], secret[128], ev[64];
	REQUIRE(endpoint_for_rx("/again", NULL, id, secret) == 201);
	whrecv_set_secrets(rx, secret, NULL);
	whrecv_set_mode(rx, WHRECV_OK);
	int base = whrecv_count(rx);
	CHECK_INT(send_test(key_a, id, ev), 202);
	REQUIRE(whrecv_wait(rx, base + 1, 60000) >= base + 1);
	char path[160], body[160];
	snprintf(path, sizeof path, "/v1/events/%s/redeliver", ev);
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "POST", path, key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 202);
	CHECK_INT(json_array_size(json_object_get(r.json, "data")), 1);
	e2e_resp_free(&r);
	REQUIRE(whrecv_wait(rx, base + 2, 60000) >= base + 2);
	struct whrecv_msg m1, m2;
	REQUIRE(whrecv_get(rx, base, &m1) == 0);
	REQUIRE(whrecv_get(rx, base + 1, &m2) == 0);
	CHECK_STR(m2.id, ev);
	CHECK(m2.valid);
	CHECK(m1.body && m2.body && !strcmp(m1.body, m2.body));
	free(m1.body);
	free(m2.body);
	/* to one endpoint by id; an unknown one is a 404 naming the field */
	snprintf(body, sizeof body, "{\"endpoint_id\":\"%s\"}", id);
	REQUIRE(e2e_json(&srv, "POST", path, key_a, body, &r) == 0);
	CHECK_INT(r.status, 202);
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "POST", path, key_a,
			 "{\"endpoint_id\":\"00000000-0000-4000-8000-000000000000\"}", &r) == 0);
	CHECK_INT(r.status, 404);
	CHECK_STR(e2e_str(&r, "field"), "endpoint_id");
	e2e_resp_free(&r);
	/* not another tenant's event */
	REQUIRE(e2e_json(&srv, "POST", path, key_b, NULL, &r) == 0);
	CHECK_INT(r.status, 404);
	e2e_resp_free(&r);
	REQUIRE(whrecv_wait(rx, base + 3, 60000) >= base + 3);
	snprintf(path, sizeof path, "/v1/events/%s/deliveries", ev);
	long st;
	json_t *list = get_json(key_a, path, &st);
	CHECK_INT(st, 200);
	CHECK_INT(json_array_size(json_object_get(list, "data")), 3);
	json_decref(list);
	endpoint_delete(id);
}

TEST(rotation_signs_with_both_secrets_for_the_overlap)
{
	char id[64], old[128];
	REQUIRE(endpoint_for_rx("/rotate", NULL, id, old) == 201);
	char path[160];
	snprintf(path, sizeof path, "/v1/webhook-endpoints/%s/rotate-secret", id);
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "POST", path, key_a, "{\"overlap_seconds\":3600}", &r) == 0);
	CHECK_INT(r.status, 200);
	char fresh[128];
	snprintf(fresh, sizeof fresh, "%s", e2e_str(&r, "secret"));
	CHECK(strncmp(fresh, "whsec_", 6) == 0 && strcmp(fresh, old) != 0);
	CHECK(json_is_string(json_object_get(r.json, "previous_secret_expires_at")));
	e2e_resp_free(&r);
	whrecv_set_mode(rx, WHRECV_OK);
	/* during the overlap a receiver that knows only one of them accepts */
	const char *only[] = {old, fresh};
	for (int i = 0; i < 2; i++) {
		whrecv_set_secrets(rx, only[i], NULL);
		int base = whrecv_count(rx);
		CHECK_INT(send_test(key_a, id, NULL), 202);
		REQUIRE(whrecv_wait(rx, base + 1, 60000) >= base + 1);
		struct whrecv_msg m;
		REQUIRE(whrecv_get(rx, base, &m) == 0);
		CHECK(m.valid);
		free(m.body);
	}
	/* rotating with no overlap: the old secrets sign nothing any more */
	REQUIRE(e2e_json(&srv, "POST", path, key_a, "{\"overlap_seconds\":0}", &r) == 0);
	CHECK_INT(r.status, 200);
	char newest[128];
	snprintf(newest, sizeof newest, "%s", e2e_str(&r, "secret"));
	e2e_resp_free(&r);
	whrecv_set_secrets(rx, fresh, old);
	int base = whrecv_count(rx);
	CHECK_INT(send_test(key_a, id, NULL), 202);
	REQUIRE(whrecv_wait(rx, base + 1, 60000) >= base + 1);
	struct whrecv_msg m;
	REQUIRE(whrecv_get(rx, base, &m) == 0);
	CHECK(!m.valid);
	free(m.body);
	whrecv_set_secrets(rx, newest, NULL);
	CHECK_INT(send_test(key_a, id, NULL), 202);
	REQUIRE(whrecv_wait(rx, base + 2, 60000) >= base + 2);
	REQUIRE(whrecv_get(rx, base + 1, &m) == 0);
	CHECK(m.valid);
	free(m.body);
	REQUIRE(e2e_json(&srv, "POST", path, key_a, "{\"overlap_seconds\":-1}", &r) == 0);
	CHECK_INT(r.status, 422);
	CHECK_STR(e2e_str(&r, "field"), "overlap_seconds");
	e2e_resp_free(&r);
	endpoint_delete(id);
}

TEST(an_endpoint_failing_for_three_days_is_disabled)
{
	char id[64], secret[128], watch[64], wsecret[128];
	REQUIRE(endpoint_for_rx("/dead", NULL, id, secret) == 201);
	/* a second endpoint that listens for the disabling */
	REQUIRE(endpoint_for_rx("/watch", "\"event_types\":[\"webhook_endpoint.disabled\"]", watch,
				wsecret) == 201);
	whrecv_set_mode(rx, WHRECV_FAIL);
	whrecv_set_secrets(rx, secret, wsecret);
	CHECK_INT(send_test(key_a, id, NULL), 202);
	json_t *d = wait_attempts(id, 1);
	REQUIRE(d != NULL);
	json_decref(d);
	/* two days on: still retrying, still enabled */
	e2e_clock_add(&clk, 2 * 86400);
	d = wait_attempts(id, 2);
	REQUIRE(d != NULL);
	CHECK_STR(jstr(d, "status"), "pending");
	json_decref(d);
	char path[160];
	snprintf(path, sizeof path, "/v1/webhook-endpoints/%s", id);
	long st;
	json_t *ep = get_json(key_a, path, &st);
	CHECK(json_is_true(json_object_get(ep, "enabled")));
	CHECK(json_is_string(json_object_get(ep, "failing_since")));
	json_decref(ep);
	/* past three days: the last attempt fails, the delivery is given up
	 * and the endpoint disabled */
	e2e_clock_add(&clk, 86400 + 60);
	d = wait_attempts(id, 3);
	REQUIRE(d != NULL);
	CHECK_STR(jstr(d, "status"), "failed");
	CHECK(json_is_null(json_object_get(d, "next_attempt_at")));
	json_decref(d);
	ep = get_json(key_a, path, &st);
	CHECK(json_is_false(json_object_get(ep, "enabled")));
	CHECK_STR(jstr(ep, "disabled_reason"), "failing");
	json_decref(ep);
	json_t *list = get_json(key_a, "/v1/events?type=webhook_endpoint.disabled", &st);
	CHECK_INT(st, 200);
	json_t *e0 = json_array_get(json_object_get(list, "data"), 0);
	CHECK_STR(jstr(e0, "resource_id"), id);
	CHECK_STR(jstr(json_object_get(e0, "data"), "disabled_reason"), "failing");
	json_decref(list);
	/* the watcher gets it (after a retry if its first try met the failing receiver) */
	whrecv_set_mode(rx, WHRECV_OK);
	e2e_clock_add(&clk, 60);
	json_t *wd = wait_attempts(watch, 1);
	REQUIRE(wd != NULL);
	CHECK_STR(jstr(wd, "event_type"), "webhook_endpoint.disabled");
	json_decref(wd);
	/* a disabled endpoint is not sent to; enabling it makes it work again */
	CHECK_INT(send_test(key_a, id, NULL), 409);
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "PATCH", path, key_a, "{\"enabled\":true}", &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK(json_is_null(json_object_get(r.json, "disabled_reason")));
	CHECK(json_is_null(json_object_get(r.json, "failing_since")));
	e2e_resp_free(&r);
	int base = whrecv_count(rx);
	CHECK_INT(send_test(key_a, id, NULL), 202);
	REQUIRE(whrecv_wait(rx, base + 1, 60000) >= base + 1);
	d = wait_attempts(id, 1);
	REQUIRE(d != NULL);
	json_decref(d);
	endpoint_delete(id);
	endpoint_delete(watch);
}

TEST(workflow_events_reach_subscribers_and_callback_urls)
{
	long st;
	json_t *j = get_json(key_a, "/v1/webhook-callback-secret", &st);
	CHECK_INT(st, 404); /* none until a push needs one, or a rotation makes one */
	json_decref(j);
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "POST", "/v1/webhook-callback-secret/rotate", key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	char cb_secret[128];
	snprintf(cb_secret, sizeof cb_secret, "%s", e2e_str(&r, "secret"));
	CHECK(strncmp(cb_secret, "whsec_", 6) == 0);
	e2e_resp_free(&r);
	j = get_json(key_a, "/v1/webhook-callback-secret", &st);
	CHECK_INT(st, 200);
	CHECK(json_object_get(j, "secret") == NULL);
	json_decref(j);
	whrecv_set_secrets(tls_rx, cb_secret, NULL);

	char id[64], secret[128];
	REQUIRE(endpoint_for_rx("/applicants", "\"event_types\":[\"applicant.created\"]", id,
				secret) == 201);
	whrecv_set_secrets(rx, secret, NULL);
	whrecv_set_mode(rx, WHRECV_OK);
	int base = whrecv_count(rx), tbase = whrecv_count(tls_rx);
	REQUIRE(e2e_json(&srv, "POST", "/v1/applicants", key_a,
			 "{\"first_name\":\"Anna\",\"last_name\":\"Eriksson\"}", &r) == 0);
	REQUIRE(r.status == 201);
	char app[64], body[300], ver[64];
	snprintf(app, sizeof app, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	snprintf(body, sizeof body,
		 "{\"applicant_id\":\"%s\",\"callback_url\":\"https://127.0.0.1:%d/cb\"}", app,
		 whrecv_port(tls_rx));
	REQUIRE(e2e_json(&srv, "POST", "/v1/verifications", key_a, body, &r) == 0);
	REQUIRE(r.status == 201);
	snprintf(ver, sizeof ver, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);

	/* the subscriber gets applicant.created, with the applicant in it */
	REQUIRE(whrecv_wait(rx, base + 1, 60000) >= base + 1);
	struct whrecv_msg m;
	REQUIRE(whrecv_get(rx, base, &m) == 0);
	CHECK(m.valid);
	CHECK_STR(m.path, "/applicants");
	json_t *ev = json_loads(m.body ? m.body : "", 0, NULL);
	CHECK_STR(jstr(ev, "type"), "applicant.created");
	CHECK_STR(jstr(ev, "resource_id"), app);
	CHECK_STR(jstr(json_object_get(ev, "data"), "first_name"), "Anna");
	CHECK_INT(json_integer_value(json_object_get(ev, "resource_version")), 1);
	json_decref(ev);
	free(m.body);

	/* the verification's callback_url gets its events over https, signed
	 * with the callback secret */
	REQUIRE(whrecv_wait(tls_rx, tbase + 1, 60000) >= tbase + 1);
	REQUIRE(whrecv_get(tls_rx, tbase, &m) == 0);
	CHECK(m.valid);
	CHECK_STR(m.path, "/cb");
	ev = json_loads(m.body ? m.body : "", 0, NULL);
	CHECK_STR(jstr(ev, "type"), "verification.created");
	CHECK_STR(jstr(ev, "resource_id"), ver);
	char evpath[160];
	snprintf(evpath, sizeof evpath, "/v1/events/%s/deliveries", jstr(ev, "id"));
	json_decref(ev);
	CHECK(!whrecv_verify(secret, m.id, "0", m.body, m.body_len, m.signature));
	free(m.body);
	/* ... and only there: the endpoint does not subscribe to it */
	json_t *list = NULL, *d = NULL;
	for (int i = 0; i < 1200; i++) {
		json_decref(list);
		list = get_json(key_a, evpath, &st);
		d = json_array_get(json_object_get(list, "data"), 0);
		if (!strcmp(jstr(d, "status"), "succeeded"))
			break;
		e2e_sleep_ms(50);
	}
	CHECK_INT(json_array_size(json_object_get(list, "data")), 1);
	CHECK(json_is_null(json_object_get(d, "endpoint_id")));
	CHECK(strstr(jstr(d, "url"), "/cb") != NULL);
	CHECK_STR(jstr(d, "status"), "succeeded");
	json_decref(list);
	endpoint_delete(id);
}

TEST(a_hanging_endpoint_does_not_hold_up_the_others)
{
	/* 4 slots, at most 2 per endpoint: six deliveries to an endpoint that
	 * never answers (60 s timeout) take 2 slots; another endpoint's
	 * delivery goes out on the free ones meanwhile. */
	struct e2e_server small = {0};
	char ca_env[260];
	snprintf(ca_env, sizeof ca_env, "KYCD_WEBHOOK_CA_FILE=%s", ca_path);
	const char *env[] = {ca_env, "KYCD_WEBHOOK_ALLOW_HTTP=1", "KYCD_WEBHOOK_ALLOW_LOOPBACK=1",
			     "KYCD_WEBHOOK_CONCURRENCY=4", "KYCD_WEBHOOK_TIMEOUT_MS=60000", NULL};
	REQUIRE(e2e_start(&small, env) == 0);
	char key[128], body[200], hang[64], good[64], path[200];
	REQUIRE(e2e_tenant(&small, "small", key, NULL) == 0);
	struct e2e_resp r;
	snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:%d/hang\"}", whrecv_port(rx));
	REQUIRE(e2e_json(&small, "POST", "/v1/webhook-endpoints", key, body, &r) == 0);
	REQUIRE(r.status == 201);
	snprintf(hang, sizeof hang, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	snprintf(body, sizeof body, "{\"url\":\"https://127.0.0.1:%d/good\"}", whrecv_port(tls_rx));
	REQUIRE(e2e_json(&small, "POST", "/v1/webhook-endpoints", key, body, &r) == 0);
	REQUIRE(r.status == 201);
	snprintf(good, sizeof good, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	whrecv_set_mode(rx, WHRECV_HANG);
	int base = whrecv_count(rx), tbase = whrecv_count(tls_rx);
	snprintf(path, sizeof path, "/v1/webhook-endpoints/%s/test", hang);
	for (int i = 0; i < 6; i++) {
		REQUIRE(e2e_json(&small, "POST", path, key, NULL, &r) == 0);
		CHECK_INT(r.status, 202);
		e2e_resp_free(&r);
	}
	REQUIRE(whrecv_wait(rx, base + 2, 30000) >= base + 2);
	snprintf(path, sizeof path, "/v1/webhook-endpoints/%s/test", good);
	REQUIRE(e2e_json(&small, "POST", path, key, NULL, &r) == 0);
	CHECK_INT(r.status, 202);
	e2e_resp_free(&r);
	/* well before the hanging attempts time out */
	CHECK(whrecv_wait(tls_rx, tbase + 1, 45000) >= tbase + 1);
	CHECK_INT(whrecv_count(rx) - base, 2);
	whrecv_set_mode(rx, WHRECV_OK);
	e2e_cleanup(&small);
}

TEST(internal_addresses_are_refused_when_connecting)
{
	/* A second server without the loopback switch: "localhost" passes the
	 * URL check (a name), and the socket hook refuses the address it
	 * resolves to; the receiver never sees a connection. */
	struct e2e_server strict = {0};
	const char *env[] = {"KYCD_WEBHOOK_ALLOW_HTTP=1", NULL};
	REQUIRE(e2e_start(&strict, env) == 0);
	char key[128];
	REQUIRE(e2e_tenant(&strict, "strict", key, NULL) == 0);
	char body[200];
	snprintf(body, sizeof body, "{\"url\":\"http://localhost:%d/internal\"}", whrecv_port(rx));
	struct e2e_resp r;
	REQUIRE(e2e_json(&strict, "POST", "/v1/webhook-endpoints", key, body, &r) == 0);
	CHECK_INT(r.status, 201);
	char id[64], path[200];
	snprintf(id, sizeof id, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:%d/internal\"}", whrecv_port(rx));
	REQUIRE(e2e_json(&strict, "POST", "/v1/webhook-endpoints", key, body, &r) == 0);
	CHECK_INT(r.status, 422);
	CHECK_STR(e2e_str(&r, "code"), "url_address_not_allowed");
	e2e_resp_free(&r);
	int before = whrecv_count(rx);
	snprintf(path, sizeof path, "/v1/webhook-endpoints/%s/test", id);
	REQUIRE(e2e_json(&strict, "POST", path, key, NULL, &r) == 0);
	CHECK_INT(r.status, 202);
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/webhook-endpoints/%s/deliveries", id);
	const char *err = "";
	json_t *d = NULL;
	for (int i = 0; i < 1200 && !*err; i++) {
		REQUIRE(e2e_json(&strict, "GET", path, key, NULL, &r) == 0);
		json_decref(d);
		d = json_incref(json_array_get(json_object_get(r.json, "data"), 0));
		e2e_resp_free(&r);
		err = jstr(d, "last_error");
		if (!*err)
			e2e_sleep_ms(50);
	}
	CHECK_STR(err, "url_address_not_allowed");
	CHECK_STR(jstr(d, "status"), "pending");
	json_decref(d);
	CHECK_INT(whrecv_count(rx), before);
	/* and plain http needs its own switch */
	struct e2e_server https_only = {0};
	REQUIRE(e2e_start(&https_only, NULL) == 0);
	REQUIRE(e2e_tenant(&https_only, "https", key, NULL) == 0);
	REQUIRE(e2e_json(&https_only, "POST", "/v1/webhook-endpoints", key,
			 "{\"url\":\"http://example.com/hook\"}", &r) == 0);
	CHECK_INT(r.status, 422);
	CHECK_STR(e2e_str(&r, "code"), "url_scheme_not_allowed");
	e2e_resp_free(&r);
	e2e_cleanup(&https_only);
	e2e_cleanup(&strict);
}

int main(void)
{
	rx = whrecv_start(1);
	if (!rx || e2e_data_dir(&srv) != 0) {
		fprintf(stderr, "webhooks_test: cannot set up\n");
		return 1;
	}
	snprintf(ca_path, sizeof ca_path, "%s.ca.pem", srv.data_dir);
	tls_rx = whrecv_start_tls(1, ca_path);
	if (!tls_rx) {
		fprintf(stderr, "webhooks_test: cannot set up\n");
		return 1;
	}
	if (e2e_clock_init(&clk, srv.data_dir) != 0)
		return 1;
	char ca_env[260];
	snprintf(ca_env, sizeof ca_env, "KYCD_WEBHOOK_CA_FILE=%s", ca_path);
	const char *env[] = {clk.env, ca_env, "KYCD_WEBHOOK_ALLOW_HTTP=1",
			     "KYCD_WEBHOOK_ALLOW_LOOPBACK=1", "KYCD_WEBHOOK_TIMEOUT_MS=1000", NULL};
	if (e2e_start(&srv, env) != 0 || e2e_tenant(&srv, "a", key_a, tenant_a) != 0 ||
	    e2e_tenant(&srv, "b", key_b, NULL) != 0) {
		fprintf(stderr, "webhooks_test: kycd did not start\n");
		return 1;
	}
	RUN(endpoints_crud_validation_and_tenancy);
	RUN(roles_other_than_admin_cannot_manage_endpoints);
	RUN(test_event_is_signed_and_logged);
	RUN(failures_follow_the_retry_schedule);
	RUN(timeouts_and_redirects_are_failures);
	RUN(redeliver_sends_the_same_event_again);
	RUN(rotation_signs_with_both_secrets_for_the_overlap);
	RUN(an_endpoint_failing_for_three_days_is_disabled);
	RUN(workflow_events_reach_subscribers_and_callback_urls);
	RUN(a_hanging_endpoint_does_not_hold_up_the_others);
	RUN(internal_addresses_are_refused_when_connecting);
	e2e_cleanup(&srv);
	e2e_clock_remove(&clk);
	remove(ca_path);
	whrecv_stop(rx);
	whrecv_stop(tls_rx);
	return test_done("webhooks");
}
