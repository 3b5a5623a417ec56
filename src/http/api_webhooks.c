/* /v1/webhook-endpoints: where a tenant's events are delivered
 * (docs/webhooks.md). Changing endpoints and secrets takes an admin key:
 * an endpoint decides where the tenant's data goes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/rand.h"
#include "flows/render.h"
#include "http/api.h"
#include "store/outbox.h"
#include "webhooks/endpoint.h"
#include "webhooks/fanout.h"
#include "webhooks/sign.h"

#define OVERLAP_DEFAULT_S 86400
#define OVERLAP_MAX_S (7 * 86400)

static const char *const delivery_statuses[] = {"pending", "paused", "succeeded", "failed", NULL};

static int admin_only(struct api_call *c)
{
	if (!strcmp(c->role, "admin"))
		return 0;
	api_problem(c, 403, "forbidden", NULL, "managing webhooks takes an admin API key");
	return -1;
}


json_t *kyc__api_optional_body(struct api_call *c)
{
	kyc_str b = kyc_req_body(c->req);
	return b.len == 0 ? json_object() : api_body_object(c);
}

/* overlap_seconds of a rotation: how long the old secret keeps signing. */
static int read_overlap(struct api_call *c, const json_t *body, int64_t *overlap_ms)
{
	static const char *const fields[] = {"overlap_seconds", NULL};
	struct kyc_jerr e;
	int64_t s = OVERLAP_DEFAULT_S;
	if (kyc_jv_known_fields(body, fields, &e) ||
	    kyc_jv_int(body, "overlap_seconds", 0, 0, OVERLAP_MAX_S, &s, &e)) {
		api_jerr(c, &e);
		return -1;
	}
	*overlap_ms = s * 1000;
	return 0;
}

/* The rendered endpoint with its secret, as creation and rotation show it once. */
static json_t *with_secret(const json_t *rec)
{
	json_t *o = kyc_webhook_render_endpoint(rec);
	json_object_set(o, "secret", json_object_get(rec, "secret"));
	return o;
}

/* Checks metadata and stores it in rec's attributes (merged over old ones). */
static int read_metadata(struct api_call *c, const json_t *body, const json_t *old_attrs,
			 json_t *rec)
{
	json_t *meta = json_object_get(body, "metadata");
	struct kyc_jerr e;
	if (!meta)
		return 0;
	if (!json_is_null(meta) && kyc_render_metadata_check(meta, &e)) {
		api_jerr(c, &e);
		return -1;
	}
	json_t *attrs = json_is_object(old_attrs) ? json_deep_copy(old_attrs) : json_object();
	json_object_set_new(attrs, "metadata", json_is_object(meta) ? json_incref(meta) : json_object());
	json_object_set_new(rec, "attributes", attrs);
	return 0;
}

API_HANDLER(endpoint_create, API_WRITE | API_ADMIN | API_IDEMPOTENT)
{
	if (admin_only(c))
		return;
	json_t *body = api_body_object(c);
	if (!body)
		return;
	json_t *rec = json_object(), *got = NULL;
	struct kyc_jerr e;
	struct kyc_webhook_policy p = api_webhook_policy(c);
	char id[37], secret[KYC_WEBHOOK_SECRET_MAX];
	if (kyc_webhook_endpoint_read(body, 0, &p, rec, &e)) {
		api_jerr(c, &e);
		goto out;
	}
	if (read_metadata(c, body, NULL, rec))
		goto out;
	if (!json_object_get(rec, "attributes"))
		json_object_set_new(rec, "attributes", json_pack("{s:{}}", "metadata"));
	if (!json_object_get(rec, "enabled"))
		json_object_set_new(rec, "enabled", json_true());
	if (!json_is_string(json_object_get(rec, "format")))
		json_object_set_new(rec, "format", json_string("native"));
	if (kyc_uuid_new(id) || kyc_webhook_secret_new(secret)) {
		api_problem(c, 500, "internal_error", NULL, "no randomness for a new secret");
		goto out;
	}
	json_object_set_new(rec, "id", json_string(id));
	json_object_set_new(rec, "secret", json_string(secret));
	int rc = kyc_store_insert(c->store, KYC_R_WEBHOOK_ENDPOINT, c->tenant_id, rec);
	rc = rc ? rc : kyc_store_get(c->store, KYC_R_WEBHOOK_ENDPOINT, c->tenant_id, id, &got);
	if (rc) {
		api_store_error(c, rc, "webhook endpoint");
		goto out;
	}
	api_json(c, 201, with_secret(got));
out:
	json_decref(got);
	json_decref(rec);
	json_decref(body);
}

