/* The verification workflow end to end (issue: workflow), what follows a
 * submission: duplicates, the review queue and decisions, name corrections,
 * selfie levels, settings and tiers, expiry, cancellation, and events that
 * survive kill -9. The same harness as workflow_test.c (workflow_kit.h);
 * every expectation is derived from the generated identity, never from
 * fixed data. */
#include "workflow_kit.h"

static void expect_duplicate_of_approved(const char *v, const struct doc *d)
{
	struct e2e_resp r;
	REQUIRE(upload(v, "passport", "front", d->jpg, d->len, &r) == 0);
	CHECK_STR(vstatus(&r), "rejected");
	const char *reason = NULL;
	CHECK_STR(check_result(json_object_get(r.json, "verification"), "duplicate_document", &reason),
		  "fail");
	CHECK_STR(reason, "approved_for_another_applicant");
	if (!reason || strcmp(reason, "approved_for_another_applicant")) {
		char *txt = json_dumps(json_object_get(json_object_get(r.json, "verification"), "checks"),
				       JSON_COMPACT);
		fprintf(stderr, "    checks: %s\n", txt ? txt : "?");
		free(txt);
	}
	e2e_resp_free(&r);
}

TEST(duplicates)
{
	struct doc d;
	REQUIRE(make_doc(20, KYC_SYNTH_TD3, &d) >= 0);
	char *a1 = applicant(""), *a2 = applicant("");
	char *v1 = verification(a1, "");
	struct e2e_resp r;
	REQUIRE(upload(v1, "passport", "front", d.jpg, d.len, &r) == 0);
	CHECK_STR(vstatus(&r), "approved");
	e2e_resp_free(&r);
	/* The same document for another applicant within the approve period. */
	char *v2 = verification(a2, "");
	expect_duplicate_of_approved(v2, &d);
	const char *reason = NULL;
	/* That document was just rejected for a2: a2 sending it again within
	 * the reject period is not a duplicate (nobody else holds it) but the
	 * reject period's own case... */
	char *v3 = verification(a2, "\"options\":{\"approvePeriod\":false}");
	REQUIRE(upload(v3, "passport", "front", d.jpg, d.len, &r) == 0);
	CHECK_STR(vstatus(&r), "rejected");
	CHECK_STR(check_result(json_object_get(r.json, "verification"), "duplicate_document", NULL),
		  "pass");
	reason = NULL;
	CHECK_STR(check_result(json_object_get(r.json, "verification"), "reject_period", &reason),
		  "fail");
	CHECK_STR(reason, "rejected_recently_same_applicant");
	CHECK_STR(json_string_value(json_object_get(
			  json_object_get(json_object_get(r.json, "verification"), "decision"),
			  "reason")),
		  "reject_period");
	e2e_resp_free(&r);
	/* ...while for a third applicant it is a document recently rejected
	 * for another one. */
	char *a3 = applicant("");
	char *v3b = verification(a3, "\"options\":{\"approvePeriod\":false}");
	REQUIRE(upload(v3b, "passport", "front", d.jpg, d.len, &r) == 0);
	CHECK_STR(vstatus(&r), "rejected");
	reason = NULL;
	check_result(json_object_get(r.json, "verification"), "duplicate_document", &reason);
	CHECK_STR(reason, "rejected_recently");
	e2e_resp_free(&r);
	free(a3);
	free(v3b);
	/* Duplicate applicant (switched on per request): the same person
	 * already approved as another applicant. */
	char *v4 = verification(a2, "\"options\":{\"approvePeriod\":false,\"rejectPeriod\":false,"
				    "\"rejectDuplicateUser\":true}");
	REQUIRE(upload(v4, "passport", "front", d.jpg, d.len, &r) == 0);
	CHECK_STR(vstatus(&r), "rejected");
	CHECK_STR(check_result(json_object_get(r.json, "verification"), "duplicate_applicant", NULL),
		  "fail");
	e2e_resp_free(&r);
	char *v5 = verification(a2, "\"options\":{\"approvePeriod\":false,\"rejectPeriod\":false,"
				    "\"rejectDuplicateUser\":false}");
	REQUIRE(upload(v5, "passport", "front", d.jpg, d.len, &r) == 0);
	CHECK_STR(vstatus(&r), "approved");
	e2e_resp_free(&r);
	free(d.jpg);
	free(a1);
	free(a2);
	free(v1);
	free(v2);
	free(v3);
	free(v4);
	free(v5);
}

