/* The native API's common layer: authentication, the per-call context,
 * JSON and problem responses, idempotent POSTs. Resource handlers
 * (src/http/api_*.c) are written as
 *
 *     API_HANDLER(applicant_get, API_READ) { ... c->store, c->tenant_id ... }
 *
 * and registered by kyc_api_register(). They never see another tenant's
 * data: every store call takes c->tenant_id. */
#ifndef KYC_API_H
#define KYC_API_H

#include <jansson.h>
#include <stdint.h>

#include "http/server.h"
#include "json/jv.h"
#include "store/store.h"
#include "webhooks/endpoint.h"

/* Process-wide settings, read once by `kycd serve` (docs/config.md). */
struct kyc_app {
	const char *data_dir;
	int64_t verification_ttl_ms;  /* default expiry of a verification (4 h) */
	size_t max_image_bytes;       /* per uploaded image (2 MB, seed 001) */
	int64_t max_image_pixels;     /* decoded width * height cap */
	int64_t idempotency_ttl_ms;   /* how long a POST's first response is replayed (24 h) */
	int fetch_allow_loopback;     /* KYCD_FETCH_ALLOW_LOOPBACK: tests only */
	int fetch_allow_http;         /* KYCD_FETCH_ALLOW_HTTP: tests only */
	const char *fetch_ca_file;    /* KYCD_FETCH_CA_FILE: extra CA bundle for tests */
	int64_t fetch_timeout_ms;
	/* KYCD_PUBLIC_URL: the base of links handed to end users, without a
	 * trailing slash (default http://<listen address>). */
	const char *public_url;
	int public_url_set;           /* 1 when it came from KYCD_PUBLIC_URL (not the default) */
	int webhook_allow_loopback;   /* KYCD_WEBHOOK_ALLOW_LOOPBACK: tests only */
	int webhook_allow_http;       /* KYCD_WEBHOOK_ALLOW_HTTP: tests only */
	/* KYCD_METRICS_TOKEN: when set, GET /metrics takes "Authorization:
	 * Bearer <it>" (the metrics aggregate every tenant). */
	const char *metrics_token;
	/* Console logins per client address (KYCD_LOGIN_RATE_PER_MIN,
	 * KYCD_LOGIN_BURST): a token bucket each, in login_limit. */
	struct kyc_ratelimit *login_limit;
	double login_per_min;
	double login_burst;
	/* The tenants' rate limits (api_limits.c); NULL: none. */
	struct kyc_api_limits *limits;
	/* The face engine, loaded once and shared read-only by every thread;
	 * NULL when its models are not installed (docs/face.md). */
	const struct kyc_face_engine *face;
	/* KYCD_KEEP_ANSWERS (default 1): server threads keep answers of
	 * repeated reads (api_cache.h); 0 keeps none. */
	int keep_answers;
};

/* What each server thread owns (thread_init / thread_fini). */
struct kyc_thread {
	kyc_store *store;
	struct kyc_api_cache *cache; /* answers kept for repeated reads (api_cache.h); may be NULL */
};

enum {
	API_PUBLIC = 0,      /* no key needed (health, metrics, the OpenAPI file) */
	API_READ = 1,        /* any valid key */
	API_WRITE = 2,       /* a key whose role may write (admin, reviewer) */
	API_IDEMPOTENT = 4,  /* honours Idempotency-Key (every POST) */
	API_ADMIN = 8,       /* with API_WRITE: an admin key only, checked before any replay */
};

struct api_call;
/* Sends an error in another API's envelope instead of problem+json (the
 * compatibility route sets, src/compat): status, stable code, field at
 * fault (may be NULL) and the text api_problem formatted. */
typedef void (*api_shape_fn)(struct api_call *c, int status, const char *code,
			     const char *field, const char *detail);

struct api_call {
	kyc_req *req;
	struct kyc_app *app;
	kyc_store *store;
	char tenant_id[37];
	char role[16];
	char actor[48];      /* "key:<key id>": who acts, for audit trails */
	/* Idempotency: set while the first response is to be recorded. */
	const char *idem_key;
	unsigned char idem_hash[32];
	/* When set, every error this call sends (authentication, body parsing,
	 * store errors, the handler's own) goes through it. */
	api_shape_fn shape;
};

typedef void (*api_fn)(struct api_call *c);

/* Runs fn for req after authentication and idempotency handling. */
void api_handle(kyc_req *req, api_fn fn, int flags);
/* The same, with errors sent through shape (see api_shape_fn). */
void api_handle_shaped(kyc_req *req, api_fn fn, int flags, api_shape_fn shape);

