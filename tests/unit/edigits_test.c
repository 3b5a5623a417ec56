/* The Eastern Arabic digit reader on fields of generated cards with known
 * ground truth (rectified from the generator's own corners), and on what
 * is not a line of digits. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/card.h"
#include "document/edigits.h"
#include "document/synth_card.h"
#include "test.h"

#define SEED 4242

/* Reads field name of card index's side from its rectified photo. */
static int read_field(int index, enum kyc_card_side side, const char *name, const char *pattern,
		      struct kyc_edigits_reading *r)
{
	const struct kyc_card_template *T = &kyc_card_tpl_eg_nid;
	struct kyc_egnid_card c;
	struct kyc_synth_image im;
	struct kyc_synth_card_shot shot;
	kyc_synth_egnid_card(SEED, index, &c);
	int rc = kyc_synth_egnid_render(SEED, index, 0, side, &c, &shot, &im);
	if (rc)
		return rc;
	struct kyc_image img;
	unsigned char *gray = malloc((size_t)im.w * (size_t)im.h);
	for (size_t k = 0; gray && k < (size_t)im.w * (size_t)im.h; k++)
		gray[k] = (unsigned char)((im.px[3 * k] * 299 + im.px[3 * k + 1] * 587 + im.px[3 * k + 2] * 114) / 1000);
	rc = gray ? kyc_image_from_gray(gray, im.w, im.h, im.w, &img) : KYC_ERR_NOMEM;
	free(gray);
	kyc_synth_image_release(&im);
	if (rc)
		return rc;
	double u = KYC_CARD_PX_PER_MM;
	int w = (int)lround(T->w_mm * u), h = (int)lround(T->h_mm * u);
	unsigned char *card = malloc((size_t)w * (size_t)h);
	if (!card) {
		kyc_image_free(&img);
		return KYC_ERR_NOMEM;
	}
	kyc_card_warp(&img, shot.quad, w, h, card);
	rc = KYC_ERR_NOTFOUND;
	for (int i = 0; i < T->nfields; i++)
		if (!strcmp(T->fields[i].name, name)) {
			double b[4];
			kyc_card_field_box(&T->fields[i], b);
			int x0 = (int)(b[0] * u), y0 = (int)(b[1] * u), x1 = (int)fmin(w, b[2] * u),
			    y1 = (int)fmin(h, b[3] * u);
			rc = kyc_edigits_read(card + (size_t)y0 * (size_t)w + (size_t)x0, x1 - x0, y1 - y0, w,
					      pattern, r);
		}
	free(card);
	kyc_image_free(&img);
	return rc;
}

TEST(number_and_date)
{
	for (int i = 1; i <= 4; i++) {
		struct kyc_egnid_card c;
		struct kyc_edigits_reading r;
		kyc_synth_egnid_card(SEED, i, &c);
		REQUIRE(read_field(i, KYC_CARD_FRONT, "national_number", "DDDDDDDDDDDDDD", &r) == 0);
		CHECK_INT(r.n, 14);
		CHECK_STR(r.text, c.national_number);
		CHECK(r.conf > 50);
		/* each position's distribution sums to one over the digits */
		double sum = 0;
		for (int d = 0; d < KYC_EDIGITS_NCLASS; d++)
			sum += r.prob[0][d];
		CHECK(fabs(sum - 1) < 1e-3);
		CHECK(r.prob[0][10] == 0); /* no slash where a digit stands */
		REQUIRE(read_field(i, KYC_CARD_BACK, "issue_date", "DDDD/DD/DD", &r) == 0);
		char want[11];
		snprintf(want, sizeof want, "%.4s/%.2s/%.2s", c.issue_date, c.issue_date + 5, c.issue_date + 8);
		CHECK_STR(r.text, want);
	}
}

TEST(not_digits)
{
	struct kyc_edigits_reading r;
	unsigned char blank[40 * 400];
	memset(blank, 235, sizeof blank);
	CHECK_INT(kyc_edigits_read(blank, 400, 40, 400, "DDDD", &r), 0);
	CHECK_INT(r.n, 0); /* nothing to cut */
	CHECK_INT(kyc_edigits_read(blank, 400, 40, 400, "DDXD", &r), KYC_ERR_INVALID);
	CHECK_INT(kyc_edigits_read(blank, 400, 40, 400, "", &r), KYC_ERR_INVALID);
	CHECK_INT(kyc_edigits_read(blank, 4, 4, 400, "D", &r), KYC_ERR_INVALID);
	/* a line of digits never read as more characters than it holds pieces */
	struct kyc_egnid_card c;
	kyc_synth_egnid_card(SEED, 1, &c);
	REQUIRE(read_field(1, KYC_CARD_FRONT, "national_number", "DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD", &r) == 0);
	CHECK_INT(r.n, 0);
}

int main(void)
{
	RUN(number_and_date);
	RUN(not_digits);
	return test_done("edigits");
}
