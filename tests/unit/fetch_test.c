/* The outbound address policy and the URL checks that need no network.
 * (tests/e2e/fetch_test.c runs real TLS servers.) */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "net/fetch.h"
#include "test.h"

/* The reason for a textual address (v4 dotted or v6), via a real sockaddr. */
static const char *why(const char *ip, int allow_loopback)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, ip, &s6->sin6_addr) != 1)
			return "BAD TEST INPUT";
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		if (inet_pton(AF_INET, ip, &s4->sin_addr) != 1)
			return "BAD TEST INPUT";
	}
	const char *r = kyc_addr_refusal((struct sockaddr *)&ss, allow_loopback);
	CHECK(kyc_addr_allowed((struct sockaddr *)&ss, allow_loopback) == (r == NULL));
	return r ? r : "allowed";
}

static const struct {
	const char *ip, *want;
} table[] = {
    /* IPv4 public */
    {"8.8.8.8", "allowed"},
    {"1.1.1.1", "allowed"},
    {"93.184.216.34", "allowed"},
    {"9.255.255.255", "allowed"},
    {"11.0.0.0", "allowed"},
    {"100.63.255.255", "allowed"},
    {"100.128.0.0", "allowed"},
    {"172.15.255.255", "allowed"},
    {"172.32.0.0", "allowed"},
    {"192.0.1.1", "allowed"},
    {"192.169.0.1", "allowed"},
    {"198.20.0.1", "allowed"},
    {"223.255.255.255", "allowed"},
    /* IPv4 refused */
    {"0.0.0.0", "this_network"},
    {"0.1.2.3", "this_network"},
    {"10.0.0.1", "private"},
    {"10.255.255.255", "private"},
    {"100.64.0.1", "shared"},
    {"100.127.255.254", "shared"},
    {"127.0.0.1", "loopback"},
    {"127.255.255.254", "loopback"},
    {"169.254.169.254", "link_local"},
    {"169.254.0.1", "link_local"},
    {"172.16.0.1", "private"},
    {"172.31.255.255", "private"},
    {"192.0.0.170", "reserved"},
    {"192.0.2.1", "documentation"},
    {"192.88.99.1", "reserved"},
    {"192.168.1.1", "private"},
    {"198.18.0.1", "benchmarking"},
    {"198.19.255.255", "benchmarking"},
    {"198.51.100.7", "documentation"},
    {"203.0.113.9", "documentation"},
    {"224.0.0.1", "multicast"},
    {"239.255.255.250", "multicast"},
    {"240.0.0.1", "reserved"},
    {"255.255.255.255", "broadcast"},
    /* IPv6 public */
    {"2001:4860:4860::8888", "allowed"},
    {"2606:4700:4700::1111", "allowed"},
    {"2a00:1450:4001:81b::200e", "allowed"},
    {"2001:200::1", "allowed"},
    {"3ffe::1", "allowed"},
    {"::ffff:8.8.8.8", "allowed"},
    /* IPv6 refused */
    {"::", "unspecified"},
    {"::1", "loopback"},
    {"::ffff:127.0.0.1", "loopback"},
    {"::ffff:10.1.2.3", "private"},
    {"::ffff:169.254.169.254", "link_local"},
    {"::ffff:0.0.0.0", "this_network"},
    {"::127.0.0.1", "ipv4_compatible"},
    {"::8.8.8.8", "ipv4_compatible"},
    {"::ffff:0:127.0.0.1", "ipv4_translated"},
    {"64:ff9b::7f00:1", "nat64"},
    {"64:ff9b::8.8.8.8", "nat64"},
    {"64:ff9b:1::a00:1", "nat64"},
    {"fc00::1", "unique_local"},
    {"fd12:3456:789a::1", "unique_local"},
    {"fe80::1", "link_local"},
    {"febf::1", "link_local"},
    {"fec0::1", "site_local"},
    {"ff02::1", "multicast"},
    {"ff05::fb", "multicast"},
    {"100::1", "reserved"},
    {"2001:db8::1", "documentation"},
    {"3fff::1", "documentation"},
    {"2001::1", "reserved"},
    {"2001:2::1", "reserved"},
    {"2001:10::1", "reserved"},
    {"2002:7f00:1::1", "6to4"},
    {"4000::1", "reserved"},
    {"1::1", "reserved"},
};

TEST(address_table)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		CHECK_STR(why(table[i].ip, 0), table[i].want);
}

/* allow_loopback opens 127/8 and ::1 and nothing else. */
TEST(allow_loopback_is_narrow)
{
	CHECK_STR(why("127.0.0.1", 1), "allowed");
	CHECK_STR(why("127.1.2.3", 1), "allowed");
	CHECK_STR(why("::1", 1), "allowed");
	CHECK_STR(why("::ffff:127.0.0.1", 1), "allowed"); /* the same address */
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		if (!strcmp(table[i].want, "loopback"))
			continue;
		CHECK_STR(why(table[i].ip, 1), table[i].want);
	}
}

TEST(other_families_refused)
{
	struct sockaddr sa = {.sa_family = AF_UNIX};
	CHECK(!kyc_addr_allowed(&sa, 1));
	CHECK(!kyc_addr_allowed(NULL, 1));
}

