/* Where the grid reader finds a blurred PDF417's ends
 * (src/document/pdf417_ends.c): generated level-2 licence backs of
 * development seeds that the reader answered barcode_too_small for before
 * branch card15a, read as an upload is (kyc_synth_dl_upload), decode with
 * the card's data:
 *  - seed 1234567 #83 (1.20 px a module, the card in strong perspective):
 *    blur joins the start pattern's six one-module bars and spaces to its
 *    8-module bar, a dark run of about 13 modules that the start bar's old
 *    range (up to 11.5) refused;
 *  - seed 9203 #80 (1.68 px): the module measured on the card finder's
 *    quadrilateral is too far off for the bars' widths; found at another
 *    scale of it;
 *  - seed 9201 #87 (1.14 px; no_barcode_found before): its start bar,
 *    joined by blur, is twice its stop bar, which kept the barcode finder
 *    from seeing the symbol at all (kyc_pdf417_bars_module), and at the
 *    module first measured a codeword's bar after it was taken for the
 *    start bar;
 *  - seed 1234567 #63 (1.73 px): the card finder's box cuts the symbol's
 *    top rows and is turned about 3 degrees off it;
 *  - seed 9201 #94 (1.33 px; no_barcode_found before branch dl15): on the
 *    rectified card its joined start bar is about twice its stop bar, so
 *    no symbol was seen and the grid reader never ran; the last try
 *    measures the box again with the looser ratio (src/document/dl_scan.c,
 *    scan_joined).
 *  - seed 9207 #55 (1.97 px): a shadow across the card's left end darkens
 *    the symbol's codewords there under the ink threshold of the columns
 *    averaged: the barcode finder took their run for a wide bar, and the
 *    grid reader's start bar took them in (found at a wrong scale). The
 *    finder now also looks at its columns as shares of the paper around
 *    them, and the grid reader tries the ends found on its warp so divided
 *    (branch dl16);
 *  - seed 9210 #45 (1.41 px, no card candidate): found so by the finder;
 *  - seed 9202 #36 (1.25 px): a glare over the top rows' middle codewords;
 *    the codeword matcher lets a codeword's contrast fall to 0.4 of its
 *    row's (was 0.6), and the ends found on the divided warp, a few
 *    hundredths of a module off the first, leave 8 codewords wrong where
 *    those left 9;
 *  - seed 9213 #81 (1.40 px, the card at the picture's edge, found by the
 *    barcode finder only): the card put around the symbol measured its
 *    module 7 % under; the grid reader is tried with the finder's own;
 *  - seeds 9202 #62, 9214 #77 and 9216 #59 (1.01-1.09 px): a glare over
 *    part of the symbol lifts its codewords' ink there; read by the
 *    contrast matcher's last tries (pdf417_match.h, branch dl17).
 * A licence front is never taken for a symbol (seed 4712). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "document/card_dl_aamva.h"
#include "document/image.h"
#include "document/reader.h"
#include "document/synth_dl.h"
#include "document/tess.h"
#include "test.h"

/* The back (or front) of card index of seed at level 2, read as an upload
 * is: 1 when its barcode decodes with the card's number, 0 when not; the
 * module drawn in *module_px. */
static int reads(uint64_t seed, int index, enum kyc_card_side side, double *module_px)
{
	struct kyc_dl_card c;
	struct kyc_image im;
	kyc_synth_dl_card(seed, index, &c);
	if (kyc_synth_dl_upload(seed, index, 2, side, &c, KYC_READER_DECODE_SIDE, &im, NULL,
	                        module_px))
		return -1;
	int err = 0;
	json_t *x = kyc_dl_read(NULL, &im, &err);
	kyc_image_free(&im);
	if (!x)
		return -1;
	const char *num = json_string_value(json_object_get(
	    json_object_get(json_object_get(x, "fields"), "document_number"), "value"));
	int ok = json_is_true(json_object_get(x, "barcode_found")) && num &&
	         !strcmp(num, c.document_number);
	json_decref(x);
	return ok;
}

/* Back `index` of `seed` at level 2 is read, its module under `below` px. */
static int reads_small_back(uint64_t seed, int index, double below)
{
	double module = 0;
	int ok = reads(seed, index, KYC_CARD_BACK, &module) == 1 && module < below;
	kyc_tess_thread_release();
	return ok;
}

TEST(start_bar_joined_by_blur)
{
	CHECK(reads_small_back(1234567, 83, 1.3));
}

TEST(start_bar_twice_the_stop_bar)
{
	CHECK(reads_small_back(9201, 87, 1.2));
}

TEST(no_symbol_seen_but_bars_joined)
{
	CHECK(reads_small_back(9201, 94, 1.4));
}

TEST(box_cutting_the_symbol)
{
	CHECK(reads_small_back(1234567, 63, 1.8));
}

TEST(module_off_found_at_another_scale)
{
	CHECK(reads_small_back(9203, 80, 1.75));
}

/* shadow, glare, a module measured off (branch dl16, the header's last
 * four); a glare over modules of about one pixel (branch dl17, the last) */
TEST(uneven_light)
{
	static const struct {
		uint64_t seed;
		int index;
		double below;
	} backs[] = {{9207, 55, 2.0}, {9210, 45, 1.5}, {9202, 36, 1.3}, {9213, 81, 1.5},
	             {9202, 62, 1.1}, {9214, 77, 1.1}, {9216, 59, 1.1}};
	for (size_t i = 0; i < sizeof backs / sizeof backs[0]; i++)
		CHECK(reads_small_back(backs[i].seed, backs[i].index, backs[i].below));
}

/* a front has no symbol: the wider ranges must not make one of its print */
TEST(front_is_no_symbol)
{
	struct kyc_dl_card c;
	struct kyc_image im;
	kyc_synth_dl_card(4712, 3, &c);
	REQUIRE(!kyc_synth_dl_upload(4712, 3, 2, KYC_CARD_FRONT, &c, KYC_READER_DECODE_SIDE, &im,
	                             NULL, NULL));
	int err = 0;
	json_t *x = kyc_dl_read(NULL, &im, &err);
	kyc_image_free(&im);
	REQUIRE(x);
	CHECK(!json_is_true(json_object_get(x, "barcode_found")));
	json_decref(x);
	kyc_tess_thread_release();
}

int main(void)
{
	RUN(start_bar_joined_by_blur);
	RUN(module_off_found_at_another_scale);
	RUN(start_bar_twice_the_stop_bar);
	RUN(box_cutting_the_symbol);
	RUN(no_symbol_seen_but_bars_joined);
	RUN(uneven_light);
	RUN(front_is_no_symbol);
	return test_done("pdf417_ends");
}
