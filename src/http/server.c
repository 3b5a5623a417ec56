/* h2o glue: listeners, threads, the request entry point, h2o's own errors,
 * access log and graceful shutdown (the request accessors and responses are
 * in request.c). docs/http.md explains the choices. */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <h2o.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/rand.h"
#include "http/conn_track.h"
#include "http/framing.h"
#include "http/metrics.h"
#include "http/problem.h"
#include "http/router.h"
#include "http/server_int.h"

#define SHUTDOWN_GRACE_MS 10000

/* The server that SIGTERM/SIGINT stop (one per process is the normal case). */
static kyc_server *_Atomic signal_target; /* read in the signal handler */

static int on_req(h2o_handler_t *self, h2o_req_t *h);

struct err_filter {
	h2o_filter_t super;
	kyc_server *srv;
};

static void err_on_setup_ostream(h2o_filter_t *self, h2o_req_t *h, h2o_ostream_t **slot);

static void on_signal(int sig)
{
	kyc_server *s = atomic_load(&signal_target);
	if (!s)
		return;
	if (sig == SIGHUP)
		atomic_store(&s->tls_reload, 1);
	else
		atomic_store(&s->stop, 1);
}

kyc_server *kyc_server_new(const struct kyc_server_config *cfg, char *err, size_t errsz)
{
	kyc_server *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	if (!s->cfg.max_body)
		s->cfg.max_body = 16u << 20;
	if (!s->cfg.max_header)
		s->cfg.max_header = 16u << 10;
	if (s->cfg.io_timeout_ms <= 0)
		s->cfg.io_timeout_ms = 30000;
	s->nthreads = cfg->threads > 0 ? cfg->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (s->nthreads < 1)
		s->nthreads = 1;
	s->listen_fd = -1;
	pthread_mutex_init(&s->tls_lock, NULL);
	pthread_mutex_init(&s->gate_lock, NULL);
	pthread_cond_init(&s->gate_cond, NULL);
	if ((s->cfg.tls_cert != NULL) != (s->cfg.tls_key != NULL)) {
		snprintf(err, errsz, "TLS needs both a certificate and a key");
		pthread_mutex_destroy(&s->tls_lock);
		free(s);
		return NULL;
	}
	if (s->cfg.tls_cert && kyc__tls_load(s->cfg.tls_cert, s->cfg.tls_key, &s->ssl_ctx, err, errsz)) {
		pthread_mutex_destroy(&s->tls_lock);
		free(s);
		return NULL;
	}
	h2o_config_init(&s->globalconf);
	/* h2o itself refuses a larger body: on the Content-Length before reading
	 * any of it, or as soon as a chunked body passes the cap. Its plain-text
	 * answer is rewritten into problem+json by the error filter below. */
	s->globalconf.max_request_entity_size = s->cfg.max_body;
	s->globalconf.http1.req_timeout = (uint64_t)s->cfg.io_timeout_ms;
	s->globalconf.http2.idle_timeout = (uint64_t)s->cfg.io_timeout_ms;
	/* Turns off both ways into cleartext HTTP/2: "PRI * HTTP/2.0" is then
	 * a malformed HTTP/1 request (400, closed). */
	s->globalconf.http1.upgrade_to_http2 = s->cfg.h2c ? 1 : 0;
	s->globalconf.server_name = h2o_iovec_init(H2O_STRLIT("kycd"));
	h2o_hostconf_t *host = h2o_config_register_host(&s->globalconf,
							h2o_iovec_init(H2O_STRLIT("default")), 65535);
	h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
	struct handler *h = (struct handler *)h2o_create_handler(path, sizeof *h);
	h->srv = s;
	h->super.on_req = on_req;
	/* Responses h2o makes on its own (413 body too large, 400 broken
	 * chunking, 404 for a non-origin request target) use the host's
	 * fallback path; a filter there gives them our problem+json shape. */
	struct err_filter *f = (struct err_filter *)h2o_create_filter(&host->fallback_path, sizeof *f);
	f->srv = s;
	f->super.on_setup_ostream = err_on_setup_ostream;
	return s;
}

