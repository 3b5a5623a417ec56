/* libFuzzer target: the document-presence decision (document/presence.h)
 * on arbitrary pixels: the first two bytes choose the width and height of
 * the gray plane (32..543 each), the rest are its pixels, repeated to fill
 * it. The decision is a yes or no, its figures are finite and in range, and
 * a found card's corners lie near the picture. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "gray_plane.h"
#include "document/presence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kyc_image img;
	if (fuzz_gray_plane(data, size, &img))
		return 0;
	struct kyc_presence p;
	if (kyc_presence_card(&img, &p) == 0) {
		if ((p.found != 0 && p.found != 1) || !isfinite(p.edge) || p.ink < 0 || p.ink > 1 ||
		    p.texture < 0 || p.texture > 255)
			__builtin_trap();
		if (p.found && !fuzz_quad_near(p.quad, img.w, img.h))
			__builtin_trap();
	}
	free(img.gray);
	return 0;
}
