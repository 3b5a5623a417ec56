/* Blobs in an S3-compatible bucket, signed with AWS Signature Version 4
 * (blob_s3.c). Used through blob.h once kyc_blob_configure named a bucket;
 * the rest of kycd never calls this directly. */
#ifndef KYC_BLOB_S3_H
#define KYC_BLOB_S3_H

#include <stddef.h>
#include <stdint.h>

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

/* Called for each object of a listing: its key (unescaped, NUL-terminated)
 * and when it was last written (ms since the epoch, the bucket's clock).
 * Non-zero stops the listing and is returned. */
typedef int (*kyc_blob_s3_each_fn)(void *ctx, const char *key, int64_t modified_ms);

/* Lists every object whose key starts with prefix (ListObjectsV2, a page of
 * up to 1,000 keys per request). 0, fn's non-zero, or KYC_ERR_IO (no
 * answer, another status, or an answer that is not a listing; logged). */
int kyc_blob_s3_list(const struct kyc_blob_s3 *s, const char *prefix, kyc_blob_s3_each_fn fn,
		     void *ctx);

/* Reads one page of a ListObjectsV2 answer (xml, n bytes, not
 * NUL-terminated: outside data, fuzz/s3list.c): fn for each <Contents> with
 * a Key of at most 1,023 bytes and a LastModified of the form
 * 2026-12-02T13:04:33[.000]Z (others are passed over: never judged),
 * then the NextContinuationToken, unescaped, in next ("" when the listing
 * is complete). 0, fn's non-zero, or KYC_ERR_INVALID when xml is not a
 * ListBucketResult, or a token does not fit in next. */
int kyc_blob_s3_parse_list(const char *xml, size_t n, kyc_blob_s3_each_fn fn, void *ctx,
			   char *next, size_t nextsz);

#endif
