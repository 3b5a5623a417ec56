/* /v1/verifications: one verification session of an applicant. The
 * workflow (src/flows/workflow.c) does the work; this file maps HTTP to it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/rand.h"
#include "flows/workflow.h"
#include "http/api.h"
#include "flows/render.h"

API_HANDLER(verification_create, API_WRITE | API_IDEMPOTENT)
{
	json_t *body = api_body_object(c), *v = NULL;
	struct kyc_flow f;
	struct kyc_jerr e;
	if (!body)
		return;
	api_flow(c, &f);
	if (kyc_flow_verification_create(&f, body, &v, &e)) {
		api_jerr(c, &e);
	} else {
		json_t *out = kyc_render_verification(v);
		json_object_set_new(out, "documents", json_array());
		api_json(c, 201, out);
	}
	json_decref(v);
	json_decref(body);
}

int kyc__verification_load(struct api_call *c, const char *id, json_t **out)
{
	struct kyc_flow f;
	api_flow(c, &f);
	return kyc_flow_verification_load(&f, id, out);
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

/* Polled by clients waiting for a decision, so the answer is kept
 * (api_cache.h) under the stamp of the verification's and its documents'
 * rows, read first in the request's read transaction. */
API_HANDLER(verification_get, API_READ)
{
	const char *id = api_param(c, 0);
	struct api_keep k;
	if (api_keep_begin(c, &k, "verification", id, kyc_store_verification_stamp))
		return;
	json_t *v;
	int rc = kyc__verification_load(c, id, &v);
	if (rc) {
		api_store_error(c, rc, "verification");
		return;
	}
	int64_t fresh_until = kyc_flow_verification_fresh_until(v);
	json_t *o = render_with_documents(c, v, &rc);
	json_decref(v);
	if (!o) {
		api_store_error(c, rc, "verification");
		return;
	}
	api_json_keep(c, o, &k, fresh_until);
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
