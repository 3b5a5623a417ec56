/* API keys: creation, verification and revocation.
 *
 * A key reads "kyc_<key id>_<secret>": the key id (12 hex chars) finds the
 * row, the secret (64 hex chars, 256 random bits) is stored only as its
 * SHA-256 and compared in constant time. A slow password hash buys nothing
 * for a 256-bit random secret and would cost every request. The full key is
 * shown once, when created. */
#ifndef KYC_APIKEY_H
#define KYC_APIKEY_H

#include <stddef.h>

#include "store/store.h"

#define KYC_APIKEY_MAX 96 /* bytes of a formatted key, with the NUL */

/* Roles a key can carry: "admin" (all of the tenant's API), "reviewer"
 * (the API plus review decisions), "viewer" (read-only). 1 if role is one. */
int kyc_apikey_role_valid(const char *role);

/* Creates a key for tenant_id with role; writes the full key (to show once)
 * into key_out and its id into key_id_out (may be NULL). */
int kyc_apikey_create(kyc_store *s, const char *tenant_id, const char *role,
		      char key_out[KYC_APIKEY_MAX], char key_id_out[40]);

/* Checks a presented key (len bytes, not NUL-terminated). On success fills
 * tenant_id and role and returns 0; KYC_ERR_DENIED for a malformed, unknown,
 * revoked or wrong key (deliberately one code: the caller answers 401). */
int kyc_apikey_verify(kyc_store *s, const char *key, size_t len, char tenant_id[37],
		      char role[16]);

/* Creates a tenant and its first admin key in one transaction. */
int kyc_tenant_create_with_key(kyc_store *s, const char *name, char tenant_id[37],
			       char key_out[KYC_APIKEY_MAX]);

#endif
