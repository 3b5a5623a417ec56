#include "whrecv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define REQ_MAX (8u << 20)

struct conn {
	struct conn *prev, *next; /* every open connection, to free them at stop */
	int fd;
	SSL *ssl; /* NULL for plain HTTP */
	char *buf;
	size_t len, cap;
	int hung; /* answered nothing; waits for the peer to give up */
	int64_t respond_at; /* WHRECV_SLOW: when to send the 204 (0: nothing owed) */
	char owed_id[64];
};

struct idset {
	char (*ids)[64];
	unsigned char *state; /* 0 empty, 1 seen, 2 seen and answered 2xx */
	size_t cap, n, ok;
};

struct whrecv {
	int lfd, efd, wfd, port, keep;
	SSL_CTX *tls; /* NULL for plain HTTP */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	struct conn *conns;
	enum whrecv_mode mode;
	int delay_ms;
	char secrets[2][128];
	struct whrecv_msg *msgs;
	int nmsgs, capmsgs, nvalid;
	int accepted; /* connections accepted (keep-alive reuse shows as few) */
	struct idset ids;
};

/* ---- the signature, as a customer's receiver checks it ---- */

int whrecv_verify(const char *secret, const char *id, const char *timestamp, const void *body,
		  size_t len, const char *header)
{
	if (!secret || strncmp(secret, "whsec_", 6) != 0 || !header)
		return 0;
	const char *b64 = secret + 6;
	size_t bl = strlen(b64);
	unsigned char key[96];
	if (bl == 0 || bl % 4 || bl > 128)
		return 0;
	int klen = EVP_DecodeBlock(key, (const unsigned char *)b64, (int)bl);
	if (klen < 0)
		return 0;
	klen -= (b64[bl - 1] == '=') + (bl > 1 && b64[bl - 2] == '=');
	/* HMAC-SHA256 over "id.timestamp.body" */
	size_t hl = strlen(id) + strlen(timestamp) + 2;
	unsigned char *msg = malloc(hl + len);
	if (!msg)
		return 0;
	snprintf((char *)msg, hl + 1, "%s.%s.", id, timestamp);
	memcpy(msg + hl, body, len);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	int ok = HMAC(EVP_sha256(), key, klen, msg, hl + len, mac, &maclen) != NULL;
	free(msg);
	char want[64];
	if (!ok || maclen != 32)
		return 0;
	EVP_EncodeBlock((unsigned char *)want, mac, 32);
	/* any of the space-separated "v1,<sig>" entries */
	for (const char *p = header; *p;) {
		while (*p == ' ')
			p++;
		const char *e = strchr(p, ' ');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 3 + strlen(want) && !strncmp(p, "v1,", 3) &&
		    CRYPTO_memcmp(p + 3, want, strlen(want)) == 0)
			return 1;
		p += n;
	}
	return 0;
}

/* ---- bookkeeping ---- */

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int idset_grow(struct idset *t)
{
	size_t cap = t->cap ? t->cap * 2 : 1024;
	char(*ids)[64] = calloc(cap, 64);
	unsigned char *st = calloc(cap, 1);
	if (!ids || !st) {
		free(ids);
		free(st);
		return -1;
	}
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->state[i])
			continue;
		size_t j = hash(t->ids[i]) & (cap - 1);
		while (st[j])
			j = (j + 1) & (cap - 1);
		memcpy(ids[j], t->ids[i], 64);
		st[j] = t->state[i];
	}
	free(t->ids);
	free(t->state);
	t->ids = ids;
	t->state = st;
	t->cap = cap;
	return 0;
}

static void idset_note(struct idset *t, const char *id, int ok)
{
	if ((t->n + 1) * 2 > t->cap && idset_grow(t))
		return;
	size_t j = hash(id) & (t->cap - 1);
	while (t->state[j] && strcmp(t->ids[j], id))
		j = (j + 1) & (t->cap - 1);
	if (!t->state[j]) {
		snprintf(t->ids[j], 64, "%s", id);
		t->state[j] = 1;
		t->n++;
	}
	if (ok && t->state[j] == 1) {
		t->state[j] = 2;
		t->ok++;
	}
}

