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

/* A login in four steps, so that the slow ones (a write that waits for
 * the disk, Argon2id) can run off the event loop: begin (store, reads only)
 * -> count (store, a write; any connection) -> verify (no store, any
 * thread) -> finish (store). The attempt is counted as a failure before the
 * password is checked, so that attempts running at the same time cannot
 * pass the throttle together; a success clears the count. */
struct kyc_login {
	char name[65];             /* the throttling key: the lower-cased name or "(invalid)" */
	int known;                 /* an operator of that name exists */
	struct kyc_operator_row op; /* it, with its password hash (known only) */
	int ok;                    /* set by kyc_operator_login_verify */
	int forget_streak;         /* begin found a streak old enough to forget */
	int64_t now_ms;            /* begin's time */
};
/* Checks the throttle and looks the name up. 0, KYC_ERR_TOOBIG with
 * *retry_after_ms (the password will not be checked), or a store error. */
int kyc_operator_login_begin(kyc_store *s, const char *username, int64_t now_ms,
			     struct kyc_login *l, int64_t *retry_after_ms);
/* Records the attempt as a failure (and forgets an old streak first): a
 * write, on whichever connection s is. 0 or a store error. */
int kyc_operator_login_count(kyc_store *s, struct kyc_login *l);
/* Verifies the password against the operator's hash, or a dummy hash of the
 * same cost for an unknown name. Touches no store; takes about 50-100 ms. */
void kyc_operator_login_verify(struct kyc_login *l, const char *password, size_t password_len);
/* Records the outcome: 0 with *out (no password hash in it) and the count
 * cleared, or KYC_ERR_DENIED (unknown user, wrong password, disabled
 * account: one answer), or a store error. Wipes l's hash either way. */
int kyc_operator_login_finish(kyc_store *s, struct kyc_login *l, struct kyc_operator_row *out);

/* Operator management (`kycd operator disable|enable|reset-password`). Each
 * call finds the operator by username, makes the change, ends every
 * console session of the operator (enable ends none), and appends an
 * audit row to the tenant's audit trail (verification_history with no
 * verification: action "operator.disabled", "operator.enabled" or
 * "operator.password_reset", the actor, details {operator_id, username,
 * sessions_ended}), all in one transaction. A password reset also clears
 * the name's failed-login count. out (may be NULL) gets the operator
 * without its hash; *sessions_ended (may be NULL) how many sessions ended.
 * 0, KYC_ERR_NOTFOUND (no such username), KYC_ERR_INVALID (password size),
 * KYC_ERR_NOMEM, or a store error (nothing changed). */
int kyc_operator_set_disabled(kyc_store *s, const char *username, int disabled,
			      const char *actor, int64_t now_ms, struct kyc_operator_row *out,
			      int *sessions_ended);
int kyc_operator_reset_password(kyc_store *s, const char *username, const char *password,
				size_t password_len, const char *actor,
				struct kyc_operator_row *out, int *sessions_ended);

/* Checks a login (the three steps at once). On success fills out, clears the failure count and
 * returns 0. KYC_ERR_DENIED: unknown user, wrong password or disabled
 * account (one answer). KYC_ERR_TOOBIG: too many failures, try again in
 * *retry_after_ms (the password was not even checked). */
int kyc_operator_login(kyc_store *s, const char *username, const char *password,
		       size_t password_len, int64_t now_ms, struct kyc_operator_row *out,
		       int64_t *retry_after_ms);

#endif
