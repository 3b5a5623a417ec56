/* The route sets' pure parts (src/compat): language choice, seed 001's
 * options and types, seed 003's and 004's body checks. */
#include <string.h>

#include "compat/compat.h"
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

int main(void)
{
	RUN(accept_language);
	RUN(seed001_types_and_options);
	RUN(seed003_body);
	RUN(seed004_body);
	return test_done("compat");
}
