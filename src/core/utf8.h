/* UTF-8 decoding, one code point at a time, on bytes from outside. */
#ifndef KYC_UTF8_H
#define KYC_UTF8_H

#include <stddef.h>

/* Decodes the code point at s (len > 0 bytes available) into *cp and returns
 * its length in bytes. A malformed or cut sequence gives U+FFFD and the
 * length of what it spans (at least 1), so a loop always advances. */
size_t kyc_utf8_next(const unsigned char *s, size_t len, unsigned *cp);

/* Appends cp as UTF-8 to dst (cap bytes, n used); 0, or -1 when it does not
 * fit with room for a final NUL (nothing written then). */
int kyc_utf8_put(char *dst, size_t cap, size_t *n, unsigned cp);

#endif
