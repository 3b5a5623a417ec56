/* Seed 000 (national-ID onboarding) against the real kycd: the five routes
 * in the document's order with its example bodies (a bare Authorization
 * key, base64 images of generated cards), every customerData field present
 * and read from the card where the card carries it, English and Arabic
 * messages, the names approval kept as confirmed values with the original
 * reading, and the errors in the document's envelope. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "document/synth.h"
#include "e2e.h"
#include "faces.h"
#include "form.h"
#include "img.h"
#include "specimen.h"
#include "test.h"

static struct e2e_server srv;
static char key_a[128], key_b[128], key_c[128], key_d[128], tenant_a[64];
static unsigned char *card_jpg, *passport_jpg, *passport2_jpg, *blank_jpg, *expired_jpg;
static unsigned char *expired2_jpg;
static size_t expired2_len;
static unsigned char *face_card_jpg;
static size_t face_card_len;
static struct kyc_synth_doc face_card;
static unsigned char *card_p_jpg, *card_q_jpg, *front_jpg, *front_p_jpg, *front_q_jpg;
static size_t front_len, front_p_len, front_q_len;
static size_t card_len, passport_len, passport2_len, blank_len, expired_len, card_p_len, card_q_len;
static struct kyc_synth_doc card, passport, passport2, expired, expired2, card_p, card_q;
/* a passport whose page prints the name in Arabic too */
static struct kyc_synth_doc arabic;
static unsigned char *arabic_jpg;
static size_t arabic_len;

static const char *const customer_fields[] = {
    "customerId",     "idFrontScan",    "idBackScan",       "photo",       "fullName",
    "fullNameEn",     "firstName",      "firstNameEn",      "familyName",  "familyNameEn",
    "address",        "state",          "birthdate",        "idNumber",    "idNumberBack",
    "documentNumber", "documentTypeId", "documentTypeCode", "issueDate",   "profession",
    "maritalStatus",  "religion",       "gender",           "nationality", "detectedAge",
    "detectedGender", "expirationDate",
};

static int call(const char *key, const char *path, const char *lang, const char *extra,
                const char *json, struct e2e_resp *r)
{
	char auth[200], al[64];
	snprintf(auth, sizeof auth, "Authorization: %s", key); /* bare, as the examples send it */
	snprintf(al, sizeof al, "Accept-Language: %s", lang ? lang : "en");
	const char *h[] = {auth, "Content-Type: application/json", "Accept: */*", al, extra, NULL};
	return e2e_req(&srv, "POST", path, h, json, json ? strlen(json) : 0, r);
}

static char *upload_body(const char *customer, const unsigned char *img, size_t len)
{
	char *b64 = form_base64(img, len);
	size_t n = strlen(b64) + 256;
	char *json = malloc(n);
	if (customer)
		snprintf(json, n, "{\"customerId\":\"%s\",\"image\":\"%s\"}", customer, b64);
	else
		snprintf(json, n, "{\"customerId\":null,\"image\":\"%s\"}", b64);
	free(b64);
	return json;
}

static void check_customer_data(const json_t *cd)
{
	REQUIRE(json_is_object(cd));
	CHECK_INT(json_object_size(cd), sizeof customer_fields / sizeof customer_fields[0]);
	for (size_t i = 0; i < sizeof customer_fields / sizeof customer_fields[0]; i++) {
		json_t *v = json_object_get(cd, customer_fields[i]);
		CHECK(v != NULL);
		if (!strcmp(customer_fields[i], "detectedAge"))
			CHECK(json_is_null(v) || json_is_integer(v));
		else
			CHECK(json_is_null(v) || json_is_string(v));
	}
}

static const char *cd_str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(json_object_get(o, "customerData"), k));
}

static void check_error(const struct e2e_resp *r, long status)
{
	if (r->status != status)
		fprintf(stderr, "  got %ld %s\n", r->status, r->body);
	CHECK_INT(r->status, status);
	REQUIRE(json_is_object(r->json));
	CHECK_INT(json_object_size(r->json), 3);
	CHECK(json_is_false(json_object_get(r->json, "isSuccess")));
	CHECK(json_string_length(json_object_get(r->json, "message")) > 0);
	CHECK(json_is_null(json_object_get(r->json, "customerData")));
}

/* The first verification of customer ref on key (the list's item: its
 * checks and corrections), held by *r (free it); NULL when there is none. */
