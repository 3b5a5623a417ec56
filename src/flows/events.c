/* Event rows (the webhook outbox) and the audit trail: both are written by
 * the workflow inside the transaction of the change they record. */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"

#include "core/err.h"
#include "core/rand.h"
#include "flows/workflow.h"

static int emit(kyc_store *s, const char *tenant_id, const char *type, const char *resource_type,
		const char *resource_id, int64_t resource_version, const json_t *snapshot,
		const char *from_status)
{
	char id[37];
	kyc_uuid_new(id);
	json_t *rec = json_pack("{s:s, s:s, s:s, s:s, s:I}", "id", id, "type", type,
				"resource_type", resource_type, "resource_id", resource_id,
				"resource_version", (json_int_t)resource_version);
	if (!rec)
		return KYC_ERR_NOMEM;
	json_object_set(rec, "payload", snapshot ? (json_t *)snapshot : json_null());
	/* A verification a compatibility route set made: its marks travel with
	 * each of its events, for that set's webhook format (src/compat/webhook.c). */
	json_t *v = NULL;
	if (!strcmp(resource_type, "verification") &&
	    kyc_store_get(s, KYC_R_VERIFICATION, tenant_id, resource_id, &v) == 0) {
		const char *seed = json_string_value(json_object_get(v, "compat_seed"));
		if (seed) {
			char key[16];
			snprintf(key, sizeof key, "compat%.3s", seed);
			json_t *data = json_object_get(json_object_get(v, "attributes"), key);
			json_t *ref = json_object_get(v, "compat_ref");
			json_t *attrs = json_pack("{s:{s:s, s:O, s:O}}", "compat", "seed", seed,
						  "ref", ref ? ref : json_null(), "data",
						  data ? data : json_null());
			/* seed 004's callbackUrl gets its own status push */
			if (!strcmp(seed, "004"))
				json_object_set_new(attrs, "callback_format", json_string("compat004"));
			json_object_set_new(rec, "attributes", attrs);
		}
		json_decref(v);
	}
	/* the old status: a vendor's format pushes only the changes its own
	 * statuses see (src/webhooks/payload.h, "takes") */
	if (from_status) {
		json_t *attrs = json_object_get(rec, "attributes");
		if (!attrs) {
			attrs = json_object();
			json_object_set_new(rec, "attributes", attrs);
		}
		json_object_set_new(attrs, "from_status", json_string(from_status));
	}
	int rc = kyc_store_insert(s, KYC_R_EVENT, tenant_id, rec);
	json_decref(rec);
	return rc;
}

int kyc_event_emit(kyc_store *s, const char *tenant_id, const char *type,
		   const char *resource_type, const char *resource_id, int64_t resource_version,
		   const json_t *snapshot)
{
	return emit(s, tenant_id, type, resource_type, resource_id, resource_version, snapshot,
		    NULL);
}

int kyc_event_emit_status_change(kyc_store *s, const char *tenant_id, const char *verification_id,
				 int64_t version, const json_t *snapshot, const char *from_status)
{
	return emit(s, tenant_id, "verification.status_changed", "verification", verification_id,
		    version, snapshot, from_status);
}

/* Audit rows of one change share a millisecond: their ids sort in the order
 * they were written (time, then a process-wide counter, then randomness), so
 * the trail lists in order. */
static void history_id(char out[48])
{
	static _Atomic unsigned counter;
	char rnd[37];
	kyc_uuid_new(rnd);
	snprintf(out, 48, "%012llx%08x%.12s", (unsigned long long)kyc_now_ms(), counter++,
		 rnd + 24);
}

int kyc_history_append(kyc_store *s, const char *tenant_id, const char *verification_id,
		       const char *actor, const char *action, const char *from_status,
		       const char *to_status, const char *reason, const json_t *details)
{
	char id[48];
	history_id(id);
	json_t *rec = json_pack("{s:s, s:s?, s:s, s:s}", "id", id, "verification_id",
				verification_id, "actor", actor ? actor : "system", "action", action);
	if (!rec)
		return KYC_ERR_NOMEM;
	if (from_status)
		json_object_set_new(rec, "from_status", json_string(from_status));
	if (to_status)
		json_object_set_new(rec, "to_status", json_string(to_status));
	if (reason)
		json_object_set_new(rec, "reason", json_string(reason));
	if (details)
		json_object_set(rec, "details", (json_t *)details);
	int rc = kyc_store_insert(s, KYC_R_HISTORY, tenant_id, rec);
	json_decref(rec);
	return rc;
}
