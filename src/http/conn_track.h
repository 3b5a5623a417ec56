/* Connection tracking for the server (internal to src/http/server.c).
 *
 * libh2o-evloop 2.2 gives an HTTP/1 server no way to close idle keep-alive
 * connections on shutdown (they stay until their idle timeout) and no write
 * timeout (a client that stops reading holds its connection forever). This
 * module keeps a record per accepted socket, per event-loop thread, that
 * knows whether a request is in flight on it, so the server can close the
 * idle ones on shutdown and the stalled ones at any time. docs/http.md. */
#ifndef KYC_CONN_TRACK_H
#define KYC_CONN_TRACK_H

#include <stddef.h>
#include <stdint.h>

#include <h2o.h>

/* The connections of one event-loop thread; used only on that thread. */
struct kyc_conns {
	h2o_linklist_t list;
	size_t n;
	int io_timeout_ms;
	int h2_requests_per_s;    /* HTTP/2 requests one connection may start a second (0: any) */
	uint64_t stalled_closed; /* connections closed for not reading */
	uint64_t h2_flood_closed; /* HTTP/2 connections closed for starting too many requests */
};

void kyc_conns_init(struct kyc_conns *c, int io_timeout_ms);
/* Hands a freshly accepted socket to h2o (h2o_accept) and tracks it until h2o
 * closes it. Without memory the connection is served untracked. */
void kyc_conns_accept(struct kyc_conns *c, h2o_accept_ctx_t *actx, h2o_socket_t *sock);
/* Marks h's connection busy until h's memory pool is released (after the
 * last byte of the response is handed to the kernel). Call from the handler
 * entry point, once per request. Returns 1 when h is an HTTP/2 request over
 * its connection's budget (h2_requests_per_s, a burst of twice that): the
 * connection is then shut down (h2o closes it) and the caller should answer
 * without doing the work. Each request h2o hands over counts, also those
 * whose stream the client has reset already (the rapid-reset pattern). */
int kyc_conns_request(h2o_req_t *h);
/* The socket of an HTTP/1 or HTTP/2 connection (h2o keeps it private), or
 * NULL when h2o's layout was found not to be what we expect. */
h2o_socket_t *kyc_conns_socket(h2o_conn_t *conn);
/* Shuts down connections with no request in flight and no unread request
 * bytes (idle keep-alive ones); h2o then closes them. Returns how many
 * tracked connections remain open. */
size_t kyc_conns_close_idle(struct kyc_conns *c);
/* Shuts down connections whose response has not progressed (no bytes
 * acknowledged by the peer) for io_timeout_ms. Call a few times a second. */
void kyc_conns_sweep(struct kyc_conns *c);
/* Shuts down every tracked connection (the end of the shutdown grace). */
void kyc_conns_close_all(struct kyc_conns *c);

#endif
