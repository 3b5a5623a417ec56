/* What the pixel targets share. The gray plane they (presence, card_identify) read from their
 * input: the first two bytes choose the width and height (32..543 each), the
 * rest are the pixels, repeated to fill the plane. Owned by the caller (free
 * img->gray); -1 when the input is too short or memory runs out. */
#ifndef KYC_FUZZ_GRAY_PLANE_H
#define KYC_FUZZ_GRAY_PLANE_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "document/image.h"

static inline int fuzz_gray_plane(const uint8_t *data, size_t size, struct kyc_image *img)
{
	if (size < 3)
		return -1;
	int w = 32 + data[0] * 2, h = 32 + data[1] * 2;
	unsigned char *g = malloc((size_t)w * (size_t)h);
	if (!g)
		return -1;
	for (size_t i = 0; i < (size_t)w * (size_t)h; i++)
		g[i] = data[2 + i % (size - 2)];
	*img = (struct kyc_image){.w = w, .h = h, .gray = g};
	return 0;
}

/* 1 when a found card's corners are finite and near a w x h picture. */
static inline int fuzz_quad_near(const double quad[4][2], int w, int h)
{
	for (int k = 0; k < 4; k++)
		if (!isfinite(quad[k][0]) || !isfinite(quad[k][1]) || fabs(quad[k][0]) > 10.0 * w ||
		    fabs(quad[k][1]) > 10.0 * h)
			return 0;
	return 1;
}

#endif
