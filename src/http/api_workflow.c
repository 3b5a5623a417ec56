/* The workflow's native endpoints besides create/read/upload: tenant
 * settings, the review queue, decisions, cancellation, name confirmation,
 * the selfie and the audit trail. Each maps HTTP onto src/flows/workflow.h. */
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/base64.h"
#include "core/err.h"
#include "core/log.h"
#include "flows/render.h"
#include "flows/settings.h"
#include "flows/workflow.h"
#include "http/api.h"
#include "http/multipart.h"

/* The settings answer: s with its object name, and "warnings" when a
 * stored setting is not applied as stored (kyc_settings_warnings). */
static void settings_answer(struct api_call *c, json_t *s)
{
	json_t *w = NULL;
	json_object_set_new(s, "object", json_string("settings"));
	if (kyc_settings_warnings(c->store, c->tenant_id, &w) == 0 && json_array_size(w)) {
		size_t i;
		json_t *x;
		json_array_foreach(w, i, x)
			kyc_logf(KYC_LOG_WARN, "tenant %s: %s", c->tenant_id,
				 json_string_value(json_object_get(x, "message")));
		json_object_set(s, "warnings", w);
	}
	json_decref(w);
	api_json(c, 200, s);
}

API_HANDLER(settings_get, API_READ)
{
	json_t *s;
	int rc = kyc_settings_get(c->store, c->tenant_id, &s);
	if (rc) {
		api_store_error(c, rc, "settings");
		return;
	}
	settings_answer(c, s);
}

API_HANDLER(settings_patch, API_WRITE)
{
	if (strcmp(c->role, "admin")) {
		api_problem(c, 403, "forbidden", NULL, "only an admin key can change settings");
		return;
	}
	json_t *body = api_body_object(c), *s = NULL;
	struct kyc_jerr e;
	if (!body)
		return;
	if (kyc_store_in_transaction(c->store))
		kyc_store_commit(c->store);
	if (kyc_settings_patch(c->store, c->tenant_id, body, &s, &e)) {
		api_jerr(c, &e);
	} else {
		kyc_rate_forget(c->app, c->tenant_id); /* new limits from the next request on */
		settings_answer(c, s);
	}
	json_decref(body);
}

/* GET /v1/reviews: verifications pending review, oldest first. Filters:
 * applicant_id, level. */
API_HANDLER(reviews_list, API_READ)
{
	json_t *filter = json_pack("{s:s}", "status", "pending_review");
	kyc_str q;
	if (kyc_req_query(c->req, "applicant_id", &q))
		json_object_set_new(filter, "applicant_id", json_stringn(q.ptr, q.len));
	if (kyc_req_query(c->req, "level", &q))
		json_object_set_new(filter, "level", json_stringn(q.ptr, q.len));
	api_send_list_asc(c, KYC_R_VERIFICATION, filter, kyc_render_verification, "review list");
}

static int reviewer_role(struct api_call *c)
{
	if (!strcmp(c->role, "admin") || !strcmp(c->role, "reviewer"))
		return 1;
	api_problem(c, 403, "forbidden", NULL, "deciding needs a reviewer or admin key");
	return 0;
}

/* POST /v1/verifications/{id}/decision {"decision","reason","note"} */
API_HANDLER(verification_decide, API_WRITE | API_IDEMPOTENT)
{
	static const char *const known[] = {"decision", "reason", "note", NULL};
	json_t *body = api_body_object(c), *v = NULL;
	const char *decision = NULL, *reason = NULL, *note = NULL;
	struct kyc_jerr e;
	struct kyc_flow f;
	if (!body)
		return;
	if (!reviewer_role(c))
		goto out;
	if (kyc_jv_known_fields(body, known, &e) ||
	    kyc_jv_string(body, "decision", KYC_JV_REQUIRED, 16, &decision, &e) ||
	    kyc_jv_string(body, "reason", 0, 64, &reason, &e) ||
	    kyc_jv_string(body, "note", 0, 2000, &note, &e)) {
		api_jerr(c, &e);
		goto out;
	}
	api_flow(c, &f);
	if (kyc_flow_decide(&f, api_param(c, 0), decision, reason, note, &v, &e))
		api_jerr(c, &e);
	else
		api_json(c, 200, kyc_render_verification(v));
out:
	json_decref(v);
	json_decref(body);
}

API_HANDLER(verification_cancel, API_WRITE | API_IDEMPOTENT)
{
	json_t *v = NULL;
	struct kyc_jerr e;
	struct kyc_flow f;
	api_flow(c, &f);
	if (kyc_flow_cancel(&f, api_param(c, 0), &v, &e))
		api_jerr(c, &e);
	else
		api_json(c, 200, kyc_render_verification(v));
	json_decref(v);
}

