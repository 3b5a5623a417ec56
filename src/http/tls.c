/* TLS for kyc_server (docs/http.md, "TLS"): the certificate and key files
 * loaded into an OpenSSL context (TLS 1.2 and later, HTTP/1.1 only), which
 * h2o uses for every accepted connection, and a reload of the files that
 * swaps the context under a lock. A connection holds its own reference on
 * the context it was accepted with, so the old one lives until its last
 * connection ends. */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "core/err.h"
#include "core/log.h"
#include "http/server_int.h"

/* The last OpenSSL error as text, for a message. */
static void ssl_error(char *err, size_t errsz, const char *what, const char *path)
{
	unsigned long e = ERR_get_error();
	char buf[200] = "";
	if (e)
		ERR_error_string_n(e, buf, sizeof buf);
	snprintf(err, errsz, "%s %s: %s", what, path, buf[0] ? buf : "failed");
	ERR_clear_error();
}

int kyc__tls_load(const char *cert, const char *key, SSL_CTX **out, char *err, size_t errsz)
{
	*out = NULL;
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx) {
		ssl_error(err, errsz, "cannot make a TLS context for", cert);
		return KYC_ERR_NOMEM;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* No renegotiation, no compression, a fresh key per ECDHE handshake. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
				     SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_SINGLE_ECDH_USE);
	/* TLS 1.2 suites with forward secrecy and AEAD only (1.3's are all so). */
	if (!SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL") ||
	    SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		ssl_error(err, errsz, "cannot read the certificate", cert);
		SSL_CTX_free(ctx);
		return KYC_ERR_INVALID;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		ssl_error(err, errsz, "cannot read the private key (or it does not match)", key);
		SSL_CTX_free(ctx);
		return KYC_ERR_INVALID;
	}
	*out = ctx;
	return 0;
}

SSL_CTX *kyc__tls_acquire(kyc_server *s)
{
	pthread_mutex_lock(&s->tls_lock);
	SSL_CTX *ctx = s->ssl_ctx;
	if (ctx)
		SSL_CTX_up_ref(ctx);
	pthread_mutex_unlock(&s->tls_lock);
	return ctx;
}

void kyc__tls_reload(kyc_server *s)
{
	char err[400];
	SSL_CTX *ctx;
	if (kyc__tls_load(s->cfg.tls_cert, s->cfg.tls_key, &ctx, err, sizeof err)) {
		kyc_logf(KYC_LOG_ERROR, "TLS reload failed, the old certificate stays: %s", err);
		return;
	}
	pthread_mutex_lock(&s->tls_lock);
	SSL_CTX *old = s->ssl_ctx;
	s->ssl_ctx = ctx;
	pthread_mutex_unlock(&s->tls_lock);
	SSL_CTX_free(old);
	kyc_logf(KYC_LOG_INFO, "TLS certificate and key reloaded");
}
