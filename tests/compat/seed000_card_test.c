/* Seed 000 with Egyptian national ID cards (no MRZ: read from the card's
 * face, docs/card.md) against the real kycd: generated cards with known
 * ground truth uploaded front then back as the document's examples do;
 * every customerData field but the face ones comes back, the number's
 * fields exactly as printed, the English names the ICAO transliteration of
 * the Arabic ones read; a card whose printed gender contradicts its number
 * is flagged by the verification's data_consistency check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document/eg_nid.h"
#include "document/synth_card.h"
#include "e2e.h"
#include "form.h"
#include "test.h"

#define SEED 20261202
#define FRONT "/api/v1/onboarding/NationalId/UploadFrontImage"
#define BACK "/api/v1/onboarding/NationalId/UploadBackImage"

static struct e2e_server srv;
static char key[128], tenant[64];

/* POST json to path; customer, when not NULL, named by X-Customer-Id. */
static int call_for(const char *customer, const char *path, const char *json,
		    struct e2e_resp *r)
{
	char auth[200], who[200];
	snprintf(auth, sizeof auth, "Authorization: %s", key);
	snprintf(who, sizeof who, "X-Customer-Id: %s", customer ? customer : "");
	const char *h[] = {auth, "Content-Type: application/json", "Accept-Language: en",
			   customer ? who : NULL, NULL};
	return e2e_req(&srv, "POST", path, h, json, strlen(json), r);
}

static int call(const char *path, const char *json, struct e2e_resp *r)
{
	return call_for(NULL, path, json, r);
}

/* One side of card index as a JPEG upload body for customer. */
static char *side_body(const char *customer, int index, const struct kyc_egnid_card *c,
		       enum kyc_card_side side)
{
	struct kyc_synth_image im;
	struct kyc_synth_card_shot shot;
	unsigned char *jpg = NULL;
	size_t len = 0;
	if (kyc_synth_egnid_render(SEED, index, 0, side, c, &shot, &im) ||
	    kyc_synth_jpeg(&im, shot.quality, &jpg, &len)) {
		kyc_synth_image_release(&im);
		return NULL;
	}
	kyc_synth_image_release(&im);
	char *b64 = form_base64(jpg, len);
	free(jpg);
	size_t n = strlen(b64) + 128;
	char *json = malloc(n);
	snprintf(json, n, "{\"customerId\":\"%s\",\"image\":\"%s\"}", customer, b64);
	free(b64);
	return json;
}

static const char *cd_str(const struct e2e_resp *r, const char *k)
{
	return json_string_value(json_object_get(json_object_get(r->json, "customerData"), k));
}

static void date_of(const char *iso, char out[40])
{
	snprintf(out, 40, "%sT00:00:00.000Z", iso);
}

/* Sends side of card index for customer ref to the route path; *r holds
 * the answer. 0 or -1. */
static int send_side(const char *ref, int index, const struct kyc_egnid_card *c,
		     enum kyc_card_side side, const char *path, struct e2e_resp *r)
{
	char *b = side_body(ref, index, c, side);
	int rc = b && !call(path, b, r) ? 0 : -1;
	free(b);
	return rc;
}

/* Sends card index's front then its back for customer ref; *back holds
 * the back's answer. 0 or -1. */
static int send_card(const char *ref, int index, const struct kyc_egnid_card *c,
		     struct e2e_resp *back)
{
	struct e2e_resp r;
	if (send_side(ref, index, c, KYC_CARD_FRONT, FRONT, &r))
		return -1;
	e2e_resp_free(&r);
	return send_side(ref, index, c, KYC_CARD_BACK, BACK, back);
}

