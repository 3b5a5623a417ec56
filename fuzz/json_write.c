/* libFuzzer target for the answer writer (kyc_json_write, src/json/write.h):
 * any JSON jansson reads (with NULs in strings) is written by both writers,
 * and the bytes must be the same, or both must refuse it. Input: JSON text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "json/write.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t e;
	json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	if (!v)
		return 0;
	char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	kyc_buf got;
	kyc_buf_init(&got, 1u << 26);
	int rc = kyc_json_write(v, &got);
	if ((want == NULL) != (rc != 0) || (want && strcmp(want, got.data ? got.data : "")))
		abort();
	free(want);
	kyc_buf_release(&got);
	json_decref(v);
	return 0;
}