static const json_t *verification_of(const char *key, const char *ref, struct e2e_resp *r)
{
	char path[200];
	memset(r, 0, sizeof *r);
	snprintf(path, sizeof path, "/v1/applicants?external_ref=%s", ref);
	if (e2e_json(&srv, "GET", path, key, NULL, r)) {
		memset(r, 0, sizeof *r);
		return NULL;
	}
	const char *aid = json_string_value(
	    json_object_get(json_array_get(json_object_get(r->json, "data"), 0), "id"));
	snprintf(path, sizeof path, "/v1/verifications?applicant_id=%s", aid ? aid : "none");
	e2e_resp_free(r);
	if (e2e_json(&srv, "GET", path, key, NULL, r)) {
		memset(r, 0, sizeof *r);
		return NULL;
	}
	return json_array_get(json_object_get(r->json, "data"), 0);
}

#define SELECT "/api/v1/onboarding/Request/SelectNationalIdStep/"
#define FRONT "/api/v1/onboarding/NationalId/UploadFrontImage"
#define BACK "/api/v1/onboarding/NationalId/UploadBackImage"
#define APPROVE_FRONT "/api/v1/onboarding/NationalId/ApproveFrontImage"
#define APPROVE_BACK "/api/v1/onboarding/NationalId/ApproveBackImage"

