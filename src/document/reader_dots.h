/* Dot-matrix print in a band (src/document/reader_dots.c; docs/reader.md,
 * step 10, "Dot-matrix print"). Internal to the reader. */
#ifndef KYC_READER_DOTS_H
#define KYC_READER_DOTS_H

#include "document/reader.h"

/* The pieces of ink per cell of lay's lines on b, binarised by Otsu's
 * threshold over the lines' boxes: about 1 for OCR-B strokes, more where
 * the glyphs are grids of dots. 0 when lay's lines fall outside b or
 * memory runs out. */
double kyc_reader__dot_pieces(const struct kyc_reader__band *b,
			      const struct kyc_reader__layout *lay);

/* Pieces per cell from which a band is taken for dot-matrix print: solid
 * print at levels 0-1 of development seeds 9100-9107 gives at most 1.06,
 * dot-matrix print 1.0-3.3 (its dots merge where blur or thick ink joins
 * them, and then it reads as strokes anyway). */
#define KYC_READER__DOTS 1.08

/* Smooths b in place at the dot pitch of a 20 px glyph (a 5-tap binomial
 * each way), joining a dot-matrix glyph's dots into strokes. 0 or
 * KYC_ERR_NOMEM (b unchanged). */
int kyc_reader__dot_smooth(struct kyc_reader__band *b);

#endif
