/* libFuzzer target: request bodies through the JSON layer the API uses
 * (parse, unknown-field check, every validator) — never a crash, a leak or
 * an accepted value that breaks the validator's promise. */
#include <stdint.h>
#include <string.h>

#include "core/clock.h"
#include "json/jv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const known[] = {"email", "phone", "birth_date", "country", "level",
					    "tier", "flag", "name", NULL};
	static const char *const levels[] = {"L0", "L1", "L2", NULL};
	json_t *obj;
	struct kyc_jerr e;
	if (kyc_jv_parse_object((const char *)data, size, &obj, &e))
		return 0;
	const char *s = NULL;
	int64_t n = 0;
	int b = 0;
	kyc_jv_known_fields(obj, known, &e);
	if (!kyc_jv_email(obj, "email", 0, &s, &e) && s && !strchr(s, '@'))
		__builtin_trap();
	s = NULL;
	if (!kyc_jv_date(obj, "birth_date", 0, &s, &e) && s) {
		int64_t d;
		if (kyc_date_parse(s, strlen(s), &d))
			__builtin_trap();
	}
	kyc_jv_country3(obj, "country", 0, &s, &e);
	kyc_jv_enum(obj, "level", 0, levels, &s, &e);
	if (!kyc_jv_int(obj, "tier", 0, 0, 9, &n, &e) && (n < 0 || n > 9))
		__builtin_trap();
	kyc_jv_bool(obj, "flag", 0, &b, &e);
	kyc_jv_string(obj, "name", KYC_JV_REQUIRED, 100, &s, &e);
	json_decref(obj);
	return 0;
}
