/* Dot-matrix print in a band (src/document/reader_dots.c; docs/reader.md,
 * step 10, "Dot-matrix print"). Internal to the reader. */
#ifndef KYC_READER_DOTS_H
#define KYC_READER_DOTS_H

#include "document/reader.h"

/* Pieces of ink per cell from which a band may be dot-matrix print: solid
 * print at levels 0-1 of development seeds 9100-9107 gives at most 1.06,
 * dot-matrix print 1.0-3.3 (where blur or thick ink merges its dots it
 * reads as strokes anyway). */
#define KYC_READER__DOTS 1.08
/* And the share of inked cells split into pieces none of which holds half
 * the cell's ink, from which it is: glyphs broken by a watermark's lines,
 * glare or thin grey ink keep one large piece (0-0.03 where pieces alone
 * took them for dots), a glyph of dots has none. */
#define KYC_READER__DOTS_SPLIT 0.03

/* The pieces of ink per cell of lay's lines on b, binarised by Otsu's
 * threshold over the lines' boxes: about 1 for OCR-B strokes, more where
 * the glyphs are grids of dots. *split: the share of cells with 4 pixels of
 * ink or more whose largest piece holds under half of it (a piece counts
 * in the cell of its centre). 0 (and *split 0) when lay's lines fall
 * outside b or memory runs out. */
double kyc_reader__dot_pieces(const struct kyc_reader__band *b,
                              const struct kyc_reader__layout *lay, double *split);

/* 1 when the lines of lay on b look printed dot-matrix: at least
 * KYC_READER__DOTS pieces a cell and KYC_READER__DOTS_SPLIT of the cells
 * split. */
int kyc_reader__dotted(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay);

/* Smooths b in place at the dot pitch of a 20 px glyph (a 5-tap binomial
 * each way), joining a dot-matrix glyph's dots into strokes. 0 or
 * KYC_ERR_NOMEM (b unchanged). */
int kyc_reader__dot_smooth(struct kyc_reader__band *b);

/* Reads b as strokes: smooths it (kyc_reader__dot_smooth) and lays it out
 * again (kyc_reader__band_layout_again, seed line seed_len long), keeping
 * the new grids in *lay when they have lay's format (lines, cells a line):
 * the dots of one glyph, laid out unsmoothed, can walk as two glyphs and
 * put a line's grid a cell off. 0 or KYC_ERR_NOMEM. */
int kyc_reader__dot_strokes(struct kyc_reader__band *b, double seed_len,
                            struct kyc_reader__layout *lay);

#endif
