/* The retry schedule of webhook deliveries (docs/webhooks.md): fast at first
 * (10 s, 30 s, 1 min, 5 min after the first four failures), then doubling
 * from 10 min up to 6 h with +-20 % jitter, for three days from the moment
 * the delivery was made; the last attempt falls at the end of the window. */
#ifndef KYC_WEBHOOK_RETRY_H
#define KYC_WEBHOOK_RETRY_H

#include <stdint.h>

#define KYC_WEBHOOK_RETRY_WINDOW_MS (3LL * 86400 * 1000)

/* When to try again after `failures` failed attempts (1 after the first
 * failure) of a delivery made at created_ms, the last one failing at now_ms.
 * jitter in [0, 1) picks the point within +-20 % (only past the fast steps).
 * Returns that time, or 0 when the window is over and the delivery is given up. */
int64_t kyc_webhook_retry_at(int failures, int64_t created_ms, int64_t now_ms, double jitter);

/* 1 when an endpoint failing since failing_since_ms (its first failure with
 * no success after it) has failed for the whole window at now_ms, and is to
 * be disabled. */
int kyc_webhook_endpoint_expired(int64_t failing_since_ms, int64_t now_ms);

#endif
