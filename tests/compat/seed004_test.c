/* Seed 004 (KYC record sharing) against the real kycd: a complete share
 * with every field of both tables, the record it becomes (applicant,
 * verification, fetched files), every validation the tables imply, the
 * new / update / reNew semantics, and file URLs fetched later (every URL
 * field, a restart mid-fetch, the errors pushed). */
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

static struct e2e_server srv;
static struct httpsd web;
static struct e2e_clock clk;
/* gate: closed, then held or open as a test says; never: always closed */
static struct tcpgate *gate, *never;
static struct whrecv *rx;
static const char *const *srv_env;
static char key_a[128], key_b[128], tenant_a[64];
static char front_url[256], selfie_url[256], aml_url[256], front2_url[256];
static struct kyc_synth_doc passport;
static unsigned char *selfie_jpg;
static size_t selfie_len;
/* passports of their own for the deferred tests (another applicant's
 * passport would be a duplicate document) */
static struct kyc_synth_doc late_pp[2];
static const char aml_pdf[] = "%PDF-1.4\n% an AML report stand-in\n%%EOF\n";

static int share(const char *key, const char *json, struct e2e_resp *r)
{
	return e2e_json(&srv, "POST", "/api/v1/user/kyc/share", key, json, r);
}

/* A share with every field of both tables; overrides replace (or, with a
 * null value, remove) fields of kycIdentityInfoVo. */
static char *body(const char *user, const char *type, const char *vo_override)
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

static void check_error(const struct e2e_resp *r, long status, const char *field)
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

static int count_verifications(const char *key, const char *applicant)
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

TEST(share_new_user)
{
	char *b = body("merchant-user-1", "new", NULL);
	struct e2e_resp r;
	REQUIRE(share(key_a, b, &r) == 0);
	if (r.status != 200)
		fprintf(stderr, "  got %ld %s\n", r.status, r.body);
	CHECK_INT(r.status, 200);
	CHECK_STR(e2e_str(&r, "code"), "0");
	CHECK_STR(e2e_str(&r, "msg"), "success");
	json_t *d = json_object_get(r.json, "data");
	CHECK_INT(json_object_size(d), 1);
	char uid[64];
	snprintf(uid, sizeof uid, "%s", json_string_value(json_object_get(d, "userId")));
	e2e_resp_free(&r);
	free(b);

	/* the user is a kycd applicant */
	char path[160];
	snprintf(path, sizeof path, "/v1/applicants/%s", uid);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(e2e_str(&r, "external_ref"), "merchant-user-1");
	CHECK_STR(e2e_str(&r, "email"), "user@example.com");
	CHECK_STR(e2e_str(&r, "last_name"), passport.id.f.surname);
	CHECK_STR(e2e_str(&r, "birth_date"), passport.id.f.birth_date);
	CHECK_STR(e2e_str(&r, "country"), "LTU");
	CHECK_STR(e2e_str(&r, "nationality"), "LTU");
	CHECK_STR(e2e_str(&r, "level"), "L1");
	e2e_resp_free(&r);

	/* one verification with the callback, the passport read, the selfie stored */
	snprintf(path, sizeof path, "/v1/verifications?applicant_id=%s", uid);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	json_t *list = json_object_get(r.json, "data");
	CHECK_INT(json_array_size(list), 1);
	json_t *v = json_array_get(list, 0);
	CHECK_STR(json_string_value(json_object_get(v, "callback_url")),
	          "https://merchant.example.com/kyc-hook");
	CHECK_STR(json_string_value(json_object_get(v, "level")), "L1");
	/* level L1 needs a person while face comparison is not built */
	CHECK_STR(json_string_value(json_object_get(v, "status")), "pending_review");
	char vid[64];
	snprintf(vid, sizeof vid, "%s", json_string_value(json_object_get(v, "id")));
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/verifications/%s", vid);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	json_t *docs = json_object_get(r.json, "documents");
	int passports = 0;
	size_t i;
	json_t *doc;
	json_array_foreach(docs, i, doc)
	{
		if (!strcmp(json_string_value(json_object_get(doc, "type")), "passport")) {
			passports++;
			json_t *x = json_object_get(doc, "extraction");
			json_t *num = json_object_get(
			    json_object_get(json_object_get(x, "fields"), "document_number"),
			    "value");
			CHECK_STR(json_string_value(num), passport.id.f.document_number);
		}
	}
	CHECK_INT(passports, 1);
	e2e_resp_free(&r);
}

