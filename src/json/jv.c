#include "json/jv.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/country.h"

int kyc_jerr_set(struct kyc_jerr *e, int status, const char *code, const char *field,
		 const char *fmt, ...)
{
	e->status = status;
	snprintf(e->code, sizeof e->code, "%s", code);
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof e->detail, fmt, ap);
	va_end(ap);
	return -1;
}

int kyc_jv_parse_object(const char *body, size_t len, json_t **out, struct kyc_jerr *e)
{
	json_error_t je;
	*out = NULL;
	if (len == 0)
		return kyc_jerr_set(e, 400, "invalid_json", NULL, "the request body is empty; a JSON object is expected");
	json_t *v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!v)
		return kyc_jerr_set(e, 400, "invalid_json", NULL,
				    "the body is not valid JSON: %s (line %d, column %d)", je.text,
				    je.line, je.column);
	if (!json_is_object(v)) {
		json_decref(v);
		return kyc_jerr_set(e, 400, "invalid_json", NULL, "the body must be a JSON object");
	}
	*out = v;
	return 0;
}

int kyc_jv_known_fields(const json_t *obj, const char *const *known, struct kyc_jerr *e)
{
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)obj, key, val)
	{
		int ok = 0;
		for (const char *const *k = known; *k; k++)
			if (!strcmp(*k, key)) {
				ok = 1;
				break;
			}
		if (!ok)
			return kyc_jerr_set(e, 422, "unknown_field", key,
					    "'%.80s' is not a field of this resource", key);
	}
	return 0;
}

/* Common presence logic: 1 = present and not null, 0 = absent/null and fine, -1 = error. */
static int presence(const json_t *obj, const char *field, int flags, const json_t **v,
		    struct kyc_jerr *e)
{
	*v = json_object_get(obj, field);
	if (!*v || json_is_null(*v)) {
		if (flags & KYC_JV_REQUIRED)
			return kyc_jerr_set(e, 422, "field_required", field, "'%s' is required",
					    field);
		return 0;
	}
	return 1;
}

int kyc_jv_string(const json_t *obj, const char *field, int flags, size_t maxlen,
		  const char **out, struct kyc_jerr *e)
{
	const json_t *v;
	int p = presence(obj, field, flags, &v, e);
	if (p <= 0)
		return p;
	if (!json_is_string(v))
		return kyc_jerr_set(e, 422, "invalid_type", field, "'%s' must be a string", field);
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (n == 0 && (flags & KYC_JV_REQUIRED))
		return kyc_jerr_set(e, 422, "field_required", field, "'%s' must not be empty",
				    field);
	if (n > maxlen)
		return kyc_jerr_set(e, 422, "too_long", field, "'%s' is longer than %zu bytes",
				    field, maxlen);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return kyc_jerr_set(e, 422, "invalid_value", field,
					    "'%s' contains a control character", field);
	*out = s;
	return 0;
}

int kyc_jv_enum(const json_t *obj, const char *field, int flags, const char *const *allowed,
		const char **out, struct kyc_jerr *e)
{
	const char *s = NULL;
	if (kyc_jv_string(obj, field, flags, 64, &s, e))
		return -1;
	if (!s)
		return 0;
	char list[200] = "";
	size_t used = 0;
	for (const char *const *a = allowed; *a; a++) {
		if (!strcmp(*a, s)) {
			*out = s;
			return 0;
		}
		int n = snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", *a);
		if (n > 0 && (size_t)n < sizeof list - used)
			used += (size_t)n;
	}
	return kyc_jerr_set(e, 422, "invalid_value", field, "'%s' must be one of: %s", field,
			    list);
}

int kyc_jv_date(const json_t *obj, const char *field, int flags, const char **out,
		struct kyc_jerr *e)
{
	const char *s = NULL;
	if (kyc_jv_string(obj, field, flags, 10, &s, e))
		return -1;
	if (!s)
		return 0;
	int64_t days;
	if (kyc_date_parse(s, strlen(s), &days) != 0)
		return kyc_jerr_set(e, 422, "invalid_date", field,
				    "'%s' must be a real date written YYYY-MM-DD", field);
	*out = s;
	return 0;
}

int kyc_jv_country3(const json_t *obj, const char *field, int flags, const char **out,
		    struct kyc_jerr *e)
{
	const char *s = NULL;
	if (kyc_jv_string(obj, field, flags, 3, &s, e))
		return -1;
	if (!s)
		return 0;
	if (!kyc_country_alpha3_valid(s, strlen(s)))
		return kyc_jerr_set(e, 422, "invalid_country", field,
				    "'%s' must be an ISO 3166-1 alpha-3 country code (e.g. LTU)",
				    field);
	*out = s;
	return 0;
}

int kyc_jv_email(const json_t *obj, const char *field, int flags, const char **out,
		 struct kyc_jerr *e)
{
	const char *s = NULL;
	if (kyc_jv_string(obj, field, flags, 254, &s, e))
		return -1;
	if (!s)
		return 0;
	const char *at = strchr(s, '@');
	int ok = at && at != s && !strchr(at + 1, '@') && strchr(at + 1, '.') &&
		 at[1] != '.' && s[strlen(s) - 1] != '.' && !strpbrk(s, " \t,;<>()[]\\\"");
	if (!ok)
		return kyc_jerr_set(e, 422, "invalid_email", field,
				    "'%s' must be an e-mail address", field);
	*out = s;
	return 0;
}

int kyc_jv_int(const json_t *obj, const char *field, int flags, int64_t min, int64_t max,
	       int64_t *out, struct kyc_jerr *e)
{
	const json_t *v;
	int p = presence(obj, field, flags, &v, e);
	if (p <= 0)
		return p;
	if (!json_is_integer(v))
		return kyc_jerr_set(e, 422, "invalid_type", field, "'%s' must be an integer",
				    field);
	json_int_t n = json_integer_value(v);
	if (n < min || n > max)
		return kyc_jerr_set(e, 422, "out_of_range", field,
				    "'%s' must be between %lld and %lld", field, (long long)min,
				    (long long)max);
	*out = n;
	return 0;
}

int kyc_jv_bool(const json_t *obj, const char *field, int flags, int *out, struct kyc_jerr *e)
{
	const json_t *v;
	int p = presence(obj, field, flags, &v, e);
	if (p <= 0)
		return p;
	if (!json_is_boolean(v))
		return kyc_jerr_set(e, 422, "invalid_type", field, "'%s' must be true or false",
				    field);
	*out = json_is_true(v);
	return 0;
}
