/* The card reader on generated Egyptian ID cards with known ground truth:
 * the card is found where the generator put it, the number and the names
 * are read, a card lying upside down or on its side is turned, an empty
 * photo has no card, a card is read where identification found it,
 * a side sent alone is read against the other's known number, the
 * serial and the back's closed lists are read on level-1 cards, an open
 * field is accepted only when two of its readings agree, a blank optional
 * field is not read, a word-final ى with dots under it is not accepted, a
 * card pushed into the corner of a white sheet is found, the fields' boxes
 * follow the number's line on a card found a little off, a printed
 * birth date misread against the number is not accepted, and the
 * generator's cards are consistent with their own numbers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/err.h"
#include "document/card.h"
#include "document/card_eg_nid.h"
#include "document/card_identify.h"
#include "document/synth_card.h"
#include "document/tess.h"
#include "specimen.h"
#include "test.h"

#define SEED 77

/* Card index's side of seed at level as a decoded photo, and where its
 * corners are. */
static int photo_of(uint64_t seed, int level, int index, enum kyc_card_side side,
		    const struct kyc_egnid_card *c, struct kyc_image *img,
		    struct kyc_synth_card_shot *shot)
{
	struct kyc_synth_image im;
	unsigned char *jpg = NULL;
	size_t len = 0;
	int rc = kyc_synth_egnid_render(seed, index, level, side, c, shot, &im);
	if (!rc)
		rc = kyc_synth_jpeg(&im, shot->quality, &jpg, &len);
	kyc_synth_image_release(&im);
	if (!rc)
		rc = kyc_image_decode(jpg, len, NULL, img, NULL);
	free(jpg);
	return rc;
}

/* The same of this file's SEED at level 0. */
static int photo(int index, enum kyc_card_side side, const struct kyc_egnid_card *c,
		 struct kyc_image *img, struct kyc_synth_card_shot *shot)
{
	return photo_of(SEED, 0, index, side, c, img, shot);
}

TEST(generator_consistent)
{
	for (int i = 1; i <= 50; i++) {
		struct kyc_egnid_card c;
		const char *codes[4];
		kyc_synth_egnid_card(SEED, i, &c);
		CHECK_INT(strlen(c.national_number), 14);
		CHECK_INT(kyc_egnid_cross_check(&c, codes, 4), 0);
	}
}

