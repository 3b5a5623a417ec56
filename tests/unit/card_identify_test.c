/* Which card, which side and which way up, told from the picture alone
 * (card_identify.h), on generated cards of every template and side (the
 * Egyptian ID's front and back, the AAMVA licence's front and back, the
 * Korean licence's front) at every degradation level, each photo also
 * turned by 90, 180 and 270 degrees. A card told is never told wrong; at
 * levels 0 and 1 every card is told. Photos of MRZ documents are never
 * told Egyptian IDs by their number. KYCD_IDENTIFY_N cards per template,
 * side and level (default 2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "document/card_identify.h"
#include "document/synth.h"
#include "document/synth_card.h"
#include "document/synth_dl.h"
#include "document/tess.h"
#include "test.h"

#define SEED 4242

enum family { EG, DL, KR };

static const struct {
	enum family family;
	enum kyc_card_side side;
	const char *name;
	const struct kyc_card_template *tpl;
} kinds[] = {
	{EG, KYC_CARD_FRONT, "eg_nid front", &kyc_card_tpl_eg_nid},
	{EG, KYC_CARD_BACK, "eg_nid back", &kyc_card_tpl_eg_nid},
	{DL, KYC_CARD_FRONT, "dl_aamva front", &kyc_card_tpl_dl_aamva},
	{DL, KYC_CARD_BACK, "dl_aamva back", &kyc_card_tpl_dl_aamva},
	{KR, KYC_CARD_FRONT, "kr_dl front", &kyc_card_tpl_kr_dl},
};

/* The k-th kind's card index at level as a decoded JPEG photo, as an
 * upload is, and the card's quarter turn in it. */
static int photo(int k, int index, int level, struct kyc_image *img, int *rotation)
{
	struct kyc_synth_image im;
	struct kyc_synth_card_shot shot;
	int rc;
	if (kinds[k].family == EG) {
		struct kyc_egnid_card c;
		kyc_synth_egnid_card(SEED, index, &c);
		rc = kyc_synth_egnid_render(SEED, index, level, kinds[k].side, &c, &shot, &im);
	} else if (kinds[k].family == DL) {
		struct kyc_dl_card c;
		kyc_synth_dl_card(SEED, index, &c);
		rc = kyc_synth_dl_render(SEED, index, level, kinds[k].side, &c, &shot, &im);
	} else {
		struct kyc_krdl_card c;
		kyc_synth_krdl_card(SEED, index, &c);
		rc = kyc_synth_krdl_render(SEED, index, level, &c, &shot, &im);
	}
	if (rc)
		return rc;
	unsigned char *jpg = NULL;
	size_t len = 0;
	rc = kyc_synth_jpeg(&im, shot.quality, &jpg, &len);
	kyc_synth_image_release(&im);
	if (!rc)
		rc = kyc_image_decode(jpg, len, NULL, img, NULL);
	free(jpg);
	*rotation = kyc_card_rotation(shot.quad[0], shot.quad[1]);
	return rc;
}

/* This thread's CPU time: the machine may be shared. */
static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* img turned by q quarter turns clockwise, as a new gray image. */
static int quarter_turns(const struct kyc_image *img, int q, struct kyc_image *out)
{
	int w = q % 2 ? img->h : img->w, h = q % 2 ? img->w : img->h;
	unsigned char *g = malloc((size_t)w * (size_t)h);
	if (!g)
		return KYC_ERR_NOMEM;
	for (int y = 0; y < img->h; y++)
		for (int x = 0; x < img->w; x++) {
			int X = x, Y = y;
			for (int t = 0; t < q; t++) {
				/* one clockwise turn of a raster W wide and H tall:
				 * (X, Y) -> (H - 1 - Y, X) */
				int H = t % 2 ? img->w : img->h, nx = H - 1 - Y;
				Y = X, X = nx;
			}
			g[(size_t)Y * (size_t)w + (size_t)X] = img->gray[(size_t)y * (size_t)img->w + (size_t)x];
		}
	int rc = kyc_image_from_gray(g, w, h, w, out);
	free(g);
	return rc;
}

