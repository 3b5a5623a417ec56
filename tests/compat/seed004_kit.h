/* Shared by the seed 004 tests (seed004_test.c, seed004_deferred_test.c):
 * the real kycd with two tenants, a TLS file server holding the files a share
 * points at (passports, a selfie, an AML report, a card), TCP gates in front
 * of it, a TLS webhook receiver and a clock file. Everything is static: each
 * test program gets its own copy. */
#ifndef KYC_SEED004_KIT_H
#define KYC_SEED004_KIT_H

#define HELPER static __attribute__((unused))

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "document/synth.h"
#include "e2e.h"
#include "e2e_clock.h"
#include "faces.h"
#include "httpsd.h"
#include "img.h"
#include "specimen.h"
#include "store/store.h"
#include "tcpgate.h"
#include "test.h"
#include "whrecv.h"

HELPER struct e2e_server srv;
HELPER struct httpsd web;
HELPER struct e2e_clock clk;
/* gate: closed, then held or open as a test says; never: always closed */
HELPER struct tcpgate *gate, *never;
HELPER struct whrecv *rx;
HELPER const char *const *srv_env;
HELPER char key_a[128], key_b[128], tenant_a[64];
HELPER char front_url[256], selfie_url[256], aml_url[256], front2_url[256];
HELPER struct kyc_synth_doc passport;
HELPER unsigned char *selfie_jpg;
HELPER size_t selfie_len;
/* passports of their own for the deferred tests (another applicant's
 * passport would be a duplicate document) */
HELPER struct kyc_synth_doc late_pp[2];
HELPER const char aml_pdf[] = "%PDF-1.4\n% an AML report stand-in\n%%EOF\n";

HELPER int share(const char *key, const char *json, struct e2e_resp *r)
{
	return e2e_json(&srv, "POST", "/api/v1/user/kyc/share", key, json, r);
}

/* A share with every field of both tables; overrides replace (or, with a
 * null value, remove) fields of kycIdentityInfoVo. */
HELPER char *body(const char *user, const char *type, const char *vo_override)
{
	json_t *vo = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "firstName", passport.id.f.given_names, "middleName", "Q", "lastName",
	    passport.id.f.surname, "firstNameEn", passport.id.f.given_names, "lastNameEn",
	    passport.id.f.surname, "gender", passport.id.f.sex[0] == 'F' ? "F" : "M", "idType",
	    "PASSPORT", "idNumber", passport.id.f.document_number, "nationality", "LTU",
	    "residentialCountry", "LTU", "idCountry", "LTU", "dob", passport.id.f.birth_date,
	    "idExpiry", passport.id.f.expiry_date, "street", "Gedimino pr.", "number", "9",
	    "district", "Senamiestis", "city", "Vilnius", "state", "Vilniaus", "zip", "01103",
	    "address", "Gedimino pr. 9, Vilnius", "frontFileUrl", front_url, "selfieFileUrl",
	    selfie_url, "amlFileUrl", aml_url, "kycTime", "2026-01-02 03:04:05", "kycLevel", "L1",
	    "accountPurpose", "trading");
	json_object_set_new(vo, "monthSpend", json_string("1000-5000"));
	json_object_set_new(vo, "sourceFunds", json_string("salary"));
	json_object_set_new(vo, "occupation", json_string("engineer"));
	if (vo_override) {
		json_t *o = json_loads(vo_override, 0, NULL);
		const char *k;
		json_t *v;
		json_object_foreach(o, k, v)
		{
			if (json_is_null(v))
				json_object_del(vo, k);
			else
				json_object_set(vo, k, v);
		}
		json_decref(o);
	}
	json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:o}", "merchantUserId", user, "email",
	                      "user@example.com", "kycType", "USER", "registerTime",
	                      "2025-12-31 23:59:59", "kycIdentityInfoVo", vo);
	if (type)
		json_object_set_new(b, "type", json_string(type));
	json_object_set_new(b, "callbackUrl", json_string("https://merchant.example.com/kyc-hook"));
	char *s = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	return s;
}

