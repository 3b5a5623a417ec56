/* libFuzzer target: the visual zone's date reader on arbitrary bytes (the
 * text comes from OCR of a photo). A date it finds is a real calendar date
 * in the ISO form, and reading that form again gives the same date. */
#include <stdint.h>
#include <string.h>

#include "document/viz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[512], iso[11], again[11];
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
