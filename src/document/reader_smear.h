/* Letters no check digit covers, read a third time on a smeared band
 * (docs/reader.md, step 15, "A smeared letter read a third time").
 * Internal to src/document/reader*.c. */
#ifndef KYC_READER_SMEAR_H
#define KYC_READER_SMEAR_H

#include "document/reader.h"

/* The shake (band pixels) from which a band counts as smeared: sharp real pictures measure 5-7.6
 * from their print's texture, glyphs blurred into one another by a fifth of a pitch either way
 * 9-14. */
#define KYC_READER__SMEAR_LEN 8.0
/* ... and the shake must run along the lines, within this many degrees
 * (blur across them merges no neighbouring glyphs, and deconvolving it on
 * the band's few rows about each line turns an `O` into `H` and a `T` into
 * `Y`: at 83-90° on development seeds 9100-9104, motion level 2), and be
 * clearly measured, its dip (kyc_reader__blur_measure) this deep at least
 * (0.67-0.82 on glyphs blurred along the rows, 0.23-0.40 on those shakes
 * across or oblique) */
#define KYC_READER__SMEAR_ANGLE 15.0
#define KYC_READER__SMEAR_DIP 0.5

/* How a cell was made sure with the finer model's help, so which rule it
 * is held to again: a letter where the format holds letters
 * (kyc_reader__letter_sure), a character of a visa's optional data
 * (kyc_reader__char_sure). */
enum { KYC_READER__HELPED_LETTER = 1, KYC_READER__HELPED_CHAR };

/* In result out, read on band b with layout lay, the cells helped[i][k]
 * names (0 for none, else KYC_READER__HELPED_*): when b is smeared (its
 * shake, kyc_reader__blur_measure, at least KYC_READER__SMEAR_LEN long,
 * along the lines and clearly measured, as above), the lines holding such
 * cells are deblurred (kyc_reader__deblur) and each such cell is read there
 * by both models; one that the deblurred band surely reads as another
 * character has its confidence set to refused. On a band not smeared
 * nothing changes. Only out->conf changes. 0, or KYC_ERR_NOMEM (then every
 * such cell is refused). */
int kyc_reader__smear_sure(struct kyc_reader_result *out, const struct kyc_reader__band *b,
                           const struct kyc_reader__layout *lay,
                           const unsigned char helped[][KYC_READER_MAX_CHARS], float refused);

#endif
