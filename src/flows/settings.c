/* Tenant settings: defaults, validation of a PATCH, per-request options and
 * the tier requirement rules (src/flows/settings.h, docs/settings.md). */
#include "flows/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/country.h"
#include "core/err.h"
#include "core/log.h"
#include "flows/face_checks.h"
#include "flows/workflow.h"

/* The default threshold as the error message prints it (face/face.h). */
#define DEFAULT_TEXT_(x) #x
#define DEFAULT_TEXT(x) DEFAULT_TEXT_(x)

static const char *const level_steps[] = {
	"document", "confirmation", "selfie", "liveness", "proof_of_address", "proof_of_income", NULL,
};

static const char *const compat_sets[] = {"000", "001", "002", "003", "004", NULL};

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

/* Every key with its default. Levels follow seed 004: L1 is document + face
 * + liveness, L2 adds proof of address and of income; "basic" (the default)
 * is the document alone, the only level that can be decided without a person
 * while face comparison and liveness are not built. */
const char *const kyc_settings_rate_keys[] = {
	"api_per_minute",           "api_burst",           "address_per_minute",
	"address_burst",            "hosted_uploads_per_minute", "hosted_uploads_burst", NULL};

json_t *kyc_settings_rate_defaults(void)
{
	return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i}", "api_per_minute", 0, "api_burst", 0,
			 "address_per_minute", 0, "address_burst", 0, "hosted_uploads_per_minute",
			 20, "hosted_uploads_burst", 10);
}

const char *const kyc_settings_retention_keys[] = {"images_days", "identity_days", NULL};

/* An object setting whose members are all integers in min..max (name:
 * "rate_limits", "retention"); errors name the member ("rate_limits.api_burst"). */
static int check_int_object(const json_t *r, const char *name, const char *const *keys,
			    int64_t min, int64_t max, struct kyc_jerr *e)
{
	int64_t n;
	if (!json_is_object(r))
		return kyc_jerr_set(e, 422, "invalid_type", name, "'%s' must be an object", name);
	if (kyc_jv_known_fields(r, keys, e))
		goto in_field;
	for (const char *const *k = keys; *k; k++)
		if (kyc_jv_int(r, *k, 0, min, max, &n, e))
			goto in_field;
	return 0;
in_field:;
	char f[sizeof e->field];
	snprintf(f, sizeof f, "%s.%.*s", name, (int)(sizeof f - strlen(name) - 2), e->field);
	memcpy(e->field, f, sizeof f);
	return -1;
}

static json_t *defaults(void)
{
	json_t *d = json_pack(
		"{s:b, s:i, s:[], s:i, s:i, s:b, s:i, s:s, s:{s:{s:[s]}, s:{s:[s,s,s]}, "
		"s:{s:[s,s,s,s,s]}}, s:[], s:{s:b, s:b, s:b, s:b, s:b}}",
		"auto_approve", 1, "minimum_age", 18, "blocked_countries", "approve_period_days",
		365, "reject_period_days", 30, "reject_duplicate_applicant", 0, "max_attempts", 3,
		"default_level", "basic", "levels", "basic", "steps", "document", "L1", "steps",
		"document", "selfie", "liveness", "L2", "steps", "document", "selfie", "liveness",
		"proof_of_address", "proof_of_income", "requirements", "compat", "000", 1, "001", 1,
		"002", 1, "003", 1, "004", 1);
	/* seed 000's onboarding: the document, then the applicant confirms the names */
	json_object_set_new(json_object_get(d, "levels"), "confirm",
			    json_pack("{s:[s,s]}", "steps", "document", "confirmation"));
	/* Token buckets (docs/security.md, "Rate limits"): 0 turns a limit off. */
	json_object_set_new(d, "rate_limits", kyc_settings_rate_defaults());
	/* The face_match distance threshold (docs/face.md#workflow-checks: FMR
	 * 0.03 % on the calibration set, where dlib's 0.6 fits 0.1 % but lets
	 * 0.73 % of the evaluation set's hard impostors through), with review
	 * within KYC_FACE_MATCH_MARGIN of it. */
	json_object_set_new(d, "face_match_threshold", json_real(KYC_FACE_WORKFLOW_THRESHOLD));
	/* Retention periods in days after a verification closed; 0 keeps the
	 * data until the tenant erases it (docs/settings.md says why that is
	 * the default). */
	json_object_set_new(d, "retention", json_pack("{s:i, s:i}", "images_days", 0,
						      "identity_days", 0));
	/* seed 004: download a shared record's files (false: keep only the URLs) */
	json_object_set_new(d, "share_fetch_files", json_true());
	json_t *types = json_array();
	for (const char *const *t = kyc_document_types; *t; t++)
		json_array_append_new(types, json_string(*t));
	json_object_set_new(d, "document_types", types);
	return d;
}

