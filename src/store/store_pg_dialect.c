/* The PostgreSQL form of the SQLite migrations (store_schema.c), made as
 * they are applied (store_pg.c): a translation of text, no connection. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "store/store_pg_int.h"

static int word_at(const char *p, const char *start, const char *w)
{
	size_t n = strlen(w);
	return strncmp(p, w, n) == 0 && (p == start || !(isalnum((unsigned char)p[-1]) || p[-1] == '_')) &&
	       !(isalnum((unsigned char)p[n]) || p[n] == '_');
}

/* "CREATE TRIGGER name BEFORE UPDATE|DELETE ON table [WHEN expr] BEGIN
 * SELECT RAISE(ABORT, 'msg'); END;" at p: the PL/pgSQL equivalent into out,
 * and the length consumed in *used. The WHEN expression is copied as it is
 * (write it in the SQL both dialects share: IS DISTINCT FROM, not IS NOT). */
static int trigger(const char *p, kyc_buf *out, size_t *used)
{
	static const char body[] = " BEGIN SELECT RAISE(ABORT, '";
	char name[64], when[16], table[64], msg[256];
	int n = 0, m = 0;
	if (sscanf(p, "CREATE TRIGGER %63s BEFORE %15s ON %63s%n", name, when, table, &n) != 3 ||
	    n == 0 || (strcmp(when, "UPDATE") && strcmp(when, "DELETE")))
		return KYC_ERR_UNSUPPORTED;
	const char *cond = NULL, *end = strstr(p + n, body);
	if (!end)
		return KYC_ERR_UNSUPPORTED;
	if (!strncmp(p + n, " WHEN ", 6))
		cond = p + n + 6;
	else if (p + n != end)
		return KYC_ERR_UNSUPPORTED;
	if (sscanf(end + strlen(body), "%255[^']'); END;%n", msg, &m) != 1 || m == 0)
		return KYC_ERR_UNSUPPORTED;
	*used = (size_t)(end + strlen(body) - p) + (size_t)m;
	int rc = kyc_buf_printf(out,
				"CREATE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN "
				"RAISE EXCEPTION '%s'; END $f$; CREATE TRIGGER %s BEFORE %s ON %s FOR "
				"EACH ROW ",
				name, msg, name, when, table);
	if (!rc && cond)
		rc = kyc_buf_printf(out, "WHEN (%.*s) ", (int)(end - cond), cond);
	return rc ? rc : kyc_buf_printf(out, "EXECUTE FUNCTION %s();", name);
}

/* "DROP TRIGGER name;" at p: PostgreSQL names a trigger with its table, and
 * every trigger made above has a function of its own name, so dropping the
 * function drops its trigger with it (CASCADE). */
static int drop_trigger(const char *p, kyc_buf *out, size_t *used)
{
	char name[64];
	int n = 0;
	if (sscanf(p, "DROP TRIGGER %63[A-Za-z0-9_];%n", name, &n) != 1 || n == 0)
		return KYC_ERR_UNSUPPORTED;
	*used = (size_t)n;
	return kyc_buf_printf(out, "DROP FUNCTION %s() CASCADE;", name);
}

int kyc__pg_dialect(const char *sql, kyc_buf *out)
{
	int rc = 0;
	int quoted = 0; /* inside a '...' literal: copied as it is */
	for (const char *p = sql; *p && !rc;) {
		if (*p == '\'') {
			quoted = !quoted;
		} else if (!quoted && word_at(p, sql, "CREATE") && !strncmp(p, "CREATE TRIGGER ", 15)) {
			size_t used = 0;
			rc = trigger(p, out, &used);
			p += used;
			continue;
		} else if (!quoted && word_at(p, sql, "DROP") && !strncmp(p, "DROP TRIGGER ", 13)) {
			size_t used = 0;
			rc = drop_trigger(p, out, &used);
			p += used;
			continue;
		} else if (!quoted && word_at(p, sql, "INTEGER")) {
			rc = kyc_buf_puts(out, "BIGINT");
			p += 7;
			continue;
		} else if (!quoted && word_at(p, sql, "BLOB")) {
			rc = kyc_buf_puts(out, "BYTEA");
			p += 4;
			continue;
		}
		rc = kyc_buf_append(out, p, 1);
		p++;
	}
	return rc;
}
