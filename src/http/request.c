/* The request handlers see (kyc_req accessors) and the one response each
 * request gets. Split from server.c, which owns the connection side. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "http/problem.h"
#include "http/server_int.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *kyc__pct_decode(h2o_mem_pool_t *pool, const char *p, size_t n, int plus_space,
		      size_t *outlen)
{
	char *out = h2o_mem_alloc_pool(pool, n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '%' && i + 2 < n && hexval(p[i + 1]) >= 0 && hexval(p[i + 2]) >= 0) {
			out[o++] = (char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
			i += 2;
		} else if (plus_space && p[i] == '+') {
			out[o++] = ' ';
		} else {
			out[o++] = p[i];
		}
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

void kyc__add_header(kyc_req *r, const char *name, size_t nlen, const char *value, size_t vlen)
{
	h2o_req_t *h = r->h;
	char *n = h2o_mem_alloc_pool(&h->pool, nlen);
	char *v = h2o_mem_alloc_pool(&h->pool, vlen + 1);
	for (size_t i = 0; i < nlen; i++)
		n[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32 : name[i]);
	memcpy(v, value, vlen);
	v[vlen] = '\0';
	h2o_add_header_by_str(&h->pool, &h->res.headers, n, nlen, 1, NULL, v, vlen);
}

kyc_str kyc_req_method(const kyc_req *r)
{
	return (kyc_str){r->h->method.base, r->h->method.len};
}

kyc_str kyc_req_path(const kyc_req *r)
{
	size_t plen = r->h->query_at != SIZE_MAX ? r->h->query_at : r->h->path.len;
	return (kyc_str){r->h->path.base, plen};
}

kyc_str kyc_req_authority(const kyc_req *r)
{
	return (kyc_str){r->h->authority.base, r->h->authority.len};
}

void kyc_req_peer(const kyc_req *r, char out[64])
{
	struct sockaddr_storage ss;
	out[0] = '\0';
	if (!r->h->conn->callbacks->get_peername ||
	    r->h->conn->callbacks->get_peername(r->h->conn, (struct sockaddr *)&ss) == 0)
		return;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, out, 64);
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, out, 64);
}

int kyc_req_is_https(const kyc_req *r)
{
	return r->h->scheme == &H2O_URL_SCHEME_HTTPS;
}

kyc_str kyc_req_param(const kyc_req *r, int i)
{
	if (i < 0 || i >= r->nparams)
		return (kyc_str){NULL, 0};
	return r->params[i];
}

int kyc_req_query(kyc_req *r, const char *name, kyc_str *out)
{
	h2o_req_t *h = r->h;
	if (h->query_at == SIZE_MAX)
		return 0;
	const char *q = h->path.base + h->query_at + 1;
	const char *end = h->path.base + h->path.len;
	size_t nlen = strlen(name);
	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *pe = amp ? amp : end;
		const char *eq = memchr(q, '=', (size_t)(pe - q));
		const char *ke = eq ? eq : pe;
		size_t klen;
		char *key = kyc__pct_decode(&h->pool, q, (size_t)(ke - q), 1, &klen);
		if (klen == nlen && !memcmp(key, name, nlen)) {
			const char *vs = eq ? eq + 1 : pe;
			out->ptr = kyc__pct_decode(&h->pool, vs, (size_t)(pe - vs), 1, &out->len);
			return 1;
		}
		q = pe + 1;
	}
	return 0;
}

kyc_str kyc_req_header(const kyc_req *r, const char *name)
{
	/* h2o keeps header names lower-cased (HTTP/2 requires it); callers may
	 * write "Authorization", so lower-case once and search once. */
	char low[64];
	size_t n = strlen(name);
	if (n >= sizeof low)
		return (kyc_str){NULL, 0};
	for (size_t k = 0; k < n; k++)
		low[k] = (char)((name[k] >= 'A' && name[k] <= 'Z') ? name[k] + 32 : name[k]);
	ssize_t i = h2o_find_header_by_str(&r->h->headers, low, n, -1);
	if (i < 0)
		return (kyc_str){NULL, 0};
	return (kyc_str){r->h->headers.entries[i].value.base, r->h->headers.entries[i].value.len};
}

