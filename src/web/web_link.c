/* POST /v1/verifications/{id}/hosted-link: a link to the hosted page for
 * one verification, for the API client to hand to its end user.
 *
 * Not idempotent-replayed (no API_IDEMPOTENT): the answer carries a token
 * kycd keeps only as a hash, and recording the response for a replay would
 * store it in clear. Each call makes a new link; earlier ones keep working
 * until they expire. */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "http/api.h"
#include "web/hosted_token.h"
#include "web/web_int.h"

static const char *const link_fields[] = {"expires_in", NULL};

API_HANDLER(hosted_link_create, API_WRITE)
{
	int64_t expires_in = 0;
	struct kyc_jerr e;
	kyc_str body = kyc_req_body(c->req);
	if (body.len) {
		json_t *o = api_body_object(c);
		if (!o)
			return;
		int bad = kyc_jv_known_fields(o, link_fields, &e) ||
			  kyc_jv_int(o, "expires_in", 0, 60, 30 * 86400, &expires_in, &e);
		json_decref(o);
		if (bad) {
			api_jerr(c, &e);
			return;
		}
	}
	const char *id = api_param(c, 0);
	json_t *v = NULL;
	int rc = kyc__verification_load(c, id, &v);
	if (rc) {
		api_store_error(c, rc, "verification");
		return;
	}
	const char *status = json_string_value(json_object_get(v, "status"));
	int64_t exp;
	if (status && (!strcmp(status, "expired") || !strcmp(status, "cancelled"))) {
		api_problem(c, 409, "verification_closed", NULL,
			    "the verification is %s; create a new one", status);
		goto out;
	}
	/* By default the link lives as long as the verification may take input. */
	if (expires_in > 0)
		exp = kyc_now_ms() + expires_in * 1000;
	else if (web__iso_ms(json_string_value(json_object_get(v, "expires_at")), &exp))
		exp = kyc_now_ms() + c->app->verification_ttl_ms;
	char token[37], exp_txt[32];
	rc = kyc_hosted_token_create(c->store, c->tenant_id, id, exp, token);
	if (rc) {
		api_store_error(c, rc, "hosted link");
		goto out;
	}
	const char *base = c->app->public_url ? c->app->public_url : "";
	size_t blen = strlen(base);
	while (blen && base[blen - 1] == '/')
		blen--;
	char url[600];
	snprintf(url, sizeof url, "%.*s/?id=%s", (int)(blen < 500 ? blen : 500), base, token);
	kyc_time_iso(exp, exp_txt);
	api_json(c, 201,
		 json_pack("{s:s, s:s, s:s, s:s, s:s}", "object", "hosted_link", "verification_id",
			   id, "url", url, "token", token, "expires_at", exp_txt));
out:
	json_decref(v);
}

void web__link_routes(kyc_server *s)
{
	kyc_server_route(s, "POST", "/v1/verifications/{id}/hosted-link", hosted_link_create);
}
