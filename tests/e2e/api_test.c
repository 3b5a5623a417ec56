/* Black-box tests of the native API: the real `kycd serve`, real HTTP over
 * loopback sockets, a real SQLite database in a fresh data directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "test.h"

static struct e2e_server srv;
static char key_a[128], key_b[128], tenant_a[64];

static json_t *jget(const struct e2e_resp *r, const char *key)
{
	return r->json ? json_object_get(r->json, key) : NULL;
}

/* Asserts a problem+json response with the given status, code and field. */
static void check_problem(const struct e2e_resp *r, long status, const char *code,
			  const char *field)
{
	char ct[128] = "";
	CHECK_INT(r->status, status);
	e2e_header(r, "content-type", ct, sizeof ct);
	CHECK_STR(ct, "application/problem+json");
	CHECK_STR(e2e_str(r, "code"), code);
	CHECK_INT(json_integer_value(jget(r, "status")), status);
	CHECK(strlen(e2e_str(r, "title")) > 0);
	CHECK(strlen(e2e_str(r, "detail")) > 0);
	CHECK(strlen(e2e_str(r, "type")) > 0);
	if (field)
		CHECK_STR(e2e_str(r, "field"), field);
}

static char *create_applicant(const char *key, const char *body)
{
	struct e2e_resp r;
	if (e2e_json(&srv, "POST", "/v1/applicants", key, body, &r) != 0 || r.status != 201) {
		fprintf(stderr, "create applicant: %ld %s\n", r.status, r.body);
		e2e_resp_free(&r);
		return NULL;
	}
	char *id = strdup(e2e_str(&r, "id"));
	e2e_resp_free(&r);
	return id;
}

TEST(health_and_request_id)
{
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "GET", "/healthz", NULL, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(e2e_str(&r, "status"), "ok");
	char rid[128];
	CHECK(e2e_header(&r, "x-request-id", rid, sizeof rid) && strlen(rid) > 0);
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "GET", "/v1/openapi.yaml", NULL, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK(strstr(r.body, "openapi: 3.1") != NULL);
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "GET", "/metrics", NULL, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK(strstr(r.body, "# TYPE") != NULL);
	e2e_resp_free(&r);
}

