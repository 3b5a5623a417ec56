/* kycd serving https itself (--tls-cert/--tls-key, here KYCD_TLS_CERT and
 * KYCD_TLS_KEY) with certificates made at test time by openssl: answers over
 * TLS 1.2+ with HSTS, refuses TLS 1.1 and plain http on the port, reloads
 * its certificate on SIGHUP (and keeps the old one when the new files are
 * bad), and makes the console's cookie Secure. docs/security.md, "TLS". */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "e2e.h"
#include "test.h"

static struct e2e_server srv;
static char dir[64], ca_a[128], tenant_id[64], admin_key[128], op_password[64];

static int sh(const char *fmt, const char *arg)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, fmt, arg, arg, arg, arg);
	return system(cmd) == 0 ? 0 : -1;
}

/* Connects with TLS between min and max and reads the server certificate's
 * CN into cn. Returns the negotiated version (TLS1_2_VERSION, ...) or -1
 * when the handshake fails. */
static int tls_probe(int min, int max, char cn[64])
{
	int ver = -1;
	cn[0] = '\0';
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx)
		return -1;
	/* the client would do old versions; the server must be what refuses */
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
	SSL_CTX_set_min_proto_version(ctx, min);
	SSL_CTX_set_max_proto_version(ctx, max);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)srv.port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct timeval tv = {.tv_sec = 20};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	SSL *ssl = NULL;
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
		ssl = SSL_new(ctx);
		SSL_set_fd(ssl, fd);
		if (SSL_connect(ssl) == 1) {
			ver = SSL_version(ssl);
			X509 *peer = SSL_get1_peer_certificate(ssl);
			if (peer) {
				X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn,
							  64);
				X509_free(peer);
			}
			SSL_shutdown(ssl);
		}
		SSL_free(ssl);
	}
	if (fd >= 0)
		close(fd);
	SSL_CTX_free(ctx);
	return ver;
}

TEST(https_with_hsts)
{
	struct e2e_resp r;
	REQUIRE(e2e_req(&srv, "GET", "/healthz", NULL, NULL, 0, &r) == 0);
	CHECK_INT(r.status, 200);
	char v[64];
	CHECK(e2e_header(&r, "strict-transport-security", v, sizeof v) &&
	      !strcmp(v, "max-age=31536000"));
	e2e_resp_free(&r);
	/* problems h2o makes itself carry it too */
	REQUIRE(e2e_req(&srv, "GET", "/nope", NULL, NULL, 0, &r) == 0);
	CHECK_INT(r.status, 404);
	CHECK(e2e_header(&r, "strict-transport-security", v, sizeof v));
	e2e_resp_free(&r);
}

TEST(tls_versions)
{
	char cn[64];
	CHECK_INT(tls_probe(TLS1_2_VERSION, TLS1_2_VERSION, cn), TLS1_2_VERSION);
	CHECK_STR(cn, "kycd-a");
	CHECK_INT(tls_probe(TLS1_3_VERSION, TLS1_3_VERSION, cn), TLS1_3_VERSION);
	CHECK_INT(tls_probe(TLS1_VERSION, TLS1_1_VERSION, cn), -1);
}

TEST(plain_http_on_the_tls_port_fails)
{
	struct e2e_server plain = srv;
	plain.tls_ca = NULL;
	snprintf(plain.base, sizeof plain.base, "http://127.0.0.1:%d", srv.port);
	struct e2e_resp r;
	int rc = e2e_req(&plain, "GET", "/healthz", NULL, NULL, 0, &r);
	CHECK(rc != 0 || r.status != 200);
	if (rc == 0)
		e2e_resp_free(&r);
}

