/* kyc_fetch_url against real TLS servers on loopback: a throwaway CA-less
 * self-signed certificate made with OpenSSL at test time, a small HTTPS
 * server in a thread (OpenSSL, one connection at a time) and a listener that
 * never answers. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "net/fetch.h"
#include "test.h"

static char tmpdir[256];
static char ca_path[300];

struct server {
	int lfd;
	int port;
	int lfd6; /* the same server on [::1] when the machine has IPv6, else -1 */
	int port6;
	SSL_CTX *ctx;
	pthread_t th;
	atomic_int stop;
	atomic_int requests;  /* connections that completed a TLS handshake */
	atomic_long big_sent; /* bytes of /big the client accepted */
};

static struct server srv;
static unsigned char small_img[1500];

static int add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX c;
	X509V3_set_ctx_nodb(&c);
	X509V3_set_ctx(&c, x, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &c, nid, value);
	if (!e)
		return -1;
	int ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok ? 0 : -1;
}

/* A self-signed P-256 certificate for localhost, 127.0.0.1 and ::1; the
 * certificate (PEM) is what the client is told to trust. */
static int make_cert(EVP_PKEY **key_out, X509 **cert_out)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	if (!key || !x)
		return -1;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)time(NULL));
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
	X509_set_pubkey(x, key);
	X509_NAME *nm = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)"kycd test", -1,
	                           -1, 0);
	X509_set_issuer_name(x, nm);
	if (add_ext(x, NID_basic_constraints, "critical,CA:TRUE") ||
	    add_ext(x, NID_subject_key_identifier, "hash") ||
	    add_ext(x, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1") ||
	    !X509_sign(x, key, EVP_sha256()))
		return -1;
	FILE *f = fopen(ca_path, "w");
	if (!f)
		return -1;
	int ok = PEM_write_X509(f, x);
	fclose(f);
	*key_out = key;
	*cert_out = x;
	return ok ? 0 : -1;
}

static int listen_loopback(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof sa;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) || listen(fd, 16) ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl)) {
		close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

static int listen_loopback6(int *port)
{
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	socklen_t sl = sizeof sa;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) || listen(fd, 16) ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl)) {
		close(fd);
		return -1;
	}
	*port = ntohs(sa.sin6_port);
	return fd;
}

static int ssl_puts(SSL *s, const char *txt)
{
	return SSL_write(s, txt, (int)strlen(txt)) > 0 ? 0 : -1;
}

static void respond(SSL *s, const char *path)
{
	char head[512];
	if (!strcmp(path, "/ok.jpg")) {
		snprintf(head, sizeof head,
		         "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: %zu\r\n"
		         "Connection: close\r\n\r\n",
		         sizeof small_img);
		if (ssl_puts(s, head) == 0)
			SSL_write(s, small_img, sizeof small_img);
	} else if (!strcmp(path, "/big")) {
		/* no Content-Length: only counting the bytes can stop it */
		if (ssl_puts(s, "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n"
		                "Connection: close\r\n\r\n"))
			return;
		static char chunk[16384];
		memset(chunk, 'x', sizeof chunk);
		for (int i = 0; i < 64 * 64; i++) { /* 64 MB unless the client hangs up */
			if (SSL_write(s, chunk, sizeof chunk) <= 0)
				break;
			atomic_fetch_add(&srv.big_sent, sizeof chunk);
		}
	} else if (!strcmp(path, "/biglen")) {
		ssl_puts(s, "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n"
		            "Content-Length: 50000000\r\nConnection: close\r\n\r\nxxxx");
	} else if (!strcmp(path, "/redirect")) {
		snprintf(head, sizeof head,
		         "HTTP/1.1 302 Found\r\nLocation: https://127.0.0.1:%d/ok.jpg\r\n"
		         "Content-Length: 0\r\nConnection: close\r\n\r\n",
		         srv.port);
		ssl_puts(s, head);
	} else if (!strcmp(path, "/redirect-meta")) {
		ssl_puts(s, "HTTP/1.1 301 Moved\r\nLocation: https://169.254.169.254/latest/\r\n"
		            "Content-Type: text/html\r\nContent-Length: 9\r\nConnection: close\r\n"
		            "\r\n<a>x</a>\n");
	} else {
		ssl_puts(s, "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n"
		            "Content-Length: 10\r\nConnection: close\r\n\r\nnot found\n");
	}
}

