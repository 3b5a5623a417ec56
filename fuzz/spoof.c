/* libFuzzer target: the passive anti-spoof score (face/spoof.h) on arbitrary
 * pixels and any face box. The first two bytes choose the width and height
 * of the RGB image (64..574 each), the next four the box (x and y from -64,
 * width and height from 0, in steps of 4 px; one flags bit turns the box
 * inverted or not a number, as a broken detector might), the rest are the
 * pixels, repeated to fill the image. The measure must end, read no pixel
 * outside the image, and give figures in range. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "face/spoof.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8)
		return 0;
	int w = 64 + data[0] * 2, h = 64 + data[1] * 2;
	double box[4] = {-64.0 + data[2] * 4, -64.0 + data[3] * 4, data[4] * 4.0, data[5] * 4.0};
	if (data[6] & 1)
		box[2] = -box[2];
	if (data[6] & 2)
		box[3] = NAN;
	if (data[6] & 4)
		box[0] = INFINITY;
	size_t n = (size_t)w * (size_t)h * 3;
	unsigned char *rgb = malloc(n);
	if (!rgb)
		return 0;
	for (size_t i = 0; i < n; i++)
		rgb[i] = data[7 + i % (size - 7)];
	struct kyc_face_spoof s;
	kyc_face_spoof_measure(rgb, w, h, box, &s);
	if (!(s.score >= 0 && s.score <= 1) || (s.measured != 0 && s.measured != 1))
		__builtin_trap();
	if (s.measured && (!isfinite(s.moire) || !(s.glare >= 0 && s.glare <= 1) ||
	                   !(s.colours >= 0 && s.colours <= 1000)))
		__builtin_trap();
	if ((s.cue != NULL) != (s.measured && s.score < KYC_FACE_SPOOF_SUSPICIOUS))
		__builtin_trap();
	free(rgb);
	return 0;
}