TEST(find_and_read)
{
	struct kyc_egnid_card c;
	struct kyc_image img;
	struct kyc_synth_card_shot shot;
	kyc_synth_egnid_card(SEED, 3, &c);
	REQUIRE(photo(3, KYC_CARD_FRONT, &c, &img, &shot) == 0);
	double q[4][2];
	REQUIRE(kyc_card_find(&img, 85.6 / 54, q) == 0);
	double px_per_mm = hypot(shot.quad[1][0] - shot.quad[0][0], shot.quad[1][1] - shot.quad[0][1]) / 85.6;
	for (int k = 0; k < 4; k++)
		CHECK(hypot(q[k][0] - shot.quad[k][0], q[k][1] - shot.quad[k][1]) < 1.5 * px_per_mm);
	int err;
	json_t *x = kyc_egnid_read(&img, NULL, &err);
	REQUIRE(x != NULL);
	json_t *f = json_object_get(x, "fields");
	CHECK_STR(json_string_value(json_object_get(json_object_get(f, "national_number"), "value")),
		  c.national_number);
	CHECK(json_is_true(json_object_get(json_object_get(f, "national_number"), "accepted")));
	CHECK_STR(json_string_value(json_object_get(json_object_get(f, "rest_name"), "value")),
		  c.rest_name);
	json_decref(x);

	/* the same photo turned by half a turn */
	struct kyc_image rot = img;
	rot.gray = malloc((size_t)img.w * (size_t)img.h);
	REQUIRE(rot.gray != NULL);
	rot.rgb = NULL;
	for (size_t i = 0, n = (size_t)img.w * (size_t)img.h; i < n; i++)
		rot.gray[i] = img.gray[n - 1 - i];
	struct kyc_card_result r;
	REQUIRE(kyc_card_read(&rot, &kyc_card_tpl_eg_nid, KYC_CARD_FRONT, &r) == 0);
	CHECK(r.found);
	CHECK(r.upside_down);
	for (int i = 0; i < kyc_card_tpl_eg_nid.nfields; i++)
		if (!strcmp(kyc_card_tpl_eg_nid.fields[i].name, "national_number"))
			CHECK_STR(r.values[i].text, c.national_number);
	free(rot.gray);

	/* and by a quarter turn either way */
	for (int turn = 1; turn <= 3; turn += 2) {
		struct kyc_image side_on = img;
		side_on.rgb = NULL, side_on.w = img.h, side_on.h = img.w;
		side_on.gray = malloc((size_t)img.w * (size_t)img.h);
		REQUIRE(side_on.gray != NULL);
		for (int row = 0; row < img.h; row++)
			for (int col = 0; col < img.w; col++) {
				/* clockwise: (col, row) -> (h-1-row, col); anticlockwise: (row, w-1-col) */
				int X = turn == 1 ? img.h - 1 - row : row, Y = turn == 1 ? col : img.w - 1 - col;
				side_on.gray[(size_t)Y * (size_t)side_on.w + (size_t)X] =
				    img.gray[(size_t)row * (size_t)img.w + (size_t)col];
			}
		REQUIRE(kyc_card_read(&side_on, &kyc_card_tpl_eg_nid, KYC_CARD_FRONT, &r) == 0);
		CHECK(r.found);
		for (int i = 0; i < kyc_card_tpl_eg_nid.nfields; i++)
			if (!strcmp(kyc_card_tpl_eg_nid.fields[i].name, "national_number") ||
			    !strcmp(kyc_card_tpl_eg_nid.fields[i].name, "first_name"))
				CHECK_STR(r.values[i].text, !strcmp(kyc_card_tpl_eg_nid.fields[i].name, "first_name")
								? c.first_name : c.national_number);
		free(side_on.gray);
	}
	kyc_image_free(&img);
}

TEST(no_card)
{
	unsigned char *g = malloc(640 * 480);
	REQUIRE(g != NULL);
	for (int i = 0; i < 640 * 480; i++)
		g[i] = (unsigned char)(60 + (i % 640) / 8); /* a plain gradient desk */
	struct kyc_image img;
	REQUIRE(kyc_image_from_gray(g, 640, 480, 640, &img) == 0);
	free(g);
	struct kyc_card_result r;
	CHECK_INT(kyc_card_read(&img, &kyc_card_tpl_eg_nid, KYC_CARD_FRONT, &r), 0);
	CHECK(!r.found);
	CHECK_STR(r.reason, "no_card_found");
	kyc_image_free(&img);
}

/* Photos without an Egyptian ID (other cards, receipts, pages of text,
 * portraits, bare desks): no side's number is taken for one, although the
 * likeliest valid number of any line of 14 pieces always decodes, even
 * when a card's number is given as the other side's. */
TEST(not_an_egyptian_id)
{
	struct kyc_egnid_card c;
	kyc_synth_egnid_card(SEED, 7, &c);
	for (int i = 1; i <= 6; i++) {
		struct kyc_synth_doc truth;
		unsigned char *jpg = NULL;
		size_t len = 0;
		REQUIRE(kyc_synth_make_class(SEED, i, 0, KYC_SYNTH_CLASS_NOMRZ, KYC_SYNTH_TD1, &truth, &jpg,
					     &len) == 0);
		struct kyc_image img;
		REQUIRE(kyc_image_decode(jpg, len, NULL, &img, NULL) == 0);
		free(jpg);
		int err;
		json_t *x = kyc_egnid_read(&img, NULL, &err);
		REQUIRE(x != NULL);
		CHECK(json_is_false(json_object_get(x, "number_valid")));
		CHECK(json_is_false(json_object_get(json_object_get(json_object_get(x, "fields"),
								    "national_number"),
						    "accepted")));
		json_decref(x);
		/* nor by being given a card's number as the other side's */
		x = kyc_egnid_read_known(NULL, NULL, &img, NULL, c.national_number, &err);
		REQUIRE(x != NULL);
		CHECK(json_is_false(json_object_get(x, "number_valid")));
		json_decref(x);
		kyc_image_free(&img);
	}
}

