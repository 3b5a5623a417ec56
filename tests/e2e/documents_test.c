/* Document uploads end to end: the three encodings, download of the stored
 * bytes, every way an upload can be bad, tenancy, idempotency, restart. Real
 * JPEG/PNG bytes made with libjpeg/libpng; the real kycd over sockets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base64.h"
#include "core/buf.h"
#include "document/synth.h"
#include "e2e.h"
#include "httpsd.h"
#include "img.h"
#include "test.h"

static struct e2e_server srv;
static char key_a[128], key_b[128];
static char ver_a[64];

#define BOUNDARY "----kycdtestboundary7MA4YWxk"

/* A multipart body with text fields and one file part. */
static char *multipart(const char *const *fields, const char *filename, const char *ctype,
		       const unsigned char *data, size_t len, size_t *outlen)
{
	kyc_buf b;
	kyc_buf_init(&b, 64u << 20);
	for (const char *const *f = fields; f && f[0]; f += 2)
		kyc_buf_printf(&b, "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n",
			       f[0], f[1]);
	if (data) {
		kyc_buf_printf(&b, "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"%s\"\r\n"
				   "Content-Type: %s\r\n\r\n",
			       filename, ctype);
		kyc_buf_append(&b, data, len);
		kyc_buf_puts(&b, "\r\n");
	}
	kyc_buf_puts(&b, "--" BOUNDARY "--\r\n");
	return kyc_buf_detach(&b, outlen);
}

static int post_multipart(const char *key, const char *ver, const char *body, size_t len,
			  const char *idem, struct e2e_resp *r)
{
	char auth[200], path[160], idh[100];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
	snprintf(path, sizeof path, "/v1/verifications/%s/documents", ver);
	snprintf(idh, sizeof idh, "Idempotency-Key: %s", idem ? idem : "");
	const char *h[] = {auth, "Content-Type: multipart/form-data; boundary=" BOUNDARY,
			   idem ? idh : NULL, NULL};
	return e2e_req(&srv, "POST", path, h, body, len, r);
}

static int post_json(const char *key, const char *ver, const char *json, struct e2e_resp *r)
{
	char path[160];
	snprintf(path, sizeof path, "/v1/verifications/%s/documents", ver);
	return e2e_json(&srv, "POST", path, key, json, r);
}

static char *base64_of(const unsigned char *p, size_t n)
{
	kyc_buf b;
	kyc_buf_init(&b, 64u << 20);
	kyc_base64_encode_buf(p, n, KYC_B64_STD, &b);
	return kyc_buf_detach(&b, NULL);
}

static void check_problem(const struct e2e_resp *r, long status, const char *code, const char *field)
{
	if (r->status != status || strcmp(e2e_str(r, "code"), code))
		fprintf(stderr, "  got %ld %s\n", r->status, r->body);
	CHECK_INT(r->status, status);
	CHECK_STR(e2e_str(r, "code"), code);
	if (field)
		CHECK_STR(e2e_str(r, "field"), field);
}

