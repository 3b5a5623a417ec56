/* The HTTP server: h2o's event loop (libh2o-evloop) on N threads, a router
 * of "METHOD /path/{param}" patterns, and a small request/response API that
 * hides h2o from the handlers (docs/http.md).
 *
 * Handlers run synchronously on the loop thread that received the request
 * and must answer exactly once (kyc_req_respond*). Each thread has its own
 * context from thread_init (e.g. a database connection). */
#ifndef KYC_SERVER_H
#define KYC_SERVER_H

#include <stddef.h>

typedef struct kyc_server kyc_server;
typedef struct kyc_req kyc_req; /* one request; valid until the handler returns */
typedef struct {
	const char *ptr;
	size_t len;
} kyc_str; /* not NUL-terminated unless said */

typedef void (*kyc_handler_fn)(kyc_req *req);

struct kyc_server_config {
	const char *listen;  /* "HOST:PORT" (IPv4, [IPv6] or a name); port 0 = any free port */
	int threads;         /* event-loop threads; 0 = number of CPUs */
	size_t max_body;     /* request body cap (default 16 MiB): larger is 413 problem+json */
	size_t max_header;   /* request line + headers cap (default 16 KiB): larger is 431 problem+json */
	int io_timeout_ms;   /* a request must arrive, an idle keep-alive connection is closed, and
			      * a response the peer stops reading is cut, within this (default 30 s) */
	int h2c;             /* 1: also speak cleartext HTTP/2 (prior knowledge and Upgrade: h2c).
			      * Off by default: h2o 2.2 does not bound stream resets (the
			      * CVE-2023-44487 "rapid reset" pattern), docs/security.md */
	const char *tls_cert; /* PEM certificate chain: serve https (with tls_key) */
	const char *tls_key;  /* PEM private key */
	int h2_requests_per_s; /* with h2c: requests one HTTP/2 connection may start a second
				* (a burst of twice that), over it the connection is closed;
				* 0: 200 */
	int workers;         /* threads for kyc_req_offload (default 1) */
	int work_queue;      /* offloaded jobs waiting at most (default 64) */
	/* Runs on each loop thread before it serves; its result is that thread's
	 * kyc_req_thread_ctx(). A NULL result stops the server (run returns KYC_ERR_IO). */
	void *(*thread_init)(void *app, int thread_index);
	void (*thread_fini)(void *thread_ctx); /* on the same thread, after it stopped serving */
	void *app;           /* shared application context */
};

/* Creates a server (not yet listening). NULL with a message in err on failure. */
kyc_server *kyc_server_new(const struct kyc_server_config *cfg, char *err, size_t errsz);
/* Adds a route. pattern: literal segments and {param} segments ("/v1/applicants/{id}");
 * parameters are captured in order. A literal segment wins over a parameter. The
 * pattern is also the route's name in logs and metrics. A path no route matches
 * gets a 404 problem ("not_found"); a path matched only under other methods a
 * 405 problem ("method_not_allowed") with an Allow header; HEAD is answered
 * by GET routes (without the body). 0, KYC_ERR_INVALID (bad pattern, table
 * full) or KYC_ERR_CONFLICT (the same method and pattern shape twice). */
int kyc_server_route(kyc_server *s, const char *method, const char *pattern, kyc_handler_fn fn);
/* Binds and listens on cfg->listen (so the caller can log the real port).
 * 0, or KYC_ERR_INVALID / KYC_ERR_IO with a message in err. */
int kyc_server_listen(kyc_server *s, char *err, size_t errsz);
/* The bound port (after kyc_server_listen), e.g. the one port 0 picked. */
int kyc_server_port(const kyc_server *s);
/* Serves until kyc_server_stop() or SIGTERM/SIGINT (installs both handlers):
 * then closes the listening socket, closes idle keep-alive connections at
 * once, lets in-flight requests finish (at most 10 s), calls thread_fini on
 * each thread and returns 0 (KYC_ERR_INVALID if not listening, KYC_ERR_NOMEM,
 * KYC_ERR_IO if a thread_init failed). */