/* The scale face_match_threshold was set on, kept beside it in the stored
 * object (never shown: merged() copies only known keys). A threshold stored
 * without it was set before the tag existed, when the engine compared dlib's
 * 128-d embeddings by Euclidean distance (0.55 typical): on FaceRes's cosine
 * distance that number means something else (0.55 passes most impostors), and
 * no mapping between the two networks' distances holds across populations
 * (docs/face.md, "The threshold"), so it is not applied. */
#define THRESHOLD_SCALE_KEY "face_match_threshold_scale"

/* 1 when stored holds a face_match_threshold set on another network's scale. */
static int threshold_legacy(const json_t *stored)
{
	const json_t *t = json_object_get(stored, "face_match_threshold");
	const char *scale = json_string_value(json_object_get(stored, THRESHOLD_SCALE_KEY));
	return json_is_number(t) && (!scale || strcmp(scale, KYC_FACE_EMBEDDING_MODEL));
}

static json_t *merged(const json_t *stored)
{
	json_t *d = defaults();
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)stored, k, v)
	{
		if (json_object_get(d, k))
			json_object_set(d, k, v);
	}
	/* a threshold of the former scale: the default applies
	 * (kyc_settings_warnings says so) */
	if (threshold_legacy(stored))
		json_object_set_new(d, "face_match_threshold",
				    json_real(KYC_FACE_WORKFLOW_THRESHOLD));
	return d;
}

int kyc_settings_warnings(kyc_store *s, const char *tenant_id, json_t **out)
{
	json_t *stored = NULL;
	*out = NULL;
	int rc = kyc_store_tenant_settings(s, tenant_id, &stored);
	if (rc)
		return rc;
	json_t *w = json_array();
	if (w && threshold_legacy(stored)) {
		double t = json_number_value(json_object_get(stored, "face_match_threshold"));
		char msg[400];
		snprintf(msg, sizeof msg,
			 "face_match_threshold %.3g was set before the face engine moved to HSE "
			 "FaceRes (cosine distance), on the former network's Euclidean distance, "
			 "where it meant something else: it is not applied, and the default %.3g "
			 "is, until the setting is sent again",
			 t, KYC_FACE_WORKFLOW_THRESHOLD);
		json_array_append_new(
			w, json_pack("{s:s, s:s, s:f, s:f, s:s}", "field", "face_match_threshold",
				     "code", "threshold_scale_changed", "stored", t, "applied",
				     KYC_FACE_WORKFLOW_THRESHOLD, "message", msg));
	}
	json_decref(stored);
	*out = w;
	return w ? 0 : KYC_ERR_NOMEM;
}

int kyc_settings_log_warnings(kyc_store *s)
{
	json_t *tenants = NULL;
	int rc = kyc_store_tenant_ids(s, &tenants);
	size_t i, j;
	json_t *t, *w;
	json_array_foreach(tenants, i, t)
	{
		json_t *ws = NULL;
		if ((rc = kyc_settings_warnings(s, json_string_value(t), &ws)))
			break;
		json_array_foreach(ws, j, w)
			kyc_logf(KYC_LOG_WARN, "tenant %s: %s", json_string_value(t),
				 json_string_value(json_object_get(w, "message")));
		json_decref(ws);
	}
	json_decref(tenants);
	return rc;
}

int kyc_settings_get(kyc_store *s, const char *tenant_id, json_t **out)
{
	json_t *stored = NULL;
	int rc = kyc_store_tenant_settings(s, tenant_id, &stored);
	if (rc)
		return rc;
	*out = merged(stored);
	json_decref(stored);
	return 0;
}

static int check_string_array(const json_t *a, const char *field, int (*ok)(const char *),
			      const char *what, struct kyc_jerr *e)
{
	if (!json_is_array(a))
		return kyc_jerr_set(e, 422, "invalid_type", field, "'%s' must be an array", field);
	size_t i;
	json_t *x;
	json_array_foreach(a, i, x)
	{
		if (!json_is_string(x) || !ok(json_string_value(x)))
			return kyc_jerr_set(e, 422, "invalid_value", field, "'%s' holds %s", field,
					    what);
	}
	return 0;
}

/* Alpha-3 codes, and ICAO 9303's own ("D" for Germany, "UTO", ...), as
 * documents write them. */
