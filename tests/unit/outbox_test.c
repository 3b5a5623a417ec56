/* The webhook outbox's claim (src/store/outbox.h): each endpoint gets at
 * most the room its caller gives it, the rest of its deliveries stay due as
 * they were (never pushed back), disabled endpoints get nothing, callbacks
 * are claimed beside endpoints, and claims are leased. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include "core/err.h"
#include "core/rand.h"
#include "store/outbox.h"
#include "store/store.h"
#include "pgtmp.h"
#include "teststore.h"
#include "test.h"

static char dir[64];
static char tenant[37];

/* An endpoint to url; its id in id. */
static int endpoint(kyc_store *s, const char *url, int enabled, char id[37])
{
	kyc_uuid_new(id);
	json_t *ep = json_pack("{s:s, s:s, s:b, s:s, s:s}", "id", id, "url", url, "enabled", enabled,
			       "format", "native", "secret", "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX");
	int rc = kyc_store_insert(s, KYC_R_WEBHOOK_ENDPOINT, tenant, ep);
	json_decref(ep);
	return rc;
}

/* An event and one delivery of it to endpoint_id (NULL: a callback to a
 * URL), due at due_ms. */
static int delivery(kyc_store *s, const char *endpoint_id, int64_t due_ms)
{
	char ev[37];
	kyc_uuid_new(ev);
	json_t *e = json_pack("{s:s, s:s}", "id", ev, "type", "webhook.test");
	int rc = kyc_store_insert(s, KYC_R_EVENT, tenant, e);
	json_decref(e);
	return rc ? rc
		  : kyc_outbox_delivery_add(s, tenant, ev, "webhook.test", endpoint_id,
					    endpoint_id ? NULL : "https://cb.example/hook", NULL,
					    due_ms, NULL);
}

/* The room callback: room[0] for endpoint a, room[1] for b, 99 for others;
 * counts the calls. */
static char ep_a[37], ep_b[37];
static int room[2], asked, targets_seen;
static int room_of(void *ctx, const char *endpoint_id, int targets)
{
	(void)ctx;
	asked++;
	targets_seen = targets;
	return !strcmp(endpoint_id, ep_a) ? room[0] : !strcmp(endpoint_id, ep_b) ? room[1] : 99;
}

static int count_for(const struct kyc_outbox_job *jobs, int n, const char *endpoint_id)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		k += !strcmp(jobs[i].endpoint_id, endpoint_id);
	return k;
}

static void release(struct kyc_outbox_job *jobs, int n)
{
	for (int i = 0; i < n; i++)
		kyc_outbox_job_release(&jobs[i]);
}