/* Issue 14, finding 2: the duplicate check looked only at the 100 newest
 * verifications of a document. Applicant 1 is approved with passport X;
 * 101 verifications then upload X as the wrong type (each asks for a
 * retry); applicant 2 with X must still be refused, however many came
 * between (before, it was approved). */
TEST(duplicate_behind_many_verifications)
{
	struct doc d;
	REQUIRE(make_doc(40, KYC_SYNTH_TD3, &d) >= 0);
	char *a1 = applicant(""), *a2 = applicant(""), *a3 = applicant("");
	char *v1 = verification(a1, "");
	struct e2e_resp r;
	REQUIRE(upload(v1, "passport", "front", d.jpg, d.len, &r) == 0);
	CHECK_STR(vstatus(&r), "approved");
	e2e_resp_free(&r);
	int retries = 0;
	for (int i = 0; i < 101; i++) {
		/* the periods off for these, so each is a retry, not a duplicate */
		char *v = verification(a3, "\"options\":{\"approvePeriod\":false,"
					   "\"rejectPeriod\":false}");
		if (!v || upload(v, "visa", "front", d.jpg, d.len, &r)) {
			free(v);
			break;
		}
		retries += !strcmp(vstatus(&r), "incomplete");
		e2e_resp_free(&r);
		free(v);
	}
	CHECK_INT(retries, 101);
	char *v2 = verification(a2, "");
	expect_duplicate_of_approved(v2, &d);
	free(d.jpg);
	free(a1);
	free(a2);
	free(a3);
	free(v1);
	free(v2);
}

/* Registration data that disagrees with the document goes to review; a
 * reviewer decides; the queue, roles and 409s around it. */