/* The upload path reads the card where identification found it, upright
 * (kyc_egnid_read_at): on both sides, one of them half-turned in its photo,
 * the fields are the card's, as when the reader finds the card itself. */
TEST(read_where_identified)
{
	struct kyc_egnid_card c;
	struct kyc_image f, b;
	struct kyc_synth_card_shot shot;
	kyc_synth_egnid_card(SEED, 5, &c);
	REQUIRE(photo(5, KYC_CARD_FRONT, &c, &f, &shot) == 0);
	REQUIRE(photo(5, KYC_CARD_BACK, &c, &b, &shot) == 0);
	for (size_t i = 0, n = (size_t)b.w * (size_t)b.h; i < n / 2; i++) {
		unsigned char t = b.gray[i];
		b.gray[i] = b.gray[n - 1 - i], b.gray[n - 1 - i] = t;
	}
	struct kyc_card_identity idf, idb;
	REQUIRE(kyc_card_identify_number(&f, &idf) == 0);
	REQUIRE(kyc_card_identify_number(&b, &idb) == 0);
	REQUIRE(idf.tpl == &kyc_card_tpl_eg_nid && idf.side == KYC_CARD_FRONT);
	REQUIRE(idb.tpl == &kyc_card_tpl_eg_nid && idb.side == KYC_CARD_BACK);
	CHECK_INT(idb.rotation, 180);
	int err;
	json_t *x = kyc_egnid_read_at(&f, (const double(*)[2])idf.quad, &b,
				      (const double(*)[2])idb.quad, &err);
	REQUIRE(x != NULL);
	json_t *fl = json_object_get(x, "fields");
#define VALUE(name) json_string_value(json_object_get(json_object_get(fl, name), "value"))
	CHECK_STR(VALUE("national_number"), c.national_number);
	CHECK_STR(VALUE("national_number_back"), c.national_number);
	CHECK_STR(VALUE("rest_name"), c.rest_name);
	CHECK_STR(VALUE("profession"), c.profession);
	CHECK_STR(VALUE("expiry_date"), c.expiry_date);
#undef VALUE
	CHECK_INT((int)json_array_size(json_object_get(x, "contradictions")), 0);
	json_decref(x);
	kyc_image_free(&f);
	kyc_image_free(&b);
}

/* A side uploaded alone after the other (the server's path) with the
 * number that side accepted (kyc_egnid_read_known): the same number is
 * taken and accepted; another valid number read surely against it is a
 * number_front_back contradiction, the side keeping its own; a number of
 * the wrong form is ignored (photos without a card given a number:
 * not_an_egyptian_id). */
TEST(side_with_known_number)
{
	struct kyc_egnid_card c;
	struct kyc_image b;
	struct kyc_synth_card_shot shot;
	kyc_synth_egnid_card(SEED, 7, &c);
	REQUIRE(photo(7, KYC_CARD_BACK, &c, &b, &shot) == 0);
	char other[15];
	memcpy(other, c.national_number, 15);
	other[10] = (char)('0' + (other[10] - '0' + 5) % 10); /* the sequence: still valid */
	const char *given[] = {c.national_number, other, "12345"};
	for (int k = 0; k < 3; k++) {
		int err;
		json_t *x = kyc_egnid_read_known(NULL, NULL, &b, NULL, given[k], &err);
		REQUIRE(x != NULL);
		json_t *n = json_object_get(json_object_get(x, "fields"), "national_number_back");
		CHECK_STR(json_string_value(json_object_get(n, "value")), c.national_number);
		CHECK(json_is_true(json_object_get(n, "accepted")));
		CHECK(json_is_true(json_object_get(x, "number_valid")));
		json_t *contra = json_object_get(x, "contradictions");
		int front_back = 0;
		for (size_t i = 0; i < json_array_size(contra); i++)
			front_back |= !strcmp(json_string_value(json_array_get(contra, i)), "number_front_back");
		CHECK_INT(front_back, k == 1);
		json_decref(x);
	}
	kyc_image_free(&b);
}

