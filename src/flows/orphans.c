#include "flows/orphans.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "store/blob.h"

static atomic_uint_least64_t total_sweeps, total_removed;

/* The blobs of one walk that came of age since the last sweep: judged after
 * the walk, so that no store lookup holds a bucket listing open. */
struct candidates {
	int64_t from_ms, to_ms;
	char (*rel)[128];
	size_t n, cap;
};

static int collect(void *ctx, const char *relpath, const char *id, int64_t written_ms)
{
	(void)id;
	struct candidates *c = ctx;
	if (written_ms < c->from_ms || written_ms >= c->to_ms || strlen(relpath) >= sizeof *c->rel)
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		void *p = realloc(c->rel, cap * sizeof *c->rel);
		if (!p)
			return KYC_ERR_NOMEM;
		c->rel = p;
		c->cap = cap;
	}
	memcpy(c->rel[c->n++], relpath, strlen(relpath) + 1);
	return 0;
}

/* 1 when no tenant has a file row with this id, 0 when one has, or a
 * negative error (then the blob is kept). */
static int unreferenced(kyc_store *s, const json_t *tenants, const char *id)
{
	size_t i;
	json_t *t;
	json_array_foreach(tenants, i, t) {
		json_t *row = NULL;
		int rc = kyc_store_get(s, KYC_R_FILE, json_string_value(t), id, &row);
		json_decref(row);
		if (rc != KYC_ERR_NOTFOUND)
			return rc ? rc : 0;
	}
	return 1;
}

int kyc_orphan_sweep(kyc_store *s, const char *data_dir, int64_t now_ms, int64_t grace_ms,
		     int64_t *since_ms, struct kyc_orphan_counts *counts)
{
	memset(counts, 0, sizeof *counts);
	int64_t cutoff = now_ms - grace_ms;
	if (cutoff <= *since_ms) /* the clock went back: nothing new came of age */
		return 0;
	struct candidates c = {.from_ms = *since_ms, .to_ms = cutoff};
	json_t *tenants = NULL;
	int rc = kyc_blob_each(data_dir, collect, &c);
	if (!rc && c.n)
		rc = kyc_store_tenant_ids(s, &tenants);
	for (size_t i = 0; i < c.n && !rc; i++) {
		const char *id = strrchr(c.rel[i], '/') + 1;
		counts->checked++;
		int un = unreferenced(s, tenants, id);
		if (un < 0) {
			rc = un;
			break;
		}
		if (!un)
			continue;
		if ((rc = kyc_blob_remove(data_dir, c.rel[i])))
			break;
		counts->removed++;
		atomic_fetch_add(&total_removed, 1);
		kyc_logf(KYC_LOG_WARN, "blobs: removed %s, which no file row names (its upload did "
			 "not commit)", c.rel[i]);
	}
	if (!rc) {
		*since_ms = cutoff;
		atomic_fetch_add(&total_sweeps, 1);
	}
	json_decref(tenants);
	free(c.rel);
	return rc;
}

void kyc_orphan_totals(uint64_t *sweeps, uint64_t *removed)
{
	*sweeps = atomic_load(&total_sweeps);
	*removed = atomic_load(&total_removed);
}