/* ---- HTTP ---- */

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *header_value(const char *head, size_t hlen, const char *name, char *out,
				size_t outsz)
{
	size_t nl = strlen(name);
	out[0] = '\0';
	for (const char *p = memchr(head, '\n', hlen); p && p < head + hlen; p = memchr(p, '\n', (size_t)(head + hlen - p))) {
		p++;
		if ((size_t)(head + hlen - p) > nl + 1 && !strncasecmp(p, name, nl) && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (*v == ' ')
				v++;
			const char *e = v;
			while (e < head + hlen && *e != '\r' && *e != '\n')
				e++;
			size_t n = (size_t)(e - v) < outsz - 1 ? (size_t)(e - v) : outsz - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return out;
		}
	}
	return NULL;
}

static void send_all(struct conn *c, const char *p, size_t n)
{
	while (n) {
		if (c->ssl) {
			/* small answers on loopback: a busy retry is fine here */
			int w = SSL_write(c->ssl, p, (int)n);
			if (w <= 0) {
				int e = SSL_get_error(c->ssl, w);
				if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
					continue;
				return;
			}
			p += w;
			n -= (size_t)w;
			continue;
		}
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the peer went away; the next read sees it */
		p += w;
		n -= (size_t)w;
	}
}

/* Handles every complete request in c's buffer. 0, or -1 to close. */
static int serve(struct whrecv *r, struct conn *c)
{
	for (;;) {
		char *end = c->len >= 4 ? memmem(c->buf, c->len, "\r\n\r\n", 4) : NULL;
		if (!end)
			return c->len < 65536 ? 0 : -1;
		size_t hlen = (size_t)(end - c->buf) + 4;
		char v[256], sig[512], id[64], ts[32], path[128] = "";
		long clen = header_value(c->buf, hlen, "content-length", v, sizeof v) ? strtol(v, NULL, 10) : 0;
		if (clen < 0 || (size_t)clen > REQ_MAX)
			return -1;
		if (c->len < hlen + (size_t)clen)
			return 0;
		sscanf(c->buf, "%*s %127s", path);
		header_value(c->buf, hlen, "webhook-id", id, sizeof id);
		header_value(c->buf, hlen, "webhook-timestamp", ts, sizeof ts);
		header_value(c->buf, hlen, "webhook-signature", sig, sizeof sig);
		const char *body = c->buf + hlen;
		pthread_mutex_lock(&r->mu);
		enum whrecv_mode mode = r->mode;
		char s1[128], s2[128];
		memcpy(s1, r->secrets[0], sizeof s1);
		memcpy(s2, r->secrets[1], sizeof s2);
		pthread_mutex_unlock(&r->mu);
		int valid = whrecv_verify(s1, id, ts, body, (size_t)clen, sig) ||
			    (s2[0] && whrecv_verify(s2, id, ts, body, (size_t)clen, sig));
		int status = mode == WHRECV_OK || mode == WHRECV_SLOW ? 204
			     : mode == WHRECV_FAIL			  ? 500
			     : mode == WHRECV_REDIRECT		  ? 302
								  : 0;
		pthread_mutex_lock(&r->mu);
		if (r->nmsgs == r->capmsgs) {
			int cap = r->capmsgs ? r->capmsgs * 2 : 256;
			struct whrecv_msg *m = realloc(r->msgs, (size_t)cap * sizeof *m);
			if (m) {
				r->msgs = m;
				r->capmsgs = cap;
			}
		}
		if (r->nmsgs < r->capmsgs) {
			struct whrecv_msg *m = &r->msgs[r->nmsgs++];
			memset(m, 0, sizeof *m);
			snprintf(m->id, sizeof m->id, "%s", id);
			snprintf(m->path, sizeof m->path, "%s", path);
			m->timestamp = strtoll(ts, NULL, 10);
			snprintf(m->signature, sizeof m->signature, "%s", sig);
			m->valid = valid;
			m->answered = status;
			m->body_len = (size_t)clen;
			if (r->keep && (m->body = malloc((size_t)clen + 1))) {
				memcpy(m->body, body, (size_t)clen);
				m->body[clen] = '\0';
			}
		}
		r->nvalid += valid;
		/* a delayed answer counts when it is sent (the sender may die first) */
		idset_note(&r->ids, id, status == 204 && mode != WHRECV_SLOW);
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		memmove(c->buf, c->buf + hlen + clen, c->len - hlen - (size_t)clen);
		c->len -= hlen + (size_t)clen;
		if (status == 0) {
			c->hung = 1;
			return 0;
		}
		if (mode == WHRECV_SLOW) {
			pthread_mutex_lock(&r->mu);
			c->respond_at = mono_ms() + r->delay_ms;
			pthread_mutex_unlock(&r->mu);
			snprintf(c->owed_id, sizeof c->owed_id, "%s", id);
			return 0; /* the rest of the buffer waits for the answer */
		}
		static const char ok[] = "HTTP/1.1 204 No Content\r\n\r\n";
		static const char fail[] = "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n"
					   "Content-Length: 16\r\n\r\nreceiver is down";
		static const char redir[] = "HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n";
		const char *a = status == 204 ? ok : status == 500 ? fail : redir;
		send_all(c, a, strlen(a));
	}
}

