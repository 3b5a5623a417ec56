/* POST /v1/verifications/{id}/documents (three encodings: multipart, base64
 * JSON, https URL fetched under the address policy of src/net/fetch.c) and
 * GET /v1/documents/{id}. An upload is checked by decoding it, stored as a
 * file (bytes first, atomically; then the rows in one transaction), and read
 * by the document reader at once. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/country.h"
#include "core/err.h"
#include "core/log.h"
#include "core/rand.h"
#include "document/image.h"
#include "document/reader.h"
#include "flows/workflow.h"
#include "http/api.h"
#include "flows/render.h"
#include "http/metrics.h"
#include "http/multipart.h"
#include "net/fetch.h"
#include "store/blob.h"

/* What an upload request carries, whatever its encoding. */
struct upload {
	const char *type, *side, *country;
	const unsigned char *bytes; /* the image */
	size_t len;
	const char *source_url;     /* set when downloaded */
	kyc_buf owned;              /* decoded base64 or downloaded bytes */
};

static const char *const sides[] = {"front", "back", NULL};

static int check_meta_fields(struct api_call *c, struct upload *u)
{
	if (!u->type || !*u->type) {
		api_problem(c, 422, "field_required", "type", "'type' is required");
		return -1;
	}
	if (!u->side || !*u->side) {
		api_problem(c, 422, "field_required", "side", "'side' is required (front or back)");
		return -1;
	}
	if (strcmp(u->side, sides[0]) && strcmp(u->side, sides[1])) {
		api_problem(c, 422, "invalid_value", "side", "'side' must be front or back");
		return -1;
	}
	if (u->country && *u->country && !kyc_country_icao_valid(u->country, strlen(u->country))) {
		api_problem(c, 422, "invalid_country", "issuing_country",
			    "'issuing_country' must be an ISO 3166-1 alpha-3 (or ICAO 9303) code");
		return -1;
	}
	return 0;
}

static const char *part_text(struct api_call *c, const struct kyc_multipart *mp, const char *name)
{
	const struct kyc_multipart_part *p = kyc_multipart_find(mp, name);
	return p ? kyc_req_strdup(c->req, p->data, p->len) : NULL;
}

static int read_multipart(struct api_call *c, kyc_str ct, struct upload *u,
			  struct kyc_multipart *mp)
{
	kyc_str body = kyc_req_body(c->req);
	char err[256];
	char *cts = kyc_req_strdup(c->req, ct.ptr, ct.len);
	struct kyc_multipart_limits lim = {.max_parts = 16, .max_header_bytes = 4096,
					   .max_name_len = 256};
	int rc = kyc_multipart_parse(cts, body.ptr, body.len, &lim, mp, err, sizeof err);
	if (rc) {
		api_problem(c, 400, mp->code ? mp->code : "multipart_malformed", NULL, "%s", err);
		return -1;
	}
	u->type = part_text(c, mp, "type");
	u->side = part_text(c, mp, "side");
	u->country = part_text(c, mp, "issuing_country");
	const struct kyc_multipart_part *img = kyc_multipart_find(mp, "image");
	if (!img || !img->filename) {
		api_problem(c, 422, "field_required", "image",
			    "send the image as a file part named 'image'");
		return -1;
	}
	u->bytes = (const unsigned char *)img->data;
	u->len = img->len;
	return 0;
}

/* The status for a failed download: the caller's URL is at fault (422), the
 * far side failed (502), or it was too slow (504). */
static int fetch_status(int rc, const char *code)
{
	if (rc == KYC_ERR_TIMEOUT)
		return 504;
	if (rc == KYC_ERR_INVALID || rc == KYC_ERR_DENIED)
		return 422;
	return strcmp(code, "url_http_status") && strcmp(code, "url_fetch_failed") ? 422 : 502;
}

