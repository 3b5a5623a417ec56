/* The Egyptian national ID card (ID-1, 85.6 x 54 mm), as issued since 2009:
 * the front carries the portrait on the left, the name in two lines, the
 * address in two lines and the 14-digit national number in Eastern Arabic
 * digits at the bottom, the birth date and the card's serial under the
 * portrait; the back carries the number again with the issue date, the
 * profession, gender and religion, marital status (and a married woman's
 * husband), the expiry, and a barcode. */
#include "document/card_tpl.h"

#include <stddef.h>

/* The closed vocabularies of the back, as the civil registry prints them
 * (masculine and feminine forms; religion and marital status in pairs, the
 * masculine first: the field's `paired`). */
static const char *const genders[] = {"ذكر", "أنثى", NULL};
static const char *const religions[] = {"مسلم", "مسلمة", "مسيحي", "مسيحية", "يهودي", "يهودية", NULL};
static const char *const marital[] = {"أعزب", "آنسة", "متزوج", "متزوجة", "مطلق",
				      "مطلقة", "أرمل", "أرملة", NULL};

/* The national number's 14 digits; dates YYYY/MM/DD. */
#define NUMBER "DDDDDDDDDDDDDD"
#define DATE "DDDD/DD/DD"
/* The serial under the portrait: two capitals, seven digits. */
#define SERIAL "AADDDDDDD"

static const struct kyc_card_field fields[] = {
	/* name, side, script, left, right, baseline, em, bold, optional, lexicon, pattern, paired */
	{"first_name", KYC_CARD_FRONT, KYC_CARD_ARABIC, 31, 83, 18.0, 4.4, 1, 0},
	{"rest_name", KYC_CARD_FRONT, KYC_CARD_ARABIC, 31, 83, 24.6, 3.7, 1, 0},
	{"address1", KYC_CARD_FRONT, KYC_CARD_ARABIC, 31, 83, 31.2, 3.5, 0, 0},
	{"address2", KYC_CARD_FRONT, KYC_CARD_ARABIC, 31, 83, 37.6, 3.5, 0, 0},
	{"national_number", KYC_CARD_FRONT, KYC_CARD_EDIGITS, 33, 83, 48.4, 5.0, 1, 0, NULL, NUMBER},
	{"birth_date", KYC_CARD_FRONT, KYC_CARD_EDATE, 3.5, 27.5, 44.6, 3.2, 0, 0, NULL, DATE},
	{"serial", KYC_CARD_FRONT, KYC_CARD_LATIN, 3.5, 27.5, 50.8, 2.9, 1, 0, NULL, SERIAL},

	{"national_number_back", KYC_CARD_BACK, KYC_CARD_EDIGITS, 25, 58, 9.6, 3.8, 1, 0, NULL, NUMBER},
	{"issue_date", KYC_CARD_BACK, KYC_CARD_EDATE, 61, 83, 9.6, 3.2, 0, 0, NULL, DATE},
	{"profession", KYC_CARD_BACK, KYC_CARD_ARABIC, 25, 83, 18.0, 3.5, 0, 0},
	{"gender", KYC_CARD_BACK, KYC_CARD_ARABIC, 65, 83, 25.2, 3.5, 0, 0, genders},
	{"religion", KYC_CARD_BACK, KYC_CARD_ARABIC, 42, 62, 25.2, 3.5, 0, 0, religions, NULL, 1},
	{"marital_status", KYC_CARD_BACK, KYC_CARD_ARABIC, 63, 83, 32.4, 3.5, 0, 0, marital, NULL, 1},
	{"husband_name", KYC_CARD_BACK, KYC_CARD_ARABIC, 25, 61, 32.4, 3.5, 0, 1},
	{"expiry_date", KYC_CARD_BACK, KYC_CARD_EDATE, 25, 52, 40.8, 3.3, 1, 0, NULL, DATE},
};

static const struct kyc_card_label labels[] = {
	{KYC_CARD_FRONT, "جمهورية مصر العربية", 83, 6.2, 3.0, 1},
	{KYC_CARD_FRONT, "بطاقة تحقيق الشخصية", 83, 10.6, 2.6, 0},
	{KYC_CARD_BACK, "البطاقة سارية حتى", 83, 40.8, 3.0, 0},
};

const struct kyc_card_template kyc_card_tpl_eg_nid = {
	.family = "eg_nid",
	KYC_CARD_ID1,
	KYC_CARD_FIELDS(fields),
	KYC_CARD_LABELS(labels),
	.portrait = {3.5, 8.0, 27.5, 40.0},
	.emblem = {4.0, 3.5, 22.0, 21.5},
	.barcode = {5.0, 45.5, 81.0, 51.5},
};
