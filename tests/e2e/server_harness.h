/* Shared by the server's end-to-end tests (server_test.c, server_stop_test.c):
 * a tiny application on the HTTP layer, started in-process on 127.0.0.1 port
 * 0, and a libcurl / raw-socket client. Everything is static: each test
 * program gets its own copy. */
#ifndef KYC_SERVER_HARNESS_H
#define KYC_SERVER_HARNESS_H

#define HELPER static __attribute__((unused))

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
		.h2c = 1, /* the h2c test below */
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
HELPER int req(CURL *c, const char *method, const char *path, const char *const *hdrs,
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
HELPER int header(const struct resp *r, const char *name, char *out, size_t outsz)
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

HELPER const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* Checks the RFC 9457 shape of a problem response and its code. */
HELPER void check_problem(const struct resp *r, long status, const char *code)
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

/* Connects a raw socket to the server. */
HELPER int raw_connect(void)
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

HELPER double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Reads until EOF or timeout; returns the bytes read (into buf) or -1 on timeout. */
HELPER ssize_t read_to_eof(int fd, char *buf, size_t cap, int timeout_ms)
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

/* Stops the server started by start_server() and waits for it. 0 if run returned 0. */
HELPER int stop_server(void)
{
	kyc_server_stop(srv);
	pthread_join(srv_thread, NULL);
	return srv_rc;
}

#endif
