/* The HTTP server layer on its own: a tiny server with test routes runs in
 * this process on 127.0.0.1, port 0, and libcurl talks to it over real
 * sockets. Routing, keep-alive, parameters, query decoding, problem+json for
 * 404/405/413/431/500, request ids, HEAD, h2c, concurrency, the access log and
 * metrics. Timeouts and the graceful stop: server_stop_test.c. */
#include "server_harness.h"

TEST(keep_alive_reuses_the_connection)
{
	CURL *c = curl_easy_init();
	long total = 0;
	for (int i = 0; i < 5; i++) {
		struct resp r;
		REQUIRE(req(c, "POST", "/echo", NULL, "ping", 4, &r) == 0);
		CHECK_INT(r.status, 200);
		CHECK(r.body.len == 4 && !memcmp(r.body.data, "ping", 4));
		char ct[128]; /* the echo handler reads "Content-Type" in mixed case */
		CHECK(header(&r, "content-type", ct, sizeof ct));
		CHECK_STR(ct, "application/x-www-form-urlencoded");
		total += r.connects;
		resp_free(&r);
	}
	CHECK_INT(total, 1);
	curl_easy_cleanup(c);
}

TEST(params_and_literal_precedence)
{
	struct resp r;
	REQUIRE(req(NULL, "GET", "/info/hello%20w%C3%B6rld/b%2Fc", NULL, NULL, 0, &r) == 0);
	CHECK_INT(r.status, 200);
	REQUIRE(r.json != NULL);
	json_t *p = json_object_get(r.json, "params");
	CHECK_INT(json_array_size(p), 2);
	CHECK_STR(json_string_value(json_array_get(p, 0)), "hello w\xc3\xb6rld");
	CHECK_STR(json_string_value(json_array_get(p, 1)), "b/c");
	CHECK_STR(jstr(r.json, "path"), "/info/hello%20w%C3%B6rld/b%2Fc");
	CHECK_INT(json_integer_value(json_object_get(r.json, "magic")), app_value);
	CHECK_INT(json_integer_value(json_object_get(r.json, "app")), app_value);
	char v[16];
	CHECK(header(&r, "x-test", v, sizeof v));
	CHECK_STR(v, "yes");
	resp_free(&r);

	REQUIRE(req(NULL, "GET", "/info/lit/zz", NULL, NULL, 0, &r) == 0);
	REQUIRE(r.json != NULL);
	p = json_object_get(r.json, "params");
	CHECK_INT(json_array_size(p), 1); /* /info/lit/{b}, not /info/{a}/{b} */
	CHECK_STR(json_string_value(json_array_get(p, 0)), "zz");
	resp_free(&r);

	REQUIRE(req(NULL, "GET", "/info/lit/fixed", NULL, NULL, 0, &r) == 0);
	CHECK(r.body.len == 7 && !memcmp(r.body.data, "literal", 7));
	resp_free(&r);
}

TEST(query_decoding)
{
	struct resp r;
	REQUIRE(req(NULL, "GET", "/q?x=1&name=a%2Bb+c%26d&empty=&name=second&flag", NULL, NULL, 0, &r) ==
		0);
	CHECK_INT(r.status, 200);
	REQUIRE(r.json != NULL);
	CHECK_STR(jstr(r.json, "name"), "a+b c&d"); /* the first of repeated names */
	CHECK_STR(jstr(r.json, "x"), "1");
	CHECK(json_object_get(r.json, "empty") != NULL);
	CHECK_STR(jstr(r.json, "empty"), "");
	CHECK(json_object_get(r.json, "absent") == NULL);
	CHECK_STR(jstr(r.json, "path"), "/q");
	CHECK_INT(json_array_size(json_object_get(r.json, "params")), 0);
	resp_free(&r);
}

