/* Seed 004 (KYC record sharing) against the real kycd: file URLs fetched
 * later (every URL field, a restart mid-fetch, a card's back waiting for its
 * front, the errors pushed). The harness is seed004_kit.h. */
#include "seed004_kit.h"

static json_t *verification(const char *vid)
{
	char path[160];
	snprintf(path, sizeof path, "/v1/verifications/%s", vid);
	return e2e_get_json(&srv, path, key_a);
}

/* Polls verification vid until every download left its list or gave up
 * (readiness, bounded at 60 s); the record then, or NULL. */
static json_t *downloads_settled(const char *vid)
{
	for (int i = 0; i < 600; i++) {
		json_t *v = verification(vid);
		size_t k;
		json_t *d;
		int open = 0;
		json_array_foreach(json_object_get(v, "downloads"), k, d) open |=
		    !json_is_true(json_object_get(d, "failed"));
		if (v && !open)
			return v;
		json_decref(v);
		e2e_sleep_ms(100);
	}
	return NULL;
}

/* The gate lets downloads through and their next try comes due: verification
 * vid once every download arrived (NULL if one still waits or failed). */
static json_t *gate_opened(const char *vid)
{
	tcpgate_set_mode(gate, TCPGATE_FORWARD);
	e2e_clock_add(&clk, 31);
	json_t *v = downloads_settled(vid);
	if (v && json_array_size(json_object_get(v, "downloads"))) {
		char *left = json_dumps(json_object_get(v, "downloads"), JSON_COMPACT);
		fprintf(stderr, "  downloads left: %s\n", left);
		free(left);
		json_decref(v);
		v = NULL;
	}
	return v;
}

static const json_t *download_of(const json_t *v, const char *field)
{
	return e2e_find(json_object_get(v, "downloads"), "field", field);
}

static int passports_read(const json_t *v, const char *number)
{
	size_t i;
	json_t *doc;
	int n = 0;
	json_array_foreach(json_object_get(v, "documents"), i, doc)
	{
		const json_t *num = json_object_get(
		    json_object_get(
		        json_object_get(json_object_get(doc, "extraction"), "fields"),
		        "document_number"),
		    "value");
		n += !strcmp(json_string_value(json_object_get(doc, "type")), "passport") &&
		     json_is_string(num) && !strcmp(json_string_value(num), number);
	}
	return n;
}

/* Shares body b (freed) and expects the seed's answer, {"userId"} alone;
 * uid: that user, vid: its newest verification. 0, or -1 when it did not
 * answer so. */
static int share_ok(char *b, char uid[64], char vid[64])
{
	struct e2e_resp r;
	int rc = share(key_a, b, &r);
	free(b);
	if (rc)
		return -1;
	if (r.status != 200)
		fprintf(stderr, "  got %ld %s\n", r.status, r.body);
	json_t *d = json_object_get(r.json, "data");
	rc = r.status == 200 && !strcmp(e2e_str(&r, "code"), "0") && json_object_size(d) == 1
	         ? 0
	         : -1;
	snprintf(uid, 64, "%s", rc ? "" : json_string_value(json_object_get(d, "userId")));
	e2e_resp_free(&r);
	json_t *v = rc ? NULL : newest_verification(key_a, uid);
	snprintf(vid, 64, "%s", v ? json_string_value(json_object_get(v, "id")) : "");
	json_decref(v);
	return v ? 0 : -1;
}

/* Nothing in the seed says when the files are read, and the outcome reaches
 * the merchant by push: a share whose front, selfie and AML report are not
 * there yet is answered with its userId; each URL is kept with its own
 * error, fetched again, and put in its place when it arrives. */
