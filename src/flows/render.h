/* Store records -> the native API's JSON shapes (docs/api.md). Each returns
 * a new object (caller owns it); the input is not changed. Internal columns
 * (file paths, attributes) never leave through these. */
#ifndef KYC_RENDER_H
#define KYC_RENDER_H

#include <jansson.h>

#include "json/jv.h"

json_t *kyc_render_applicant(const json_t *rec);
json_t *kyc_render_verification(const json_t *rec);
json_t *kyc_render_document(const json_t *rec);
json_t *kyc_render_file(const json_t *rec);
/* One row of a verification's audit trail. */
json_t *kyc_render_history(const json_t *rec);

/* "metadata": an object of at most 50 keys with string values of at most
 * 500 bytes (keys at most 40). 0 or -1 with e filled. */
int kyc_render_metadata_check(const json_t *meta, struct kyc_jerr *e);

#endif