TEST(not_found_and_method_not_allowed_are_problems)
{
	struct resp r;
	REQUIRE(req(NULL, "GET", "/nope/at/all?secret=1", NULL, NULL, 0, &r) == 0);
	check_problem(&r, 404, "not_found");
	CHECK(!strstr(r.body.data, "secret")); /* the query string is not echoed */
	resp_free(&r);

	REQUIRE(req(NULL, "DELETE", "/echo", NULL, NULL, 0, &r) == 0);
	check_problem(&r, 405, "method_not_allowed");
	char allow[64];
	CHECK(header(&r, "allow", allow, sizeof allow));
	CHECK(strstr(allow, "POST") && strstr(allow, "PUT"));
	resp_free(&r);

	REQUIRE(req(NULL, "GET", "/problem", NULL, NULL, 0, &r) == 0);
	check_problem(&r, 422, "invalid_country");
	CHECK_STR(jstr(r.json, "field"), "country");
	CHECK_STR(jstr(r.json, "detail"), "country XX is not ISO 3166");
	resp_free(&r);

	REQUIRE(req(NULL, "GET", "/silent", NULL, NULL, 0, &r) == 0);
	check_problem(&r, 500, "internal_error");
	resp_free(&r);
}

TEST(http2_cleartext)
{
	/* h2c with prior knowledge: same handlers, same headers. (A fresh handle
	 * each time: libcurl 7.88 refuses to reuse an easy handle on an h2
	 * connection after the options req() resets, before sending anything.) */
	for (int i = 0; i < 3; i++) {
		CURL *c = curl_easy_init();
		curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
		struct resp r;
		int rc = req(c, "GET", i < 2 ? "/info/x/y?name=h2" : "/nope", NULL, NULL, 0, &r);
		long version = 0;
		curl_easy_getinfo(c, CURLINFO_HTTP_VERSION, &version);
		curl_easy_cleanup(c);
		REQUIRE(rc == 0);
		CHECK_INT(version, CURL_HTTP_VERSION_2_0);
		if (i < 2) {
			CHECK_INT(r.status, 200);
			REQUIRE(r.json != NULL);
			CHECK_STR(jstr(r.json, "name"), "h2");
			char v[128];
			CHECK(header(&r, "x-request-id", v, sizeof v));
		} else {
			check_problem(&r, 404, "not_found");
		}
		resp_free(&r);
	}
}

