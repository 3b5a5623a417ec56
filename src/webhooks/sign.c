#include "webhooks/sign.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/rand.h"

#define PREFIX "whsec_"

int kyc_webhook_secret_new(char out[KYC_WEBHOOK_SECRET_MAX])
{
	unsigned char key[24];
	if (kyc_rand_bytes(key, sizeof key))
		return KYC_ERR_IO;
	memcpy(out, PREFIX, sizeof PREFIX - 1);
	EVP_EncodeBlock((unsigned char *)out + sizeof PREFIX - 1, key, sizeof key);
	OPENSSL_cleanse(key, sizeof key);
	return 0;
}

/* Decodes the base64 part of a secret; returns the key length or -1. */
static int secret_key(const char *secret, unsigned char key[64])
{
	if (strncmp(secret, PREFIX, sizeof PREFIX - 1) != 0)
		return -1;
	const char *b64 = secret + sizeof PREFIX - 1;
	size_t n = strlen(b64);
	if (n == 0 || n % 4 || n > 84)
		return -1;
	int len = EVP_DecodeBlock(key, (const unsigned char *)b64, (int)n);
	if (len < 0)
		return -1;
	/* EVP_DecodeBlock counts padding bytes as output: remove them. */
	if (n >= 1 && b64[n - 1] == '=')
		len--;
	if (n >= 2 && b64[n - 2] == '=')
		len--;
	return len >= 16 ? len : -1;
}

static int mac(const char *secret, const char *msg_id, int64_t ts, const void *body,
	       size_t body_len, unsigned char out[32])
{
	unsigned char key[64];
	int klen = secret_key(secret, key);
	if (klen < 0 || strchr(msg_id, '.'))
		return KYC_ERR_INVALID;
	char head[160];
	int hl = snprintf(head, sizeof head, "%s.%lld.", msg_id, (long long)ts);
	if (hl < 0 || (size_t)hl >= sizeof head)
		return KYC_ERR_INVALID;
	int rc = KYC_ERR_INTERNAL;
	EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = m ? EVP_MAC_CTX_new(m) : NULL;
	OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", "SHA256", 0),
			       OSSL_PARAM_construct_end()};
	size_t outl = 0;
	if (ctx && EVP_MAC_init(ctx, key, (size_t)klen, params) &&
	    EVP_MAC_update(ctx, (const unsigned char *)head, (size_t)hl) &&
	    EVP_MAC_update(ctx, body, body_len) && EVP_MAC_final(ctx, out, &outl, 32) && outl == 32)
		rc = 0;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(m);
	OPENSSL_cleanse(key, sizeof key);
	return rc;
}

int kyc_webhook_sign(const char *secret, const char *msg_id, int64_t timestamp, const void *body,
		     size_t body_len, char out[KYC_WEBHOOK_SIG_MAX])
{
	unsigned char h[32];
	int rc = mac(secret, msg_id, timestamp, body, body_len, h);
	if (rc)
		return rc;
	memcpy(out, "v1,", 3);
	EVP_EncodeBlock((unsigned char *)out + 3, h, 32);
	return 0;
}

int kyc_webhook_verify(const char *secret, const char *msg_id, int64_t timestamp,
		       const void *body, size_t body_len, const char *header, int64_t now_s,
		       int64_t tolerance_s)
{
	if (tolerance_s > 0 && (now_s - timestamp > tolerance_s || timestamp - now_s > tolerance_s))
		return 0;
	char want[KYC_WEBHOOK_SIG_MAX];
	if (kyc_webhook_sign(secret, msg_id, timestamp, body, body_len, want))
		return 0;
	size_t wl = strlen(want);
	int ok = 0;
	for (const char *p = header; p && *p;) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (n == wl && CRYPTO_memcmp(p, want, wl) == 0)
			ok = 1;
		p += n;
	}
	return ok;
}