API_HANDLER(endpoint_list, API_READ)
{
	api_send_list(c, KYC_R_WEBHOOK_ENDPOINT, NULL, kyc_webhook_render_endpoint,
		      "webhook endpoint list");
}

API_HANDLER(endpoint_get, API_READ)
{
	json_t *got;
	int rc = kyc_store_get(c->store, KYC_R_WEBHOOK_ENDPOINT, c->tenant_id, api_param(c, 0),
			       &got);
	if (rc) {
		api_store_error(c, rc, "webhook endpoint");
		return;
	}
	api_json(c, 200, kyc_webhook_render_endpoint(got));
	json_decref(got);
}

/* enabled changing: disabling pauses the endpoint's pending deliveries,
 * enabling clears why it was disabled and makes the paused ones due now. */
static int apply_enabled(struct api_call *c, const char *id, const json_t *cur, json_t *patch,
			 int64_t now)
{
	json_t *en = json_object_get(patch, "enabled");
	if (!en || json_is_true(en) == json_is_true(json_object_get(cur, "enabled")))
		return 0;
	if (json_is_true(en)) {
		json_object_set_new(patch, "disabled_reason", json_null());
		json_object_set_new(patch, "disabled_at", json_null());
		json_object_set_new(patch, "failing_since", json_null());
	} else {
		json_object_set_new(patch, "disabled_reason", json_string("manual"));
		json_object_set_new(patch, "disabled_at", json_integer(now));
	}
	return kyc_outbox_pause(c->store, c->tenant_id, id, !json_is_true(en), now);
}

API_HANDLER(endpoint_patch, API_WRITE)
{
	if (admin_only(c))
		return;
	const char *id = api_param(c, 0);
	json_t *body = api_body_object(c);
	if (!body)
		return;
	json_t *patch = json_object(), *cur = NULL;
	struct kyc_jerr e;
	struct kyc_webhook_policy p = api_webhook_policy(c);
	int rc;
	if (kyc_webhook_endpoint_read(body, 1, &p, patch, &e)) {
		api_jerr(c, &e);
		goto out;
	}
	if ((rc = kyc_store_begin(c->store)))
		goto fail;
	if ((rc = kyc_store_get(c->store, KYC_R_WEBHOOK_ENDPOINT, c->tenant_id, id, &cur)))
		goto fail;
	if (read_metadata(c, body, json_object_get(cur, "attributes"), patch)) {
		kyc_store_rollback(c->store);
		goto out;
	}
	rc = apply_enabled(c, id, cur, patch, kyc_now_ms());
	int64_t version = json_integer_value(json_object_get(cur, "version"));
	if (!rc && json_object_size(patch))
		rc = kyc_store_update(c->store, KYC_R_WEBHOOK_ENDPOINT, c->tenant_id, id, patch,
				      version);
	json_decref(cur);
	cur = NULL;
	rc = rc ? rc : kyc_store_get(c->store, KYC_R_WEBHOOK_ENDPOINT, c->tenant_id, id, &cur);
	rc = rc ? rc : kyc_store_commit(c->store);
	if (rc)
		goto fail;
	api_json(c, 200, kyc_webhook_render_endpoint(cur));
	goto out;
fail:
	kyc_store_rollback(c->store);
	api_store_error(c, rc, "webhook endpoint");
out:
	json_decref(cur);
	json_decref(patch);
	json_decref(body);
}

