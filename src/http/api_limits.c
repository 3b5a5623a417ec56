/* Rate limits of the API and the web surfaces (docs/security.md, "Rate
 * limits"): token buckets per API key, per tenant and client address, and
 * per hosted-page verification, sized by the tenant's "rate_limits" setting.
 * The setting is read at most every RATES_TTL_MS per tenant (a small cache),
 * so a limited request costs a lock and a lookup, not a database read. On
 * PostgreSQL the buckets are rows every node shares (one upsert a limited
 * request); on SQLite, one node, they are in memory. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/ratelimit.h"
#include "flows/settings.h"
#include "http/api.h"
#include "store/store.h"

#define RATES_TTL_MS 5000
#define CACHE_SLOTS 256

struct tenant_rates {
	char tenant_id[37];
	int64_t loaded_at; /* monotonic-ish: kyc_now_ms(); 0 = empty */
	struct kyc_rate rate[3];
};

struct kyc_api_limits {
	kyc_ratelimit *buckets;
	pthread_mutex_t lock; /* the cache */
	struct tenant_rates cache[CACHE_SLOTS];
};

struct kyc_api_limits *kyc_api_limits_new(void)
{
	struct kyc_api_limits *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->buckets = kyc_ratelimit_new(16384);
	if (!l->buckets) {
		free(l);
		return NULL;
	}
	pthread_mutex_init(&l->lock, NULL);
	return l;
}

