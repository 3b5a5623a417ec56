/* Console sessions and CSRF protection.
 *
 * A login makes a session: a 256-bit random secret sent to the browser in
 * the cookie KYC_SESSION_COOKIE (HttpOnly, SameSite=Strict, Path=/console,
 * Secure when kycd is reached over https) and kept only as its SHA-256,
 * with the operator, the tenant, an expiry (KYC_SESSION_TTL_MS after the
 * login; no sliding) and a CSRF token. The CSRF token (another 256 random
 * bits, not a credential by itself) is handed to the page by
 * GET /console/api/session and must come back in the X-CSRF-Token header of
 * every request that changes something; SameSite=Strict is the second line. */
#ifndef KYC_SESSION_H
#define KYC_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define KYC_SESSION_COOKIE "kycd_console"
#define KYC_SESSION_TTL_MS (8 * 3600 * 1000LL)

/* Starts a session for an operator; writes the cookie value (64 hex chars
 * + NUL) and the CSRF token (64 hex + NUL). */
int kyc_session_create(kyc_store *s, const struct kyc_operator_row *op, int64_t now_ms,
		       char cookie_out[65], char csrf_out[65]);

/* Finds the live session of a cookie value: 0 and *out, or KYC_ERR_DENIED
 * (malformed, unknown, expired), or a store error. */
int kyc_session_check(kyc_store *s, const char *cookie, size_t len, int64_t now_ms,
		      struct kyc_session_row *out);

/* Ends the session of a cookie value (and drops expired ones). */
int kyc_session_end(kyc_store *s, const char *cookie, size_t len, int64_t now_ms);

/* 1 when the presented token matches the session's (constant time). */
int kyc_session_csrf_ok(const struct kyc_session_row *row, const char *token, size_t len);

/* The value of cookie `name` in a Cookie header ({ptr,len} into it);
 * {NULL,0} when absent. */
struct kyc_cookie_value {
	const char *ptr;
	size_t len;
};
struct kyc_cookie_value kyc_cookie_find(const char *header, size_t len, const char *name);

#endif
