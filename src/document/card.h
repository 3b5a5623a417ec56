/* The card-face reader: finds a card in a photo, rectifies it to its
 * template (card_tpl.h), tells which way up it lies, and reads every field
 * of the side shown with Tesseract (tess.h), field by field, each crop in
 * single-line mode with the field's character set (docs/card.md).
 * Pure computation on a decoded image: no HTTP, no database; one read path
 * for the API, the CLI and the benchmark. Thread-safe (Tesseract handles are
 * per thread). */
#ifndef KYC_CARD_H
#define KYC_CARD_H

#include "document/card_arabic.h"
#include "document/card_tpl.h"
#include "document/edigits.h"
#include "document/image.h"
#include "document/tess.h"

#define KYC_CARD_MAX_FIELDS 24
/* Resolution of the rectified card, pixels per mm. */
#define KYC_CARD_PX_PER_MM 10.0

/* One field as read: text normalised for its script (ASCII digits for
 * numbers, YYYY-MM-DD for dates, Arabic words with single spaces), the OCR
 * confidence (0..100), whether anything was read and whether the value has
 * the field's form (a date that exists, 14 digits that decode, ...) and
 * enough confidence to be trusted. */
struct kyc_card_value {
	char text[256];
	int conf;
	int read;
	int accepted;
	/* Numbers and dates: the digit reader's reading, each position's
	 * distribution kept for the family's rules (n is 0 otherwise). */
	struct kyc_edigits_reading digits;
};

struct kyc_card_result {
	const struct kyc_card_template *tpl;
	enum kyc_card_side side;
	int found;          /* a card-shaped quadrilateral was found */
	int upside_down;    /* it lay turned by 180 degrees */
	double quad[4][2];  /* its corners in the image, upright order: TL, TR, BR, BL */
	struct kyc_card_value values[KYC_CARD_MAX_FIELDS]; /* by the template's field index */
	double ms_find, ms_read;
	const char *reason; /* static code when nothing was read: "no_card_found", ... */
};

/* Finds the card around the middle of img (gray plane), a card of aspect
 * (width / height, e.g. 85.6 / 54): its corners in image pixels, clockwise
 * from the top-left of the card as it lies (not yet which way up). 0,
 * KYC_ERR_NOTFOUND, KYC_ERR_NOMEM. */
int kyc_card_find(const struct kyc_image *img, double aspect, double quad[4][2]);

/* The same, with up to max distinct candidates in quads (caller's), the
 * likeliest first (the strongest edges along their sides), and when scores
 * is not NULL each one's edge score in scores (caller's, max entries): the
 * median step of tone (0..255) across its weakest side plus a quarter of
 * the four sides' sum. Returns how many (>= 1), KYC_ERR_NOTFOUND or
 * KYC_ERR_NOMEM. */
int kyc_card_find_candidates(const struct kyc_image *img, double aspect, double quads[][4][2],
			     double *scores, int max);
/* The same, and when no region gives a card of three or four sides, cards
 * built from two sides meeting at a corner (a card pushed into the corner of
 * a white sheet). Such a card is a guess from the aspect alone: only a caller
 * that then reads the card's own print (the Egyptian reader's number, its
 * identification) may use it. A selfie or a desk gives such guesses, so the
 * presence check, the visual zone and the licence scan keep to
 * kyc_card_find_candidates (a face photo sent as an ID front was taken for
 * a card and asked for its back). */
int kyc_card_find_candidates_or_corner(const struct kyc_image *img, double aspect,
				       double quads[][4][2], double *scores, int max);

/* Warps the quadrilateral quad of img (TL, TR, BR, BL) onto a w x h
 * grayscale raster out (caller's, w*h bytes), bilinear. */
void kyc_card_warp(const struct kyc_image *img, const double quad[4][2], int w, int h,
		   unsigned char *out);
/* The same for the pixels of the box [x0, x1) x [y0, y1) of out alone (the
 * rest is left as it is), each the value kyc_card_warp gives it: a reader
 * of a few fields need not pay for the whole card. */
void kyc_card_warp_box(const struct kyc_image *img, const double quad[4][2], int w, int h,
		       int x0, int y0, int x1, int y1, unsigned char *out);
/* The quadrilateral (TL, TR, BR, BL) of the rectangle [s0, s1] x [t0, t1]
 * of quad's unit square (quad's own is [0, 1] x [0, 1]; it may reach
 * outside it) through quad's projective map: a part of a card found, or
 * what lies just outside its edges. */
void kyc_card_quad_sub(const double quad[4][2], double s0, double t0, double s1, double t1,
		       double out[4][2]);

/* Reads the number or date field f (KYC_CARD_EDIGITS, KYC_CARD_EDATE) of
 * a rectified card (w x h gray, u px/mm) with the digit reader, on its
 * crop trimmed to its ink. 0, KYC_ERR_INVALID (a crop too small),
 * KYC_ERR_NOMEM. */
int kyc_card_read_digits(const unsigned char *card, int w, int h, double u,
			 const struct kyc_card_field *f, struct kyc_edigits_reading *r);

/* Whether a rectified card (w x h gray, u px/mm) of template T lies upside
 * down: the side's landmark (the portrait on the front, the barcode on the
 * back) carries more ink where a half turn would put it than where it
 * belongs. */
int kyc_card_upside_down(const unsigned char *card, int w, int h, double u,
			 const struct kyc_card_template *T, enum kyc_card_side side);

/* Reads side of a card of template T in img: finds it, rectifies it, turns
 * it upright and reads each of the side's fields into out->values. 0 (see
 * out->found and out->reason), KYC_ERR_NOMEM, or KYC_ERR_UNSUPPORTED when
 * the OCR models are not installed. */
int kyc_card_read(const struct kyc_image *img, const struct kyc_card_template *T,
		  enum kyc_card_side side, struct kyc_card_result *out);

/* The same on a quadrilateral already known, the way up told by the
 * side's landmark. */
int kyc_card_read_quad(const struct kyc_image *img, const struct kyc_card_template *T,
		       enum kyc_card_side side, const double quad[4][2],
		       struct kyc_card_result *out);

/* The same on a quadrilateral already known upright (TL, TR, BR, BL as the
 * card reads), as identification tells it (card_identify.h): the upload
 * path reads there instead of finding the card and its way up again. */
int kyc_card_read_upright(const struct kyc_image *img, const struct kyc_card_template *T,
			  enum kyc_card_side side, const double quad[4][2],
			  struct kyc_card_result *out);

#endif
