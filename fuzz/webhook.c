/* libFuzzer target: what a tenant sends to create or change a webhook
 * endpoint (kyc_webhook_endpoint_read: JSON, URL, event types, format), and
 * the signature header a receiver parses (kyc_webhook_verify).
 *
 * Input: one flags byte (bit 0: PATCH rather than create; bit 1: allow plain
 * http; bit 2: allow loopback), then the JSON body; a NUL byte, when there is
 * one, ends the body and starts a webhook-signature header value. Checks the
 * promises callers rely on: an accepted body yields only endpoint columns, a
 * URL the address policy passes, known and distinct event types, and a
 * refusal is always a 422 with a code. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/fetch.h"
#include "webhooks/endpoint.h"
#include "webhooks/payload.h"
#include "webhooks/sign.h"

static int known_type(const char *t)
{
	for (const char *const *k = kyc_webhook_event_types; *k; k++)
		if (!strcmp(*k, t))
			return 1;
	return 0;
}

static void check_accepted(const json_t *rec, const struct kyc_webhook_policy *p)
{
	static const char *const cols[] = {"url", "description", "event_types", "enabled",
					   "format", NULL};
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)rec, key, v)
	{
		int ok = 0;
		for (const char *const *c = cols; *c; c++)
			ok |= !strcmp(*c, key);
		if (!ok)
			__builtin_trap();
	}
	const char *url = json_string_value(json_object_get(rec, "url"));
	struct kyc_fetch_opts fo = {.allow_http = p->allow_http, .allow_loopback = p->allow_loopback};
	struct kyc_fetch_info fi;
	if (url && kyc_fetch_check_url(url, &fo, &fi))
		__builtin_trap();
	const json_t *types = json_object_get(rec, "event_types");
	if (types && !json_is_null(types)) {
		if (!json_is_array(types) || json_array_size(types) == 0)
			__builtin_trap();
		for (size_t i = 0; i < json_array_size(types); i++) {
			const char *t = json_string_value(json_array_get(types, i));
			if (!t || !known_type(t))
				__builtin_trap();
			for (size_t j = 0; j < i; j++)
				if (!strcmp(t, json_string_value(json_array_get(types, j))))
					__builtin_trap();
		}
	}
	const json_t *f = json_object_get(rec, "format");
	if (f && !kyc_webhook_format_find(json_string_value(f)))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct kyc_webhook_policy p = {.allow_http = data[0] & 2, .allow_loopback = data[0] & 4};
	int partial = data[0] & 1;
	const uint8_t *body = data + 1;
	size_t blen = size - 1;
	const uint8_t *nul = memchr(body, 0, blen);
	size_t jlen = nul ? (size_t)(nul - body) : blen;
	/* exact-size copies, so ASan sees any read past the end */
	char *json = malloc(jlen ? jlen : 1);
	if (!json)
		return 0;
	memcpy(json, body, jlen);
	json_t *obj;
	struct kyc_jerr e;
	if (!kyc_jv_parse_object(json, jlen, &obj, &e)) {
		json_t *rec = json_object();
		memset(&e, 0, sizeof e);
		if (kyc_webhook_endpoint_read(obj, partial, &p, rec, &e) == 0)
			check_accepted(rec, &p);
		else if (!e.code[0] || e.status != 422)
			__builtin_trap();
		json_decref(kyc_webhook_render_endpoint(rec));
		json_decref(rec);
		json_decref(obj);
	}
	free(json);
	if (nul) {
		size_t hlen = blen - jlen - 1;
		char *hdr = malloc(hlen + 1);
		if (!hdr)
			return 0;
		memcpy(hdr, nul + 1, hlen);
		hdr[hlen] = '\0';
		kyc_webhook_verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_1", 1614265330,
				   "{}", 2, hdr, 0, 0);
		free(hdr);
	}
	return 0;
}
