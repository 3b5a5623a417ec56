/* Which card a photo shows, read from the picture itself: the template
 * (Egyptian national ID, AAMVA licence, Korean licence), the side (front or
 * back) and which way up it lies (docs/card.md, "Which card, which side").
 * A client says which side it sends; a KYC vendor reads what the picture is
 * and flags a declared side that contradicts it, so the upload path reads
 * the side seen and reports the mismatch. Each answer rests on content only
 * that side of that family prints: the 14-digit national number in Eastern
 * Arabic digits where the template puts it on the front or the back, a
 * PDF417 holding AAMVA data, a Korean licence number of its form, the
 * AAMVA front's dates where its template puts them. Pure computation on a
 * decoded image; thread-safe. */
#ifndef KYC_CARD_IDENTIFY_H
#define KYC_CARD_IDENTIFY_H

#include "document/card_tpl.h"
#include "document/edigits.h"
#include "document/image.h"

struct kyc_card_identity {
	const struct kyc_card_template *tpl; /* NULL: no family's evidence was found */
	enum kyc_card_side side;
	/* Degrees clockwise the card's top edge is turned in the photo (0, 90,
	 * 180, 270): its upright corners' top edge, to the nearest quarter. */
	int rotation;
	double quad[4][2];    /* upright corners TL, TR, BR, BL in the photo (a
			       * decoded PDF417's own corners for a licence back) */
	double score;         /* the evidence's strength, 0..1 */
	const char *evidence; /* static: "national_number", "pdf417",
			       * "licence_number", "printed_dates" */
	double ms;
};

/* Tells the template, side and way up of the card in img (gray plane). 0
 * (out->tpl NULL when nothing told), KYC_ERR_NOMEM, or KYC_ERR_UNSUPPORTED
 * when the OCR models are missing (the number and barcode evidence is then
 * still given when found). */
int kyc_card_identify(const struct kyc_image *img, struct kyc_card_identity *out);

/* The evidence's score at which the national number is sure: no other
 * candidate card or way up is tried past it. */
#define KYC_CARD_IDENTIFY_SURE 0.6

/* The Egyptian ID's evidence alone, the national number where the template
 * puts it, on the finder's best candidate card only (a few digit reads, the
 * cheapest; kyc_card_identify tries the next candidate too): out->tpl is
 * &kyc_card_tpl_eg_nid or NULL. The upload path asks it first, since an
 * Egyptian ID carries no MRZ to look for. Returns as kyc_card_identify. */
int kyc_card_identify_number(const struct kyc_image *img, struct kyc_card_identity *out);

/* How sure a digit reading of a 14-digit number field is as the national
 * number: the least sure digit of the likeliest valid number, no more than
 * the reader's own confidence (0 when it is not 14 digits). The number is
 * evidence at 0.4, sure at KYC_CARD_IDENTIFY_SURE. */
double kyc_card_number_sureness(const struct kyc_edigits_reading *r);

/* The quarter turn (0, 90, 180, 270 degrees clockwise) of a card whose
 * upright top edge runs from tl to tr in the photo. */
int kyc_card_rotation(const double tl[2], const double tr[2]);

#endif
