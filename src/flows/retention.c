#include "flows/retention.h"

#include "core/err.h"
#include "flows/erasure.h"
#include "flows/settings.h"

#define DAY_MS 86400000LL

/* Removes kind from the tenant's verifications closed before the period of
 * days (0: no period) ended. */
static int sweep_kind(struct kyc_flow *f, enum kyc_retention_kind kind, int64_t days,
                      int64_t now_ms, int *count)
{
	if (days <= 0)
		return 0;
	json_t *ids = NULL;
	int rc = kyc_store_retention_due(f->store, f->tenant_id, kind, now_ms - days * DAY_MS,
	                                 KYC_RETENTION_BATCH, &ids);
	size_t i;
	json_t *id;
	json_array_foreach(ids, i, id)
	{
		if ((rc = kyc_erasure_verification(f, json_string_value(id), kind)))
			break;
		(*count)++;
	}
	json_decref(ids);
	return rc;
}

/* The smaller of two periods, 0 being none. */
static int64_t shorter(int64_t a, int64_t b)
{
	return a <= 0 ? b : b <= 0 ? a : a < b ? a : b;
}

int kyc_retention_sweep(kyc_store *s, const char *data_dir, int64_t now_ms,
                        struct kyc_retention_counts *counts)
{
	*counts = (struct kyc_retention_counts){0};
	json_t *tenants = NULL;
	int rc = kyc_store_tenant_ids(s, &tenants);
	size_t i;
	json_t *t;
	json_array_foreach(tenants, i, t)
	{
		json_t *settings = NULL;
		struct kyc_flow f = {.store = s,
		                     .tenant_id = json_string_value(t),
		                     .actor = "system",
		                     .data_dir = data_dir};
		if ((rc = kyc_settings_get(s, f.tenant_id, &settings)))
			break;
		const json_t *r = json_object_get(settings, "retention");
		int64_t identity = json_integer_value(json_object_get(r, "identity_days"));
		int64_t images =
		    shorter(json_integer_value(json_object_get(r, "images_days")), identity);
		json_decref(settings);
		rc = sweep_kind(&f, KYC_RETAIN_IMAGES, images, now_ms, &counts->images);
		rc = rc ? rc
		        : sweep_kind(&f, KYC_RETAIN_IDENTITY, identity, now_ms, &counts->identity);
		if (rc)
			break;
	}
	json_decref(tenants);
	return rc;
}
