/* Writing JSON values as text, for answers on the hot path: the same bytes
 * as jansson's json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) (keys in
 * insertion order, "\uXXXX" for other control characters, reals through
 * jansson itself), written straight into a kyc_buf. jansson's writer makes
 * a callback and a UTF-8 decode per character and an snprintf per number:
 * 16% of `GET /v1/verifications/{id}` (bench/README.md, http). */
#ifndef KYC_JSON_WRITE_H
#define KYC_JSON_WRITE_H

#include <jansson.h>

#include "core/buf.h"

/* Nesting deeper than this is refused (jansson's parser stops there too):
 * the writer recurses. */
#define KYC_JSON_WRITE_DEPTH 2048

/* Appends v as compact JSON to out. 0; KYC_ERR_TOOBIG or KYC_ERR_NOMEM
 * from out (what was appended stays); KYC_ERR_INVALID when v is NULL,
 * nests deeper than KYC_JSON_WRITE_DEPTH, or holds a real jansson cannot
 * write (NaN, infinity). */
int kyc_json_write(const json_t *v, kyc_buf *out);

#endif
