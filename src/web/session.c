#include "web/session.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/rand.h"

static int hash_cookie(const char *cookie, size_t len, unsigned char out[32])
{
	if (len != 64)
		return -1;
	for (size_t i = 0; i < 64; i++) {
		char c = cookie[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -1;
	}
	if (sodium_init() < 0)
		return -1;
	crypto_hash_sha256(out, (const unsigned char *)cookie, 64);
	return 0;
}

int kyc_session_create(kyc_store *s, const struct kyc_operator_row *op, int64_t now_ms,
		       char cookie_out[65], char csrf_out[65])
{
	struct kyc_session_row row = {0};
	int rc = kyc_rand_hex(cookie_out, 32);
	rc = rc ? rc : kyc_rand_hex(csrf_out, 32);
	if (rc)
		return rc;
	if (hash_cookie(cookie_out, 64, row.id_hash))
		return KYC_ERR_INTERNAL;
	snprintf(row.operator_id, sizeof row.operator_id, "%s", op->id);
	snprintf(row.tenant_id, sizeof row.tenant_id, "%s", op->tenant_id);
	snprintf(row.csrf_token, sizeof row.csrf_token, "%s", csrf_out);
	row.created_at = now_ms;
	row.expires_at = now_ms + KYC_SESSION_TTL_MS;
	/* Sessions nobody logged out of are dropped when they have expired. */
	unsigned char none[32] = {0};
	rc = kyc_store_session_delete(s, none, now_ms);
	return rc ? rc : kyc_store_session_insert(s, &row);
}

int kyc_session_check(kyc_store *s, const char *cookie, size_t len, int64_t now_ms,
		      struct kyc_session_row *out)
{
	unsigned char h[32];
	if (!cookie || hash_cookie(cookie, len, h))
		return KYC_ERR_DENIED;
	int rc = kyc_store_session_get(s, h, out);
	if (rc == KYC_ERR_NOTFOUND)
		return KYC_ERR_DENIED;
	if (rc)
		return rc;
	return now_ms < out->expires_at ? 0 : KYC_ERR_DENIED;
}

int kyc_session_end(kyc_store *s, const char *cookie, size_t len, int64_t now_ms)
{
	unsigned char h[32];
	if (!cookie || hash_cookie(cookie, len, h))
		memset(h, 0, sizeof h); /* still drops the expired sessions */
	return kyc_store_session_delete(s, h, now_ms);
}

int kyc_session_csrf_ok(const struct kyc_session_row *row, const char *token, size_t len)
{
	size_t want = strlen(row->csrf_token);
	return token && want == 64 && len == want &&
	       sodium_memcmp(row->csrf_token, token, want) == 0;
}

struct kyc_cookie_value kyc_cookie_find(const char *header, size_t len, const char *name)
{
	struct kyc_cookie_value v = {NULL, 0};
	size_t nlen = strlen(name), i = 0;
	while (header && i < len) {
		while (i < len && (header[i] == ' ' || header[i] == '\t' || header[i] == ';'))
			i++;
		size_t start = i;
		while (i < len && header[i] != ';')
			i++;
		/* one "name=value" pair in [start, i) */
		if (i - start > nlen && !memcmp(header + start, name, nlen) &&
		    header[start + nlen] == '=') {
			v.ptr = header + start + nlen + 1;
			v.len = i - start - nlen - 1;
			while (v.len && (v.ptr[v.len - 1] == ' ' || v.ptr[v.len - 1] == '\t'))
				v.len--;
			return v;
		}
	}
	return v;
}
