/* Whether the characters no check digit covers are sure (docs/reader.md,
 * step 15, "Characters no check digit covers"). Internal to
 * src/document/reader*.c. */
#ifndef KYC_READER_NAMES_H
#define KYC_READER_NAMES_H

#include "document/reader.h"
#include "document/reader_int.h"

/* A refused cell's confidence: under the parser's bar. */
#define KYC_READER__REFUSED 0.5f
/* The first model's score at which it alone is sure of a character no check
 * digit covers: on the development seeds the finer model disagreed with no
 * wrong letter read this surely (bench/README.md). */
#define KYC_READER__SURE_ALONE 0.99f
/* Under this first-model score a letter read at KYC_READER__SURE_ALONE is
 * also read by the finer model, which must hold it at KYC_READER__FINE_BAR:
 * print that thins a stroke makes an `N` an `H` at 0.996 to the first model
 * and 0.92 to the finer (development seed 0x9110, print level 1 #8), while
 * the right letters the first model reads at 0.999 or more the finer model
 * held at 0.95 or more on the development seeds (bench/README.md). */
#define KYC_READER__SURE_CLEAR 0.999f
#define KYC_READER__FINE_BAR 0.95f

/* One letter cell read again: the first model's best character and score,
 * and the finer model's best (fine 0 when it was not asked). */
struct kyc_reader__two_reads {
	char first, fine;
	float first_p, fine_p;
	float fine_share; /* c and its twin against the finer model's other letters, fillers */
};

/* 1 when a cell read c (at the parser's bar or above) in a field no check
 * digit covers stays sure: the first model alone reads c at 0.99 or more,
 * or the finer model reads c or its digit twin (kyc_reader__twin), which
 * cannot stand there. Pure, for the tests. */
int kyc_reader__letter_sure(char c, const struct kyc_reader__two_reads *t);

/* 0 when the first model reads the letter c at KYC_READER__SURE_ALONE but
 * under KYC_READER__SURE_CLEAR and the finer model's share for c and its
 * twin (fine_share) is under KYC_READER__FINE_BAR; 1 otherwise. Pure, for
 * the tests. */
int kyc_reader__letter_clear(char c, const struct kyc_reader__two_reads *t);

/* Cell k of line L of band b read by the first model and, unless it alone
 * reads c at 0.99 or more (at KYC_READER__SURE_CLEAR or more when c is a
 * letter), by the finer model given its softmax, into *t.
 * Returns 0, or -1 when the first model gives nothing. */
int kyc_reader__read_twice(const struct kyc_reader__band *b, const struct kyc_reader__line *L,
			   int k, char c, struct kyc_reader__two_reads *t);

/* 1 when a cell read c (at the parser's bar or above) in a field no check
 * digit covers and that may hold letters and digits alike stays sure: the
 * first model alone reads c at 0.99 or more, or the finer model reads c
 * itself (not its twin: either may stand there), at the parser's bar or
 * more when c has a twin (kyc_reader__twin). Pure, for the tests. */
int kyc_reader__char_sure(char c, const struct kyc_reader__two_reads *t);

/* A visa's (MRV-A, MRV-B) optional data, which no check digit covers (visas
 * carry no composite): in a reading whose check digits all hold, each of
 * its cells read at the parser's bar or above and not the best candidate of
 * r at 0.99 is read again on band b with layout lay, and its confidence is
 * lowered under the bar when kyc_reader__char_sure refuses it; a cell it
 * accepts only by the finer model's reading has helped[1][k] set to
 * KYC_READER__HELPED_CHAR (reader_smear.h). Called by
 * kyc_reader__names_sure, on the readings it looks at. Only out->conf and
 * helped change. */
void kyc_reader__optional_sure(struct kyc_reader_result *out, const struct kyc_reader__reading *r,
			       const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
			       unsigned char helped[][KYC_READER_MAX_CHARS]);

/* In a reading whose check digits all hold, every cell of a field no check
 * digit covers (the document code, the issuing state, the nationality, the
 * names) read at the parser's bar or above and not the best candidate of
 * r (the reading out was filled from) at 0.99 (0.999 for a letter) is read
 * again on band b with layout lay (r's own), and has its confidence lowered
 * under the bar, so that its field is not accepted, when
 * kyc_reader__letter_sure refuses it, or kyc_reader__letter_clear does on
 * a band not shaken (on a shaken one the cell is left to
 * kyc_reader__smear_sure), or, on the names line, when that line's grid is moved along
 * the line from the others' by more than 3/4 of a pitch or a filler is read
 * surely just beyond one of its ends. Then a visa's optional data is
 * looked at (kyc_reader__optional_sure), then the cells a check digit
 * cannot tell from a character of their weight (kyc_reader__alike_sure,
 * reader_alike.h), and last the cells only the finer model made sure are
 * read again if the band is smeared (kyc_reader__smear_sure). Only
 * out->conf changes. */
void kyc_reader__names_sure(struct kyc_reader_result *out, const struct kyc_reader__reading *r,
			    const struct kyc_reader__band *b, const struct kyc_reader__layout *lay);

#endif
