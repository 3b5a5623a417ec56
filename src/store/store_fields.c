/* The fixed rows' fields and SQL, the same for both backends
 * (store_fields.h). */
#include "store/store_fields.h"

#include <string.h>

#include "core/clock.h"
#include "store/store_int.h"

void *kyc__field_at(const struct kyc__field *f, const void *row)
{
	return (unsigned char *)row + f->off;
}

int64_t kyc__field_int(const struct kyc__field *f, const void *row)
{
	int64_t v;
	memcpy(&v, kyc__field_at(f, row), sizeof v);
	return f->kind == KYC_FIELD_NOW && !v ? kyc_now_ms() : v;
}

void kyc__field_set_int(const struct kyc__field *f, void *row, int64_t v)
{
	memcpy(kyc__field_at(f, row), &v, sizeof v);
}

#define FIELD(kind, type, member) {kind, offsetof(type, member), sizeof((type *)0)->member}
#define FIELDS(a, type) {a, (int)(sizeof a / sizeof a[0]), sizeof(type)}

#define KEY(kind, member) FIELD(KYC_FIELD_##kind, struct kyc_key_row, member)
static const struct kyc__field key_insert[] = {
	KEY(TEXT, id), KEY(TEXT, tenant_id), KEY(TEXT, role), KEY(BYTES, secret_hash),
	KEY(NOW, created_at),
};
static const struct kyc__field key_cols[] = {
	KEY(TEXT, id),	      KEY(TEXT, tenant_id), KEY(TEXT, role),
	KEY(BYTES, secret_hash), KEY(INT, created_at), KEY(INT, revoked_at),
};
const struct kyc__fields kyc__key_insert_fields = FIELDS(key_insert, struct kyc_key_row);
const struct kyc__fields kyc__key_fields = FIELDS(key_cols, struct kyc_key_row);
const char kyc__key_get_sql[] = "SELECT id, tenant_id, role, secret_hash, created_at, "
				"coalesce(revoked_at,0) FROM api_keys WHERE id=$1";

static const struct kyc__field dk_cols[] = {
	FIELD(KYC_FIELD_TEXT, struct kyc__dk_row, master_id),
	FIELD(KYC_FIELD_BYTES, struct kyc__dk_row, wrapped),
};
const struct kyc__fields kyc__dk_fields = FIELDS(dk_cols, struct kyc__dk_row);
const char kyc__dk_get_sql[] =
	"SELECT master_id, wrapped FROM data_keys WHERE tenant_id=$1 AND owner_id=$2";
#define DK_INSERT                                                                                  \
	"INSERT INTO data_keys(tenant_id, owner_id, master_id, wrapped, created_at) VALUES "       \
	"($1,$2,$3,$4,$5) ON CONFLICT(tenant_id, owner_id) "
const char kyc__dk_insert_sql[] = DK_INSERT "DO NOTHING";
const char kyc__dk_replace_sql[] =
	DK_INSERT "DO UPDATE SET master_id=excluded.master_id, wrapped=excluded.wrapped";
const char kyc__dk_delete_sql[] = "DELETE FROM data_keys WHERE owner_id=$1 AND tenant_id=$2";
const char kyc__dk_tenants_sql[] =
	"SELECT tenant_id FROM data_keys WHERE owner_id='' AND master_id<>$1 ORDER BY tenant_id";
const char kyc__dk_masters_sql[] =
	"SELECT DISTINCT master_id FROM data_keys WHERE owner_id='' ORDER BY 1";
const char kyc__applicant_of_verification_sql[] =
	"SELECT applicant_id FROM verifications WHERE id=$1 AND tenant_id=$2";
const char kyc__applicant_of_document_sql[] =
	"SELECT applicant_id FROM documents WHERE id=$1 AND tenant_id=$2";

#define TOKEN(kind, member) FIELD(KYC_FIELD_##kind, struct kyc_hosted_token_row, member)
static const struct kyc__field token_insert[] = {
	TOKEN(BYTES, token_hash), TOKEN(TEXT, tenant_id), TOKEN(TEXT, verification_id),
	TOKEN(INT, expires_at),	  TOKEN(NOW, created_at),
};
static const struct kyc__field token_cols[] = {
	TOKEN(TEXT, tenant_id),
	TOKEN(TEXT, verification_id),
	TOKEN(INT, expires_at),
	TOKEN(INT, created_at),
};
const struct kyc__fields kyc__hosted_token_insert_fields = FIELDS(token_insert, struct kyc_hosted_token_row);
const struct kyc__fields kyc__hosted_token_fields = FIELDS(token_cols, struct kyc_hosted_token_row);
const char kyc__hosted_token_get_sql[] = "SELECT tenant_id, verification_id, expires_at, "
					 "created_at FROM hosted_tokens WHERE token_hash=$1";

#define OPERATOR(kind, member) FIELD(KYC_FIELD_##kind, struct kyc_operator_row, member)
static const struct kyc__field operator_insert[] = {
	OPERATOR(TEXT, id),	       OPERATOR(TEXT, tenant_id), OPERATOR(TEXT, username),
	OPERATOR(TEXT, role),	       OPERATOR(TEXT, password_hash), OPERATOR(NOW, created_at),
};
static const struct kyc__field operator_cols[] = {
	OPERATOR(TEXT, id),	       OPERATOR(TEXT, tenant_id), OPERATOR(TEXT, username),
	OPERATOR(TEXT, role),	       OPERATOR(TEXT, password_hash), OPERATOR(INT, created_at),
	OPERATOR(INT, disabled_at),
};
const struct kyc__fields kyc__operator_insert_fields = FIELDS(operator_insert, struct kyc_operator_row);
const struct kyc__fields kyc__operator_fields = FIELDS(operator_cols, struct kyc_operator_row);
#define OPERATOR_SELECT                                                                            \
	"SELECT id, tenant_id, username, role, password_hash, created_at, coalesce(disabled_at,0) " \
	"FROM operators "
const char kyc__operator_find_sql[] = OPERATOR_SELECT "WHERE username=$1";
const char kyc__operator_get_sql[] = OPERATOR_SELECT "WHERE id=$1 AND tenant_id=$2";

#define SESSION(kind, member) FIELD(KYC_FIELD_##kind, struct kyc_session_row, member)
static const struct kyc__field session_insert[] = {
	SESSION(BYTES, id_hash),   SESSION(TEXT, operator_id), SESSION(TEXT, tenant_id),
	SESSION(TEXT, csrf_token), SESSION(NOW, created_at),   SESSION(INT, expires_at),
};
static const struct kyc__field session_cols[] = {
	SESSION(TEXT, operator_id), SESSION(TEXT, tenant_id), SESSION(TEXT, csrf_token),
	SESSION(INT, created_at),   SESSION(INT, expires_at),
};
const struct kyc__fields kyc__session_insert_fields = FIELDS(session_insert, struct kyc_session_row);
const struct kyc__fields kyc__session_fields = FIELDS(session_cols, struct kyc_session_row);
const char kyc__session_get_sql[] = "SELECT operator_id, tenant_id, csrf_token, created_at, "
				    "expires_at FROM console_sessions WHERE id_hash=$1";
