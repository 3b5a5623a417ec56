#include "flows/render.h"

#include <string.h>

#include "core/clock.h"
#include "flows/deferred.h"

/* Copies the listed keys of rec (null when absent) into out, in order. */
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

static void finish(json_t *o, const json_t *rec)
{
	json_t *attrs = json_object_get(rec, "attributes");
	json_t *meta = json_is_object(attrs) ? json_object_get(attrs, "metadata") : NULL;
	json_object_set_new(o, "metadata",
			    json_is_object(meta) ? json_incref(meta) : json_object());
	static const char *const tail[] = {"version", "created_at", "updated_at", NULL};
	copy_keys(o, rec, tail);
}

json_t *kyc_render_applicant(const json_t *rec)
{
	static const char *const keys[] = {
		"external_ref", "email", "phone", "first_name", "middle_name", "last_name",
		"first_name_native", "middle_name_native", "last_name_native", "birth_date",
		"country", "nationality", "personal_code", "level", "tier", "erased_at", NULL,
	};
	json_t *o = begin(rec, "applicant");
	copy_keys(o, rec, keys);
	json_t *attrs = json_object_get(rec, "attributes");
	json_t *att = json_is_object(attrs) ? json_object_get(attrs, "attestations") : NULL;
	json_object_set_new(o, "attestations",
			    json_is_object(att) ? json_incref(att) : json_object());
	finish(o, rec);
	return o;
}

json_t *kyc_render_verification(const json_t *rec)
{
	static const char *const keys[] = {
		"applicant_id", "status", "level", "document_types", "pending_steps", "attempts",
		"failed_attempts", "expires_at", "submitted_at", "decided_at", "callback_url",
		"checks", "decision", "corrections", "images_removed_at", "identity_removed_at", NULL,
	};
	json_t *o = begin(rec, "verification");
	copy_keys(o, rec, keys);
	json_t *attrs = json_object_get(rec, "attributes");
	json_t *doc = json_is_object(attrs) ? json_object_get(attrs, "document_id") : NULL;
	json_object_set(o, "document_id", doc ? doc : json_null());
	/* the face result (docs/api.md): written by the workflow, null before */
	json_t *face = json_is_object(attrs) ? json_object_get(attrs, "face") : NULL;
	json_object_set(o, "face", face ? face : json_null());
	/* files given by URL still to be fetched (src/flows/deferred.h) */
	json_t *l = kyc_deferred_list(rec), *dl = json_array();
	size_t i;
	json_t *d;
	json_array_foreach(l, i, d)
	{
		char when[32];
		kyc_time_iso(json_integer_value(json_object_get(d, "next_at")), when);
		static const char *const dkeys[] = {"field", "url", "role", "side", "attempts",
						   "last_error", NULL};
		json_t *o2 = json_object();
		copy_keys(o2, d, dkeys);
		json_object_set_new(o2, "next_at", json_string(when));
		json_object_set_new(o2, "failed", json_boolean(json_is_true(json_object_get(d, "failed"))));
		json_array_append_new(dl, o2);
	}
	json_decref(l);
	json_object_set_new(o, "downloads", dl);
	json_t *code = json_object_get(rec, "retry_code");
	if (json_is_string(code))
		json_object_set_new(o, "retry",
				    json_pack("{s:O, s:O}", "code", code, "message",
					      json_object_get(rec, "retry_message")));
	else
		json_object_set_new(o, "retry", json_null());
	finish(o, rec);
	return o;
}

json_t *kyc_render_document(const json_t *rec)
{
	static const char *const keys[] = {
		"verification_id", "applicant_id", "type", "side", "issuing_country", "file_id",
		"status", "extraction", NULL,
	};
	json_t *o = begin(rec, "document");
	copy_keys(o, rec, keys);
	finish(o, rec);
	return o;
}

json_t *kyc_render_file(const json_t *rec)
{
	static const char *const keys[] = {
		"kind", "content_type", "size", "sha256", "width", "height", "deleted_at", NULL,
	};
	json_t *o = begin(rec, "file");
	copy_keys(o, rec, keys);
	static const char *const tail[] = {"created_at", NULL};
	copy_keys(o, rec, tail);
	return o;
}

json_t *kyc_render_history(const json_t *rec)
{
	static const char *const keys[] = {"verification_id", "actor", "action", "from_status",
					   "to_status", "reason", "details", "created_at", NULL};
	json_t *o = begin(rec, "history_entry");
	copy_keys(o, rec, keys);
	return o;
}

int kyc_render_metadata_check(const json_t *meta, struct kyc_jerr *e)
{
	if (!json_is_object(meta))
		return kyc_jerr_set(e, 422, "invalid_type", "metadata",
				    "'metadata' must be an object of strings");
	if (json_object_size(meta) > 50)
		return kyc_jerr_set(e, 422, "too_long", "metadata",
				    "'metadata' may have at most 50 keys");
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)meta, key, val)
	{
		if (strlen(key) > 40 || !json_is_string(val) || json_string_length(val) > 500)
			return kyc_jerr_set(e, 422, "invalid_value", "metadata",
					    "metadata keys are at most 40 bytes and values strings of at most 500 bytes");
	}
	return 0;
}