static int read_json(struct api_call *c, struct upload *u, json_t **bodyp)
{
	static const char *const known[] = {"type", "side", "issuing_country", "image", "image_url", NULL};
	json_t *body = api_body_object(c);
	struct kyc_jerr e;
	*bodyp = body;
	if (!body)
		return -1;
	const char *img = NULL, *url = NULL;
	if (kyc_jv_known_fields(body, known, &e) ||
	    kyc_jv_string(body, "type", 0, 64, &u->type, &e) ||
	    kyc_jv_string(body, "side", 0, 16, &u->side, &e) ||
	    kyc_jv_string(body, "issuing_country", 0, 3, &u->country, &e) ||
	    kyc_jv_string(body, "image_url", 0, 2048, &url, &e)) {
		api_jerr(c, &e);
		return -1;
	}
	json_t *jimg = json_object_get(body, "image");
	if (jimg && !json_is_null(jimg)) {
		if (!json_is_string(jimg)) {
			api_problem(c, 422, "invalid_type", "image", "'image' must be a base64 string");
			return -1;
		}
		img = json_string_value(jimg);
	}
	if (!img == !url) {
		api_problem(c, 422, "field_required", img ? "image_url" : "image",
			    "send exactly one of 'image' (base64) or 'image_url' (https)");
		return -1;
	}
	if (check_meta_fields(c, u))
		return -1;
	kyc_buf_init(&u->owned, c->app->max_image_bytes);
	if (img) {
		const char *payload;
		size_t plen;
		char mime[64];
		int rc = kyc_base64_data_url(img, json_string_length(jimg), &payload, &plen, mime,
					     sizeof mime);
		if (!rc) {
			rc = kyc_base64_decode_buf(payload, plen, KYC_B64_STD, &u->owned);
			if (rc == KYC_ERR_INVALID) /* some clients send the URL-safe alphabet */
				rc = kyc_base64_decode_buf(payload, plen, KYC_B64_URL, &u->owned);
		}
		if (rc == KYC_ERR_TOOBIG) {
			api_problem(c, 413, "image_too_large", "image",
				    "the image is larger than %zu bytes", c->app->max_image_bytes);
			return -1;
		}
		if (rc) {
			api_problem(c, 422, "invalid_base64", "image", "'image' is not valid base64");
			return -1;
		}
	} else {
		struct kyc_fetch_opts fo = {
			.allow_loopback = c->app->fetch_allow_loopback,
			.allow_http = c->app->fetch_allow_http,
			.ca_file = c->app->fetch_ca_file,
			.timeout_ms = (long)c->app->fetch_timeout_ms,
		};
		struct kyc_fetch_info fi = {0};
		int rc = kyc_fetch_url(url, &fo, &u->owned, &fi);
		if (rc) {
			const char *code = fi.code ? fi.code : "url_fetch_failed";
			if (rc == KYC_ERR_TOOBIG)
				api_problem(c, 413, "image_too_large", "image_url",
					    "the image at image_url is larger than %zu bytes",
					    c->app->max_image_bytes);
			else
				api_problem(c, fetch_status(rc, code), code, "image_url", "%s",
					    fi.message[0] ? fi.message : "the image could not be downloaded");
			return -1;
		}
		u->source_url = url;
	}
	u->bytes = (const unsigned char *)u->owned.data;
	u->len = u->owned.len;
	return 0;
}

API_HANDLER(document_upload, API_WRITE | API_IDEMPOTENT)
{
	const char *vid = api_param(c, 0);
	struct upload u = {0};
	struct kyc_multipart mp = {0};
	json_t *body = NULL, *ver = NULL, *res = NULL;
	struct kyc_flow f;
	struct kyc_jerr e;
	api_flow(c, &f);
	kyc_buf_init(&u.owned, 0);

	/* 404 before looking at the body: the verification must be the caller's. */
	int rc = kyc_flow_verification_load(&f, vid, &ver);
	if (rc) {
		api_store_error(c, rc, "verification");
		goto out;
	}
	kyc_str ct = kyc_req_header(c->req, "content-type");
	if (ct.ptr && ct.len >= 19 && !strncasecmp(ct.ptr, "multipart/form-data", 19)) {
		if (read_multipart(c, ct, &u, &mp) || check_meta_fields(c, &u))
			goto out;
	} else if (read_json(c, &u, &body)) {
		goto out;
	}
	struct kyc_flow_image im = {.type = u.type, .side = u.side, .issuing_country = u.country,
				    .bytes = u.bytes, .len = u.len, .source_url = u.source_url};
	if (kyc_flow_submit(&f, vid, &im, 1, &res, &e)) {
		api_jerr(c, &e);
		goto out;
	}
	kyc_metrics_upload();
	/* The document, with the verification it moved. */
	json_t *doc = json_incref(json_array_get(json_object_get(res, "documents"), 0));
	json_object_set(doc, "verification", json_object_get(res, "verification"));
	api_json(c, 201, doc);
out:
	kyc_multipart_release(&mp);
	kyc_buf_release(&u.owned);
	json_decref(res);
	json_decref(ver);
	json_decref(body);
}

API_HANDLER(document_get, API_READ)
{
	json_t *d;
	int rc = kyc_store_get(c->store, KYC_R_DOCUMENT, c->tenant_id, api_param(c, 0), &d);
	if (rc) {
		api_store_error(c, rc, "document");
		return;
	}
	api_json(c, 200, kyc_render_document(d));
	json_decref(d);
}

void kyc__api_document_routes(kyc_server *s)
{
	kyc_server_route(s, "POST", "/v1/verifications/{id}/documents", document_upload);
	kyc_server_route(s, "GET", "/v1/documents/{id}", document_get);
}
