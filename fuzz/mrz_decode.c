/* libFuzzer target: the check-digit constrained decoder on arbitrary
 * candidates. The first byte picks the shape (TD1, TD2/MRV-B, TD3/MRV-A or a
 * bad one); then each candidate takes two bytes, a character and a score.
 * Checks the invariants the reader relies on: a decode either fails with
 * KYC_ERR_INVALID or yields lines of the shape in the MRZ alphabet,
 * confidences in [0,1] and no more checks passed than carried. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/mrz_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int shapes[][2] = {{3, 30}, {2, 36}, {2, 44}, {2, 30}, {3, 44}, {1, 44}};
	struct kyc_mrz_cands c;
	struct kyc_mrz_decoded d;
	memset(&c, 0, sizeof c);
	if (size < 1)
		return 0;
	const int *sh = shapes[data[0] % 6];
	c.nlines = sh[0];
	c.len = sh[1];
	size_t at = 1;
	for (int l = 0; l < 3; l++)
		for (int i = 0; i < 44; i++)
			for (int q = 0; q < KYC_MRZ_DECODE_K && at + 1 < size; q++, at += 2) {
				c.ch[l][i][q] = (char)data[at];
				/* scores beyond [0,1] too: the decoder must cope */
				c.p[l][i][q] = ((int)data[at + 1] - 16) / 200.0f;
			}
	int rc = kyc_mrz_decode(&c, &d);
	if (rc != 0) {
		if (rc != KYC_ERR_INVALID)
			abort();
		return 0;
	}
	if (d.checks_ok < 0 || d.checks_ok > d.checks_total)
		abort();
	for (int l = 0; l < c.nlines; l++) {
		if (strlen(d.lines[l]) != (size_t)c.len)
			abort();
		for (int i = 0; i < c.len; i++) {
			char ch = d.lines[l][i];
			if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || ch == '<'))
				abort();
			if (!(d.conf[l][i] >= 0 && d.conf[l][i] <= 1))
				abort();
		}
	}
	return 0;
}
