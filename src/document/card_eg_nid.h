/* Reading an Egyptian national ID card, front and back (docs/card.md): the
 * card reader (card.h) on each side, then the family's rules: the national
 * number decoded (birth date, governorate of birth, sex), front against
 * back, the printed birth date and gender against the number, and the
 * English names by ICAO transliteration. */
#ifndef KYC_CARD_EG_NID_H
#define KYC_CARD_EG_NID_H

#include <jansson.h>

#include "document/image.h"

/* Reads the sides given (front or back may be NULL) and returns a new object:
 *   {"document_type":"eg_nid",
 *    "fields":{"<name>":{"value":..|null,"read":bool,"accepted":bool,
 *                        "source":"viz","confidence":0..100},...},
 *    "document_fields":[...], "missing_fields":[...],
 *    "contradictions":["birth_date_mismatch",...],
 *    "number_valid":bool (a side's number decodes: the card is this family's),
 *    "sides":{"front":{"found":bool,"reason":..|null,"upside_down":bool,"ms":..},...},
 *    "ms":..}
 * Field names: first_name, rest_name, full_name, first_name_en,
 * family_name_en, full_name_en, address1, address2, address, national_number,
 * document_number, birth_date (printed), birth_date_number (decoded), sex,
 * state (governorate of birth), nationality (front); national_number_back,
 * issue_date, profession, gender, religion, marital_status, husband_name,
 * expiry_date (back). NULL only when out of memory; *err then is
 * KYC_ERR_NOMEM, or KYC_ERR_UNSUPPORTED when the OCR models are missing. */
json_t *kyc_egnid_read(const struct kyc_image *front, const struct kyc_image *back, int *err);

/* The same, where a side's card is already known upright (front_quad,
 * back_quad: TL, TR, BR, BL, kyc_card_identify's corners; NULL: found
 * here): it is read there, not found again. */
json_t *kyc_egnid_read_at(const struct kyc_image *front, const double (*front_quad)[2],
			  const struct kyc_image *back, const double (*back_quad)[2], int *err);

/* The same for one side alone (the other NULL), where the other side's
 * national number is known: other_number, 14 ASCII digits that side read
 * and accepted in an earlier upload of the card (NULL: not known). The side
 * read takes that number when its own digits find it at most e^3 times less
 * likely than their own best valid reading, as when both sides are read
 * together; a side that reads another number surely keeps its own. */
json_t *kyc_egnid_read_known(const struct kyc_image *front, const double (*front_quad)[2],
			     const struct kyc_image *back, const double (*back_quad)[2],
			     const char *other_number, int *err);

#endif
