/* Seed 004 (KYC record sharing) against the real kycd: a complete share
 * with every field of both tables, the record it becomes (applicant,
 * verification, fetched files), every validation the tables imply, and the
 * new / update / reNew semantics. File URLs fetched later are in
 * seed004_deferred_test.c; the harness is seed004_kit.h. */
#include "seed004_kit.h"

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
int main(void)
{
	if (seed004_start("compat004"))
		return 1;
	RUN(share_new_user);
	RUN(validation);
	RUN(share_types);
	RUN(files);
	RUN(renew_after_rejection);
	seed004_stop();
	return test_done("compat004");
}
