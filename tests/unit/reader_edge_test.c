/* MRZ lines welded to print beside their ends (docs/reader.md, step 14,
 * "Lines merged with an edge"). A small MRZ on a card lying on printed
 * paper, at the frame's border, can have the paper's print a fraction of a
 * cell past both ends of every line (development seed 0x9112, edge level
 * 2, #23). Here level-0 documents of every format, from the test's own
 * seed, are put on a desk 2-2.6 times their size, the frame cut 0.3-0.8
 * glyph under the MRZ, and rows of dark glyph-sized dashes start 0.2-0.5
 * cell past one end of the MRZ and twice that past the other, as tall as
 * the MRZ and a glyph more each way, to the frame's border. The MRZ itself
 * is the generator's, untouched, so its truth holds. Photos without an MRZ
 * must give no valid reading. */
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

#define SEED 0x5EED0ED6E0E00ull
#define DOCS 15

static const enum kyc_synth_format fmt[] = {KYC_SYNTH_TD1, KYC_SYNTH_TD2, KYC_SYNTH_TD3,
                                            KYC_SYNTH_MRVA, KYC_SYNTH_MRVB};

/* A hash of a dash's place, for the print's pattern. */
static uint32_t mix(uint32_t a, uint32_t b, uint32_t s)
{
	uint32_t h = a * 0x9E3779B1u ^ (b + 0x7F4A7C15u) * 0x85EBCA77u ^ s * 0xC2B2AE3Du;
	h ^= h >> 15;
	h *= 0x2C1B3C6Du;
	return h ^ (h >> 12);
}

/* Level-0 photo i of SEED (format fmt[i % 5]) on a desk `grow` times its
 * size, `at` of the room before it, the frame cut `below` of a glyph under
 * the MRZ, with print (pattern pat) from `gap` cells past the MRZ's right
 * (else left) end and twice that past the other to the frame's border: its
 * gray pixels in *img (the caller frees img->gray), its truth in *d. 0; 1
 * when no print lies near the MRZ; or -1. */
static int beside_photo(int i, double gap, int right, uint32_t pat, double grow, double at,
                        double below, struct kyc_synth_doc *d, struct kyc_image *img)
{
	struct kyc_synth_image src;
	if (kyc_synth_render_class(SEED, i, 0, KYC_SYNTH_CLASS_NONE, fmt[i % 5], d, &src))
		return -1;
	/* the photo on a desk `grow` times its size (a small MRZ in a large
	 * photo: a few working pixels a cell), `at` of the room left of it */
	int cw = (int)(grow * src.w), ch = (int)(grow * src.h);
	int ox = (int)(at * (cw - src.w)), oy = (int)(at * (ch - src.h));
	for (int l = 0; l < d->id.nlines; l++)
		for (int c = 0; c < 4; c++) {
			d->line_quads[l][c][0] += ox;
			d->line_quads[l][c][1] += oy;
		}
	for (int c = 0; c < 4; c++) {
		d->mrz_quad[c][0] += ox;
		d->mrz_quad[c][1] += oy;
	}
	/* the frame's border `below` of a glyph under the MRZ's lowest corner */
	double low = 0;
	for (int c = 0; c < 4; c++)
		low = fmax(low, d->line_quads[d->id.nlines - 1][c][1]);
	int cut = (int)(low + below * hypot(d->line_quads[0][3][0] - d->line_quads[0][0][0],
	                                    d->line_quads[0][3][1] - d->line_quads[0][0][1]));
	ch = cut < ch ? cut : ch;
	d->width = cw;
	d->height = ch;
	int n = (int)strlen(d->id.lines[0]), rc = -1, last = d->id.nlines - 1;
	/* line 0's frame: u along it from its first cell's left edge, v across */
	const double(*q)[2] = d->line_quads[0];
	double ux = q[1][0] - q[0][0], uy = q[1][1] - q[0][1], len = hypot(ux, uy);
	ux /= len, uy /= len;
	double step = len / n, hgt = hypot(q[3][0] - q[0][0], q[3][1] - q[0][1]);
	double vlast = -(d->line_quads[last][3][0] - q[0][0]) * uy +
	               (d->line_quads[last][3][1] - q[0][1]) * ux;
	double ar = len + (right ? 1 : 2) * gap * step, al = -(right ? 2 : 1) * gap * step;
	memset(img, 0, sizeof *img);
	img->w = cw;
	img->h = ch;
	if (!(img->gray = malloc((size_t)cw * ch)))
		goto out;
	int inside = 0;
	for (int y = 0; y < ch; y++)
		for (int x = 0; x < cw; x++) {
			int sx = x - ox, sy = y - oy;
			const unsigned char *p = src.px + 3 * ((size_t)sy * src.w + sx);
			unsigned char v = 120; /* the desk */
			if (sx >= 0 && sy >= 0 && sx < src.w && sy < src.h)
				v = (unsigned char)lround(0.299 * p[0] + 0.587 * p[1] +
				                          0.114 * p[2]);
			double a = (x - q[0][0]) * ux + (y - q[0][1]) * uy;
			double b = -(x - q[0][0]) * uy + (y - q[0][1]) * ux;
			/* past the right end, or the left one (there further off) */
			double da = a >= ar ? a - ar : al - a;
			if (da >= 0 && b >= -hgt && b <= vlast + hgt) {
				/* dashes 0.6 cell wide, 0.75 of a glyph tall, on a grid
				 * of a cell by a glyph, three in five inked */
				double ca = da / step, cb = (b + hgt) / hgt;
				int ia = (int)ca, ib = (int)cb;
				if (mix((uint32_t)ia, (uint32_t)ib, pat) % 5 < 3 && ca - ia < 0.6 &&
				    cb - ib < 0.75)
					v = 50;
				inside += da < 6 * step;
			}
			img->gray[(size_t)y * cw + x] = v;
		}
	rc = inside ? 0 : 1;
	if (rc)
		kyc_image_free(img);
out:
	kyc_synth_image_release(&src);
	return rc;
}

