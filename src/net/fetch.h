/* Outbound HTTPS that cannot be turned against our own network (SSRF).
 *
 * kyc_fetch_url() downloads one resource (a document image given as a URL;
 * webhook delivery reuses the address policy below) under these rules:
 *   - https only; plain http only with opts->allow_http (tests);
 *   - the URL is at most KYC_FETCH_URL_MAX bytes of printable ASCII, has a
 *     host, and has no user:password@ part;
 *   - every address curl is about to connect to is checked after DNS
 *     resolution, in curl's open-socket hook, so what is checked is exactly
 *     what is connected to (no DNS-rebinding window). A literal IP host in
 *     any notation the resolver accepts (2130706433, 0177.0.0.1, 0x7f.1,
 *     [::ffff:127.0.0.1]) is refused before any network traffic;
 *   - proxies from the environment are ignored (a proxy would be what is
 *     connected to, hiding the real destination);
 *   - no redirects: a 3xx answer is an error (url_http_status), since a
 *     redirect is the classic way round a URL check;
 *   - the body never passes body->max: a larger Content-Length fails at
 *     once, a body that grows past it is cut off as soon as it does;
 *   - a total timeout and a connect timeout; no content decoding (no
 *     compression bombs); any port.
 *
 * Address policy (kyc_addr_allowed): refused are 0.0.0.0/8, 10/8, 100.64/10,
 * 127/8, 169.254/16 (cloud metadata), 172.16/12, 192.0.0/24, 192.0.2/24,
 * 192.88.99/24, 192.168/16, 198.18/15, 198.51.100/24, 203.0.113/24, 224/4,
 * 240/4 and 255.255.255.255; for IPv6 everything outside 2000::/3 (so ::,
 * ::1, fc00::/7, fe80::/10, fec0::/10, ff00::/8, 64:ff9b::/96 and
 * 64:ff9b:1::/48 NAT64, 100::/64) and inside it 2001::/23, 2001:db8::/32,
 * 2002::/16 (6to4) and 3fff::/20. IPv4-mapped (::ffff:a.b.c.d) addresses are
 * judged as the IPv4 address they are; IPv4-compatible (::a.b.c.d) and
 * IPv4-translated (::ffff:0:a.b.c.d) forms are refused outright.
 * allow_loopback (tests only) lets through 127.0.0.0/8 and ::1, nothing else. */
#ifndef KYC_FETCH_H
#define KYC_FETCH_H

#include <stddef.h>
#include <sys/socket.h>

#include "core/buf.h"

#define KYC_FETCH_URL_MAX 2048

struct kyc_fetch_opts {
	int allow_http;          /* tests only (KYCD_FETCH_ALLOW_HTTP): http:// too */
	int allow_loopback;      /* tests only (KYCD_FETCH_ALLOW_LOOPBACK): 127/8 and ::1 */
	const char *ca_file;     /* KYCD_FETCH_CA_FILE: PEM CAs trusted in addition to the
	                            system's; NULL for the system's only */
	long timeout_ms;         /* whole transfer; 0 means 10000 */
	long connect_timeout_ms; /* TCP + TLS handshake; 0 means min(timeout, 5000) */
};

/* What happened. code is NULL on success, else one of these stable strings
 * (the API turns them into problem+json codes):
 *   url_invalid              not a URL we accept (syntax, length, userinfo)
 *   url_scheme_not_allowed   not https (or http when allowed)
 *   url_address_not_allowed  the host is, or resolves only to, a refused address
 *   url_fetch_failed         DNS, connect, TLS or transfer failure
 *   url_timeout              the timeout passed
 *   url_too_large            the body is larger than the buffer's cap
 *   url_http_status          the answer was not 2xx (redirects included) */
struct kyc_fetch_info {
	long status;            /* HTTP status of the answer; 0 when there was none */
	char content_type[128]; /* the Content-Type header as sent ("" if none) */
	const char *code;       /* static; see above */
	char message[256];      /* for people: what went wrong; no URL, no addresses */
};

/* Downloads url into body (appending; its max is the size cap) under the
 * rules above. Returns 0 on a 2xx answer; otherwise a negative enum kyc_err
 * (KYC_ERR_INVALID, KYC_ERR_DENIED for scheme and address, KYC_ERR_IO,
 * KYC_ERR_TIMEOUT, KYC_ERR_TOOBIG, KYC_ERR_NOMEM) with info->code and
 * info->message set; body then holds whatever partial data arrived (callers
 * should reset it). opts may be NULL (defaults: https, no loopback). Blocking;
 * safe to call from several threads at once. */
int kyc_fetch_url(const char *url, const struct kyc_fetch_opts *opts, kyc_buf *body,
                  struct kyc_fetch_info *info);

/* Checks url under the rules above that need no network (length, bytes,
 * scheme, no userinfo, a host, a literal IP host's address), so a URL kept
 * for later (a webhook endpoint) is refused when it is given. 0, or
 * KYC_ERR_INVALID / KYC_ERR_DENIED with info->code and info->message set. */
int kyc_fetch_check_url(const char *url, const struct kyc_fetch_opts *opts,
                        struct kyc_fetch_info *info);

/* 1 when the policy above lets us connect to sa, 0 when not (also for
 * families other than AF_INET/AF_INET6). */
int kyc_addr_allowed(const struct sockaddr *sa, int allow_loopback);

/* NULL when sa is allowed, else a short static reason: "loopback",
 * "private", "shared" (CGNAT), "link_local", "multicast", "broadcast",
 * "unspecified", "this_network", "documentation", "benchmarking", "reserved",
 * "unique_local", "site_local", "nat64", "6to4", "ipv4_compatible",
 * "ipv4_translated", "family". */
const char *kyc_addr_refusal(const struct sockaddr *sa, int allow_loopback);

/* Parses a URL host that is an IP literal: "[v6]" (a %zone is ignored) or an
 * IPv4 address in any form inet_aton(3) takes (decimal, octal, hex, 1 to 4
 * parts). Returns 1 and fills *ss, or 0 when host is a name. */
int kyc_addr_literal(const char *host, struct sockaddr_storage *ss);

#endif
