/* The black ink's plane, read when gray fails (docs/reader.md step 16).
 *
 * An MRZ is printed in black ink; a visa stamp in red, blue or violet or a
 * tinted page is as dark as it in gray but nearly paper in each pixel's
 * brightest channel. When the gray reading holds no reading whose check
 * digits all hold, the upload's bytes (kept by the decode, kyc_image.bytes)
 * are decoded again in colour, read in that plane, and its reading is kept
 * only when all of its check digits hold. Internal to src/document/reader*.c. */
#ifndef KYC_READER_INK_H
#define KYC_READER_INK_H

#include <stddef.h>

#include "document/image.h"
#include "document/reader.h"

/* The ink plane of n RGB pixels into out (n bytes): a pixel's gray where its
 * chroma (brightest channel minus dimmest) is under KYC_READER__INK_CHROMA_LO,
 * its brightest channel over KYC_READER__INK_CHROMA_HI, a blend between. */
#define KYC_READER__INK_CHROMA_LO 24
#define KYC_READER__INK_CHROMA_HI 72
void kyc_reader__ink_plane(const unsigned char *rgb, size_t n, unsigned char *out);

/* How much coloured ink lies on the likeliest of the gray pass's candidate
 * lines c[0..n) (full-image pixels of img): the largest share, over the
 * first few lines' boxes, of pixels the ink plane would lighten by much,
 * measured on colour, a colour decode of img at any scale (rgb filled).
 * Stops at the first box over KYC_READER__INK_GATE (only the gate reads it). */
double kyc_reader__ink_share(const struct kyc_image *img, const struct kyc_image *colour,
			     const struct kyc_reader__cand *c, int n);
/* The share from which the ink plane is read (measured, docs/reader.md). */
#define KYC_READER__INK_GATE 0.09

/* The scan of a plane, as kyc_reader_scan; fills first[0..*nfirst) (room
 * for KYC_READER__INK_CANDS) with the first pass's lines when not NULL;
 * first_only: the locator's first pass alone, without the later passes and
 * last resorts (what costs photos without an MRZ most of their time). */
#define KYC_READER__INK_CANDS 16
typedef int (*kyc_reader__scan_fn)(const struct kyc_image *img, struct kyc_reader_result *out,
				   struct kyc_reader__cand *first, int *nfirst, int first_only);

/* After the gray scan returned rc into *out with the first pass's lines
 * first[0..nfirst): when no reading's check digits all hold and the gate
 * passes, reads the ink plane with scan and puts its result in *out only
 * when all of its check digits hold (its time added). Returns the scan's
 * code for *out: rc unchanged, or 0 for the ink plane's reading. */
int kyc_reader__ink_fallback(const struct kyc_image *img, struct kyc_reader_result *out, int rc,
			     const struct kyc_reader__cand *first, int nfirst,
			     kyc_reader__scan_fn scan);

#endif
