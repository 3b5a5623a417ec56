#include "flows/apikey.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/rand.h"

#define KEY_ID_HEX 12
#define SECRET_HEX 64

/* SHA-256 with the algorithm fetched once and a context per thread: the
 * one-shot SHA256() fetches the implementation on every call, which showed
 * as a tenth of a small request's CPU. */
static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_md;
static pthread_key_t ctx_key; /* the thread's EVP_MD_CTX, freed when the thread ends */

static void ctx_free(void *p)
{
	EVP_MD_CTX_free(p);
}

static void md_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (pthread_key_create(&ctx_key, ctx_free) != 0) {
		EVP_MD_free(sha256_md);
		sha256_md = NULL;
	}
}

static int sha256(const void *p, size_t n, unsigned char out[32])
{
	pthread_once(&md_once, md_fetch);
	if (!sha256_md)
		return KYC_ERR_INTERNAL;
	EVP_MD_CTX *sha256_ctx = pthread_getspecific(ctx_key);
	if (!sha256_ctx) {
		if (!(sha256_ctx = EVP_MD_CTX_new()))
			return KYC_ERR_NOMEM;
		pthread_setspecific(ctx_key, sha256_ctx);
	}
	unsigned int len = 0;
	if (!EVP_DigestInit_ex(sha256_ctx, sha256_md, NULL) ||
	    !EVP_DigestUpdate(sha256_ctx, p, n) || !EVP_DigestFinal_ex(sha256_ctx, out, &len) ||
	    len != 32)
		return KYC_ERR_INTERNAL;
	return 0;
}

int kyc_apikey_role_valid(const char *role)
{
	return role && (!strcmp(role, "admin") || !strcmp(role, "reviewer") ||
			!strcmp(role, "viewer"));
}

int kyc_apikey_create(kyc_store *s, const char *tenant_id, const char *role,
		      char key_out[KYC_APIKEY_MAX], char key_id_out[40])
{
	struct kyc_key_row row = {0};
	char secret[SECRET_HEX + 1];
	if (!kyc_apikey_role_valid(role))
		return KYC_ERR_INVALID;
	int rc = kyc_rand_hex(row.id, KEY_ID_HEX / 2);
	rc = rc ? rc : kyc_rand_hex(secret, SECRET_HEX / 2);
	if (rc)
		return rc;
	snprintf(row.tenant_id, sizeof row.tenant_id, "%s", tenant_id);
	snprintf(row.role, sizeof row.role, "%s", role);
	rc = sha256(secret, SECRET_HEX, row.secret_hash);
	rc = rc ? rc : kyc_store_key_insert(s, &row);
	if (rc)
		return rc;
	snprintf(key_out, KYC_APIKEY_MAX, "kyc_%.12s_%.64s", row.id, secret);
	if (key_id_out)
		snprintf(key_id_out, 40, "%s", row.id);
	OPENSSL_cleanse(secret, sizeof secret);
	return 0;
}

static int all_hex(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	return 1;
}

/* Keys this thread verified, each with the store's token (kyc_store_token)
 * it was read under: while the database has not changed since, the row is
 * the same, so the key is not read again, and a revocation (a change)
 * takes effect on the next request. Only the secret's hash is kept, as in
 * the database. Per thread: no locks. Without a token (PostgreSQL) every
 * request reads the row. */
#define SEEN_SLOTS 16
struct seen_key {
	struct kyc_store_token tok;
	char id[KEY_ID_HEX + 1];
	unsigned char hash[32];
	char tenant_id[37];
	char role[16];
};
static _Thread_local struct seen_key seen[SEEN_SLOTS];

static struct seen_key *seen_slot(const char *id)
{
	unsigned h = 0;
	for (const char *p = id; *p; p++)
		h = h * 31 + (unsigned char)*p;
	return &seen[h % SEEN_SLOTS];
}

int kyc_apikey_verify(kyc_store *s, const char *key, size_t len, char tenant_id[37],
		      char role[16])
{
	/* kyc_ + id + _ + secret */
	if (len != 4 + KEY_ID_HEX + 1 + SECRET_HEX || memcmp(key, "kyc_", 4) != 0 ||
	    key[4 + KEY_ID_HEX] != '_' || !all_hex(key + 4, KEY_ID_HEX) ||
	    !all_hex(key + 5 + KEY_ID_HEX, SECRET_HEX))
		return KYC_ERR_DENIED;
	char id[KEY_ID_HEX + 1];
	memcpy(id, key + 4, KEY_ID_HEX);
	id[KEY_ID_HEX] = '\0';
	unsigned char h[32];
	int rc = sha256(key + 5 + KEY_ID_HEX, SECRET_HEX, h);
	if (rc)
		return rc;
	struct kyc_store_token tok;
	int have_tok = kyc_store_token(s, &tok) == 0;
	struct seen_key *k = seen_slot(id);
	if (have_tok && kyc_store_token_same(&k->tok, &tok) && !strcmp(k->id, id) &&
	    CRYPTO_memcmp(h, k->hash, sizeof h) == 0) {
		memcpy(tenant_id, k->tenant_id, sizeof k->tenant_id);
		memcpy(role, k->role, sizeof k->role);
		return 0;
	}
	struct kyc_key_row row;
	rc = kyc_store_key_get(s, id, &row);
	if (rc == KYC_ERR_NOTFOUND)
		return KYC_ERR_DENIED;
	if (rc)
		return rc;
	if (CRYPTO_memcmp(h, row.secret_hash, sizeof h) != 0 || row.revoked_at != 0)
		return KYC_ERR_DENIED;
	snprintf(tenant_id, 37, "%s", row.tenant_id);
	snprintf(role, 16, "%s", row.role);
	if (have_tok) {
		memset(k, 0, sizeof *k);
		k->tok = tok;
		memcpy(k->id, id, sizeof k->id);
		memcpy(k->hash, h, sizeof h);
		snprintf(k->tenant_id, sizeof k->tenant_id, "%s", row.tenant_id);
		snprintf(k->role, sizeof k->role, "%s", row.role);
	}
	return 0;
}

int kyc_tenant_create_with_key(kyc_store *s, const char *name, char tenant_id[37],
			       char key_out[KYC_APIKEY_MAX])
{
	int rc = kyc_store_begin(s);
	if (rc)
		return rc;
	rc = kyc_store_tenant_create(s, name, tenant_id);
	rc = rc ? rc : kyc_apikey_create(s, tenant_id, "admin", key_out, NULL);
	if (rc) {
		kyc_store_rollback(s);
		return rc;
	}
	return kyc_store_commit(s);
}
