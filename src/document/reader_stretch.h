/* A located band that gave no layout, its contrast stretched column by
 * column and laid out again (docs/reader.md, step 14, "A band washed by
 * glare or shadow"). */
#ifndef KYC_DOCUMENT_READER_STRETCH_H
#define KYC_DOCUMENT_READER_STRETCH_H

#include "document/reader.h"

/* Stretches flattened band b in place: each column's ink level (the darkest
 * pixel of the rows about the band's middle, over a window a glyph wide
 * either side) is taken to black, the paper staying white, the gain capped
 * at KYC_READER__STRETCH_GAIN. 0 or KYC_ERR_NOMEM. */
int kyc_reader__stretch(struct kyc_reader__band *b);

/* Largest gain kyc_reader__stretch applies to a column. */
#define KYC_READER__STRETCH_GAIN 4.0

/* Band b (flattened, no layout found for a seed line seed_len long)
 * stretched and laid out again (kyc_reader__band_layout_again). 0,
 * KYC_ERR_NOTFOUND or KYC_ERR_NOMEM; b->px is the stretched band after. */
int kyc_reader__stretch_layout(struct kyc_reader__band *b, double seed_len,
			       struct kyc_reader__layout *lay);

#endif
