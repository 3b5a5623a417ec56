/* The webhook worker's sender thread (worker_int.h): starts the claimed
 * deliveries the store thread queues, signs each attempt, runs them with
 * libcurl's multi interface, and hands the outcomes back in the done list.
 * It never touches the database. */
#include "webhooks/worker_int.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/version.h"
#include "net/fetch.h"
#include "webhooks/sign.h"

#define RESP_MAX (64 * 1024) /* bytes of an answer read at all */
#define STOP_GRACE_MS 2000

void kyc__webhook_body_unref(struct wh_body *b)
{
	if (b && atomic_fetch_sub(&b->refs, 1) == 1)
		free(b);
}

/* ---- one attempt ---- */

/* curl asks here for every socket of a transfer, after resolving: the
 * address checked is the address connected to (pinned). */
static curl_socket_t open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct wh_slot *sl = clientp;
	int sized = (a->family == AF_INET && a->addrlen >= sizeof(struct sockaddr_in)) ||
		    (a->family == AF_INET6 && a->addrlen >= sizeof(struct sockaddr_in6));
	const char *why = purpose != CURLSOCKTYPE_IPCXN || !sized
			      ? "family"
			      : kyc_addr_refusal(&a->addr, sl->w->cfg.policy.allow_loopback);
	if (why) {
		sl->refused = why;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct wh_slot *sl = ud;
	size_t n = size * nmemb;
	if (sl->resp_len < RESP_KEEP) {
		size_t k = RESP_KEEP - sl->resp_len < n ? RESP_KEEP - sl->resp_len : n;
		memcpy(sl->resp + sl->resp_len, ptr, k);
		sl->resp_len += k;
	}
	sl->resp_seen += n;
	if (sl->resp_seen > RESP_MAX) {
		sl->capped = 1; /* the status is known; the rest is not our business */
		return 0;
	}
	return n;
}

/* Queues the outcome of the attempt in sl (or of a job that never started,
 * with sl NULL) for recording. Takes the job. */
static void finish(struct kyc_webhook_worker *w, struct kyc_outbox_job *job, struct wh_slot *sl,
		   int64_t start_ms, int http_status, const char *error)
{
	if (w->ndone == DONE_CAP(w)) { /* cannot happen (DONE_CAP); made due again by its lease */
		kyc_logf(KYC_LOG_ERROR, "webhooks: outcome of delivery %s not recorded",
			 job->delivery_id);
		kyc_outbox_job_release(job);
		return;
	}
	struct wh_done *d = &w->done[w->ndone++];
	int64_t now = kyc_now_ms();
	memset(d, 0, sizeof *d);
	d->job = *job;
	memset(job, 0, sizeof *job);
	d->at_ms = start_ms;
	d->latency_ms = now - start_ms;
	d->http_status = http_status;
	d->error = error;
	if (sl) {
		memcpy(d->resp, sl->resp, sl->resp_len);
		d->resp_len = sl->resp_len;
	}
	if (w->ndone == 1)
		w->oldest_done_ms = now;
}

static int signature(const struct kyc_outbox_job *j, int64_t ts, const struct wh_body *body,
		     char out[2 * KYC_WEBHOOK_SIG_MAX + 2])
{
	char sig[KYC_WEBHOOK_SIG_MAX], old[KYC_WEBHOOK_SIG_MAX];
	int rc = kyc_webhook_sign(j->secret, j->event_id, ts, body->data, body->len, sig);
	if (rc)
		return rc;
	/* During a rotation both secrets sign: a receiver that knows either accepts. */
	if (j->previous_secret[0] &&
	    kyc_webhook_sign(j->previous_secret, j->event_id, ts, body->data, body->len, old) == 0)
		snprintf(out, 2 * KYC_WEBHOOK_SIG_MAX + 2, "%s %s", sig, old);
	else
		snprintf(out, 2 * KYC_WEBHOOK_SIG_MAX + 2, "%s", sig);
	return 0;
}

static int add_header(struct curl_slist **l, const char *fmt, const char *v)
{
	char line[512];
	snprintf(line, sizeof line, fmt, v);
	struct curl_slist *n = curl_slist_append(*l, line);
	if (!n)
		return KYC_ERR_NOMEM;
	*l = n;
	return 0;
}