static int country_ok(const char *s)
{
	return kyc_country_icao_valid(s, strlen(s));
}

static int doc_type_ok(const char *s)
{
	return in_list(s, kyc_document_types);
}

static int step_ok(const char *s)
{
	return in_list(s, level_steps);
}

static int check_levels(const json_t *levels, struct kyc_jerr *e)
{
	if (!json_is_object(levels) || json_object_size(levels) == 0 ||
	    json_object_size(levels) > 20)
		return kyc_jerr_set(e, 422, "invalid_type", "levels",
				    "'levels' must be an object of 1 to 20 levels");
	const char *name;
	json_t *lv;
	json_object_foreach((json_t *)levels, name, lv)
	{
		if (strlen(name) == 0 || strlen(name) > 32)
			return kyc_jerr_set(e, 422, "invalid_value", "levels",
					    "level names are 1 to 32 bytes");
		json_t *steps = json_object_get(lv, "steps");
		if (!json_is_object(lv) || json_object_size(lv) != 1 || !json_is_array(steps) ||
		    json_array_size(steps) == 0)
			return kyc_jerr_set(e, 422, "invalid_value", "levels",
					    "level '%s' must be {\"steps\": [...]} with at least one step",
					    name);
		if (check_string_array(steps, "levels", step_ok,
				       "steps among document, confirmation, selfie, liveness, proof_of_address, proof_of_income",
				       e))
			return -1;
		if (strcmp(json_string_value(json_array_get(steps, 0)), "document"))
			return kyc_jerr_set(e, 422, "invalid_value", "levels",
					    "the first step of level '%s' must be 'document'", name);
	}
	return 0;
}

static int check_rules(const json_t *rules, struct kyc_jerr *e)
{
	static const char *const keys[] = {"document_types", "applicant_field", "equals",
					   "at_least", "code", "message", NULL};
	if (!json_is_array(rules) || json_array_size(rules) > 50)
		return kyc_jerr_set(e, 422, "invalid_type", "requirements",
				    "'requirements' must be an array of at most 50 rules");
	size_t i;
	json_t *r;
	json_array_foreach(rules, i, r)
	{
		const char *s;
		int64_t n;
		if (!json_is_object(r))
			return kyc_jerr_set(e, 422, "invalid_type", "requirements",
					    "each requirement is an object");
		if (kyc_jv_known_fields(r, keys, e) ||
		    kyc_jv_string(r, "applicant_field", KYC_JV_REQUIRED, 64, &s, e) ||
		    kyc_jv_string(r, "code", KYC_JV_REQUIRED, 48, &s, e) ||
		    kyc_jv_string(r, "message", KYC_JV_REQUIRED, 256, &s, e) ||
		    kyc_jv_int(r, "at_least", 0, INT32_MIN, INT32_MAX, &n, e))
			goto bad;
		json_t *types = json_object_get(r, "document_types");
		if (types && check_string_array(types, "document_types", doc_type_ok,
						"document types", e))
			goto bad;
		if (!json_object_get(r, "equals") == !json_object_get(r, "at_least"))
			return kyc_jerr_set(e, 422, "invalid_value", "requirements",
					    "each requirement has exactly one of 'equals' and 'at_least'");
	}
	return 0;
bad:;
	/* Name the rule: "requirements[2].code". */
	char f[sizeof e->field + 32];
	snprintf(f, sizeof f, "requirements[%zu].%.48s", i, e->field);
	snprintf(e->field, sizeof e->field, "%.80s", f);
	return -1;
}

static int check_compat(const json_t *c, struct kyc_jerr *e)
{
	if (!json_is_object(c))
		return kyc_jerr_set(e, 422, "invalid_type", "compat",
				    "'compat' must be an object of seed: boolean");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)c, k, v)
	{
		if (!in_list(k, compat_sets) || !json_is_boolean(v))
			return kyc_jerr_set(e, 422, "invalid_value", "compat",
					    "'compat' keys are 000 to 004 with boolean values");
	}
	return 0;
}

