/* GET /v1/files/{id}: the stored bytes of an uploaded image, tenant-scoped. */
#include <stdlib.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "http/api.h"
#include "flows/render.h"
#include "store/blob.h"

#define FILE_READ_MAX (64u << 20)

void api_send_file(struct api_call *c, const json_t *f)
{
	kyc_buf b;
	kyc_buf_init(&b, FILE_READ_MAX);
	int rc = kyc_blob_read(c->store, c->app->data_dir, c->tenant_id,
	                       json_string_value(json_object_get(f, "path")), &b);
	if (rc) {
		/* A row whose bytes are gone is a broken invariant, not a 404. */
		kyc_logf(KYC_LOG_ERROR, "file %s: blob unreadable (%s)",
			 json_string_value(json_object_get(f, "id")), kyc_err_name(rc));
		kyc_buf_release(&b);
		api_problem(c, 500, "file_unreadable", NULL, "the file's bytes could not be read");
		return;
	}
	size_t len;
	char *bytes = kyc_buf_detach(&b, &len);
	kyc_req_add_header(c->req, "Content-Disposition", "inline");
	kyc_req_add_header(c->req, "Content-Security-Policy", "default-src 'none'; sandbox");
	const char *ct = json_string_value(json_object_get(f, "content_type"));
	api_bytes(c, 200, ct ? ct : "application/octet-stream", bytes, len);
}

API_HANDLER(file_get, API_READ)
{
	json_t *f;
	int rc = kyc_store_get(c->store, KYC_R_FILE, c->tenant_id, api_param(c, 0), &f);
	if (rc) {
		api_store_error(c, rc, "file");
		return;
	}
	api_send_file(c, f);
	json_decref(f);
}

API_HANDLER(file_meta, API_READ)
{
	json_t *f;
	int rc = kyc_store_get(c->store, KYC_R_FILE, c->tenant_id, api_param(c, 0), &f);
	if (rc) {
		api_store_error(c, rc, "file");
		return;
	}
	api_json(c, 200, kyc_render_file(f));
	json_decref(f);
}

void kyc__api_file_routes(kyc_server *s)
{
	kyc_server_route(s, "GET", "/v1/files/{id}", file_get);
	kyc_server_route(s, "GET", "/v1/files/{id}/metadata", file_meta);
}
