/* The black ink's plane, read when gray fails (docs/reader.md step 16): the
 * plane itself on known pixels, generated photos with a visa stamp's frame
 * in red, blue or violet ink across the MRZ (tests/lib/stamp.h) read as
 * uploads are, and photos gray reads or that hold no MRZ left as they were. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document/doc_read.h"
#include "document/image.h"
#include "document/reader.h"
#include "document/reader_ink.h"
#include "document/synth.h"
#include "mrz_fixtures.h"
#include "stamp.h"
#include "test.h"

#define STAMP_SEED 0x9112 /* a development seed */
#define STAMP_PHOTOS 8

TEST(the_plane_on_known_pixels)
{
	const unsigned char rgb[] = {
	    30,  30,  30,  /* black ink: its gray */
	    200, 200, 190, /* paper, chroma under the low bar: its gray */
	    230, 40,  50,  /* red stamp ink: its brightest channel */
	    60,  80,  210, /* blue stamp ink: the same */
	    150, 110, 110, /* chroma 40: between gray and the brightest */
	};
	unsigned char out[5];
	kyc_reader__ink_plane(rgb, 5, out);
	CHECK_INT(out[0], 30);
	CHECK_INT(out[1], (77 * 200 + 150 * 200 + 29 * 190 + 128) >> 8);
	CHECK_INT(out[2], 230);
	CHECK_INT(out[3], 210);
	int g = (77 * 150 + 150 * 110 + 29 * 110 + 128) >> 8;
	CHECK(out[4] > g && out[4] < 150);
}

/* Reads a stamped photo as an upload is read; 1 when it gave the truth's
 * lines, 0 when not, -1 when it could not be made. *valid: called valid. */
static int read_stamped(int i, int level, enum tstamp_ink ink, int keep, int *valid)
{
	struct kyc_synth_doc d;
	unsigned char *jpg;
	size_t len;
	*valid = 0;
	if (tstamp_photo(STAMP_SEED, i, level, KYC_SYNTH_CLASS_NONE, ink, &d, &jpg, &len))
		return -1;
	struct kyc_image_opts o = {.target_side = KYC_READER_DECODE_SIDE, .keep_bytes = keep};
	struct kyc_image img;
	int rc = kyc_image_decode(jpg, len, &o, &img, NULL);
	free(jpg);
	if (rc)
		return -1;
	struct kyc_doc_read rd;
	rc = kyc_doc_read(&img, today(), &rd);
	kyc_image_free(&img);
	if (rc)
		return -1;
	int exact = 0;
	if (rd.mrz) {
		json_t *lines = json_object_get(rd.mrz, "lines");
		exact = (int)json_array_size(lines) == d.id.nlines;
		for (int l = 0; exact && l < d.id.nlines; l++)
			exact = !strcmp(json_string_value(json_array_get(lines, (size_t)l)),
					d.id.lines[l]);
		*valid = json_is_true(json_object_get(rd.mrz, "valid"));
	}
	kyc_doc_read_release(&rd);
	printf("  stamp %d, level %d, ink %d, %s: %s%s\n", i, level, (int)ink,
	       keep ? "ink plane" : "gray only", exact ? "exact" : "not exact",
	       *valid ? ", valid" : "");
	return exact;
}

/* Stamps in coloured ink across the MRZ: the ink plane reads most that gray
 * cannot, and none is read valid but wrong. */
TEST(coloured_stamps_read_in_the_ink_plane)
{
	int gray = 0, ink = 0, wrong = 0;
	for (int i = 0; i < STAMP_PHOTOS; i++)
		for (int k = TSTAMP_RED; k <= TSTAMP_VIOLET; k++) {
			int valid, e = read_stamped(i, 0, (enum tstamp_ink)k, 0, &valid);
			REQUIRE(e >= 0);
			gray += e;
			wrong += valid && !e;
			e = read_stamped(i, 0, (enum tstamp_ink)k, 1, &valid);
			REQUIRE(e >= 0);
			ink += e;
			wrong += valid && !e;
		}
	printf("  exact of %d: gray %d, with the ink plane %d\n", 3 * STAMP_PHOTOS, gray, ink);
	CHECK(ink >= gray + STAMP_PHOTOS);
	CHECK_INT(wrong, 0);
}

/* A black stamp stays in every plane: not read, and not read wrongly. */
TEST(black_stamps_not_read_wrongly)
{
	for (int i = 0; i < STAMP_PHOTOS; i++) {
		int valid, e = read_stamped(i, 0, TSTAMP_BLACK, 1, &valid);
		REQUIRE(e >= 0);
		CHECK(!valid || e);
	}
}

/* Photos gray reads, and photos without an MRZ, scan alike with the bytes
 * kept: the same lines, the same reason. */
TEST(gray_readings_untouched)
{
	static const enum kyc_synth_class cls[] = {KYC_SYNTH_CLASS_NONE, KYC_SYNTH_CLASS_CLUTTER,
						   KYC_SYNTH_CLASS_NOMRZ};
	for (size_t c = 0; c < sizeof cls / sizeof cls[0]; c++)
		for (int i = 0; i < 4; i++) {
			struct kyc_synth_doc d;
			unsigned char *jpg;
			size_t len;
			REQUIRE(kyc_synth_make_class(STAMP_SEED, i, 1, cls[c], KYC_SYNTH_MIXED, &d,
						     &jpg, &len) == 0);
			struct kyc_reader_result r[2];
			int rc[2];
			for (int keep = 0; keep < 2; keep++) {
				struct kyc_image_opts o = {.target_side = KYC_READER_DECODE_SIDE,
							   .keep_bytes = keep};
				struct kyc_image img;
				REQUIRE(kyc_image_decode(jpg, len, &o, &img, NULL) == 0);
				rc[keep] = kyc_reader_scan(&img, &r[keep]);
				kyc_image_free(&img);
			}
			free(jpg);
			CHECK_INT(rc[1], rc[0]);
			CHECK_INT(r[1].reason, r[0].reason);
			CHECK_INT(r[1].nlines, r[0].nlines);
			for (int l = 0; l < r[0].nlines && l < r[1].nlines; l++)
				CHECK_STR(r[1].lines[l], r[0].lines[l]);
		}
}

int main(void)
{
	RUN(the_plane_on_known_pixels);
	RUN(coloured_stamps_read_in_the_ink_plane);
	RUN(black_stamps_not_read_wrongly);
	RUN(gray_readings_untouched);
	return test_done("reader_ink");
}
