/* A PDF417 located in a photo by its own look, not by the card around it
 * (docs/dl.md, "The barcode finder on small modules").
 *
 * The licence reader finds the card first and reads the barcode box of the
 * card it found; when the card's edges are lost (a white card on white
 * sheets of print, the card's edge in the light) the box is cut from the
 * wrong place and no symbol is seen. But a PDF417 is the strongest texture
 * on the back: dense bars all one way, ink about half its area, bracketed
 * by two wide bars (the start pattern's 8 modules and the stop pattern's 7)
 * that run its whole height. This finder marks the tiles of the picture
 * whose gradients are strong and point one way (the structure tensor),
 * joins neighbours of like direction, and in each large enough group looks
 * for the two wide bars across it: their outer edges, measured in the upper
 * and the lower part of the symbol, and their ends give its corners.
 * Pure computation on pixels, no state; thread-safe. */
#ifndef KYC_PDF417_FIND_H
#define KYC_PDF417_FIND_H

#include "document/image.h"

/* The symbols looked for at most. */
#define KYC_PDF417_FIND_MAX 3

/* One PDF417 found: its corners in img's pixels (TL, TR, BR, BL, the
 * start or the stop pattern on the left: which way up is not told), the
 * module in pixels (kyc_pdf417_bars_module of the two wide bars) and a score (the
 * larger the surer). */
struct kyc_pdf417_found {
	double quad[4][2];
	double module_px;
	double score;
};

/* Finds up to max (at most KYC_PDF417_FIND_MAX) PDF417 symbols in img's
 * gray plane into out (caller's), the likeliest first. Returns how many
 * (0 when none), or KYC_ERR_NOMEM. */
int kyc_pdf417_find(const struct kyc_image *img, struct kyc_pdf417_found *out, int max);

/* The module of a PDF417 whose two wide bars, averaged down the symbol,
 * are dark runs of widths a and b (either way up, any unit): their sum
 * over 15 (the start pattern's bar is 8 modules, the stop pattern's 7)
 * when the wider is at most 2.2 times the narrower, else 0. Under about
 * 1.3 px a module blur joins the start pattern's six one-module bars and
 * spaces to its wide bar in one dark run of up to 15 modules, about twice
 * the stop bar (seed 9201 #87); the module is then over-estimated, and the
 * grid reader tries other scales of it (pdf417_ends.h). */
double kyc_pdf417_bars_module(double a, double b);

/* Divides the profile p (n samples, gray 0..255) by the paper's level
 * around each sample, and scales it back to 0..255: the paper's level is
 * the profile's maximum within r samples either side, averaged over the
 * same width. A shadow or a gradient of light across a symbol then leaves
 * its bars and its codewords' grey where they are on even light, as long
 * as r reaches past the widest bar to paper. 0 or KYC_ERR_NOMEM. */
int kyc_pdf417_flatten(double *p, int n, double r);

/* img's dominant edge direction, degrees in [-45, 45): a PDF417's bars and
 * rows are the strongest edges of a licence's back, so turning the picture
 * by minus this puts them along its axes (zxing tries the quarter turns
 * itself). */
double kyc_pdf417_find_angle(const struct kyc_image *img);

/* img's gray plane turned by deg degrees clockwise about its centre, on
 * white: a new raster of img's size (the caller frees it), or NULL when out
 * of memory. */
unsigned char *kyc_pdf417_turned(const struct kyc_image *img, double deg);

#endif
