/* The review console (docs/web.md): GET /console serves the page; its JSON
 * calls live under /console/api/ and are authenticated by the session
 * cookie of a password login. Every read is scoped to the operator's
 * tenant; changes need the session's CSRF token in X-CSRF-Token and a role
 * that may make them. Decisions go through the workflow with the actor
 * "operator:<id>". */
#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/ratelimit.h"
#include "flows/render.h"
#include "flows/workflow.h"
#include "store/blob.h"
#include "web/operator.h"
#include "web/session.h"
#include "web/web_int.h"

#define FILE_READ_MAX (64u << 20)

struct console_call {
	kyc_req *req;
	struct kyc_app *app;
	kyc_store *store;
	struct kyc_session_row sess;
	struct kyc_operator_row op;
	char actor[48];
};

enum { NEED_READ, NEED_WRITE, NEED_DECIDE, PROBE };

/* The origin ("scheme://host[:port]") the console is served at: the one
 * of KYCD_PUBLIC_URL when it is set, else the scheme of this connection
 * with the request's own Host. Copied into out; -1 when it does not fit. */
static int own_origin(kyc_req *r, char *out, size_t outsz)
{
	const struct kyc_app *app = web__app(r);
	int n;
	if (app->public_url_set && app->public_url) {
		const char *u = app->public_url, *host = strstr(u, "://");
		if (!host)
			return -1;
		size_t len = (size_t)(host + 3 - u) + strcspn(host + 3, "/?#");
		n = snprintf(out, outsz, "%.*s", (int)len, u);
	} else {
		kyc_str host = kyc_req_authority(r);
		if (!host.ptr)
			return -1;
		n = snprintf(out, outsz, "%s://%.*s", kyc_req_is_https(r) ? "https" : "http",
			     (int)host.len, host.ptr);
	}
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

/* A browser that says where a request comes from must say "this site":
 * Sec-Fetch-Site (sent by every current browser) and Origin, when present.
 * Origin must be the console's own origin, scheme included: a page on
 * http://kyc.example.com (plain http can be tampered with on the way) must
 * not act on https://kyc.example.com. */
static int same_origin(kyc_req *r)
{
	kyc_str sfs = kyc_req_header(r, "sec-fetch-site");
	if (sfs.ptr && !(sfs.len == 11 && !memcmp(sfs.ptr, "same-origin", 11)) &&
	    !(sfs.len == 4 && !memcmp(sfs.ptr, "none", 4)))
		return 0;
	kyc_str origin = kyc_req_header(r, "origin");
	if (!origin.ptr)
		return 1;
	char own[320];
	if (own_origin(r, own, sizeof own))
		return 0;
	return origin.len == strlen(own) && !strncasecmp(origin.ptr, own, origin.len);
}

static void csrf_fail(kyc_req *r)
{
	web__problem(r, 403, "csrf_failed", "X-CSRF-Token",
		     "this request must come from the console page with its CSRF token");
}

/* Checks the session (and for changes, the CSRF token and the role). On
 * failure answers and returns -1. */
static int console_auth(kyc_req *r, struct console_call *c, int need)
{
	memset(c, 0, sizeof *c);
	c->req = r;
	c->app = web__app(r);
	c->store = web__store(r);
	kyc_str ck = kyc_req_header(r, "cookie");
	struct kyc_cookie_value v = kyc_cookie_find(ck.ptr, ck.len, KYC_SESSION_COOKIE);
	int rc = kyc_session_check(c->store, v.ptr, v.len, kyc_now_ms(), &c->sess);
	if (!rc)
		rc = kyc_store_operator_get(c->store, c->sess.tenant_id, c->sess.operator_id, &c->op);
	if (rc == KYC_ERR_DENIED || rc == KYC_ERR_NOTFOUND || (!rc && c->op.disabled_at)) {
		/* The page's probe before its login form: "no" is an answer. */
		if (need == PROBE)
			web__json(r, 200, json_pack("{s:n, s:n}", "operator", "csrf_token"));
		else
			web__problem(r, 401, "unauthenticated", NULL, "log in to the console first");
		return -1;
	}
	if (rc) {
		web__store_error(r, c->store, rc, "session");
		return -1;
	}
	memset(c->op.password_hash, 0, sizeof c->op.password_hash);
	kyc_req_set_log_tenant(r, c->sess.tenant_id);
	snprintf(c->actor, sizeof c->actor, "operator:%s", c->op.id);
	if (need == NEED_READ || need == PROBE)
		return 0;
	kyc_str tok = kyc_req_header(r, "x-csrf-token");
	if (!same_origin(r) || !kyc_session_csrf_ok(&c->sess, tok.ptr, tok.len)) {
		csrf_fail(r);
		return -1;
	}
	if (need == NEED_DECIDE && !kyc_operator_may_decide(c->op.role)) {
		web__problem(r, 403, "forbidden", NULL,
			     "the %s role cannot decide verifications", c->op.role);
		return -1;
	}
	return 0;
}

/* A workflow context acting as this operator in its tenant. */
static void console_flow(struct console_call *c, struct kyc_flow *f)
{
	memset(f, 0, sizeof *f);
	f->store = c->store;
	f->tenant_id = c->sess.tenant_id;
	f->actor = c->actor;
	f->data_dir = c->app->data_dir;
	f->max_image_bytes = c->app->max_image_bytes;
	f->max_image_pixels = c->app->max_image_pixels;
	f->default_ttl_ms = c->app->verification_ttl_ms;
	f->face = c->app->face;
}

static json_t *operator_json(const struct kyc_operator_row *op)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:b}", "id", op->id, "username", op->username,
			 "role", op->role, "tenant_id", op->tenant_id, "may_decide",
			 kyc_operator_may_decide(op->role));
}