#define CARDS 20

static int field_index(const char *name)
{
	for (int i = 0; i < kyc_card_tpl_eg_nid.nfields; i++)
		if (!strcmp(kyc_card_tpl_eg_nid.fields[i].name, name))
			return i;
	return -1;
}

/* The Egyptian ID's weakest fields on generated level-1 cards of development
 * seeds (docs/card.md, "The serial and the closed lists"). Before branch
 * card15b, Tesseract's O for 0 and I for 1 had 3 of these 20 serials
 * accepted wrong, and a short word read cut lost 2 of 20 genders and 2 of 20
 * marital statuses.
 *
 * Seed 9301's fronts: every serial accepted is the card's, and at most one
 * of 20 is not read exactly. */
TEST(serial_by_its_form)
{
	int k = field_index("serial"), exact = 0, wrong = 0;
	REQUIRE(k >= 0);
	for (int i = 1; i <= CARDS; i++) {
		struct kyc_egnid_card c;
		struct kyc_image img;
		struct kyc_synth_card_shot shot;
		kyc_synth_egnid_card(9301, i, &c);
		REQUIRE(photo_of(9301, 1, i, KYC_CARD_FRONT, &c, &img, &shot) == 0);
		struct kyc_card_result r;
		REQUIRE(kyc_card_read(&img, &kyc_card_tpl_eg_nid, KYC_CARD_FRONT, &r) == 0);
		int ok = !strcmp(r.values[k].text, c.serial);
		exact += ok;
		wrong += !ok && r.values[k].accepted;
		kyc_image_free(&img);
	}
	CHECK_INT(wrong, 0);
	CHECK(exact >= CARDS - 1);
}

/* Seed 9300's backs, each read alone: gender, religion and marital status
 * exact on at least 19 of 20 (one back the finder places a little off),
 * none accepted wrong. */
TEST(closed_lists)
{
	static const char *const names[] = {"gender", "religion", "marital_status"};
	int exact[3] = {0}, wrong[3] = {0};
	for (int i = 1; i <= CARDS; i++) {
		struct kyc_egnid_card c;
		struct kyc_image img;
		struct kyc_synth_card_shot shot;
		kyc_synth_egnid_card(9300, i, &c);
		REQUIRE(photo_of(9300, 1, i, KYC_CARD_BACK, &c, &img, &shot) == 0);
		int err;
		json_t *x = kyc_egnid_read(NULL, &img, &err);
		REQUIRE(x != NULL);
		const char *want[3] = {c.gender, c.religion, c.marital_status};
		for (int k = 0; k < 3; k++) {
			json_t *v = json_object_get(json_object_get(x, "fields"), names[k]);
			const char *got = json_string_value(json_object_get(v, "value"));
			int ok = got && !strcmp(got, want[k]);
			exact[k] += ok;
			wrong[k] += !ok && json_is_true(json_object_get(v, "accepted"));
		}
		json_decref(x);
		kyc_image_free(&img);
	}
	for (int k = 0; k < 3; k++) {
		CHECK_INT(wrong[k], 0);
		CHECK(exact[k] >= CARDS - 1);
	}
}

/* The open fields (names, address, profession) have no list or check digit:
 * one reading alone is a guess however sure (docs/card.md, "Open fields: two
 * readings must agree"). Development seeds' cards whose first name رانيا
 * Tesseract's language model read وانيا at 86-91 % (accepted wrong before
 * branch card16): never accepted wrong. Short words the line mode drops
 * at most sizes (سمر, سلمى, طبيبة بشرية: read at one size only before, then
 * accepted from that one reading): read again by the block mode and still
 * accepted. */
