/* Answers kept for repeated reads: a server thread's small table of
 * rendered bodies, each filed under a key (tenant and resource) with the
 * stamp of the rows it was built from (kyc_store_verification_stamp) and a
 * moment it stops being true by itself (a verification's expiry). A read
 * asks the store for the current stamp, one indexed query, and sends the
 * kept body when the stamp is the same: the record is not read, opened,
 * parsed or rendered again. Any change to the rows changes the stamp, from
 * whichever thread, node or process it comes, so nothing stale is sent.
 * Where the store has a token (kyc_store_token: SQLite), an entry also
 * keeps the token it was last confirmed under, and while the database has
 * not changed at all the stamp is not even read.
 * One table per thread: no locks. The bodies hold opened personal data in
 * memory, as a request does while it runs; a body is wiped when it is
 * replaced or the table is freed (docs/security.md). */
#ifndef KYC_API_CACHE_H
#define KYC_API_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef struct kyc_api_cache kyc_api_cache;

/* A table of slots entries, bodies up to max_body bytes. NULL: no memory. */
kyc_api_cache *kyc_api_cache_new(int slots, size_t max_body);
void kyc_api_cache_free(kyc_api_cache *c);
/* The body kept under key and still fresh at now_ms, when it was built
 * under this stamp, or (stamp NULL) last confirmed under this token: 1 with
 * *body and *len set (valid until the next put), else 0. A hit by stamp
 * records tok (when not NULL) as the entry's latest confirmation. */
int kyc_api_cache_get(kyc_api_cache *c, const char *key, const char *stamp,
		      const struct kyc_store_token *tok, int64_t now_ms, const void **body,
		      size_t *len);
/* Keeps body under key, stamp and tok (may be NULL) until fresh_until_ms
 * (exclusive), replacing what the slot held. A body over max_body is not
 * kept. */
void kyc_api_cache_put(kyc_api_cache *c, const char *key, const char *stamp,
		       const struct kyc_store_token *tok, int64_t fresh_until_ms, const void *body,
		       size_t len);
/* Counters for tests and /metrics: answers sent from the table, and
 * lookups that found nothing usable. */
void kyc_api_cache_counts(const kyc_api_cache *c, uint64_t *hits, uint64_t *misses);

#endif
