/* The penetration test's findings (issue 14), each replayed as it was
 * written against the real `kycd serve` over real sockets: idempotency
 * replay across roles, request smuggling, the login memory blow-up, operators
 * disabled and reset, rate limits, the login flood. Cleartext HTTP/2,
 * callback_url, the console's Origin and the metrics token are in
 * security_net_test.c; the harness is security_kit.h. docs/security.md says
 * what each fix does. */
#include "security_kit.h"

/* ---- finding 1: idempotent replays are per API key ---- */

static int post_idem(const char *key, const char *path, const char *idem, const char *body,
		     struct e2e_resp *r)
{
	char auth[200], ik[120];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
	snprintf(ik, sizeof ik, "Idempotency-Key: %s", idem);
	const char *h[] = {auth, ik, "Content-Type: application/json", NULL};
	return e2e_req(&srv, "POST", path, h, body, strlen(body), r);
}

static void check_no_replay_to_reviewer(const char *path, const char *idem, const char *body,
					int admin_status)
{
	struct e2e_resp r;
	char v[16];
	REQUIRE(post_idem(admin_key, path, idem, body, &r) == 0);
	CHECK_INT(r.status, admin_status);
	CHECK(strstr(r.body, "whsec_") != NULL);
	e2e_resp_free(&r);
	/* the same request, the same key, another role of the same tenant */
	REQUIRE(post_idem(reviewer_key, path, idem, body, &r) == 0);
	CHECK_INT(r.status, 403);
	CHECK_STR(e2e_str(&r, "code"), "forbidden");
	CHECK(strstr(r.body, "whsec_") == NULL);
	CHECK(!e2e_header(&r, "idempotent-replayed", v, sizeof v));
	e2e_resp_free(&r);
	/* the admin's own retry is still a replay */
	REQUIRE(post_idem(admin_key, path, idem, body, &r) == 0);
	CHECK_INT(r.status, admin_status);
	CHECK(e2e_header(&r, "idempotent-replayed", v, sizeof v) && !strcmp(v, "true"));
	e2e_resp_free(&r);
}

