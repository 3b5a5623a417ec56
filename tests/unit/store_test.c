#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/rand.h"
#include "store/blob.h"
#include "store/store.h"
#include "pgtmp.h"
#include "teststore.h"
#include "test.h"

static char dir[64];

static json_t *applicant(const char *email)
{
	char id[37];
	kyc_uuid_new(id);
	return json_pack("{s:s, s:s, s:s, s:i, s:{s:b}}", "id", id, "email", email, "level", "L0",
			 "tier", 1, "attributes", "nin_verified", 1);
}

/* A new applicant of tenant t, stored: its record, or NULL when the insert
 * fails. */
static json_t *stored_applicant(kyc_store *s, const char *t, const char *email)
{
	json_t *a = applicant(email);
	if (a && kyc_store_insert(s, KYC_R_APPLICANT, t, a)) {
		json_decref(a);
		a = NULL;
	}
	return a;
}

TEST(migrates_once_and_reopens)
{
	kyc_store *a = teststore_open(dir);
	REQUIRE(a != NULL);
	int v = kyc_store_schema_version(a);
	CHECK(v >= 1);
	kyc_store *b = teststore_open(dir);
	REQUIRE(b != NULL);
	CHECK_INT(kyc_store_schema_version(b), v);
	kyc_store_close(a);
	kyc_store_close(b);
}

TEST(tenant_isolation)
{
	char t1[37], t2[37];
	kyc_store *s = teststore_open_tenant(dir, "one", t1);
	REQUIRE(s != NULL);
	REQUIRE(kyc_store_tenant_create(s, "two", t2) == 0);
	json_t *a = stored_applicant(s, t1, "a@example.com");
	REQUIRE(a != NULL);
	const char *id = json_string_value(json_object_get(a, "id"));
	json_t *got = NULL;
	CHECK_INT(kyc_store_get(s, KYC_R_APPLICANT, t2, id, &got), KYC_ERR_NOTFOUND);
	CHECK(got == NULL);
	CHECK_INT(kyc_store_get(s, KYC_R_APPLICANT, t1, id, &got), 0);
	REQUIRE(got != NULL);
	CHECK_STR(json_string_value(json_object_get(got, "email")), "a@example.com");
	CHECK_INT(json_integer_value(json_object_get(got, "tier")), 1);
	CHECK(json_is_true(json_object_get(json_object_get(got, "attributes"), "nin_verified")));
	CHECK(json_is_null(json_object_get(got, "phone")));
	CHECK_INT(json_integer_value(json_object_get(got, "version")), 1);
	json_t *patch = json_pack("{s:s}", "email", "x@example.com");
	CHECK_INT(kyc_store_update(s, KYC_R_APPLICANT, t2, id, patch, 0), KYC_ERR_NOTFOUND);
	CHECK_INT(kyc_store_delete(s, KYC_R_APPLICANT, t2, id), KYC_ERR_NOTFOUND);
	CHECK_INT(kyc_store_update(s, KYC_R_APPLICANT, t1, id, patch, 5), KYC_ERR_CONFLICT);
	CHECK_INT(kyc_store_update(s, KYC_R_APPLICANT, t1, id, patch, 1), 0);
	json_decref(got);
	CHECK_INT(kyc_store_get(s, KYC_R_APPLICANT, t1, id, &got), 0);
	CHECK_STR(json_string_value(json_object_get(got, "email")), "x@example.com");
	CHECK_INT(json_integer_value(json_object_get(got, "version")), 2);
	CHECK_INT(kyc_store_delete(s, KYC_R_APPLICANT, t1, id), 0);
	CHECK_INT(kyc_store_delete(s, KYC_R_APPLICANT, t1, id), KYC_ERR_NOTFOUND);
	json_decref(patch);
	json_decref(got);
	json_decref(a);
	kyc_store_close(s);
}

/* A JSON column holding a string reads back as that string, whether its
 * stored text has escapes or not (a string without any is taken without
 * the parser: store_record.c). */
TEST(json_strings_read_back_as_written)
{
	char t[37];
	kyc_store *s = teststore_open_tenant(dir, "json-strings", t);
	REQUIRE(s != NULL);
	static const char *const values[] = {"plain text", "", "quote \" back \\ tab \t end",
					     "caf\xc3\xa9 \xe2\x82\xac", "{\"not\": \"an object\"}"};
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		char id[37];
		kyc_uuid_new(id);
		json_t *ep = json_pack("{s:s, s:s, s:b, s:s, s:s}", "id", id, "url",
				       "https://e.example/h", "enabled", 1, "secret", "whsec_x",
				       "attributes", values[i]);
		REQUIRE(kyc_store_insert(s, KYC_R_WEBHOOK_ENDPOINT, t, ep) == 0);
		json_decref(ep);
		json_t *got = NULL;
		REQUIRE(kyc_store_get(s, KYC_R_WEBHOOK_ENDPOINT, t, id, &got) == 0);
		CHECK_STR(json_string_value(json_object_get(got, "attributes")), values[i]);
		json_decref(got);
	}
	kyc_store_close(s);
}