static void set_cookie(struct console_call *c, const char *value, int64_t max_age_s)
{
	char h[256];
	snprintf(h, sizeof h, "%s=%s; Path=/console; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
		 KYC_SESSION_COOKIE, value, (long long)max_age_s,
		 web__https(c->app) ? "; Secure" : "");
	kyc_req_add_header(c->req, "Set-Cookie", h);
}

/* ---- login, logout, session ---- */

/* A login whose count and password check run on the server's worker pool. */
struct login_job {
	struct kyc_login l;
	char password[KYC_PASSWORD_MAX + 1];
	size_t password_len;
	const char *data_dir;
	int count_rc; /* the failure count's write, on the worker's connection */
};

/* Each worker thread's own database connection, opened on first use and
 * closed when the thread ends: the failed-login write waits for the disk
 * (synchronous=FULL) there, not on an event loop. */
static pthread_key_t worker_store_key;
static pthread_once_t worker_store_once = PTHREAD_ONCE_INIT;

static void worker_store_close(void *s)
{
	kyc_store_close(s);
}

static void worker_store_key_init(void)
{
	pthread_key_create(&worker_store_key, worker_store_close);
}

static kyc_store *worker_store(const char *data_dir)
{
	pthread_once(&worker_store_once, worker_store_key_init);
	kyc_store *s = pthread_getspecific(worker_store_key);
	char err[256];
	if (!s && kyc_store_open(data_dir, &s, err, sizeof err) == 0)
		pthread_setspecific(worker_store_key, s);
	else if (!s)
		kyc_logf(KYC_LOG_ERROR, "login worker: %s", err);
	return s;
}

static void login_job_free(struct login_job *j)
{
	sodium_memzero(j, sizeof *j);
	free(j);
}

static void login_work(void *arg)
{
	struct login_job *j = arg;
	kyc_store *s = worker_store(j->data_dir);
	j->count_rc = s ? kyc_operator_login_count(s, &j->l) : KYC_ERR_IO;
	if (!j->count_rc)
		kyc_operator_login_verify(&j->l, j->password, j->password_len);
	sodium_memzero(j->password, sizeof j->password);
}

