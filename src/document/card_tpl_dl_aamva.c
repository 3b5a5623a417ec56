/* A North American driving licence or ID card in the layout of the AAMVA
 * DL/ID card design standard (ID-1, 85.6 x 54 mm), as the generator draws
 * it and the reader crops it (docs/dl.md): the portrait on the left, the
 * fields on the right with the standard's field numbers as captions (4d the
 * number, 1 the family name, 2 the given names, 8 the address, 3 the birth
 * date, 4a issue, 4b expiry, 15 sex), a PDF417 across the back. The reader
 * needs only the document number, the names and the dates: the barcode
 * carries every field and they are cross-checked with it. */
#include "document/card_tpl.h"

static const struct kyc_card_field fields[] = {
	/* name, side, script, left, right, baseline, em, bold, optional, lexicon */
	{"document_number", KYC_CARD_FRONT, KYC_CARD_LATIN, 38, 83, 16.0, 3.4, 1, 0},
	{"surname", KYC_CARD_FRONT, KYC_CARD_LATIN, 32, 83, 21.6, 3.0, 1, 0},
	{"given_names", KYC_CARD_FRONT, KYC_CARD_LATIN, 32, 83, 26.4, 3.0, 1, 0},
	{"address_street", KYC_CARD_FRONT, KYC_CARD_LATIN, 32, 83, 31.0, 2.4, 0, 0},
	{"address_city", KYC_CARD_FRONT, KYC_CARD_LATIN, 32, 83, 34.6, 2.4, 0, 0},
	{"birth_date", KYC_CARD_FRONT, KYC_CARD_LATIN, 38, 62, 40.4, 3.0, 1, 0},
	{"sex", KYC_CARD_FRONT, KYC_CARD_LATIN, 75, 83, 40.4, 3.0, 1, 0},
	{"issue_date", KYC_CARD_FRONT, KYC_CARD_LATIN, 38, 62, 45.4, 2.6, 0, 0},
	{"expiry_date", KYC_CARD_FRONT, KYC_CARD_LATIN, 38, 62, 50.4, 2.6, 1, 0},
};

const struct kyc_card_template kyc_card_tpl_dl_aamva = {
	.family = "dl_aamva",
	KYC_CARD_ID1,
	KYC_CARD_FIELDS(fields),
	.portrait = {3.5, 11.0, 28.5, 43.0},
	.barcode = {4.0, 16.0, 81.6, 44.0},
};
