/* Internals shared by the store's files: the column tables of each resource
 * type and the migrations. Not for use outside src/store. */
#ifndef KYC_STORE_INT_H
#define KYC_STORE_INT_H

#include "crypto/keyring.h"
#include "store/store.h"

enum kyc_col_kind {
	KYC_COL_TEXT,
	KYC_COL_INT,
	KYC_COL_BOOL,
	KYC_COL_TIME, /* INTEGER ms in the database, RFC 3339 text in records */
	KYC_COL_JSON, /* TEXT holding JSON in the database, a JSON value in records */
};

/* What a column holds of personal data, and so how it is kept
 * (src/store/store_seal.h, docs/security.md "Encryption at rest"). */
enum kyc_col_seal {
	KYC_SEAL_PLAIN = 0, /* not personal: kept as it is */
	KYC_SEAL_DATA,      /* encrypted under its owner's data key */
	KYC_SEAL_FIND,      /* encrypted, and searchable: the next column is its hash */
	KYC_SEAL_HASHED,    /* replaced by its keyed hash (the duplicate checks' keys) */
	KYC_SEAL_HASHCOL,   /* the search hash of the column before it; never in records */
};

struct kyc_col {
	const char *name; /* both the column and the record key */
	enum kyc_col_kind kind;
	enum kyc_col_seal seal;
};

struct kyc_table {
	const char *name;
	const struct kyc_col *cols; /* excluding id, tenant_id, version, created_at, updated_at */
	int ncols;
};

extern const struct kyc_table kyc__tables[KYC_R__COUNT];

struct kyc_migration {
	int version;
	const char *sql;
};
extern const struct kyc_migration kyc__migrations[];
extern const int kyc__migration_count;

/* ---- data keys: each backend implements these for store_seal.c ---- */

/* A wrapped data key: a tenant's under a master key (master_id set), an
 * applicant's under its tenant's key (master_id ""). */
struct kyc__dk_row {
	char master_id[KYC_KEYRING_ID_LEN + 1];
	unsigned char wrapped[KYC_SEAL_KEY_BYTES + KYC_SEAL_OVERHEAD];
};
/* The key of (tenant, owner); owner "" is the tenant's own. 0 or KYC_ERR_NOTFOUND. */
int kyc__store_dk_get(kyc_store *s, const char *tenant_id, const char *owner_id,
		      struct kyc__dk_row *out);
/* Stores a key; an existing row is kept unless replace. */
int kyc__store_dk_put(kyc_store *s, const char *tenant_id, const char *owner_id,
		      const struct kyc__dk_row *row, int replace);
/* Deletes a key's row: 0 or KYC_ERR_NOTFOUND. */
int kyc__store_dk_delete(kyc_store *s, const char *tenant_id, const char *owner_id);
/* Tenants whose key is wrapped by another master than master_id (at most
 * max, a new array), for rotation; every master id in use into *masters
 * when masters is not NULL (a new array). */
int kyc__store_dk_tenants(kyc_store *s, const char *master_id, int max, json_t **tenants,
			  json_t **masters);
/* The applicant_id column of a verification or document: 0 (out "" when the
 * column is NULL) or KYC_ERR_NOTFOUND. */
int kyc__store_applicant_of(kyc_store *s, enum kyc_rtype t, const char *tenant_id, const char *id,
			    char out[37]);
/* The master keys this store was opened with. */
kyc_keyring *kyc__store_keyring(kyc_store *s);

/* fsync of a directory, so that a rename or a new file in it is durable
 * (blob.c). 0 or KYC_ERR_IO. */
int kyc__store_fsync_dir(const char *path);

#endif
