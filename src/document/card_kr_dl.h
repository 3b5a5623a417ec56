/* Reading a Korean driving licence's front (docs/dl.md, "Korean
 * licences"): the card found and rectified to its template
 * (card_tpl_kr_dl.c), turned upright by its portrait, and the licence
 * number read with Tesseract (Western digits and '-', single line). The
 * number is NN-NN-NNNNNN-NN: a region code (11 Seoul ... 26 Ulsan, 28
 * northern Gyeonggi), the two-digit year of first issue, a serial and two
 * check digits (their rule is not published: not verified). Pure
 * computation on a decoded image. */
#ifndef KYC_CARD_KR_DL_H
#define KYC_CARD_KR_DL_H

#include <jansson.h>

#include "document/image.h"

/* The licence number in text read by OCR: exactly twelve digits with a
 * known region code, and dashes only between the groups, at least two of
 * the three read (anything else is dropped); out gets "NN-NN-NNNNNN-NN".
 * 0, or -1 when text holds no such number. */
int kyc_krdl_number(const char *text, char out[16]);

/* Reads the front in img: a new object {"document_type":"kr_dl","found",
 * "reason" (no_card_found, ocr_unavailable, or null),"upside_down",
 * "fields":{"licence_number":{"value","read","accepted","source":"viz",
 * "confidence"},"name":{...}},"ms"}. The number is accepted when it has
 * its form and Tesseract's confidence is at least 60; the name (Tesseract's
 * Korean model) when it is two to five Hangul syllables at that
 * confidence. NULL only when out of memory
 * (*err KYC_ERR_NOMEM). */
json_t *kyc_krdl_read(const struct kyc_image *front, int *err);

#endif
