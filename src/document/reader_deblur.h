/* Motion blur of a rectified MRZ band measured and undone, for a second
 * reading of a band whose first one failed (docs/reader.md, step 14, "A
 * shaken band read again, deblurred"). Internal to src/document/reader*.c
 * and scan_debug.c. Pure computation on a band's pixels. */
#ifndef KYC_READER_DEBLUR_H
#define KYC_READER_DEBLUR_H

#include "document/reader.h"

/* A straight motion blur in band pixels: its direction (radians from the
 * text's direction, [0, pi)) and its length. */
struct kyc_reader__blur {
	double angle, len;
	double dip;   /* the dip's depth, in [0, 1]; 0 when none was seen */
	double aniso; /* the gradient's energy across the shake over along it */
};

/* Richardson-Lucy steps the reader gives a band. */
#define KYC_READER__DEBLUR_ITERS 30

/* Measures the straight motion blur of the MRZ rows of b laid out as lay:
 * the direction along which the gradient's autocorrelation dips deepest,
 * and the lag of that dip (a shake of length L makes every edge a pair of
 * opposite edges L apart). Fills *bl (dip 0 when the band is too small to
 * say). 0, or KYC_ERR_NOMEM. */
int kyc_reader__blur_measure(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
                             struct kyc_reader__blur *bl);

/* out becomes a copy of b (out->px the caller's to free()) whose rows
 * around lay's lines are deconvolved from blur bl by iters Richardson-Lucy
 * steps along the blur's direction. 0, KYC_ERR_INVALID (bl shorter than
 * 1.5 px, iters outside 1..64, an empty layout) or KYC_ERR_NOMEM; out->px
 * NULL on error. */
int kyc_reader__deblur(const struct kyc_reader__band *b, const struct kyc_reader__layout *lay,
                       const struct kyc_reader__blur *bl, int iters, struct kyc_reader__band *out);

/* The band of lay on b (the band the reader read, flattened) deblurred:
 * resampled from img as photographed, in b's own geometry, over lay's rows
 * and cells and a margin (the flattening does not commute with the blur),
 * its blur measured (kyc_reader__blur_measure) and, when at least a
 * stroke's width long, deconvolved (kyc_reader__deblur) and flattened.
 * Into d (d->px the caller's to free()) with dlay, lay moved onto it. 0;
 * KYC_ERR_NOTFOUND when no shake is measured, KYC_ERR_INVALID (a layout off
 * the band) or KYC_ERR_NOMEM, with d->px NULL. */
int kyc_reader__band_deblurred(const struct kyc_image *img, const struct kyc_reader__band *b,
                               const struct kyc_reader__layout *lay, struct kyc_reader__band *d,
                               struct kyc_reader__layout *dlay);

struct kyc_reader__reading;
/* Reads lay on b again, deblurred (kyc_reader__band_deblurred), into r: for
 * a band whose first reading's check digits fail. 1 when every check digit
 * of the new reading holds and the characters they cover are read surely
 * (kyc_reader__sure_checked), 0 when not or when no blur was measured (r
 * may be overwritten either way), KYC_ERR_NOMEM. */
int kyc_reader__read_deblurred(const struct kyc_image *img, const struct kyc_reader__band *b,
                               const struct kyc_reader__layout *lay, struct kyc_reader__reading *r);

/* Reads lay on b again, deblurred, into r, for a first reading whose check
 * digits all hold but that left characters unsure (under KYC_READER__SURE).
 * 1 when the new reading holds as kyc_reader__read_deblurred asks and
 * differs from first only where first was unsure, read surely there (and
 * agreeing characters keep the surer confidence), on a shake of at least 8
 * band pixels; 0 otherwise (r may be overwritten), KYC_ERR_NOMEM. */
int kyc_reader__read_deblurred_unsure(const struct kyc_image *img, const struct kyc_reader__band *b,
                                      const struct kyc_reader__layout *lay,
                                      const struct kyc_reader__reading *first,
                                      struct kyc_reader__reading *r);

#endif
