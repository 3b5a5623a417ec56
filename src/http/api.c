#include "http/api.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "flows/apikey.h"
#include "flows/workflow.h"
#include "http/api_cache.h"
#include "http/metrics.h"
#include "http/problem.h"
#include "json/write.h"


/* Sends and, when this call is the first of an idempotent POST, records the
 * response so a retry with the same key gets the same answer. Server errors
 * are not recorded: a retry may succeed. */
static void api_send(struct api_call *c, int status, const char *ctype, const void *body,
		     size_t len)
{
	if (c->idem_key && status < 500) {
		struct kyc_idem_row row = {0};
		memcpy(row.request_hash, c->idem_hash, sizeof row.request_hash);
		row.status = status;
		snprintf(row.content_type, sizeof row.content_type, "%s", ctype);
		row.body = (char *)body;
		row.body_len = len;
		row.created_at = kyc_now_ms();
		if (kyc_store_idem_put(c->store, c->tenant_id, c->idem_key, &row) != 0) {
			kyc_metrics_store_error();
			kyc_logf(KYC_LOG_ERROR, "idempotency record not saved: %s",
				 kyc_store_errmsg(c->store));
		}
		c->idem_key = NULL;
	}
	kyc_req_respond(c->req, status, ctype, body, len);
}

/* An answer is built in memory before it is written out; this only bounds
 * a bug (answers with images in them run to a few MB). */
#define API_JSON_MAX ((size_t)1 << 30)

static void json_send(struct api_call *c, int status, json_t *body, const struct api_keep *k,
		      int64_t fresh_until_ms)
{
	/* json_dumps' bytes, written faster (src/json/write.h) */
	kyc_buf txt;
	kyc_buf_init(&txt, API_JSON_MAX);
	int rc = body ? kyc_json_write(body, &txt) : KYC_ERR_INVALID;
	json_decref(body);
	if (rc) {
		kyc_buf_release(&txt);
		kyc_problem(c->req, 500, "internal_error", NULL, "could not encode the response");
		return;
	}
	struct kyc_thread *th = kyc_req_thread_ctx(c->req);
	if (k && k->ok && th && th->cache)
		kyc_api_cache_put(th->cache, k->key, k->stamp, k->have_tok ? &k->tok : NULL,
				  fresh_until_ms, txt.data, txt.len);
	api_send(c, status, "application/json", txt.data, txt.len);
	kyc_buf_release(&txt);
}

void api_json(struct api_call *c, int status, json_t *body)
{
	json_send(c, status, body, NULL, 0);
}

void api_json_keep(struct api_call *c, json_t *body, const struct api_keep *k,
		   int64_t fresh_until_ms)
{
	json_send(c, 200, body, k, fresh_until_ms);
}

int api_keep_begin(struct api_call *c, struct api_keep *k, const char *kind, const char *id,
		   api_stamp_fn stamp)
{
	struct kyc_thread *th = kyc_req_thread_ctx(c->req);
	const void *body;
	size_t len;
	k->ok = 0;
	if (!th || !th->cache)
		return 0;
	int n = snprintf(k->key, sizeof k->key, "%s/%s/%s", c->tenant_id, kind, id);
	if (n < 0 || (size_t)n >= sizeof k->key)
		return 0;
	int64_t now = kyc_now_ms();
	k->have_tok = kyc_store_token(c->store, &k->tok) == 0;
	int hit = k->have_tok &&
		  kyc_api_cache_get(th->cache, k->key, NULL, &k->tok, now, &body, &len);
	if (!hit) {
		if (stamp(c->store, c->tenant_id, id, k->stamp, sizeof k->stamp))
			return 0;
		k->ok = 1;
		hit = kyc_api_cache_get(th->cache, k->key, k->stamp, k->have_tok ? &k->tok : NULL,
					now, &body, &len);
	}
	if (hit)
		api_send(c, 200, "application/json", body, len);
	return hit;
}

/* The same problem shape as kyc_problem, sent through api_send so that an
 * idempotent POST records its error answer too. */