TEST(rejects_unknown_columns)
{
	char t[37];
	kyc_store *s = teststore_open_tenant(dir, "cols", t);
	REQUIRE(s != NULL);
	json_t *a = applicant("c@example.com");
	json_object_set_new(a, "bogus; DROP TABLE x", json_string("1"));
	CHECK_INT(kyc_store_insert(s, KYC_R_APPLICANT, t, a), KYC_ERR_INVALID);
	json_object_del(a, "bogus; DROP TABLE x");
	json_object_set_new(a, "tier", json_string("not a number"));
	CHECK_INT(kyc_store_insert(s, KYC_R_APPLICANT, t, a), KYC_ERR_INVALID);
	json_decref(a);
	kyc_store_close(s);
}

TEST(list_paginates_with_cursor)
{
	char t[37];
	kyc_store *s = teststore_open_tenant(dir, "pages", t);
	REQUIRE(s != NULL);
	for (int i = 0; i < 7; i++) {
		char email[32];
		snprintf(email, sizeof email, "p%d@example.com", i);
		json_t *a = applicant(email);
		json_object_set_new(a, "external_ref", json_string(email));
		REQUIRE(kyc_store_insert(s, KYC_R_APPLICANT, t, a) == 0);
		json_decref(a);
	}
	struct kyc_store_page pg;
	char cursor[128] = "";
	int seen = 0, pages = 0;
	json_t *ids = json_object();
	do {
		REQUIRE(kyc_store_list(s, KYC_R_APPLICANT, t, NULL, cursor, 3, &pg) == 0);
		size_t i;
		json_t *it;
		json_array_foreach(pg.items, i, it)
		{
			json_object_set(ids, json_string_value(json_object_get(it, "id")), json_true());
			seen++;
		}
		snprintf(cursor, sizeof cursor, "%s", pg.next_cursor);
		json_decref(pg.items);
		pages++;
	} while (cursor[0] && pages < 10);
	CHECK_INT(seen, 7);
	CHECK_INT(json_object_size(ids), 7);
	CHECK_INT(pages, 3);
	CHECK_INT(kyc_store_list(s, KYC_R_APPLICANT, t, NULL, "zz", 3, &pg), KYC_ERR_INVALID);
	json_t *f = json_pack("{s:s}", "external_ref", "p3@example.com");
	REQUIRE(kyc_store_list(s, KYC_R_APPLICANT, t, f, "", 10, &pg) == 0);
	CHECK_INT(json_array_size(pg.items), 1);
	json_decref(pg.items);
	json_decref(f);
	/* a sealed column without a search hash cannot be a filter */
	f = json_pack("{s:s}", "email", "p3@example.com");
	CHECK_INT(kyc_store_list(s, KYC_R_APPLICANT, t, f, "", 10, &pg), KYC_ERR_INVALID);
	json_decref(f);
	json_decref(ids);
	kyc_store_close(s);
}

TEST(keys_and_revocation)
{
	kyc_store *s = teststore_open(dir);
	REQUIRE(s != NULL);
	struct kyc_key_row k = {0}, got;
	REQUIRE(kyc_store_tenant_create(s, "keys", k.tenant_id) == 0);
	snprintf(k.id, sizeof k.id, "k1");
	snprintf(k.role, sizeof k.role, "admin");
	memset(k.secret_hash, 7, sizeof k.secret_hash);
	REQUIRE(kyc_store_key_insert(s, &k) == 0);
	CHECK_INT(kyc_store_key_get(s, "k1", &got), 0);
	CHECK(!memcmp(got.secret_hash, k.secret_hash, 32));
	CHECK_INT(got.revoked_at, 0);
	CHECK_INT(kyc_store_key_revoke(s, "k1", 1234), 0);
	CHECK_INT(kyc_store_key_revoke(s, "k1", 1234), KYC_ERR_NOTFOUND);
	CHECK_INT(kyc_store_key_get(s, "k1", &got), 0);
	CHECK_INT(got.revoked_at, 1234);
	CHECK_INT(kyc_store_key_get(s, "nope", &got), KYC_ERR_NOTFOUND);
	kyc_store_close(s);
}

