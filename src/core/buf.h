/* kyc_buf: a growable byte buffer with a maximum size fixed at creation
 * (curl's dynbuf). Every buffer that grows from outside input gets one, so a
 * hostile peer can never make us allocate more than the cap.
 *
 * The data is always NUL-terminated (the NUL is not counted in len), so text
 * can be handed to C string functions; binary data may contain NULs. */
#ifndef KYC_BUF_H
#define KYC_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct kyc_buf {
	char *data;   /* NULL until the first append */
	size_t len;   /* bytes used, excluding the trailing NUL */
	size_t cap;   /* bytes allocated */
	size_t max;   /* the most len may ever be */
} kyc_buf;

/* Prepares an empty buffer that may hold up to max bytes. Allocates nothing. */
void kyc_buf_init(kyc_buf *b, size_t max);
/* Frees the memory; the buffer is empty and reusable with the same max. */
void kyc_buf_release(kyc_buf *b);
/* Empties the buffer but keeps its memory. */
void kyc_buf_reset(kyc_buf *b);
/* Appends n bytes. 0, KYC_ERR_TOOBIG (nothing appended) or KYC_ERR_NOMEM. */
int kyc_buf_append(kyc_buf *b, const void *p, size_t n);
/* Appends a NUL-terminated string. */
int kyc_buf_puts(kyc_buf *b, const char *s);
/* Appends formatted text (vsnprintf semantics). */
int kyc_buf_printf(kyc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int kyc_buf_vprintf(kyc_buf *b, const char *fmt, va_list ap);
/* Hands the memory to the caller (who frees it with free()) and empties b.
 * Returns an allocated empty string when b was empty; NULL only on NOMEM. */
char *kyc_buf_detach(kyc_buf *b, size_t *len);

#endif
