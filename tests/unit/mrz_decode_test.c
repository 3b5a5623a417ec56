/* The check-digit constrained decoder (src/document/mrz_decode.c): sure
 * candidates pass through untouched; a misread whose truth is a runner-up is
 * restored by the check digits; seeded random MRZs with modelled and
 * unmodelled OCR errors (restore and wrongly-valid rates measured); noise
 * does not decode into valid readings; bad shapes are refused. */
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "document/mrz_decode.h"
#include "mrz_fixtures.h"
#include "test.h"

/* Candidates that are exactly the lines, each sure. */
static void sure_cands(struct kyc_mrz_cands *c, const char *const *lines, int n)
{
	memset(c, 0, sizeof *c);
	c->nlines = n;
	c->len = (int)strlen(lines[0]);
	for (int l = 0; l < n; l++)
		for (int i = 0; i < c->len; i++) {
			c->ch[l][i][0] = lines[l][i];
			c->p[l][i][0] = 1;
		}
}

/* Makes position (l, i) read `wrong` at p_wrong with the truth second. */
static void misread(struct kyc_mrz_cands *c, int l, int i, char wrong, float p_wrong, float p_true)
{
	char truth = c->ch[l][i][0];
	c->ch[l][i][0] = wrong;
	c->p[l][i][0] = p_wrong;
	c->ch[l][i][1] = truth;
	c->p[l][i][1] = p_true;
}

TEST(sure_readings_pass_through)
{
	const char *td3[] = {TD3_L1, TD3_L2}, *td1[] = {TD1_L1, TD1_L2, TD1_L3},
		   *td2[] = {TD2_L1, TD2_L2}, *mrva[] = {MRVA_L1, MRVA_L2};
	const char *const *sets[] = {td3, td1, td2, mrva};
	const int n[] = {2, 3, 2, 2}, checks[] = {5, 4, 4, 3};
	for (int s = 0; s < 4; s++) {
		struct kyc_mrz_cands c;
		struct kyc_mrz_decoded d;
		sure_cands(&c, sets[s], n[s]);
		REQUIRE(kyc_mrz_decode(&c, &d) == 0);
		for (int l = 0; l < n[s]; l++)
			CHECK_STR(d.lines[l], sets[s][l]);
		CHECK(d.checks_total == checks[s]);
		CHECK(d.checks_ok == d.checks_total);
		CHECK(d.changed == 0);
		CHECK(d.conf[0][0] > 0.99f && d.conf[n[s] - 1][c.len - 1] > 0.99f);
	}
}

TEST(runner_up_restored_by_check_digit)
{
	const char *td3[] = {TD3_L1, TD3_L2};
	struct kyc_mrz_cands c;
	struct kyc_mrz_decoded d;
	/* 7 read as 1 in the birth date (74 -> 14), the truth a close second */
	sure_cands(&c, td3, 2);
	misread(&c, 1, 13, '1', 0.55f, 0.40f);
	REQUIRE(kyc_mrz_decode(&c, &d) == 0);
	CHECK_STR(d.lines[1], TD3_L2);
	CHECK(d.checks_ok == 5);
	CHECK(d.changed == 1);
	/* the check digit pins it down: no other valid reading is in sight */
	CHECK(d.conf[1][13] > 0.9f);
	/* a letter where a digit must stand: its look-alike is tried */
	sure_cands(&c, td3, 2);
	c.ch[1][15][0] = 'O';
	REQUIRE(kyc_mrz_decode(&c, &d) == 0);
	CHECK_STR(d.lines[1], TD3_L2);
	/* two positions, each unsure, together: the composite decides jointly */
	sure_cands(&c, td3, 2);
	misread(&c, 1, 2, '3', 0.6f, 0.35f);   /* 8 -> 3 in the number */
	misread(&c, 1, 23, '6', 0.6f, 0.35f);  /* 0 -> 6 in the expiry */
	REQUIRE(kyc_mrz_decode(&c, &d) == 0);
	CHECK_STR(d.lines[1], TD3_L2);
	CHECK(d.checks_ok == 5);
	/* a name letter has no check digit: the classifier's doubt stays */
	sure_cands(&c, td3, 2);
	misread(&c, 0, 7, 'D', 0.6f, 0.4f);
	REQUIRE(kyc_mrz_decode(&c, &d) == 0);
	CHECK(d.lines[0][7] == 'D');
	CHECK(d.conf[0][7] < 0.7f);
}

TEST(no_valid_reading_within_reach)
{
	const char *td3[] = {TD3_L1, TD3_L2};
	struct kyc_mrz_cands c;
	struct kyc_mrz_decoded d;
	/* the truth is not among the candidates, and the only candidate that
	 * would satisfy the check is far less likely: the check stays failed */
	sure_cands(&c, td3, 2);
	c.ch[1][14][0] = '3';
	c.p[1][14][0] = 0.97f;
	c.ch[1][14][1] = '9';
	c.p[1][14][1] = 0.01f;
	REQUIRE(kyc_mrz_decode(&c, &d) == 0);
	CHECK(d.checks_ok < d.checks_total);
	CHECK(d.lines[1][14] == '3');
}

