/* Where a blurred PDF417 lies in a region of a photo: the first step of
 * the grid reader (pdf417_grid.h), apart from its reading of the rows. */
#ifndef KYC_PDF417_ENDS_H
#define KYC_PDF417_ENDS_H

#include "document/image.h"

/* Mean of g's column x over rows y0..y1 (clamped; 255 outside g). */
double kyc_pdf417__col_mean(const unsigned char *g, int w, int h, int stride, int x, double y0,
                            double y1);

/* The PDF417 in the quadrilateral region (TL, TR, BR, BL) of img, upright
 * when region is warped to rw x rh pixels, with about mod_px pixels a
 * module there: its start and stop bars (their left edges) and their ends
 * found in that warp, at mod_px and, failing that, at a few scales of it
 * (the card's scale, and so mod_px, can be off by a third); when the bars
 * lean in that warp, found again in the quadrilateral between their own
 * lines (grown by the quiet zones, and a sixth above and below), whose
 * warp stands them upright, and that answer kept when there is one. *sym
 * gets the symbol's corners in img (module 0 and module W - 18 across, the
 * top and bottom rows' outer edges), *span the modules between the bars'
 * left edges and *hm the height in modules, both at the module the bars
 * were found with. When flat, the warps are first divided by the paper's
 * level around each pixel (a shadow across the symbol darkens its
 * codewords under the ink threshold there, and the start bar's run takes
 * them in). 0, KYC_ERR_NOTFOUND or KYC_ERR_NOMEM. */
int kyc_pdf417__locate(const struct kyc_image *img, const double region[4][2], int rw, int rh,
                       double mod_px, int flat, double sym[4][2], double *span, double *hm);

#endif