HELPER void check_error(const struct e2e_resp *r, long status, const char *field)
{
	char code[8], hv[96] = "";
	snprintf(code, sizeof code, "%ld", status);
	if (r->status != status)
		fprintf(stderr, "  got %ld %s\n", r->status, r->body);
	CHECK_INT(r->status, status);
	REQUIRE(json_is_object(r->json));
	CHECK_STR(e2e_str(r, "code"), code);
	CHECK(json_string_length(json_object_get(r->json, "msg")) > 0);
	CHECK(json_is_null(json_object_get(r->json, "data")));
	if (field) {
		CHECK(e2e_header(r, "kycd-error-field", hv, sizeof hv));
		CHECK_STR(hv, field);
	}
}

HELPER int count_verifications(const char *key, const char *applicant)
{
	char path[160];
	struct e2e_resp r;
	snprintf(path, sizeof path, "/v1/verifications?applicant_id=%s", applicant);
	if (e2e_json(&srv, "GET", path, key, NULL, &r))
		return -1;
	int n = (int)json_array_size(json_object_get(r.json, "data"));
	e2e_resp_free(&r);
	return n;
}

HELPER json_t *first_listed(const char *key, const char *path)
{
	struct e2e_resp r;
	if (e2e_json(&srv, "GET", path, key, NULL, &r))
		return NULL;
	json_t *v = json_incref(json_array_get(json_object_get(r.json, "data"), 0));
	e2e_resp_free(&r);
	return v;
}

HELPER char *user_id(const char *key, const char *ref)
{
	char path[160];
	snprintf(path, sizeof path, "/v1/applicants?external_ref=%s", ref);
	json_t *a = first_listed(key, path);
	const char *id = json_string_value(json_object_get(a, "id"));
	char *out = id ? strdup(id) : NULL;
	json_decref(a);
	return out;
}

/* The newest verification of applicant uid (a new reference). */
HELPER json_t *newest_verification(const char *key, const char *uid)
{
	char path[160];
	snprintf(path, sizeof path, "/v1/verifications?applicant_id=%s", uid);
	return first_listed(key, path);
}

HELPER const char *check_of(const json_t *v, const char *name)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(v, "checks"), i, c)
	{
		if (!strcmp(json_string_value(json_object_get(c, "name")), name))
			return json_string_value(json_object_get(c, "result"));
	}
	return NULL;
}

/* reNew after a rejection: the user's own earlier verification is not a
 * duplicate of its document (nobody else holds it); the reject period
 * decides, under its own reason. */
