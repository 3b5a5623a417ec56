/* The webhook worker's store thread (worker_int.h): its loop of fan-out,
 * claims and recording in one transaction per turn, on its own store
 * connection; and the worker's start and stop. A claim's payloads are
 * src/webhooks/worker_payloads.c, the outcomes' records
 * src/webhooks/worker_outcomes.c, the sending src/webhooks/sender.c. */
#include "webhooks/worker_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "webhooks/fanout.h"

#define FANOUT_BATCH 100
#define RECORD_WAIT_MS 50 /* longest a finished attempt waits to be recorded */

/* Store errors are logged at most once a second: a locked or full disk must
 * not turn into a flood of identical lines. */
static void store_error(struct kyc_webhook_worker *w, const char *what, int rc)
{
	int64_t now = kyc_now_ms();
	if (now - w->last_error_log_ms < 1000)
		return;
	w->last_error_log_ms = now;
	kyc_logf(KYC_LOG_ERROR, "webhooks: %s failed (%s): %s", what, kyc_err_name(rc),
		 kyc_store_errmsg(w->store));
}

/* 1 when the worker holds delivery_id (running or queued). */
static int held(const struct kyc_webhook_worker *w, const char *delivery_id)
{
	for (int i = 0; i < w->nslots; i++)
		if (w->slots[i].busy && !strcmp(w->slots[i].job.delivery_id, delivery_id))
			return 1;
	for (int i = 0; i < w->nqueued; i++)
		if (!strcmp(w->queue[i].job.delivery_id, delivery_id))
			return 1;
	return 0;
}

/* Attempts the worker holds for endpoint_id, running or queued. */
static int held_for(const struct kyc_webhook_worker *w, const char *endpoint_id)
{
	int k = kyc__webhook_running_to(w, endpoint_id);
	for (int i = 0; i < w->nqueued; i++)
		k += !strcmp(w->queue[i].job.endpoint_id, endpoint_id);
	return k;
}

/* The claim's room callback (kyc_outbox_claim): an endpoint may hold its
 * share running and as much again queued; the claim leaves the rest of its
 * deliveries due as they are (pushing a surplus back would leave it idle
 * while slots go free), and an endpoint that hangs keeps only its share.
 * When several targets have deliveries due, they split the slots: each then
 * keeps a steady set of keep-alive connections, where one endpoint at a
 * time taking them all made curl open and close a connection for about
 * every second delivery (bench/README.md, webhooks). */
static int room_for(void *ctx, const char *endpoint_id, int targets)
{
	struct kyc_webhook_worker *w = ctx;
	int share = w->cfg.per_endpoint;
	if (targets > 1 && w->nslots / targets < share)
		share = w->nslots / targets > 0 ? w->nslots / targets : 1;
	pthread_mutex_lock(&w->mu);
	int room = 2 * share - held_for(w, endpoint_id);
	pthread_mutex_unlock(&w->mu);
	return room;
}

/* Moves the finished attempts to the store thread's own list (after any
 * that a failed commit left there). Under mu. */
static void take_done(struct kyc_webhook_worker *w)
{
	int k = w->ndone < DONE_CAP(w) - w->nrec ? w->ndone : DONE_CAP(w) - w->nrec;
	memcpy(w->rec + w->nrec, w->done, (size_t)k * sizeof *w->done);
	w->nrec += k;
	memmove(w->done, w->done + k, (size_t)(w->ndone - k) * sizeof *w->done);
	w->ndone -= k;
}

/* Records the outcomes in rec and, when asked, claims due deliveries, in
 * one transaction (one commit per batch), then hands the claim to the
 * sender. Returns 1 when the claim was full (more may be due at once). The
 * store thread, without mu (room_for takes it). */