/* At least 11 of 15 read exactly (base 0673546: 9, this branch 11), none
 * valid but wrong. */
TEST(mrz_lines_beside_print)
{
	struct kyc_synth__rng r; /* the test's own draws, from the generator's PRNG */
	kyc_synth__rng_seed(&r, SEED, 1);
	int exact_n = 0, wrong_valid = 0, kept = 0;
	for (int i = 0; i < 4 * DOCS && kept < DOCS; i++) {
		int right = kyc_synth__rng_int(&r, 0, 1);
		double gap = kyc_synth__rng_unif(&r, 0.2, 0.5);
		uint32_t pat = (uint32_t)kyc_synth__rng_int(&r, 0, 1 << 30);
		double grow = kyc_synth__rng_unif(&r, 2.0, 2.6), at = kyc_synth__rng_unif(&r, 0, 1);
		double below = kyc_synth__rng_unif(&r, 0.3, 0.8);
		struct kyc_synth_doc d;
		struct kyc_image img;
		int made = beside_photo(i, gap, right, pat, grow, at, below, &d, &img);
		REQUIRE(made >= 0);
		if (made)
			continue;
		kept++;
		int exact, valid = tsmear_scan_valid(&img, &d, &exact);
		kyc_image_free(&img);
		printf("  %d: %s, print %.2f cell past its %s end: %s%s\n", i,
		       kyc_synth_format_name(fmt[i % 5]), gap, right ? "right" : "left",
		       exact ? "exact" : "not read", valid ? ", valid" : "");
		exact_n += exact;
		wrong_valid += valid && !exact;
	}
	printf("  %d of %d exact, %d valid but wrong\n", exact_n, kept, wrong_valid);
	CHECK(kept == DOCS);
	CHECK(exact_n >= 11);
	CHECK(wrong_valid == 0);
}

/* Receipts, pages and card faces at level 2: no valid reading. */
TEST(no_mrz_no_valid_reading)
{
	CHECK(tsmear_nomrz_valid(SEED, 12, 2) == 0);
}

int main(void)
{
	RUN(mrz_lines_beside_print);
	RUN(no_mrz_no_valid_reading);
	return test_done("reader_edge");
}