int kyc_settings_validate(const json_t *patch, struct kyc_jerr *e)
{
	json_t *v;
	if (!json_is_object(patch))
		return kyc_jerr_set(e, 400, "invalid_json", "", "the body must be a JSON object");
	json_t *d = defaults();
	const char *k;
	json_object_foreach((json_t *)patch, k, v)
	{
		if (!json_object_get(d, k)) {
			json_decref(d);
			return kyc_jerr_set(e, 422, "unknown_field", k, "unknown setting '%s'", k);
		}
	}
	json_decref(d);
	int64_t n;
	int b;
	if (kyc_jv_bool(patch, "auto_approve", 0, &b, e) ||
	    kyc_jv_int(patch, "minimum_age", 0, 0, 150, &n, e) ||
	    kyc_jv_int(patch, "approve_period_days", 0, 0, 3650, &n, e) ||
	    kyc_jv_int(patch, "reject_period_days", 0, 0, 3650, &n, e) ||
	    kyc_jv_bool(patch, "reject_duplicate_applicant", 0, &b, e) ||
	    kyc_jv_bool(patch, "share_fetch_files", 0, &b, e) ||
	    kyc_jv_int(patch, "max_attempts", 0, 1, 10, &n, e))
		return -1;
	if ((v = json_object_get(patch, "face_match_threshold")) && !json_is_null(v) &&
	    (!json_is_number(v) || json_number_value(v) < KYC_FACE_THRESHOLD_MIN ||
	     json_number_value(v) > KYC_FACE_THRESHOLD_MAX))
		return kyc_jerr_set(e, 422, json_is_number(v) ? "out_of_range" : "invalid_type",
				    "face_match_threshold",
				    "'face_match_threshold' must be a number from 0.1 to 0.8 (a "
				    "cosine distance between face embeddings; default " DEFAULT_TEXT(
				        KYC_FACE_DEFAULT_THRESHOLD) ")");
	if ((v = json_object_get(patch, "blocked_countries")) && !json_is_null(v) &&
	    check_string_array(v, "blocked_countries", country_ok, "ISO 3166-1 alpha-3 codes", e))
		return -1;
	if ((v = json_object_get(patch, "document_types")) && !json_is_null(v) &&
	    (check_string_array(v, "document_types", doc_type_ok,
				"passport, id_card, residence_permit, visa, drivers_license", e) ||
	     (json_array_size(v) == 0 &&
	      kyc_jerr_set(e, 422, "invalid_value", "document_types",
			   "'document_types' must not be empty"))))
		return -1;
	if ((v = json_object_get(patch, "levels")) && !json_is_null(v) && check_levels(v, e))
		return -1;
	if ((v = json_object_get(patch, "requirements")) && !json_is_null(v) && check_rules(v, e))
		return -1;
	if ((v = json_object_get(patch, "compat")) && !json_is_null(v) && check_compat(v, e))
		return -1;
	if ((v = json_object_get(patch, "rate_limits")) && !json_is_null(v) &&
	    check_int_object(v, "rate_limits", kyc_settings_rate_keys, 0, 1000000, e))
		return -1;
	if ((v = json_object_get(patch, "retention")) && !json_is_null(v) &&
	    check_int_object(v, "retention", kyc_settings_retention_keys, 0, 36500, e))
		return -1;
	if ((v = json_object_get(patch, "default_level")) && !json_is_null(v) && !json_is_string(v))
		return kyc_jerr_set(e, 422, "invalid_type", "default_level",
				    "'default_level' must be a string");
	return 0;
}

int kyc_settings_patch(kyc_store *s, const char *tenant_id, const json_t *patch, json_t **out,
		       struct kyc_jerr *e)
{
	json_t *cur = NULL, *stored = NULL, *v;
	const char *k;
	int rc;
	*out = NULL;
	if (kyc_settings_validate(patch, e))
		return -1;
	rc = kyc_store_tenant_settings(s, tenant_id, &stored);
	if (rc)
		return kyc_jerr_set(e, 500, "store_error", "", "the settings could not be read");
	json_object_update(stored, (json_t *)patch);
	/* a threshold sent now is on today's scale; one reset loses its tag */
	v = json_object_get(patch, "face_match_threshold");
	if (json_is_number(v))
		json_object_set_new(stored, THRESHOLD_SCALE_KEY,
				    json_string(KYC_FACE_EMBEDDING_MODEL));
	else if (json_is_null(v))
		json_object_del(stored, THRESHOLD_SCALE_KEY);
	/* null resets a key to its default */
	json_t *tmp;
	json_object_foreach_safe(stored, tmp, k, v)
	{
		if (json_is_null(v))
			json_object_del(stored, k);
	}
	cur = merged(stored);
	const char *lvl = json_string_value(json_object_get(cur, "default_level"));
	if (!lvl || !json_object_get(json_object_get(cur, "levels"), lvl)) {
		json_decref(stored);
		json_decref(cur);
		return kyc_jerr_set(e, 422, "invalid_value", "default_level",
				    "'default_level' must name one of the levels");
	}
	rc = kyc_store_tenant_settings_set(s, tenant_id, stored);
	json_decref(stored);
	if (rc) {
		json_decref(cur);
		return kyc_jerr_set(e, 500, "store_error", "", "the settings could not be stored");
	}
	*out = cur;
	return 0;
}

