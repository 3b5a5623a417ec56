/* The HTTP server layer on its own: a tiny server with test routes runs in
 * this process on 127.0.0.1, port 0, and libcurl talks to it over real
 * sockets. Covers keep-alive, parameters, query decoding, problem+json for
 * 404/405/413/431, request ids, timeouts, concurrency, metrics and a graceful
 * stop with a request in flight. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "http/metrics.h"
#include "http/problem.h"
#include "http/server.h"
#include "test.h"

#define MAX_BODY (64 * 1024)
#define MAX_HEADER (4 * 1024)
#define IO_TIMEOUT_MS 1500
#define NTHREADS 2

static kyc_server *srv;
static pthread_t srv_thread;
static int srv_rc = -100;
static atomic_int fini_calls;
static atomic_int slow_started;
static char base[64];

struct tctx {
	int index;
	int magic;
};

/* ---- the test application ---- */

static void *t_init(void *app, int index)
{
	struct tctx *t = calloc(1, sizeof *t);
	if (t) {
		t->index = index;
		t->magic = *(int *)app;
	}
	return t;
}

static void t_fini(void *p)
{
	free(p);
	atomic_fetch_add(&fini_calls, 1);
}

static void h_echo(kyc_req *r)
{
	kyc_str b = kyc_req_body(r);
	kyc_str ct = kyc_req_header(r, "Content-Type");
	char *type = ct.ptr ? kyc_req_strdup(r, ct.ptr, ct.len) : "application/octet-stream";
	kyc_req_respond(r, 200, type, b.ptr, b.len);
}

/* Answers with the parameters, query values and thread context as JSON. */
static void h_info(kyc_req *r)
{
	json_t *o = json_object();
	json_t *params = json_array();
	for (int i = 0;; i++) {
		kyc_str p = kyc_req_param(r, i);
		if (!p.ptr)
			break;
		json_array_append_new(params, json_stringn(p.ptr, p.len));
	}
	json_object_set_new(o, "params", params);
	const char *names[] = {"name", "x", "empty", "absent"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		kyc_str v;
		if (kyc_req_query(r, names[i], &v))
			json_object_set_new(o, names[i], json_stringn(v.ptr, v.len));
	}
	kyc_str path = kyc_req_path(r);
	json_object_set_new(o, "path", json_stringn(path.ptr, path.len));
	struct tctx *t = kyc_req_thread_ctx(r);
	json_object_set_new(o, "thread", json_integer(t ? t->index : -1));
	json_object_set_new(o, "magic", json_integer(t ? t->magic : -1));
	json_object_set_new(o, "app", json_integer(*(int *)kyc_req_app(r)));
	char *txt = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	kyc_req_set_log_tenant(r, "tenant-test");
	kyc_req_add_header(r, "X-Test", "yes");
	kyc_req_respond(r, 200, "application/json", txt, strlen(txt));
	free(txt);
}

static void h_literal(kyc_req *r)
{
	kyc_req_respond(r, 200, "text/plain", "literal", 7);
}

/* Blocks its loop thread for a while: stands for a slow handler in flight. */
static void h_slow(kyc_req *r)
{
	atomic_store(&slow_started, 1);
	struct timespec ts = {0, 600 * 1000 * 1000};
	nanosleep(&ts, NULL);
	size_t n = 256 * 1024; /* big enough to need more than one write */
	char *body = malloc(n);
	memset(body, 's', n);
	kyc_req_respond_owned(r, 200, "text/plain", body, n);
}

/* A download far bigger than the socket buffers. */
static void h_big(kyc_req *r)
{
	size_t n = 32u << 20;
	char *body = malloc(n);
	memset(body, 'b', n);
	kyc_req_respond_owned(r, 200, "application/octet-stream", body, n);
}

static void h_problem(kyc_req *r)
{
	kyc_problem(r, 422, "invalid_country", "country", "country %s is not ISO 3166", "XX");
}

static void h_silent(kyc_req *r)
{
	(void)r; /* answers nothing: the server must send a 500 for it */
}

static void *serve(void *arg)
{
	(void)arg;
	srv_rc = kyc_server_run(srv);
	return NULL;
}

static int app_value = 4242;