static void serve_one(int fd)
{
	struct timeval tv = {.tv_sec = 5};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	SSL *s = SSL_new(srv.ctx);
	if (!s)
		return;
	SSL_set_fd(s, fd);
	if (SSL_accept(s) == 1) {
		atomic_fetch_add(&srv.requests, 1);
		char req[4096];
		size_t n = 0;
		while (n < sizeof req - 1) {
			int r = SSL_read(s, req + n, (int)(sizeof req - 1 - n));
			if (r <= 0)
				break;
			n += (size_t)r;
			req[n] = '\0';
			if (strstr(req, "\r\n\r\n"))
				break;
		}
		req[n] = '\0';
		char path[256] = "";
		if (sscanf(req, "GET %255s HTTP/1.1", path) == 1)
			respond(s, path);
		SSL_shutdown(s);
	}
	SSL_free(s);
}

static void *server_main(void *arg)
{
	(void)arg;
	while (!atomic_load(&srv.stop)) {
		struct pollfd p[2] = {{.fd = srv.lfd, .events = POLLIN},
		                      {.fd = srv.lfd6, .events = POLLIN}};
		if (poll(p, srv.lfd6 >= 0 ? 2 : 1, 100) <= 0)
			continue;
		for (int i = 0; i < 2; i++) {
			if (!(p[i].revents & POLLIN))
				continue;
			int fd = accept(p[i].fd, NULL, NULL);
			if (fd < 0)
				continue;
			serve_one(fd);
			close(fd);
		}
	}
	return NULL;
}

static int start_server(void)
{
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	if (make_cert(&key, &cert))
		return -1;
	srv.ctx = SSL_CTX_new(TLS_server_method());
	if (!srv.ctx || SSL_CTX_use_certificate(srv.ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey(srv.ctx, key) != 1)
		return -1;
	X509_free(cert);
	EVP_PKEY_free(key);
	srv.lfd = listen_loopback(&srv.port);
	if (srv.lfd < 0)
		return -1;
	srv.lfd6 = listen_loopback6(&srv.port6);
	return pthread_create(&srv.th, NULL, server_main, NULL) ? -1 : 0;
}

static void stop_server(void)
{
	atomic_store(&srv.stop, 1);
	pthread_join(srv.th, NULL);
	close(srv.lfd);
	if (srv.lfd6 >= 0)
		close(srv.lfd6);
	SSL_CTX_free(srv.ctx);
}

/* One fetch; returns its code ("ok" on success). */
static const char *get(const char *path_or_url, struct kyc_fetch_opts o, size_t cap,
                       struct kyc_fetch_info *info, kyc_buf *out)
{
	char url[512];
	if (strstr(path_or_url, "://"))
		snprintf(url, sizeof url, "%s", path_or_url);
	else
		snprintf(url, sizeof url, "https://127.0.0.1:%d%s", srv.port, path_or_url);
	kyc_buf_init(out, cap);
	int rc = kyc_fetch_url(url, &o, out, info);
	CHECK((rc == 0) == (info->code == NULL));
	return info->code ? info->code : "ok";
}

static struct kyc_fetch_opts test_opts(void)
{
	return (struct kyc_fetch_opts){.allow_loopback = 1, .ca_file = ca_path, .timeout_ms = 5000};
}

TEST(fetch_works_with_loopback_and_ca)
{
	struct kyc_fetch_info info;
	kyc_buf b;
	CHECK_STR(get("/ok.jpg", test_opts(), 1 << 20, &info, &b), "ok");
	CHECK_INT(info.status, 200);
	CHECK_STR(info.content_type, "image/jpeg");
	CHECK_INT(b.len, sizeof small_img);
	CHECK(b.len == sizeof small_img && !memcmp(b.data, small_img, b.len));
	kyc_buf_release(&b);

	/* by name too: the certificate names localhost */
	char url[128];
	snprintf(url, sizeof url, "https://localhost:%d/ok.jpg", srv.port);
	CHECK_STR(get(url, test_opts(), 1 << 20, &info, &b), "ok");
	CHECK_INT(b.len, sizeof small_img);
	kyc_buf_release(&b);
}

/* The IPv6 path of the socket hook, when the machine has IPv6 loopback. */
TEST(ipv6_loopback)
{
	if (srv.lfd6 < 0) {
		fprintf(stderr, "  (no IPv6 loopback here: skipped)\n");
		return;
	}
	struct kyc_fetch_info info;
	kyc_buf b;
	char url[128];
	snprintf(url, sizeof url, "https://[::1]:%d/ok.jpg", srv.port6);
	CHECK_STR(get(url, test_opts(), 1 << 20, &info, &b), "ok");
	CHECK_INT(b.len, sizeof small_img);
	kyc_buf_release(&b);
	int before = atomic_load(&srv.requests);
	struct kyc_fetch_opts o = test_opts();
	o.allow_loopback = 0;
	CHECK_STR(get(url, o, 1 << 20, &info, &b), "url_address_not_allowed");
	kyc_buf_release(&b);
	/* by name: localhost resolves to ::1 (and 127.0.0.1); both refused */
	snprintf(url, sizeof url, "https://localhost:%d/ok.jpg", srv.port6);
	CHECK_STR(get(url, o, 1 << 20, &info, &b), "url_address_not_allowed");
	kyc_buf_release(&b);
	CHECK_INT(atomic_load(&srv.requests), before);
}

TEST(untrusted_certificate_fails)
{
	struct kyc_fetch_info info;
	kyc_buf b;
	struct kyc_fetch_opts o = test_opts();
	o.ca_file = NULL;
	CHECK_STR(get("/ok.jpg", o, 1 << 20, &info, &b), "url_fetch_failed");
	CHECK_INT(b.len, 0);
	kyc_buf_release(&b);
}

/* Without allow_loopback nothing reaches the server, whatever the spelling. */
TEST(loopback_refused_without_the_option)
{
	int before = atomic_load(&srv.requests);
	struct kyc_fetch_opts o = test_opts();
	o.allow_loopback = 0;
	const char *hosts[] = {"127.0.0.1",  "localhost", "2130706433",         "0177.0.0.1",
	                       "0x7f.0.0.1", "127.1",     "[::ffff:127.0.0.1]", "[::1]"};
	for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
		char url[128];
		snprintf(url, sizeof url, "https://%s:%d/ok.jpg", hosts[i], srv.port);
		struct kyc_fetch_info info;
		kyc_buf b;
		const char *code = get(url, o, 1 << 20, &info, &b);
		if (strcmp(code, "url_address_not_allowed") != 0)
			test_fail_str(__FILE__, __LINE__, hosts[i], code,
			              "url_address_not_allowed");
		CHECK(strstr(info.message, "loopback") != NULL);
		/* a name is judged by what it resolved to, in the socket hook */
		if (!strcmp(hosts[i], "localhost"))
			CHECK(strstr(info.message, "resolves to") != NULL);
		kyc_buf_release(&b);
	}
	CHECK_INT(atomic_load(&srv.requests), before);
}

