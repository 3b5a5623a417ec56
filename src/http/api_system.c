/* Routes without a tenant: health, metrics, the OpenAPI document. */
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "http/api.h"
#include "http/metrics.h"
#include "store/blob.h"

/* docs/openapi.yaml, linked into the binary (see the .incbin below) so the
 * server needs no file at run time. */
extern const char kyc_openapi_yaml[];
extern const char kyc_openapi_yaml_end[];
__asm__(".section .rodata\n"
	".global kyc_openapi_yaml\n"
	".global kyc_openapi_yaml_end\n"
	"kyc_openapi_yaml:\n"
	".incbin \"docs/openapi.yaml\"\n"
	"kyc_openapi_yaml_end:\n"
	".byte 0\n"
	".previous\n");

API_HANDLER(healthz, API_PUBLIC)
{
	/* Touches the database so a broken store shows as unhealthy. */
	int v = kyc_store_schema_version(c->store);
	if (v <= 0) {
		api_problem(c, 503, "store_unavailable", NULL, "the database is not readable");
		return;
	}
	api_json(c, 200, json_pack("{s:s, s:i}", "status", "ok", "schema_version", v));
}

/* 1 when no metrics token is set, or the request presents it as a bearer
 * token (compared in constant time for tokens of equal length). */
static int metrics_allowed(struct api_call *c)
{
	const char *want = c->app->metrics_token;
	if (!want || !*want)
		return 1;
	kyc_str h = kyc_req_header(c->req, "authorization");
	size_t n = strlen(want);
	return h.ptr && h.len == 7 + n && !strncasecmp(h.ptr, "bearer ", 7) &&
	       CRYPTO_memcmp(h.ptr + 7, want, n) == 0;
}

/* Readiness for a load balancer: this node can take traffic when its
 * database answers a read and its blob store takes a write. /healthz stays
 * the liveness probe (the process answers). */
API_HANDLER(readyz, API_PUBLIC)
{
	if (kyc_store_schema_version(c->store) <= 0) {
		api_problem(c, 503, "store_unavailable", NULL, "the database is not readable");
		return;
	}
	if (kyc_blob_ready(c->app->data_dir) != 0) {
		api_problem(c, 503, "blob_store_unavailable", NULL,
			    "the file store does not take writes");
		return;
	}
	api_json(c, 200,
		 json_pack("{s:s, s:{s:s, s:s}}", "status", "ready", "checks", "database", "ok",
			   "blobs", "ok"));
}

API_HANDLER(metrics, API_PUBLIC)
{
	if (!metrics_allowed(c)) {
		kyc_req_add_header(c->req, "WWW-Authenticate", "Bearer");
		api_problem(c, 401, "unauthenticated", NULL,
			    "send the metrics token as 'Authorization: Bearer TOKEN'");
		return;
	}
	kyc_buf b;
	kyc_buf_init(&b, 4u << 20);
	if (kyc_metrics_render(&b) != 0) {
		kyc_buf_release(&b);
		api_problem(c, 500, "internal_error", NULL, "metrics could not be rendered");
		return;
	}
	size_t len;
	char *txt = kyc_buf_detach(&b, &len);
	api_bytes(c, 200, "text/plain; version=0.0.4; charset=utf-8", txt, len);
}

API_HANDLER(openapi, API_PUBLIC)
{
	size_t len = (size_t)(kyc_openapi_yaml_end - kyc_openapi_yaml);
	kyc_req_respond(c->req, 200, "application/yaml", kyc_openapi_yaml, len);
}

void kyc__api_system_routes(kyc_server *s)
{
	kyc_server_route(s, "GET", "/healthz", healthz);
	kyc_server_route(s, "GET", "/readyz", readyz);
	kyc_server_route(s, "GET", "/metrics", metrics);
	kyc_server_route(s, "GET", "/v1/openapi.yaml", openapi);
}
