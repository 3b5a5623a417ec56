/* libFuzzer target for the reader's debug picture (src/document/scan_debug.c)
 * on any decodable image: kycd scan --debug draws whatever the locator and
 * the reader report, so their geometry (candidates far outside, degenerate
 * bands, a quad read upside down or off the picture) must never make it
 * write outside its canvas. Input: the file bytes, then 24 bytes that make up
 * the reader's result (the MRZ quad, angle, pitch, lines and check digits),
 * so that the drawing meets any geometry without running the whole reader
 * (which bench/reader and the image target cover). Checks that the PNG it
 * writes decodes to a picture at least as large as the image (read back
 * with no minimum side: a 45808 x 1 image gives a picture one row high,
 * which the check once took for a broken one; corpus/scan_debug/
 * wide-one-row-image). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "document/image.h"
#include "document/reader.h"
#include "document/scan_debug.h"

#define TAIL 24

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size <= TAIL)
		return 0;
	const uint8_t *t = data + size - TAIL;
	struct kyc_image_opts o = {.max_pixels = 1 << 16, .min_side = 1, .want_rgb = t[0] & 1};
	struct kyc_image img, back;
	if (kyc_image_decode(data, size - TAIL, &o, &img, NULL) != 0)
		return 0;
	struct kyc_reader_result res;
	memset(&res, 0, sizeof res);
	for (int i = 0; i < 8; i++) { /* corners from -2 to 3 sides of the image */
		int16_t v = (int16_t)(t[1 + 2 * i] | t[2 + 2 * i] << 8);
		double side = i & 1 ? img.h : img.w;
		res.quad[i / 2][i & 1] = v / 32768.0 * 2.5 * side + side / 2;
	}
	res.nlines = t[17] % 4;
	res.angle_deg = t[18] * 360.0 / 256;
	res.pitch_px = t[19] / 4.0;
	res.checks_total = t[20] % 6, res.checks_ok = t[21] % 6;
	kyc_buf png;
	kyc_buf_init(&png, 16u << 20);
	int rc = kyc_scan_debug_png(&img, &res, &png);
	if (rc && rc != KYC_ERR_NOMEM && rc != KYC_ERR_TOOBIG)
		abort();
	if (!rc) {
		struct kyc_image_opts po = {.max_pixels = 1L << 24, .min_side = 1};
		if (kyc_image_decode(png.data, png.len, &po, &back, NULL) != 0 || back.w < img.w ||
		    back.h < img.h)
			abort();
		kyc_image_free(&back);
	}
	kyc_buf_release(&png);
	kyc_image_free(&img);
	return 0;
}