static void login_done(kyc_req *r, void *arg)
{
	struct login_job *j = arg;
	if (!r) {
		login_job_free(j);
		return;
	}
	struct console_call c = {.req = r, .app = web__app(r), .store = web__store(r)};
	int rc = j->count_rc ? j->count_rc : kyc_operator_login_finish(c.store, &j->l, &c.op);
	login_job_free(j);
	if (rc == KYC_ERR_DENIED) {
		web__problem(r, 401, "invalid_credentials", NULL, "wrong username or password");
		return;
	}
	if (rc) {
		web__store_error(r, c.store, rc, "operator");
		return;
	}
	char cookie[65], csrf[65];
	rc = kyc_session_create(c.store, &c.op, kyc_now_ms(), cookie, csrf);
	if (rc) {
		web__store_error(r, c.store, rc, "session");
		return;
	}
	kyc_req_set_log_tenant(r, c.op.tenant_id);
	set_cookie(&c, cookie, KYC_SESSION_TTL_MS / 1000);
	web__json(r, 200, json_pack("{s:o, s:s}", "operator", operator_json(&c.op), "csrf_token",
				    csrf));
}

/* Logins per client address: a bucket each, shared by the nodes on
 * PostgreSQL (docs/security.md). 0, or a 429 sent and -1. */
static int login_rate_ok(kyc_req *r, struct kyc_app *app, kyc_store *s)
{
	if (!app->login_limit)
		return 0;
	char peer[64], key[80];
	kyc_req_peer(r, peer);
	snprintf(key, sizeof key, "l|%s", peer);
	struct kyc_rate rate = {.per_s = app->login_per_min / 60.0, .burst = app->login_burst};
	struct kyc_ratelimit_result res;
	kyc_rate_take_key(app->login_limit, s, key, &rate, kyc_now_ms(), &res);
	kyc_rate_headers(r, &rate, &res);
	if (res.allowed)
		return 0;
	web__problem(r, 429, "rate_limited", NULL,
		     "too many logins from this address; try again in %lld s",
		     (long long)((res.retry_after_ms + 999) / 1000));
	return -1;
}

static void login_post(kyc_req *r)
{
	struct console_call c = {.req = r, .app = web__app(r), .store = web__store(r)};
	struct kyc_jerr e;
	const char *user = NULL, *pass = NULL;
	static const char *const known[] = {"username", "password", NULL};
	struct login_job *job = NULL;
	/* No session yet, so no CSRF token: the origin check stands in for it
	 * (a login from another site could otherwise plant its own session). */
	if (!same_origin(r)) {
		csrf_fail(r);
		return;
	}
	if (login_rate_ok(r, c.app, c.store))
		return;
	json_t *body = web__body_object(r, WEB_LOGIN_BODY_MAX);
	if (!body)
		return;
	if (kyc_jv_known_fields(body, known, &e) ||
	    kyc_jv_string(body, "username", KYC_JV_REQUIRED, 200, &user, &e) ||
	    kyc_jv_string(body, "password", KYC_JV_REQUIRED, KYC_PASSWORD_MAX, &pass, &e)) {
		web__problem(r, e.status, e.code, e.field, "%s", e.detail);
		goto out;
	}
	job = calloc(1, sizeof *job);
	if (!job) {
		web__problem(r, 503, "busy", NULL, "out of memory; try again");
		goto out;
	}
	int64_t wait = 0;
	int rc = kyc_operator_login_begin(c.store, user, kyc_now_ms(), &job->l, &wait);
	if (rc == KYC_ERR_TOOBIG) {
		char s[24];
		snprintf(s, sizeof s, "%lld", (long long)((wait + 999) / 1000));
		kyc_req_add_header(r, "Retry-After", s);
		web__problem(r, 429, "too_many_attempts", NULL,
			     "too many failed logins for this name; try again in %s s", s);
		goto out;
	}
	if (rc) {
		web__store_error(r, c.store, rc, "operator");
		goto out;
	}
	job->password_len = strlen(pass);
	memcpy(job->password, pass, job->password_len + 1);
	job->data_dir = c.app->data_dir;
	/* The count's write (a disk sync) and Argon2id (tens of milliseconds of
	 * CPU): off the event loop, so this thread's other requests do not wait. */
	rc = kyc_req_offload(r, login_work, login_done, job);
	if (rc == 0) {
		job = NULL; /* login_done owns it */
	} else {
		kyc_req_add_header(r, "Retry-After", "1");
		web__problem(r, 503, "busy", NULL, "too many logins in progress; try again");
	}
out:
	if (job)
		login_job_free(job);
	json_decref(body);
}