TEST(console_cookie_secure_over_https)
{
	char body[256], origin[96], v[256];
	snprintf(body, sizeof body, "{\"username\":\"tls-op\",\"password\":\"%s\"}", op_password);
	snprintf(origin, sizeof origin, "Origin: https://127.0.0.1:%d", srv.port);
	const char *h[] = {"Content-Type: application/json", origin, NULL};
	struct e2e_resp r;
	REQUIRE(e2e_req(&srv, "POST", "/console/api/login", h, body, strlen(body), &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK(e2e_header(&r, "set-cookie", v, sizeof v) && strstr(v, "; Secure") != NULL);
	e2e_resp_free(&r);
}

/* Polls until the served certificate's CN is want (the reload happens on
 * the server's next loop turn), for at most about 15 s. */
static int wait_for_cn(const char *want)
{
	char cn[64];
	for (int i = 0; i < 300; i++) {
		if (tls_probe(TLS1_2_VERSION, TLS1_3_VERSION, cn) > 0 && !strcmp(cn, want))
			return 1;
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return 0;
}

TEST(reload_on_sighup)
{
	char cn[64];
	REQUIRE(sh("cp %s/c2.pem %s/cert.pem && cp %s/k2.pem %s/key.pem", dir) == 0);
	/* nothing changes until the signal */
	CHECK(tls_probe(TLS1_2_VERSION, TLS1_3_VERSION, cn) > 0 && !strcmp(cn, "kycd-a"));
	kill(srv.pid, SIGHUP);
	CHECK(wait_for_cn("kycd-b"));
	/* files that do not load: the server keeps serving what it has */
	REQUIRE(sh("echo broken > %s/cert.pem", dir) == 0);
	kill(srv.pid, SIGHUP);
	for (int i = 0; i < 10; i++) {
		CHECK(tls_probe(TLS1_2_VERSION, TLS1_3_VERSION, cn) > 0);
		CHECK_STR(cn, "kycd-b");
	}
	CHECK(kill(srv.pid, 0) == 0);
}

static int setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/kycd-tls-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	static const char mk[] =
	    "cd %s && for n in 1 2; do cn=kycd-a; [ $n = 2 ] && cn=kycd-b; "
	    "openssl req -x509 -newkey rsa:2048 -nodes -keyout k$n.pem -out c$n.pem -days 1 "
	    "-subj /CN=$cn -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 || exit 1; done; "
	    "cp c1.pem cert.pem && cp k1.pem key.pem";
	if (sh(mk, dir))
		return -1;
	snprintf(ca_a, sizeof ca_a, "%s/c1.pem", dir);
	static char env_cert[160], env_key[160];
	snprintf(env_cert, sizeof env_cert, "KYCD_TLS_CERT=%s/cert.pem", dir);
	snprintf(env_key, sizeof env_key, "KYCD_TLS_KEY=%s/key.pem", dir);
	const char *env[] = {env_cert, env_key, NULL};
	if (e2e_data_dir(&srv) || e2e_tenant(&srv, "tls", admin_key, tenant_id))
		return -1;
	char *out = NULL;
	const char *oargs[] = {"operator", "create", tenant_id, "tls-op", NULL};
	if (e2e_cli(&srv, &out, oargs) != 0 || !out) {
		free(out);
		return -1;
	}
	json_t *j = json_loads(out, 0, NULL);
	free(out);
	snprintf(op_password, sizeof op_password, "%s",
		 json_string_value(json_object_get(j, "password")) ?: "");
	json_decref(j);
	srv.tls_ca = ca_a;
	return e2e_start(&srv, env);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int ok = setup() == 0;
	if (ok) {
		RUN(https_with_hsts);
		RUN(tls_versions);
		RUN(plain_http_on_the_tls_port_fails);
		RUN(console_cookie_secure_over_https);
		/* the reload last: afterwards the server's certificate is not the trusted one */
		RUN(reload_on_sighup);
	}
	e2e_stop(&srv);
	e2e_cleanup(&srv);
	sh("rm -rf %s", dir);
	curl_global_cleanup();
	if (!ok) {
		fprintf(stderr, "cannot start kycd with TLS\n");
		printf("[tls] 0 passed, 1 failed\n");
		return 1;
	}
	return test_done("tls");
}
