#include <string.h>

#include "core/err.h"
#include "http/router.h"
#include "test.h"

static struct kyc_router rt;
static int tag[8];

static int match(const char *method, const char *path, struct kyc_route_match *m, char *allow)
{
	return kyc_router_match(&rt, method, strlen(method), path, strlen(path), m, allow, 64);
}

TEST(literal_beats_param_and_params_captured)
{
	struct kyc_route_match m;
	char allow[64];
	REQUIRE(match("GET", "/v1/files/abc", &m, allow) == KYC_ROUTE_FOUND);
	CHECK(m.route->data == &tag[1]);
	CHECK_INT(m.nparams, 1);
	CHECK_INT(m.params[0].len, 3);
	CHECK(!memcmp(m.params[0].ptr, "abc", 3));
	REQUIRE(match("GET", "/v1/files/special", &m, allow) == KYC_ROUTE_FOUND);
	CHECK(m.route->data == &tag[2]);
	REQUIRE(match("POST", "/v1/verifications/v1/documents", &m, allow) == KYC_ROUTE_FOUND);
	CHECK(m.route->data == &tag[3]);
	CHECK_INT(m.nparams, 1);
	REQUIRE(match("GET", "/", &m, allow) == KYC_ROUTE_FOUND);
	CHECK(m.route->data == &tag[0]);
}

TEST(not_found_and_bad_method)
{
	struct kyc_route_match m;
	char allow[64];
	CHECK_INT(match("GET", "/v1/nope", &m, allow), KYC_ROUTE_NOT_FOUND);
	CHECK_INT(match("GET", "/v1/files/", &m, allow), KYC_ROUTE_NOT_FOUND);
	CHECK_INT(match("GET", "/v1//files", &m, allow), KYC_ROUTE_NOT_FOUND);
	CHECK_INT(match("GET", "v1/files/x", &m, allow), KYC_ROUTE_NOT_FOUND);
	CHECK_INT(match("DELETE", "/v1/files/x", &m, allow), KYC_ROUTE_BAD_METHOD);
	CHECK_STR(allow, "GET, HEAD");
	CHECK_INT(match("HEAD", "/v1/files/x", &m, allow), KYC_ROUTE_FOUND);
	CHECK_INT(match("GET", "/v1/files/a/b/c/d/e/f/g/h/i/j/k/l/m", &m, allow), KYC_ROUTE_NOT_FOUND);
}

TEST(bad_patterns_refused)
{
	struct kyc_router r2 = {0};
	CHECK_INT(kyc_router_add(&r2, "GET", "nope", NULL), KYC_ERR_INVALID);
	CHECK_INT(kyc_router_add(&r2, "VERYLONGMETHOD", "/x", NULL), KYC_ERR_INVALID);
	CHECK_INT(kyc_router_add(&r2, "GET", "/a/{b}/{c}/{d}/{e}/{f}/{g}/{h}", NULL), KYC_ERR_INVALID);
}

TEST(first_differing_segment_decides)
{
	struct kyc_router r2 = {0};
	static int t[4];
	REQUIRE(kyc_router_add(&r2, "GET", "/a/{x}/c", &t[0]) == 0);
	REQUIRE(kyc_router_add(&r2, "GET", "/a/b/{y}", &t[1]) == 0);
	REQUIRE(kyc_router_add(&r2, "GET", "/{p}/{q}/{r}", &t[2]) == 0);
	struct kyc_route_match m;
	/* Both /a/{x}/c and /a/b/{y} have two literals: the literal "b" comes first. */
	REQUIRE(kyc_router_match(&r2, "GET", 3, "/a/b/c", 6, &m, NULL, 0) == KYC_ROUTE_FOUND);
	CHECK(m.route->data == &t[1]);
	CHECK_INT(m.nparams, 1);
	CHECK(m.params[0].len == 1 && m.params[0].ptr[0] == 'c');
	REQUIRE(kyc_router_match(&r2, "GET", 3, "/a/z/c", 6, &m, NULL, 0) == KYC_ROUTE_FOUND);
	CHECK(m.route->data == &t[0]);
	REQUIRE(kyc_router_match(&r2, "GET", 3, "/q/z/c", 6, &m, NULL, 0) == KYC_ROUTE_FOUND);
	CHECK(m.route->data == &t[2]);
	CHECK_INT(m.nparams, 3);
	/* Registration order does not matter. */
	struct kyc_router r3 = {0};
	REQUIRE(kyc_router_add(&r3, "GET", "/{p}/{q}/{r}", &t[2]) == 0);
	REQUIRE(kyc_router_add(&r3, "GET", "/a/b/{y}", &t[1]) == 0);
	REQUIRE(kyc_router_match(&r3, "GET", 3, "/a/b/c", 6, &m, NULL, 0) == KYC_ROUTE_FOUND);
	CHECK(m.route->data == &t[1]);
}