/* POST /v1/verifications/{id}/names: confirm ({}) or correct the Latin names, once. */
API_HANDLER(verification_names, API_WRITE | API_IDEMPOTENT)
{
	json_t *body = api_body_object(c), *v = NULL;
	struct kyc_jerr e;
	struct kyc_flow f;
	if (!body)
		return;
	api_flow(c, &f);
	if (kyc_flow_correct_names(&f, api_param(c, 0), body, &v, &e))
		api_jerr(c, &e);
	else
		api_json(c, 200, kyc_render_verification(v));
	json_decref(v);
	json_decref(body);
}

/* POST /v1/verifications/{id}/selfie: multipart part "image", or JSON {"image": base64}. */
API_HANDLER(verification_selfie, API_WRITE | API_IDEMPOTENT)
{
	struct kyc_multipart mp = {0};
	json_t *body = NULL, *res = NULL;
	kyc_buf owned;
	struct kyc_jerr e;
	struct kyc_flow f;
	struct kyc_flow_image im = {0};
	kyc_buf_init(&owned, c->app->max_image_bytes);
	kyc_str ct = kyc_req_header(c->req, "content-type");
	if (ct.ptr && ct.len >= 19 && !strncasecmp(ct.ptr, "multipart/form-data", 19)) {
		kyc_str b = kyc_req_body(c->req);
		char err[256];
		struct kyc_multipart_limits lim = {.max_parts = 8, .max_header_bytes = 4096,
						   .max_name_len = 256};
		if (kyc_multipart_parse(kyc_req_strdup(c->req, ct.ptr, ct.len), b.ptr, b.len, &lim,
					&mp, err, sizeof err)) {
			api_problem(c, 400, mp.code ? mp.code : "multipart_malformed", NULL, "%s", err);
			goto out;
		}
		const struct kyc_multipart_part *p = kyc_multipart_find(&mp, "image");
		if (!p) {
			api_problem(c, 422, "field_required", "image",
				    "send the selfie as a file part named 'image'");
			goto out;
		}
		im.bytes = (const unsigned char *)p->data;
		im.len = p->len;
	} else {
		static const char *const known[] = {"image", NULL};
		const char *b64 = NULL;
		body = api_body_object(c);
		if (!body)
			goto out;
		if (kyc_jv_known_fields(body, known, &e) ||
		    kyc_jv_string(body, "image", KYC_JV_REQUIRED, 4 * c->app->max_image_bytes, &b64,
				  &e)) {
			api_jerr(c, &e);
			goto out;
		}
		int rc = kyc_base64_decode_buf(b64, strlen(b64), KYC_B64_STD, &owned);
		if (rc) {
			api_problem(c, rc == KYC_ERR_TOOBIG ? 413 : 422,
				    rc == KYC_ERR_TOOBIG ? "image_too_large" : "invalid_base64", "image",
				    "'image' must be base64 of at most %zu bytes",
				    c->app->max_image_bytes);
			goto out;
		}
		im.bytes = (const unsigned char *)owned.data;
		im.len = owned.len;
	}
	api_flow(c, &f);
	if (kyc_flow_selfie(&f, api_param(c, 0), &im, &res, &e))
		api_jerr(c, &e);
	else
		api_json(c, 201, json_incref(json_object_get(res, "verification")));
out:
	kyc_multipart_release(&mp);
	kyc_buf_release(&owned);
	json_decref(res);
	json_decref(body);
}

/* GET /v1/verifications/{id}/history: the audit trail, oldest first. */
API_HANDLER(verification_history, API_READ)
{
	json_t *v;
	int rc = kyc_store_get(c->store, KYC_R_VERIFICATION, c->tenant_id, api_param(c, 0), &v);
	if (rc) {
		api_store_error(c, rc, "verification");
		return;
	}
	json_decref(v);
	json_t *filter = json_pack("{s:s}", "verification_id", api_param(c, 0));
	api_send_list_asc(c, KYC_R_HISTORY, filter, kyc_render_history, "history");
}

void kyc__api_workflow_routes(kyc_server *s)
{
	kyc_server_route(s, "GET", "/v1/settings", settings_get);
	kyc_server_route(s, "PATCH", "/v1/settings", settings_patch);
	kyc_server_route(s, "GET", "/v1/reviews", reviews_list);
	kyc_server_route(s, "POST", "/v1/verifications/{id}/decision", verification_decide);
	kyc_server_route(s, "POST", "/v1/verifications/{id}/cancel", verification_cancel);
	kyc_server_route(s, "POST", "/v1/verifications/{id}/names", verification_names);
	kyc_server_route(s, "POST", "/v1/verifications/{id}/selfie", verification_selfie);
	kyc_server_route(s, "GET", "/v1/verifications/{id}/history", verification_history);
}
