/* libFuzzer target: PDF417's Reed-Solomon decoder with erasures
 * (document/pdf417_rs.h) and the soft correction over it
 * (document/pdf417_soft.h) on arbitrary codewords, erasure lists and
 * choices. Byte 0 picks k (2 << 0..8), byte 1 the slack (0..7), byte 2 the
 * erasures' count; then two bytes a codeword (mod 929), the erasures'
 * positions (mod n; a repeated one must be refused), the rest codewords.
 * Whatever the input: a decode answers a codeword (syndromes zero), or
 * refuses and leaves the word as it came. The soft correction, on the same
 * values as choices of a symbol of 3-90 rows, answers codewords that the
 * check accepts, or refuses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/pdf417_rs.h"
#include "document/pdf417_soft.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 5)
		return 0;
	int k = 2 << (data[0] % 9), slack = data[1] % 8, f = data[2];
	const uint8_t *p = data + 3;
	size_t left = size - 3;
	static int c[KYC_PDF417_RS_MAX_N], before[KYC_PDF417_RS_MAX_N], er[KYC_PDF417_RS_MAX_N];
	int n = 0;
	for (; left >= 2 && n < KYC_PDF417_RS_MAX_N; p += 2, left -= 2)
		c[n++] = (p[0] << 8 | p[1]) % 929;
	if (n <= k || f > k || f > n)
		return 0;
	/* the erasures' positions from the codewords' own bytes */
	for (int i = 0; i < f; i++)
		er[i] = (c[i] * 7 + i) % n;
	memcpy(before, c, (size_t)n * sizeof *c);
	int rc = kyc_pdf417_rs_decode(c, n, k, er, f, slack);
	if (rc >= 0) {
		if (!kyc_pdf417_rs_check(c, n, k))
			__builtin_trap();
	} else {
		if (rc != KYC_ERR_NOTFOUND && rc != KYC_ERR_INVALID)
			__builtin_trap();
		if (memcmp(c, before, (size_t)n * sizeof *c))
			__builtin_trap();
	}
	/* the same values as a symbol's choices: c columns of R rows */
	int cols = 1 + data[1] % 8, R = n / (cols + 2);
	R = R > 90 ? 90 : R; /* a symbol's most rows */
	if (R < 3)
		return 0;
	int *second = malloc((size_t)n * sizeof *second), *out = malloc((size_t)n * sizeof *out);
	double *margin = malloc((size_t)n * sizeof *margin);
	if (!second || !out || !margin)
		goto done;
	for (int i = 0; i < n; i++)
		second[i] = i % 5 ? before[(i + 1) % n] : -1, margin[i] = before[i] / 929.0;
	struct kyc_pdf417_soft S = {R, cols, before, second, margin};
	int ecl = -1, tries = 0;
	rc = kyc_pdf417_soft_correct(&S, out, &ecl, &tries);
	if (!rc && (ecl < 0 || ecl > 8 || !kyc_pdf417_rs_check(out, R * cols, 2 << ecl)))
		__builtin_trap();
	if (rc && rc != KYC_ERR_NOTFOUND && rc != KYC_ERR_NOMEM)
		__builtin_trap();
done:
	free(second);
	free(out);
	free(margin);
	return 0;
}
