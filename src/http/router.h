/* Route table: "METHOD /literal/{param}/..." patterns matched against a
 * request's method and path. Used by the server; exposed for its tests. */
#ifndef KYC_ROUTER_H
#define KYC_ROUTER_H

#include <stddef.h>

#include "http/server.h"

#define KYC_ROUTER_MAX_ROUTES 128
#define KYC_ROUTER_MAX_SEGS 12
#define KYC_ROUTER_MAX_PARAMS 6

struct kyc_route {
	char method[8];
	char pattern[128];             /* also the route's name */
	int nsegs;
	char segs[KYC_ROUTER_MAX_SEGS][48]; /* "" marks a {param} segment */
	int nliterals;
	void *data;
};

struct kyc_router {
	struct kyc_route routes[KYC_ROUTER_MAX_ROUTES];
	int n;
};

enum kyc_route_result { KYC_ROUTE_FOUND, KYC_ROUTE_NOT_FOUND, KYC_ROUTE_BAD_METHOD };

struct kyc_route_match {
	const struct kyc_route *route;
	int nparams;
	kyc_str params[KYC_ROUTER_MAX_PARAMS]; /* raw (still percent-encoded) slices of the path */
};

/* Adds a route; data is handed back on a match. 0, KYC_ERR_INVALID (bad
 * pattern, too many routes, segments or parameters) or KYC_ERR_CONFLICT (the
 * same method and pattern shape is there already). */
int kyc_router_add(struct kyc_router *rt, const char *method, const char *pattern, void *data);
/* Matches method and path (no query string). Among matching routes the more
 * specific wins: the first segment where they differ is literal in the winner.
 * HEAD matches GET routes. On BAD_METHOD, allow (may be NULL) gets the
 * methods the path accepts, e.g. "GET, HEAD, POST", for the 405's Allow
 * header; otherwise it is left empty. FOUND fills m
 * (params are still percent-encoded slices of path). */
enum kyc_route_result kyc_router_match(const struct kyc_router *rt, const char *method,
				       size_t mlen, const char *path, size_t plen,
				       struct kyc_route_match *m, char *allow, size_t allowsz);

#endif
