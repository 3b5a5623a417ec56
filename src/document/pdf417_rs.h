/* PDF417's Reed-Solomon code over GF(929), with errors AND erasures
 * (docs/dl.md, "Soft codewords: erasures and Reed-Solomon").
 *
 * Why our own: zxing-cpp's PDF417 decoder corrects errors only; it takes a
 * list of erasures but does not use their positions, so a codeword the
 * grid reader knows it is unsure of costs zxing as much as one it chose
 * wrong with confidence (two check codewords instead of one). This decoder
 * takes the unsure codewords as erasures: 2e + f <= k (e errors, f
 * erasures, k check codewords) is corrected.
 *
 * The code, as ISO/IEC 15438 defines it: the codewords c[0..n) are the
 * coefficients of c(x), c[0] the highest degree, the last k the check
 * codewords; every codeword is divisible by g(x) = (x - 3)(x - 3^2)...(x -
 * 3^k) in the integers mod 929 (3 generates the field's multiplicative
 * group). Pure computation, no state; thread-safe. */
#ifndef KYC_PDF417_RS_H
#define KYC_PDF417_RS_H

#define KYC_PDF417_RS_MAX_N 928 /* codewords a symbol, at most */
#define KYC_PDF417_RS_MAX_K 512 /* check codewords (error correction level 8) */

/* The k check codewords of the n - k data codewords c[0..n - k), written
 * to c[n - k..n). Values must be < 929. 0, or KYC_ERR_INVALID. */
int kyc_pdf417_rs_encode(int *c, int n, int k);

/* 1 when every syndrome of c[0..n) (k check codewords) is zero: c is a
 * codeword. 0 otherwise, or on arguments out of range. */
int kyc_pdf417_rs_check(const int *c, int n, int k);

/* Corrects c[0..n) in place, with k check codewords, the positions
 * erasures[0..f) (distinct, in 0..n) taken as unknown. The errors found
 * outside them, e, must satisfy 2 e + f <= k - slack: slack check
 * codewords kept unused, so that a word too damaged to correct is refused
 * rather than taken for another codeword (each spare codeword makes that
 * about 929 times less likely). On success c is a codeword (its syndromes
 * are checked again) and the result is how many codewords changed; on
 * failure c is unchanged and the result is KYC_ERR_NOTFOUND (not
 * correctable within those bounds) or KYC_ERR_INVALID (arguments). */
int kyc_pdf417_rs_decode(int *c, int n, int k, const int *erasures, int f, int slack);

#endif