int kyc_server_route(kyc_server *s, const char *method, const char *pattern, kyc_handler_fn fn)
{
	return kyc_router_add(&s->router, method, pattern, (void *)fn);
}

/* Splits "host:port" / "[v6]:port". */
static int split_listen(const char *listen, char *host, size_t hsz, char *port, size_t psz)
{
	const char *colon;
	if (listen[0] == '[') {
		const char *end = strchr(listen, ']');
		if (!end || end[1] != ':')
			return -1;
		snprintf(host, hsz, "%.*s", (int)(end - listen - 1), listen + 1);
		colon = end + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon)
			return -1;
		snprintf(host, hsz, "%.*s", (int)(colon - listen), listen);
	}
	/* getaddrinfo() takes "99999" and wraps it; only 0..65535 in digits. */
	const char *digits = colon + 1;
	size_t n = strlen(digits);
	if (n == 0 || n > 5 || strspn(digits, "0123456789") != n || strtol(digits, NULL, 10) > 65535)
		return -1;
	snprintf(port, psz, "%s", digits);
	return 0;
}

int kyc_server_listen(kyc_server *s, char *err, size_t errsz)
{
	char host[256], port[16];
	if (!s->cfg.listen || split_listen(s->cfg.listen, host, sizeof host, port, sizeof port)) {
		snprintf(err, errsz, "listen address must be HOST:PORT");
		return KYC_ERR_INVALID;
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	int gai = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (gai) {
		snprintf(err, errsz, "%s", gai_strerror(gai));
		return KYC_ERR_INVALID;
	}
	int fd = -1;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1024) == 0)
			break;
		snprintf(err, errsz, "%s", strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return KYC_ERR_IO;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	s->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						 : ((struct sockaddr_in *)&ss)->sin_port);
	s->listen_fd = fd;
	return 0;
}

int kyc_server_port(const kyc_server *s)
{
	return s->port;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
	struct server_thread *st = listener->data;
	if (err)
		return;
	/* Every thread watches the one listening socket; those that lose the
	 * race for a connection get NULL here. */
	h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
	if (!sock)
		return;
	/* With TLS: the context of the last reload. The thread keeps one
	 * reference on the context it hands to h2o; each connection's SSL
	 * object holds its own. */
	SSL_CTX *ctx = kyc__tls_acquire(st->srv);
	if (ctx && ctx != st->tls_held) {
		SSL_CTX_free(st->tls_held);
		st->tls_held = ctx;
	} else {
		SSL_CTX_free(ctx);
	}
	st->accept_ctx.ssl_ctx = st->tls_held;
	kyc_conns_accept(&st->conns, &st->accept_ctx, sock);
}

static int conns_open(h2o_context_t *ctx)
{
	return !h2o_linklist_is_empty(&ctx->http1._conns) ||
	       !h2o_linklist_is_empty(&ctx->http2._conns);
}

/* Deadlines and intervals: a monotonic clock, not kyc_now_ms(), which tests
 * may move. */
static int64_t mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

#define LOG_FLUSH_BYTES (32 * 1024)
#define LOG_FLUSH_MS 200

static void log_flush(struct server_thread *st)
{
	if (st->logbuf.len)
		kyc_log_json(st->logbuf.data, st->logbuf.len - 1); /* kyc_log_json adds the last \n */
	kyc_buf_reset(&st->logbuf);
	st->log_flushed_at = mono_ms();
}

static void log_maybe_flush(struct server_thread *st)
{
	if (st->logbuf.len >= LOG_FLUSH_BYTES ||
	    (st->logbuf.len && mono_ms() - st->log_flushed_at >= LOG_FLUSH_MS))
		log_flush(st);
}

/* Between event-loop turns: flush the access log, cut stalled writers. */
static void housekeeping(struct server_thread *st)
{
	log_maybe_flush(st);
	if (st->index == 0 && atomic_exchange(&st->srv->tls_reload, 0) && st->srv->ssl_ctx)
		kyc__tls_reload(st->srv);
	int64_t now = mono_ms();
	if (now - st->swept_at >= 250) {
		st->swept_at = now;
		uint64_t before = st->conns.stalled_closed;
		kyc_conns_sweep(&st->conns);
		if (st->conns.stalled_closed != before)
			kyc_logf(KYC_LOG_WARN, "closed %llu connection(s) whose peer stopped reading",
				 (unsigned long long)(st->conns.stalled_closed - before));
		if (st->conns.h2_flood_closed != st->h2_flood_logged) {
			kyc_logf(KYC_LOG_WARN, "closed %llu HTTP/2 connection(s) that started too many "
					       "requests (rapid reset?)",
				 (unsigned long long)(st->conns.h2_flood_closed - st->h2_flood_logged));
			st->h2_flood_logged = st->conns.h2_flood_closed;
		}
	}
}