TEST(idempotency_replay_checks_the_key)
{
	const char *ep = "{\"url\":\"https://hooks.example.com/kyc\"}";
	check_no_replay_to_reviewer("/v1/webhook-endpoints", "idem-ep-1", ep, 201);
	check_no_replay_to_reviewer("/v1/webhook-callback-secret/rotate", "idem-cb-1", "{}", 200);

	struct e2e_resp r;
	char path[160];
	REQUIRE(post_idem(admin_key, "/v1/webhook-endpoints", "idem-ep-2", ep, &r) == 0);
	REQUIRE(r.status == 201);
	snprintf(path, sizeof path, "/v1/webhook-endpoints/%s/rotate-secret", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	check_no_replay_to_reviewer(path, "idem-rot-1", "{}", 200);

	/* In reverse: a reviewer's 403 is not what the admin gets back. */
	REQUIRE(post_idem(reviewer_key, "/v1/webhook-endpoints", "idem-ep-3", ep, &r) == 0);
	CHECK_INT(r.status, 403);
	e2e_resp_free(&r);
	REQUIRE(post_idem(admin_key, "/v1/webhook-endpoints", "idem-ep-3", ep, &r) == 0);
	CHECK_INT(r.status, 201);
	CHECK(strstr(r.body, "whsec_") != NULL);
	e2e_resp_free(&r);
}

/* ---- finding 3: request smuggling ---- */

static void check_refused_and_closed(const char *req)
{
	int closed;
	char *resp = raw_exchange(srv.port, req, strlen(req), &closed);
	REQUIRE(resp != NULL);
	CHECK(!strncmp(resp, "HTTP/1.1 400", 12));
	CHECK(strstr(resp, "ambiguous_framing") != NULL);
	CHECK(strcasestr(resp, "connection: close") != NULL);
	/* the smuggled request never ran */
	CHECK_INT(count(resp, "HTTP/1.1 "), 1);
	CHECK(closed);
	free(resp);
}

TEST(request_smuggling_refused)
{
	char req[1024];
	/* Content-Length and Transfer-Encoding: chunked, a GET after the chunked body */
	snprintf(req, sizeof req,
		 "POST /v1/applicants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
		 "Content-Type: application/json\r\nContent-Length: 4\r\n"
		 "Transfer-Encoding: chunked\r\n\r\n"
		 "2\r\n{}\r\n0\r\n\r\n"
		 "GET /v1/applicants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n",
		 admin_key, admin_key);
	check_refused_and_closed(req);
	/* the same, the other order and case */
	snprintf(req, sizeof req,
		 "POST /v1/applicants HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\n"
		 "content-length: 30\r\nContent-Type: application/json\r\n\r\n"
		 "2\r\n{}\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	check_refused_and_closed(req);
	/* two different Content-Lengths: the first would have won */
	snprintf(req, sizeof req,
		 "POST /v1/applicants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
		 "Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 41\r\n\r\n"
		 "{}GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
		 admin_key);
	check_refused_and_closed(req);
	/* pipelined requests that say their length once are still served in turn */
	snprintf(req, sizeof req,
		 "POST /v1/applicants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
		 "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
		 "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		 admin_key);
	int closed;
	char *resp = raw_exchange(srv.port, req, strlen(req), &closed);
	REQUIRE(resp != NULL);
	CHECK(!strncmp(resp, "HTTP/1.1 201", 12));
	CHECK_INT(count(resp, "HTTP/1.1 "), 2);
	CHECK(strstr(resp, "\"status\":\"ok\"") != NULL);
	free(resp);
}

/* ---- finding 4: the login's body is capped before parsing ---- */

static long peak_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "VmHWM:", 6))
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

TEST(login_body_capped)
{
	size_t n = 5u << 20;
	char *body = malloc(n);
	REQUIRE(body != NULL);
	/* wide nested arrays: about 40 bytes of parser memory per body byte */
	body[0] = '[';
	for (size_t i = 1; i + 1 < n; i += 3)
		memcpy(body + i, "[],", 3);
	body[n - 1] = ']';
	long before = peak_rss_kb(srv.pid);
	const char *h[] = {"Content-Type: application/json", NULL};
	struct e2e_resp r;
	REQUIRE(e2e_req(&srv, "POST", "/console/api/login", h, body, n, &r) == 0);
	CHECK_INT(r.status, 413);
	CHECK_STR(e2e_str(&r, "code"), "payload_too_large");
	e2e_resp_free(&r);
	free(body);
	long after = peak_rss_kb(srv.pid);
	REQUIRE(before > 0 && after > 0);
	/* the body itself is buffered (5 MB); parsing it would cost 200 MB */
	CHECK(after - before < 64 * 1024);
	/* a login of normal size still works */
	char ok[256];
	snprintf(ok, sizeof ok, "{\"username\":\"sec-admin\",\"password\":\"%s\"}", op_password);
	REQUIRE(e2e_req(&srv, "POST", "/console/api/login", h, ok, strlen(ok), &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
}

/* ---- finding 5: password hashing off the event loop, logins limited per address ---- */

TEST(login_flood_does_not_stall_the_api)
{
	/* srv has one event-loop thread and one hashing thread: four logins
	 * (random names, each an Argon2id check of about 0.1 s) are queued for
	 * the hashing thread while an API read on the same loop thread is served
	 * at once. With the hash on the loop thread, the read waited for it. */
	enum { N = 4 };
	int fd[N];
	for (int i = 0; i < N; i++) {
		char body[160], req[512];
		int bl = snprintf(body, sizeof body,
				  "{\"username\":\"flood-%d-%d\",\"password\":\"guess %d\"}", i, rand(),
				  i);
		int rl = snprintf(req, sizeof req,
				  "POST /console/api/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				  "Content-Type: application/json\r\nContent-Length: %d\r\n"
				  "Connection: close\r\n\r\n%s",
				  bl, body);
		fd[i] = raw_connect(srv.port);
		REQUIRE(fd[i] >= 0);
		REQUIRE(send(fd[i], req, (size_t)rl, MSG_NOSIGNAL) == rl);
	}
	/* the server has read every login (so they are queued) before the read
	 * is sent: a readiness wait, not a fixed one */
	for (int i = 0; i < N; i++)
		CHECK(e2e_wait_server_read(fd[i]));
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "GET", "/v1/applicants", admin_key, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	/* answered before any login was: none has an answer waiting yet */
	for (int i = 0; i < N; i++) {
		struct pollfd p = {.fd = fd[i], .events = POLLIN};
		CHECK_INT(poll(&p, 1, 0), 0);
	}
	for (int i = 0; i < N; i++) {
		char buf[4096];
		size_t got = 0;
		ssize_t n;
		while (got < sizeof buf - 1 && (n = recv(fd[i], buf + got, sizeof buf - 1 - got, 0)) > 0)
			got += (size_t)n;
		buf[got] = 0;
		CHECK(!strncmp(buf, "HTTP/1.1 401", 12));
		close(fd[i]);
	}
}

TEST(login_limit_per_address)
{
	/* srv: KYCD_LOGIN_BURST=20; earlier tests used some of it */
	const char *h[] = {"Content-Type: application/json", NULL};
	const char *body = "{\"username\":\"limit-probe\",\"password\":\"not the password\"}";
	struct e2e_resp r = {0};
	int i;
	for (i = 0; i < 40; i++) {
		REQUIRE(e2e_req(&srv, "POST", "/console/api/login", h, body, strlen(body), &r) == 0);
		if (r.status == 429 && !strcmp(e2e_str(&r, "code"), "rate_limited"))
			break;
		CHECK(r.status == 401 || r.status == 429); /* 429 too_many_attempts: the name's own lock */
		e2e_resp_free(&r);
	}
	REQUIRE(i < 40);
	char v[32];
	CHECK(e2e_header(&r, "retry-after", v, sizeof v) && atoi(v) >= 1);
	CHECK(e2e_header(&r, "ratelimit-remaining", v, sizeof v) && !strcmp(v, "0"));
	CHECK(e2e_header(&r, "ratelimit-limit", v, sizeof v) && !strcmp(v, "20"));
	e2e_resp_free(&r);
	/* the address's API calls are not part of it */
	REQUIRE(e2e_json(&srv, "GET", "/v1/applicants", admin_key, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
}

/* ---- rate limits per API key, per address, on hosted uploads and compat routes ---- */

static void check_429(const struct e2e_resp *r)
{
	char v[32];
	CHECK_INT(r->status, 429);
	CHECK(e2e_header(r, "retry-after", v, sizeof v) && atoi(v) >= 1);
	CHECK(e2e_header(r, "ratelimit-remaining", v, sizeof v) && !strcmp(v, "0"));
	CHECK(e2e_header(r, "ratelimit-reset", v, sizeof v) && atoi(v) >= 1);
}

TEST(rate_limits)
{
	struct e2e_resp r;
	char v[32], body[160], path[160], auth[200];
	/* a hosted link first, while nothing is limited */
	REQUIRE(e2e_json(&srv, "POST", "/v1/applicants", admin_key, "{\"first_name\":\"Rita\"}", &r) ==
		0);
	snprintf(body, sizeof body, "{\"applicant_id\":\"%s\"}", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "POST", "/v1/verifications", admin_key, body, &r) == 0);
	snprintf(path, sizeof path, "/v1/verifications/%s/hosted-link", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "POST", path, admin_key, NULL, &r) == 0);
	REQUIRE(r.status == 201);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", e2e_str(&r, "token"));
	e2e_resp_free(&r);

	/* one request a minute per key, a burst of 3; uploads: a burst of 2 */
	REQUIRE(e2e_json(&srv, "PATCH", "/v1/settings", admin_key,
			 "{\"rate_limits\":{\"api_per_minute\":1,\"api_burst\":3,"
			 "\"hosted_uploads_per_minute\":1,\"hosted_uploads_burst\":2}}",
			 &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "PATCH", "/v1/settings", admin_key,
			 "{\"rate_limits\":{\"api_per_minute\":-1}}", &r) == 0);
	CHECK_INT(r.status, 422);
	CHECK_STR(e2e_str(&r, "field"), "rate_limits.api_per_minute");
	e2e_resp_free(&r);
	for (int i = 0; i < 3; i++) {
		REQUIRE(e2e_json(&srv, "GET", "/v1/applicants", reviewer_key, NULL, &r) == 0);
		CHECK_INT(r.status, 200);
		CHECK(e2e_header(&r, "ratelimit-limit", v, sizeof v) && !strcmp(v, "3"));
		CHECK(e2e_header(&r, "ratelimit-remaining", v, sizeof v) && atoi(v) == 2 - i);
		e2e_resp_free(&r);
	}
	REQUIRE(e2e_json(&srv, "GET", "/v1/applicants", reviewer_key, NULL, &r) == 0);
	check_429(&r);
	CHECK_STR(e2e_str(&r, "code"), "rate_limited");
	e2e_resp_free(&r);
	/* a compatibility route on the same key: the same bucket */
	REQUIRE(e2e_json(&srv, "GET", "/v1/identity-verifications/nope", reviewer_key, NULL, &r) == 0);
	check_429(&r);
	e2e_resp_free(&r);

	/* hosted-page uploads, per verification; each answer is an error, each counts */
	const char *h[] = {auth, "Content-Type: multipart/form-data; boundary=x", NULL};
	const char *junk = "--x--\r\n";
	for (int i = 0; i < 2; i++) {
		REQUIRE(e2e_req(&srv, "POST", "/hosted/api/documents", h, junk, strlen(junk), &r) == 0);
		CHECK(r.status >= 400 && r.status < 500 && r.status != 429);
		e2e_resp_free(&r);
	}
	REQUIRE(e2e_req(&srv, "POST", "/hosted/api/documents", h, junk, strlen(junk), &r) == 0);
	check_429(&r);
	CHECK_STR(e2e_str(&r, "code"), "rate_limited");
	e2e_resp_free(&r);

	/* limits off again for the tests that follow (the admin key has one left) */
	REQUIRE(e2e_json(&srv, "PATCH", "/v1/settings", admin_key, "{\"rate_limits\":null}", &r) ==
		0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "GET", "/v1/applicants", reviewer_key, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
}


/* The per-address bucket is shared by every key of a tenant calling from one
 * address (here two keys of a tenant of its own, both from 127.0.0.1), and
 * is the tenant's: another tenant calling from the same address goes on. */
TEST(rate_limit_per_address)
{
	char admin2[128], tenant2[64], reviewer2[128], v[32];
	REQUIRE(e2e_tenant(&srv, "sec-address", admin2, tenant2) == 0);
	const char *kargs[] = {"key", "create", tenant2, "--role", "reviewer", NULL};
	REQUIRE(cli_string(kargs, "api_key", reviewer2, sizeof reviewer2) == 0);
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "PATCH", "/v1/settings", admin2,
			 "{\"rate_limits\":{\"address_per_minute\":1,\"address_burst\":3}}",
			 &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	/* three requests from the address, whichever key; then none */
	const char *keys[] = {admin2, reviewer2, admin2};
	for (int i = 0; i < 3; i++) {
		REQUIRE(e2e_json(&srv, "GET", "/v1/applicants", keys[i], NULL, &r) == 0);
		CHECK_INT(r.status, 200);
		CHECK(e2e_header(&r, "ratelimit-remaining", v, sizeof v) && atoi(v) == 2 - i);
		e2e_resp_free(&r);
	}
	for (int i = 0; i < 2; i++) {
		REQUIRE(e2e_json(&srv, "GET", "/v1/applicants", keys[1 - i], NULL, &r) == 0);
		check_429(&r);
		CHECK_STR(e2e_str(&r, "code"), "rate_limited");
		e2e_resp_free(&r);
	}
	REQUIRE(e2e_json(&srv, "GET", "/v1/applicants", reviewer_key, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK(!e2e_header(&r, "ratelimit-remaining", v, sizeof v));
	e2e_resp_free(&r);
}

/* ---- operator management: kycd operator disable|enable|reset-password ---- */

/* Logs in; 200 with the session cookie in cookie ("kycd_console=..."), or the status. */
static long console_login(const char *user, const char *password, char cookie[128])
{
	char body[256], sc[256];
	snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}", user, password);
	const char *h[] = {"Content-Type: application/json", NULL};
	struct e2e_resp r;
	if (e2e_req(&srv, "POST", "/console/api/login", h, body, strlen(body), &r))
		return -1;
	long st = r.status;
	cookie[0] = '\0';
	if (st == 200 && e2e_header(&r, "set-cookie", sc, sizeof sc))
		snprintf(cookie, 128, "%.*s", (int)strcspn(sc, ";"), sc);
	e2e_resp_free(&r);
	return st;
}

/* A console read that needs a live session (the session probe itself
 * answers 200 either way). */
static long session_status(const char *cookie)
{
	char ck[160];
	snprintf(ck, sizeof ck, "Cookie: %s", cookie);
	const char *h[] = {ck, NULL};
	struct e2e_resp r;
	if (e2e_req(&srv, "GET", "/console/api/queue", h, NULL, 0, &r))
		return -1;
	long st = r.status;
	e2e_resp_free(&r);
	return st;
}

/* Runs `kycd operator CMD sec-ops` against srv's data while it serves. */
static json_t *operator_cli(const char *cmd)
{
	char *out = NULL;
	const char *args[] = {"operator", cmd, "sec-ops", NULL};
	int rc = e2e_cli(&srv, &out, args);
	json_t *j = rc == 0 && out ? json_loads(out, 0, NULL) : NULL;
	free(out);
	return j;
}

TEST(operator_disable_enable_reset)
{
	char cookie[128], cookie2[128];
	REQUIRE(console_login("sec-ops", ops_password, cookie) == 200);
	CHECK_INT(session_status(cookie), 200);

	json_t *j = operator_cli("disable");
	REQUIRE(j != NULL);
	CHECK(json_is_true(json_object_get(j, "disabled")));
	CHECK_INT(json_integer_value(json_object_get(j, "sessions_ended")), 1);
	json_decref(j);
	CHECK_INT(session_status(cookie), 401);
	CHECK_INT(console_login("sec-ops", ops_password, cookie2), 401);

	j = operator_cli("enable");
	REQUIRE(j != NULL);
	CHECK(json_is_false(json_object_get(j, "disabled")));
	json_decref(j);
	CHECK_INT(console_login("sec-ops", ops_password, cookie), 200);
	CHECK_INT(session_status(cookie), 200);

	j = operator_cli("reset-password");
	REQUIRE(j != NULL);
	char fresh[64];
	snprintf(fresh, sizeof fresh, "%s", json_string_value(json_object_get(j, "password")) ?: "");
	CHECK_INT(json_integer_value(json_object_get(j, "sessions_ended")), 1);
	json_decref(j);
	CHECK(strlen(fresh) >= 12 && strcmp(fresh, ops_password) != 0);
	CHECK_INT(session_status(cookie), 401);
	CHECK_INT(console_login("sec-ops", ops_password, cookie2), 401);
	CHECK_INT(console_login("sec-ops", fresh, cookie2), 200);
	CHECK_INT(session_status(cookie2), 200);

	/* an unknown name is an error, not a silent success */
	char *out = NULL;
	const char *args[] = {"operator", "disable", "no-such-operator", NULL};
	CHECK(e2e_cli(&srv, &out, args) != 0);
	free(out);
}

int main(void)
{
	if (security_start("security"))
		return 1;
	RUN(idempotency_replay_checks_the_key);
	RUN(request_smuggling_refused);
	RUN(login_body_capped);
	RUN(operator_disable_enable_reset);
	RUN(rate_limits);
	RUN(rate_limit_per_address);
	RUN(login_flood_does_not_stall_the_api);
	RUN(login_limit_per_address);
	security_stop();
	return test_done("security");
}
