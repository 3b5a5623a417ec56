/* libFuzzer target: the Egyptian national number's decoder, the digit
 * rewriting and the ICAO transliteration on arbitrary bytes (all come from
 * OCR of a photo). A number that decodes has a valid governorate and a date
 * that decodes again the same way. */
#include <stdint.h>
#include <string.h>

#include "document/eg_nid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[512], out[256], digits[64];
	if (size >= sizeof in)
		size = sizeof in - 1;
	memcpy(in, data, size);
	in[size] = '\0';
	struct kyc_egnid_number d;
	const char *why;
	if (kyc_egnid_number_decode((const char *)data, size, &d, &why) == 0) {
		if (!kyc_egnid_governorate_en(d.governorate) || (d.sex != 'M' && d.sex != 'F') ||
		    strlen(d.birth_date) != 10)
			__builtin_trap();
		size_t n = kyc_egnid_ascii_digits(in, digits, sizeof digits);
		struct kyc_egnid_number e;
		if (n != 14 || kyc_egnid_number_decode(digits, n, &e, &why) ||
		    memcmp(&d, &e, sizeof d))
			__builtin_trap();
	} else if (!why) {
		__builtin_trap();
	}
	kyc_egnid_transliterate(in, out, sizeof out);
	if (strlen(out) >= sizeof out)
		__builtin_trap();
	struct kyc_egnid_card c = {0};
	size_t half = size / 2 < sizeof c.national_number ? size / 2 : sizeof c.national_number - 1;
	memcpy(c.national_number, in, half);
	const char *codes[8];
	kyc_egnid_cross_check(&c, codes, 8);
	return 0;
}