TEST(open_fields_agreed)
{
	static const struct {
		uint64_t seed;
		int level, index;
		const char *field;
	} cards[] = {
	    {9300, 0, 8, "first_name"},  {9300, 1, 69, "first_name"}, {9301, 0, 76, "first_name"},
	    {9301, 0, 95, "first_name"}, {9301, 1, 76, "first_name"}, {9301, 1, 95, "first_name"},
	    {9300, 0, 10, "first_name"}, {9300, 0, 75, "first_name"}, {9300, 0, 5, "profession"},
	    {9300, 0, 8, "profession"},
	};
	int wrong = 0, accepted_right = 0, short_words = 0;
	for (size_t i = 0; i < sizeof cards / sizeof cards[0]; i++) {
		struct kyc_egnid_card c;
		struct kyc_image img;
		struct kyc_synth_card_shot shot;
		int k = field_index(cards[i].field), back = !strcmp(cards[i].field, "profession");
		REQUIRE(k >= 0);
		kyc_synth_egnid_card(cards[i].seed, cards[i].index, &c);
		REQUIRE(photo_of(cards[i].seed, cards[i].level, cards[i].index,
				 back ? KYC_CARD_BACK : KYC_CARD_FRONT, &c, &img, &shot) == 0);
		struct kyc_card_result r;
		REQUIRE(kyc_card_read(&img, &kyc_card_tpl_eg_nid,
				      back ? KYC_CARD_BACK : KYC_CARD_FRONT, &r) == 0);
		const char *want = back ? c.profession : c.first_name;
		int ok = !strcmp(r.values[k].text, want);
		wrong += !ok && r.values[k].accepted;
		accepted_right += ok && r.values[k].accepted;
		short_words += i >= 6 && ok && r.values[k].accepted;
		kyc_image_free(&img);
	}
	CHECK_INT(wrong, 0);
	CHECK_INT(short_words, 4);
	CHECK(accepted_right >= 8);
}

/* An optional field left blank (the husband's name of a holder who is not
 * a married woman) is not read at all: before branch card17 every opinion
 * of an open field read its empty box (a tenth of a card's time) and
 * answered specks ("ا", "ا ا وا ار"). Seed 9300's level-1 backs 1-4, 11
 * and 12: the husband's name of the three married women (2, 11, 12) read
 * and accepted, the others not read. */
TEST(blank_optional_field)
{
	static const int index[] = {1, 2, 3, 4, 11, 12};
	int k = field_index("husband_name"), married = 0;
	REQUIRE(k >= 0);
	for (size_t i = 0; i < sizeof index / sizeof index[0]; i++) {
		struct kyc_egnid_card c;
		struct kyc_image img;
		struct kyc_synth_card_shot shot;
		kyc_synth_egnid_card(9300, index[i], &c);
		REQUIRE(photo_of(9300, 1, index[i], KYC_CARD_BACK, &c, &img, &shot) == 0);
		struct kyc_card_result r;
		REQUIRE(kyc_card_read(&img, &kyc_card_tpl_eg_nid, KYC_CARD_BACK, &r) == 0);
		if (c.husband_name[0]) {
			married++;
			CHECK_STR(r.values[k].text, c.husband_name);
			CHECK(r.values[k].accepted);
		} else {
			CHECK(!r.values[k].read);
			CHECK_STR(r.values[k].text, "");
		}
		kyc_image_free(&img);
	}
	CHECK_INT(married, 3);
}

/* ي or ى at a word's end (docs/card.md, "ي or ى"): seed 9303's level-0
 * card 97, whose family name الشافعي every reading gave as الشافعى (the
 * dots of its last letter cut by the crop's edge; accepted before branch
 * card17), is not accepted; names that do end in ى (سلمى, نهى, هدى,
 * مصطفى in the rest of a name) are read exactly and still accepted. */
