/* Shared by the penetration-test replays (security_test.c,
 * security_net_test.c): two real `kycd serve` (srv with small login and hash
 * pools, srv_b with a public URL, a metrics token and cleartext HTTP/2 on),
 * raw sockets, the CLI. Everything is static: each test program gets its own
 * copy. */
#ifndef KYC_SECURITY_KIT_H
#define KYC_SECURITY_KIT_H

#define HELPER static __attribute__((unused))

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "e2e.h"
#include "test.h"

HELPER struct e2e_server srv, srv_b;
HELPER char admin_key[128], tenant_id[64], reviewer_key[128];
HELPER char op_password[64], ops_password[64];

#define METRICS_TOKEN "metrics-secret-4f1c"
#define PUBLIC_URL "https://kyc.example.com"

/* ---- raw sockets ---- */

HELPER int raw_connect(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* a guard against a hang only: every read below expects an answer or EOF */
	struct timeval tv = {.tv_sec = 20};
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends req and reads until the server closes the connection. *closed is 1
 * when it did (EOF), 0 when the read guard ran out with the connection still
 * open. The answer is malloc()ed and NUL-terminated. */
HELPER char *raw_exchange(int port, const char *req, size_t len, int *closed)
{
	int fd = raw_connect(port);
	*closed = 0;
	if (fd < 0)
		return NULL;
	size_t off = 0;
	while (off < len) {
		ssize_t n = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	size_t cap = 1 << 16, got = 0;
	char *buf = malloc(cap);
	for (;;) {
		ssize_t n = recv(fd, buf + got, cap - got - 1, 0);
		if (n == 0 || (n < 0 && errno == ECONNRESET)) {
			*closed = 1;
			break;
		}
		if (n < 0)
			break;
		got += (size_t)n;
		if (got + 1 >= cap)
			break;
	}
	buf[got] = '\0';
	close(fd);
	return buf;
}

HELPER int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Runs a CLI command on srv's data and copies one string of its JSON line
 * into out. 0 or -1. */
HELPER int cli_string(const char *const *args, const char *key, char *out, size_t outsz)
{
	char *txt = NULL;
	out[0] = '\0';
	int rc = e2e_cli(&srv, &txt, args);
	json_t *j = rc == 0 && txt ? json_loads(txt, 0, NULL) : NULL;
	snprintf(out, outsz, "%s", json_string_value(json_object_get(j, key)) ?: "");
	json_decref(j);
	free(txt);
	return out[0] ? 0 : -1;
}

HELPER int setup(void)
{
	if (e2e_data_dir(&srv) || e2e_tenant(&srv, "sec", admin_key, tenant_id))
		return -1;
	const char *kargs[] = {"key", "create", tenant_id, "--role", "reviewer", NULL};
	const char *oargs[] = {"operator", "create", tenant_id, "sec-admin", "--role", "admin", NULL};
	const char *o2args[] = {"operator", "create", tenant_id, "sec-ops", NULL};
	const char *env_a[] = {"KYCD_THREADS=1", "KYCD_HASH_THREADS=1", "KYCD_LOGIN_BURST=20", NULL};
	const char *env_b[] = {"KYCD_PUBLIC_URL=" PUBLIC_URL, "KYCD_METRICS_TOKEN=" METRICS_TOKEN,
			       "KYCD_H2C=1", NULL};
	if (cli_string(kargs, "api_key", reviewer_key, sizeof reviewer_key) ||
	    cli_string(oargs, "password", op_password, sizeof op_password) ||
	    cli_string(o2args, "password", ops_password, sizeof ops_password) ||
	    e2e_start(&srv, env_a) || e2e_data_dir(&srv_b) || e2e_start(&srv_b, env_b))
		return -1;
	return 0;
}

/* Starts both servers; 0 on success, else prints the failed run line for NAME. */
HELPER int security_start(const char *name)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (setup()) {
		fprintf(stderr, "cannot start kycd\n");
		e2e_stop(&srv);
		e2e_stop(&srv_b);
		e2e_cleanup(&srv);
		e2e_cleanup(&srv_b);
		printf("[%s] 0 passed, 1 failed\n", name);
		return 1;
	}
	return 0;
}

HELPER void security_stop(void)
{
	e2e_stop(&srv);
	e2e_stop(&srv_b);
	e2e_cleanup(&srv);
	e2e_cleanup(&srv_b);
	curl_global_cleanup();
}

#endif
