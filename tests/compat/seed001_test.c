/* Seed 001 (two-step KYC submission) against the real kycd: step 1 as the
 * document's sample requests send it (multipart, x-api-key), every output
 * field with its type and casing, the OCR values checked against the
 * generated document's truth, retries to the third failure, the 4-hour
 * submission lifetime, customOptions, step 2's selfie, and the errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/rand.h"
#include "document/synth.h"
#include "e2e.h"
#include "faces.h"
#include "form.h"
#include "img.h"
#include "specimen.h"
#include "test.h"

static struct e2e_server srv;
static char key_a[128], key_b[128];
static char clock_path[200];
static unsigned char *passport_jpg, *card_jpg, *blank_jpg, *passport3_jpg;
static size_t passport3_len, front_len, dark_len;
static unsigned char *front_jpg, *dark_jpg;
static struct kyc_synth_doc passport3;
static size_t passport_len, card_len, blank_len;
static struct kyc_synth_doc passport, card;

static int post_form(const char *path, const char *key, const struct form_part *parts, int n,
                     struct e2e_resp *r)
{
	size_t len;
	char *body = form_build(parts, n, &len);
	char h[200];
	snprintf(h, sizeof h, "x-api-key: %s", key);
	const char *hdr[] = {h, FORM_CONTENT_TYPE, NULL};
	int rc = e2e_req(&srv, "POST", path, hdr, body, len, r);
	free(body);
	return rc;
}

#define TEXT(n, v)                                                                                 \
	{                                                                                          \
		n, NULL, NULL, v, 0                                                                \
	}
#define FILE_PART(n, fname, ct, p, l)                                                              \
	{                                                                                          \
		n, fname, ct, p, l                                                                 \
	}

static void check_error(const struct e2e_resp *r, long status, const char *message)
{
	if (r->status != status || strcmp(e2e_str(r, "message"), message))
		fprintf(stderr, "  got %ld %s\n", r->status, r->body);
	CHECK_INT(r->status, status);
	CHECK_STR(e2e_str(r, "message"), message);
	CHECK(json_is_string(json_object_get(r->json, "errorCode")));
}

static int is_bool_text(const json_t *v)
{
	const char *s = json_string_value(v);
	return s && (!strcmp(s, "true") || !strcmp(s, "false"));
}

/* Every output field of step 1, with its type. */
static void check_step1_shape(const json_t *o, int ocr)
{
	CHECK(json_is_string(json_object_get(o, "submissionId")));
	const char *id = json_string_value(json_object_get(o, "submissionId"));
	CHECK(id && kyc_uuid_valid(id, strlen(id)));
	json_t *rv = json_object_get(o, "reviewOCRData");
	if (ocr) {
		static const char *const names[] = {
		    "birthDate", "issueDate", "expireDate",  "lastName",       "firstName",
		    "name",      "gender",    "nationality", "identityNumber", "licenseNumber"};
		REQUIRE(json_is_object(rv));
		CHECK_INT(json_object_size(rv), 20);
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
			char k[64];
			snprintf(k, sizeof k, "ocr_%s", names[i]);
			json_t *v = json_object_get(rv, k);
			CHECK(v && (json_is_string(v) || json_is_null(v)));
			snprintf(k, sizeof k, "accepted_ocr_%s", names[i]);
			CHECK(json_is_boolean(json_object_get(rv, k)));
		}
	} else {
		CHECK(rv == NULL); /* "If OCR fails, this parameter is not returned." */
	}
	json_t *df = json_object_get(o, "document_fields");
	CHECK(json_is_object(df) || json_is_array(df));
	if (json_is_object(df)) {
		static const char *const f[] = {"expireDate",   "idNumber",      "identityNumber",
		                                "gender",       "issueDate",     "nationality",
		                                "number",       "name",          "birthDate",
		                                "serialNumber", "documentNumber"};
		CHECK_INT(json_object_size(df), 11);
		for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
			CHECK(json_is_boolean(json_object_get(df, f[i])));
	}
	CHECK(json_is_array(json_object_get(o, "missing_fields")));
	CHECK(json_is_string(json_object_get(o, "idImage")));
	json_t *back = json_object_get(o, "idBackImage");
	CHECK(back && (json_is_string(back) || json_is_null(back)));
	CHECK(is_bool_text(json_object_get(o, "file_upload")));
	CHECK(is_bool_text(json_object_get(o, "file_back_upload")));
	const char *st = json_string_value(json_object_get(o, "kycStatus"));
	CHECK(st && (!strcmp(st, "pending") || !strcmp(st, "approved") || !strcmp(st, "rejected") ||
	             !strcmp(st, "incomplete")));
	CHECK(json_is_array(json_object_get(o, "retry")));
	CHECK(json_is_integer(json_object_get(o, "retryCount")));
}