/* Starts the attempt of job in a free slot with its payload (the slot takes
 * a reference). A job that cannot start (no payload, a URL the policy
 * refuses) is finished at once as a failed attempt. */
static void start(struct kyc_webhook_worker *w, struct kyc_outbox_job *job, struct wh_body *body)
{
	int64_t now = kyc_now_ms();
	struct wh_slot *sl = NULL;
	for (int i = 0; i < w->nslots && !sl; i++)
		if (!w->slots[i].busy)
			sl = &w->slots[i];
	if (!sl) { /* cannot happen: we claim at most the free slots */
		finish(w, job, NULL, now, 0, "internal_error");
		return;
	}
	sl->resp_len = sl->resp_seen = 0;
	sl->capped = 0;
	sl->refused = NULL;
	sl->start_ms = now;
	if (body->error) {
		finish(w, job, NULL, now, 0, body->error);
		return;
	}
	struct kyc_fetch_opts fo = {.allow_http = w->cfg.policy.allow_http,
				    .allow_loopback = w->cfg.policy.allow_loopback};
	struct kyc_fetch_info fi;
	if (kyc_fetch_check_url(job->url, &fo, &fi)) {
		finish(w, job, NULL, now, 0, fi.code);
		return;
	}
	char sig[2 * KYC_WEBHOOK_SIG_MAX + 2], ts[24];
	int64_t tsec = now / 1000;
	snprintf(ts, sizeof ts, "%lld", (long long)tsec);
	if (signature(job, tsec, body, sig)) {
		finish(w, job, NULL, now, 0, "secret_invalid");
		return;
	}
	curl_slist_free_all(sl->hdrs);
	sl->hdrs = NULL;
	/* "Expect:" turns off 100-continue: one round trip less per attempt. */
	if (add_header(&sl->hdrs, "Content-Type: %s", body->content_type) ||
	    add_header(&sl->hdrs, "webhook-id: %s", job->event_id) ||
	    add_header(&sl->hdrs, "webhook-timestamp: %s", ts) ||
	    add_header(&sl->hdrs, "webhook-signature: %s", sig) ||
	    add_header(&sl->hdrs, "Expect:%s", "")) {
		finish(w, job, NULL, now, 0, "internal_error");
		return;
	}
	CURL *h = sl->h;
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, job->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, w->cfg.policy.allow_http ? "http,https" : "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROXY, ""); /* a proxy would hide the real destination */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, w->cfg.timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, w->cfg.timeout_ms);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, (const char *)body->data);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, sl->hdrs);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "kycd-webhooks/" KYC_VERSION);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, sl);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, sl);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_HTTP_CONTENT_DECODING, 0L);
	curl_easy_setopt(h, CURLOPT_PRIVATE, sl);
	if (w->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, w->ca_file);
	sl->job = *job;
	memset(job, 0, sizeof *job);
	if (curl_multi_add_handle(w->multi, h) != CURLM_OK) {
		finish(w, &sl->job, NULL, now, 0, "internal_error");
		return;
	}
	atomic_fetch_add(&body->refs, 1);
	sl->body = body;
	sl->busy = 1;
	w->running++;
}

/* The stable error code of a finished transfer (NULL: success). */
static const char *outcome(struct wh_slot *sl, CURLcode cc, long status)
{
	if (cc == CURLE_OK || (cc == CURLE_WRITE_ERROR && sl->capped)) {
		if (status >= 200 && status <= 299)
			return NULL;
		return status >= 300 && status <= 399 ? "redirect_not_followed" : "http_status";
	}
	if (sl->refused && (cc == CURLE_COULDNT_CONNECT || cc == CURLE_OPERATION_TIMEDOUT))
		return "url_address_not_allowed";
	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		return "timeout";
	case CURLE_COULDNT_RESOLVE_HOST:
		return "dns_failed";
	case CURLE_COULDNT_CONNECT:
		return "connect_failed";
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		return "tls_failed";
	case CURLE_UNSUPPORTED_PROTOCOL:
		return "url_scheme_not_allowed";
	default:
		return "transfer_failed";
	}
}

