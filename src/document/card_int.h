/* Internals shared by the card reader's files (card.c, card_line.c). */
#ifndef KYC_CARD_INT_H
#define KYC_CARD_INT_H

#include "document/card.h"
#include "document/card_tpl.h"

/* Where the lines of digits of side lie on a rectified card (w x h gray,
 * u px/mm) against where the template puts them: the foot of the digits'
 * ink (they stand on the baseline) at each end of each number's and date's
 * box, looked for 2.5 mm either side of it. When both ends of the national
 * number's line are found and some foot lies 0.5 mm or more off, dy gets,
 * for each of the side's fields (by the template's index), how far down
 * (mm) its box is to be moved: the plane (along the card's width, and its
 * height where a line of digits lies 15 mm or more from the number's)
 * through the offsets found, at the field's middle; and 1 is returned.
 * Otherwise dy is all 0 and 0 is returned. */
int kyc_card__row_offsets(const unsigned char *card, int w, int h, double u,
			  const struct kyc_card_template *T, enum kyc_card_side side,
			  double dy[KYC_CARD_MAX_FIELDS]);

#endif
