/* PDF417's Reed-Solomon code over GF(929) (src/document/pdf417_rs.c):
 * random codewords with random errors and erasures within the code's
 * capacity come back exact; beyond it, the decoder refuses or answers a
 * codeword, never a word whose syndromes are not zero. The soft correction
 * over it (pdf417_soft.c) on a symbol's choices with known mistakes, and
 * the codeword table read back from zxing (pdf417_codes.c). Words drawn
 * from a development seed (4713), a generator of our own so that runs
 * repeat. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "document/pdf417_codes.h"
#include "document/pdf417_rs.h"
#include "document/pdf417_soft.h"
#include "test.h"

static uint64_t rng_state;

static unsigned rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng_state >> 33) % n);
}

/* A random codeword of n with k check codewords. */
static void random_codeword(int *c, int n, int k)
{
	for (int i = 0; i < n - k; i++)
		c[i] = (int)rnd(929);
	kyc_pdf417_rs_encode(c, n, k);
}

/* m distinct positions of n into pos. */
static void distinct(int *pos, int m, int n)
{
	for (int i = 0; i < m; i++) {
		int p, dup;
		do {
			p = (int)rnd((unsigned)n), dup = 0;
			for (int j = 0; j < i; j++)
				dup |= pos[j] == p;
		} while (dup);
		pos[i] = p;
	}
}

/* A value other than v. */
static int other(int v)
{
	return (v + 1 + (int)rnd(928)) % 929;
}

/* The check codewords make a codeword; one changed codeword breaks it.
 * (That they are the standard's is checked against zxing's encoder by
 * src/document/pdf417_codes.c, which refuses its table otherwise.) */
TEST(encode_makes_codewords)
{
	rng_state = 4713;
	int c[300];
	for (int t = 0; t < 50; t++) {
		int k = 2 << rnd(6), n = k + 1 + (int)rnd(200);
		random_codeword(c, n, k);
		CHECK(kyc_pdf417_rs_check(c, n, k));
		int p = (int)rnd((unsigned)n);
		c[p] = other(c[p]);
		CHECK(!kyc_pdf417_rs_check(c, n, k));
	}
}

/* e errors and f erasures with 2e + f <= k - slack: the codeword back. */
TEST(errors_and_erasures_within_capacity)
{
	rng_state = 4713 + 1;
	int c[600], r[600], pos[600];
	int ok = 0, total = 0;
	for (int t = 0; t < 2000; t++) {
		int k = 2 << rnd(7), n = k + 1 + (int)rnd(600 - k - 1);
		int slack = (int)rnd(3) * (k >= 8);
		int budget = k - slack, f = (int)rnd((unsigned)budget + 1),
		    e = (int)rnd((unsigned)(budget - f) / 2 + 1);
		random_codeword(c, n, k);
		memcpy(r, c, (size_t)n * sizeof *c);
		distinct(pos, e + f, n);
		/* the erasures hold any value, the right one included */
		for (int i = 0; i < f; i++)
			r[pos[i]] = rnd(2) ? other(r[pos[i]]) : r[pos[i]];
		for (int i = f; i < f + e; i++)
			r[pos[i]] = other(r[pos[i]]);
		int rc = kyc_pdf417_rs_decode(r, n, k, pos, f, slack);
		total++;
		if (rc >= 0 && memcmp(r, c, (size_t)n * sizeof *c) == 0)
			ok++;
		else
			CHECK_INT(rc, -9999); /* prints the failing code */
	}
	CHECK_INT(ok, total);
}

/* Beyond capacity (2e + f > k): whatever comes back is a codeword or a
 * refusal with the word untouched; with slack kept, a wrong codeword is
 * rare, and it is counted. */
TEST(beyond_capacity_never_silently_invalid)
{
	rng_state = 4713 + 2;
	int c[400], r[400], before[400], pos[400];
	int refused = 0, wrong = 0, total = 0;
	for (int t = 0; t < 3000; t++) {
		int k = 4 << rnd(4), n = k + 20 + (int)rnd(250);
		int slack = (int)rnd(5), f = (int)rnd((unsigned)k / 2 + 1);
		int e = (k - f) / 2 + 1 + (int)rnd(4);
		if (e + f > n)
			continue;
		random_codeword(c, n, k);
		memcpy(r, c, (size_t)n * sizeof *c);
		distinct(pos, e + f, n);
		for (int i = 0; i < e + f; i++)
			r[pos[i]] = other(r[pos[i]]);
		memcpy(before, r, (size_t)n * sizeof *r);
		int rc = kyc_pdf417_rs_decode(r, n, k, pos, f, slack);
		total++;
		if (rc < 0) {
			CHECK_INT(rc, KYC_ERR_NOTFOUND);
			CHECK(memcmp(r, before, (size_t)n * sizeof *r) == 0);
			refused++;
		} else {
			CHECK(kyc_pdf417_rs_check(r, n, k));
			CHECK(memcmp(r, c, (size_t)n * sizeof *c) != 0);
			wrong += slack >= 4;
		}
	}
	printf("  beyond capacity: %d words, %d refused, %d wrong codewords with 4 check "
	       "codewords spare\n",
	       total, refused, wrong);
	CHECK(refused > total * 9 / 10);
	CHECK_INT(wrong, 0);
}

