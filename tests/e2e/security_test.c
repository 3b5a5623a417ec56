/* The penetration test's findings (issue 14), each replayed as it was
 * written against the real `kycd serve` over real sockets: idempotency
 * replay across roles, request smuggling, the login memory blow-up, the
 * login flood, cleartext HTTP/2 (rapid reset), callback_url to internal
 * addresses, the console's Origin check and the metrics token.
 * docs/security.md says what each fix does. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "e2e.h"
#include "test.h"

static struct e2e_server srv, srv_b;
static char admin_key[128], tenant_id[64], reviewer_key[128];
static char op_password[64], ops_password[64];

#define METRICS_TOKEN "metrics-secret-4f1c"
#define PUBLIC_URL "https://kyc.example.com"

/* ---- raw sockets ---- */

static int raw_connect(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* a guard against a hang only: every read below expects an answer or EOF */
	struct timeval tv = {.tv_sec = 20};
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends req and reads until the server closes the connection. *closed is 1
 * when it did (EOF), 0 when the read guard ran out with the connection still
 * open. The answer is malloc()ed and NUL-terminated. */
static char *raw_exchange(int port, const char *req, size_t len, int *closed)
{
	int fd = raw_connect(port);
	*closed = 0;
	if (fd < 0)
		return NULL;
	size_t off = 0;
	while (off < len) {
		ssize_t n = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	size_t cap = 1 << 16, got = 0;
	char *buf = malloc(cap);
	for (;;) {
		ssize_t n = recv(fd, buf + got, cap - got - 1, 0);
		if (n == 0 || (n < 0 && errno == ECONNRESET)) {
			*closed = 1;
			break;
		}
		if (n < 0)
			break;
		got += (size_t)n;
		if (got + 1 >= cap)
			break;
	}
	buf[got] = '\0';
	close(fd);
	return buf;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

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

static int cli_string(const char *const *args, const char *key, char *out, size_t outsz);

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

/* ---- finding 6: no cleartext HTTP/2 unless asked for ---- */

/* The client preface, an empty SETTINGS frame, then HEADERS + RST_STREAM
 * pairs: the rapid-reset pattern. */
static size_t rapid_reset_bytes(char *out, size_t cap, int pairs)
{
	static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	size_t n = 0;
	memcpy(out, preface, sizeof preface - 1);
	n += sizeof preface - 1;
	static const unsigned char settings[9] = {0, 0, 0, 4, 0, 0, 0, 0, 0};
	memcpy(out + n, settings, 9);
	n += 9;
	/* HPACK, all from the static table: :method GET, :scheme http, :path /, :authority x */
	static const unsigned char block[] = {0x82, 0x86, 0x84, 0x41, 0x01, 'x'};
	for (int i = 0; i < pairs && n + 64 < cap; i++) {
		uint32_t id = (uint32_t)(2 * i + 1);
		unsigned char h[9] = {0, 0, sizeof block, 1, 0x05 /* END_STREAM|END_HEADERS */,
				      (unsigned char)(id >> 24), (unsigned char)(id >> 16),
				      (unsigned char)(id >> 8), (unsigned char)id};
		memcpy(out + n, h, 9);
		memcpy(out + n + 9, block, sizeof block);
		n += 9 + sizeof block;
		unsigned char rst[13] = {0, 0, 4, 3, 0, (unsigned char)(id >> 24),
					 (unsigned char)(id >> 16), (unsigned char)(id >> 8),
					 (unsigned char)id, 0, 0, 0, 8 /* CANCEL */};
		memcpy(out + n, rst, 13);
		n += 13;
	}
	return n;
}

TEST(cleartext_http2_off_by_default)
{
	char *buf = malloc(1 << 16);
	REQUIRE(buf != NULL);
	size_t n = rapid_reset_bytes(buf, 1 << 16, 1000);
	int closed;
	char *resp = raw_exchange(srv.port, buf, n, &closed);
	free(buf);
	REQUIRE(resp != NULL);
	/* an HTTP/1 400, and the connection closed: no stream was ever opened */
	CHECK(!strncmp(resp, "HTTP/1.1 400", 12));
	CHECK_INT(count(resp, "HTTP/1.1 "), 1);
	CHECK(closed);
	free(resp);
	/* Upgrade: h2c is not taken up either */
	const char *h[] = {"Connection: Upgrade, HTTP2-Settings", "Upgrade: h2c",
			   "HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA", NULL};
	struct e2e_resp r;
	REQUIRE(e2e_req(&srv, "GET", "/healthz", h, NULL, 0, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK(strstr(r.headers, "HTTP/1.1 101") == NULL);
	e2e_resp_free(&r);
}

TEST(cleartext_http2_when_enabled)
{
	/* srv_b runs with KYCD_H2C=1 */
	CURL *c = curl_easy_init();
	char url[128];
	snprintf(url, sizeof url, "%s/healthz", srv_b.base);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
	curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	CURLcode rc = curl_easy_perform(c);
	long status = 0, version = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(c, CURLINFO_HTTP_VERSION, &version);
	curl_easy_cleanup(c);
	CHECK_INT(rc, CURLE_OK);
	CHECK_INT(status, 200);
	CHECK_INT(version, CURL_HTTP_VERSION_2_0);
}

/* Requests srv_b counted under route "unmatched" (from its /metrics). */
static long unmatched_requests(void)
{
	const char *h[] = {"Authorization: Bearer " METRICS_TOKEN, NULL};
	struct e2e_resp r;
	long n = 0;
	if (e2e_req(&srv_b, "GET", "/metrics", h, NULL, 0, &r))
		return -1;
	for (const char *p = r.body; (p = strstr(p, "kycd_http_requests_total{route=\"unmatched\""));) {
		const char *sp = strchr(p, ' ');
		if (!sp)
			break;
		n += strtol(sp + 1, NULL, 10);
		p = sp;
	}
	e2e_resp_free(&r);
	return n;
}

TEST(http2_requests_bounded_when_enabled)
{
	/* srv_b speaks h2c: the same rapid-reset pattern, 5000 pairs on one
	 * connection, to a path no route has (a cheap 404 each) */
	size_t cap = 5000 * 28 + 64;
	char *buf = malloc(cap);
	REQUIRE(buf != NULL);
	size_t n = rapid_reset_bytes(buf, cap, 5000);
	for (size_t i = 0; i + 40 < n; i++) /* :path / (0x84) -> :path /index.html (0x85) */
		if (!memcmp(buf + i, "\x82\x86\x84\x41\x01x", 6))
			buf[i + 2] = (char)0x85;
	long before = unmatched_requests();
	int fd = raw_connect(srv_b.port);
	REQUIRE(fd >= 0);
	char sink[65536];
	size_t off = 0;
	while (off < n) {
		ssize_t w = send(fd, buf + off, n - off > 4096 ? 4096 : n - off, MSG_NOSIGNAL);
		if (w <= 0)
			break; /* the server has closed it */
		off += (size_t)w;
		while (recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0)
			;
	}
	int closed = 0;
	for (;;) {
		ssize_t got = recv(fd, sink, sizeof sink, 0);
		if (got == 0 || (got < 0 && errno == ECONNRESET)) {
			closed = 1;
			break;
		}
		if (got < 0)
			break; /* the read guard ran out: still open */
	}
	close(fd);
	free(buf);
	CHECK(closed);
	long handled = unmatched_requests() - before;
	/* a burst of 2 x 200 and the refill while it ran, not 5000 */
	CHECK(handled > 0 && handled < 2000);
	/* the server is fine */
	struct e2e_resp r;
	REQUIRE(e2e_req(&srv_b, "GET", "/healthz", NULL, NULL, 0, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
}

/* ---- finding 7: callback_url takes no internal address ---- */

static const char *const internal_urls[] = {
    "https://169.254.169.254/latest/meta-data/", "https://127.0.0.1/hook", "https://10.0.0.1/hook",
    "https://[::1]/hook", NULL};

TEST(callback_url_internal_refused)
{
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "POST", "/v1/applicants", admin_key, "{\"first_name\":\"Anna\"}", &r) ==
		0);
	REQUIRE(r.status == 201);
	char aid[64], body[512];
	snprintf(aid, sizeof aid, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	for (int i = 0; internal_urls[i]; i++) {
		snprintf(body, sizeof body, "{\"applicant_id\":\"%s\",\"callback_url\":\"%s\"}", aid,
			 internal_urls[i]);
		REQUIRE(e2e_json(&srv, "POST", "/v1/verifications", admin_key, body, &r) == 0);
		CHECK_INT(r.status, 422);
		CHECK_STR(e2e_str(&r, "code"), "url_address_not_allowed");
		CHECK_STR(e2e_str(&r, "field"), "callback_url");
		e2e_resp_free(&r);
	}
	/* a public name is still taken */
	snprintf(body, sizeof body,
		 "{\"applicant_id\":\"%s\",\"callback_url\":\"https://hooks.example.com/kyc\"}", aid);
	REQUIRE(e2e_json(&srv, "POST", "/v1/verifications", admin_key, body, &r) == 0);
	CHECK_INT(r.status, 201);
	e2e_resp_free(&r);

	/* seed 004's callbackUrl, refused before anything is fetched or written */
	for (int i = 0; internal_urls[i]; i++) {
		snprintf(
		    body, sizeof body,
		    "{\"merchantUserId\":\"u-sec-%d\",\"kycType\":\"USER\",\"callbackUrl\":\"%s\","
		    "\"kycIdentityInfoVo\":{\"firstName\":\"Anna\",\"lastName\":\"Berg\","
		    "\"gender\":\"F\",\"idType\":\"PASSPORT\",\"idNumber\":\"X1234567\","
		    "\"nationality\":\"LTU\",\"residentialCountry\":\"LTU\",\"idCountry\":\"LTU\","
		    "\"dob\":\"1990-01-02\",\"idExpiry\":\"2031-01-02\",\"kycLevel\":\"L1\","
		    "\"frontFileUrl\":\"https://files.example.com/f.jpg\","
		    "\"selfieFileUrl\":\"https://files.example.com/s.jpg\"}}",
		    i, internal_urls[i]);
		REQUIRE(e2e_json(&srv, "POST", "/api/v1/user/kyc/share", admin_key, body, &r) == 0);
		/* seed 004's envelope: {"code":"422","msg":...,"data":null} */
		CHECK_INT(r.status, 422);
		CHECK(strstr(e2e_str(&r, "msg"), "'callbackUrl'") != NULL);
		CHECK(strstr(e2e_str(&r, "msg"), "address") != NULL);
		e2e_resp_free(&r);
	}
}

/* ---- finding 8: the console's Origin check, scheme included ---- */

static long login_status(struct e2e_server *s, const char *origin, const char *host)
{
	char o[200], hh[200], body[256];
	snprintf(o, sizeof o, "Origin: %s", origin);
	snprintf(hh, sizeof hh, "Host: %s", host);
	snprintf(body, sizeof body, "{\"username\":\"nobody-%s\",\"password\":\"wrong password\"}",
		 s == &srv ? "a" : "b");
	const char *h[] = {"Content-Type: application/json", o, hh, NULL};
	struct e2e_resp r;
	if (e2e_req(s, "POST", "/console/api/login", h, body, strlen(body), &r))
		return -1;
	long st = r.status;
	if (st == 403)
		st = strcmp(e2e_str(&r, "code"), "csrf_failed") ? -2 : 403;
	e2e_resp_free(&r);
	return st;
}

TEST(console_origin_checks_scheme)
{
	char host[64], origin[96];
	snprintf(host, sizeof host, "127.0.0.1:%d", srv.port);
	/* no KYCD_PUBLIC_URL: this connection's scheme and Host */
	snprintf(origin, sizeof origin, "http://%s", host);
	CHECK_INT(login_status(&srv, origin, host), 401); /* past the origin check */
	snprintf(origin, sizeof origin, "https://%s", host);
	CHECK_INT(login_status(&srv, origin, host), 403);
	CHECK_INT(login_status(&srv, "http://evil.example", host), 403);
	/* KYCD_PUBLIC_URL=https://kyc.example.com: only that origin, whatever Host says */
	CHECK_INT(login_status(&srv_b, PUBLIC_URL, "kyc.example.com"), 401);
	CHECK_INT(login_status(&srv_b, "http://kyc.example.com", "kyc.example.com"), 403);
	snprintf(host, sizeof host, "127.0.0.1:%d", srv_b.port);
	snprintf(origin, sizeof origin, "http://%s", host);
	CHECK_INT(login_status(&srv_b, origin, host), 403);
}

/* ---- finding 9: the metrics token ---- */

TEST(metrics_token)
{
	struct e2e_resp r;
	/* without KYCD_METRICS_TOKEN, open as before */
	REQUIRE(e2e_req(&srv, "GET", "/metrics", NULL, NULL, 0, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	REQUIRE(e2e_req(&srv_b, "GET", "/metrics", NULL, NULL, 0, &r) == 0);
	CHECK_INT(r.status, 401);
	CHECK(strstr(r.body, "kycd_http_requests_total") == NULL);
	e2e_resp_free(&r);
	const char *wrong[] = {"Authorization: Bearer metrics-secret-4f1d", NULL};
	REQUIRE(e2e_req(&srv_b, "GET", "/metrics", wrong, NULL, 0, &r) == 0);
	CHECK_INT(r.status, 401);
	e2e_resp_free(&r);
	const char *right[] = {"Authorization: Bearer " METRICS_TOKEN, NULL};
	REQUIRE(e2e_req(&srv_b, "GET", "/metrics", right, NULL, 0, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK(strstr(r.body, "kycd_http_requests_total") != NULL);
	e2e_resp_free(&r);
}

/* Runs a CLI command on srv's data and copies one string of its JSON line
 * into out. 0 or -1. */
static int cli_string(const char *const *args, const char *key, char *out, size_t outsz)
{
	char *txt = NULL;
	out[0] = '\0';
	int rc = e2e_cli(&srv, &txt, args);
	json_t *j = rc == 0 && txt ? json_loads(txt, 0, NULL) : NULL;
	snprintf(out, outsz, "%s", json_string_value(json_object_get(j, key)) ?: "");
	json_decref(j);
	free(txt);
	return out[0] ? 0 : -1;
}

static int setup(void)
{
	if (e2e_data_dir(&srv) || e2e_tenant(&srv, "sec", admin_key, tenant_id))
		return -1;
	const char *kargs[] = {"key", "create", tenant_id, "--role", "reviewer", NULL};
	const char *oargs[] = {"operator", "create", tenant_id, "sec-admin", "--role", "admin", NULL};
	const char *o2args[] = {"operator", "create", tenant_id, "sec-ops", NULL};
	const char *env_a[] = {"KYCD_THREADS=1", "KYCD_HASH_THREADS=1", "KYCD_LOGIN_BURST=20", NULL};
	const char *env_b[] = {"KYCD_PUBLIC_URL=" PUBLIC_URL, "KYCD_METRICS_TOKEN=" METRICS_TOKEN,
			       "KYCD_H2C=1", NULL};
	if (cli_string(kargs, "api_key", reviewer_key, sizeof reviewer_key) ||
	    cli_string(oargs, "password", op_password, sizeof op_password) ||
	    cli_string(o2args, "password", ops_password, sizeof ops_password) ||
	    e2e_start(&srv, env_a) || e2e_data_dir(&srv_b) || e2e_start(&srv_b, env_b))
		return -1;
	return 0;
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (setup()) {
		fprintf(stderr, "cannot start kycd\n");
		e2e_stop(&srv);
		e2e_stop(&srv_b);
		e2e_cleanup(&srv);
		e2e_cleanup(&srv_b);
		printf("[security] 0 passed, 1 failed\n");
		return 1;
	}
	RUN(idempotency_replay_checks_the_key);
	RUN(request_smuggling_refused);
	RUN(login_body_capped);
	RUN(cleartext_http2_off_by_default);
	RUN(cleartext_http2_when_enabled);
	RUN(http2_requests_bounded_when_enabled);
	RUN(callback_url_internal_refused);
	RUN(console_origin_checks_scheme);
	RUN(metrics_token);
	RUN(operator_disable_enable_reset);
	RUN(rate_limits);
	RUN(rate_limit_per_address);
	RUN(login_flood_does_not_stall_the_api);
	RUN(login_limit_per_address);
	e2e_stop(&srv);
	e2e_stop(&srv_b);
	e2e_cleanup(&srv);
	e2e_cleanup(&srv_b);
	curl_global_cleanup();
	return test_done("security");
}
