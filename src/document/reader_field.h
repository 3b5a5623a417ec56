/* A reading whose check digits fail, its failing fields read again harder
 * (docs/reader.md, step 14, "A failing field read again from more
 * views"). Internal to src/document/reader*.c. Pure computation on a band's
 * pixels. */
#ifndef KYC_READER_FIELD_H
#define KYC_READER_FIELD_H

#include "document/reader.h"

struct kyc_reader__reading;
/* When a check digit of *best (lay read on b) fails, the cells its fields
 * cover (kyc_mrz_failing_cells) are classified again from several views
 * (the grid moved a fifth of a pitch either way, both models, on b and on
 * b with a watermark's cover taken off, kyc_reader__band_overlay) and
 * averaged; among the readings changing one or two of those cells to their
 * likelier characters whose check digits all hold, the likeliest replaces
 * *best (as spare, another reading's room) when it is at least 4 times as
 * likely as the next, and as one through a character the views did not
 * offer. A changed character's confidence is its share of the two. spare
 * may be overwritten either way; *best changes only then. 0, or
 * KYC_ERR_NOMEM. */
int kyc_reader__read_fields(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
                            struct kyc_reader__reading **best, struct kyc_reader__reading *spare);

#endif
