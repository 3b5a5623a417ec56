/* Payload formats: how an event becomes the body of a delivery. An endpoint
 * (its "format") or a callback push (the event's attributes.callback_format)
 * names one; "native" sends the event exactly as GET /v1/events/{id} shows
 * it. A compatibility route set that must push its vendor's own shape adds
 * one line to the table in payload.c with its render function; nothing else
 * changes (docs/webhooks.md, "Payload formats"). */
#ifndef KYC_WEBHOOK_PAYLOAD_H
#define KYC_WEBHOOK_PAYLOAD_H

#include <jansson.h>

#include "core/buf.h"

struct kyc_webhook_format {
	const char *name;
	/* Appends the body for event (the stored event record: type,
	 * resource_type, resource_id, resource_version, payload = the resource's
	 * snapshot, created_at) to body and points *content_type at a static
	 * string. The bytes must depend only on the event, so that every
	 * attempt sends the same body. 0 or a negative kyc_err. */
	int (*render)(const json_t *event, kyc_buf *body, const char **content_type);
};

/* The format called name, or NULL when there is none. */
const struct kyc_webhook_format *kyc_webhook_format_find(const char *name);

/* Renders event in the format called name (NULL: "native") into body.
 * KYC_ERR_NOTFOUND for an unknown format. */
int kyc_webhook_payload(const char *name, const json_t *event, kyc_buf *body,
			const char **content_type);

#endif
