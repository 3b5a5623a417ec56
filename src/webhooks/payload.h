/* Payload formats: how an event becomes the body of a delivery. An endpoint
 * (its "format") or a callback push (the event's attributes.callback_format)
 * names one; "native" sends the event exactly as GET /v1/events/{id} shows
 * it. A compatibility route set that must push its vendor's own shape
 * registers its format where the server is assembled (src/compat registers
 * compat002 and compat004 from kyc_compat_register), so this layer knows
 * nothing of the route sets (docs/webhooks.md, "Payload formats"). */
#ifndef KYC_WEBHOOK_PAYLOAD_H
#define KYC_WEBHOOK_PAYLOAD_H

#include <jansson.h>

#include "core/buf.h"

/* What the fan-out knows of an event before it makes deliveries: its type,
 * the route set whose verification it is about ("" for none), and for a
 * status change the verification's status before and after ("" when not
 * known). Strings are never NULL. */
struct kyc_webhook_event_head {
	const char *type;
	const char *compat_seed;
	const char *from_status;
	const char *status;
};

struct kyc_webhook_format {
	const char *name;
	/* Appends the body for event (the stored event record: type,
	 * resource_type, resource_id, resource_version, payload = the resource's
	 * snapshot, attributes, created_at) to body and points *content_type at
	 * a static string. The bytes must depend only on the event, so that
	 * every attempt sends the same body. 0 or a negative kyc_err. */
	int (*render)(const json_t *event, kyc_buf *body, const char **content_type);
	/* Whether an event is sent in this format at all (1) or not (0): a
	 * vendor's receiver gets only the events its vendor sends, once per
	 * change. NULL: every event. */
	int (*takes)(const struct kyc_webhook_event_head *ev);
};

/* Adds a format (f and its strings must live as long as the process), at
 * start-up before the server's threads run. 0, KYC_ERR_CONFLICT when the
 * name is taken, KYC_ERR_TOOBIG when the table is full (8). */
int kyc_webhook_format_register(const struct kyc_webhook_format *f);

/* The format called name, or NULL when there is none. */
const struct kyc_webhook_format *kyc_webhook_format_find(const char *name);

/* 1 when the format called name (NULL: "native") takes the event; 0 for
 * an unknown format too (nothing can be rendered for it). */
int kyc_webhook_format_takes(const char *name, const struct kyc_webhook_event_head *ev);

/* Renders event in the format called name (NULL: "native") into body.
 * KYC_ERR_NOTFOUND for an unknown format. */
int kyc_webhook_payload(const char *name, const json_t *event, kyc_buf *body,
			const char **content_type);

#endif