static void conn_close(struct whrecv *r, struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		r->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	epoll_ctl(r->efd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	SSL_free(c->ssl);
	free(c->buf);
	free(c);
}

static void *recv_main(void *arg)
{
	struct whrecv *r = arg;
	struct epoll_event evs[64];
	for (;;) {
		int timeout = 200;
		int64_t t = mono_ms();
		for (struct conn *c = r->conns; c; c = c->next)
			if (c->respond_at && c->respond_at - t < timeout)
				timeout = c->respond_at > t ? (int)(c->respond_at - t) : 0;
		int n = epoll_wait(r->efd, evs, 64, timeout);
		pthread_mutex_lock(&r->mu);
		int stop = r->stop;
		pthread_mutex_unlock(&r->mu);
		if (stop)
			break;
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == NULL) { /* the listener */
				int fd;
				while ((fd = accept4(r->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					struct conn *c = calloc(1, sizeof *c);
					if (!c) {
						close(fd);
						continue;
					}
					int one = 1;
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
					c->fd = fd;
					pthread_mutex_lock(&r->mu);
					r->accepted++;
					pthread_mutex_unlock(&r->mu);
					if (r->tls && (c->ssl = SSL_new(r->tls))) {
						SSL_set_fd(c->ssl, fd);
						SSL_set_accept_state(c->ssl);
					}
					c->next = r->conns;
					if (r->conns)
						r->conns->prev = c;
					r->conns = c;
					struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
					epoll_ctl(r->efd, EPOLL_CTL_ADD, fd, &ev);
				}
				continue;
			}
			if (evs[i].data.ptr == (void *)r) /* the wake-up */
				continue;
			struct conn *c = evs[i].data.ptr;
			int closed = 0;
			for (;;) {
				if (c->cap - c->len < 65536) {
					size_t cap = c->cap ? c->cap * 2 : 131072;
					char *b = cap <= REQ_MAX * 2 ? realloc(c->buf, cap) : NULL;
					if (!b) {
						closed = 1;
						break;
					}
					c->buf = b;
					c->cap = cap;
				}
				if (c->ssl) {
					int got = SSL_read(c->ssl, c->buf + c->len, (int)(c->cap - c->len));
					if (got > 0) {
						c->len += (size_t)got;
						continue;
					}
					int e = SSL_get_error(c->ssl, got);
					if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
						break;
					closed = 1;
					break;
				}
				ssize_t got = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
				if (got > 0) {
					c->len += (size_t)got;
					continue;
				}
				if (got < 0 && (errno == EAGAIN || errno == EINTR))
					break;
				closed = 1;
				break;
			}
			if (closed || (!c->hung && !c->respond_at && serve(r, c) < 0))
				conn_close(r, c);
		}
		/* delayed answers that are due */
		int64_t now = mono_ms();
		for (struct conn *c = r->conns, *next; c; c = next) {
			next = c->next;
			if (!c->respond_at || c->respond_at > now)
				continue;
			static const char ok[] = "HTTP/1.1 204 No Content\r\n\r\n";
			send_all(c, ok, strlen(ok));
			c->respond_at = 0;
			pthread_mutex_lock(&r->mu);
			idset_note(&r->ids, c->owed_id, 1);
			pthread_cond_broadcast(&r->cv);
			pthread_mutex_unlock(&r->mu);
			if (serve(r, c) < 0)
				conn_close(r, c);
		}
	}
	return NULL;
}

static int add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX c;
	X509V3_set_ctx_nodb(&c);
	X509V3_set_ctx(&c, x, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &c, nid, value);
	if (!e)
		return -1;
	int ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok ? 0 : -1;
}

