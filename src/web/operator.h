/* Console operators: accounts of one tenant with a role and a password,
 * created by `kycd operator create`. Passwords are kept as libsodium's
 * Argon2id strings (crypto_pwhash_str_alg, ARGON2ID13, the "interactive"
 * limits: 2 passes over 64 MiB), which carry their own salt and parameters.
 *
 * Logins are throttled per username, known or not: after
 * KYC_LOGIN_FREE_FAILURES failed attempts each further attempt must wait
 * 30 s, doubling per failure up to 15 minutes, counted from the last
 * failure; a success clears the count. The wait applies to right and wrong
 * passwords alike, so guessing cannot go faster than the lock allows. */
#ifndef KYC_OPERATOR_H
#define KYC_OPERATOR_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define KYC_LOGIN_FREE_FAILURES 5
#define KYC_PASSWORD_MIN 12
#define KYC_PASSWORD_MAX 256

/* 1 when u is 1..64 characters of [a-z0-9._@-] (callers lower-case first). */
int kyc_operator_username_valid(const char *u);
/* 1 when the role is viewer, reviewer or admin. */
int kyc_operator_role_valid(const char *role);
/* What a role may do in the console: 1 when it may decide (reviewer, admin). */
int kyc_operator_may_decide(const char *role);

/* Creates an operator of tenant_id. username is lower-cased; password is
 * KYC_PASSWORD_MIN..KYC_PASSWORD_MAX bytes. KYC_ERR_INVALID (username,
 * role or password), KYC_ERR_NOTFOUND (no such tenant), KYC_ERR_CONFLICT
 * (username taken), or a store error. id_out gets the new id. */
int kyc_operator_create(kyc_store *s, const char *tenant_id, const char *username,
			const char *role, const char *password, size_t password_len,
			char id_out[37]);

/* Checks a login. On success fills out, clears the failure count and
 * returns 0. KYC_ERR_DENIED: unknown user, wrong password or disabled
 * account (one answer). KYC_ERR_TOOBIG: too many failures, try again in
 * *retry_after_ms (the password was not even checked). */
int kyc_operator_login(kyc_store *s, const char *username, const char *password,
		       size_t password_len, int64_t now_ms, struct kyc_operator_row *out,
		       int64_t *retry_after_ms);

#endif
