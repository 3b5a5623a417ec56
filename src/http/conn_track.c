/* Connection records: see conn_track.h for why they exist. Everything here
 * runs on the connection's own event-loop thread; only layout_bad is shared. */
#include "http/conn_track.h"

#include <linux/tcp.h> /* struct tcp_info with tcpi_bytes_acked (glibc's lacks it) */
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#include "core/log.h"

struct track {
	h2o_linklist_t link;
	struct kyc_conns *owner;
	h2o_socket_t *sock;  /* NULL once h2o has closed it */
	int refs;            /* the socket's, plus one per request not yet released */
	int inflight;        /* requests handed to a handler and not yet released */
	int shut;            /* we already called shutdown(2) on it */
	size_t read_at_idle; /* sock->bytes_read when the last request was released */
	uint64_t acked;      /* the peer's acknowledged bytes at the last check */
	int64_t progress_at; /* when acked last moved */
	double h2_tokens;    /* HTTP/2 request budget (a token bucket) */
	int64_t h2_tokens_at;
};

/* h2o 2.2's HTTP/1 and HTTP/2 connection objects both start with the public
 * h2o_conn_t followed by their socket. That is h2o's private layout, so it is
 * checked on every accept, and tracking stops if it ever does not hold. */
struct conn_head {
	h2o_conn_t super;
	h2o_socket_t *sock;
};

static atomic_int layout_bad;

static int64_t mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void unref(struct track *t)
{
	if (--t->refs == 0)
		free(t);
}

static void on_sock_close(void *p)
{
	struct track *t = p;
	t->sock = NULL;
	h2o_linklist_unlink(&t->link);
	t->owner->n--;
	unref(t);
}

static void on_req_released(void *p)
{
	struct track *t = *(struct track **)p;
	if (--t->inflight == 0 && t->sock)
		t->read_at_idle = t->sock->bytes_read;
	unref(t);
}

static uint64_t bytes_acked(h2o_socket_t *sock)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;
	memset(&ti, 0, sizeof ti);
	if (getsockopt(h2o_socket_get_fd(sock), IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
		return 0;
	return ti.tcpi_bytes_acked;
}

/* h2o notices on its next read or write and closes the connection itself. */
static void shut(struct track *t)
{
	if (t->shut || !t->sock)
		return;
	t->shut = 1;
	shutdown(h2o_socket_get_fd(t->sock), SHUT_RDWR);
}

void kyc_conns_init(struct kyc_conns *c, int io_timeout_ms)
{
	memset(c, 0, sizeof *c);
	h2o_linklist_init_anchor(&c->list);
	c->io_timeout_ms = io_timeout_ms;
}

void kyc_conns_accept(struct kyc_conns *c, h2o_accept_ctx_t *actx, h2o_socket_t *sock)
{
	struct track *t = atomic_load_explicit(&layout_bad, memory_order_relaxed)
				  ? NULL
				  : calloc(1, sizeof *t);
	if (!t) {
		h2o_accept(actx, sock);
		return;
	}
	t->owner = c;
	t->sock = sock;
	t->refs = 2; /* the socket's, and ours until h2o_accept returns */
	sock->on_close.cb = on_sock_close;
	sock->on_close.data = t;
	h2o_linklist_insert(&c->list, &t->link);
	c->n++;
	h2o_accept(actx, sock);
	/* With TLS, h2o_accept returns with the handshake still under way and
	 * sock->data is h2o's accept state, not yet a connection: nothing to
	 * check then (the connection it makes later has the same layout). */
	if (t->sock && !t->sock->ssl && t->sock->data &&
	    ((struct conn_head *)t->sock->data)->sock != t->sock) {
		atomic_store(&layout_bad, 1);
		kyc_logf(KYC_LOG_WARN, "h2o connection layout not as expected: idle connections "
				       "will not be closed early on shutdown");
	}
	unref(t);
}

h2o_socket_t *kyc_conns_socket(h2o_conn_t *conn)
{
	if (!conn || atomic_load_explicit(&layout_bad, memory_order_relaxed))
		return NULL;
	return ((struct conn_head *)conn)->sock;
}

/* 1 when an HTTP/2 connection has started more requests than its budget. */
static int h2_over_budget(struct track *t, const h2o_req_t *h)
{
	int rate = t->owner->h2_requests_per_s;
	if (rate <= 0 || h->version < 0x200)
		return 0;
	int64_t now = mono_ms();
	double burst = 2.0 * rate;
	if (!t->h2_tokens_at)
		t->h2_tokens = burst;
	else if (now > t->h2_tokens_at)
		t->h2_tokens += (double)(now - t->h2_tokens_at) * rate / 1000.0;
	if (t->h2_tokens > burst)
		t->h2_tokens = burst;
	t->h2_tokens_at = now;
	if (t->h2_tokens < 1)
		return 1;
	t->h2_tokens -= 1;
	return 0;
}

int kyc_conns_request(h2o_req_t *h)
{
	if (atomic_load_explicit(&layout_bad, memory_order_relaxed))
		return 0;
	h2o_socket_t *sock = ((struct conn_head *)h->conn)->sock;
	if (!sock || sock->on_close.cb != on_sock_close)
		return 0;
	struct track *t = sock->on_close.data;
	if (t->sock != sock)
		return 0;
	int over = h2_over_budget(t, h);
	if (over && !t->shut) {
		t->owner->h2_flood_closed++;
		shut(t);
	}
	struct track **hold = h2o_mem_alloc_shared(&h->pool, sizeof *hold, on_req_released);
	*hold = t;
	t->refs++;
	/* No getsockopt() here, on every request: the sweep reads the acked
	 * count; a first reading that differs from 0 counts as progress, which
	 * delays the cut by at most one sweep. */
	if (t->inflight++ == 0) {
		t->progress_at = mono_ms();
		t->acked = 0;
	}
	return over;
}

/* Bytes that have arrived but h2o has not read yet (its loop may have been
 * busy in a handler): such a connection is not idle, a request is coming. */
static int unread_in_kernel(h2o_socket_t *sock)
{
	int n = 0;
	return ioctl(h2o_socket_get_fd(sock), FIONREAD, &n) == 0 && n > 0;
}

size_t kyc_conns_close_idle(struct kyc_conns *c)
{
	for (h2o_linklist_t *l = c->list.next; l != &c->list; l = l->next) {
		struct track *t = H2O_STRUCT_FROM_MEMBER(struct track, link, l);
		if (t->sock && t->inflight == 0 && (!t->sock->input || t->sock->input->size == 0) &&
		    t->sock->bytes_read == t->read_at_idle && !unread_in_kernel(t->sock))
			shut(t);
	}
	return c->n;
}

void kyc_conns_sweep(struct kyc_conns *c)
{
	int64_t now = mono_ms();
	for (h2o_linklist_t *l = c->list.next; l != &c->list; l = l->next) {
		struct track *t = H2O_STRUCT_FROM_MEMBER(struct track, link, l);
		if (!t->sock || t->inflight == 0 || t->shut)
			continue;
		uint64_t a = bytes_acked(t->sock);
		if (a != t->acked) {
			t->acked = a;
			t->progress_at = now;
		} else if (now - t->progress_at > c->io_timeout_ms) {
			c->stalled_closed++;
			shut(t);
		}
	}
}

void kyc_conns_close_all(struct kyc_conns *c)
{
	for (h2o_linklist_t *l = c->list.next; l != &c->list; l = l->next)
		shut(H2O_STRUCT_FROM_MEMBER(struct track, link, l));
}