static void logout_post(kyc_req *r)
{
	struct console_call c;
	if (console_auth(r, &c, NEED_WRITE))
		return;
	kyc_str ck = kyc_req_header(r, "cookie");
	struct kyc_cookie_value v = kyc_cookie_find(ck.ptr, ck.len, KYC_SESSION_COOKIE);
	int rc = kyc_session_end(c.store, v.ptr, v.len, kyc_now_ms());
	if (rc) {
		web__store_error(r, c.store, rc, "session");
		return;
	}
	set_cookie(&c, "", 0);
	web__json(r, 200, json_pack("{s:b}", "logged_out", 1));
}

static void session_get(kyc_req *r)
{
	struct console_call c;
	if (console_auth(r, &c, PROBE))
		return;
	web__json(r, 200, json_pack("{s:o, s:s}", "operator", operator_json(&c.op), "csrf_token",
				    c.sess.csrf_token));
}

/* ---- the queue and search ---- */

static const char *query(kyc_req *r, const char *name, size_t max)
{
	kyc_str v;
	if (!kyc_req_query(r, name, &v) || v.len == 0 || v.len > max)
		return NULL;
	return v.ptr;
}

/* One row of the queue or of search results: the verification with its
 * applicant's names and reference. */
static json_t *summary(struct console_call *c, const json_t *v)
{
	json_t *o = json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}", "id",
			      json_object_get(v, "id"), "status", json_object_get(v, "status"),
			      "level", json_object_get(v, "level"), "created_at",
			      json_object_get(v, "created_at"), "submitted_at",
			      json_object_get(v, "submitted_at"), "attempts",
			      json_object_get(v, "attempts"), "applicant_id",
			      json_object_get(v, "applicant_id"));
	json_t *a = NULL;
	const char *aid = json_string_value(json_object_get(v, "applicant_id"));
	if (aid && !kyc_store_get(c->store, KYC_R_APPLICANT, c->sess.tenant_id, aid, &a)) {
		json_object_set_new(o, "applicant",
				    json_pack("{s:O?, s:O?, s:O?}", "first_name",
					      json_object_get(a, "first_name"), "last_name",
					      json_object_get(a, "last_name"), "external_ref",
					      json_object_get(a, "external_ref")));
		json_decref(a);
	}
	return o;
}

static const char *const statuses[] = {"pending_review", "processing",  "awaiting_input",
				       "incomplete",     "created",     "approved",
				       "rejected",       "expired",     "cancelled",
				       NULL};

