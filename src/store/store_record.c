/* The backend-independent part of mapping records to rows (store_int.h):
 * which keys are columns, list cursors and time values. Both backends build
 * their own SQL around these. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/rand.h"
#include "store/store_int.h"

int kyc__store_is_bookkeeping(const char *key)
{
	return !strcmp(key, "id") || !strcmp(key, "version") || !strcmp(key, "created_at") ||
	       !strcmp(key, "updated_at") || !strcmp(key, "tenant_id");
}

const struct kyc_col *kyc__store_col(const struct kyc_table *tb, const char *name)
{
	for (int i = 0; i < tb->ncols; i++)
		if (!strcmp(tb->cols[i].name, name))
			return &tb->cols[i];
	return NULL;
}

int kyc__store_check_keys(const struct kyc_table *tb, const json_t *rec, int bookkeeping)
{
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)rec, key, val)
	{
		if (!(bookkeeping && kyc__store_is_bookkeeping(key)) && !kyc__store_col(tb, key))
			return KYC_ERR_INVALID;
	}
	return 0;
}

/* Cursor: hex of "<created_at ms>:<id>" — opaque to clients, cheap to check. */
void kyc__store_cursor_encode(char *out, size_t outsz, int64_t created, const char *id)
{
	char raw[96];
	int n = snprintf(raw, sizeof raw, "%lld:%s", (long long)created, id);
	if (n < 0 || (size_t)n >= sizeof raw || (size_t)n * 2 + 1 > outsz) {
		out[0] = '\0';
		return;
	}
	kyc_hex_encode(out, (const unsigned char *)raw, (size_t)n);
}

int kyc__store_cursor_decode(const char *cur, int64_t *created, char id[64])
{
	size_t n = strlen(cur);
	char raw[96];
	if (n == 0 || n % 2 || n / 2 >= sizeof raw)
		return KYC_ERR_INVALID;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (sscanf(cur + 2 * i, "%2x", &v) != 1)
			return KYC_ERR_INVALID;
		raw[i] = (char)v;
	}
	raw[n / 2] = '\0';
	char *colon = strchr(raw, ':');
	if (!colon || colon == raw || strlen(colon + 1) >= 64 || strlen(colon + 1) == 0)
		return KYC_ERR_INVALID;
	char *end;
	*colon = '\0';
	long long c = strtoll(raw, &end, 10);
	if (*end != '\0')
		return KYC_ERR_INVALID;
	*created = c;
	snprintf(id, 64, "%s", colon + 1);
	return 0;
}

json_t *kyc__store_time_json(int64_t ms)
{
	char iso[32];
	kyc_time_iso(ms, iso);
	return json_string(iso);
}

char *kyc__store_utf8_text(const char *p, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)p[i];
		size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		int ok = len > 0 && i + len <= n && !(len == 2 && c < 0xc2) && !(len == 4 && c > 0xf4);
		for (size_t j = 1; ok && j < len; j++)
			ok = ((unsigned char)p[i + j] >> 6) == 2;
		if (!ok) {
			*o++ = '?';
			i++;
			continue;
		}
		if (c) {
			memcpy(o, p + i, len);
			o += len;
		}
		i += len;
	}
	*o = '\0';
	return out;
}