TEST(idempotency_records)
{
	char t[37];
	kyc_store *s = teststore_open_tenant(dir, "idem", t);
	REQUIRE(s != NULL);
	struct kyc_idem_row r = {0}, got;
	r.status = 201;
	snprintf(r.content_type, sizeof r.content_type, "application/json");
	r.body = "{\"a\":1}";
	r.body_len = 7;
	r.created_at = 1000;
	CHECK_INT(kyc_store_idem_get(s, t, "k", 0, &got), KYC_ERR_NOTFOUND);
	REQUIRE(kyc_store_idem_put(s, t, "k", &r) == 0);
	CHECK_INT(kyc_store_idem_get(s, t, "k", 0, &got), 0);
	CHECK_INT(got.status, 201);
	CHECK_STR(got.body, "{\"a\":1}");
	kyc_idem_row_release(&got);
	CHECK_INT(kyc_store_idem_get(s, t, "k", 2000, &got), KYC_ERR_NOTFOUND);
	kyc_store_close(s);
}

TEST(updates_check_versions_and_tenants)
{
	char t[37], other[37];
	kyc_store *s = teststore_open_tenant(dir, "upd", t);
	REQUIRE(s != NULL);
	REQUIRE(kyc_store_tenant_create(s, "upd-other", other) == 0);
	json_t *a = stored_applicant(s, t, "u@example.com");
	REQUIRE(a != NULL);
	const char *id = json_string_value(json_object_get(a, "id"));
	CHECK_INT(kyc_store_insert(s, KYC_R_APPLICANT, t, a), KYC_ERR_CONFLICT);
	json_t *patch = json_pack("{s:s, s:n}", "first_name", "Ünal", "email");
	CHECK_INT(kyc_store_update(s, KYC_R_APPLICANT, t, id, patch, 1), 0);
	CHECK_INT(kyc_store_update(s, KYC_R_APPLICANT, t, id, patch, 1), KYC_ERR_CONFLICT);
	CHECK_INT(kyc_store_update(s, KYC_R_APPLICANT, other, id, patch, 0), KYC_ERR_NOTFOUND);
	CHECK_INT(kyc_store_update(s, KYC_R_APPLICANT, t, "missing", patch, 0), KYC_ERR_NOTFOUND);
	json_t *bad = json_pack("{s:s}", "version", "9");
	CHECK_INT(kyc_store_update(s, KYC_R_APPLICANT, t, id, bad, 0), KYC_ERR_INVALID);
	json_decref(bad);
	json_t *got = NULL;
	REQUIRE(kyc_store_get(s, KYC_R_APPLICANT, t, id, &got) == 0);
	CHECK_INT(json_integer_value(json_object_get(got, "version")), 2);
	CHECK_STR(json_string_value(json_object_get(got, "first_name")), "Ünal");
	CHECK(json_is_null(json_object_get(got, "email")));
	CHECK_INT(json_integer_value(json_object_get(got, "tier")), 1);
	CHECK(json_is_true(json_object_get(json_object_get(got, "attributes"), "nin_verified")));
	const char *created = json_string_value(json_object_get(got, "created_at"));
	CHECK(created && strlen(created) >= 20 && created[10] == 'T');
	json_decref(got);
	CHECK_INT(kyc_store_delete(s, KYC_R_APPLICANT, other, id), KYC_ERR_NOTFOUND);
	CHECK_INT(kyc_store_delete(s, KYC_R_APPLICANT, t, id), 0);
	CHECK_INT(kyc_store_delete(s, KYC_R_APPLICANT, t, id), KYC_ERR_NOTFOUND);
	CHECK_INT(kyc_store_get(s, KYC_R_APPLICANT, t, id, &got), KYC_ERR_NOTFOUND);
	json_decref(patch);
	json_decref(a);
	kyc_store_close(s);
}

