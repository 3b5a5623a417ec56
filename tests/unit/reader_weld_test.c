/* Lines welded into one blob, and a reading laid out short (docs/reader.md,
 * step 14, "Lines welded into one", "A format cut short"): level-1 photos
 * of development seeds 9100-9107 that the reader missed before
 * (bench/README.md, "Issue 11: the last misses at levels 0 and 1"): MRZs at
 * the card's edge whose two lines the locator found as one blob, and TD3s
 * laid out as 36 cells under glare or a shadow; photos without an MRZ,
 * whose pages weld lines too, must give no reading. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document/image.h"
#include "document/reader.h"
#include "document/synth.h"
#include "synth_read.h"
#include "test.h"

/* Scans photo i of class cls, level and seed into r; the scan's result, or
 * -1 when the photo could not be made. *exact: the truth's lines read. */

static int reads_exactly(uint64_t seed, int i, int level, enum kyc_synth_class cls)
{
	struct kyc_reader_result r;
	int exact;
	tsynth_scan(seed, i, level, cls, &r, &exact);
	return exact;
}

/* A passport at the frame's edge and a visa at the card's edge beside a
 * page: each MRZ's two lines are one located blob, too thick for a line. */
TEST(welded_lines_read_apart)
{
	CHECK(reads_exactly(9105, 4, 1, KYC_SYNTH_CLASS_EDGE));
	CHECK(reads_exactly(9107, 17, 1, KYC_SYNTH_CLASS_EDGE));
	/* and a visa's, whose second line a receipt continues: laid out loosely */
	CHECK(reads_exactly(9101, 0, 1, KYC_SYNTH_CLASS_EDGE));
}

/* Passports whose second line glare or a shadow washes out at one end: laid
 * out as 36 cells with failing check digits, read again on a longer band. */
TEST(a_cut_format_read_longer)
{
	CHECK(reads_exactly(9102, 4, 1, KYC_SYNTH_CLASS_LIGHT));
	CHECK(reads_exactly(9107, 6, 1, KYC_SYNTH_CLASS_LIGHT));
}

/* Receipts, pages and card faces: no reading. */
TEST(no_mrz_no_reading)
{
	for (int i = 0; i < 12; i++) {
		struct kyc_reader_result r;
		int exact;
		CHECK(tsynth_scan(9106, i, 1, KYC_SYNTH_CLASS_NOMRZ, &r, &exact) != 0);
	}
}

int main(void)
{
	RUN(welded_lines_read_apart);
	RUN(a_cut_format_read_longer);
	RUN(no_mrz_no_reading);
	return test_done("reader_weld");
}
