/* The extraction result of one document image: what was read, per field,
 * with whether it was found (read) and whether it passed validation
 * (accepted), where it came from, which fields this kind of document carries
 * and which of those could not be read. Seeds 000 and 001 both answer from it.
 *
 * Built from the MRZ object that `kycd mrz` prints (src/document), so this
 * module depends on that JSON interface, not on the reader's structs. */
#ifndef KYC_EXTRACTION_H
#define KYC_EXTRACTION_H

#include <jansson.h>
#include <stdint.h>

/* mrz: the MRZ object ({"format","valid","fields","checks",...}) or NULL when
 * no MRZ was read. reason: the reader's code when mrz is NULL (e.g.
 * "no_mrz_found"). Returns a new object:
 *   {"mrz_found":bool,"mrz_verified":bool,"format":..|null,"reason":..|null,
 *    "fields":{"<name>":{"value":..,"read":bool,"accepted":bool,"source":"mrz",
 *                        "confidence":0..1 (when the MRZ object has it)},...},
 *    "document_fields":[...],"missing_fields":[...],"mrz":{...}|null}
 * A field is accepted when it was read, its check digit holds (or, without
 * one of its own, the whole MRZ verified) and its confidence is at least
 * KYC_MRZ_CONF_ACCEPT. Field names: document_code, issuing_country, document_number, surname,
 * given_names, nationality, birth_date, sex, expiry_date, personal_number. */
json_t *kyc_extraction_from_mrz(const json_t *mrz, const char *reason);

struct kyc_image;
/* Reads the document in img (finds and reads the MRZ) and returns the
 * extraction object above, with "reader" timing/orientation details and,
 * when the MRZ verified, "viz": the printed page compared with it
 * (document/viz.h), or {"error": "ocr_model_missing"|"viz_unread"}. */
json_t *kyc_document_extract(const struct kyc_image *img, int64_t now_ms);

/* As kyc_document_extract, for an image of a declared document type and
 * side ("front" or "back"): when no MRZ is read on an id_card, the card face
 * is read as an Egyptian national ID (src/document/card_eg_nid.h,
 * docs/card.md), and when a national number of its form is read the object gains
 * "card": {"document_type":"eg_nid","fields":{...},"contradictions":[...],...}
 * with every printed field (`source: "viz"`), and "card_found": true; its
 * "fields", "document_fields" and "missing_fields" are then the card's. An
 * id_card photo whose Egyptian number identification reads surely
 * (card_identify.h) is not searched for an MRZ (the card has none), and the
 * card identification found is read where it was found. */
json_t *kyc_document_extract_typed(const struct kyc_image *img, int64_t now_ms, const char *type,
				   const char *side);
/* The same, where the card's other side was read in an earlier upload:
 * other_number is the national number it accepted (NULL: none), which an
 * Egyptian ID's side read here takes where its own digits allow, or flags
 * as number_front_back where they read another number surely
 * (kyc_egnid_read_known). */
json_t *kyc_document_extract_card(const struct kyc_image *img, int64_t now_ms, const char *type,
				  const char *side, const char *other_number);

/* A driving licence's extraction x whose PDF417 was seen but came out too
 * small ("reason":"barcode_too_small"), read again on img, the same photo
 * decoded larger: a new extraction, x's with the barcode's fields, when the
 * barcode decodes there; else NULL. Only the licence is read again (the MRZ
 * and the card's identification stand). */
json_t *kyc_document_licence_again(const json_t *x, const struct kyc_image *img);
/* (continued) On a drivers_license without an MRZ, the licence is read
 * (src/document/card_dl_aamva.h, docs/dl.md): the object gains "licence"
 * (kyc_dl_read's object: the barcode, the QR codes' text, the front's
 * printed fields and their cross-check), and when an AAMVA PDF417 was
 * decoded "barcode_found": true, with the barcode's fields (`source:
 * "barcode"`) as its "fields", "document_fields" and "missing_fields".
 * On the front of an id_card or residence_permit where neither an MRZ nor an
 * Egyptian card is read and the reason is about the MRZ (no_mrz_found,
 * mrz_cut_off, mrz_unreadable), the object gains "document_found": whether a
 * card is in the photo at all (src/document/presence.h); when it is not,
 * "reason" becomes "no_document_found". When a card may be there, it gains
 * "viz_front" (document/viz.h's kyc_viz_read_card: the card's printed lines),
 * compared with the back's MRZ when the attempt is decided. */

/* The card-face data of two extractions (front, back; either may be NULL)
 * cross-checked together (number front against back, printed birth date and
 * gender against the number): a new array of contradiction codes. */
json_t *kyc_extraction_card_contradictions(const json_t *front, const json_t *back);

#endif
