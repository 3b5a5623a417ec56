/* api_cache.h: a direct-mapped table; a slot holds one entry, and a new
 * entry for its slot replaces the old one. */
#include "http/api_cache.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	char *key, *stamp;
	unsigned char *body;
	size_t len;
	int64_t fresh_until;
	struct kyc_store_token tok; /* conn NULL: none */
};

struct kyc_api_cache {
	int slots;
	size_t max_body;
	uint64_t hits, misses;
	struct entry *e;
};

kyc_api_cache *kyc_api_cache_new(int slots, size_t max_body)
{
	kyc_api_cache *c = calloc(1, sizeof *c);
	if (!c || slots < 1 || !(c->e = calloc((size_t)slots, sizeof *c->e))) {
		free(c);
		return NULL;
	}
	c->slots = slots;
	c->max_body = max_body;
	return c;
}

static void entry_clear(struct entry *e)
{
	if (e->body)
		sodium_memzero(e->body, e->len); /* opened personal data */
	free(e->body);
	free(e->key);
	free(e->stamp);
	memset(e, 0, sizeof *e);
}

void kyc_api_cache_free(kyc_api_cache *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->slots; i++)
		entry_clear(&c->e[i]);
	free(c->e);
	free(c);
}

static struct entry *slot_of(kyc_api_cache *c, const char *key)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return &c->e[h % (uint64_t)c->slots];
}

int kyc_api_cache_get(kyc_api_cache *c, const char *key, const char *stamp,
		      const struct kyc_store_token *tok, int64_t now_ms, const void **body,
		      size_t *len)
{
	struct entry *e = slot_of(c, key);
	int same = e->key && !strcmp(e->key, key) && now_ms < e->fresh_until &&
		   (stamp ? !strcmp(e->stamp, stamp) : tok && kyc_store_token_same(&e->tok, tok));
	if (!same) {
		c->misses++;
		return 0;
	}
	if (stamp && tok)
		e->tok = *tok;
	c->hits++;
	*body = e->body;
	*len = e->len;
	return 1;
}

void kyc_api_cache_put(kyc_api_cache *c, const char *key, const char *stamp,
		       const struct kyc_store_token *tok, int64_t fresh_until_ms, const void *body,
		       size_t len)
{
	struct entry *e = slot_of(c, key);
	entry_clear(e);
	if (len > c->max_body)
		return;
	e->key = strdup(key);
	e->stamp = strdup(stamp);
	e->body = malloc(len ? len : 1);
	if (!e->key || !e->stamp || !e->body) {
		entry_clear(e);
		return;
	}
	memcpy(e->body, body, len);
	e->len = len;
	e->fresh_until = fresh_until_ms;
	if (tok)
		e->tok = *tok;
}

void kyc_api_cache_counts(const kyc_api_cache *c, uint64_t *hits, uint64_t *misses)
{
	*hits = c ? c->hits : 0;
	*misses = c ? c->misses : 0;
}
