/* Glyphs sheared by the camera's angle, straightened line by line before a
 * band's cells are read (src/document/reader_shear.c; docs/reader.md, step
 * 9, "Sheared glyphs"). Internal to the reader. Pure computation on a
 * band's pixels. */
#ifndef KYC_READER_SHEAR_H
#define KYC_READER_SHEAR_H

#include "document/reader.h"

/* The slant of the vertical strokes of lay's lines on b, in band pixels
 * across per pixel down, over the cells from k0 to k1 (fractional cell
 * indices) of every line: the shear under which the column profiles of
 * the steps across the rows in the lines' upper and lower halves agree
 * best. 0 when the cells hold too little ink to tell. */
double kyc_reader__shear_of(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
                            double k0, double k1);

/* Straightens the glyphs of every line of lay on b in place: the rows
 * around each line are moved along by the slant (measured over the lines'
 * first and last halves, so a keystoned line's changing slant is followed)
 * times their distance from the line's middle row, which stays, so lay's
 * grids hold as they are. Left as it is when both halves lean less than
 * KYC_READER__SHEAR_MIN, or their slants differ by more than
 * KYC_READER__SHEAR_SPREAD (no camera angle does that). 1 when the
 * lines moved, 0 when they did not, or KYC_ERR_NOMEM (b unchanged). */
int kyc_reader__unshear(struct kyc_reader__band *b, const struct kyc_reader__layout *lay);

/* The slant under which a line is left as it is: a pixel at a 20 px
 * glyph's top or bottom row moves by under half a pixel. */
#define KYC_READER__SHEAR_MIN 0.045
/* The most the two halves of a band may differ in slant: a keystone leans
 * a line's ends opposite ways, by about 0.1 each on the development seeds. */
#define KYC_READER__SHEAR_SPREAD 0.3

#endif