/* The endpoint goes with its deliveries and their attempt logs (the
 * events stay: GET /v1/events still lists them). */
API_HANDLER(endpoint_delete, API_WRITE)
{
	if (admin_only(c))
		return;
	const char *id = api_param(c, 0);
	int rc = kyc_store_delete(c->store, KYC_R_WEBHOOK_ENDPOINT, c->tenant_id, id);
	if (rc) {
		api_store_error(c, rc, "webhook endpoint");
		return;
	}
	api_json(c, 200,
		 json_pack("{s:s, s:s, s:b}", "id", id, "object", "webhook_endpoint", "deleted", 1));
}

API_HANDLER(endpoint_rotate, API_WRITE | API_ADMIN | API_IDEMPOTENT)
{
	if (admin_only(c))
		return;
	const char *id = api_param(c, 0);
	json_t *body = kyc__api_optional_body(c), *cur = NULL, *patch = NULL;
	int64_t overlap;
	char secret[KYC_WEBHOOK_SECRET_MAX];
	if (!body || read_overlap(c, body, &overlap))
		goto out;
	if (kyc_webhook_secret_new(secret)) {
		api_problem(c, 500, "internal_error", NULL, "no randomness for a new secret");
		goto out;
	}
	int rc = kyc_store_begin(c->store);
	rc = rc ? rc : kyc_store_get(c->store, KYC_R_WEBHOOK_ENDPOINT, c->tenant_id, id, &cur);
	if (!rc) {
		int64_t now = kyc_now_ms();
		patch = json_pack("{s:s, s:O, s:o}", "secret", secret, "previous_secret",
				  overlap ? json_object_get(cur, "secret") : json_null(),
				  "previous_secret_expires_at",
				  overlap ? json_integer(now + overlap) : json_null());
		rc = patch ? kyc_store_update(c->store, KYC_R_WEBHOOK_ENDPOINT, c->tenant_id, id,
					      patch, json_integer_value(json_object_get(cur, "version")))
			   : KYC_ERR_NOMEM;
		json_decref(cur);
		cur = NULL;
	}
	rc = rc ? rc : kyc_store_get(c->store, KYC_R_WEBHOOK_ENDPOINT, c->tenant_id, id, &cur);
	rc = rc ? rc : kyc_store_commit(c->store);
	if (rc) {
		kyc_store_rollback(c->store);
		api_store_error(c, rc, "webhook endpoint");
		goto out;
	}
	api_json(c, 200, with_secret(cur));
out:
	json_decref(patch);
	json_decref(cur);
	json_decref(body);
}

API_HANDLER(endpoint_test, API_WRITE | API_IDEMPOTENT)
{
	const char *id = api_param(c, 0);
	json_t *body = kyc__api_optional_body(c), *ep = NULL, *ev = NULL;
	static const char *const none[] = {NULL};
	struct kyc_jerr e;
	if (!body)
		return;
	if (kyc_jv_known_fields(body, none, &e)) {
		api_jerr(c, &e);
		goto out;
	}
	int rc = kyc_store_begin(c->store);
	rc = rc ? rc : kyc_store_get(c->store, KYC_R_WEBHOOK_ENDPOINT, c->tenant_id, id, &ep);
	if (!rc && !json_is_true(json_object_get(ep, "enabled"))) {
		kyc_store_rollback(c->store);
		api_problem(c, 409, "endpoint_disabled", NULL,
			    "the endpoint is disabled; enable it first (PATCH enabled: true)");
		goto out;
	}
	rc = rc ? rc : kyc_webhook_test_event(c->store, c->tenant_id, ep, &ev);
	rc = rc ? rc : kyc_store_commit(c->store);
	if (rc) {
		kyc_store_rollback(c->store);
		api_store_error(c, rc, "webhook endpoint");
		goto out;
	}
	api_json(c, 202, kyc_webhook_render_event(ev));
out:
	json_decref(ev);
	json_decref(ep);
	json_decref(body);
}

