/* Webhooks survive kill -9: 1,000 events are queued while kycd delivers them
 * to a slow receiver, and kycd is killed mid-delivery several times and
 * restarted. Afterwards every event the API acknowledged (and every event
 * the database holds) has been received and answered 2xx at least once, and
 * the only repeats are attempts that were in flight at a kill. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "e2e.h"
#include "e2e_clock.h"
#include "test.h"
#include "whrecv.h"

#define EVENTS 1000
#define KILLS 4
#define CONCURRENCY 8

static struct e2e_server srv;
static char key[128];
static struct e2e_clock clk;
static struct whrecv *rx;
static const char *env[8];

/* Every webhook.test event the API lists (all pages), as a JSON array of ids. */
static json_t *listed_events(void)
{
	json_t *ids = json_array();
	if (e2e_list_ids(&srv, key, "/v1/events?type=webhook.test&limit=100", ids) == 0)
		return ids;
	json_decref(ids);
	return NULL;
}

/* 1 when the receiver got id answered 2xx. */
static int delivered(json_t *ok_ids, const char *id)
{
	return json_object_get(ok_ids, id) != NULL;
}

TEST(kill_during_delivery_loses_no_event)
{
	char id[64], secret[128], body[200], path[160];
	snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:%d/crash\"}", whrecv_port(rx));
	struct e2e_resp r;
	REQUIRE(e2e_json(&srv, "POST", "/v1/webhook-endpoints", key, body, &r) == 0);
	REQUIRE(r.status == 201);
	snprintf(id, sizeof id, "%s", e2e_str(&r, "id"));
	snprintf(secret, sizeof secret, "%s", e2e_str(&r, "secret"));
	e2e_resp_free(&r);
	whrecv_set_secrets(rx, secret, NULL);
	snprintf(path, sizeof path, "/v1/webhook-endpoints/%s/test", id);

	json_t *acked = json_array();
	srand((unsigned)time(NULL));
	int kills = 0, at_restart = 0;
	/* Queue the events; between them, kill kycd once deliveries are flowing
	 * (the receiver saw new requests since the last restart), at a random
	 * moment, and start it again. */
	while ((int)json_array_size(acked) < EVENTS) {
		if (e2e_json(&srv, "POST", path, key, NULL, &r) == 0 && r.status == 202)
			json_array_append_new(acked, json_string(e2e_str(&r, "id")));
		e2e_resp_free(&r);
		int queued = (int)json_array_size(acked);
		if (kills < KILLS && queued >= (kills + 1) * EVENTS / (KILLS + 1)) {
			whrecv_wait(rx, at_restart + 1, 60000);
			e2e_sleep_ms(rand() % 50);
			e2e_kill(&srv);
			kills++;
			at_restart = whrecv_count(rx);
			/* the leases of what was in flight end at once on the moved clock */
			e2e_clock_add(&clk, 60);
			REQUIRE(e2e_start(&srv, env) == 0);
		}
	}
	CHECK_INT(kills, KILLS);

	/* Everything committed is delivered, including what was queued but not
	 * yet sent at the last kill. */
	json_t *listed = listed_events();
	REQUIRE(listed != NULL);
	CHECK((int)json_array_size(listed) >= EVENTS);
	int want = (int)json_array_size(listed);
	int got = whrecv_wait_distinct_ok(rx, want, 240000);
	CHECK_INT(got, want);

	json_t *ok_ids = json_object();
	int total = whrecv_count(rx), invalid = 0;
	for (int i = 0; i < total; i++) {
		struct whrecv_msg m;
		if (whrecv_get(rx, i, &m) != 0)
			continue;
		invalid += !m.valid;
		if (m.answered == 204)
			json_object_set_new(ok_ids, m.id, json_true());
		free(m.body);
	}
	size_t i;
	json_t *e;
	int missing = 0;
	json_array_foreach(listed, i, e)
	{
		missing += !delivered(ok_ids, json_string_value(e));
	}
	json_array_foreach(acked, i, e)
	{
		missing += !delivered(ok_ids, json_string_value(e));
	}
	CHECK_INT(missing, 0);
	CHECK_INT(invalid, 0);
	/* repeats: only attempts that were in flight (sent, answer not yet
	 * recorded) when kycd died; the worker holds at most CONCURRENCY */
	int distinct = whrecv_distinct(rx, NULL);
	fprintf(stderr, "  %d events, %d requests, %d distinct, %d kills\n", want, total, distinct,
		kills);
	CHECK(total - distinct <= kills * CONCURRENCY);
	/* and the server agrees: every delivery succeeded */
	snprintf(path, sizeof path, "/v1/webhook-endpoints/%s/deliveries?status=pending", id);
	for (int k = 0; k < 200; k++) {
		REQUIRE(e2e_json(&srv, "GET", path, key, NULL, &r) == 0);
		size_t n = json_array_size(json_object_get(r.json, "data"));
		e2e_resp_free(&r);
		if (n == 0)
			break;
		e2e_sleep_ms(100); /* the last outcomes are written in a batch */
	}
	REQUIRE(e2e_json(&srv, "GET", path, key, NULL, &r) == 0);
	CHECK_INT(json_array_size(json_object_get(r.json, "data")), 0);
	e2e_resp_free(&r);
	json_decref(ok_ids);
	json_decref(listed);
	json_decref(acked);
}

int main(void)
{
	rx = whrecv_start(0);
	if (!rx || e2e_data_dir(&srv) != 0)
		return 1;
	/* slower than the API queues them: a backlog, and attempts in flight at each kill */
	whrecv_set_delay(rx, 40);
	whrecv_set_mode(rx, WHRECV_SLOW);
	if (e2e_clock_init(&clk, srv.data_dir) != 0)
		return 1;
	env[0] = clk.env;
	env[1] = "KYCD_WEBHOOK_ALLOW_HTTP=1";
	env[2] = "KYCD_WEBHOOK_ALLOW_LOOPBACK=1";
	env[3] = "KYCD_WEBHOOK_CONCURRENCY=8";
	env[4] = "KYCD_WEBHOOK_TIMEOUT_MS=5000";
	env[5] = NULL;
	if (e2e_start(&srv, env) != 0 || e2e_tenant(&srv, "crash", key, NULL) != 0)
		return 1;
	RUN(kill_during_delivery_loses_no_event);
	e2e_cleanup(&srv);
	e2e_clock_remove(&clk);
	whrecv_stop(rx);
	return test_done("webhooks_crash");
}
