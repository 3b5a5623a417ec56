/* The penetration test's findings (issue 14), continued (security_test.c has
 * the others): cleartext HTTP/2 (rapid reset), callback_url to internal
 * addresses, the console's Origin check and the metrics token, against the
 * real `kycd serve` over real sockets (security_kit.h). docs/security.md says
 * what each fix does. */
#include "security_kit.h"

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

int main(void)
{
	if (security_start("security_net"))
		return 1;
	RUN(cleartext_http2_off_by_default);
	RUN(cleartext_http2_when_enabled);
	RUN(http2_requests_bounded_when_enabled);
	RUN(callback_url_internal_refused);
	RUN(console_origin_checks_scheme);
	RUN(metrics_token);
	security_stop();
	return test_done("security_net");
}
