#include "webhooks/payload.h"

#include <stdlib.h>
#include <string.h>

#include "compat/compat.h"
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

/* Add a compatibility format here: {"<name>", <render function>}. */
static const struct kyc_webhook_format formats[] = {
	{"native", native_render},
	{"compat002", kyc_compat002_webhook}, /* seed 002's IdentityVerification.* webhooks */
	{"compat004", kyc_compat004_webhook}, /* seed 004's user-status push */
};

const struct kyc_webhook_format *kyc_webhook_format_find(const char *name)
{
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (name && !strcmp(formats[i].name, name))
			return &formats[i];
	return NULL;
}

int kyc_webhook_payload(const char *name, const json_t *event, kyc_buf *body,
			const char **content_type)
{
	const struct kyc_webhook_format *f = kyc_webhook_format_find(name ? name : "native");
	if (!f)
		return KYC_ERR_NOTFOUND;
	return f->render(event, body, content_type);
}
