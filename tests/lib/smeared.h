/* Generated photos made hard the way blur along the text makes them, and a
 * scan judged as the API judges it: for the tests of the reader's loose
 * layout and of its smeared letters (reader_loose_test, reader_smear_test). */
#ifndef KYC_TEST_SMEARED_H
#define KYC_TEST_SMEARED_H

#include "document/image.h"
#include "document/synth.h"

/* Blurs the rows over d's MRZ box in img, r pixels each side: neighbouring
 * glyphs run into one another. */
void tsmear_rows(struct kyc_image *img, const struct kyc_synth_doc *d, int r);

/* Scans img and parses its lines with each character's confidence and
 * runner-up, as the API passes them. Sets *exact when the lines are d's and
 * returns 1 when the parser calls the reading valid ("valid" is what a user
 * gets), else 0; prints the lines of a valid reading that is not the
 * truth's. */
int tsmear_scan_valid(const struct kyc_image *img, const struct kyc_synth_doc *d, int *exact);

/* Judged scans counted: valid, valid and the truth's, valid but wrong. */
struct tsmear_tally {
	int valid, right, wrong;
};
/* tsmear_scan_valid on img, counted into *t; then img is freed. */
void tsmear_tally(struct kyc_image *img, const struct kyc_synth_doc *d, struct tsmear_tally *t);

#endif