static void queue_get(kyc_req *r)
{
	struct console_call c;
	if (console_auth(r, &c, NEED_READ))
		return;
	const char *status = query(r, "status", 32), *level = query(r, "level", 64);
	const char *cursor = query(r, "cursor", 120);
	int known = 0;
	for (const char *const *s = statuses; status && *s; s++)
		known |= !strcmp(*s, status);
	if (status && !known) {
		web__problem(r, 400, "invalid_query", "status", "unknown status");
		return;
	}
	json_t *filter = json_pack("{s:s}", "status", status ? status : "pending_review");
	if (level)
		json_object_set_new(filter, "level", json_string(level));
	struct kyc_store_page pg;
	int rc = kyc_store_list_asc(c.store, KYC_R_VERIFICATION, c.sess.tenant_id, filter,
				    cursor ? cursor : "", 50, &pg);
	json_decref(filter);
	if (rc == KYC_ERR_INVALID) {
		web__problem(r, 400, "invalid_cursor", "cursor", "the cursor is not valid");
		return;
	}
	if (rc) {
		web__store_error(r, c.store, rc, "queue");
		return;
	}
	json_t *items = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(pg.items, i, v)
	{
		json_array_append_new(items, summary(&c, v));
	}
	json_decref(pg.items);
	web__json(r, 200,
		  json_pack("{s:o, s:o}", "data", items, "next_cursor",
			    pg.next_cursor[0] ? json_string(pg.next_cursor) : json_null()));
}

/* Adds to out (an object keyed by id) the verifications of one applicant. */
static int add_applicant_verifications(struct console_call *c, const char *aid, json_t *out)
{
	struct kyc_store_page pg;
	json_t *filter = json_pack("{s:s}", "applicant_id", aid);
	int rc = kyc_store_list(c->store, KYC_R_VERIFICATION, c->sess.tenant_id, filter, "", 20,
				&pg);
	json_decref(filter);
	if (rc)
		return rc;
	size_t i;
	json_t *v;
	json_array_foreach(pg.items, i, v)
	{
		json_object_set(out, json_string_value(json_object_get(v, "id")), v);
	}
	json_decref(pg.items);
	return 0;
}

/* Records of type t whose column equals value (at most 20, newest first). */
static int find_by(struct console_call *c, enum kyc_rtype t, const char *column,
		   const char *value, json_t **items)
{
	struct kyc_store_page pg;
	json_t *filter = json_pack("{s:s}", column, value);
	int rc = kyc_store_list(c->store, t, c->sess.tenant_id, filter, "", 20, &pg);
	json_decref(filter);
	*items = rc ? NULL : pg.items;
	return rc;
}

/* Search by a verification or applicant id, an external reference, a
 * document number, or a surname (exact, as typed or in capitals as the MRZ
 * has it). Only the operator's tenant is searched. */
static void search_get(kyc_req *r)
{
	struct console_call c;
	if (console_auth(r, &c, NEED_READ))
		return;
	kyc_str q;
	if (!kyc_req_query(r, "q", &q) || q.len == 0 || q.len > 200) {
		web__problem(r, 400, "invalid_query", "q", "search for 1 to 200 characters");
		return;
	}
	/* Equality lookups: as typed, in capitals (as the MRZ and many records
	 * have names), and capitalised ("eriksson" finds "Eriksson"). */
	char variants[3][201];
	for (size_t i = 0; i <= q.len; i++) {
		variants[0][i] = q.ptr[i];
		variants[1][i] = (char)toupper((unsigned char)q.ptr[i]);
		variants[2][i] = (char)(i ? tolower((unsigned char)q.ptr[i]) : variants[1][0]);
	}
	const char *upper = variants[1];
	json_t *found = json_object(), *items = NULL, *rec = NULL;
	int rc = 0;
	if (kyc_uuid_valid(q.ptr, q.len)) {
		if (!kyc_store_get(c.store, KYC_R_VERIFICATION, c.sess.tenant_id, q.ptr, &rec))
			json_object_set(found, q.ptr, rec);
		json_decref(rec);
		rc = add_applicant_verifications(&c, q.ptr, found);
	}
	static const char *const applicant_cols[] = {"external_ref", "last_name", NULL};
	for (const char *const *col = applicant_cols; !rc && *col; col++) {
		for (int pass = 0; pass < 3 && !rc; pass++) {
			const char *val = variants[pass];
			if ((pass >= 1 && !strcmp(val, variants[0])) ||
			    (pass == 2 && !strcmp(val, variants[1])))
				continue;
			rc = find_by(&c, KYC_R_APPLICANT, *col, val, &items);
			size_t i;
			json_t *a;
			json_array_foreach(items, i, a)
			{
				if (!rc)
					rc = add_applicant_verifications(
						&c, json_string_value(json_object_get(a, "id")), found);
			}
			json_decref(items);
			items = NULL;
		}
	}
	if (!rc)
		rc = find_by(&c, KYC_R_DOCUMENT, "document_number", upper, &items);
	size_t i;
	json_t *d;
	json_array_foreach(items, i, d)
	{
		const char *vid = json_string_value(json_object_get(d, "verification_id"));
		if (!rc && vid && !json_object_get(found, vid) &&
		    !kyc_store_get(c.store, KYC_R_VERIFICATION, c.sess.tenant_id, vid, &rec)) {
			json_object_set(found, vid, rec);
			json_decref(rec);
		}
	}
	json_decref(items);
	if (rc) {
		json_decref(found);
		web__store_error(r, c.store, rc, "search");
		return;
	}
	json_t *data = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(found, k, v)
	{
		json_array_append_new(data, summary(&c, v));
	}
	json_decref(found);
	web__json(r, 200, json_pack("{s:o}", "data", data));
}

