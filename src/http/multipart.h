/* multipart/form-data (RFC 7578 on RFC 2046) for bodies already in memory:
 * the HTTP layer has the whole request body, so the parser hands out
 * {ptr, len} views into it for the part data and copies only the small
 * strings it has to decode (names, filenames, content types).
 *
 * What is accepted:
 *   - Content-Type "multipart/form-data" (any case) with a boundary parameter,
 *     quoted or not, 1..70 characters from RFC 2046's bchars, not ending in a
 *     space; a second boundary parameter is an error;
 *   - a preamble before the first delimiter and an epilogue after the close
 *     delimiter are ignored; transport padding (spaces/tabs) after a delimiter
 *     is allowed;
 *   - line ends are CRLF, as every browser and curl sends them. A bare LF is
 *     not a line end: in part headers it is an error (multipart_malformed),
 *     and "\n--boundary" inside data is data. Accepting bare LF would make a
 *     file that contains "\n--boundary" end early, so we do not guess;
 *   - "\r\n--boundary" followed by anything other than "--" or padding+CRLF is
 *     data, not a delimiter (binary data may contain the boundary's prefix);
 *   - every part needs "Content-Disposition: form-data; name=..."; filename
 *     and filename* (RFC 5987 / RFC 8187, UTF-8 or ISO-8859-1, filename*
 *     wins) are optional; quoted strings may use backslash escapes (curl
 *     writes \" that way; browsers percent-encode and we leave that as is);
 *   - Content-Type of a part is optional; other part headers are ignored;
 *     folded header lines are an error;
 *   - duplicate field names are kept, in order.
 * Stable error codes (kyc_multipart.code, set on every failure):
 *   multipart_content_type     not multipart/form-data
 *   multipart_boundary_missing no (usable) boundary parameter
 *   multipart_boundary_invalid the boundary breaks RFC 2046's rules
 *   multipart_truncated        the body ends before the close delimiter
 *   multipart_malformed        bad delimiter line, header line or parameter
 *   multipart_disposition_missing  a part has no Content-Disposition (or no name)
 *   multipart_too_many_parts   over lim->max_parts
 *   multipart_header_too_large a part's headers pass lim->max_header_bytes
 *   multipart_name_too_long    a name or filename passes lim->max_name_len
 *   multipart_nomem            allocation failed */
#ifndef KYC_MULTIPART_H
#define KYC_MULTIPART_H

#include <stddef.h>

/* Caps for one body. A field left 0 takes the default in brackets. */
struct kyc_multipart_limits {
	size_t max_parts;        /* [32] */
	size_t max_header_bytes; /* [8192] all header lines of one part together */
	size_t max_name_len;     /* [256] field name and filename, after decoding */
};

struct kyc_multipart_part {
	char *name;     /* the field name, NUL-terminated, never NULL; no control characters */
	char *filename; /* NULL when the part has none; the client's name, never a path to use */
	char *content_type; /* the part's Content-Type value trimmed, or NULL when absent */
	const char *data;   /* a view into the caller's body: not a copy, not NUL-terminated */
	size_t len;
};

/* The parsed body. Owns names and the parts array (kyc_multipart_release);
 * data pointers point into the body passed to kyc_multipart_parse and live as
 * long as it does. */
struct kyc_multipart {
	struct kyc_multipart_part *parts;
	size_t nparts;
	const char *code; /* on failure: a stable code from the list above (static) */
};

/* Parses body[0..len) using the boundary from content_type_header. lim may
 * be NULL (defaults). On success returns 0 and fills out (zero parts is a
 * success: an empty form). On failure returns KYC_ERR_INVALID (or
 * KYC_ERR_TOOBIG for the limits, KYC_ERR_NOMEM), sets out->code, writes a
 * human-readable message into err (errsz bytes; may be NULL/0) and leaves out
 * empty, with nothing to release. */
int kyc_multipart_parse(const char *content_type_header, const char *body, size_t len,
                        const struct kyc_multipart_limits *lim, struct kyc_multipart *out,
                        char *err, size_t errsz);

/* The first part whose name is exactly name, or NULL. */
const struct kyc_multipart_part *kyc_multipart_find(const struct kyc_multipart *m,
                                                    const char *name);

/* Frees what kyc_multipart_parse allocated; out is empty afterwards. Safe on
 * an empty or already released value. */
void kyc_multipart_release(struct kyc_multipart *m);

#endif