/* Each per-request option: its names (seed 001's first), and what false does. */
static const struct {
	const char *seed_name, *name, *setting;
} options[] = {
	{"blacklistCountries", "blocked_countries", "blocked_countries"},
	{"approvePeriod", "approve_period", "approve_period_days"},
	{"rejectPeriod", "reject_period", "reject_period_days"},
	{"ageLimit", "minimum_age", "minimum_age"},
	{"rejectDuplicateUser", "reject_duplicate_applicant", "reject_duplicate_applicant"},
	/* kycd's own (seed 003: every submission goes to the back office) */
	{"manual_review", "manual_review", "manual_review"},
};

json_t *kyc_settings_effective(const json_t *settings, const json_t *opts, struct kyc_jerr *e)
{
	if (opts && !json_is_null(opts) && !json_is_object(opts)) {
		kyc_jerr_set(e, 422, "invalid_type", "options", "'options' must be an object");
		return NULL;
	}
	json_t *out = json_deep_copy(settings);
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)opts, k, v)
	{
		size_t i, n = sizeof options / sizeof options[0];
		for (i = 0; i < n; i++)
			if (!strcmp(k, options[i].seed_name) || !strcmp(k, options[i].name))
				break;
		if (i == n) {
			kyc_jerr_set(e, 422, "unknown_field", "options",
				     "unknown option '%s' (blacklistCountries, approvePeriod, rejectPeriod, ageLimit, rejectDuplicateUser, manual_review)",
				     k);
			goto bad;
		}
		if (!json_is_boolean(v)) {
			kyc_jerr_set(e, 422, "invalid_type", "options", "option '%s' must be a boolean",
				     k);
			goto bad;
		}
		const char *set = options[i].setting;
		if (!strcmp(set, "reject_duplicate_applicant") || !strcmp(set, "manual_review"))
			json_object_set(out, set, v); /* options that turn on, too */
		else if (json_is_false(v))
			json_object_set_new(out, set, !strcmp(set, "blocked_countries")
							      ? json_array()
							      : json_integer(0));
	}
	return out;
bad:
	json_decref(out);
	return NULL;
}

/* A dotted path into an applicant record, looked up among its columns and
 * then in its attributes ("attestations.nin_verified"). */
static const json_t *applicant_value(const json_t *a, const char *path)
{
	char buf[65];
	snprintf(buf, sizeof buf, "%s", path);
	for (int pass = 0; pass < 2; pass++) {
		const json_t *cur = pass ? json_object_get(a, "attributes") : a;
		char tmp[65];
		snprintf(tmp, sizeof tmp, "%s", buf);
		char *save = tmp, *dot;
		while (cur && save) {
			dot = strchr(save, '.');
			if (dot)
				*dot = '\0';
			cur = json_object_get(cur, save);
			save = dot ? dot + 1 : NULL;
		}
		if (cur && !json_is_null(cur))
			return cur;
	}
	return NULL;
}

int kyc_requirements_check(const json_t *settings, const json_t *applicant, const char *doc_type,
			   struct kyc_jerr *e)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(settings, "requirements"), i, r)
	{
		json_t *types = json_object_get(r, "document_types");
		const char *field = json_string_value(json_object_get(r, "applicant_field"));
		const char *code = json_string_value(json_object_get(r, "code"));
		const char *msg = json_string_value(json_object_get(r, "message"));
		/* Stored rules were validated; one that is not fails closed. */
		if (!field || !code || !msg)
			return kyc_jerr_set(e, 422, "requirement_invalid", "requirements",
					    "a tier requirement of the tenant is malformed");
		if (json_is_array(types)) {
			int hit = 0;
			size_t j;
			json_t *t;
			json_array_foreach(types, j, t)
			{
				const char *ts = json_string_value(t);
				hit |= ts && !strcmp(ts, doc_type);
			}
			if (!hit)
				continue;
		}
		const json_t *v = applicant_value(applicant, field);
		const json_t *eq = json_object_get(r, "equals");
		const json_t *min = json_object_get(r, "at_least");
		int ok;
		if (eq)
			ok = v && json_equal((json_t *)v, (json_t *)eq);
		else
			ok = json_is_number(v) && json_number_value(v) >= json_number_value(min);
		if (!ok)
			return kyc_jerr_set(e, 422, code, field, "%s", msg);
	}
	return 0;
}
