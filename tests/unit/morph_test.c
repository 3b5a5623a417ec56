/* kyc_morph_closing against the definition, computed the slow way: the max
 * over each clipped (2r+1)² window, then the min of that over the same
 * windows. Random images of odd sizes (the vector loops' tails), a range of
 * radii, and the properties the reader relies on: thin dark strokes vanish
 * from the closing, a dark area wider than the window stays. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/morph.h"
#include "test.h"

static void naive_extreme(const unsigned char *s, int w, int h, int r, int want_max,
                          unsigned char *d)
{
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			int v = want_max ? 0 : 255;
			for (int yy = y - r; yy <= y + r; yy++)
				for (int xx = x - r; xx <= x + r; xx++) {
					if (yy < 0 || xx < 0 || yy >= h || xx >= w)
						continue;
					int p = s[yy * w + xx];
					v = want_max ? (p > v ? p : v) : (p < v ? p : v);
				}
			d[y * w + x] = (unsigned char)v;
		}
}

static uint32_t rng = 12345;
static unsigned rnd(void)
{
	rng = rng * 1664525u + 1013904223u;
	return rng >> 24;
}

TEST(matches_definition)
{
	static const int sizes[][2] = {{1, 1}, {1, 7}, {7, 1}, {17, 5}, {33, 31}, {64, 16}, {45, 70}};
	static const int radii[] = {0, 1, 2, 3, 5, 10, 40};
	for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
		for (size_t ri = 0; ri < sizeof radii / sizeof radii[0]; ri++) {
			int w = sizes[si][0], h = sizes[si][1], r = radii[ri], n = w * h;
			unsigned char *s = malloc((size_t)n), *mid = malloc((size_t)n);
			unsigned char *want = malloc((size_t)n), *got = malloc((size_t)n);
			REQUIRE(s && mid && want && got);
			for (int i = 0; i < n; i++)
				s[i] = (unsigned char)rnd();
			naive_extreme(s, w, h, r, 1, mid);
			naive_extreme(mid, w, h, r, 0, want);
			CHECK_INT(kyc_morph_closing(s, w, h, r, got), 0);
			CHECK(memcmp(want, got, (size_t)n) == 0);
			free(s), free(mid), free(want), free(got);
		}
}

TEST(strokes_vanish_wide_dark_stays)
{
	enum { W = 60, H = 40 };
	unsigned char s[W * H], c[W * H];
	memset(s, 220, sizeof s);
	for (int y = 10; y < 30; y++) {
		s[y * W + 12] = s[y * W + 13] = 30; /* a stroke 2 px thick */
		for (int x = 40; x < W; x++)
			s[y * W + x] = 90; /* a desk 20 px wide */
	}
	CHECK_INT(kyc_morph_closing(s, W, H, 3, c), 0);
	CHECK_INT(c[20 * W + 12], 220);
	CHECK_INT(c[20 * W + 50], 90);
	CHECK_INT(c[20 * W + 40], 90); /* the step stays where it was */
	CHECK_INT(c[20 * W + 39], 220);
}

TEST(bad_arguments)
{
	unsigned char p[4] = {0};
	CHECK_INT(kyc_morph_closing(NULL, 2, 2, 1, p), KYC_ERR_INVALID);
	CHECK_INT(kyc_morph_closing(p, 0, 2, 1, p + 1), KYC_ERR_INVALID);
	CHECK_INT(kyc_morph_closing(p, 2, 2, -1, p), KYC_ERR_INVALID);
	CHECK_INT(kyc_morph_closing(p, 2, 2, 256, p), KYC_ERR_INVALID);
}

int main(void)
{
	RUN(matches_definition);
	RUN(strokes_vanish_wide_dark_stays);
	RUN(bad_arguments);
	return test_done("morph");
}
