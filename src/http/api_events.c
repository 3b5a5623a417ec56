/* /v1/events: what happened to a tenant's records, as the webhook payloads
 * carry it (docs/webhooks.md); the deliveries of an event; redelivery. */
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "http/api.h"
#include "webhooks/endpoint.h"
#include "webhooks/fanout.h"

API_HANDLER(event_list, API_READ)
{
	json_t *filter = json_object();
	kyc_str v;
	if (kyc_req_query(c->req, "type", &v))
		json_object_set_new(filter, "type", json_stringn(v.ptr, v.len));
	if (kyc_req_query(c->req, "resource_id", &v))
		json_object_set_new(filter, "resource_id", json_stringn(v.ptr, v.len));
	api_send_list(c, KYC_R_EVENT, filter, kyc_webhook_render_event, "event list");
}

API_HANDLER(event_get, API_READ)
{
	json_t *got;
	int rc = kyc_store_get(c->store, KYC_R_EVENT, c->tenant_id, api_param(c, 0), &got);
	if (rc) {
		api_store_error(c, rc, "event");
		return;
	}
	api_json(c, 200, kyc_webhook_render_event(got));
	json_decref(got);
}

API_HANDLER(event_deliveries, API_READ)
{
	const char *id = api_param(c, 0);
	json_t *ev;
	int rc = kyc_store_get(c->store, KYC_R_EVENT, c->tenant_id, id, &ev);
	if (rc) {
		api_store_error(c, rc, "event");
		return;
	}
	json_decref(ev);
	api_send_list(c, KYC_R_WEBHOOK_DELIVERY, json_pack("{s:s}", "event_id", id),
		      kyc_webhook_render_delivery, "webhook delivery list");
}

/* A new delivery of the event, due now, to one endpoint or to every target
 * it has today; earlier deliveries and their logs stay as they are. */
API_HANDLER(event_redeliver, API_WRITE | API_IDEMPOTENT)
{
	static const char *const fields[] = {"endpoint_id", NULL};
	const char *id = api_param(c, 0);
	json_t *body = kyc__api_optional_body(c), *ev = NULL, *out = NULL;
	const char *endpoint = NULL;
	struct kyc_jerr e;
	if (!body)
		return;
	if (kyc_jv_known_fields(body, fields, &e) ||
	    kyc_jv_string(body, "endpoint_id", 0, 64, &endpoint, &e)) {
		api_jerr(c, &e);
		goto out;
	}
	int rc = kyc_store_begin(c->store);
	if (!rc && (rc = kyc_store_get(c->store, KYC_R_EVENT, c->tenant_id, id, &ev))) {
		kyc_store_rollback(c->store);
		api_store_error(c, rc, "event");
		goto out;
	}
	rc = rc ? rc : kyc_webhook_redeliver(c->store, c->tenant_id, ev, endpoint, kyc_now_ms(), &out);
	rc = rc ? rc : kyc_store_commit(c->store);
	if (rc) {
		kyc_store_rollback(c->store);
		if (rc == KYC_ERR_NOTFOUND)
			api_problem(c, 404, "not_found", "endpoint_id", "no such webhook endpoint");
		else if (rc == KYC_ERR_STATE)
			api_problem(c, 409, "endpoint_disabled", "endpoint_id",
				    "the endpoint is disabled; enable it first (PATCH enabled: true)");
		else if (rc == KYC_ERR_CONFLICT)
			api_problem(c, 409, "no_delivery_targets", NULL,
				    "no enabled endpoint subscribes to this event and it has no callback_url");
		else
			api_store_error(c, rc, "event");
		goto out;
	}
	json_t *data = json_array();
	size_t i;
	json_t *d;
	json_array_foreach(out, i, d)
	{
		json_array_append_new(data, kyc_webhook_render_delivery(d));
	}
	api_json(c, 202, json_pack("{s:s, s:o, s:b, s:n}", "object", "list", "data", data,
				   "has_more", 0, "next_cursor"));
out:
	json_decref(out);
	json_decref(ev);
	json_decref(body);
}

void kyc__api_event_routes(kyc_server *s)
{
	kyc_server_route(s, "GET", "/v1/events", event_list);
	kyc_server_route(s, "GET", "/v1/events/{id}", event_get);
	kyc_server_route(s, "GET", "/v1/events/{id}/deliveries", event_deliveries);
	kyc_server_route(s, "POST", "/v1/events/{id}/redeliver", event_redeliver);
}
