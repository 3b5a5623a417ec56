/* PDF417's codeword table: which 17-module bar pattern stands for which
 * codeword value (0-928) in each of the three clusters (docs/dl.md, "Soft
 * codewords: erasures and Reed-Solomon").
 *
 * The table is the standard's, but it is not copied here: it is read back
 * once from zxing's own encoder (barcode.h), through its public interface,
 * by encoding digit strings whose codewords we choose (numeric compaction
 * turns 44 digits into 15 base-900 codewords we can pick) and reading the
 * drawn symbols' patterns at the positions we know. The check codewords of
 * those symbols, computed by pdf417_rs.c, must land on the patterns zxing
 * drew: a table or an encoder that disagreed with the standard's is
 * refused, and the callers then do without (kyc_pdf417_codes_ready fails).
 * Built on first use, under pthread_once; then read-only, thread-safe. */
#ifndef KYC_PDF417_CODES_H
#define KYC_PDF417_CODES_H

/* 0 when the table is built and checked; KYC_ERR_NOMEM or KYC_ERR_INTERNAL
 * when it could not be (then nothing below answers). */
int kyc_pdf417_codes_ready(void);

/* The value (0-928) of a pattern, its 17 modules as bits (the first, a
 * bar, the highest bit; 1 = bar), or -1 when it is no codeword (or one
 * the read-back did not meet: see how many with kyc_pdf417_codes_known). */
int kyc_pdf417_codeword(unsigned bits);

/* The pattern of value v (0-928) in cluster k (0-2: the row mod 3), as
 * bits; 0 when unknown. */
unsigned kyc_pdf417_pattern(int k, int v);

/* How many of the 3 x 929 patterns the table holds. */
int kyc_pdf417_codes_known(void);

#endif