TEST(http_refused)
{
	struct kyc_fetch_info info;
	kyc_buf b;
	char url[128];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/ok.jpg", srv.port);
	int before = atomic_load(&srv.requests);
	CHECK_STR(get(url, test_opts(), 1 << 20, &info, &b), "url_scheme_not_allowed");
	kyc_buf_release(&b);
	CHECK_INT(atomic_load(&srv.requests), before);
}

TEST(oversize_aborted)
{
	struct kyc_fetch_info info;
	kyc_buf b;
	CHECK_STR(get("/big", test_opts(), 1 << 20, &info, &b), "url_too_large");
	CHECK(b.len <= (1 << 20));
	kyc_buf_release(&b);
	/* cut off, not read to the end: what the server got rid of is the
	 * cap plus what socket buffers hold, far below the 64 MB it offered */
	CHECK(atomic_load(&srv.big_sent) < 32L << 20);
	/* announced by Content-Length: refused before the body */
	CHECK_STR(get("/biglen", test_opts(), 1 << 20, &info, &b), "url_too_large");
	CHECK(b.len <= 4);
	kyc_buf_release(&b);
	/* the same file fits a larger cap */
	CHECK_STR(get("/ok.jpg", test_opts(), sizeof small_img, &info, &b), "ok");
	kyc_buf_release(&b);
	CHECK_STR(get("/ok.jpg", test_opts(), sizeof small_img - 1, &info, &b), "url_too_large");
	kyc_buf_release(&b);
	CHECK_STR(get("/ok.jpg", test_opts(), 0, &info, &b), "url_too_large");
	kyc_buf_release(&b);
}

TEST(redirects_refused)
{
	struct kyc_fetch_info info;
	kyc_buf b;
	int before = atomic_load(&srv.requests);
	CHECK_STR(get("/redirect", test_opts(), 1 << 20, &info, &b), "url_http_status");
	CHECK_INT(info.status, 302);
	CHECK(strstr(info.message, "redirect") != NULL);
	kyc_buf_release(&b);
	CHECK_INT(atomic_load(&srv.requests), before + 1); /* not followed */
	CHECK_STR(get("/redirect-meta", test_opts(), 1 << 20, &info, &b), "url_http_status");
	CHECK_INT(info.status, 301);
	CHECK_INT(b.len, 0);
	kyc_buf_release(&b);
}

TEST(error_status)
{
	struct kyc_fetch_info info;
	kyc_buf b;
	CHECK_STR(get("/missing", test_opts(), 1 << 20, &info, &b), "url_http_status");
	CHECK_INT(info.status, 404);
	CHECK_INT(b.len, 0);
	kyc_buf_release(&b);
}

