/* A Korean driving licence's front (자동차운전면허증, ID-1, 85.6 x 54 mm), as
 * the generator draws it and the reader crops it: the portrait on the left,
 * the licence number (NN-NN-NNNNNN-NN, Western digits) at the top of the
 * fields on the right, then the name, the resident registration number, the
 * address and the dates in Hangul and digits. The number (what seed 001's
 * ocr_licenseNumber asks for) and the name are read (docs/dl.md). */
#include "document/card_tpl.h"

static const struct kyc_card_field fields[] = {
	/* name, side, script, left, right, baseline, em, bold, optional, lexicon */
	{"licence_number", KYC_CARD_FRONT, KYC_CARD_DIGITS, 31, 82, 16.0, 3.8, 1, 0},
	{"name", KYC_CARD_FRONT, KYC_CARD_HANGUL, 31, 60, 22.5, 3.4, 1, 0},
};

const struct kyc_card_template kyc_card_tpl_kr_dl = {
	.family = "kr_dl",
	KYC_CARD_ID1,
	KYC_CARD_FIELDS(fields),
	.portrait = {4.0, 11.0, 27.0, 42.0},
};
