/* Letters no check digit covers, read a third time on a smeared band
 * (docs/reader.md, step 15, "A smeared letter read a third time").
 * Internal to src/document/reader*.c. */
#ifndef KYC_READER_SMEAR_H
#define KYC_READER_SMEAR_H

#include "document/reader.h"

/* The shake (band pixels, any direction) from which a band counts as
 * smeared: sharp real pictures measure 5-7.6 from their print's texture,
 * glyphs blurred into one another by a fifth of a pitch either way 9-14. */
#define KYC_READER__SMEAR_LEN 8.0

/* How a cell was made sure with the finer model's help, so which rule it
 * is held to again: a letter where the format holds letters
 * (kyc_reader__letter_sure), a character of a visa's optional data
 * (kyc_reader__char_sure). */
enum { KYC_READER__HELPED_LETTER = 1, KYC_READER__HELPED_CHAR };

/* In result out, read on band b with layout lay, the cells helped[i][k]
 * names (0 for none, else KYC_READER__HELPED_*): when b is smeared (its
 * shake, kyc_reader__blur_measure, KYC_READER__SMEAR_LEN long or more), b
 * is deblurred (kyc_reader__deblur) and each such cell read again there by
 * both models, and one its rule refuses there has its confidence set to
 * refused. On a band not smeared nothing changes. Only out->conf changes.
 * 0, or KYC_ERR_NOMEM (then every such cell is refused). */
int kyc_reader__smear_sure(struct kyc_reader_result *out, const struct kyc_reader__band *b,
                           const struct kyc_reader__layout *lay,
                           const unsigned char helped[][KYC_READER_MAX_CHARS], float refused);

#endif
