/* What the five route sets share (src/compat/compat.h). */
#include "compat/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/rand.h"
#include "document/image.h"
#include "flows/deferred.h"
#include "flows/workflow.h"
#include "store/blob.h"

static const char *const seed_names[KYC_COMPAT__COUNT] = {"000", "001", "002", "003", "004"};

const char *kyc_compat_seed_name(enum kyc_compat_seed seed)
{
	return (unsigned)seed < KYC_COMPAT__COUNT ? seed_names[seed] : "";
}

void kyc_compat_register(kyc_server *s)
{
	kyc__compat000_routes(s);
	kyc__compat001_routes(s);
	kyc__compat002_routes(s);
	kyc__compat003_routes(s);
	kyc__compat004_routes(s);
	kyc_compat_webhook_formats_register();
}

int kyc_compat_enabled(kyc_store *s, const char *tenant_id, enum kyc_compat_seed seed, int *rc)
{
	json_t *st = NULL;
	*rc = kyc_store_tenant_settings(s, tenant_id, &st);
	if (*rc)
		return 0;
	/* Absent means on: the default of the setting (docs/compat/README.md). */
	json_t *v = json_object_get(json_object_get(st, "compat"), kyc_compat_seed_name(seed));
	int on = !json_is_false(v);
	json_decref(st);
	return on;
}

int kyc__compat_gate(struct api_call *c, enum kyc_compat_seed seed)
{
	int rc;
	if (kyc_compat_enabled(c->store, c->tenant_id, seed, &rc))
		return 0;
	if (rc)
		api_store_error(c, rc, "tenant settings");
	else
		api_problem(c, 404, "route_set_disabled", NULL,
		            "this API is not enabled for this tenant");
	return -1;
}

void kyc__compat_error_headers(struct api_call *c, const char *code, const char *field)
{
	if (code && *code)
		kyc_req_add_header(c->req, "Kycd-Error-Code", code);
	if (field && *field)
		kyc_req_add_header(c->req, "Kycd-Error-Field", field);
}

int kyc__compat_fetch(struct api_call *c, const char *url, kyc_buf *out, struct kyc_fetch_info *fi)
{
	struct kyc_fetch_opts fo = {
	    .allow_loopback = c->app->fetch_allow_loopback,
	    .allow_http = c->app->fetch_allow_http,
	    .ca_file = c->app->fetch_ca_file,
	    .timeout_ms = (long)c->app->fetch_timeout_ms,
	};
	return kyc_fetch_url(url, &fo, out, fi);
}

void kyc__compat_flow(struct api_call *c, enum kyc_compat_seed seed, struct kyc_flow *f,
                      char actor_buf[64])
{
	api_flow(c, f);
	/* seed 000's customerData shows the portrait, its age and gender */
	f->want_portrait = seed == KYC_COMPAT_000;
	/* the route set and the key: "compat:003:key:kyc_3f9a0c21d4e8" */
	snprintf(actor_buf, 64, "compat:%s:%s", kyc_compat_seed_name(seed), c->actor);
	f->actor = actor_buf;
}

int kyc__compat_store_file(struct api_call *c, const char *kind, const void *p, size_t n,
                           const char *content_type, const char *source_url, char fid_out[37])
{
	char rel[128];
	json_t *rec = NULL;
	int rc = kyc_deferred_file_store(c->store, c->app->data_dir, c->tenant_id, kind, p, n,
	                                 content_type, source_url, fid_out, rel, &rec);
	if (rc)
		return rc;
	rc = kyc_store_insert(c->store, KYC_R_FILE, c->tenant_id, rec);
	json_decref(rec);
	if (rc)
		kyc_blob_remove(c->app->data_dir, rel);
	return rc;
}

void kyc__compat_retry(const json_t *v, const char **code, const char **message)
{
	const json_t *r = json_object_get(v, "retry");
	*code = json_is_object(r) ? kyc__compat_str(r, "code") : kyc__compat_str(v, "retry_code");
	*message =
	    json_is_object(r) ? kyc__compat_str(r, "message") : kyc__compat_str(v, "retry_message");
}

const char *kyc__compat_image_unusable(struct api_call *c, const void *p, size_t n, int *status)
{
	*status = 413;
	if (n > c->app->max_image_bytes)
		return "image_too_large";
	struct kyc_image img = {0};
	const char *why = NULL;
	struct kyc_image_opts io = {.max_bytes = c->app->max_image_bytes,
	                            .max_pixels = (long)c->app->max_image_pixels,
	                            .target_side = 64};
	int rc = kyc_image_decode(p, n, &io, &img, &why);
	kyc_image_free(&img);
	*status = rc == KYC_ERR_UNSUPPORTED ? 415 : 422;
	return !rc                        ? NULL
	       : rc == KYC_ERR_UNSUPPORTED ? "unsupported_media_type"
	       : rc == KYC_ERR_TOOBIG      ? "image_too_many_pixels"
	                                   : "image_invalid";
}