/* ---- one verification ---- */

static int oldest_first(struct console_call *c, enum kyc_rtype t, const char *vid,
			json_t **out)
{
	struct kyc_store_page pg;
	json_t *filter = json_pack("{s:s}", "verification_id", vid);
	int rc = kyc_store_list_asc(c->store, t, c->sess.tenant_id, filter, "", 100, &pg);
	json_decref(filter);
	*out = rc ? NULL : pg.items;
	return rc;
}

static void verification_get(kyc_req *r)
{
	struct console_call c;
	struct kyc_flow f;
	json_t *v = NULL, *a = NULL, *docs = NULL, *hist = NULL;
	if (console_auth(r, &c, NEED_READ))
		return;
	kyc_str id = kyc_req_param(r, 0);
	console_flow(&c, &f);
	int rc = kyc_flow_verification_load(&f, id.ptr, &v);
	if (!rc)
		rc = kyc_store_get(c.store, KYC_R_APPLICANT, c.sess.tenant_id,
				   json_string_value(json_object_get(v, "applicant_id")), &a);
	rc = rc ? rc : oldest_first(&c, KYC_R_DOCUMENT, id.ptr, &docs);
	rc = rc ? rc : oldest_first(&c, KYC_R_HISTORY, id.ptr, &hist);
	if (rc) {
		web__store_error(r, c.store, rc, "verification");
		goto out;
	}
	json_t *rdocs = json_array(), *rhist = json_array();
	size_t i;
	json_t *x;
	json_array_foreach(docs, i, x)
	{
		json_array_append_new(rdocs, kyc_render_document(x));
	}
	json_array_foreach(hist, i, x)
	{
		json_array_append_new(rhist, kyc_render_history(x));
	}
	web__json(r, 200,
		  json_pack("{s:o, s:o, s:o, s:o, s:o, s:b}", "verification",
			    kyc_render_verification(v), "applicant", kyc_render_applicant(a),
			    "documents", rdocs, "history", rhist, "actors",
			    web__actor_names(c.store, c.sess.tenant_id, hist, v), "may_decide",
			    kyc_operator_may_decide(c.op.role)));
out:
	json_decref(v);
	json_decref(a);
	json_decref(docs);
	json_decref(hist);
}

/* A reason code: 1..64 of [a-z0-9_]. */
static int reason_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

