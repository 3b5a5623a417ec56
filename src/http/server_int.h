/* Internals shared by server.c (threads, connections, dispatch) and
 * request.c (the kyc_req accessors and responses). Not for handlers. */
#ifndef KYC_SERVER_INT_H
#define KYC_SERVER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include <h2o.h>
#include <openssl/ssl.h>

#include "core/buf.h"
#include "http/conn_track.h"
#include "http/router.h"
#include "http/server.h"

struct server_thread {
	kyc_server *srv;
	int index;
	pthread_t tid;
	h2o_context_t ctx;
	h2o_accept_ctx_t accept_ctx;
	h2o_socket_t *listener;
	void *tctx;
	int started;
	/* Access-log lines are gathered per thread and written in batches
	 * (like nginx's buffer=/flush=): one write per batch, whole lines only. */
	kyc_buf logbuf;
	int64_t log_flushed_at;
	uint64_t rid_state; /* request ids: not secrets, so a PRNG seeded once */
	struct kyc_conns conns;
	int64_t swept_at;
	uint64_t h2_flood_logged;
	struct offload_inbox *inbox; /* offloaded work coming back (offload.c) */
	SSL_CTX *tls_held;           /* this thread's reference on the TLS context in use */
};

struct handler {
	h2o_handler_t super;
	kyc_server *srv;
};

struct kyc_server {
	struct kyc_server_config cfg;
	h2o_globalconf_t globalconf;
	struct kyc_router router;
	int nthreads;
	struct server_thread *threads;
	int listen_fd;
	int port;
	atomic_int stop;
	atomic_int init_failed;
	atomic_int listen_closed;
	/* The start gate: no thread accepts a connection until every thread has
	 * opened what it needs, so a server that answers is a whole one and a
	 * thread that cannot start stops it before it serves (server.c). */
	pthread_mutex_t gate_lock;
	pthread_cond_t gate_cond;
	int gate_expected, gate_arrived;
	struct offload_pool *pool; /* worker threads for kyc_req_offload */
	/* TLS (tls.c): the context new connections get, swapped by a reload. */
	pthread_mutex_t tls_lock;
	SSL_CTX *ssl_ctx;
	atomic_int tls_reload; /* set by SIGHUP / kyc_server_reload_tls */
};

struct kyc_req {
	h2o_req_t *h;
	struct server_thread *th;
	const struct kyc_route *route;
	int nparams;
	kyc_str params[KYC_ROUTER_MAX_PARAMS];
	char id[72];
	const char *tenant;
	int status;
	size_t bytes;
	int responded;
	int deferred;        /* handed to kyc_req_offload: answered later */
	struct timespec t0;  /* dispatch time (monotonic) */
};

/* Percent-decodes n bytes into pool memory, NUL-terminated; plus_space turns
 * '+' into ' ' (query strings). Malformed escapes are kept as they are. */
char *kyc__pct_decode(h2o_mem_pool_t *pool, const char *p, size_t n, int plus_space,
		      size_t *outlen);
/* Adds a response header; the name is lower-cased, both are copied. */
void kyc__add_header(kyc_req *r, const char *name, size_t nlen, const char *value, size_t vlen);
/* Strict-Transport-Security, on a request that came over TLS. */
void kyc__add_hsts(kyc_req *r);
/* Counts an answered request in metrics and writes its access-log line. */
void kyc__req_done(kyc_req *r);

/* ---- TLS (tls.c) ---- */
/* A TLS context for the certificate chain and key files (PEM): TLS 1.2 and
 * later, forward-secret AEAD suites. 0, or KYC_ERR_INVALID / KYC_ERR_NOMEM
 * with a message in err. */
int kyc__tls_load(const char *cert, const char *key, SSL_CTX **out, char *err, size_t errsz);
/* The current context with a reference for the caller (SSL_CTX_free it); NULL without TLS. */
SSL_CTX *kyc__tls_acquire(kyc_server *s);
/* Loads the files again and swaps the context; on failure logs and keeps the old one. */
void kyc__tls_reload(kyc_server *s);

/* ---- offloaded work (offload.c) ---- */
/* Starts the worker pool (cfg.workers threads, cfg.work_queue jobs at most).
 * 0 or KYC_ERR_NOMEM / KYC_ERR_IO. */
int kyc__offload_start(kyc_server *s);
/* Stops the pool after the loop threads have ended: queued jobs are dropped
 * (their done gets NULL), running ones finish. Safe when never started. */
void kyc__offload_stop(kyc_server *s);
/* A loop thread's inbox for finished work, watched by its event loop. 0 or -1. */
int kyc__offload_thread_init(struct server_thread *st);
/* After the thread's loop has stopped: what is still to come back is dropped. */
void kyc__offload_thread_fini(struct server_thread *st);
/* Frees the inbox (after kyc__offload_stop: no worker looks at it any more). */
void kyc__offload_inbox_free(struct server_thread *st);

#endif