TEST(card_fields)
{
	struct kyc_egnid_card c;
	kyc_synth_egnid_card(SEED, 1, &c);
	struct e2e_resp r;
	char *b = side_body("eg-1", 1, &c, KYC_CARD_FRONT);
	REQUIRE(b && call(FRONT, b, &r) == 0);
	free(b);
	if (r.status != 200)
		fprintf(stderr, "  got %ld %s\n", r.status, r.body);
	CHECK_INT(r.status, 200);
	CHECK(json_is_true(json_object_get(r.json, "isSuccess")));
	/* the front alone: its own fields already */
	CHECK_STR(cd_str(&r, "idNumber"), c.national_number);
	e2e_resp_free(&r);

	b = side_body("eg-1", 1, &c, KYC_CARD_BACK);
	REQUIRE(b && call(BACK, b, &r) == 0);
	free(b);
	if (r.status != 200)
		fprintf(stderr, "  got %ld %s\n", r.status, r.body);
	CHECK_INT(r.status, 200);
	CHECK(json_is_true(json_object_get(r.json, "isSuccess")));
	/* every field but the face's */
	static const char *const face[] = {"photo", "detectedAge", "detectedGender"};
	json_t *cd = json_object_get(r.json, "customerData");
	const char *k;
	json_t *v;
	json_object_foreach(cd, k, v)
	{
		int is_face = 0;
		for (size_t i = 0; i < sizeof face / sizeof face[0]; i++)
			is_face |= !strcmp(k, face[i]);
		if (is_face)
			CHECK(json_is_null(v));
		else if (json_is_null(v))
			test_fail(__FILE__, __LINE__, k);
	}
	/* the number and what it encodes, exactly */
	struct kyc_egnid_number d;
	const char *why;
	REQUIRE(kyc_egnid_number_decode(c.national_number, 14, &d, &why) == 0);
	char date[40];
	CHECK_STR(cd_str(&r, "idNumber"), c.national_number);
	CHECK_STR(cd_str(&r, "idNumberBack"), c.national_number_back);
	date_of(d.birth_date, date);
	CHECK_STR(cd_str(&r, "birthdate"), date);
	CHECK_STR(cd_str(&r, "state"), kyc_egnid_governorate_en(d.governorate));
	CHECK_STR(cd_str(&r, "gender"), d.sex == 'M' ? "Male" : "Female");
	CHECK_STR(cd_str(&r, "nationality"), "EGY");
	CHECK_STR(cd_str(&r, "documentNumber"), c.serial);
	date_of(c.expiry_date, date);
	CHECK_STR(cd_str(&r, "expirationDate"), date);
	/* the names: read in Arabic, transliterated by ICAO 9303 */
	CHECK_STR(cd_str(&r, "firstName"), c.first_name);
	CHECK_STR(cd_str(&r, "familyName"), c.rest_name);
	char en[256];
	if (cd_str(&r, "firstName")) {
		kyc_egnid_transliterate(cd_str(&r, "firstName"), en, sizeof en);
		CHECK_STR(cd_str(&r, "firstNameEn"), en);
	}
	CHECK_STR(cd_str(&r, "maritalStatus"), c.marital_status);
	CHECK_STR(cd_str(&r, "religion"), c.religion);
	e2e_resp_free(&r);
}

/* The verification of customer ref: its data_consistency check. */
static const json_t *consistency(struct e2e_resp *r, const char *ref)
{
	struct e2e_resp a;
	char path[200];
	snprintf(path, sizeof path, "/v1/applicants?external_ref=%s", ref);
	if (e2e_json(&srv, "GET", path, key, NULL, &a))
		return NULL;
	const char *aid = json_string_value(
	    json_object_get(json_array_get(json_object_get(a.json, "data"), 0), "id"));
	snprintf(path, sizeof path, "/v1/verifications?applicant_id=%s", aid ? aid : "none");
	e2e_resp_free(&a);
	if (e2e_json(&srv, "GET", path, key, NULL, r))
		return NULL;
	json_t *checks = json_object_get(json_array_get(json_object_get(r->json, "data"), 0), "checks");
	size_t i;
	json_t *ck;
	json_array_foreach(checks, i, ck)
	{
		if (!strcmp(json_string_value(json_object_get(ck, "name")), "data_consistency"))
			return ck;
	}
	return NULL;
}

/* ApproveFrontImage on a card read from its face: the applicant's English
 * names are kept as the confirmed ones, beside the transliteration read
 * from the card (the original reading). */