TEST(bad_shapes_refused)
{
	struct kyc_mrz_cands c;
	struct kyc_mrz_decoded d;
	memset(&c, 0, sizeof c);
	CHECK(kyc_mrz_decode(&c, &d) == KYC_ERR_INVALID);
	CHECK(kyc_mrz_decode(NULL, &d) == KYC_ERR_INVALID);
	c.nlines = 2;
	c.len = 40;
	CHECK(kyc_mrz_decode(&c, &d) == KYC_ERR_INVALID);
	c.nlines = 4;
	c.len = 44;
	CHECK(kyc_mrz_decode(&c, &d) == KYC_ERR_INVALID);
	/* candidates outside the alphabet and empty lists do not crash */
	c.nlines = 2;
	for (int i = 0; i < 44; i++) {
		c.ch[0][i][0] = (char)(i * 7);
		c.p[0][i][0] = -1;
	}
	c.ch[0][0][0] = 'P';
	kyc_mrz_decode(&c, &d);
	CHECK(strlen(d.lines[0]) == 44 || d.lines[0][0] == 0);
}

/* Random valid MRZs with OCR errors: in half of them a digit's truth is the
 * runner-up (modelled), in the other half the truth is not among the
 * candidates at all (unmodelled). */
TEST(random_errors)
{
	int mod_tried = 0, mod_fixed = 0, mod_wrong_valid = 0;
	int un_tried = 0, un_wrong_valid = 0;
	for (int iter = 0; iter < 3000; iter++) {
		char l[3][48];
		int format, n = gen_mrz(l, &format);
		const char *lines[3] = {l[0], l[1], l[2]};
		struct kyc_mrz_cands c;
		struct kyc_mrz_decoded d;
		sure_cands(&c, lines, n);
		/* the other characters are not all sure either */
		for (int k = 0; k < 12; k++) {
			int li = (int)rnd((unsigned)n), ci = (int)rnd((unsigned)c.len);
			char t = c.ch[li][ci][0];
			c.p[li][ci][0] = 0.8f;
			c.ch[li][ci][1] = ALNUM[rnd(36)] == t ? '<' : ALNUM[rnd(36)];
			c.p[li][ci][1] = 0.1f;
		}
		/* one error in a digit of the data line */
		int li = n == 3 ? 1 : 1, ci;
		do
			ci = (int)rnd((unsigned)c.len);
		while (l[li][ci] < '0' || l[li][ci] > '9');
		char truth = l[li][ci], wrong = (char)('0' + (truth - '0' + 1 + (int)rnd(9)) % 10);
		int modelled = iter % 2 == 0;
		if (modelled) {
			misread(&c, li, ci, wrong, 0.5f + rnd(30) / 100.0f, 0.15f);
		} else {
			c.ch[li][ci][0] = wrong;
			c.p[li][ci][0] = 0.6f;
			c.ch[li][ci][1] = (char)('0' + (truth - '0' + 5) % 10);
			c.p[li][ci][1] = 0.05f + rnd(20) / 100.0f;
			if (c.ch[li][ci][1] == wrong)
				c.ch[li][ci][1] = 'A';
		}
		REQUIRE(kyc_mrz_decode(&c, &d) == 0);
		int exact = 1;
		for (int k = 0; k < n; k++)
			exact &= !strcmp(d.lines[k], l[k]);
		int valid = d.checks_ok == d.checks_total;
		if (modelled) {
			mod_tried++;
			mod_fixed += exact && valid;
			mod_wrong_valid += valid && !exact;
		} else {
			un_tried++;
			un_wrong_valid += valid && !exact;
		}
	}
	fprintf(stderr, "  modelled: %d/%d restored, %d wrongly valid; unmodelled: %d/%d wrongly valid\n",
		mod_fixed, mod_tried, mod_wrong_valid, un_wrong_valid, un_tried);
	CHECK(mod_fixed * 100 >= mod_tried * 95);
	CHECK(mod_wrong_valid * 100 <= mod_tried * 2);
	CHECK(un_wrong_valid * 100 <= un_tried * 5);
}

/* Flat, random candidates (a band of noise read as an MRZ) must not come out
 * with every check digit right. */
TEST(noise_does_not_decode)
{
	int valid = 0, tried = 0;
	for (int iter = 0; iter < 500; iter++) {
		struct kyc_mrz_cands c;
		struct kyc_mrz_decoded d;
		memset(&c, 0, sizeof c);
		c.nlines = iter % 3 == 0 ? 3 : 2;
		c.len = c.nlines == 3 ? 30 : iter % 2 ? 36 : 44;
		for (int l = 0; l < c.nlines; l++)
			for (int i = 0; i < c.len; i++)
				for (int q = 0; q < KYC_MRZ_DECODE_K; q++) {
					c.ch[l][i][q] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"[rnd(37)];
					c.p[l][i][q] = 0.1f + rnd(20) / 100.0f;
				}
		c.ch[0][0][0] = 'P';
		if (kyc_mrz_decode(&c, &d) != 0)
			continue;
		tried++;
		valid += d.checks_ok == d.checks_total;
	}
	fprintf(stderr, "  noise: %d/%d decoded valid\n", valid, tried);
	CHECK(tried > 400);
	CHECK(valid * 100 <= tried);
}

int main(void)
{
	RUN(sure_readings_pass_through);
	RUN(runner_up_restored_by_check_digit);
	RUN(no_valid_reading_within_reach);
	RUN(bad_shapes_refused);
	RUN(random_errors);
	RUN(noise_does_not_decode);
	return test_done("mrz_decode");
}
