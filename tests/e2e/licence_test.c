/* Driving licences through the real kycd (docs/dl.md): a generated licence's
 * back uploaded to the native API gets the barcode's fields (`source:
 * "barcode"`) exactly as the card was made; its front gets its printed
 * fields and the QR code's text; seed 001's step 1 with idType
 * drivers_license answers the barcode's data; a back without a
 * barcode is stored unreadable, not half-read. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "document/card_dl_aamva.h"
#include "document/image.h"
#include "document/synth_dl.h"
#include "e2e.h"
#include "form.h"
#include "test.h"

#define SEED 1313

static struct e2e_server srv;
static char key[128];

/* One side of card index as a JPEG (malloc'ed). */
static unsigned char *side_jpeg(int index, const struct kyc_dl_card *c, enum kyc_card_side side,
				size_t *len)
{
	struct kyc_synth_image im;
	struct kyc_synth_card_shot shot;
	unsigned char *jpg = NULL;
	if (kyc_synth_dl_render(SEED, index, 0, side, c, &shot, &im))
		return NULL;
	if (kyc_synth_jpeg(&im, shot.quality, &jpg, len))
		jpg = NULL;
	kyc_synth_image_release(&im);
	return jpg;
}

static char *new_verification(void)
{
	struct e2e_resp r;
	char body[256];
	if (e2e_json(&srv, "POST", "/v1/applicants", key, "{\"first_name\":\"Lic\"}", &r) ||
	    r.status != 201)
		return NULL;
	snprintf(body, sizeof body,
		 "{\"applicant_id\":\"%s\",\"document_types\":[\"drivers_license\"]}",
		 e2e_str(&r, "id"));
	e2e_resp_free(&r);
	if (e2e_json(&srv, "POST", "/v1/verifications", key, body, &r) || r.status != 201) {
		fprintf(stderr, "  verification: %ld %s\n", r.status, r.body);
		e2e_resp_free(&r);
		return NULL;
	}
	char *id = strdup(e2e_str(&r, "id"));
	e2e_resp_free(&r);
	return id;
}

static int upload(const char *ver, const char *side, const unsigned char *jpg, size_t len,
		  struct e2e_resp *r)
{
	struct form_part p[] = {
	    {"type", NULL, NULL, "drivers_license", 0},
	    {"side", NULL, NULL, side, 0},
	    {"image", "licence.jpg", "image/jpeg", jpg, len},
	};
	size_t blen;
	char *body = form_build(p, 3, &blen);
	char path[128], auth[200];
	snprintf(path, sizeof path, "/v1/verifications/%s/documents", ver);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
	const char *h[] = {auth, FORM_CONTENT_TYPE, NULL};
	int rc = e2e_req(&srv, "POST", path, h, body, blen, r);
	free(body);
	return rc;
}

static const json_t *field(const struct e2e_resp *r, const char *name)
{
	return json_object_get(
	    json_object_get(json_object_get(r->json, "extraction"), "fields"), name);
}

static const char *value(const struct e2e_resp *r, const char *name)
{
	return json_string_value(json_object_get(field(r, name), "value"));
}

/* Uploads the JPEG jpg as `declared` to a new verification. 0 when a
 * response came back. */
static int upload_jpeg_new(const unsigned char *jpg, size_t len, const char *declared,
			   struct e2e_resp *r)
{
	char *ver = new_verification();
	int rc = jpg && ver ? upload(ver, declared, jpg, len, r) : -1;
	free(ver);
	if (!rc && r->status != 201)
		fprintf(stderr, "  got %ld %s\n", r->status, r->body);
	return rc;
}

/* The reader's reason for a picture (decoded as an upload is), or NULL
 * when the barcode decodes; *module_px its barcode_module_px. */
static const char *reason_in_process(const unsigned char *jpg, size_t len, double *module_px)
{
	static char why[64];
	struct kyc_image_opts io = {.target_side = 1000};
	struct kyc_image img;
	int err = 0;
	if (kyc_image_decode(jpg, len, &io, &img, NULL))
		return "undecodable";
	json_t *x = kyc_dl_read(NULL, &img, &err);
	kyc_image_free(&img);
	const char *r = json_string_value(json_object_get(x, "reason"));
	snprintf(why, sizeof why, "%s", r ? r : "");
	*module_px = json_number_value(json_object_get(x, "barcode_module_px"));
	json_decref(x);
	return why[0] ? why : NULL;
}

/* Photographs the picture side of card index and uploads it as `declared`
 * to a new verification (a licence's attempt ends with its first picture).
 * 0 when a response came back. */
