/* /v1/applicants: the people being verified. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/rand.h"
#include "http/api.h"
#include "flows/erasure.h"
#include "flows/render.h"
#include "flows/workflow.h"

static const char *const applicant_fields[] = {
	"external_ref", "email", "phone", "first_name", "middle_name", "last_name",
	"first_name_native", "middle_name_native", "last_name_native", "birth_date", "country",
	"nationality", "personal_code", "level", "tier", "metadata", "attestations", NULL,
};

/* "attestations": facts about the applicant established elsewhere that tier
 * rules (settings "requirements") may test, e.g. {"nin_verified": true,
 * "bvn_verified": true, "liveness_completed": true} (seed 003). At most 20
 * keys of at most 40 bytes with boolean values; null removes them all. */
static int attestations_check(const json_t *a, struct kyc_jerr *e)
{
	if (!json_is_object(a) || json_object_size(a) > 20)
		return kyc_jerr_set(e, 422, "invalid_type", "attestations",
				    "'attestations' must be an object of at most 20 booleans");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)a, k, v)
	{
		if (strlen(k) > 40 || !json_is_boolean(v))
			return kyc_jerr_set(e, 422, "invalid_value", "attestations",
					    "attestation '%.40s' must be a boolean (names up to 40 bytes)", k);
	}
	return 0;
}

/* Writes the applicant's event in the caller's transaction. */
static int applicant_event(struct api_call *c, const char *type, const json_t *rec)
{
	json_t *snap = kyc_render_applicant(rec);
	int rc = kyc_event_emit(c->store, c->tenant_id, type, "applicant",
				json_string_value(json_object_get(rec, "id")),
				json_integer_value(json_object_get(rec, "version")), snap);
	json_decref(snap);
	return rc;
}
static const char *const levels[] = {"L0", "L1", "L2", NULL};

static int phone_ok(const char *s)
{
	size_t digits = 0;
	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (!(*p == '+' && p == s) && *p != ' ' && *p != '-' && *p != '(' && *p != ')')
			return 0;
	}
	return digits >= 5 && digits <= 17;
}

/* Validates body fields into rec (a store record). For PATCH (partial), absent
 * fields are left out and null clears. Returns 0 or -1 with e filled. */
static int applicant_fields_read(const json_t *body, int partial, json_t *rec, struct kyc_jerr *e)
{
	static const struct {
		const char *name;
		size_t max;
	} texts[] = {
		{"external_ref", 128}, {"first_name", 100}, {"middle_name", 100}, {"last_name", 100},
		{"first_name_native", 100}, {"middle_name_native", 100}, {"last_name_native", 100},
		{"personal_code", 64},
	};
	if (kyc_jv_known_fields(body, applicant_fields, e))
		return -1;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		const char *v = NULL;
		if (kyc_jv_string(body, texts[i].name, 0, texts[i].max, &v, e))
			return -1;
		if (v)
			json_object_set_new(rec, texts[i].name, json_string(v));
	}
	const char *v = NULL;
	if (kyc_jv_email(body, "email", 0, &v, e))
		return -1;
	if (v)
		json_object_set_new(rec, "email", json_string(v));
	v = NULL;
	if (kyc_jv_string(body, "phone", 0, 32, &v, e))
		return -1;
	if (v && !phone_ok(v))
		return kyc_jerr_set(e, 422, "invalid_phone", "phone",
				    "'phone' must be a phone number (digits, optional leading +)");
	if (v)
		json_object_set_new(rec, "phone", json_string(v));
	v = NULL;
	if (kyc_jv_date(body, "birth_date", 0, &v, e))
		return -1;
	if (v) {
		int64_t d;
		kyc_date_parse(v, strlen(v), &d);
		if (d * 86400000LL > kyc_now_ms())
			return kyc_jerr_set(e, 422, "invalid_date", "birth_date",
					    "'birth_date' is in the future");
		json_object_set_new(rec, "birth_date", json_string(v));
	}
	const char *const countries[] = {"country", "nationality"};
	for (int i = 0; i < 2; i++) {
		v = NULL;
		if (kyc_jv_country3(body, countries[i], 0, &v, e))
			return -1;
		if (v)
			json_object_set_new(rec, countries[i], json_string(v));
	}
	v = NULL;
	if (kyc_jv_enum(body, "level", 0, levels, &v, e))
		return -1;
	if (v)
		json_object_set_new(rec, "level", json_string(v));
	int64_t tier = -1;
	if (kyc_jv_int(body, "tier", 0, 0, 9, &tier, e))
		return -1;
	if (tier >= 0)
		json_object_set_new(rec, "tier", json_integer(tier));
	const json_t *meta = json_object_get(body, "metadata");
	if (meta && !json_is_null(meta)) {
		if (kyc_render_metadata_check(meta, e))
			return -1;
	}
	if (partial) {
		/* An explicit null clears a field (level and tier go back to defaults). */
		const char *key;
		json_t *val;
		json_object_foreach((json_t *)body, key, val)
		{
			if (!json_is_null(val) || !strcmp(key, "metadata"))
				continue;
			if (!strcmp(key, "level"))
				json_object_set_new(rec, key, json_string("L0"));
			else if (!strcmp(key, "tier"))
				json_object_set_new(rec, key, json_integer(0));
			else
				json_object_set_new(rec, key, json_null());
		}
	}
	return 0;
}