/* Starts everything; 0 on success, else prints the failed run line for NAME. */
HELPER int seed004_start(const char *name)
{
	unsigned char *front_jpg = NULL, *jpg2 = NULL, *l0 = NULL, *l1 = NULL;
	size_t front_len = 0, jl2 = 0, ll0 = 0, ll1 = 0;
	unsigned char *cf = NULL, *cb = NULL;
	size_t cfl = 0, cbl = 0;
	struct kyc_synth_doc card;
	static const char text[] = "not a picture\n";
	struct kyc_synth_doc other;
	static char ca_path[200], ca_env[260];
	selfie_jpg = tface_selfie(TFACE_A, &selfie_len);
	int i1 = specimen_valid_index(4004, KYC_SYNTH_TD3, 1, 0);
	int i2 = specimen_valid_index(4004, KYC_SYNTH_TD3, i1 + 1, 0);
	int i3 = specimen_valid_index(4004, KYC_SYNTH_TD3, i2 + 1, 0);
	int i4 = specimen_valid_index(4004, KYC_SYNTH_TD3, i3 + 1, 0);
	int ok = selfie_jpg && httpsd_start(&web) == 0 &&
	         kyc_synth_make(4004, i1, 0, KYC_SYNTH_TD3, &passport, &front_jpg, &front_len) == 0 &&
	         kyc_synth_make(4004, i2, 0, KYC_SYNTH_TD3, &other, &jpg2, &jl2) == 0 &&
	         httpsd_put(&web, "front.jpg", front_jpg, front_len) == 0 &&
	         httpsd_put(&web, "front2.jpg", jpg2, jl2) == 0 &&
	         httpsd_put(&web, "selfie.jpg", selfie_jpg, selfie_len) == 0 &&
	         httpsd_put(&web, "aml.pdf", aml_pdf, sizeof aml_pdf - 1) == 0 &&
	         kyc_synth_make(4004, i3, 0, KYC_SYNTH_TD3, &late_pp[0], &l0, &ll0) == 0 &&
	         kyc_synth_make(4004, i4, 0, KYC_SYNTH_TD3, &late_pp[1], &l1, &ll1) == 0 &&
	         httpsd_put(&web, "late-front.jpg", l0, ll0) == 0 &&
	         httpsd_put(&web, "late-front2.jpg", l1, ll1) == 0 &&
	         httpsd_put(&web, "text-selfie.jpg", text, sizeof text - 1) == 0 &&
	         (gate = tcpgate_start(web.port)) != NULL &&
	         (never = tcpgate_start(web.port)) != NULL && e2e_data_dir(&srv) == 0 &&
	         e2e_clock_init(&clk, srv.data_dir) == 0;
	/* a valid card whose painted front reads as no MRZ, and its back */
	int used = -1;
	for (int k = specimen_valid_index(4005, KYC_SYNTH_TD1, 1, 1), tries = 0;
	     ok && tries < 10 && used != k; k = specimen_valid_index(4005, KYC_SYNTH_TD1, k + 1, 1),
	         tries++) {
		free(cf);
		cf = NULL;
		if (specimen_card_front_index(4005, k, KYC_SYNTH_TD1, &cf, &cfl, &used) == 0 &&
		    used == k)
			ok = kyc_synth_make(4005, k, 0, KYC_SYNTH_TD1, &card, &cb, &cbl) == 0;
		if (used == k)
			break;
	}
	ok = ok && cb && httpsd_put(&web, "card-front.jpg", cf, cfl) == 0 &&
	     httpsd_put(&web, "card-back.jpg", cb, cbl) == 0;
	free(cf);
	free(cb);
	free(front_jpg);
	free(jpg2);
	free(l0);
	free(l1);
	if (ok) {
		snprintf(ca_path, sizeof ca_path, "%s.ca.pem", srv.data_dir);
		ok = (rx = whrecv_start_tls(1, ca_path)) != NULL;
	}
	snprintf(ca_env, sizeof ca_env, "KYCD_WEBHOOK_CA_FILE=%s", ca_path);
	httpsd_url(&web, "front.jpg", front_url, sizeof front_url);
	httpsd_url(&web, "front2.jpg", front2_url, sizeof front2_url);
	httpsd_url(&web, "selfie.jpg", selfie_url, sizeof selfie_url);
	httpsd_url(&web, "aml.pdf", aml_url, sizeof aml_url);
	/* static: the server is restarted with it by the deferred tests */
	static const char *env[7];
	env[0] = "KYCD_FETCH_ALLOW_LOOPBACK=1";
	env[1] = web.ca_env;
	env[2] = clk.env;
	env[3] = "KYCD_SWEEP_INTERVAL_MS=100";
	env[4] = ca_env;
	env[5] = "KYCD_WEBHOOK_ALLOW_LOOPBACK=1";
	env[6] = NULL;
	srv_env = env;
	if (!ok || e2e_tenant(&srv, "c004-a", key_a, tenant_a) ||
	    e2e_tenant(&srv, "c004-b", key_b, NULL) || e2e_start(&srv, env)) {
		httpsd_stop(&web);
		tcpgate_stop(gate);
		tcpgate_stop(never);
		whrecv_stop(rx);
		e2e_cleanup(&srv);
		printf("[%s] 0 passed, 1 failed\n", name);
		return 1;
	}
	return 0;
}

HELPER void seed004_stop(void)
{
	httpsd_stop(&web);
	tcpgate_stop(gate);
	tcpgate_stop(never);
	whrecv_stop(rx);
	e2e_cleanup(&srv);
	e2e_clock_remove(&clk);
	free(selfie_jpg);
}

#endif