static int upload_new(int index, const struct kyc_dl_card *c, enum kyc_card_side picture,
		      const char *declared, struct e2e_resp *r)
{
	size_t len = 0;
	unsigned char *jpg = side_jpeg(index, c, picture, &len);
	int rc = upload_jpeg_new(jpg, len, declared, r);
	free(jpg);
	return rc;
}

TEST(back_through_the_api)
{
	struct kyc_dl_card c;
	kyc_synth_dl_card(SEED, 1, &c);
	struct e2e_resp r;
	REQUIRE(upload_new(1, &c, KYC_CARD_BACK, "back", &r) == 0);
	CHECK_INT(r.status, 201);
	CHECK_STR(e2e_str(&r, "status"), "processed");
	const json_t *x = json_object_get(r.json, "extraction");
	CHECK(json_is_true(json_object_get(x, "barcode_found")));
	CHECK_STR(value(&r, "document_number"), c.document_number);
	CHECK_STR(value(&r, "surname"), c.surname);
	CHECK_STR(value(&r, "birth_date"), c.birth_date);
	CHECK_STR(value(&r, "expiry_date"), c.expiry_date);
	CHECK_STR(value(&r, "issue_date"), c.issue_date);
	CHECK_STR(value(&r, "sex"), c.sex);
	CHECK_STR(value(&r, "address_state"), c.jurisdiction);
	CHECK_STR(value(&r, "issuing_country"), c.country);
	CHECK_STR(json_string_value(json_object_get(field(&r, "birth_date"), "source")), "barcode");
	CHECK(json_is_true(json_object_get(field(&r, "birth_date"), "accepted")));
	e2e_resp_free(&r);
}

TEST(front_and_qr)
{
	/* the first card whose back carries a QR code */
	struct kyc_dl_card c;
	int i = 1;
	for (kyc_synth_dl_card(SEED, i, &c); !c.qr[0] && i < 50; kyc_synth_dl_card(SEED, ++i, &c))
		;
	REQUIRE(c.qr[0]);
	struct e2e_resp r;
	REQUIRE(upload_new(i, &c, KYC_CARD_FRONT, "front", &r) == 0);
	CHECK_INT(r.status, 201);
	const json_t *lic = json_object_get(json_object_get(r.json, "extraction"), "licence");
	const json_t *ff = json_object_get(json_object_get(lic, "front"), "fields");
	CHECK(json_is_true(json_object_get(json_object_get(lic, "front"), "found")));
	/* what the front accepts is what is printed */
	const char *bd = json_string_value(json_object_get(json_object_get(ff, "birth_date"), "value"));
	if (json_is_true(json_object_get(json_object_get(ff, "birth_date"), "accepted")))
		CHECK_STR(bd, c.birth_date);
	CHECK_STR(json_string_value(json_object_get(json_object_get(ff, "birth_date"), "source")),
		  "viz");
	e2e_resp_free(&r);
	REQUIRE(upload_new(i, &c, KYC_CARD_BACK, "back", &r) == 0);
	CHECK_INT(r.status, 201);
	lic = json_object_get(json_object_get(r.json, "extraction"), "licence");
	CHECK_STR(json_string_value(json_array_get(json_object_get(lic, "qr"), 0)), c.qr);
	/* and as a field of the document, never fetched */
	CHECK_STR(value(&r, "qr_code"), c.qr);
	CHECK_STR(json_string_value(json_object_get(field(&r, "qr_code"), "source")), "barcode");
	e2e_resp_free(&r);
}

/* A back without a barcode: stored, unreadable, with the reason. */
TEST(back_without_barcode)
{
	struct kyc_dl_card c;
	kyc_synth_dl_card(SEED, 2, &c);
	/* a photo of a licence front has no PDF417 at all */
	struct e2e_resp r;
	REQUIRE(upload_new(2, &c, KYC_CARD_FRONT, "back", &r) == 0);
	CHECK_INT(r.status, 201);
	CHECK_STR(e2e_str(&r, "status"), "unreadable");
	const json_t *lic = json_object_get(json_object_get(r.json, "extraction"), "licence");
	CHECK_STR(json_string_value(json_object_get(lic, "reason")), "no_barcode_found");
	CHECK(!json_is_true(json_object_get(json_object_get(r.json, "extraction"), "barcode_found")));
	e2e_resp_free(&r);
}

/* A back photographed from too far (level 2) whose PDF417 does not decode:
 * the attempt fails with retry_code barcode_too_small, and the module the
 * reader saw is the one the card was photographed with. The card is the
 * first of level 2 that the reader, in this process, does not decode. */