API_HANDLER(applicant_create, API_WRITE | API_IDEMPOTENT)
{
	json_t *body = api_body_object(c);
	if (!body)
		return;
	json_t *rec = json_object();
	struct kyc_jerr e;
	char id[37];
	if (applicant_fields_read(body, 0, rec, &e)) {
		api_jerr(c, &e);
		goto out;
	}
	if (!json_object_get(rec, "level"))
		json_object_set_new(rec, "level", json_string("L0"));
	if (!json_object_get(rec, "tier"))
		json_object_set_new(rec, "tier", json_integer(0));
	json_t *meta = json_object_get(body, "metadata");
	json_t *att = json_object_get(body, "attestations");
	if (att && !json_is_null(att) && attestations_check(att, &e)) {
		api_jerr(c, &e);
		goto out;
	}
	json_object_set_new(rec, "attributes",
			    json_pack("{s:o}", "metadata",
				      meta && json_is_object(meta) ? json_incref(meta) : json_object()));
	if (json_is_object(att))
		json_object_set(json_object_get(rec, "attributes"), "attestations", att);
	kyc_uuid_new(id);
	json_object_set_new(rec, "id", json_string(id));
	json_t *got = NULL;
	int rc = kyc_store_begin(c->store);
	rc = rc ? rc : kyc_store_insert(c->store, KYC_R_APPLICANT, c->tenant_id, rec);
	rc = rc ? rc : kyc_store_get(c->store, KYC_R_APPLICANT, c->tenant_id, id, &got);
	rc = rc ? rc : applicant_event(c, "applicant.created", got);
	rc = rc ? rc : kyc_store_commit(c->store);
	if (rc) {
		kyc_store_rollback(c->store);
		json_decref(got);
		api_store_error(c, rc, "applicant");
		goto out;
	}
	api_json(c, 201, kyc_render_applicant(got));
	json_decref(got);
out:
	json_decref(rec);
	json_decref(body);
}

API_HANDLER(applicant_get, API_READ)
{
	json_t *got;
	int rc = kyc_store_get(c->store, KYC_R_APPLICANT, c->tenant_id, api_param(c, 0), &got);
	if (rc) {
		api_store_error(c, rc, "applicant");
		return;
	}
	api_json(c, 200, kyc_render_applicant(got));
	json_decref(got);
}

API_HANDLER(applicant_list, API_READ)
{
	json_t *filter = json_object();
	kyc_str ref;
	if (kyc_req_query(c->req, "external_ref", &ref))
		json_object_set_new(filter, "external_ref", json_stringn(ref.ptr, ref.len));
	api_send_list(c, KYC_R_APPLICANT, filter, kyc_render_applicant, "applicant list");
}

