/* Decoding OCR candidates into MRZ lines under the check-digit constraints.
 *
 * The reader's classifier gives, for every character cell, its few likeliest
 * characters with probabilities. The decoder chooses, among the readings those
 * candidates allow, the most probable one whose check digits all hold (the
 * composite digit jointly with the digits it covers), and says per character
 * how sure that choice is: a character a check digit pins down is as sure as
 * the reading is among all the readings that satisfy the checks; a character
 * no check digit covers (names, codes, optional data) is as sure as the
 * classifier was. Pure computation: no I/O, no allocation; see docs/mrz.md. */
#ifndef KYC_MRZ_DECODE_H
#define KYC_MRZ_DECODE_H

#define KYC_MRZ_DECODE_K 4 /* candidates per character */

/* The classifier's candidates for each cell of 2 lines of 36 or 44, or 3 of
 * 30: ch[l][i][0..] best first, 0 ending a shorter list; p their scores in
 * [0,1] (they need not sum to 1). Characters outside 0-9 A-Z '<' are ignored. */
struct kyc_mrz_cands {
	int nlines, len;
	char ch[3][44][KYC_MRZ_DECODE_K];
	float p[3][44][KYC_MRZ_DECODE_K];
};

/* The decoded reading. */
struct kyc_mrz_decoded {
	char lines[3][45];  /* NUL-terminated */
	float conf[3][44];  /* per character, in [0,1] */
	int checks_total;   /* check digits the format carries */
	int checks_ok;      /* how many hold in lines */
	int changed;        /* characters that differ from the best candidates */
};

/* Decodes in into *out. A check-digit group is re-read only when its best
 * reading that satisfies the check has at least 1/50 of the probability of
 * its best unconstrained reading and at least half the probability of all the
 * readings that satisfy the check; otherwise its best candidates stay (and
 * its check fails). Returns 0, or KYC_ERR_INVALID when
 * the shape is no MRZ format (out is then zeroed). */
int kyc_mrz_decode(const struct kyc_mrz_cands *in, struct kyc_mrz_decoded *out);

/* Marks (1) in cells the positions whose check digit fails in lines (2 of
 * 36 or 44, or 3 of 30; the rest 0): each failing group's data and its own
 * digit, and when the composite digit fails, that digit and what it covers
 * outside the groups whose own digit holds. Returns how many are marked, or
 * KYC_ERR_INVALID when the shape is no MRZ format. */
int kyc_mrz_failing_cells(int nlines, int len, const char lines[][45], unsigned char cells[3][44]);

#endif
