/* Base64 (RFC 4648): the standard alphabet (section 4) and the URL- and
 * filename-safe one (section 5), decode and encode, with output caps.
 *
 * Decoding is strict about everything except whitespace:
 *   - ASCII whitespace (space, tab, CR, LF, VT, FF) anywhere is skipped, since
 *     clients wrap base64 at 64 or 76 columns;
 *   - any other byte outside the alphabet is an error (no silent skipping);
 *   - padding: with KYC_B64_URL it is optional; otherwise it is required (the
 *     encoded length is a multiple of 4). When present it must be exactly
 *     right: only at the very end, 1 or 2 '=' as the length needs, and nothing
 *     after it;
 *   - the unused low bits of the last character must be zero (RFC 4648 3.5),
 *     so every byte string has exactly one accepted encoding;
 *   - a lone final character (6 bits, never a whole byte) is an error.
 * Errors: KYC_ERR_INVALID for malformed input, KYC_ERR_TOOBIG when the output
 * would pass its cap (nothing is written then), KYC_ERR_NOMEM. */
#ifndef KYC_BASE64_H
#define KYC_BASE64_H

#include <stddef.h>

#include "core/buf.h"

enum {
	KYC_B64_STD = 0,        /* A-Z a-z 0-9 + /, padding required */
	KYC_B64_URL = 1 << 0,   /* A-Z a-z 0-9 - _, padding optional */
	KYC_B64_NOPAD = 1 << 1, /* encode: write no '='; decode: padding optional */
};

/* The encoded length of n bytes (with padding unless KYC_B64_NOPAD), without a NUL. */
size_t kyc_base64_encoded_len(size_t n, int flags);

/* The most bytes that inlen characters of base64 can decode to (an upper
 * bound: whitespace and padding make the real figure smaller). */
size_t kyc_base64_decoded_max(size_t inlen);

/* Decodes in[0..inlen) into out (outsz bytes); *outlen gets the byte count
 * (0 on error). KYC_ERR_TOOBIG as soon as the output would pass outsz, so
 * size out with kyc_base64_decoded_max(). On error out holds garbage. */
int kyc_base64_decode(const char *in, size_t inlen, int flags, unsigned char *out, size_t outsz,
                      size_t *outlen);

/* Decodes and appends to b; the cap is b->max. On error b is unchanged. */
int kyc_base64_decode_buf(const char *in, size_t inlen, int flags, kyc_buf *b);

/* Encodes p[0..n) and appends the text to b (NUL-terminated as kyc_buf is).
 * KYC_ERR_TOOBIG (b unchanged) when it would pass b->max. */
int kyc_base64_encode_buf(const void *p, size_t n, int flags, kyc_buf *b);

/* Clients often send images as a data: URL ("data:image/jpeg;base64,/9j/...").
 * When s[0..len) starts with "data:" (any case) this checks that the media
 * type part ends in ";base64", copies the media type without parameters
 * ("image/jpeg", lowercased; "" when absent) into mime (mimesz bytes, may be
 * NULL/0) and points *payload and *payload_len at the text after the comma.
 * Anything else is returned unchanged as the payload with mime "". Returns 0,
 * or KYC_ERR_INVALID for a data: URL without ";base64," or with a media type
 * longer than mimesz-1. Nothing is copied except the media type. */
int kyc_base64_data_url(const char *s, size_t len, const char **payload, size_t *payload_len,
                        char *mime, size_t mimesz);

#endif
