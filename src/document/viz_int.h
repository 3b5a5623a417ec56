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

#endif
