/* A reading of other print does not end the locator's passes (docs/reader.md
 * step 14, "A reading of other print does not end the passes"): level-2
 * photos of development seeds 9100 and 9105 whose first pass laid a page's
 * or a receipt's lines out as an MRZ and read them as unsure glyphs, so the
 * passes stopped before the one that finds the MRZ (bench/README.md, "Issue
 * 11: perspective, rotation, edge, light and jpeg at level 2"); and photos
 * without an MRZ, which the later passes now also search, must still give no
 * reading. */
#include <stdint.h>

#include "document/reader.h"
#include "document/synth.h"
#include "synth_read.h"
#include "test.h"

/* A card among papers at about 60° (its MRZ found by the pass turned by
 * 45°), a passport at 73° whose lines the first pass ranks 5th and 6th, and
 * a passport at the frame's edge that the finer pass finds first. */
TEST(mrz_read_past_a_reading_of_other_print)
{
	CHECK(tsynth_reads_exactly(9100, 6, 2, KYC_SYNTH_CLASS_ROTATION));
	CHECK(tsynth_reads_exactly(9105, 4, 2, KYC_SYNTH_CLASS_ROTATION));
	CHECK(tsynth_reads_exactly(9105, 3, 2, KYC_SYNTH_CLASS_EDGE));
}

/* Receipts, pages and card faces: the later passes find their lines too,
 * and keep only a reading whose check digits hold on sure characters (the
 * first pass lays the print of photos 13 and 15 out as an MRZ). */
TEST(no_mrz_no_reading)
{
	for (int i = 0; i < 16; i++) {
		struct kyc_reader_result r;
		int exact;
		CHECK(tsynth_scan(9106, i, 2, KYC_SYNTH_CLASS_NOMRZ, &r, &exact) != 0);
	}
}

int main(void)
{
	RUN(mrz_read_past_a_reading_of_other_print);
	RUN(no_mrz_no_reading);
	return test_done("reader_unread");
}
