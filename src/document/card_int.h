/* Internals shared by the card reader's files (card.c, card_line.c). */
#ifndef KYC_CARD_INT_H
#define KYC_CARD_INT_H

#include "document/card.h"
#include "document/card_tpl.h"

/* The side's national number (its field in Eastern Arabic digits) in T,
 * or NULL when the side has none. */
const struct kyc_card_field *kyc_card__number_field(const struct kyc_card_template *T,
						    enum kyc_card_side side);

/* Where the national number's line of side lies on a rectified card
 * (w x h gray, u px/mm) against where the template puts it: the foot of the
 * digits' ink (they stand on the baseline) at each end of the line, looked
 * for 2.5 mm either side of its box. When both are found and one lies 0.5
 * mm or more off, dy gets, for each of the side's fields (by the template's
 * index), how far down (mm) its box is to be moved: the line through the
 * two offsets along the card's width, at the field's middle; and 1 is
 * returned. Otherwise dy is all 0 and 0 is returned. */
int kyc_card__row_offsets(const unsigned char *card, int w, int h, double u,
			  const struct kyc_card_template *T, enum kyc_card_side side,
			  double dy[KYC_CARD_MAX_FIELDS]);

#endif
