/* The route sets' webhooks through the real delivery worker to real
 * receivers (tests/lib/whrecv.c, which checks each signature itself):
 * seed 004's user-status push to a share's callbackUrl over TLS, and seed
 * 002's IdentityVerification.StatusChanged to an endpoint whose format is
 * compat002. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document/synth.h"
#include "e2e.h"
#include "httpsd.h"
#include "img.h"
#include "specimen.h"
#include "test.h"
#include "whrecv.h"

static struct e2e_server srv;
static struct httpsd web;
static struct whrecv *rx, *tls_rx;
static char key_a[128], tenant_a[64];
static char front_url[256], selfie_url[256];
static struct kyc_synth_doc passport;

/* The first body from index `from` on whose JSON matches want(key) = value,
 * waiting up to a minute for it to arrive; NULL when none does. */
static json_t *find_body(struct whrecv *r, int from, const char *key, const char *value, int *valid)
{
	for (int n = from + 1; n < from + 50; n++) {
		if (whrecv_wait(r, n, 60000) < n)
			return NULL;
		struct whrecv_msg m;
		if (whrecv_get(r, n - 1, &m))
			return NULL;
		json_t *j = json_loads(m.body ? m.body : "", 0, NULL);
		free(m.body);
		const char *v = json_string_value(json_object_get(j, key));
		if (v && !strcmp(v, value)) {
			*valid = m.valid;
			return j;
		}
		json_decref(j);
	}
	return NULL;
}

