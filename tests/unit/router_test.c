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
	CHECK_STR(allow, "GET");
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

int main(void)
{
	kyc_router_add(&rt, "GET", "/", &tag[0]);
	kyc_router_add(&rt, "GET", "/v1/files/{id}", &tag[1]);
	kyc_router_add(&rt, "GET", "/v1/files/special", &tag[2]);
	kyc_router_add(&rt, "POST", "/v1/verifications/{id}/documents", &tag[3]);
	RUN(literal_beats_param_and_params_captured);
	RUN(not_found_and_bad_method);
	RUN(bad_patterns_refused);
	return test_done("router");
}
