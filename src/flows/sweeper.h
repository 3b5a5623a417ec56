/* The periodic sweep of `kycd serve`: a thread with its own store
 * connection that expires verifications left waiting past expires_at, so
 * their status (and the events that tell integrators) changes even when
 * nobody reads them (reads apply expiry too, kyc_flow_verification_load),
 * fetches deferred documents, applies the tenants' retention periods
 * (src/flows/retention.h), and removes orphaned blobs (src/flows/orphans.h). */
#ifndef KYC_SWEEPER_H
#define KYC_SWEEPER_H

#include <stdint.h>

typedef struct kyc_sweeper kyc_sweeper;

/* Starts sweeping data_dir (which must outlive the sweeper) every
 * interval_ms: expiry, retention, and the documents
 * whose download was deferred (src/flows/deferred.h), fetched with the
 * options in deferred (copied; its strings must outlive the sweeper; NULL:
 * none are fetched). Every orphan_every_ms (and at the first sweep) it
 * also removes blobs older than orphan_grace_ms whose row never committed
 * (src/flows/orphans.h). NULL on failure (logged). */
struct kyc_deferred_opts;
kyc_sweeper *kyc_sweeper_start(const char *data_dir, int64_t interval_ms,
			       const struct kyc_deferred_opts *deferred, int64_t orphan_every_ms,
			       int64_t orphan_grace_ms);
/* Stops the thread (waits for a sweep in progress) and frees it. */
void kyc_sweeper_stop(kyc_sweeper *sw);

#endif