TEST(final_maksura)
{
	static const struct {
		uint64_t seed;
		int index;
		const char *field;
	} cards[] = {
	    {9303, 97, "rest_name"},  {9300, 10, "first_name"}, {9300, 12, "first_name"},
	    {9300, 39, "first_name"}, {9300, 13, "rest_name"},
	};
	for (size_t i = 0; i < sizeof cards / sizeof cards[0]; i++) {
		struct kyc_egnid_card c;
		struct kyc_image img;
		struct kyc_synth_card_shot shot;
		int k = field_index(cards[i].field);
		REQUIRE(k >= 0);
		kyc_synth_egnid_card(cards[i].seed, cards[i].index, &c);
		REQUIRE(photo_of(cards[i].seed, 0, cards[i].index, KYC_CARD_FRONT, &c, &img, &shot) ==
			0);
		struct kyc_card_result r;
		REQUIRE(kyc_card_read(&img, &kyc_card_tpl_eg_nid, KYC_CARD_FRONT, &r) == 0);
		const char *want = !strcmp(cards[i].field, "rest_name") ? c.rest_name : c.first_name;
		if (i == 0) {
			CHECK(strcmp(r.values[k].text, want) != 0); /* still read ى */
			CHECK(!r.values[k].accepted);
		} else {
			CHECK_STR(r.values[k].text, want);
			CHECK(r.values[k].accepted);
		}
		kyc_image_free(&img);
	}
}

/* A card pushed into the corner of a white sheet (docs/card.md, "The card
 * on a white sheet"): development seed 9306, every photo on a sheet, sides
 * whose card the finder did not find before branch card18 (two sides flush
 * with the sheet's edges, the other two against the paper). Each is found
 * within 1.5 mm of its corners and its number read and accepted. */
TEST(flush_sheet)
{
	static const struct {
		int level, index;
		enum kyc_card_side side;
	} shots[] = {
	    {0, 17, KYC_CARD_BACK},  {0, 21, KYC_CARD_FRONT}, {0, 29, KYC_CARD_BACK},
	    {0, 37, KYC_CARD_FRONT}, {1, 14, KYC_CARD_FRONT}, {1, 19, KYC_CARD_BACK},
	};
	struct kyc_synth_card_opts opts = {.sheet_rate = 1};
	for (size_t i = 0; i < sizeof shots / sizeof shots[0]; i++) {
		struct kyc_egnid_card c;
		struct kyc_synth_card_shot shot;
		struct kyc_image img;
		REQUIRE(specimen_egnid_photo(9306, shots[i].index, shots[i].level, shots[i].side,
					     &opts, &c, &shot, &img) == 0);
		CHECK(shot.sheet != 0);
		/* a card from two sides is asked for: the Egyptian reader's finder */
		double qs[1][4][2], (*q)[2] = qs[0];
		REQUIRE(kyc_card_find_candidates_or_corner(&img, 85.6 / 54, qs, NULL, 1) == 1);
		double mm = hypot(shot.quad[1][0] - shot.quad[0][0], shot.quad[1][1] - shot.quad[0][1]) /
			    85.6;
		/* the same corners, whichever the finder names first */
		double worst = 1e9;
		for (int r = 0; r < 4; r++) {
			double e = 0;
			for (int k = 0; k < 4; k++)
				e = fmax(e, hypot(q[k][0] - shot.quad[(k + r) % 4][0],
						  q[k][1] - shot.quad[(k + r) % 4][1]));
			worst = fmin(worst, e);
		}
		CHECK(worst < 1.5 * mm);
		struct kyc_card_result res;
		REQUIRE(kyc_card_read(&img, &kyc_card_tpl_eg_nid, shots[i].side, &res) == 0);
		int k = field_index(shots[i].side == KYC_CARD_FRONT ? "national_number"
								    : "national_number_back");
		REQUIRE(k >= 0);
		CHECK_STR(res.values[k].text, shots[i].side == KYC_CARD_FRONT ? c.national_number
									 : c.national_number_back);
		CHECK(res.values[k].accepted);
		kyc_image_free(&img);
	}
}

/* A back found 1-2 mm high (seed 9306, level 0, card 40: a sheet of the
 * desk's clutter flush against its top edge): the fields' boxes follow the
 * number's line (card_line.c), so the issue date, profession and religion,
 * cut by their boxes before branch card18, are read and accepted. */