TEST(head_answers_get_routes_without_body)
{
	struct resp r;
	REQUIRE(req(NULL, "HEAD", "/info/a/b", NULL, NULL, 0, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_INT(r.body.len, 0);
	char cl[32];
	CHECK(header(&r, "content-length", cl, sizeof cl));
	CHECK(strtol(cl, NULL, 10) > 0);
	resp_free(&r);
}

TEST(request_ids_and_security_headers)
{
	struct resp a, b, c, d;
	REQUIRE(req(NULL, "GET", "/info/a/b", NULL, NULL, 0, &a) == 0);
	REQUIRE(req(NULL, "GET", "/info/a/b", NULL, NULL, 0, &b) == 0);
	char ida[128], idb[128], v[128];
	CHECK(header(&a, "x-request-id", ida, sizeof ida));
	CHECK(header(&b, "x-request-id", idb, sizeof idb));
	CHECK(strlen(ida) >= 16);
	CHECK(strcmp(ida, idb) != 0);
	CHECK(header(&a, "cache-control", v, sizeof v));
	CHECK_STR(v, "no-store");
	CHECK(header(&a, "x-content-type-options", v, sizeof v));
	CHECK_STR(v, "nosniff");

	const char *mine[] = {"X-Request-Id: client-chosen_id.42", NULL};
	REQUIRE(req(NULL, "GET", "/info/a/b", mine, NULL, 0, &c) == 0);
	CHECK(header(&c, "x-request-id", v, sizeof v));
	CHECK_STR(v, "client-chosen_id.42");

	char longid[128];
	memset(longid, 'a', 80);
	longid[80] = '\0';
	char hdr[160];
	snprintf(hdr, sizeof hdr, "X-Request-Id: %s", longid);
	const char *bad[] = {hdr, NULL};
	REQUIRE(req(NULL, "GET", "/nope", bad, NULL, 0, &d) == 0);
	CHECK(header(&d, "x-request-id", v, sizeof v));
	CHECK(strcmp(v, longid) != 0 && strlen(v) <= 64 && v[0]);
	CHECK_STR(jstr(d.json, "request_id"), v);
	resp_free(&a);
	resp_free(&b);
	resp_free(&c);
	resp_free(&d);
}

TEST(body_cap_gives_413_problem)
{
	char *big = malloc(MAX_BODY + 1);
	memset(big, 'x', MAX_BODY + 1);
	struct resp r;
	/* Exactly the cap is fine. */
	REQUIRE(req(NULL, "POST", "/echo", NULL, big, MAX_BODY, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_INT(r.body.len, MAX_BODY);
	resp_free(&r);
	/* One byte more, announced by Content-Length: refused before the body is read. */
	REQUIRE(req(NULL, "POST", "/echo", NULL, big, MAX_BODY + 1, &r) == 0);
	check_problem(&r, 413, "payload_too_large");
	resp_free(&r);
	/* Far more, to an unknown route: still 413, nothing buffered. */
	size_t huge = 8u << 20;
	char *hb = malloc(huge);
	memset(hb, 'y', huge);
	REQUIRE(req(NULL, "PUT", "/echo", NULL, hb, (long)huge, &r) == 0);
	check_problem(&r, 413, "payload_too_large");
	resp_free(&r);
	free(hb);
	/* Chunked (no Content-Length) over the cap. */
	const char *chunked[] = {"Transfer-Encoding: chunked", NULL};
	REQUIRE(req(NULL, "POST", "/echo", chunked, big, MAX_BODY + 1, &r) == 0);
	check_problem(&r, 413, "payload_too_large");
	resp_free(&r);
	free(big);
	/* The server is still fine. */
	REQUIRE(req(NULL, "POST", "/echo", NULL, "ok", 2, &r) == 0);
	CHECK_INT(r.status, 200);
	resp_free(&r);
}

TEST(header_cap_gives_431_problem)
{
	size_t n = MAX_HEADER + 100;
	char *h = malloc(n + 16);
	memcpy(h, "X-Big: ", 7);
	memset(h + 7, 'h', n);
	h[7 + n] = '\0';
	const char *hdrs[] = {h, NULL};
	struct resp r;
	REQUIRE(req(NULL, "GET", "/info/a/b", hdrs, NULL, 0, &r) == 0);
	check_problem(&r, 431, "headers_too_large");
	resp_free(&r);
	/* Under the cap passes. */
	h[7 + MAX_HEADER / 2] = '\0';
	REQUIRE(req(NULL, "GET", "/info/a/b", hdrs, NULL, 0, &r) == 0);
	CHECK_INT(r.status, 200);
	resp_free(&r);
	free(h);
}

TEST(malformed_request_gets_400)
{
	int fd = raw_connect();
	REQUIRE(fd >= 0);
	const char bad[] = "GET /info/a/b HTTP/1.1\r\nHost x\r\n\r\n";
	CHECK(write(fd, bad, sizeof bad - 1) == (ssize_t)(sizeof bad - 1));
	char buf[4096];
	ssize_t n = read_to_eof(fd, buf, sizeof buf, 3000);
	CHECK(n > 12);
	CHECK(n > 12 && !strncmp(buf, "HTTP/1.1 400", 12));
	close(fd);
}

struct worker {
	int id;
	int ok;
	int threads_seen;
};

static void *hammer(void *arg)
{
	struct worker *w = arg;
	CURL *c = curl_easy_init();
	for (int i = 0; i < 40; i++) {
		char body[64];
		int n = snprintf(body, sizeof body, "worker %d request %d", w->id, i);
		struct resp r;
		if (req(c, "POST", "/echo", NULL, body, n, &r) == 0 && r.status == 200 &&
		    r.body.len == (size_t)n && !memcmp(r.body.data, body, (size_t)n))
			w->ok++;
		resp_free(&r);
	}
	struct resp r;
	if (req(c, "GET", "/info/x/y", NULL, NULL, 0, &r) == 0 && r.json)
		w->threads_seen = 1 << json_integer_value(json_object_get(r.json, "thread"));
	resp_free(&r);
	curl_easy_cleanup(c);
	return NULL;
}

TEST(many_concurrent_clients)
{
	enum { N = 24 };
	pthread_t t[N];
	struct worker w[N];
	for (int i = 0; i < N; i++) {
		w[i] = (struct worker){.id = i};
		pthread_create(&t[i], NULL, hammer, &w[i]);
	}
	int ok = 0, seen = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		ok += w[i].ok;
		seen |= w[i].threads_seen;
	}
	CHECK_INT(ok, N * 40);
	CHECK(seen != 0);
}

TEST(access_log_line)
{
	/* Catch stderr in a temporary file for one request and its log flush. */
	fflush(stderr);
	FILE *tmp = tmpfile();
	REQUIRE(tmp != NULL);
	int saved = dup(2);
	dup2(fileno(tmp), 2);
	const char *hdrs[] = {"X-Request-Id: log-check-1", "Authorization: Bearer hunter2", NULL};
	struct resp r;
	int rc = req(NULL, "GET", "/info/a%20b/c?secret=hunter2", hdrs, NULL, 0, &r);
	/* The log is flushed every 200 ms: wait for the line itself (10 s at
	 * most on a loaded machine), not for a fixed time. */
	static char text[1 << 16];
	size_t n = 0;
	for (int i = 0; i < 1000; i++) {
		fflush(stderr);
		rewind(tmp);
		n = fread(text, 1, sizeof text - 1, tmp);
		text[n] = '\0';
		if (rc != 0 || strstr(text, "log-check-1"))
			break;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	dup2(saved, 2);
	close(saved);
	REQUIRE(rc == 0);
	fclose(tmp);
	CHECK(strstr(text, "hunter2") == NULL); /* neither the query nor header values */
	CHECK(strstr(text, "a%20b") == NULL);   /* the route, not the path */
	char *line = strstr(text, "{\"ts\"");
	json_t *j = NULL;
	while (line && !j) {
		char *eol = strchr(line, '\n');
		json_t *cand = json_loadb(line, eol ? (size_t)(eol - line) : strlen(line), 0, NULL);
		if (cand && !strcmp(jstr(cand, "request_id"), "log-check-1"))
			j = cand;
		else
			json_decref(cand);
		line = eol ? strstr(eol, "{\"ts\"") : NULL;
	}
	REQUIRE(j != NULL);
	CHECK_STR(jstr(j, "level"), "info");
	CHECK_STR(jstr(j, "method"), "GET");
	CHECK_STR(jstr(j, "route"), "/info/{a}/{b}");
	CHECK_STR(jstr(j, "tenant"), "tenant-test");
	CHECK_INT(json_integer_value(json_object_get(j, "status")), 200);
	CHECK_INT(json_integer_value(json_object_get(j, "bytes")), r.body.len);
	CHECK(json_is_real(json_object_get(j, "ms")));
	CHECK(json_real_value(json_object_get(j, "ms")) >= 0);
	CHECK(strlen(jstr(j, "ts")) == 24);
	CHECK_INT(json_object_size(j), 9);
	json_decref(j);
	resp_free(&r);
}

TEST(metrics_count_requests)
{
	struct resp r;
	REQUIRE(req(NULL, "GET", "/info/lit/fixed", NULL, NULL, 0, &r) == 0);
	resp_free(&r);
	kyc_buf m;
	kyc_buf_init(&m, 1u << 20);
	REQUIRE(kyc_metrics_render(&m) == 0);
	CHECK(strstr(m.data, "kycd_http_requests_total{route=\"/echo\",status=\"200\"}") != NULL);
	CHECK(strstr(m.data, "kycd_http_requests_total{route=\"/info/lit/fixed\",status=\"200\"}") != NULL);
	CHECK(strstr(m.data, "status=\"404\"") != NULL);
	CHECK(strstr(m.data, "kycd_http_request_duration_seconds_bucket{le=\"+Inf\"}") != NULL);
	CHECK(strstr(m.data, "kycd_http_request_duration_seconds_count") != NULL);
	kyc_buf_release(&m);
}

#define MT_THREADS 4
#define MT_EACH 20000

static void *count_many(void *arg)
{
	(void)arg;
	static const char *routes[] = {"/mt/a", "/mt/b/{id}", "/mt/c\"q"};
	for (int i = 0; i < MT_EACH; i++)
		kyc_metrics_request(routes[i % 3], 200 + (i % 2), 0.5);
	return NULL;
}

/* The value of the series whose text (up to the space) is name, or -1. */
static long long series_value(const char *text, const char *name)
{
	const char *p = strstr(text, name);
	if (!p || p[strlen(name)] != ' ')
		return -1;
	return strtoll(p + strlen(name) + 1, NULL, 10);
}

TEST(metrics_are_exact_under_concurrency)
{
	pthread_t t[MT_THREADS];
	for (int i = 0; i < MT_THREADS; i++)
		pthread_create(&t[i], NULL, count_many, NULL);
	for (int i = 0; i < MT_THREADS; i++)
		pthread_join(t[i], NULL);
	kyc_buf m;
	kyc_buf_init(&m, 1u << 20);
	REQUIRE(kyc_metrics_render(&m) == 0);
	/* i % 3 and i % 2 over 20000: each (route, status) pair gets a sixth, rounded. */
	long long a200 = series_value(m.data, "kycd_http_requests_total{route=\"/mt/a\",status=\"200\"}");
	long long a201 = series_value(m.data, "kycd_http_requests_total{route=\"/mt/a\",status=\"201\"}");
	long long b200 = series_value(m.data, "kycd_http_requests_total{route=\"/mt/b/{id}\",status=\"200\"}");
	long long c201 = series_value(m.data, "kycd_http_requests_total{route=\"/mt/c\\\"q\",status=\"201\"}");
	int n_a200 = 0, n_a201 = 0, n_b200 = 0, n_c201 = 0;
	for (int i = 0; i < MT_EACH; i++) {
		n_a200 += i % 3 == 0 && i % 2 == 0;
		n_a201 += i % 3 == 0 && i % 2 == 1;
		n_b200 += i % 3 == 1 && i % 2 == 0;
		n_c201 += i % 3 == 2 && i % 2 == 1;
	}
	CHECK_INT(a200, (long long)n_a200 * MT_THREADS);
	CHECK_INT(a201, (long long)n_a201 * MT_THREADS);
	CHECK_INT(b200, (long long)n_b200 * MT_THREADS);
	CHECK_INT(c201, (long long)n_c201 * MT_THREADS); /* the quote in the name is escaped */
	long long inf = series_value(m.data, "kycd_http_request_duration_seconds_bucket{le=\"+Inf\"}");
	long long cnt = series_value(m.data, "kycd_http_request_duration_seconds_count");
	CHECK(inf >= MT_THREADS * MT_EACH);
	CHECK_INT(inf, cnt);
	kyc_buf_release(&m);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (start_server() != 0) {
		fprintf(stderr, "could not start the test server\n");
		return 1;
	}
	RUN(keep_alive_reuses_the_connection);
	RUN(params_and_literal_precedence);
	RUN(query_decoding);
	RUN(not_found_and_method_not_allowed_are_problems);
	RUN(http2_cleartext);
	RUN(head_answers_get_routes_without_body);
	RUN(request_ids_and_security_headers);
	RUN(body_cap_gives_413_problem);
	RUN(header_cap_gives_431_problem);
	RUN(malformed_request_gets_400);
	RUN(many_concurrent_clients);
	RUN(access_log_line);
	RUN(metrics_count_requests);
	RUN(metrics_are_exact_under_concurrency);
	int rc = stop_server();
	kyc_server_free(srv);
	curl_global_cleanup();
	if (rc != 0)
		fprintf(stderr, "kyc_server_run returned %d\n", rc);
	return rc ? 1 : test_done("server");
}
