/* Recording the webhook worker's finished attempts (worker_int.h): each
 * outcome with its next try from the retry schedule or its end, the
 * endpoints' health, and the disabling of an endpoint that failed for its
 * whole retry window. */
#include "webhooks/worker_int.h"

#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/rand.h"
#include "webhooks/retry.h"

static double jitter(void)
{
	uint32_t r = 0;
	kyc_rand_bytes(&r, sizeof r);
	return (double)r / 4294967296.0;
}

/* The kept bytes of an answer as text the attempt log (JSON) can hold: as
 * they are when they are UTF-8, else with every byte outside printable
 * ASCII shown as '?'. */
static size_t printable(char *p, size_t n)
{
	json_t *t = json_stringn(p, n);
	if (t) {
		json_decref(t);
		return n;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] > 0x7e)
			p[i] = (p[i] == '\n' || p[i] == '\r' || p[i] == '\t') ? ' ' : '?';
	return n;
}

/* An endpoint failing for the whole window is disabled, its pending
 * deliveries paused, and the event recorded, all in the caller's transaction. */
static int disable_endpoint(struct kyc_webhook_worker *w, const struct kyc_outbox_job *j,
			    int64_t now)
{
	json_t *ep = NULL, *patch = NULL, *snap = NULL;
	int rc = kyc_store_get(w->store, KYC_R_WEBHOOK_ENDPOINT, j->tenant_id, j->endpoint_id, &ep);
	if (rc == KYC_ERR_NOTFOUND)
		return 0;
	if (rc || !json_is_true(json_object_get(ep, "enabled")))
		goto out;
	patch = json_pack("{s:b, s:s, s:I}", "enabled", 0, "disabled_reason", "failing",
			  "disabled_at", (json_int_t)now);
	rc = patch ? kyc_store_update(w->store, KYC_R_WEBHOOK_ENDPOINT, j->tenant_id,
				      j->endpoint_id, patch, 0)
		   : KYC_ERR_NOMEM;
	rc = rc ? rc : kyc_outbox_pause(w->store, j->tenant_id, j->endpoint_id, 1, now);
	json_decref(ep);
	ep = NULL;
	rc = rc ? rc
		: kyc_store_get(w->store, KYC_R_WEBHOOK_ENDPOINT, j->tenant_id, j->endpoint_id,
				&ep);
	if (rc)
		goto out;
	snap = kyc_webhook_render_endpoint(ep);
	if (w->cfg.emit)
		rc = w->cfg.emit(w->store, j->tenant_id, "webhook_endpoint.disabled",
				 "webhook_endpoint", j->endpoint_id,
				 json_integer_value(json_object_get(ep, "version")), snap);
	if (!rc)
		kyc_logf(KYC_LOG_WARN,
			 "webhooks: endpoint %s disabled after failing for the whole retry window",
			 j->endpoint_id);
out:
	json_decref(snap);
	json_decref(patch);
	json_decref(ep);
	return rc;
}

/* The attempt record of a finished attempt (pointing into d). */
static struct kyc_outbox_attempt attempt_of(struct wh_done *d, int64_t now)
{
	const struct kyc_outbox_job *j = &d->job;
	struct kyc_outbox_attempt a = {
	    .delivery_id = j->delivery_id,
	    .at_ms = d->at_ms,
	    .latency_ms = d->latency_ms,
	    .http_status = d->http_status,
	    .error = d->error,
	    .response = d->resp,
	    .response_len = printable(d->resp, d->resp_len),
	    .status = "succeeded",
	};
	if (d->error) {
		a.next_ms = kyc_webhook_retry_at(j->attempt_count + 1, j->created_ms, now, jitter());
		a.status = a.next_ms ? "pending" : "failed";
		kyc_logf(KYC_LOG_INFO,
			 "webhooks: delivery %s of event %s failed (%s, HTTP %d, attempt %d); %s",
			 j->delivery_id, j->event_id, d->error, d->http_status, j->attempt_count + 1,
			 a.next_ms ? "will retry" : "given up");
	}
	return a;
}

/* The attempts as one batch (one round trip on PostgreSQL), then each
 * endpoint's health once, from its last outcome in the batch. That is what
 * one health call per attempt would leave, since each call overwrites the
 * one before, less the writes: a batch of 64 to one endpoint was 64
 * updates of its row. */
int kyc__webhook_record_outcomes(struct kyc_webhook_worker *w)
{
	int64_t now = kyc_now_ms();
	for (int i = 0; i < w->nrec; i++)
		w->attempts[i] = attempt_of(&w->rec[i], now);
	int rc = kyc_outbox_record_batch(w->store, w->attempts, w->nrec);
	for (int i = 0; i < w->nrec && !rc; i++) {
		const struct kyc_outbox_job *j = &w->rec[i].job;
		int later = !j->endpoint_id[0];
		for (int k = i + 1; k < w->nrec && !later; k++)
			later = !strcmp(w->rec[k].job.endpoint_id, j->endpoint_id);
		if (later) /* a callback, or not the endpoint's last outcome */
			continue;
		int ok = w->rec[i].error == NULL;
		int64_t since = 0;
		rc = kyc_outbox_endpoint_health(w->store, j->endpoint_id, ok, now, &since);
		if (!rc && !ok && kyc_webhook_endpoint_expired(since, now))
			rc = disable_endpoint(w, j, now);
	}
	return rc;
}