TEST(auth_required_and_checked)
{
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "GET", "/v1/applicants", NULL, NULL, &r) == 0);
	check_problem(&r, 401, "unauthenticated", NULL);
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "GET", "/v1/applicants",
			 "kyc_000000000000_0000000000000000000000000000000000000000000000000000000000000000",
			 NULL, &r) == 0);
	check_problem(&r, 401, "invalid_api_key", NULL);
	e2e_resp_free(&r);
	/* A key with one character changed is refused. */
	char bad[128];
	snprintf(bad, sizeof bad, "%s", key_a);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '0' ? '1' : '0';
	REQUIRE(e2e_json(&srv, "GET", "/v1/applicants", bad, NULL, &r) == 0);
	check_problem(&r, 401, "invalid_api_key", NULL);
	e2e_resp_free(&r);
	/* x-api-key and a bare Authorization header (seed 000) work too. */
	char h1[200], h2[200];
	snprintf(h1, sizeof h1, "x-api-key: %s", key_a);
	const char *hs1[] = {h1, NULL};
	REQUIRE(e2e_req(&srv, "GET", "/v1/applicants", hs1, NULL, 0, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	snprintf(h2, sizeof h2, "Authorization: %s", key_a);
	const char *hs2[] = {h2, NULL};
	REQUIRE(e2e_req(&srv, "GET", "/v1/applicants", hs2, NULL, 0, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
}

TEST(revoked_key_is_refused)
{
	char *out = NULL;
	const char *args[] = {"key", "create", tenant_a, "--role", "viewer", NULL};
	REQUIRE(e2e_cli(&srv, &out, args) == 0);
	json_t *j = json_loads(out, 0, NULL);
	free(out);
	REQUIRE(j != NULL);
	char key[128], kid[64];
	snprintf(key, sizeof key, "%s", json_string_value(json_object_get(j, "api_key")));
	snprintf(kid, sizeof kid, "%s", json_string_value(json_object_get(j, "key_id")));
	json_decref(j);
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "GET", "/v1/applicants", key, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	/* viewer: read-only */
	REQUIRE(e2e_json(&srv, "POST", "/v1/applicants", key, "{}", &r) == 0);
	check_problem(&r, 403, "forbidden", NULL);
	e2e_resp_free(&r);
	const char *rargs[] = {"key", "revoke", kid, NULL};
	REQUIRE(e2e_cli(&srv, &out, rargs) == 0);
	free(out);
	REQUIRE(e2e_json(&srv, "GET", "/v1/applicants", key, NULL, &r) == 0);
	check_problem(&r, 401, "invalid_api_key", NULL);
	e2e_resp_free(&r);
}

TEST(applicant_crud)
{
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "POST", "/v1/applicants", key_a,
			 "{\"external_ref\":\"crm-1\",\"email\":\"anna@example.com\",\"first_name\":\"Anna\","
			 "\"last_name\":\"Eriksson\",\"last_name_native\":\"Эрикссон\",\"birth_date\":\"1974-08-12\","
			 "\"country\":\"SWE\",\"level\":\"L1\",\"metadata\":{\"crm\":\"x\"}}",
			 &r) == 0);
	CHECK_INT(r.status, 201);
	CHECK_STR(e2e_str(&r, "object"), "applicant");
	CHECK_STR(e2e_str(&r, "last_name_native"), "Эрикссон");
	CHECK_STR(e2e_str(&r, "level"), "L1");
	CHECK(json_is_null(jget(&r, "phone")));
	CHECK_STR(json_string_value(json_object_get(jget(&r, "metadata"), "crm")), "x");
	CHECK(jget(&r, "attributes") == NULL);
	char id[64], path[128];
	snprintf(id, sizeof id, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/applicants/%s", id);
	REQUIRE(e2e_json(&srv, "PATCH", path, key_a, "{\"phone\":\"+370 600 12345\",\"level\":null}", &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(e2e_str(&r, "phone"), "+370 600 12345");
	CHECK_STR(e2e_str(&r, "level"), "L0");
	CHECK_STR(e2e_str(&r, "email"), "anna@example.com");
	CHECK_INT(json_integer_value(jget(&r, "version")), 2);
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "GET", "/v1/applicants?external_ref=crm-1", key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_INT(json_array_size(jget(&r, "data")), 1);
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "DELETE", path, key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK(json_is_true(jget(&r, "deleted")));
	e2e_resp_free(&r);
	/* erased, not gone: the skeleton stays readable (tests/e2e/erasure_test.c) */
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK(json_is_string(jget(&r, "erased_at")));
	CHECK(json_is_null(jget(&r, "email")));
	e2e_resp_free(&r);
}

TEST(list_pagination)
{
	for (int i = 0; i < 5; i++) {
		char body[128];
		snprintf(body, sizeof body, "{\"external_ref\":\"page-%d\"}", i);
		char *id = create_applicant(key_b, body);
		REQUIRE(id != NULL);
		free(id);
	}
	char path[256] = "/v1/applicants?limit=2";
	int seen = 0, pages = 0;
	for (;;) {
		struct e2e_resp r;
		REQUIRE(e2e_json(&srv, "GET", path, key_b, NULL, &r) == 0);
		CHECK_INT(r.status, 200);
		seen += (int)json_array_size(jget(&r, "data"));
		pages++;
		const char *cur = json_string_value(jget(&r, "next_cursor"));
		int more = json_is_true(jget(&r, "has_more"));
		CHECK(more == (cur != NULL));
		if (!cur || pages > 10) {
			e2e_resp_free(&r);
			break;
		}
		snprintf(path, sizeof path, "/v1/applicants?limit=2&cursor=%s", cur);
		e2e_resp_free(&r);
	}
	CHECK(seen >= 5);
	CHECK(pages >= 3);
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "GET", "/v1/applicants?cursor=nonsense", key_b, NULL, &r) == 0);
	check_problem(&r, 400, "invalid_cursor", "cursor");
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "GET", "/v1/applicants?limit=0", key_b, NULL, &r) == 0);
	check_problem(&r, 400, "invalid_query", "limit");
	e2e_resp_free(&r);
}