int kyc_server_run(kyc_server *s);
/* Asks a running server to read its TLS certificate and key again (also on
 * SIGHUP, which kyc_server_run handles when TLS is on); new connections get
 * the new ones, a failed read keeps the old. Async-signal-safe. */
void kyc_server_reload_tls(kyc_server *s);
/* Asks a running server to stop; async-signal-safe, callable from any thread. */
void kyc_server_stop(kyc_server *s);
/* Frees the server (after run returned, or if it never ran). NULL is fine. */
void kyc_server_free(kyc_server *s);

/* ---- the request ---- */
kyc_str kyc_req_method(const kyc_req *r);
kyc_str kyc_req_path(const kyc_req *r); /* without the query string, not decoded */
/* The i-th {param} of the matched route, percent-decoded; {NULL,0} if none. */
kyc_str kyc_req_param(const kyc_req *r, int i);
/* A query parameter, percent-decoded ('+' is a space) and NUL-terminated in
 * request memory: 1 if present (out set), 0 if absent. */
int kyc_req_query(kyc_req *r, const char *name, kyc_str *out);
/* A request header by case-insensitive name (under 64 bytes); {NULL,0} if
 * absent. With repeated headers, the first. */
kyc_str kyc_req_header(const kyc_req *r, const char *name);
kyc_str kyc_req_body(const kyc_req *r); /* the whole body ({"",0} if none) */
/* The host the client addressed: HTTP/1.1's Host header or HTTP/2's
 * :authority (h2o keeps both there, not among the headers). */
kyc_str kyc_req_authority(const kyc_req *r);
/* 1 when the request came over TLS (the scheme the client used to reach kycd). */
int kyc_req_is_https(const kyc_req *r);
const char *kyc_req_id(const kyc_req *r);   /* sent back as X-Request-Id */
void *kyc_req_thread_ctx(const kyc_req *r); /* thread_init's result for this thread */
void *kyc_req_app(const kyc_req *r);
/* The client's address as text ("192.0.2.7", "2001:db8::1"), for limits
 * per address; "" when unknown. out must hold 64 bytes. */
void kyc_req_peer(const kyc_req *r, char out[64]);
/* Runs work(arg) on the server's small worker pool, off the event loop (for
 * CPU-heavy work such as password hashing, which would otherwise stall every
 * connection of this loop thread), then done(r, arg) back on this request's
 * loop thread, where it answers as a handler does (exactly once). After a 0
 * the handler returns without answering and must not touch r again. If
 * the request went away meanwhile (stream reset, server stop), done gets
 * r == NULL and only frees arg. work must not touch the request or the
 * thread's store. KYC_ERR_TOOBIG when the queue is full (the handler
 * answers, e.g. 503), KYC_ERR_NOMEM, KYC_ERR_INVALID (already answered). */
int kyc_req_offload(kyc_req *r, void (*work)(void *arg), void (*done)(kyc_req *r, void *arg),
		    void *arg);
/* Memory that lives until the response is sent (h2o's request pool). */
void *kyc_req_alloc(kyc_req *r, size_t n);
char *kyc_req_strdup(kyc_req *r, const char *p, size_t n);
/* The tenant shown in this request's access-log line. */
void kyc_req_set_log_tenant(kyc_req *r, const char *tenant_id);

/* ---- the response: exactly one per request ---- */
/* Adds a response header (name and value are copied). */
void kyc_req_add_header(kyc_req *r, const char *name, const char *value);
/* Sends status and body (copied; the caller keeps ownership). content_type
 * may be NULL for an empty body that has none. */
void kyc_req_respond(kyc_req *r, int status, const char *content_type, const void *body,
		     size_t len);
/* Same, taking ownership of a malloc()ed body, freed after sending. */
void kyc_req_respond_owned(kyc_req *r, int status, const char *content_type, void *body,
			   size_t len);

#endif
