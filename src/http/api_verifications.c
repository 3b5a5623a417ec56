/* /v1/verifications: one verification session of an applicant. The full
 * state machine lives in src/flows (issue: workflow); here a verification is
 * created awaiting input and expires at expires_at. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/rand.h"
#include "http/api.h"
#include "flows/render.h"

static const char *const verification_fields[] = {
	"applicant_id", "document_types", "expires_in", "callback_url", "metadata", NULL,
};

const char *const kyc_document_types[] = {
	"passport", "id_card", "residence_permit", "visa", "drivers_license", NULL,
};

static int doc_type_known(const char *t)
{
	for (const char *const *k = kyc_document_types; *k; k++)
		if (!strcmp(*k, t))
			return 1;
	return 0;
}

/* An absolute https URL without credentials; the address policy is applied
 * when something is actually sent to it. */
static int https_url_ok(const char *u)
{
	if (strncmp(u, "https://", 8) != 0 || strlen(u) > 2048 || strlen(u) < 10)
		return 0;
	const char *host = u + 8;
	const char *end = host + strcspn(host, "/?#");
	for (const char *p = host; p < end; p++)
		if (*p == '@' || *p == ' ')
			return 0;
	return end > host;
}

API_HANDLER(verification_create, API_WRITE | API_IDEMPOTENT)
{
	json_t *body = api_body_object(c);
	if (!body)
		return;
	json_t *rec = json_object(), *app = NULL;
	struct kyc_jerr e;
	const char *applicant_id = NULL, *callback = NULL;
	int64_t expires_in = c->app->verification_ttl_ms / 1000;
	char id[37];
	if (kyc_jv_known_fields(body, verification_fields, &e) ||
	    kyc_jv_string(body, "applicant_id", KYC_JV_REQUIRED, 64, &applicant_id, &e) ||
	    kyc_jv_int(body, "expires_in", 0, 60, 30 * 86400, &expires_in, &e) ||
	    kyc_jv_string(body, "callback_url", 0, 2048, &callback, &e)) {
		api_jerr(c, &e);
		goto out;
	}
	if (callback && !https_url_ok(callback)) {
		api_problem(c, 422, "invalid_url", "callback_url",
			    "'callback_url' must be an https:// URL without credentials");
		goto out;
	}
	json_t *types = json_object_get(body, "document_types");
	json_t *chosen = json_array();
	if (types && !json_is_null(types)) {
		size_t i;
		json_t *t;
		if (!json_is_array(types) || json_array_size(types) == 0) {
			json_decref(chosen);
			api_problem(c, 422, "invalid_type", "document_types",
				    "'document_types' must be a non-empty array");
			goto out;
		}
		json_array_foreach(types, i, t)
		{
			if (!json_is_string(t) || !doc_type_known(json_string_value(t))) {
				json_decref(chosen);
				api_problem(c, 422, "invalid_value", "document_types",
					    "document types are: passport, id_card, residence_permit, visa, drivers_license");
				goto out;
			}
			json_array_append(chosen, t);
		}
	} else {
		for (const char *const *k = kyc_document_types; *k; k++)
			json_array_append_new(chosen, json_string(*k));
	}
	json_object_set_new(rec, "document_types", chosen);
	json_t *meta = json_object_get(body, "metadata");
	if (meta && !json_is_null(meta) && kyc_render_metadata_check(meta, &e)) {
		api_jerr(c, &e);
		goto out;
	}
	int rc = kyc_store_get(c->store, KYC_R_APPLICANT, c->tenant_id, applicant_id, &app);
	if (rc == KYC_ERR_NOTFOUND) {
		api_problem(c, 404, "applicant_not_found", "applicant_id", "no such applicant");
		goto out;
	}
	if (rc) {
		api_store_error(c, rc, "applicant");
		goto out;
	}
	kyc_uuid_new(id);
	json_object_set_new(rec, "id", json_string(id));
	json_object_set_new(rec, "applicant_id", json_string(applicant_id));
	json_object_set_new(rec, "status", json_string("awaiting_input"));
	json_object_set_new(rec, "attempts", json_integer(0));
	json_object_set_new(rec, "expires_at", json_integer(kyc_now_ms() + expires_in * 1000));
	if (callback)
		json_object_set_new(rec, "callback_url", json_string(callback));
	json_object_set_new(rec, "attributes",
			    json_pack("{s:O}", "metadata", json_is_object(meta) ? meta : json_object()));
	rc = kyc_store_insert(c->store, KYC_R_VERIFICATION, c->tenant_id, rec);
	if (rc) {
		api_store_error(c, rc, "verification");
		goto out;
	}
	json_t *got;
	rc = kyc_store_get(c->store, KYC_R_VERIFICATION, c->tenant_id, id, &got);
	if (rc) {
		api_store_error(c, rc, "verification");
		goto out;
	}
	json_t *out = kyc_render_verification(got);
	json_object_set_new(out, "documents", json_array());
	api_json(c, 201, out);
	json_decref(got);
out:
	json_decref(app);
	json_decref(rec);
	json_decref(body);
}

