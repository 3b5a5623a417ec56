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
 * extraction object above, with "reader" timing/orientation details. */
json_t *kyc_document_extract(const struct kyc_image *img, int64_t now_ms);

#endif
