#include "webhooks/retry.h"

static const int64_t fast_ms[] = {10000, 30000, 60000, 300000};

#define SLOW_FIRST_MS (600LL * 1000)
#define SLOW_CAP_MS (6LL * 3600 * 1000)

int64_t kyc_webhook_retry_at(int failures, int64_t created_ms, int64_t now_ms, double jitter)
{
	int64_t end = created_ms + KYC_WEBHOOK_RETRY_WINDOW_MS;
	if (failures < 1)
		failures = 1;
	if (now_ms >= end)
		return 0;
	int nfast = (int)(sizeof fast_ms / sizeof fast_ms[0]);
	int64_t delay;
	if (failures <= nfast) {
		delay = fast_ms[failures - 1];
	} else {
		/* Doubling, capped; the shift is bounded so it cannot overflow. */
		int k = failures - nfast - 1;
		delay = k >= 6 ? SLOW_CAP_MS : SLOW_FIRST_MS << k;
		if (delay > SLOW_CAP_MS)
			delay = SLOW_CAP_MS;
		if (jitter < 0 || jitter >= 1)
			jitter = 0.5;
		/* Spread so that the deliveries of one outage do not all come back
		 * in the same second. */
		delay = (int64_t)((double)delay * (0.8 + 0.4 * jitter));
	}
	int64_t next = now_ms + delay;
	return next < end ? next : end;
}

int kyc_webhook_endpoint_expired(int64_t failing_since_ms, int64_t now_ms)
{
	return failing_since_ms > 0 && now_ms - failing_since_ms >= KYC_WEBHOOK_RETRY_WINDOW_MS;
}
