/* Eastern Arabic digits (٠–٩) and the date separator '/', read from a
 * one-line crop. Tesseract's Arabic models read these digits poorly (they
 * answer with Latin look-alikes and Persian forms), and a card's number and
 * dates are nothing but digits, so they get a reader of their own
 * (docs/card.md).
 *
 * The line is cut into pieces (connected ink components, wide ones split at
 * their thinnest columns, since blurred neighbours touch), and a small
 * neural classifier trained on many typefaces (tools/edigit-train, the model
 * compiled in as edigits_model.c) scores every run of one to three
 * consecutive pieces as a digit, a slash or "not one character". The
 * reading is the best way to cut the line into exactly the characters of
 * the field's pattern (dynamic programming), so a field of known form (14
 * digits, YYYY/MM/DD) never loses or gains a digit. Each position keeps its
 * whole distribution over the classes, so the family's rules can decode the
 * most likely value that is also valid (card_eg_nid.c).
 *
 * Pure computation on pixels: no I/O, no global mutable state, thread-safe. */
#ifndef KYC_EDIGITS_H
#define KYC_EDIGITS_H

/* Characters of a pattern: 'D' any digit, '/' the separator. */
#define KYC_EDIGITS_MAX 32
#define KYC_EDIGITS_NCLASS 11 /* ٠..٩ and '/', in this order */

struct kyc_edigits_reading {
	int n;                 /* positions read: strlen(pattern), or 0 when the line could not be cut */
	char text[KYC_EDIGITS_MAX + 1]; /* ASCII digits and '/' */
	/* Per position, the probability of each class (given the piece chosen
	 * there), renormalised over the classes the pattern allows there. */
	float prob[KYC_EDIGITS_MAX][KYC_EDIGITS_NCLASS];
	int conf;              /* lowest probability of a chosen character, 0..100 */
};

/* Reads the line in a grayscale crop (w x h, stride bytes a row, dark ink on
 * light) as pattern (at most KYC_EDIGITS_MAX characters of "D/"). 0 (out->n
 * is 0 when there were too few pieces of ink for the pattern);
 * KYC_ERR_INVALID for a crop too small or a bad pattern; KYC_ERR_NOMEM. */
int kyc_edigits_read(const unsigned char *gray, int w, int h, int stride, const char *pattern,
		     struct kyc_edigits_reading *out);

#endif
