/* libFuzzer target: request paths through the router, the way the server
 * calls it with whatever path a client sends. */
#include <stdint.h>
#include <string.h>

#include "http/router.h"

static struct kyc_router rt;
static int ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ready) {
		kyc_router_add(&rt, "GET", "/v1/applicants/{id}", &rt);
		kyc_router_add(&rt, "GET", "/v1/files/{id}", &rt);
		kyc_router_add(&rt, "GET", "/v1/files/{id}/metadata", &rt);
		kyc_router_add(&rt, "POST", "/v1/verifications/{id}/documents", &rt);
		kyc_router_add(&rt, "GET", "/healthz", &rt);
		ready = 1;
	}
	/* first byte picks the method, the rest is the path */
	static const char *const methods[] = {"GET", "POST", "PATCH", "DELETE", "HEAD", "X"};
	if (size < 1)
		return 0;
	const char *m = methods[data[0] % 6];
	struct kyc_route_match match;
	char allow[64];
	enum kyc_route_result r = kyc_router_match(&rt, m, strlen(m), (const char *)data + 1,
						   size - 1, &match, allow, sizeof allow);
	if (r == KYC_ROUTE_FOUND) {
		for (int i = 0; i < match.nparams; i++) {
			const char *p = match.params[i].ptr;
			/* a parameter is a slice of the path, never empty, never with '/' */
			if (p < (const char *)data + 1 || p + match.params[i].len > (const char *)data + size ||
			    match.params[i].len == 0 || memchr(p, '/', match.params[i].len))
				__builtin_trap();
		}
	}
	return 0;
}
