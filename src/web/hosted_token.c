#include "web/hosted_token.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/rand.h"

/* The canonical text (lower case) is what gets hashed, so a link whose
 * letters a mail client upper-cased still works. */
static int canonical(const char *t, size_t len, char out[37])
{
	if (len != 36)
		return -1;
	for (size_t i = 0; i < 36; i++) {
		char c = t[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return -1;
			out[i] = c;
			continue;
		}
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -1;
		out[i] = c;
	}
	out[36] = '\0';
	return 0;
}

static void token_hash(const char canon[37], unsigned char out[32])
{
	/* Idempotent and thread-safe; callers outside src/web never call it. */
	if (sodium_init() < 0)
		abort();
	crypto_hash_sha256(out, (const unsigned char *)canon, 36);
}

int kyc_hosted_token_generate(char token_out[37])
{
	unsigned char raw[16];
	char hex[33];
	int rc = kyc_rand_bytes(raw, sizeof raw);
	if (rc)
		return rc;
	kyc_hex_encode(hex, raw, sizeof raw);
	snprintf(token_out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
		 hex + 20);
	sodium_memzero(raw, sizeof raw);
	sodium_memzero(hex, sizeof hex);
	return 0;
}

int kyc_hosted_token_store(kyc_store *s, const char *tenant_id, const char *verification_id,
			   int64_t expires_at_ms, const char *token)
{
	struct kyc_hosted_token_row row = {0};
	token_hash(token, row.token_hash);
	snprintf(row.tenant_id, sizeof row.tenant_id, "%s", tenant_id);
	snprintf(row.verification_id, sizeof row.verification_id, "%s", verification_id);
	row.expires_at = expires_at_ms;
	row.created_at = kyc_now_ms();
	return kyc_store_hosted_token_insert(s, &row);
}

int kyc_hosted_token_create(kyc_store *s, const char *tenant_id, const char *verification_id,
			    int64_t expires_at_ms, char token_out[37])
{
	int rc = kyc_hosted_token_generate(token_out);
	rc = rc ? rc
		: kyc_hosted_token_store(s, tenant_id, verification_id, expires_at_ms, token_out);
	if (rc)
		sodium_memzero(token_out, 37);
	return rc;
}

int kyc_hosted_token_resolve_n(kyc_store *s, const char *token, size_t len, int64_t now_ms,
			       char tenant_out[37], char verification_out[37])
{
	char canon[37];
	struct kyc_hosted_token_row row;
	if (!token || canonical(token, len, canon))
		return KYC_ERR_DENIED;
	unsigned char h[32];
	token_hash(canon, h);
	int rc = kyc_store_hosted_token_get(s, h, &row);
	if (rc == KYC_ERR_NOTFOUND)
		return KYC_ERR_DENIED;
	if (rc)
		return rc;
	/* The row was found by the hash itself: no secret is compared here. */
	if (now_ms >= row.expires_at)
		return KYC_ERR_DENIED;
	snprintf(tenant_out, 37, "%s", row.tenant_id);
	snprintf(verification_out, 37, "%s", row.verification_id);
	return 0;
}

int kyc_hosted_token_resolve(kyc_store *s, const char *token, int64_t now_ms,
			     char tenant_out[37], char verification_out[37])
{
	return kyc_hosted_token_resolve_n(s, token, token ? strlen(token) : 0, now_ms, tenant_out,
					  verification_out);
}