TEST(back_too_small_asks_for_a_closer_photo)
{
	struct kyc_dl_card c;
	unsigned char *jpg = NULL;
	size_t len = 0;
	double truth_px = 0;
	for (int i = 1; i <= 60 && !jpg; i++) {
		struct kyc_synth_image im;
		struct kyc_synth_card_shot shot;
		kyc_synth_dl_card(SEED, i, &c);
		if (kyc_synth_dl_render(SEED, i, 2, KYC_CARD_BACK, &c, &shot, &im))
			break;
		int rc = kyc_synth_jpeg(&im, shot.quality, &jpg, &len);
		kyc_synth_image_release(&im);
		double mod = 0;
		const char *why = rc ? NULL : reason_in_process(jpg, len, &mod);
		if (!why || strcmp(why, "barcode_too_small")) {
			free(jpg);
			jpg = NULL;
		} else {
			/* the module as the generator drew it, times the card's
			 * scale in the photo */
			double top = hypot(shot.quad[1][0] - shot.quad[0][0], shot.quad[1][1] - shot.quad[0][1]);
			truth_px = kyc_synth_dl_module_mm(&c) * top / kyc_card_tpl_dl_aamva.w_mm;
		}
	}
	REQUIRE(jpg && truth_px > 0);
	struct e2e_resp r;
	REQUIRE(upload_jpeg_new(jpg, len, "back", &r) == 0);
	CHECK_INT(r.status, 201);
	const json_t *x = json_object_get(r.json, "extraction");
	CHECK_STR(json_string_value(json_object_get(x, "reason")), "barcode_too_small");
	double seen = json_number_value(json_object_get(x, "barcode_module_px"));
	printf("  module seen %.2f px, drawn %.2f px\n", seen, truth_px);
	CHECK(seen > 0.75 * truth_px && seen < 1.25 * truth_px && seen < KYC_DL_MIN_MODULE_PX);
	const json_t *v = json_object_get(r.json, "verification");
	const json_t *retry = json_object_get(v, "retry");
	CHECK_STR(json_string_value(json_object_get(retry, "code")), "barcode_too_small");
	const char *msg = json_string_value(json_object_get(retry, "message"));
	CHECK(msg && strstr(msg, "too small"));
	CHECK_INT(json_integer_value(json_object_get(v, "failed_attempts")), 1);
	e2e_resp_free(&r);
	free(jpg);
}

/* A licence's back in a large photo, as a 12 Mpx phone photo taken from
 * afar: a level-2 back whose barcode decodes at its own size, enlarged
 * twice and set in the middle of a canvas twice as wide and tall (4x its
 * width). The server decodes that JPEG at a quarter of its size for the MRZ
 * reader, where the module is half what it was and the barcode does not
 * decode (checked here, in process); it decodes the photo again larger and
 * reads the barcode. */
TEST(large_photo_read_again_larger)
{
	struct kyc_dl_card c;
	unsigned char *jpg = NULL;
	size_t len = 0;
	for (int i = 1; i <= 60 && !jpg; i++) {
		struct kyc_synth_image im, big = {0};
		struct kyc_synth_card_shot shot;
		kyc_synth_dl_card(SEED, i, &c);
		if (kyc_synth_dl_render(SEED, i, 2, KYC_CARD_BACK, &c, &shot, &im))
			break;
		double mod = 0;
		unsigned char *own = NULL;
		size_t own_len = 0;
		int own_reads = !kyc_synth_jpeg(&im, shot.quality, &own, &own_len) &&
				!reason_in_process(own, own_len, &mod);
		free(own);
		big.w = 4 * im.w, big.h = 4 * im.h;
		big.px = own_reads ? malloc((size_t)big.w * (size_t)big.h * 3) : NULL;
		if (big.px) {
			memset(big.px, 150, (size_t)big.w * (size_t)big.h * 3);
			for (int y = 0; y < 2 * im.h; y++)
				for (int x = 0; x < 2 * im.w; x++)
					memcpy(big.px + ((size_t)(y + im.h) * (size_t)big.w + (size_t)(x + im.w)) * 3,
					       im.px + ((size_t)(y / 2) * (size_t)im.w + (size_t)(x / 2)) * 3, 3);
			const char *why = NULL;
			if (!kyc_synth_jpeg(&big, shot.quality, &jpg, &len))
				why = reason_in_process(jpg, len, &mod);
			if (!why || strcmp(why, "barcode_too_small")) {
				free(jpg);
				jpg = NULL;
			}
		}
		kyc_synth_image_release(&big);
		kyc_synth_image_release(&im);
	}
	REQUIRE(jpg);
	struct e2e_resp r;
	REQUIRE(upload_jpeg_new(jpg, len, "back", &r) == 0);
	CHECK_INT(r.status, 201);
	const json_t *x = json_object_get(r.json, "extraction");
	CHECK(json_is_true(json_object_get(x, "barcode_found")));
	CHECK_STR(value(&r, "document_number"), c.document_number);
	json_int_t d = json_integer_value(json_object_get(x, "decoded_scale"));
	CHECK(d >= 1 && d < 4);
	printf("  read again at 1/%lld scale\n", (long long)d);
	e2e_resp_free(&r);
	free(jpg);
}

