/* kyc_reader__ink_local against the definition, computed the slow way: a
 * pixel is ink when darker than the mean of its clipped (2r+1)² window (the
 * float product and truncation the reader has always taken) by mean/div +
 * add. Random images of odd sizes (the vector loop's tails, windows wider
 * than the image), the band's radius and others (one whose column sums pass
 * 16 bits), divisors with and without an exact multiply-and-shift, and a
 * shaded image whose mask must follow the strokes, not the shade. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "document/reader.h"
#include "test.h"

static void naive(const unsigned char *s, int w, int h, int r, int div, int add, unsigned char *m)
{
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			uint32_t sum = 0, n = 0;
			for (int yy = y - r; yy <= y + r; yy++)
				for (int xx = x - r; xx <= x + r; xx++)
					if (yy >= 0 && xx >= 0 && yy < h && xx < w) {
						sum += s[yy * w + xx];
						n++;
					}
			int mean = (int)((float)sum * (1.0f / (float)n));
			m[y * w + x] = s[y * w + x] < mean - mean / div - add;
		}
}

static uint32_t rng = 4711;
static unsigned rnd(void)
{
	rng = rng * 1664525u + 1013904223u;
	return rng >> 24;
}

TEST(matches_definition)
{
	static const int sizes[][2] = {{1, 1},   {5, 3},   {17, 9},  {41, 41},
	                               {64, 16}, {77, 50}, {130, 45}};
	static const int radii[] = {0, 1, 3, 20, 70, 130};
	static const int da[][2] = {{10, 6}, {7, 8}, {14, 4}, {3, 0}, {10, -3}};
	for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
		for (size_t ri = 0; ri < sizeof radii / sizeof radii[0]; ri++)
			for (size_t di = 0; di < sizeof da / sizeof da[0]; di++) {
				int w = sizes[si][0], h = sizes[si][1], n = w * h;
				unsigned char *s = malloc((size_t)n), *want = malloc((size_t)n);
				unsigned char *got = malloc((size_t)n);
				uint32_t *ii = malloc(sizeof(uint32_t) * (2 * (size_t)w + 1));
				REQUIRE(s && want && got && ii);
				/* smooth areas (means near the threshold) and noise */
				for (int i = 0; i < n; i++)
					s[i] = (unsigned char)(i % 3 ? 120 + rnd() % 40 : rnd());
				naive(s, w, h, radii[ri], da[di][0], da[di][1], want);
				kyc_reader__ink_local(s, w, h, ii, radii[ri], da[di][0], da[di][1],
				                      got);
				CHECK(memcmp(want, got, (size_t)n) == 0);
				free(s), free(want), free(got), free(ii);
			}
}

TEST(strokes_under_a_shade)
{
	enum { W = 90, H = 40 };
	unsigned char s[W * H], m[W * H];
	uint32_t ii[2 * W + 1];
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) /* paper darkening to the right */
			s[y * W + x] = (unsigned char)(230 - x);
	for (int y = 15; y < 25; y++) {
		s[y * W + 10] = 60; /* a stroke on bright paper */
		s[y * W + 80] = 60; /* and one in the shade */
	}
	kyc_reader__ink_local(s, W, H, ii, 8, 10, 6, m);
	CHECK_INT(m[20 * W + 10], 1);
	CHECK_INT(m[20 * W + 80], 1);
	int paper = 0;
	for (int i = 0; i < W * H; i++)
		paper += m[i];
	CHECK_INT(paper, 20); /* the shade itself is not ink */
}

int main(void)
{
	RUN(matches_definition);
	RUN(strokes_under_a_shade);
	return test_done("ink_local");
}
