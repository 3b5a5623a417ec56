/* libFuzzer target: the compatibility route sets' request parsers
 * (src/compat) — seed 003's and 004's bodies, seed 002's create body,
 * seed 001's customOptions and idType, and the Accept-Language picker.
 * The first byte chooses the parser; the rest is its input. Besides "no
 * crash, no leak", what a parser accepts must keep its promise. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat/compat.h"
#include "core/clock.h"
#include "core/country.h"
#include "core/rand.h"
#include "json/jv.h"

static void body_parsers(int which, const char *p, size_t n)
{
	json_t *obj;
	struct kyc_jerr e;
	if (kyc_jv_parse_object(p, n, &obj, &e))
		return;
	if (which == 0) {
		struct kyc_compat003_req r;
		if (!kyc_compat003_parse(obj, &r, &e)) {
			if (!kyc_uuid_valid(r.customer_id, strlen(r.customer_id)) ||
			    strncasecmp(r.document_url, "https://", 8) || !r.kyc_type || !r.channel)
				__builtin_trap();
		} else if (e.status != 400 || !e.code[0] || !e.detail[0]) {
			__builtin_trap();
		}
	} else if (which == 1) {
		struct kyc_compat004_req r;
		if (!kyc_compat004_parse(obj, &r, &e)) {
			int64_t d;
			if (kyc_date_parse(r.dob, strlen(r.dob), &d) || !r.urls[0] || !r.urls[2] ||
			    strncmp(r.urls[0], "https://", 8) || !r.id_type ||
			    (!r.merchant_user_id && !r.email))
				__builtin_trap();
			const char *nat = json_string_value(json_object_get(r.vo, "nationality"));
			if (!nat || !kyc_country_alpha3_valid(nat, strlen(nat)))
				__builtin_trap();
		} else if (!e.code[0] || !e.detail[0]) {
			__builtin_trap();
		}
	} else {
		json_t *a = json_object();
		if (!kyc_compat002_parse(obj, a, &e)) {
			const char *c = json_string_value(json_object_get(a, "country"));
			if (c && !kyc_country_alpha3_valid(c, strlen(c)))
				__builtin_trap();
		}
		json_decref(a);
	}
	json_decref(obj);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int which = data[0] % 6;
	size_t n = size - 1;
	char *p = malloc(n + 1); /* exact size plus a NUL, so reads past the end are caught */
	if (!p)
		return 0;
	memcpy(p, data + 1, n);
	p[n] = '\0';
	if (which <= 2) {
		body_parsers(which, p, n);
	} else if (which == 3) {
		json_t *o = NULL;
		struct kyc_jerr e;
		if (!kyc_compat001_options(p, n, &o, &e)) {
			const char *k;
			json_t *v;
			json_object_foreach(o, k, v)
			{
				if (!json_is_boolean(v))
					__builtin_trap();
			}
		}
		json_decref(o);
	} else if (which == 4) {
		static const char *const langs[] = {"en", "ar", NULL};
		kyc_str al = {p, n};
		const char *l = kyc_compat_lang(al, langs);
		if (strcmp(l, "en") && strcmp(l, "ar"))
			__builtin_trap();
	} else {
		const char *t = kyc_compat001_kyc_type(p);
		if (t && strcmp(t, "passport") && strcmp(t, "id_card") &&
		    strcmp(t, "drivers_license") && strcmp(t, "residence_permit") &&
		    strcmp(t, "visa"))
			__builtin_trap();
	}
	free(p);
	return 0;
}