TEST(every_template_side_level_and_turn)
{
	const char *env = getenv("KYCD_IDENTIFY_N");
	int n = env && atoi(env) > 0 ? atoi(env) : 2;
	printf("# kind, level: told right / photos (wrong), median CPU ms\n");
	for (int level = 0; level <= 2; level++)
		for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
			int total = 0, right = 0, wrong = 0;
			double ms[4 * 64];
			for (int i = 1; i <= n && i <= 64; i++) {
				struct kyc_image img;
				int rot0;
				REQUIRE(photo((int)k, i, level, &img, &rot0) == 0);
				for (int q = 0; q < 4; q++) {
					struct kyc_image t;
					REQUIRE(quarter_turns(&img, q, &t) == 0);
					struct kyc_card_identity id;
					double t0 = cpu_ms();
					CHECK_INT(kyc_card_identify(&t, &id), 0);
					ms[total++] = cpu_ms() - t0;
					int want_rot = (rot0 + 90 * q) % 360;
					int ok = id.tpl == kinds[k].tpl && id.side == kinds[k].side &&
						 id.rotation == want_rot;
					right += ok;
					if (id.tpl && !ok) {
						wrong++;
						printf("#   %s level %d card %d turn %d: told %s %s at %d (want %d), %s %.2f\n",
						       kinds[k].name, level, i, q * 90, id.tpl->family,
						       id.side == KYC_CARD_FRONT ? "front" : "back", id.rotation,
						       want_rot, id.evidence, id.score);
					}
					kyc_image_free(&t);
				}
				kyc_image_free(&img);
			}
			/* insertion sort for the median */
			for (int a = 1; a < total; a++)
				for (int b = a; b > 0 && ms[b - 1] > ms[b]; b--) {
					double x = ms[b];
					ms[b] = ms[b - 1], ms[b - 1] = x;
				}
			printf("# %-15s L%d: %3d / %3d (%d wrong), %.0f ms\n", kinds[k].name, level, right, total,
			       wrong, total ? ms[total / 2] : 0.0);
			CHECK_INT(wrong, 0);
			if (level < 2)
				CHECK_INT(right, total);
		}
}

/* A photo of no card (a plain desk) is told as nothing. */
TEST(no_card_no_identity)
{
	unsigned char *g = malloc(640 * 480);
	REQUIRE(g != NULL);
	for (int i = 0; i < 640 * 480; i++)
		g[i] = (unsigned char)(70 + (i / 640) / 6);
	struct kyc_image img;
	REQUIRE(kyc_image_from_gray(g, 640, 480, 640, &img) == 0);
	free(g);
	struct kyc_card_identity id;
	CHECK_INT(kyc_card_identify(&img, &id), 0);
	CHECK(id.tpl == NULL);
	kyc_image_free(&img);
}

/* The upload path skips the MRZ search of a photo whose Egyptian number
 * the number evidence alone reads surely (src/flows/extraction.c): on
 * documents with an MRZ (ID cards, passports) it must never be sure. */
TEST(mrz_documents_are_not_egyptian_ids)
{
	static const enum kyc_synth_format formats[] = {KYC_SYNTH_TD1, KYC_SYNTH_TD2, KYC_SYNTH_TD3};
	int told = 0, total = 0;
	for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++)
		for (int level = 0; level <= 2; level++)
			for (int index = 1; index <= 3; index++) {
				struct kyc_synth_doc truth;
				unsigned char *jpg = NULL;
				size_t len = 0;
				struct kyc_image img;
				REQUIRE(kyc_synth_make(SEED, index, level, formats[f], &truth, &jpg, &len) == 0);
				int rc = kyc_image_decode(jpg, len, NULL, &img, NULL);
				free(jpg);
				REQUIRE(rc == 0);
				struct kyc_card_identity id;
				CHECK_INT(kyc_card_identify_number(&img, &id), 0);
				told += id.tpl != NULL && id.score >= KYC_CARD_IDENTIFY_SURE;
				total++;
				kyc_image_free(&img);
			}
	printf("# MRZ documents told a sure Egyptian ID: %d / %d\n", told, total);
	CHECK_INT(told, 0);
}

int main(void)
{
	RUN(no_card_no_identity);
	RUN(mrz_documents_are_not_egyptian_ids);
	RUN(every_template_side_level_and_turn);
	kyc_tess_thread_release();
	return test_done("card_identify");
}