/* A listener that never accepts: TCP connects (the kernel does that) but the
 * TLS handshake never comes. */
TEST(silent_server_times_out)
{
	int port;
	int fd = listen_loopback(&port);
	REQUIRE(fd >= 0);
	char url[128];
	snprintf(url, sizeof url, "https://127.0.0.1:%d/ok.jpg", port);
	struct kyc_fetch_opts o = test_opts();
	o.timeout_ms = 700;
	struct kyc_fetch_info info;
	kyc_buf b;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_STR(get(url, o, 1 << 20, &info, &b), "url_timeout");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	CHECK(s >= 0.5 && s < 5.0); /* curl enforces it; slack for loaded CI */
	kyc_buf_release(&b);
	close(fd);
}

/* A proxy from the environment would be what is connected to (and would
 * hide the destination from the address check): it must be ignored. Here
 * it points at a closed port, so using it would fail the download. */
TEST(environment_proxy_ignored)
{
	int port;
	int fd = listen_loopback(&port);
	REQUIRE(fd >= 0);
	close(fd);
	char proxy[64];
	snprintf(proxy, sizeof proxy, "http://127.0.0.1:%d", port);
	static const char *const vars[] = {"https_proxy", "HTTPS_PROXY", "http_proxy", "ALL_PROXY",
	                                   "all_proxy"};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		setenv(vars[i], proxy, 1);
	struct kyc_fetch_info info;
	kyc_buf b;
	CHECK_STR(get("/ok.jpg", test_opts(), 1 << 20, &info, &b), "ok");
	kyc_buf_release(&b);
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		unsetenv(vars[i]);
}

/* Plain HTTP: one connection, one fixed answer. */
static void *plain_once(void *arg)
{
	int lfd = *(int *)arg;
	int fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	char req[2048];
	size_t n = 0;
	while (n < sizeof req - 1) {
		ssize_t r = read(fd, req + n, sizeof req - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		req[n] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	static const char ans[] = "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n"
	                          "Content-Length: 5\r\nConnection: close\r\n\r\nplain";
	if (write(fd, ans, sizeof ans - 1) < 0)
		perror("write");
	close(fd);
	return NULL;
}

TEST(http_only_when_allowed)
{
	int port;
	int fd = listen_loopback(&port);
	REQUIRE(fd >= 0);
	pthread_t th;
	REQUIRE(pthread_create(&th, NULL, plain_once, &fd) == 0);
	char url[128];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/a.png", port);
	struct kyc_fetch_opts o = test_opts();
	struct kyc_fetch_info info;
	kyc_buf b;
	CHECK_STR(get(url, o, 1 << 20, &info, &b), "url_scheme_not_allowed");
	kyc_buf_release(&b);
	o.allow_http = 1;
	CHECK_STR(get(url, o, 1 << 20, &info, &b), "ok");
	CHECK_INT(b.len, 5);
	CHECK_STR(b.data, "plain");
	CHECK_STR(info.content_type, "image/png");
	kyc_buf_release(&b);
	pthread_join(th, NULL);
	close(fd);
}

/* A closed port is a fetch failure, not a timeout or an address refusal. */
TEST(closed_port_fails)
{
	int port;
	int fd = listen_loopback(&port);
	REQUIRE(fd >= 0);
	close(fd);
	char url[128];
	snprintf(url, sizeof url, "https://127.0.0.1:%d/ok.jpg", port);
	struct kyc_fetch_info info;
	kyc_buf b;
	CHECK_STR(get(url, test_opts(), 1 << 20, &info, &b), "url_fetch_failed");
	kyc_buf_release(&b);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const char *t = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/kycd-fetch-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(ca_path, sizeof ca_path, "%s/ca.pem", tmpdir);
	for (size_t i = 0; i < sizeof small_img; i++)
		small_img[i] = (unsigned char)(i * 31 + 1);
	if (start_server() != 0) {
		ERR_print_errors_fp(stderr);
		test_fail(__FILE__, __LINE__, "start the TLS server");
		return test_done("fetch_e2e");
	}
	RUN(fetch_works_with_loopback_and_ca);
	RUN(ipv6_loopback);
	RUN(untrusted_certificate_fails);
	RUN(loopback_refused_without_the_option);
	RUN(http_refused);
	RUN(oversize_aborted);
	RUN(redirects_refused);
	RUN(error_status);
	RUN(silent_server_times_out);
	RUN(closed_port_fails);
	RUN(http_only_when_allowed);
	RUN(environment_proxy_ignored);
	stop_server();
	unlink(ca_path);
	rmdir(tmpdir);
	curl_global_cleanup();
	return test_done("fetch_e2e");
}
