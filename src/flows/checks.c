#include "flows/checks.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/rand.h"
#include "document/card_dl_aamva.h"
#include "document/viz.h"
#include "flows/names.h"

const char *kyc_checks_field(const json_t *x, const char *name)
{
	const json_t *f = json_object_get(json_object_get(x, "fields"), name);
	if (!json_is_true(json_object_get(f, "read")) || !json_is_true(json_object_get(f, "accepted")))
		return NULL;
	return json_string_value(json_object_get(f, "value"));
}

static json_t *check(const char *name, const char *result, const char *reason, json_t *details)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "name", name, "result", result, "reason", reason,
			 "details", details ? details : json_object());
}

/* The names to compare: the applicant's confirmed ones when they corrected
 * the reading, else the document's. */
static void doc_names(const json_t *x, const json_t *corr, const char **given, const char **surname)
{
	*given = kyc_checks_field(x, "given_names");
	*surname = kyc_checks_field(x, "surname");
	const char *cf = json_string_value(json_object_get(corr, "first_name"));
	const char *cl = json_string_value(json_object_get(corr, "last_name"));
	if (cf || cl) {
		*given = cf;
		*surname = cl;
	}
}

void kyc_checks_document_key(const json_t *x, char out[64])
{
	const char *c = kyc_checks_field(x, "issuing_country");
	const char *n = kyc_checks_field(x, "document_number");
	out[0] = '\0';
	if (c && n && *n)
		snprintf(out, 64, "%s:%s", c, n);
}

void kyc_checks_identity_key(const json_t *x, const json_t *corr, char out[65])
{
	const char *given, *surname, *birth = kyc_checks_field(x, "birth_date");
	doc_names(x, corr, &given, &surname);
	out[0] = '\0';
	if (!birth || !surname)
		return;
	char folded[512], joined[600];
	snprintf(joined, sizeof joined, "%s %s", given ? given : "", surname);
	kyc_name_fold(joined, folded, sizeof folded);
	snprintf(joined, sizeof joined, "%s|%.16s", folded, birth);
	unsigned char h[32];
	unsigned hl = 0;
	EVP_Digest(joined, strlen(joined), h, &hl, EVP_sha256(), NULL);
	kyc_hex_encode(out, h, 32);
}

int kyc_checks_code_fits_type(const char *code, const char *type)
{
	if (!code || !*code)
		return 1;
	switch (code[0]) {
	case 'P':
		return !strcmp(type, "passport");
	case 'V':
		return !strcmp(type, "visa");
	case 'I':
	case 'A':
	case 'C':
		return !strcmp(type, "id_card") || !strcmp(type, "residence_permit");
	case 'D': /* a few states' driving permits carry a TD1-like MRZ */
		return !strcmp(type, "drivers_license");
	default:
		return 0;
	}
}

static int has_warning(const json_t *mrz, const char *name)
{
	size_t i;
	const json_t *w;
	json_array_foreach(json_object_get(mrz, "warnings"), i, w)
	{
		if (json_is_string(w) && !strcmp(json_string_value(w), name))
			return 1;
	}
	return 0;
}

static json_t *mrz_integrity(const json_t *x)
{
	const json_t *mrz = json_object_get(x, "mrz");
	if (!json_is_object(mrz))
		return check("mrz_integrity", "not_applicable", "no_mrz", NULL);
	if (json_is_true(json_object_get(mrz, "valid")))
		return check("mrz_integrity", "pass", "check_digits_valid", NULL);
	json_t *failed = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(mrz, "checks"), k, v)
	{
		if (!json_is_true(v))
			json_array_append_new(failed, json_string(k));
	}
	/* every check digit holds, but a field was read unsure (docs/mrz.md):
	 * say so rather than blame a check digit */
	if (!json_array_size(failed) && has_warning(mrz, "characters_unsure"))
		return check("mrz_integrity", "fail", "characters_unsure",
			     json_pack("{s:o}", "failed", failed));
	return check("mrz_integrity", "fail", "check_digit_mismatch",
		     json_pack("{s:o}", "failed", failed));
}