TEST(boxes_follow_the_number)
{
	struct kyc_egnid_card c;
	struct kyc_image img;
	struct kyc_synth_card_shot shot;
	kyc_synth_egnid_card(9306, 40, &c);
	REQUIRE(photo_of(9306, 0, 40, KYC_CARD_BACK, &c, &img, &shot) == 0);
	struct kyc_card_result r;
	REQUIRE(kyc_card_read(&img, &kyc_card_tpl_eg_nid, KYC_CARD_BACK, &r) == 0);
	static const char *const names[] = {"national_number_back", "issue_date", "profession",
					    "religion"};
	const char *want[] = {c.national_number_back, c.issue_date, c.profession, c.religion};
	for (int i = 0; i < 4; i++) {
		int k = field_index(names[i]);
		REQUIRE(k >= 0);
		CHECK_STR(r.values[k].text, want[i]);
		CHECK(r.values[k].accepted);
	}
	kyc_image_free(&img);
}

/* A printed birth date misread (docs/card.md, "Values accepted wrong"):
 * development seed 9307, level 1, card 46 (one photo in five on a sheet, as
 * bench/card draws them): its ٥ read ٠ (1958 as 1908) with the digit
 * reader 0.994 sure, accepted and flagged birth_date_mismatch before branch
 * card19. The number's date is not ruled out by the reading, so the date
 * is read but not accepted and nothing is flagged; the same card printed
 * a year off is still flagged. */
TEST(birth_date_against_number)
{
	struct kyc_synth_card_opts opts = {.sheet_rate = KYC_SYNTH_SHEET_RATE};
	for (int off = 0; off < 2; off++) {
		struct kyc_egnid_card c;
		struct kyc_image img[2];
		kyc_synth_egnid_card(9307, 46, &c);
		if (off)
			memcpy(c.birth_date, "1957", 4);
		for (int side = 0; side < 2; side++) {
			struct kyc_synth_image im;
			struct kyc_synth_card_shot shot;
			unsigned char *jpg = NULL;
			size_t len = 0;
			REQUIRE(kyc_synth_egnid_render_opts(9307, 46, 1, (enum kyc_card_side)side, &c,
							    &opts, &shot, &im) == 0);
			REQUIRE(kyc_synth_jpeg(&im, shot.quality, &jpg, &len) == 0);
			kyc_synth_image_release(&im);
			REQUIRE(kyc_image_decode(jpg, len, NULL, &img[side], NULL) == 0);
			free(jpg);
		}
		int err;
		json_t *x = kyc_egnid_read(&img[0], &img[1], &err);
		REQUIRE(x != NULL);
		json_t *f = json_object_get(x, "fields");
		json_t *bd = json_object_get(f, "birth_date");
		json_t *contra = json_object_get(x, "contradictions");
		CHECK_STR(json_string_value(json_object_get(json_object_get(f, "birth_date_number"),
							   "value")),
			  "1958-06-15");
		int flagged = 0;
		for (size_t i = 0; i < json_array_size(contra); i++)
			flagged |= !strcmp(json_string_value(json_array_get(contra, i)),
					   "birth_date_mismatch");
		if (!off) {
			CHECK(!json_is_true(json_object_get(bd, "accepted")) ||
			      !strcmp(json_string_value(json_object_get(bd, "value")), c.birth_date));
			CHECK(!flagged);
		} else {
			CHECK(flagged);
		}
		json_decref(x);
		kyc_image_free(&img[0]);
		kyc_image_free(&img[1]);
	}
}

int main(void)
{
	RUN(generator_consistent);
	RUN(find_and_read);
	RUN(no_card);
	RUN(not_an_egyptian_id);
	RUN(read_where_identified);
	RUN(side_with_known_number);
	RUN(serial_by_its_form);
	RUN(closed_lists);
	RUN(open_fields_agreed);
	RUN(blank_optional_field);
	RUN(final_maksura);
	RUN(flush_sheet);
	RUN(boxes_follow_the_number);
	RUN(birth_date_against_number);
	kyc_tess_thread_release();
	return test_done("card");
}
