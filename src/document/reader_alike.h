/* Characters a check digit cannot tell apart (docs/reader.md, step 15,
 * "Characters a check digit cannot tell apart"). Internal to
 * src/document/reader*.c. */
#ifndef KYC_READER_ALIKE_H
#define KYC_READER_ALIKE_H

#include "document/reader.h"
#include "document/reader_int.h"
#include "document/ocr.h"
#include "document/reader_names.h"

/* The share of a cell's first-model candidates that weigh as its reading
 * does (kyc_reader__alike) from which a check digit no longer vouches for
 * the reading: on a cell read at 0.9 or more, a runner-up of another weight
 * is what a check digit rules out, one of the same weight it cannot. */
#define KYC_READER__ALIKE_SHARE 0.01f

/* 1 when a and b differ and weigh the same, mod 10, in an ICAO 9303 check
 * digit (`<` 0, a digit its value, A-Z 10-35): `K` (20) and `<` (0), `U`
 * (30) and `0`, `G` (16) and `6`, `S` (28) and `8`. Pure, for the tests. */
int kyc_reader__alike(char a, char b);

/* c's share of the guesses g[0..n) (one model's best, kyc_ocr_top_k)
 * that are c or weigh as c does: how surely the model holds c against
 * what a check digit cannot rule out (0 when c is not among them). Pure,
 * for the tests. */
float kyc_reader__alike_share(char c, const struct kyc_ocr_guess *g, int n);

/* In a reading whose check digits all hold (called by
 * kyc_reader__names_sure), each cell of a field a check digit covers that
 * may hold letters, digits and fillers alike (the document number, a
 * card's or passport's optional data; not a visa's, which no check digit
 * covers: kyc_reader__optional_sure) read at the parser's bar or above,
 * not r's best candidate at 0.99, and whose first-model candidates in r
 * (the reading out was filled from) of the same weight as its reading
 * score KYC_READER__ALIKE_SHARE or more together, is read again on band b
 * with layout lay (r's own): it stays sure when the first model's
 * kyc_reader__alike_share for its reading is 0.99 or more or, failing
 * that, the finer model's is at the parser's bar or more; else its
 * confidence is lowered under the bar. A cell the finer model made sure
 * has helped[i][k] set to KYC_READER__HELPED_CHAR
 * (reader_smear.h). Only out->conf and helped change. */
void kyc_reader__alike_sure(struct kyc_reader_result *out, const struct kyc_reader__reading *r,
                            const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
                            unsigned char helped[][KYC_READER_MAX_CHARS]);

#endif