static int64_t today(int64_t now_ms)
{
	return now_ms / 86400000;
}

static json_t *document_expired(const json_t *x, int64_t now_ms)
{
	const char *exp = kyc_checks_field(x, "expiry_date");
	int64_t d;
	if (!exp || kyc_date_parse(exp, strlen(exp), &d))
		return check("document_expired", "not_applicable", "expiry_date_not_read", NULL);
	if (d < today(now_ms))
		return check("document_expired", "fail", "document_expired",
			     json_pack("{s:s}", "expiry_date", exp));
	return check("document_expired", "pass", "valid", json_pack("{s:s}", "expiry_date", exp));
}

/* Whole years between birth and today. */
static int age_years(const char *birth, int64_t now_ms, int *age)
{
	int64_t bd;
	if (!birth || kyc_date_parse(birth, strlen(birth), &bd))
		return -1;
	char t[16];
	kyc_date_format(today(now_ms), t);
	int by, bm, bdd, ty, tm, td;
	if (sscanf(birth, "%d-%d-%d", &by, &bm, &bdd) != 3 || sscanf(t, "%d-%d-%d", &ty, &tm, &td) != 3)
		return -1;
	*age = ty - by - ((tm < bm || (tm == bm && td < bdd)) ? 1 : 0);
	return 0;
}

static json_t *minimum_age(const json_t *x, const json_t *settings, int64_t now_ms)
{
	int64_t min = json_integer_value(json_object_get(settings, "minimum_age"));
	if (min <= 0)
		return check("minimum_age", "not_applicable", "disabled", NULL);
	int age;
	if (age_years(kyc_checks_field(x, "birth_date"), now_ms, &age))
		return check("minimum_age", "not_applicable", "birth_date_not_read", NULL);
	json_t *d = json_pack("{s:i, s:I}", "age", age, "minimum_age", (json_int_t)min);
	return age < min ? check("minimum_age", "fail", "under_minimum_age", d)
			 : check("minimum_age", "pass", "old_enough", d);
}

/* ICAO 9303 writes Germany as "D"; a list naming DEU blocks it, and back. */
static int same_country(const char *a, const char *b)
{
	if (!strcmp(a, "D"))
		a = "DEU";
	if (!strcmp(b, "D"))
		b = "DEU";
	return !strcmp(a, b);
}

static json_t *blocked_country(const json_t *x, const json_t *settings)
{
	const json_t *list = json_object_get(settings, "blocked_countries");
	if (!json_is_array(list) || json_array_size(list) == 0)
		return check("blocked_country", "not_applicable", "disabled", NULL);
	static const char *const fields[] = {"issuing_country", "nationality"};
	for (int i = 0; i < 2; i++) {
		const char *c = kyc_checks_field(x, fields[i]);
		size_t j;
		json_t *b;
		json_array_foreach(list, j, b)
		{
			if (c && json_is_string(b) && same_country(c, json_string_value(b)))
				return check("blocked_country", "fail", "blocked_country",
					     json_pack("{s:s, s:s}", "field", fields[i], "country", c));
		}
	}
	if (!kyc_checks_field(x, "issuing_country") && !kyc_checks_field(x, "nationality"))
		return check("blocked_country", "not_applicable", "country_not_read", NULL);
	return check("blocked_country", "pass", "not_blocked", NULL);
}

/* The most recent verification decided `status` since `days` ago with the
 * same document (or identity) key, of another applicant (other 1) or of
 * this one (other 0), the checked verification aside. -1 when the lookup
 * failed. */
static int find_match(const struct kyc_check_input *in, const char *column, const char *key,
		      const char *status, int64_t days, int other, json_t **out)
{
	struct kyc_store_match m = {
		.key_column = column,
		.key = key,
		.status = status,
		.decided_since_ms = days > 0 ? in->now_ms - days * 86400000LL : 0,
		.applicant_id = json_string_value(json_object_get(in->verification, "applicant_id")),
		.same_applicant = !other,
		.exclude_id = json_string_value(json_object_get(in->verification, "id")),
	};
	return kyc_store_verification_match(in->store, in->tenant_id, &m, out) ? -1 : 0;
}