TEST(deferred_every_url)
{
	char f[256], sf[256], a[256], ov[1024];
	int port = tcpgate_port(gate);
	snprintf(f, sizeof f, "https://localhost:%d/late-front.jpg", port);
	snprintf(sf, sizeof sf, "https://localhost:%d/selfie.jpg", port);
	snprintf(a, sizeof a, "https://localhost:%d/aml.pdf", port);
	tcpgate_set_mode(gate, TCPGATE_REFUSE);
	snprintf(ov, sizeof ov,
	         "{\"frontFileUrl\":\"%s\",\"selfieFileUrl\":\"%s\",\"amlFileUrl\":\"%s\"}", f, sf,
	         a);
	char uid[64], vid[64];
	REQUIRE(share_ok(body("late-user", "new", ov), uid, vid) == 0);
	json_t *v;
	struct e2e_resp r;
	v = verification(vid);
	REQUIRE(v != NULL);
	CHECK_STR(json_string_value(json_object_get(v, "status")), "awaiting_input");
	CHECK_INT(json_array_size(json_object_get(v, "downloads")), 3);
	static const char *const fields[] = {"frontFileUrl", "selfieFileUrl", "amlFileUrl"};
	const char *urls[] = {f, sf, a};
	for (int i = 0; i < 3; i++) {
		const json_t *dl = download_of(v, fields[i]);
		REQUIRE(dl != NULL);
		CHECK_STR(json_string_value(json_object_get(dl, "url")), urls[i]);
		CHECK_STR(json_string_value(json_object_get(dl, "last_error")), "url_fetch_failed");
		CHECK(json_is_false(json_object_get(dl, "failed")));
		CHECK_INT(json_integer_value(json_object_get(dl, "attempts")), 1);
	}
	CHECK_INT(passports_read(v, late_pp[0].id.f.document_number), 0);
	json_decref(v);

	/* the files can be reached; the next try (30 s later) puts each in its place */
	v = gate_opened(vid);
	REQUIRE(v != NULL);
	/* L1 asks for liveness, which one selfie file cannot show: a person decides */
	CHECK_STR(json_string_value(json_object_get(v, "status")), "pending_review");
	CHECK_INT(passports_read(v, late_pp[0].id.f.document_number), 1);
	CHECK(json_is_string(json_object_get(json_object_get(v, "face"), "selfie_file_id")));
	/* the liveness state: the selfie came without the head-turn challenge */
	CHECK_STR(json_string_value(json_object_get(json_object_get(v, "face"), "liveness")),
	          "not_performed");
	json_decref(v);
	/* the AML report is the applicant's file, as a share that fetched it at once */
	kyc_store *st = NULL;
	char err[200];
	json_t *app = NULL;
	REQUIRE(e2e_store_open(&srv, &st, err, sizeof err) == 0);
	CHECK(kyc_store_get(st, KYC_R_APPLICANT, tenant_a, uid, &app) == 0);
	const char *fid = json_string_value(json_object_get(
	    json_object_get(json_object_get(json_object_get(app, "attributes"), "compat004"),
	                    "files"),
	    "amlFileUrl"));
	REQUIRE(fid != NULL);
	char path[160];
	snprintf(path, sizeof path, "/v1/files/%s", fid);
	json_decref(app);
	kyc_store_close(st);
	REQUIRE(e2e_json(&srv, "GET", path, key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_INT(r.body_len, sizeof aml_pdf - 1);
	CHECK(r.body_len == sizeof aml_pdf - 1 && !memcmp(r.body, aml_pdf, r.body_len));
	e2e_resp_free(&r);
}

/* A server stopped while it downloads (SIGKILL, mid-request) loses nothing:
 * after the restart the URL is fetched again and the document submitted,
 * once. */
TEST(deferred_restart_mid_fetch)
{
	char f[256], ov[600];
	snprintf(f, sizeof f, "https://localhost:%d/late-front2.jpg", tcpgate_port(gate));
	snprintf(ov, sizeof ov, "{\"frontFileUrl\":\"%s\",\"amlFileUrl\":null}", f);
	/* the first try meets a closed connection */
	tcpgate_set_mode(gate, TCPGATE_REFUSE);
	char uid[64], vid[64];
	REQUIRE(share_ok(body("restart-user", "new", ov), uid, vid) == 0);
	json_t *v;
	v = verification(vid);
	REQUIRE(v != NULL);
	const json_t *dl = download_of(v, "frontFileUrl");
	REQUIRE(dl != NULL);
	CHECK_STR(json_string_value(json_object_get(dl, "last_error")), "url_fetch_failed");
	json_decref(v);

	/* the next try is held mid-request, and the server is killed there */
	tcpgate_set_mode(gate, TCPGATE_HOLD);
	int before = tcpgate_accepted(gate);
	e2e_clock_add(&clk, 31);
	REQUIRE(tcpgate_wait(gate, before + 1, 60000) >= before + 1);
	e2e_kill(&srv);
	/* the file answers from now on; a new server takes over */
	tcpgate_set_mode(gate, TCPGATE_FORWARD);
	REQUIRE(e2e_start(&srv, srv_env) == 0);
	v = downloads_settled(vid);
	REQUIRE(v != NULL);
	CHECK_INT(json_array_size(json_object_get(v, "downloads")), 0);
	CHECK_STR(json_string_value(json_object_get(v, "status")), "pending_review");
	/* submitted once: one passport document, read */
	CHECK_INT(passports_read(v, late_pp[1].id.f.document_number), 1);
	CHECK_INT(json_integer_value(json_object_get(v, "attempts")), 1);
	json_decref(v);
}

/* How many documents of verification v are an ID card's side (the selfie is
 * a document too). */
static int card_sides(const json_t *v, const char *side)
{
	size_t i;
	json_t *d;
	int n = 0;
	json_array_foreach(json_object_get(v, "documents"), i, d) n +=
	    !strcmp(json_string_value(json_object_get(d, "type")), "id_card") &&
	    !strcmp(json_string_value(json_object_get(d, "side")), side);
	return n;
}

/* An ID card whose front is not there yet: its back, there at once, waits
 * with it (the workflow reads a card's front first), and both go in as one
 * attempt when the front arrives. */
TEST(deferred_back_waits_for_front)
{
	char f[256], bk[256], ov[800];
	snprintf(f, sizeof f, "https://localhost:%d/card-front.jpg", tcpgate_port(gate));
	httpsd_url(&web, "card-back.jpg", bk, sizeof bk);
	snprintf(ov, sizeof ov,
	         "{\"idType\":\"ID_CARD\",\"frontFileUrl\":\"%s\",\"backFileUrl\":\"%s\","
	         "\"amlFileUrl\":null}",
	         f, bk);
	tcpgate_set_mode(gate, TCPGATE_REFUSE);
	char uid[64], vid[64];
	REQUIRE(share_ok(body("card-user", "new", ov), uid, vid) == 0);
	json_t *v = verification(vid);
	REQUIRE(v != NULL);
	CHECK_STR(json_string_value(json_object_get(download_of(v, "frontFileUrl"), "last_error")),
	          "url_fetch_failed");
	CHECK_STR(json_string_value(json_object_get(download_of(v, "backFileUrl"), "last_error")),
	          "front_pending");
	CHECK_INT(card_sides(v, "front") + card_sides(v, "back"), 0);
	json_decref(v);

	v = gate_opened(vid);
	REQUIRE(v != NULL);
	CHECK_INT(card_sides(v, "front"), 1);
	CHECK_INT(card_sides(v, "back"), 1);
	CHECK_INT(json_integer_value(json_object_get(v, "attempts")), 1);
	CHECK(strcmp(json_string_value(json_object_get(v, "status")), "awaiting_input") != 0);
	json_decref(v);
}

/* Content that is no image when it arrives stops that URL's retries, with
 * its error; a URL that never arrives is pushed with its error when the
 * verification ends (the status push's reject, fileErrors). */
TEST(deferred_errors_pushed)
{
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "POST", "/v1/webhook-callback-secret/rotate", key_a, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	int base = whrecv_count(rx);
	char f[256], sf[256], cb[128];
	snprintf(f, sizeof f, "https://localhost:%d/front.jpg", tcpgate_port(never));
	snprintf(sf, sizeof sf, "https://localhost:%d/text-selfie.jpg", tcpgate_port(gate));
	tcpgate_set_mode(gate, TCPGATE_REFUSE);
	snprintf(cb, sizeof cb, "https://127.0.0.1:%d/late", whrecv_port(rx));
	json_t *o = json_pack("{s:s, s:s, s:n}", "frontFileUrl", f, "selfieFileUrl", sf,
	                      "amlFileUrl");
	char *ov = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	char *b = body("never-user", "new", ov);
	free(ov);
	json_t *bj = json_loads(b, 0, NULL);
	free(b);
	json_object_set_new(bj, "callbackUrl", json_string(cb));
	b = json_dumps(bj, JSON_COMPACT);
	json_decref(bj);
	char uid[64], vid[64];
	REQUIRE(share_ok(b, uid, vid) == 0);
	json_t *v;

	/* the selfie URL answers with text: no more tries for it */
	tcpgate_set_mode(gate, TCPGATE_FORWARD);
	e2e_clock_add(&clk, 31);
	v = NULL;
	for (int i = 0; i < 600; i++) {
		v = verification(vid);
		const json_t *dl = download_of(v, "selfieFileUrl");
		if (dl && json_is_true(json_object_get(dl, "failed")))
			break;
		json_decref(v);
		v = NULL;
		e2e_sleep_ms(100);
	}
	REQUIRE(v != NULL);
	const json_t *dl = download_of(v, "selfieFileUrl");
	CHECK_STR(json_string_value(json_object_get(dl, "last_error")), "unsupported_media_type");
	dl = download_of(v, "frontFileUrl");
	CHECK(json_is_false(json_object_get(dl, "failed")));
	CHECK_STR(json_string_value(json_object_get(dl, "last_error")), "url_fetch_failed");
	CHECK(json_integer_value(json_object_get(dl, "attempts")) >= 2);
	CHECK_STR(json_string_value(json_object_get(v, "status")), "awaiting_input");
	json_decref(v);

	/* the front never comes: the verification expires, and the push says
	 * reject with each URL that failed */
	e2e_clock_add(&clk, 5 * 3600);
	json_t *push = NULL;
	for (int n = base + 1; !push && whrecv_wait(rx, n, 60000) >= n; n++) {
		struct whrecv_msg m;
		REQUIRE(whrecv_get(rx, n - 1, &m) == 0);
		json_t *j = json_loads(m.body, 0, NULL);
		free(m.body);
		if (!strcmp(json_string_value(json_object_get(j, "status")), "reject"))
			push = j;
		else
			json_decref(j);
	}
	REQUIRE(push != NULL);
	CHECK_STR(json_string_value(json_object_get(push, "userId")), uid);
	CHECK_STR(json_string_value(json_object_get(push, "merchantUserId")), "never-user");
	CHECK_STR(json_string_value(json_object_get(push, "kycStatus")), "reject");
	CHECK_STR(json_string_value(json_object_get(push, "reason")), "expired");
	json_t *errs = json_object_get(push, "fileErrors");
	CHECK_INT(json_array_size(errs), 2);
	int front_seen = 0, selfie_seen = 0;
	size_t i;
	json_t *e;
	json_array_foreach(errs, i, e)
	{
		const char *field = json_string_value(json_object_get(e, "field"));
		const char *code = json_string_value(json_object_get(e, "code"));
		CHECK(json_string_length(json_object_get(e, "msg")) > 0);
		if (!strcmp(field, "kycIdentityInfoVo.frontFileUrl")) {
			front_seen = 1;
			CHECK_STR(code, "url_fetch_failed");
		} else if (!strcmp(field, "kycIdentityInfoVo.selfieFileUrl")) {
			selfie_seen = 1;
			CHECK_STR(code, "unsupported_media_type");
		}
	}
	CHECK(front_seen && selfie_seen);
	json_decref(push);
}

int main(void)
{
	if (seed004_start("compat004_deferred"))
		return 1;
	/* these move the clock (hours, last) and restart the server */
	RUN(deferred_every_url);
	RUN(deferred_restart_mid_fetch);
	RUN(deferred_back_waits_for_front);
	RUN(deferred_errors_pushed);
	seed004_stop();
	return test_done("compat004_deferred");
}
