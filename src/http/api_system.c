/* Routes without a tenant: health, metrics, the OpenAPI document. */
#include <stdlib.h>
#include <string.h>

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
