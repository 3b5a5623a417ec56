/* The route sets' pure parts (src/compat): language choice, seed 001's
 * options and types, seed 003's and 004's body checks. */
#include <string.h>

#include "compat/compat.h"
#include "core/buf.h"
#include "test.h"

static const char *const langs[] = {"en", "ar", NULL};

static const char *pick(const char *header)
{
	kyc_str h = {header, header ? strlen(header) : 0};
	return kyc_compat_lang(h, langs);
}

TEST(accept_language)
{
	CHECK_STR(pick(NULL), "en");
	CHECK_STR(pick(""), "en");
	CHECK_STR(pick("ar"), "ar");
	CHECK_STR(pick("AR-eg"), "ar");
	CHECK_STR(pick("fr-FR, ar;q=0.8, en;q=0.5"), "ar");
	CHECK_STR(pick("en;q=0.4, ar;q=0.9"), "ar");
	CHECK_STR(pick("ar;q=0.5, en;q=0.5"), "ar"); /* a tie: the earlier range */
	CHECK_STR(pick("ar;q=0, en"), "en");         /* q=0: not acceptable */
	CHECK_STR(pick("arabic"), "en");             /* a prefix is not a match */
	CHECK_STR(pick("*"), "en");
	CHECK_STR(pick("de, *;q=0.1"), "en");
	CHECK_STR(pick(";;;,,,q=,"), "en");
}

TEST(seed001_types_and_options)
{
	CHECK_STR(kyc_compat001_kyc_type("government_id"), "id_card");
	CHECK_STR(kyc_compat001_kyc_type("drivers_license"), "drivers_license");
	CHECK(kyc_compat001_kyc_type("Passport") == NULL);
	CHECK(kyc_compat001_kyc_type(NULL) == NULL);
	json_t *o;
	struct kyc_jerr e;
	const char *ok = "{\"ageLimit\":false,\"rejectDuplicateUser\":true}";
	CHECK(kyc_compat001_options(ok, strlen(ok), &o, &e) == 0);
	CHECK(json_is_false(json_object_get(o, "ageLimit")));
	json_decref(o);
	CHECK(kyc_compat001_options("[]", 2, &o, &e) != 0 && o == NULL);
	CHECK_INT(e.status, 400);
	CHECK(kyc_compat001_options("{\"ageLimit\":0}", 14, &o, &e) != 0);
	CHECK_STR(e.field, "customOptions");
}

TEST(seed003_body)
{
	struct kyc_compat003_req r;
	struct kyc_jerr e;
	json_t *b = json_pack("{s:s, s:s, s:s}", "customerId",
	                      "8D3E2C4A-19B7-4F2E-9C61-2A78B0F31C45", "documentType", "voters_card",
	                      "documentUrl", "HTTPS://cdn.example.com/x.jpg");
	CHECK(kyc_compat003_parse(b, &r, &e) == 0);
	CHECK_STR(r.document_type, "VOTERS_CARD");
	CHECK_STR(r.kyc_type, "id_card");
	CHECK_STR(r.channel, "WAAS");
	json_object_set_new(b, "documentType", json_string("NIN_CARDS"));
	CHECK(kyc_compat003_parse(b, &r, &e) != 0);
	CHECK_STR(e.detail, "documentType 'NIN_CARDS' is not accepted. Allowed values: NIN_CARD, "
	                    "DRIVERS_LICENCE, PASSPORT, VOTERS_CARD");
	json_object_set_new(b, "documentType", json_integer(3));
	CHECK(kyc_compat003_parse(b, &r, &e) != 0);
	CHECK_STR(e.field, "documentType");
	json_decref(b);
}

TEST(seed004_body)
{
	struct kyc_compat004_req r;
	struct kyc_jerr e;
	json_t *b = json_loads(
	    "{\"email\":\"a@example.com\",\"kycType\":\"ENTERPRISE\",\"kycIdentityInfoVo\":{"
	    "\"firstName\":\"A\",\"lastName\":\"B\",\"gender\":\"F\",\"idType\":\"UTILITY_BILL\","
	    "\"idNumber\":\"1\",\"nationality\":\"NGA\",\"residentialCountry\":\"NGA\","
	    "\"idCountry\":\"NGA\",\"dob\":\"1990-01-01\",\"idExpiry\":\"2031-01-01\","
	    "\"frontFileUrl\":\"https://x.example/f.pdf\",\"selfieFileUrl\":\"https://x.example/"
	    "s.jpg\","
	    "\"kycLevel\":\"L0\"}}",
	    0, NULL);
	REQUIRE(b != NULL);
	CHECK(kyc_compat004_parse(b, &r, &e) == 0);
	CHECK(r.merchant_user_id == NULL);
	CHECK_STR(r.email, "a@example.com");
	CHECK(r.kyc_doc_type == NULL); /* a utility bill is not read */
	CHECK(r.urls[1] == NULL && r.urls[3] == NULL);
	json_object_set_new(json_object_get(b, "kycIdentityInfoVo"), "kycTime",
	                    json_string("2026-02-30 10:00:00"));
	CHECK(kyc_compat004_parse(b, &r, &e) != 0);
	CHECK_STR(e.field, "kycIdentityInfoVo.kycTime");
	json_decref(b);
}

