/* The values that cross libpq for every PostgreSQL file (store_pg_int.h):
 * a statement's parameters, its result cells read back, and the fixed rows
 * (store_fields.h) as both. */
#include <ctype.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "store/store_pg_int.h"

static const char *pgq_slot(struct kyc_pgq *q)
{
	if (q->n >= KYC_PG_MAXP) {
		q->err = KYC_ERR_TOOBIG;
		return NULL;
	}
	q->len[q->n] = 0;
	q->fmt[q->n] = 0;
	return "";
}

void kyc__pgq_text(struct kyc_pgq *q, const char *v)
{
	if (pgq_slot(q))
		q->v[q->n++] = v;
}

void kyc__pgq_int(struct kyc_pgq *q, int64_t v)
{
	if (!pgq_slot(q))
		return;
	snprintf(q->num[q->n], sizeof q->num[q->n], "%" PRId64, v);
	q->v[q->n] = q->num[q->n];
	q->n++;
}

void kyc__pgq_bytes(struct kyc_pgq *q, const void *p, size_t n)
{
	if (!pgq_slot(q))
		return;
	q->v[q->n] = n ? p : "";
	q->len[q->n] = (int)n;
	q->fmt[q->n] = 1;
	q->n++;
}

void kyc__pgq_take(struct kyc_pgq *q, char *v)
{
	if (!v) {
		q->err = KYC_ERR_NOMEM;
		return;
	}
	if (!pgq_slot(q)) {
		free(v);
		return;
	}
	q->owned[q->n] = v;
	q->v[q->n++] = v;
}

void kyc__pgq_release(struct kyc_pgq *q)
{
	for (int i = 0; i < q->n; i++) {
		free(q->owned[i]);
		q->owned[i] = NULL;
	}
	q->n = 0;
}

int64_t kyc__pg_int(const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return 0;
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

void kyc__pg_text(const PGresult *r, int row, int col, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s", PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

int kyc__pg_bytes(const PGresult *r, int row, int col, unsigned char *out, size_t n)
{
	/* bytea in text results is "\x" and two hex digits a byte */
	const char *v = PQgetvalue(r, row, col);
	if (PQgetisnull(r, row, col) || (size_t)PQgetlength(r, row, col) != 2 + 2 * n ||
	    strncmp(v, "\\x", 2) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = v[2 + 2 * i], lo = v[3 + 2 * i];
		if (!isxdigit(hi) || !isxdigit(lo))
			return -1;
		out[i] = (unsigned char)(hexval(hi) << 4 | hexval(lo));
	}
	return 0;
}

void kyc__pgq_fields(struct kyc_pgq *q, const struct kyc__fields *fs, const void *row)
{
	for (int i = 0; i < fs->n; i++) {
		const struct kyc__field *f = &fs->f[i];
		if (f->kind == KYC_FIELD_TEXT)
			kyc__pgq_text(q, kyc__field_at(f, row));
		else if (f->kind == KYC_FIELD_BYTES)
			kyc__pgq_bytes(q, kyc__field_at(f, row), f->size);
		else
			kyc__pgq_int(q, kyc__field_int(f, row));
	}
}

int kyc__pg_read_fields(const PGresult *r, const struct kyc__fields *fs, void *row)
{
	int rc = 0;
	memset(row, 0, fs->size);
	for (int i = 0; i < fs->n; i++) {
		const struct kyc__field *f = &fs->f[i];
		if (f->kind == KYC_FIELD_TEXT)
			kyc__pg_text(r, 0, i, kyc__field_at(f, row), f->size);
		else if (f->kind == KYC_FIELD_BYTES)
			rc |= kyc__pg_bytes(r, 0, i, kyc__field_at(f, row), f->size);
		else
			kyc__field_set_int(f, row, kyc__pg_int(r, 0, i));
	}
	return rc;
}

int kyc__pg_row_fields(kyc_store *s, const char *sql, struct kyc_pgq *q,
		       const struct kyc__fields *fs, void *row)
{
	PGresult *r;
	int rc = kyc__pg_row(s, sql, q, &r);
	if (rc)
		return rc;
	rc = kyc__pg_read_fields(r, fs, row) ? KYC_ERR_DENIED : 0;
	PQclear(r);
	return rc;
}
