/* Shared between the visual zone's page reader (viz.c) and the reading of
 * the holder's name in the issuer's script (viz_native.c). */
#ifndef KYC_DOCUMENT_VIZ_INT_H
#define KYC_DOCUMENT_VIZ_INT_H

#include <jansson.h>

#include "document/tess.h"

/* The field (enum in viz.c) whose label the case-folded line is, else -1. */
int kyc__viz_label_of(const char *folded);

/* The holder's name in Arabic script on a page of an issuer or nationality
 * that writes in it: px (w x h) is the page, pg its lines as the Latin model
 * read them. A new {"value","read","accepted","source","confidence","script"},
 * or NULL (another script, or no line reads as Arabic). */
json_t *kyc__viz_native_name(const json_t *mrz, const unsigned char *px, int w, int h,
                             const struct kyc_tess_page *pg);

/* viz_values.c: kyc_viz_parse_date, *whole set when the date is printed
 * whole (two-digit day, four-digit year), not cut from a longer line. */
int kyc__viz_parse_date(const char *text, int ref_year, char iso[11], int *whole);

/* Levenshtein distance of two byte strings (the larger length past 64). */
int kyc__viz_edit_distance(const char *a, const char *b);

/* Names: folded, equal within OCR's noise, or the MRZ's a cut-off start of
 * the printed one. */
int kyc__viz_names_agree(const char *printed, const char *mrz);

/* A document number's letters and digits, the pairs OCR confuses made one. */
void kyc__viz_number_key(const char *s, char *out, size_t cap);

/* Document numbers equal by kyc__viz_number_key, within one edit. */
int kyc__viz_numbers_agree(const char *printed, const char *mrz);

#endif
