/* The fixed rows of store.h and store_int.h (API keys, data keys,
 * hosted-page tokens, operators, console sessions) as lists of fields, and
 * the SQL that reads them, written once for both backends. Each backend
 * binds and reads a list with one function of its own (kyc__pgq_fields and
 * kyc__pg_read_fields, store_pg_int.h; kyc__sqlite_bind_fields and
 * kyc__sqlite_read_fields, store_sqlite_int.h). The SQL here numbers its
 * parameters $1, $2, ... in the order they appear, which SQLite reads too;
 * what the dialects write differently stays in each backend's file. Not
 * for use outside src/store. */
#ifndef KYC_STORE_FIELDS_H
#define KYC_STORE_FIELDS_H

#include <stddef.h>
#include <stdint.h>

enum kyc__field_kind {
	KYC_FIELD_TEXT,  /* a char array, "" for NULL */
	KYC_FIELD_INT,   /* an int64_t, 0 for NULL */
	KYC_FIELD_NOW,   /* an int64_t written as the time now when it is 0 */
	KYC_FIELD_BYTES, /* an unsigned char array, whole or not at all */
};

struct kyc__field {
	enum kyc__field_kind kind;
	size_t off, size; /* of the member in its row struct */
};

/* One statement's parameters or one query's columns, in order, of a row
 * struct of size bytes (which reading a row clears first). */
struct kyc__fields {
	const struct kyc__field *f;
	int n;
	size_t size;
};

/* Where field f is in row; an integer field's value to write (the time now
 * for a KYC_FIELD_NOW that is 0); setting an integer field. */
void *kyc__field_at(const struct kyc__field *f, const void *row);
int64_t kyc__field_int(const struct kyc__field *f, const void *row);
void kyc__field_set_int(const struct kyc__field *f, void *row, int64_t v);

/* API keys (struct kyc_key_row). */
extern const struct kyc__fields kyc__key_insert_fields; /* its insert's parameters */
extern const struct kyc__fields kyc__key_fields;        /* kyc__key_get_sql's columns */
extern const char kyc__key_get_sql[];

/* Data keys (struct kyc__dk_row; store_int.h). */
extern const struct kyc__fields kyc__dk_fields; /* kyc__dk_get_sql's columns */
extern const char kyc__dk_get_sql[];            /* (tenant, owner) */
extern const char kyc__dk_delete_sql[];         /* (owner, tenant) */
/* kyc__store_dk_put's insert, keeping or replacing an existing row:
 * (tenant, owner, master_id, wrapped, created_at). */
extern const char kyc__dk_insert_sql[];
extern const char kyc__dk_replace_sql[];
/* kyc__store_dk_tenants's two queries: tenants under another master than
 * $1, and every master in use. */
extern const char kyc__dk_tenants_sql[];
extern const char kyc__dk_masters_sql[];
/* kyc__store_applicant_of's query by type, (id, tenant). */
extern const char kyc__applicant_of_verification_sql[];
extern const char kyc__applicant_of_document_sql[];

/* Hosted-page tokens (struct kyc_hosted_token_row). */
extern const struct kyc__fields kyc__hosted_token_insert_fields;
extern const struct kyc__fields kyc__hosted_token_fields; /* after token_hash */
extern const char kyc__hosted_token_get_sql[];             /* (token_hash) */

/* Operators (struct kyc_operator_row). */
extern const struct kyc__fields kyc__operator_insert_fields;
extern const struct kyc__fields kyc__operator_fields;
extern const char kyc__operator_find_sql[]; /* (username) */
extern const char kyc__operator_get_sql[];  /* (id, tenant) */

/* Console sessions (struct kyc_session_row). */
extern const struct kyc__fields kyc__session_insert_fields;
extern const struct kyc__fields kyc__session_fields; /* after id_hash */
extern const char kyc__session_get_sql[];            /* (id_hash) */

#endif
