/* The route sets' webhooks through the real delivery worker to real
 * receivers (tests/lib/whrecv.c, which checks each signature itself):
 * seed 004's user-status push to a share's callbackUrl over TLS, and seed
 * 002's IdentityVerification.StatusChanged to an endpoint whose format is
 * compat002, and the reason of a seed-004 reNew refused by the reject
 * period. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document/synth.h"
#include "e2e.h"
#include "faces.h"
#include "e2e_clock.h"
#include "form.h"
#include "httpsd.h"
#include "img.h"
#include "specimen.h"
#include "test.h"
#include "whrecv.h"

static struct e2e_server srv;
static struct httpsd web;
static struct whrecv *rx, *tls_rx;
static char key_a[128], tenant_a[64];
static char front_url[256], front2_url[256], selfie_url[256];
static struct kyc_synth_doc passport, passport2, idv_passport;
static unsigned char *idv_jpg;
static size_t idv_jpg_len;
static struct e2e_clock clk;

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

/* Every request r received from index `from` on, once no new one has come
 * for a second (deliveries of one change go out together). */
static int settle(struct whrecv *r)
{
	int n = whrecv_count(r), m;
	while ((m = whrecv_wait(r, n + 1, 1000)) > n)
		n = m;
	return n;
}

/* The deliveries of event id, once its first attempt is recorded. */
static void wait_attempted(const char *event_id)
{
	char path[160];
	snprintf(path, sizeof path, "/v1/events/%s/deliveries", event_id);
	for (int i = 0; i < 600; i++) {
		struct e2e_resp r;
		if (e2e_json(&srv, "GET", path, key_a, NULL, &r) != 0)
			return;
		json_t *d = json_array_get(json_object_get(r.json, "data"), 0);
		int done = json_array_size(json_object_get(d, "attempts")) >= 1;
		e2e_resp_free(&r);
		if (done)
			return;
		e2e_sleep_ms(50);
	}
}

/* The decision (a JSON body) on user uid's newest verification, which
 * must be waiting for review. */
static void decide_pending(const char *uid, const char *decision)
{
	struct e2e_resp r;
	char path[160];
	snprintf(path, sizeof path, "/v1/verifications?applicant_id=%s", uid);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	json_t *v = json_array_get(json_object_get(r.json, "data"), 0);
	CHECK_STR(json_string_value(json_object_get(v, "status")), "pending_review");
	snprintf(path, sizeof path, "/v1/verifications/%s/decision",
	         json_string_value(json_object_get(v, "id")));
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "POST", path, key_a, decision, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
}

/* Seed 004: "If the status remains unchanged, the merchant does not need to
 * be notified" — one push per change of the user's status (new, then the
 * decision), each under one webhook-id that a retry repeats with the same
 * body, so a receiver that deduplicates by id processes each once. */