TEST(validation_errors)
{
	static const struct {
		const char *path, *body;
		long status;
		const char *code, *field;
	} cases[] = {
		{"/v1/applicants", "{\"email\":", 400, "invalid_json", NULL},
		{"/v1/applicants", "[1,2]", 400, "invalid_json", NULL},
		{"/v1/applicants", "{\"email\":42}", 422, "invalid_type", "email"},
		{"/v1/applicants", "{\"email\":\"not-an-email\"}", 422, "invalid_email", "email"},
		{"/v1/applicants", "{\"country\":\"XYZ\"}", 422, "invalid_country", "country"},
		{"/v1/applicants", "{\"country\":\"LT\"}", 422, "invalid_country", "country"},
		{"/v1/applicants", "{\"nationality\":\"LTUX\"}", 422, "too_long", "nationality"},
		{"/v1/applicants", "{\"birth_date\":\"2001-02-30\"}", 422, "invalid_date", "birth_date"},
		{"/v1/applicants", "{\"birth_date\":\"2999-01-01\"}", 422, "invalid_date", "birth_date"},
		{"/v1/applicants", "{\"level\":\"L9\"}", 422, "invalid_value", "level"},
		{"/v1/applicants", "{\"tier\":\"1\"}", 422, "invalid_type", "tier"},
		{"/v1/applicants", "{\"nickname\":\"x\"}", 422, "unknown_field", "nickname"},
		{"/v1/applicants", "{\"phone\":\"call me\"}", 422, "invalid_phone", "phone"},
		{"/v1/applicants", "{\"metadata\":[1]}", 422, "invalid_type", "metadata"},
		{"/v1/verifications", "{}", 422, "field_required", "applicant_id"},
		{"/v1/verifications", "{\"applicant_id\":\"nope\"}", 404, "applicant_not_found", "applicant_id"},
		{"/v1/verifications", "{\"applicant_id\":\"x\",\"expires_in\":5}", 422, "out_of_range", "expires_in"},
		{"/v1/verifications", "{\"applicant_id\":\"x\",\"callback_url\":\"http://example.com/\"}", 422, "invalid_url", "callback_url"},
		{"/v1/verifications", "{\"applicant_id\":\"x\",\"document_types\":[\"diploma\"]}", 422, "invalid_value", "document_types"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct e2e_resp r;
		REQUIRE(e2e_json(&srv, "POST", cases[i].path, key_a, cases[i].body, &r) == 0);
		if (r.status != cases[i].status)
			fprintf(stderr, "case %zu (%s): %ld %s\n", i, cases[i].body, r.status, r.body);
		check_problem(&r, cases[i].status, cases[i].code, cases[i].field);
		e2e_resp_free(&r);
	}
	/* Wrong content type. */
	char auth[200];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", key_a);
	const char *h[] = {auth, "Content-Type: text/plain", NULL};
	struct e2e_resp r;
	REQUIRE(e2e_req(&srv, "POST", "/v1/applicants", h, "{}", 2, &r) == 0);
	check_problem(&r, 415, "unsupported_media_type", NULL);
	e2e_resp_free(&r);
	/* Unknown route and wrong method. */
	REQUIRE(e2e_json(&srv, "GET", "/v1/nothing-here", key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 404);
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "PUT", "/v1/applicants", key_a, "{}", &r) == 0);
	CHECK_INT(r.status, 405);
	e2e_resp_free(&r);
}

TEST(oversize_body_is_refused)
{
	size_t n = 12u << 20;
	char *big = malloc(n + 1);
	REQUIRE(big != NULL);
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	big[n] = '\0';
	struct e2e_resp r;
	int rc = e2e_json(&srv, "POST", "/v1/applicants", key_a, big, &r);
	/* The server may answer 413 before reading the body, and close. */
	if (rc == 0)
		CHECK_INT(r.status, 413);
	e2e_resp_free(&r);
	free(big);
	/* The server is still fine. */
	REQUIRE(e2e_json(&srv, "GET", "/healthz", NULL, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
}

TEST(cross_tenant_is_404_everywhere)
{
	char *app = create_applicant(key_a, "{\"first_name\":\"Tenant A\"}");
	REQUIRE(app != NULL);
	char body[200], path[200];
	snprintf(body, sizeof body, "{\"applicant_id\":\"%s\"}", app);
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "POST", "/v1/verifications", key_a, body, &r) == 0);
	CHECK_INT(r.status, 201);
	char ver[64];
	snprintf(ver, sizeof ver, "%s", e2e_str(&r, "id"));
	CHECK_STR(e2e_str(&r, "status"), "awaiting_input");
	e2e_resp_free(&r);

	/* Tenant B sees none of it. */
	snprintf(path, sizeof path, "/v1/applicants/%s", app);
	REQUIRE(e2e_json(&srv, "GET", path, key_b, NULL, &r) == 0);
	check_problem(&r, 404, "not_found", NULL);
	CHECK(strstr(r.body, "Tenant A") == NULL);
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "PATCH", path, key_b, "{\"first_name\":\"evil\"}", &r) == 0);
	check_problem(&r, 404, "not_found", NULL);
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "DELETE", path, key_b, NULL, &r) == 0);
	check_problem(&r, 404, "not_found", NULL);
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "POST", "/v1/verifications", key_b, body, &r) == 0);
	check_problem(&r, 404, "applicant_not_found", "applicant_id");
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/verifications/%s", ver);
	REQUIRE(e2e_json(&srv, "GET", path, key_b, NULL, &r) == 0);
	check_problem(&r, 404, "not_found", NULL);
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "GET", "/v1/verifications", key_b, NULL, &r) == 0);
	CHECK(strstr(r.body, ver) == NULL);
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "GET", "/v1/applicants", key_b, NULL, &r) == 0);
	CHECK(strstr(r.body, app) == NULL);
	e2e_resp_free(&r);
	/* ... and A still has it unchanged. */
	snprintf(path, sizeof path, "/v1/applicants/%s", app);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(e2e_str(&r, "first_name"), "Tenant A");
	e2e_resp_free(&r);
	free(app);
}

