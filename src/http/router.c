/* A linear table: kycd has a few dozen routes, and a scan of short
 * segment strings costs less than a request's header parsing. */
#include "http/router.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"

int kyc_router_add(struct kyc_router *rt, const char *method, const char *pattern, void *data)
{
	if (rt->n >= KYC_ROUTER_MAX_ROUTES || pattern[0] != '/' || strlen(method) >= 8 ||
	    strlen(pattern) >= sizeof rt->routes[0].pattern)
		return KYC_ERR_INVALID;
	struct kyc_route *r = &rt->routes[rt->n];
	memset(r, 0, sizeof *r);
	snprintf(r->method, sizeof r->method, "%s", method);
	snprintf(r->pattern, sizeof r->pattern, "%s", pattern);
	r->data = data;
	const char *p = pattern + 1;
	int params = 0;
	while (*p || p == pattern + 1) {
		size_t n = strcspn(p, "/");
		if (r->nsegs >= KYC_ROUTER_MAX_SEGS || n >= sizeof r->segs[0])
			return KYC_ERR_INVALID;
		if (n >= 2 && p[0] == '{' && p[n - 1] == '}') {
			r->segs[r->nsegs][0] = '\0';
			if (++params > KYC_ROUTER_MAX_PARAMS)
				return KYC_ERR_INVALID;
		} else {
			if (n == 0 && p[0] == '\0' && r->nsegs == 0)
				break; /* the pattern "/" */
			memcpy(r->segs[r->nsegs], p, n);
			r->segs[r->nsegs][n] = '\0';
			r->nliterals++;
		}
		r->nsegs++;
		p += n;
		if (*p == '/')
			p++;
		else
			break;
	}
	for (int i = 0; i < rt->n; i++) {
		const struct kyc_route *o = &rt->routes[i];
		int same = !strcmp(o->method, r->method) && o->nsegs == r->nsegs;
		for (int k = 0; same && k < r->nsegs; k++)
			same = !strcmp(o->segs[k], r->segs[k]);
		if (same)
			return KYC_ERR_CONFLICT; /* the same method and shape twice */
	}
	rt->n++;
	return 0;
}

/* Splits path into segments (no empty segments except a trailing one is refused). */
static int split(const char *path, size_t plen, kyc_str *segs, int max)
{
	if (plen == 0 || path[0] != '/')
		return -1;
	int n = 0;
	size_t i = 1;
	if (plen == 1)
		return 0;
	while (i <= plen) {
		size_t start = i;
		while (i < plen && path[i] != '/')
			i++;
		if (i == start || n >= max)
			return -1; /* "//", a trailing "/", or too deep */
		segs[n].ptr = path + start;
		segs[n].len = i - start;
		n++;
		i++;
	}
	return n;
}

static int method_eq(const char *route_method, const char *m, size_t mlen)
{
	if (strlen(route_method) == mlen && !memcmp(route_method, m, mlen))
		return 1;
	return mlen == 4 && !memcmp(m, "HEAD", 4) && !strcmp(route_method, "GET");
}

/* 1 when route a is more specific than b: at the first segment where one
 * has a literal and the other a parameter, the literal wins
 * ("/v1/files/special" over "/v1/files/{id}", "/a/b/{x}" over "/a/{y}/c"). */
static int more_specific(const struct kyc_route *a, const struct kyc_route *b)
{
	for (int s = 0; s < a->nsegs && s < b->nsegs; s++) {
		int la = a->segs[s][0] != '\0', lb = b->segs[s][0] != '\0';
		if (la != lb)
			return la;
	}
	return 0;
}

/* Appends method to the comma-separated list unless it is there already. */
static void allow_add(char *allow, size_t allowsz, const char *method)
{
	size_t n = strlen(method), used = strlen(allow);
	for (const char *p = allow; *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && !memcmp(p, method, n))
			return;
		p += len;
		while (*p == ',' || *p == ' ')
			p++;
	}
	snprintf(allow + used, allowsz - used, "%s%s", used ? ", " : "", method);
}

/* 1 when r's pattern matches the path's segments (parameters match any). */
static int path_matches(const struct kyc_route *r, const kyc_str *segs, int nsegs)
{
	if (r->nsegs != nsegs)
		return 0;
	for (int s = 0; s < nsegs; s++)
		if (r->segs[s][0] &&
		    (strlen(r->segs[s]) != segs[s].len || memcmp(r->segs[s], segs[s].ptr, segs[s].len)))
			return 0;
	return 1;
}

enum kyc_route_result kyc_router_match(const struct kyc_router *rt, const char *method,
				       size_t mlen, const char *path, size_t plen,
				       struct kyc_route_match *m, char *allow, size_t allowsz)
{
	kyc_str segs[KYC_ROUTER_MAX_SEGS];
	int nsegs = split(path, plen, segs, KYC_ROUTER_MAX_SEGS);
	const struct kyc_route *best = NULL;
	int path_known = 0;
	char scratch[8];
	if (!allow || !allowsz) {
		allow = scratch;
		allowsz = sizeof scratch;
	}
	allow[0] = '\0';
	if (nsegs < 0)
		return KYC_ROUTE_NOT_FOUND;
	for (int i = 0; i < rt->n; i++) {
		const struct kyc_route *r = &rt->routes[i];
		if (!path_matches(r, segs, nsegs))
			continue;
		path_known = 1;
		if (!method_eq(r->method, method, mlen))
			continue;
		if (!best || more_specific(r, best))
			best = r;
	}
	/* the methods the path takes, for a 405's Allow: only then, as
	 * formatting them for every request showed in profiles */
	for (int i = 0; !best && path_known && i < rt->n; i++) {
		const struct kyc_route *r = &rt->routes[i];
		if (!path_matches(r, segs, nsegs))
			continue;
		allow_add(allow, allowsz, r->method);
		if (!strcmp(r->method, "GET"))
			allow_add(allow, allowsz, "HEAD");
	}
	if (!best)
		return path_known ? KYC_ROUTE_BAD_METHOD : KYC_ROUTE_NOT_FOUND;
	m->route = best;
	m->nparams = 0;
	for (int s = 0; s < nsegs; s++)
		if (!best->segs[s][0] && m->nparams < KYC_ROUTER_MAX_PARAMS)
			m->params[m->nparams++] = segs[s];
	return KYC_ROUTE_FOUND;
}