TEST(lists_oldest_first_and_filter_on_null)
{
	char t[37];
	kyc_store *s = teststore_open_tenant(dir, "asc", t);
	REQUIRE(s != NULL);
	char ids[5][37];
	for (int i = 0; i < 5; i++) {
		json_t *a = applicant(i % 2 ? "odd@example.com" : "even@example.com");
		/* the filters go on a plain column: email is sealed, and unsearchable */
		json_object_set_new(a, "external_ref",
				    i == 4 ? json_null() : json_string(i % 2 ? "odd" : "even"));
		snprintf(ids[i], sizeof ids[i], "%s", json_string_value(json_object_get(a, "id")));
		REQUIRE(kyc_store_insert(s, KYC_R_APPLICANT, t, a) == 0);
		json_decref(a);
		usleep(2000); /* distinct created_at: the order under test is by time */
	}
	struct kyc_store_page pg;
	char cursor[128] = "";
	int k = 0, pages = 0;
	do {
		REQUIRE(kyc_store_list_asc(s, KYC_R_APPLICANT, t, NULL, cursor, 2, &pg) == 0);
		size_t i;
		json_t *it;
		json_array_foreach(pg.items, i, it)
		{
			if (k < 5)
				CHECK_STR(json_string_value(json_object_get(it, "id")), ids[k]);
			k++;
		}
		snprintf(cursor, sizeof cursor, "%s", pg.next_cursor);
		json_decref(pg.items);
	} while (cursor[0] && ++pages < 10);
	CHECK_INT(k, 5);
	REQUIRE(kyc_store_list(s, KYC_R_APPLICANT, t, NULL, "", 1, &pg) == 0);
	CHECK_STR(json_string_value(json_object_get(json_array_get(pg.items, 0), "id")), ids[4]);
	json_decref(pg.items);
	json_t *f = json_pack("{s:n}", "external_ref");
	REQUIRE(kyc_store_list(s, KYC_R_APPLICANT, t, f, "", 10, &pg) == 0);
	CHECK_INT(json_array_size(pg.items), 1);
	json_decref(pg.items);
	json_decref(f);
	f = json_pack("{s:s, s:i}", "external_ref", "odd", "tier", 1);
	REQUIRE(kyc_store_list(s, KYC_R_APPLICANT, t, f, "", 10, &pg) == 0);
	CHECK_INT(json_array_size(pg.items), 2);
	json_decref(pg.items);
	json_decref(f);
	f = json_pack("{s:s}", "password", "x");
	CHECK_INT(kyc_store_list(s, KYC_R_APPLICANT, t, f, "", 10, &pg), KYC_ERR_INVALID);
	json_decref(f);
	kyc_store_close(s);
}

/* A duplicate inside a transaction is an answer, not the end of it: the
 * caller goes on and commits the rest (PostgreSQL would abort the whole
 * transaction on a failed statement; the backend avoids failing). */
TEST(a_conflict_leaves_the_transaction_usable)
{
	char t[37];
	kyc_store *s = teststore_open_tenant(dir, "txn", t);
	REQUIRE(s != NULL);
	json_t *a = applicant("t1@example.com"), *b = applicant("t2@example.com");
	REQUIRE(kyc_store_insert(s, KYC_R_APPLICANT, t, a) == 0);
	REQUIRE(kyc_store_begin(s) == 0);
	CHECK(kyc_store_in_transaction(s));
	CHECK_INT(kyc_store_insert(s, KYC_R_APPLICANT, t, a), KYC_ERR_CONFLICT);
	CHECK_INT(kyc_store_insert(s, KYC_R_APPLICANT, t, b), 0);
	CHECK_INT(kyc_store_commit(s), 0);
	CHECK(!kyc_store_in_transaction(s));
	json_t *got = NULL;
	CHECK_INT(kyc_store_get(s, KYC_R_APPLICANT, t, json_string_value(json_object_get(b, "id")),
			      &got),
		  0);
	json_decref(got);
	/* and a rollback leaves nothing */
	json_t *c = applicant("t3@example.com");
	REQUIRE(kyc_store_begin(s) == 0);
	CHECK_INT(kyc_store_insert(s, KYC_R_APPLICANT, t, c), 0);
	kyc_store_rollback(s);
	CHECK_INT(kyc_store_get(s, KYC_R_APPLICANT, t, json_string_value(json_object_get(c, "id")),
			      &got),
		  KYC_ERR_NOTFOUND);
	json_decref(a);
	json_decref(b);
	json_decref(c);
	kyc_store_close(s);
}

