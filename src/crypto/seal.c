/* XChaCha20-Poly1305 and BLAKE2b from libsodium (src/crypto/seal.h). */
#include "crypto/seal.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>

#include "core/err.h"

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_rc;

static void sodium_setup(void)
{
	sodium_rc = sodium_init() < 0 ? KYC_ERR_INTERNAL : 0;
}

int kyc_seal_setup(void)
{
	pthread_once(&sodium_once, sodium_setup);
	return sodium_rc;
}

/* Grows out by n bytes (uninitialised) and returns where they start. */
static unsigned char *buf_grow(kyc_buf *out, size_t n, int *rc)
{
	size_t at = out->len;
	if (n > out->max - out->len) {
		*rc = KYC_ERR_TOOBIG;
		return NULL;
	}
	/* kyc_buf has no reserve: append zeros, then write over them */
	static const unsigned char zeros[4096];
	for (size_t left = n; left;) {
		size_t k = left < sizeof zeros ? left : sizeof zeros;
		if ((*rc = kyc_buf_append(out, zeros, k)))
			return NULL;
		left -= k;
	}
	*rc = 0;
	return (unsigned char *)out->data + at;
}

int kyc_seal(const unsigned char key[KYC_SEAL_KEY_BYTES], const void *ad, size_t adlen,
	     const void *p, size_t n, kyc_buf *out)
{
	int rc;
	size_t at = out->len;
	unsigned char *dst = buf_grow(out, n + KYC_SEAL_OVERHEAD, &rc);
	if (!dst)
		return rc;
	unsigned char *nonce = dst;
	randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	unsigned long long clen = 0;
	crypto_aead_xchacha20poly1305_ietf_encrypt(
	    dst + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &clen, p, n, ad, adlen, NULL,
	    nonce, key);
	out->len = at + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + (size_t)clen;
	out->data[out->len] = '\0';
	return 0;
}

int kyc_unseal(const unsigned char key[KYC_SEAL_KEY_BYTES], const void *ad, size_t adlen,
	       const void *p, size_t n, kyc_buf *out)
{
	if (n < KYC_SEAL_OVERHEAD)
		return KYC_ERR_INVALID;
	int rc;
	size_t at = out->len;
	size_t plen = n - KYC_SEAL_OVERHEAD;
	/* +1: a zero-length message still gets a writable byte */
	unsigned char *dst = buf_grow(out, plen + 1, &rc);
	if (!dst)
		return rc;
	const unsigned char *in = p;
	unsigned long long mlen = 0;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		dst, &mlen, NULL, in + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
		n - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, ad, adlen, in, key) != 0) {
		sodium_memzero(dst, plen + 1);
		out->len = at;
		out->data[at] = '\0';
		return KYC_ERR_DENIED;
	}
	out->len = at + (size_t)mlen;
	out->data[out->len] = '\0';
	return 0;
}

void kyc_seal_hash(const unsigned char key[KYC_SEAL_KEY_BYTES], const void *p, size_t n,
		   char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, p, n, key, KYC_SEAL_KEY_BYTES);
	sodium_bin2hex(out, 65, h, sizeof h);
}

void kyc_seal_subkey(const unsigned char root[KYC_SEAL_KEY_BYTES], enum kyc_seal_purpose purpose,
		     unsigned char out[KYC_SEAL_KEY_BYTES])
{
	crypto_kdf_derive_from_key(out, KYC_SEAL_KEY_BYTES, (uint64_t)purpose, "kycd_dek", root);
}

void kyc_seal_keygen(unsigned char out[KYC_SEAL_KEY_BYTES])
{
	randombytes_buf(out, KYC_SEAL_KEY_BYTES);
}

void kyc_seal_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}