#define API_HANDLER(name, flags)                                                                   \
	static void name##_impl(struct api_call *c);                                               \
	static void name(kyc_req *r)                                                               \
	{                                                                                          \
		api_handle(r, name##_impl, flags);                                                 \
	}                                                                                          \
	static void name##_impl(struct api_call *c)

/* Sends body (reference stolen) as application/json. */
void api_json(struct api_call *c, int status, json_t *body);
/* Answers kept for repeated reads (api_cache.h), in the thread's table.
 * api_keep_begin names the answer (kind and id, under the caller's
 * tenant), reads the store's token and, unless the database is unchanged
 * since the answer was kept, its stamp (stamp: the store call that reads
 * it); it sends the kept answer and returns 1 when there is one for them,
 * else returns 0 and k holds what api_json_keep needs. Call it before
 * reading the rows the answer is built from, in the same read transaction:
 * then a kept answer is never older than its stamp. api_json_keep is
 * api_json for a 200 answer, also kept until fresh_until_ms. */
typedef int (*api_stamp_fn)(kyc_store *s, const char *tenant_id, const char *id, char *out,
			    size_t outsz);
struct api_keep {
	int ok; /* named and stamped: the answer may be kept */
	char key[128];
	char stamp[1024];
	struct kyc_store_token tok;
	int have_tok;
};
int api_keep_begin(struct api_call *c, struct api_keep *k, const char *kind, const char *id,
		   api_stamp_fn stamp);
void api_json_keep(struct api_call *c, json_t *body, const struct api_keep *k,
		   int64_t fresh_until_ms);
/* Sends an RFC 9457 problem (see docs/api.md for the codes). field may be NULL. */
void api_problem(struct api_call *c, int status, const char *code, const char *field,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Sends the problem a validator filled. */
void api_jerr(struct api_call *c, const struct kyc_jerr *e);
/* Maps a store error: NOTFOUND -> 404 (what names the resource), CONFLICT -> 409,
 * anything else -> 500 (logged, counted in metrics). */
void api_store_error(struct api_call *c, int rc, const char *what);
/* Sends raw bytes (a file download). Takes ownership of body (malloc()ed). */
void api_bytes(struct api_call *c, int status, const char *content_type, void *body, size_t len);

/* Answers with a stored file's bytes and content type (f: its record), as
 * GET /v1/files/{id} does; 500 file_unreadable when the bytes are gone. */
void api_send_file(struct api_call *c, const json_t *f);
/* The request body parsed as a JSON object, or a problem sent and NULL. */
json_t *api_body_object(struct api_call *c);
/* A NUL-terminated copy of the i-th path parameter in request memory. */
const char *api_param(struct api_call *c, int i);
/* Answers a list request: reads ?limit= and ?cursor=, lists records of type t
 * matching filter (reference stolen; may be NULL), renders each with render
 * and sends {"object":"list","data":[...],"has_more":..,"next_cursor":..}.
 * what names the records in errors. */
void api_send_list(struct api_call *c, enum kyc_rtype t, json_t *filter,
		   json_t *(*render)(const json_t *rec), const char *what);
/* The same, oldest first. */
void api_send_list_asc(struct api_call *c, enum kyc_rtype t, json_t *filter,
		       json_t *(*render)(const json_t *rec), const char *what);

/* The body of a POST whose fields are all optional: an empty body (with or
 * without a Content-Type) is an empty object. NULL when a problem was sent. */
json_t *kyc__api_optional_body(struct api_call *c);

/* Reads a verification, storing "expired" first when it is past expires_at. */
int kyc__verification_load(struct api_call *c, const char *id, json_t **out);

struct kyc_flow;
/* Fills a workflow context for this call (store, tenant, actor, limits). */
void api_flow(struct api_call *c, struct kyc_flow *f);
/* Answers with the error a workflow call filled. */
#define api_flow_error api_jerr

/* The address policy of webhook URLs (endpoints, callback_url) for this server. */
struct kyc_webhook_policy api_webhook_policy(const struct api_call *c);

/* ---- rate limits (api_limits.c, docs/security.md) ---- */
enum kyc_limit {
	KYC_LIMIT_KEY,           /* per API key */
	KYC_LIMIT_ADDRESS,       /* per tenant and client address */
	KYC_LIMIT_HOSTED_UPLOAD, /* per hosted-page verification */
};
struct kyc_api_limits;
struct kyc_rate;
struct kyc_ratelimit_result;
struct kyc_ratelimit;
/* The buckets and the cache of tenants' settings, for kyc_app.limits. NULL without memory. */
struct kyc_api_limits *kyc_api_limits_new(void);
void kyc_api_limits_free(struct kyc_api_limits *l);
/* Takes a token from the bucket key under rate: the database's, shared by
 * the nodes, when the store keeps them (PostgreSQL) and answers, else the
 * node's own in local. Returns res->allowed. */
int kyc_rate_take_key(struct kyc_ratelimit *local, kyc_store *s, const char *key,
		      const struct kyc_rate *rate, int64_t now, struct kyc_ratelimit_result *res);
/* 1 when the API's limits of the tenant (per key, per address) are on and
 * their buckets are rows of the database (PostgreSQL): taking a token then
 * writes, which a read-only transaction cannot. */
int kyc_rate_shared_write(struct kyc_app *app, kyc_store *s, const char *tenant_id);
/* Takes a token from the bucket of `who` (a key id, an address, a
 * verification id; NULL: the request's client address, formatted only
 * when that limit is on) under the tenant's "rate_limits" setting and adds the
 * RateLimit-Limit/-Remaining/-Reset headers (and Retry-After when
 * refused). 1: go on (also when that limit is off); 0: refused, answer 429
 * rate_limited; *retry_after_s says when to come back. */
int kyc_rate_take(kyc_req *r, struct kyc_app *app, kyc_store *s, const char *tenant_id,
		  enum kyc_limit kind, const char *who, int64_t *retry_after_s);
/* Drops the cached rate_limits of a tenant (after its settings changed). */
void kyc_rate_forget(struct kyc_app *app, const char *tenant_id);
/* The RateLimit-* headers of one take (and Retry-After when it was refused). */
void kyc_rate_headers(kyc_req *r, const struct kyc_rate *rate,
		      const struct kyc_ratelimit_result *res);

/* Registers every native route (src/http/api_*.c). */
void kyc_api_register(kyc_server *s);

/* Route registrations of each resource file. */
void kyc__api_system_routes(kyc_server *s);
void kyc__api_applicant_routes(kyc_server *s);
void kyc__api_verification_routes(kyc_server *s);
void kyc__api_document_routes(kyc_server *s);
void kyc__api_file_routes(kyc_server *s);
void kyc__api_workflow_routes(kyc_server *s);
void kyc__api_webhook_routes(kyc_server *s);
void kyc__api_event_routes(kyc_server *s);

#endif
