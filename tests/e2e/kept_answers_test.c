/* GET /v1/verifications/{id} is answered from the server threads' kept
 * answers (src/http/api_cache.h) while the rows it shows are unchanged:
 * after a change, and past the verification's expiry, the answer is the
 * new one. Each verification is read several times first, so that both
 * server threads hold an answer before it changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "e2e_clock.h"
#include "test.h"

static struct e2e_server srv;
static struct e2e_clock clk;
static char key[128];

static char *created(const char *path, const char *body)
{
	struct e2e_resp r;
	if (e2e_json(&srv, "POST", path, key, body, &r) || r.status != 201) {
		fprintf(stderr, "%s: %ld %s\n", path, r.status, r.body ? r.body : "");
		e2e_resp_free(&r);
		return NULL;
	}
	char *id = strdup(e2e_str(&r, "id"));
	e2e_resp_free(&r);
	return id;
}

/* A new verification of a new applicant; extra: more JSON members. */
static char *verification(const char *extra)
{
	char body[256];
	char *app = created("/v1/applicants", "{\"first_name\":\"Anna\",\"last_name\":\"Eriksson\"}");
	if (!app)
		return NULL;
	snprintf(body, sizeof body, "{\"applicant_id\":\"%s\"%s}", app, extra);
	free(app);
	return created("/v1/verifications", body);
}

/* Reads the verification n times: the same body each time, whose status
 * is want; that body in out (malloc()ed). */
static int read_same(const char *id, int n, const char *want, char **out)
{
	char path[128];
	snprintf(path, sizeof path, "/v1/verifications/%s", id);
	*out = NULL;
	for (int i = 0; i < n; i++) {
		struct e2e_resp r;
		if (e2e_json(&srv, "GET", path, key, NULL, &r) || r.status != 200 ||
		    strcmp(e2e_str(&r, "status"), want) || (*out && strcmp(*out, r.body))) {
			fprintf(stderr, "read %d: %ld %s\n", i, r.status, r.body ? r.body : "");
			e2e_resp_free(&r);
			return -1;
		}
		if (!*out)
			*out = strdup(r.body);
		e2e_resp_free(&r);
	}
	return 0;
}

/* A new verification (extra: more JSON members) read several times as
 * before; then change(id); then read several times as after, a new body. */
static void kept_until(const char *extra, const char *before, void (*change)(const char *id),
		       const char *after)
{
	char *id = verification(extra);
	REQUIRE(id != NULL);
	char *b1 = NULL, *b2 = NULL;
	REQUIRE(read_same(id, 6, before, &b1) == 0);
	change(id);
	CHECK(read_same(id, 6, after, &b2) == 0);
	CHECK(b2 && strcmp(b1, b2) != 0);
	free(b1);
	free(b2);
	free(id);
}

static void cancel(const char *id)
{
	char path[160];
	snprintf(path, sizeof path, "/v1/verifications/%s/cancel", id);
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "POST", path, key, "{}", &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
}

static void past_expiry(const char *id)
{
	e2e_clock_set(&clk, 120);
}

TEST(a_kept_answer_follows_a_change)
{
	kept_until("", "awaiting_input", cancel, "cancelled");
}

TEST(a_kept_answer_ends_at_the_expiry)
{
	kept_until(",\"expires_in\":60", "awaiting_input", past_expiry, "expired");
	e2e_clock_set(&clk, 0);
}

TEST(another_tenant_gets_no_kept_answer)
{
	char *id = verification("");
	REQUIRE(id != NULL);
	char *body = NULL, other[128], path[128];
	REQUIRE(read_same(id, 4, "awaiting_input", &body) == 0);
	REQUIRE(e2e_tenant(&srv, "kept-b", other, NULL) == 0);
	snprintf(path, sizeof path, "/v1/verifications/%s", id);
	for (int i = 0; i < 4; i++) {
		struct e2e_resp r;
		REQUIRE(e2e_json(&srv, "GET", path, other, NULL, &r) == 0);
		CHECK_INT(r.status, 404);
		e2e_resp_free(&r);
	}
	free(body);
	free(id);
}

int main(void)
{
	if (e2e_data_dir(&srv) || e2e_tenant(&srv, "kept", key, NULL) ||
	    e2e_clock_init(&clk, srv.data_dir)) {
		e2e_cleanup(&srv);
		printf("[kept_answers] 0 passed, 1 failed\n");
		return 1;
	}
	const char *env[] = {clk.env, NULL};
	if (e2e_start(&srv, env)) {
		e2e_clock_remove(&clk);
		e2e_cleanup(&srv);
		printf("[kept_answers] 0 passed, 1 failed\n");
		return 1;
	}
	RUN(a_kept_answer_follows_a_change);
	RUN(a_kept_answer_ends_at_the_expiry);
	RUN(another_tenant_gets_no_kept_answer);
	e2e_clock_remove(&clk);
	e2e_cleanup(&srv);
	return test_done("kept_answers");
}