static int turn(struct kyc_webhook_worker *w, int claim, int room)
{
	int64_t now = kyc_now_ms();
	int n = 0;
	int rc = kyc_store_begin(w->store);
	rc = rc ? rc : kyc__webhook_record_outcomes(w);
	if (!rc && claim && room > 0)
		rc = kyc_outbox_claim(w->store, now, 2 * w->cfg.timeout_ms + 5000, room, room_for, w,
				      w->claimed, &n);
	w->nstaged = 0;
	rc = rc ? rc : kyc__webhook_stage_claim(w, n);
	for (int i = 0; i < n; i++)
		kyc_outbox_job_release(&w->claimed[i]); /* what was not staged */
	rc = rc ? rc : kyc_store_commit(w->store);
	if (rc) {
		/* Nothing was written: the finished attempts stay for the next
		 * turn, and what we claimed is still due. */
		kyc_store_rollback(w->store);
		store_error(w, "recording attempts", rc);
		for (int i = 0; i < w->nstaged; i++) {
			kyc_outbox_job_release(&w->staged[i].job);
			kyc__webhook_body_unref(w->staged[i].body);
		}
		w->nstaged = 0;
		return 0;
	}
	for (int i = 0; i < w->nrec; i++)
		kyc_outbox_job_release(&w->rec[i].job);
	w->nrec = 0;
	pthread_mutex_lock(&w->mu);
	for (int i = 0; i < w->nstaged; i++) {
		struct wh_queued *q = &w->staged[i];
		if (held(w, q->job.delivery_id) || w->nqueued == w->nslots) {
			/* (a lease that ended while its attempt still runs, after the
			 * clock jumped: the running attempt will record) */
			kyc_outbox_job_release(&q->job);
			kyc__webhook_body_unref(q->body);
			continue;
		}
		w->queue[w->nqueued++] = *q;
	}
	pthread_mutex_unlock(&w->mu);
	w->nstaged = 0;
	if (n)
		curl_multi_wakeup(w->multi);
	/* a full claim: there may be more due right now */
	return claim && room > 0 && n == room;
}

/* ---- the store thread ---- */

static void *worker_main(void *arg)
{
	struct kyc_webhook_worker *w = arg;
	int64_t next_due = 0;
	while (!atomic_load(&w->stop)) {
		int64_t now = kyc_now_ms();
		int fanned = 0;
		int rc = kyc_webhook_fanout(w->store, FANOUT_BATCH, now, &fanned);
		if (rc)
			store_error(w, "fan-out", rc);
		/* Asked every turn: the API adds deliveries too (redeliver, test). */
		rc = kyc_outbox_next_due(w->store, &next_due);
		if (rc)
			store_error(w, "looking for due deliveries", rc);
		/* Claim when the queue is half empty, and record a quarter of the
		 * slots' outcomes at a time (or whatever there is when idle), so
		 * that one commit serves many deliveries. */
		pthread_mutex_lock(&w->mu);
		w->kick = 0;
		int idle = w->running == 0 && w->nqueued == 0;
		int claim = next_due && next_due <= now && w->nqueued <= w->nslots / 2;
		int room = w->nslots - w->nqueued;
		int pending = w->nrec + w->ndone;
		int record = pending && (pending >= w->nslots / 4 || idle || w->nrec ||
					 now - w->oldest_done_ms >= RECORD_WAIT_MS);
		if (claim || record)
			take_done(w);
		pthread_mutex_unlock(&w->mu);
		int more = 0;
		if (claim || w->nrec)
			more = turn(w, claim, room);
		int wait = w->cfg.poll_ms;
		if (fanned == FANOUT_BATCH || more)
			continue;
		pthread_mutex_lock(&w->mu);
		if (w->ndone || w->nrec)
			wait = RECORD_WAIT_MS;
		if (!w->kick && !atomic_load(&w->stop)) {
			struct timespec until;
			kyc_timespec_after(CLOCK_MONOTONIC, wait, &until);
			pthread_cond_timedwait(&w->kick_cv, &w->mu, &until);
		}
		pthread_mutex_unlock(&w->mu);
	}
	/* Stopping: the sender finishes what is in flight (up to its grace),
	 * then everything is this thread's again. */
	kyc__webhook_sender_stop(w);
	take_done(w);
	if (w->nrec)
		turn(w, 0, 0);
	if ((w->running || w->nqueued) && kyc_store_begin(w->store) == 0) {
		int64_t now = kyc_now_ms();
		for (int i = 0; i < w->nqueued; i++) {
			kyc_outbox_unclaim(w->store, w->queue[i].job.delivery_id, now);
			kyc_outbox_job_release(&w->queue[i].job);
			kyc__webhook_body_unref(w->queue[i].body);
		}
		w->nqueued = 0;
		for (int i = 0; i < w->nslots; i++) {
			struct wh_slot *sl = &w->slots[i];
			if (!sl->busy)
				continue;
			curl_multi_remove_handle(w->multi, sl->h);
			kyc_outbox_unclaim(w->store, sl->job.delivery_id, now);
			kyc_outbox_job_release(&sl->job);
			kyc__webhook_body_unref(sl->body);
			sl->body = NULL;
			sl->busy = 0;
			w->running--;
		}
		if (kyc_store_commit(w->store))
			store_error(w, "releasing deliveries at stop", KYC_ERR_IO);
	}
	return NULL;
}

