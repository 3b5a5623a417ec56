/* Hosted-page tokens: the one credential an end user's browser holds. A
 * token is 128 random bits written in UUID form (8-4-4-4-12 lowercase hex),
 * because seed 002 hands end users "https://<host>/?id=<id>" with a GUID.
 * It is bound to one verification of one tenant and expires; it can upload
 * to and read the status of that verification, nothing else.
 *
 * kycd stores only the token's SHA-256 with the tenant, the verification and
 * the expiry, so a copy of the database does not hold usable links. The
 * token is shown once, by whoever creates it (the native API's hosted-link
 * route, seed 002's create call). */
#ifndef KYC_HOSTED_TOKEN_H
#define KYC_HOSTED_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Creates a token for verification_id of tenant_id that works until
 * expires_at_ms; writes it (36 chars + NUL) into token_out. The caller
 * checks that the verification exists in that tenant (the row refers to it:
 * a missing verification is KYC_ERR_CONFLICT from the foreign key). May run
 * inside the caller's transaction. 0 or a store error. */
int kyc_hosted_token_create(kyc_store *s, const char *tenant_id, const char *verification_id,
			    int64_t expires_at_ms, char token_out[37]);

/* The same in two steps, for a caller that must name the token before
 * its verification exists (seed 002 writes it as the verification's
 * compat_ref): a fresh token into token_out, then its row. The store step
 * may run inside the caller's transaction; 0 or a store error. */
int kyc_hosted_token_generate(char token_out[37]);
int kyc_hosted_token_store(kyc_store *s, const char *tenant_id, const char *verification_id,
			   int64_t expires_at_ms, const char *token);

/* Resolves a presented token (NUL-terminated; any case). 0 with the tenant
 * and verification written; KYC_ERR_DENIED for a malformed, unknown or
 * expired token (one code: the page says "this link is not valid"); another
 * code for a store failure. */
int kyc_hosted_token_resolve(kyc_store *s, const char *token, int64_t now_ms,
			     char tenant_out[37], char verification_out[37]);

/* The same for a token given as {ptr, len} (a header or query value). */
int kyc_hosted_token_resolve_n(kyc_store *s, const char *token, size_t len, int64_t now_ms,
			       char tenant_out[37], char verification_out[37]);

#endif
