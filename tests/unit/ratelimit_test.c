/* Token buckets (src/core/ratelimit.c) on an explicit clock. */
#include <stdio.h>
#include <string.h>

#include "core/ratelimit.h"
#include "test.h"

static int take(kyc_ratelimit *rl, const char *key, const struct kyc_rate *rate, int64_t now,
		struct kyc_ratelimit_result *res)
{
	return kyc_ratelimit_take(rl, key, strlen(key), rate, now, res);
}

TEST(burst_then_refill)
{
	kyc_ratelimit *rl = kyc_ratelimit_new(64);
	REQUIRE(rl != NULL);
	struct kyc_rate rate = {.per_s = 0.5, .burst = 3}; /* a token every 2 s */
	struct kyc_ratelimit_result res;
	int64_t t = 1000000;
	for (int i = 0; i < 3; i++) {
		CHECK(take(rl, "192.0.2.7", &rate, t, &res));
		CHECK_INT(res.remaining, 2 - i);
	}
	CHECK(!take(rl, "192.0.2.7", &rate, t, &res));
	CHECK_INT(res.remaining, 0);
	CHECK_INT(res.retry_after_ms, 2000);
	CHECK_INT(res.reset_ms, 6000);
	/* half a token later: still refused, the wait halved */
	CHECK(!take(rl, "192.0.2.7", &rate, t + 1000, &res));
	CHECK_INT(res.retry_after_ms, 1000);
	CHECK(take(rl, "192.0.2.7", &rate, t + 2000, &res));
	CHECK(!take(rl, "192.0.2.7", &rate, t + 2001, &res));
	/* a long pause refills to the burst, no more */
	for (int i = 0; i < 3; i++)
		CHECK(take(rl, "192.0.2.7", &rate, t + 600000, &res));
	CHECK(!take(rl, "192.0.2.7", &rate, t + 600000, &res));
	kyc_ratelimit_free(rl);
}

TEST(keys_are_separate_and_bounded)
{
	kyc_ratelimit *rl = kyc_ratelimit_new(64);
	REQUIRE(rl != NULL);
	struct kyc_rate rate = {.per_s = 1, .burst = 1};
	struct kyc_ratelimit_result res;
	CHECK(take(rl, "a", &rate, 5000, &res));
	CHECK(!take(rl, "a", &rate, 5000, &res));
	CHECK(take(rl, "b", &rate, 5000, &res));
	/* far more keys than slots: memory stays fixed, the table keeps working */
	char k[32];
	for (int i = 0; i < 10000; i++) {
		snprintf(k, sizeof k, "10.0.%d.%d", i / 256, i % 256);
		CHECK(take(rl, k, &rate, 6000 + i, &res));
	}
	CHECK(!take(rl, "10.0.39.15", &rate, 6000 + 9999, &res));
	/* no rate: no limit */
	struct kyc_rate none = {.per_s = 0, .burst = 1};
	for (int i = 0; i < 5; i++)
		CHECK(take(rl, "a", &none, 5000, &res));
	kyc_ratelimit_free(rl);
}

int main(void)
{
	RUN(burst_then_refill);
	RUN(keys_are_separate_and_bounded);
	return test_done("ratelimit");
}