static int start_server(void)
{
	struct kyc_server_config cfg = {
		.listen = "127.0.0.1:0",
		.threads = NTHREADS,
		.max_body = MAX_BODY,
		.max_header = MAX_HEADER,
		.io_timeout_ms = IO_TIMEOUT_MS,
		.thread_init = t_init,
		.thread_fini = t_fini,
		.app = &app_value,
	};
	char err[256];
	srv = kyc_server_new(&cfg, err, sizeof err);
	if (!srv) {
		fprintf(stderr, "server: %s\n", err);
		return -1;
	}
	if (kyc_server_route(srv, "POST", "/echo", h_echo) ||
	    kyc_server_route(srv, "PUT", "/echo", h_echo) ||
	    kyc_server_route(srv, "GET", "/info/{a}/{b}", h_info) ||
	    kyc_server_route(srv, "GET", "/info/lit/{b}", h_info) ||
	    kyc_server_route(srv, "GET", "/info/lit/fixed", h_literal) ||
	    kyc_server_route(srv, "GET", "/q", h_info) ||
	    kyc_server_route(srv, "GET", "/slow", h_slow) ||
	    kyc_server_route(srv, "GET", "/problem", h_problem) ||
	    kyc_server_route(srv, "GET", "/big", h_big) ||
	    kyc_server_route(srv, "GET", "/silent", h_silent))
		return -1;
	if (kyc_server_route(srv, "GET", "no-slash", h_silent) == 0)
		return -1;
	if (kyc_server_listen(srv, err, sizeof err)) {
		fprintf(stderr, "listen: %s\n", err);
		return -1;
	}
	snprintf(base, sizeof base, "http://127.0.0.1:%d", kyc_server_port(srv));
	return pthread_create(&srv_thread, NULL, serve, NULL) ? -1 : 0;
}

/* ---- the client ---- */

struct resp {
	long status;
	kyc_buf body;
	kyc_buf headers;
	json_t *json;
	long connects; /* new connections this transfer opened */
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	return kyc_buf_append(ud, p, size * n) ? 0 : size * n;
}

static void resp_free(struct resp *r)
{
	kyc_buf_release(&r->body);
	kyc_buf_release(&r->headers);
	json_decref(r->json);
	memset(r, 0, sizeof *r);
}

/* One request on handle c (reused for keep-alive; NULL = a fresh one).
 * hdrs: NULL-terminated "Name: value" list. 0 when a response came back. */
static int req(CURL *c, const char *method, const char *path, const char *const *hdrs,
	       const void *body, long body_len, struct resp *r)
{
	memset(r, 0, sizeof *r);
	kyc_buf_init(&r->body, 4u << 20);
	kyc_buf_init(&r->headers, 1u << 20);
	CURL *own = NULL;
	if (!c)
		c = own = curl_easy_init();
	char url[2048];
	snprintf(url, sizeof url, "%s%s", base, path);
	struct curl_slist *hl = curl_slist_append(NULL, "Expect:");
	for (const char *const *h = hdrs; h && *h; h++)
		hl = curl_slist_append(hl, *h);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->headers);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, body_len);
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	/* After HTTPGET, which resets NOBODY. */
	curl_easy_setopt(c, CURLOPT_NOBODY, !strcmp(method, "HEAD") ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, strcmp(method, "HEAD") ? method : NULL);
	CURLcode rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
		curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &r->connects);
		if (r->body.len)
			r->json = json_loadb(r->body.data, r->body.len, 0, NULL);
	}
	else if (getenv("TEST_VERBOSE"))
		fprintf(stderr, "curl %s %s: %s\n", method, path, curl_easy_strerror(rc));
	curl_slist_free_all(hl);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
	if (own)
		curl_easy_cleanup(own);
	return rc == CURLE_OK ? 0 : -1;
}

/* A response header's value (case-insensitive name), NUL-terminated into out. */
static int header(const struct resp *r, const char *name, char *out, size_t outsz)
{
	size_t n = strlen(name);
	const char *p = r->headers.data;
	out[0] = '\0';
	while (p && *p) {
		const char *eol = strstr(p, "\r\n");
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len > n && p[n] == ':' && !strncasecmp(p, name, n)) {
			const char *v = p + n + 1;
			while (*v == ' ')
				v++;
			snprintf(out, outsz, "%.*s", (int)(p + len - v), v);
			return 1;
		}
		p += len + (eol ? 2 : 0);
	}
	return 0;
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* Checks the RFC 9457 shape of a problem response and its code. */
static void check_problem(const struct resp *r, long status, const char *code)
{
	char ct[128], rid[128], type[160];
	CHECK_INT(r->status, status);
	CHECK(header(r, "content-type", ct, sizeof ct));
	CHECK_STR(ct, "application/problem+json");
	REQUIRE(r->json != NULL);
	CHECK_INT(json_integer_value(json_object_get(r->json, "status")), status);
	CHECK_STR(jstr(r->json, "code"), code);
	snprintf(type, sizeof type, "%s%s", KYC_PROBLEM_TYPE_BASE, code);
	CHECK_STR(jstr(r->json, "type"), type);
	CHECK_STR(jstr(r->json, "title"), kyc_http_status_title((int)status));
	CHECK(jstr(r->json, "detail")[0] != '\0');
	CHECK(header(r, "x-request-id", rid, sizeof rid));
	CHECK_STR(jstr(r->json, "request_id"), rid);
}