TEST(seed004_exactly_once)
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
	/* the receiver is down for the first push */
	whrecv_set_mode(tls_rx, WHRECV_FAIL);
	REQUIRE(e2e_json(&srv, "POST", "/api/v1/user/kyc/share", key_a, body, &r) == 0);
	free(body);
	CHECK_INT(r.status, 200);
	char uid[64];
	snprintf(uid, sizeof uid, "%s",
	         json_string_value(json_object_get(json_object_get(r.json, "data"), "userId")));
	e2e_resp_free(&r);
	REQUIRE(whrecv_wait(tls_rx, base + 1, 60000) >= base + 1);
	struct whrecv_msg first;
	REQUIRE(whrecv_get(tls_rx, base, &first) == 0);
	CHECK(first.valid);
	json_t *j = json_loads(first.body ? first.body : "", 0, NULL);
	CHECK_STR(json_string_value(json_object_get(j, "status")), "new");
	CHECK_STR(json_string_value(json_object_get(j, "kycStatus")), "pending");
	CHECK_STR(json_string_value(json_object_get(j, "merchantUserId")), "m-404");
	CHECK_STR(json_string_value(json_object_get(j, "userId")), uid);
	json_decref(j);

	/* it comes back: the retry is the same push, same id, same bytes */
	wait_attempted(first.id);
	whrecv_set_mode(tls_rx, WHRECV_OK);
	e2e_clock_add(&clk, 15);
	REQUIRE(whrecv_wait(tls_rx, base + 2, 60000) >= base + 2);
	struct whrecv_msg again;
	REQUIRE(whrecv_get(tls_rx, base + 1, &again) == 0);
	CHECK_STR(again.id, first.id);
	CHECK(again.body && first.body && !strcmp(again.body, first.body));
	free(again.body);

	/* the reviewer approves: one accept */
	decide_pending(uid, "{\"decision\":\"approve\"}");
	int valid = 0;
	j = find_body(tls_rx, base, "status", "accept", &valid);
	REQUIRE(j != NULL);
	CHECK(valid);
	json_decref(j);
	int n = settle(tls_rx);
	/* Two pushes, new and accept, each under one id with the same bytes on
	 * every attempt. Ids are counted, not requests: an attempt the worker
	 * timed out on (a loaded machine) comes again under its id, which is
	 * what a receiver deduplicates on (docs/webhooks.md). */
	CHECK(n - base >= 3);
	char *accept_body = NULL, accept_id[128] = "";
	for (int i = base; i < n; i++) {
		struct whrecv_msg m;
		if (whrecv_get(tls_rx, i, &m))
			continue;
		j = json_loads(m.body ? m.body : "", 0, NULL);
		const char *st = json_string_value(json_object_get(j, "status"));
		if (st && !strcmp(st, "accept")) {
			CHECK(strcmp(m.id, first.id) != 0);
			CHECK_STR(json_string_value(json_object_get(j, "kycStatus")), "accept");
			if (!accept_body) {
				snprintf(accept_id, sizeof accept_id, "%s", m.id);
				accept_body = m.body, m.body = NULL;
			} else {
				CHECK_STR(m.id, accept_id);
				CHECK(m.body && !strcmp(m.body, accept_body));
			}
		} else {
			CHECK_STR(m.id, first.id);
			CHECK(m.body && first.body && !strcmp(m.body, first.body));
		}
		json_decref(j);
		free(m.body);
	}
	CHECK(accept_body != NULL);
	free(accept_body);
	free(first.body);
}

/* Seed 002: a compat002 endpoint that subscribes to everything receives
 * only the IDVs' webhooks, in the vendor's shape: Created with the IDV id,
 * StatusChanged when the IDV's status moves, and the decision as
 * KycIdentification.Rejected with the identification's status and reason.
 * A native verification's events and seed 003's never reach it. */
