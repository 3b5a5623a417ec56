/* A picture of what the MRZ reader saw in one photo, for a person looking at
 * why it failed (`kycd scan --debug DIR`, docs/reader.md): the candidate text
 * lines the locator found, the MRZ it read, the rectified band of that
 * candidate with the lines and character cells the layout fitted, and where
 * that band lies in the photo. Pure drawing on a decoded image; no I/O. */
#ifndef KYC_SCAN_DEBUG_H
#define KYC_SCAN_DEBUG_H

#include "core/buf.h"
#include "document/image.h"
#include "document/reader.h"

/* Draws the picture for img (as decoded for the reader, rgb optional) and
 * res (what kyc_reader_scan returned for it) and appends it to out as PNG:
 * on top the rectified band (grey) with each fitted MRZ line's top and bottom
 * rows (cyan) and cell centres (magenta); below it the photo with every
 * candidate line (yellow, the first-ranked thicker), the band's outline
 * (blue), and the MRZ read (green when every check digit holds, red when
 * not; a filled square on its first character). 0, KYC_ERR_INVALID,
 * KYC_ERR_NOMEM or KYC_ERR_TOOBIG (out's cap). */
int kyc_scan_debug_png(const struct kyc_image *img, const struct kyc_reader_result *res,
                       kyc_buf *out);

#endif
