/* libFuzzer target: the TF.js weights manifest parser and the shard decoder
 * (src/tensor/weights.c) on arbitrary bytes. Input: the manifest JSON, then
 * optionally a NUL and shard bytes. Checks what the loader relies on: a
 * parsed manifest has bounded, positive shapes whose byte sizes add up to
 * total_bytes, plain shard names, and decoding succeeds exactly when the
 * shard bytes are that long. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "tensor/weights.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t jlen = nul ? (size_t)(nul - data) : size;
	const uint8_t *shards = nul ? nul + 1 : NULL;
	size_t slen = nul ? size - jlen - 1 : 0;
	struct kyc_manifest m;
	char err[200];
	int rc = kyc_manifest_parse((const char *)data, jlen, &m, err, sizeof err);
	if (rc != 0) {
		if (rc != KYC_ERR_INVALID && rc != KYC_ERR_TOOBIG && rc != KYC_ERR_NOMEM)
			abort();
		return 0;
	}
	size_t sum = 0;
	for (size_t i = 0; i < m.count; i++) {
		const struct kyc_manifest_entry *e = &m.entries[i];
		size_t c = 1;
		if (e->rank < 0 || e->rank > KYC_WEIGHTS_MAX_RANK || e->offset != sum)
			abort();
		for (int d = 0; d < e->rank; d++) {
			if (e->shape[d] < 1)
				abort();
			c *= (size_t)e->shape[d];
		}
		if (c != e->count || c > (size_t)KYC_WEIGHTS_MAX_ELEMS)
			abort();
		sum += e->bytes;
	}
	if (sum != m.total_bytes || m.npaths == 0)
		abort();
	for (size_t i = 0; i < m.npaths; i++)
		if (strchr(m.paths[i], '/') || m.paths[i][0] == '.' || m.paths[i][0] == 0)
			abort();
	if (shards || m.total_bytes <= 4096) {
		/* Without shard bytes, try a zero-filled buffer of the right size. */
		uint8_t *zero = NULL;
		if (!shards) {
			zero = calloc(1, m.total_bytes ? m.total_bytes : 1);
			shards = zero;
			slen = m.total_bytes;
		}
		struct kyc_weights w;
		rc = kyc_weights_decode(&m, shards, slen, &w, err, sizeof err);
		if ((rc == 0) != (slen == m.total_bytes) && rc != KYC_ERR_NOMEM)
			abort();
		if (rc == 0)
			kyc_weights_release(&w);
		free(zero);
	}
	kyc_manifest_release(&m);
	return 0;
}
