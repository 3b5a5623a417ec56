/* An MRZ never located by the first pass, thin grey print that the lower
 * ink margin of the faint pass finds only in stretches (docs/reader.md step
 * 14, "The faint pass's lines in pieces"): generated level-2 photos of
 * development seeds that gave no reading before, read once the faint pass's
 * pieces are joined; and generated photos without an MRZ, which the join
 * must never read as one. */
#include <stdint.h>
#include <stdio.h>

#include "document/image.h"
#include "document/reader.h"
#include "document/synth.h"
#include "synth_read.h"
#include "test.h"

/* Whether the first pass's lines (as the scan locates them) miss photo i's
 * MRZ: none has its centre inside the MRZ's box. -1 when the photo cannot
 * be made. */
static int first_pass_misses(uint64_t seed, int i, enum kyc_synth_class cls)
{
	struct kyc_synth_doc d;
	struct kyc_image img;
	if (tsynth_photo(seed, i, 2, cls, &d, &img))
		return -1;
	struct kyc_reader__cand c[16];
	double luma, sc = (double)img.w / d.width;
	int nc = kyc_reader__locate(img.gray, img.w, img.h, img.w, c, 16, &luma), inside = 0;
	for (int q = 0; q < nc && !inside; q++) {
		int pos = 0, neg = 0;
		for (int e = 0; e < 4; e++) {
			const double *a = d.mrz_quad[e], *b = d.mrz_quad[(e + 1) % 4];
			double x = c[q].cx / sc, y = c[q].cy / sc;
			double cr = (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]);
			pos += cr > 0;
			neg += cr < 0;
		}
		inside = pos == 4 || neg == 4;
	}
	kyc_image_free(&img);
	return !inside;
}

/* Thin grey print (strokes thinned, ink at grey 75) turned by 106° and
 * shaken: the first pass finds no line of it, the faint pass finds its
 * lines cut in pieces, and joined they read as printed (no reading
 * before: `no_mrz_found`). */
TEST(thin_grey_mrz_read_from_faint_pieces)
{
	CHECK(first_pass_misses(9104, 2, KYC_SYNTH_CLASS_MIXED) == 1);
	CHECK(tsynth_reads_exactly(9104, 2, 2, KYC_SYNTH_CLASS_MIXED));
}

/* Photos without an MRZ of two development seeds at level 2: the faint
 * pass's joined lines are a desk's grain and a page's print there, and no
 * reading of them may hold every check digit. */
TEST(no_mrz_photos_not_read)
{
	int held = 0;
	for (uint64_t seed = 9100; seed <= 9101; seed++)
		for (int i = 0; i < 12; i++) {
			struct kyc_reader_result r;
			int exact, rc = tsynth_scan(seed, i, 2, KYC_SYNTH_CLASS_NOMRZ, &r, &exact);
			REQUIRE(rc != -1);
			held += rc == 0 && r.checks_total > 0 && r.checks_ok == r.checks_total;
		}
	CHECK_INT(held, 0);
}

int main(void)
{
	RUN(thin_grey_mrz_read_from_faint_pieces);
	RUN(no_mrz_photos_not_read);
	return test_done("reader_faint");
}