/* Moves finished transfers to the done list. */
static void collect(struct kyc_webhook_worker *w)
{
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(w->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct wh_slot *sl = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&sl);
		CURLcode cc = m->data.result;
		long status = 0;
		curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
		curl_multi_remove_handle(w->multi, m->easy_handle);
		if (!sl)
			continue;
		const char *err = outcome(sl, cc, status);
		finish(w, &sl->job, sl, sl->start_ms, (int)status, err);
		kyc__webhook_body_unref(sl->body);
		sl->body = NULL;
		sl->busy = 0;
		w->running--;
	}
}

int kyc__webhook_running_to(const struct kyc_webhook_worker *w, const char *endpoint_id)
{
	int k = 0;
	for (int i = 0; i < w->nslots; i++)
		k += w->slots[i].busy && !strcmp(w->slots[i].job.endpoint_id, endpoint_id);
	return k;
}

/* Starts queued deliveries in free slots, oldest claim first, passing over
 * endpoints that have their share running. No database work; the sender,
 * under mu. */
static void start_queued(struct kyc_webhook_worker *w)
{
	int k = 0;
	for (int i = 0; i < w->nqueued; i++) {
		struct wh_queued *q = &w->queue[i];
		if (w->running < w->nslots &&
		    (!q->job.endpoint_id[0] ||
		     kyc__webhook_running_to(w, q->job.endpoint_id) < w->cfg.per_endpoint)) {
			start(w, &q->job, q->body);
			kyc__webhook_body_unref(q->body);
			continue;
		}
		w->queue[k++] = *q;
	}
	w->nqueued = k;
}

/* ---- the sender ---- */

/* Wakes the store thread. Under mu. */
static void kick(struct kyc_webhook_worker *w)
{
	w->kick = 1;
	pthread_cond_signal(&w->kick_cv);
}

/* Starts what is queued, under mu, and wakes the store thread when the
 * queue runs low (time to claim) or the outcomes are worth a commit. */
static void sender_step(struct kyc_webhook_worker *w)
{
	pthread_mutex_lock(&w->mu);
	int before = w->nqueued;
	start_queued(w);
	int low = w->nqueued <= w->nslots / 2 && before > w->nslots / 2;
	if (low || (w->nqueued == 0 && before > 0) || w->ndone >= w->nslots / 4 ||
	    (w->ndone && w->running == 0 && w->nqueued == 0))
		kick(w);
	pthread_mutex_unlock(&w->mu);
}

void *kyc__webhook_sender_main(void *arg)
{
	struct kyc_webhook_worker *w = arg;
	while (!atomic_load(&w->sender_stop)) {
		sender_step(w);
		int still = 0;
		curl_multi_perform(w->multi, &still);
		pthread_mutex_lock(&w->mu);
		collect(w);
		pthread_mutex_unlock(&w->mu);
		/* Slots freed by the transfers just collected start their next
		 * attempt now, not after the poll below: with nothing left in
		 * flight that poll would sleep its whole timeout. */
		sender_step(w);
		curl_multi_perform(w->multi, &still);
		/* The store thread wakes this poll when it queues a claim. */
		curl_multi_poll(w->multi, NULL, 0, w->cfg.poll_ms, NULL);
	}
	/* Stopping: let attempts in flight finish for a moment. */
	int64_t until = kyc_now_ms() + STOP_GRACE_MS;
	for (;;) {
		int still = 0;
		curl_multi_perform(w->multi, &still);
		pthread_mutex_lock(&w->mu);
		collect(w);
		int running = w->running;
		pthread_mutex_unlock(&w->mu);
		if (!running || kyc_now_ms() >= until)
			break;
		curl_multi_poll(w->multi, NULL, 0, 50, NULL);
	}
	return NULL;
}

void kyc__webhook_sender_stop(struct kyc_webhook_worker *w)
{
	atomic_store(&w->sender_stop, 1);
	curl_multi_wakeup(w->multi);
	pthread_join(w->sender, NULL);
	w->sender_started = 0;
}