void kyc_api_limits_free(struct kyc_api_limits *l)
{
	if (!l)
		return;
	kyc_ratelimit_free(l->buckets);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

static const char *const kind_prefix[] = {"api", "address", "hosted_uploads"};

/* The three rates from a tenant's settings (missing keys: the defaults). */
static void rates_from(const json_t *settings, struct kyc_rate out[3])
{
	json_t *def = kyc_settings_rate_defaults();
	const json_t *set = json_object_get(settings, "rate_limits");
	for (int k = 0; k < 3; k++) {
		char per[48], burst[48];
		snprintf(per, sizeof per, "%s_per_minute", kind_prefix[k]);
		snprintf(burst, sizeof burst, "%s_burst", kind_prefix[k]);
		const json_t *p = json_object_get(set, per), *b = json_object_get(set, burst);
		double pm = (double)json_integer_value(p ? p : json_object_get(def, per));
		double bs = (double)json_integer_value(b ? b : json_object_get(def, burst));
		out[k].per_s = pm / 60.0;
		/* no burst given: a minute's worth, at least one */
		out[k].burst = bs > 0 ? bs : (pm > 1 ? pm : 1);
	}
	json_decref(def);
}

static size_t slot_of(const char *tenant_id)
{
	size_t h = 5381;
	for (const char *p = tenant_id; *p; p++)
		h = h * 33 + (unsigned char)*p;
	return h % CACHE_SLOTS;
}

/* The tenant's rates, from the cache or the store. */
static void tenant_rates(struct kyc_api_limits *l, kyc_store *s, const char *tenant_id,
			 int64_t now, struct kyc_rate out[3])
{
	struct tenant_rates *t = &l->cache[slot_of(tenant_id)];
	pthread_mutex_lock(&l->lock);
	int fresh = t->loaded_at && now - t->loaded_at < RATES_TTL_MS &&
		    !strcmp(t->tenant_id, tenant_id);
	if (fresh)
		memcpy(out, t->rate, sizeof t->rate);
	pthread_mutex_unlock(&l->lock);
	if (fresh)
		return;
	json_t *settings = NULL;
	if (kyc_settings_get(s, tenant_id, &settings) != 0) {
		/* the request fails on its own store error soon; no limit here */
		memset(out, 0, 3 * sizeof *out);
		return;
	}
	rates_from(settings, out);
	json_decref(settings);
	pthread_mutex_lock(&l->lock);
	snprintf(t->tenant_id, sizeof t->tenant_id, "%s", tenant_id);
	memcpy(t->rate, out, sizeof t->rate);
	t->loaded_at = now;
	pthread_mutex_unlock(&l->lock);
}

void kyc_rate_forget(struct kyc_app *app, const char *tenant_id)
{
	struct kyc_api_limits *l = app->limits;
	if (!l)
		return;
	pthread_mutex_lock(&l->lock);
	l->cache[slot_of(tenant_id)].loaded_at = 0;
	pthread_mutex_unlock(&l->lock);
}

void kyc_rate_headers(kyc_req *r, const struct kyc_rate *rate,
		      const struct kyc_ratelimit_result *res)
{
	char v[32];
	snprintf(v, sizeof v, "%lld", (long long)(rate->burst < 1 ? 1 : rate->burst));
	kyc_req_add_header(r, "RateLimit-Limit", v);
	snprintf(v, sizeof v, "%lld", (long long)res->remaining);
	kyc_req_add_header(r, "RateLimit-Remaining", v);
	snprintf(v, sizeof v, "%lld", (long long)((res->reset_ms + 999) / 1000));
	kyc_req_add_header(r, "RateLimit-Reset", v);
	if (!res->allowed) {
		snprintf(v, sizeof v, "%lld", (long long)((res->retry_after_ms + 999) / 1000));
		kyc_req_add_header(r, "Retry-After", v);
	}
}

/* The bucket in the database, which every node of a PostgreSQL store
 * shares, so N nodes behind a balancer allow the limit once, not N times.
 * Not 0 on SQLite (one node: the buckets in memory) and when the database
 * did not answer: the node's own buckets then still hold the limit. */
static int shared_take(kyc_store *s, const char *key, const struct kyc_rate *rate, int64_t now,
		       struct kyc_ratelimit_result *res)
{
	double per_ms = rate->per_s / 1000.0, burst = rate->burst < 1 ? 1 : rate->burst, tokens;
	int allowed;
	if (kyc_store_rate_take(s, key, per_ms, burst, now, &tokens, &allowed) != 0)
		return -1;
	memset(res, 0, sizeof *res);
	res->allowed = allowed;
	res->remaining = (int64_t)floor(tokens);
	if (!allowed)
		res->retry_after_ms = (int64_t)ceil((1 - tokens) / per_ms);
	res->reset_ms = (int64_t)ceil((burst - tokens) / per_ms);
	return 0;
}

int kyc_rate_take_key(kyc_ratelimit *local, kyc_store *s, const char *key,
		      const struct kyc_rate *rate, int64_t now, struct kyc_ratelimit_result *res)
{
	if (s && shared_take(s, key, rate, now, res) == 0)
		return res->allowed;
	return kyc_ratelimit_take(local, key, strlen(key), rate, now, res);
}

int kyc_rate_shared_write(struct kyc_app *app, kyc_store *s, const char *tenant_id)
{
	if (!app->limits || !kyc_store_rate_shared(s))
		return 0;
	struct kyc_rate rates[3];
	tenant_rates(app->limits, s, tenant_id, kyc_now_ms(), rates);
	return rates[KYC_LIMIT_KEY].per_s > 0 || rates[KYC_LIMIT_ADDRESS].per_s > 0;
}

int kyc_rate_take(kyc_req *r, struct kyc_app *app, kyc_store *s, const char *tenant_id,
		  enum kyc_limit kind, const char *who, int64_t *retry_after_s)
{
	*retry_after_s = 0;
	struct kyc_api_limits *l = app->limits;
	if (!l)
		return 1;
	int64_t now = kyc_now_ms();
	struct kyc_rate rates[3];
	tenant_rates(l, s, tenant_id, now, rates);
	if (rates[kind].per_s <= 0)
		return 1;
	char peer[64];
	if (!who) {
		kyc_req_peer(r, peer);
		who = peer;
	}
	char key[128];
	snprintf(key, sizeof key, "%c|%.36s|%s", "kah"[kind], tenant_id, who);
	struct kyc_ratelimit_result res;
	kyc_rate_take_key(l->buckets, s, key, &rates[kind], now, &res);
	kyc_rate_headers(r, &rates[kind], &res);
	*retry_after_s = (res.retry_after_ms + 999) / 1000;
	return res.allowed;
}