TEST(claims_take_each_endpoints_room_and_leave_the_rest_due)
{
	char ep_off[37];
	kyc_store *s = teststore_open_tenant(dir, "outbox", tenant);
	REQUIRE(s != NULL);
	REQUIRE(endpoint(s, "https://a.example/hook", 1, ep_a) == 0);
	REQUIRE(endpoint(s, "https://b.example/hook", 1, ep_b) == 0);
	REQUIRE(endpoint(s, "https://off.example/hook", 0, ep_off) == 0);
	REQUIRE(kyc_store_begin(s) == 0);
	for (int i = 0; i < 6; i++)
		REQUIRE(delivery(s, ep_a, 1000 + i) == 0);
	REQUIRE(delivery(s, ep_b, 1010) == 0);
	REQUIRE(delivery(s, ep_b, 1011) == 0);
	REQUIRE(delivery(s, ep_b, 5000) == 0); /* not due yet */
	REQUIRE(delivery(s, ep_off, 900) == 0); /* its endpoint is disabled */
	REQUIRE(delivery(s, NULL, 999) == 0);   /* a callback */
	REQUIRE(kyc_store_commit(s) == 0);

	struct kyc_outbox_job jobs[16];
	int n = 0;
	room[0] = 3;
	room[1] = 5;
	asked = 0;
	REQUIRE(kyc_store_begin(s) == 0);
	CHECK_INT(kyc_outbox_claim(s, 2000, 10000, 16, room_of, NULL, jobs, &n), 0);
	REQUIRE(kyc_store_commit(s) == 0);
	CHECK_INT(n, 6);
	CHECK_INT(count_for(jobs, n, ep_a), 3);
	CHECK_INT(count_for(jobs, n, ep_b), 2);
	CHECK_INT(count_for(jobs, n, ""), 1);
	CHECK_INT(count_for(jobs, n, ep_off), 0);
	CHECK_INT(asked, 2); /* once per endpoint with something due */
	CHECK_INT(targets_seen, 3); /* a, b and the callbacks; not the disabled one */
	for (int i = 0; i < n; i++) {
		CHECK(strncmp(jobs[i].url, "https://", 8) == 0);
		CHECK(!strcmp(jobs[i].endpoint_id, "") ? jobs[i].secret[0] == 0
						       : !strncmp(jobs[i].secret, "whsec_", 6));
	}
	release(jobs, n);

	/* At the same moment, with room again: a's three others were left due
	 * (a pushed-back delivery would not be due yet); the claimed ones are
	 * leased, so nothing is claimed twice. */
	room[0] = 10;
	room[1] = 10;
	REQUIRE(kyc_store_begin(s) == 0);
	CHECK_INT(kyc_outbox_claim(s, 2000, 10000, 16, room_of, NULL, jobs, &n), 0);
	REQUIRE(kyc_store_commit(s) == 0);
	CHECK_INT(n, 3);
	CHECK_INT(count_for(jobs, n, ep_a), 3);
	release(jobs, n);

	/* An endpoint with no room is passed over; the lease ends at now + lease. */
	room[0] = 0;
	REQUIRE(kyc_store_begin(s) == 0);
	CHECK_INT(kyc_outbox_claim(s, 12001, 10000, 16, room_of, NULL, jobs, &n), 0);
	REQUIRE(kyc_store_commit(s) == 0);
	CHECK_INT(count_for(jobs, n, ep_a), 0);
	CHECK_INT(count_for(jobs, n, ep_b), 3); /* the two leased until 12000, and the later one */
	CHECK_INT(count_for(jobs, n, ""), 1);
	release(jobs, n);

	/* max bounds the claim across endpoints */
	room[0] = 10;
	REQUIRE(kyc_store_begin(s) == 0);
	CHECK_INT(kyc_outbox_claim(s, 12001, 10000, 2, room_of, NULL, jobs, &n), 0);
	REQUIRE(kyc_store_commit(s) == 0);
	CHECK_INT(n, 2);
	release(jobs, n);
	kyc_store_close(s);
}

/* Two nodes claiming at the same moment take different deliveries: the
 * first's claim holds its rows until it commits, and the second passes
 * over them instead of waiting (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite
 * has one writer, so the second waits and then finds them leased). */
TEST(concurrent_claims_take_different_deliveries)
{
	kyc_store *a = teststore_open(dir), *b = teststore_open(dir);
	REQUIRE(a != NULL && b != NULL);
	char ep[37];
	REQUIRE(kyc_store_tenant_create(a, "outbox-two", tenant) == 0);
	REQUIRE(endpoint(a, "https://two.example/hook", 1, ep) == 0);
	for (int i = 0; i < 4; i++)
		REQUIRE(delivery(a, ep, 100 + i) == 0);
	struct kyc_outbox_job ja[8], jb[8];
	int na = 0, nb = 0;
	REQUIRE(kyc_store_begin(a) == 0);
	CHECK_INT(kyc_outbox_claim(a, 1000, 60000, 2, NULL, NULL, ja, &na), 0);
	CHECK_INT(na, 2);
	if (getenv("KYCD_DB")) { /* PostgreSQL: b claims while a's claim is open */
		REQUIRE(kyc_store_begin(b) == 0);
		CHECK_INT(kyc_outbox_claim(b, 1000, 60000, 8, NULL, NULL, jb, &nb), 0);
		CHECK_INT(kyc_store_commit(b), 0);
		CHECK_INT(kyc_store_commit(a), 0);
	} else {
		CHECK_INT(kyc_store_commit(a), 0);
		REQUIRE(kyc_store_begin(b) == 0);
		CHECK_INT(kyc_outbox_claim(b, 1000, 60000, 8, NULL, NULL, jb, &nb), 0);
		CHECK_INT(kyc_store_commit(b), 0);
	}
	CHECK_INT(nb, 2);
	for (int i = 0; i < na; i++)
		for (int j = 0; j < nb; j++)
			CHECK(strcmp(ja[i].delivery_id, jb[j].delivery_id) != 0);
	release(ja, na);
	release(jb, nb);
	/* all four are leased now */
	REQUIRE(kyc_store_begin(a) == 0);
	CHECK_INT(kyc_outbox_claim(a, 1000, 60000, 8, NULL, NULL, ja, &na), 0);
	CHECK_INT(kyc_store_commit(a), 0);
	CHECK_INT(na, 0);
	kyc_store_close(a);
	kyc_store_close(b);
}