/* Disposes of a thread's h2o context on that thread, as its last step: h2o
 * keeps per-thread state (memory recyclers, the loop's own lists) that a
 * context disposed of from another thread, after this one ended, would
 * reach into the ended thread's storage. */
static void context_dispose(struct server_thread *st)
{
	if (!st->started)
		return;
	h2o_evloop_t *loop = st->ctx.loop;
	/* request_shutdown arms HTTP/2's graceful-shutdown timer even with no
	 * HTTP/2 connection; disarm it before disposing. */
	if (h2o_timeout_is_linked(&st->ctx.http2._graceful_shutdown_timeout))
		h2o_timeout_unlink(&st->ctx.http2._graceful_shutdown_timeout);
	h2o_context_dispose(&st->ctx);
	/* The loop may still hold sockets of clients that outlived the grace
	 * period; leaking it at exit is better than freeing memory h2o still
	 * points to. */
	if (!conns_open(&st->ctx))
		h2o_evloop_destroy(loop);
	st->started = 0;
}

/* Waits at the start gate until every thread has arrived (or the count was
 * lowered because a thread could not be spawned). */
static void gate_wait(kyc_server *s)
{
	pthread_mutex_lock(&s->gate_lock);
	s->gate_arrived++;
	pthread_cond_broadcast(&s->gate_cond);
	while (s->gate_arrived < s->gate_expected)
		pthread_cond_wait(&s->gate_cond, &s->gate_lock);
	pthread_mutex_unlock(&s->gate_lock);
}

static void gate_lower(kyc_server *s, int expected)
{
	pthread_mutex_lock(&s->gate_lock);
	s->gate_expected = expected;
	pthread_cond_broadcast(&s->gate_cond);
	pthread_mutex_unlock(&s->gate_lock);
}

static void *thread_main(void *arg)
{
	struct server_thread *st = arg;
	kyc_server *s = st->srv;
	kyc_buf_init(&st->logbuf, 4 * LOG_FLUSH_BYTES);
	if (kyc_rand_bytes(&st->rid_state, sizeof st->rid_state) || !st->rid_state)
		st->rid_state = 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uintptr_t)st;
	if (s->cfg.thread_init) {
		st->tctx = s->cfg.thread_init(s->cfg.app, st->index);
		if (!st->tctx) {
			atomic_store(&s->init_failed, 1);
			atomic_store(&s->stop, 1);
			kyc_buf_release(&st->logbuf);
			gate_wait(s);
			return NULL;
		}
	}
	h2o_context_init(&st->ctx, h2o_evloop_create(), &s->globalconf);
	st->accept_ctx.ctx = &st->ctx;
	st->accept_ctx.hosts = s->globalconf.hosts;
	kyc_conns_init(&st->conns, s->cfg.io_timeout_ms);
	st->conns.h2_requests_per_s = s->cfg.h2_requests_per_s > 0 ? s->cfg.h2_requests_per_s : 200;
	if (kyc__offload_thread_init(st)) {
		kyc_logf(KYC_LOG_ERROR, "thread %d: no pipe for offloaded work", st->index);
		atomic_store(&s->init_failed, 1);
		atomic_store(&s->stop, 1);
	}
	gate_wait(s);
	st->listener = h2o_evloop_socket_create(st->ctx.loop, dup(s->listen_fd),
						H2O_SOCKET_FLAG_DONT_READ);
	st->listener->data = st;
	h2o_socket_read_start(st->listener, on_accept);
	st->started = 1;

	while (!atomic_load(&s->stop)) {
		h2o_evloop_run(st->ctx.loop, 100);
		housekeeping(st);
	}

	/* Graceful stop. No new connections: the listening socket closes (the
	 * kernel resets connections still in its backlog). Handlers are
	 * synchronous, so none is half-way now. Idle keep-alive connections are
	 * closed; the others get SHUTDOWN_GRACE_MS to finish their request and
	 * response, which then carries "Connection: close". */
	h2o_socket_read_stop(st->listener);
	h2o_socket_close(st->listener);
	st->listener = NULL;
	if (!atomic_exchange(&s->listen_closed, 1))
		close(s->listen_fd);
	h2o_context_request_shutdown(&st->ctx);
	int64_t deadline = mono_ms() + SHUTDOWN_GRACE_MS;
	while ((kyc_conns_close_idle(&st->conns) > 0 || conns_open(&st->ctx)) &&
	       mono_ms() < deadline) {
		h2o_evloop_run(st->ctx.loop, 20);
		housekeeping(st);
	}
	/* Past the grace: whatever is left is cut, and h2o gets a moment to
	 * notice and free it. */
	kyc_conns_close_all(&st->conns);
	for (int i = 0; i < 10 && conns_open(&st->ctx); i++)
		h2o_evloop_run(st->ctx.loop, 20);
	kyc__offload_thread_fini(st);
	SSL_CTX_free(st->tls_held);
	st->tls_held = NULL;
	log_flush(st);
	kyc_buf_release(&st->logbuf);
	if (s->cfg.thread_fini)
		s->cfg.thread_fini(st->tctx);
	st->tctx = NULL;
	context_dispose(st);
	return NULL;
}

