/* A real HTTPS file server on loopback for the tests of URL fetching:
 * `openssl s_server -WWW` serving a temporary directory with a throwaway
 * self-signed certificate for localhost, which kycd is told to trust
 * (KYCD_FETCH_CA_FILE) and allowed to reach (KYCD_FETCH_ALLOW_LOOPBACK). */
#ifndef KYC_TEST_HTTPSD_H
#define KYC_TEST_HTTPSD_H

#include <stddef.h>

struct httpsd {
	int pid;
	int port;
	char dir[64];
	char ca_env[128]; /* "KYCD_FETCH_CA_FILE=<dir>/c.pem" for e2e_start */
};

/* Makes the certificate and starts the server; waits until it accepts. 0 or -1. */
int httpsd_start(struct httpsd *h);
/* Writes a file the server then serves at /name. 0 or -1. */
int httpsd_put(struct httpsd *h, const char *name, const void *p, size_t n);
/* "https://localhost:PORT/name" into out. */
void httpsd_url(const struct httpsd *h, const char *name, char *out, size_t outsz);
/* Stops the server and removes the directory. */
void httpsd_stop(struct httpsd *h);

#endif