/* Every validation the tables imply: required fields, ISO alpha-3
 * countries, dates, gender, idType and kycLevel enums, https file URLs. */
TEST(validation)
{
	static const struct {
		const char *override, *field;
	} cases[] = {
	    {"{\"firstName\":null}", "kycIdentityInfoVo.firstName"},
	    {"{\"lastName\":null}", "kycIdentityInfoVo.lastName"},
	    {"{\"gender\":null}", "kycIdentityInfoVo.gender"},
	    {"{\"gender\":\"Male\"}", "kycIdentityInfoVo.gender"},
	    {"{\"idType\":null}", "kycIdentityInfoVo.idType"},
	    {"{\"idType\":\"passport\"}", "kycIdentityInfoVo.idType"},
	    {"{\"idNumber\":null}", "kycIdentityInfoVo.idNumber"},
	    {"{\"nationality\":\"LT\"}", "kycIdentityInfoVo.nationality"},
	    {"{\"nationality\":\"XYZ\"}", "kycIdentityInfoVo.nationality"},
	    {"{\"residentialCountry\":null}", "kycIdentityInfoVo.residentialCountry"},
	    {"{\"residentialCountry\":\"ltu\"}", "kycIdentityInfoVo.residentialCountry"},
	    {"{\"idCountry\":\"440\"}", "kycIdentityInfoVo.idCountry"},
	    {"{\"dob\":null}", "kycIdentityInfoVo.dob"},
	    {"{\"dob\":\"1990-02-30\"}", "kycIdentityInfoVo.dob"},
	    {"{\"dob\":\"2999-01-01\"}", "kycIdentityInfoVo.dob"},
	    {"{\"idExpiry\":null}", "kycIdentityInfoVo.idExpiry"},
	    {"{\"idExpiry\":\"31/12/2030\"}", "kycIdentityInfoVo.idExpiry"},
	    {"{\"frontFileUrl\":null}", "kycIdentityInfoVo.frontFileUrl"},
	    {"{\"frontFileUrl\":\"http://cdn.example.com/f.jpg\"}",
	     "kycIdentityInfoVo.frontFileUrl"},
	    {"{\"selfieFileUrl\":null}", "kycIdentityInfoVo.selfieFileUrl"},
	    {"{\"backFileUrl\":\"ftp://cdn.example.com/b.jpg\"}", "kycIdentityInfoVo.backFileUrl"},
	    {"{\"kycLevel\":null}", "kycIdentityInfoVo.kycLevel"},
	    {"{\"kycLevel\":\"L3\"}", "kycIdentityInfoVo.kycLevel"},
	    {"{\"kycTime\":\"2026-01-02T03:04:05Z\"}", "kycIdentityInfoVo.kycTime"},
	    {"{\"shoeSize\":\"44\"}", "kycIdentityInfoVo.shoeSize"},
	};
	struct e2e_resp r;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *b = body("validation-user", "new", cases[i].override);
		REQUIRE(share(key_a, b, &r) == 0);
		if (r.status != 422)
			fprintf(stderr, "  case %s\n", cases[i].override);
		check_error(&r, 422, cases[i].field);
		e2e_resp_free(&r);
		free(b);
	}
	/* the top level */
	static const struct {
		const char *json, *field;
	} top[] = {
	    {"{\"kycType\":\"USER\",\"kycIdentityInfoVo\":{}}", "merchantUserId"},
	    {"{\"merchantUserId\":\"u\",\"kycIdentityInfoVo\":{}}", "kycType"},
	    {"{\"merchantUserId\":\"u\",\"kycType\":\"PERSON\",\"kycIdentityInfoVo\":{}}",
	     "kycType"},
	    {"{\"merchantUserId\":\"u\",\"kycType\":\"USER\"}", "kycIdentityInfoVo"},
	    {"{\"merchantUserId\":\"u\",\"kycType\":\"USER\",\"kycIdentityInfoVo\":[]}",
	     "kycIdentityInfoVo"},
	    {"{\"merchantUserId\":\"u\",\"kycType\":\"USER\",\"type\":\"renew\","
	     "\"kycIdentityInfoVo\":{}}",
	     "type"},
	    {"{\"merchantUserId\":\"u\",\"kycType\":\"USER\",\"registerTime\":\"2025-13-01 "
	     "00:00:00\",\"kycIdentityInfoVo\":{}}",
	     "registerTime"},
	    {"{\"merchantUserId\":\"u\",\"email\":\"not-an-email\",\"kycType\":\"USER\","
	     "\"kycIdentityInfoVo\":{}}",
	     "email"},
	    {"{\"merchantUserId\":\"u\",\"kycType\":\"USER\",\"callbackUrl\":\"http://"
	     "m.example.com/h\",\"kycIdentityInfoVo\":{}}",
	     "callbackUrl"},
	};
	for (size_t i = 0; i < sizeof top / sizeof top[0]; i++) {
		REQUIRE(share(key_a, top[i].json, &r) == 0);
		check_error(&r, 422, top[i].field);
		e2e_resp_free(&r);
	}
	REQUIRE(share(key_a, "{\"merchantUserId\":", &r) == 0);
	check_error(&r, 400, NULL);
	e2e_resp_free(&r);
	/* no key */
	const char *h[] = {"Content-Type: application/json", NULL};
	REQUIRE(e2e_req(&srv, "POST", "/api/v1/user/kyc/share", h, "{}", 2, &r) == 0);
	check_error(&r, 401, NULL);
	e2e_resp_free(&r);
	/* nothing was stored by any of these */
	REQUIRE(e2e_json(&srv, "GET", "/v1/applicants?external_ref=validation-user", key_a, NULL,
	                 &r) == 0);
	CHECK_INT(json_array_size(json_object_get(r.json, "data")), 0);
	e2e_resp_free(&r);
}

