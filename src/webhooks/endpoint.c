#include "webhooks/endpoint.h"

#include <string.h>

#include "net/fetch.h"
#include "webhooks/payload.h"

const char *const kyc_webhook_event_types[] = {
	"verification.created",
	"verification.status_changed",
	"verification.updated",
	"verification.images_removed",
	"verification.identity_removed",
	"document.processed",
	"review.decided",
	"applicant.created",
	"applicant.updated",
	"applicant.deleted",
	"webhook_endpoint.disabled",
	"webhook.test",
	NULL,
};

static const char *const endpoint_fields[] = {
	"url", "description", "event_types", "enabled", "format", "metadata", NULL,
};

#define MAX_TYPES 50

static int known_type(const char *t)
{
	for (const char *const *k = kyc_webhook_event_types; *k; k++)
		if (!strcmp(*k, t))
			return 1;
	return 0;
}

static int read_event_types(const json_t *body, json_t *rec, struct kyc_jerr *e)
{
	const json_t *v = json_object_get(body, "event_types");
	if (!v)
		return 0;
	if (json_is_null(v)) {
		json_object_set_new(rec, "event_types", json_null());
		return 0;
	}
	if (!json_is_array(v))
		return kyc_jerr_set(e, 422, "invalid_type", "event_types",
				    "'event_types' must be an array of event types, or null for all");
	size_t n = json_array_size(v);
	if (n == 0 || n > MAX_TYPES)
		return kyc_jerr_set(e, 422, "invalid_value", "event_types",
				    "'event_types' lists 1 to %d event types (null means all)",
				    MAX_TYPES);
	json_t *out = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(v, i, t)
	{
		const char *s = json_string_value(t);
		if (!s || !known_type(s)) {
			json_decref(out);
			return kyc_jerr_set(e, 422, "invalid_value", "event_types",
					    "'event_types' has an unknown event type (see docs/webhooks.md)");
		}
		int dup = 0;
		size_t j;
		json_t *o;
		json_array_foreach(out, j, o)
		{
			dup |= !strcmp(json_string_value(o), s);
		}
		if (!dup)
			json_array_append(out, t);
	}
	json_object_set_new(rec, "event_types", out);
	return 0;
}

int kyc_webhook_url_check(const char *url, const struct kyc_webhook_policy *p, const char *field,
			  struct kyc_jerr *e)
{
	struct kyc_fetch_opts fo = {.allow_http = p->allow_http, .allow_loopback = p->allow_loopback};
	struct kyc_fetch_info fi;
	if (kyc_fetch_check_url(url, &fo, &fi))
		return kyc_jerr_set(e, 422, fi.code, field, "'%s': %s", field, fi.message);
	return 0;
}

int kyc_webhook_endpoint_read(const json_t *body, int partial, const struct kyc_webhook_policy *p,
			      json_t *rec, struct kyc_jerr *e)
{
	if (kyc_jv_known_fields(body, endpoint_fields, e))
		return -1;
	const char *url = NULL;
	/* null is no way to clear these: a PATCH that sends it is refused too */
	int url_flags = !partial || json_object_get(body, "url") ? KYC_JV_REQUIRED : 0;
	if (kyc_jv_string(body, "url", url_flags, KYC_FETCH_URL_MAX, &url, e))
		return -1;
	if (url) {
		if (kyc_webhook_url_check(url, p, "url", e))
			return -1;
		json_object_set_new(rec, "url", json_string(url));
	}
	if (partial && json_is_null(json_object_get(body, "description"))) {
		json_object_set_new(rec, "description", json_null());
	} else {
		const char *d = NULL;
		if (kyc_jv_string(body, "description", 0, 500, &d, e))
			return -1;
		if (d)
			json_object_set_new(rec, "description", json_string(d));
	}
	if (read_event_types(body, rec, e))
		return -1;
	int enabled = -1;
	if (kyc_jv_bool(body, "enabled", json_object_get(body, "enabled") ? KYC_JV_REQUIRED : 0,
			&enabled, e))
		return -1;
	if (enabled >= 0)
		json_object_set_new(rec, "enabled", json_boolean(enabled));
	const json_t *f = json_object_get(body, "format");
	if (f && !json_is_null(f)) {
		if (!json_is_string(f) || !kyc_webhook_format_find(json_string_value(f)))
			return kyc_jerr_set(e, 422, "invalid_value", "format",
					    "'format' must be a payload format kycd knows: native, compat002 (seed 002), compat004 (seed 004)");
		json_object_set(rec, "format", (json_t *)f);
	} else if (f) {
		json_object_set_new(rec, "format", json_string("native"));
	}
	return 0;
}

int kyc_webhook_subscribed(const json_t *event_types, const char *type)
{
	if (!json_is_array(event_types))
		return 1;
	size_t i;
	json_t *t;
	json_array_foreach(event_types, i, t)
	{
		if (json_is_string(t) && !strcmp(json_string_value(t), type))
			return 1;
	}
	return 0;
}

static void copy_keys(json_t *out, const json_t *rec, const char *const *keys)
{
	for (const char *const *k = keys; *k; k++) {
		json_t *v = json_object_get(rec, *k);
		json_object_set(out, *k, v ? v : json_null());
	}
}

static json_t *begin(const json_t *rec, const char *object)
{
	json_t *o = json_object();
	json_object_set(o, "id", json_object_get(rec, "id"));
	json_object_set_new(o, "object", json_string(object));
	return o;
}

json_t *kyc_webhook_render_endpoint(const json_t *rec)
{
	static const char *const keys[] = {
		"url", "description", "event_types", "enabled", "format", "disabled_reason",
		"disabled_at", "failing_since", "previous_secret_expires_at", NULL,
	};
	static const char *const tail[] = {"version", "created_at", "updated_at", NULL};
	json_t *o = begin(rec, "webhook_endpoint");
	copy_keys(o, rec, keys);
	json_t *attrs = json_object_get(rec, "attributes");
	json_t *meta = json_is_object(attrs) ? json_object_get(attrs, "metadata") : NULL;
	json_object_set_new(o, "metadata", json_is_object(meta) ? json_incref(meta) : json_object());
	copy_keys(o, rec, tail);
	return o;
}

json_t *kyc_webhook_render_delivery(const json_t *rec)
{
	static const char *const keys[] = {
		"event_id", "event_type", "endpoint_id", "url", "format", "status",
		"attempt_count", "next_attempt_at", "last_attempt_at", "last_status", "last_error",
		"completed_at", NULL,
	};
	static const char *const tail[] = {"version", "created_at", "updated_at", NULL};
	json_t *o = begin(rec, "webhook_delivery");
	copy_keys(o, rec, keys);
	json_t *log = json_object_get(rec, "attempts");
	json_object_set_new(o, "attempts", json_is_array(log) ? json_incref(log) : json_array());
	copy_keys(o, rec, tail);
	return o;
}

json_t *kyc_webhook_render_event(const json_t *rec)
{
	static const char *const keys[] = {
		"type", "created_at", "resource_type", "resource_id", "resource_version", NULL,
	};
	json_t *o = begin(rec, "event");
	copy_keys(o, rec, keys);
	json_t *p = json_object_get(rec, "payload");
	json_object_set(o, "data", p ? p : json_null());
	return o;
}