/* 5.1 to 5.5 in order, for an ID card whose MRZ is on the back. */
TEST(national_id_flow)
{
	struct e2e_resp r;
	REQUIRE(call(key_a, SELECT "true", NULL, NULL, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_INT(r.body_len, 0);
	/* "No content": no body, so no content type */
	char ct[64];
	CHECK(!e2e_header(&r, "content-type", ct, sizeof ct));
	e2e_resp_free(&r);

	/* the front: no MRZ on it, so nothing to read yet; the back is asked for */
	char *b = upload_body("cust-1001", front_jpg, front_len);
	REQUIRE(call(key_a, FRONT, NULL, NULL, b, &r) == 0);
	if (r.status != 200)
		fprintf(stderr, "  got %ld %s\n", r.status, r.body);
	CHECK_INT(r.status, 200);
	CHECK(json_is_true(json_object_get(r.json, "isSuccess")));
	CHECK_STR(e2e_str(&r, "message"),
	          "The front image was received; please upload the back of the ID card");
	check_customer_data(json_object_get(r.json, "customerData"));
	CHECK_STR(cd_str(r.json, "customerId"), "cust-1001");
	CHECK(cd_str(r.json, "idFrontScan") != NULL);
	CHECK(cd_str(r.json, "documentNumber") == NULL);
	CHECK(cd_str(r.json, "fullNameEn") == NULL);
	e2e_resp_free(&r);
	free(b);

	/* the back, in Arabic */
	b = upload_body("cust-1001", card_jpg, card_len);
	REQUIRE(call(key_a, BACK, "ar-EG,ar;q=0.9,en;q=0.5", NULL, b, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK(json_is_true(json_object_get(r.json, "isSuccess")));
	CHECK_STR(e2e_str(&r, "message"), "تمت قراءة صورة الوجه الخلفي بنجاح");
	json_t *cd = json_object_get(r.json, "customerData");
	check_customer_data(cd);
	const struct kyc_synth_fields *t = &card.id.f;
	char full[128], date[40];
	snprintf(full, sizeof full, "%s %s", t->given_names, t->surname);
	CHECK_STR(cd_str(r.json, "fullNameEn"), full);
	CHECK_STR(cd_str(r.json, "firstNameEn"), t->given_names);
	CHECK_STR(cd_str(r.json, "familyNameEn"), t->surname);
	snprintf(date, sizeof date, "%sT00:00:00.000Z", t->birth_date);
	CHECK_STR(cd_str(r.json, "birthdate"), date);
	snprintf(date, sizeof date, "%sT00:00:00.000Z", t->expiry_date);
	CHECK_STR(cd_str(r.json, "expirationDate"), date);
	CHECK_STR(cd_str(r.json, "documentNumber"), t->document_number);
	CHECK_STR(cd_str(r.json, "nationality"), t->nationality);
	CHECK_STR(cd_str(r.json, "gender"), t->sex[0] == 'F' ? "Female" : "Male");
	CHECK_STR(cd_str(r.json, "documentTypeId"), "id_card");
	CHECK_STR(cd_str(r.json, "documentTypeCode"), t->document_code);
	CHECK(cd_str(r.json, "idFrontScan") != NULL && cd_str(r.json, "idBackScan") != NULL);
	/* what an MRZ does not carry is null, never invented (the name in
	 * the issuer's script too, where the card prints none) */
	static const char *const nulls[] = {"address",    "state",         "issueDate",
	                                    "profession", "maritalStatus", "religion"};
	for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
		CHECK(json_is_null(json_object_get(cd, nulls[i])));
	if (!card.id.native_name[0])
		CHECK(json_is_null(json_object_get(cd, "fullName")) &&
		      json_is_null(json_object_get(cd, "firstName")) &&
		      json_is_null(json_object_get(cd, "familyName")));
	/* the face fields come from the face engine on the front (a drawn
	 * placeholder portrait here: portrait_photo_age_gender has a real one) */
	const char *photo = cd_str(r.json, "photo");
	CHECK(!photo || !strncmp(photo, "/v1/files/", 10));
	CHECK(json_is_null(json_object_get(cd, "detectedAge")) ==
	      json_is_null(json_object_get(cd, "detectedGender")));
	e2e_resp_free(&r);
	free(b);

	/* 5.4: corrected English names, kept beside the original reading */
	REQUIRE(call(key_a, APPROVE_FRONT, NULL, NULL,
	             "{\"fullNameEn\":\"Mona Adel "
	             "Hassan\",\"firstNameEn\":\"Mona\",\"familyNameEn\":\"Hassan\"}",
	             &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(r.body, "true");
	e2e_resp_free(&r);
	/* once only */
	REQUIRE(call(key_a, APPROVE_FRONT, NULL, NULL, "{\"firstNameEn\":\"Mina\"}", &r) == 0);
	check_error(&r, 400);
	char hv[64];
	CHECK(e2e_header(&r, "kycd-error-code", hv, sizeof hv));
	/* confirmed, the level was complete and the onboarding decided */
	CHECK_STR(hv, "verification_closed");
	e2e_resp_free(&r);
	/* 5.5 */
	REQUIRE(call(key_a, APPROVE_BACK, NULL, NULL, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(r.body, "true");
	e2e_resp_free(&r);

	/* kycd's view: the verification of applicant cust-1001 */
	const json_t *v = verification_of(key_a, "cust-1001", &r);
	REQUIRE(v != NULL);
	char path[200];
	json_t *corr = json_object_get(v, "corrections");
	CHECK_STR(json_string_value(json_object_get(corr, "first_name")), "Mona");
	CHECK_STR(json_string_value(json_object_get(corr, "middle_name")), "Adel");
	CHECK_STR(json_string_value(json_object_get(corr, "last_name")), "Hassan");
	CHECK_STR(json_string_value(json_object_get(json_object_get(corr, "original"), "surname")),
	          t->surname);
	char vid[64];
	snprintf(vid, sizeof vid, "%s", json_string_value(json_object_get(v, "id")));
	e2e_resp_free(&r);
	/* audit-logged, with who did it */
	snprintf(path, sizeof path, "/v1/verifications/%s/history", vid);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	int seen = 0;
	size_t i;
	json_t *h;
	json_array_foreach(json_object_get(r.json, "data"), i, h)
	{
		const char *act = json_string_value(json_object_get(h, "action"));
		const char *who = json_string_value(json_object_get(h, "actor"));
		if (act && !strcmp(act, "correct_names")) {
			seen = 1;
			CHECK(who && !strncmp(who, "compat:000:", 11));
		}
	}
	CHECK(seen);
	e2e_resp_free(&r);
}

/* SelectNationalIdStep/false: a passport, read from its only page. */
TEST(passport_flow)
{
	struct e2e_resp r;
	REQUIRE(call(key_b, SELECT "False", NULL, NULL, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	char *b = upload_body("cust-2002", passport_jpg, passport_len);
	REQUIRE(call(key_b, FRONT, NULL, NULL, b, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(cd_str(r.json, "documentTypeId"), "passport");
	CHECK_STR(cd_str(r.json, "documentNumber"), passport.id.f.document_number);
	CHECK_STR(cd_str(r.json, "familyNameEn"), passport.id.f.surname);
	CHECK(cd_str(r.json, "idBackScan") == NULL);
	e2e_resp_free(&r);
	free(b);
	/* the same customer named by the header instead of by this key */
	REQUIRE(call(key_a, APPROVE_FRONT, NULL, "X-Customer-Id: cust-2002", "{}", &r) == 0);
	/* key_a is another tenant: that customer is not there */
	check_error(&r, 400);
	e2e_resp_free(&r);
	REQUIRE(call(key_c, APPROVE_FRONT, NULL, "X-Customer-Id: cust-2002", "{}", &r) == 0);
	CHECK_INT(r.status, 200); /* key_c shares key_b's tenant: confirmed as read */
	CHECK_STR(r.body, "true");
	e2e_resp_free(&r);
}

/* The first valid index of fmt from seed whose issuer prints the holder's
 * name in Arabic script beside the Latin one; -1 when none is found. */
static int arabic_index(uint64_t seed, enum kyc_synth_format fmt)
{
	for (int from = 1; from < 4000;) {
		int i = specimen_valid_index(seed, fmt, from, 1);
		struct kyc_synth_identity id;
		if (i < from || kyc_synth_identity(seed, (int)i, fmt, &id))
			return -1;
		if (id.native_name[0])
			return i;
		from = i + 1;
	}
	return -1;
}

/* A passport whose page prints the name in Arabic too (an Egyptian one):
 * fullName is that name as printed, firstName its first word and
 * familyName the rest, beside the English names from the MRZ; the document
 * has the field native_name, read from the visual zone. */
TEST(passport_native_name)
{
	REQUIRE(arabic_jpg != NULL);
	struct e2e_resp r;
	REQUIRE(call(key_b, SELECT "false", NULL, NULL, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	char *b = upload_body("cust-3003", arabic_jpg, arabic_len);
	REQUIRE(call(key_b, FRONT, NULL, NULL, b, &r) == 0);
	CHECK_INT(r.status, 200);
	check_customer_data(json_object_get(r.json, "customerData"));
	const char *native = arabic.id.native_name, *sp = strchr(native, ' ');
	REQUIRE(sp != NULL);
	CHECK_STR(cd_str(r.json, "fullName"), native);
	char first[128];
	snprintf(first, sizeof first, "%.*s", (int)(sp - native), native);
	CHECK_STR(cd_str(r.json, "firstName"), first);
	CHECK_STR(cd_str(r.json, "familyName"), sp + 1);
	CHECK_STR(cd_str(r.json, "familyNameEn"), arabic.id.f.surname);
	e2e_resp_free(&r);
	free(b);
	/* the native API's document: the field, read from the visual zone */
	const char *vid = json_string_value(json_object_get(verification_of(key_b, "cust-3003", &r), "id"));
	char path[200];
	snprintf(path, sizeof path, "/v1/verifications/%s", vid ? vid : "none");
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "GET", path, key_b, NULL, &r) == 0);
	const json_t *doc = json_array_get(json_object_get(r.json, "documents"), 0);
	const json_t *nf = json_object_get(
	    json_object_get(json_object_get(doc, "extraction"), "fields"), "native_name");
	CHECK_STR(json_string_value(json_object_get(nf, "value")), native);
	CHECK(json_is_true(json_object_get(nf, "read")));
	CHECK(json_is_true(json_object_get(nf, "accepted")));
	CHECK_STR(json_string_value(json_object_get(nf, "source")), "viz");
	e2e_resp_free(&r);
}

/* customerData's face fields on an ID card (TD2, MRZ on the front) whose
 * portrait is a real photo of a woman (tests/lib/faces.c, person A): the
 * portrait cut from it, and the age and gender estimated on it. */
TEST(portrait_photo_age_gender)
{
	struct e2e_resp r;
	REQUIRE(face_card_jpg != NULL);
	REQUIRE(call(key_b, SELECT "true", NULL, NULL, NULL, &r) == 0);
	e2e_resp_free(&r);
	char *b = upload_body("cust-5005", face_card_jpg, face_card_len);
	REQUIRE(call(key_b, FRONT, NULL, NULL, b, &r) == 0);
	free(b);
	CHECK_INT(r.status, 200);
	check_customer_data(json_object_get(r.json, "customerData"));
	CHECK_STR(cd_str(r.json, "documentNumber"), face_card.id.f.document_number);
	CHECK_STR(cd_str(r.json, "detectedGender"), "Female");
	json_t *age = json_object_get(json_object_get(r.json, "customerData"), "detectedAge");
	CHECK(json_is_integer(age) && json_integer_value(age) >= 16 && json_integer_value(age) <= 70);
	const char *photo = cd_str(r.json, "photo");
	REQUIRE(photo != NULL && !strncmp(photo, "/v1/files/", 10));
	char path[128];
	snprintf(path, sizeof path, "%s", photo);
	e2e_resp_free(&r);
	/* the portrait is a file of this tenant only */
	REQUIRE(e2e_json(&srv, "GET", path, key_b, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK(r.body_len > 8 && !memcmp(r.body, "\x89PNG", 4));
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 404);
	e2e_resp_free(&r);
}

/* An unreadable image: a retake hint, in the caller's language. */
TEST(retake)
{
	struct e2e_resp r;
	char *b = upload_body("cust-3003", blank_jpg, blank_len);
	REQUIRE(call(key_b, SELECT "false", NULL, NULL, NULL, &r) == 0);
	e2e_resp_free(&r);
	REQUIRE(call(key_b, FRONT, "ar", NULL, b, &r) == 0);
	CHECK_INT(r.status, 400);
	CHECK(json_is_false(json_object_get(r.json, "isSuccess")));
	check_customer_data(json_object_get(r.json, "customerData"));
	/* the retry code the workflow chose, and its retake hint in Arabic */
	static const struct {
		const char *code, *ar;
	} hints[] = {
	    {"document_not_found",
	     "لم يتم العثور على وثيقة في الصورة، يرجى تصوير الوثيقة كاملة على سطح مستوٍ"},
	    {"mrz_unreadable", "تعذرت قراءة الوثيقة، يرجى إعادة التصوير في إضاءة جيدة ودون انعكاس"},
	    {"mrz_cut_off", "جزء من الوثيقة مقطوع، يرجى إظهار الوثيقة كاملة في الصورة"},
	    {"image_too_small", "الوثيقة صغيرة جدًا في الصورة، يرجى الاقتراب"},
	    {"image_too_blurry", "الصورة غير واضحة، يرجى الثبات والتأكد من وضوح الوثيقة"},
	    {"image_too_dark", "الصورة مظلمة جدًا، يرجى إعادة التصوير في إضاءة أفضل"},
	};
	char hv[64] = "";
	CHECK(e2e_header(&r, "kycd-error-code", hv, sizeof hv));
	const char *want = NULL;
	for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
		if (!strcmp(hints[i].code, hv))
			want = hints[i].ar;
	CHECK(want != NULL);
	if (want)
		CHECK_STR(e2e_str(&r, "message"), want);
	e2e_resp_free(&r);
	/* customerId null: this key's onboarding */
	free(b);
	b = upload_body(NULL, passport2_jpg, passport2_len);
	REQUIRE(call(key_b, FRONT, "en", NULL, b, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(cd_str(r.json, "customerId"), "cust-3003");
	e2e_resp_free(&r);
	free(b);
}

/* The corrections the native API shows for customer ref's newest
 * onboarding: its confirmed first name, or NULL (into out). */
static void confirmed_first_name(const char *ref, char *out, size_t n)
{
	struct e2e_resp r;
	out[0] = 0;
	const json_t *v = verification_of(key_a, ref, &r);
	const char *f =
	    json_string_value(json_object_get(json_object_get(v, "corrections"), "first_name"));
	snprintf(out, n, "%s", f ? f : "");
	e2e_resp_free(&r);
}

/* Customer ref's confirmed first name is want ("" for none). */
static void check_confirmed(const char *ref, const char *want)
{
	char first[64];
	confirmed_first_name(ref, first, sizeof first);
	CHECK_STR(first, want);
}

/* Sends a card's back for customer (NULL: unnamed) on key_d; it must be
 * read for that customer. */
static void back_read(const char *customer, const char *want_customer,
                      const struct kyc_synth_doc *d, const unsigned char *jpg, size_t len)
{
	struct e2e_resp r;
	char *b = upload_body(customer, jpg, len);
	REQUIRE(call(key_d, BACK, NULL, NULL, b, &r) == 0);
	free(b);
	CHECK_INT(r.status, 200);
	CHECK_STR(cd_str(r.json, "customerId"), want_customer);
	CHECK_STR(cd_str(r.json, "documentNumber"), d->id.f.document_number);
	e2e_resp_free(&r);
}

/* A company backend onboards two customers at once on one key. Nothing is
 * guessed: a call that names no customer while both are in flight is a
 * 409; a customerId (or X-Customer-Id) always wins; once one is finished,
 * the other is meant without naming it. */
TEST(interleaved_customers)
{
	struct e2e_resp r;
	char *b;
	static const char *const who[] = {"cust-P", "cust-Q"};
	for (int i = 0; i < 2; i++) {
		REQUIRE(call(key_d, SELECT "true", NULL, NULL, NULL, &r) == 0);
		CHECK_INT(r.status, 200);
		e2e_resp_free(&r);
		b = upload_body(who[i], i ? front_q_jpg : front_p_jpg, i ? front_q_len : front_p_len);
		REQUIRE(call(key_d, FRONT, NULL, NULL, b, &r) == 0);
		free(b);
		CHECK_INT(r.status, 200);
		CHECK_STR(cd_str(r.json, "customerId"), who[i]);
		e2e_resp_free(&r);
	}
	/* P's back without customerId: whose? */
	b = upload_body(NULL, card_p_jpg, card_p_len);
	REQUIRE(call(key_d, BACK, NULL, NULL, b, &r) == 0);
	free(b);
	check_error(&r, 409);
	CHECK_STR(e2e_str(&r, "message"),
	          "More than one customer is being onboarded with this key; name the customer "
	          "with customerId or the X-Customer-Id header");
	e2e_resp_free(&r);
	/* P's names without naming P: refused, and Q keeps no correction */
	static const char names_p[] = "{\"firstNameEn\":\"Pia\",\"familyNameEn\":\"Park\"}";
	REQUIRE(call(key_d, APPROVE_FRONT, "ar", NULL, names_p, &r) == 0);
	check_error(&r, 409);
	CHECK_STR(e2e_str(&r, "message"), "يتم تسجيل أكثر من عميل باستخدام هذا المفتاح؛ يرجى "
	                                  "تحديد العميل عبر customerId أو الترويسة X-Customer-Id");
	e2e_resp_free(&r);
	REQUIRE(call(key_d, APPROVE_BACK, NULL, NULL, NULL, &r) == 0);
	check_error(&r, 409);
	e2e_resp_free(&r);
	check_confirmed("cust-Q", "");

	/* named, each goes where it belongs */
	back_read("cust-P", "cust-P", &card_p, card_p_jpg, card_p_len);
	REQUIRE(call(key_d, APPROVE_FRONT, NULL, "X-Customer-Id: cust-P", names_p, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	check_confirmed("cust-P", "Pia");
	check_confirmed("cust-Q", "");
	REQUIRE(call(key_d, APPROVE_BACK, NULL, "X-Customer-Id: cust-P", NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);

	/* P is finished: Q is the one customer in flight, so unnamed calls mean Q */
	back_read(NULL, "cust-Q", &card_q, card_q_jpg, card_q_len);
	REQUIRE(call(key_d, APPROVE_FRONT, NULL, NULL,
	             "{\"firstNameEn\":\"Quinn\",\"familyNameEn\":\"Quist\"}", &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	check_confirmed("cust-Q", "Quinn");
	check_confirmed("cust-P", "Pia");
}

/* A rejection says why, in the caller's language: an expired passport, and
 * an ID card another customer was approved with. */
TEST(rejection_reasons)
{
	struct e2e_resp r;
	char hv[64] = "";
	REQUIRE(call(key_b, SELECT "false", NULL, NULL, NULL, &r) == 0);
	e2e_resp_free(&r);
	char *b = upload_body("cust-4004", expired_jpg, expired_len);
	REQUIRE(call(key_b, FRONT, NULL, NULL, b, &r) == 0);
	free(b);
	CHECK_INT(r.status, 400);
	CHECK(json_is_false(json_object_get(r.json, "isSuccess")));
	CHECK_STR(e2e_str(&r, "message"),
	          "The identity verification was rejected: the document has expired");
	CHECK(e2e_header(&r, "kycd-error-code", hv, sizeof hv));
	CHECK_STR(hv, "document_expired");
	CHECK_STR(cd_str(r.json, "expirationDate") ? cd_str(r.json, "documentNumber") : "",
	          expired.id.f.document_number);
	e2e_resp_free(&r);

	/* cust-1001 was approved with this card (national_id_flow) */
	b = upload_body("cust-1009", card_jpg, card_len);
	REQUIRE(call(key_a, BACK, "ar", NULL, b, &r) == 0);
	free(b);
	CHECK_INT(r.status, 400);
	CHECK_STR(e2e_str(&r, "message"),
	          "تم رفض التحقق من الهوية: هذه الوثيقة مستخدمة بالفعل من قبل عميل آخر");
	CHECK(e2e_header(&r, "kycd-error-code", hv, sizeof hv));
	CHECK_STR(hv, "duplicate_document");
	e2e_resp_free(&r);

	/* each reason in the other language too */
	REQUIRE(call(key_b, SELECT "false", NULL, NULL, NULL, &r) == 0);
	e2e_resp_free(&r);
	b = upload_body("cust-4005", expired2_jpg, expired2_len);
	REQUIRE(call(key_b, FRONT, "ar", NULL, b, &r) == 0);
	free(b);
	CHECK_INT(r.status, 400);
	CHECK_STR(e2e_str(&r, "message"), "تم رفض التحقق من الهوية: الوثيقة منتهية الصلاحية");
	e2e_resp_free(&r);
	b = upload_body("cust-1010", card_jpg, card_len);
	REQUIRE(call(key_a, BACK, "en", NULL, b, &r) == 0);
	free(b);
	CHECK_INT(r.status, 400);
	CHECK_STR(e2e_str(&r, "message"), "The identity verification was rejected: this document is "
	                                  "already used by another customer");
	e2e_resp_free(&r);
}

/* A passport sent where an ID card was chosen is read as what it is. */
TEST(passport_for_id_card)
{
	struct e2e_resp r;
	REQUIRE(call(key_a, SELECT "true", NULL, "X-Customer-Id: cust-1011", NULL, &r) == 0);
	e2e_resp_free(&r);
	char *b = upload_body("cust-1011", passport2_jpg, passport2_len);
	REQUIRE(call(key_a, FRONT, NULL, NULL, b, &r) == 0);
	free(b);
	CHECK_STR(cd_str(r.json, "documentTypeId"), "passport");
	CHECK_STR(cd_str(r.json, "documentTypeCode"), passport2.id.f.document_code);
	/* not the document that was chosen: a retake */
	CHECK_INT(r.status, 400);
	CHECK_STR(e2e_str(&r, "message"),
	          "This is not the document that was chosen; please send the right document");
	e2e_resp_free(&r);
}

TEST(errors)
{
	struct e2e_resp r;
	REQUIRE(call(key_a, SELECT "maybe", NULL, NULL, NULL, &r) == 0);
	check_error(&r, 400);
	CHECK_STR(e2e_str(&r, "message"), "isNationalID must be true or false");
	e2e_resp_free(&r);
	REQUIRE(call(key_a, SELECT "maybe", "ar", NULL, NULL, &r) == 0);
	CHECK_STR(e2e_str(&r, "message"), "يجب أن تكون قيمة isNationalID صحيحة أو خاطئة");
	e2e_resp_free(&r);
	/* the document's example body: "text" is not an image */
	REQUIRE(call(key_a, FRONT, NULL, NULL,
	             "{\n\"customerId\": \"text\",\n\"image\": \"text\"\n}", &r) == 0);
	check_error(&r, 400);
	e2e_resp_free(&r);
	REQUIRE(call(key_a, FRONT, NULL, NULL, "{\"customerId\":\"c\"}", &r) == 0);
	check_error(&r, 400);
	CHECK_STR(e2e_str(&r, "message"), "The image is required");
	e2e_resp_free(&r);
	REQUIRE(call(key_a, FRONT, NULL, NULL, "{\"customerId\":\"c\",\"image\":\"%%%\"}", &r) ==
	        0);
	check_error(&r, 400);
	e2e_resp_free(&r);
	REQUIRE(call(key_a, FRONT, NULL, NULL, "not json", &r) == 0);
	check_error(&r, 400);
	e2e_resp_free(&r);
	REQUIRE(call(key_a, APPROVE_FRONT, NULL, NULL,
	             "{\"fullNameEn\":\"Somebody "
	             "Else\",\"firstNameEn\":\"Mona\",\"familyNameEn\":\"Hassan\"}",
	             &r) == 0);
	check_error(&r, 400);
	e2e_resp_free(&r);
	/* approvals with no upload for this key's tenant */
	REQUIRE(call(key_a, APPROVE_BACK, NULL, "X-Customer-Id: never-seen", NULL, &r) == 0);
	check_error(&r, 400);
	e2e_resp_free(&r);
	/* no key, a bad key */
	const char *h[] = {"Content-Type: application/json", NULL};
	REQUIRE(e2e_req(&srv, "POST", APPROVE_BACK, h, NULL, 0, &r) == 0);
	check_error(&r, 401);
	e2e_resp_free(&r);
	REQUIRE(call("kyc_000000000000_00", APPROVE_BACK, NULL, NULL, NULL, &r) == 0);
	check_error(&r, 401);
	e2e_resp_free(&r);
}

/* Another key of a tenant, from `kycd key create`. 0 or -1. */
static int second_key(const char *tenant, char key[128])
{
	char *out = NULL;
	const char *args[] = {"key", "create", tenant, NULL};
	key[0] = 0;
	if (e2e_cli(&srv, &out, args) == 0 && out) {
		char *k = strstr(out, "kyc_");
		size_t n = k ? strspn(k, "kyc_0123456789abcdef") : 0;
		if (n && n < 128)
			memcpy(key, k, n), key[n] = 0;
	}
	free(out);
	return key[0] ? 0 : -1;
}

/* An ID card of seed, back (*d, *jpg) and front (*front: the same card with
 * its MRZ painted out). A card whose painted front still reads as an MRZ is
 * passed over for the next valid one. 0 or -1. */
static int card_pair(uint64_t seed, struct kyc_synth_doc *d, unsigned char **jpg, size_t *len,
                     unsigned char **front, size_t *flen)
{
	int i = specimen_valid_index(seed, KYC_SYNTH_TD1, 1, 1);
	for (int k = 0; k < 10; k++, i = specimen_valid_index(seed, KYC_SYNTH_TD1, i + 1, 1)) {
		int used = -1;
		if (!specimen_card_front_index(seed, i, KYC_SYNTH_TD1, front, flen, &used) &&
		    used == i)
			return kyc_synth_make(seed, i, 0, KYC_SYNTH_TD1, d, jpg, len) ? -1 : 0;
		free(*front);
		*front = NULL;
	}
	return -1;
}

int main(void)
{
	int ok = card_pair(5, &card, &card_jpg, &card_len, &front_jpg, &front_len) == 0 &&
	         kyc_synth_make(5, specimen_valid_index(5, KYC_SYNTH_TD3, 1, 1), 0, KYC_SYNTH_TD3,
	                        &passport, &passport_jpg, &passport_len) == 0 &&
	         kyc_synth_make(5, specimen_valid_index(5, KYC_SYNTH_TD3, passport.index + 1, 1), 0,
	                        KYC_SYNTH_TD3, &passport2, &passport2_jpg, &passport2_len) == 0 &&
	         kyc_synth_make(5, specimen_expired_index(5, KYC_SYNTH_TD3, 1), 0, KYC_SYNTH_TD3,
	                        &expired, &expired_jpg, &expired_len) == 0 &&
	         kyc_synth_make(5, specimen_expired_index(5, KYC_SYNTH_TD3, expired.index + 1), 0,
	                        KYC_SYNTH_TD3, &expired2, &expired2_jpg, &expired2_len) == 0 &&
	         card_pair(6, &card_p, &card_p_jpg, &card_p_len, &front_p_jpg, &front_p_len) == 0 &&
	         card_pair(7, &card_q, &card_q_jpg, &card_q_len, &front_q_jpg, &front_q_len) == 0 &&
	         (blank_jpg = timg_jpeg(800, 600, 85, &blank_len)) != NULL;
	int ai = ok ? arabic_index(10, KYC_SYNTH_TD3) : -1;
	if (ai < 0 || kyc_synth_make(10, ai, 0, KYC_SYNTH_TD3, &arabic, &arabic_jpg, &arabic_len))
		arabic_jpg = NULL;
	/* an ID card with a real photo as its portrait */
	struct kyc_synth_image photo, img;
	if (ok && tface_photo(TFACE_A, &photo) == 0) {
		if (kyc_synth_render_portrait(9, specimen_valid_index(9, KYC_SYNTH_TD2, 1, 1), 0,
		                              KYC_SYNTH_CLASS_NONE, KYC_SYNTH_TD2, &photo, &face_card,
		                              &img) == 0) {
			if (kyc_synth_jpeg(&img, face_card.quality, &face_card_jpg, &face_card_len))
				face_card_jpg = NULL;
			kyc_synth_image_release(&img);
		}
		free(photo.px);
	}
	char tenant_b[64];
	if (!ok || e2e_data_dir(&srv) || e2e_tenant(&srv, "c000-a", key_a, tenant_a) ||
	    e2e_tenant(&srv, "c000-b", key_b, tenant_b)) {
		printf("[compat000] 0 passed, 1 failed\n");
		return 1;
	}
	/* a second key of tenant b, and of tenant a */
	if (second_key(tenant_b, key_c) || second_key(tenant_a, key_d) || e2e_start(&srv, NULL)) {
		e2e_cleanup(&srv);
		printf("[compat000] 0 passed, 1 failed\n");
		return 1;
	}
	RUN(national_id_flow);
	RUN(passport_flow);
	RUN(passport_native_name);
	RUN(retake);
	RUN(interleaved_customers);
	RUN(rejection_reasons);
	RUN(passport_for_id_card);
	RUN(errors);
	RUN(portrait_photo_age_gender);
	e2e_cleanup(&srv);
	free(card_jpg);
	free(passport_jpg);
	free(passport2_jpg);
	free(blank_jpg);
	free(expired_jpg);
	free(expired2_jpg);
	free(card_p_jpg);
	free(card_q_jpg);
	free(front_jpg);
	free(front_p_jpg);
	free(front_q_jpg);
	free(face_card_jpg);
	free(arabic_jpg);
	return test_done("compat000");
}