/* The document was approved for, or recently rejected for, another
 * applicant (every earlier verification counts, through the key's index). */
static json_t *duplicate_document(const struct kyc_check_input *in)
{
	int64_t ap = json_integer_value(json_object_get(in->settings, "approve_period_days"));
	int64_t rp = json_integer_value(json_object_get(in->settings, "reject_period_days"));
	if (ap <= 0 && rp <= 0)
		return check("duplicate_document", "not_applicable", "disabled", NULL);
	char key[64];
	kyc_checks_document_key(in->extraction, key);
	if (!*key)
		return check("duplicate_document", "not_applicable", "document_number_not_read", NULL);
	const struct {
		const char *status, *reason, *period;
		int64_t days;
	} rules[] = {{"approved", "approved_for_another_applicant", "approve_period_days", ap},
		     {"rejected", "rejected_recently", "reject_period_days", rp}};
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		json_t *v = NULL;
		if (rules[i].days <= 0)
			continue;
		if (find_match(in, "document_key", key, rules[i].status, rules[i].days, 1, &v))
			return check("duplicate_document", "not_applicable", "lookup_failed", NULL);
		if (v) {
			json_t *c = check("duplicate_document", "fail", rules[i].reason,
					  json_pack("{s:O, s:I}", "verification_id",
						    json_object_get(v, "id"), rules[i].period,
						    (json_int_t)rules[i].days));
			json_decref(v);
			return c;
		}
	}
	return check("duplicate_document", "pass", "no_duplicate", NULL);
}

/* The same applicant sends again, within reject_period_days, a document it
 * was rejected with: not a duplicate (nobody else holds it) but the
 * reject-period setting's own case, with the day it may try again. */
static json_t *reject_period(const struct kyc_check_input *in)
{
	int64_t rp = json_integer_value(json_object_get(in->settings, "reject_period_days"));
	if (rp <= 0)
		return check("reject_period", "not_applicable", "disabled", NULL);
	char key[64];
	kyc_checks_document_key(in->extraction, key);
	if (!*key)
		return check("reject_period", "not_applicable", "document_number_not_read", NULL);
	json_t *v = NULL;
	if (find_match(in, "document_key", key, "rejected", rp, 0, &v))
		return check("reject_period", "not_applicable", "lookup_failed", NULL);
	if (!v)
		return check("reject_period", "pass", "not_rejected_recently", NULL);
	/* decided_at is rendered as RFC 3339: the period ends rp days later */
	const char *at = json_string_value(json_object_get(v, "decided_at"));
	int64_t y, days = -1;
	int mo, d;
	char after[32] = "";
	if (at && strlen(at) >= 10 && sscanf(at, "%4" SCNd64 "-%2d-%2d", &y, &mo, &d) == 3 &&
	    kyc_date_valid((int)y, mo, d))
		days = kyc_days_from_civil((int)y, mo, d) + rp;
	if (days >= 0)
		kyc_time_iso(days * 86400000LL, after);
	json_t *c = check("reject_period", "fail", "rejected_recently_same_applicant",
			  json_pack("{s:O, s:I, s:s?}", "verification_id", json_object_get(v, "id"),
				    "reject_period_days", (json_int_t)rp, "retry_after",
				    after[0] ? after : NULL));
	json_decref(v);
	return c;
}

static json_t *duplicate_applicant(const struct kyc_check_input *in)
{
	if (!json_is_true(json_object_get(in->settings, "reject_duplicate_applicant")))
		return check("duplicate_applicant", "not_applicable", "disabled", NULL);
	char key[65];
	kyc_checks_identity_key(in->extraction, in->corrections, key);
	if (!*key)
		return check("duplicate_applicant", "not_applicable", "identity_not_read", NULL);
	json_t *v = NULL;
	if (find_match(in, "identity_key", key, "approved", 0, 1, &v))
		return check("duplicate_applicant", "not_applicable", "lookup_failed", NULL);
	if (!v)
		return check("duplicate_applicant", "pass", "no_duplicate", NULL);
	json_t *c = check("duplicate_applicant", "fail", "same_person_other_applicant",
			  json_pack("{s:O}", "applicant_id", json_object_get(v, "applicant_id")));
	json_decref(v);
	return c;
}