/* The first record a list answers (a new reference), or NULL. */
static json_t *first_listed(const char *key, const char *path)
{
	struct e2e_resp r;
	if (e2e_json(&srv, "GET", path, key, NULL, &r))
		return NULL;
	json_t *v = json_incref(json_array_get(json_object_get(r.json, "data"), 0));
	e2e_resp_free(&r);
	return v;
}

static char *user_id(const char *key, const char *ref)
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
static json_t *newest_verification(const char *key, const char *uid)
{
	char path[160];
	snprintf(path, sizeof path, "/v1/verifications?applicant_id=%s", uid);
	return first_listed(key, path);
}

static const char *check_of(const json_t *v, const char *name)
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
TEST(renew_after_rejection)
{
	struct e2e_resp r;
	char *b = body("renew-user", "new", NULL);
	REQUIRE(share(key_a, b, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	free(b);
	char *uid = user_id(key_a, "renew-user");
	REQUIRE(uid != NULL);
	json_t *v = newest_verification(key_a, uid);
	CHECK_STR(json_string_value(json_object_get(v, "status")), "pending_review");
	char path[160];
	snprintf(path, sizeof path, "/v1/verifications/%s/decision",
	         json_string_value(json_object_get(v, "id")));
	json_decref(v);
	REQUIRE(e2e_json(&srv, "POST", path, key_a,
	                 "{\"decision\":\"reject\",\"reason\":\"document_unreadable\"}", &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	b = body("renew-user", "reNew", NULL);
	REQUIRE(share(key_a, b, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	free(b);
	v = newest_verification(key_a, uid);
	CHECK_STR(check_of(v, "duplicate_document"), "pass");
	CHECK_STR(check_of(v, "reject_period"), "fail");
	CHECK_STR(json_string_value(json_object_get(v, "status")), "rejected");
	CHECK_STR(json_string_value(json_object_get(json_object_get(v, "decision"), "reason")),
	          "reject_period");
	json_decref(v);
	free(uid);
}

/* new, update (data only / new files), reNew, and the default. */
TEST(share_types)
{
	struct e2e_resp r;
	char *b = body("types-user", NULL, NULL); /* no type, unknown user: new */
	REQUIRE(share(key_a, b, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	char *uid = user_id(key_a, "types-user");
	REQUIRE(uid != NULL);
	CHECK_INT(count_verifications(key_a, uid), 1);
	/* new again: the user exists */
	free(b);
	b = body("types-user", "new", NULL);
	REQUIRE(share(key_a, b, &r) == 0);
	check_error(&r, 409, "type");
	e2e_resp_free(&r);
	/* update with the same files: the person changes, nothing to verify */
	free(b);
	b = body("types-user", "update",
	         "{\"city\":\"Kaunas\",\"lastNameEn\":\"NEWNAME\",\"kycTime\":null,\"zip\":null}");
	REQUIRE(share(key_a, b, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(json_string_value(json_object_get(json_object_get(r.json, "data"), "userId")),
	          uid);
	e2e_resp_free(&r);
	CHECK_INT(count_verifications(key_a, uid), 1);
	char path[160];
	snprintf(path, sizeof path, "/v1/applicants/%s", uid);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	CHECK_STR(e2e_str(&r, "last_name"), "NEWNAME");
	CHECK_STR(e2e_str(&r, "last_name_native"), passport.id.f.surname);
	e2e_resp_free(&r);
	/* no type, known user: update; with a new front image, a new verification */
	free(b);
	char ov[400];
	snprintf(ov, sizeof ov, "{\"frontFileUrl\":\"%s\"}", front2_url);
	b = body("types-user", NULL, ov);
	REQUIRE(share(key_a, b, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	CHECK_INT(count_verifications(key_a, uid), 2);
	/* reNew: always verified again (the merchant is told the status) */
	free(b);
	b = body("types-user", "reNew", ov);
	REQUIRE(share(key_a, b, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	CHECK_INT(count_verifications(key_a, uid), 3);
	/* update of a user never shared */
	free(b);
	b = body("nobody-user", "update", NULL);
	REQUIRE(share(key_a, b, &r) == 0);
	check_error(&r, 404, "type");
	e2e_resp_free(&r);
	/* the same merchant user id in another tenant is another user */
	free(b);
	b = body("types-user", "update", NULL);
	REQUIRE(share(key_b, b, &r) == 0);
	check_error(&r, 404, "type");
	e2e_resp_free(&r);
	free(b);
	free(uid);
}

/* A utility bill is kept as a file, not read as an identity document. */
TEST(files)
{
	struct e2e_resp r;
	char *b = body("bill-user", "new", "{\"idType\":\"UTILITY_BILL\"}");
	REQUIRE(share(key_a, b, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	free(b);
	char *uid = user_id(key_a, "bill-user");
	REQUIRE(uid != NULL);
	CHECK_INT(count_verifications(key_a, uid), 0);
	free(uid);

	/* a utility bill has no verification to fetch it later: a URL that does
	 * not answer fails the share at once, naming the field, and stores nothing */
	char missing[256], ov[400];
	snprintf(missing, sizeof missing, "https://localhost:%d/selfie.jpg", tcpgate_port(never));
	snprintf(ov, sizeof ov, "{\"idType\":\"UTILITY_BILL\",\"selfieFileUrl\":\"%s\"}", missing);
	b = body("missing-file-user", "new", ov);
	REQUIRE(share(key_a, b, &r) == 0);
	check_error(&r, 502, "kycIdentityInfoVo.selfieFileUrl");
	e2e_resp_free(&r);
	free(b);
	uid = user_id(key_a, "missing-file-user");
	CHECK(uid == NULL);
	free(uid);

	/* a tenant that keeps only the URLs: the user is recorded, nothing fetched */
	REQUIRE(e2e_json(&srv, "PATCH", "/v1/settings", key_b, "{\"share_fetch_files\":false}",
	                 &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	httpsd_url(&web, "gone.jpg", missing, sizeof missing);
	snprintf(ov, sizeof ov, "{\"selfieFileUrl\":\"%s\"}", missing);
	b = body("record-only-user", "new", ov);
	REQUIRE(share(key_b, b, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	free(b);
	uid = user_id(key_b, "record-only-user");
	REQUIRE(uid != NULL);
	CHECK_INT(count_verifications(key_b, uid), 0);
	free(uid);

	snprintf(ov, sizeof ov, "{\"frontFileUrl\":\"https://169.254.169.254/latest/meta-data\"}");
	b = body("metadata-user", "new", ov);
	REQUIRE(share(key_a, b, &r) == 0);
	char hv[64];
	CHECK(e2e_header(&r, "kycd-error-code", hv, sizeof hv));
	CHECK_STR(hv, "url_address_not_allowed");
	e2e_resp_free(&r);
	free(b);
}

/* The verification record (GET) of vid; a new reference or NULL. */
static json_t *verification(const char *vid)
{
	char path[160];
	snprintf(path, sizeof path, "/v1/verifications/%s", vid);
	return e2e_get_json(&srv, path, key_a);
}

/* Polls verification vid until every download left its list or gave up
 * (readiness, bounded at 60 s); the record then, or NULL. */
static json_t *downloads_settled(const char *vid)
{
	for (int i = 0; i < 600; i++) {
		json_t *v = verification(vid);
		size_t k;
		json_t *d;
		int open = 0;
		json_array_foreach(json_object_get(v, "downloads"), k, d) open |=
		    !json_is_true(json_object_get(d, "failed"));
		if (v && !open)
			return v;
		json_decref(v);
		e2e_sleep_ms(100);
	}
	return NULL;
}

/* The gate lets downloads through and their next try comes due: verification
 * vid once every download arrived (NULL if one still waits or failed). */
static json_t *gate_opened(const char *vid)
{
	tcpgate_set_mode(gate, TCPGATE_FORWARD);
	e2e_clock_add(&clk, 31);
	json_t *v = downloads_settled(vid);
	if (v && json_array_size(json_object_get(v, "downloads"))) {
		char *left = json_dumps(json_object_get(v, "downloads"), JSON_COMPACT);
		fprintf(stderr, "  downloads left: %s\n", left);
		free(left);
		json_decref(v);
		v = NULL;
	}
	return v;
}

static const json_t *download_of(const json_t *v, const char *field)
{
	return e2e_find(json_object_get(v, "downloads"), "field", field);
}

static int passports_read(const json_t *v, const char *number)
{
	size_t i;
	json_t *doc;
	int n = 0;
	json_array_foreach(json_object_get(v, "documents"), i, doc)
	{
		const json_t *num = json_object_get(
		    json_object_get(
		        json_object_get(json_object_get(doc, "extraction"), "fields"),
		        "document_number"),
		    "value");
		n += !strcmp(json_string_value(json_object_get(doc, "type")), "passport") &&
		     json_is_string(num) && !strcmp(json_string_value(num), number);
	}
	return n;
}

/* Shares body b (freed) and expects the seed's answer, {"userId"} alone;
 * uid: that user, vid: its newest verification. 0, or -1 when it did not
 * answer so. */
static int share_ok(char *b, char uid[64], char vid[64])
{
	struct e2e_resp r;
	int rc = share(key_a, b, &r);
	free(b);
	if (rc)
		return -1;
	if (r.status != 200)
		fprintf(stderr, "  got %ld %s\n", r.status, r.body);
	json_t *d = json_object_get(r.json, "data");
	rc = r.status == 200 && !strcmp(e2e_str(&r, "code"), "0") && json_object_size(d) == 1
	         ? 0
	         : -1;
	snprintf(uid, 64, "%s", rc ? "" : json_string_value(json_object_get(d, "userId")));
	e2e_resp_free(&r);
	json_t *v = rc ? NULL : newest_verification(key_a, uid);
	snprintf(vid, 64, "%s", v ? json_string_value(json_object_get(v, "id")) : "");
	json_decref(v);
	return v ? 0 : -1;
}

/* Nothing in the seed says when the files are read, and the outcome reaches
 * the merchant by push: a share whose front, selfie and AML report are not
 * there yet is answered with its userId; each URL is kept with its own
 * error, fetched again, and put in its place when it arrives. */
TEST(deferred_every_url)
{
	char f[256], sf[256], a[256], ov[1024];
	int port = tcpgate_port(gate);
	snprintf(f, sizeof f, "https://localhost:%d/late-front.jpg", port);
	snprintf(sf, sizeof sf, "https://localhost:%d/selfie.jpg", port);
	snprintf(a, sizeof a, "https://localhost:%d/aml.pdf", port);
	tcpgate_set_mode(gate, TCPGATE_REFUSE);
	snprintf(ov, sizeof ov,
	         "{\"frontFileUrl\":\"%s\",\"selfieFileUrl\":\"%s\",\"amlFileUrl\":\"%s\"}", f, sf,
	         a);
	char uid[64], vid[64];
	REQUIRE(share_ok(body("late-user", "new", ov), uid, vid) == 0);
	json_t *v;
	struct e2e_resp r;
	v = verification(vid);
	REQUIRE(v != NULL);
	CHECK_STR(json_string_value(json_object_get(v, "status")), "awaiting_input");
	CHECK_INT(json_array_size(json_object_get(v, "downloads")), 3);
	static const char *const fields[] = {"frontFileUrl", "selfieFileUrl", "amlFileUrl"};
	const char *urls[] = {f, sf, a};
	for (int i = 0; i < 3; i++) {
		const json_t *dl = download_of(v, fields[i]);
		REQUIRE(dl != NULL);
		CHECK_STR(json_string_value(json_object_get(dl, "url")), urls[i]);
		CHECK_STR(json_string_value(json_object_get(dl, "last_error")), "url_fetch_failed");
		CHECK(json_is_false(json_object_get(dl, "failed")));
		CHECK_INT(json_integer_value(json_object_get(dl, "attempts")), 1);
	}
	CHECK_INT(passports_read(v, late_pp[0].id.f.document_number), 0);
	json_decref(v);

	/* the files can be reached; the next try (30 s later) puts each in its place */
	v = gate_opened(vid);
	REQUIRE(v != NULL);
	/* L1 asks for liveness, which one selfie file cannot show: a person decides */
	CHECK_STR(json_string_value(json_object_get(v, "status")), "pending_review");
	CHECK_INT(passports_read(v, late_pp[0].id.f.document_number), 1);
	CHECK(json_is_string(json_object_get(json_object_get(v, "face"), "selfie_file_id")));
	/* the liveness state: the selfie came without the head-turn challenge */
	CHECK_STR(json_string_value(json_object_get(json_object_get(v, "face"), "liveness")),
	          "not_performed");
	json_decref(v);
	/* the AML report is the applicant's file, as a share that fetched it at once */
	kyc_store *st = NULL;
	char err[200];
	json_t *app = NULL;
	REQUIRE(e2e_store_open(&srv, &st, err, sizeof err) == 0);
	CHECK(kyc_store_get(st, KYC_R_APPLICANT, tenant_a, uid, &app) == 0);
	const char *fid = json_string_value(json_object_get(
	    json_object_get(json_object_get(json_object_get(app, "attributes"), "compat004"),
	                    "files"),
	    "amlFileUrl"));
	REQUIRE(fid != NULL);
	char path[160];
	snprintf(path, sizeof path, "/v1/files/%s", fid);
	json_decref(app);
	kyc_store_close(st);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_INT(r.body_len, sizeof aml_pdf - 1);
	CHECK(r.body_len == sizeof aml_pdf - 1 && !memcmp(r.body, aml_pdf, r.body_len));
	e2e_resp_free(&r);
}

/* A server stopped while it downloads (SIGKILL, mid-request) loses nothing:
 * after the restart the URL is fetched again and the document submitted,
 * once. */
TEST(deferred_restart_mid_fetch)
{
	char f[256], ov[600];
	snprintf(f, sizeof f, "https://localhost:%d/late-front2.jpg", tcpgate_port(gate));
	snprintf(ov, sizeof ov, "{\"frontFileUrl\":\"%s\",\"amlFileUrl\":null}", f);
	/* the first try meets a closed connection */
	tcpgate_set_mode(gate, TCPGATE_REFUSE);
	char uid[64], vid[64];
	REQUIRE(share_ok(body("restart-user", "new", ov), uid, vid) == 0);
	json_t *v;
	v = verification(vid);
	REQUIRE(v != NULL);
	const json_t *dl = download_of(v, "frontFileUrl");
	REQUIRE(dl != NULL);
	CHECK_STR(json_string_value(json_object_get(dl, "last_error")), "url_fetch_failed");
	json_decref(v);

	/* the next try is held mid-request, and the server is killed there */
	tcpgate_set_mode(gate, TCPGATE_HOLD);
	int before = tcpgate_accepted(gate);
	e2e_clock_add(&clk, 31);
	REQUIRE(tcpgate_wait(gate, before + 1, 60000) >= before + 1);
	e2e_kill(&srv);
	/* the file answers from now on; a new server takes over */
	tcpgate_set_mode(gate, TCPGATE_FORWARD);
	REQUIRE(e2e_start(&srv, srv_env) == 0);
	v = downloads_settled(vid);
	REQUIRE(v != NULL);
	CHECK_INT(json_array_size(json_object_get(v, "downloads")), 0);
	CHECK_STR(json_string_value(json_object_get(v, "status")), "pending_review");
	/* submitted once: one passport document, read */
	CHECK_INT(passports_read(v, late_pp[1].id.f.document_number), 1);
	CHECK_INT(json_integer_value(json_object_get(v, "attempts")), 1);
	json_decref(v);
}

/* How many documents of verification v are an ID card's side (the selfie is
 * a document too). */
static int card_sides(const json_t *v, const char *side)
{
	size_t i;
	json_t *d;
	int n = 0;
	json_array_foreach(json_object_get(v, "documents"), i, d) n +=
	    !strcmp(json_string_value(json_object_get(d, "type")), "id_card") &&
	    !strcmp(json_string_value(json_object_get(d, "side")), side);
	return n;
}

/* An ID card whose front is not there yet: its back, there at once, waits
 * with it (the workflow reads a card's front first), and both go in as one
 * attempt when the front arrives. */
TEST(deferred_back_waits_for_front)
{
	char f[256], bk[256], ov[800];
	snprintf(f, sizeof f, "https://localhost:%d/card-front.jpg", tcpgate_port(gate));
	httpsd_url(&web, "card-back.jpg", bk, sizeof bk);
	snprintf(ov, sizeof ov,
	         "{\"idType\":\"ID_CARD\",\"frontFileUrl\":\"%s\",\"backFileUrl\":\"%s\","
	         "\"amlFileUrl\":null}",
	         f, bk);
	tcpgate_set_mode(gate, TCPGATE_REFUSE);
	char uid[64], vid[64];
	REQUIRE(share_ok(body("card-user", "new", ov), uid, vid) == 0);
	json_t *v = verification(vid);
	REQUIRE(v != NULL);
	CHECK_STR(json_string_value(json_object_get(download_of(v, "frontFileUrl"), "last_error")),
	          "url_fetch_failed");
	CHECK_STR(json_string_value(json_object_get(download_of(v, "backFileUrl"), "last_error")),
	          "front_pending");
	CHECK_INT(card_sides(v, "front") + card_sides(v, "back"), 0);
	json_decref(v);

	v = gate_opened(vid);
	REQUIRE(v != NULL);
	CHECK_INT(card_sides(v, "front"), 1);
	CHECK_INT(card_sides(v, "back"), 1);
	CHECK_INT(json_integer_value(json_object_get(v, "attempts")), 1);
	CHECK(strcmp(json_string_value(json_object_get(v, "status")), "awaiting_input") != 0);
	json_decref(v);
}

/* Content that is no image when it arrives stops that URL's retries, with
 * its error; a URL that never arrives is pushed with its error when the
 * verification ends (the status push's reject, fileErrors). */
TEST(deferred_errors_pushed)
{
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "POST", "/v1/webhook-callback-secret/rotate", key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	int base = whrecv_count(rx);
	char f[256], sf[256], cb[128];
	snprintf(f, sizeof f, "https://localhost:%d/front.jpg", tcpgate_port(never));
	snprintf(sf, sizeof sf, "https://localhost:%d/text-selfie.jpg", tcpgate_port(gate));
	tcpgate_set_mode(gate, TCPGATE_REFUSE);
	snprintf(cb, sizeof cb, "https://127.0.0.1:%d/late", whrecv_port(rx));
	json_t *o = json_pack("{s:s, s:s, s:n}", "frontFileUrl", f, "selfieFileUrl", sf,
	                      "amlFileUrl");
	char *ov = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	char *b = body("never-user", "new", ov);
	free(ov);
	json_t *bj = json_loads(b, 0, NULL);
	free(b);
	json_object_set_new(bj, "callbackUrl", json_string(cb));
	b = json_dumps(bj, JSON_COMPACT);
	json_decref(bj);
	char uid[64], vid[64];
	REQUIRE(share_ok(b, uid, vid) == 0);
	json_t *v;

	/* the selfie URL answers with text: no more tries for it */
	tcpgate_set_mode(gate, TCPGATE_FORWARD);
	e2e_clock_add(&clk, 31);
	v = NULL;
	for (int i = 0; i < 600; i++) {
		v = verification(vid);
		const json_t *dl = download_of(v, "selfieFileUrl");
		if (dl && json_is_true(json_object_get(dl, "failed")))
			break;
		json_decref(v);
		v = NULL;
		e2e_sleep_ms(100);
	}
	REQUIRE(v != NULL);
	const json_t *dl = download_of(v, "selfieFileUrl");
	CHECK_STR(json_string_value(json_object_get(dl, "last_error")), "unsupported_media_type");
	dl = download_of(v, "frontFileUrl");
	CHECK(json_is_false(json_object_get(dl, "failed")));
	CHECK_STR(json_string_value(json_object_get(dl, "last_error")), "url_fetch_failed");
	CHECK(json_integer_value(json_object_get(dl, "attempts")) >= 2);
	CHECK_STR(json_string_value(json_object_get(v, "status")), "awaiting_input");
	json_decref(v);

	/* the front never comes: the verification expires, and the push says
	 * reject with each URL that failed */
	e2e_clock_add(&clk, 5 * 3600);
	json_t *push = NULL;
	for (int n = base + 1; !push && whrecv_wait(rx, n, 60000) >= n; n++) {
		struct whrecv_msg m;
		REQUIRE(whrecv_get(rx, n - 1, &m) == 0);
		json_t *j = json_loads(m.body, 0, NULL);
		free(m.body);
		if (!strcmp(json_string_value(json_object_get(j, "status")), "reject"))
			push = j;
		else
			json_decref(j);
	}
	REQUIRE(push != NULL);
	CHECK_STR(json_string_value(json_object_get(push, "userId")), uid);
	CHECK_STR(json_string_value(json_object_get(push, "merchantUserId")), "never-user");
	CHECK_STR(json_string_value(json_object_get(push, "kycStatus")), "reject");
	CHECK_STR(json_string_value(json_object_get(push, "reason")), "expired");
	json_t *errs = json_object_get(push, "fileErrors");
	CHECK_INT(json_array_size(errs), 2);
	int front_seen = 0, selfie_seen = 0;
	size_t i;
	json_t *e;
	json_array_foreach(errs, i, e)
	{
		const char *field = json_string_value(json_object_get(e, "field"));
		const char *code = json_string_value(json_object_get(e, "code"));
		CHECK(json_string_length(json_object_get(e, "msg")) > 0);
		if (!strcmp(field, "kycIdentityInfoVo.frontFileUrl")) {
			front_seen = 1;
			CHECK_STR(code, "url_fetch_failed");
		} else if (!strcmp(field, "kycIdentityInfoVo.selfieFileUrl")) {
			selfie_seen = 1;
			CHECK_STR(code, "unsupported_media_type");
		}
	}
	CHECK(front_seen && selfie_seen);
	json_decref(push);
}

int main(void)
{
	unsigned char *front_jpg = NULL, *jpg2 = NULL, *l0 = NULL, *l1 = NULL;
	size_t front_len = 0, jl2 = 0, ll0 = 0, ll1 = 0;
	unsigned char *cf = NULL, *cb = NULL;
	size_t cfl = 0, cbl = 0;
	struct kyc_synth_doc card;
	static const char text[] = "not a picture\n";
	struct kyc_synth_doc other;
	char ca_path[200], ca_env[260];
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
	const char *env[] = {"KYCD_FETCH_ALLOW_LOOPBACK=1",
	                     web.ca_env,
	                     clk.env,
	                     "KYCD_SWEEP_INTERVAL_MS=100",
	                     ca_env,
	                     "KYCD_WEBHOOK_ALLOW_LOOPBACK=1",
	                     NULL};
	srv_env = env;
	if (!ok || e2e_tenant(&srv, "c004-a", key_a, tenant_a) ||
	    e2e_tenant(&srv, "c004-b", key_b, NULL) || e2e_start(&srv, env)) {
		httpsd_stop(&web);
		tcpgate_stop(gate);
		tcpgate_stop(never);
		whrecv_stop(rx);
		e2e_cleanup(&srv);
		printf("[compat004] 0 passed, 1 failed\n");
		return 1;
	}
	RUN(share_new_user);
	RUN(validation);
	RUN(share_types);
	RUN(files);
	RUN(renew_after_rejection);
	/* these move the clock (hours, last) and restart the server */
	RUN(deferred_every_url);
	RUN(deferred_restart_mid_fetch);
	RUN(deferred_back_waits_for_front);
	RUN(deferred_errors_pushed);
	httpsd_stop(&web);
	tcpgate_stop(gate);
	tcpgate_stop(never);
	whrecv_stop(rx);
	e2e_cleanup(&srv);
	e2e_clock_remove(&clk);
	free(selfie_jpg);
	return test_done("compat004");
}