void api_problem(struct api_call *c, int status, const char *code, const char *field,
		 const char *fmt, ...)
{
	char detail[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	if (c->shape) {
		c->shape(c, status, code, field, detail);
		return;
	}
	json_t *p = kyc_problem_json(status, code, field, detail, kyc_req_id(c->req));
	char *txt = p ? json_dumps(p, JSON_COMPACT) : NULL;
	json_decref(p);
	if (!txt) {
		kyc_problem(c->req, 500, "internal_error", NULL, "out of memory");
		return;
	}
	api_send(c, status, "application/problem+json", txt, strlen(txt));
	free(txt);
}

void api_jerr(struct api_call *c, const struct kyc_jerr *e)
{
	api_problem(c, e->status ? e->status : 422, e->code, e->field, "%s", e->detail);
}

void api_store_error(struct api_call *c, int rc, const char *what)
{
	if (rc == KYC_ERR_NOTFOUND) {
		api_problem(c, 404, "not_found", NULL, "no such %s", what);
		return;
	}
	if (rc == KYC_ERR_CONFLICT) {
		api_problem(c, 409, "conflict", NULL, "the %s was changed concurrently or already exists; retry", what);
		return;
	}
	kyc_metrics_store_error();
	kyc_logf(KYC_LOG_ERROR, "store error (%s) on %s: %s", kyc_err_name(rc), what,
		 kyc_store_errmsg(c->store));
	api_problem(c, rc == KYC_ERR_TIMEOUT ? 503 : 500, "store_error", NULL,
		    "the %s could not be read or written; nothing was changed", what);
}

void api_bytes(struct api_call *c, int status, const char *content_type, void *body, size_t len)
{
	kyc_req_respond_owned(c->req, status, content_type, body, len);
}

json_t *api_body_object(struct api_call *c)
{
	kyc_str ct = kyc_req_header(c->req, "content-type");
	if (!ct.ptr || ct.len < 16 || strncasecmp(ct.ptr, "application/json", 16) != 0) {
		api_problem(c, 415, "unsupported_media_type", NULL,
			    "send the body as application/json");
		return NULL;
	}
	kyc_str body = kyc_req_body(c->req);
	json_t *obj;
	struct kyc_jerr e;
	if (kyc_jv_parse_object(body.ptr, body.len, &obj, &e)) {
		api_jerr(c, &e);
		return NULL;
	}
	return obj;
}

const char *api_param(struct api_call *c, int i)
{
	kyc_str p = kyc_req_param(c->req, i);
	return kyc_req_strdup(c->req, p.ptr ? p.ptr : "", p.ptr ? p.len : 0);
}

static int page_params(struct api_call *c, int *limit, const char **cursor)
{
	kyc_str v;
	*limit = 20;
	*cursor = "";
	if (kyc_req_query(c->req, "limit", &v)) {
		char *end;
		long n = strtol(v.ptr, &end, 10);
		if (v.len == 0 || *end != '\0' || n < 1 || n > 100) {
			api_problem(c, 400, "invalid_query", "limit",
				    "limit must be an integer from 1 to 100");
			return -1;
		}
		*limit = (int)n;
	}
	if (kyc_req_query(c->req, "cursor", &v)) {
		if (v.len > 120) {
			api_problem(c, 400, "invalid_cursor", "cursor", "the cursor is not valid");
			return -1;
		}
		*cursor = v.ptr;
	}
	return 0;
}

static void send_list(struct api_call *c, enum kyc_rtype t, json_t *filter,
		      json_t *(*render)(const json_t *rec), const char *what, int asc)
{
	int limit;
	const char *cursor;
	struct kyc_store_page pg;
	if (page_params(c, &limit, &cursor)) {
		json_decref(filter);
		return;
	}
	int rc = asc ? kyc_store_list_asc(c->store, t, c->tenant_id, filter, cursor, limit, &pg)
		     : kyc_store_list(c->store, t, c->tenant_id, filter, cursor, limit, &pg);
	json_decref(filter);
	if (rc == KYC_ERR_INVALID) {
		api_problem(c, 400, "invalid_cursor", "cursor", "the cursor is not valid");
		return;
	}
	if (rc) {
		api_store_error(c, rc, what);
		return;
	}
	json_t *items = json_array();
	size_t i;
	json_t *it;
	json_array_foreach(pg.items, i, it)
	{
		json_array_append_new(items, render(it));
	}
	json_decref(pg.items);
	int more = pg.next_cursor[0] != '\0';
	api_json(c, 200, json_pack("{s:s, s:o, s:b, s:o}", "object", "list", "data", items,
				   "has_more", more, "next_cursor",
				   more ? json_string(pg.next_cursor) : json_null()));
}

void api_send_list(struct api_call *c, enum kyc_rtype t, json_t *filter,
		   json_t *(*render)(const json_t *rec), const char *what)
{
	send_list(c, t, filter, render, what, 0);
}

void api_send_list_asc(struct api_call *c, enum kyc_rtype t, json_t *filter,
		       json_t *(*render)(const json_t *rec), const char *what)
{
	send_list(c, t, filter, render, what, 1);
}

/* The key from "x-api-key: K", "Authorization: Bearer K" or, as seed 000
 * sends it, "Authorization: K". */
static kyc_str presented_key(kyc_req *r)
{
	kyc_str k = kyc_req_header(r, "x-api-key");
	if (k.ptr && k.len)
		return k;
	k = kyc_req_header(r, "authorization");
	if (!k.ptr)
		return k;
	if (k.len > 7 && !strncasecmp(k.ptr, "bearer ", 7)) {
		k.ptr += 7;
		k.len -= 7;
	}
	while (k.len && (*k.ptr == ' ' || *k.ptr == '\t')) {
		k.ptr++;
		k.len--;
	}
	while (k.len && (k.ptr[k.len - 1] == ' ' || k.ptr[k.len - 1] == '\t'))
		k.len--;
	return k;
}

static int authenticate(struct api_call *c)
{
	kyc_str key = presented_key(c->req);
	if (!key.ptr || key.len == 0) {
		kyc_req_add_header(c->req, "WWW-Authenticate", "Bearer");
		api_problem(c, 401, "unauthenticated", NULL,
			    "send an API key as 'Authorization: Bearer KEY' or 'x-api-key: KEY'");
		return -1;
	}
	int rc = kyc_apikey_verify(c->store, key.ptr, key.len, c->tenant_id, c->role);
	if (rc == KYC_ERR_DENIED) {
		kyc_req_add_header(c->req, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
		api_problem(c, 401, "invalid_api_key", NULL,
			    "the API key is not valid or has been revoked");
		return -1;
	}
	if (rc) {
		api_store_error(c, rc, "API key");
		return -1;
	}
	kyc_req_set_log_tenant(c->req, c->tenant_id);
	/* The key's public id ("kyc_<12 hex>"), never its secret part. */
	size_t idlen = 0;
	while (idlen < key.len && idlen < 16 && !(idlen > 4 && key.ptr[idlen] == '_'))
		idlen++;
	snprintf(c->actor, sizeof c->actor, "key:%.*s", (int)idlen, key.ptr);
	return 0;
}

void api_flow(struct api_call *c, struct kyc_flow *f)
{
	*f = (struct kyc_flow){
		.store = c->store,
		.tenant_id = c->tenant_id,
		.actor = c->actor,
		.data_dir = c->app->data_dir,
		.max_image_bytes = c->app->max_image_bytes,
		.max_image_pixels = c->app->max_image_pixels,
		.default_ttl_ms = c->app->verification_ttl_ms,
		.callback_policy = api_webhook_policy(c),
		.face = c->app->face,
	};
}

struct kyc_webhook_policy api_webhook_policy(const struct api_call *c)
{
	return (struct kyc_webhook_policy){.allow_http = c->app->webhook_allow_http,
					   .allow_loopback = c->app->webhook_allow_loopback};
}

static int idem_key_valid(kyc_str k)
{
	if (k.len == 0 || k.len > 255)
		return 0;
	for (size_t i = 0; i < k.len; i++)
		if (!isprint((unsigned char)k.ptr[i]))
			return 0;
	return 1;
}

/* Returns 1 when the request was answered from a stored response. */
static int idempotency_begin(struct api_call *c)
{
	kyc_str k = kyc_req_header(c->req, "idempotency-key");
	if (!k.ptr)
		return 0;
	if (!idem_key_valid(k)) {
		api_problem(c, 400, "invalid_idempotency_key", "Idempotency-Key",
			    "Idempotency-Key must be 1-255 printable characters");
		return 1;
	}
	kyc_str m = kyc_req_method(c->req), p = kyc_req_path(c->req), b = kyc_req_body(c->req);
	kyc_str ct = kyc_req_header(c->req, "content-type");
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		api_problem(c, 500, "internal_error", NULL, "hashing failed");
		return 1;
	}
	/* method, path, content type and body: the same key with any other request is a misuse. */
	EVP_DigestUpdate(md, m.ptr, m.len);
	EVP_DigestUpdate(md, "\n", 1);
	EVP_DigestUpdate(md, p.ptr, p.len);
	EVP_DigestUpdate(md, "\n", 1);
	if (ct.ptr)
		EVP_DigestUpdate(md, ct.ptr, ct.len);
	EVP_DigestUpdate(md, "\n", 1);
	if (b.len)
		EVP_DigestUpdate(md, b.ptr, b.len);
	EVP_DigestFinal_ex(md, c->idem_hash, NULL);
	EVP_MD_CTX_free(md);
	/* Stored per API key: a replay hands out only what this same key was
	 * answered (a reviewer key must not get an admin key's whsec_ secret,
	 * nor an admin a reviewer's 403). The key id cannot hold '\n'. */
	size_t klen = strlen(c->actor) + 1 + k.len;
	char *key = kyc_req_alloc(c->req, klen + 1);
	snprintf(key, klen + 1, "%s\n%.*s", c->actor, (int)k.len, k.ptr);

	struct kyc_idem_row row;
	int rc = kyc_store_idem_get(c->store, c->tenant_id, key,
				    kyc_now_ms() - c->app->idempotency_ttl_ms, &row);
	if (rc == KYC_ERR_NOTFOUND) {
		c->idem_key = key;
		return 0;
	}
	if (rc) {
		api_store_error(c, rc, "idempotency record");
		return 1;
	}
	if (CRYPTO_memcmp(row.request_hash, c->idem_hash, sizeof c->idem_hash) != 0) {
		api_problem(c, 422, "idempotency_key_reused", "Idempotency-Key",
			    "this Idempotency-Key was used with a different request in the last 24 hours");
	} else {
		kyc_req_add_header(c->req, "Idempotent-Replayed", "true");
		kyc_req_respond(c->req, row.status, row.content_type, row.body, row.body_len);
	}
	kyc_idem_row_release(&row);
	return 1;
}

/* The tenant's limits per API key and per client address; on refusal the
 * 429 is sent (in the route set's shape) and 1 returned. */
static int api_rate_limited(struct api_call *c)
{
	int64_t wait;
	const char *key_id = c->actor + 4; /* "key:" */
	if (kyc_rate_take(c->req, c->app, c->store, c->tenant_id, KYC_LIMIT_KEY, key_id, &wait) &&
	    kyc_rate_take(c->req, c->app, c->store, c->tenant_id, KYC_LIMIT_ADDRESS, NULL, &wait))
		return 0;
	api_problem(c, 429, "rate_limited", NULL, "too many requests; try again in %lld s",
		    (long long)wait);
	return 1;
}

void api_handle(kyc_req *req, api_fn fn, int flags)
{
	api_handle_shaped(req, fn, flags, NULL);
}

void api_handle_shaped(kyc_req *req, api_fn fn, int flags, api_shape_fn shape)
{
	struct kyc_thread *th = kyc_req_thread_ctx(req);
	struct api_call c = {0};
	c.req = req;
	c.shape = shape;
	c.app = kyc_req_app(req);
	c.store = th->store;
	/* Reads run in one read transaction, authentication included: one
	 * consistent snapshot and one round of SQLite's file locking per request. */
	int read_txn = (flags & API_READ) && !(flags & API_WRITE) &&
		       kyc_store_begin_read(c.store) == 0;
	if (flags & (API_READ | API_WRITE)) {
		if (authenticate(&c))
			goto out;
		if ((flags & API_WRITE) && !strcmp(c.role, "viewer")) {
			api_problem(&c, 403, "forbidden", NULL,
				    "this API key has the viewer role and cannot change data");
			goto out;
		}
		/* shared buckets are written outside the read-only snapshot, which
		 * then starts again */
		int reopen = read_txn && kyc_rate_shared_write(c.app, c.store, c.tenant_id);
		if (reopen)
			kyc_store_commit(c.store);
		int limited = api_rate_limited(&c);
		if (reopen)
			read_txn = kyc_store_begin_read(c.store) == 0;
		if (limited)
			goto out;
		if ((flags & API_ADMIN) && strcmp(c.role, "admin")) {
			api_problem(&c, 403, "forbidden", NULL, "this route takes an admin API key");
			goto out;
		}
	}
	if ((flags & API_IDEMPOTENT) && idempotency_begin(&c))
		goto out;
	fn(&c);
out:
	if (read_txn && kyc_store_in_transaction(c.store))
		kyc_store_commit(c.store);
}

void kyc_api_register(kyc_server *s)
{
	kyc__api_system_routes(s);
	kyc__api_applicant_routes(s);
	kyc__api_verification_routes(s);
	kyc__api_document_routes(s);
	kyc__api_file_routes(s);
	kyc__api_workflow_routes(s);
	kyc__api_webhook_routes(s);
	kyc__api_event_routes(s);
}