/* Seed 001's step 1 with the form parts p; 0 when a response came back. */
static int step1(const struct form_part *p, int n, struct e2e_resp *r)
{
	size_t len;
	char *body = form_build(p, n, &len);
	char h[200];
	snprintf(h, sizeof h, "x-api-key: %s", key);
	const char *hdr[] = {h, FORM_CONTENT_TYPE, NULL};
	int rc = e2e_req(&srv, "POST", "/v3/submission/step1", hdr, body, len, r);
	free(body);
	if (!rc && r->status != 200)
		fprintf(stderr, "  got %ld %s\n", r->status, r->body);
	return rc;
}

/* Seed 001's step 1 with a licence: the back's barcode answers reviewOCRData. */
TEST(seed001_step1)
{
	struct kyc_dl_card c;
	kyc_synth_dl_card(SEED, 3, &c);
	size_t flen = 0, blen = 0;
	unsigned char *front = side_jpeg(3, &c, KYC_CARD_FRONT, &flen);
	unsigned char *back = side_jpeg(3, &c, KYC_CARD_BACK, &blen);
	REQUIRE(front && back);
	struct form_part p[] = {
	    {"issuingCountry", NULL, NULL, c.country, 0},
	    {"email", NULL, NULL, "licence@example.com", 0},
	    {"idType", NULL, NULL, "drivers_license", 0},
	    {"idImage", "front.jpg", "image/jpeg", front, flen},
	    {"idBackImage", "back.jpg", "image/jpeg", back, blen},
	};
	struct e2e_resp r;
	REQUIRE(step1(p, 5, &r) == 0);
	CHECK_INT(r.status, 200);
	const json_t *o = json_object_get(r.json, "reviewOCRData");
	CHECK_STR(json_string_value(json_object_get(o, "ocr_birthDate")), c.birth_date);
	CHECK(json_is_true(json_object_get(o, "accepted_ocr_birthDate")));
	CHECK_STR(json_string_value(json_object_get(o, "ocr_issueDate")), c.issue_date);
	CHECK_STR(json_string_value(json_object_get(o, "ocr_expireDate")), c.expiry_date);
	CHECK_STR(json_string_value(json_object_get(o, "ocr_lastName")), c.surname);
	CHECK(json_is_true(
	    json_object_get(json_object_get(r.json, "document_fields"), "documentNumber")));
	e2e_resp_free(&r);
	free(front);
	free(back);
}

/* Seed 001's step 1 with a Korean licence's front: ocr_licenseNumber is
 * the number printed on it (a generated card). */
TEST(seed001_korean_licence)
{
	struct kyc_krdl_card c;
	kyc_synth_krdl_card(SEED, 1, &c);
	unsigned char *front = NULL;
	size_t flen = 0;
	REQUIRE(kyc_synth_krdl_photo(SEED, 1, 0, &c, &front, &flen) == 0);
	struct form_part p[] = {
	    {"issuingCountry", NULL, NULL, "KOR", 0},
	    {"email", NULL, NULL, "korea@example.com", 0},
	    {"idType", NULL, NULL, "drivers_license", 0},
	    {"idImage", "front.jpg", "image/jpeg", front, flen},
	};
	struct e2e_resp r;
	REQUIRE(step1(p, 4, &r) == 0);
	CHECK_INT(r.status, 200);
	const json_t *o = json_object_get(r.json, "reviewOCRData");
	CHECK_STR(json_string_value(json_object_get(o, "ocr_licenseNumber")), c.number);
	CHECK(json_is_true(json_object_get(o, "accepted_ocr_licenseNumber")));
	e2e_resp_free(&r);
	free(front);
}

/* The first card from index `from` that has not expired and whose holder
 * is an adult today (the workflow's hard checks would reject it otherwise). */