/* Fan-out reads: events not yet dispatched, oldest first, with the fields
 * the worker takes from their JSON; dispatching twice is a conflict. */
TEST(undispatched_events_in_order_and_dispatched_once)
{
	kyc_store *s = teststore_open_tenant(dir, "outbox-fan", tenant);
	REQUIRE(s != NULL);
	char ids[3][37];
	for (int i = 0; i < 3; i++) {
		kyc_uuid_new(ids[i]);
		json_t *e = json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:{s:s}}}", "id", ids[i],
				      "type", "verification.updated", "payload", "status", "approved",
				      "callback_url", "https://cb.example/x", "attributes",
				      "from_status", "review", "compat", "seed", "002");
		REQUIRE(kyc_store_insert(s, KYC_R_EVENT, tenant, e) == 0);
		json_decref(e);
	}
	struct kyc_outbox_event *ev = NULL;
	int n = 0;
	REQUIRE(kyc_outbox_undispatched(s, 100, &ev, &n) == 0);
	int mine = 0;
	for (int i = 0; i < n; i++) {
		if (strcmp(ev[i].tenant_id, tenant))
			continue;
		if (mine < 3)
			CHECK_STR(ev[i].id, ids[mine]);
		CHECK_STR(ev[i].status, "approved");
		CHECK_STR(ev[i].from_status, "review");
		CHECK_STR(ev[i].compat_seed, "002");
		CHECK_STR(ev[i].callback_url, "https://cb.example/x");
		CHECK_STR(ev[i].only_endpoint, "");
		mine++;
	}
	CHECK_INT(mine, 3);
	kyc_outbox_events_free(ev, n);
	CHECK_INT(kyc_outbox_dispatched(s, ids[0], 5), 0);
	CHECK_INT(kyc_outbox_dispatched(s, ids[0], 6), KYC_ERR_CONFLICT);
	/* in a batch, the events already marked are not this call's */
	const char *batch_ids[3] = {ids[1], ids[0], ids[2]};
	int owned[3] = {-1, -1, -1};
	CHECK_INT(kyc_outbox_dispatched_batch(s, batch_ids, 3, 7, owned), 0);
	CHECK_INT(owned[0], 1);
	CHECK_INT(owned[1], 0);
	CHECK_INT(owned[2], 1);
	CHECK_INT(kyc_outbox_dispatched_batch(s, batch_ids, 3, 8, owned), 0);
	CHECK_INT(owned[0] + owned[1] + owned[2], 0);
	/* an attempt's record keeps a response cut inside a character */
	char did[37];
	REQUIRE(kyc_outbox_delivery_add(s, tenant, ids[1], "verification.updated", NULL,
					"https://cb.example/x", NULL, 10, did) == 0);
	struct kyc_outbox_attempt at = {.delivery_id = did, .at_ms = 20, .latency_ms = 3,
					.http_status = 500, .error = "http_status",
					.response = "r\xc3\xa9ponse\xc3", .response_len = 10,
					.status = "pending", .next_ms = 99};
	CHECK_INT(kyc_outbox_record(s, &at), 0);
	json_t *d = NULL;
	REQUIRE(kyc_store_get(s, KYC_R_WEBHOOK_DELIVERY, tenant, did, &d) == 0);
	CHECK_INT(json_integer_value(json_object_get(d, "attempt_count")), 1);
	json_t *log = json_object_get(d, "attempts");
	CHECK_INT(json_array_size(log), 1);
	const char *resp = json_string_value(json_object_get(json_array_get(log, 0), "response"));
	CHECK(resp && !strncmp(resp, "r\xc3\xa9ponse", 8));
	CHECK_INT(json_integer_value(json_object_get(json_array_get(log, 0), "status")), 500);
	json_decref(d);

	/* A batch records each attempt as kyc_outbox_record does: the retried
	 * delivery again (now succeeded), a new one failing, and one delivery
	 * twice in the same batch (both attempts kept, in order). */
	char did2[37], did3[37];
	REQUIRE(kyc_outbox_delivery_add(s, tenant, ids[2], "verification.updated", NULL,
					"https://cb.example/x", NULL, 10, did2) == 0);
	REQUIRE(kyc_outbox_delivery_add(s, tenant, ids[2], "verification.updated", NULL,
					"https://cb.example/y", NULL, 10, did3) == 0);
	struct kyc_outbox_attempt batch[2] = {
	    {.delivery_id = did, .at_ms = 120, .latency_ms = 4, .http_status = 204,
	     .status = "succeeded"},
	    {.delivery_id = did2, .at_ms = 121, .latency_ms = 5, .http_status = 503,
	     .error = "http_status", .response = "busy", .response_len = 4, .status = "pending",
	     .next_ms = 777},
	};
	CHECK_INT(kyc_outbox_record_batch(s, batch, 2), 0);
	REQUIRE(kyc_store_get(s, KYC_R_WEBHOOK_DELIVERY, tenant, did, &d) == 0);
	CHECK_STR(json_string_value(json_object_get(d, "status")), "succeeded");
	CHECK_INT(json_integer_value(json_object_get(d, "attempt_count")), 2);
	log = json_object_get(d, "attempts");
	CHECK_INT(json_array_size(log), 2);
	CHECK_INT(json_integer_value(json_object_get(json_array_get(log, 1), "status")), 204);
	json_decref(d);
	REQUIRE(kyc_store_get(s, KYC_R_WEBHOOK_DELIVERY, tenant, did2, &d) == 0);
	CHECK_STR(json_string_value(json_object_get(d, "status")), "pending");
	CHECK_INT(json_integer_value(json_object_get(d, "attempt_count")), 1);
	log = json_object_get(d, "attempts");
	resp = json_string_value(json_object_get(json_array_get(log, 0), "response"));
	CHECK(resp && !strcmp(resp, "busy"));
	CHECK_STR(json_string_value(json_object_get(json_array_get(log, 0), "error")),
		  "http_status");
	json_decref(d);
	struct kyc_outbox_attempt twice[2] = {
	    {.delivery_id = did3, .at_ms = 130, .latency_ms = 1, .http_status = 500,
	     .error = "http_status", .status = "pending", .next_ms = 888},
	    {.delivery_id = did3, .at_ms = 131, .latency_ms = 1, .http_status = 200,
	     .status = "succeeded"},
	};
	CHECK_INT(kyc_outbox_record_batch(s, twice, 2), 0);
	REQUIRE(kyc_store_get(s, KYC_R_WEBHOOK_DELIVERY, tenant, did3, &d) == 0);
	CHECK_STR(json_string_value(json_object_get(d, "status")), "succeeded");
	CHECK_INT(json_integer_value(json_object_get(d, "attempt_count")), 2);
	CHECK_INT(json_array_size(json_object_get(d, "attempts")), 2);
	json_decref(d);
	kyc_store_close(s);
}