TEST(a_read_transaction_is_one_snapshot)
{
	kyc_store *r = teststore_open(dir), *w = teststore_open(dir);
	REQUIRE(r != NULL && w != NULL);
	char t[37];
	REQUIRE(kyc_store_tenant_create(w, "snap", t) == 0);
	json_t *a = stored_applicant(w, t, "s@example.com");
	REQUIRE(a != NULL);
	const char *id = json_string_value(json_object_get(a, "id"));
	json_t *got = NULL, *patch = json_pack("{s:s}", "last_name", "Later");
	REQUIRE(kyc_store_begin_read(r) == 0);
	REQUIRE(kyc_store_get(r, KYC_R_APPLICANT, t, id, &got) == 0);
	json_decref(got);
	CHECK_INT(kyc_store_update(w, KYC_R_APPLICANT, t, id, patch, 0), 0);
	REQUIRE(kyc_store_get(r, KYC_R_APPLICANT, t, id, &got) == 0);
	CHECK_INT(json_integer_value(json_object_get(got, "version")), 1);
	json_decref(got);
	CHECK_INT(kyc_store_commit(r), 0);
	REQUIRE(kyc_store_get(r, KYC_R_APPLICANT, t, id, &got) == 0);
	CHECK_INT(json_integer_value(json_object_get(got, "version")), 2);
	json_decref(got);
	json_decref(patch);
	json_decref(a);
	kyc_store_close(r);
	kyc_store_close(w);
}

/* The stamp names the verification's version and its documents' ids and
 * versions: any update, a new document or a removed one changes it, and
 * nothing else does. */
TEST(stamps_follow_the_verification_and_its_documents)
{
	char t[37], vid[37], did[37], other[37], s1[512], s2[512];
	kyc_store *s = teststore_open_tenant(dir, "stamps", t);
	REQUIRE(s != NULL);
	kyc_uuid_new(vid);
	kyc_uuid_new(did);
	kyc_uuid_new(other);
	CHECK_INT(kyc_store_verification_stamp(s, t, vid, s1, sizeof s1), KYC_ERR_NOTFOUND);
	json_t *v = json_pack("{s:s, s:s, s:i}", "id", vid, "status", "created", "attempts", 0);
	REQUIRE(kyc_store_insert(s, KYC_R_VERIFICATION, t, v) == 0);
	REQUIRE(kyc_store_verification_stamp(s, t, vid, s1, sizeof s1) == 0);
	REQUIRE(kyc_store_verification_stamp(s, t, vid, s2, sizeof s2) == 0);
	CHECK_STR(s2, s1); /* nothing changed */
	/* another tenant does not see it */
	char t2[37];
	REQUIRE(kyc_store_tenant_create(s, "stamps-2", t2) == 0);
	CHECK_INT(kyc_store_verification_stamp(s, t2, vid, s2, sizeof s2), KYC_ERR_NOTFOUND);
	/* a record of another verification does not move it */
	json_t *ov = json_pack("{s:s, s:s, s:i}", "id", other, "status", "created", "attempts", 0);
	REQUIRE(kyc_store_insert(s, KYC_R_VERIFICATION, t, ov) == 0);
	REQUIRE(kyc_store_verification_stamp(s, t, vid, s2, sizeof s2) == 0);
	CHECK_STR(s2, s1);
	/* an update does */
	json_t *patch = json_pack("{s:s}", "status", "awaiting_input");
	REQUIRE(kyc_store_update(s, KYC_R_VERIFICATION, t, vid, patch, 0) == 0);
	REQUIRE(kyc_store_verification_stamp(s, t, vid, s2, sizeof s2) == 0);
	CHECK(strcmp(s2, s1) != 0);
	snprintf(s1, sizeof s1, "%s", s2);
	/* a new document does, and its update */
	json_t *d = json_pack("{s:s, s:s, s:s}", "id", did, "verification_id", vid, "type", "passport");
	REQUIRE(kyc_store_insert(s, KYC_R_DOCUMENT, t, d) == 0);
	REQUIRE(kyc_store_verification_stamp(s, t, vid, s2, sizeof s2) == 0);
	CHECK(strcmp(s2, s1) != 0);
	CHECK(strstr(s2, did) != NULL);
	snprintf(s1, sizeof s1, "%s", s2);
	json_t *dpatch = json_pack("{s:s}", "status", "accepted");
	REQUIRE(kyc_store_update(s, KYC_R_DOCUMENT, t, did, dpatch, 0) == 0);
	REQUIRE(kyc_store_verification_stamp(s, t, vid, s2, sizeof s2) == 0);
	CHECK(strcmp(s2, s1) != 0);
	snprintf(s1, sizeof s1, "%s", s2);
	/* and its removal */
	REQUIRE(kyc_store_delete(s, KYC_R_DOCUMENT, t, did) == 0);
	REQUIRE(kyc_store_verification_stamp(s, t, vid, s2, sizeof s2) == 0);
	CHECK(strcmp(s2, s1) != 0);
	/* a stamp that does not fit is refused, not cut */
	CHECK_INT(kyc_store_verification_stamp(s, t, vid, s2, 4), KYC_ERR_TOOBIG);
	json_decref(v);
	json_decref(ov);
	json_decref(d);
	json_decref(patch);
	json_decref(dpatch);
	kyc_store_close(s);
}

