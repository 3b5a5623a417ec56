/* A claim's payloads, for the webhook worker's store thread (worker_int.h):
 * rendered once per event and format, shared by the deliveries claimed
 * together and kept for a few seconds for the same event's deliveries that
 * later claims take. */
#include "webhooks/worker_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/err.h"
#include "webhooks/payload.h"

#define BODY_MAX (4 * 1024 * 1024) /* a payload bigger than this is a bug, not a delivery */
#define BODY_CACHE_MS 5000         /* for this long at most (and never past an erasure
                                      here): one on another node sharing the database is
                                      not seen, and a copy must not outlive it by more than
                                      an attempt in flight may (10 s) */
#define BODY_CACHE_MAX (64 * 1024) /* larger payloads are not kept */

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The payload of job rendered from event (NULL: the event is gone), with
 * one reference; NULL only when out of memory. */
static struct wh_body *body_render(const struct kyc_outbox_job *job, const json_t *event)
{
	kyc_buf buf;
	kyc_buf_init(&buf, BODY_MAX);
	const char *ctype = "application/json", *error = NULL;
	if (!event) {
		error = "event_missing";
	} else {
		int rc = kyc_webhook_payload(job->format, event, &buf, &ctype);
		if (rc)
			error = rc == KYC_ERR_NOTFOUND ? "format_unknown" : "render_failed";
	}
	size_t len = error ? 0 : buf.len;
	struct wh_body *b = malloc(sizeof *b + len + 1);
	if (b) {
		atomic_init(&b->refs, 1);
		b->error = error;
		b->content_type = ctype;
		snprintf(b->event_id, sizeof b->event_id, "%s", job->event_id);
		snprintf(b->format, sizeof b->format, "%s", job->format);
		b->len = len;
		if (len)
			memcpy(b->data, buf.data, len);
		b->data[len] = 0;
	}
	kyc_buf_release(&buf);
	return b;
}

/* The cache slot of an event's payload in a format (FNV-1a). */
static struct wh_cached *cache_slot(struct kyc_webhook_worker *w, const char *event_id,
				    const char *format)
{
	uint32_t h = 2166136261u;
	for (const char *p = event_id; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (const char *p = format; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return &w->cache[h & (BODY_CACHE - 1)];
}

/* A payload already at hand for job i of the claim: shared with an
 * earlier job of the same event and format (staged) or rendered in the
 * last BODY_CACHE_MS (an event to ten endpoints is read and rendered once,
 * not ten times). A new reference, or NULL. */
static struct wh_body *payload_known(struct kyc_webhook_worker *w, int i, uint64_t erasures,
				     int64_t now)
{
	const struct kyc_outbox_job *j = &w->staged[i].job;
	for (int k = i - 1; k >= 0; k--) {
		struct wh_body *b = w->staged[k].body;
		if (b && !strcmp(b->event_id, j->event_id) && !strcmp(b->format, j->format)) {
			atomic_fetch_add(&b->refs, 1);
			return b;
		}
	}
	struct wh_cached *c = cache_slot(w, j->event_id, j->format);
	if (c->body && c->erasures == erasures && now - c->at_ms < BODY_CACHE_MS &&
	    !strcmp(c->body->event_id, j->event_id) && !strcmp(c->body->format, j->format)) {
		atomic_fetch_add(&c->body->refs, 1);
		return c->body;
	}
	return NULL;
}

/* The events are read together because one read per event was a round
 * trip each on PostgreSQL (worker_int.h). */
int kyc__webhook_stage_claim(struct kyc_webhook_worker *w, int n)
{
	/* read before the events: an erasure committed after this moves it */
	uint64_t erasures = w->cfg.erasures ? w->cfg.erasures() : 0;
	int64_t now = mono_ms();
	int nmiss = 0;
	for (int i = 0; i < n; i++) {
		w->staged[i].job = w->claimed[i];
		memset(&w->claimed[i], 0, sizeof w->claimed[i]);
		w->nstaged = i + 1;
		const struct kyc_outbox_job *j = &w->staged[i].job;
		if ((w->staged[i].body = payload_known(w, i, erasures, now)))
			continue;
		int seen = 0;
		for (int k = 0; k < nmiss && !seen; k++)
			seen = !strcmp(w->miss_events[k], j->event_id);
		if (!seen) {
			w->miss_tenants[nmiss] = j->tenant_id;
			w->miss_events[nmiss++] = j->event_id;
		}
	}
	if (!nmiss)
		return 0;
	if (kyc_store_get_many(w->store, KYC_R_EVENT, nmiss, w->miss_tenants, w->miss_events,
			       w->miss_read))
		memset(w->miss_read, 0, (size_t)nmiss * sizeof *w->miss_read); /* event_missing */
	int rc = 0;
	for (int i = 0; i < n && !rc; i++) {
		struct wh_queued *q = &w->staged[i];
		if (q->body || (q->body = payload_known(w, i, erasures, now)))
			continue;
		const json_t *event = NULL;
		for (int k = 0; k < nmiss && !event; k++)
			if (!strcmp(w->miss_events[k], q->job.event_id))
				event = w->miss_read[k];
		struct wh_body *b = body_render(&q->job, event);
		if (!b) {
			rc = KYC_ERR_NOMEM;
			break;
		}
		q->body = b;
		if (!b->error && b->len <= BODY_CACHE_MAX && w->cfg.erasures) {
			struct wh_cached *c = cache_slot(w, q->job.event_id, q->job.format);
			kyc__webhook_body_unref(c->body);
			atomic_fetch_add(&b->refs, 1);
			c->body = b;
			c->at_ms = now;
			c->erasures = erasures;
		}
	}
	for (int k = 0; k < nmiss; k++) {
		json_decref(w->miss_read[k]);
		w->miss_read[k] = NULL;
	}
	return rc;
}
