#include "webhooks/fanout.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/rand.h"
#include "store/outbox.h"
#include "webhooks/endpoint.h"
#include "webhooks/payload.h"
#include "webhooks/sign.h"

/* Deliveries a fan-out collects and adds in one batch at its end. */
struct collected {
	struct kyc_outbox_new *d;
	int n, cap;
};

/* What one event asks for; the strings belong to the caller. */
struct target_req {
	struct collected *coll; /* NULL: add each delivery at once */
	const char *tenant_id, *event_id, *type;
	const char *only_endpoint;   /* "" or NULL: none */
	const char *callback_url;    /* NULL: none */
	const char *callback_format; /* "" or NULL: native */
	struct kyc_webhook_event_head head; /* what the formats decide on */
};

/* Adds one delivery, remembering its id in ids (may be NULL). */
static int add(kyc_store *s, const struct target_req *t, const char *endpoint_id,
	       const char *url, const char *format, int64_t due, json_t *ids)
{
	if (t->coll) { /* the strings live until the batch is added */
		struct collected *c = t->coll;
		if (c->n == c->cap) {
			int cap = c->cap ? 2 * c->cap : 256;
			struct kyc_outbox_new *d = realloc(c->d, (size_t)cap * sizeof *d);
			if (!d)
				return KYC_ERR_NOMEM;
			c->d = d;
			c->cap = cap;
		}
		c->d[c->n++] = (struct kyc_outbox_new){t->tenant_id, t->event_id, t->type,
						       endpoint_id, url, format, due};
		return 0;
	}
	char id[37];
	int rc = kyc_outbox_delivery_add(s, t->tenant_id, t->event_id, t->type, endpoint_id, url,
					 format, due, id);
	if (!rc && ids)
		json_array_append_new(ids, json_string(id));
	return rc;
}

/* Adds the deliveries of one event. endpoints: the tenant's enabled ones
 * (kyc_outbox_endpoints). *count: how many were added. */
static int add_targets(kyc_store *s, const struct target_req *t, const json_t *endpoints,
		       int64_t due, json_t *ids, int *count)
{
	int rc = 0;
	size_t i;
	json_t *ep;
	*count = 0;
	json_array_foreach(endpoints, i, ep)
	{
		const char *id = json_string_value(json_object_get(ep, "id"));
		int match = t->only_endpoint && *t->only_endpoint
				? !strcmp(id, t->only_endpoint)
				: kyc_webhook_subscribed(json_object_get(ep, "event_types"), t->type);
		const char *format = json_string_value(json_object_get(ep, "format"));
		if (!match || !kyc_webhook_format_takes(format, &t->head))
			continue;
		rc = add(s, t, id, NULL, format, due, ids);
		if (rc)
			return rc;
		(*count)++;
	}
	const char *cb_format = t->callback_format && *t->callback_format ? t->callback_format : NULL;
	if (t->callback_url && !(t->only_endpoint && *t->only_endpoint) &&
	    kyc_webhook_format_takes(cb_format, &t->head)) {
		/* A callback is signed with the tenant's callback secret: make
		 * one the first time, so no push ever goes out unsigned. */
		char secret[KYC_WEBHOOK_SECRET_MAX];
		rc = kyc_webhook_secret_new(secret);
		rc = rc ? rc : kyc_outbox_callback_secret_ensure(s, t->tenant_id, secret, due);
		rc = rc ? rc : add(s, t, NULL, t->callback_url, t->callback_format, due, ids);
		if (!rc)
			(*count)++;
	}
	return rc;
}

int kyc_webhook_fanout(kyc_store *s, int max, int64_t now_ms, int *n)
{
	struct kyc_outbox_event *ev = NULL;
	int k = 0;
	*n = 0;
	/* A read first: the write lock is taken only when there is work. */
	int rc = kyc_outbox_undispatched(s, max, &ev, &k);
	if (rc || k == 0) {
		kyc_outbox_events_free(ev, k);
		return rc;
	}
	/* The events are marked and their deliveries added in batches: on
	 * PostgreSQL two round trips for the lot instead of one per event and
	 * one per delivery. */
	json_t *cache = json_object(); /* tenant id -> its enabled endpoints */
	const char **ids = calloc((size_t)k, sizeof *ids);
	int *owned = calloc((size_t)k, sizeof *owned);
	struct collected coll = {0};
	rc = cache && ids && owned ? kyc_store_begin(s) : KYC_ERR_NOMEM;
	int begun = !rc;
	for (int i = 0; i < k; i++)
		if (ids)
			ids[i] = ev[i].id;
	rc = rc ? rc : kyc_outbox_dispatched_batch(s, ids, k, now_ms, owned);
	for (int i = 0; i < k && !rc; i++) {
		if (!owned[i]) /* already done elsewhere */
			continue;
		json_t *eps = json_object_get(cache, ev[i].tenant_id);
		if (!rc && !eps) {
			rc = kyc_outbox_endpoints(s, ev[i].tenant_id, &eps);
			if (!rc)
				json_object_set_new(cache, ev[i].tenant_id, eps);
		}
		struct target_req t = {
		    .coll = &coll,
		    .tenant_id = ev[i].tenant_id,
		    .event_id = ev[i].id,
		    .type = ev[i].type,
		    .only_endpoint = ev[i].only_endpoint,
		    .callback_url = ev[i].callback_url,
		    .callback_format = ev[i].callback_format,
		    .head = {ev[i].type, ev[i].compat_seed, ev[i].from_status, ev[i].status},
		};
		int count;
		rc = rc ? rc : add_targets(s, &t, eps, now_ms, NULL, &count);
	}
	rc = rc ? rc : kyc_outbox_delivery_add_batch(s, coll.d, coll.n);
	if (begun)
		rc = rc ? rc : kyc_store_commit(s);
	if (rc && begun)
		kyc_store_rollback(s);
	if (!rc)
		*n = k;
	free(coll.d);
	free(owned);
	free(ids);
	json_decref(cache);
	kyc_outbox_events_free(ev, k);
	return rc;
}

