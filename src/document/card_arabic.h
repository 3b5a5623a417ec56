/* The card faces' Arabic lines read with Tesseract's two Arabic models
 * (tess.h) at a few sizes of their em, for the open fields of a card
 * (names, address, profession: docs/card.md) and the visual zone's native
 * names (viz_native.c). Pure functions on a grayscale crop. */
#ifndef KYC_CARD_ARABIC_H
#define KYC_CARD_ARABIC_H

#include "document/tess.h"

/* Tesseract's mean confidence at which a reading is sure enough to stop. */
#define KYC_CARD_ARABIC_SURE 80

/* Reads the one line of Arabic letters in a grayscale crop (w x h, stride
 * bytes a row) whose em is about em_px, as the card's Arabic fields are
 * read: at a few sizes and with both Arabic models until one reading is
 * sure, the surest winning (best->conf 0 when nothing was read). 0,
 * KYC_ERR_NOMEM, or KYC_ERR_UNSUPPORTED when the models are missing. */
int kyc_card_read_arabic(const unsigned char *crop, int w, int h, int stride, double em_px,
			 struct kyc_tess_line *best);

/* The attempts (sizes and models) kyc_card_read_arabic makes at most. */
#define KYC_CARD_ARABIC_ATTEMPTS 8
/* Its attempts first..last-1 only, stopping once one is sure, keeping in
 * *best the surest reading so far (the caller sets best->conf to -1 and
 * best->text to "" before the first call): a caller that weighs several
 * lines reads each a little before reading one of them through. 0,
 * KYC_ERR_NOMEM or KYC_ERR_UNSUPPORTED. */
int kyc_card_read_arabic_from(const unsigned char *crop, int w, int h, int stride, double em_px,
			      int first, int last, struct kyc_tess_line *best);

/* An open field (no closed list, no check digit): read with both models
 * at several sizes, then other sizes and the block mode, until one text is
 * agreed and one of its readings is sure, or no opinion is left. Agreed:
 * two more readings give it than give any other text of as many letters,
 * and two of them are independent (the two models, at different sizes or
 * modes). The text most readings give wins (then the surest), with its best
 * confidence; *agreed says whether it is agreed. A sure reading alone is a
 * guess: Tesseract's language model read و for ر at 86-91 % on a few cards,
 * at two sizes (docs/card.md, "Open fields: two readings must agree").
 * A text with a word-final ى is agreed only where no dots lie under that
 * letter (every reading gave ى for a ي whose dots the crop's edge cut).
 * Returns as kyc_card_read_arabic. */
int kyc_card_read_arabic_agreed(const unsigned char *crop, int w, int h, int stride, double em_px,
				struct kyc_tess_line *best, int *agreed);

#endif
