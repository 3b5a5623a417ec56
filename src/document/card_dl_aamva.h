/* Reading a North American driving licence or ID card (docs/dl.md): the
 * PDF417 on its back decoded (barcode.h) and parsed as AAMVA data
 * (aamva.h), any QR code read as text, the front's printed number, names
 * and dates read with Tesseract on the card rectified to its template
 * (card_tpl_dl_aamva.c), and the two cross-checked. Pure computation on
 * decoded images: no HTTP, no database, no network (a QR code's URL is
 * returned, never fetched). */
#ifndef KYC_CARD_DL_AAMVA_H
#define KYC_CARD_DL_AAMVA_H

#include <jansson.h>

#include "document/image.h"

/* Reads the sides given (either may be NULL; a barcode is looked for on
 * both, the printed fields on the front only) and returns a new object:
 *   {"document_type":"dl_aamva",
 *    "barcode_found":bool (an AAMVA PDF417 was decoded and parsed),
 *    "reason":..|null ("no_barcode_found"; "barcode_too_small" when a
 *                      PDF417 is seen whose module is under
 *                      KYC_DL_MIN_MODULE_PX in the picture and does not
 *                      decode; "barcode_unreadable" when it is not that
 *                      small and still does not decode; "aamva_<part>"
 *                      when the symbol decodes but its data is not AAMVA:
 *                      see aamva.h),
 *    "barcode_module_px":..|null (the module of the PDF417 seen and not
 *                      decoded, px in the picture as given),
 *    "fields":{"<name>":{"value","read","accepted","source":"barcode"},...}
 *             (kyc_aamva_fields; the front's fields, source "viz", when
 *              no barcode was read),
 *    "document_fields":[...], "missing_fields":[...],
 *    "qr":["text",...] (every QR code's text, as UTF-8 when it is, else
 *                       ISO 8859-1),
 *    "front":{"found":bool,"reason":..|null,"upside_down":bool,
 *             "fields":{"<name>":{...,"source":"viz","confidence":0..100}}}|null,
 *    "cross_check":{"<name>":"match"|"mismatch"|"not_read",...},
 *    "contradictions":["birth_date_mismatch",...],
 *    "ms":..}
 * The front's fields: document_number, surname, given_names, birth_date,
 * sex, issue_date, expiry_date (dates YYYY-MM-DD, read in the barcode's
 * country's order). Cross-checked when both the barcode and the front have
 * them accepted: document_number, birth_date (the minimum), and
 * surname, given_names, expiry_date, issue_date, sex (letters and digits
 * compared, case and punctuation aside; in the number, O I Z S B taken for
 * 0 1 2 5 8, which print alike); each mismatch adds "<name>_mismatch" to
 * contradictions. NULL only when out of memory (*err
 * KYC_ERR_NOMEM). Without Tesseract's English model the front is reported
 * not read (reason "ocr_unavailable") and the barcode still is. */
/* Under this module (px in the picture) a PDF417 that does not decode is
 * "barcode_too_small": on generated licences every back whose module was
 * 1.75 px or more decoded, 5 of 14 under it (bench/dl, seed 4711); 2 px
 * leaves a margin. */
#define KYC_DL_MIN_MODULE_PX 2.0

json_t *kyc_dl_read(const struct kyc_image *front, const struct kyc_image *back, int *err);

/* The cross-check above on fields read apart (the barcode's "fields" of a
 * back sent alone, the "front"'s "fields" of a front sent alone; either may
 * be NULL): a new {"cross_check":{...},"contradictions":[...]}. NULL only
 * when out of memory. Pure: no image is read. */
json_t *kyc_dl_cross_check(const json_t *barcode_fields, const json_t *front_fields);

/* The texts of the QR codes in a picture of any document, as "qr" above: a
 * new array (empty when there is none). NULL only when out of memory. */
json_t *kyc_qr_read(const struct kyc_image *img);

#endif
