/* The PDF417 codeword matcher (src/document/pdf417_match.c): row profiles
 * drawn here from known codewords, blurred and noisy, come back as those
 * codewords; a symbol whose profile was drawn from other codewords in too
 * many places is refused by the correction (pdf417_soft.h), never decoded
 * into another symbol; symbols under a drawn glare are restored by the
 * contrast matcher (the plain one, the base's before branch dl17, restores
 * 1 of the 8); and a generated licence back of about 1 px a module,
 * which the reader did not read before the matcher, decodes. Profiles are
 * drawn from development seeds 4714, 4715 and 4716 (a generator of our own, so
 * that runs repeat). */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/card_dl_aamva.h"
#include "document/card_tpl.h"
#include "document/image.h"
#include "document/pdf417_codes.h"
#include "document/pdf417_match.h"
#include "document/pdf417_rs.h"
#include "document/pdf417_soft.h"
#include "document/reader.h"
#include "document/synth_dl.h"
#include "document/tess.h"
#include "test.h"

static uint64_t rng_state;

static double uniform(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((rng_state >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void)
{
	return sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

/* How a symbol is drawn: sigma modules of Gaussian blur, pitch px a module
 * (growing by drift a row), grey levels, noise (standard deviation). */
struct look {
	double sigma, pitch, drift, paper, ink, noise;
};

#define PN 400 /* samples a profile */

/* Row profiles of the symbol whose codewords (row indicators included,
 * row by row) are v: module m of row r at sample x0[r] + m pitch[r]. */
static void draw(int R, int c, const int *v, const struct look *L, double *prof, double *x0,
                 double *pitch)
{
	static const unsigned char start[8] = {8, 1, 1, 1, 1, 1, 1, 3},
	                           stop[9] = {7, 1, 1, 3, 1, 1, 1, 2, 1};
	int W = 17 * (c + 4) + 1;
	double *d = malloc((size_t)W * sizeof *d);
	for (int r = 0; r < R && d; r++) {
		int m = 0;
		for (int i = 0; i < 8; i++)
			for (int k = 0; k < start[i]; k++)
				d[m++] = i % 2 == 0;
		for (int k = 0; k < c + 2; k++) {
			unsigned bits = kyc_pdf417_pattern(r % 3, v[r * (c + 2) + k]);
			for (int j = 0; j < 17; j++)
				d[m++] = bits >> (16 - j) & 1;
		}
		for (int i = 0; i < 9; i++)
			for (int k = 0; k < stop[i]; k++)
				d[m++] = i % 2 == 0;
		x0[r] = 8 + 0.37 * r, pitch[r] = L->pitch * (1 + L->drift * r);
		for (int i = 0; i < PN; i++) {
			double s = (i - x0[r]) / pitch[r], t = 0;
			for (int k = 0; k < W; k++)
				t += d[k] * 0.5 *
				     (erf((k + 1 - s) / (L->sigma * M_SQRT2)) -
				      erf((k - s) / (L->sigma * M_SQRT2)));
			prof[r * PN + i] = L->paper + (L->ink - L->paper) * t + L->noise * gauss();
		}
	}
	free(d);
}

/* A symbol of R rows, c columns at level ecl: random data, its check
 * codewords, its row indicators, into v (R x (c + 2)). */
static void symbol(int R, int c, int ecl, int *v)
{
	int n = R * c, *w = malloc((size_t)n * sizeof *w);
	if (!w)
		return;
	for (int i = 0; i < n - (2 << ecl); i++)
		w[i] = (int)(uniform() * 900);
	kyc_pdf417_rs_encode(w, n, 2 << ecl);
	for (int r = 0; r < R; r++) {
		v[r * (c + 2)] = kyc_pdf417_soft_indicator(r, 0, R, c, ecl);
		v[r * (c + 2) + c + 1] = kyc_pdf417_soft_indicator(r, 1, R, c, ecl);
		for (int k = 0; k < c; k++)
			v[r * (c + 2) + 1 + k] = w[r * c + k];
	}
	free(w);
}

/* 1 px a module, blur of 0.8 module, noise of 4 grey levels on an ink step
 * of 150: every codeword of 10 symbols matched right, the blur found. */
TEST(matches_blurred_profiles)
{
	REQUIRE(!kyc_pdf417_codes_ready());
	rng_state = 4714;
	enum { R = 9, C = 4, NP = R * (C + 2) };
	static double prof[R * PN];
	double x0[R], pitch[R], margin[NP], sigma = 0;
	int v[NP], best[NP], second[NP], right = 0, total = 0;
	const struct look L = {0.8, 1.05, 0.002, 210, 60, 4};
	for (int t = 0; t < 10; t++) {
		for (int i = 0; i < NP; i++)
			v[i] = (int)(uniform() * 929);
		draw(R, C, v, &L, prof, x0, pitch);
		struct kyc_pdf417_match_in in = {R, C, PN, prof, x0, pitch};
		REQUIRE(!kyc_pdf417_match(&in, best, second, margin, &sigma));
		CHECK(fabs(sigma - L.sigma) <= 0.15);
		for (int i = 0; i < NP; i++)
			right += best[i] == v[i], total++;
	}
	CHECK_INT(right, total);
	/* a flat grey row: no ink step, nothing matched */
	for (int i = 0; i < R * PN; i++)
		prof[i] = 128;
	struct kyc_pdf417_match_in flat = {R, C, PN, prof, x0, pitch};
	CHECK_INT(kyc_pdf417_match(&flat, best, second, margin, NULL), KYC_ERR_NOTFOUND);
}

/* Symbols at level 2 (8 check codewords) whose profiles were drawn from
 * other codewords in 1 to 14 data positions (a sticker, a scratch): with
 * 2 or fewer the correction restores the symbol; with more it restores it
 * (erasures) or refuses, at least once refuses, and in no trial answers
 * another symbol. Then noise alone. */
TEST(corrupted_profiles_not_decoded_wrong)
{
	REQUIRE(!kyc_pdf417_codes_ready());
	rng_state = 4715;
	enum { R = 12, C = 5, NP = R * (C + 2), ECL = 2 };
	static double prof[R * PN];
	double x0[R], pitch[R], margin[NP];
	int v[NP], drawn[NP], best[NP], second[NP], fixed[R * C];
	const struct look L = {0.8, 1.1, 0.001, 200, 70, 3};
	int restored = 0, refused = 0, wrong = 0, few = 0;
	for (int t = 0; t < 40; t++) {
		symbol(R, C, ECL, v);
		memcpy(drawn, v, sizeof v);
		int bad = t < 10 ? 1 + t % 2 : 3 + t % 12;
		for (int j = 0; j < bad; j++) {
			int i;
			do
				i = (int)(uniform() * NP);
			while (i % (C + 2) == 0 || i % (C + 2) == C + 1 || drawn[i] != v[i]);
			do
				drawn[i] = (int)(uniform() * 929);
			while (drawn[i] == v[i]);
		}
		draw(R, C, drawn, &L, prof, x0, pitch);
		struct kyc_pdf417_match_in in = {R, C, PN, prof, x0, pitch};
		REQUIRE(!kyc_pdf417_match(&in, best, second, margin, NULL));
		struct kyc_pdf417_soft S = {R, C, best, second, margin};
		int ecl = -1, tries = 0, rc = kyc_pdf417_soft_correct(&S, fixed, &ecl, &tries);
		int same = !rc && ecl == ECL;
		for (int i = 0; i < R * C && same; i++)
			same = fixed[i] == v[i / C * (C + 2) + 1 + i % C];
		few += bad <= 2;
		restored += bad <= 2 && same;
		refused += bad > 2 && rc == KYC_ERR_NOTFOUND;
		wrong += !rc && !same;
	}
	CHECK_INT(restored, few);
	CHECK_INT(wrong, 0);
	CHECK(refused >= 1);
	/* noise alone: no ink step in the start and stop patterns */
	for (int i = 0; i < R * PN; i++)
		prof[i] = 128 + 60 * gauss();
	struct kyc_pdf417_match_in in = {R, C, PN, prof, x0, pitch};
	int rc = kyc_pdf417_match(&in, best, second, margin, NULL);
	if (!rc) {
		struct kyc_pdf417_soft S = {R, C, best, second, margin};
		int ecl, tries;
		rc = kyc_pdf417_soft_correct(&S, fixed, &ecl, &tries);
	}
	CHECK(rc != 0);
}

/* A glare drawn over the profiles: a soft elliptical reflection centred at
 * module cx of row cy, rx modules by ry rows, that lifts every sample
 * towards white by amp / (1 + q^2) (q the squared elliptical distance),
 * as a laminate's reflection does to ink and paper alike. */
static void glare(int R, double *prof, const double *x0, const double *pitch, double cx, double cy,
                  double rx, double ry, double amp)
{
	for (int r = 0; r < R; r++)
		for (int i = 0; i < PN; i++) {
			double lx = ((i - x0[r]) / pitch[r] - cx) / rx, ly = (r - cy) / ry;
			double q = lx * lx + ly * ly, *p = &prof[r * PN + i];
			*p += (255 - *p) * amp / (1 + q * q);
		}
}

/* Symbols of about one pixel a module (blur 1.1 modules, noise 3 grey
 * levels) under a drawn glare that takes 40-50 % of the ink's contrast at
 * its centre, over a few columns and rows in the symbol's middle: the
 * matcher that takes its levels from each row's start and stop chooses
 * too many codewords wrong for the correction in most of them (counted,
 * not required), the contrast matcher (pdf417_match.h) restores every
 * symbol, and neither ever answers another symbol. Drawn from development
 * seed 4716. */
TEST(glare_over_one_pixel_modules)
{
	REQUIRE(!kyc_pdf417_codes_ready());
	rng_state = 4716;
	enum { R = 15, C = 8, NP = R * (C + 2), ECL = 3, TRIALS = 8 };
	static double prof[R * PN];
	double x0[R], pitch[R], margin[NP];
	int v[NP], best[NP], second[NP], fixed[R * C];
	const struct look L = {1.1, 1.05, 0.001, 215, 65, 3};
	int restored[2] = {0, 0}, wrong[2] = {0, 0}, missed[2] = {0, 0};
	for (int t = 0; t < TRIALS; t++) {
		symbol(R, C, ECL, v);
		draw(R, C, v, &L, prof, x0, pitch);
		double W = 17 * (C + 4) + 1;
		glare(R, prof, x0, pitch, W * (0.3 + 0.4 * uniform()), R * (0.25 + 0.5 * uniform()),
		      12 + 10 * uniform(), 2.5 + 2 * uniform(), 0.4 + 0.1 * uniform());
		for (int contrast = 0; contrast < 2; contrast++) {
			struct kyc_pdf417_match_in in = {R, C, PN, prof, x0, pitch, contrast};
			REQUIRE(!kyc_pdf417_match(&in, best, second, margin, NULL));
			for (int i = 0; i < NP; i++)
				missed[contrast] += best[i] != v[i];
			struct kyc_pdf417_soft S = {R, C, best, second, margin};
			int ecl = -1, tries = 0,
			    rc = kyc_pdf417_soft_correct(&S, fixed, &ecl, &tries);
			int same = !rc && ecl == ECL;
			for (int i = 0; i < R * C && same; i++)
				same = fixed[i] == v[i / C * (C + 2) + 1 + i % C];
			restored[contrast] += same;
			wrong[contrast] += !rc && !same;
		}
	}
	printf("  glare: restored %d / %d of %d (codewords wrong %d / %d), plain / contrast\n",
	       restored[0], restored[1], TRIALS, missed[0], missed[1]);
	CHECK_INT(restored[1], TRIALS);
	CHECK_INT(wrong[0] + wrong[1], 0);
}

/* A generated licence back photographed at level 2 with its PDF417's
 * module at about 1 px in the picture (development seed 20261313, card
 * 61: one of the backs the matcher was built on; the reader answered
 * barcode_too_small before it), read as an upload is: the barcode is
 * decoded and its data is the card's. */
TEST(reads_a_back_of_one_pixel_modules)
{
	struct kyc_dl_card c;
	struct kyc_synth_card_shot shot;
	struct kyc_synth_image img;
	unsigned char *jpeg = NULL;
	size_t len = 0;
	kyc_synth_dl_card(20261313, 61, &c);
	REQUIRE(!kyc_synth_dl_render(20261313, 61, 2, KYC_CARD_BACK, &c, &shot, &img));
	int rc = kyc_synth_jpeg(&img, shot.quality, &jpeg, &len);
	kyc_synth_image_release(&img);
	REQUIRE(!rc);
	struct kyc_image im;
	struct kyc_image_opts io = {.target_side = KYC_READER_DECODE_SIDE};
	rc = kyc_image_decode(jpeg, len, &io, &im, NULL);
	free(jpeg);
	REQUIRE(!rc);
	double top = hypot(shot.quad[1][0] - shot.quad[0][0], shot.quad[1][1] - shot.quad[0][1]);
	double module = kyc_synth_dl_module_mm(&c) * top / kyc_card_tpl_dl_aamva.w_mm /
	                (im.scale_denom > 0 ? im.scale_denom : 1);
	CHECK(module < 1.1);
	int err = 0;
	json_t *x = kyc_dl_read(NULL, &im, &err);
	kyc_image_free(&im);
	REQUIRE(x);
	CHECK(json_is_true(json_object_get(x, "barcode_found")));
	const char *num = json_string_value(json_object_get(
	    json_object_get(json_object_get(x, "fields"), "document_number"), "value"));
	CHECK_STR(num, c.document_number);
	json_decref(x);
	kyc_tess_thread_release();
}

int main(void)
{
	RUN(matches_blurred_profiles);
	RUN(corrupted_profiles_not_decoded_wrong);
	RUN(glare_over_one_pixel_modules);
	RUN(reads_a_back_of_one_pixel_modules);
	return test_done("pdf417_match");
}