/* Where the backend has tokens (SQLite), they move with every commit, from
 * this connection or another, and only then. */
TEST(tokens_move_with_every_commit)
{
	char t[37];
	kyc_store *a = teststore_open_tenant(dir, "tokens", t), *b = teststore_open(dir);
	REQUIRE(a != NULL && b != NULL);
	struct kyc_store_token t1, t2;
	int rc = kyc_store_token(a, &t1);
	if (rc == KYC_ERR_UNSUPPORTED) { /* PostgreSQL: callers read the rows */
		CHECK_INT(t1.conn, 0);
		kyc_store_close(a);
		kyc_store_close(b);
		return;
	}
	REQUIRE(rc == 0);
	REQUIRE(kyc_store_token(a, &t2) == 0);
	CHECK(kyc_store_token_same(&t1, &t2));
	/* another connection's commit */
	json_t *x = stored_applicant(b, t, "tok1@example.com");
	REQUIRE(x != NULL);
	REQUIRE(kyc_store_token(a, &t2) == 0);
	CHECK(!kyc_store_token_same(&t1, &t2));
	/* this connection's own */
	REQUIRE(kyc_store_token(a, &t1) == 0);
	json_t *y = stored_applicant(a, t, "tok2@example.com");
	REQUIRE(y != NULL);
	REQUIRE(kyc_store_token(a, &t2) == 0);
	CHECK(!kyc_store_token_same(&t1, &t2));
	/* tokens of two connections never compare equal */
	REQUIRE(kyc_store_token(a, &t1) == 0);
	REQUIRE(kyc_store_token(b, &t2) == 0);
	CHECK(!kyc_store_token_same(&t1, &t2));
	json_decref(x);
	json_decref(y);
	kyc_store_close(a);
	kyc_store_close(b);
}

TEST(tenants_and_settings)
{
	char t[37], found[37];
	kyc_store *s = teststore_open_tenant(dir, "settings-tenant", t);
	REQUIRE(s != NULL);
	CHECK_INT(kyc_store_tenant_find(s, "settings-tenant", found), 0);
	CHECK_STR(found, t);
	CHECK_INT(kyc_store_tenant_find(s, "no such tenant", found), KYC_ERR_NOTFOUND);
	CHECK(kyc_store_tenant_exists(s, t));
	CHECK(!kyc_store_tenant_exists(s, "nope"));
	json_t *ids = NULL, *set = json_pack("{s:s, s:[i]}", "level", "L1", "tiers", 2), *got = NULL;
	REQUIRE(kyc_store_tenant_ids(s, &ids) == 0);
	int listed = 0;
	size_t i;
	json_t *v;
	json_array_foreach(ids, i, v) listed += !strcmp(json_string_value(v), t);
	CHECK_INT(listed, 1);
	json_decref(ids);
	REQUIRE(kyc_store_tenant_settings(s, t, &got) == 0);
	CHECK_INT(json_object_size(got), 0);
	json_decref(got);
	CHECK_INT(kyc_store_tenant_settings_set(s, t, set), 0);
	CHECK_INT(kyc_store_tenant_settings_set(s, "nope", set), KYC_ERR_NOTFOUND);
	REQUIRE(kyc_store_tenant_settings(s, t, &got) == 0);
	CHECK(json_equal(got, set));
	json_decref(got);
	json_decref(set);
	kyc_store_close(s);
}

/* The sweeps' lock: on PostgreSQL one connection (node) at a time holds
 * it, and a node that goes away frees it; SQLite serves one node. */
TEST(one_node_at_a_time_holds_the_sweeps_lock)
{
	kyc_store *a = teststore_open(dir), *b = teststore_open(dir);
	REQUIRE(a != NULL && b != NULL);
	int pg = getenv("KYCD_DB") != NULL, held = -1;
	CHECK_INT(kyc_store_try_lock(a, KYC_STORE_LOCK_SWEEPS, &held), 0);
	CHECK_INT(held, 1);
	CHECK_INT(kyc_store_try_lock(b, KYC_STORE_LOCK_SWEEPS, &held), 0);
	CHECK_INT(held, !pg);
	CHECK_INT(kyc_store_try_lock(b, 42, &held), 0); /* another key is free */
	CHECK_INT(held, 1);
	kyc_store_unlock(b, 42);
	kyc_store_unlock(a, KYC_STORE_LOCK_SWEEPS);
	CHECK_INT(kyc_store_try_lock(b, KYC_STORE_LOCK_SWEEPS, &held), 0);
	CHECK_INT(held, 1);
	kyc_store_close(b); /* gone without unlocking */
	kyc_store_close(a);
	a = teststore_open(dir);
	REQUIRE(a != NULL);
	/* the server frees it when b's session has ended, which PQfinish does
	 * not wait for: ask until then */
	held = 0;
	for (int i = 0; i < 1000 && !held; i++) {
		CHECK_INT(kyc_store_try_lock(a, KYC_STORE_LOCK_SWEEPS, &held), 0);
		if (!held)
			usleep(10000);
	}
	CHECK_INT(held, 1);
	kyc_store_unlock(a, KYC_STORE_LOCK_SWEEPS);
	kyc_store_close(a);
}

