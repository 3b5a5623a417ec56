/* libFuzzer target: the TF.js graph-model parser and runner
 * (src/tensor/graph.c) on arbitrary bytes. Input: model.json, then optionally
 * a NUL and the shard bytes. A parsed graph is run with a small input of its
 * placeholder's shape (free sizes as 2) towards the nodes called n0 to n3, under a
 * low element cap: every run must end in a result or an error code the API
 * names, and a result's count must match its shape. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "tensor/graph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t jlen = nul ? (size_t)(nul - data) : size;
	struct kyc_graph *g = NULL;
	char err[200];
	int rc = kyc_graph_parse((const char *)data, jlen, nul ? nul + 1 : NULL,
	                         nul ? size - jlen - 1 : 0, &g, err, sizeof err);
	if (rc != 0) {
		if (g || (rc != KYC_ERR_INVALID && rc != KYC_ERR_TOOBIG && rc != KYC_ERR_NOMEM &&
		          rc != KYC_ERR_UNSUPPORTED))
			abort();
		return 0;
	}
	int shape[KYC_GRAPH_MAX_RANK];
	int rank = kyc_graph_input_shape(g, shape);
	size_t n = 1;
	for (int i = 0; i < rank; i++) {
		shape[i] = shape[i] < 0 ? 2 : shape[i];
		n *= (size_t)shape[i];
	}
	struct kyc_gtensor in;
	if (n <= 4096 && kyc_gtensor_alloc(&in, rank, shape) == 0) {
		for (size_t i = 0; i < in.count; i++)
			in.d[i] = (float)((i * 37) % 17) - 8.0f;
		kyc_graph_set_max_elems(g, 1 << 16);
		/* Seeds name their nodes n0, n1...: the fuzzer keeps those names. */
		char name[64];
		for (int k = 0; k < 4; k++) {
			struct kyc_gtensor out;
			snprintf(name, sizeof name, "n%d", k);
			rc = kyc_graph_run(g, &in, name, &out, err, sizeof err);
			if (rc == 0) {
				size_t c = 1;
				for (int i = 0; i < out.rank; i++)
					c *= (size_t)out.shape[i];
				if (c != out.count || !out.d)
					abort();
			} else if (rc != KYC_ERR_INVALID && rc != KYC_ERR_TOOBIG &&
			           rc != KYC_ERR_NOMEM && rc != KYC_ERR_NOTFOUND) {
				abort();
			}
			kyc_gtensor_free(&out);
		}
		kyc_gtensor_free(&in);
	}
	kyc_graph_free(g);
	return 0;
}
