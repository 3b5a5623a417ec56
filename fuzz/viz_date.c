/* libFuzzer target: the visual zone's date reader on arbitrary bytes (the
 * text comes from OCR of a photo). A date it finds is a real calendar date
 * in the ISO form, and reading that form again gives the same date. Input
 * that is JSON is also given to kyc_viz_compare as a card front's stored
 * lines (the extraction's viz_front), against a fixed MRZ. */
#include <stdint.h>
#include <string.h>

#include "document/viz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[512], iso[11], again[11];
	json_t *j = size && data[0] == '{' ? json_loadb((const char *)data, size, 0, NULL) : NULL;
	if (j) {
		json_t *mrz = json_pack("{s:b, s:{s:s, s:s, s:s, s:s, s:s, s:s}}", "valid", 1,
					"fields", "document_code", "I", "surname", "ERIKSSON",
					"given_names", "ANNA MARIA", "birth_date", "1974-08-12",
					"expiry_date", "2012-04-15", "document_number", "D23145890");
		json_t *v = NULL;
		if (kyc_viz_compare(j, mrz, &v) == 0 && !json_is_string(json_object_get(v, "verdict")))
			__builtin_trap();
		json_decref(v);
		json_decref(mrz);
		json_decref(j);
	}
	if (size >= sizeof in)
		size = sizeof in - 1;
	memcpy(in, data, size);
	in[size] = '\0';
	int ref = 1900 + (size ? data[0] : 0);
	if (kyc_viz_parse_date(in, ref, iso)) {
		if (strlen(iso) != 10 || iso[4] != '-' || iso[7] != '-')
			__builtin_trap();
		if (!kyc_viz_parse_date(iso, ref, again) || strcmp(iso, again))
			__builtin_trap();
	}
	return 0;
}
