/* libFuzzer target: the Eastern Arabic digit reader on arbitrary pixels (a
 * crop of a photo: its first byte chooses the width and the pattern, the
 * rest are the pixels), then the national number's decoder on the
 * distributions it answers. A reading has exactly the pattern's form, each
 * position's probabilities sum to one over the classes it allows, and the
 * likeliest valid number decodes. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "document/edigits.h"
#include "document/eg_nid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int w = 8 + data[0] % 120;
	const char *pattern = data[0] & 0x80 ? "DDDD/DD/DD" : "DDDDDDDDDDDDDD";
	int h = (int)((size - 1) / (size_t)w);
	struct kyc_edigits_reading r;
	int rc = kyc_edigits_read(data + 1, w, h, w, pattern, &r);
	if (rc)
		return 0; /* too small a crop */
	size_t n = strlen(pattern);
	if (r.n != 0 && (size_t)r.n != n)
		__builtin_trap();
	for (int k = 0; k < r.n; k++) {
		if ((r.text[k] == '/') != (pattern[k] == '/'))
			__builtin_trap();
		double sum = 0;
		for (int c = 0; c < KYC_EDIGITS_NCLASS; c++)
			sum += r.prob[k][c];
		if (fabs(sum - 1) > 1e-3)
			__builtin_trap();
	}
	if (r.n == 14) {
		char num[15];
		struct kyc_egnid_number d;
		const char *why;
		kyc_egnid_number_likeliest(r.prob, num);
		if (kyc_egnid_number_decode(num, 14, &d, &why))
			__builtin_trap();
	}
	return 0;
}