static json_t *data_consistency(const struct kyc_check_input *in)
{
	const json_t *a = in->applicant;
	const char *first = json_string_value(json_object_get(a, "first_name"));
	const char *middle = json_string_value(json_object_get(a, "middle_name"));
	const char *last = json_string_value(json_object_get(a, "last_name"));
	const char *birth = json_string_value(json_object_get(a, "birth_date"));
	if (!last && !birth) {
		json_t *c = check("data_consistency", "not_applicable", "no_registration_data", NULL);
		json_object_set_new(c, "source", json_string("registration"));
		return c;
	}
	json_t *mism = json_array();
	const char *dbirth = kyc_checks_field(in->extraction, "birth_date");
	if (birth && (!dbirth || strcmp(birth, dbirth)))
		json_array_append_new(mism, json_string("birth_date"));
	if (last) {
		const char *given, *surname;
		doc_names(in->extraction, in->corrections, &given, &surname);
		if (!surname || !kyc_names_match(first, middle, last, given, surname))
			json_array_append_new(mism, json_string("name"));
	}
	json_t *c = json_array_size(mism)
			? check("data_consistency", "fail", "registration_mismatch",
				json_pack("{s:o}", "fields", json_incref(mism)))
			: check("data_consistency", "pass", "matches_registration", NULL);
	json_decref(mism);
	json_object_set_new(c, "source", json_string("registration"));
	return c;
}

/* How much a visual-zone verdict weighs: a failing one first, then one
 * that read something. */
static int verdict_rank(const char *v)
{
	return !v || !strcmp(v, "unread") ? 0 : !strcmp(v, "agrees") ? 1 : 2;
}

/* The printed page against the MRZ (src/document/viz.h): a field printed
 * under its label that contradicts the MRZ, or a page with text of which
 * nothing agrees with the MRZ (another person's page, a page made for this
 * MRZ without its data), is for a person to look at. Fields the visual zone
 * does not show, or OCR could not read, count for nothing. The page is the
 * one around the MRZ and, for a card whose MRZ is on its back, the card's
 * front (its printed lines read at upload); the worse of the two decides. */
static json_t *viz_consistency(const json_t *x, const json_t *front)
{
	const json_t *v = json_object_get(x, "viz");
	json_t *fv = NULL;
	const char *side = "page";
	const json_t *lines = json_object_get(front, "viz_front");
	if (lines && !kyc_viz_compare(lines, json_object_get(x, "mrz"), &fv) &&
	    verdict_rank(json_string_value(json_object_get(fv, "verdict"))) >
		verdict_rank(json_string_value(json_object_get(v, "verdict"))))
		v = fv, side = "front";
	const char *verdict = json_string_value(json_object_get(v, "verdict"));
	json_int_t matched = json_integer_value(json_object_get(v, "matched"));
	json_t *c;
	if (!verdict || !strcmp(verdict, "unread"))
		c = check("data_consistency", "not_applicable", "viz_unread", NULL);
	else if (!strcmp(verdict, "contradicts"))
		c = check("data_consistency", "fail", "viz_mismatch",
			  json_pack("{s:O, s:I, s:s}", "fields", json_object_get(v, "mismatched"),
				    "matched", matched, "side", side));
	else if (!strcmp(verdict, "unmatched"))
		c = check("data_consistency", "fail", "viz_unmatched",
			  json_pack("{s:s}", "side", side));
	else
		c = check("data_consistency", "pass", "viz_matches",
			  json_pack("{s:I, s:O, s:s}", "matched", matched, "unconfirmed",
				    json_object_get(v, "mismatched"), "side", side));
	json_object_set_new(c, "source", json_string("mrz_viz"));
	json_decref(fv);
	return c;
}

