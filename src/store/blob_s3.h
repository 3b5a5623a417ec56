/* Blobs in an S3-compatible bucket, signed with AWS Signature Version 4
 * (blob_s3.c). Used through blob.h once kyc_blob_configure named a bucket;
 * the rest of kycd never calls this directly. */
#ifndef KYC_BLOB_S3_H
#define KYC_BLOB_S3_H

#include <stddef.h>

#include "core/buf.h"

struct kyc_blob_s3;

/* Reads "s3://BUCKET?endpoint=URL&region=R" (both optional: AWS's own
 * endpoint for the region, us-east-1 or AWS_REGION) and the credentials from
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. With an
 * endpoint, objects are addressed path-style (ENDPOINT/BUCKET/KEY). 0, or
 * KYC_ERR_INVALID with the reason in err. Nothing is sent. */
int kyc_blob_s3_open(const char *locator, struct kyc_blob_s3 **out, char *err, size_t errsz);
void kyc_blob_s3_close(struct kyc_blob_s3 *s);
const char *kyc_blob_s3_bucket(const struct kyc_blob_s3 *s);

/* The object calls: 0; KYC_ERR_NOTFOUND (get: no such key); KYC_ERR_TOOBIG
 * (get: over out's max); KYC_ERR_IO (no answer, or another status, logged). */
int kyc_blob_s3_put(const struct kyc_blob_s3 *s, const char *key, const void *p, size_t n);
int kyc_blob_s3_get(const struct kyc_blob_s3 *s, const char *key, kyc_buf *out);
/* A missing key is not an error. */
int kyc_blob_s3_delete(const struct kyc_blob_s3 *s, const char *key);
/* HEAD of the bucket: 0 when it answers 2xx with these credentials. */
int kyc_blob_s3_ready(const struct kyc_blob_s3 *s);

#endif