/* Statuses in which a verification still waits for the applicant and so can expire. */
static int status_open(const char *s)
{
	return s && (!strcmp(s, "created") || !strcmp(s, "awaiting_input") ||
		     !strcmp(s, "incomplete"));
}

/* Reads a verification, applying expiry on access: an open verification past
 * expires_at is stored as expired before it is shown. */
int kyc__verification_load(struct api_call *c, const char *id, json_t **out)
{
	int rc = kyc_store_get(c->store, KYC_R_VERIFICATION, c->tenant_id, id, out);
	if (rc)
		return rc;
	const char *status = json_string_value(json_object_get(*out, "status"));
	const char *exp = json_string_value(json_object_get(*out, "expires_at"));
	char now[32];
	kyc_time_iso(kyc_now_ms(), now);
	/* Same fixed-width RFC 3339 UTC form: text order is time order. */
	if (status_open(status) && exp && strcmp(now, exp) >= 0) {
		/* Leave a read snapshot first: upgrading it to write fails if
		 * another thread wrote meanwhile. */
		if (kyc_store_in_transaction(c->store))
			kyc_store_commit(c->store);
		json_t *patch = json_pack("{s:s}", "status", "expired");
		rc = kyc_store_update(c->store, KYC_R_VERIFICATION, c->tenant_id, id, patch,
				      json_integer_value(json_object_get(*out, "version")));
		json_decref(patch);
		json_decref(*out);
		*out = NULL;
		if (rc && rc != KYC_ERR_CONFLICT)
			return rc;
		return kyc_store_get(c->store, KYC_R_VERIFICATION, c->tenant_id, id, out);
	}
	return 0;
}

static json_t *render_with_documents(struct api_call *c, const json_t *v, int *rc)
{
	json_t *o = kyc_render_verification(v);
	json_t *filter = json_pack("{s:O}", "verification_id", json_object_get(v, "id"));
	struct kyc_store_page pg;
	*rc = kyc_store_list(c->store, KYC_R_DOCUMENT, c->tenant_id, filter, "", 100, &pg);
	json_decref(filter);
	if (*rc) {
		json_decref(o);
		return NULL;
	}
	json_t *docs = json_array();
	size_t i;
	json_t *d;
	json_array_foreach(pg.items, i, d)
	{
		json_array_append_new(docs, kyc_render_document(d));
	}
	json_decref(pg.items);
	json_object_set_new(o, "documents", docs);
	return o;
}

API_HANDLER(verification_get, API_READ)
{
	json_t *v;
	int rc = kyc__verification_load(c, api_param(c, 0), &v);
	if (rc) {
		api_store_error(c, rc, "verification");
		return;
	}
	json_t *o = render_with_documents(c, v, &rc);
	json_decref(v);
	if (!o) {
		api_store_error(c, rc, "verification");
		return;
	}
	api_json(c, 200, o);
}

API_HANDLER(verification_list, API_READ)
{
	json_t *filter = json_object();
	kyc_str q;
	if (kyc_req_query(c->req, "applicant_id", &q))
		json_object_set_new(filter, "applicant_id", json_stringn(q.ptr, q.len));
	if (kyc_req_query(c->req, "status", &q))
		json_object_set_new(filter, "status", json_stringn(q.ptr, q.len));
	api_send_list(c, KYC_R_VERIFICATION, filter, kyc_render_verification,
		      "verification list");
}

void kyc__api_verification_routes(kyc_server *s)
{
	kyc_server_route(s, "POST", "/v1/verifications", verification_create);
	kyc_server_route(s, "GET", "/v1/verifications", verification_list);
	kyc_server_route(s, "GET", "/v1/verifications/{id}", verification_get);
}
