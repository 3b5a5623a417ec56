/* The route sets' webhook payloads: the delivery formats "compat002"
 * (seed 002's webhooks, chosen per endpoint) and "compat004" (seed 004's
 * user-status push to a share's callbackUrl), registered with the webhook
 * worker by kyc_compat_register. Each renders a stored event: its type,
 * time, the verification's snapshot (payload), and what the route set wrote
 * with the verification (attributes.compat, from kyc_event_emit). The bytes
 * depend on the event only, so every attempt sends the same body under the
 * same webhook-id (the event's id). Each format also says which events it
 * sends at all: only its own route set's, once per change of the vendor's
 * own status. */
#include <stdlib.h>
#include <string.h>

#include "compat/compat.h"
#include "core/err.h"
#include "webhooks/payload.h"

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

static int is(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static int decided(const char *st)
{
	return is(st, "approved") || is(st, "rejected");
}

/* ---- seed 002 ---- */

static int takes002(const struct kyc_webhook_event_head *ev)
{
	if (is(ev->type, "webhook.test")) /* asked for, for this endpoint */
		return 1;
	if (!is(ev->compat_seed, "002"))
		return 0; /* not an IDV: nothing seed 002 knows how to say */
	if (is(ev->type, "verification.created"))
		return 1;
	if (!is(ev->type, "verification.status_changed"))
		return 0;
	/* a decision is KycIdentification.Approved/Rejected; another change
	 * only when the IDV's own status moved. awaiting_input counts as
	 * started here: consent and a first upload are no kycd status change,
	 * so Created -> InProgress is never pushed on its own. */
	if (decided(ev->status) || !*ev->from_status)
		return 1;
	return strcmp(kyc_compat002_idv_status(ev->from_status, 1),
	              kyc_compat002_idv_status(ev->status, 1)) != 0;
}

/* The event's verification as GET /v1/identity-verifications/{id} reads
 * it (the IDV id, setup and application from the route set's marks). */
static json_t *snapshot_of(const json_t *event, const json_t *c)
{
	json_t *v = json_deep_copy(json_object_get(event, "payload"));
	const json_t *data = json_object_get(c, "data");
	json_object_set(v, "compat_ref", json_object_get(c, "ref"));
	json_object_set_new(v, "attributes",
	                    json_pack("{s:O}", "compat002", data ? data : json_null()));
	return v;
}

int kyc_compat002_webhook(const json_t *event, kyc_buf *body, const char **content_type)
{
	const char *type = kyc__compat_str(event, "type");
	const json_t *c = compat_of(event, "002");
	const json_t *data = json_object_get(c, "data");
	const char *app = kyc__compat_str(data, "application_id");
	json_t *payload = NULL;
	const char *vtype = NULL;
	if (c) {
		json_t *v = snapshot_of(event, c);
		const char *st = kyc__compat_str(v, "status");
		if (is(type, "verification.status_changed") && decided(st)) {
			/* the decision: the KYC identification as GET
			 * /v1/identifications/{id} reads it, without the document
			 * data the event does not carry */
			vtype = is(st, "approved") ? "KycIdentification.Approved"
			                           : "KycIdentification.Rejected";
			payload = kyc_compat002_identification(v, app, NULL);
		} else {
			vtype = is(type, "verification.created")
			            ? "IdentityVerification.Created"
			            : "IdentityVerification.StatusChanged";
			/* the consent step is the Consented webhook's, not a status change's */
			payload = kyc_compat002_idv(v, app, NULL);
			json_object_del(json_object_get(payload, "step"), "consent");
		}
		json_decref(v);
	} else {
		/* a test event: kycd's own snapshot, under kycd's own event type */
		payload = json_incref(json_object_get(event, "payload"));
	}
	json_t *o =
	    json_pack("{s:O, s:O, s:O, s:O, s:b, s:o}", "id", or_null(json_object_get(event, "id")),
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

/* ---- seed 004 ---- */

/* accept / reject once decided; "new" while the verification still runs */
static const char *status004(const char *st)
{
	return !st || !*st                                                      ? "new"
	       : is(st, "approved")                                             ? "accept"
	       : is(st, "rejected") || is(st, "expired") || is(st, "cancelled") ? "reject"
	                                                                        : "new";
}

/* One push per change of the user's status: "new" when the share's
 * verification starts, then its decision; a change between two running
 * states (awaiting_input -> pending_review) and the decision's other
 * events (review.decided) say nothing new. */
static int takes004(const struct kyc_webhook_event_head *ev)
{
	if (!is(ev->compat_seed, "004"))
		return 0;
	if (is(ev->type, "verification.created"))
		return 1;
	return is(ev->type, "verification.status_changed") &&
	       strcmp(status004(ev->from_status), status004(ev->status)) != 0;
}

int kyc_compat004_webhook(const json_t *event, kyc_buf *body, const char **content_type)
{
	const json_t *snap = json_object_get(event, "payload");
	const json_t *data = json_object_get(compat_of(event, "004"), "data");
	const char *st = kyc__compat_str(snap, "status");
	const char *status = status004(st);
	json_t *o = json_pack("{s:O, s:O, s:s, s:s}", "merchantUserId",
	                      or_null(json_object_get(data, "merchantUserId")), "userId",
	                      or_null(json_object_get(snap, "applicant_id")), "kycStatus",
	                      !strcmp(status, "new") ? "pending" : status, "status", status);
	/* a rejection says why (kycd's addition: the decision's reason code) */
	const char *reason = kyc__compat_str(json_object_get(snap, "decision"), "reason");
	if (!strcmp(status, "reject"))
		json_object_set_new(o, "reason", json_string(reason ? reason : st));
	/* and which of the share's file URLs never came, each with its error
	 * (kycd's addition, as the share's answer names a file's field) */
	json_t *errs = json_array();
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(snap, "downloads"), i, d)
	{
		char field[64], msg[160];
		const char *f = kyc__compat_str(d, "field");
		const char *code = kyc__compat_str(d, "last_error");
		snprintf(field, sizeof field, "kycIdentityInfoVo.%s", f ? f : "");
		snprintf(msg, sizeof msg, "%s could not be %s after %lld tries: %s", f ? f : "a file",
		         json_is_true(json_object_get(d, "failed")) ? "used" : "downloaded",
		         (long long)json_integer_value(json_object_get(d, "attempts")),
		         code ? code : "url_fetch_failed");
		json_array_append_new(errs, json_pack("{s:s, s:s, s:s}", "field", field, "code",
		                                      code ? code : "url_fetch_failed", "msg", msg));
	}
	if (json_array_size(errs))
		json_object_set_new(o, "fileErrors", errs);
	else
		json_decref(errs);
	return put(body, o, content_type);
}

static const struct kyc_webhook_format formats[] = {
    {"compat002", kyc_compat002_webhook, takes002},
    {"compat004", kyc_compat004_webhook, takes004},
};

void kyc_compat_webhook_formats_register(void)
{
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		kyc_webhook_format_register(&formats[i]); /* a second call finds them there */
}