static json_t *render(int (*fn)(const json_t *, kyc_buf *, const char **), const char *event)
{
	json_t *ev = json_loads(event, 0, NULL);
	kyc_buf b;
	kyc_buf_init(&b, 1 << 20);
	const char *ct = NULL;
	int rc = fn(ev, &b, &ct);
	json_t *out = rc ? NULL : json_loads(b.data, 0, NULL);
	if (out)
		CHECK_STR(ct, "application/json");
	kyc_buf_release(&b);
	json_decref(ev);
	return out;
}

TEST(seed004_status_push)
{
	json_t *o = render(
	    kyc_compat004_webhook,
	    "{\"id\":\"e1\",\"type\":\"verification.status_changed\","
	    "\"created_at\":\"2026-01-02T03:04:05.678Z\",\"payload\":{\"id\":\"v1\","
	    "\"applicant_id\":\"a1\",\"status\":\"approved\"},\"attributes\":{"
	    "\"compat\":{\"seed\":\"004\",\"ref\":null,\"data\":{\"merchantUserId\":\"m-7\"}}}}");
	REQUIRE(o != NULL);
	CHECK_INT(json_object_size(o), 4);
	CHECK_STR(json_string_value(json_object_get(o, "merchantUserId")), "m-7");
	CHECK_STR(json_string_value(json_object_get(o, "userId")), "a1");
	CHECK_STR(json_string_value(json_object_get(o, "kycStatus")), "accept");
	CHECK_STR(json_string_value(json_object_get(o, "status")), "accept");
	json_decref(o);
	o = render(kyc_compat004_webhook,
	           "{\"id\":\"e2\",\"type\":\"verification.status_changed\",\"payload\":{"
	           "\"applicant_id\":\"a1\",\"status\":\"pending_review\"}}");
	REQUIRE(o != NULL);
	CHECK(json_is_null(json_object_get(o, "merchantUserId")));
	CHECK_STR(json_string_value(json_object_get(o, "status")), "new");
	json_decref(o);
}

TEST(seed002_webhook)
{
	json_t *o =
	    render(kyc_compat002_webhook,
	           "{\"id\":\"e3\",\"type\":\"verification.status_changed\","
	           "\"created_at\":\"2026-01-02T03:04:05.678Z\",\"payload\":{\"id\":\"v2\","
	           "\"status\":\"pending_review\",\"attempts\":1,\"created_at\":\"2026-01-02T03:00:"
	           "00.000Z\","
	           "\"updated_at\":\"2026-01-02T03:04:05.678Z\"},\"attributes\":{\"compat\":{"
	           "\"seed\":\"002\","
	           "\"ref\":\"02c99769-51a5-4174-aa5b-3fa0c2e6bfef\",\"data\":{\"setup_id\":\"s\","
	           "\"setup_version_id\":\"sv\",\"application_id\":\"t1\"}}}}");
	REQUIRE(o != NULL);
	CHECK_STR(json_string_value(json_object_get(o, "type")),
	          "IdentityVerification.StatusChanged");
	CHECK_STR(json_string_value(json_object_get(o, "applicationId")), "t1");
	CHECK_STR(json_string_value(json_object_get(o, "createdUtc")), "2026-01-02T03:04:05.678Z");
	CHECK(json_is_true(json_object_get(o, "isDelivered")));
	json_t *p = json_object_get(o, "payload");
	CHECK_STR(json_string_value(json_object_get(p, "id")),
	          "02c99769-51a5-4174-aa5b-3fa0c2e6bfef");
	CHECK_STR(json_string_value(json_object_get(p, "status")), "Completed");
	CHECK_STR(json_string_value(json_object_get(json_object_get(p, "setup"), "id")), "s");
	json_t *step = json_object_get(p, "step");
	CHECK_STR(
	    json_string_value(json_object_get(json_object_get(step, "kycIdentification"), "id")),
	    "v2");
	CHECK(json_object_get(step, "consent") == NULL);
	json_decref(o);
	/* another verification's event at a seed-002 endpoint: kycd's own */
	o = render(kyc_compat002_webhook, "{\"id\":\"e4\",\"type\":\"document.processed\","
	                                  "\"payload\":{\"id\":\"d1\"}}");
	REQUIRE(o != NULL);
	CHECK_STR(json_string_value(json_object_get(o, "type")), "document.processed");
	CHECK_STR(json_string_value(json_object_get(json_object_get(o, "payload"), "id")), "d1");
	json_decref(o);
}

int main(void)
{
	RUN(accept_language);
	RUN(seed001_types_and_options);
	RUN(seed003_body);
	RUN(seed004_body);
	RUN(seed004_status_push);
	RUN(seed002_webhook);
	return test_done("compat");
}