/* ---- the cases ---- */

TEST(keep_alive_reuses_the_connection)
{
	CURL *c = curl_easy_init();
	long total = 0;
	for (int i = 0; i < 5; i++) {
		struct resp r;
		REQUIRE(req(c, "POST", "/echo", NULL, "ping", 4, &r) == 0);
		CHECK_INT(r.status, 200);
		CHECK(r.body.len == 4 && !memcmp(r.body.data, "ping", 4));
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

/* Connects a raw socket to the server. */
static int raw_connect(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)kyc_server_port(srv))};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Reads until EOF or timeout; returns the bytes read (into buf) or -1 on timeout. */
static ssize_t read_to_eof(int fd, char *buf, size_t cap, int timeout_ms)
{
	size_t got = 0;
	double end = now_ms() + timeout_ms;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int left = (int)(end - now_ms());
		if (left <= 0 || poll(&p, 1, left) <= 0)
			return -1;
		ssize_t n = read(fd, buf + got, cap - got - 1);
		if (n <= 0) {
			buf[got] = '\0';
			return (ssize_t)got;
		}
		got += (size_t)n;
		if (got + 1 >= cap)
			return (ssize_t)got;
	}
}

TEST(slow_clients_time_out)
{
	/* Half a request line, then silence: closed after about IO_TIMEOUT_MS. */
	int fd = raw_connect();
	REQUIRE(fd >= 0);
	const char part[] = "GET /info/a/b HTTP/1.1\r\nHost: x\r\n";
	CHECK(write(fd, part, sizeof part - 1) == (ssize_t)(sizeof part - 1));
	double t0 = now_ms();
	char buf[4096];
	ssize_t n = read_to_eof(fd, buf, sizeof buf, IO_TIMEOUT_MS * 3);
	double dt = now_ms() - t0;
	CHECK(n >= 0);
	CHECK(dt >= IO_TIMEOUT_MS * 0.5 && dt < IO_TIMEOUT_MS * 2.5);
	close(fd);

	/* A body that stops half-way. */
	fd = raw_connect();
	REQUIRE(fd >= 0);
	const char post[] = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly-some";
	CHECK(write(fd, post, sizeof post - 1) == (ssize_t)(sizeof post - 1));
	n = read_to_eof(fd, buf, sizeof buf, IO_TIMEOUT_MS * 3);
	CHECK(n >= 0);
	CHECK(!strstr(buf, "200 OK"));
	close(fd);
}