API_HANDLER(endpoint_deliveries, API_READ)
{
	const char *id = api_param(c, 0);
	json_t *ep;
	int rc = kyc_store_get(c->store, KYC_R_WEBHOOK_ENDPOINT, c->tenant_id, id, &ep);
	if (rc) {
		api_store_error(c, rc, "webhook endpoint");
		return;
	}
	json_decref(ep);
	json_t *filter = json_pack("{s:s}", "endpoint_id", id);
	kyc_str v;
	if (kyc_req_query(c->req, "status", &v)) {
		int ok = 0;
		for (const char *const *s = delivery_statuses; *s; s++)
			ok |= strlen(*s) == v.len && !memcmp(*s, v.ptr, v.len);
		if (!ok) {
			json_decref(filter);
			api_problem(c, 400, "invalid_query", "status",
				    "status is one of pending, paused, succeeded, failed");
			return;
		}
		json_object_set_new(filter, "status", json_stringn(v.ptr, v.len));
	}
	api_send_list(c, KYC_R_WEBHOOK_DELIVERY, filter, kyc_webhook_render_delivery,
		      "webhook delivery list");
}

/* The tenant's secret for callback_url pushes (seed 004): made by the first
 * push; rotating shows the new one once (and makes it when there is none). */
API_HANDLER(callback_secret_get, API_READ)
{
	json_t *info;
	int rc = kyc_outbox_callback_secret_info(c->store, c->tenant_id, &info);
	if (rc) {
		api_store_error(c, rc, "callback secret");
		return;
	}
	json_object_set_new(info, "object", json_string("webhook_callback_secret"));
	api_json(c, 200, info);
}

API_HANDLER(callback_secret_rotate, API_WRITE | API_ADMIN | API_IDEMPOTENT)
{
	if (admin_only(c))
		return;
	json_t *body = kyc__api_optional_body(c), *info = NULL;
	int64_t overlap;
	char secret[KYC_WEBHOOK_SECRET_MAX];
	if (!body || read_overlap(c, body, &overlap))
		goto out;
	if (kyc_webhook_secret_new(secret)) {
		api_problem(c, 500, "internal_error", NULL, "no randomness for a new secret");
		goto out;
	}
	int rc = kyc_store_begin(c->store);
	rc = rc ? rc
		: kyc_outbox_callback_secret_set(c->store, c->tenant_id, secret, overlap,
						 kyc_now_ms());
	rc = rc ? rc : kyc_outbox_callback_secret_info(c->store, c->tenant_id, &info);
	rc = rc ? rc : kyc_store_commit(c->store);
	if (rc) {
		kyc_store_rollback(c->store);
		api_store_error(c, rc, "callback secret");
		goto out;
	}
	json_object_set_new(info, "object", json_string("webhook_callback_secret"));
	json_object_set_new(info, "secret", json_string(secret));
	api_json(c, 200, json_incref(info));
out:
	json_decref(info);
	json_decref(body);
}

void kyc__api_webhook_routes(kyc_server *s)
{
	kyc_server_route(s, "POST", "/v1/webhook-endpoints", endpoint_create);
	kyc_server_route(s, "GET", "/v1/webhook-endpoints", endpoint_list);
	kyc_server_route(s, "GET", "/v1/webhook-endpoints/{id}", endpoint_get);
	kyc_server_route(s, "PATCH", "/v1/webhook-endpoints/{id}", endpoint_patch);
	kyc_server_route(s, "DELETE", "/v1/webhook-endpoints/{id}", endpoint_delete);
	kyc_server_route(s, "POST", "/v1/webhook-endpoints/{id}/rotate-secret", endpoint_rotate);
	kyc_server_route(s, "POST", "/v1/webhook-endpoints/{id}/test", endpoint_test);
	kyc_server_route(s, "GET", "/v1/webhook-endpoints/{id}/deliveries", endpoint_deliveries);
	kyc_server_route(s, "GET", "/v1/webhook-callback-secret", callback_secret_get);
	kyc_server_route(s, "POST", "/v1/webhook-callback-secret/rotate", callback_secret_rotate);
}