TEST(review_queue_and_decisions)
{
	struct doc d;
	REQUIRE(make_doc(30, KYC_SYNTH_TD3, &d) >= 0);
	const struct kyc_synth_fields *f = &d.truth.id.f;
	int64_t bd;
	REQUIRE(kyc_date_parse(f->birth_date, 10, &bd) == 0);
	char other[16], reg[512];
	kyc_date_format(bd + 1, other);
	snprintf(reg, sizeof reg, "\"last_name\":\"%s\",\"birth_date\":\"%s\"", f->surname, other);
	char *app = applicant(reg);
	char *ver = verification(app, "\"options\":{\"approvePeriod\":false,\"rejectPeriod\":false}");
	struct e2e_resp r;
	REQUIRE(upload(ver, "passport", "front", d.jpg, d.len, &r) == 0);
	CHECK_STR(vstatus(&r), "pending_review");
	CHECK_STR(check_result(json_object_get(r.json, "verification"), "data_consistency", NULL),
		  "fail");
	e2e_resp_free(&r);
	/* Another submission while pending: 409 with seed 003's message. */
	REQUIRE(upload(ver, "passport", "front", d.jpg, d.len, &r) == 0);
	CHECK_INT(r.status, 409);
	CHECK_STR(e2e_str(&r, "code"), "verification_pending_review");
	CHECK(strstr(r.body, "Re-upload is only permitted after current review completes") != NULL);
	e2e_resp_free(&r);
	/* It is in the queue. */
	REQUIRE(e2e_json(&srv, "GET", "/v1/reviews?limit=100", key, NULL, &r) == 0);
	CHECK(strstr(r.body, ver) != NULL);
	e2e_resp_free(&r);
	char path[160];
	snprintf(path, sizeof path, "/v1/verifications/%s/decision", ver);
	/* A viewer cannot decide; a rejection needs a reason; bad values are named. */
	REQUIRE(e2e_json(&srv, "POST", path, viewer, "{\"decision\":\"approve\"}", &r) == 0);
	CHECK_INT(r.status, 403);
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "POST", path, reviewer, "{\"decision\":\"reject\"}", &r) == 0);
	CHECK_INT(r.status, 422);
	CHECK_STR(e2e_str(&r, "field"), "reason");
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "POST", path, reviewer, "{\"decision\":\"maybe\"}", &r) == 0);
	CHECK_INT(r.status, 422);
	CHECK_STR(e2e_str(&r, "field"), "decision");
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "POST", path, reviewer,
			 "{\"decision\":\"approve\",\"reason\":\"birth_date_typo\",\"note\":\"registration typo confirmed by phone\"}",
			 &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(e2e_str(&r, "status"), "approved");
	json_t *dec = json_object_get(r.json, "decision");
	CHECK_STR(json_string_value(json_object_get(dec, "reason")), "birth_date_typo");
	CHECK(json_is_false(json_object_get(dec, "automatic")));
	e2e_resp_free(&r);
	/* Decided once. */
	REQUIRE(e2e_json(&srv, "POST", path, reviewer, "{\"decision\":\"reject\",\"reason\":\"x\"}", &r) == 0);
	CHECK_INT(r.status, 409);
	CHECK_STR(e2e_str(&r, "code"), "verification_not_pending");
	e2e_resp_free(&r);
	/* Out of the queue; the decision is in the history with the reviewer. */
	REQUIRE(e2e_json(&srv, "GET", "/v1/reviews?limit=100", key, NULL, &r) == 0);
	CHECK(strstr(r.body, ver) == NULL);
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/verifications/%s/history", ver);
	REQUIRE(e2e_json(&srv, "GET", path, key, NULL, &r) == 0);
	json_t *items = json_object_get(r.json, "data");
	json_t *last = json_array_get(items, json_array_size(items) - 1);
	CHECK_STR(json_string_value(json_object_get(last, "action")), "approve");
	CHECK_STR(json_string_value(json_object_get(last, "reason")), "birth_date_typo");
	char rid[20];
	snprintf(rid, sizeof rid, "key:%.12s", reviewer);
	CHECK(strncmp(json_string_value(json_object_get(last, "actor")), rid, strlen(rid)) == 0);
	e2e_resp_free(&r);
	free(d.jpg);
	free(app);
	free(ver);
}

/* The applicant confirms or corrects the Latin names once; the reading is
 * kept, the checks run again. */
