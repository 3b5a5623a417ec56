/* libFuzzer target: a Korean licence number in OCR text (the text comes
 * from a photo). A number it finds has the form NN-NN-NNNNNN-NN and reads
 * back as itself. */
#include <stdint.h>
#include <string.h>

#include "document/card_kr_dl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[256], out[16], again[16];
	if (size >= sizeof in)
		size = sizeof in - 1;
	memcpy(in, data, size);
	in[size] = '\0';
	if (kyc_krdl_number(in, out) == 0) {
		if (strlen(out) != 15 || out[2] != '-' || out[5] != '-' || out[12] != '-')
			__builtin_trap();
		if (kyc_krdl_number(out, again) || strcmp(out, again))
			__builtin_trap();
	}
	return 0;
}