/* Hosts written as IP literals in the spellings resolvers accept. */
TEST(odd_literals)
{
	static const struct {
		const char *host, *ip; /* ip NULL: a name, not a literal */
	} cases[] = {
	    {"127.0.0.1", "127.0.0.1"},
	    {"2130706433", "127.0.0.1"},
	    {"0177.0.0.1", "127.0.0.1"},
	    {"0x7f.0.0.1", "127.0.0.1"},
	    {"0x7F000001", "127.0.0.1"},
	    {"127.1", "127.0.0.1"},
	    {"127.0.1", "127.0.0.1"},
	    {"017700000001", "127.0.0.1"},
	    {"0", "0.0.0.0"},
	    {"2852039166", "169.254.169.254"},
	    {"0xa9.0xfe.0xa9.0xfe", "169.254.169.254"},
	    {"[::1]", "::1"},
	    {"[::ffff:127.0.0.1]", "::ffff:127.0.0.1"},
	    {"[::ffff:7f00:1]", "::ffff:127.0.0.1"},
	    {"[fe80::1%25eth0]", "fe80::1"},
	    {"[0:0:0:0:0:0:0:1]", "::1"},
	    {"::1", "::1"},
	    {"example.com", NULL},
	    {"deadbeef", NULL},
	    {"localhost", NULL},
	    {"1.2.3.4.example", NULL},
	    {"127.0.0.1 x", NULL},
	    {"[nonsense]", NULL},
	    {"", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct sockaddr_storage ss;
		int lit = kyc_addr_literal(cases[i].host, &ss);
		if (!cases[i].ip) {
			if (lit)
				test_fail(__FILE__, __LINE__, cases[i].host);
			continue;
		}
		if (!lit) {
			test_fail(__FILE__, __LINE__, cases[i].host);
			continue;
		}
		char txt[64] = "";
		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, txt, sizeof txt);
		else
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, txt,
			          sizeof txt);
		CHECK_STR(txt, cases[i].ip);
	}
}

static const char *fetch_code(const char *url, int allow_loopback, int allow_http)
{
	static struct kyc_fetch_info info;
	struct kyc_fetch_opts o = {
	    .allow_loopback = allow_loopback, .allow_http = allow_http, .timeout_ms = 2000};
	kyc_buf b;
	kyc_buf_init(&b, 1024);
	int rc = kyc_fetch_url(url, &o, &b, &info);
	kyc_buf_release(&b);
	CHECK((rc == 0) == (info.code == NULL));
	CHECK(rc == 0 || info.message[0]);
	return info.code ? info.code : "ok";
}

/* Refusals that happen before any connection (the port is closed anyway:
 * none of these may get as far as trying it). */
TEST(url_checks)
{
	CHECK_STR(fetch_code("http://example.com/a.jpg", 0, 0), "url_scheme_not_allowed");
	CHECK_STR(fetch_code("ftp://example.com/a.jpg", 0, 1), "url_scheme_not_allowed");
	CHECK_STR(fetch_code("file:///etc/passwd", 1, 1), "url_scheme_not_allowed");
	CHECK_STR(fetch_code("gopher://127.0.0.1:1/", 1, 1), "url_scheme_not_allowed");
	CHECK_STR(fetch_code("HTTP://example.com/", 0, 0), "url_scheme_not_allowed");
	CHECK_STR(fetch_code("", 0, 0), "url_invalid");
	CHECK_STR(fetch_code("example.com/a.jpg", 0, 0), "url_invalid");
	CHECK_STR(fetch_code("https://", 0, 0), "url_invalid");
	CHECK_STR(fetch_code("https://user:pw@example.com/a.jpg", 0, 0), "url_invalid");
	CHECK_STR(fetch_code("https://user@example.com/a.jpg", 0, 0), "url_invalid");
	CHECK_STR(fetch_code("https://exa mple.com/", 0, 0), "url_invalid");
	CHECK_STR(fetch_code("https://example.com/\xc3\xa9", 0, 0), "url_invalid");
	CHECK_STR(fetch_code("https://example.com/\r\nX: y", 0, 0), "url_invalid");
	char long_url[KYC_FETCH_URL_MAX + 64];
	snprintf(long_url, sizeof long_url, "https://example.com/");
	size_t n = strlen(long_url);
	memset(long_url + n, 'a', sizeof long_url - n - 1);
	long_url[sizeof long_url - 1] = '\0';
	CHECK_STR(fetch_code(long_url, 0, 0), "url_invalid");

	static const char *const internal[] = {
	    "https://127.0.0.1/",
	    "https://2130706433/",
	    "https://0177.0.0.1/",
	    "https://0x7f.0.0.1/",
	    "https://0x7f000001:8443/x",
	    "https://127.1/",
	    "https://[::1]/",
	    "https://[::ffff:127.0.0.1]/",
	    "https://[::ffff:7f00:1]/",
	    "https://169.254.169.254/latest/meta-data/",
	    "https://2852039166/latest/meta-data/",
	    "https://[fd00:ec2::254]/",
	    "https://[fe80::1%25lo]/",
	    "https://10.0.0.1/",
	    "https://0.0.0.0/",
	    "https://[::]/",
	    "https://192.168.0.1:443/",
	    "https://100.100.100.200/",
	    "https://[64:ff9b::a9fe:a9fe]/",
	    "https://224.0.0.1/",
	};
	for (size_t i = 0; i < sizeof internal / sizeof internal[0]; i++) {
		const char *code = fetch_code(internal[i], 0, 0);
		if (strcmp(code, "url_address_not_allowed") != 0)
			test_fail_str(__FILE__, __LINE__, internal[i], code,
			              "url_address_not_allowed");
	}
	/* allow_loopback does not open the rest */
	CHECK_STR(fetch_code("https://10.0.0.1/", 1, 0), "url_address_not_allowed");
	CHECK_STR(fetch_code("https://169.254.169.254/", 1, 0), "url_address_not_allowed");
	CHECK_STR(fetch_code("https://[::ffff:192.168.0.1]/", 1, 0), "url_address_not_allowed");
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	RUN(address_table);
	RUN(allow_loopback_is_narrow);
	RUN(other_families_refused);
	RUN(odd_literals);
	RUN(url_checks);
	curl_global_cleanup();
	return test_done("fetch");
}
