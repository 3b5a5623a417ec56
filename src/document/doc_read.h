/* Reading one document image end to end: find and read the MRZ (reader.c),
 * then parse, validate and correct it (mrz.c). The one place the API, the
 * extraction and `kycd scan` go through, so they always agree. */
#ifndef KYC_DOC_READ_H
#define KYC_DOC_READ_H

#include <jansson.h>
#include <stdint.h>

#include "document/image.h"
#include "document/reader.h"

struct kyc_doc_read {
	json_t *mrz;        /* the `kycd mrz` object, or NULL when none was read (owned) */
	const char *reason; /* static code when mrz is NULL: no_mrz_found, mrz_unreadable, ... */
	char message[160];  /* for people, when mrz is NULL */
	struct kyc_reader_result reader; /* timing, orientation, band, confidences */
};

/* Reads img as of today_days (days since the epoch: the century of dates).
 * 0 (whether or not an MRZ was read: see out->mrz), or KYC_ERR_NOMEM. */
int kyc_doc_read(const struct kyc_image *img, int64_t today_days, struct kyc_doc_read *out);
void kyc_doc_read_release(struct kyc_doc_read *r);

#endif
