/* Erasure and retention end to end (issue 14, docs/security.md): the real
 * kycd over HTTP with generated passports of known ground truth, a real
 * webhook receiver, and after the fact the database file and the data
 * directory searched byte by byte for what was erased: the names, the
 * document number, the e-mail, the metadata and a run of the image's bytes.
 * Time is moved with KYCD_CLOCK_FILE; the sweeper's work is waited for by
 * what it leaves behind, never by sleeping a fixed time. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "datadir.h"
#include "document/synth.h"
#include "e2e.h"
#include "e2e_clock.h"
#include "form.h"
#include "specimen.h"
#include "test.h"
#include "whrecv.h"

static struct e2e_server srv;
static struct e2e_clock clk;
static struct whrecv *rx;
static char admin[128], reviewer[128], viewer[128], other[128], tenant[64];
static uint64_t seed;
static int next_index;

/* One applicant with one generated passport, submitted. */
struct person {
	struct kyc_synth_doc truth;
	unsigned char *jpg;
	size_t len;
	char email[64], meta[40];
	char app[64], ver[64], doc[64], file[64];
	char status[32]; /* of the verification after the upload */
};

/* Every generated image, freed at the end whatever a test's REQUIREs did. */
static unsigned char *images[16];
static int nimages;

static void keep_image(unsigned char *jpg)
{
	if (nimages < (int)(sizeof images / sizeof images[0]))
		images[nimages++] = jpg;
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

static int add_key(const char *tenant_id, const char *role, char out[128])
{
	char *txt = NULL;
	const char *args[] = {"key", "create", tenant_id, "--role", role, NULL};
	int rc = e2e_cli(&srv, &txt, args);
	json_t *j = rc ? NULL : json_loads(txt, 0, NULL);
	free(txt);
	snprintf(out, 128, "%s", jstr(j, "api_key"));
	json_decref(j);
	return *out ? 0 : -1;
}

/* The surname and first given name are searched for as they are: they must
 * be long enough not to occur by chance, and not inside another's. */
static int distinct_names(const struct kyc_synth_fields *f, const struct person *others, int n)
{
	if (strlen(f->surname) < 5 || strcspn(f->given_names, " ") < 4)
		return 0;
	for (int i = 0; i < n; i++)
		if (strstr(others[i].truth.id.f.surname, f->surname) ||
		    strstr(f->surname, others[i].truth.id.f.surname))
			return 0;
	return 1;
}

/* A new person (different from others[0..n)), registered with key and the
 * document's names, and its passport submitted (idem: an Idempotency-Key
 * on the creation, so its recorded answer holds the names too). */
static int person_new(struct person *p, const char *key, const struct person *others, int n,
                      int idem)
{
	memset(p, 0, sizeof *p);
	for (;;) {
		int i = specimen_valid_index(seed, KYC_SYNTH_TD3, next_index, 1);
		next_index = i + 1;
		struct kyc_synth_identity id;
		if (kyc_synth_identity(seed, i, KYC_SYNTH_TD3, &id) == 0 &&
		    distinct_names(&id.f, others, n)) {
			if (kyc_synth_make(seed, i, 0, KYC_SYNTH_TD3, &p->truth, &p->jpg, &p->len))
				return -1;
			keep_image(p->jpg);
			break;
		}
	}
	const struct kyc_synth_fields *f = &p->truth.id.f;
	snprintf(p->email, sizeof p->email, "p%llx@example.com",
	         (unsigned long long)(seed ^ (uint64_t)next_index * 0x9e3779b97f4a7c15ULL));
	snprintf(p->meta, sizeof p->meta, "crm-%llx",
	         (unsigned long long)seed + (unsigned)next_index);
	char body[1024], auth[200], idk[80];
	snprintf(
	    body, sizeof body,
	    "{\"first_name\":\"%s\",\"last_name\":\"%s\",\"birth_date\":\"%s\",\"email\":\"%s\","
	    "\"metadata\":{\"crm\":\"%s\"}}",
	    f->given_names, f->surname, f->birth_date, p->email, p->meta);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
	snprintf(idk, sizeof idk, "Idempotency-Key: create-%s", p->meta);
	const char *h[] = {auth, "Content-Type: application/json", idem ? idk : NULL, NULL};
	struct e2e_resp r;
	if (e2e_req(&srv, "POST", "/v1/applicants", h, body, strlen(body), &r) || r.status != 201)
		return -1;
	snprintf(p->app, sizeof p->app, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	snprintf(body, sizeof body, "{\"applicant_id\":\"%s\"}", p->app);
	if (e2e_json(&srv, "POST", "/v1/verifications", key, body, &r) || r.status != 201)
		return -1;
	snprintf(p->ver, sizeof p->ver, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	struct form_part parts[] = {
	    {"type", NULL, NULL, "passport", 0},
	    {"side", NULL, NULL, "front", 0},
	    {"image", "passport.jpg", "image/jpeg", p->jpg, p->len},
	};
	size_t blen;
	char *fb = form_build(parts, 3, &blen), path[128];
	const char *hf[] = {auth, FORM_CONTENT_TYPE, NULL};
	snprintf(path, sizeof path, "/v1/verifications/%s/documents", p->ver);
	int rc = e2e_req(&srv, "POST", path, hf, fb, blen, &r);
	free(fb);
	if (rc || r.status != 201) {
		fprintf(stderr, "  upload: %ld %s\n", r.status, r.body);
		return -1;
	}
	snprintf(p->doc, sizeof p->doc, "%s", e2e_str(&r, "id"));
	snprintf(p->file, sizeof p->file, "%s", e2e_str(&r, "file_id"));
	snprintf(p->status, sizeof p->status, "%s",
	         jstr(json_object_get(r.json, "verification"), "status"));
	e2e_resp_free(&r);
	return 0;
}

/* The master_id of an applicant's data-key row in the stopped server's
 * database ("" when there is none): "shredded" once it was forgotten. */
static void data_key_state(struct e2e_server *s, const char *applicant_id, char *out,
			   size_t outsz)
{
	if (e2e_db_text(s, "SELECT master_id FROM data_keys WHERE owner_id=$1", applicant_id, out,
	                outsz))
		snprintf(out, outsz, "(query failed)");
}

/* 64 bytes from the middle of the image: JPEG data no record would hold by chance. */
static const unsigned char *image_run(const struct person *p)
{
	return p->jpg + p->len / 2;
}

/* ---- the API ---- */

static long status_of(const char *method, const char *path, const char *key)
{
	struct e2e_resp r;
	if (e2e_json(&srv, method, path, key, method[0] == 'P' ? "{}" : NULL, &r))
		return -1;
	long st = r.status;
	e2e_resp_free(&r);
	return st;
}

/* GET path with key into r; 1 when the body holds none of p's identity. */
static int get_clean(const char *path, const char *key, const struct person *p, struct e2e_resp *r)
{
	if (e2e_json(&srv, "GET", path, key, NULL, r))
		return 0;
	const struct kyc_synth_fields *f = &p->truth.id.f;
	return !strstr(r->body, f->surname) && !strstr(r->body, f->document_number) &&
	       !strstr(r->body, p->email) && !strstr(r->body, p->meta);
}

/* Polls GET path until field is a string (the sweeper did its work), for up
 * to about 15 s. 1 when it did. */
static int wait_field(const char *path, const char *key, const char *field)
{
	for (int i = 0; i < 300; i++) {
		struct e2e_resp r;
		int done = e2e_json(&srv, "GET", path, key, NULL, &r) == 0 &&
		           json_is_string(json_object_get(r.json, field));
		e2e_resp_free(&r);
		if (done)
			return 1;
		e2e_sleep_ms(50);
	}
	return 0;
}

/* The received webhook of type about id from index `from` on; 1 when found
 * within about 10 s. */
static int wait_webhook(int from, const char *type, const char *id)
{
	for (int tries = 0; tries < 200; tries++) {
		int n = whrecv_count(rx);
		for (int i = from; i < n; i++) {
			struct whrecv_msg m;
			if (whrecv_get(rx, i, &m))
				continue;
			int hit = m.valid && m.body && strstr(m.body, type) && strstr(m.body, id);
			free(m.body);
			if (hit)
				return 1;
		}
		whrecv_wait(rx, n + 1, 50);
	}
	return 0;
}

/* How many deliveries from index `from` on carry any of p's identity. */
static int webhooks_leaking(int from, const struct person *p)
{
	int leaks = 0, n = whrecv_count(rx);
	for (int i = from; i < n; i++) {
		struct whrecv_msg m;
		if (whrecv_get(rx, i, &m))
			continue;
		if (m.body &&
		    (strstr(m.body, p->truth.id.f.surname) ||
		     strstr(m.body, p->truth.id.f.document_number) || strstr(m.body, p->email)))
			leaks++;
		free(m.body);
	}
	return leaks;
}

/* Events about resource id (newest first, one page). */
static int event_count(const char *key, const char *id)
{
	char path[160];
	snprintf(path, sizeof path, "/v1/events?resource_id=%s&limit=100", id);
	struct e2e_resp r;
	if (e2e_json(&srv, "GET", path, key, NULL, &r))
		return -1;
	int n = (int)json_array_size(json_object_get(r.json, "data"));
	e2e_resp_free(&r);
	return n;
}

TEST(erasure_leaves_only_the_audit_skeleton)
{
	struct person p[3];
	char path[200], body[300], secret[128] = "";
	struct e2e_resp r;
	snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:%d/hooks\"}", whrecv_port(rx));
	REQUIRE(e2e_json(&srv, "POST", "/v1/webhook-endpoints", admin, body, &r) == 0);
	REQUIRE(r.status == 201);
	snprintf(secret, sizeof secret, "%s", e2e_str(&r, "secret"));
	e2e_resp_free(&r);
	whrecv_set_secrets(rx, secret, NULL);

	/* The one who stays: its deliveries go through at once. */
	REQUIRE(person_new(&p[1], admin, p, 0, 0) == 0);
	CHECK_STR(p[1].status, "approved");
	int keep_events = event_count(admin, p[1].app) + event_count(admin, p[1].ver) +
	                  event_count(admin, p[1].doc);
	CHECK(whrecv_wait_distinct_ok(rx, keep_events, 10000) >= keep_events);

	/* The one to erase: the receiver is down, so its deliveries (names and
	 * all) wait for a retry when the erasure comes. */
	whrecv_set_mode(rx, WHRECV_FAIL);
	int before = whrecv_count(rx);
	REQUIRE(person_new(&p[0], admin, &p[1], 1, 1) == 0);
	CHECK_STR(p[0].status, "approved");
	snprintf(body, sizeof body, "{\"applicant_id\":\"%s\"}", p[0].app);
	REQUIRE(e2e_json(&srv, "POST", "/v1/verifications", admin, body, &r) == 0);
	char open_ver[64], token_auth[200];
	snprintf(open_ver, sizeof open_ver, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	/* its end user has a link to the hosted page */
	snprintf(path, sizeof path, "/v1/verifications/%s/hosted-link", open_ver);
	REQUIRE(e2e_json(&srv, "POST", path, admin, "{}", &r) == 0);
	snprintf(token_auth, sizeof token_auth, "Authorization: Bearer %s", e2e_str(&r, "token"));
	e2e_resp_free(&r);
	const char *th[] = {token_auth, NULL};
	REQUIRE(e2e_req(&srv, "GET", "/hosted/api/state", th, NULL, 0, &r) == 0);
	CHECK_INT(r.status, 200);
	e2e_resp_free(&r);
	int its_events = event_count(admin, p[0].app) + event_count(admin, p[0].ver) +
	                 event_count(admin, p[0].doc) + event_count(admin, open_ver);
	CHECK(whrecv_wait(rx, before + its_events, 10000) >= before + its_events);

	/* Roles and tenants: only an admin key of the tenant erases. */
	snprintf(path, sizeof path, "/v1/applicants/%s", p[0].app);
	CHECK_INT(status_of("DELETE", path, reviewer), 403);
	CHECK_INT(status_of("DELETE", path, viewer), 403);
	CHECK_INT(status_of("DELETE", path, other), 404);
	REQUIRE(get_clean(path, admin, &p[0], &r) == 0); /* still there */
	e2e_resp_free(&r);

	REQUIRE(e2e_json(&srv, "DELETE", path, admin, NULL, &r) == 0);
	/* what arrives from now on was rendered after the erasure committed */
	int erased_at = whrecv_count(rx);
	CHECK_INT(r.status, 200);
	CHECK(json_is_true(json_object_get(r.json, "deleted")));
	CHECK(json_is_string(json_object_get(r.json, "erased_at")));
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "DELETE", path, admin, NULL, &r) == 0);
	CHECK_INT(r.status, 410);
	CHECK_STR(e2e_str(&r, "code"), "applicant_erased");
	e2e_resp_free(&r);
	CHECK_INT(status_of("PATCH", path, admin), 410);
	REQUIRE(e2e_json(&srv, "POST", "/v1/verifications", admin, body, &r) == 0);
	CHECK_INT(r.status, 410);
	CHECK_STR(e2e_str(&r, "code"), "applicant_erased");
	e2e_resp_free(&r);

	/* Reads show the skeleton. */
	CHECK(get_clean(path, admin, &p[0], &r));
	CHECK_INT(r.status, 200);
	CHECK(json_is_string(json_object_get(r.json, "erased_at")));
	CHECK(json_is_null(json_object_get(r.json, "last_name")));
	CHECK_INT(json_object_size(json_object_get(r.json, "metadata")), 0);
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/verifications/%s", p[0].ver);
	CHECK(get_clean(path, admin, &p[0], &r));
	CHECK_STR(e2e_str(&r, "status"), "approved");
	CHECK(json_array_size(json_object_get(r.json, "checks")) > 0);
	CHECK(json_is_string(json_object_get(r.json, "identity_removed_at")));
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/verifications/%s", open_ver);
	CHECK(get_clean(path, admin, &p[0], &r));
	CHECK_STR(e2e_str(&r, "status"), "cancelled");
	e2e_resp_free(&r);
	REQUIRE(e2e_req(&srv, "GET", "/hosted/api/state", th, NULL, 0, &r) == 0);
	CHECK(r.status == 401 || r.status == 404); /* the link is gone */
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/documents/%s", p[0].doc);
	CHECK(get_clean(path, admin, &p[0], &r));
	CHECK(json_is_null(json_object_get(r.json, "extraction")));
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/files/%s", p[0].file);
	REQUIRE(e2e_json(&srv, "GET", path, admin, NULL, &r) == 0);
	CHECK_INT(r.status, 410);
	CHECK_STR(e2e_str(&r, "code"), "file_deleted");
	e2e_resp_free(&r);
	/* the audit trail stays, with who and what, without details */
	snprintf(path, sizeof path, "/v1/verifications/%s/history", p[0].ver);
	CHECK(get_clean(path, admin, &p[0], &r));
	json_t *rows = json_object_get(r.json, "data");
	CHECK(json_array_size(rows) >= 4);
	size_t i;
	json_t *h;
	int erase_rows = 0;
	json_array_foreach(rows, i, h)
	{
		CHECK(json_is_null(json_object_get(h, "details")));
		erase_rows += !strcmp(jstr(h, "action"), "erase");
	}
	CHECK_INT(erase_rows, 1);
	e2e_resp_free(&r);
	const char *ids[] = {p[0].app, p[0].ver, p[0].doc, open_ver};
	for (int k = 0; k < 4; k++) {
		snprintf(path, sizeof path, "/v1/events?resource_id=%s&limit=100", ids[k]);
		CHECK(get_clean(path, admin, &p[0], &r));
		CHECK(json_array_size(json_object_get(r.json, "data")) > 0);
		e2e_resp_free(&r);
	}

	/* The receiver comes back: applicant.deleted arrives, and the retries
	 * of the deliveries made before the erasure carry only the skeleton. */
	whrecv_set_mode(rx, WHRECV_OK);
	/* every retry due: the clock moves until all have gone (one that failed
	 * just as the receiver came back is due again a little later) */
	int want = keep_events + its_events + 1, ok = 0;
	for (int k = 0; k < 10 && ok < want; k++) {
		e2e_clock_add(&clk, 600);
		ok = whrecv_wait_distinct_ok(rx, want, 2000);
	}
	CHECK(ok >= want);
	CHECK(wait_webhook(erased_at, "applicant.deleted", p[0].app));
	CHECK_INT(webhooks_leaking(erased_at, &p[0]), 0);
	CHECK(webhooks_leaking(0, &p[0]) > 0); /* the search finds what is there */

	/* The other applicant is untouched. */
	snprintf(path, sizeof path, "/v1/applicants/%s", p[1].app);
	REQUIRE(e2e_json(&srv, "GET", path, admin, NULL, &r) == 0);
	CHECK_STR(e2e_str(&r, "last_name"), p[1].truth.id.f.surname);
	CHECK_STR(e2e_str(&r, "email"), p[1].email);
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/files/%s", p[1].file);
	REQUIRE(e2e_json(&srv, "GET", path, admin, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK(r.body_len == p[1].len && memcmp(r.body, p[1].jpg, p[1].len) == 0);
	e2e_resp_free(&r);

	/* The erased passport's key stays one-way: another applicant cannot
	 * use it (the duplicate-document check still finds it). */
	REQUIRE(e2e_json(&srv, "POST", "/v1/applicants", admin, "{}", &r) == 0);
	char third[64];
	snprintf(third, sizeof third, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	snprintf(body, sizeof body, "{\"applicant_id\":\"%s\"}", third);
	REQUIRE(e2e_json(&srv, "POST", "/v1/verifications", admin, body, &r) == 0);
	char third_ver[64];
	snprintf(third_ver, sizeof third_ver, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	struct form_part parts[] = {
	    {"type", NULL, NULL, "passport", 0},
	    {"side", NULL, NULL, "front", 0},
	    {"image", "passport.jpg", "image/jpeg", p[0].jpg, p[0].len},
	};
	size_t blen;
	char *fb = form_build(parts, 3, &blen), auth[200];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", admin);
	const char *hf[] = {auth, FORM_CONTENT_TYPE, NULL};
	snprintf(path, sizeof path, "/v1/verifications/%s/documents", third_ver);
	REQUIRE(e2e_req(&srv, "POST", path, hf, fb, blen, &r) == 0);
	free(fb);
	CHECK_INT(r.status, 201);
	json_t *checks = json_object_get(json_object_get(r.json, "verification"), "checks");
	const char *dup = "";
	json_array_foreach(checks, i, h)
	{
		if (!strcmp(jstr(h, "name"), "duplicate_document"))
			dup = jstr(h, "reason");
	}
	CHECK_STR(dup, "approved_for_another_applicant");
	e2e_resp_free(&r);
	/* that upload holds the erased person's data again, legitimately: erase it too */
	snprintf(path, sizeof path, "/v1/applicants/%s", third);
	CHECK_INT(status_of("DELETE", path, admin), 200);

	/* On disk: nothing of the erased person in the database file, its log or
	 * any blob; the other applicant's data is found the same way. On
	 * PostgreSQL the rows are dumped into the data directory first, so the
	 * same search covers them. */
	if (e2e_stop(&srv) != 0)
		return; /* e2e_stop has failed the case, with the server's log */
	if (!strcmp(e2e_backend(), "postgres")) {
		char dump[200];
		snprintf(dump, sizeof dump, "%s/rows.dump", srv.data_dir);
		CHECK_INT(e2e_db_dump(&srv, dump), 0);
	}
	const struct kyc_synth_fields *f0 = &p[0].truth.id.f;
	char given[48];
	snprintf(given, sizeof given, "%.*s", (int)strcspn(f0->given_names, " "), f0->given_names);
	CHECK_INT(datadir_files_holding_str(srv.data_dir, f0->surname), 0);
	CHECK_INT(datadir_files_holding_str(srv.data_dir, given), 0);
	CHECK_INT(datadir_files_holding_str(srv.data_dir, f0->document_number), 0);
	CHECK_INT(datadir_files_holding_str(srv.data_dir, p[0].email), 0);
	CHECK_INT(datadir_files_holding_str(srv.data_dir, p[0].meta), 0);
	CHECK_INT(datadir_files_holding(srv.data_dir, image_run(&p[0]), 64), 0);
	CHECK_INT(datadir_files_holding_str(srv.log_path, f0->document_number), 0);
	/* With encryption at rest nobody's values are on disk in the clear
	 * (tests/e2e/at_rest_test.c): what the erasure adds is that the erased
	 * applicant's data key is gone (a tombstone; the other's stays), so a
	 * copy taken before cannot be opened either, and its blob is gone
	 * while the other's is there. */
	char state[64];
	data_key_state(&srv, p[0].app, state, sizeof state);
	CHECK_STR(state, "shredded");
	data_key_state(&srv, p[1].app, state, sizeof state);
	CHECK_STR(state, "");
	CHECK(!datadir_blob_exists(srv.data_dir, p[0].file));
	CHECK(datadir_blob_exists(srv.data_dir, p[1].file));
}

/* A record a compatibility route set made (seed 002's hosted identity
 * verification) reads after the erasure without the person, and its file is gone. */
TEST(erasure_reaches_a_route_set_s_records)
{
	struct person p;
	memset(&p, 0, sizeof p);
	int i = specimen_valid_index(seed, KYC_SYNTH_TD3, next_index, 1);
	next_index = i + 1;
	REQUIRE(kyc_synth_make(seed, i, 0, KYC_SYNTH_TD3, &p.truth, &p.jpg, &p.len) == 0);
	keep_image(p.jpg);
	const struct kyc_synth_fields *f = &p.truth.id.f;
	snprintf(p.email, sizeof p.email, "s002-%d@example.com", i);
	snprintf(p.meta, sizeof p.meta, "s002-ref-%d", i);
	char body[1024], path[200], idv[64], kyc_id[64];
	snprintf(body, sizeof body,
	         "{\"externalReferenceId\":\"%s\",\"registration\":{\"firstName\":\"%s\","
	         "\"lastName\":\"%s\",\"email\":\"%s\",\"dateOfBirth\":\"%s\"},"
	         "\"setupId\":\"3fa85f64-5717-4562-b3fc-2c963f66afa6\"}",
	         p.meta, f->given_names, f->surname, p.email, f->birth_date);
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "POST", "/v1/identity-verifications", admin, body, &r) == 0);
	REQUIRE(r.status == 201);
	snprintf(idv, sizeof idv, "%s", e2e_str(&r, "id"));
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/identity-verifications/%s", idv);
	REQUIRE(e2e_json(&srv, "GET", path, admin, NULL, &r) == 0);
	snprintf(kyc_id, sizeof kyc_id, "%s",
	         jstr(json_object_get(json_object_get(r.json, "step"), "kycIdentification"), "id"));
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/applicants?external_ref=%s", p.meta);
	REQUIRE(e2e_json(&srv, "GET", path, admin, NULL, &r) == 0);
	snprintf(p.app, sizeof p.app, "%s",
	         jstr(json_array_get(json_object_get(r.json, "data"), 0), "id"));
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/verifications?applicant_id=%s", p.app);
	REQUIRE(e2e_json(&srv, "GET", path, admin, NULL, &r) == 0);
	snprintf(p.ver, sizeof p.ver, "%s",
	         jstr(json_array_get(json_object_get(r.json, "data"), 0), "id"));
	e2e_resp_free(&r);
	REQUIRE(*p.app && *p.ver && *kyc_id);
	struct form_part parts[] = {
	    {"type", NULL, NULL, "passport", 0},
	    {"side", NULL, NULL, "front", 0},
	    {"image", "passport.jpg", "image/jpeg", p.jpg, p.len},
	};
	size_t blen;
	char *fb = form_build(parts, 3, &blen), auth[200];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", admin);
	const char *hf[] = {auth, FORM_CONTENT_TYPE, NULL};
	snprintf(path, sizeof path, "/v1/verifications/%s/documents", p.ver);
	REQUIRE(e2e_req(&srv, "POST", path, hf, fb, blen, &r) == 0);
	free(fb);
	CHECK_INT(r.status, 201);
	snprintf(p.file, sizeof p.file, "%s", e2e_str(&r, "file_id"));
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/identifications/%s", kyc_id);
	REQUIRE(e2e_json(&srv, "GET", path, admin, NULL, &r) == 0);
	CHECK(strstr(r.body, f->surname) != NULL); /* the route set shows the person */
	e2e_resp_free(&r);

	snprintf(path, sizeof path, "/v1/applicants/%s", p.app);
	CHECK_INT(status_of("DELETE", path, admin), 200);
	snprintf(path, sizeof path, "/v1/identity-verifications/%s", idv);
	CHECK(get_clean(path, admin, &p, &r));
	CHECK(r.status == 200 || r.status == 404);
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/identifications/%s", kyc_id);
	CHECK(get_clean(path, admin, &p, &r));
	CHECK(r.status == 200 || r.status == 404);
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/identifications/%s/files/%s", kyc_id, p.file);
	REQUIRE(e2e_json(&srv, "GET", path, admin, NULL, &r) == 0);
	CHECK(r.status == 410 || r.status == 404);
	CHECK(r.body_len != p.len || memcmp(r.body, p.jpg, p.len) != 0);
	e2e_resp_free(&r);
}

TEST(retention_settings_are_validated)
{
	static const struct {
		const char *body, *code, *field;
	} bad[] = {
	    {"{\"retention\":5}", "invalid_type", "retention"},
	    {"{\"retention\":{\"images_days\":-1}}", "out_of_range", "retention.images_days"},
	    {"{\"retention\":{\"identity_days\":\"30\"}}", "invalid_type",
	     "retention.identity_days"},
	    {"{\"retention\":{\"days\":30}}", "unknown_field", "retention.days"},
	};
	struct e2e_resp r;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		REQUIRE(e2e_json(&srv, "PATCH", "/v1/settings", admin, bad[i].body, &r) == 0);
		CHECK_INT(r.status, 422);
		CHECK_STR(e2e_str(&r, "code"), bad[i].code);
		CHECK_STR(e2e_str(&r, "field"), bad[i].field);
		e2e_resp_free(&r);
	}
	REQUIRE(e2e_json(&srv, "GET", "/v1/settings", admin, NULL, &r) == 0);
	json_t *ret = json_object_get(r.json, "retention");
	CHECK_INT(json_integer_value(json_object_get(ret, "images_days")), 0);
	CHECK_INT(json_integer_value(json_object_get(ret, "identity_days")), 0);
	e2e_resp_free(&r);
}

/* A tenant with its own key and retention setting. */
static int retention_tenant(const char *name, const char *retention, char key[128])
{
	char body[200];
	struct e2e_resp r;
	if (e2e_tenant(&srv, name, key, NULL))
		return -1;
	snprintf(body, sizeof body, "{\"retention\":%s}", retention);
	int rc = e2e_json(&srv, "PATCH", "/v1/settings", key, body, &r) || r.status != 200;
	e2e_resp_free(&r);
	return rc ? -1 : 0;
}

TEST(retention_periods_remove_images_then_identity)
{
	/* C keeps images 30 days and identity data 60; D (made after C, so
	 * swept after it) removes its images after 1 day and marks when a sweep
	 * ran at a moved clock. */
	char key_c[128], key_d[128], path[200], vpath[200], dpath[200];
	REQUIRE(retention_tenant("retention-c", "{\"images_days\":30,\"identity_days\":60}",
	                         key_c) == 0);
	REQUIRE(retention_tenant("retention-d", "{\"images_days\":1}", key_d) == 0);
	struct person c, d;
	REQUIRE(person_new(&c, key_c, NULL, 0, 0) == 0);
	REQUIRE(person_new(&d, key_d, &c, 1, 0) == 0);
	snprintf(vpath, sizeof vpath, "/v1/verifications/%s", c.ver);
	snprintf(dpath, sizeof dpath, "/v1/documents/%s", c.doc);
	struct e2e_resp r;

	/* day 29: D's sweep ran, C keeps everything */
	e2e_clock_add(&clk, 29 * 86400L);
	snprintf(path, sizeof path, "/v1/verifications/%s", d.ver);
	REQUIRE(wait_field(path, key_d, "images_removed_at"));
	REQUIRE(e2e_json(&srv, "GET", vpath, key_c, NULL, &r) == 0);
	CHECK(json_is_null(json_object_get(r.json, "images_removed_at")));
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/files/%s", c.file);
	CHECK_INT(status_of("GET", path, key_c), 200);
	CHECK(datadir_blob_exists(srv.data_dir, c.file));

	/* day 31: C's images are gone, its identity data is not */
	e2e_clock_add(&clk, 2 * 86400L);
	REQUIRE(wait_field(vpath, key_c, "images_removed_at"));
	CHECK_INT(status_of("GET", path, key_c), 410);
	CHECK(!datadir_blob_exists(srv.data_dir, c.file));
	REQUIRE(e2e_json(&srv, "GET", dpath, key_c, NULL, &r) == 0);
	CHECK(json_is_object(json_object_get(r.json, "extraction")));
	CHECK(strstr(r.body, c.truth.id.f.document_number) != NULL);
	e2e_resp_free(&r);
	REQUIRE(e2e_json(&srv, "GET", vpath, key_c, NULL, &r) == 0);
	CHECK(json_is_null(json_object_get(r.json, "identity_removed_at")));
	e2e_resp_free(&r);

	/* day 61: the identity data goes, the skeleton and history stay */
	e2e_clock_add(&clk, 30 * 86400L);
	REQUIRE(wait_field(vpath, key_c, "identity_removed_at"));
	CHECK(get_clean(dpath, key_c, &c, &r));
	CHECK(json_is_null(json_object_get(r.json, "extraction")));
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/applicants/%s", c.app);
	CHECK(get_clean(path, key_c, &c, &r));
	CHECK(json_is_null(json_object_get(r.json, "erased_at"))); /* blanked, not erased */
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/verifications/%s/history", c.ver);
	CHECK(get_clean(path, key_c, &c, &r));
	CHECK(strstr(r.body, "\"retention.images_removed\"") != NULL);
	CHECK(strstr(r.body, "\"retention.identity_removed\"") != NULL);
	e2e_resp_free(&r);
	snprintf(path, sizeof path, "/v1/events?resource_id=%s&limit=100", c.ver);
	CHECK(get_clean(path, key_c, &c, &r));
	CHECK(strstr(r.body, "verification.identity_removed") != NULL);
	e2e_resp_free(&r);
}

static const char *const *restart_env;

TEST(the_server_restarts)
{
	CHECK_INT(e2e_start(&srv, restart_env), 0);
}

/* Restoring a backup taken before an erasure brings nothing back: kycd
 * erases again, at start, whatever its erasure log names (docs/security.md,
 * "Erasure and backups"). Two copies of the same backup: one started with
 * the live log (erased again, its blob removed, its key a tombstone), one
 * with an empty log (the applicant readable: what the log prevents). */
TEST(a_restored_backup_is_erased_again)
{
	struct person p;
	REQUIRE(person_new(&p, admin, NULL, 0, 0) == 0);
	struct e2e_server copy[2];
	memset(copy, 0, sizeof copy);
	for (int i = 0; i < 2; i++) {
		snprintf(copy[i].data_dir, sizeof copy[i].data_dir, "%.100s.restore%d", srv.data_dir,
		         i);
		snprintf(copy[i].log_path, sizeof copy[i].log_path, "%.100s.restore%d.log",
		         srv.data_dir, i);
		char *out = NULL;
		const char *args[] = {"backup", copy[i].data_dir, NULL};
		CHECK_INT(e2e_cli(&srv, &out, args), 0);
		free(out);
	}
	char path[200], line[200], live_log[200];
	snprintf(path, sizeof path, "/v1/applicants/%s", p.app);
	CHECK_INT(status_of("DELETE", path, admin), 200);
	snprintf(live_log, sizeof live_log, "%.150s/erasures.log", srv.data_dir);
	snprintf(line, sizeof line, "e1 %s %s ", tenant, p.app);
	CHECK_INT(datadir_files_holding_str(live_log, line), 1);

	/* the backup's server, as restored: the master key and the erasure log
	 * are kept outside the data directory and its backups */
	char key_env[256], log_env[256], none_env[256];
	snprintf(key_env, sizeof key_env, "KYCD_MASTER_KEY_FILE=%.150s/master.key", srv.data_dir);
	snprintf(log_env, sizeof log_env, "KYCD_ERASURE_LOG=%s", live_log);
	snprintf(none_env, sizeof none_env, "KYCD_ERASURE_LOG=%.150s/none.log", copy[1].data_dir);
	const char *with_log[] = {key_env, log_env, NULL}, *without[] = {key_env, none_env, NULL};
	struct e2e_resp r;
	REQUIRE(e2e_start(&copy[0], with_log) == 0);
	REQUIRE(e2e_json(&copy[0], "GET", path, admin, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK(json_is_string(json_object_get(r.json, "erased_at")));
	CHECK(json_is_null(json_object_get(r.json, "last_name")));
	CHECK(strstr(r.body, p.truth.id.f.surname) == NULL);
	e2e_resp_free(&r);
	char fpath[200];
	snprintf(fpath, sizeof fpath, "/v1/files/%s", p.file);
	REQUIRE(e2e_json(&copy[0], "GET", fpath, admin, NULL, &r) == 0);
	CHECK_INT(r.status, 410);
	e2e_resp_free(&r);
	e2e_stop(&copy[0]);
	char state[64];
	data_key_state(&copy[0], p.app, state, sizeof state);
	CHECK_STR(state, "shredded");
	CHECK(!datadir_blob_exists(copy[0].data_dir, p.file));
	CHECK_INT(datadir_files_holding_str(copy[0].log_path, "erased again"), 1);

	/* without the log the backup brings the applicant back */
	REQUIRE(e2e_start(&copy[1], without) == 0);
	REQUIRE(e2e_json(&copy[1], "GET", path, admin, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(e2e_str(&r, "last_name"), p.truth.id.f.surname);
	e2e_resp_free(&r);
	e2e_stop(&copy[1]);
	CHECK(datadir_blob_exists(copy[1].data_dir, p.file));
	for (int i = 0; i < 2; i++)
		e2e_cleanup(&copy[i]);
}

int main(void)
{
	seed = (uint64_t)time(NULL);
	fprintf(stderr, "  synth seed %llu\n", (unsigned long long)seed);
	rx = whrecv_start(1);
	if (!rx || e2e_data_dir(&srv) || e2e_clock_init(&clk, srv.data_dir)) {
		fprintf(stderr, "erasure_test: cannot set up\n");
		return 1;
	}
	const char *env[] = {clk.env, "KYCD_SWEEP_INTERVAL_MS=100", "KYCD_WEBHOOK_ALLOW_HTTP=1",
	                     "KYCD_WEBHOOK_ALLOW_LOOPBACK=1", NULL};
	if (e2e_start(&srv, env) || e2e_tenant(&srv, "erasure", admin, tenant) ||
	    add_key(tenant, "reviewer", reviewer) || add_key(tenant, "viewer", viewer) ||
	    e2e_tenant(&srv, "other", other, NULL)) {
		fprintf(stderr, "erasure_test: kycd did not start\n");
		return 1;
	}
	RUN(retention_settings_are_validated);
	RUN(erasure_reaches_a_route_set_s_records);
	RUN(erasure_leaves_only_the_audit_skeleton);
	/* the previous case stopped the server to search its files: a restart
	 * that fails is a failed case, not a skipped one */
	restart_env = env;
	RUN(the_server_restarts);
	if (srv.pid) {
		RUN(retention_periods_remove_images_then_identity);
		/* kycd backup is SQLite's; PostgreSQL is backed up with pg_dump
		 * (docs/deploy.md), and the erasure log is replayed the same way */
		if (!strcmp(e2e_backend(), "sqlite"))
			RUN(a_restored_backup_is_erased_again);
	}
	e2e_stop(&srv);
	e2e_cleanup(&srv);
	e2e_clock_remove(&clk);
	whrecv_stop(rx);
	for (int i = 0; i < nimages; i++)
		free(images[i]);
	return test_done("erasure");
}