static void worker_free(struct kyc_webhook_worker *w)
{
	if (!w)
		return;
	if (w->sender_started) /* the store thread never started: stop the sender here */
		kyc__webhook_sender_stop(w);
	for (int i = 0; w->slots && i < w->nslots; i++) {
		struct wh_slot *sl = &w->slots[i];
		if (sl->h) {
			if (sl->busy)
				curl_multi_remove_handle(w->multi, sl->h);
			curl_easy_cleanup(sl->h);
		}
		curl_slist_free_all(sl->hdrs);
		kyc__webhook_body_unref(sl->body);
		kyc_outbox_job_release(&sl->job);
	}
	for (int i = 0; w->done && i < w->ndone; i++)
		kyc_outbox_job_release(&w->done[i].job);
	for (int i = 0; w->rec && i < w->nrec; i++)
		kyc_outbox_job_release(&w->rec[i].job);
	for (int i = 0; w->queue && i < w->nqueued; i++) {
		kyc_outbox_job_release(&w->queue[i].job);
		kyc__webhook_body_unref(w->queue[i].body);
	}
	for (int i = 0; w->cache && i < BODY_CACHE; i++)
		kyc__webhook_body_unref(w->cache[i].body);
	if (w->multi)
		curl_multi_cleanup(w->multi);
	kyc_store_close(w->store);
	pthread_cond_destroy(&w->kick_cv);
	pthread_mutex_destroy(&w->mu);
	free(w->slots);
	free(w->claimed);
	free(w->staged);
	free(w->queue);
	free(w->done);
	free(w->rec);
	free(w->attempts);
	free(w->cache);
	free(w->miss_tenants);
	free(w->miss_events);
	free(w->miss_read);
	free(w->data_dir);
	free(w->ca_file);
	free(w);
}