TEST(name_correction)
{
	struct doc d;
	REQUIRE(make_doc(40, KYC_SYNTH_TD3, &d) >= 0);
	const struct kyc_synth_fields *f = &d.truth.id.f;
	/* Registered with a different surname: a mismatch until corrected. */
	char reg[512];
	snprintf(reg, sizeof reg, "\"first_name\":\"%s\",\"last_name\":\"Q%s\",\"birth_date\":\"%s\"",
		 f->given_names, f->surname, f->birth_date);
	char *app = applicant(reg);
	char *ver = verification(app, "\"options\":{\"approvePeriod\":false,\"rejectPeriod\":false}");
	struct e2e_resp r;
	REQUIRE(upload(ver, "passport", "front", d.jpg, d.len, &r) == 0);
	CHECK_STR(vstatus(&r), "pending_review");
	CHECK_STR(check_result(json_object_get(r.json, "verification"), "data_consistency", NULL), "fail");
	e2e_resp_free(&r);
	char path[160], body[512];
	snprintf(path, sizeof path, "/v1/verifications/%s/names", ver);
	snprintf(body, sizeof body, "{\"last_name\":\"Q%s\"}", f->surname);
	REQUIRE(e2e_json(&srv, "POST", path, key, body, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(check_result(r.json, "data_consistency", NULL), "pass");
	json_t *corr = json_object_get(r.json, "corrections");
	CHECK_STR(json_string_value(json_object_get(json_object_get(corr, "original"), "surname")),
		  f->surname);
	CHECK(json_is_string(json_object_get(corr, "actor")));
	CHECK(json_is_string(json_object_get(corr, "at")));
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "POST", path, key, "{}", &r) == 0);
	CHECK_INT(r.status, 409);
	CHECK_STR(e2e_str(&r, "code"), "names_already_confirmed");
	e2e_resp_free(&r);
	/* The reading itself is unchanged. */
	REQUIRE(get_verification(ver, &r) == 0);
	json_t *doc = json_array_get(json_object_get(r.json, "documents"), 0);
	CHECK_STR(json_string_value(json_object_get(
			  json_object_get(json_object_get(json_object_get(doc, "extraction"), "fields"),
					  "surname"),
			  "value")),
		  f->surname);
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/verifications/%s/history", ver);
	REQUIRE(e2e_json(&srv, "GET", path, key, NULL, &r) == 0);
	CHECK(strstr(r.body, "\"correct_names\"") != NULL);
	e2e_resp_free(&r);
	free(d.jpg);
	free(app);
	free(ver);
}

TEST(level_with_selfie_goes_to_review)
{
	struct doc d;
	REQUIRE(make_doc(50, KYC_SYNTH_TD3, &d) >= 0);
	char *app = applicant("");
	char *ver = verification(app, "\"level\":\"L1\",\"options\":{\"approvePeriod\":false,\"rejectPeriod\":false}");
	REQUIRE(ver != NULL);
	struct e2e_resp r;
	REQUIRE(upload(ver, "passport", "front", d.jpg, d.len, &r) == 0);
	CHECK_STR(vstatus(&r), "awaiting_input");
	CHECK_STR(json_string_value(json_array_get(vfield(&r, "pending_steps"), 0)), "selfie");
	e2e_resp_free(&r);
	size_t sl;
	unsigned char *selfie = tface_selfie(TFACE_A, &sl);
	char *b64 = malloc(sl * 2 + 64);
	/* JSON base64 form of the selfie */
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;
	o += (size_t)snprintf(b64, 16, "{\"image\":\"");
	for (size_t i = 0; i < sl; i += 3) {
		unsigned v = (unsigned)selfie[i] << 16 | (i + 1 < sl ? selfie[i + 1] << 8 : 0) |
			     (i + 2 < sl ? selfie[i + 2] : 0);
		b64[o++] = tbl[v >> 18 & 63];
		b64[o++] = tbl[v >> 12 & 63];
		b64[o++] = i + 1 < sl ? tbl[v >> 6 & 63] : '=';
		b64[o++] = i + 2 < sl ? tbl[v & 63] : '=';
	}
	memcpy(b64 + o, "\"}", 3);
	char path[160];
	snprintf(path, sizeof path, "/v1/verifications/%s/selfie", ver);
	REQUIRE(e2e_json(&srv, "POST", path, key, b64, &r) == 0);
	CHECK_INT(r.status, 201);
	CHECK_STR(e2e_str(&r, "status"), "pending_review");
	e2e_resp_free(&r);
	free(b64);
	free(selfie);
	free(d.jpg);
	free(app);
	free(ver);
}

