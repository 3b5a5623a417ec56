/* One error convention for all of kycd: functions return int, 0 on success and
 * one of these negative codes on failure. A message, when there is one, travels
 * in the caller's struct or buffer; the code is what callers branch on. */
#ifndef KYC_ERR_H
#define KYC_ERR_H

enum kyc_err {
	KYC_OK = 0,
	KYC_ERR_NOMEM = -1,     /* allocation failed */
	KYC_ERR_TOOBIG = -2,    /* input or output over its cap */
	KYC_ERR_INVALID = -3,   /* malformed input */
	KYC_ERR_NOTFOUND = -4,  /* no such record (or not visible to this tenant) */
	KYC_ERR_IO = -5,        /* file system, socket or database I/O failed */
	KYC_ERR_CONFLICT = -6,  /* uniqueness or state conflict */
	KYC_ERR_UNSUPPORTED = -7, /* a format or feature we do not handle */
	KYC_ERR_TIMEOUT = -8,
	KYC_ERR_DENIED = -9,    /* policy refused it (e.g. an outbound address) */
	KYC_ERR_STATE = -10,    /* illegal state transition */
	KYC_ERR_INTERNAL = -11, /* a bug or an invariant broken */
};

/* A short stable name for a code ("nomem", "too_big", ...); never NULL. */
const char *kyc_err_name(int err);

#endif