TEST(seed002_endpoint)
{
	struct e2e_resp r;
	char body[400];
	snprintf(body, sizeof body,
	         "{\"url\":\"http://127.0.0.1:%d/ondato\",\"format\":\"compat002\"}",
	         whrecv_port(rx));
	REQUIRE(e2e_json(&srv, "POST", "/v1/webhook-endpoints", key_a, body, &r) == 0);
	CHECK_INT(r.status, 201);
	CHECK_STR(e2e_str(&r, "format"), "compat002");
	whrecv_set_secrets(rx, e2e_str(&r, "secret"), NULL);
	e2e_resp_free(&r);
	int base = whrecv_count(rx);

	/* events that are not an IDV's: a native verification with a document,
	 * and a seed-003 submission */
	REQUIRE(e2e_json(&srv, "POST", "/v1/applicants", key_a,
	                 "{\"first_name\":\"Nat\",\"tier\":2,\"attestations\":{\"nin_verified\":"
	                 "true,\"bvn_verified\":true}}",
	                 &r) == 0);
	CHECK_INT(r.status, 201);
	char aid[64];
	snprintf(aid, sizeof aid, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	snprintf(body, sizeof body, "{\"applicant_id\":\"%s\"}", aid);
	REQUIRE(e2e_json(&srv, "POST", "/v1/verifications", key_a, body, &r) == 0);
	CHECK_INT(r.status, 201);
	e2e_resp_free(&r);
	snprintf(body, sizeof body,
	         "{\"customerId\":\"%s\",\"documentType\":\"PASSPORT\",\"documentUrl\":\"%s\"}", aid,
	         front_url);
	REQUIRE(e2e_json(&srv, "POST", "/api/v1/customers/kyc/id-card", key_a, body, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);

	/* the IDV: created, its passport sent on the hosted page, rejected */
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
	struct form_part doc[] = {
	    {"type", NULL, NULL, "passport", 0},
	    {"side", NULL, NULL, "front", 0},
	    {"image", "p.jpg", "image/jpeg", idv_jpg, idv_jpg_len},
	};
	size_t len;
	char *form = form_build(doc, 3, &len), auth[100];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", idv);
	const char *h[] = {auth, FORM_CONTENT_TYPE, NULL};
	REQUIRE(e2e_req(&srv, "POST", "/hosted/api/documents", h, form, len, &r) == 0);
	free(form);
	CHECK(r.status == 200 || r.status == 201);
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/verifications/%s", kyc);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	CHECK_STR(e2e_str(&r, "status"), "pending_review");
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/verifications/%s/decision", kyc);
	REQUIRE(e2e_json(&srv, "POST", path, key_a,
	                 "{\"decision\":\"reject\",\"reason\":\"suspected_fraud\"}", &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);

	int valid = 0;
	json_t *j = find_body(rx, base, "type", "KycIdentification.Rejected", &valid);
	REQUIRE(j != NULL);
	int n = settle(rx);
	CHECK(valid);
	json_t *p = json_object_get(j, "payload");
	CHECK_STR(json_string_value(json_object_get(p, "id")), kyc);
	CHECK_STR(json_string_value(json_object_get(p, "identityVerificationId")), idv);
	CHECK_STR(json_string_value(json_object_get(p, "status")), "Rejected");
	CHECK_STR(json_string_value(json_object_get(p, "statusReason")), "suspected_fraud");
	CHECK_STR(json_string_value(json_object_get(j, "applicationId")), tenant_a);
	json_decref(j);

	/* everything that arrived: Created (with the IDV id), StatusChanged to
	 * Completed (the review), the rejection; nothing else */
	static const char *const want[][2] = {{"IdentityVerification.Created", "Created"},
	                                      {"IdentityVerification.StatusChanged", "Completed"},
	                                      {"KycIdentification.Rejected", "Rejected"}};
	int seen[3] = {0, 0, 0};
	for (int i = base; i < n; i++) {
		struct whrecv_msg m;
		if (whrecv_get(rx, i, &m))
			continue;
		j = json_loads(m.body ? m.body : "", 0, NULL);
		const char *type = json_string_value(json_object_get(j, "type"));
		p = json_object_get(j, "payload");
		int k = -1;
		for (int w = 0; w < 3; w++)
			if (type && !strcmp(type, want[w][0]))
				k = w;
		if (k < 0)
			fprintf(stderr, "  unexpected at the compat002 endpoint: %s\n", m.body);
		CHECK(k >= 0);
		if (k >= 0) {
			seen[k]++;
			CHECK_STR(json_string_value(json_object_get(p, "status")), want[k][1]);
			CHECK_STR(json_string_value(json_object_get(p, k == 2 ? "identityVerificationId"
			                                                      : "id")),
			          idv);
		}
		json_decref(j);
		free(m.body);
	}
	for (int k = 0; k < 3; k++)
		CHECK_INT(seen[k], 1);
}

/* Seed 004 reNew after a reviewer's rejection: the user's own rejected
 * document is no duplicate, the reject period refuses it again, and the
 * push says so in its reason (docs/compat/004.md). */
TEST(seed004_renew_reason)
{
	struct e2e_resp r;
	char cb[128], uid[64];
	int base = whrecv_count(tls_rx);
	snprintf(cb, sizeof cb, "https://127.0.0.1:%d/renew", whrecv_port(tls_rx));
	json_t *b = json_pack(
	    "{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:s}}",
	    "merchantUserId", "m-405", "kycType", "USER", "type", "new", "callbackUrl", cb,
	    "kycIdentityInfoVo", "firstName", passport2.id.f.given_names, "lastName",
	    passport2.id.f.surname, "gender", passport2.id.f.sex[0] == 'F' ? "F" : "M", "idType",
	    "PASSPORT", "idNumber", passport2.id.f.document_number, "nationality", "LTU",
	    "residentialCountry", "LTU", "idCountry", "LTU", "dob", passport2.id.f.birth_date,
	    "idExpiry", passport2.id.f.expiry_date, "frontFileUrl", front2_url, "selfieFileUrl",
	    selfie_url, "kycLevel", "L1");
	char *body = json_dumps(b, JSON_COMPACT);
	REQUIRE(e2e_json(&srv, "POST", "/api/v1/user/kyc/share", key_a, body, &r) == 0);
	free(body);
	CHECK_INT(r.status, 200);
	snprintf(uid, sizeof uid, "%s",
	         json_string_value(json_object_get(json_object_get(r.json, "data"), "userId")));
	e2e_resp_free(&r);
	decide_pending(uid, "{\"decision\":\"reject\",\"reason\":\"poor_image_quality\"}");
	int valid = 0;
	json_t *j = find_body(tls_rx, base, "status", "reject", &valid);
	REQUIRE(j != NULL);
	CHECK(valid);
	REQUIRE(j != NULL);
	CHECK_STR(json_string_value(json_object_get(j, "userId")), uid);
	CHECK_STR(json_string_value(json_object_get(j, "reason")), "poor_image_quality");
	json_decref(j);
	int before = settle(tls_rx);

	/* reNew with the same files */
	json_object_set_new(b, "type", json_string("reNew"));
	body = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	REQUIRE(e2e_json(&srv, "POST", "/api/v1/user/kyc/share", key_a, body, &r) == 0);
	free(body);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	j = find_body(tls_rx, before, "status", "reject", &valid);
	REQUIRE(j != NULL);
	CHECK(valid);
	CHECK_STR(json_string_value(json_object_get(j, "userId")), uid);
	CHECK_STR(json_string_value(json_object_get(j, "merchantUserId")), "m-405");
	CHECK_STR(json_string_value(json_object_get(j, "kycStatus")), "reject");
	CHECK_STR(json_string_value(json_object_get(j, "reason")), "reject_period");
	json_decref(j);
}

int main(void)
{
	unsigned char *jpg = NULL, *jpg2 = NULL, *selfie = NULL;
	size_t jl = 0, jl2 = 0, sl = 0;
	char ca_path[200], ca_env[260];
	rx = whrecv_start(1);
	int ok = rx && e2e_data_dir(&srv) == 0 && httpsd_start(&web) == 0 &&
	         kyc_synth_make(4040, specimen_valid_index(4040, KYC_SYNTH_TD3, 1, 0), 0,
	                        KYC_SYNTH_TD3, &passport, &jpg, &jl) == 0 &&
	         kyc_synth_make(4042, specimen_valid_index(4042, KYC_SYNTH_TD3, 1, 0), 0,
	                        KYC_SYNTH_TD3, &passport2, &jpg2, &jl2) == 0 &&
	         kyc_synth_make(4041, specimen_valid_index(4041, KYC_SYNTH_TD3, 1, 0), 0,
	                        KYC_SYNTH_TD3, &idv_passport, &idv_jpg, &idv_jpg_len) == 0 &&
	         e2e_clock_init(&clk, srv.data_dir) == 0 &&
	         (selfie = tface_selfie(TFACE_A, &sl)) != NULL &&
	         httpsd_put(&web, "front.jpg", jpg, jl) == 0 &&
	         httpsd_put(&web, "front2.jpg", jpg2, jl2) == 0 &&
	         httpsd_put(&web, "selfie.jpg", selfie, sl) == 0;
	free(jpg);
	free(jpg2);
	free(selfie);
	if (ok) {
		snprintf(ca_path, sizeof ca_path, "%s.ca.pem", srv.data_dir);
		tls_rx = whrecv_start_tls(1, ca_path);
		ok = tls_rx != NULL;
	}
	httpsd_url(&web, "front.jpg", front_url, sizeof front_url);
	httpsd_url(&web, "front2.jpg", front2_url, sizeof front2_url);
	httpsd_url(&web, "selfie.jpg", selfie_url, sizeof selfie_url);
	snprintf(ca_env, sizeof ca_env, "KYCD_WEBHOOK_CA_FILE=%s", ca_path);
	const char *env[] = {ca_env,
	                     clk.env,
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
	struct e2e_resp r;
	/* every decision is a person's: the review, then the decision */
	e2e_json(&srv, "PATCH", "/v1/settings", key_a, "{\"auto_approve\":false}", &r);
	e2e_resp_free(&r);
	RUN(seed002_endpoint);
	RUN(seed004_exactly_once);
	RUN(seed004_renew_reason);
	e2e_cleanup(&srv);
	e2e_clock_remove(&clk);
	free(idv_jpg);
	httpsd_stop(&web);
	whrecv_stop(rx);
	whrecv_stop(tls_rx);
	return test_done("compat_webhooks");
}