TEST(settings_and_tier_rules)
{
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "GET", "/v1/settings", viewer, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_INT(json_integer_value(json_object_get(r.json, "max_attempts")), 3);
	CHECK_INT(json_integer_value(json_object_get(r.json, "minimum_age")), 18);
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "PATCH", "/v1/settings", reviewer, "{\"minimum_age\":21}", &r) == 0);
	CHECK_INT(r.status, 403);
	e2e_resp_free(&r);
	static const struct {
		const char *body, *field, *code;
	} bad[] = {
		{"{\"minimum_age\":-1}", "minimum_age", "out_of_range"},
		{"{\"blocked_countries\":[\"XXQ\"]}", "blocked_countries", "invalid_value"},
		{"{\"nope\":1}", "nope", "unknown_field"},
		{"{\"default_level\":\"L9\"}", "default_level", "invalid_value"},
		{"{\"requirements\":[{\"applicant_field\":\"tier\",\"code\":\"x\"}]}", "requirements[0].message", "field_required"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		REQUIRE(e2e_json(&srv, "PATCH", "/v1/settings", key, bad[i].body, &r) == 0);
		CHECK_INT(r.status, 422);
		CHECK_STR(e2e_str(&r, "field"), bad[i].field);
		CHECK_STR(e2e_str(&r, "code"), bad[i].code);
		e2e_resp_free(&r);
	}
	/* A tier gate for ID cards, as data (seed 003's rule). */
	patch_settings("{\"requirements\":[{\"document_types\":[\"id_card\"],\"applicant_field\":\"tier\","
		       "\"at_least\":2,\"code\":\"tier_too_low\",\"message\":\"Customer must be on Tier 2 before submitting an ID card\"}]}");
	char *low = applicant("\"tier\":1"), *high = applicant("\"tier\":2");
	char *v1 = verification(low, ""), *v2 = verification(high, "");
	size_t bl;
	unsigned char *img = timg_jpeg(800, 500, 80, &bl);
	REQUIRE(upload(v1, "id_card", "front", img, bl, &r) == 0);
	CHECK_INT(r.status, 422);
	CHECK_STR(e2e_str(&r, "code"), "tier_too_low");
	CHECK(strstr(r.body, "Customer must be on Tier 2") != NULL);
	e2e_resp_free(&r);
	REQUIRE(upload(v2, "id_card", "front", img, bl, &r) == 0);
	CHECK_INT(r.status, 201);
	e2e_resp_free(&r);
	REQUIRE(upload(v1, "passport", "front", img, bl, &r) == 0); /* the rule is for ID cards */
	CHECK_INT(r.status, 201);
	e2e_resp_free(&r);
	/* A rule on an attestation (seed 003's NIN and BVN), set through PATCH. */
	patch_settings("{\"requirements\":[{\"document_types\":[\"id_card\"],\"applicant_field\":\"attestations.nin_verified\","
		       "\"equals\":true,\"code\":\"nin_not_verified\",\"message\":\"NIN first\"}]}");
	REQUIRE(upload(v2, "id_card", "front", img, bl, &r) == 0);
	CHECK_INT(r.status, 422);
	CHECK_STR(e2e_str(&r, "code"), "nin_not_verified");
	CHECK_STR(e2e_str(&r, "field"), "attestations.nin_verified");
	e2e_resp_free(&r);
	char path[160];
	snprintf(path, sizeof path, "/v1/applicants/%s", high);
	REQUIRE(e2e_json(&srv, "PATCH", path, key, "{\"attestations\":{\"nin_verified\":true}}", &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK(json_is_true(json_object_get(json_object_get(r.json, "attestations"), "nin_verified")));
	e2e_resp_free(&r);
	REQUIRE(upload(v2, "id_card", "back", img, bl, &r) == 0);
	CHECK_INT(r.status, 201);
	e2e_resp_free(&r);
	patch_settings("{\"requirements\":null}");
	free(img);
	free(low);
	free(high);
	free(v1);
	free(v2);
}

TEST(expiry_by_access_and_by_sweep)
{
	char *app = applicant("");
	char *v1 = verification(app, "\"expires_in\":60");
	char *v2 = verification(app, "\"expires_in\":60");
	char *v3 = verification(app, "\"expires_in\":600");
	set_clock(120);
	struct e2e_resp r;
	REQUIRE(get_verification(v1, &r) == 0);
	CHECK_STR(e2e_str(&r, "status"), "expired");
	e2e_resp_free(&r);
	size_t bl;
	unsigned char *img = timg_jpeg(640, 480, 80, &bl);
	REQUIRE(upload(v1, "passport", "front", img, bl, &r) == 0);
	CHECK_INT(r.status, 409);
	CHECK_STR(e2e_str(&r, "code"), "verification_closed");
	e2e_resp_free(&r);
	/* v2 is never read: the sweep (every 200 ms here) expires it; its
	 * history, which does not apply expiry itself, shows it. */
	char path[160];
	snprintf(path, sizeof path, "/v1/verifications/%s/history", v2);
	int seen = 0;
	for (int i = 0; i < 300 && !seen; i++) {
		REQUIRE(e2e_json(&srv, "GET", path, key, NULL, &r) == 0);
		seen = strstr(r.body, "\"expire\"") != NULL;
		e2e_resp_free(&r);
		if (!seen) {
			struct timespec ts = {0, 50 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	CHECK(seen);
	REQUIRE(get_verification(v3, &r) == 0);
	CHECK_STR(e2e_str(&r, "status"), "awaiting_input");
	e2e_resp_free(&r);
	set_clock(0);
	free(img);
	free(app);
	free(v1);
	free(v2);
	free(v3);
}

TEST(cancel)
{
	char *app = applicant("");
	char *ver = verification(app, "");
	char path[160];
	snprintf(path, sizeof path, "/v1/verifications/%s/cancel", ver);
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "POST", path, viewer, "{}", &r) == 0);
	CHECK_INT(r.status, 403); /* a viewer changes nothing */
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "POST", path, key, "{}", &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(e2e_str(&r, "status"), "cancelled");
	e2e_resp_free(&r);
	/* Final: no second cancel, no upload, no decision. */
	REQUIRE(e2e_json(&srv, "POST", path, key, "{}", &r) == 0);
	CHECK_INT(r.status, 409);
	CHECK_STR(e2e_str(&r, "code"), "verification_closed");
	e2e_resp_free(&r);
	size_t bl;
	unsigned char *img = timg_jpeg(640, 480, 80, &bl);
	REQUIRE(upload(ver, "passport", "front", img, bl, &r) == 0);
	CHECK_INT(r.status, 409);
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/verifications/%s/decision", ver);
	REQUIRE(e2e_json(&srv, "POST", path, reviewer, "{\"decision\":\"approve\"}", &r) == 0);
	CHECK_INT(r.status, 409);
	e2e_resp_free(&r);
	/* Another tenant's verification does not exist for this one. */
	char other[128], other_tenant[64];
	REQUIRE(e2e_tenant(&srv, "workflow-b", other, other_tenant) == 0);
	snprintf(path, sizeof path, "/v1/verifications/%s/history", ver);
	REQUIRE(e2e_json(&srv, "GET", path, other, NULL, &r) == 0);
	CHECK_INT(r.status, 404);
	e2e_resp_free(&r);
	free(img);
	free(app);
	free(ver);
}

/* A document whose expiry date has passed (the clock moved past it) is
 * rejected by document_expired. */
TEST(expired_document)
{
	struct doc d;
	REQUIRE(make_doc(60, KYC_SYNTH_TD3, &d) >= 0);
	int64_t exp;
	REQUIRE(kyc_date_parse(d.truth.id.f.expiry_date, 10, &exp) == 0);
	long long ahead = (long long)(exp + 2 - today_days()) * 86400;
	set_clock(ahead);
	char *app = applicant("");
	char *ver = verification(app, "\"options\":{\"approvePeriod\":false,\"rejectPeriod\":false}");
	struct e2e_resp r;
	REQUIRE(upload(ver, "passport", "front", d.jpg, d.len, &r) == 0);
	CHECK_STR(vstatus(&r), "rejected");
	CHECK_STR(check_result(json_object_get(r.json, "verification"), "document_expired", NULL),
		  "fail");
	e2e_resp_free(&r);
	set_clock(0);
	free(d.jpg);
	free(app);
	free(ver);
}

/* Every committed status change has its event and its audit row, even when
 * the server is killed at random moments during submissions: they are
 * written in one transaction. */
TEST(events_and_history_survive_kill_9)
{
	struct doc d;
	REQUIRE(make_doc(70, KYC_SYNTH_TD3, &d) >= 0);
	char *app = applicant("");
	srand((unsigned)seed);
	for (int round = 0; round < 4; round++) {
		pid_t child = fork();
		if (child == 0) { /* a client submitting until it is stopped */
			quiet = 1;
			for (int i = 0; i < 50; i++) {
				char *v = verification(app, "\"options\":{\"approvePeriod\":false,\"rejectPeriod\":false}");
				struct e2e_resp r;
				if (v && upload(v, "passport", "front", d.jpg, d.len, &r) == 0)
					e2e_resp_free(&r);
				free(v);
			}
			_exit(0);
		}
		struct timespec ts = {0, (long)(100 + rand() % 400) * 1000 * 1000};
		nanosleep(&ts, NULL);
		e2e_kill(&srv);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		const char *env[] = {"KYCD_SWEEP_INTERVAL_MS=200", NULL};
		REQUIRE(e2e_start(&srv, env) == 0);
	}
	/* Read the store itself: every verification that moved has an event at
	 * its current version, and its last audit row ends in its status. */
	kyc_store *st;
	char err[200];
	REQUIRE(e2e_store_open(&srv, &st, err, sizeof err) == 0);
	json_t *filter = json_pack("{s:s}", "applicant_id", app);
	char cursor[128] = "";
	int checked = 0;
	do {
		struct kyc_store_page pg;
		REQUIRE(kyc_store_list(st, KYC_R_VERIFICATION, tenant, filter, cursor, 100, &pg) == 0);
		size_t i;
		json_t *v;
		json_array_foreach(pg.items, i, v)
		{
			const char *id = json_string_value(json_object_get(v, "id"));
			const char *status = json_string_value(json_object_get(v, "status"));
			struct kyc_store_page h, ev;
			json_t *hf = json_pack("{s:s}", "verification_id", id);
			json_t *ef = json_pack("{s:s}", "resource_id", id);
			REQUIRE(kyc_store_list(st, KYC_R_HISTORY, tenant, hf, "", 100, &h) == 0);
			REQUIRE(kyc_store_list(st, KYC_R_EVENT, tenant, ef, "", 100, &ev) == 0);
			json_t *newest = json_array_get(h.items, 0);
			CHECK_STR(json_string_value(json_object_get(newest, "to_status")), status);
			int64_t ver = json_integer_value(json_object_get(v, "version"));
			int found = 0;
			size_t j;
			json_t *e;
			json_array_foreach(ev.items, j, e) found |=
				json_integer_value(json_object_get(e, "resource_version")) == ver;
			CHECK(found);
			json_decref(h.items);
			json_decref(ev.items);
			json_decref(hf);
			json_decref(ef);
			checked++;
		}
		json_decref(pg.items);
		snprintf(cursor, sizeof cursor, "%s", pg.next_cursor);
	} while (*cursor);
	json_decref(filter);
	kyc_store_close(st);
	CHECK(checked > 0);
	fprintf(stderr, "  %d verifications checked after 4 kills\n", checked);
	free(d.jpg);
	free(app);
}

int main(void)
{
	if (workflow_start("workflow_review"))
		return 1;
	RUN(duplicates);
	RUN(duplicate_behind_many_verifications);
	RUN(review_queue_and_decisions);
	RUN(name_correction);
	RUN(level_with_selfie_goes_to_review);
	RUN(settings_and_tier_rules);
	RUN(expiry_by_access_and_by_sweep);
	RUN(cancel);
	RUN(expired_document);
	RUN(events_and_history_survive_kill_9);
	workflow_stop();
	return test_done("workflow_review");
}