TEST(approve_front_corrects_english_names)
{
	struct kyc_egnid_card c;
	kyc_synth_egnid_card(SEED, 4, &c);
	struct e2e_resp r;
	REQUIRE(send_card("eg-4", 4, &c, &r) == 0);
	char first_en[256] = "", family_en[256] = "";
	if (cd_str(&r, "firstNameEn"))
		snprintf(first_en, sizeof first_en, "%s", cd_str(&r, "firstNameEn"));
	if (cd_str(&r, "familyNameEn"))
		snprintf(family_en, sizeof family_en, "%s", cd_str(&r, "familyNameEn"));
	e2e_resp_free(&r);
	REQUIRE(first_en[0] && family_en[0]);
	REQUIRE(call_for("eg-4", "/api/v1/onboarding/NationalId/ApproveFrontImage",
		     "{\"fullNameEn\":\"Mona Adel Hassan\",\"firstNameEn\":\"Mona\","
		     "\"familyNameEn\":\"Hassan\"}",
		     &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(r.body, "true");
	e2e_resp_free(&r);
	REQUIRE(consistency(&r, "eg-4") != NULL);
	const json_t *corr =
	    json_object_get(json_array_get(json_object_get(r.json, "data"), 0), "corrections");
	CHECK_STR(json_string_value(json_object_get(corr, "first_name")), "Mona");
	CHECK_STR(json_string_value(json_object_get(corr, "last_name")), "Hassan");
	const json_t *orig = json_object_get(corr, "original");
	CHECK_STR(json_string_value(json_object_get(orig, "given_names")), first_en);
	CHECK_STR(json_string_value(json_object_get(orig, "surname")), family_en);
	e2e_resp_free(&r);
}

TEST(contradiction_flagged)
{
	struct kyc_egnid_card c;
	kyc_synth_egnid_card(SEED, 2, &c);
	/* the printed gender is the other one */
	snprintf(c.gender, sizeof c.gender, "%s", strcmp(c.gender, "ذكر") ? "ذكر" : "أنثى");
	struct e2e_resp r;
	REQUIRE(send_card("eg-2", 2, &c, &r) == 0);
	e2e_resp_free(&r);
	const json_t *ck = consistency(&r, "eg-2");
	REQUIRE(ck != NULL);
	CHECK_STR(json_string_value(json_object_get(ck, "result")), "fail");
	CHECK_STR(json_string_value(json_object_get(ck, "reason")), "sex_mismatch");
	e2e_resp_free(&r);

	/* the same card as printed: consistent */
	kyc_synth_egnid_card(SEED, 2, &c);
	REQUIRE(send_card("eg-3", 2, &c, &r) == 0);
	e2e_resp_free(&r);
	ck = consistency(&r, "eg-3");
	REQUIRE(ck != NULL);
	CHECK_STR(json_string_value(json_object_get(ck, "result")), "pass");
	e2e_resp_free(&r);
}

/* The back sent as the front and the front as the back: each picture is
 * read as what it shows, the card's fields come back in their places, and
 * the verification's data_consistency check reports the swap. */
TEST(sides_swapped_are_read_as_shown)
{
	struct kyc_egnid_card c;
	kyc_synth_egnid_card(SEED, 5, &c);
	struct e2e_resp r;
	REQUIRE(send_side("eg-5", 5, &c, KYC_CARD_BACK, FRONT, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	REQUIRE(send_side("eg-5", 5, &c, KYC_CARD_FRONT, BACK, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(cd_str(&r, "idNumber"), c.national_number);
	CHECK_STR(cd_str(&r, "idNumberBack"), c.national_number);
	CHECK_STR(cd_str(&r, "religion"), c.religion);
	CHECK_STR(cd_str(&r, "firstName"), c.first_name);
	e2e_resp_free(&r);
	const json_t *ck = consistency(&r, "eg-5");
	REQUIRE(ck != NULL);
	CHECK_STR(json_string_value(json_object_get(ck, "result")), "pass");
	CHECK(json_is_true(json_object_get(json_object_get(ck, "details"), "side_mismatch")));
	e2e_resp_free(&r);

	/* the same card sent the right way round: no mismatch reported */
	REQUIRE(send_card("eg-6", 5, &c, &r) == 0);
	e2e_resp_free(&r);
	ck = consistency(&r, "eg-6");
	REQUIRE(ck != NULL);
	CHECK_STR(json_string_value(json_object_get(ck, "result")), "pass");
	CHECK(json_object_get(json_object_get(ck, "details"), "side_mismatch") == NULL);
	e2e_resp_free(&r);
}

/* A back of another card sent after a front: the back is read with the
 * number the stored front accepted (workflow_submit.c, other_side_number),
 * so its own extraction already says number_front_back, and the
 * verification's data_consistency fails on it. */
TEST(back_of_another_card)
{
	struct kyc_egnid_card a, b;
	kyc_synth_egnid_card(SEED, 2, &a);
	kyc_synth_egnid_card(SEED, 8, &b);
	REQUIRE(strcmp(a.national_number, b.national_number) != 0);
	struct e2e_resp r;
	REQUIRE(send_side("eg-9", 2, &a, KYC_CARD_FRONT, FRONT, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	REQUIRE(send_side("eg-9", 8, &b, KYC_CARD_BACK, BACK, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	const json_t *ck = consistency(&r, "eg-9");
	REQUIRE(ck != NULL);
	CHECK_STR(json_string_value(json_object_get(ck, "result")), "fail");
	CHECK_STR(json_string_value(json_object_get(ck, "reason")), "number_front_back");
	char path[200];
	snprintf(path, sizeof path, "/v1/verifications/%s",
		 json_string_value(json_object_get(json_array_get(json_object_get(r.json, "data"), 0), "id")));
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "GET", path, key, NULL, &r) == 0);
	size_t i;
	json_t *d;
	int backs = 0;
	json_array_foreach(json_object_get(r.json, "documents"), i, d)
	{
		if (strcmp(json_string_value(json_object_get(d, "side")), "back"))
			continue;
		backs++;
		json_t *x = json_object_get(d, "extraction");
		CHECK_STR(json_string_value(json_object_get(json_object_get(json_object_get(
			      json_object_get(x, "card"), "fields"), "national_number_back"), "value")),
			  b.national_number);
		json_t *contra = json_object_get(json_object_get(x, "card"), "contradictions");
		int said = 0;
		for (size_t k = 0; k < json_array_size(contra); k++)
			said |= !strcmp(json_string_value(json_array_get(contra, k)), "number_front_back");
		CHECK(said);
	}
	CHECK_INT(backs, 1);
	e2e_resp_free(&r);
}

int main(void)
{
	if (e2e_data_dir(&srv) || e2e_tenant(&srv, "c000-card", key, tenant) ||
	    e2e_start(&srv, NULL)) {
		e2e_cleanup(&srv);
		printf("[compat000_card] 0 passed, 1 failed\n");
		return 1;
	}
	RUN(card_fields);
	RUN(contradiction_flagged);
	RUN(approve_front_corrects_english_names);
	RUN(sides_swapped_are_read_as_shown);
	RUN(back_of_another_card);
	e2e_cleanup(&srv);
	return test_done("compat000_card");
}