int kyc_server_run(kyc_server *s)
{
	if (s->listen_fd < 0)
		return KYC_ERR_INVALID;
	s->threads = calloc((size_t)s->nthreads, sizeof *s->threads);
	if (!s->threads)
		return KYC_ERR_NOMEM;
	if (kyc__offload_start(s)) {
		kyc__offload_stop(s);
		return KYC_ERR_IO;
	}
	atomic_store(&signal_target, s);
	struct sigaction sa = {0}, old_term, old_int, old_hup;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGINT, &sa, &old_int);
	if (s->ssl_ctx)
		sigaction(SIGHUP, &sa, &old_hup);
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < s->nthreads; i++) {
		s->threads[i].srv = s;
		s->threads[i].index = i;
	}
	/* Threads 1..n-1 in the background, thread 0 here. */
	s->gate_expected = s->nthreads;
	s->gate_arrived = 0;
	int spawned = 0;
	for (int i = 1; i < s->nthreads; i++) {
		if (pthread_create(&s->threads[i].tid, NULL, thread_main, &s->threads[i]) != 0) {
			kyc_logf(KYC_LOG_ERROR, "cannot start server thread %d", i);
			atomic_store(&s->init_failed, 1);
			atomic_store(&s->stop, 1);
			gate_lower(s, i);
			break;
		}
		spawned = i;
	}
	thread_main(&s->threads[0]);
	for (int i = 1; i <= spawned; i++)
		pthread_join(s->threads[i].tid, NULL);
	kyc__offload_stop(s);
	/* The process's own handling of the signals again (e.g. the default:
	 * terminate), not a handler that now does nothing. */
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGINT, &old_int, NULL);
	if (s->ssl_ctx)
		sigaction(SIGHUP, &old_hup, NULL);
	atomic_store(&signal_target, NULL);
	return atomic_load(&s->init_failed) ? KYC_ERR_IO : 0;
}

void kyc_server_reload_tls(kyc_server *s)
{
	atomic_store(&s->tls_reload, 1);
}

void kyc_server_stop(kyc_server *s)
{
	atomic_store(&s->stop, 1);
}

void kyc_server_free(kyc_server *s)
{
	if (!s)
		return;
	if (s->threads) {
		for (int i = 0; i < s->nthreads; i++) {
			struct server_thread *st = &s->threads[i];
			kyc__offload_inbox_free(st);
		}
		free(s->threads);
	}
	if (s->listen_fd >= 0 && !atomic_load(&s->listen_closed))
		close(s->listen_fd);
	h2o_config_dispose(&s->globalconf);
	SSL_CTX_free(s->ssl_ctx);
	pthread_mutex_destroy(&s->tls_lock);
	pthread_mutex_destroy(&s->gate_lock);
	pthread_cond_destroy(&s->gate_cond);
	free(s);
}

