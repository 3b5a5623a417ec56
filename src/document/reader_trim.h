/* Every line of an MRZ walked past its count (docs/reader.md, step 14,
 * "Lines run on past their count"). An MRZ at the card's or the image's
 * edge can have print, a card's corner or the streaks of the band beyond
 * the frame (reader_band.c repeats the border pixel) at the same end of
 * every line, a gap of less than a glyph from its last glyph: each line's
 * chain of glyph runs (step 9) takes it in and walks 6-25 cells too many,
 * and no line fits its count for kyc_reader__refit_to_margin to lend the
 * others its margins. The runs at one end are dropped until each line
 * walks exactly its count, at the same end for every line. */
#ifndef KYC_DOCUMENT_READER_TRIM_H
#define KYC_DOCUMENT_READER_TRIM_H

#include "document/image.h"
#include "document/reader.h"

/* Whether a chain of `lines` lines of nx[i] glyph runs each, none fitting
 * count n (misfits e[i], kyc_reader__walk_fit), holds more runs than cells
 * on every line: what kyc_reader__trim_to_count may cut. 1 or 0. */
int kyc_reader__over_count(const int *nx, const double *e, int lines, int n);

/* When no line fits count n (every e[i] 0.4 or more): each line's runs (at
 * xs + stride * i, ws + stride * i, nx[i] of them, typical step[i]) walked
 * again with the fewest runs dropped at its left end (side 0) or its right
 * (side 1) that make it fit n cells (kyc_reader__walk_fit), at most half
 * its count. When every line fits so with the same margins (first and last
 * cells within half a pitch), that replaces tl[i], tc[i] and e[i] (its
 * misfit plus 0.1: a grid cut out of more, a guess only the check digits
 * confirm). Otherwise nothing changes. Which end to cut is the check
 * digits' to say: print continuing the lines at their pitch fits either. */
void kyc_reader__trim_to_count(const double *xs, const double *ws, int stride, const int *nx,
                               const double *step, int lines, int n, int side, double *e,
                               struct kyc_reader__line *tl, int *tc);

/* kyc_reader__band_layout with every line of a chain that walks past its
 * count cut to it at its left end (side 0) or its right (side 1), in the
 * band turned as flip says (kyc_reader__trim_to_count), on the flattened
 * band (reader_layout.c). Returns as kyc_reader__band_layout. */
int kyc_reader__band_layout_trimmed(const struct kyc_image *img, const struct kyc_reader__cand *c,
                                    int flip, int side, struct kyc_reader__band *b,
                                    struct kyc_reader__layout *lay);

#endif
