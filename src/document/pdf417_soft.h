/* A PDF417's codewords corrected from soft choices (docs/dl.md, "Soft
 * codewords: erasures and Reed-Solomon"), for the grid reader
 * (pdf417_grid.c).
 *
 * The grid reader gives every codeword position its best-fitting value,
 * its runner-up and the margin between their fits. The least sure are
 * taken as erasures and the symbol decoded over GF(929) with errors and
 * erasures (pdf417_rs.h), with every count of erasures the code allows;
 * when that fails, a bounded Chase search flips the next least sure to
 * their runner-up (every subset of KYC_PDF417_SOFT_FLIPS of them, after
 * KYC_PDF417_SOFT_FSTEPS counts of erasures) and decodes again. An answer must be a
 * codeword with KYC_PDF417_SOFT_SLACK check codewords left unused, which
 * keeps a wrong codeword out at the cost of some reach, and at least half
 * the row indicators must read as those of the rows, columns and level
 * taken; the caller's
 * reader checks the data again (zxing reads the redrawn symbol, the AAMVA
 * parser its bytes). Pure computation; thread-safe. */
#ifndef KYC_PDF417_SOFT_H
#define KYC_PDF417_SOFT_H

#define KYC_PDF417_SOFT_SLACK 4
#define KYC_PDF417_SOFT_FLIPS 8
#define KYC_PDF417_SOFT_FSTEPS 5

/* One symbol's choices: R rows of c + 2 codewords (the left row indicator,
 * c data columns, the right row indicator), row by row. best and second
 * are values 0-928 (second -1 when none); margin >= 0, smaller is less
 * sure. */
struct kyc_pdf417_soft {
	int R, c;
	const int *best, *second;
	const double *margin;
};

/* The symbol's R x c codewords corrected into out (row by row, data
 * columns only) and its error correction level (0-8, read from the row
 * indicators) into *ecl; *tries counts the decodes run. 0; KYC_ERR_NOTFOUND
 * when no correction within the bounds above makes a codeword;
 * KYC_ERR_INVALID or KYC_ERR_NOMEM. */
int kyc_pdf417_soft_correct(const struct kyc_pdf417_soft *s, int *out, int *ecl, int *tries);

/* How many of the 2R row indicators of s's best choices read as those of
 * a symbol of its rows and columns, at the level where most do. */
int kyc_pdf417_soft_indicators(const struct kyc_pdf417_soft *s);

/* The value of row r's left (side 0) or right (side 1) row indicator of a
 * symbol of R rows, c columns, error correction level ecl. */
int kyc_pdf417_soft_indicator(int r, int side, int R, int c, int ecl);

#endif
