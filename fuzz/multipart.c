/* libFuzzer target for the multipart/form-data parser.
 * Input: the Content-Type header value, a newline, then the body. Both are
 * copied into allocations of their exact size so ASan sees any read past
 * their end. Besides "no crash, no leak, no UB" it checks what a caller
 * relies on: parts point inside the body, names are set, failures leave
 * nothing behind and carry a code. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size < 256 ? size : 256);
	if (!nl)
		return 0;
	size_t ctlen = (size_t)(nl - data);
	char *ct = malloc(ctlen + 1);
	size_t blen = size - ctlen - 1;
	char *body = malloc(blen ? blen : 1);
	if (!ct || !body)
		abort();
	memcpy(ct, data, ctlen);
	ct[ctlen] = '\0';
	memcpy(body, nl + 1, blen);

	/* small limits so that the fuzzer reaches them */
	struct kyc_multipart_limits lim = {
	    .max_parts = 6, .max_header_bytes = 300, .max_name_len = 40};
	struct kyc_multipart m;
	char err[128];
	int rc = kyc_multipart_parse(ct, body, blen, &lim, &m, err, sizeof err);
	if (rc == 0) {
		if (m.nparts > lim.max_parts || (m.nparts && !m.parts))
			abort();
		for (size_t i = 0; i < m.nparts; i++) {
			const struct kyc_multipart_part *p = &m.parts[i];
			if (!p->name || strlen(p->name) > lim.max_name_len)
				abort();
			if (p->filename && strlen(p->filename) > lim.max_name_len)
				abort();
			if (p->data < body || p->len > blen || p->data + p->len > body + blen)
				abort();
			if (kyc_multipart_find(&m, p->name) > p)
				abort(); /* find returns the first */
		}
	} else if (!m.code || m.parts || m.nparts || !err[0]) {
		abort();
	}
	kyc_multipart_release(&m);
	free(ct);
	free(body);
	return 0;
}
