/* Generated identity documents (src/document/synth.h) fit for a test that
 * goes through the workflow's checks. */
#ifndef KYC_TEST_SPECIMEN_H
#define KYC_TEST_SPECIMEN_H

#include <stdint.h>

#include "document/synth.h"

/* The first index from `from` whose identity (seed, format) has not expired
 * today (an expired document is rejected on its own) and, with `named`,
 * has given names and a sex of M or F. `from` when none of 200 does. */
int specimen_valid_index(uint64_t seed, enum kyc_synth_format fmt, int from, int named);

/* The first index from `from` whose identity has expired (before today)
 * and has given names and a sex of M or F: a document the workflow
 * rejects as expired. `from` when none of 200 does. */
int specimen_expired_index(uint64_t seed, enum kyc_synth_format fmt, int from);

#endif
