/* Retention periods (GDPR Art. 5(1)(e), storage limitation): each tenant's
 * setting "retention" (src/flows/settings.h) says how many days after a
 * verification closed (approved or rejected: its decision; expired or
 * cancelled: its last change) its images, and its identity data, are kept.
 * The sweeper of `kycd serve` applies them (src/flows/sweeper.c); what each
 * removal blanks and keeps is src/flows/erasure.h's. 0 keeps them until the
 * applicant is erased. Identity data cannot outlive the images that show
 * it: a shorter identity period removes the images with it. */
#ifndef KYC_RETENTION_H
#define KYC_RETENTION_H

#include <stdint.h>

#include "store/store.h"

/* The removals of one sweep. */
struct kyc_retention_counts {
	int images;   /* verifications whose images were removed */
	int identity; /* verifications whose identity data was removed */
};

/* At most this many verifications per tenant and kind in one sweep; the
 * rest is left for the next (the sweeper stays responsive to stop). */
#define KYC_RETENTION_BATCH 500

/* Applies every tenant's retention periods as of now_ms, each removal in
 * its own transaction (actor "system"); files go under data_dir. *counts:
 * what was removed, also when a store error stopped the sweep (returned). */
int kyc_retention_sweep(kyc_store *s, const char *data_dir, int64_t now_ms,
                        struct kyc_retention_counts *counts);

#endif