static char *new_verification(const char *key, const char *types_json)
{
	struct e2e_resp r;
	char body[256];
	if (e2e_json(&srv, "POST", "/v1/applicants", key, "{\"first_name\":\"Doc\"}", &r) || r.status != 201)
		return NULL;
	if (types_json)
		snprintf(body, sizeof body, "{\"applicant_id\":\"%s\",\"document_types\":%s}",
			 e2e_str(&r, "id"), types_json);
	else
		snprintf(body, sizeof body, "{\"applicant_id\":\"%s\"}", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	if (e2e_json(&srv, "POST", "/v1/verifications", key, body, &r) || r.status != 201)
		return NULL;
	char *id = strdup(e2e_str(&r, "id"));
	e2e_resp_free(&r);
	return id;
}

/* Downloads a file and compares it with the bytes sent. */
static void check_download(const char *key, const char *file_id, const unsigned char *want,
			   size_t wlen, const char *ctype)
{
	char auth[200], path[128], ct[64] = "";
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
	snprintf(path, sizeof path, "/v1/files/%s", file_id);
	const char *h[] = {auth, NULL};
	struct e2e_resp r;
	REQUIRE(e2e_req(&srv, "GET", path, h, NULL, 0, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_header(&r, "content-type", ct, sizeof ct);
	CHECK_STR(ct, ctype);
	CHECK_INT(r.body_len, wlen);
	CHECK(r.body_len == wlen && !memcmp(r.body, want, wlen));
	e2e_resp_free(&r);
}

TEST(multipart_upload_and_download)
{
	size_t jl;
	unsigned char *jpg = timg_jpeg(800, 600, 85, &jl);
	REQUIRE(jpg != NULL);
	const char *fields[] = {"type", "passport", "side", "front", "issuing_country", "UTO", NULL};
	size_t bl;
	char *body = multipart(fields, "passport.jpg", "image/jpeg", jpg, jl, &bl);
	struct e2e_resp r;
	REQUIRE(post_multipart(key_a, ver_a, body, bl, NULL, &r) == 0);
	CHECK_INT(r.status, 201);
	CHECK_STR(e2e_str(&r, "object"), "document");
	CHECK_STR(e2e_str(&r, "type"), "passport");
	CHECK_STR(e2e_str(&r, "side"), "front");
	CHECK_STR(e2e_str(&r, "issuing_country"), "UTO");
	CHECK_STR(e2e_str(&r, "verification_id"), ver_a);
	json_t *x = json_object_get(r.json, "extraction");
	CHECK(json_is_object(x));
	/* a test pattern has no MRZ: the reader says so, it does not invent one */
	CHECK(json_is_false(json_object_get(x, "mrz_found")));
	char fid[64];
	snprintf(fid, sizeof fid, "%s", e2e_str(&r, "file_id"));
	e2e_resp_free(&r);
	check_download(key_a, fid, jpg, jl, "image/jpeg");
	/* the verification lists it */
	char path[128];
	snprintf(path, sizeof path, "/v1/verifications/%s", ver_a);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	CHECK(json_array_size(json_object_get(r.json, "documents")) >= 1);
	e2e_resp_free(&r);
	/* tenant B sees neither the file nor the document */
	char auth[200];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", key_b);
	const char *hb[] = {auth, NULL};
	snprintf(path, sizeof path, "/v1/files/%s", fid);
	REQUIRE(e2e_req(&srv, "GET", path, hb, NULL, 0, &r) == 0);
	CHECK_INT(r.status, 404);
	CHECK(r.body_len < 1000);
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/files/%s/metadata", fid);
	REQUIRE(e2e_req(&srv, "GET", path, hb, NULL, 0, &r) == 0);
	CHECK_INT(r.status, 404);
	e2e_resp_free(&r);
	free(body);
	free(jpg);
}

TEST(json_base64_upload)
{
	size_t pl;
	unsigned char *png = timg_png(640, 480, &pl);
	REQUIRE(png != NULL);
	char *b64 = base64_of(png, pl);
	size_t n = strlen(b64) + 256;
	char *json = malloc(n);
	snprintf(json, n, "{\"type\":\"id_card\",\"side\":\"back\",\"image\":\"%s\"}", b64);
	struct e2e_resp r;
	REQUIRE(post_json(key_a, ver_a, json, &r) == 0);
	CHECK_INT(r.status, 201);
	CHECK_STR(e2e_str(&r, "side"), "back");
	char fid[64];
	snprintf(fid, sizeof fid, "%s", e2e_str(&r, "file_id"));
	e2e_resp_free(&r);
	check_download(key_a, fid, png, pl, "image/png");
	/* a data: URL prefix is accepted too */
	snprintf(json, n, "{\"type\":\"id_card\",\"side\":\"front\",\"image\":\"data:image/png;base64,%s\"}", b64);
	REQUIRE(post_json(key_a, ver_a, json, &r) == 0);
	CHECK_INT(r.status, 201);
	e2e_resp_free(&r);
	free(json);
	free(b64);
	free(png);
}

TEST(bad_uploads)
{
	/* a verification of its own: the uploads before may have used up ver_a's attempts */
	char *ver = new_verification(key_a, NULL);
	REQUIRE(ver != NULL);
	size_t jl, bl;
	unsigned char *jpg = timg_jpeg(700, 500, 80, &jl);
	REQUIRE(jpg != NULL);
	const char *fields[] = {"type", "passport", "side", "front", NULL};
	struct e2e_resp r;

	/* not an image, named .jpg */
	char *body = multipart(fields, "photo.jpg", "image/jpeg", (const unsigned char *)"hello, world", 12, &bl);
	REQUIRE(post_multipart(key_a, ver, body, bl, NULL, &r) == 0);
	check_problem(&r, 415, "unsupported_media_type", "image");
	e2e_resp_free(&r);
	free(body);

	/* a JPEG cut in half */
	body = multipart(fields, "half.jpg", "image/jpeg", jpg, jl / 2, &bl);
	REQUIRE(post_multipart(key_a, ver, body, bl, NULL, &r) == 0);
	check_problem(&r, 422, "image_invalid", "image");
	e2e_resp_free(&r);
	free(body);

	/* a multipart body cut before its end */
	body = multipart(fields, "ok.jpg", "image/jpeg", jpg, jl, &bl);
	REQUIRE(post_multipart(key_a, ver, body, bl / 2, NULL, &r) == 0);
	check_problem(&r, 400, "multipart_truncated", NULL);
	e2e_resp_free(&r);
	free(body);

	/* missing side, unknown type, bad country */
	const char *noside[] = {"type", "passport", NULL};
	body = multipart(noside, "ok.jpg", "image/jpeg", jpg, jl, &bl);
	REQUIRE(post_multipart(key_a, ver, body, bl, NULL, &r) == 0);
	check_problem(&r, 422, "field_required", "side");
	e2e_resp_free(&r);
	free(body);
	const char *badtype[] = {"type", "diploma", "side", "front", NULL};
	body = multipart(badtype, "ok.jpg", "image/jpeg", jpg, jl, &bl);
	REQUIRE(post_multipart(key_a, ver, body, bl, NULL, &r) == 0);
	check_problem(&r, 422, "invalid_value", "type");
	e2e_resp_free(&r);
	free(body);
	const char *badc[] = {"type", "passport", "side", "front", "issuing_country", "XXZ", NULL};
	body = multipart(badc, "ok.jpg", "image/jpeg", jpg, jl, &bl);
	REQUIRE(post_multipart(key_a, ver, body, bl, NULL, &r) == 0);
	check_problem(&r, 422, "invalid_country", "issuing_country");
	e2e_resp_free(&r);
	free(body);
	/* no file part */
	body = multipart(fields, NULL, NULL, NULL, 0, &bl);
	REQUIRE(post_multipart(key_a, ver, body, bl, NULL, &r) == 0);
	check_problem(&r, 422, "field_required", "image");
	e2e_resp_free(&r);
	free(body);

	/* JSON: bad base64, both or neither image sources, http URL */
	REQUIRE(post_json(key_a, ver, "{\"type\":\"passport\",\"side\":\"front\",\"image\":\"@@@not base64@@@\"}", &r) == 0);
	check_problem(&r, 422, "invalid_base64", "image");
	e2e_resp_free(&r);
	REQUIRE(post_json(key_a, ver, "{\"type\":\"passport\",\"side\":\"front\"}", &r) == 0);
	check_problem(&r, 422, "field_required", "image");
	e2e_resp_free(&r);
	REQUIRE(post_json(key_a, ver, "{\"type\":\"passport\",\"side\":\"front\",\"image\":42}", &r) == 0);
	check_problem(&r, 422, "invalid_type", "image");
	e2e_resp_free(&r);
	REQUIRE(post_json(key_a, ver, "{\"type\":\"passport\",\"side\":\"front\",\"image\":\"aGVsbG8=\",\"extra\":1}", &r) == 0);
	check_problem(&r, 422, "unknown_field", "extra");
	e2e_resp_free(&r);

	/* a type the verification does not allow */
	char *only_passport = new_verification(key_a, "[\"passport\"]");
	REQUIRE(only_passport != NULL);
	const char *idcard[] = {"type", "id_card", "side", "front", NULL};
	body = multipart(idcard, "ok.jpg", "image/jpeg", jpg, jl, &bl);
	REQUIRE(post_multipart(key_a, only_passport, body, bl, NULL, &r) == 0);
	check_problem(&r, 422, "document_type_not_allowed", "type");
	e2e_resp_free(&r);
	free(body);
	free(only_passport);

	/* another tenant's verification: 404, nothing stored */
	body = multipart(fields, "ok.jpg", "image/jpeg", jpg, jl, &bl);
	REQUIRE(post_multipart(key_b, ver, body, bl, NULL, &r) == 0);
	check_problem(&r, 404, "not_found", NULL);
	e2e_resp_free(&r);
	free(body);
	free(jpg);
	free(ver);
}

TEST(image_byte_cap)
{
	/* a verification of its own: the uploads before may have used up ver_a's attempts */
	char *ver = new_verification(key_a, NULL);
	REQUIRE(ver != NULL);
	/* this server runs with KYCD_MAX_IMAGE_BYTES=1000000 */
	size_t jl, bl;
	unsigned char *jpg = timg_jpeg(4000, 3000, 100, &jl);
	REQUIRE(jpg != NULL);
	REQUIRE(jl > 1000000);
	const char *fields[] = {"type", "passport", "side", "front", NULL};
	char *body = multipart(fields, "big.jpg", "image/jpeg", jpg, jl, &bl);
	struct e2e_resp r;
	REQUIRE(post_multipart(key_a, ver, body, bl, NULL, &r) == 0);
	check_problem(&r, 413, "image_too_large", "image");
	e2e_resp_free(&r);
	free(body);
	free(jpg);
	free(ver);
}

TEST(idempotent_upload)
{
	size_t jl, bl;
	unsigned char *jpg = timg_jpeg(640, 480, 80, &jl);
	REQUIRE(jpg != NULL);
	char *ver = new_verification(key_a, NULL);
	REQUIRE(ver != NULL);
	const char *fields[] = {"type", "passport", "side", "front", NULL};
	char *body = multipart(fields, "p.jpg", "image/jpeg", jpg, jl, &bl);
	struct e2e_resp r1, r2;
	REQUIRE(post_multipart(key_a, ver, body, bl, "upload-1", &r1) == 0);
	REQUIRE(post_multipart(key_a, ver, body, bl, "upload-1", &r2) == 0);
	CHECK_INT(r1.status, 201);
	CHECK_INT(r2.status, 201);
	CHECK_STR(e2e_str(&r2, "id"), e2e_str(&r1, "id"));
	e2e_resp_free(&r1);
	e2e_resp_free(&r2);
	char path[128];
	snprintf(path, sizeof path, "/v1/verifications/%s", ver);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r1) == 0);
	CHECK_INT(json_array_size(json_object_get(r1.json, "documents")), 1);
	e2e_resp_free(&r1);
	free(body);
	free(jpg);
	free(ver);
}

TEST(files_survive_restart)
{
	/* a verification of its own: the uploads before may have used up ver_a's attempts */
	char *ver = new_verification(key_a, NULL);
	REQUIRE(ver != NULL);
	size_t jl, bl;
	unsigned char *jpg = timg_jpeg(640, 480, 70, &jl);
	const char *fields[] = {"type", "passport", "side", "front", NULL};
	char *body = multipart(fields, "p.jpg", "image/jpeg", jpg, jl, &bl);
	struct e2e_resp r;
	REQUIRE(post_multipart(key_a, ver, body, bl, NULL, &r) == 0);
	REQUIRE(r.status == 201);
	char fid[64];
	snprintf(fid, sizeof fid, "%s", e2e_str(&r, "file_id"));
	e2e_resp_free(&r);
	e2e_stop(&srv);
	const char *env[] = {"KYCD_MAX_IMAGE_BYTES=1000000", NULL};
	REQUIRE(e2e_start(&srv, env) == 0);
	check_download(key_a, fid, jpg, jl, "image/jpeg");
	free(body);
	free(jpg);
	free(ver);
}

/* Generated documents with known ground truth go through the whole path:
 * upload, decode, find and read the MRZ, parse, extraction. What the reader
 * calls verified must equal the truth; and it must read most of them. */
TEST(reads_generated_documents)
{
	uint64_t seed = (uint64_t)time(NULL);
	int n = 6, read = 0;
	fprintf(stderr, "  synth seed %llu\n", (unsigned long long)seed);
	for (int i = 0; i < n; i++) {
		struct kyc_synth_doc truth;
		unsigned char *jpg = NULL;
		size_t jl = 0;
		enum kyc_synth_format fmt = i % 2 ? KYC_SYNTH_TD1 : KYC_SYNTH_TD3;
		REQUIRE(kyc_synth_make(seed, i, 0, fmt, &truth, &jpg, &jl) == 0);
		const char *fields[] = {"type", i % 2 ? "id_card" : "passport", "side", "front", NULL};
		size_t bl;
		char *body = multipart(fields, "doc.jpg", "image/jpeg", jpg, jl, &bl);
		struct e2e_resp r;
		/* One verification per document: a read document decides its verification. */
		char *ver = new_verification(key_a, NULL);
		REQUIRE(ver != NULL);
		REQUIRE(post_multipart(key_a, ver, body, bl, NULL, &r) == 0);
		free(ver);
		CHECK_INT(r.status, 201);
		json_t *x = json_object_get(r.json, "extraction");
		json_t *f = json_object_get(x, "fields");
		if (json_is_true(json_object_get(x, "mrz_verified"))) {
			read++;
			const struct kyc_synth_fields *t = &truth.id.f;
			CHECK_STR(json_string_value(json_object_get(json_object_get(f, "document_number"), "value")), t->document_number);
			CHECK_STR(json_string_value(json_object_get(json_object_get(f, "surname"), "value")), t->surname);
			CHECK_STR(json_string_value(json_object_get(json_object_get(f, "birth_date"), "value")), t->birth_date);
			CHECK_STR(json_string_value(json_object_get(json_object_get(f, "expiry_date"), "value")), t->expiry_date);
			CHECK(json_is_true(json_object_get(json_object_get(f, "document_number"), "accepted")));
			CHECK_INT(json_array_size(json_object_get(x, "missing_fields")), 0);
			CHECK_STR(e2e_str(&r, "status"), "processed");
		} else {
			fprintf(stderr, "  document %d (%s) not verified: %s\n", i,
				kyc_synth_format_name(fmt), r.body);
		}
		e2e_resp_free(&r);
		free(body);
		free(jpg);
	}
	CHECK(read >= n / 2);
	fprintf(stderr, "  %d of %d generated documents read and verified through the API\n", read, n);
}

TEST(upload_by_url)
{
	size_t jl;
	unsigned char *jpg = timg_jpeg(640, 480, 85, &jl);
	REQUIRE(jpg != NULL);
	/* a real HTTPS server (tests/lib/httpsd), ready when this returns */
	struct httpsd web = {0};
	REQUIRE(httpsd_start(&web) == 0);
	REQUIRE(httpsd_put(&web, "p.jpg", jpg, jl) == 0);
	struct e2e_server s2 = {0};
	char k2[128], json[256], url[128];
	const char *env[] = {"KYCD_FETCH_ALLOW_LOOPBACK=1", web.ca_env, NULL};
	REQUIRE(e2e_data_dir(&s2) == 0 && e2e_tenant(&s2, "url", k2, NULL) == 0);
	struct e2e_server saved = srv;
	srv = s2; /* the helpers above talk to srv */
	REQUIRE(e2e_start(&srv, env) == 0);
	char *v = new_verification(k2, NULL);
	REQUIRE(v != NULL);
	struct e2e_resp r;
	httpsd_url(&web, "p.jpg", url, sizeof url);
	snprintf(json, sizeof json, "{\"type\":\"passport\",\"side\":\"front\",\"image_url\":\"%s\"}", url);
	REQUIRE(post_json(k2, v, json, &r) == 0);
	CHECK_INT(r.status, 201);
	char fid[64];
	snprintf(fid, sizeof fid, "%s", e2e_str(&r, "file_id"));
	e2e_resp_free(&r);
	check_download(k2, fid, jpg, jl, "image/jpeg");
	/* s_server answers a missing file with a text page: not an image */
	httpsd_url(&web, "nope.jpg", url, sizeof url);
	snprintf(json, sizeof json, "{\"type\":\"passport\",\"side\":\"front\",\"image_url\":\"%s\"}", url);
	REQUIRE(post_json(k2, v, json, &r) == 0);
	check_problem(&r, 415, "unsupported_media_type", "image_url");
	e2e_resp_free(&r);
	e2e_cleanup(&srv);
	srv = saved;
	free(v);

	/* The main server does not allow loopback: the same URL is refused
	 * after resolution, and plain http is refused outright. */
	httpsd_url(&web, "p.jpg", url, sizeof url);
	snprintf(json, sizeof json, "{\"type\":\"passport\",\"side\":\"front\",\"image_url\":\"%s\"}", url);
	REQUIRE(post_json(key_a, ver_a, json, &r) == 0);
	check_problem(&r, 422, "url_address_not_allowed", "image_url");
	e2e_resp_free(&r);
	REQUIRE(post_json(key_a, ver_a, "{\"type\":\"passport\",\"side\":\"front\",\"image_url\":\"https://169.254.169.254/latest/meta-data\"}", &r) == 0);
	check_problem(&r, 422, "url_address_not_allowed", "image_url");
	e2e_resp_free(&r);
	REQUIRE(post_json(key_a, ver_a, "{\"type\":\"passport\",\"side\":\"front\",\"image_url\":\"http://example.com/p.jpg\"}", &r) == 0);
	check_problem(&r, 422, "url_scheme_not_allowed", "image_url");
	e2e_resp_free(&r);
	httpsd_stop(&web);
	free(jpg);
}

int main(void)
{
	const char *env[] = {"KYCD_MAX_IMAGE_BYTES=1000000", NULL};
	if (e2e_data_dir(&srv) || e2e_tenant(&srv, "docs-a", key_a, NULL) ||
	    e2e_tenant(&srv, "docs-b", key_b, NULL) || e2e_start(&srv, env)) {
		e2e_cleanup(&srv);
		printf("[documents] 0 passed, 1 failed\n");
		return 1;
	}
	char *v = new_verification(key_a, NULL);
	if (!v) {
		e2e_cleanup(&srv);
		printf("[documents] 0 passed, 1 failed\n");
		return 1;
	}
	snprintf(ver_a, sizeof ver_a, "%s", v);
	free(v);
	RUN(multipart_upload_and_download);
	RUN(json_base64_upload);
	RUN(bad_uploads);
	RUN(image_byte_cap);
	RUN(idempotent_upload);
	RUN(files_survive_restart);
	RUN(upload_by_url);
	RUN(reads_generated_documents);
	e2e_cleanup(&srv);
	return test_done("documents");
}
