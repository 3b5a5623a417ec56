/* The webhook outbox: the store calls the delivery worker (src/webhooks)
 * needs beyond the generic resource calls of store.h — reads across tenants
 * (the worker serves them all), claiming due deliveries with a lease, and
 * recording attempts in bulk. docs/webhooks.md describes the design.
 *
 * Rows: events (written by the workflow, kyc_event_emit) are fanned out into
 * webhook_deliveries (one per event and endpoint, or callback URL); each
 * delivery is "pending" (due at next_attempt_at), "paused" (its endpoint is
 * disabled), "succeeded" or "failed" (given up). Like store.h: one
 * connection, not thread-safe; the caller brackets calls in transactions. */
#ifndef KYC_OUTBOX_H
#define KYC_OUTBOX_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define KYC_OUTBOX_SECRET_MAX 96

/* An event not yet fanned out. */
struct kyc_outbox_event {
	char id[37];
	char tenant_id[37];
	char type[64];
	char only_endpoint[37];  /* "" or the one endpoint it is for (test events) */
	char callback_format[32]; /* "" or the format of its callback push */
	char *callback_url;      /* malloc()ed, or NULL: the resource's own callback_url */
	char compat_seed[8];     /* "" or the route set of its verification (attributes.compat.seed) */
	char from_status[24];    /* "" or a status change's old status (attributes.from_status) */
	char status[24];         /* "" or the status in its snapshot (payload.status) */
};

/* Up to max events whose deliveries are not made yet, oldest first (by
 * rowid: SQLite has one writer at a time, so rowids are in commit order).
 * *out is a calloc()ed array of *n (free with kyc_outbox_events_free). */
int kyc_outbox_undispatched(kyc_store *s, int max, struct kyc_outbox_event **out, int *n);
void kyc_outbox_events_free(struct kyc_outbox_event *ev, int n);
/* Marks an event fanned out (in the transaction that adds its deliveries).
 * KYC_ERR_CONFLICT when it already was (another worker got there first). */
int kyc_outbox_dispatched(kyc_store *s, const char *event_id, int64_t now_ms);

/* The tenant's enabled endpoints as a new array of {"id", "event_types"
 * (null = all), "format"}. */
int kyc_outbox_endpoints(kyc_store *s, const char *tenant_id, json_t **out);

/* A pending delivery of event_id to endpoint_id (or, with endpoint_id NULL,
 * to url, a callback), due at due_ms. format: the payload shape ("native"
 * when NULL). Writes the new delivery's id into id_out (may be NULL). */
int kyc_outbox_delivery_add(kyc_store *s, const char *tenant_id, const char *event_id,
			    const char *event_type, const char *endpoint_id, const char *url,
			    const char *format, int64_t due_ms, char *id_out);

/* A delivery to add in a batch: kyc_outbox_delivery_add's arguments. */
struct kyc_outbox_new {
	const char *tenant_id, *event_id, *event_type;
	const char *endpoint_id; /* NULL: a callback to url */
	const char *url, *format;
	int64_t due_ms;
};
/* Adds n deliveries as n calls of kyc_outbox_delivery_add would;
 * PostgreSQL in one statement (one round trip, not one per delivery). */
int kyc_outbox_delivery_add_batch(kyc_store *s, const struct kyc_outbox_new *d, int n);
/* Marks n events fanned out, as kyc_outbox_dispatched does each: owned[i]
 * is 1 when this call marked event_ids[i], 0 when it already was (another
 * worker got there first). PostgreSQL in one statement. */
int kyc_outbox_dispatched_batch(kyc_store *s, const char *const *event_ids, int n,
				int64_t now_ms, int *owned);

/* Gives the tenant secret (a new "whsec_...") for callback pushes when it has
 * none yet; an existing one is kept. */
int kyc_outbox_callback_secret_ensure(kyc_store *s, const char *tenant_id, const char *secret,
				      int64_t now_ms);
/* Replaces it with secret; the old one keeps signing until now + overlap_ms
 * (0: drop it at once). */
int kyc_outbox_callback_secret_set(kyc_store *s, const char *tenant_id, const char *secret,
				   int64_t overlap_ms, int64_t now_ms);
