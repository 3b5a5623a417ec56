/* HTTP/1 body framing that two parsers could read differently (RFC 9112
 * 6.3): the check behind "400 ambiguous_framing" (docs/security.md). Pure:
 * no h2o, no I/O. */
#ifndef KYC_FRAMING_H
#define KYC_FRAMING_H

#include <stddef.h>

/* head: an HTTP/1 request line and header fields as received (len bytes,
 * not NUL-terminated, lines ending in \n or \r\n). 1 when it has
 * Content-Length together with Transfer-Encoding, or either field more
 * than once (names compared without case, at the start of a line, followed
 * directly by ':'); else 0. */
int kyc_http1_framing_ambiguous(const char *head, size_t len);

#endif
