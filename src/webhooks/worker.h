/* The webhook delivery worker inside `kycd serve` (docs/webhooks.md): a
 * store thread with its own store connection (worker.c) and a sender thread
 * (sender.c), which meet in worker_int.h.
 *
 * Each turn it fans new events out into deliveries (fanout.h), claims the
 * deliveries that are due ahead into a queue (a lease on each, so a killed
 * process leaves them due again; at most half the slots per endpoint),
 * sends them with libcurl's multi interface (many at once,
 * keep-alive connections), signs each attempt (Standard Webhooks, sign.h),
 * and records the outcomes in batched transactions: any 2xx is success,
 * anything else (another status, a redirect, a timeout, a refused address, a
 * connection error) is retried on the schedule of retry.h. An endpoint that
 * has failed for the whole retry window is disabled and a
 * "webhook_endpoint.disabled" event recorded.
 *
 * Outbound safety: the URL is checked again before every attempt (https
 * only unless allowed), the address curl is about to connect to is checked
 * in its open-socket hook (kyc_addr_allowed: no loopback, private,
 * link-local, multicast or metadata addresses), so the address checked is
 * the address connected to; redirects are not followed; proxies from the
 * environment are ignored. */
#ifndef KYC_WEBHOOK_WORKER_H
#define KYC_WEBHOOK_WORKER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "webhooks/endpoint.h"

/* Writes an event row in the caller's transaction: kyc_event_emit
 * (src/flows/workflow.h), handed in by `kycd serve` because src/webhooks
 * sits below src/flows. */
typedef int (*kyc_webhook_emit_fn)(kyc_store *s, const char *tenant_id, const char *type,
				   const char *resource_type, const char *resource_id,
				   int64_t resource_version, const json_t *snapshot);

/* Attempts in flight at once, and to one endpoint, when not configured. */
#define KYC_WEBHOOK_CONCURRENCY_DEFAULT 128
#define KYC_WEBHOOK_ENDPOINT_CONCURRENCY_DEFAULT (KYC_WEBHOOK_CONCURRENCY_DEFAULT / 2)

struct kyc_webhook_config {
	const char *data_dir;            /* the store to open */
	struct kyc_webhook_policy policy; /* test switches: plain http, loopback */
	const char *ca_file;             /* PEM CAs to trust instead of the system's (tests) */
	long timeout_ms;                 /* one attempt, connect included (10 s) */
	int max_in_flight;               /* attempts at once (128) */
	int per_endpoint;                /* at most this many of them to one endpoint
	                                    (half of max_in_flight) */
	int poll_ms;                     /* how often an idle worker looks for work (100) */
	kyc_webhook_emit_fn emit;        /* may be NULL: disabling then records no event */
	/* Erasures and retention removals committed by this process so far
	 * (kyc_erasure_count, src/flows/erasure.h): a payload kept across
	 * claims is used again only while this has not moved, so nothing
	 * rendered before an erasure is sent after it. May be NULL: then no
	 * payload is kept beyond its claim. */
	uint64_t (*erasures)(void);
};

typedef struct kyc_webhook_worker kyc_webhook_worker;

/* Opens a store connection and starts the thread. 0, or a negative kyc_err
 * with a message in err. The config is copied (strings too). */
int kyc_webhook_worker_start(const struct kyc_webhook_config *cfg, kyc_webhook_worker **out,
			     char *err, size_t errsz);

/* Stops the thread: attempts in flight get up to 2 s to finish and be
 * recorded; the rest, and the queued ones, are made due again without counting an attempt (the
 * receiver may have seen them: at-least-once). Then frees everything.
 * NULL is fine. */
void kyc_webhook_worker_stop(kyc_webhook_worker *w);

#endif
