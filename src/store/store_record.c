/* The backend-independent part of mapping records to rows (store_int.h):
 * which keys are columns, the select and insert statements of a table, a
 * row as a record, list arguments and cursors, and time values. Both
 * backends build the rest of their SQL around these. */
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

int kyc__store_select_sql(kyc_buf *b, const struct kyc_table *tb)
{
	int rc = kyc_buf_puts(b, "SELECT id, version, created_at, updated_at");
	for (int i = 0; i < tb->ncols && !rc; i++)
		rc = kyc_buf_printf(b, ", %s", tb->cols[i].name);
	return rc ? rc : kyc_buf_printf(b, " FROM %s", tb->name);
}

int kyc__store_insert_sql(kyc_buf *b, const struct kyc_table *tb)
{
	int rc = kyc_buf_printf(b, "INSERT INTO %s (id, tenant_id, version, created_at, updated_at",
				tb->name);
	for (int i = 0; i < tb->ncols && !rc; i++)
		rc = kyc_buf_printf(b, ", %s", tb->cols[i].name);
	rc = rc ? rc : kyc_buf_puts(b, ") VALUES ($1,$2,1,$3,$4");
	for (int i = 0; i < tb->ncols && !rc; i++)
		rc = kyc_buf_printf(b, ",$%d", 5 + i);
	return rc ? rc : kyc_buf_puts(b, ")");
}

/* 1 when v is JSON text of a string with nothing escaped (no backslash,
 * quote or control character inside the quotes): its value is the bytes
 * between them. */
static int plain_string(const char *v, size_t len)
{
	if (len < 2 || v[0] != '"' || v[len - 1] != '"')
		return 0;
	for (size_t i = 1; i + 1 < len; i++)
		if (v[i] == '\\' || v[i] == '"' || (unsigned char)v[i] < 0x20)
			return 0;
	return 1;
}

json_t *kyc__store_cell_json(const struct kyc__cells *c, int col, enum kyc_col_kind k)
{
	if (c->is_null(c->ctx, col))
		return json_null();
	size_t len;
	switch (k) {
	case KYC_COL_TEXT: {
		const char *v = c->text(c->ctx, col, &len);
		return json_stringn(v, len);
	}
	case KYC_COL_INT:
		return json_integer(c->integer(c->ctx, col));
	case KYC_COL_BOOL:
		return json_boolean(c->integer(c->ctx, col) != 0);
	case KYC_COL_TIME:
		return kyc__store_time_json(c->integer(c->ctx, col));
	case KYC_COL_JSON: {
		const char *v = c->text(c->ctx, col, &len);
		/* a sealed value is such a string: no parser for a kilobyte of base64 */
		json_t *j = plain_string(v, len) ? json_stringn(v + 1, len - 2)
						 : json_loadb(v, len, JSON_DECODE_ANY, NULL);
		return j ? j : json_null();
	}
	}
	return json_null();
}

json_t *kyc__store_row_record(const struct kyc_table *tb, const struct kyc__cells *c)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "id", kyc__store_cell_json(c, 0, KYC_COL_TEXT));
	for (int i = 0; i < tb->ncols; i++)
		json_object_set_new(o, tb->cols[i].name,
				    kyc__store_cell_json(c, 4 + i, tb->cols[i].kind));
	json_object_set_new(o, "version", json_integer(c->integer(c->ctx, 1)));
	json_object_set_new(o, "created_at", kyc__store_time_json(c->integer(c->ctx, 2)));
	json_object_set_new(o, "updated_at", kyc__store_time_json(c->integer(c->ctx, 3)));
	return o;
}

int kyc__store_list_start(const char *cursor, int *limit, struct kyc__list_from *from,
			  struct kyc_store_page *out)
{
	out->items = NULL;
	out->next_cursor[0] = '\0';
	memset(from, 0, sizeof *from);
	from->have = cursor && *cursor;
	if (from->have && kyc__store_cursor_decode(cursor, &from->created, from->id))
		return KYC_ERR_INVALID;
	*limit = *limit < 1 ? 1 : *limit > 100 ? 100 : *limit;
	return 0;
}

int kyc__store_match_sql(char *sql, size_t sqlsz, const struct kyc_store_match *m,
			 const char *distinct)
{
	int n = snprintf(sql, sqlsz,
			 "SELECT id FROM verifications WHERE tenant_id=$1 AND %s=$2 AND status=$3 "
			 "AND decided_at>=$4 AND applicant_id %s $5 AND id %s $6 ORDER BY "
			 "decided_at DESC LIMIT 1",
			 m->key_column, m->same_applicant ? "=" : distinct, distinct);
	return n < 0 || (size_t)n >= sqlsz ? KYC_ERR_INVALID : 0;
}

/* Ordered, so that the same rows always give the same text. */
const char kyc__verification_stamp_sql[] =
	"SELECT 'v', version FROM verifications WHERE tenant_id=$1 AND id=$2 UNION ALL SELECT id, "
	"version FROM documents WHERE tenant_id=$1 AND verification_id=$2 ORDER BY 1";

int kyc__stamp_row(char *out, size_t outsz, size_t *n, const char *name, int64_t version)
{
	int k = snprintf(out + *n, outsz - *n, "%s:%lld;", name ? name : "", (long long)version);
	if (k < 0 || (size_t)k >= outsz - *n)
		return KYC_ERR_TOOBIG;
	*n += (size_t)k;
	return 0;
}
