/* The orphan sweep: blobs whose row never committed. A file's bytes are
 * written before the row that points to them (src/store/blob.h), so a crash
 * or a failed transaction between the two leaves a blob no row names, on
 * local disk or in the bucket. It is never served (only rows are), but it
 * holds an applicant's image. The sweeper of `kycd serve` runs this
 * (src/flows/sweeper.c); the write order itself does not change. */
#ifndef KYC_ORPHANS_H
#define KYC_ORPHANS_H

#include <stdint.h>

#include "store/store.h"

/* What one sweep did. */
struct kyc_orphan_counts {
	int checked; /* blobs looked up in the store (old enough, not seen before) */
	int removed; /* of them, with no row in any tenant: removed */
};

/* Walks every blob (kyc_blob_each) and removes those written before
 * now_ms - grace_ms that no file row of any tenant names (a row in any
 * state keeps its blob: erased files' rows stay, and their blobs are
 * removed by the erasure). The grace covers an upload between its two
 * writes, on this node or another sharing the bucket. A blob is looked up
 * once: *since_ms (0 at first) is the cut-off of the previous sweep, and
 * blobs written before it were judged then; it is moved on when the walk
 * completed. Each removal is logged. 0, or the store's or the walk's error
 * (what was removed before it stays removed, and is counted). */
int kyc_orphan_sweep(kyc_store *s, const char *data_dir, int64_t now_ms, int64_t grace_ms,
		     int64_t *since_ms, struct kyc_orphan_counts *counts);

/* Totals since the process started, for /metrics: completed sweeps and
 * blobs removed. Any thread. */
void kyc_orphan_totals(uint64_t *sweeps, uint64_t *removed);

#endif