TEST(bad_arguments)
{
	int c[20] = {0}, pos[2] = {3, 3};
	CHECK_INT(kyc_pdf417_rs_decode(c, 20, 4, pos, 2, 0), KYC_ERR_INVALID);
	pos[1] = 20;
	CHECK_INT(kyc_pdf417_rs_decode(c, 20, 4, pos, 2, 0), KYC_ERR_INVALID);
	c[0] = 929;
	CHECK_INT(kyc_pdf417_rs_decode(c, 20, 4, NULL, 0, 0), KYC_ERR_INVALID);
	CHECK_INT(kyc_pdf417_rs_encode(c, 20, 0), KYC_ERR_INVALID);
	CHECK(!kyc_pdf417_rs_check(c, 20, 4));
	c[0] = 0;
	CHECK_INT(kyc_pdf417_rs_decode(c, 20, 4, NULL, 0, 0), 0);
}

/* The table: every value of every cluster, one pattern each, and back. */
TEST(codes_table)
{
	REQUIRE(kyc_pdf417_codes_ready() == 0);
	CHECK_INT(kyc_pdf417_codes_known(), 3 * 929);
	for (int k = 0; k < 3; k++)
		for (int v = 0; v < 929; v++) {
			unsigned b = kyc_pdf417_pattern(k, v);
			CHECK(b >> 16 == 1);
			CHECK_INT(kyc_pdf417_codeword(b), v);
		}
	CHECK_INT(kyc_pdf417_codeword(0x1ffff), -1); /* one bar: no codeword */
	CHECK_INT(kyc_pdf417_pattern(3, 0), 0);
}

/* A symbol of R rows, c columns at level 3 (16 check codewords): the
 * choices are the codeword with `wrong` codewords mistaken; the first
 * `unsure` of those have the smallest margins, the others margins among
 * the right ones'; every runner-up of a mistake is the right value. */
#define SR 12
#define SC 6
static int soft_case(int wrong, int unsure, int *truth, int *out, int *ecl)
{
	int n = SR * SC, best[SR * (SC + 2)], second[SR * (SC + 2)], pos[SR * SC], tries;
	double margin[SR * (SC + 2)];
	random_codeword(truth, n, 16);
	distinct(pos, wrong, n);
	for (int r = 0; r < SR; r++)
		for (int k = 0; k < SC + 2; k++) {
			int i = r * (SC + 2) + k;
			best[i] = k == 0 || k == SC + 1
			              ? kyc_pdf417_soft_indicator(r, k != 0, SR, SC, 3)
			              : truth[r * SC + k - 1];
			second[i] = (best[i] + 1) % 929;
			margin[i] = 0.2 + rnd(1000) / 1000.0;
		}
	for (int j = 0; j < wrong; j++) {
		int i = pos[j] / SC * (SC + 2) + 1 + pos[j] % SC;
		second[i] = best[i], best[i] = other(best[i]);
		margin[i] = j < unsure ? 0.01 * (j + 1) : 0.2 + rnd(300) / 1000.0;
	}
	struct kyc_pdf417_soft S = {SR, SC, best, second, margin};
	return kyc_pdf417_soft_correct(&S, out, ecl, &tries);
}

TEST(soft_erasures_and_flips)
{
	rng_state = 4713 + 3;
	int truth[SR * SC], out[SR * SC], ecl = -1;
	/* 12 mistakes, all least sure: erasures alone (8 errors is zxing's
	 * limit at this level) */
	CHECK_INT(soft_case(12, 12, truth, out, &ecl), 0);
	CHECK(!memcmp(out, truth, sizeof truth));
	CHECK_INT(ecl, 3);
	/* 14: ten least sure, four among the sure ones: the flips find them
	 * often, not always (they must fall among the next eight) */
	int found = 0;
	for (int t = 0; t < 20; t++) {
		int rc = soft_case(14, 10, truth, out, &ecl);
		CHECK(rc == 0 || rc == KYC_ERR_NOTFOUND);
		if (!rc) {
			CHECK(!memcmp(out, truth, sizeof truth));
			found++;
		}
	}
	printf("  14 mistakes, 4 of them sure: %d of 20 corrected\n", found);
	CHECK(found >= 15);
	/* 40 mistakes: refused (a codeword other than the truth would need
	 * more than 4 spare checks to go wrong) */
	for (int t = 0; t < 10; t++) {
		int rc = soft_case(40, 20, truth, out, &ecl);
		CHECK_INT(rc, KYC_ERR_NOTFOUND);
	}
}

int main(void)
{
	RUN(encode_makes_codewords);
	RUN(errors_and_erasures_within_capacity);
	RUN(beyond_capacity_never_silently_invalid);
	RUN(bad_arguments);
	RUN(codes_table);
	RUN(soft_erasures_and_flips);
	return test_done("pdf417_rs");
}
