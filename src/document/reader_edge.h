/* An MRZ line never located because it merged with what lies beside its
 * ends (docs/reader.md, step 14, "Lines merged with an edge"). A card
 * photographed at the image's border or on printed paper can have the
 * card's edge, its shadow or the paper's print a few working pixels from
 * the first or last glyph of every line; the locator bridges gaps of up to
 * a ninetieth of the working side plus 2 px (what a large MRZ's glyphs
 * need),
 * welds the line to that print, and the blob is no line. This last resort
 * looks again with gaps bridged only up to a small MRZ's glyph gap. */
#ifndef KYC_DOCUMENT_READER_EDGE_H
#define KYC_DOCUMENT_READER_EDGE_H

#include "document/image.h"
#include "document/reader.h"

/* Lines read at most, the most MRZ-like first. */
#define KYC_READER__EDGE_READ 3

/* Locates img's lines with tight gaps (KYC_READER__TIGHT) at the working
 * size and reads through read (1 when it read, 0 when not, or a negative
 * error) the KYC_READER__EDGE_READ most MRZ-like of them at the pre-test's
 * photo bar (kyc_reader__more_lines), refined, until one reads. 0 or
 * KYC_ERR_NOMEM. */
int kyc_reader__read_edge(const struct kyc_image *img, kyc_reader__read_line_fn read, void *ctx);

#endif
