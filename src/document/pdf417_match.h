/* A PDF417's codewords read by matching each one's grey profile against
 * its cluster's 929 patterns blurred as the symbol is (docs/dl.md,
 * "Codewords of 1-px modules"), for the grid reader (pdf417_grid.c) when
 * its own choices cannot be corrected.
 *
 * At one pixel a module the picture no longer holds the bars' edges, but
 * it still holds their mix: each row, averaged down its height, is the
 * symbol's row of modules blurred by the photo's point spread, plus some of
 * the rows above and below. The start and stop patterns are known in every
 * row, so they give the row's paper and ink levels, the noise, and the
 * blur. Each codeword's samples, scaled by those levels into darkness, are
 * compared with the 929 patterns of the row's cluster blurred the same way
 * (a sum of squared differences: a Gaussian likelihood, the levels fixed,
 * not fitted per codeword), with the neighbours' modules as context. Then,
 * from those first choices, each codeword's shift along the row (the
 * module pitch drifts), its own levels and its share of the rows above and
 * below (a row band that runs off its row where the card is not flat) are
 * fitted, smoothed over the codewords around it and taken out, and the
 * codewords matched again with the chosen neighbours as context. The
 * answer is each position's best value, its runner-up and the margin
 * between them (pdf417_soft.h).
 * Pure computation; thread-safe (the codeword table must be ready,
 * pdf417_codes.h). */
#ifndef KYC_PDF417_MATCH_H
#define KYC_PDF417_MATCH_H

/* A symbol seen as row profiles. Module 0 is the start pattern's first
 * (the left edge of its wide bar); a row of c data columns is W = 17 (c +
 * 4) + 1 modules, codeword position k (0: the left row indicator, c + 1:
 * the right one) at modules 17 (k + 1) to 17 (k + 2). Row r's module m is
 * at sample x0[r] + m * pitch[r] of its profile prof[r * n .. r * n + n),
 * grey levels (0-255, ink dark). */
struct kyc_pdf417_match_in {
	int R, c, n;
	const double *prof, *x0, *pitch;
	/* 1: the contrast matcher (docs/dl.md, "Glare over 1-px modules"): each
	 * pattern fitted with the codeword's own gain, held to the levels
	 * measured around it; those levels interpolated between neighbouring
	 * codewords; the first and last rows' levels measured too; margins
	 * scaled by the gain's square, so that a codeword a glare washed out
	 * is among the first erased. 0: as before it. */
	int contrast;
};

/* Reads the symbol's R x (c + 2) codewords (row indicators included, row by
 * row) into best (values 0-928), second (the runner-up, -1 when none) and
 * margin (>= 0, the runner-up's extra misfit over the noise's variance;
 * smaller is less sure). *sigma_out, when not NULL, gets the blur found
 * (modules). 0; KYC_ERR_NOTFOUND when the start and stop patterns do not
 * show ink on paper; KYC_ERR_INVALID (no codeword table, or arguments);
 * KYC_ERR_NOMEM. */
int kyc_pdf417_match(const struct kyc_pdf417_match_in *in, int *best, int *second, double *margin,
                     double *sigma_out);

#endif
