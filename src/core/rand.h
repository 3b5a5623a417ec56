/* Randomness from the kernel (getrandom), and the identifiers built from it. */
#ifndef KYC_RAND_H
#define KYC_RAND_H

#include <stddef.h>
#include <stdint.h>

/* Fills p with n cryptographically random bytes. 0 or KYC_ERR_IO. */
int kyc_rand_bytes(void *p, size_t n);

/* A random version-4 UUID in lowercase text, 36 chars + NUL (out must hold 37).
 * All resource ids are UUIDs: seeds 002 and 003 require GUID-shaped ids. */
int kyc_uuid_new(char out[37]);
/* 1 when s (len bytes) is a UUID in canonical 8-4-4-4-12 hex form (any case). */
int kyc_uuid_valid(const char *s, size_t len);

/* n random bytes as 2n lowercase hex chars + NUL into out (out holds 2n+1). */
int kyc_rand_hex(char *out, size_t n);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void kyc_hex_encode(char *out, const unsigned char *p, size_t n);

#endif