/* Runs sql on the store's database as it is, below the store. */
static int raw_exec(const char *sql)
{
	const char *pg = getenv("KYCD_DB");
	if (pg && *pg) {
		PGconn *c = PQconnectdb(pg);
		PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
		int ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
		PQfinish(c);
		return ok ? 0 : -1;
	}
	char path[128];
	sqlite3 *db = NULL;
	snprintf(path, sizeof path, "%s/kycd.db", dir);
	int rc = sqlite3_open(path, &db) == SQLITE_OK &&
			 sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK
		     ? 0
		     : -1;
	sqlite3_close(db);
	return rc;
}

/* An event written before migration 11 has no route: the fan-out opens its
 * payload and attributes for the same fields. And events read together
 * (kyc_store_get_many) are each as kyc_store_get reads it, a missing one
 * NULL and one asked twice in both places. */
TEST(events_without_route_and_read_together)
{
	kyc_store *s = teststore_open_tenant(dir, "outbox-route", tenant);
	REQUIRE(s != NULL);
	char ids[2][37], sql[256];
	for (int i = 0; i < 2; i++) {
		kyc_uuid_new(ids[i]);
		json_t *e = json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}}", "id", ids[i], "type",
				      "verification.status_changed", "payload", "status", "rejected",
				      "callback_url", i ? "https://cb.example/one" : "https://cb.example/two",
				      "attributes", "from_status", "pending_review", "callback_format",
				      "compat004");
		REQUIRE(kyc_store_insert(s, KYC_R_EVENT, tenant, e) == 0);
		json_decref(e);
	}
	snprintf(sql, sizeof sql, "UPDATE events SET route=NULL WHERE id='%s'", ids[0]);
	REQUIRE(raw_exec(sql) == 0);
	struct kyc_outbox_event *ev = NULL;
	int n = 0, mine = 0;
	REQUIRE(kyc_outbox_undispatched(s, 1000, &ev, &n) == 0);
	for (int i = 0; i < n; i++) {
		int k = !strcmp(ev[i].id, ids[0]) ? 0 : !strcmp(ev[i].id, ids[1]) ? 1 : -1;
		if (k < 0)
			continue;
		mine++;
		CHECK_STR(ev[i].status, "rejected");
		CHECK_STR(ev[i].from_status, "pending_review");
		CHECK_STR(ev[i].callback_format, "compat004");
		CHECK_STR(ev[i].callback_url, k ? "https://cb.example/one" : "https://cb.example/two");
	}
	CHECK_INT(mine, 2);
	kyc_outbox_events_free(ev, n);

	char gone[37];
	kyc_uuid_new(gone);
	const char *tenants[4] = {tenant, tenant, tenant, tenant};
	const char *want[4] = {ids[1], gone, ids[0], ids[1]};
	json_t *got[4];
	REQUIRE(kyc_store_get_many(s, KYC_R_EVENT, 4, tenants, want, got) == 0);
	CHECK(got[1] == NULL);
	for (int i = 0; i < 4; i++) {
		if (i == 1)
			continue;
		json_t *one = NULL;
		REQUIRE(kyc_store_get(s, KYC_R_EVENT, tenant, want[i], &one) == 0);
		CHECK(got[i] != NULL && json_equal(got[i], one));
		CHECK_STR(json_string_value(json_object_get(json_object_get(got[i], "payload"),
							    "status")),
			  "rejected");
		json_decref(one);
	}
	CHECK(got[0] != got[3]);
	for (int i = 0; i < 4; i++)
		json_decref(got[i]);
	/* another tenant's event is not read by asking with this one */
	const char *other[1] = {"00000000-0000-4000-8000-000000000000"};
	REQUIRE(kyc_store_get_many(s, KYC_R_EVENT, 1, other, want, got) == 0);
	CHECK(got[0] == NULL);
	kyc_store_close(s);
}

static const char *backend;
#undef RUN
#define RUN(name) RUN_ON(backend, name)

static void run_contract(const char *label)
{
	backend = label;
	RUN(claims_take_each_endpoints_room_and_leave_the_rest_due);
	RUN(concurrent_claims_take_different_deliveries);
	RUN(undispatched_events_in_order_and_dispatched_once);
	RUN(events_without_route_and_read_together);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/kycd-outbox-test-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	pgtmp_both("outbox", run_contract, NULL, 0);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return test_done("outbox");
}