static int valid_card(int from, struct kyc_dl_card *c)
{
	char today[11], adult[11];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(today, sizeof today, "%Y-%m-%d", &tm);
	tm.tm_year -= 19;
	strftime(adult, sizeof adult, "%Y-%m-%d", &tm);
	for (int i = from; i < from + 100; i++) {
		kyc_synth_dl_card(SEED, i, c);
		if (strcmp(c->expiry_date, today) > 0 && strcmp(c->birth_date, adult) < 0)
			return i;
	}
	return -1;
}

static const json_t *named_check(const struct e2e_resp *r, const char *name, const char *source)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(json_object_get(r->json, "verification"), "checks"), i, c)
	{
		const char *src = json_string_value(json_object_get(c, "source"));
		if (!strcmp(json_string_value(json_object_get(c, "name")), name) &&
		    (!source || (src && !strcmp(src, source))))
			return c;
	}
	return NULL;
}

static const char *result_of(const json_t *c)
{
	return c ? json_string_value(json_object_get(c, "result")) : "absent";
}

/* The front waits for the back; the attempt is decided on the barcode's
 * fields with the named checks (expiry, age) and the front against the
 * barcode; a front printed for someone else goes to a person. */
TEST(workflow_checks_the_barcode)
{
	/* each attempt its own back: an approved licence sent again for
	 * another applicant is a duplicate, rejected on its own */
	struct kyc_dl_card c, other;
	int from = 20;
	for (int forged = 0; forged < 2; forged++) {
		int i = valid_card(from, &c);
		REQUIRE(i >= 0);
		int j = valid_card(i + 1, &other);
		REQUIRE(j >= 0);
		REQUIRE(strcmp(c.birth_date, other.birth_date) || strcmp(c.surname, other.surname));
		from = j + 1;
		size_t flen = 0, blen = 0;
		unsigned char *front = forged ? side_jpeg(j, &other, KYC_CARD_FRONT, &flen)
					      : side_jpeg(i, &c, KYC_CARD_FRONT, &flen);
		unsigned char *back = side_jpeg(i, &c, KYC_CARD_BACK, &blen);
		char *ver = new_verification();
		REQUIRE(front && back && ver);
		struct e2e_resp r;
		REQUIRE(upload(ver, "front", front, flen, &r) == 0);
		CHECK_INT(r.status, 201);
		const json_t *v = json_object_get(r.json, "verification");
		CHECK_STR(json_string_value(json_object_get(v, "status")), "awaiting_input");
		CHECK_STR(json_string_value(json_array_get(json_object_get(v, "pending_steps"), 0)),
			  "document_back");
		e2e_resp_free(&r);
		REQUIRE(upload(ver, "back", back, blen, &r) == 0);
		CHECK_INT(r.status, 201);
		const json_t *exp = named_check(&r, "document_expired", NULL);
		CHECK_STR(result_of(exp), "pass");
		CHECK_STR(json_string_value(json_object_get(json_object_get(exp, "details"), "expiry_date")),
			  c.expiry_date);
		CHECK_STR(result_of(named_check(&r, "mrz_integrity", NULL)), "not_applicable");
		const json_t *dc = named_check(&r, "data_consistency", "barcode_front");
		const char *status = json_string_value(
		    json_object_get(json_object_get(r.json, "verification"), "status"));
		printf("  %s front: barcode_front %s (%s), verification %s\n",
		       forged ? "another card's" : "its own", result_of(dc),
		       json_string_value(json_object_get(dc, "reason")), status);
		if (forged) {
			CHECK_STR(result_of(dc), "fail");
			CHECK_STR(status, "pending_review");
		} else {
			CHECK_STR(result_of(dc), "pass");
		}
		e2e_resp_free(&r);
		free(front);
		free(back);
		free(ver);
	}
}

int main(void)
{
	if (e2e_data_dir(&srv) || e2e_tenant(&srv, "licences", key, NULL) || e2e_start(&srv, NULL)) {
		printf("[licence] 0 passed, 1 failed\n");
		return 1;
	}
	RUN(back_through_the_api);
	RUN(front_and_qr);
	RUN(back_without_barcode);
	RUN(back_too_small_asks_for_a_closer_photo);
	RUN(large_photo_read_again_larger);
	RUN(seed001_step1);
	RUN(workflow_checks_the_barcode);
	RUN(seed001_korean_licence);
	e2e_stop(&srv);
	e2e_cleanup(&srv);
	return test_done("licence");
}
