/* libFuzzer target for base64 and the data: URL helper.
 * Input: one byte of flags, then the text. Checks that whatever decodes
 * re-encodes to exactly the input without its whitespace (decoding is
 * canonical: one accepted spelling per byte string), and that the helper's
 * payload lies inside its input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "core/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int flags = data[0] & (KYC_B64_URL | KYC_B64_NOPAD);
	size_t n = size - 1;
	char *in = malloc(n ? n : 1);
	if (!in)
		abort();
	memcpy(in, data + 1, n);

	const char *payload;
	size_t plen;
	char mime[32];
	if (kyc_base64_data_url(in, n, &payload, &plen, mime, sizeof mime) == 0) {
		if (payload < in || payload + plen > in + n || strlen(mime) >= sizeof mime)
			abort();
	} else {
		payload = in;
		plen = n;
	}

	kyc_buf dec, enc;
	kyc_buf_init(&dec, 4096);
	kyc_buf_init(&enc, 8192);
	int rc = kyc_base64_decode_buf(payload, plen, flags, &dec);
	if (rc == 0) {
		if (dec.len > kyc_base64_decoded_max(plen))
			abort();
		/* the input without whitespace, and whether it was padded */
		char *bare = malloc(plen ? plen : 1);
		size_t bl = 0;
		int padded = 0;
		if (!bare)
			abort();
		for (size_t i = 0; i < plen; i++) {
			char c = payload[i];
			if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
			    c == '\f')
				continue;
			padded |= c == '=';
			bare[bl++] = c;
		}
		int ef = (flags & KYC_B64_URL) | (padded ? 0 : KYC_B64_NOPAD);
		if (kyc_base64_encode_buf(dec.data, dec.len, ef, &enc) != 0)
			abort();
		if (enc.len != bl || memcmp(enc.data, bare, bl) != 0)
			abort();
		free(bare);
	} else if (dec.len != 0) {
		abort(); /* a failed decode leaves the buffer as it was */
	}
	/* raw-buffer API agrees with the kyc_buf one */
	unsigned char out[64];
	size_t got = 0;
	int rc2 = kyc_base64_decode(payload, plen, flags, out, sizeof out, &got);
	if (rc == 0 && dec.len <= sizeof out &&
	    (rc2 != 0 || got != dec.len || (got && memcmp(out, dec.data, got) != 0)))
		abort();
	kyc_buf_release(&dec);
	kyc_buf_release(&enc);
	free(in);
	return 0;
}