/* The shared token buckets: two connections (nodes) take from one bucket;
 * it refills with time, never beyond its burst, and not backwards when a
 * node's clock is behind. SQLite (one node) keeps its buckets in memory. */
TEST(rate_buckets_are_shared)
{
	kyc_store *a = teststore_open(dir), *b = teststore_open(dir);
	REQUIRE(a != NULL && b != NULL);
	double tokens = -1, per_ms = 1.0 / 1000; /* a token a second */
	int allowed = -1, pg = getenv("KYCD_DB") != NULL;
	char key[64];
	snprintf(key, sizeof key, "k|test|%ld", (long)getpid());
	if (!pg) {
		CHECK_INT(kyc_store_rate_shared(a), 0);
		CHECK_INT(kyc_store_rate_take(a, key, per_ms, 3, 1000, &tokens, &allowed),
			  KYC_ERR_UNSUPPORTED);
		goto out;
	}
	CHECK_INT(kyc_store_rate_shared(a), 1);
	/* a burst of 3, taken in turn on both connections at one moment */
	int64_t t = 5000000;
	for (int i = 0; i < 3; i++) {
		CHECK_INT(kyc_store_rate_take(i % 2 ? b : a, key, per_ms, 3, t, &tokens, &allowed), 0);
		CHECK_INT(allowed, 1);
		CHECK(tokens > 1.999 - i && tokens < 2.001 - i);
	}
	CHECK_INT(kyc_store_rate_take(b, key, per_ms, 3, t, &tokens, &allowed), 0);
	CHECK_INT(allowed, 0);
	/* a clock 10 s behind refills nothing */
	CHECK_INT(kyc_store_rate_take(a, key, per_ms, 3, t - 10000, &tokens, &allowed), 0);
	CHECK_INT(allowed, 0);
	/* 1.5 s later: one token back, taken, half of the next one there */
	CHECK_INT(kyc_store_rate_take(a, key, per_ms, 3, t + 1500, &tokens, &allowed), 0);
	CHECK_INT(allowed, 1);
	CHECK(tokens > 0.499 && tokens < 0.501);
	/* an hour later: full, but no more than the burst */
	CHECK_INT(kyc_store_rate_take(b, key, per_ms, 3, t + 3600000, &tokens, &allowed), 0);
	CHECK_INT(allowed, 1);
	CHECK(tokens > 1.999 && tokens < 2.001);
	/* forgotten: it comes back full */
	CHECK_INT(kyc_store_rate_forget(a, t + 3600001), 0);
	CHECK_INT(kyc_store_rate_take(b, key, per_ms, 5, t + 3600001, &tokens, &allowed), 0);
	CHECK(tokens > 3.999 && tokens < 4.001);
out:
	kyc_store_close(a);
	kyc_store_close(b);
}

/* SQLite copies itself; PostgreSQL is pointed at its own tools. */
TEST(backup_by_backend)
{
	kyc_store *s = teststore_open(dir);
	REQUIRE(s != NULL);
	char dest[128], err[512] = "";
	snprintf(dest, sizeof dest, "%s/backup.db", dir);
	unlink(dest);
	int rc = kyc_store_backup(s, dest, err, sizeof err);
	if (getenv("KYCD_DB")) {
		CHECK_INT(rc, KYC_ERR_UNSUPPORTED);
		CHECK(strstr(err, "pg_dump") != NULL);
		CHECK(access(dest, F_OK) != 0);
	} else {
		CHECK_INT(rc, 0);
		CHECK(access(dest, F_OK) == 0);
	}
	kyc_store_close(s);
}

