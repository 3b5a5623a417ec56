/* Token buckets by key (a client address, an API key), shared by threads.
 *
 * Each key has a bucket of at most `burst` tokens that refills at `per_s`
 * tokens a second; a request takes one token or is refused with the time
 * until one is back. The table has a fixed number of slots: when a key's
 * neighbourhood is full, the bucket seen longest ago is forgotten (it comes
 * back full), so memory stays bounded whatever the number of keys. One
 * mutex guards the table; a take is a hash and a few compares. */
#ifndef KYC_RATELIMIT_H
#define KYC_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

typedef struct kyc_ratelimit kyc_ratelimit;

struct kyc_rate {
	double per_s; /* refill rate; 0 or less: no limit */
	double burst; /* bucket size (at least 1) */
};

struct kyc_ratelimit_result {
	int allowed;            /* 1: a token was taken */
	int64_t remaining;      /* whole tokens left after this request */
	int64_t retry_after_ms; /* refused: when the next token is there (else 0) */
	int64_t reset_ms;       /* when the bucket is full again */
};

/* A table of `slots` buckets (rounded up to a power of two, at least 64).
 * NULL without memory. */
kyc_ratelimit *kyc_ratelimit_new(size_t slots);
void kyc_ratelimit_free(kyc_ratelimit *rl);

/* Takes a token from key's bucket (keys compare on their first 95 bytes) at
 * now_ms under rate, and fills res. Returns res->allowed. */
int kyc_ratelimit_take(kyc_ratelimit *rl, const char *key, size_t keylen,
		       const struct kyc_rate *rate, int64_t now_ms,
		       struct kyc_ratelimit_result *res);

#endif