static const char *attr_str(const json_t *rec, const char *obj, const char *key)
{
	return json_string_value(json_object_get(json_object_get(rec, obj), key));
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

int kyc_webhook_redeliver(kyc_store *s, const char *tenant_id, const json_t *event,
			  const char *endpoint_id, int64_t now_ms, json_t **out)
{
	*out = NULL;
	json_t *ids = json_array(), *eps = NULL;
	struct target_req t = {
	    .tenant_id = tenant_id,
	    .event_id = json_string_value(json_object_get(event, "id")),
	    .type = json_string_value(json_object_get(event, "type")),
	    .only_endpoint = attr_str(event, "attributes", "only_endpoint"),
	    .callback_url = attr_str(event, "payload", "callback_url"),
	    .callback_format = attr_str(event, "attributes", "callback_format"),
	    .head = {or_empty(json_string_value(json_object_get(event, "type"))),
		     or_empty(json_string_value(json_object_get(
			 json_object_get(json_object_get(event, "attributes"), "compat"), "seed"))),
		     or_empty(attr_str(event, "attributes", "from_status")),
		     or_empty(attr_str(event, "payload", "status"))},
	};
	int rc = ids && t.event_id && t.type ? 0 : KYC_ERR_INVALID;
	if (!rc && endpoint_id) {
		json_t *ep = NULL;
		rc = kyc_store_get(s, KYC_R_WEBHOOK_ENDPOINT, tenant_id, endpoint_id, &ep);
		const char *format = json_string_value(json_object_get(ep, "format"));
		if (!rc && !json_is_true(json_object_get(ep, "enabled")))
			rc = KYC_ERR_STATE;
		/* an event the endpoint's format never sends is nothing to redeliver */
		if (!rc && !kyc_webhook_format_takes(format, &t.head))
			rc = KYC_ERR_CONFLICT;
		rc = rc ? rc : add(s, &t, endpoint_id, NULL, format, now_ms, ids);
		json_decref(ep);
	} else if (!rc) {
		int count = 0;
		rc = kyc_outbox_endpoints(s, tenant_id, &eps);
		rc = rc ? rc : add_targets(s, &t, eps, now_ms, ids, &count);
		if (!rc && count == 0)
			rc = KYC_ERR_CONFLICT;
	}
	json_t *recs = json_array();
	size_t i;
	json_t *id;
	json_array_foreach(ids, i, id)
	{
		json_t *d;
		if (rc)
			break;
		rc = kyc_store_get(s, KYC_R_WEBHOOK_DELIVERY, tenant_id, json_string_value(id), &d);
		if (!rc)
			json_array_append_new(recs, d);
	}
	json_decref(ids);
	json_decref(eps);
	if (rc) {
		json_decref(recs);
		return rc;
	}
	*out = recs;
	return 0;
}

int kyc_webhook_test_event(kyc_store *s, const char *tenant_id, const json_t *endpoint,
			   json_t **out)
{
	char id[37];
	*out = NULL;
	const char *eid = json_string_value(json_object_get(endpoint, "id"));
	int rc = eid ? kyc_uuid_new(id) : KYC_ERR_INVALID;
	if (rc)
		return rc;
	json_t *rec = json_pack(
	    "{s:s, s:s, s:s, s:s, s:O, s:o, s:{s:s}}", "id", id, "type", "webhook.test",
	    "resource_type", "webhook_endpoint", "resource_id", eid, "resource_version",
	    json_object_get(endpoint, "version"), "payload", kyc_webhook_render_endpoint(endpoint),
	    "attributes", "only_endpoint", eid);
	if (!rec)
		return KYC_ERR_NOMEM;
	rc = kyc_store_insert(s, KYC_R_EVENT, tenant_id, rec);
	json_decref(rec);
	return rc ? rc : kyc_store_get(s, KYC_R_EVENT, tenant_id, id, out);
}
