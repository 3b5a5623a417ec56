/* libFuzzer target: tenant settings and per-request options from outside
 * (PATCH /v1/settings, a verification's options, seed 001's customOptions
 * string): validation, the options merge and the tier rules never crash,
 * and what validation accepts, the rules can evaluate. */
#include <stdint.h>

#include "flows/settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *obj;
	struct kyc_jerr e;
	if (kyc_jv_parse_object((const char *)data, size, &obj, &e))
		return 0;
	int valid = kyc_settings_validate(obj, &e) == 0;
	json_t *eff = kyc_settings_effective(obj, obj, &e);
	json_decref(eff);
	static const char *const types[] = {"passport", "id_card", "visa"};
	for (int i = 0; i < 3; i++)
		if (kyc_requirements_check(obj, obj, types[i], &e) && valid && e.status != 422)
			__builtin_trap();
	json_decref(obj);
	return 0;
}