/* {"created_at", "updated_at", "previous_secret_expires_at"} of the tenant's
 * callback secret (never the secret), or KYC_ERR_NOTFOUND. */
int kyc_outbox_callback_secret_info(kyc_store *s, const char *tenant_id, json_t **out);

/* The earliest next_attempt_at of a pending delivery, or 0 when none is
 * pending (a read: the worker asks before taking the write lock). */
int kyc_outbox_next_due(kyc_store *s, int64_t *next_ms);

/* A delivery claimed for one attempt. */
struct kyc_outbox_job {
	char delivery_id[37];
	char tenant_id[37];
	char event_id[37];
	char endpoint_id[37]; /* "" for a callback */
	char format[32];
	char secret[KYC_OUTBOX_SECRET_MAX];
	char previous_secret[KYC_OUTBOX_SECRET_MAX]; /* "" when none or expired */
	char *url;            /* malloc()ed */
	int attempt_count;    /* attempts made before this one */
	int64_t created_ms;   /* when the delivery was made (its retry window starts) */
};

/* Asked by kyc_outbox_claim once per endpoint with due deliveries: how many
 * of them the caller takes now (its share of attempts less what it holds;
 * 0 passes the endpoint over). targets: how many targets (endpoints, and
 * the callbacks as one) have deliveries due in this claim, so the caller
 * can split its room among them. */
typedef int (*kyc_outbox_room_fn)(void *ctx, const char *endpoint_id, int targets);

/* Claims up to max pending deliveries due at now_ms: endpoints (enabled
 * ones) and callback URLs in the order of their oldest due delivery, each
 * endpoint's oldest first and at most room(ctx, endpoint) of them (room
 * NULL: no limit), callbacks without a limit. An endpoint with no room is
 * passed over and its deliveries left due as they are: a busy endpoint
 * neither holds a claim's room nor has its deliveries pushed back. Claimed
 * deliveries' next_attempt_at moves to now + lease_ms, so a worker that
 * dies mid-attempt leaves them due again after the lease. Call inside a
 * write transaction. Fills jobs[0..*n). */
int kyc_outbox_claim(kyc_store *s, int64_t now_ms, int64_t lease_ms, int max,
		     kyc_outbox_room_fn room, void *ctx, struct kyc_outbox_job *jobs, int *n);
void kyc_outbox_job_release(struct kyc_outbox_job *j);
/* Makes a claimed delivery due again at due_ms without counting an attempt
 * (the worker stopped before making it). */
int kyc_outbox_unclaim(kyc_store *s, const char *delivery_id, int64_t due_ms);

/* The outcome of one attempt. */
struct kyc_outbox_attempt {
	const char *delivery_id;
	int64_t at_ms;          /* when it started */
	int64_t latency_ms;
	int http_status;        /* 0 when no answer came */
	const char *error;      /* NULL on a 2xx, else a short code ("http_status", "timeout", ...) */
	const char *response;   /* the first bytes of the answer's body (may be NULL) */
	size_t response_len;
	const char *status;     /* the delivery's new status: pending, succeeded, failed */
	int64_t next_ms;        /* when pending: the next attempt */
};

/* Records an attempt on its delivery: appends it to the attempt log, counts
 * it and sets the new status. A delivery that no longer exists (its
 * endpoint was deleted meanwhile) is skipped. */
int kyc_outbox_record(kyc_store *s, const struct kyc_outbox_attempt *a);
/* Records n attempts, as n calls of kyc_outbox_record would; PostgreSQL
 * does it in one statement (one round trip for a batch, not one each). */
int kyc_outbox_record_batch(kyc_store *s, const struct kyc_outbox_attempt *a, int n);

/* An endpoint's health after an attempt: a success clears failing_since, a
 * failure sets it when unset. *failing_since (may be NULL): the start of the
 * current run of failures, 0 when healthy. */
int kyc_outbox_endpoint_health(kyc_store *s, const char *endpoint_id, int ok, int64_t at_ms,
			       int64_t *failing_since);
/* Pauses an endpoint's pending deliveries (pause=1, it was disabled) or makes
 * its paused ones due at now_ms (pause=0, it was enabled again). */
int kyc_outbox_pause(kyc_store *s, const char *tenant_id, const char *endpoint_id, int pause,
		     int64_t now_ms);

#endif
