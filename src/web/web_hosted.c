/* The hosted verification page (docs/web.md): GET / serves the page; its
 * JSON calls live under /hosted/api/ and are authenticated by the link's
 * token ("Authorization: Bearer <token>"), which reaches exactly one
 * verification of one tenant. Every change goes through the workflow
 * (src/flows/workflow.h) with the actor "applicant".
 *
 * What the page is shown is deliberately less than the native API: the
 * verification's status and next steps, and of the document only what the
 * person holding it needs to check (names, dates, masked numbers) -- the
 * link is a bearer credential that may be forwarded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "flows/workflow.h"
#include "http/multipart.h"
#include "web/hosted_token.h"
#include "web/web_int.h"

#define HOSTED_ACTOR "applicant"

struct hosted_call {
	kyc_req *req;
	struct kyc_app *app;
	kyc_store *store;
	char tenant_id[37];
	char vid[37];
};

/* Resolves the token; on failure answers (401 invalid_token, or a store
 * error) and returns -1. */
static int hosted_auth(kyc_req *r, struct hosted_call *c)
{
	memset(c, 0, sizeof *c);
	c->req = r;
	c->app = web__app(r);
	c->store = web__store(r);
	kyc_str a = kyc_req_header(r, "authorization");
	if (a.ptr && a.len > 7 && !strncasecmp(a.ptr, "bearer ", 7)) {
		a.ptr += 7;
		a.len -= 7;
	} else {
		a.len = 0;
	}
	int rc = kyc_hosted_token_resolve_n(c->store, a.ptr, a.len, kyc_now_ms(), c->tenant_id,
					    c->vid);
	if (rc == KYC_ERR_DENIED) {
		web__problem(r, 401, "invalid_token", NULL,
			     "this link is not valid or has expired");
		return -1;
	}
	if (rc) {
		web__store_error(r, c->store, rc, "link");
		return -1;
	}
	kyc_req_set_log_tenant(r, c->tenant_id);
	return 0;
}

/* The page's uploads (and challenges) per verification: answers 429 and
 * returns -1 past the limit. */
static int hosted_limited(kyc_req *r, struct hosted_call *c)
{
	int64_t wait;
	if (kyc_rate_take(r, c->app, c->store, c->tenant_id, KYC_LIMIT_HOSTED_UPLOAD, c->vid,
			  &wait))
		return 0;
	web__problem(r, 429, "rate_limited", NULL,
		     "too many uploads for this verification; try again in %lld s",
		     (long long)wait);
	return -1;
}

static void hosted_flow(struct hosted_call *c, struct kyc_flow *f)
{
	memset(f, 0, sizeof *f);
	f->store = c->store;
	f->tenant_id = c->tenant_id;
	f->actor = HOSTED_ACTOR;
	f->data_dir = c->app->data_dir;
	f->max_image_bytes = c->app->max_image_bytes;
	f->max_image_pixels = c->app->max_image_pixels;
	f->default_ttl_ms = c->app->verification_ttl_ms;
	f->face = c->app->face;
}

static void flow_error(kyc_req *r, const struct kyc_jerr *e)
{
	web__problem(r, e->status ? e->status : 422, e->code[0] ? e->code : "invalid_value",
		     e->field, "%s", e->detail);
}

/* ---- what the page sees ---- */

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The verification as the page needs it (from a stored record or the
 * native rendering: both carry these keys). */
static json_t *public_verification(const json_t *v)
{
	json_t *o = json_object();
	static const char *const keys[] = {"status", "document_types", "pending_steps",
					   "attempts", "failed_attempts", "expires_at", NULL};
	for (const char *const *k = keys; *k; k++) {
		json_t *x = json_object_get(v, *k);
		json_object_set(o, *k, x ? x : json_null());
	}
	json_t *retry = json_object_get(v, "retry");
	if (json_is_object(retry))
		json_object_set(o, "retry", retry);
	else if (json_is_string(json_object_get(v, "retry_code")))
		json_object_set_new(o, "retry", json_pack("{s:O, s:O}", "code",
							  json_object_get(v, "retry_code"), "message",
							  json_object_get(v, "retry_message")));
	else
		json_object_set_new(o, "retry", json_null());
	json_object_set_new(o, "names_confirmed",
			    json_boolean(json_is_object(json_object_get(v, "corrections"))));
	return o;
}

