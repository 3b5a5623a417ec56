/* The route sets' webhook payloads: the delivery formats "compat002"
 * (seed 002's IdentityVerification.* webhooks, chosen per endpoint) and
 * "compat004" (seed 004's user-status push to a share's callbackUrl), in
 * the table of src/webhooks/payload.c. Each renders a stored event: its
 * type, time, the verification's snapshot (payload), and what the route set
 * wrote with the verification (attributes.compat, from kyc_event_emit). The
 * bytes depend on the event only, so every attempt sends the same body. */
#include <stdlib.h>
#include <string.h>

#include "compat/compat.h"
#include "core/err.h"

static int put(kyc_buf *body, json_t *o, const char **content_type)
{
	char *txt = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!txt)
		return KYC_ERR_NOMEM;
	int rc = kyc_buf_puts(body, txt);
	free(txt);
	*content_type = "application/json";
	return rc;
}

static json_t *or_null(json_t *v)
{
	return v ? v : json_null();
}

static const json_t *compat_of(const json_t *event, const char *seed)
{
	const json_t *c = json_object_get(json_object_get(event, "attributes"), "compat");
	const char *s = kyc__compat_str(c, "seed");
	return s && !strcmp(s, seed) ? c : NULL;
}

int kyc_compat002_webhook(const json_t *event, kyc_buf *body, const char **content_type)
{
	const char *type = kyc__compat_str(event, "type");
	const json_t *snap = json_object_get(event, "payload");
	const json_t *c = compat_of(event, "002");
	const json_t *data = json_object_get(c, "data");
	json_t *payload, *o;
	const char *vtype = "IdentityVerification.Updated";
	if (type && !strcmp(type, "verification.created"))
		vtype = "IdentityVerification.Created";
	else if (type && !strcmp(type, "verification.status_changed"))
		vtype = "IdentityVerification.StatusChanged";
	if (c) {
		/* the IDV as GET /v1/identity-verifications/{id} shows it; the
		 * consent step is the Consented webhook's, not a status change's */
		json_t *v = json_deep_copy(snap);
		json_object_set(v, "compat_ref", json_object_get(c, "ref"));
		json_object_set_new(v, "attributes",
		                    json_pack("{s:O}", "compat002", data ? data : json_null()));
		payload = kyc_compat002_idv(v, kyc__compat_str(data, "application_id"), NULL);
		json_object_del(json_object_get(payload, "step"), "consent");
		json_decref(v);
	} else {
		/* not an IDV: kycd's own snapshot, under kycd's own event type */
		payload = json_incref((json_t *)snap);
		vtype = NULL;
	}
	o = json_pack("{s:O, s:O, s:O, s:O, s:b, s:o}", "id", or_null(json_object_get(event, "id")),
	              "applicationId", or_null(json_object_get(data, "application_id")),
	              "createdUtc", or_null(json_object_get(event, "created_at")), "deliveredUtc",
	              or_null(json_object_get(event, "created_at")), "isDelivered", 1, "payload",
	              payload ? payload : json_null());
	if (vtype)
		json_object_set_new(o, "type", json_string(vtype));
	else
		json_object_set(o, "type", json_object_get(event, "type"));
	return put(body, o, content_type);
}

int kyc_compat004_webhook(const json_t *event, kyc_buf *body, const char **content_type)
{
	const json_t *snap = json_object_get(event, "payload");
	const json_t *data = json_object_get(compat_of(event, "004"), "data");
	const char *st = kyc__compat_str(snap, "status");
	/* accept / reject once decided; "new" (and kycStatus "pending", kycd's)
	 * while the verification still runs */
	const char *status =
	    !st                       ? "new"
	    : !strcmp(st, "approved") ? "accept"
	    : !strcmp(st, "rejected") || !strcmp(st, "expired") || !strcmp(st, "cancelled")
	        ? "reject"
	        : "new";
	json_t *o = json_pack("{s:O, s:O, s:s, s:s}", "merchantUserId",
	                      json_object_get(data, "merchantUserId")
	                          ? json_object_get(data, "merchantUserId")
	                          : json_null(),
	                      "userId", or_null(json_object_get(snap, "applicant_id")), "kycStatus",
	                      !strcmp(status, "new") ? "pending" : status, "status", status);
	return put(body, o, content_type);
}