TEST(idempotent_replay)
{
	char auth[200];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", key_a);
	const char *h[] = {auth, "Content-Type: application/json", "Idempotency-Key: order-77", NULL};
	const char *body = "{\"external_ref\":\"idem-1\"}";
	struct e2e_resp r1, r2, r3;
	REQUIRE(e2e_req(&srv, "POST", "/v1/applicants", h, body, strlen(body), &r1) == 0);
	CHECK_INT(r1.status, 201);
	REQUIRE(e2e_req(&srv, "POST", "/v1/applicants", h, body, strlen(body), &r2) == 0);
	CHECK_INT(r2.status, 201);
	CHECK_STR(r2.body, r1.body);
	char replayed[16] = "";
	CHECK(e2e_header(&r2, "idempotent-replayed", replayed, sizeof replayed));
	const char *other = "{\"external_ref\":\"idem-2\"}";
	REQUIRE(e2e_req(&srv, "POST", "/v1/applicants", h, other, strlen(other), &r3) == 0);
	check_problem(&r3, 422, "idempotency_key_reused", NULL);
	e2e_resp_free(&r1);
	e2e_resp_free(&r2);
	e2e_resp_free(&r3);
	/* Only one applicant was created. */
	REQUIRE(e2e_json(&srv, "GET", "/v1/applicants?external_ref=idem-1", key_a, NULL, &r1) == 0);
	CHECK_INT(json_array_size(jget(&r1, "data")), 1);
	e2e_resp_free(&r1);
	/* Another tenant may use the same key independently. */
	char authb[200];
	snprintf(authb, sizeof authb, "Authorization: Bearer %s", key_b);
	const char *hb[] = {authb, "Content-Type: application/json", "Idempotency-Key: order-77", NULL};
	REQUIRE(e2e_req(&srv, "POST", "/v1/applicants", hb, other, strlen(other), &r1) == 0);
	CHECK_INT(r1.status, 201);
	e2e_resp_free(&r1);
}

TEST(restart_keeps_data)
{
	char *app = create_applicant(key_a, "{\"external_ref\":\"survives-restart\"}");
	REQUIRE(app != NULL);
	e2e_stop(&srv);
	REQUIRE(e2e_start(&srv, NULL) == 0);
	char path[128];
	snprintf(path, sizeof path, "/v1/applicants/%s", app);
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(e2e_str(&r, "external_ref"), "survives-restart");
	e2e_resp_free(&r);
	free(app);
}

int main(void)
{
	if (e2e_data_dir(&srv) || e2e_tenant(&srv, "tenant-a", key_a, tenant_a) ||
	    e2e_tenant(&srv, "tenant-b", key_b, NULL) || e2e_start(&srv, NULL)) {
		fprintf(stderr, "cannot start kycd\n");
		e2e_cleanup(&srv);
		printf("[api] 0 passed, 1 failed\n");
		return 1;
	}
	RUN(health_and_request_id);
	RUN(auth_required_and_checked);
	RUN(revoked_key_is_refused);
	RUN(applicant_crud);
	RUN(list_pagination);
	RUN(validation_errors);
	RUN(oversize_body_is_refused);
	RUN(cross_tenant_is_404_everywhere);
	RUN(idempotent_replay);
	RUN(restart_keeps_data);
	e2e_cleanup(&srv);
	return test_done("api");
}
