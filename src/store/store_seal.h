/* Encryption at rest for every backend (docs/security.md, "Encryption at
 * rest"): the hooks a backend calls on its record read and write paths. They
 * transform column values, filters and bytes; they never run SQL themselves
 * but reach the data keys through the backend's kyc__store_dk_* calls
 * (store_int.h). Not for use outside src/store.
 *
 * Which columns are personal data is the column tables' business
 * (store_schema.c, enum kyc_col_seal). A sealed value is the text
 * "kye1:<owner>:<base64 of nonce || ciphertext>", where owner is the
 * applicant whose data key sealed it ("t" for the tenant's own key), bound
 * to its table, column, tenant and record id; a JSON column holds it as a
 * JSON string. Bytes (idempotent responses, blobs) are "KYE1", one length
 * byte, the owner, then nonce || ciphertext. */
#ifndef KYC_STORE_SEAL_H
#define KYC_STORE_SEAL_H

#include <jansson.h>

#include "core/buf.h"
#include "crypto/keyring.h"
#include "store/store_int.h"

/* The master keys a store uses: the file named by KYCD_MASTER_KEY_FILE, else
 * DATA_DIR/master.key. The latter is created when missing if may_create (a
 * database without data keys), with a warning: a key beside the data
 * protects nothing against a theft of the directory. NULL data_dir (a
 * server backend) requires the variable. 0 or a negative code with the
 * reason in err. */
int kyc__seal_keyring(const char *data_dir, int may_create, kyc_keyring **out, char *err,
		      size_t errsz);
/* Checks at open that the keyring unwraps the data keys of the database (one
 * tenant key per master id in use): KYC_ERR_DENIED with the reason when it
 * does not, before anything is served. */
int kyc__seal_check(kyc_store *s, char *err, size_t errsz);

/* Write path: a copy of rec (a whole record when patch is 0, else the
 * columns an update sets) ready for the database: personal columns sealed
 * under the owner's data key (created on first use), search hashes set,
 * duplicate-check keys hashed. *out is new (caller owns). */
int kyc__seal_record(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id,
		     const json_t *rec, int patch, json_t **out);
/* Read path: opens the sealed values of rec (a record as read from a row,
 * with its "id") in place and removes the search-hash columns. A value
 * whose data key was forgotten (crypto-shredded) reads as null; a value
 * that does not open is KYC_ERR_DENIED. */
int kyc__unseal_record(kyc_store *s, enum kyc_rtype t, const char *tenant_id, json_t *rec);
/* A list filter in database terms: a personal column with a search hash is
 * looked up by its hash column; another personal column is KYC_ERR_INVALID
 * (it cannot be searched). *out is new. */
int kyc__seal_filter(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const json_t *filter,
		     json_t **out);
/* The stored form of a duplicate-check key (document_key, identity_key). */
int kyc__seal_key_hash(kyc_store *s, const char *tenant_id, const char *value, char out[65]);

/* Bytes: seals n bytes under owner's key (NULL or "": the tenant's), bound to
 * the associated-data text ad, appending to out. */
int kyc__seal_bytes(kyc_store *s, const char *tenant_id, const char *owner_id, const char *ad,
		    const void *p, size_t n, kyc_buf *out);
/* Opens kyc__seal_bytes output. KYC_ERR_NOTFOUND when its key was forgotten,
 * KYC_ERR_DENIED when it does not open, KYC_ERR_INVALID when it is not sealed. */
int kyc__unseal_bytes(kyc_store *s, const char *tenant_id, const char *ad, const void *p,
		      size_t n, kyc_buf *out);

/* Forgets a data key in this process (the backend deletes its row). */
void kyc__seal_forget(const char *tenant_id, const char *owner_id);

#endif
