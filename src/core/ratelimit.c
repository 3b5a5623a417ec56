#include "core/ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 95
#define PROBE 8 /* slots searched for a key; the oldest of them is evicted */

struct bucket {
	char key[KEY_MAX + 1];
	unsigned char keylen;
	double tokens;
	int64_t at_ms; /* when tokens was last computed; 0: slot free */
};

struct kyc_ratelimit {
	pthread_mutex_t lock;
	size_t mask;
	struct bucket *b;
};

kyc_ratelimit *kyc_ratelimit_new(size_t slots)
{
	size_t n = 64;
	while (n < slots && n < ((size_t)1 << 24))
		n <<= 1;
	kyc_ratelimit *rl = calloc(1, sizeof *rl);
	if (!rl)
		return NULL;
	rl->b = calloc(n, sizeof *rl->b);
	if (!rl->b) {
		free(rl);
		return NULL;
	}
	rl->mask = n - 1;
	pthread_mutex_init(&rl->lock, NULL);
	return rl;
}

void kyc_ratelimit_free(kyc_ratelimit *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl->b);
	free(rl);
}

/* FNV-1a: keys are short and not chosen to collide (addresses, key ids). */
static size_t hash(const char *k, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29));
}

static struct bucket *find(kyc_ratelimit *rl, const char *key, size_t n, double burst,
			   int64_t now_ms)
{
	size_t h = hash(key, n);
	struct bucket *oldest = NULL;
	for (size_t i = 0; i < PROBE; i++) {
		struct bucket *b = &rl->b[(h + i) & rl->mask];
		if (b->at_ms && b->keylen == n && !memcmp(b->key, key, n))
			return b;
		if (!oldest || b->at_ms < oldest->at_ms)
			oldest = b;
	}
	memcpy(oldest->key, key, n);
	oldest->keylen = (unsigned char)n;
	oldest->tokens = burst;
	oldest->at_ms = now_ms;
	return oldest;
}

int kyc_ratelimit_take(kyc_ratelimit *rl, const char *key, size_t keylen,
		       const struct kyc_rate *rate, int64_t now_ms,
		       struct kyc_ratelimit_result *res)
{
	memset(res, 0, sizeof *res);
	double burst = rate->burst < 1 ? 1 : rate->burst;
	if (rate->per_s <= 0) {
		res->allowed = 1;
		res->remaining = (int64_t)burst;
		return 1;
	}
	if (now_ms < 1)
		now_ms = 1; /* 0 marks a free slot */
	size_t n = keylen > KEY_MAX ? KEY_MAX : keylen;
	pthread_mutex_lock(&rl->lock);
	struct bucket *b = find(rl, key, n, burst, now_ms);
	if (now_ms > b->at_ms)
		b->tokens = fmin(burst, b->tokens + (double)(now_ms - b->at_ms) * rate->per_s / 1000.0);
	b->at_ms = now_ms > b->at_ms ? now_ms : b->at_ms;
	if (b->tokens >= 1) {
		b->tokens -= 1;
		res->allowed = 1;
	} else {
		res->retry_after_ms = (int64_t)ceil((1 - b->tokens) * 1000.0 / rate->per_s);
	}
	res->remaining = (int64_t)floor(b->tokens);
	res->reset_ms = (int64_t)ceil((burst - b->tokens) * 1000.0 / rate->per_s);
	pthread_mutex_unlock(&rl->lock);
	return res->allowed;
}
