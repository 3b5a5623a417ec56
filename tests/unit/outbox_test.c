/* The webhook outbox's claim (src/store/outbox.h): each endpoint gets at
 * most the room its caller gives it, the rest of its deliveries stay due as
 * they were (never pushed back), disabled endpoints get nothing, callbacks
 * are claimed beside endpoints, and claims are leased. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/rand.h"
#include "store/outbox.h"
#include "store/store.h"
#include "test.h"

static char dir[64];
static char tenant[37];

static kyc_store *open_store(void)
{
	kyc_store *s = NULL;
	char err[256];
	if (kyc_store_open(dir, &s, err, sizeof err))
		fprintf(stderr, "open: %s\n", err);
	return s;
}

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
static int room[2], asked;
static int room_of(void *ctx, const char *endpoint_id)
{
	(void)ctx;
	asked++;
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
	kyc_store *s = open_store();
	REQUIRE(s != NULL);
	char ep_off[37];
	REQUIRE(kyc_store_tenant_create(s, "outbox", tenant) == 0);
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

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/kycd-outbox-test-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	RUN(claims_take_each_endpoints_room_and_leave_the_rest_due);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return test_done("outbox");
}
