/* libFuzzer target: a PDF417 redrawn from its grid (document/pdf417_grid.h,
 * kyc_pdf417_grid_redraw, with its location of the symbol in
 * document/pdf417_ends.c) on arbitrary pixels, with the whole picture as
 * the region, a module of 1-16 pixels and one try (its column count, its
 * ends, and since branch dl17 its matcher; both from the input's first
 * byte: one try per input keeps the largest symbol's brute-force codeword
 * match, 90 rows of 32 codewords against 929 patterns, under libFuzzer's
 * timeout with the sanitizers on). The pixels are the presence target's
 * (gray_plane.h, after the module byte). Whatever the pixels, an answer is
 * 0 with the symbol drawn, of a size that holds a symbol of 1-30 columns
 * (the module's multiple, with the margin) of ink and paper only, or an
 * error with nothing allocated. */
#include <stdint.h>
#include <stdlib.h>

#include "core/err.h"
#include "document/pdf417_grid.h"
#include "gray_plane.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	double mod = 1 + data[0] % 16;
	struct kyc_image img;
	if (fuzz_gray_plane(data + 1, size - 1, &img))
		return 0;
	double region[4][2] = {{0, 0}, {img.w, 0}, {img.w, img.h}, {0, img.h}};
	/* the tries with the contrast matcher too (pdf417_grid.h) */
	int t = data[0] / 16 % (KYC_PDF417_GRID_CONTRAST + KYC_PDF417_GRID_TRIES);
	unsigned char *out = NULL;
	int ow = -1, oh = -1;
	int rc = kyc_pdf417_grid_redraw(&img, region, img.w, img.h, mod, t, &out, &ow, &oh);
	if (rc) {
		if ((rc != KYC_ERR_NOTFOUND && rc != KYC_ERR_NOMEM && rc != KYC_ERR_INVALID) ||
		    out || ow || oh)
			__builtin_trap();
		goto done;
	}
	/* (17 (c + 4) + 1 + 2 margins) modules across, c in 1..30 */
	int across = ow / KYC_PDF417_GRID_PX;
	if (!out || ow % KYC_PDF417_GRID_PX || oh % KYC_PDF417_GRID_PX || across < 17 * 5 + 1 ||
	    across > 17 * 34 + 1 + 64 || oh <= 0)
		__builtin_trap();
	/* every pixel is ink or paper */
	for (size_t i = 0; i < (size_t)ow * (size_t)oh; i++)
		if (out[i] != 0 && out[i] != 255)
			__builtin_trap();
	free(out);
done:
	free(img.gray);
	return 0;
}