/* A licence's printed front against its barcode (card_dl_aamva.h): the
 * front of the same upload, else the attempt's front sent apart. A field
 * the front does not show accepted counts for nothing. */
static json_t *licence_consistency(const json_t *x, const json_t *front)
{
	const json_t *bar = json_object_get(json_object_get(x, "licence"), "fields");
	const json_t *face = json_object_get(json_object_get(x, "licence"), "front");
	if (!json_is_true(json_object_get(face, "found")))
		face = json_object_get(json_object_get(front, "licence"), "front");
	json_t *cc = json_is_true(json_object_get(face, "found"))
			 ? kyc_dl_cross_check(bar, json_object_get(face, "fields"))
			 : NULL;
	const json_t *contra = json_object_get(cc, "contradictions");
	int matched = 0;
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(cc, "cross_check"), k, v)
		matched += !strcmp(json_string_value(v), "match");
	json_t *c = !cc ? check("data_consistency", "not_applicable", "front_not_read", NULL)
		    : json_array_size(contra)
			? check("data_consistency", "fail", "barcode_front_mismatch",
				json_pack("{s:O, s:O}", "contradictions", contra, "cross_check",
					  json_object_get(cc, "cross_check")))
		    : matched ? check("data_consistency", "pass", "barcode_front_match",
				      json_pack("{s:O}", "cross_check", json_object_get(cc, "cross_check")))
			      : check("data_consistency", "not_applicable", "front_not_read", NULL);
	json_object_set_new(c, "source", json_string("barcode_front"));
	json_decref(cc);
	return c;
}

static json_t *document_type_allowed(const struct kyc_check_input *in)
{
	const char *t = in->declared_type;
	int allowed = 0;
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(in->verification, "document_types"), i, x)
		allowed |= t && !strcmp(json_string_value(x), t);
	int in_settings = 0;
	json_array_foreach(json_object_get(in->settings, "document_types"), i, x)
		in_settings |= t && !strcmp(json_string_value(x), t);
	if (!allowed || !in_settings)
		return check("document_type_allowed", "fail", "type_not_accepted",
			     json_pack("{s:s?}", "type", t));
	const char *code = json_string_value(
		json_object_get(json_object_get(json_object_get(in->extraction, "fields"),
						"document_code"),
				"value"));
	if (code && !kyc_checks_code_fits_type(code, t))
		return check("document_type_allowed", "fail", "wrong_document_type",
			     json_pack("{s:s, s:s}", "declared", t, "document_code", code));
	return check("document_type_allowed", "pass", "accepted", NULL);
}

json_t *kyc_checks_run(const struct kyc_check_input *in, const char **hard)
{
	json_t *out = json_array();
	const json_t *x = in->extraction;
	json_array_append_new(out, mrz_integrity(x));
	json_array_append_new(out, document_expired(x, in->now_ms));
	json_array_append_new(out, minimum_age(x, in->settings, in->now_ms));
	json_array_append_new(out, blocked_country(x, in->settings));
	json_array_append_new(out, duplicate_document(in));
	json_array_append_new(out, reject_period(in));
	json_array_append_new(out, duplicate_applicant(in));
	json_array_append_new(out, data_consistency(in));
	json_array_append_new(out, viz_consistency(x, in->front));
	if (json_is_true(json_object_get(x, "barcode_found")))
		json_array_append_new(out, licence_consistency(x, in->front));
	json_array_append_new(out, document_type_allowed(in));
	static const char *const hard_checks[] = {"document_expired",   "minimum_age",
						  "blocked_country",    "duplicate_document",
						  "reject_period",      "duplicate_applicant",
						  NULL};
	*hard = NULL;
	size_t i;
	json_t *c;
	json_array_foreach(out, i, c)
	{
		if (strcmp(json_string_value(json_object_get(c, "result")), "fail"))
			continue;
		const char *n = json_string_value(json_object_get(c, "name"));
		for (const char *const *h = hard_checks; *h && !*hard; h++)
			if (!strcmp(*h, n))
				*hard = *h;
	}
	return out;
}