int kyc_webhook_worker_start(const struct kyc_webhook_config *cfg, kyc_webhook_worker **out,
			     char *err, size_t errsz)
{
	*out = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errsz, "webhooks: cannot initialise libcurl");
		return KYC_ERR_INTERNAL;
	}
	struct kyc_webhook_worker *w = calloc(1, sizeof *w);
	if (!w)
		return KYC_ERR_NOMEM;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* waits immune to clock steps */
	pthread_cond_init(&w->kick_cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&w->mu, NULL);
	w->cfg = *cfg;
	if (w->cfg.timeout_ms <= 0)
		w->cfg.timeout_ms = 10000;
	if (w->cfg.max_in_flight <= 0)
		w->cfg.max_in_flight = KYC_WEBHOOK_CONCURRENCY_DEFAULT;
	if (w->cfg.poll_ms <= 0)
		w->cfg.poll_ms = 100;
	if (w->cfg.per_endpoint <= 0 || w->cfg.per_endpoint > w->cfg.max_in_flight)
		w->cfg.per_endpoint = w->cfg.max_in_flight > 1 ? w->cfg.max_in_flight / 2 : 1;
	w->nslots = w->cfg.max_in_flight;
	w->data_dir = strdup(cfg->data_dir);
	w->ca_file = cfg->ca_file && *cfg->ca_file ? strdup(cfg->ca_file) : NULL;
	w->slots = calloc((size_t)w->nslots, sizeof *w->slots);
	w->claimed = calloc((size_t)w->nslots, sizeof *w->claimed);
	w->staged = calloc((size_t)w->nslots, sizeof *w->staged);
	w->queue = calloc((size_t)w->nslots, sizeof *w->queue);
	w->done = calloc((size_t)DONE_CAP(w), sizeof *w->done);
	w->rec = calloc((size_t)DONE_CAP(w), sizeof *w->rec);
	w->attempts = calloc((size_t)DONE_CAP(w), sizeof *w->attempts);
	w->cache = calloc(BODY_CACHE, sizeof *w->cache);
	w->miss_tenants = calloc((size_t)w->nslots, sizeof *w->miss_tenants);
	w->miss_events = calloc((size_t)w->nslots, sizeof *w->miss_events);
	w->miss_read = calloc((size_t)w->nslots, sizeof *w->miss_read);
	w->multi = curl_multi_init();
	int rc = KYC_ERR_NOMEM;
	if (!w->data_dir || !w->slots || !w->claimed || !w->staged || !w->queue || !w->done ||
	    !w->rec || !w->attempts || !w->cache || !w->miss_tenants || !w->miss_events ||
	    !w->miss_read || !w->multi ||
	    (cfg->ca_file && *cfg->ca_file && !w->ca_file)) {
		snprintf(err, errsz, "webhooks: out of memory");
		goto fail;
	}
	/* Idle connections kept: room for every endpoint's share to move
	 * between claims without closing a connection that is needed again. */
	curl_multi_setopt(w->multi, CURLMOPT_MAXCONNECTS, (long)(4 * w->nslots));
	for (int i = 0; i < w->nslots; i++) {
		w->slots[i].w = w;
		if (!(w->slots[i].h = curl_easy_init())) {
			snprintf(err, errsz, "webhooks: cannot make a transfer handle");
			goto fail;
		}
	}
	rc = kyc_store_open(w->data_dir, &w->store, err, errsz);
	if (rc)
		goto fail;
	/* Every write of the worker can be made again (a lost "succeeded" is
	 * delivered once more, a lost claim claimed again, a lost fan-out fanned
	 * out again), so its commits need not wait for an fsync each; they stay
	 * atomic, and a killed process loses none (docs/webhooks.md). */
	if ((rc = kyc_store_lazy_commits(w->store))) {
		snprintf(err, errsz, "webhooks: %s", kyc_store_errmsg(w->store));
		goto fail;
	}
	if (pthread_create(&w->sender, NULL, kyc__webhook_sender_main, w) != 0) {
		snprintf(err, errsz, "webhooks: cannot start the sender thread");
		rc = KYC_ERR_INTERNAL;
		goto fail;
	}
	w->sender_started = 1;
	if (pthread_create(&w->th, NULL, worker_main, w) != 0) {
		snprintf(err, errsz, "webhooks: cannot start the worker thread");
		rc = KYC_ERR_INTERNAL;
		goto fail;
	}
	*out = w;
	return 0;
fail:
	worker_free(w);
	return rc;
}

void kyc_webhook_worker_stop(kyc_webhook_worker *w)
{
	if (!w)
		return;
	atomic_store(&w->stop, 1);
	pthread_mutex_lock(&w->mu);
	pthread_cond_signal(&w->kick_cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	worker_free(w);
}
