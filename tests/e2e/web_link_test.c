/* POST /v1/verifications/{id}/hosted-link against the real kycd: the link's
 * shape, its expiry, tenancy and roles. The browser side of the hosted page
 * is tested in tests/web. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "test.h"

static struct e2e_server srv;
static char key_a[128], key_b[128], tenant_a[64];

/* A verification of a new applicant of the key's tenant; its id into vid. */
static int make_verification(const char *key, const char *extra, char vid[64], char exp[40])
{
	struct e2e_resp r;
	if (e2e_json(&srv, "POST", "/v1/applicants", key, "{\"first_name\":\"Anna\"}", &r) ||
	    r.status != 201) {
		e2e_resp_free(&r);
		return -1;
	}
	char body[256];
	snprintf(body, sizeof body, "{\"applicant_id\":\"%s\"%s}", e2e_str(&r, "id"), extra);
	e2e_resp_free(&r);
	if (e2e_json(&srv, "POST", "/v1/verifications", key, body, &r) || r.status != 201) {
		e2e_resp_free(&r);
		return -1;
	}
	snprintf(vid, 64, "%s", e2e_str(&r, "id"));
	if (exp)
		snprintf(exp, 40, "%s", e2e_str(&r, "expires_at"));
	e2e_resp_free(&r);
	return 0;
}

static int is_token(const char *s)
{
	if (strlen(s) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
			return 0;
		}
	}
	return 1;
}

TEST(link_shape_and_default_expiry)
{
	char vid[64], exp[40], path[160], url[200];
	REQUIRE(make_verification(key_a, "", vid, exp) == 0);
	snprintf(path, sizeof path, "/v1/verifications/%s/hosted-link", vid);
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "POST", path, key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 201);
	CHECK_STR(e2e_str(&r, "object"), "hosted_link");
	CHECK_STR(e2e_str(&r, "verification_id"), vid);
	const char *tok = e2e_str(&r, "token");
	CHECK(is_token(tok));
	CHECK(strcmp(tok, vid) != 0);
	/* The link is seed 002's shape on the server's own address by default. */
	snprintf(url, sizeof url, "%s/?id=%s", srv.base, tok);
	CHECK_STR(e2e_str(&r, "url"), url);
	CHECK_STR(e2e_str(&r, "expires_at"), exp);
	char tok1[40];
	snprintf(tok1, sizeof tok1, "%s", tok);
	e2e_resp_free(&r);
	/* Each call makes a new link (the token is not kept to replay). */
	REQUIRE(e2e_json(&srv, "POST", path, key_a, "{}", &r) == 0);
	CHECK_INT(r.status, 201);
	CHECK(is_token(e2e_str(&r, "token")) && strcmp(e2e_str(&r, "token"), tok1) != 0);
	e2e_resp_free(&r);
}

TEST(explicit_expiry_and_validation)
{
	char vid[64], path[160];
	REQUIRE(make_verification(key_a, "", vid, NULL) == 0);
	snprintf(path, sizeof path, "/v1/verifications/%s/hosted-link", vid);
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "POST", path, key_a, "{\"expires_in\":30}", &r) == 0);
	CHECK_INT(r.status, 422);
	CHECK_STR(e2e_str(&r, "code"), "out_of_range");
	CHECK_STR(e2e_str(&r, "field"), "expires_in");
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "POST", path, key_a, "{\"lifetime\":30}", &r) == 0);
	CHECK_INT(r.status, 422);
	CHECK_STR(e2e_str(&r, "code"), "unknown_field");
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "POST", path, key_a, "{\"expires_in\":", &r) == 0);
	CHECK_INT(r.status, 400);
	CHECK_STR(e2e_str(&r, "code"), "invalid_json");
	e2e_resp_free(&r);
	/* A link may outlive the verification's input window (the status page). */
	REQUIRE(e2e_json(&srv, "POST", path, key_a, "{\"expires_in\":86400}", &r) == 0);
	CHECK_INT(r.status, 201);
	const char *exp = e2e_str(&r, "expires_at");
	CHECK(strlen(exp) == 24 && exp[23] == 'Z');
	e2e_resp_free(&r);
}

TEST(tenancy_and_roles)
{
	char vid[64], path[160];
	REQUIRE(make_verification(key_a, "", vid, NULL) == 0);
	snprintf(path, sizeof path, "/v1/verifications/%s/hosted-link", vid);
	struct e2e_resp r;
	/* Another tenant's verification does not exist for it. */
	REQUIRE(e2e_json(&srv, "POST", path, key_b, NULL, &r) == 0);
	CHECK_INT(r.status, 404);
	CHECK_STR(e2e_str(&r, "code"), "not_found");
	CHECK(strstr(r.body, "token") == NULL);
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "POST", path, NULL, NULL, &r) == 0);
	CHECK_INT(r.status, 401);
	e2e_resp_free(&r);
	/* A viewer key may not hand out links. */
	char *out = NULL;
	const char *args[] = {"key", "create", tenant_a, "--role", "viewer", NULL};
	REQUIRE(e2e_cli(&srv, &out, args) == 0);
	json_t *k = json_loads(out, 0, NULL);
	free(out);
	REQUIRE(k != NULL);
	REQUIRE(e2e_json(&srv, "POST", path, json_string_value(json_object_get(k, "api_key")), NULL,
			 &r) == 0);
	CHECK_INT(r.status, 403);
	CHECK_STR(e2e_str(&r, "code"), "forbidden");
	e2e_resp_free(&r);
	json_decref(k);
}

/* The link's token never reaches the log, which records routes, not paths. */
TEST(token_not_logged)
{
	char vid[64], path[160], tok[40], page[80];
	REQUIRE(make_verification(key_a, "", vid, NULL) == 0);
	snprintf(path, sizeof path, "/v1/verifications/%s/hosted-link", vid);
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "POST", path, key_a, NULL, &r) == 0);
	REQUIRE(r.status == 201);
	snprintf(tok, sizeof tok, "%s", e2e_str(&r, "token"));
	e2e_resp_free(&r);
	snprintf(page, sizeof page, "/?id=%s", tok);
	REQUIRE(e2e_req(&srv, "GET", page, NULL, NULL, 0, &r) == 0);
	e2e_resp_free(&r);
	/* The log is flushed on stop. */
	e2e_stop(&srv);
	FILE *f = fopen(srv.log_path, "r");
	REQUIRE(f != NULL);
	char line[4096];
	int lines = 0, leaked = 0;
	while (fgets(line, sizeof line, f)) {
		lines++;
		if (strstr(line, tok))
			leaked++;
	}
	fclose(f);
	CHECK(lines > 0);
	CHECK_INT(leaked, 0);
	REQUIRE(e2e_start(&srv, NULL) == 0);
}

int main(void)
{
	if (e2e_data_dir(&srv) || e2e_tenant(&srv, "tenant-a", key_a, tenant_a) ||
	    e2e_tenant(&srv, "tenant-b", key_b, NULL) || e2e_start(&srv, NULL)) {
		fprintf(stderr, "cannot start kycd\n");
		e2e_cleanup(&srv);
		printf("[web_link] 0 passed, 1 failed\n");
		return 1;
	}
	RUN(link_shape_and_default_expiry);
	RUN(explicit_expiry_and_validation);
	RUN(tenancy_and_roles);
	RUN(token_not_logged);
	e2e_stop(&srv);
	e2e_cleanup(&srv);
	return test_done("web_link");
}