/* A TLS context with a self-signed certificate for localhost and 127.0.0.1,
 * whose PEM is written to ca_path for the client to trust. */
static SSL_CTX *tls_context(const char *ca_path)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	SSL_CTX *ctx = NULL;
	FILE *f = NULL;
	if (!key || !x)
		goto out;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)time(NULL));
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
	X509_set_pubkey(x, key);
	X509_NAME *nm = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)"whrecv", -1, -1, 0);
	X509_set_issuer_name(x, nm);
	if (add_ext(x, NID_basic_constraints, "critical,CA:TRUE") ||
	    add_ext(x, NID_subject_key_identifier, "hash") ||
	    add_ext(x, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1") ||
	    !X509_sign(x, key, EVP_sha256()) || !(f = fopen(ca_path, "w")) || !PEM_write_X509(f, x))
		goto out;
	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx && (SSL_CTX_use_certificate(ctx, x) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1)) {
		SSL_CTX_free(ctx);
		ctx = NULL;
	}
out:
	if (f)
		fclose(f);
	X509_free(x);
	EVP_PKEY_free(key);
	return ctx;
}

static struct whrecv *start(int keep_bodies, SSL_CTX *tls)
{
	struct whrecv *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->keep = keep_bodies;
	r->tls = tls;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	r->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	int one = 1;
	setsockopt(r->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (r->lfd < 0 || bind(r->lfd, (struct sockaddr *)&a, sizeof a) || listen(r->lfd, 1024) ||
	    getsockname(r->lfd, (struct sockaddr *)&a, &al))
		goto fail;
	r->port = ntohs(a.sin_port);
	r->efd = epoll_create1(EPOLL_CLOEXEC);
	r->wfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct epoll_event le = {.events = EPOLLIN, .data.ptr = NULL};
	struct epoll_event we = {.events = EPOLLIN, .data.ptr = r};
	if (r->efd < 0 || r->wfd < 0 || epoll_ctl(r->efd, EPOLL_CTL_ADD, r->lfd, &le) ||
	    epoll_ctl(r->efd, EPOLL_CTL_ADD, r->wfd, &we))
		goto fail;
	if (pthread_create(&r->th, NULL, recv_main, r) != 0)
		goto fail;
	return r;
fail:
	if (r->lfd >= 0)
		close(r->lfd);
	free(r);
	return NULL;
}

struct whrecv *whrecv_start(int keep_bodies)
{
	return start(keep_bodies, NULL);
}

struct whrecv *whrecv_start_tls(int keep_bodies, const char *ca_path)
{
	SSL_CTX *ctx = tls_context(ca_path);
	struct whrecv *r = ctx ? start(keep_bodies, ctx) : NULL;
	if (!r)
		SSL_CTX_free(ctx);
	return r;
}

int whrecv_port(const struct whrecv *r)
{
	return r->port;
}

void whrecv_stop(struct whrecv *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->mu);
	r->stop = 1;
	pthread_mutex_unlock(&r->mu);
	uint64_t one = 1;
	if (write(r->wfd, &one, sizeof one) < 0)
		perror("whrecv: wake");
	pthread_join(r->th, NULL);
	while (r->conns)
		conn_close(r, r->conns);
	close(r->efd);
	close(r->wfd);
	close(r->lfd);
	SSL_CTX_free(r->tls);
	for (int i = 0; i < r->nmsgs; i++)
		free(r->msgs[i].body);
	free(r->msgs);
	free(r->ids.ids);
	free(r->ids.state);
	free(r);
}