static const char *ocr(const json_t *o, const char *name)
{
	char k[64];
	snprintf(k, sizeof k, "ocr_%s", name);
	return json_string_value(json_object_get(json_object_get(o, "reviewOCRData"), k));
}

static int accepted(const json_t *o, const char *name)
{
	char k[64];
	snprintf(k, sizeof k, "accepted_ocr_%s", name);
	return json_is_true(json_object_get(json_object_get(o, "reviewOCRData"), k));
}

/* Sample Request 1, with a generated passport in place of sampleID.jpg. */
TEST(step1_sample_and_step2)
{
	struct form_part p[] = {
	    TEXT("issuingCountry", passport.id.f.issuing_country),
	    TEXT("email", "kyc.applicant@example.com"),
	    TEXT("idType", "passport"),
	    FILE_PART("idImage", "sampleID.jpg", "image/jpeg", passport_jpg, passport_len),
	    TEXT("cf1", "test"),
	    TEXT("userid", "user1"),
	};
	struct e2e_resp r;
	REQUIRE(post_form("/v3/submission/step1", key_a, p, 6, &r) == 0);
	if (r.status != 200)
		fprintf(stderr, "  got %ld %s\n", r.status, r.body);
	CHECK_INT(r.status, 200);
	REQUIRE(json_is_object(r.json));
	check_step1_shape(r.json, 1);
	const struct kyc_synth_fields *t = &passport.id.f;
	CHECK_STR(ocr(r.json, "birthDate"), t->birth_date);
	CHECK(accepted(r.json, "birthDate"));
	CHECK_STR(ocr(r.json, "expireDate"), t->expiry_date);
	CHECK(accepted(r.json, "expireDate"));
	CHECK_STR(ocr(r.json, "lastName"), t->surname);
	CHECK_STR(ocr(r.json, "firstName"), t->given_names);
	char full[128];
	snprintf(full, sizeof full, "%s %s", t->given_names, t->surname);
	CHECK_STR(ocr(r.json, "name"), full);
	CHECK_STR(ocr(r.json, "gender"), t->sex[0] == 'F' ? "female" : "male");
	CHECK_STR(ocr(r.json, "nationality"), t->nationality);
	/* not on an MRZ: null and not accepted, never invented */
	CHECK(ocr(r.json, "issueDate") == NULL && !accepted(r.json, "issueDate"));
	CHECK(ocr(r.json, "licenseNumber") == NULL && !accepted(r.json, "licenseNumber"));
	json_t *df = json_object_get(r.json, "document_fields");
	CHECK(json_is_true(json_object_get(df, "documentNumber")));
	CHECK(json_is_true(json_object_get(df, "birthDate")));
	CHECK(json_is_false(json_object_get(df, "issueDate")));
	CHECK_INT(json_array_size(json_object_get(r.json, "missing_fields")), 0);
	CHECK_STR(e2e_str(&r, "file_upload"), "true");
	CHECK_STR(e2e_str(&r, "file_back_upload"), "false");
	CHECK(json_is_null(json_object_get(r.json, "idBackImage")));
	/* a submission that waits for step 2 */
	CHECK_STR(e2e_str(&r, "kycStatus"), "pending");
	CHECK_INT(json_array_size(json_object_get(r.json, "retry")), 0);
	CHECK_INT(json_integer_value(json_object_get(r.json, "retryCount")), 0);
	char sub[64], img[128];
	snprintf(sub, sizeof sub, "%s", e2e_str(&r, "submissionId"));
	snprintf(img, sizeof img, "%s", e2e_str(&r, "idImage"));
	e2e_resp_free(&r);

	/* idImage is the path of the stored front image */
	REQUIRE(e2e_json(&srv, "GET", img, key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK(r.body_len == passport_len && !memcmp(r.body, passport_jpg, passport_len));
	e2e_resp_free(&r);
	/* the submission is a kycd verification of applicant "user1" */
	char path[160];
	snprintf(path, sizeof path, "/v1/verifications/%s", sub);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(e2e_str(&r, "status"), "awaiting_input");
	CHECK_STR(json_string_value(json_object_get(json_object_get(r.json, "metadata"), "cf1")),
	          "test");
	e2e_resp_free(&r);

	/* Step 2: the selfie, compared with the document's portrait; the
	 * placeholder portrait is no match for a real face, so a person decides */
	size_t sl;
	unsigned char *selfie = tface_selfie(TFACE_A, &sl);
	struct form_part s2[] = {
	    TEXT("submissionId", sub),
	    FILE_PART("faceImage", "face.jpg", "image/jpeg", selfie, sl),
	};
	REQUIRE(post_form("/v3/submission/step2", key_a, s2, 2, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(e2e_str(&r, "submissionId"), sub);
	CHECK_STR(e2e_str(&r, "kycStatus"), "pending");
	CHECK(json_is_integer(json_object_get(r.json, "retryCount")));
	/* the selfie against the portrait (a drawn placeholder here): the
	 * comparison, or null when no face was found on the document */
	json_t *fm = json_object_get(r.json, "faceMatch");
	CHECK(fm && (json_is_null(fm) || (json_is_boolean(json_object_get(fm, "match")) &&
	                                  json_is_number(json_object_get(fm, "similarity")))));
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	CHECK_STR(e2e_str(&r, "status"), "pending_review");
	e2e_resp_free(&r);
	/* step 1 again on a submission under review */
	struct form_part again[] = {
	    TEXT("issuingCountry", passport.id.f.issuing_country),
	    TEXT("email", "kyc.applicant@example.com"),
	    TEXT("idType", "passport"),
	    TEXT("submissionId", sub),
	    FILE_PART("idImage", "sampleID.jpg", "image/jpeg", passport_jpg, passport_len),
	};
	REQUIRE(post_form("/v3/submission/step1", key_a, again, 5, &r) == 0);
	check_error(&r, 400, "this submission is already processed");
	e2e_resp_free(&r);
	free(selfie);
}

/* "For 'issuingCountry' ... please check the file": the document fixes no
 * format, so alpha-2 and alpha-3 in either case are taken and kept as
 * alpha-3. */
TEST(country_formats)
{
	static const char *const sent[][2] = {{"AU", "AUS"}, {"au", "AUS"}, {"aus", "AUS"},
	                                      {"LT", "LTU"}};
	for (size_t i = 0; i < sizeof sent / sizeof sent[0]; i++) {
		struct form_part p[] = {
		    TEXT("issuingCountry", sent[i][0]),
		    TEXT("email", "formats@example.com"),
		    TEXT("idType", "passport"),
		    FILE_PART("idImage", "p.jpg", "image/jpeg", passport_jpg, passport_len),
		};
		struct e2e_resp r;
		REQUIRE(post_form("/v3/submission/step1", key_b, p, 4, &r) == 0);
		CHECK_INT(r.status, 200);
		char path[160];
		snprintf(path, sizeof path, "/v1/verifications/%s", e2e_str(&r, "submissionId"));
		e2e_resp_free(&r);
		REQUIRE(e2e_json(&srv, "GET", path, key_b, NULL, &r) == 0);
		snprintf(path, sizeof path, "/v1/documents/%s", e2e_str(&r, "document_id"));
		e2e_resp_free(&r);
		REQUIRE(e2e_json(&srv, "GET", path, key_b, NULL, &r) == 0);
		CHECK_STR(e2e_str(&r, "issuing_country"), sent[i][1]);
		e2e_resp_free(&r);
	}
}

/* An ID card: the front has no MRZ, the back has it; both in one step 1. */
TEST(front_and_back)
{
	struct form_part p[] = {
	    TEXT("issuingCountry", card.id.f.issuing_country),
	    TEXT("email", "card.holder@example.com"),
	    TEXT("idType", "government_id"),
	    FILE_PART("idImage", "front.png", "image/jpeg", blank_jpg, blank_len),
	    FILE_PART("idBackImage", "back.jpg", "image/jpeg", card_jpg, card_len),
	};
	struct e2e_resp r;
	REQUIRE(post_form("/submission/step1", key_a, p, 5, &r) == 0);
	CHECK_INT(r.status, 200);
	check_step1_shape(r.json, 1);
	CHECK_STR(ocr(r.json, "lastName"), card.id.f.surname);
	CHECK_STR(ocr(r.json, "birthDate"), card.id.f.birth_date);
	CHECK_STR(e2e_str(&r, "file_back_upload"), "true");
	CHECK(json_is_string(json_object_get(r.json, "idBackImage")));
	e2e_resp_free(&r);
}

/* Unreadable photos: incomplete with a retry code, then rejected at the third. */
TEST(retries_to_rejection)
{
	struct form_part p[] = {
	    TEXT("issuingCountry", "UTO"),
	    TEXT("email", "blurry@example.com"),
	    TEXT("idType", "passport"),
	    FILE_PART("idImage", "id.jpg", "image/jpeg", blank_jpg, blank_len),
	    TEXT("submissionId", ""), /* filled below */
	};
	struct e2e_resp r;
	REQUIRE(post_form("/v3/submission/step1", key_a, p, 4, &r) == 0);
	CHECK_INT(r.status, 200);
	check_step1_shape(r.json, 0);
	CHECK_STR(e2e_str(&r, "kycStatus"), "incomplete");
	json_t *retry = json_object_get(r.json, "retry");
	CHECK_INT(json_array_size(retry), 1);
	CHECK(json_string_length(json_object_get(json_array_get(retry, 0), "retryCode")) > 0);
	CHECK(json_string_length(json_object_get(json_array_get(retry, 0), "retryMsg")) > 0);
	CHECK_INT(json_integer_value(json_object_get(r.json, "retryCount")), 1);
	char sub[64];
	snprintf(sub, sizeof sub, "%s", e2e_str(&r, "submissionId"));
	e2e_resp_free(&r);
	p[4].data = sub;
	REQUIRE(post_form("/v3/submission/step1", key_a, p, 5, &r) == 0);
	CHECK_STR(e2e_str(&r, "submissionId"), sub);
	CHECK_STR(e2e_str(&r, "kycStatus"), "incomplete");
	CHECK_INT(json_integer_value(json_object_get(r.json, "retryCount")), 2);
	e2e_resp_free(&r);
	REQUIRE(post_form("/v3/submission/step1", key_a, p, 5, &r) == 0);
	CHECK_STR(e2e_str(&r, "kycStatus"), "rejected");
	CHECK_INT(json_integer_value(json_object_get(r.json, "retryCount")), 3);
	e2e_resp_free(&r);
	REQUIRE(post_form("/v3/submission/step1", key_a, p, 5, &r) == 0);
	check_error(&r, 400, "this submission is already processed");
	e2e_resp_free(&r);
}

/* The same user sends the same ID again after a reviewer rejected it:
 * not a duplicate (nobody else holds the ID) but the rejected duplicate
 * submission prevention period (customOptions.rejectPeriod), said as its
 * own code in retry; another user with that ID is a duplicate. */
TEST(same_user_after_rejection)
{
	struct form_part p[] = {
	    TEXT("issuingCountry", "UTO"),
	    TEXT("email", "again@example.com"),
	    TEXT("idType", "passport"),
	    FILE_PART("idImage", "id.jpg", "image/jpeg", passport3_jpg, passport3_len),
	    TEXT("userid", "user-again"),
	    TEXT("customOptions", "{}"),
	};
	struct e2e_resp r;
	REQUIRE(post_form("/v3/submission/step1", key_a, p, 5, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(e2e_str(&r, "kycStatus"), "pending");
	char sub[64], path[160];
	snprintf(sub, sizeof sub, "%s", e2e_str(&r, "submissionId"));
	e2e_resp_free(&r);
	size_t sl;
	unsigned char *selfie = tface_selfie(TFACE_A, &sl);
	REQUIRE(selfie != NULL);
	struct form_part face[] = {TEXT("submissionId", sub),
	                           FILE_PART("faceImage", "f.jpg", "image/jpeg", selfie, sl)};
	REQUIRE(post_form("/v3/submission/step2", key_a, face, 2, &r) == 0);
	CHECK_INT(r.status, 200);
	/* the document's portrait is a drawn placeholder: a person decides */
	CHECK_STR(e2e_str(&r, "kycStatus"), "pending");
	e2e_resp_free(&r);
	free(selfie);
	snprintf(path, sizeof path, "/v1/verifications/%s/decision", sub);
	REQUIRE(e2e_json(&srv, "POST", path, key_a,
	                 "{\"decision\":\"reject\",\"reason\":\"document_unreadable\"}", &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);

	/* the same user, the same ID, a new submission */
	REQUIRE(post_form("/v3/submission/step1", key_a, p, 5, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(e2e_str(&r, "kycStatus"), "rejected");
	json_t *retry = json_array_get(json_object_get(r.json, "retry"), 0);
	CHECK_STR(json_string_value(json_object_get(retry, "retryCode")), "reject_period");
	CHECK(json_string_length(json_object_get(retry, "retryMsg")) > 0);
	snprintf(path, sizeof path, "/v1/verifications/%s", e2e_str(&r, "submissionId"));
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	size_t i;
	json_t *ck;
	json_array_foreach(json_object_get(r.json, "checks"), i, ck)
	{
		const char *n = json_string_value(json_object_get(ck, "name"));
		const char *res = json_string_value(json_object_get(ck, "result"));
		if (!strcmp(n, "duplicate_document"))
			CHECK_STR(res, "pass"); /* its own rejection is no duplicate */
		if (!strcmp(n, "reject_period"))
			CHECK_STR(res, "fail");
	}
	e2e_resp_free(&r);

	/* with the period turned off for this submission, it goes on */
	p[5].data = "{\"rejectPeriod\":false}";
	REQUIRE(post_form("/v3/submission/step1", key_a, p, 6, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(e2e_str(&r, "kycStatus"), "pending");
	CHECK_INT(json_array_size(json_object_get(r.json, "retry")), 0);
	e2e_resp_free(&r);

	/* another user with that ID: a duplicate */
	p[4].data = "user-other";
	REQUIRE(post_form("/v3/submission/step1", key_a, p, 5, &r) == 0);
	CHECK_STR(e2e_str(&r, "kycStatus"), "rejected");
	retry = json_array_get(json_object_get(r.json, "retry"), 0);
	CHECK_STR(json_string_value(json_object_get(retry, "retryCode")), "duplicate_document");
	e2e_resp_free(&r);
}

/* One step 1 of a government_id with only idImage (on submission sub, or
 * a new one when sub is ""); checks kycStatus, retryCount and the retry
 * code, and returns the submission's id in sub. */
static void id_front_only(const unsigned char *img, size_t len, char sub[64], const char *status,
                          int count, const char *code)
{
	struct form_part p[] = {
	    TEXT("issuingCountry", "UTO"),
	    TEXT("email", "fronts@example.com"),
	    TEXT("idType", "government_id"),
	    FILE_PART("idImage", "front.jpg", "image/jpeg", img, len),
	    TEXT("submissionId", sub),
	};
	struct e2e_resp r;
	REQUIRE(post_form("/v3/submission/step1", key_b, p, sub[0] ? 5 : 4, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(e2e_str(&r, "kycStatus"), status);
	CHECK_INT(json_integer_value(json_object_get(r.json, "retryCount")), count);
	CHECK_STR(json_string_value(json_object_get(
	              json_array_get(json_object_get(r.json, "retry"), 0), "retryCode")),
	          code);
	snprintf(sub, 64, "%s", e2e_str(&r, "submissionId"));
	e2e_resp_free(&r);
}

/* One of the real photos scripts/fetch-models extracts, as its bytes. */
static unsigned char *sample_photo(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", tface_dir(), name);
	FILE *fp = fopen(path, "rb");
	unsigned char *buf = fp ? malloc(16u << 20) : NULL;
	*len = buf ? fread(buf, 1, 16u << 20, fp) : 0;
	if (fp)
		fclose(fp);
	if (!*len) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* "retryCount: Tried count for Step 1, when it becomes 3 the KYC submission
 * will be rejected" — for ID cards too. A readable front whose card has its
 * MRZ on the back waits for the back once; sent again instead of the back,
 * it is a failed attempt. An unusable photo fails at once, and so does a
 * photo of no document at all (a checkerboard, a real photo of people), as
 * document_not_found. */
TEST(id_card_failures)
{
	char sub[64] = "";
	id_front_only(front_jpg, front_len, sub, "pending", 0, "back_side_required");
	id_front_only(front_jpg, front_len, sub, "incomplete", 1, "back_side_required");
	id_front_only(front_jpg, front_len, sub, "incomplete", 2, "back_side_required");
	id_front_only(front_jpg, front_len, sub, "rejected", 3, "back_side_required");
	/* a photo of nothing usable (too dark to hold a document) */
	char fresh[64] = "";
	id_front_only(dark_jpg, dark_len, fresh, "incomplete", 1, "image_too_dark");
	/* photos of no document, each sent three times: never a wait */
	size_t selfie_len = 0;
	unsigned char *selfie = sample_photo("sample4.jpg", &selfie_len);
	REQUIRE(selfie != NULL); /* scripts/fetch-models */
	const struct {
		const unsigned char *jpg;
		size_t len;
	} none[] = {{blank_jpg, blank_len}, {selfie, selfie_len}};
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
		char s3[64] = "";
		id_front_only(none[i].jpg, none[i].len, s3, "incomplete", 1, "document_not_found");
		id_front_only(none[i].jpg, none[i].len, s3, "incomplete", 2, "document_not_found");
		id_front_only(none[i].jpg, none[i].len, s3, "rejected", 3, "document_not_found");
	}
	free(selfie);
}

/* Universal mode: when nothing is read, document_fields is an array. */
TEST(universal_mode)
{
	struct form_part p[] = {
	    TEXT("issuingCountry", "UTO"),
	    TEXT("email", "universal@example.com"),
	    TEXT("idType", "universal"),
	    FILE_PART("idImage", "id.jpg", "image/jpeg", blank_jpg, blank_len),
	};
	struct e2e_resp r;
	REQUIRE(post_form("/v3/submission/step1", key_a, p, 4, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK(json_is_array(json_object_get(r.json, "document_fields")));
	e2e_resp_free(&r);
}

/* customOptions: a JSON object sent as a string. */
TEST(custom_options)
{
	struct form_part p[] = {
	    TEXT("issuingCountry", passport.id.f.issuing_country),
	    TEXT("email", "options@example.com"),
	    TEXT("idType", "passport"),
	    FILE_PART("idImage", "id.jpg", "image/jpeg", passport_jpg, passport_len),
	    TEXT("customOptions", "{\"ageLimit\":false,\"rejectDuplicateUser\":true}"),
	};
	struct e2e_resp r;
	REQUIRE(post_form("/v3/submission/step1", key_a, p, 5, &r) == 0);
	CHECK_INT(r.status, 200);
	char path[160];
	snprintf(path, sizeof path, "/v1/verifications/%s", e2e_str(&r, "submissionId"));
	e2e_resp_free(&r);
	/* the age check is off for this submission */
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	json_t *checks = json_object_get(r.json, "checks");
	size_t i;
	json_t *ck;
	int seen = 0;
	json_array_foreach(checks, i, ck)
	{
		if (!strcmp(json_string_value(json_object_get(ck, "name")), "minimum_age")) {
			seen = 1;
			CHECK_STR(json_string_value(json_object_get(ck, "result")),
			          "not_applicable");
		}
	}
	CHECK(seen);
	e2e_resp_free(&r);

	p[4].data = "{\"ageLimit\":";
	REQUIRE(post_form("/v3/submission/step1", key_a, p, 5, &r) == 0);
	check_error(&r, 400, "failed to parse the input data");
	e2e_resp_free(&r);
	p[4].data = "{\"ageLimit\":\"no\"}";
	REQUIRE(post_form("/v3/submission/step1", key_a, p, 5, &r) == 0);
	check_error(&r, 400, "invalid customOptions");
	e2e_resp_free(&r);
	p[4].data = "{\"favouriteColour\":false}";
	REQUIRE(post_form("/v3/submission/step1", key_a, p, 5, &r) == 0);
	check_error(&r, 400, "invalid customOptions");
	e2e_resp_free(&r);
}

/* The submission ID is valid for 4 hours. */
TEST(four_hours)
{
	struct form_part p[] = {
	    TEXT("issuingCountry", "UTO"),
	    TEXT("email", "late@example.com"),
	    TEXT("idType", "passport"),
	    FILE_PART("idImage", "id.jpg", "image/jpeg", blank_jpg, blank_len),
	    TEXT("submissionId", ""),
	};
	struct e2e_resp r;
	REQUIRE(post_form("/v3/submission/step1", key_a, p, 4, &r) == 0);
	CHECK_STR(e2e_str(&r, "kycStatus"), "incomplete");
	char sub[64];
	snprintf(sub, sizeof sub, "%s", e2e_str(&r, "submissionId"));
	e2e_resp_free(&r);
	/* move kycd's clock 4 hours and a minute on */
	FILE *f = fopen(clock_path, "w");
	REQUIRE(f != NULL);
	fprintf(f, "%d\n", 4 * 3600 + 60);
	fclose(f);
	p[4].data = sub;
	REQUIRE(post_form("/v3/submission/step1", key_a, p, 5, &r) == 0);
	check_error(&r, 400, "invalid submission id");
	e2e_resp_free(&r);
	f = fopen(clock_path, "w");
	REQUIRE(f != NULL);
	fprintf(f, "0\n");
	fclose(f);
}

TEST(errors)
{
	struct e2e_resp r;
	const struct form_part ok[] = {
	    TEXT("issuingCountry", "UTO"),
	    TEXT("email", "errors@example.com"),
	    TEXT("idType", "passport"),
	    FILE_PART("idImage", "id.jpg", "image/jpeg", blank_jpg, blank_len),
	};
	struct form_part p[5];
	/* each required parameter missing */
	for (int drop = 0; drop < 4; drop++) {
		int n = 0;
		for (int i = 0; i < 4; i++)
			if (i != drop)
				p[n++] = ok[i];
		REQUIRE(post_form("/v3/submission/step1", key_a, p, n, &r) == 0);
		check_error(&r, 400, "missing required parameters");
		e2e_resp_free(&r);
	}
	memcpy(p, ok, sizeof ok);
	p[1].data = "not an email";
	REQUIRE(post_form("/v3/submission/step1", key_a, p, 4, &r) == 0);
	check_error(&r, 400, "invalid email address format");
	e2e_resp_free(&r);
	memcpy(p, ok, sizeof ok);
	p[2].data = "library_card";
	REQUIRE(post_form("/v3/submission/step1", key_a, p, 4, &r) == 0);
	check_error(&r, 400,
	            "invalid id type : id type must be passport, government_id, drivers_license, "
	            "residence_permit, visa, vehicle_registration_certificate, aadhaar, pancard or "
	            "universal");
	e2e_resp_free(&r);
	memcpy(p, ok, sizeof ok);
	p[0].data = "QQ";
	REQUIRE(post_form("/v3/submission/step1", key_a, p, 4, &r) == 0);
	check_error(&r, 400,
	            "invalid issuing country : issuingCountry must be an ISO 3166-1 alpha-2 or "
	            "alpha-3 code");
	e2e_resp_free(&r);
	/* not jpg/jpeg/png, whatever it is called */
	memcpy(p, ok, sizeof ok);
	p[3].data = "GIF89a not really";
	p[3].len = 17;
	p[3].filename = "id.png";
	REQUIRE(post_form("/v3/submission/step1", key_a, p, 4, &r) == 0);
	check_error(&r, 400, "invalid id image");
	e2e_resp_free(&r);
	/* over the 2 MB limit */
	size_t big = 2 * 1024 * 1024 + 10;
	unsigned char *huge = calloc(1, big);
	memcpy(p, ok, sizeof ok);
	p[3].data = huge;
	p[3].len = big;
	REQUIRE(post_form("/v3/submission/step1", key_a, p, 4, &r) == 0);
	CHECK_INT(r.status, 413);
	e2e_resp_free(&r);
	free(huge);
	/* submission ids this tenant does not have */
	memcpy(p, ok, sizeof ok);
	p[4] = (struct form_part)TEXT("submissionId", "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9");
	REQUIRE(post_form("/v3/submission/step1", key_a, p, 5, &r) == 0);
	check_error(&r, 400, "invalid submission id");
	e2e_resp_free(&r);
	/* another tenant's submission is not ours */
	REQUIRE(post_form("/v3/submission/step1", key_a, ok, 4, &r) == 0);
	char sub[64];
	snprintf(sub, sizeof sub, "%s", e2e_str(&r, "submissionId"));
	e2e_resp_free(&r);
	p[4] = (struct form_part)TEXT("submissionId", sub);
	REQUIRE(post_form("/v3/submission/step1", key_b, p, 5, &r) == 0);
	check_error(&r, 400, "invalid submission id");
	e2e_resp_free(&r);
	/* not form-data */
	REQUIRE(e2e_json(&srv, "POST", "/v3/submission/step1", key_a, "{\"email\":\"x@y.z\"}",
	                 &r) == 0);
	check_error(&r, 400, "failed to parse the input data");
	e2e_resp_free(&r);
	/* no key, a bad key: the document says nothing of keys, so 401 as HTTP
	 * has it, in the set's envelope */
	size_t len;
	char *body = form_build(ok, 4, &len);
	const char *hdr[] = {FORM_CONTENT_TYPE, NULL};
	REQUIRE(e2e_req(&srv, "POST", "/v3/submission/step1", hdr, body, len, &r) == 0);
	check_error(&r, 401, "a valid x-api-key is required");
	e2e_resp_free(&r);
	const char *bad[] = {FORM_CONTENT_TYPE, "x-api-key: kyc_000000000000_00", NULL};
	REQUIRE(e2e_req(&srv, "POST", "/v3/submission/step1", bad, body, len, &r) == 0);
	check_error(&r, 401, "a valid x-api-key is required");
	e2e_resp_free(&r);
	free(body);
	/* step 2 without its parts */
	struct form_part s2[] = {TEXT("submissionId", sub)};
	REQUIRE(post_form("/v3/submission/step2", key_a, s2, 1, &r) == 0);
	check_error(&r, 400, "invalid face image");
	e2e_resp_free(&r);
	struct form_part s2b[] = {
	    FILE_PART("faceImage", "f.jpg", "image/jpeg", blank_jpg, blank_len)};
	REQUIRE(post_form("/v3/submission/step2", key_a, s2b, 1, &r) == 0);
	check_error(&r, 400, "missing required parameters");
	e2e_resp_free(&r);
}

/* An all but black 800x600 photo (JPEG). */
static unsigned char *dark_photo(size_t *len)
{
	struct kyc_synth_image img = {800, 600, calloc(800 * 600, 3)};
	unsigned char *out = NULL;
	if (img.px) {
		memset(img.px, 8, 800 * 600 * 3);
		kyc_synth_jpeg(&img, 85, &out, len);
	}
	free(img.px);
	return out;
}

int main(void)
{
	int ok = kyc_synth_make(1001, specimen_valid_index(1001, KYC_SYNTH_TD3, 1, 0), 0,
	                        KYC_SYNTH_TD3, &passport, &passport_jpg, &passport_len) == 0 &&
	         kyc_synth_make(1001, specimen_valid_index(1001, KYC_SYNTH_TD1, 1, 0), 0,
	                        KYC_SYNTH_TD1, &card, &card_jpg, &card_len) == 0 &&
	         kyc_synth_make(1003, specimen_valid_index(1003, KYC_SYNTH_TD3, 1, 1), 0,
	                        KYC_SYNTH_TD3, &passport3, &passport3_jpg, &passport3_len) == 0 &&
	         specimen_card_front(1001, specimen_valid_index(1001, KYC_SYNTH_TD1, 2, 1),
	                             KYC_SYNTH_TD1, &front_jpg, &front_len) == 0 &&
	         (dark_jpg = dark_photo(&dark_len)) != NULL &&
	         (blank_jpg = timg_jpeg(800, 600, 85, &blank_len)) != NULL;
	char env_clock[256];
	if (!ok || e2e_data_dir(&srv)) {
		printf("[compat001] 0 passed, 1 failed\n");
		return 1;
	}
	snprintf(clock_path, sizeof clock_path, "%s.clock", srv.data_dir);
	FILE *f = fopen(clock_path, "w");
	if (f) {
		fputs("0\n", f);
		fclose(f);
	}
	snprintf(env_clock, sizeof env_clock, "KYCD_CLOCK_FILE=%s", clock_path);
	const char *env[] = {env_clock, NULL};
	if (e2e_tenant(&srv, "c001-a", key_a, NULL) || e2e_tenant(&srv, "c001-b", key_b, NULL) ||
	    e2e_start(&srv, env)) {
		e2e_cleanup(&srv);
		printf("[compat001] 0 passed, 1 failed\n");
		return 1;
	}
	RUN(step1_sample_and_step2);
	RUN(front_and_back);
	RUN(country_formats);
	RUN(retries_to_rejection);
	RUN(same_user_after_rejection);
	RUN(id_card_failures);
	RUN(universal_mode);
	RUN(custom_options);
	RUN(four_hours);
	RUN(errors);
	e2e_cleanup(&srv);
	unlink(clock_path);
	free(passport_jpg);
	free(passport3_jpg);
	free(front_jpg);
	free(dark_jpg);
	free(card_jpg);
	free(blank_jpg);
	return test_done("compat001");
}
