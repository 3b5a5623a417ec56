/* Reading request JSON with field-level errors. Each getter checks one field
 * of an object and, on failure, fills a kyc_jerr that the API layer turns into
 * a problem+json response naming the field. Getters return 0 (value stored,
 * or absent and optional: *out untouched), or -1 with e filled. */
#ifndef KYC_JV_H
#define KYC_JV_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct kyc_jerr {
	int status;      /* 400 malformed body, 422 a field's value */
	char code[48];   /* stable machine code: invalid_json, field_required, ... */
	char field[96];  /* the JSON field at fault ("" when the body itself) */
	char detail[256];
};

enum {
	KYC_JV_REQUIRED = 1, /* absent (or null) is an error */
	KYC_JV_NULLABLE = 2, /* an explicit null is returned as *is_null (PATCH clears) */
};

/* Fills e (printf-style detail). Returns -1 so callers can `return kyc_jerr_set(...)`. */
int kyc_jerr_set(struct kyc_jerr *e, int status, const char *code, const char *field,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Parses a body that must be one JSON object (depth and size are capped by
 * the HTTP layer and jansson). Caller owns *out. */
int kyc_jv_parse_object(const char *body, size_t len, json_t **out, struct kyc_jerr *e);
/* Fails with unknown_field on the first key of obj that is not in known (NULL-terminated). */
int kyc_jv_known_fields(const json_t *obj, const char *const *known, struct kyc_jerr *e);

/* A string of 1..maxlen bytes of valid UTF-8 (jansson guarantees UTF-8) without
 * control characters. *out points into obj. */
int kyc_jv_string(const json_t *obj, const char *field, int flags, size_t maxlen,
		  const char **out, struct kyc_jerr *e);
/* One of the allowed values (NULL-terminated list); exact match. */
int kyc_jv_enum(const json_t *obj, const char *field, int flags, const char *const *allowed,
		const char **out, struct kyc_jerr *e);
/* A calendar date "YYYY-MM-DD". */
int kyc_jv_date(const json_t *obj, const char *field, int flags, const char **out,
		struct kyc_jerr *e);
/* An ISO 3166-1 alpha-3 country code (upper case). */
int kyc_jv_country3(const json_t *obj, const char *field, int flags, const char **out,
		    struct kyc_jerr *e);
/* A plausible e-mail address (one @, a dot in the domain, no spaces, <= 254 bytes). */
int kyc_jv_email(const json_t *obj, const char *field, int flags, const char **out,
		 struct kyc_jerr *e);
/* An integer within [min, max]. */
int kyc_jv_int(const json_t *obj, const char *field, int flags, int64_t min, int64_t max,
	       int64_t *out, struct kyc_jerr *e);
/* A boolean. */
int kyc_jv_bool(const json_t *obj, const char *field, int flags, int *out, struct kyc_jerr *e);

#endif
