/* Internals of the webhook worker shared by its two threads' files:
 * src/webhooks/worker.c (the store thread: fan-out, claims, start and
 * stop), with worker_payloads.c (a claim's payloads) and
 * worker_outcomes.c (recording outcomes), and src/webhooks/sender.c (the
 * sender: signing, libcurl, collecting outcomes). */
#ifndef KYC_WEBHOOK_WORKER_INT_H
#define KYC_WEBHOOK_WORKER_INT_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>

#include "store/outbox.h"
#include "webhooks/worker.h"

#define RESP_KEEP 256 /* bytes of an answer kept in the attempt log */
#define BODY_CACHE 1024 /* payloads kept across claims (a power of two) */

/* A rendered payload, shared by the deliveries of one event in one format
 * claimed together (an event to ten endpoints is read and rendered once,
 * not ten times), or the reason there is none. */
struct wh_body {
	atomic_int refs; /* both threads hold references (the store thread's cache, slots) */
	const char *error;        /* static: event_missing, format_unknown, render_failed; or NULL */
	const char *content_type; /* static */
	char event_id[37];
	char format[32];
	size_t len;
	char data[]; /* len bytes and a NUL */
};

/* One attempt in flight (or its outcome, waiting to be recorded). */
struct wh_slot {
	struct kyc_webhook_worker *w;
	CURL *h;
	int busy;
	struct kyc_outbox_job job;
	struct wh_body *body; /* a reference, while busy */
	struct curl_slist *hdrs;
	char resp[RESP_KEEP];
	size_t resp_len, resp_seen;
	int capped;          /* we stopped reading a long answer */
	const char *refused; /* the address class the socket hook refused */
	int64_t start_ms;
};

/* A finished attempt, recorded with the next batch. */
struct wh_done {
	struct kyc_outbox_job job; /* owned */
	int64_t at_ms, latency_ms;
	int http_status;
	const char *error; /* static; NULL on success */
	char resp[RESP_KEEP];
	size_t resp_len;
};

/* A claimed delivery with its payload, waiting for a free slot: claims are
 * made ahead, so that a slot that frees up starts its next attempt at once
 * instead of after the next commit. */
struct wh_queued {
	struct kyc_outbox_job job;
	struct wh_body *body; /* a reference */
};

/* A payload kept after its claim, for the same event's deliveries to other
 * endpoints, which later claims take (a claim fills up from one endpoint
 * at a time). */
struct wh_cached {
	struct wh_body *body; /* a reference, or NULL */
	int64_t at_ms;        /* monotonic: when it was rendered */
	uint64_t erasures;    /* cfg.erasures() before the event was read */
};

/* Two threads share the work: the store thread (worker.c: fan-out,
 * claims, payloads, recording outcomes) and the sender (sender.c:
 * signing, libcurl, collecting outcomes), so that neither the database nor
 * the network waits for the other. They meet in the queue (claimed, to
 * send) and the done list (sent, to record), both under mu; the sender
 * also owns the slots, which the store thread reads under mu to know what
 * is held. */
struct kyc_webhook_worker {
	struct kyc_webhook_config cfg;
	char *data_dir, *ca_file;
	pthread_t th, sender;
	int sender_started;
	atomic_int stop, sender_stop;
	CURLM *multi;
	kyc_store *store;
	pthread_mutex_t mu;
	pthread_cond_t kick_cv; /* the store thread waits here for the sender's kicks */
	/* under mu */
	struct wh_slot *slots;
	struct wh_queued *queue; /* claimed, waiting for a slot (nslots at most) */
	struct wh_done *done;    /* finished, waiting to be recorded (DONE_CAP) */
	int running, nqueued, ndone, kick;
	int64_t oldest_done_ms;
	/* the store thread's own */
	struct kyc_outbox_job *claimed; /* scratch for one claim */
	struct wh_queued *staged;       /* one claim's jobs with their payloads */
	struct wh_done *rec;            /* outcomes being recorded (DONE_CAP) */
	struct kyc_outbox_attempt *attempts; /* rec as attempt records (DONE_CAP) */
	struct wh_cached *cache;        /* payloads rendered lately (BODY_CACHE) */
	const char **miss_tenants, **miss_events; /* one claim's events to read (nslots) */
	json_t **miss_read;                       /* and what was read (nslots) */
	int nslots, nstaged, nrec;
	int64_t last_error_log_ms;
};

/* Outcomes waiting to be recorded, in done and rec together: what was
 * running or queued at the last successful claim, nslots each (claims stop
 * while recording fails), hence 2 * nslots; twice that again as margin. */
#define DONE_CAP(w) (4 * (w)->nslots)

/* Stages the claim's jobs (claimed[0..n), taken) with their payloads, in
 * claim order: those at hand shared, the others' events read together
 * (one query on PostgreSQL, where one per event was a round trip each)
 * and rendered once per event and format. NULL events are recorded as
 * event_missing. 0, or KYC_ERR_NOMEM. The store thread
 * (worker_payloads.c). */
int kyc__webhook_stage_claim(struct kyc_webhook_worker *w, int n);

/* Records the outcomes in rec, in the caller's transaction: the attempts
 * as one batch with their next try or their end, then each endpoint's
 * health once, disabling an endpoint failing for its whole retry window.
 * 0, or the store's error. The store thread (worker_outcomes.c). */
int kyc__webhook_record_outcomes(struct kyc_webhook_worker *w);

/* Drops a reference to b (NULL is fine); the last one frees it. Any thread. */
void kyc__webhook_body_unref(struct wh_body *b);

/* Attempts running to endpoint_id. Under mu. */
int kyc__webhook_running_to(const struct kyc_webhook_worker *w, const char *endpoint_id);

/* The sender thread's body (pthread_create): runs until sender_stop, then
 * lets the attempts in flight finish for up to 2 s. */
void *kyc__webhook_sender_main(void *arg);

/* Stops the sender thread and waits for it; then everything is the
 * caller's. Only when the sender was started. */
void kyc__webhook_sender_stop(struct kyc_webhook_worker *w);

#endif
