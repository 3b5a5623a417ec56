/* A located band that gave no layout, its columns' contrast stretched and
 * laid out again (kyc_reader__stretch, docs/reader.md step 14, "A band
 * washed by glare or shadow"): a constructed band whose right half a glare
 * band washed, and two level-2 light photos of development seeds 9103 and
 * 9105 that the reader did not read before (bench/README.md, "Issue 11:
 * washed bands stretched"). */
#include <stdlib.h>

#include "core/err.h"
#include "document/reader.h"
#include "document/reader_stretch.h"
#include "synth_read.h"
#include "test.h"

/* Strokes 4 px wide every 14 px on the middle rows of white paper, ink at
 * dark on the left half and at pale (washed) on the right half. */
static void draw(struct kyc_reader__band *b, int dark, int pale)
{
	for (int y = 0; y < b->h; y++)
		for (int x = 0; x < b->w; x++) {
			int ink = y >= b->h / 2 - 10 && y < b->h / 2 + 10 && x % 14 < 4;
			b->px[(size_t)y * b->w + x] =
			    (unsigned char)(!ink ? 255 : x < b->w / 2 ? dark : pale);
		}
}

TEST(washed_half_stretched)
{
	struct kyc_reader__band b = {.w = 420, .h = 200, .s = 1};
	b.px = malloc((size_t)b.w * b.h);
	CHECK(b.px != NULL);
	if (!b.px)
		return;
	draw(&b, 60, 215);
	CHECK_INT(kyc_reader__stretch(&b), 0);
	int mid = b.h / 2;
	/* a washed stroke as dark as the rest within the gain's cap, the
	 * paper left white, a dark stroke no paler than it was */
	unsigned char washed = b.px[(size_t)mid * b.w + 14 * 25];
	CHECK(washed <= 255 - (255 - 215) * 4 + 1);
	CHECK(b.px[(size_t)mid * b.w + 14 * 25 + 8] == 255);
	CHECK(b.px[(size_t)5 * b.w + 14 * 25] == 255);
	CHECK(b.px[(size_t)mid * b.w + 14 * 5] <= 60);
	/* a band of even contrast, ink black already, is left as it was */
	draw(&b, 0, 0);
	CHECK_INT(kyc_reader__stretch(&b), 0);
	CHECK(b.px[(size_t)mid * b.w + 14 * 25] == 0);
	CHECK(b.px[(size_t)mid * b.w + 14 * 25 + 8] == 255);
	free(b.px);
}

/* A visa's MRZ in a glare band: the located line stops where the glare
 * begins, and the longer band past it, flattened, leaves its glyphs too
 * pale for a layout. */
TEST(glare_washed_band_read)
{
	CHECK(tsynth_reads_exactly(9103, 8, 2, KYC_SYNTH_CLASS_LIGHT));
}

/* An ID card's MRZ half in a shadow, half in light. */
TEST(shadowed_band_read)
{
	CHECK(tsynth_reads_exactly(9105, 23, 2, KYC_SYNTH_CLASS_LIGHT));
}

int main(void)
{
	RUN(washed_half_stretched);
	RUN(glare_washed_band_read);
	RUN(shadowed_band_read);
	return test_done("reader_stretch");
}
