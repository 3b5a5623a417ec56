/* libFuzzer target: telling a card's template, side and way up from its
 * picture (document/card_identify.h) on arbitrary pixels. Input as the
 * presence target's: the first two bytes choose the width and height of the
 * gray plane (32..543 each), the rest are its pixels, repeated to fill it.
 * Whatever the pixels, an answer names a known side and a quarter turn, its
 * score lies in 0..1 and its corners are finite and near the picture; no
 * answer leaves the template NULL. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "gray_plane.h"
#include "document/card_identify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kyc_image img;
	if (fuzz_gray_plane(data, size, &img))
		return 0;
	struct kyc_card_identity id;
	int rc = kyc_card_identify(&img, &id);
	if (rc == 0 && id.tpl) {
		if ((id.side != KYC_CARD_FRONT && id.side != KYC_CARD_BACK) || id.rotation % 90 ||
		    id.rotation < 0 || id.rotation > 270 || !(id.score >= 0 && id.score <= 1) ||
		    !id.evidence)
			__builtin_trap();
		if (!fuzz_quad_near(id.quad, img.w, img.h))
			__builtin_trap();
	}
	free(img.gray);
	return 0;
}
