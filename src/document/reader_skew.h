/* A document turned 24-41° whose MRZ is small (docs/reader.md, step 14, "A
 * small MRZ turned off the axes"). The pass turned by 45° works on the
 * working image (560 px), where an MRZ of 8-10 px a cell in a photo of
 * 1,400-2,000 px is 2-4 px a cell and its glyph gaps close into the paper
 * around it: the locator gives no line on it. This last resort looks again,
 * turned by 45°, at 1.5 times the working size. */
#ifndef KYC_DOCUMENT_READER_SKEW_H
#define KYC_DOCUMENT_READER_SKEW_H

#include "document/image.h"
#include "document/reader.h"

/* The working side of the finer turned look, and the photo's longer side
 * under which it has no pixels to add. */
#define KYC_READER__SKEW_SIDE (KYC_READER__WORK_SIDE * 3 / 2)
#define KYC_READER__SKEW_MIN_SIDE (KYC_READER__WORK_SIDE * 7 / 5)
/* The share of the photo's strokes (weighted by strength) whose angle to
 * the axes is within 3° of the strongest angle at least
 * KYC_READER__SKEW_MIN_DEG off them, in [0, 1], and that angle (degrees,
 * 0-90) in *angle. A turned document's print, edges and MRZ share one angle;
 * strokes spread evenly give 3/45. About 200 000 samples. */
#define KYC_READER__SKEW_MIN_DEG 20
double kyc_reader__skew_share(const struct kyc_image *img, double *angle);
/* The finer look runs only when that share reaches this. */
#define KYC_READER__SKEW_SHARE 0.17
/* Lines read at most, the most MRZ-like first. */
#define KYC_READER__SKEW_READ 3

/* Locates img's lines turned by 45° at KYC_READER__SKEW_SIDE, when img is
 * large enough and its strokes run off the axes
 * (kyc_reader__skew_share at KYC_READER__SKEW_SHARE), and reads through
 * read (1 when it read, 0 when not, or a negative error) the
 * KYC_READER__SKEW_READ most MRZ-like of them at the pre-test's photo bar
 * (kyc_reader__more_lines), refined, until one reads. 0 or KYC_ERR_NOMEM. */
int kyc_reader__read_skewed(const struct kyc_image *img, kyc_reader__read_line_fn read, void *ctx);

#endif