int kyc__compat_image_check(struct api_call *c, const void *p, size_t n, const char *field,
                            const char *message)
{
	int status;
	const char *code = kyc__compat_image_unusable(c, p, n, &status);
	if (!code)
		return 0;
	api_problem(c, status, code, field, "%s", message);
	return -1;
}

int kyc__compat_newest(struct api_call *c, enum kyc_rtype t, json_t *filter, json_t **out)
{
	struct kyc_store_page pg;
	*out = NULL;
	int rc = kyc_store_list(c->store, t, c->tenant_id, filter, "", 1, &pg);
	json_decref(filter);
	if (rc)
		return rc;
	if (json_array_size(pg.items))
		*out = json_incref(json_array_get(pg.items, 0));
	json_decref(pg.items);
	return 0;
}

int kyc__compat_applicant_by_ref(struct api_call *c, const char *ref, char id[37], int *found)
{
	json_t *a = NULL;
	int rc =
	    kyc__compat_newest(c, KYC_R_APPLICANT, json_pack("{s:s}", "external_ref", ref), &a);
	*found = !rc && a;
	if (*found)
		snprintf(id, 37, "%s", kyc__compat_str(a, "id"));
	json_decref(a);
	return rc;
}

json_t *kyc__compat_field(const json_t *x, const char *name)
{
	const json_t *f = json_object_get(json_object_get(x, "fields"), name);
	json_t *v = json_object_get(f, "value");
	return json_is_true(json_object_get(f, "read")) && json_is_string(v) &&
	               json_string_length(v)
	           ? json_incref(v)
	           : json_null();
}

json_t *kyc__compat_gender(const json_t *x)
{
	json_t *sex = kyc__compat_field(x, "sex");
	const char *s = json_string_value(sex);
	json_t *g = !s                ? json_null()
	            : !strcmp(s, "M") ? json_string("Male")
	            : !strcmp(s, "F") ? json_string("Female")
	                              : json_null();
	json_decref(sex);
	return g;
}

const char *kyc__compat_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static int digits(const char *p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

int64_t kyc__compat_time_ms(const json_t *rec, const char *key)
{
	const char *s = kyc__compat_str(rec, key);
	int y, mo, d, h, mi, se, ms = 0;
	/* The store writes one fixed form: 2026-06-25T10:14:33.521Z. */
	if (!s || strlen(s) != 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != '.' || s[23] != 'Z' || digits(s, 4, &y) ||
	    digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) || digits(s + 11, 2, &h) ||
	    digits(s + 14, 2, &mi) || digits(s + 17, 2, &se) || digits(s + 20, 3, &ms) ||
	    !kyc_date_valid(y, mo, d))
		return -1;
	return ((kyc_days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000LL + se * 1000LL + ms;
}

/* One language range of Accept-Language: tag and q (0..1000). */
static int next_range(const char **p, const char *end, const char **tag, size_t *tlen, int *q)
{
	const char *s = *p;
	while (s < end && (*s == ' ' || *s == '\t' || *s == ','))
		s++;
	if (s >= end)
		return 0;
	const char *item_end = s;
	while (item_end < end && *item_end != ',')
		item_end++;
	*tag = s;
	const char *t = s;
	while (t < item_end && *t != ';' && *t != ' ' && *t != '\t')
		t++;
	*tlen = (size_t)(t - s);
	*q = 1000;
	/* ";q=0.5" (weights have at most three decimals, RFC 9110 12.4.2) */
	const char *qp = t;
	while (qp < item_end && *qp != ';')
		qp++;
	if (qp < item_end) {
		qp++;
		while (qp < item_end && (*qp == ' ' || *qp == '\t'))
			qp++;
		if (item_end - qp >= 3 && (qp[0] == 'q' || qp[0] == 'Q') && qp[1] == '=') {
			qp += 2;
			int v = 0, scale = 1000;
			if (qp < item_end && (*qp == '0' || *qp == '1')) {
				v = (*qp - '0') * 1000;
				qp++;
				if (qp < item_end && *qp == '.') {
					qp++;
					for (int i = 0;
					     i < 3 && qp < item_end && *qp >= '0' && *qp <= '9';
					     i++, qp++) {
						scale /= 10;
						v += (*qp - '0') * scale;
					}
				}
			}
			*q = v > 1000 ? 1000 : v;
		}
	}
	*p = item_end;
	return 1;
}

const char *kyc_compat_lang(kyc_str al, const char *const *supported)
{
	const char *best = supported[0];
	int best_q = -1;
	if (!al.ptr)
		return best;
	const char *p = al.ptr, *end = al.ptr + al.len, *tag;
	size_t tlen;
	int q;
	for (int n = 0; n < 32 && next_range(&p, end, &tag, &tlen, &q); n++) {
		if (q <= 0)
			continue;
		for (const char *const *s = supported; *s; s++) {
			size_t sl = strlen(*s);
			int match = (tlen == 1 && tag[0] == '*') ||
			            (tlen >= sl && !strncasecmp(tag, *s, sl) &&
			             (tlen == sl || tag[sl] == '-'));
			if (match && q > best_q) {
				best = *s;
				best_q = q;
				break;
			}
		}
	}
	return best;
}
