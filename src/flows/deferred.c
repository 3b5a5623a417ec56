#include "flows/deferred.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "flows/workflow.h"
#include "flows/workflow_int.h"

#define KEY "deferred_document"

int64_t kyc_deferred_gap_ms(int attempt)
{
	static const int64_t gaps[] = {30000, 60000, 120000, 300000, 600000, 1800000};
	int n = (int)(sizeof gaps / sizeof gaps[0]);
	return attempt < 1 ? gaps[0] : attempt <= n ? gaps[attempt - 1] : 3600000;
}

/* Replaces attributes.deferred_document of verification v with d (NULL
 * removes it), keeping the rest of the attributes. */
static int set_deferred(kyc_store *s, const char *tenant_id, const json_t *v, json_t *d)
{
	json_t *attrs = json_deep_copy(json_object_get(v, "attributes"));
	if (!json_is_object(attrs)) {
		json_decref(attrs);
		attrs = json_object();
	}
	if (d)
		json_object_set(attrs, KEY, d);
	else
		json_object_del(attrs, KEY);
	json_t *patch = json_pack("{s:o}", "attributes", attrs);
	int rc = patch ? kyc_store_update(s, KYC_R_VERIFICATION, tenant_id,
	                                  json_string_value(json_object_get(v, "id")), patch, 0)
	               : KYC_ERR_NOMEM;
	json_decref(patch);
	return rc;
}

int kyc_deferred_document_add(struct kyc_flow *f, const char *vid, const char *url,
                              const char *type, const char *side, const char *why)
{
	json_t *v = NULL;
	int rc = kyc_store_get(f->store, KYC_R_VERIFICATION, f->tenant_id, vid, &v);
	if (rc)
		return rc;
	json_t *d =
	    json_pack("{s:s, s:s, s:s, s:i, s:I, s:s}", "url", url, "type", type, "side", side,
	              "attempts", 1, "next_at", (json_int_t)(kyc_now_ms() + kyc_deferred_gap_ms(1)),
	              "last_error", why ? why : "url_fetch_failed");
	rc = d ? set_deferred(f->store, f->tenant_id, v, d) : KYC_ERR_NOMEM;
	json_decref(d);
	json_decref(v);
	return rc;
}

int kyc_deferred_document_waiting(const json_t *v)
{
	const json_t *d = json_object_get(json_object_get(v, "attributes"), KEY);
	return json_is_object(d) && !json_is_true(json_object_get(d, "failed"));
}

/* One due download of verification v: submitted, rescheduled or given up. */
static int try_one(kyc_store *s, const struct kyc_deferred_opts *o, const char *tenant_id,
                   const json_t *v, int64_t now_ms, int *arrived)
{
	json_t *d = json_deep_copy(json_object_get(json_object_get(v, "attributes"), KEY));
	const char *url = json_string_value(json_object_get(d, "url"));
	int attempts = (int)json_integer_value(json_object_get(d, "attempts"));
	kyc_buf img;
	kyc_buf_init(&img, o->max_image_bytes);
	struct kyc_fetch_info fi = {0};
	int rc = url ? kyc_fetch_url(url, &o->fetch, &img, &fi) : KYC_ERR_INVALID;
	if (rc) {
		/* not there yet: again after the next gap */
		json_object_set_new(d, "attempts", json_integer(attempts + 1));
		json_object_set_new(d, "next_at",
		                    json_integer(now_ms + kyc_deferred_gap_ms(attempts + 1)));
		json_object_set_new(d, "last_error",
		                    json_string(fi.code ? fi.code : "url_fetch_failed"));
		rc = set_deferred(s, tenant_id, v, d);
		goto out;
	}
	/* it came: off the list first, so a crash cannot submit it twice */
	const char *vid = json_string_value(json_object_get(v, "id"));
	if ((rc = set_deferred(s, tenant_id, v, NULL)))
		goto out;
	struct kyc_flow f = {.store = s,
	                     .tenant_id = tenant_id,
	                     .actor = "system",
	                     .data_dir = o->data_dir,
	                     .max_image_bytes = o->max_image_bytes,
	                     .max_image_pixels = o->max_image_pixels,
	                     .face = o->face};
	struct kyc_flow_image fimg = {.type = json_string_value(json_object_get(d, "type")),
	                              .side = json_string_value(json_object_get(d, "side")),
	                              .bytes = (const unsigned char *)img.data,
	                              .len = img.len,
	                              .source_url = url};
	json_t *res = NULL, *now = NULL;
	struct kyc_jerr e;
	if (kyc_flow_submit(&f, vid, &fimg, 1, &res, &e)) {
		/* not an image the workflow takes: the retries end, a person sees why */
		json_object_set_new(d, "failed", json_true());
		json_object_set_new(d, "last_error", json_string(e.code));
		if (kyc_store_get(s, KYC_R_VERIFICATION, tenant_id, vid, &now) == 0)
			rc = set_deferred(s, tenant_id, now, d);
		json_decref(now);
	} else {
		(*arrived)++;
	}
	json_decref(res);
out:
	kyc_buf_release(&img);
	json_decref(d);
	return rc;
}

struct sweep {
	const struct kyc_deferred_opts *o;
	int64_t now_ms;
	int arrived;
};

static void try_if_due(kyc_store *s, const char *tenant_id, const json_t *v, void *arg)
{
	struct sweep *sw = arg;
	const json_t *d = json_object_get(json_object_get(v, "attributes"), KEY);
	if (!kyc_deferred_document_waiting(v) ||
	    json_integer_value(json_object_get(d, "next_at")) > sw->now_ms)
		return;
	if (try_one(s, sw->o, tenant_id, v, sw->now_ms, &sw->arrived))
		kyc_logf(KYC_LOG_WARN, "deferred document of %s: %s",
		         json_string_value(json_object_get(v, "id")), kyc_store_errmsg(s));
}

int kyc_deferred_document_sweep(kyc_store *s, const struct kyc_deferred_opts *o, int64_t now_ms,
                                int *arrived)
{
	/* a deferred document's verification waits for input until it comes */
	struct sweep sw = {o, now_ms, 0};
	int rc = flow__each_in_status(s, "awaiting_input", try_if_due, &sw);
	*arrived = sw.arrived;
	return rc;
}