/* A document reading as the page shows it: the reader's verdict and the
 * fields a person can check on their own document; the number masked. */
static json_t *public_document(const json_t *d)
{
	static const char *const fields[] = {"surname", "given_names", "full_name",
					     "national_number", "document_number", "birth_date",
					     "expiry_date", "nationality", "sex", "issuing_country",
					     NULL};
	const json_t *x = json_object_get(d, "extraction");
	json_t *o = json_pack("{s:O?, s:O?, s:O?, s:b, s:b, s:b, s:O?, s:O?}", "type",
			      json_object_get(d, "type"), "side", json_object_get(d, "side"),
			      "status", json_object_get(d, "status"), "mrz_found",
			      json_is_true(json_object_get(x, "mrz_found")), "mrz_verified",
			      json_is_true(json_object_get(x, "mrz_verified")), "card_found",
			      json_is_true(json_object_get(x, "card_found")), "format",
			      json_object_get(x, "format"), "reason", json_object_get(x, "reason"));
	json_t *out = json_object();
	json_t *xf = json_object_get(x, "fields");
	for (const char *const *k = fields; *k; k++) {
		json_t *fv = json_object_get(xf, *k);
		const char *val = str(fv, "value");
		if (!val)
			continue;
		char masked[64];
		if (!strcmp(*k, "document_number") || !strcmp(*k, "national_number")) {
			kyc_log_mask(masked, sizeof masked, val, strlen(val));
			val = masked;
		}
		json_object_set_new(out, *k,
				    json_pack("{s:s, s:b}", "value", val, "accepted",
					      json_is_true(json_object_get(fv, "accepted"))));
	}
	json_object_set_new(o, "fields", out);
	return o;
}

/* The documents of the verification, newest first (a new array). */
static int list_documents(struct hosted_call *c, json_t **out)
{
	struct kyc_store_page pg;
	json_t *filter = json_pack("{s:s}", "verification_id", c->vid);
	int rc = kyc_store_list(c->store, KYC_R_DOCUMENT, c->tenant_id, filter, "", 100, &pg);
	json_decref(filter);
	*out = rc ? NULL : pg.items;
	return rc;
}

static int consent_given(struct hosted_call *c, int *yes)
{
	struct kyc_store_page pg;
	json_t *filter = json_pack("{s:s, s:s}", "verification_id", c->vid, "action", "consent");
	int rc = kyc_store_list(c->store, KYC_R_HISTORY, c->tenant_id, filter, "", 1, &pg);
	json_decref(filter);
	if (rc)
		return rc;
	*yes = json_array_size(pg.items) > 0;
	json_decref(pg.items);
	return 0;
}

/* The names to review: the confirmed ones, else the reading's. */
static json_t *review_names(const json_t *v, const json_t *doc)
{
	const json_t *corr = json_object_get(v, "corrections");
	if (json_is_object(corr))
		return json_pack("{s:O?, s:O?}", "first_name", json_object_get(corr, "first_name"),
				 "last_name", json_object_get(corr, "last_name"));
	const json_t *f = json_object_get(json_object_get(doc, "extraction"), "fields");
	const char *given = str(json_object_get(f, "given_names"), "value");
	const char *sur = str(json_object_get(f, "surname"), "value");
	if (!given && !sur)
		return json_null();
	return json_pack("{s:s?, s:s?}", "first_name", given, "last_name", sur);
}

