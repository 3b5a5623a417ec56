/* The outbound address policy (see fetch.h). Written as an explicit list of
 * IANA special-purpose ranges rather than "is it private?" checks from libc,
 * so that what is refused can be read off this file. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "net/fetch.h"

static const char *v4_refusal(uint32_t a, int allow_loopback)
{
	static const struct {
		uint32_t net, mask;
		const char *why;
	} ranges[] = {
	    {0x00000000, 0xff000000, "this_network"},  /* 0/8 (0.0.0.0 too) */
	    {0x0a000000, 0xff000000, "private"},       /* 10/8 */
	    {0x64400000, 0xffc00000, "shared"},        /* 100.64/10 CGNAT */
	    {0x7f000000, 0xff000000, "loopback"},      /* 127/8 */
	    {0xa9fe0000, 0xffff0000, "link_local"},    /* 169.254/16, metadata */
	    {0xac100000, 0xfff00000, "private"},       /* 172.16/12 */
	    {0xc0000000, 0xffffff00, "reserved"},      /* 192.0.0/24 IETF */
	    {0xc0000200, 0xffffff00, "documentation"}, /* 192.0.2/24 */
	    {0xc0586300, 0xffffff00, "reserved"},      /* 192.88.99/24 6to4 relay */
	    {0xc0a80000, 0xffff0000, "private"},       /* 192.168/16 */
	    {0xc6120000, 0xfffe0000, "benchmarking"},  /* 198.18/15 */
	    {0xc6336400, 0xffffff00, "documentation"}, /* 198.51.100/24 */
	    {0xcb007100, 0xffffff00, "documentation"}, /* 203.0.113/24 */
	    {0xe0000000, 0xf0000000, "multicast"},     /* 224/4 */
	    {0xffffffff, 0xffffffff, "broadcast"},     /* before 240/4 */
	    {0xf0000000, 0xf0000000, "reserved"},      /* 240/4 */
	};
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
		if ((a & ranges[i].mask) != ranges[i].net)
			continue;
		if (allow_loopback && ranges[i].net == 0x7f000000)
			return NULL;
		return ranges[i].why;
	}
	return NULL;
}

static int zeros(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static const char *v6_refusal(const unsigned char *b, int allow_loopback)
{
	if (zeros(b, 10)) {
		if (b[10] == 0xff && b[11] == 0xff) /* ::ffff:a.b.c.d is a.b.c.d */
			return v4_refusal((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
			                      (uint32_t)b[14] << 8 | b[15],
			                  allow_loopback);
		if (b[10] == 0 && b[11] == 0) {
			if (zeros(b + 12, 3) && b[15] <= 1)
				return b[15] == 0       ? "unspecified"
				       : allow_loopback ? NULL
				                        : "loopback";
			return "ipv4_compatible";
		}
	}
	if (zeros(b, 8) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0)
		return "ipv4_translated";
	/* Prefixes outside 2000::/3 that get their own name; the rest of that
	 * space is unassigned or special and falls to "reserved". */
	static const unsigned char nat64[] = {0x00, 0x64, 0xff, 0x9b};
	if (!memcmp(b, nat64, 4) && (zeros(b + 4, 8) || (b[4] == 0 && b[5] == 1)))
		return "nat64"; /* 64:ff9b::/96 and 64:ff9b:1::/48 */
	if ((b[0] & 0xfe) == 0xfc)
		return "unique_local";
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return "link_local";
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return "site_local";
	if (b[0] == 0xff)
		return "multicast";
	if ((b[0] & 0xe0) != 0x20)
		return "reserved";
	/* inside 2000::/3 */
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
		return "documentation"; /* 2001:db8::/32 */
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] < 0x02)
		return "reserved"; /* 2001::/23: Teredo, benchmarking, ORCHID */
	if (b[0] == 0x20 && b[1] == 0x02)
		return "6to4";
	if (b[0] == 0x3f && b[1] == 0xff && (b[2] & 0xf0) == 0)
		return "documentation"; /* 3fff::/20 */
	return NULL;
}

const char *kyc_addr_refusal(const struct sockaddr *sa, int allow_loopback)
{
	if (!sa)
		return "family";
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		return v4_refusal(ntohl(in->sin_addr.s_addr), allow_loopback);
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		return v6_refusal(in6->sin6_addr.s6_addr, allow_loopback);
	}
	return "family";
}

int kyc_addr_allowed(const struct sockaddr *sa, int allow_loopback)
{
	return kyc_addr_refusal(sa, allow_loopback) == NULL;
}

int kyc_addr_literal(const char *host, struct sockaddr_storage *ss)
{
	char tmp[64];
	size_t n = strlen(host);
	memset(ss, 0, sizeof *ss);
	if (n >= sizeof tmp)
		return 0; /* longer than any literal */
	memcpy(tmp, host, n + 1);
	char *h = tmp;
	if (h[0] == '[' && n >= 2 && h[n - 1] == ']') {
		h[n - 1] = '\0';
		h++;
	}
	char *zone = strchr(h, '%');
	if (zone)
		*zone = '\0';
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	if (strchr(h, ':')) {
		if (inet_pton(AF_INET6, h, &in6->sin6_addr) != 1)
			return 0;
		in6->sin6_family = AF_INET6;
		return 1;
	}
	/* inet_aton takes every historic IPv4 spelling, as getaddrinfo does, but
	 * also ignores text after a space: allow only the characters a
	 * numeric spelling can have. */
	for (const char *c = h; *c; c++)
		if (!strchr("0123456789abcdefABCDEFxX.", *c))
			return 0;
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	if (h[0] == '\0' || inet_aton(h, &in->sin_addr) == 0)
		return 0;
	in->sin_family = AF_INET;
	return 1;
}