TEST(stalled_readers_time_out)
{
	/* Asks for 32 MiB and reads none of it: the server must give up on the
	 * connection after about the I/O timeout instead of holding it forever. */
	int fd = raw_connect();
	REQUIRE(fd >= 0);
	/* (No tiny SO_RCVBUF: on loopback, segments larger than the window are
	 * dropped and retransmitted with back-off, which would slow the drain
	 * below to a crawl.) */
	const char get[] = "GET /big HTTP/1.1\r\nHost: x\r\n\r\n";
	CHECK(write(fd, get, sizeof get - 1) == (ssize_t)(sizeof get - 1));
	struct timespec ts = {IO_TIMEOUT_MS * 3 / 1000, 0};
	nanosleep(&ts, NULL);
	/* Now drain: the server gave up, so the stream ends early with EOF
	 * (a timeout here means the connection is still held open). */
	static char buf[1u << 20];
	ssize_t n = read_to_eof(fd, buf, sizeof buf, 10000);
	size_t total = 0;
	while (n > 0 && (size_t)n + 1 >= sizeof buf) { /* buffer full: keep reading */
		total += (size_t)n;
		n = read_to_eof(fd, buf, sizeof buf, 10000);
	}
	CHECK(n >= 0);
	total += n > 0 ? (size_t)n : 0;
	CHECK(total < (32u << 20));
	close(fd);
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
	struct timespec ts = {0, 500 * 1000 * 1000}; /* the log is flushed every 200 ms */
	nanosleep(&ts, NULL);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	REQUIRE(rc == 0);
	static char text[1 << 16];
	rewind(tmp);
	size_t n = fread(text, 1, sizeof text - 1, tmp);
	text[n] = '\0';
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

static struct resp slow_resp;
static int slow_rc = -1;

static void *slow_client(void *arg)
{
	(void)arg;
	slow_rc = req(NULL, "GET", "/slow", NULL, NULL, 0, &slow_resp);
	return NULL;
}

TEST(graceful_stop_finishes_in_flight_requests)
{
	/* An idle keep-alive connection must not hold the stop up. */
	CURL *idle = curl_easy_init();
	struct resp r;
	REQUIRE(req(idle, "GET", "/info/a/b", NULL, NULL, 0, &r) == 0);
	resp_free(&r);

	pthread_t t;
	pthread_create(&t, NULL, slow_client, NULL);
	for (int i = 0; i < 200 && !atomic_load(&slow_started); i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	CHECK(atomic_load(&slow_started));
	/* A request whose body is still arriving when the stop comes. */
	int up = raw_connect();
	REQUIRE(up >= 0);
	const char part1[] = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello";
	CHECK(write(up, part1, sizeof part1 - 1) == (ssize_t)(sizeof part1 - 1));
	struct timespec settle = {0, 50 * 1000 * 1000};
	nanosleep(&settle, NULL);
	double t0 = now_ms();
	kyc_server_stop(srv);
	nanosleep(&settle, NULL);
	CHECK(write(up, "world", 5) == 5);
	char buf[4096];
	ssize_t n = read_to_eof(up, buf, sizeof buf, 5000);
	close(up);
	CHECK(n > 0 && !strncmp(buf, "HTTP/1.1 200", 12));
	CHECK(n > 0 && strstr(buf, "\r\n\r\nhelloworld") != NULL);
	CHECK(n > 0 && strcasestr(buf, "\r\nconnection: close\r\n") != NULL);
	pthread_join(t, NULL);
	pthread_join(srv_thread, NULL);
	double dt = now_ms() - t0;
	CHECK_INT(srv_rc, 0);
	CHECK_INT(slow_rc, 0);
	CHECK_INT(slow_resp.status, 200);
	CHECK_INT(slow_resp.body.len, 256 * 1024);
	/* Idle keep-alive connections are closed at once: the stop waits for the
	 * slow request only, not for the idle timeout or the 10 s grace. */
	CHECK(dt < IO_TIMEOUT_MS - 200); /* the idle one would time out at about IO_TIMEOUT_MS */
	CHECK_INT(atomic_load(&fini_calls), NTHREADS);
	resp_free(&slow_resp);

	/* Nobody listens any more. */
	REQUIRE(req(idle, "GET", "/info/a/b", NULL, NULL, 0, &r) != 0);
	resp_free(&r);
	curl_easy_cleanup(idle);
}

TEST(listen_addresses)
{
	const char *good[] = {"127.0.0.1:0", "[::1]:0", "localhost:0"};
	const char *bad[] = {"127.0.0.1", "[::1]0", "127.0.0.1:99999", "no.such.host.invalid:0", ""};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct kyc_server_config cfg = {.listen = good[i], .threads = 1};
		char err[256] = "";
		kyc_server *s = kyc_server_new(&cfg, err, sizeof err);
		REQUIRE(s != NULL);
		int rc = kyc_server_listen(s, err, sizeof err);
		if (rc != 0 && !strcmp(good[i], "[::1]:0"))
			fprintf(stderr, "  (no IPv6 loopback here: %s)\n", err);
		else
			CHECK(rc == 0 && kyc_server_port(s) > 0);
		kyc_server_free(s); /* never run: must still clean up */
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct kyc_server_config cfg = {.listen = bad[i], .threads = 1};
		char err[256] = "";
		kyc_server *s = kyc_server_new(&cfg, err, sizeof err);
		REQUIRE(s != NULL);
		CHECK(kyc_server_listen(s, err, sizeof err) != 0);
		CHECK(err[0] != '\0');
		kyc_server_free(s);
	}
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
	RUN(slow_clients_time_out);
	RUN(stalled_readers_time_out);
	RUN(malformed_request_gets_400);
	RUN(many_concurrent_clients);
	RUN(access_log_line);
	RUN(metrics_count_requests);
	RUN(metrics_are_exact_under_concurrency);
	RUN(graceful_stop_finishes_in_flight_requests);
	RUN(listen_addresses);
	kyc_server_free(srv);
	curl_global_cleanup();
	return test_done("server");
}
