/* Authenticated encryption and keyed hashes for data at rest (docs/security.md,
 * "Encryption at rest"): libsodium's XChaCha20-Poly1305 (IETF) with a random
 * 24-byte nonce per message, and keyed BLAKE2b for searchable hashes. Pure
 * functions on bytes and keys: no files, no database. */
#ifndef KYC_SEAL_H
#define KYC_SEAL_H

#include <stddef.h>

#include "core/buf.h"

#define KYC_SEAL_KEY_BYTES 32
/* nonce (24) + Poly1305 tag (16): what sealing adds to a message */
#define KYC_SEAL_OVERHEAD 40

/* Initialises libsodium once per process. 0 or KYC_ERR_INTERNAL. */
int kyc_seal_setup(void);

/* Appends nonce || ciphertext of the n bytes at p to out, bound to the
 * associated data ad (which is not stored: the reader must give the same).
 * 0, KYC_ERR_TOOBIG (out's cap) or KYC_ERR_NOMEM. */
int kyc_seal(const unsigned char key[KYC_SEAL_KEY_BYTES], const void *ad, size_t adlen,
	     const void *p, size_t n, kyc_buf *out);
/* Appends the plaintext of a kyc_seal output to out. KYC_ERR_DENIED when the
 * key or the associated data is wrong or a byte was changed (nothing is
 * appended then); KYC_ERR_INVALID when it is shorter than the overhead. */
int kyc_unseal(const unsigned char key[KYC_SEAL_KEY_BYTES], const void *ad, size_t adlen,
	       const void *p, size_t n, kyc_buf *out);

/* Keyed BLAKE2b-256 of the n bytes at p, as 64 lowercase hex digits. */
void kyc_seal_hash(const unsigned char key[KYC_SEAL_KEY_BYTES], const void *p, size_t n,
		   char out[65]);

/* The purposes a data key's subkeys serve (libsodium's KDF, one subkey each). */
enum kyc_seal_purpose { KYC_SEAL_ENCRYPT = 1, KYC_SEAL_SEARCH = 2, KYC_SEAL_WRAP = 3 };
/* The subkey of root for purpose. */
void kyc_seal_subkey(const unsigned char root[KYC_SEAL_KEY_BYTES], enum kyc_seal_purpose purpose,
		     unsigned char out[KYC_SEAL_KEY_BYTES]);

/* A new random key. */
void kyc_seal_keygen(unsigned char out[KYC_SEAL_KEY_BYTES]);
/* Wipes n bytes (not optimised away). */
void kyc_seal_wipe(void *p, size_t n);

#endif