void whrecv_set_secrets(struct whrecv *r, const char *s1, const char *s2)
{
	pthread_mutex_lock(&r->mu);
	snprintf(r->secrets[0], sizeof r->secrets[0], "%s", s1 ? s1 : "");
	snprintf(r->secrets[1], sizeof r->secrets[1], "%s", s2 ? s2 : "");
	pthread_mutex_unlock(&r->mu);
}

void whrecv_set_delay(struct whrecv *r, int ms)
{
	pthread_mutex_lock(&r->mu);
	r->delay_ms = ms;
	pthread_mutex_unlock(&r->mu);
}

void whrecv_set_mode(struct whrecv *r, enum whrecv_mode m)
{
	pthread_mutex_lock(&r->mu);
	r->mode = m;
	pthread_mutex_unlock(&r->mu);
}

int whrecv_count(struct whrecv *r)
{
	pthread_mutex_lock(&r->mu);
	int n = r->nmsgs;
	pthread_mutex_unlock(&r->mu);
	return n;
}

int whrecv_accepted(struct whrecv *r)
{
	pthread_mutex_lock(&r->mu);
	int n = r->accepted;
	pthread_mutex_unlock(&r->mu);
	return n;
}

int whrecv_valid(struct whrecv *r)
{
	pthread_mutex_lock(&r->mu);
	int n = r->nvalid;
	pthread_mutex_unlock(&r->mu);
	return n;
}

int whrecv_get(struct whrecv *r, int i, struct whrecv_msg *out)
{
	int rc = -1;
	pthread_mutex_lock(&r->mu);
	if (i >= 0 && i < r->nmsgs) {
		*out = r->msgs[i];
		out->body = NULL;
		if (r->msgs[i].body && (out->body = malloc(r->msgs[i].body_len + 1)))
			memcpy(out->body, r->msgs[i].body, r->msgs[i].body_len + 1);
		rc = 0;
	}
	pthread_mutex_unlock(&r->mu);
	return rc;
}

int whrecv_distinct(struct whrecv *r, int *answered_ok)
{
	pthread_mutex_lock(&r->mu);
	int n = (int)r->ids.n;
	if (answered_ok)
		*answered_ok = (int)r->ids.ok;
	pthread_mutex_unlock(&r->mu);
	return n;
}

/* Waits on the condition variable until pred(r) >= n or the deadline. */
static int wait_for(struct whrecv *r, int n, int timeout_ms, int distinct_ok)
{
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += timeout_ms / 1000;
	dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&r->mu);
	for (;;) {
		int have = distinct_ok ? (int)r->ids.ok : r->nmsgs;
		if (have >= n || pthread_cond_timedwait(&r->cv, &r->mu, &dl) == ETIMEDOUT) {
			have = distinct_ok ? (int)r->ids.ok : r->nmsgs;
			pthread_mutex_unlock(&r->mu);
			return have;
		}
	}
}

int whrecv_wait(struct whrecv *r, int n, int timeout_ms)
{
	return wait_for(r, n, timeout_ms, 0);
}

int whrecv_wait_distinct_ok(struct whrecv *r, int n, int timeout_ms)
{
	return wait_for(r, n, timeout_ms, 1);
}