/* ---- requests ---- */

/* A client's X-Request-Id is echoed when it is 1..64 printable ASCII
 * characters without '"' or '\\', so it can go into JSON and logs as is. */
static int request_id_sane(const char *p, size_t n)
{
	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] <= ' ' || p[i] > '~' || p[i] == '"' || p[i] == '\\')
			return 0;
	return 1;
}

static double elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The access log line and request ids are built by hand: with printf they
 * were about 5% of a small request's CPU time. */
static char *put_str(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

static char *put_uint(char *p, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_hex(char *p, uint64_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	for (int i = digits - 1; i >= 0; i--)
		p[i] = hex[v & 15], v >>= 4;
	return p + digits;
}

#define PUT_LIT(p, lit) put_str(p, lit, sizeof lit - 1)

static void access_log(kyc_req *r, double ms)
{
	/* Every piece is bounded: id 64, tenant 64, method 8, route 127. */
	char line[512], ts[32];
	kyc_time_iso(kyc_now_ms(), ts);
	h2o_req_t *h = r->h;
	const char *route = r->route ? r->route->pattern : "unmatched";
	uint64_t us = ms <= 0 ? 0 : ms > 1e12 ? (uint64_t)1e15 : (uint64_t)(ms * 1000.0);
	char *p = line;
	p = PUT_LIT(p, "{\"ts\":\"");
	p = put_str(p, ts, strlen(ts));
	p = PUT_LIT(p, "\",\"level\":\"info\",\"request_id\":\"");
	p = put_str(p, r->id, strnlen(r->id, 64));
	p = PUT_LIT(p, "\",\"tenant\":");
	if (r->tenant) {
		*p++ = '"';
		p = put_str(p, r->tenant, strnlen(r->tenant, 64));
		*p++ = '"';
	} else {
		p = PUT_LIT(p, "null");
	}
	/* No body, no query string, no header values: they may carry secrets. */
	p = PUT_LIT(p, ",\"method\":\"");
	for (size_t i = 0; i < h->method.len && i < 8; i++) /* h2o accepts only token characters */
		*p++ = h->method.base[i];
	p = PUT_LIT(p, "\",\"route\":\"");
	p = put_str(p, route, strnlen(route, 127));
	p = PUT_LIT(p, "\",\"status\":");
	p = put_uint(p, (uint64_t)(r->status > 0 ? r->status : 0));
	p = PUT_LIT(p, ",\"ms\":");
	p = put_uint(p, us / 1000);
	*p++ = '.';
	unsigned frac = (unsigned)(us % 1000);
	*p++ = (char)('0' + frac / 100);
	*p++ = (char)('0' + frac / 10 % 10);
	*p++ = (char)('0' + frac % 10);
	p = PUT_LIT(p, ",\"bytes\":");
	p = put_uint(p, r->bytes);
	p = PUT_LIT(p, "}\n");
	/* When the buffer is full (a stalled stderr) the append fails and the
	 * line is dropped rather than memory grown without bound. */
	(void)kyc_buf_append(&r->th->logbuf, line, (size_t)(p - line));
	log_maybe_flush(r->th);
}

/* splitmix64: fast, and request ids need to be unique, not secret. */
static void request_id_new(struct server_thread *st, char out[25])
{
	uint64_t z = (st->rid_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	char *p = put_hex(out, (uint64_t)(kyc_now_ms() / 1000) & 0xffffffffu, 8);
	p = put_hex(p, z, 16);
	*p = '\0';
}

static struct server_thread *thread_of(h2o_req_t *h)
{
	return H2O_STRUCT_FROM_MEMBER(struct server_thread, ctx, h->conn->ctx);
}

static void req_init(kyc_req *r, h2o_req_t *h)
{
	memset(r, 0, sizeof *r);
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	r->h = h;
	r->th = thread_of(h);
	ssize_t idx = h2o_find_header_by_str(&h->headers, H2O_STRLIT("x-request-id"), -1);
	if (idx >= 0 && request_id_sane(h->headers.entries[idx].value.base,
					h->headers.entries[idx].value.len))
		snprintf(r->id, sizeof r->id, "%.*s", (int)h->headers.entries[idx].value.len,
			 h->headers.entries[idx].value.base);
	else
		request_id_new(r->th, r->id);
}

static void req_done(kyc_req *r, double ms)
{
	kyc_metrics_request(r->route ? r->route->pattern : NULL, r->status, ms);
	access_log(r, ms);
}

void kyc__req_done(kyc_req *r)
{
	req_done(r, elapsed_ms(&r->t0));
}

/* The request line and headers as they came in, about (h2o has already
 * parsed them; its own hard limit is H2O_MAX_REQLEN). */
static size_t header_bytes(const h2o_req_t *h)
{
	size_t n = h->method.len + h->path.len + h->authority.len + 16;
	for (size_t i = 0; i < h->headers.size; i++)
		n += h->headers.entries[i].name->len + h->headers.entries[i].value.len + 4;
	return n;
}

/* 1 when an HTTP/1 request's body framing is ambiguous (RFC 9112 6.3):
 * Content-Length together with Transfer-Encoding, or Content-Length or
 * Transfer-Encoding more than once. h2o 2.2 then silently picks one (the
 * chunked coding, or the first length), and what it left unread would run
 * as a next request: the request smuggling pattern. h2o keeps these two
 * headers out of h->headers, so the head is read where h2o parsed it, in
 * the socket's input buffer, which still starts with it while the request
 * is handled; the body follows it. */
static int framing_ambiguous(h2o_req_t *h)
{
	if (h->version >= 0x200 || !h->entity.base)
		return 0;
	h2o_socket_t *sock = kyc_conns_socket(h->conn);
	if (!sock || !sock->input)
		return 0;
	const char *head = sock->input->bytes;
	if (h->entity.base < head || h->entity.base > head + sock->input->size)
		return 0;
	return kyc_http1_framing_ambiguous(head, (size_t)(h->entity.base - head));
}

static int on_req(h2o_handler_t *self, h2o_req_t *h)
{
	kyc_server *s = ((struct handler *)self)->srv;
	kyc_req r;
	req_init(&r, h);
	int h2_flood = kyc_conns_request(h);

	size_t plen = h->query_at != SIZE_MAX ? h->query_at : h->path.len;
	char allow[128];
	struct kyc_route_match m;
	enum kyc_route_result res = kyc_router_match(&s->router, h->method.base, h->method.len,
						     h->path.base, plen, &m, allow, sizeof allow);
	if (h2_flood) {
		/* The connection is being closed: answer without running the handler. */
		kyc_problem(&r, 429, "too_many_streams", NULL,
			    "this HTTP/2 connection started too many requests; it is closed");
	} else if (framing_ambiguous(h)) {
		/* Answered and closed: the bytes after this body are not a request. */
		h->http1_is_persistent = 0;
		kyc_problem(&r, 400, "ambiguous_framing", NULL,
			    "a request may carry Content-Length or Transfer-Encoding, once");
	} else if (header_bytes(h) > s->cfg.max_header) {
		kyc_problem(&r, 431, "headers_too_large", NULL,
			    "the request line and headers are larger than %zu bytes", s->cfg.max_header);
	} else if (res == KYC_ROUTE_NOT_FOUND) {
		/* The path only: a query string may carry secrets. */
		kyc_problem(&r, 404, "not_found", NULL, "no route for %.*s %.*s",
			    (int)(h->method.len < 8 ? h->method.len : 8), h->method.base,
			    (int)(plen < 200 ? plen : 200), h->path.base);
	} else if (res == KYC_ROUTE_BAD_METHOD) {
		kyc_req_add_header(&r, "Allow", allow);
		kyc_problem(&r, 405, "method_not_allowed", NULL, "this route accepts: %s", allow);
	} else {
		r.route = m.route;
		r.nparams = m.nparams;
		for (int i = 0; i < m.nparams; i++)
			r.params[i].ptr = kyc__pct_decode(&h->pool, m.params[i].ptr, m.params[i].len, 0,
						     &r.params[i].len);
		if (h->entity.base && h->entity.len > s->cfg.max_body) {
			/* h2o enforces the cap already; kept in case that ever changes. */
			kyc_problem(&r, 413, "payload_too_large", NULL,
				    "the request body is larger than %zu bytes", s->cfg.max_body);
		} else {
			((kyc_handler_fn)m.route->data)(&r);
			if (r.deferred)
				return 0; /* answered by the offloaded work's done */
			if (!r.responded) {
				kyc_logf(KYC_LOG_ERROR, "handler for %s sent no response",
					 m.route->pattern);
				kyc_problem(&r, 500, "internal_error", NULL, "no response was produced");
			}
		}
	}
	kyc__req_done(&r);
	return 0;
}

/* ---- h2o's own error responses, reshaped ---- */

struct err_ostream {
	h2o_ostream_t super;
	h2o_iovec_t body;
};

static const char *err_code(int status)
{
	switch (status) {
	case 400: return "bad_request";
	case 404: return "not_found";
	case 408: return "request_timeout";
	case 413: return "payload_too_large";
	case 417: return "expectation_failed";
	case 431: return "headers_too_large";
	}
	return status >= 500 ? "internal_error" : "bad_request";
}

static void err_on_send(h2o_ostream_t *self, h2o_req_t *h, h2o_iovec_t *bufs, size_t nbufs,
			h2o_send_state_t state)
{
	struct err_ostream *os = (struct err_ostream *)self;
	(void)bufs;
	(void)nbufs;
	/* h2o's text is dropped; the problem document goes out with the last call. */
	int head = h2o_memis(h->method.base, h->method.len, H2O_STRLIT("HEAD"));
	if (h2o_send_state_is_in_progress(state) || head)
		h2o_ostream_send_next(&os->super, h, NULL, 0, state);
	else
		h2o_ostream_send_next(&os->super, h, &os->body, 1, state);
}

static void err_on_setup_ostream(h2o_filter_t *self, h2o_req_t *h, h2o_ostream_t **slot)
{
	kyc_server *s = ((struct err_filter *)self)->srv;
	kyc_req r;
	req_init(&r, h);
	int status = h->res.status;
	const char *code = err_code(status);
	char detail[160];
	if (status == 413)
		snprintf(detail, sizeof detail, "the request body is larger than %zu bytes",
			 s->cfg.max_body);
	else
		snprintf(detail, sizeof detail, "%s", h->res.reason ? h->res.reason : "error");
	/* Only errors are reshaped; anything else h2o might send passes as is. */
	json_t *p = status >= 400 ? kyc_problem_json(status, code, NULL, detail, r.id) : NULL;
	char *txt = p ? json_dumps(p, JSON_COMPACT) : NULL;
	json_decref(p);
	struct err_ostream *os = NULL;
	if (txt) {
		/* h2o's headers (text/plain) are replaced, not amended. */
		memset(&h->res.headers, 0, sizeof h->res.headers);
		h->res.reason = kyc_http_status_title(status);
		kyc__add_header(&r, H2O_STRLIT("content-type"), H2O_STRLIT("application/problem+json"));
		kyc__add_header(&r, H2O_STRLIT("x-request-id"), r.id, strlen(r.id));
		kyc__add_header(&r, H2O_STRLIT("cache-control"), H2O_STRLIT("no-store"));
		kyc__add_header(&r, H2O_STRLIT("x-content-type-options"), H2O_STRLIT("nosniff"));
		kyc__add_hsts(&r);
		os = (struct err_ostream *)h2o_add_ostream(h, sizeof *os, slot);
		os->body = h2o_strdup(&h->pool, txt, strlen(txt));
		os->super.do_send = err_on_send;
		h->res.content_length = os->body.len;
		slot = &os->super.next;
		free(txt);
	}
	r.status = status;
	r.bytes = os ? os->body.len : 0;
	struct timeval now;
	gettimeofday(&now, NULL);
	double ms = h2o_timeval_is_null(&h->timestamps.request_begin_at)
			    ? 0
			    : (double)h2o_timeval_subtract(&h->timestamps.request_begin_at, &now) / 1e3;
	req_done(&r, ms);
	h2o_setup_next_ostream(h, slot);
}