TEST(locators_name_the_backend)
{
	enum kyc_store_backend b;
	const char *d = "x";
	char err[160];
	CHECK_INT(kyc_store_locate(NULL, &b, &d, err, sizeof err), 0);
	CHECK(b == KYC_STORE_SQLITE && d == NULL);
	CHECK_INT(kyc_store_locate("", &b, &d, err, sizeof err), 0);
	CHECK(b == KYC_STORE_SQLITE && d == NULL);
	CHECK_INT(kyc_store_locate("sqlite:/var/lib/kycd", &b, &d, err, sizeof err), 0);
	CHECK(b == KYC_STORE_SQLITE);
	CHECK_STR(d, "/var/lib/kycd");
	CHECK_INT(kyc_store_locate("sqlite:", &b, &d, err, sizeof err), KYC_ERR_INVALID);
	CHECK_INT(kyc_store_locate("postgres://kycd@db1,db2/kycd?target_session_attrs=read-write",
				   &b, &d, err, sizeof err),
		  0);
	CHECK(b == KYC_STORE_POSTGRES);
	CHECK_INT(kyc_store_locate("postgresql://db/kycd", &b, &d, err, sizeof err), 0);
	CHECK(b == KYC_STORE_POSTGRES);
	CHECK_INT(kyc_store_locate("host=/run/postgresql dbname=kycd", &b, &d, err, sizeof err), 0);
	CHECK(b == KYC_STORE_POSTGRES);
	CHECK_INT(kyc_store_locate("mysql://db/kycd", &b, &d, err, sizeof err), KYC_ERR_INVALID);
	CHECK(strstr(err, "sqlite:DIR") != NULL);
}

TEST(blob_roundtrip)
{
	char id[37], rel[128], tenant[37], err[256];
	kyc_store *s = NULL;
	REQUIRE(kyc_store_open(dir, &s, err, sizeof err) == 0);
	REQUIRE(kyc_store_tenant_create(s, "blobs", tenant) == 0);
	kyc_uuid_new(id);
	REQUIRE(kyc_blob_write(s, dir, tenant, NULL, id, "hello\0world", 11, rel, sizeof rel) == 0);
	kyc_buf b;
	kyc_buf_init(&b, 100);
	CHECK_INT(kyc_blob_read(s, dir, tenant, rel, &b), 0);
	CHECK_INT(b.len, 11);
	CHECK(!memcmp(b.data, "hello\0world", 11));
	kyc_buf_release(&b);
	kyc_buf_init(&b, 5);
	CHECK_INT(kyc_blob_read(s, dir, tenant, rel, &b), KYC_ERR_TOOBIG);
	kyc_buf_release(&b);
	kyc_buf_init(&b, 100);
	CHECK_INT(kyc_blob_write(s, dir, tenant, NULL, "../etc/passwd", "x", 1, rel, sizeof rel),
		  KYC_ERR_INVALID);
	CHECK_INT(kyc_blob_read(s, dir, tenant, "files/../../x", &b), KYC_ERR_INVALID);
	snprintf(rel, sizeof rel, "files/%.2s/%s", id, id);
	CHECK_INT(kyc_blob_remove(dir, rel), 0);
	CHECK_INT(kyc_blob_read(s, dir, tenant, rel, &b), KYC_ERR_NOTFOUND);
	kyc_buf_release(&b);
	kyc_store_close(s);
}

/* The contract of store.h, on whichever backend KYCD_DB names; the
 * backend labels each case. */
static const char *backend;
#undef RUN
#define RUN(name) RUN_ON(backend, name)

static void run_contract(const char *label)
{
	backend = label;
	RUN(migrates_once_and_reopens);
	RUN(tenant_isolation);
	RUN(rejects_unknown_columns);
	RUN(json_strings_read_back_as_written);
	RUN(list_paginates_with_cursor);
	RUN(keys_and_revocation);
	RUN(idempotency_records);
	RUN(updates_check_versions_and_tenants);
	RUN(lists_oldest_first_and_filter_on_null);
	RUN(a_conflict_leaves_the_transaction_usable);
	RUN(a_read_transaction_is_one_snapshot);
	RUN(stamps_follow_the_verification_and_its_documents);
	RUN(tokens_move_with_every_commit);
	RUN(tenants_and_settings);
	RUN(backup_by_backend);
	RUN(one_node_at_a_time_holds_the_sweeps_lock);
	RUN(rate_buckets_are_shared);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/kycd-store-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	RUN(blob_roundtrip);
	RUN(locators_name_the_backend);
	/* on SQLite, then on a real PostgreSQL (tests/lib/pgtmp) */
	pgtmp_both("contract", run_contract, NULL, 0);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup failed\n");
	return test_done("store");
}
