/* Internals shared by the store's files: the column tables of each resource
 * type and the migrations. Not for use outside src/store. */
#ifndef KYC_STORE_INT_H
#define KYC_STORE_INT_H

#include "store/store.h"

enum kyc_col_kind {
	KYC_COL_TEXT,
	KYC_COL_INT,
	KYC_COL_BOOL,
	KYC_COL_TIME, /* INTEGER ms in the database, RFC 3339 text in records */
	KYC_COL_JSON, /* TEXT holding JSON in the database, a JSON value in records */
};

struct kyc_col {
	const char *name; /* both the column and the record key */
	enum kyc_col_kind kind;
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

/* fsync of a directory, so that a rename or a new file in it is durable
 * (blob.c). 0 or KYC_ERR_IO. */
int kyc__store_fsync_dir(const char *path);

#endif
