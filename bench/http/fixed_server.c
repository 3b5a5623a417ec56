/* bench/http/fixed_server: the HTTP layer alone (src/http/server.c: h2o,
 * router, request ids, metrics, access log) serving one fixed body at
 * GET /v1/verifications/{id}, with no database or auth behind it, so that
 * bench/http/run can tell the server's cost apart from the API's.
 *
 *   fixed_server HOST:PORT THREADS BODY_FILE
 *
 * Runs until SIGTERM/SIGINT. Built by bench/http/run against
 * build/release/libkycd.a; not part of kycd. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/server.h"

static char *body;
static size_t body_len;

static void get_verification(kyc_req *r)
{
	kyc_str id = kyc_req_param(r, 0);
	if (!id.len) {
		kyc_req_respond(r, 400, "text/plain", "no id", 5);
		return;
	}
	kyc_req_respond(r, 200, "application/json", body, body_len);
}

static int load(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	body = malloc(1u << 20);
	body_len = body ? fread(body, 1, 1u << 20, f) : 0;
	fclose(f);
	return body ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: fixed_server HOST:PORT THREADS BODY_FILE\n");
		return 2;
	}
	if (load(argv[3]) != 0) {
		fprintf(stderr, "fixed_server: cannot read %s\n", argv[3]);
		return 1;
	}
	char *end;
	long threads = strtol(argv[2], &end, 10);
	if (*end || threads < 0 || threads > 256) {
		fprintf(stderr, "fixed_server: bad thread count\n");
		return 2;
	}
	struct kyc_server_config cfg = {.listen = argv[1], .threads = (int)threads};
	char err[256];
	kyc_server *s = kyc_server_new(&cfg, err, sizeof err);
	if (!s || kyc_server_route(s, "GET", "/v1/verifications/{id}", get_verification) != 0 ||
	    kyc_server_listen(s, err, sizeof err) != 0) {
		fprintf(stderr, "fixed_server: %s\n", s ? err : "cannot create the server");
		kyc_server_free(s);
		return 1;
	}
	int rc = kyc_server_run(s);
	kyc_server_free(s);
	free(body);
	return rc ? 1 : 0;
}
