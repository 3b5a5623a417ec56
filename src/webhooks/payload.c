#include "webhooks/payload.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "webhooks/endpoint.h"

static int native_render(const json_t *event, kyc_buf *body, const char **content_type)
{
	json_t *o = kyc_webhook_render_event(event);
	char *txt = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!txt)
		return KYC_ERR_NOMEM;
	int rc = kyc_buf_puts(body, txt);
	free(txt);
	*content_type = "application/json";
	return rc;
}

static const struct kyc_webhook_format native = {"native", native_render, NULL};

/* Written once at start-up (kyc_webhook_format_register), read-only after. */
#define FORMATS_MAX 8
static const struct kyc_webhook_format *formats[FORMATS_MAX] = {&native};
static int nformats = 1;

int kyc_webhook_format_register(const struct kyc_webhook_format *f)
{
	if (kyc_webhook_format_find(f->name))
		return KYC_ERR_CONFLICT;
	if (nformats == FORMATS_MAX)
		return KYC_ERR_TOOBIG;
	formats[nformats++] = f;
	return 0;
}

const struct kyc_webhook_format *kyc_webhook_format_find(const char *name)
{
	for (int i = 0; i < nformats; i++)
		if (name && !strcmp(formats[i]->name, name))
			return formats[i];
	return NULL;
}

int kyc_webhook_format_takes(const char *name, const struct kyc_webhook_event_head *ev)
{
	const struct kyc_webhook_format *f = kyc_webhook_format_find(name ? name : "native");
	return f && (!f->takes || f->takes(ev));
}

int kyc_webhook_payload(const char *name, const json_t *event, kyc_buf *body,
			const char **content_type)
{
	const struct kyc_webhook_format *f = kyc_webhook_format_find(name ? name : "native");
	if (!f)
		return KYC_ERR_NOTFOUND;
	return f->render(event, body, content_type);
}