TEST(encoded_slash_stays_in_its_segment)
{
	struct kyc_route_match m;
	char allow[64];
	REQUIRE(match("GET", "/v1/files/a%2Fb", &m, allow) == KYC_ROUTE_FOUND);
	CHECK(m.route->data == &tag[1]);
	CHECK_INT(m.params[0].len, 5); /* decoding is the server's job */
}

TEST(allow_lists_every_method_of_the_path)
{
	struct kyc_router r2 = {0};
	REQUIRE(kyc_router_add(&r2, "GET", "/x/{id}", NULL) == 0);
	REQUIRE(kyc_router_add(&r2, "PATCH", "/x/{id}", NULL) == 0);
	REQUIRE(kyc_router_add(&r2, "DELETE", "/x/{id}", NULL) == 0);
	REQUIRE(kyc_router_add(&r2, "POST", "/x/special", NULL) == 0);
	struct kyc_route_match m;
	char allow[64];
	CHECK_INT(kyc_router_match(&r2, "PUT", 3, "/x/1", 4, &m, allow, sizeof allow),
		  KYC_ROUTE_BAD_METHOD);
	CHECK_STR(allow, "GET, HEAD, PATCH, DELETE");
	/* /x/special is POST only, but GET /x/{id} matches it too. */
	CHECK_INT(kyc_router_match(&r2, "GET", 3, "/x/special", 10, &m, allow, sizeof allow),
		  KYC_ROUTE_FOUND);
	CHECK_INT(kyc_router_match(&r2, "PUT", 3, "/x/special", 10, &m, allow, sizeof allow),
		  KYC_ROUTE_BAD_METHOD);
	CHECK_STR(allow, "GET, HEAD, PATCH, DELETE, POST");
	/* A tiny buffer is never overrun. */
	char tiny[8];
	memset(tiny, 'z', sizeof tiny);
	CHECK_INT(kyc_router_match(&r2, "PUT", 3, "/x/1", 4, &m, tiny, sizeof tiny),
		  KYC_ROUTE_BAD_METHOD);
	CHECK(memchr(tiny, '\0', sizeof tiny) != NULL);
}

TEST(duplicates_refused)
{
	struct kyc_router r2 = {0};
	CHECK_INT(kyc_router_add(&r2, "GET", "/x/{id}", NULL), 0);
	CHECK_INT(kyc_router_add(&r2, "GET", "/x/{other}", NULL), KYC_ERR_CONFLICT);
	CHECK_INT(kyc_router_add(&r2, "POST", "/x/{id}", NULL), 0);
	CHECK_INT(kyc_router_add(&r2, "GET", "/x/lit", NULL), 0);
}

int main(void)
{
	kyc_router_add(&rt, "GET", "/", &tag[0]);
	kyc_router_add(&rt, "GET", "/v1/files/{id}", &tag[1]);
	kyc_router_add(&rt, "GET", "/v1/files/special", &tag[2]);
	kyc_router_add(&rt, "POST", "/v1/verifications/{id}/documents", &tag[3]);
	RUN(literal_beats_param_and_params_captured);
	RUN(not_found_and_bad_method);
	RUN(bad_patterns_refused);
	RUN(first_differing_segment_decides);
	RUN(encoded_slash_stays_in_its_segment);
	RUN(allow_lists_every_method_of_the_path);
	RUN(duplicates_refused);
	return test_done("router");
}
