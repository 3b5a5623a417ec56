/* A blurred PDF417 redrawn clean from its known grid (docs/dl.md, "The
 * symbol redrawn from its grid").
 *
 * When a module is under about two pixels, blur and JPEG leave the symbol's
 * one-module bars and spaces flat grey, and zxing's binarizer, which
 * decides pixel by pixel, cannot split them. But a PDF417 has a known
 * shape: a start pattern (8 1 1 1 1 1 1 3 modules) and a stop pattern (7 1
 * 1 3 1 1 1 2 1) at the ends of every row, rows three to five modules tall
 * that repeat the same bars down their height, and between them codewords
 * of 17 modules, four bars and four spaces of 1 to 6 modules, from one of
 * three clusters by the row. This module finds that grid on an upright,
 * rectified picture of the symbol, averages each row down its height,
 * chooses for every codeword the bar pattern of its row's cluster whose
 * blurred profile fits the row's best (least squares, the row's own ink and
 * paper), among the cluster's true codewords (pdf417_codes.h), keeping
 * the runner-up and the margin; the least sure are corrected as erasures
 * over GF(929), with a bounded search over runners-up (pdf417_soft.h);
 * when that fails, the codewords are matched again on the rows' own levels
 * with the drift and the rows around taken out (pdf417_match.h) and
 * corrected the same way; the corrected codewords are drawn as a clean
 * symbol for zxing (or, when that finds no codeword, the choices as they
 * are, for zxing's own error correction, which repairs or rejects). A
 * wrong choice cannot make a wrong decode that the symbol's Reed-Solomon
 * check passes, short of more errors than it can detect.
 * Pure computation, no state between calls; thread-safe. */
#ifndef KYC_PDF417_GRID_H
#define KYC_PDF417_GRID_H

#include "document/image.h"

/* Redraws the PDF417 found in the quadrilateral region (TL, TR, BR, BL)
 * of img, upright (start pattern on the left) when region is warped to rw x
 * rh pixels, with about mod_px pixels a module there (within 20 %), as a
 * clean symbol: *out (malloc'd, *ow x *oh, white margin around) has
 * KYC_PDF417_GRID_PX pixels a module. The symbol's own corners are found
 * in that warp and the symbol warped again from them, so that its modules
 * lie on a regular grid whatever the error of region's corners. try picks
 * among the column counts the bars allow (0 first, the likeliest), up to
 * KYC_PDF417_GRID_COUNTS of them; the tries from KYC_PDF417_GRID_COUNTS on
 * do the same with the symbol's ends found on the warp divided by the
 * paper's level around each pixel (a shadow across the symbol, docs/dl.md,
 * branch dl16), and are KYC_ERR_NOTFOUND where those ends are the first
 * ones. 0, KYC_ERR_NOTFOUND (no symbol seen, or no such try),
 * KYC_ERR_INVALID or KYC_ERR_NOMEM. */
#define KYC_PDF417_GRID_PX 3
#define KYC_PDF417_GRID_COUNTS 3
#define KYC_PDF417_GRID_TRIES (2 * KYC_PDF417_GRID_COUNTS)
/* try_ + KYC_PDF417_GRID_CONTRAST: try try_ again with the contrast matcher
 * (pdf417_match.h) and without the grid's own choices, which that try
 * could not correct already; KYC_ERR_NOTFOUND where its matcher would not
 * run (the row indicators do not read). For a caller's last tries: a
 * glare over a symbol of about one pixel a module (docs/dl.md, branch
 * dl17). */
#define KYC_PDF417_GRID_CONTRAST KYC_PDF417_GRID_TRIES
int kyc_pdf417_grid_redraw(const struct kyc_image *img, const double region[4][2], int rw, int rh,
                           double mod_px, int try_, unsigned char **out, int *ow, int *oh);

/* The soft correction (pdf417_soft.h) on (1, the default) or off (0: the
 * choices drawn as they are, for zxing's own correction), for the
 * benchmark's comparison; set it before any read, not while reads run. */
void kyc_pdf417_grid_set_soft(int on);

#endif