static void state_get(kyc_req *r)
{
	struct hosted_call c;
	struct kyc_flow f;
	json_t *v = NULL, *docs = NULL;
	if (hosted_auth(r, &c))
		return;
	hosted_flow(&c, &f);
	int rc = kyc_flow_verification_load(&f, c.vid, &v);
	int consent = 0;
	rc = rc ? rc : list_documents(&c, &docs);
	rc = rc ? rc : consent_given(&c, &consent);
	if (rc) {
		web__store_error(r, c.store, rc, "verification");
		goto out;
	}
	/* The reading the workflow chose, else the newest identity document. */
	const char *best = str(json_object_get(v, "attributes"), "document_id");
	const json_t *doc = NULL;
	int selfie = 0;
	size_t i;
	json_t *d;
	json_array_foreach(docs, i, d)
	{
		const char *type = str(d, "type");
		if (type && !strcmp(type, "selfie")) {
			selfie = 1;
			continue;
		}
		if (best ? !strcmp(best, str(d, "id") ? str(d, "id") : "") : !doc)
			doc = d;
	}
	json_t *o = json_pack("{s:o, s:b, s:o, s:b, s:o}", "verification", public_verification(v),
			      "consent", consent, "document",
			      doc ? public_document(doc) : json_null(), "selfie", selfie, "names",
			      review_names(v, doc));
	web__json(r, 200, o);
out:
	json_decref(v);
	json_decref(docs);
}

static void consent_post(kyc_req *r)
{
	struct hosted_call c;
	struct kyc_flow f;
	json_t *v = NULL;
	if (hosted_auth(r, &c))
		return;
	hosted_flow(&c, &f);
	int rc = kyc_flow_verification_load(&f, c.vid, &v), yes = 0;
	rc = rc ? rc : consent_given(&c, &yes);
	if (rc) {
		web__store_error(r, c.store, rc, "verification");
		goto out;
	}
	if (!yes) {
		/* An audit-trail row: the one record of the consent, which seed
		 * 002's IDV also reads (src/compat/seed002.c). */
		const char *st = str(v, "status");
		json_t *det = json_pack("{s:s}", "surface", "hosted_page");
		rc = kyc_store_begin(c.store);
		rc = rc ? rc : kyc_history_append(c.store, c.tenant_id, c.vid, HOSTED_ACTOR,
						  "consent", st, st, NULL, det);
		rc = rc ? rc : kyc_store_commit(c.store);
		json_decref(det);
		if (rc) {
			kyc_store_rollback(c.store);
			web__store_error(r, c.store, rc, "consent");
			goto out;
		}
	}
	web__json(r, 200, json_pack("{s:b}", "consent", 1));
out:
	json_decref(v);
}

/* Reads the multipart upload of the page: image, and for documents type,
 * side and issuing_country. Answers and returns -1 on a bad body. */
static int read_upload(kyc_req *r, struct kyc_multipart *m, struct kyc_flow_image *im,
		       int document)
{
	kyc_str ct = kyc_req_header(r, "content-type");
	kyc_str body = kyc_req_body(r);
	char err[256];
	const char *ctype = ct.ptr ? kyc_req_strdup(r, ct.ptr, ct.len) : "";
	struct kyc_multipart_limits lim = {.max_parts = 8};
	memset(im, 0, sizeof *im);
	if (kyc_multipart_parse(ctype, body.ptr, body.len, &lim, m, err, sizeof err)) {
		int s415 = !strcmp(m->code, "multipart_content_type");
		web__problem(r, s415 ? 415 : 400, m->code, NULL, "%s", err);
		return -1;
	}
	const struct kyc_multipart_part *img = kyc_multipart_find(m, "image");
	if (!img || img->len == 0) {
		web__problem(r, 422, "field_required", "image", "send the photo in 'image'");
		return -1;
	}
	im->bytes = (const unsigned char *)img->data;
	im->len = img->len;
	if (!document)
		return 0;
	static const char *const names[] = {"type", "side", "issuing_country"};
	const char **dst[] = {&im->type, &im->side, &im->issuing_country};
	for (int i = 0; i < 3; i++) {
		const struct kyc_multipart_part *p = kyc_multipart_find(m, names[i]);
		if (!p)
			continue;
		if (p->len > 32) {
			web__problem(r, 422, "too_long", names[i], "'%s' is too long", names[i]);
			return -1;
		}
		*dst[i] = kyc_req_strdup(r, p->data, p->len);
	}
	return 0;
}

