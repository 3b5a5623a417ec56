/* The retry schedule and the disable rule (src/webhooks/retry.c). */
#include "webhooks/retry.h"
#include "test.h"

#define S 1000LL
#define H (3600 * S)
#define DAY (24 * H)

TEST(fast_steps_then_doubling_with_jitter)
{
	int64_t t0 = 1700000000000LL;
	CHECK_INT(kyc_webhook_retry_at(1, t0, t0, 0.3) - t0, 10 * S);
	CHECK_INT(kyc_webhook_retry_at(2, t0, t0 + 10 * S, 0.3) - (t0 + 10 * S), 30 * S);
	CHECK_INT(kyc_webhook_retry_at(3, t0, t0, 0.9), t0 + 60 * S);
	CHECK_INT(kyc_webhook_retry_at(4, t0, t0, 0.0), t0 + 300 * S);
	/* from the fifth failure: 10 min, 20, 40, ... within +-20 % */
	for (int f = 5; f < 12; f++) {
		int64_t base = 600 * S << (f - 5);
		if (base > 6 * H)
			base = 6 * H;
		int64_t lo = kyc_webhook_retry_at(f, t0, t0, 0.0) - t0;
		int64_t hi = kyc_webhook_retry_at(f, t0, t0, 0.999999) - t0;
		CHECK_INT(lo, base * 8 / 10);
		CHECK(hi > base * 119 / 100 && hi <= base * 12 / 10);
	}
	/* capped at 6 h however many failures */
	CHECK_INT(kyc_webhook_retry_at(60, t0, t0, 0.5) - t0, 6 * H);
	CHECK_INT(kyc_webhook_retry_at(100000, t0, t0, 0.5) - t0, 6 * H);
	/* a bad jitter value is taken as the middle */
	CHECK_INT(kyc_webhook_retry_at(6, t0, t0, 7.0) - t0, 1200 * S);
}

TEST(window_of_three_days)
{
	int64_t t0 = 1700000000000LL;
	/* the last attempt falls on the end of the window, never past it */
	CHECK_INT(kyc_webhook_retry_at(20, t0, t0 + 3 * DAY - 10 * S, 0.5), t0 + 3 * DAY);
	/* failing at or after the end: given up */
	CHECK_INT(kyc_webhook_retry_at(21, t0, t0 + 3 * DAY, 0.5), 0);
	CHECK_INT(kyc_webhook_retry_at(2, t0, t0 + 4 * DAY, 0.5), 0);
	/* the number of attempts a dead receiver gets: about twenty */
	int n = 1;
	int64_t now = t0;
	for (;;) {
		int64_t next = kyc_webhook_retry_at(n, t0, now, 0.5);
		if (!next)
			break;
		CHECK(next > now);
		now = next;
		n++;
	}
	CHECK(n >= 15 && n <= 25);
	CHECK_INT(now, t0 + 3 * DAY);
}

TEST(endpoint_disabled_after_the_window)
{
	int64_t t0 = 1700000000000LL;
	CHECK(!kyc_webhook_endpoint_expired(0, t0));
	CHECK(!kyc_webhook_endpoint_expired(t0, t0 + 3 * DAY - 1));
	CHECK(kyc_webhook_endpoint_expired(t0, t0 + 3 * DAY));
}

int main(void)
{
	RUN(fast_steps_then_doubling_with_jitter);
	RUN(window_of_three_days);
	RUN(endpoint_disabled_after_the_window);
	return test_done("webhook_retry");
}
