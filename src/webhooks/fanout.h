/* Fan-out: from events (the outbox the workflow writes in the transaction of
 * each change) to deliveries, the rows the worker sends (docs/webhooks.md).
 * An event goes to every enabled endpoint of its tenant that subscribes to
 * its type, and to its resource's own callback_url when the snapshot has
 * one (seed 004's callbackUrl); a test event goes to its one endpoint. */
#ifndef KYC_WEBHOOK_FANOUT_H
#define KYC_WEBHOOK_FANOUT_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

/* Makes the deliveries of up to max events not fanned out yet, in one write
 * transaction of its own (so an event and its deliveries' existence change
 * together). *n: the events handled (max means there may be more). */
int kyc_webhook_fanout(kyc_store *s, int max, int64_t now_ms, int *n);

/* Delivers a stored event (record from the store) again, now, inside the
 * caller's transaction: to endpoint_id, or with NULL to every target the
 * fan-out would pick today. *out: a new array of the new delivery records.
 * KYC_ERR_NOTFOUND: no such endpoint; KYC_ERR_STATE: it is disabled;
 * KYC_ERR_CONFLICT: the event has no target. */
int kyc_webhook_redeliver(kyc_store *s, const char *tenant_id, const json_t *event,
			  const char *endpoint_id, int64_t now_ms, json_t **out);

/* Writes a "webhook.test" event about endpoint (its stored record); the
 * fan-out sends it to that endpoint only, whatever it subscribes to. *out:
 * the stored event record (new reference). */
int kyc_webhook_test_event(kyc_store *s, const char *tenant_id, const json_t *endpoint,
			   json_t **out);

#endif