TEST(seed004_status_push)
{
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "POST", "/v1/webhook-callback-secret/rotate", key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	whrecv_set_secrets(tls_rx, e2e_str(&r, "secret"), NULL);
	e2e_resp_free(&r);
	int base = whrecv_count(tls_rx);
	char cb[128];
	snprintf(cb, sizeof cb, "https://127.0.0.1:%d/cb", whrecv_port(tls_rx));
	json_t *b = json_pack(
	    "{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}}",
	    "merchantUserId", "m-404", "kycType", "USER", "callbackUrl", cb, "kycIdentityInfoVo",
	    "firstName", passport.id.f.given_names, "lastName", passport.id.f.surname, "gender",
	    passport.id.f.sex[0] == 'F' ? "F" : "M", "idType", "PASSPORT", "idNumber",
	    passport.id.f.document_number, "nationality", "LTU", "residentialCountry", "LTU",
	    "idCountry", "LTU", "dob", passport.id.f.birth_date, "idExpiry",
	    passport.id.f.expiry_date, "frontFileUrl", front_url, "selfieFileUrl", selfie_url,
	    "kycLevel", "L1");
	char *body = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	REQUIRE(e2e_json(&srv, "POST", "/api/v1/user/kyc/share", key_a, body, &r) == 0);
	free(body);
	CHECK_INT(r.status, 200);
	char uid[64];
	snprintf(uid, sizeof uid, "%s",
	         json_string_value(json_object_get(json_object_get(r.json, "data"), "userId")));
	e2e_resp_free(&r);

	/* while it runs: status "new" */
	int valid = 0;
	json_t *j = find_body(tls_rx, base, "status", "new", &valid);
	REQUIRE(j != NULL);
	CHECK(valid);
	CHECK_INT(json_object_size(j), 4);
	CHECK_STR(json_string_value(json_object_get(j, "merchantUserId")), "m-404");
	CHECK_STR(json_string_value(json_object_get(j, "userId")), uid);
	json_decref(j);

	/* the reviewer approves: accept */
	char path[160];
	snprintf(path, sizeof path, "/v1/verifications?applicant_id=%s", uid);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	json_t *v = json_array_get(json_object_get(r.json, "data"), 0);
	CHECK_STR(json_string_value(json_object_get(v, "status")), "pending_review");
	snprintf(path, sizeof path, "/v1/verifications/%s/decision",
	         json_string_value(json_object_get(v, "id")));
	e2e_resp_free(&r);
	int before = whrecv_count(tls_rx);
	REQUIRE(e2e_json(&srv, "POST", path, key_a, "{\"decision\":\"approve\"}", &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	j = find_body(tls_rx, before, "status", "accept", &valid);
	REQUIRE(j != NULL);
	CHECK(valid);
	CHECK_STR(json_string_value(json_object_get(j, "kycStatus")), "accept");
	CHECK_STR(json_string_value(json_object_get(j, "userId")), uid);
	json_decref(j);
}

TEST(seed002_endpoint)
{
	struct e2e_resp r;
	char body[300];
	snprintf(body, sizeof body,
	         "{\"url\":\"http://127.0.0.1:%d/ondato\",\"format\":\"compat002\","
	         "\"event_types\":[\"verification.status_changed\"]}",
	         whrecv_port(rx));
	REQUIRE(e2e_json(&srv, "POST", "/v1/webhook-endpoints", key_a, body, &r) == 0);
	CHECK_INT(r.status, 201);
	CHECK_STR(e2e_str(&r, "format"), "compat002");
	whrecv_set_secrets(rx, e2e_str(&r, "secret"), NULL);
	e2e_resp_free(&r);
	int base = whrecv_count(rx);
	REQUIRE(e2e_json(&srv, "POST", "/v1/identity-verifications", key_a,
	                 "{\"externalReferenceId\":\"wh-1\",\"setupId\":"
	                 "\"3fa85f64-5717-4562-b3fc-2c963f66afa6\"}",
	                 &r) == 0);
	CHECK_INT(r.status, 201);
	char idv[64], path[160], kyc[64];
	snprintf(idv, sizeof idv, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/identity-verifications/%s", idv);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	snprintf(kyc, sizeof kyc, "%s",
	         json_string_value(json_object_get(
	             json_object_get(json_object_get(r.json, "step"), "kycIdentification"), "id")));
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/verifications/%s/cancel", kyc);
	REQUIRE(e2e_json(&srv, "POST", path, key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);

	int valid = 0;
	json_t *j = find_body(rx, base, "type", "IdentityVerification.StatusChanged", &valid);
	REQUIRE(j != NULL);
	CHECK(valid);
	CHECK(json_is_string(json_object_get(j, "id")));
	CHECK_STR(json_string_value(json_object_get(j, "applicationId")), tenant_a);
	CHECK(json_is_string(json_object_get(j, "createdUtc")));
	CHECK(json_is_string(json_object_get(j, "deliveredUtc")));
	CHECK(json_is_true(json_object_get(j, "isDelivered")));
	json_t *p = json_object_get(j, "payload");
	CHECK_STR(json_string_value(json_object_get(p, "id")), idv);
	CHECK_STR(json_string_value(json_object_get(p, "status")), "Cancelled");
	CHECK_STR(json_string_value(json_object_get(
	              json_object_get(json_object_get(p, "step"), "kycIdentification"), "id")),
	          kyc);
	json_decref(j);
}

int main(void)
{
	unsigned char *jpg = NULL, *selfie = NULL;
	size_t jl = 0, sl = 0;
	char ca_path[200], ca_env[260];
	rx = whrecv_start(1);
	int ok = rx && e2e_data_dir(&srv) == 0 && httpsd_start(&web) == 0 &&
	         kyc_synth_make(4040, specimen_valid_index(4040, KYC_SYNTH_TD3, 1, 0), 0,
	                        KYC_SYNTH_TD3, &passport, &jpg, &jl) == 0 &&
	         (selfie = timg_jpeg(480, 640, 85, &sl)) != NULL &&
	         httpsd_put(&web, "front.jpg", jpg, jl) == 0 &&
	         httpsd_put(&web, "selfie.jpg", selfie, sl) == 0;
	free(jpg);
	free(selfie);
	if (ok) {
		snprintf(ca_path, sizeof ca_path, "%s.ca.pem", srv.data_dir);
		tls_rx = whrecv_start_tls(1, ca_path);
		ok = tls_rx != NULL;
	}
	httpsd_url(&web, "front.jpg", front_url, sizeof front_url);
	httpsd_url(&web, "selfie.jpg", selfie_url, sizeof selfie_url);
	snprintf(ca_env, sizeof ca_env, "KYCD_WEBHOOK_CA_FILE=%s", ca_path);
	const char *env[] = {ca_env,
	                     "KYCD_WEBHOOK_ALLOW_HTTP=1",
	                     "KYCD_WEBHOOK_ALLOW_LOOPBACK=1",
	                     "KYCD_FETCH_ALLOW_LOOPBACK=1",
	                     web.ca_env,
	                     NULL};
	if (!ok || e2e_tenant(&srv, "compat-wh", key_a, tenant_a) || e2e_start(&srv, env)) {
		httpsd_stop(&web);
		e2e_cleanup(&srv);
		printf("[compat_webhooks] 0 passed, 1 failed\n");
		return 1;
	}
	RUN(seed004_status_push);
	RUN(seed002_endpoint);
	e2e_cleanup(&srv);
	httpsd_stop(&web);
	whrecv_stop(rx);
	whrecv_stop(tls_rx);
	return test_done("compat_webhooks");
}
