/* Webhook endpoints, events and deliveries as the API shows them, and the
 * checks on what a tenant sends to create or change an endpoint
 * (docs/webhooks.md, docs/api.md). No HTTP and no store calls here. */
#ifndef KYC_WEBHOOK_ENDPOINT_H
#define KYC_WEBHOOK_ENDPOINT_H

#include <jansson.h>

#include "json/jv.h"

/* The event types kycd emits, NULL-terminated (what event_types may list). */
extern const char *const kyc_webhook_event_types[];

/* Which URLs an endpoint may have: https only and no internal address,
 * unless the test switches allow plain http or loopback (docs/config.md). */
struct kyc_webhook_policy {
	int allow_http;
	int allow_loopback;
};

/* Checks a URL that webhooks will later be sent to (an endpoint's url, a
 * verification's callback_url) under the policy and the outbound rules of
 * src/net/fetch.h that need no network: https, no credentials, no literal
 * internal address (169.254.169.254, 127.0.0.1, 10.0.0.1, [::1], ...). 0, or
 * -1 with e filled: 422, the fetch code (url_address_not_allowed,
 * url_scheme_not_allowed, url_invalid) and field. */
int kyc_webhook_url_check(const char *url, const struct kyc_webhook_policy *p, const char *field,
			  struct kyc_jerr *e);

/* Reads a create (partial=0: url required) or PATCH (partial=1) body into
 * rec as store columns: url, description, event_types (null = every type),
 * enabled, format. "metadata" is let through for the caller to check and
 * store. 0, or -1 with e filled (422 and the field at fault). */
int kyc_webhook_endpoint_read(const json_t *body, int partial, const struct kyc_webhook_policy *p,
			      json_t *rec, struct kyc_jerr *e);

/* 1 when an endpoint subscribed to event_types (an array, or null for all)
 * receives events of type. */
int kyc_webhook_subscribed(const json_t *event_types, const char *type);

/* Store records -> API objects (new references). Secrets never appear. */
json_t *kyc_webhook_render_endpoint(const json_t *rec);
json_t *kyc_webhook_render_delivery(const json_t *rec);
/* The event as GET /v1/events/{id} shows it, which is also the body of a
 * "native" delivery. */
json_t *kyc_webhook_render_event(const json_t *rec);

#endif
