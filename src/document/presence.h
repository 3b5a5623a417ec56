/* Whether a photo shows a document at all: a card-shaped quadrilateral with
 * strong edges (the card finder of card.h, which the Egyptian ID reader
 * uses) holding printed marks. The workflow asks it of a two-sided card's
 * front in which no MRZ was found: such a front waits for the back, while a
 * photo of no document (a wall, a landscape, a face) is a failed attempt
 * (docs/reader.md, "Is there a document?"). Pure computation on a decoded
 * image: no I/O, thread-safe. */
#ifndef KYC_PRESENCE_H
#define KYC_PRESENCE_H

#include "document/image.h"

/* The decision and the figures it rests on. */
struct kyc_presence {
	int found;         /* a document is in the photo */
	double edge;       /* the best card candidate's edge score (0 when none) */
	double ink;        /* share of its rectified face printed darker than its ground */
	double texture;    /* median step of tone inside that face (0..255) */
	double quad[4][2]; /* that candidate's corners (TL, TR, BR, BL), when edge > 0 */
};

/* Decides whether img (gray plane) shows an ID-1 card (85.6 x 54 mm: ID
 * cards, residence permits, licences) lying anywhere in the middle of the
 * picture, in any quarter turn. 0 (see out->found), or KYC_ERR_NOMEM. */
int kyc_presence_card(const struct kyc_image *img, struct kyc_presence *out);

#endif