static void decision_post(kyc_req *r)
{
	struct console_call c;
	struct kyc_flow f;
	struct kyc_jerr e = {0};
	json_t *res = NULL;
	const char *decision = NULL, *reason = NULL, *note = NULL;
	static const char *const known[] = {"decision", "reason", "note", NULL};
	static const char *const decisions[] = {"approve", "reject", NULL};
	if (console_auth(r, &c, NEED_DECIDE))
		return;
	json_t *body = web__body_object(r, WEB_JSON_BODY_MAX);
	if (!body)
		return;
	if (kyc_jv_known_fields(body, known, &e) ||
	    kyc_jv_enum(body, "decision", KYC_JV_REQUIRED, decisions, &decision, &e) ||
	    kyc_jv_string(body, "reason", 0, 64, &reason, &e) ||
	    kyc_jv_string(body, "note", 0, 2000, &note, &e)) {
		web__problem(r, e.status, e.code, e.field, "%s", e.detail);
		goto out;
	}
	if (reason && !reason_ok(reason)) {
		web__problem(r, 422, "invalid_value", "reason",
			     "a reason is a code of a-z, 0-9 and _ (e.g. document_expired)");
		goto out;
	}
	kyc_str id = kyc_req_param(r, 0);
	console_flow(&c, &f);
	if (kyc_flow_decide(&f, id.ptr, decision, reason, note, &res, &e)) {
		web__problem(r, e.status ? e.status : 422, e.code, e.field, "%s", e.detail);
		goto out;
	}
	web__json(r, 200, json_pack("{s:o}", "verification", kyc_render_verification(res)));
out:
	json_decref(body);
	json_decref(res);
}

static void file_get(kyc_req *r)
{
	struct console_call c;
	json_t *f = NULL;
	if (console_auth(r, &c, NEED_READ))
		return;
	kyc_str id = kyc_req_param(r, 0);
	int rc = kyc_store_get(c.store, KYC_R_FILE, c.sess.tenant_id, id.ptr, &f);
	if (rc) {
		web__store_error(r, c.store, rc, "file");
		return;
	}
	if (json_is_string(json_object_get(f, "deleted_at"))) { /* erasure or retention */
		json_decref(f);
		web__problem(r, 410, "file_deleted", NULL, "the file was deleted");
		return;
	}
	const char *ct = json_string_value(json_object_get(f, "content_type"));
	kyc_buf b;
	kyc_buf_init(&b, FILE_READ_MAX);
	rc = kyc_blob_read(c.store, c.app->data_dir, c.sess.tenant_id,
	                   json_string_value(json_object_get(f, "path")), &b);
	if (rc || !ct || strncmp(ct, "image/", 6)) {
		kyc_logf(KYC_LOG_ERROR, "file %s: blob unreadable (%s)", id.ptr, kyc_err_name(rc));
		kyc_buf_release(&b);
		json_decref(f);
		web__problem(r, 500, "file_unreadable", NULL, "the file could not be read");
		return;
	}
	size_t len;
	char *bytes = kyc_buf_detach(&b, &len);
	web__headers(r);
	kyc_req_add_header(r, "Content-Disposition", "inline");
	kyc_req_respond_owned(r, 200, ct, bytes, len);
	json_decref(f);
}

static void page_get(kyc_req *r)
{
	web__send_page(r, "console.html", 1);
}

void web__console_routes(kyc_server *s)
{
	kyc_server_route(s, "GET", "/console", page_get);
	kyc_server_route(s, "POST", "/console/api/login", login_post);
	kyc_server_route(s, "POST", "/console/api/logout", logout_post);
	kyc_server_route(s, "GET", "/console/api/session", session_get);
	kyc_server_route(s, "GET", "/console/api/queue", queue_get);
	kyc_server_route(s, "GET", "/console/api/search", search_get);
	kyc_server_route(s, "GET", "/console/api/verifications/{id}", verification_get);
	kyc_server_route(s, "POST", "/console/api/verifications/{id}/decision", decision_post);
	kyc_server_route(s, "GET", "/console/api/files/{id}", file_get);
}