/* The newest document of the submission's answer. */
static const json_t *first_document(const json_t *res)
{
	return json_array_get(json_object_get(res, "documents"), 0);
}

static void upload_post(kyc_req *r, int document)
{
	struct hosted_call c;
	struct kyc_flow f;
	struct kyc_multipart m = {0};
	struct kyc_flow_image im;
	struct kyc_jerr e = {0};
	json_t *res = NULL;
	if (hosted_auth(r, &c) || hosted_limited(r, &c))
		return;
	if (read_upload(r, &m, &im, document))
		goto out;
	hosted_flow(&c, &f);
	/* A selfie may come with the head-turn challenge's frames: turn_1,
	 * turn_2, ... in the order the challenge asked. */
	struct kyc_flow_image frames[5] = {im};
	int nframes = 1;
	for (; !document && nframes < 5; nframes++) {
		char name[24];
		snprintf(name, sizeof name, "turn_%d", nframes);
		const struct kyc_multipart_part *p = kyc_multipart_find(&m, name);
		if (!p)
			break;
		frames[nframes].bytes = (const unsigned char *)p->data;
		frames[nframes].len = p->len;
	}
	int rc = document	 ? kyc_flow_submit(&f, c.vid, &im, 1, &res, &e)
		 : nframes > 1 ? kyc_flow_selfie_liveness(&f, c.vid, frames, nframes, &res, &e)
			       : kyc_flow_selfie(&f, c.vid, &im, &res, &e);
	if (rc) {
		flow_error(r, &e);
		goto out;
	}
	json_t *o = json_pack("{s:o}", "verification",
			      public_verification(json_object_get(res, "verification")));
	const json_t *d = first_document(res);
	if (document && d)
		json_object_set_new(o, "document", public_document(d));
	web__json(r, 200, o);
out:
	kyc_multipart_release(&m);
	json_decref(res);
}

static void document_post(kyc_req *r)
{
	upload_post(r, 1);
}

static void selfie_post(kyc_req *r)
{
	upload_post(r, 0);
}

/* The head-turn challenge for the selfie (docs/face.md#liveness). */
static void challenge_post(kyc_req *r)
{
	struct hosted_call c;
	struct kyc_flow f;
	struct kyc_jerr e = {0};
	json_t *res = NULL;
	/* a write per call: counted with the page's uploads */
	if (hosted_auth(r, &c) || hosted_limited(r, &c))
		return;
	hosted_flow(&c, &f);
	if (kyc_flow_liveness_challenge(&f, c.vid, &res, &e))
		flow_error(r, &e);
	else
		web__json(r, 200, res);
}

static void names_post(kyc_req *r)
{
	struct hosted_call c;
	struct kyc_flow f;
	struct kyc_jerr e = {0};
	json_t *res = NULL;
	if (hosted_auth(r, &c))
		return;
	json_t *body = web__body_object(r, WEB_JSON_BODY_MAX);
	if (!body)
		return;
	hosted_flow(&c, &f);
	if (kyc_flow_correct_names(&f, c.vid, body, &res, &e))
		flow_error(r, &e);
	else
		web__json(r, 200, json_pack("{s:o}", "verification", public_verification(res)));
	json_decref(body);
	json_decref(res);
}

static void page_get(kyc_req *r)
{
	web__send_page(r, "hosted.html", 1);
}

void web__hosted_routes(kyc_server *s)
{
	kyc_server_route(s, "GET", "/", page_get);
	kyc_server_route(s, "GET", "/hosted/api/state", state_get);
	kyc_server_route(s, "POST", "/hosted/api/consent", consent_post);
	kyc_server_route(s, "POST", "/hosted/api/documents", document_post);
	kyc_server_route(s, "POST", "/hosted/api/selfie", selfie_post);
	kyc_server_route(s, "POST", "/hosted/api/liveness/challenge", challenge_post);
	kyc_server_route(s, "POST", "/hosted/api/names", names_post);
}