API_HANDLER(applicant_patch, API_WRITE)
{
	const char *id = api_param(c, 0);
	json_t *body = api_body_object(c);
	if (!body)
		return;
	json_t *patch = json_object(), *cur = NULL;
	struct kyc_jerr e;
	if (applicant_fields_read(body, 1, patch, &e)) {
		api_jerr(c, &e);
		goto out;
	}
	json_t *att = json_object_get(body, "attestations");
	if (att && !json_is_null(att) && attestations_check(att, &e)) {
		api_jerr(c, &e);
		goto out;
	}
	if (kyc_store_in_transaction(c->store))
		kyc_store_commit(c->store);
	int rc = kyc_store_begin(c->store);
	rc = rc ? rc : kyc_store_get(c->store, KYC_R_APPLICANT, c->tenant_id, id, &cur);
	if (rc) {
		kyc_store_rollback(c->store);
		api_store_error(c, rc, "applicant");
		goto out;
	}
	if (kyc_erasure_is_erased(cur)) {
		kyc_store_rollback(c->store);
		api_problem(c, 410, "applicant_erased", NULL, "this applicant was erased");
		goto out;
	}
	json_t *meta = json_object_get(body, "metadata");
	if (meta || att) {
		json_t *attrs = json_deep_copy(json_object_get(cur, "attributes"));
		if (!json_is_object(attrs)) {
			json_decref(attrs);
			attrs = json_object();
		}
		if (meta)
			json_object_set_new(attrs, "metadata",
					    json_is_object(meta) ? json_incref(meta) : json_object());
		if (json_is_object(att)) { /* merged: PATCH one attestation at a time */
			json_t *merged = json_object_get(attrs, "attestations");
			if (!json_is_object(merged)) {
				merged = json_object();
				json_object_set_new(attrs, "attestations", merged);
			}
			json_object_update(merged, att);
		} else if (att) {
			json_object_del(attrs, "attestations");
		}
		json_object_set_new(patch, "attributes", attrs);
	}
	int64_t version = json_integer_value(json_object_get(cur, "version"));
	int changed = json_object_size(patch) > 0;
	rc = changed ? kyc_store_update(c->store, KYC_R_APPLICANT, c->tenant_id, id, patch, version)
		     : 0;
	json_decref(cur);
	cur = NULL;
	rc = rc ? rc : kyc_store_get(c->store, KYC_R_APPLICANT, c->tenant_id, id, &cur);
	rc = rc || !changed ? rc : applicant_event(c, "applicant.updated", cur);
	rc = rc ? rc : kyc_store_commit(c->store);
	if (rc) {
		kyc_store_rollback(c->store);
		api_store_error(c, rc, "applicant");
		goto out;
	}
	api_json(c, 200, kyc_render_applicant(cur));
out:
	json_decref(cur);
	json_decref(patch);
	json_decref(body);
}

/* Erasure (src/flows/erasure.h, docs/security.md): admin keys only; the
 * answer is the erased record, as reads show it from now on. */
API_HANDLER(applicant_delete, API_WRITE | API_ADMIN)
{
	struct kyc_flow f;
	struct kyc_jerr e;
	json_t *got = NULL;
	api_flow(c, &f);
	if (kyc_erasure_applicant(&f, api_param(c, 0), &got, &e)) {
		api_jerr(c, &e);
		return;
	}
	json_t *body = kyc_render_applicant(got);
	json_object_set_new(body, "deleted", json_true());
	api_json(c, 200, body);
	json_decref(got);
}

void kyc__api_applicant_routes(kyc_server *s)
{
	kyc_server_route(s, "POST", "/v1/applicants", applicant_create);
	kyc_server_route(s, "GET", "/v1/applicants", applicant_list);
	kyc_server_route(s, "GET", "/v1/applicants/{id}", applicant_get);
	kyc_server_route(s, "PATCH", "/v1/applicants/{id}", applicant_patch);
	kyc_server_route(s, "DELETE", "/v1/applicants/{id}", applicant_delete);
}
