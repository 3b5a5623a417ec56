#include "net/fetch.h"

#include <curl/curl.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/version.h"

#define DEFAULT_TIMEOUT_MS 10000L
#define DEFAULT_CONNECT_MS 5000L

struct fetch {
	CURL *h;
	kyc_buf *body;
	const struct kyc_fetch_opts *o;
	const char *refused; /* the reason of the last address refused */
	int too_large;
	int bad_status;
	int nomem;
};

static int fail(struct kyc_fetch_info *info, const char *code, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(struct kyc_fetch_info *info, const char *code, int rc, const char *fmt, ...)
{
	info->code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(info->message, sizeof info->message, fmt, ap);
	va_end(ap);
	return rc;
}

/* The one place a socket is made for the transfer: curl calls it for every
 * address it tries, after resolving, so the check covers whatever DNS said
 * at that moment (a second lookup cannot change the answer afterwards). */
static curl_socket_t open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct fetch *f = clientp;
	if (purpose != CURLSOCKTYPE_IPCXN) {
		f->refused = "family";
		return CURL_SOCKET_BAD;
	}
	int sized = (a->family == AF_INET && a->addrlen >= sizeof(struct sockaddr_in)) ||
	            (a->family == AF_INET6 && a->addrlen >= sizeof(struct sockaddr_in6));
	const char *why = sized ? kyc_addr_refusal(&a->addr, f->o->allow_loopback) : "family";
	if (why) {
		f->refused = why;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct fetch *f = ud;
	size_t n = size * nmemb;
	long status = 0;
	curl_easy_getinfo(f->h, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		f->bad_status = 1; /* no need to read an error page */
		return 0;
	}
	int rc = kyc_buf_append(f->body, ptr, n);
	if (rc == KYC_ERR_TOOBIG)
		f->too_large = 1;
	else if (rc)
		f->nomem = 1;
	return rc ? 0 : n;
}

/* Adds the PEM certificates of ca_file to the trust store curl set up, so
 * they count in addition to the system CAs (CURLOPT_CAINFO would replace
 * them). */
static CURLcode add_ca(CURL *h, void *sslctx, void *ud)
{
	(void)h;
	const char *file = ud;
	X509_STORE *st = SSL_CTX_get_cert_store((SSL_CTX *)sslctx);
	if (!st || X509_STORE_load_file(st, file) != 1)
		return CURLE_SSL_CACERT_BADFILE;
	return CURLE_OK;
}

static int backend_is_openssl(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	return v && v->ssl_version && !strncmp(v->ssl_version, "OpenSSL", 7);
}

/* Checks the URL text and parses it into u. */
static int check_url(const char *url, const struct kyc_fetch_opts *o, CURLU *u,
                     struct kyc_fetch_info *info)
{
	if (!url || !*url)
		return fail(info, "url_invalid", KYC_ERR_INVALID, "the URL is empty");
	size_t n = strnlen(url, KYC_FETCH_URL_MAX + 1);
	if (n > KYC_FETCH_URL_MAX)
		return fail(info, "url_invalid", KYC_ERR_INVALID, "the URL is longer than %d bytes",
		            KYC_FETCH_URL_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[i];
		if (c <= 0x20 || c >= 0x7f)
			return fail(info, "url_invalid", KYC_ERR_INVALID,
			            "the URL has spaces, control or non-ASCII characters");
	}
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
		return fail(info, "url_invalid", KYC_ERR_INVALID, "the URL does not parse");
	char *scheme = NULL, *user = NULL, *pass = NULL, *host = NULL;
	int rc = 0;
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	if (!scheme ||
	    !(strcmp(scheme, "https") == 0 || (o->allow_http && !strcmp(scheme, "http")))) {
		rc = fail(info, "url_scheme_not_allowed", KYC_ERR_DENIED,
		          "the URL must use https://");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK) {
		rc = fail(info, "url_invalid", KYC_ERR_INVALID,
		          "credentials in the URL (user@host) are not allowed");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host || !*host) {
		rc = fail(info, "url_invalid", KYC_ERR_INVALID, "the URL has no host");
		goto out;
	}
	struct sockaddr_storage ss;
	if (kyc_addr_literal(host, &ss)) {
		const char *why = kyc_addr_refusal((struct sockaddr *)&ss, o->allow_loopback);
		if (why)
			rc = fail(info, "url_address_not_allowed", KYC_ERR_DENIED,
			          "the URL's host is a %s address", why);
	}
out:
	curl_free(scheme);
	curl_free(user);
	curl_free(pass);
	curl_free(host);
	return rc;
}

int kyc_fetch_check_url(const char *url, const struct kyc_fetch_opts *opts,
                        struct kyc_fetch_info *info)
{
	static const struct kyc_fetch_opts defaults = {0};
	memset(info, 0, sizeof *info);
	CURLU *u = curl_url();
	if (!u)
		return fail(info, "url_invalid", KYC_ERR_NOMEM, "out of memory");
	int rc = check_url(url, opts ? opts : &defaults, u, info);
	curl_url_cleanup(u);
	return rc;
}

int kyc_fetch_url(const char *url, const struct kyc_fetch_opts *opts, kyc_buf *body,
                  struct kyc_fetch_info *info)
{
	static const struct kyc_fetch_opts defaults = {0};
	const struct kyc_fetch_opts *o = opts ? opts : &defaults;
	memset(info, 0, sizeof *info);
	struct fetch f = {.body = body, .o = o};
	CURLU *u = curl_url();
	if (!u)
		return fail(info, "url_fetch_failed", KYC_ERR_NOMEM, "out of memory");
	int rc = check_url(url, o, u, info);
	if (rc)
		goto out;
	f.h = curl_easy_init();
	if (!f.h) {
		rc = fail(info, "url_fetch_failed", KYC_ERR_NOMEM, "cannot start a transfer");
		goto out;
	}
	long timeout = o->timeout_ms > 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	long connect = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : DEFAULT_CONNECT_MS;
	if (connect > timeout)
		connect = timeout;
	size_t room = body->max > body->len ? body->max - body->len : 0;
	CURL *h = f.h;
	curl_easy_setopt(h, CURLOPT_CURLU, u);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, o->allow_http ? "http,https" : "https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROXY, ""); /* never a proxy from the environment */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect);
	/* (0 would mean "no limit" to curl; on_write enforces the cap anyway) */
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)(room ? room : 1));
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &f);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &f);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "kycd/" KYC_VERSION);
	/* the bytes kept are the bytes sent: no decompression bombs */
	curl_easy_setopt(h, CURLOPT_HTTP_CONTENT_DECODING, 0L);
	if (o->ca_file && *o->ca_file) {
		if (backend_is_openssl()) {
			curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, add_ca);
			curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, (void *)o->ca_file);
		} else {
			curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file);
		}
	}
	CURLcode cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &info->status);
	char *ct = NULL;
	if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
		snprintf(info->content_type, sizeof info->content_type, "%s", ct);

	if (cc == CURLE_OK) {
		if (info->status >= 300 && info->status < 400)
			rc = fail(info, "url_http_status", KYC_ERR_IO,
			          "the server answered HTTP %ld: redirects are not followed",
			          info->status);
		else if (info->status < 200 || info->status > 299)
			rc = fail(info, "url_http_status", KYC_ERR_IO,
			          "the server answered HTTP %ld", info->status);
	} else if (f.bad_status) {
		rc = fail(info, "url_http_status", KYC_ERR_IO, "the server answered HTTP %ld%s",
		          info->status,
		          info->status >= 300 && info->status < 400 ? ": redirects are not followed"
		                                                    : "");
	} else if (f.too_large || cc == CURLE_FILESIZE_EXCEEDED) {
		rc = fail(info, "url_too_large", KYC_ERR_TOOBIG,
		          "the file is larger than %zu bytes", body->max);
	} else if (f.nomem || cc == CURLE_OUT_OF_MEMORY) {
		rc = fail(info, "url_fetch_failed", KYC_ERR_NOMEM, "out of memory");
	} else if (f.refused && (cc == CURLE_COULDNT_CONNECT || cc == CURLE_OPERATION_TIMEDOUT)) {
		/* (curl may report the refusal as a connect timeout when it had
		 * other addresses to try) */
		rc = fail(info, "url_address_not_allowed", KYC_ERR_DENIED,
		          "the URL's host resolves to a %s address", f.refused);
	} else if (cc == CURLE_OPERATION_TIMEDOUT) {
		rc = fail(info, "url_timeout", KYC_ERR_TIMEOUT, "no complete answer within %ld ms",
		          timeout);
	} else if (cc == CURLE_UNSUPPORTED_PROTOCOL) {
		rc = fail(info, "url_scheme_not_allowed", KYC_ERR_DENIED,
		          "the URL must use https://");
	} else if (cc == CURLE_URL_MALFORMAT) {
		rc = fail(info, "url_invalid", KYC_ERR_INVALID, "the URL does not parse");
	} else {
		rc = fail(info, "url_fetch_failed", KYC_ERR_IO, "the download failed: %s",
		          curl_easy_strerror(cc));
	}
out:
	if (f.h)
		curl_easy_cleanup(f.h);
	curl_url_cleanup(u);
	return rc;
}
