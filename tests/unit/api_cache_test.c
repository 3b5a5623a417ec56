/* src/http/api_cache.c: what is kept is sent back only under the same key,
 * with the same stamp (or the token it was last confirmed under), before
 * its end; a slot holds one answer. */
#include <stdint.h>
#include <string.h>

#include "http/api_cache.h"
#include "test.h"

static int got(kyc_api_cache *c, const char *key, const char *stamp,
	       const struct kyc_store_token *tok, int64_t now, const char *want)
{
	const void *body = NULL;
	size_t len = 0;
	if (!kyc_api_cache_get(c, key, stamp, tok, now, &body, &len))
		return 0;
	return len == strlen(want) && !memcmp(body, want, len);
}

TEST(by_key_and_stamp_until_its_end)
{
	kyc_api_cache *c = kyc_api_cache_new(64, 1024);
	REQUIRE(c != NULL);
	CHECK(!got(c, "t/verification/a", "v:1;", NULL, 0, "{}"));
	kyc_api_cache_put(c, "t/verification/a", "v:1;", NULL, 1000, "{\"a\":1}", 7);
	CHECK(got(c, "t/verification/a", "v:1;", NULL, 999, "{\"a\":1}"));
	CHECK(!got(c, "t/verification/a", "v:2;", NULL, 999, "")); /* changed since */
	CHECK(!got(c, "t/verification/b", "v:1;", NULL, 999, ""));  /* another record */
	CHECK(!got(c, "u/verification/a", "v:1;", NULL, 999, ""));  /* another tenant */
	CHECK(!got(c, "t/verification/a", "v:1;", NULL, 1000, "")); /* past its end */
	uint64_t hits, misses;
	kyc_api_cache_counts(c, &hits, &misses);
	CHECK_INT(hits, 1);
	CHECK_INT(misses, 5);
	kyc_api_cache_free(c);
}

TEST(by_token_only_when_confirmed_under_it)
{
	kyc_api_cache *c = kyc_api_cache_new(64, 1024);
	REQUIRE(c != NULL);
	struct kyc_store_token t1 = {1, 7, 3}, t2 = {1, 8, 3}, other = {2, 7, 3};
	kyc_api_cache_put(c, "k", "v:1;", &t1, INT64_MAX, "one", 3);
	CHECK(got(c, "k", NULL, &t1, 5, "one"));
	CHECK(!got(c, "k", NULL, &t2, 5, ""));    /* the database moved */
	CHECK(!got(c, "k", NULL, &other, 5, "")); /* another connection's token */
	CHECK(!got(c, "k", NULL, NULL, 5, ""));
	/* the stamp read again is the same: confirmed under t2 from now on */
	CHECK(got(c, "k", "v:1;", &t2, 5, "one"));
	CHECK(got(c, "k", NULL, &t2, 5, "one"));
	/* kept without a token: only the stamp finds it */
	kyc_api_cache_put(c, "k", "v:2;", NULL, INT64_MAX, "two", 3);
	struct kyc_store_token none = {0, 0, 0};
	CHECK(!got(c, "k", NULL, &none, 5, ""));
	CHECK(got(c, "k", "v:2;", NULL, 5, "two"));
	kyc_api_cache_free(c);
}

TEST(a_slot_holds_one_answer_and_big_ones_are_not_kept)
{
	kyc_api_cache *c = kyc_api_cache_new(1, 8);
	REQUIRE(c != NULL);
	kyc_api_cache_put(c, "a", "s", NULL, INT64_MAX, "first", 5);
	kyc_api_cache_put(c, "b", "s", NULL, INT64_MAX, "second", 6);
	CHECK(!got(c, "a", "s", NULL, 0, ""));
	CHECK(got(c, "b", "s", NULL, 0, "second"));
	/* over max_body: not kept, and what the slot held is gone too */
	kyc_api_cache_put(c, "c", "s", NULL, INT64_MAX, "123456789", 9);
	CHECK(!got(c, "c", "s", NULL, 0, ""));
	CHECK(!got(c, "b", "s", NULL, 0, ""));
	kyc_api_cache_put(c, "d", "s", NULL, INT64_MAX, "", 0);
	CHECK(got(c, "d", "s", NULL, 0, ""));
	kyc_api_cache_free(c);
}

int main(void)
{
	RUN(by_key_and_stamp_until_its_end);
	RUN(by_token_only_when_confirmed_under_it);
	RUN(a_slot_holds_one_answer_and_big_ones_are_not_kept);
	return test_done("api_cache");
}
