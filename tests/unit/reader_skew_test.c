/* A small MRZ turned 24-41° off the axes (docs/reader.md, step 14, "A small
 * MRZ turned off the axes"). Level-0 documents of development seeds are
 * turned here so that their MRZ runs at an angle drawn in 24-41° from an
 * axis (any quadrant), and shrunk so that a cell is 8.5-10 px in a photo of
 * 1,500 x 1,900 px on a plain grey desk: at the working size (560 px) such
 * an MRZ is 2.5-3 px a cell, which no locator pass turns into lines. The
 * truth is the generator's. Photos without an MRZ on the same desk, turned
 * the same way, must give no valid reading. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document/image.h"
#include "document/reader.h"
#include "document/synth.h"
#include "smeared.h"
#include "test.h"

#define PHOTO_W 1500
#define PHOTO_H 1900
#define DOCS 12

/* The test's own draws: splitmix64, so every run turns the same way. */
static double draw(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

static const enum kyc_synth_format fmt[] = {KYC_SYNTH_TD1, KYC_SYNTH_TD2, KYC_SYNTH_TD3,
                                            KYC_SYNTH_MRVA, KYC_SYNTH_MRVB};

/* Renders level-0 photo i of seed and class cls (the format fmt[i % 5]), then turns it about its
 * MRZ's centre so that the MRZ runs at angle `to` (degrees clockwise), scaled to `pitch` px a cell,
 * onto a PHOTO_W x PHOTO_H grey desk; its gray pixels in *img (the caller frees img->gray), its
 * truth in *d. 0, or -1. */
static int turned_photo(uint64_t seed, int i, enum kyc_synth_class cls, double to, double pitch,
                        struct kyc_synth_doc *d, struct kyc_image *img)
{
	struct kyc_synth_image src;
	if (kyc_synth_render_class(seed, i, 0, cls, fmt[i % 5], d, &src))
		return -1;
	const double(*q)[2] = d->mrz_quad;
	double from = atan2(q[1][1] - q[0][1], q[1][0] - q[0][0]);
	double cx = (q[0][0] + q[1][0] + q[2][0] + q[3][0]) / 4;
	double cy = (q[0][1] + q[1][1] + q[2][1] + q[3][1]) / 4;
	/* source px a photo px; a photo without an MRZ is turned about its
	 * centre and halved, as large as a passport's page would be */
	double s = d->id.nlines ? d->mrz_px / pitch : 2;
	if (!d->id.nlines)
		from = 0, cx = src.w / 2.0, cy = src.h / 2.0;
	double a = to * M_PI / 180 - from;
	double ca = cos(a), sa = sin(a);
	memset(img, 0, sizeof *img);
	img->w = PHOTO_W;
	img->h = PHOTO_H;
	img->gray = malloc((size_t)PHOTO_W * PHOTO_H);
	if (!img->gray) {
		kyc_synth_image_release(&src);
		return -1;
	}
	/* the MRZ's centre a little off the photo's, as a hand holds it */
	double ox = PHOTO_W * 0.45, oy = PHOTO_H * 0.55;
	for (int y = 0; y < PHOTO_H; y++)
		for (int x = 0; x < PHOTO_W; x++) {
			double dx = (x - ox) * s, dy = (y - oy) * s;
			double sx = cx + ca * dx + sa * dy, sy = cy - sa * dx + ca * dy;
			int ix = (int)floor(sx), iy = (int)floor(sy);
			int v = 118 + (int)((x * 7 + y * 13) % 5); /* the desk */
			if (ix >= 0 && iy >= 0 && ix + 1 < src.w && iy + 1 < src.h) {
				double fx = sx - ix, fy = sy - iy, g[4];
				for (int k = 0; k < 4; k++) {
					const unsigned char *p =
					    src.px +
					    3 * ((size_t)(iy + k / 2) * src.w + ix + k % 2);
					g[k] = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
				}
				v = (int)lround((g[0] * (1 - fx) + g[1] * fx) * (1 - fy) +
				                (g[2] * (1 - fx) + g[3] * fx) * fy);
			}
			img->gray[(size_t)y * PHOTO_W + x] = (unsigned char)v;
		}
	kyc_synth_image_release(&src);
	return 0;
}

/* Documents of every format, their MRZ turned 24-41° in any quadrant at
 * 8.5-10 px a cell: at least 10 of 12 read exactly (base 3635f26: 6), none valid
 * but wrong. */
TEST(small_mrz_turned_off_the_axes)
{
	uint64_t s = 0x5EED24410000ull;
	int exact_n = 0, wrong_valid = 0;
	for (int i = 0; i < DOCS; i++) {
		double off = 24 + 17 * draw(&s), quadrant = 90 * floor(4 * draw(&s));
		double to = (draw(&s) < 0.5 ? off : -off) + quadrant;
		double pitch = 8.5 + 1.5 * draw(&s);
		struct kyc_synth_doc d;
		struct kyc_image img;
		enum kyc_synth_format f = fmt[i % 5];
		REQUIRE(turned_photo(9100 + (uint64_t)i / 4, i, KYC_SYNTH_CLASS_NONE, to, pitch, &d,
		                     &img) == 0);
		int exact, valid = tsmear_scan_valid(&img, &d, &exact);
		free(img.gray);
		printf("  %d: %s at %.1f°, %.1f px a cell: %s%s\n", i, kyc_synth_format_name(f), to,
		       pitch, exact ? "exact" : "not read", valid ? ", valid" : "");
		exact_n += exact;
		wrong_valid += valid && !exact;
	}
	printf("  %d of %d exact, %d valid but wrong\n", exact_n, DOCS, wrong_valid);
	CHECK(exact_n >= 10);
	CHECK(wrong_valid == 0);
}

/* Receipts, pages and card faces without an MRZ, turned the same way on
 * the same desk: the finer look reads their lines, and none is valid. */
TEST(no_mrz_turned_no_valid_reading)
{
	uint64_t s = 0x5EED24410001ull;
	for (int i = 0; i < 8; i++) {
		double to = 24 + 17 * draw(&s) + 90 * floor(4 * draw(&s));
		struct kyc_synth_doc d;
		struct kyc_image img;
		REQUIRE(turned_photo(9106, i, KYC_SYNTH_CLASS_NOMRZ, to, 0, &d, &img) == 0);
		int exact, valid = tsmear_scan_valid(&img, &d, &exact);
		free(img.gray);
		printf("  no MRZ %d at %.1f°: %s\n", i, to, valid ? "valid" : "not valid");
		CHECK(!valid);
	}
}

int main(void)
{
	RUN(small_mrz_turned_off_the_axes);
	RUN(no_mrz_turned_no_valid_reading);
	return test_done("reader_skew");
}
