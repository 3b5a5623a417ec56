/* Master keys (docs/security.md, "Keys"): the file named by
 * KYCD_MASTER_KEY_FILE holds one 32-byte key per line as 64 hex digits, the
 * current one first and, during a rotation, the previous ones after it. Master
 * keys wrap the tenants' data keys and nothing else; they never enter the
 * database or the logs. A key is named by its id: the first 8 bytes of its
 * BLAKE2b hash, in hex.
 *
 * A kyc_keyring is shared by every thread and connection that opened the
 * same file (one per path for the process's life); it re-reads the file when
 * the file changes, so a server picks up `kycd keys rotate` without a
 * restart. */
#ifndef KYC_KEYRING_H
#define KYC_KEYRING_H

#include <stddef.h>

#include "crypto/seal.h"

typedef struct kyc_keyring kyc_keyring;

#define KYC_KEYRING_ID_LEN 16 /* hex digits of a key id */
#define KYC_KEYRING_MAX 8     /* keys one file may hold */

/* Creates path holding one new random key: created exclusively (an existing
 * file is KYC_ERR_CONFLICT, never overwritten), mode 0600, synced. 0 or a
 * negative code with the reason in err. */
int kyc_keyring_create(const char *path, char *err, size_t errsz);
/* The keyring of path (shared; never freed). Refuses a file that is not a
 * regular file, that group or others may read or write, or that holds
 * anything but 1 to KYC_KEYRING_MAX lines of 64 hex digits: KYC_ERR_DENIED or
 * KYC_ERR_INVALID with the reason in err; a missing file is KYC_ERR_NOTFOUND. */
int kyc_keyring_open(const char *path, kyc_keyring **out, char *err, size_t errsz);
/* The file's path. */
const char *kyc_keyring_path(const kyc_keyring *k);
/* The current key and its id (re-reads the file first when it changed).
 * 0 or KYC_ERR_IO when a changed file cannot be read (the keys read before
 * stay in use). */
int kyc_keyring_current(kyc_keyring *k, unsigned char key[KYC_SEAL_KEY_BYTES],
			char id[KYC_KEYRING_ID_LEN + 1]);
/* The key named id; re-reads the file once when id is unknown.
 * KYC_ERR_NOTFOUND when the file does not hold it. */
int kyc_keyring_find(kyc_keyring *k, const char *id, unsigned char key[KYC_SEAL_KEY_BYTES]);
/* Rotation, step 1: writes a new random key in front of path's keys
 * (temporary file, 0600, sync, rename). Its id into new_id. */
int kyc_keyring_add(const char *path, char new_id[KYC_KEYRING_ID_LEN + 1], char *err,
		    size_t errsz);
/* Rotation, last step: rewrites path without the keys whose ids are not in
 * keep (n ids; the first key is always kept). *dropped: how many went. */
int kyc_keyring_prune(const char *path, const char *const *keep, int n, int *dropped, char *err,
		      size_t errsz);

#endif