kyc_str kyc_req_body(const kyc_req *r)
{
	if (!r->h->entity.base)
		return (kyc_str){"", 0};
	return (kyc_str){r->h->entity.base, r->h->entity.len};
}

const char *kyc_req_id(const kyc_req *r)
{
	return r->id;
}

void *kyc_req_thread_ctx(const kyc_req *r)
{
	return r->th->tctx;
}

void *kyc_req_app(const kyc_req *r)
{
	return r->th->srv->cfg.app;
}

void *kyc_req_alloc(kyc_req *r, size_t n)
{
	return h2o_mem_alloc_pool(&r->h->pool, n ? n : 1);
}

char *kyc_req_strdup(kyc_req *r, const char *p, size_t n)
{
	char *d = kyc_req_alloc(r, n + 1);
	if (n)
		memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

void kyc_req_set_log_tenant(kyc_req *r, const char *tenant_id)
{
	if (!tenant_id) {
		r->tenant = NULL;
		return;
	}
	/* The log line is JSON written without an encoder: keep only safe bytes. */
	size_t n = strnlen(tenant_id, 64);
	char *t = kyc_req_strdup(r, tenant_id, n);
	for (size_t i = 0; i < n; i++)
		if (t[i] <= ' ' || t[i] > '~' || t[i] == '"' || t[i] == '\\')
			t[i] = '_';
	r->tenant = t;
}

void kyc__add_hsts(kyc_req *r)
{
	/* Browsers keep to https for a year once they have seen it over https. */
	if (kyc_req_is_https(r))
		kyc__add_header(r, H2O_STRLIT("strict-transport-security"),
				H2O_STRLIT("max-age=31536000"));
}

void kyc_req_add_header(kyc_req *r, const char *name, const char *value)
{
	kyc__add_header(r, name, strlen(name), value, strlen(value));
}

/* Bodies are sent in one piece: nothing to pull, nothing to stop. */
static h2o_generator_t whole_body = {NULL, NULL};

static void send_whole(kyc_req *r, int status, const char *content_type, const void *body,
		       size_t len)
{
	h2o_req_t *h = r->h;
	int head = h2o_memis(h->method.base, h->method.len, H2O_STRLIT("HEAD"));
	r->responded = 1;
	r->status = status;
	r->bytes = head ? 0 : len;
	h->res.status = status;
	h->res.reason = kyc_http_status_title(status);
	if (content_type) /* NULL: no content, no type */
		kyc__add_header(r, H2O_STRLIT("content-type"), content_type, strlen(content_type));
	kyc__add_header(r, H2O_STRLIT("x-request-id"), r->id, strlen(r->id));
	kyc__add_header(r, H2O_STRLIT("cache-control"), H2O_STRLIT("no-store"));
	kyc__add_header(r, H2O_STRLIT("x-content-type-options"), H2O_STRLIT("nosniff"));
	kyc__add_hsts(r);
	h->res.content_length = len;
	if (atomic_load_explicit(&r->th->srv->stop, memory_order_relaxed))
		h->http1_is_persistent = 0; /* shutting down: this connection ends here */
	h2o_start_response(h, &whole_body);
	/* h2o 2.2 does not drop the body of a HEAD response by itself. */
	h2o_iovec_t buf = h2o_iovec_init(body, len);
	h2o_send(h, &buf, head || !len ? 0 : 1, H2O_SEND_STATE_FINAL);
}

void kyc_req_respond(kyc_req *r, int status, const char *content_type, const void *body,
		     size_t len)
{
	if (r->responded)
		return;
	char *copy = h2o_mem_alloc_pool(&r->h->pool, len ? len : 1);
	if (len)
		memcpy(copy, body, len);
	send_whole(r, status, content_type, copy, len);
}

static void free_owned(void *p)
{
	free(*(void **)p);
}

void kyc_req_respond_owned(kyc_req *r, int status, const char *content_type, void *body,
			   size_t len)
{
	if (r->responded) {
		free(body);
		return;
	}
	/* Freed when h2o disposes of the request, after the last byte is written. */
	void **hold = h2o_mem_alloc_shared(&r->h->pool, sizeof *hold, free_owned);
	*hold = body;
	send_whole(r, status, content_type, body, len);
}
