/* Request bodies for the compatibility tests: multipart/form-data as the
 * vendors' clients send it (curl's --form, a browser's FormData) and
 * base64 text for JSON image fields. */
#ifndef KYC_TEST_FORM_H
#define KYC_TEST_FORM_H

#include <stddef.h>

#define FORM_BOUNDARY "----kycdformboundaryQx7Z2p"
#define FORM_CONTENT_TYPE "Content-Type: multipart/form-data; boundary=" FORM_BOUNDARY

/* One part: a text field (filename NULL, data a NUL-terminated string) or
 * a file (filename set, data/len its bytes, ctype its Content-Type). */
struct form_part {
	const char *name;
	const char *filename;
	const char *ctype;
	const void *data;
	size_t len;
};

/* Builds the body of n parts; malloc()ed, length in *len. */
char *form_build(const struct form_part *parts, int n, size_t *len);

/* A document upload's body: the fields type and side, and the JPEG jpeg
 * as the part image. */
char *form_document(const char *type, const char *side, const void *jpeg, size_t n, size_t *len);

/* Standard base64 of p[0..n), NUL-terminated, malloc()ed. */
char *form_base64(const void *p, size_t n);

#endif
